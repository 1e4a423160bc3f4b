"""Stories across providers: story terms, relating in the store, and crawls that relate both ways.

The end-to-end tests run on SQLite and on PostgreSQL; their crawls run in the test
process (``tests/inprocess.py``), the ``stories`` and ``render`` commands as processes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from crawler import scoring
from crawler.demo.server import SiteServer
from crawler.record import Provider, Record
from crawler.store import open_store
from crawler.stories import StoryConfig, StoryStep, cosine, story_terms
from tests import stories_sites
from tests.crawling import REFERENCE_TIME, REPO, CrawlResult
from tests.inprocess import crawl_in_process


def record(url: str, domain: str, title: str, excerpt: str, text: str = "", day: int = 20) -> Record:
    return Record(
        title=title,
        web_url=url,
        provider=Provider(domain.split(".")[0].title(), domain),
        excerpt=excerpt,
        text=text,
        published_at=datetime(2026, 11, day, 8, 0, tzinfo=UTC),
        quality=60,
    )


def test_story_terms_weigh_entities_and_figures():
    terms = story_terms(
        record("https://a.com/x", "a.com", "SenseTime files for Hong Kong IPO", "It may raise $2 billion.")
    )
    assert "e:sensetime" in terms and "e:hong kong" in terms and "n:$2billion" in terms
    assert terms["e:hong kong"] > terms["w:ipo"] / 2  # entities are boosted
    assert not any(term in terms for term in ("w:for", "w:the", "e:it"))


def test_cosine_is_symmetric_and_bounded():
    a, b = {"e:x": 2.0, "w:y": 1.0}, {"e:x": 1.0, "w:z": 3.0}
    idf = {"e:x": 2.0, "w:y": 1.0, "w:z": 1.0}
    assert cosine(a, b, idf) == pytest.approx(cosine(b, a, idf))
    assert 0 < cosine(a, b, idf) < 1
    assert cosine(a, a, idf) == pytest.approx(1.0)
    assert cosine(a, {"w:q": 1.0}, idf) == 0


def fill(store, records):
    for r in records:
        store.put(r, "", datetime(2026, 11, 24, tzinfo=UTC), terms=story_terms(r))


def test_store_relates_same_story_across_providers_only(store_url):
    store = open_store(store_url)
    a = record(
        "https://a.com/1",
        "a.com",
        "SenseTime files for Hong Kong IPO",
        "SenseTime plans to raise $2 billion in Hong Kong.",
    )
    b = record(
        "https://b.com/1",
        "b.com",
        "AI firm SenseTime seeks $2 billion Hong Kong listing",
        "SenseTime filed for a Hong Kong IPO.",
    )
    same_provider = record(
        "https://a.com/2", "a.com", "SenseTime Hong Kong IPO: $2 billion", "SenseTime's Hong Kong IPO."
    )
    far_away = record(
        "https://c.com/1", "c.com", "SenseTime files for Hong Kong IPO", "$2 billion Hong Kong IPO.", day=1
    )
    other = record("https://c.com/2", "c.com", "Tencent posts profit rise", "Games and advertising grew.")
    fill(store, [a, b, same_provider, far_away, other])
    step = StoryStep(store, StoryConfig(), datetime(2026, 11, 24, tzinfo=UTC))
    step.relate(["https://a.com/1"])
    related = {url: [r.web_url for r in s.record.related] for url, s in store.get_many([a.web_url, b.web_url]).items()}
    assert related["https://a.com/1"] == ["https://b.com/1"]
    assert related["https://b.com/1"] == ["https://a.com/1"]  # both ways
    assert store.get(other.web_url).record.related == []
    store.close()


def titles(result) -> dict[str, list[str]]:
    return {doc["title"]: [r["title"] for r in doc["related"]] for doc in result.by_web_url().values()}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def story_crawls(request, tmp_path_factory) -> dict[str, CrawlResult]:
    """alpha, beta, then gamma a crawl later, into one store (on each backend): each crawl's result, by provider."""
    tmp_path = tmp_path_factory.mktemp(f"stories-{request.param}")
    if request.param == "sqlite":
        store = str(tmp_path / "state" / "records.sqlite")
    else:
        store = request.getfixturevalue("module_postgres_url")
    registry = stories_sites.build(tmp_path / "sites")
    settings = {"PROVIDER_REGISTRY": str(registry), "RECORD_STORE": store}
    results = {}
    for key in ("alpha", "beta", "gamma"):
        with SiteServer(tmp_path / "sites" / key) as server:
            urls = ",".join(server.base_url + path for path, *_ in stories_sites.ARTICLES[key])
            result = crawl_in_process(key, tmp_path / "run", f"start_urls={urls}", settings=settings)
        assert result.returncode == 0, result.log[-3000:]
        results[key] = result
    return results


