"""The example Hugo site (``examples/hugo/``), built by a real Hugo from real documents.

The documents are what ``scrapy crawlall -a demo=1`` writes (the four bundled demo
sites), plus records with hostile titles and records the publishing gate held back
(``published: false``), rendered by the crawler's own writer
(``crawler.publishing.frontmatter``). Hugo builds the site with the crawler's output
folder as its content folder, as an operator runs it (``--contentDir``), once as
published and once with ``--buildDrafts``; the tests read the generated HTML.

The Hugo is the machine's (Debian's ``hugo`` package; ``.ci/run`` installs it): in CI
(``CI=true``) a missing ``hugo`` is a failure, elsewhere the tests are skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree, html

from crawler.publishing.frontmatter import parse, render
from crawler.publishing.paths import document_path
from crawler.record import Image, Provider, Record, format_instant
from tests.crawling import REPO, run_demo_crawlall

pytestmark = pytest.mark.e2e

SITE = REPO / "examples" / "hugo"
BASE_URL = "https://news.example.org/"
HOSTILE = Provider(name="Hostile Example", domain="hostile.example")
HUGO_TIMEOUT = 120  # seconds; a build of these documents takes well under one


def hostile_records() -> list[Record]:
    """Records whose titles and excerpts hold what YAML, Hugo's front-matter splitter and HTML could trip on."""

    def record(slug: str, title: str, excerpt: str, day: int, **fields) -> Record:
        return Record(
            title=title,
            excerpt=excerpt,
            web_url=f"https://hostile.example/2025/03/{day:02d}/{slug}/",
            original_url=f"https://hostile.example/2025/03/{day:02d}/{slug}/?utm_source=feed",
            amp_web_url=f"https://hostile.example/2025/03/{day:02d}/{slug}/",
            cdn_amp_web_url=f"https://hostile-example.cdn.ampproject.org/c/s/hostile.example/2025/03/{day:02d}/{slug}/",
            provider=fields.pop("provider", HOSTILE),
            published_at=datetime(2025, 3, day, 7, 8, 9 + day, tzinfo=UTC),
            quality=60,
            heat=10,
            published=fields.pop("published", True),
            secured="bm90IGEgcmVhbCB0b2tlbg==;AAAAAAAAAAAAAAAAAAAAAA==",
            **fields,
        )

    return [
        record(
            "colons-and-hashes",
            "Breaking: SenseTime's IPO #1 -- \"priced\" at HK$3.85: what's next?",
            'Shares open at HK$3.85: "a fair price", analysts say. #IPO',
            1,
            topics=["AI", "IPO"],
            images=[Image("https://img.hostile.example/lead.png?fit=540%2C540&ssl=1", 540, 540, True)],
        ),
        record(
            "delimiters",
            "---\nA headline between two delimiter lines\n---",
            "Line one of the excerpt.\n---\nA second line: <b>not bold</b> & not an entity &amp;",
            2,
            category="analysis",
            topics=["Electric Vehicles"],
            images=[Image("https://img.hostile.example/size-unknown.jpg")],  # width and height not known
        ),
        record(
            "emoji",
            "🚀 Launch day: 👩🏽‍🚀 crew of 3 lands in 🇭🇰 #space",
            "Emoji survive: 🚀 👩🏽‍🚀 🇭🇰 — and so does typography ‘like this’ “and this”…",
            3,
            category="feature",
            topics=["Space"],
        ),
        record(
            "template-and-markup",
            "{{ .Site.Title }} <script>alert('x')</script> & 'single' \"double\" \\backslash\\",
            "{{< shortcode >}} {{% markdown %}} <img src=x onerror=alert(1)> stays text",
            4,
            category="opinion",
            topics=["Cybersecurity"],
            images=[Image("https://img.hostile.example/q.jpg?a=1&b=%22two%22", 1200, 630)],
        ),
        record(
            "yaml-indicators",
            "# Not a heading - [not a list] {not: a map} *alias &anchor !tag %directive @at `tick` | > ? ,",
            "- also: not a list",
            5,
            topics=["Startups"],
        ),
        record("date-like", "2021-08-30", "A headline YAML could read as a date.", 6),
        # Held back by the publishing gate: Hugo must treat both as drafts.
        record(
            "held-back",
            'Held back: "unfinished" draft #7',
            "Quality below the floor: the gate said no.",
            7,
            published=False,
            topics=["AI"],
            images=[Image("https://img.hostile.example/held-back.jpg", 800, 600)],
        ),
        record(
            "held-back-in-a-demo-section",
            "Held back among TechNode's published stories",
            "In a provider's folder beside its published documents.",
            8,
            published=False,
            provider=Provider(name="TechNode", domain="technode.com"),
            topics=["Startups"],
        ),
    ]


