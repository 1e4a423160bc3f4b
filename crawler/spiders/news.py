"""The generic news spider, for a site that is not in the provider registry.

    scrapy crawl news -a url=URL[,URL…]      # article pages
    scrapy crawl news -a feed=URL            # an RSS/Atom feed
    scrapy crawl news -a sitemap=URL         # a sitemap or sitemap index
    scrapy crawl news -a site=https://example.com
        # finds the feeds from the home page's <link rel="alternate"> and the
        # sitemaps from robots.txt, then crawls them

The provider is named by the page (``og:site_name``, else the domain) unless
its domain is in the registry. Which links are articles is guessed from their
shape (``crawler.discovery.articles``), within the domains given.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawler.discovery import feed_links, robots_sitemaps, sniff
from crawler.discovery.articles import looks_like_article_url
from crawler.extraction.context import SiteRules
from crawler.extraction.urls import registrable_domain
from crawler.registry import Registry, Source, load_registry
from crawler.spiders.base import ArticleSpider, host_of, split_urls


class NewsSpider(ArticleSpider):
    """Crawls any news site from its article URLs, feed, sitemap or home page."""

    name = "news"

    def __init__(
        self,
        registry: Registry,
        url: str | None = None,
        feed: str | None = None,
        sitemap: str | None = None,
        site: str | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.registry = registry
        self.sources = [
            *(Source(url=u, kind="article") for u in split_urls(url)),
            *(Source(url=u, kind="feed") for u in split_urls(feed)),
            *(Source(url=u, kind="sitemap") for u in split_urls(sitemap)),
            *(Source(url=u, kind="site") for u in split_urls(site)),
        ]
        if not self.sources:
            raise ValueError("say what to crawl: -a url=…, -a feed=…, -a sitemap=… or -a site=…")
        hosts = {host_of(source.url) for source in self.sources} - {""}
        self.domains = {registrable_domain(host) for host in hosts}
        self.allowed_domains = sorted(self.domains)
        self._rules: dict[str, SiteRules] = {}  # by registrable domain: asked for every link

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        registry = load_registry(crawler.settings.get("PROVIDER_REGISTRY"))
        return super().from_crawler(crawler, registry, *args, **kwargs)

    def start_sources(self) -> list[Source]:
        return self.sources

    def source_request(self, source: Source, *, depth: int = 0, page: int = 1) -> scrapy.Request:
        if source.kind == "site":
            return scrapy.Request(source.url, callback=self.parse_site, errback=self.source_failed)
        return super().source_request(source, depth=depth, page=page)

    def parse_site(self, response: Response) -> Iterator[scrapy.Request]:
        """A home page: its feeds, the sitemaps its robots.txt names; itself as a listing if it has no feed."""
        if sniff(response.body, response.url) != "html":
            self.empty_source(response.url, "site", "no HTML home page")
            return
        feeds = feed_links(response.body, response.url)
        self.logger.info("Site %s: %d feed(s) found: %s", response.url, len(feeds), ", ".join(feeds) or "none")
        for feed in feeds:
            yield self.source_request(Source(url=feed, kind="feed"))
        yield scrapy.Request(
            urljoin(response.url, "/robots.txt"), callback=self.parse_robots, errback=self.source_failed
        )
        if not feeds:
            yield from self.parse_source(response, Source(url=response.url, kind="listing", max_pages=3), 0, 1)

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        sitemaps = robots_sitemaps(response.body, response.url)
        self.logger.info("%s names %d sitemap(s)", response.url, len(sitemaps))
        for sitemap in sitemaps:
            yield self.source_request(Source(url=sitemap, kind="sitemap"))

    def is_article_url(self, url: str) -> bool:
        return registrable_domain(host_of(url)) in self.domains and looks_like_article_url(url)

    def site_rules(self, url: str) -> SiteRules:
        domain = registrable_domain(host_of(url))
        if domain not in self._rules:
            provider = self.registry.for_domain(domain)
            self._rules[domain] = provider.site_rules() if provider else SiteRules()
        return self._rules[domain]