@pytest.mark.e2e
def test_crawls_relate_stories_both_ways(story_crawls):
    """Two providers, then a third a crawl later: every document of a story lists the others; others stay alone."""
    results = {key: titles(result) for key, result in story_crawls.items()}

    recall_alpha = "Xiaomi recalls 30,000 SU7 sedans over driver-assist flaw"
    recall_beta = "China orders Xiaomi to call back 30,000 SU7 cars"
    recall_gamma = "What the SU7 recall means for Xiaomi's car ambitions"
    catl_alpha, catl_gamma = (
        "CATL unveils sodium-ion battery for cheap electric cars",
        "CATL's sodium-ion cells head to mass production",
    )

    after_beta = results["beta"]
    assert after_beta[recall_alpha] == [recall_beta]
    assert after_beta[recall_beta] == [recall_alpha]
    # Same company, other story: the recall is the closest coverage of the subject (the second tier),
    # so the Paris store lists it; the recall lists Beta Daily's own report of the recall instead.
    paris = "Xiaomi opens its first flagship store in Paris"
    assert after_beta[paris] == [recall_alpha]
    assert after_beta[catl_alpha] == []  # nobody else covers it yet

    final = results["gamma"]
    assert sorted(final[recall_alpha]) == sorted([recall_beta, recall_gamma])
    assert sorted(final[recall_beta]) == sorted([recall_alpha, recall_gamma])
    assert sorted(final[recall_gamma]) == sorted([recall_alpha, recall_beta])
    assert final[catl_alpha] == [catl_gamma] and final[catl_gamma] == [catl_alpha]
    # Gamma's analysis of the recall joins Paris's subject neighbours (Paris is looked at again: it
    # is close to the newcomer); it never becomes a report of its story (heat: the next test).
    assert sorted(final[paris]) == sorted([recall_alpha, recall_gamma])
    for alone in (
        "Tencent posts 15% profit rise on games and advertising",
        "Shein files for a London listing",
    ):
        assert final[alone] == []


@pytest.mark.e2e
def test_heat_grows_with_the_story(story_crawls):
    heats = []
    for key in ("alpha", "beta", "gamma"):
        recall = next(d for d in story_crawls[key].by_web_url().values() if d["title"].startswith("Xiaomi recalls"))
        heats.append(recall["heat"])
    assert heats[0] < heats[1] < heats[2]


@pytest.mark.e2e
def test_subject_neighbours_do_not_heat_a_story(story_crawls):
    """The Paris store lists the recall's reports (same subject), but its heat is a story of one provider's."""
    documents = {d["title"]: d for d in story_crawls["gamma"].by_web_url().values()}
    paris = documents["Xiaomi opens its first flagship store in Paris"]
    assert sorted(r["title"] for r in paris["related"]) == [
        "What the SU7 recall means for Xiaomi's car ambitions",
        "Xiaomi recalls 30,000 SU7 sedans over driver-assist flaw",
    ]
    alone = Record.from_front_matter(paris)
    assert paris["heat"] == scoring.heat([alone], REFERENCE_TIME)


def scrapy(*args: str, settings: dict[str, str]) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "scrapy", *args]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=240)


@pytest.mark.e2e
def test_story_and_render_commands(tmp_path):
    """Crawls that skip the story step, then `scrapy stories`; then `scrapy render` rebuilds lost documents."""
    registry = stories_sites.build(tmp_path / "sites")
    store = str(tmp_path / "records.sqlite")
    settings = {"PROVIDER_REGISTRY": str(registry), "RECORD_STORE": store, "STORIES_ENABLED": "False"}
    for key in ("alpha", "beta"):
        with SiteServer(tmp_path / "sites" / key) as server:
            urls = ",".join(server.base_url + path for path, *_ in stories_sites.ARTICLES[key])
            result = crawl_in_process(key, tmp_path / "run", f"start_urls={urls}", settings=settings)
        assert result.returncode == 0
    assert all(not d["related"] for d in result.by_web_url().values())

    common = {**settings, "OUTPUT_DIR": str(tmp_path / "run" / "output"), "CRAWL_REFERENCE_TIME": REFERENCE_TIME}
    stories = scrapy("stories", settings=common)
    assert stories.returncode == 0, stories.stderr[-2000:]
    assert "5 records; 3 with related articles; 3 documents rewritten" in stories.stdout

    output = tmp_path / "run" / "output"
    for document in output.rglob("*.md"):
        document.unlink()
    rendered = scrapy("render", "--provider", "beta-daily.com", settings=common)
    assert rendered.returncode == 0, rendered.stderr[-2000:]
    assert "2 documents written, 0 unchanged" in rendered.stdout
    assert len(list(output.rglob("*.md"))) == 2
    assert "China orders Xiaomi" in "".join(p.read_text() for p in output.rglob("*.md"))


def test_soft_hyphens_do_not_split_story_words():
    hyphenated = record("https://a.com/s", "a.com", "Helikopter\u00adlandeplatz beim Weissen Haus", "")
    plain = record("https://b.com/s", "b.com", "Helikopterlandeplatz beim Weissen Haus", "")
    assert story_terms(hyphenated) == story_terms(plain)