def hugo_binary() -> str:
    found = shutil.which("hugo")
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("CI needs Hugo on PATH (Debian's hugo package: .ci/run runs apt-get install -y hugo)")
    pytest.skip("no hugo on PATH: install Debian's hugo package (apt-get install hugo) to build the example site")


@dataclass
class Built:
    records: dict[Path, Record]  # every document, by its path relative to the output folder
    public: Path  # the site as published
    drafts: Path  # the site built with --buildDrafts
    log: str  # what Hugo printed in both builds
    version: str

    def published(self) -> dict[Path, Record]:
        return {path: record for path, record in self.records.items() if record.published}

    def unpublished(self) -> dict[Path, Record]:
        return {path: record for path, record in self.records.items() if not record.published}


def page_path(document: Path) -> str:
    """The page Hugo makes of ``output/<domain>/<name>.md``: ``/<domain>/<name>/``."""
    return f"/{document.parent.as_posix()}/{document.stem}/"


def page(root: Path, url_path: str) -> html.HtmlElement:
    file = root / url_path.strip("/") / "index.html"
    assert file.is_file(), f"no page {url_path} in {root}"
    return html.fromstring(file.read_bytes())


def meta(doc: html.HtmlElement, name: str) -> list[str]:
    """The content of every <meta property=name> or <meta name=name>."""
    return doc.xpath("//meta[@property=$n or @name=$n]/@content", n=name)


def listed(root: Path, url_path: str) -> list[str]:
    """The articles a list page links, on all its pages (``/topics/ai/``, ``/topics/ai/page/2/``, …)."""
    links, number, current = [], 1, url_path
    while (root / current.strip("/") / "index.html").is_file():
        links += page(root, current).xpath("//article[@class='card']//h2/a/@href")
        number += 1
        current = f"{url_path}page/{number}/"
    return links


def run_hugo(hugo: str, output: Path, destination: Path, tmp: Path, *extra: str) -> str:
    command = [
        hugo,
        "--source",
        str(SITE),
        "--contentDir",
        str(output),
        "--destination",
        str(destination),
        "--baseURL",
        BASE_URL,
        "--noBuildLock",  # no .hugo_build.lock left in examples/hugo/
        "--cacheDir",
        str(tmp / "hugo-cache"),
        *extra,
    ]
    env = {**os.environ, "HUGO_RESOURCEDIR": str(tmp / "hugo-resources")}  # nor a resources/ folder
    result = subprocess.run(command, capture_output=True, text=True, timeout=HUGO_TIMEOUT, env=env)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    return log


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    hugo = hugo_binary()
    tmp = tmp_path_factory.mktemp("hugo")
    output = run_demo_crawlall(tmp)
    for record in hostile_records():
        path = document_path(output, record)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(record), encoding="utf-8")
    records = {
        path.relative_to(output): parse(path.read_text(encoding="utf-8"))
        for path in sorted(output.rglob("*.md"))
        if not path.name.startswith(".")
    }
    public, drafts = tmp / "public", tmp / "public-drafts"
    log = run_hugo(hugo, output, public, tmp) + run_hugo(hugo, output, drafts, tmp, "--buildDrafts")
    version = subprocess.run([hugo, "version"], capture_output=True, text=True, timeout=30).stdout.strip()
    return Built(records=records, public=public, drafts=drafts, log=log, version=version)


