"""The crawler against a hostile site (``tests/faults/server.py``): one real crawl, a test per scenario.

The crawl runs as an operator runs it (``scrapy crawl``, in a subprocess), from
a working folder of its own with ``HOME`` pointed inside it, so that the tests
can prove what it wrote and where. Every scenario asserts what became of its
article: a whole document, or a per-URL log line and a counted reason.
"""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path

import pytest
import yaml

from crawler.record import FRONT_MATTER_KEYS, TITLE_MAX_CHARS
from tests.crawling import run_crawl
from tests.faults.server import HUGE_TITLE, SQL_TITLE, HostileSite, LocalServer, send

pytestmark = pytest.mark.e2e

PROJECT_FOLDERS = ("output", "state", "runs", ".secrets")


def hostile_registry(path: Path) -> Path:
    data = {
        "providers": {
            "hostile": {
                "name": "Hostile News",
                "domain": "hostile-news.com",
                "standing": 60,
                "sources": [{"kind": "feed", "url": "https://hostile-news.com/feed/"}],
                "article_urls": ["^/news/[^/]+/$"],
            }
        }
    }
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


class Crawl:
    """What the one crawl of the hostile site left: result, folder, the other host's requests."""

    def __init__(self, result, workdir: Path, base_url: str, other_paths: list[str]):
        self.result = result
        self.workdir = workdir
        self.base_url = base_url
        self.other_paths = other_paths
        self.documents = result.by_web_url()

    def document(self, slug: str) -> dict:
        return self.documents[f"{self.base_url}/news/{slug}/"]

    def failed(self, slug: str) -> str:
        """The reason of the one 'Article … skipped (reason)' line naming this article."""
        url = re.escape(f"{self.base_url}/news/{slug}/")
        found = re.findall(rf"Article {url} skipped \(([a-z_0-9]+)\)", self.result.log)
        assert len(found) == 1, f"{slug}: {found}"
        return found[0]


@pytest.fixture(scope="module")
def crawl(tmp_path_factory) -> Crawl:
    root = tmp_path_factory.mktemp("hostile")
    workdir = root / "project"
    workdir.mkdir()
    registry = hostile_registry(root / "providers.yaml")
    with LocalServer(lambda handler: send(handler, b"internal admin page: token=SECRET")) as other:
        site = HostileSite(other.port, stall_seconds=4.0)
        with site.server:
            base = site.base_url
            sources = ["/feed/", "/sitemap.xml", "/xxe-feed/", "/laughs-sitemap.xml", "/bomb-sitemap.xml.gz"]
            starts = ",".join(base + path for path in [*sources, "/broken-feed/"])
            result = run_crawl(
                "hostile",
                workdir,
                f"start_urls={starts}",
                settings={
                    "PROVIDER_REGISTRY": str(registry),
                    "OUTPUT_DIR": "output",
                    "RECORD_STORE": "state/records.sqlite",
                    "IMAGES_STORE": "state/images",
                    "STATS_FILE": str(workdir / "runs" / "stats.json"),
                    "DOWNLOAD_TIMEOUT": "2",
                    "RETRY_TIMES": "1",
                    "RETRY_BACKOFF_BASE": "0.1",
                },
                cwd=workdir,
                env={"HOME": str(workdir / "home")},
            )
            return Crawl(result, workdir, base, other.paths())


def test_the_crawl_ends_cleanly(crawl):
    assert crawl.result.returncode == 0, crawl.result.log[-3000:]
    assert "Traceback" not in crawl.result.log


def test_every_document_loads_with_exactly_the_contract_keys(crawl):
    assert crawl.result.documents
    for path, text in crawl.result.documents.items():
        assert text.startswith("---\n"), path
        front = yaml.safe_load(text.split("---\n")[1])
        assert list(front) == list(FRONT_MATTER_KEYS), path


def test_nothing_is_written_outside_the_project_folders(crawl):
    written = [p.relative_to(crawl.workdir) for p in crawl.workdir.rglob("*") if p.is_file()]
    outside = [p for p in written if p.parts[0] not in PROJECT_FOLDERS]
    assert written and outside == []
    assert not (crawl.workdir / "home").exists()  # Scrapy's RemoteControl writes its token file under ~


def test_no_network_endpoint_is_opened(crawl):
    log = crawl.result.log
    assert "RemoteControl" not in log and "TelnetConsole" not in log.split("Enabled extensions")[1].split("]")[0]


def test_a_plain_article_is_written_with_its_stored_image(crawl):
    image = crawl.document("ok")["images"][0]
    assert (image["width"], image["height"], image["isCached"]) == (640, 360, True)


