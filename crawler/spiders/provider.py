"""The provider spider: crawls one entry of the provider registry.

One subclass per registry entry is made by ``crawler.spiderloader``; its name
is the entry's key (``scrapy crawl technode``).

Arguments (``scrapy crawl <provider> -a name=value``), besides ``since`` and ``limit``:

- ``start_urls=URL[,URL…]``: crawl these instead of the registry's sources (a
  mirror, a local fixture site). A URL whose path and query are those of a
  registry source is read as that source (same kind, pagination and API
  mapping); any other is recognised by its content as a feed, sitemap,
  listing page, JSON API or article.
- ``demo=1``: serve the provider's bundled fixture site on 127.0.0.1 and crawl
  it, for a machine without internet.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from scrapy.crawler import Crawler

from crawler.extraction.context import SiteRules
from crawler.extraction.urls import registrable_domain
from crawler.options import flag
from crawler.registry import ProviderConfig, Source, load_registry
from crawler.spiders.base import ArticleSpider, host_of, split_urls


class ProviderSpider(ArticleSpider):
    """Crawls one provider of the registry (the spider's ``name`` is the registry key)."""

    def __init__(
        self,
        provider: ProviderConfig,
        start_urls: str | list[str] | None = None,
        demo: str | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.provider = provider
        self.rules = provider.site_rules()
        self.demo = flag(demo) if demo else False
        self.demo_server = None
        self.start_urls = split_urls(start_urls)
        self._extra_hosts: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ProviderSpider:
        provider = load_registry(crawler.settings.get("PROVIDER_REGISTRY")).get(cls.name)
        spider = super().from_crawler(crawler, provider, *args, **kwargs)
        if spider.demo:
            spider._start_demo_site()
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

    def _start_demo_site(self) -> None:
        """Serve the bundled fixture site and point the registry's sources at it."""
        from crawler.demo.server import SiteServer, site_root  # only the demo needs the server

        root = site_root(self.name)
        # A fixed port keeps the demo's URLs, and so its document paths, the same from run to run.
        try:
            self.demo_server = SiteServer(root, port=self.crawler.settings.getint("DEMO_PORT")).start()
        except OSError:  # the port is taken (another demo?): any free one will do
            self.demo_server = SiteServer(root).start()
        self.start_urls = [self.demo_server.base_url + _location(s.url) for s in self.provider.sources]
        # A local server needs no politeness delays; its articles are from past years.
        for name, value in (("AUTOTHROTTLE_ENABLED", False), ("DOWNLOAD_DELAY", 0), ("LOOKBACK_DAYS", 0)):
            self.crawler.settings.set(name, value, priority="spider")
        self.logger.info("Demo: serving %s at %s", root, self.demo_server.base_url)

    def closed_hook(self) -> None:
        if self.demo_server is not None:
            self.demo_server.stop()


def _location(url: str) -> str:
    """A URL's path and query: what a source is recognised by on another host."""
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