def test_the_documents_are_the_crawl_and_the_hostile_records(built):
    hostile = {record.web_url: record for record in hostile_records()}
    found = {record.web_url: record for record in built.records.values()}
    assert len(found) >= len(hostile) + 40  # the demo crawl writes some fifty documents
    for web_url, record in hostile.items():
        assert found[web_url].front_matter() == record.front_matter()  # each title round-tripped
    assert len(built.unpublished()) == 2


def test_the_site_reads_the_crawlers_output_folder():
    config = tomllib.loads((SITE / "hugo.toml").read_text(encoding="utf-8"))
    assert (SITE / config["contentDir"]).resolve() == REPO / "output"  # OUTPUT_DIR's default
    assert config["frontmatter"]["date"][0] == "publishedDateTime"


def test_hugo_builds_without_warnings(built):
    problems = [line for line in built.log.splitlines() if line.startswith(("WARN", "ERROR"))]
    assert not problems, f"{built.version}:\n" + "\n".join(problems)


def test_every_published_document_is_a_page_with_its_title_and_date(built):
    for document, record in built.published().items():
        doc = page(built.public, page_path(document))
        where = f"{document} ({built.version})"
        assert doc.findtext(".//title") == record.title, where
        assert [h1.text_content() for h1 in doc.xpath("//h1")] == [record.title], where
        assert meta(doc, "og:title") == [record.title], where
        instant = format_instant(record.published_at)
        assert not instant.startswith("0001"), where
        assert meta(doc, "article:published_time") == [instant], where
        assert doc.xpath("//article//time/@datetime") == [instant], where
        assert meta(doc, "robots") == [], where  # no draft marker
        # The canonical URL is the article at its provider (params.canonicalToSource).
        assert doc.xpath("//link[@rel='canonical']/@href") == [record.web_url], where
        assert meta(doc, "og:url") == [record.web_url], where


def test_the_excerpt_is_the_description_and_the_lead_image_is_og_image(built):
    with_image = without_image = 0
    for document, record in built.published().items():
        doc = page(built.public, page_path(document))
        where = f"{document} ({built.version})"
        for name in ("description", "og:description", "twitter:description"):
            assert meta(doc, name) == [record.excerpt], (where, name)
        figures = doc.xpath("//article//figure[@class='lead-image']/img")
        if record.images:
            with_image += 1
            lead = record.images[0]
            assert meta(doc, "og:image") == [lead.url], where
            assert meta(doc, "twitter:image") == [lead.url], where
            assert meta(doc, "twitter:card") == ["summary_large_image"], where
            assert meta(doc, "og:image:width") == ([str(lead.width)] if lead.width else []), where
            assert meta(doc, "og:image:height") == ([str(lead.height)] if lead.height else []), where
            assert [img.get("src") for img in figures] == [lead.url], where
            assert (figures[0].get("width"), figures[0].get("height")) == (
                str(lead.width) if lead.width else None,
                str(lead.height) if lead.height else None,
            ), where
        else:
            without_image += 1
            assert meta(doc, "og:image") == [] and figures == [], where
            assert meta(doc, "twitter:card") == ["summary"], where
    assert with_image >= 10 and without_image >= 2  # both kinds were seen


