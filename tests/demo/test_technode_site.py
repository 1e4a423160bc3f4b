"""The TechNode fixture site: up to date with its builder, discoverable, and in agreement with its expected output.

These tests read the site the way the spider does (through ``crawler.discovery`` over HTTP) and
read each article page directly (lxml), so the reviewed expected output
(``tests/expected/technode.yaml``) is checked against the pages themselves, independently of the
extractor.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import lxml.html
import pytest
import yaml

from crawler.demo import SiteServer, site_root
from crawler.discovery import parse_feed, parse_listing, parse_sitemap, robots_sitemaps
from crawler.registry import load_registry
from tests.crawling import expected_output, on_server
from tools import fixture_sites

from .client import built_files, fetch, get_ok, parse_instant, url_path

ROOT = site_root("technode")
EXPECTED = expected_output("technode")
DOCUMENTS: list[dict[str, Any]] = EXPECTED["documents"]
CASES: list[dict[str, Any]] = EXPECTED["cases"]
PROVIDER = load_registry().get("technode")
TOPICS = yaml.safe_load((Path(__file__).resolve().parents[2] / "crawler" / "topics.yaml").read_text(encoding="utf-8"))
SUFFIX = " - TechNode"
UTM = "?utm_source=rss&utm_medium=feed&utm_campaign=rss"


def _case(name: str) -> dict[str, Any]:
    return next(case for case in CASES if case["name"] == name)


def _reached_from(*sources: str) -> list[dict[str, Any]]:
    return [doc for doc in DOCUMENTS if set(sources) & set(doc["reached_from"])]


@pytest.fixture(scope="module")
def server():
    with SiteServer(ROOT) as running:
        yield running


# --- the builder ----------------------------------------------------------------------------------


def test_generated_files_match_the_builder() -> None:
    files = built_files("technode")
    stale = fixture_sites.out_of_date("technode", files)
    assert not stale, f"run .venv/bin/python -m tools.fixture_sites build technode; out of date: {stale}"
    assert len(files) > 25


# --- sources, through crawler.discovery ---------------------------------------------------------------


def test_feed_lists_the_expected_items_with_hints(server: SiteServer) -> None:
    links = parse_feed(get_ok(server, "/feed/"), server.url("/feed/"))
    paths = [url_path(link.url) for link in links]
    assert len(paths) == 10  # WordPress's default feed length
    expected_paths = {
        doc["path"] + (UTM if "feed_utm" in doc["reached_from"] else "") for doc in _reached_from("feed", "feed_utm")
    }
    expected_paths |= {_case("deleted post still in the feed")["path"], _case("non-article URL in the feed")["path"]}
    assert set(paths) == expected_paths
    assert paths == sorted(paths, key=lambda p: -links[paths.index(p)].hints.published_at.timestamp())  # newest first

    by_path = {url_path(link.url).split("?")[0]: link.hints for link in links}
    for doc in _reached_from("feed", "feed_utm"):
        hints = by_path[doc["path"]]
        assert hints.published_at == parse_instant(doc["publishedDateTime"]), doc["path"]
        assert hints.title == doc["title"]
        assert hints.excerpt and "[" not in hints.excerpt and "appeared first on" not in hints.excerpt
        if doc["image"]:
            assert (hints.image_url, hints.image_width, hints.image_height) == (
                on_server(doc["image"]["url"], server.base_url),
                doc["image"]["width"],
                doc["image"]["height"],
            )


def test_robots_and_sitemaps_lead_to_the_expected_articles(server: SiteServer) -> None:
    (index_url,) = robots_sitemaps(get_ok(server, "/robots.txt"))
    assert index_url == server.url(EXPECTED["sources"]["sitemap"])
    index = parse_sitemap(get_ok(server, "/sitemap_index.xml"), index_url)
    assert index.kind == "index"
    pages: dict[str, list] = {}
    for child in index.links:
        sitemap = parse_sitemap(get_ok(server, url_path(child.url)), child.url)
        assert sitemap.kind == "urlset"
        pages[url_path(child.url)] = sitemap.links

    post_articles = [
        url_path(link.url) for link in pages["/post-sitemap.xml"] if PROVIDER.is_article_path(url_path(link.url))
    ]
    assert set(post_articles) == {doc["path"] for doc in _reached_from("sitemap")}
    # lastmod is a modification date: never a publication hint.
    assert all(link.hints.published_at is None and link.hints.modified_at for link in pages["/post-sitemap.xml"])

    news = {url_path(link.url): link.hints for link in pages["/news-sitemap.xml"]}
    assert set(news) == {doc["path"] for doc in _reached_from("news")}
    for doc in _reached_from("news"):
        assert news[doc["path"]].published_at == parse_instant(doc["publishedDateTime"])
        assert news[doc["path"]].title == doc["title"]

    # The other sitemaps hold no article at all.
    for name in ("/page-sitemap.xml", "/category-sitemap.xml"):
        assert pages[name] and not any(PROVIDER.is_article_path(url_path(link.url)) for link in pages[name])


def test_listing_pages_paginate_and_link_every_listed_article(server: SiteServer) -> None:
    visited, articles = [], []
    url = server.url(EXPECTED["sources"]["listing"])
    while url:
        listing = parse_listing(get_ok(server, url_path(url)), url)
        visited.append(url_path(url))
        articles += [url_path(link) for link in listing.links if PROVIDER.is_article_path(url_path(link))]
        url = listing.next_pages[0] if listing.next_pages else ""
        assert len(visited) < 10
    assert visited == EXPECTED["listing_pages"]

    listed = sorted(_reached_from("listing"), key=lambda doc: doc["publishedDateTime"], reverse=True)
    assert articles == [doc["original_paths"][0] for doc in listed]  # newest first, old slug as linked
    # The sidebar's "Popular" links are not part of the listing content.
    home = lxml.html.fromstring(get_ok(server, "/"))
    sidebar = [url_path(a.get("href")) for a in home.xpath("//aside//a")]
    assert sidebar and not set(sidebar) & set(articles[:6])


def test_every_document_is_reachable_and_nothing_else_is_an_article(server: SiteServer) -> None:
    reached = {url_path(link.url) for link in parse_feed(get_ok(server, "/feed/"), server.url("/feed/"))}
    for sitemap in ("/post-sitemap.xml", "/news-sitemap.xml", "/category-sitemap.xml", "/page-sitemap.xml"):
        reached |= {url_path(link.url) for link in parse_sitemap(get_ok(server, sitemap), server.url(sitemap)).links}
    for page in EXPECTED["listing_pages"]:
        reached |= {url_path(link) for link in parse_listing(get_ok(server, page), server.url(page)).links}
    article_urls = {path.split("?")[0] for path in reached if PROVIDER.is_article_path(path.split("?")[0])}
    linked = {doc["original_paths"][0] for doc in DOCUMENTS} | {_case("deleted post still in the feed")["path"]}
    assert article_urls == linked
    assert EXPECTED["document_count"] == len(DOCUMENTS) == 15
    for case in CASES:
        if case["expect"].get("skipped") == "not_article_url":
            for path in case.get("paths", [case.get("path")]):
                assert not PROVIDER.is_article_path(path), path


# --- the article pages agree with the expected output ------------------------------------------------------


def _page(server: SiteServer, path: str) -> tuple[lxml.html.HtmlElement, dict[str, list[str]], list[dict]]:
    """The parsed page (decoded by its own <meta charset>), its meta tags and its JSON-LD @graph."""
    status, _, body = fetch(server, path)
    if status == 500:  # the fail_first article: a crawler retries, so does this
        status, _, body = fetch(server, path)
    assert status == 200, path
    charset = re.search(rb'<meta charset="([^"]+)"', body).group(1).decode()  # type: ignore[union-attr]
    tree = lxml.html.fromstring(body.decode(charset))
    metas: dict[str, list[str]] = {}
    for meta in tree.xpath("//meta[@content]"):
        metas.setdefault(meta.get("property") or meta.get("name") or "", []).append(meta.get("content"))
    graph = json.loads(tree.xpath("//script[@type='application/ld+json']/text()")[0])["@graph"]
    return tree, metas, graph


@pytest.mark.parametrize("doc", DOCUMENTS, ids=[d["path"].split("/")[-2][:40] for d in DOCUMENTS])
def test_article_page_agrees_with_expected(server: SiteServer, doc: dict[str, Any]) -> None:
    tree, metas, graph = _page(server, doc["path"])
    url = server.url(doc["path"])
    article = next(node for node in graph if node["@type"] == "Article")

    # Title: the <h1> as displayed; <title> and og:title carry the site suffix, JSON-LD does not.
    assert " ".join(tree.xpath("string(//h1[@class='entry-title'])").split()) == doc["title"]
    assert tree.xpath("string(//title)") == doc["title"] + SUFFIX
    assert metas["og:title"] == [doc["title"] + SUFFIX]
    assert article["headline"] == doc["title"]

    # URLs.
    assert tree.xpath("//link[@rel='canonical']/@href") == [url] == metas["og:url"]
    assert PROVIDER.is_article_path(doc["path"])
    amp = tree.xpath("//link[@rel='amphtml']/@href")
    assert (amp[0] if amp else url) == server.url(doc["ampWebUrl"])

    # Date: where the expected output says it comes from, and only there.
    published = parse_instant(doc["publishedDateTime"])
    if doc["date_from"].startswith("article:published_time"):
        assert datetime.fromisoformat(metas["article:published_time"][0]) == published
        assert datetime.fromisoformat(article["datePublished"]) == published
        assert datetime.fromisoformat(tree.xpath("//time[contains(@class,'published')]/@datetime")[0]) == published
    else:
        assert "article:published_time" not in metas and "article:modified_time" not in metas
        assert not any("datePublished" in node or "dateModified" in node for node in graph)
        assert not tree.xpath("//time")
        byline = " ".join(tree.xpath("string(//div[@class='entry-meta'])").split())
        if doc["date_from"].startswith("only the byline"):
            shown = re.search(r"'(.+)'", doc["date_from"]).group(1)  # type: ignore[union-attr]
            assert byline.startswith(shown)
            assert datetime.strptime(shown, "%B %d, %Y %I:%M %p").replace(tzinfo=PROVIDER_ZONE) == published
        else:
            assert not re.search(r"\d{4}", byline)
            day = datetime.strptime(doc["path"][1:11], "%Y/%m/%d").replace(tzinfo=PROVIDER_ZONE)
            assert day == published

    # Excerpt: the meta description.
    description = metas["description"][0]
    assert description == metas["og:description"][0]
    assert description.startswith(doc["excerpt_starts_with"])
    if "excerpt" in doc:
        assert description == doc["excerpt"] and len(description) <= 300
    else:
        assert len(description) > 300

    # Lead image: og:image unless it is the registry's placeholder.
    og_image = metas["og:image"][0]
    placeholder = any(marker in og_image for marker in PROVIDER.placeholder_images)
    if not placeholder:
        assert on_server(doc["image"], server.base_url) == {
            "url": og_image,
            "width": int(metas["og:image:width"][0]),
            "height": int(metas["og:image:height"][0]),
        }
    else:
        assert doc["image"] is None or on_server(doc["image"]["url"], server.base_url) != og_image

    # Category from article:section through the registry; each topic is named by one of the tags.
    (section,) = metas["article:section"]
    assert doc["category"] == dict(PROVIDER.sections).get(section.lower(), PROVIDER.default_category)
    assert doc["type"] == "article"
    tags = metas["article:tag"]
    assert article["keywords"] == tags
    assert 0 < len(doc["topics"]) <= 5
    for topic in doc["topics"]:
        names = {str(name).lower() for name in [topic, *(TOPICS[topic] or [])]}
        assert names & {tag.lower() for tag in tags}, (doc["path"], topic)


PROVIDER_ZONE = __import__("zoneinfo").ZoneInfo(PROVIDER.timezone)


# --- hostile cases -------------------------------------------------------------------------------


def test_hostile_routes_behave_as_expected_yaml_says() -> None:
    with SiteServer(ROOT) as server:  # a fresh server: fail_first counts from zero
        gone = _case("deleted post still in the feed")
        assert fetch(server, gone["path"])[0] == 404

        moved = _case("old slug redirects")
        status, headers, _ = fetch(server, moved["path"])
        assert (status, headers["location"]) == (301, server.url(moved["expect"]["document"]))

        flaky = _case("server error, then success")
        assert [fetch(server, flaky["path"])[0] for _ in range(2)] == [500, 200]

        twice = _case("same article through two URLs")
        assert fetch(server, twice["path"])[2] == fetch(server, twice["expect"]["document"])[2]

        latin = _case("non-UTF-8 page")
        status, headers, body = fetch(server, latin["path"])
        assert headers["content-type"] == "text/html"  # no charset: the page's <meta> must decide
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        assert f'<h1 class="entry-title">{latin["expect"]["title"]}</h1>' in body.decode("windows-1252")

        event = _case("non-article URL in the feed")
        assert fetch(server, event["path"])[0] == 200  # it exists; the URL rules keep the spider away


def test_placeholder_cases() -> None:
    brief = _case("placeholder og:image, real image in the feed")
    assert brief["expect"]["image"]["url"] and "technode-news-feed" not in brief["expect"]["image"]["url"]
    sensetime = _case("placeholder og:image, nothing better")
    assert sensetime["expect"]["image"] is None
    assert sensetime["path"] == "/2021/08/30/chinas-ai-unicorn-sensetime-files-for-hong-kong-ipo/"
    doc = next(d for d in DOCUMENTS if d["path"] == sensetime["path"])
    # The shared example record's story, at its instant (14:03 in Shanghai).
    assert (doc["title"], doc["publishedDateTime"]) == (
        "China’s AI unicorn SenseTime files for Hong Kong IPO",
        "2021-08-30T06:03:00Z",
    )
