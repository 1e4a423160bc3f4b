"""The Tech in Asia fixture site: up to date with its builder, discoverable through its feed and its
JSON API, and in agreement with its expected output (``tests/expected/techinasia.yaml``).

The sources are read the way the spider reads them (``crawler.discovery`` over HTTP, the registry's
mapping for the API). The pages are JavaScript shells, so what a document holds depends on the
hints: each page is run through the extractor with what the feed and the API said about it, in
either order, and must give the document the expected output states.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

import lxml.html
import pytest

from crawler.demo import SiteServer, site_root
from crawler.discovery import Hints, PastLastPage, api_page_url, parse_api, parse_feed
from crawler.extraction import extract_article
from crawler.registry import load_registry
from tests.crawling import expected_output, on_server

from .client import built_files, fetch, get_ok, parse_instant, url_path

ROOT = site_root("techinasia")
EXPECTED = expected_output("techinasia")
DOCUMENTS: list[dict[str, Any]] = EXPECTED["documents"]
CASES: list[dict[str, Any]] = EXPECTED["cases"]
PROVIDER = load_registry().get("techinasia")
API_SOURCE = next(source for source in PROVIDER.sources if source.kind == "api")
FEED_ITEMS = 5


def _case(name: str) -> dict[str, Any]:
    return next(case for case in CASES if case["name"] == name)


def _reached_from(source: str) -> list[dict[str, Any]]:
    return [doc for doc in DOCUMENTS if source in doc["reached_from"]]


@pytest.fixture(scope="module")
def server():
    with SiteServer(ROOT) as running:
        yield running


@pytest.fixture(scope="module")
def feed_hints(server: SiteServer) -> dict[str, Hints]:
    links = parse_feed(get_ok(server, EXPECTED["sources"]["feed"]), server.url(EXPECTED["sources"]["feed"]))
    return {url_path(link.url): link.hints for link in links}


@pytest.fixture(scope="module")
def api_hints(server: SiteServer) -> dict[str, Hints]:
    found: dict[str, Hints] = {}
    for path in EXPECTED["api_pages"]:
        page = parse_api(get_ok(server, path), server.url(path), API_SOURCE.mapping)
        found |= {url_path(link.url): link.hints for link in page.links}
    return found


# --- the builder ----------------------------------------------------------------------------------


def test_generated_files_match_the_builder() -> None:
    files = built_files("techinasia")
    stale = [path for path, data in files.items() if not (ROOT / path).is_file() or (ROOT / path).read_bytes() != data]
    assert not stale, f"run .venv/bin/python -m tools.fixture_sites build techinasia; out of date: {stale}"
    served = {str(p.relative_to(ROOT)) for p in ROOT.rglob("*") if p.is_file() and not p.name.startswith("_")}
    assert served == set(files) - {"_routes.yaml"}, "a file the builder no longer writes"


# --- sources --------------------------------------------------------------------------------------


def test_sources_are_the_registry_sources() -> None:
    registry = {}
    for source in PROVIDER.sources:
        parts = urlsplit(source.url)
        registry[source.kind] = parts.path + (f"?{parts.query}" if parts.query else "")
    assert EXPECTED["sources"] == registry == {"feed": "/feed", "api": "/wp-json/techinasia/2.0/posts?per_page=20"}
    assert EXPECTED["api_pages"] == [api_page_url(EXPECTED["sources"]["api"], 1)]


def test_feed_lists_the_newest_posts_with_hints(server: SiteServer, feed_hints: dict[str, Hints]) -> None:
    status, headers, _ = fetch(server, "/feed")
    assert status == 200 and headers["content-type"].startswith("application/rss+xml")
    paths = list(feed_hints)
    assert set(paths) == {doc["path"] for doc in _reached_from("feed")}
    assert len(paths) == FEED_ITEMS
    dates = [feed_hints[p].published_at for p in paths]
    assert dates == sorted(dates, reverse=True)  # newest first
    newest = sorted(DOCUMENTS, key=lambda doc: doc["publishedDateTime"], reverse=True)[:FEED_ITEMS]
    assert set(paths) == {doc["path"] for doc in newest}  # the feed is a window: the 5 newest posts
    for doc in _reached_from("feed"):
        hints = feed_hints[doc["path"]]
        assert hints.title == doc["title"]
        assert hints.published_at == parse_instant(doc["publishedDateTime"])
        assert hints.excerpt == doc["excerpt"]
        assert hints.image_url == ""  # the feed has no pictures: the image never depends on it


def test_api_lists_its_posts_with_hints_through_the_registry_mapping(
    server: SiteServer, api_hints: dict[str, Hints]
) -> None:
    page = parse_api(get_ok(server, EXPECTED["api_pages"][0]), server.url(EXPECTED["api_pages"][0]), API_SOURCE.mapping)
    assert page.total_pages == len(EXPECTED["api_pages"]) == 1
    assert list(api_hints) == [
        doc["path"] for doc in sorted(_reached_from("api"), key=lambda d: d["publishedDateTime"], reverse=True)
    ]
    for doc in _reached_from("api"):
        hints = api_hints[doc["path"]]
        assert hints.source == "api"
        assert hints.title == doc["title"]  # entities (&#8217;) decoded
        assert hints.excerpt == doc["excerpt"]
        # date_gmt has no offset and is UTC: an aware instant, exactly the document's.
        assert hints.published_at == parse_instant(doc["publishedDateTime"])
        assert hints.published_at.utcoffset().total_seconds() == 0
        assert hints.modified_at is not None and hints.modified_at >= hints.published_at
        image = on_server(doc["image"], server.base_url)
        assert {"url": hints.image_url, "width": hints.image_width, "height": hints.image_height} == image
        assert hints.categories, doc["path"]


def test_the_page_past_the_last_answers_400_with_a_wordpress_error(server: SiteServer) -> None:
    case = _case("past the last API page")
    assert case["path"] == api_page_url(EXPECTED["sources"]["api"], len(EXPECTED["api_pages"]) + 1)
    status, headers, body = fetch(server, case["path"])
    assert status == case["expect"]["status"] == 400
    assert headers["content-type"].startswith("application/json")
    assert json.loads(body)["code"] == case["expect"]["code"]
    with pytest.raises(PastLastPage):
        parse_api(body, server.url(case["path"]), API_SOURCE.mapping)
    # Page 1 answers the same with or without page=1.
    first = get_ok(server, EXPECTED["sources"]["api"])
    assert first == get_ok(server, api_page_url(EXPECTED["sources"]["api"], 1))


def test_every_linked_url_is_an_article_and_a_document(
    feed_hints: dict[str, Hints], api_hints: dict[str, Hints]
) -> None:
    linked = set(feed_hints) | set(api_hints)
    assert linked == {doc["path"] for doc in DOCUMENTS}
    assert all(PROVIDER.is_article_path(path) for path in linked)
    assert EXPECTED["document_count"] == len(DOCUMENTS) == 8
    only_api = _case("only in the API")
    assert set(only_api["paths"]) == set(api_hints) - set(feed_hints) and only_api["paths"]
    only_feed = _case("only in the feed")
    assert {only_feed["path"]} == set(feed_hints) - set(api_hints)


# --- the pages ----------------------------------------------------------------------------------------


def _extract(server: SiteServer, path: str, *hints: Hints | None):
    merged = Hints()
    for hint in hints:
        if hint is not None:
            merged = merged.merge(hint)  # what the spider does when a URL is reached again
    return extract_article(get_ok(server, path), server.url(path), PROVIDER.site_rules(), merged)


@pytest.mark.parametrize("doc", DOCUMENTS, ids=[d["path"].rsplit("/", 1)[-1][:40] for d in DOCUMENTS])
@pytest.mark.parametrize("order", ["feed first", "api first"])
def test_extractor_with_the_sources_hints_gives_the_expected_document(
    server: SiteServer, feed_hints: dict[str, Hints], api_hints: dict[str, Hints], doc: dict[str, Any], order: str
) -> None:
    hints = [feed_hints.get(doc["path"]), api_hints.get(doc["path"])]
    record = _extract(server, doc["path"], *(hints if order == "feed first" else reversed(hints)))
    assert record.title == doc["title"]
    assert record.published_at == parse_instant(doc["publishedDateTime"])
    assert record.excerpt.startswith(doc["excerpt_starts_with"]) and len(record.excerpt) <= 300
    if "excerpt" in doc:
        assert record.excerpt == doc["excerpt"]
    assert record.web_url == server.url(doc["path"]) and url_path(record.original_url) in doc["original_paths"]
    assert record.amp_web_url == server.url(doc["ampWebUrl"])
    lead = record.images[0]
    assert {"url": lead.url, "width": lead.width, "height": lead.height} == on_server(doc["image"], server.base_url)
    assert (record.category, record.type) == (doc["category"], doc["type"])
    assert set(record.topics) == set(doc["topics"])
    assert (record.provider.name, record.provider.domain) == ("Tech in Asia", "techinasia.com")


def test_pages_are_javascript_shells(server: SiteServer, api_hints: dict[str, Hints]) -> None:
    for doc in DOCUMENTS:
        status, headers, body = fetch(server, doc["path"])
        assert status == 200 and headers["content-type"] == "text/html; charset=utf-8", doc["path"]
        tree = lxml.html.fromstring(body)
        assert not tree.xpath("//h1 | //article | //p[contains(., '.')]"), "no article text in the DOM"
        assert tree.xpath("//link[@rel='canonical']/@href") == [server.url(doc["path"])]
        assert tree.xpath("string(//title)") == doc["title"] + " | Tech in Asia"
        next_data = json.loads(tree.xpath("//script[@id='__NEXT_DATA__']/text()")[0])
        post = next_data["props"]["pageProps"]["post"]
        assert post["link"] == server.url(doc["path"]) and post["date_gmt"] + "Z" == doc["publishedDateTime"]
        if "api" in doc["reached_from"]:  # the page's data is the API's post
            api = json.loads(get_ok(server, EXPECTED["api_pages"][0]))
            assert post == next(p for p in api["posts"] if p["link"] == post["link"])
    assert fetch(server, DOCUMENTS[0]["path"] + "/")[0] == 404  # Next.js paths have no trailing slash


# --- the cases: each depends on what the sources said -------------------------------------------------------


def test_no_date_in_the_page(server: SiteServer, api_hints: dict[str, Hints]) -> None:
    case = _case("no date in the page")
    body = get_ok(server, case["path"])
    assert not re.search(rb"published_time|modified_time|datePublished|dateModified", body.split(b"</head>")[0])
    assert _extract(server, case["path"]).published_at is None  # the page alone has no date
    hint = api_hints[case["path"]]
    assert _extract(server, case["path"], hint).published_at == parse_instant(case["expect"]["publishedDateTime"])
    # The same date_gmt taken as a naive (Singapore) time would be 8 hours early: the hint must be aware.
    naive = Hints(published_at=hint.published_at.replace(tzinfo=None))
    assert _extract(server, case["path"], naive).published_at != parse_instant(case["expect"]["publishedDateTime"])


def test_page_time_without_an_offset_is_singapore_time(server: SiteServer) -> None:
    case = _case("page time without an offset")
    head = get_ok(server, case["path"]).split(b"</head>")[0].decode()
    (stamp,) = re.findall(r'article:published_time" content="([^"]+)"', head)
    assert not re.search(r"(Z|[+-]\d\d:\d\d)$", stamp)
    record = _extract(server, case["path"])  # the page alone decides, read in Asia/Singapore
    assert record.published_at == parse_instant(case["expect"]["publishedDateTime"])
    assert record.published_at.hour != int(stamp[11:13])


@pytest.mark.parametrize("name", ["no image in the page", "og:image without a size"])
def test_the_api_supplies_the_image_or_its_size(server: SiteServer, api_hints: dict[str, Hints], name: str) -> None:
    case = _case(name)
    alone = _extract(server, case["path"]).images
    if name == "no image in the page":
        assert alone == []
    else:
        assert [(i.url, i.width, i.height) for i in alone] == [
            (on_server(case["expect"]["image"]["url"], server.base_url), 0, 0)
        ]
    lead = _extract(server, case["path"], api_hints[case["path"]]).images[0]
    assert {"url": lead.url, "width": lead.width, "height": lead.height} == on_server(
        case["expect"]["image"], server.base_url
    )


def test_only_in_the_feed_is_partner_content(server: SiteServer, feed_hints: dict[str, Hints]) -> None:
    case = _case("only in the feed")
    assert _extract(server, case["path"], feed_hints[case["path"]]).category == case["expect"]["category"]
    assert case["expect"]["category"] == "sponsored"


def test_the_shared_examples_related_story() -> None:
    case = _case("the shared example's related story")
    expect = case["expect"]
    # The `related` entry of shared/examples/000_c00510287d4fec22.txt.
    assert case["path"] == "/sensetime-ipo-hongkong-stock-exchange"
    assert expect["title"] == "SoftBank-backed AI startup SenseTime files for Hong Kong IPO"
    assert expect["publishedDateTime"] == "2021-08-30T10:13:00Z"
    assert expect["excerpt"] == (
        "In the first half of 2021, the China-based startup’s revenue increased 2x while its gross profit margin"
        " went slightly up to 73%."
    )
    assert (expect["image"]["width"], expect["image"]["height"]) == (792, 528)
    doc = next(d for d in DOCUMENTS if d["path"] == case["path"])
    assert doc["image"]["width"] == 792 and doc["excerpt"] == expect["excerpt"]