def test_hostile_titles_round_trip(crawl):
    title = crawl.document("hostile-title")["title"]
    assert title == 'Breaking: "Quotes", #hash --- back\\slash new line 👩\u200d👩\u200d👧 and 🇺🇦 flags'


def test_an_sql_injection_title_is_only_text(crawl):
    assert crawl.document("sql-title")["title"] == SQL_TITLE
    store = sqlite3.connect(crawl.workdir / "state" / "records.sqlite")
    try:
        assert store.execute("PRAGMA quick_check").fetchone() == ("ok",)
        assert store.execute("SELECT COUNT(*) FROM records").fetchone()[0] == len(crawl.documents)
    finally:
        store.close()


def test_a_huge_headline_is_cut_at_a_word_and_counted(crawl):
    title = crawl.document("huge-title")["title"]
    assert len(title) <= TITLE_MAX_CHARS and HUGE_TITLE.startswith(title.rstrip("…").rstrip())
    assert crawl.result.stat("articles/notes/title_truncated") == 1


def test_a_blank_headline_drops_the_article_instead_of_naming_the_site(crawl):
    assert f"{crawl.base_url}/news/blank-title/" not in crawl.documents
    assert crawl.failed("blank-title") == "extraction"
    assert "no title" in crawl.result.log
    assert all(doc["title"] != "Hostile News" for doc in crawl.documents.values())


def test_json_ld_nested_too_deep_falls_back_to_the_meta_tags(crawl):
    assert crawl.document("deep-jsonld")["title"] == "Deep structured data does not sink the article"
    assert crawl.result.stat("articles/notes/jsonld_too_deep") == 1


def test_an_image_on_an_internal_address_is_never_fetched(crawl):
    image = crawl.document("ssrf-image")["images"][0]
    assert image["isCached"] is False
    assert crawl.result.stat("images/failed/forbidden_address") == 1
    assert crawl.other_paths == []  # the other host (localhost, another port) saw no request at all


def test_http_and_https_spellings_of_one_canonical_give_one_document(crawl):
    twins = [url for url in crawl.documents if url.endswith("/news/twin/")]
    assert twins == [crawl.base_url.replace("http://", "https://") + "/news/twin/"]


@pytest.mark.parametrize(
    ("slug", "reasons"),
    [
        ("gzip-bomb", {"ignored", "too_large"}),
        ("huge-body", {"too_large"}),
        ("truncated", {"data_loss"}),
        ("reset", {"data_loss", "connection"}),
        ("stall", {"timeout"}),
        ("redirect-loop", {"redirect_loop"}),
        ("offsite-redirect", {"offsite_redirect"}),
    ],
)
def test_a_page_that_cannot_be_had_is_one_line_and_a_count(crawl, slug, reasons):
    reason = crawl.failed(slug)
    assert reason in reasons
    assert crawl.result.stat(f"articles/failed/{reason}") >= 1
    assert f"{crawl.base_url}/news/{slug}/" not in crawl.documents


def test_an_over_long_url_is_one_line_and_a_count(crawl):
    assert crawl.result.stat("articles/failed/url_too_long") == 1
    assert re.search(r"Article http://\S+ skipped \(url_too_long\)", crawl.result.log)


def test_a_feed_item_without_a_link_is_one_line_and_a_count(crawl):
    assert crawl.result.stat("articles/failed/feed_item_dropped") == 1
    assert "'An item without a link' has no usable link" in crawl.result.log


def test_an_external_entity_is_never_resolved(crawl):
    passwd = Path("/etc/passwd").read_text().splitlines()[0]
    for text in crawl.result.documents.values():
        assert passwd not in text
    assert crawl.document("xxe")["title"] != ""


def test_entity_expansion_stays_small(crawl):
    for text in crawl.result.documents.values():
        assert "lollol" not in text


def test_a_gzip_bomb_sitemap_is_refused_and_counted(crawl):
    assert "bomb-sitemap.xml.gz (sitemap) cannot be read" in crawl.result.log
    assert crawl.result.stat("discovery/sources_broken") >= 1


def test_a_broken_feed_is_said_and_the_crawl_goes_on(crawl):
    assert re.search(r"Source \S+/broken-feed/ gave no article links", crawl.result.log)


def test_a_traversal_url_stays_inside_output(crawl):
    output = (crawl.workdir / "output").resolve()
    for path in crawl.result.output_dir.rglob("*.md"):
        assert output in path.resolve().parents
    assert any("passwd" in path for path in crawl.result.documents)
    assert not os.path.exists(crawl.workdir / "etc")