def test_topics_and_categories_have_pages_that_list_their_articles(built):
    terms_seen = set()
    for document, record in built.published().items():
        url = page_path(document)
        doc = page(built.public, url)
        links = {a.text_content(): a.get("href") for a in doc.xpath("//ul[@class='topics']//a")}
        assert list(links) == record.topics, document
        categories = {a.text_content(): a.get("href") for a in doc.xpath("//a[@class='category']")}
        assert list(categories) == [record.category], document
        for term, href in {**links, **categories}.items():
            assert href.startswith(("/topics/", "/category/")), href
            term_page = page(built.public, href)
            assert [h1.text_content() for h1 in term_page.xpath("//h1")] == [term], href
            assert url in listed(built.public, href), (href, url)
            terms_seen.add(href)
    for taxonomy in ("topics", "category"):
        terms = set(page(built.public, f"/{taxonomy}/").xpath("//ul[@class='terms']//a/@href"))
        assert terms == {href for href in terms_seen if href.startswith(f"/{taxonomy}/")}, taxonomy


def test_the_home_page_lists_every_published_article_newest_first(built):
    by_url = {page_path(document): record for document, record in built.published().items()}
    home = listed(built.public, "/")  # 50 a page: the demo crawl and the hostile records fill two
    assert sorted(home) == sorted(by_url)
    dates = [by_url[url].published_at for url in home]
    assert dates == sorted(dates, reverse=True)


def test_unpublished_records_are_drafts(built):
    assert built.unpublished()
    everything = b"".join(path.read_bytes() for path in built.public.rglob("*") if path.is_file())
    for document, record in built.unpublished().items():
        url = page_path(document)
        # Not built, and named nowhere: no list, term page, feed or sitemap.
        assert not (built.public / url.strip("/")).exists(), (document, built.version)
        assert url.encode() not in everything, document
        assert record.title.encode() not in everything, document
        # With --buildDrafts Hugo builds it, as a draft.
        doc = page(built.drafts, url)
        assert doc.findtext(".//title") == record.title
        assert meta(doc, "robots") == ["noindex"]
        assert doc.xpath("//p[@class='draft-notice']"), document
    for document in built.published():
        assert meta(page(built.drafts, page_path(document)), "robots") == [], document


def test_the_feeds_describe_each_item_with_its_excerpt(built):
    by_url = {BASE_URL + page_path(document).lstrip("/"): record for document, record in built.published().items()}
    hostile = [url for url in by_url if "/hostile.example/" in url]
    for feed_path, expected in (("index.xml", min(50, len(by_url))), ("hostile.example/index.xml", len(hostile))):
        feed = etree.fromstring((built.public / feed_path).read_bytes())  # well-formed XML, whatever the titles
        items = feed.findall("./channel/item")
        assert len(items) == expected, feed_path
        for item in items:
            record = by_url[item.findtext("link")]
            assert item.findtext("title") == record.title
            assert item.findtext("description") == record.excerpt


def test_document_body_is_the_article_text_as_hugo_shows_it(tmp_path):
    """DOCUMENT_BODY puts the text in the body as Markdown: Hugo shows it as it is, with no markup and no shortcode."""
    from crawler.publishing.frontmatter import render

    hugo = hugo_binary()
    text = (
        "The first paragraph, with a_b and *stars* and 3 < 4 & 5.\n\n"
        "# Not a heading\n1. Not a list, {{< not a shortcode >}} and <b>no HTML</b>\n\n"
        "- Not an item"
    )
    record = hostile_records()[0]
    record.text, record.body = text, ""
    output = tmp_path / "output"
    document = document_path(output, record)
    document.parent.mkdir(parents=True)
    document.write_text(render(record, include_body=True), encoding="utf-8")
    run_hugo(hugo, output, tmp_path / "public", tmp_path)
    body = page(tmp_path / "public", page_path(document.relative_to(output)))
    paragraphs = [" ".join(p.text_content().split()) for p in body.xpath("//div[@class='body']/p")]
    for line in text.replace("\n\n", "\n").splitlines():
        assert any(line in paragraph for paragraph in paragraphs), (line, paragraphs)
    assert len(paragraphs) == 3 and not body.xpath("//div[@class='body']//*[self::h1 or self::li or self::b]")
