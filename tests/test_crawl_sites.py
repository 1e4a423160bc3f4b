"""End to end, for every provider: its spider crawls its fixture site and writes the expected documents.

Each fixture site's reviewed expected output (``tests/expected/<key>.yaml``) names
the site's sources and the documents a crawl must produce; the provider's own spider crawls the site
through ``-a start_urls=`` exactly as it would crawl the real one. The generic
``news`` spider is checked here too: given only a site's home page, it finds
the feed and the sitemaps by itself. The crawls run in the test process
(``tests/inprocess.py``); a crawl that must fail on its arguments runs the command.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from crawler.demo.server import SiteServer, site_root
from crawler.registry import load_registry
from tests.crawling import check_document, expected_output, expected_sites, run_crawl
from tests.inprocess import crawl_in_process

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("site", expected_sites())
def test_provider_spider_writes_the_expected_documents(site, tmp_path):
    expected = expected_output(site)
    provider = load_registry().get(expected["provider"])
    with SiteServer(site_root(expected["site"])) as server:
        start_urls = ",".join(server.base_url + path for path in expected["sources"].values())
        result = crawl_in_process(provider.key, tmp_path, f"start_urls={start_urls}")
    assert result.returncode == 0, result.log[-3000:]
    documents = result.by_web_url()
    assert sorted(documents) == sorted(server.base_url + doc["path"] for doc in expected["documents"])
    for doc in expected["documents"]:
        check_document(
            documents[server.base_url + doc["path"]],
            doc,
            server.base_url,
            {"name": provider.name, "domain": provider.domain},
        )
    assert "Traceback" not in result.log


def test_generic_spider_finds_feed_and_sitemaps_from_the_home_page(tmp_path):
    expected = expected_output("technode")
    # What the feed and the sitemaps link to (the listing pages are not read when a site has a feed).
    reachable = [d for d in expected["documents"] if {"feed", "sitemap", "news"} & set(d.get("reached_from", []))]
    with SiteServer(site_root("technode")) as server:
        result = crawl_in_process("news", tmp_path, f"site={server.base_url}/")
        requested = set(server.requests)
    assert result.returncode == 0, result.log[-3000:]
    assert "/feed/" in requested and "/robots.txt" in requested and "/sitemap_index.xml" in requested
    documents = result.by_web_url()
    for doc in reachable:
        got = documents[server.base_url + doc["path"]]
        assert got["title"] == doc["title"]
        # Not in the registry: the provider is what the page says it is, on its own domain.
        assert got["provider"] == {"name": "TechNode", "domain": "127.0.0.1"}
    assert {urlsplit(url).path for url in documents} <= {d["path"] for d in expected["documents"]}


def test_generic_spider_with_article_urls_only(tmp_path):
    first = expected_output("technode")["documents"][0]
    with SiteServer(site_root("technode")) as server:
        result = crawl_in_process("news", tmp_path, f"url={server.base_url}{first['path']}")
    assert result.returncode == 0, result.log[-3000:]
    assert [d["title"] for d in result.by_web_url().values()] == [first["title"]]


def test_generic_spider_needs_something_to_crawl(tmp_path):
    # What the command does with it (its exit code and its message) is for a process to show.
    result = run_crawl("news", tmp_path)
    assert result.returncode != 0
    assert "say what to crawl" in result.log


def test_bad_sources_end_cleanly_with_a_clear_log_line(tmp_path):
    """TechStory's hostile sources: HTML where a feed was promised, a looping index, gzip, a cut-off sitemap."""
    with SiteServer(site_root("techstory")) as server:
        result = crawl_in_process(
            "news",
            tmp_path,
            f"feed={server.base_url}/category/reviews/feed/",
            f"sitemap={server.base_url}/sitemap_index.xml",
        )
        requested = list(server.requests)
    assert result.returncode == 0, result.log[-3000:]
    assert "Traceback" not in result.log
    assert (
        "/category/reviews/feed/ (feed) gave no article links: it returned a html document where a feed was expected"
        in result.log
    )
    assert "post-sitemap3.xml is cut off: following the 5 entries read completely" in result.log
    assert result.stat("discovery/sources_truncated") == 1
    # The index lists itself and is listed back by a child: each is read once, and the crawl ends.
    assert requested.count("/sitemap_index.xml") == 1 and requested.count("/sitemap-archive.xml") == 1
    assert requested.count("/post-sitemap2.xml.gz") == 1
    assert len(result.documents) >= 20
