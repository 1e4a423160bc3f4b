"""The provider spider: crawls one entry of the provider registry.

One subclass per registry entry is made by ``crawler.spiderloader``; its name
is the entry's key (``scrapy crawl technode``).

Arguments (``scrapy crawl <provider> -a name=value``), besides ``since`` and ``limit``:

- ``start_urls=URL[,URL…]``: crawl these instead of the registry's sources (a
  mirror, a local fixture site). A URL whose path and query are those of a
  registry source is read as that source (same kind, pagination and API
  mapping); any other is recognised by its content as a feed, sitemap,
  listing page, JSON API or article.

``-a demo=1`` is not this spider's: the crawl commands serve the provider's
bundled site (``crawler.demo``) and give this spider its URLs as ``start_urls``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from scrapy.crawler import Crawler
from scrapy.http import Response

from crawler.extraction.context import Hints, SiteRules
from crawler.extraction.urls import registrable_domain
from crawler.registry import ProviderConfig, Source, load_registry
from crawler.spiders.base import ArticleSpider, host_of, split_urls


class ProviderSpider(ArticleSpider):
    """Crawls one provider of the registry (the spider's ``name`` is the registry key)."""

    def __init__(
        self,
        provider: ProviderConfig,
        start_urls: str | list[str] | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.provider = provider
        self.rules = provider.site_rules()
        self.start_urls = split_urls(start_urls)
        self._extra_hosts: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ProviderSpider:
        provider = load_registry(crawler.settings.get("PROVIDER_REGISTRY")).get(cls.name)
        spider = super().from_crawler(crawler, provider, *args, **kwargs)
        # Hosts of start URLs (a mirror, a local server) count as the provider's own.
        spider._extra_hosts = {host_of(url) for url in spider.start_urls} - {""}
        spider.allowed_domains = [*provider.all_domains, *sorted(spider._extra_hosts)]
        return spider

    def start_sources(self) -> list[Source]:
        if not self.start_urls:
            return list(self.provider.sources)
        by_location = {_location(s.url): s for s in self.provider.sources}
        starts = []
        for url in self.start_urls:
            source = by_location.get(_location(url))
            starts.append(source.model_copy(update={"url": url}) if source else Source(url=url))
        return starts

    def parse_article(self, response: Response, linked_url: str = "", hints: Hints | None = None) -> Iterator[Any]:
        """An article page of the provider: its record (``ArticleSpider.parse_article``).

        ``scrapy check <provider>`` (``-a demo=1``: on its bundled demo site) fetches the registry's
        ``sample_article`` and checks what this callback makes of it (crawler/contracts.py):

        @sample_article
        @returns items 1 1
        @returns requests 0 0
        @scrapes title web_url published_at excerpt provider
        @fills title webUrl publishedDateTime excerpt originalUrl category type provider
        """
        yield from super().parse_article(response, linked_url, hints)

    def is_article_url(self, url: str) -> bool:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if host not in self._extra_hosts and registrable_domain(host) not in self.provider.all_domains:
            return False
        return self.provider.is_article_path(parts.path + (f"?{parts.query}" if parts.query else ""))

    def site_rules(self, url: str) -> SiteRules:
        return self.rules

    def trusted_domains(self) -> set[str]:
        return set(self.provider.all_domains)


def _location(url: str) -> str:
    """A URL's path and query: what a source is recognised by on another host."""
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
