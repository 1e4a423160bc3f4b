"""``-a demo=1``: the crawl commands serve the provider's bundled site before its spider exists."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

import pytest
import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError

from crawler.demo.launch import serve_demo
from crawler.registry import load_registry
from crawler.settings import PROVIDER_REGISTRY


def _crawler(name: str) -> Crawler:
    """A crawler as a command holds it before ``crawl()``: its spider not made, its settings not frozen."""
    spider_class = type("Spider", (scrapy.Spider,), {"name": name})
    return Crawler(spider_class, {"DEMO_PORT": 0, "PROVIDER_REGISTRY": PROVIDER_REGISTRY, "LOOKBACK_DAYS": 14})


def _status(url: str) -> int:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        connection.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
        return connection.getresponse().status
    finally:
        connection.close()


def test_without_demo_the_arguments_pass_through() -> None:
    crawler = _crawler("technode")
    assert serve_demo(crawler, {"limit": "3"}) == {"limit": "3"}
    assert serve_demo(crawler, {"limit": "3", "demo": "0"}) == {"limit": "3"}
    assert serve_demo(crawler, {"check": "1", "demo": False}) == {"check": "1"}
    assert crawler.settings.getint("LOOKBACK_DAYS") == 14


def test_demo_serves_the_site_at_the_registry_source_paths_until_the_spider_closes() -> None:
    crawler = _crawler("technode")
    arguments = serve_demo(crawler, {"demo": "1", "limit": "3"})
    assert set(arguments) == {"limit", "start_urls"}  # `demo` never reaches the spider
    sources = load_registry(PROVIDER_REGISTRY).get("technode").sources
    urls = arguments["start_urls"]
    assert [urlsplit(url).path for url in urls] == [urlsplit(source.url).path for source in sources]
    assert {urlsplit(url).hostname for url in urls} == {"127.0.0.1"}
    assert all(_status(url) == 200 for url in urls)
    assert crawler.settings.getint("LOOKBACK_DAYS") == 0
    assert crawler.settings.getbool("AUTOTHROTTLE_ENABLED") is False

    crawler.signals.send_catch_log(signals.spider_closed, spider=None, reason="finished")
    with pytest.raises(ConnectionRefusedError):
        _status(urls[0])


def test_demo_of_a_spider_without_a_bundled_site_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="'news' has no bundled site"):
        serve_demo(_crawler("news"), {"demo": "1"})
