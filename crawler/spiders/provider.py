"""The provider spider: reads a provider's sources, follows its article URLs, extracts records.

The spider only decides where to go. Sources (feeds, sitemaps, listing pages)
are parsed by ``crawler.discovery``; article pages by ``crawler.extraction``.
What a source says about an article (date, title, image) travels with the
article request as :class:`~crawler.extraction.context.Hints`.

Arguments (``scrapy crawl <provider> -a name=value``):

- ``start_urls=URL[,URL…]``: crawl these instead of the registry's sources (a
  mirror, a local fixture site); each is recognised by its content as a feed,
  sitemap, listing page or article.
- ``since=YYYY-MM-DD``: skip articles published before that day.
- ``limit=N``: stop after N articles.
- ``demo=1``: serve the provider's bundled fixture site on 127.0.0.1 and crawl
  it, for a machine without internet.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure
from w3lib.encoding import http_content_type_encoding

from crawler.discovery import DiscoveryError, Link, parse_feed, parse_listing, parse_sitemap, sniff
from crawler.extraction import ExtractionError, extract_article
from crawler.extraction.context import Hints
from crawler.extraction.urls import clean_url, registrable_domain
from crawler.registry import ProviderConfig, load_registry

logger = logging.getLogger(__name__)

ARTICLE_PRIORITY = 10  # articles before deeper pagination: feeds are newest-first


class ProviderSpider(scrapy.Spider):
    """Crawls one provider of the registry (the spider's ``name`` is the registry key)."""

    name = ""

    def __init__(
        self,
        provider: ProviderConfig,
        start_urls: str | list[str] | None = None,
        since: str | None = None,
        limit: str | int | None = None,
        demo: str | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.provider = provider
        self.rules = provider.site_rules()
        self.since = _parse_since(since)
        self.limit = _parse_limit(limit)
        self.demo = _truthy(demo)
        self.demo_server = None
        if isinstance(start_urls, str):
            start_urls = [u.strip() for u in start_urls.split(",") if u.strip()]
        self.start_urls = list(start_urls or [])
        self._hints: dict[str, Hints] = {}  # article URL -> what the sources said about it
        self._scheduled = 0
        self._failed = 0
        self._extracted = 0
        self._extra_hosts: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ProviderSpider:
        provider = load_registry(crawler.settings.get("PROVIDER_REGISTRY")).get(cls.name)
        spider = super().from_crawler(crawler, provider, *args, **kwargs)
        if spider.demo:
            spider._start_demo_site()
        spider._allow_start_hosts()
        crawler.signals.connect(spider._closed, signal=signals.spider_closed)
        return spider

    # --- where to start -------------------------------------------------

    def _allow_start_hosts(self) -> None:
        """Hosts of ``start_urls`` (a mirror, a local server) count as the provider's own."""
        self._extra_hosts = {urlsplit(url).hostname or "" for url in self.start_urls} - {""}
        self.allowed_domains = [*self.provider.all_domains, *sorted(self._extra_hosts)]

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.start_urls:
            max_pages = self.settings.getint("DISCOVERY_MAX_LISTING_PAGES")
            sources = [(url, None, max_pages) for url in self.start_urls]
        else:
            sources = [(s.url, s.kind, s.max_pages) for s in self.provider.sources]
        for url, kind, max_pages in sources:
            yield self._source_request(url, kind, depth=0, page=1, max_pages=max_pages)

    def _source_request(self, url: str, kind: str | None, depth: int, page: int, max_pages: int) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_source,
            errback=self.source_failed,
            cb_kwargs={"kind": kind, "depth": depth, "page": page, "max_pages": max_pages},
        )

    # --- sources --------------------------------------------------------

    def parse_source(
        self, response: Response, kind: str | None, depth: int, page: int, max_pages: int
    ) -> Iterator[scrapy.Request]:
        """A feed, sitemap or listing page: follow its article links (and its sub-sitemaps or next pages)."""
        found = sniff(response.body, response.url, response.headers.get("Content-Type", b"").decode("latin-1"))
        self.crawler.stats.inc_value(f"discovery/sources/{found}")
        try:
            if found == "feed":
                yield from self._follow_articles(parse_feed(response.body, response.url), response.url)
            elif found == "sitemap":
                yield from self._parse_sitemap(response, depth)
            elif found == "html" and self._is_article_url(response.url) and kind is None:
                # A start URL that is itself an article page.
                yield from self._parse_article_now(response)
            elif found == "html":
                yield from self._parse_listing(response, page, max_pages)
            else:
                self._empty_source(response.url, kind, f"a {found} document, not a feed, sitemap or listing")
        except DiscoveryError as error:
            self.crawler.stats.inc_value("discovery/sources_broken")
            logger.warning("Source %s (%s) cannot be read: %s", response.url, kind or found, error)

    def _parse_sitemap(self, response: Response, depth: int) -> Iterator[scrapy.Request]:
        sitemap = parse_sitemap(response.body, response.url)
        if sitemap.kind == "urlset":
            yield from self._follow_articles(sitemap.links, response.url)
            return
        if depth >= self.settings.getint("DISCOVERY_MAX_SITEMAP_DEPTH"):
            logger.warning("Sitemap index %s is nested %d deep; not following it further", response.url, depth)
            self.crawler.stats.inc_value("discovery/sitemaps_too_deep")
            return
        children = [link for link in sitemap.links if not self._older_than_since(link.hints.modified_at)]
        if not children:
            self._empty_source(response.url, "sitemap index", f"{len(sitemap.links)} sitemaps, none new enough")
        for link in children:
            yield self._source_request(link.url, "sitemap", depth=depth + 1, page=1, max_pages=1)

    def _parse_listing(self, response: Response, page: int, max_pages: int) -> Iterator[scrapy.Request]:
        listing = parse_listing(response.body, response.url)
        links = [Link(url, Hints(source="listing")) for url in listing.links]
        yield from self._follow_articles(links, response.url)
        if page < max_pages:
            for next_url in listing.next_pages[:1]:
                yield self._source_request(next_url, "listing", depth=0, page=page + 1, max_pages=max_pages)

    def _follow_articles(self, links: list[Link], source_url: str) -> Iterator[scrapy.Request]:
        followed = 0
        for link in links:
            request = self._article_request(link)
            if request is not None:
                followed += 1
                yield request
        self.crawler.stats.inc_value("discovery/links_seen", len(links))
        if not links:
            self._empty_source(source_url, None, "no links at all")
        elif not followed and not any(self._is_article_url(link.url) for link in links):
            self._empty_source(source_url, None, f"{len(links)} links, none matching the article URL rules")

    def _article_request(self, link: Link) -> scrapy.Request | None:
        url = clean_url(link.url)
        stats = self.crawler.stats
        if not self._is_article_url(url):
            stats.inc_value("discovery/skipped/not_article")
            return None
        if self._older_than_since(link.hints.published_at):
            stats.inc_value("discovery/skipped/too_old")
            return None
        hints = self._without_placeholder(link.hints)
        if url in self._hints:  # reached again through another source: keep what both said
            self._hints[url] = self._hints[url].merge(hints)
            stats.inc_value("discovery/skipped/seen")
            return None
        if self.limit is not None and self._scheduled - self._failed >= self.limit:
            stats.inc_value("discovery/skipped/limit")
            return None
        self._hints[url] = hints
        self._scheduled += 1
        stats.inc_value("discovery/articles")
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.article_failed,
            priority=ARTICLE_PRIORITY,
            cb_kwargs={"linked_url": link.url.split("#", 1)[0], "hint_key": url},
        )

    def _without_placeholder(self, hints: Hints) -> Hints:
        """A source's image that is one of the provider's placeholders is no hint at all.

        Dropped here, before hints from several sources merge, so that a real
        image from a later source (a feed item's figure) is not shadowed.
        """
        if hints.image_url and any(p in hints.image_url for p in self.rules.placeholder_images):
            return dataclasses.replace(hints, image_url="", image_width=0, image_height=0)
        return hints

    def source_failed(self, failure: Failure) -> None:
        self.crawler.stats.inc_value("discovery/sources_failed")
        logger.warning("Source %s failed: %s", failure.request.url, _describe(failure))

    def _empty_source(self, url: str, kind: str | None, what: str) -> None:
        """Discovery that finds nothing says so loudly: a silently empty crawl is the classic failure."""
        self.crawler.stats.inc_value("discovery/empty_sources")
        logger.warning("Source %s%s gave no article links: it returned %s", url, f" ({kind})" if kind else "", what)

    # --- articles -------------------------------------------------------

    def parse_article(self, response: Response, linked_url: str, hint_key: str) -> Iterator[Any]:
        """An article page: extract its record, with what the sources said as hints."""
        if self.limit is not None and self._extracted >= self.limit:
            raise CloseSpider("limit")
        if sniff(response.body, response.url, response.headers.get("Content-Type", b"").decode("latin-1")) != "html":
            self._article_error("not_html", response.url, "the article URL did not return an HTML page")
            return
        hints = self._hints.get(hint_key, Hints())
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        try:
            record = extract_article(
                response.body,
                response.url,
                self.rules,
                hints,
                encoding=http_content_type_encoding(content_type),
            )
        except ExtractionError as error:
            self._article_error("extraction", response.url, str(error))
            return
        record.original_url = linked_url
        record.fetched_at = datetime.now(UTC)
        if record.published_at is not None and self._older_than_since(record.published_at):
            self.crawler.stats.inc_value("articles/skipped/too_old")
            return
        self._extracted += 1
        self.crawler.stats.inc_value("articles/extracted")
        yield record

    def _parse_article_now(self, response: Response) -> Iterator[Any]:
        url = clean_url(response.url)
        self._hints.setdefault(url, Hints())
        yield from self.parse_article(response, linked_url=response.url.split("#", 1)[0], hint_key=url)

    def article_failed(self, failure: Failure) -> None:
        self._failed += 1
        reason = (
            f"http_{failure.value.response.status}"
            if failure.check(HttpError)
            else failure.type.__name__
            if failure.type
            else "error"
        )
        self._article_error(reason, failure.request.url, _describe(failure))

    def _article_error(self, reason: str, url: str, message: str) -> None:
        self.crawler.stats.inc_value(f"articles/failed/{reason}")
        logger.warning("Article %s skipped (%s): %s", url, reason, message)

    # --- helpers --------------------------------------------------------

    def _is_article_url(self, url: str) -> bool:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if host not in self._extra_hosts and registrable_domain(host) not in self.provider.all_domains:
            return False
        return self.provider.is_article_path(parts.path + (f"?{parts.query}" if parts.query else ""))

    def _older_than_since(self, instant: datetime | None) -> bool:
        return self.since is not None and instant is not None and instant.astimezone(UTC).date() < self.since

    def _start_demo_site(self) -> None:
        """Serve the bundled fixture site and point the registry's sources at it."""
        from crawler.demo.server import SiteServer, site_root  # only the demo needs the server

        root = site_root(self.name)
        if not root.is_dir():
            raise ValueError(f"there is no demo site for {self.name!r} (looked in {root})")
        self.demo_server = SiteServer(root).start()
        base = self.demo_server.base_url
        self.start_urls = [base + urlsplit(s.url).path for s in self.provider.sources]
        # A local server needs no politeness delays.
        for name, value in (("AUTOTHROTTLE_ENABLED", False), ("DOWNLOAD_DELAY", 0)):
            self.crawler.settings.set(name, value, priority="spider")
        logger.info("Demo: serving %s at %s", root, base)

    def _closed(self, spider: scrapy.Spider, reason: str) -> None:
        if spider is not self:
            return
        if self.demo_server is not None:
            self.demo_server.stop()
        if not self.crawler.stats.get_value("discovery/articles"):
            self.crawler.stats.set_value("discovery/no_articles", 1)
            logger.warning("%s: discovery found no article at all; check its sources and URL rules", self.name)


def _describe(failure: Failure) -> str:
    if failure.check(HttpError):
        return f"HTTP {failure.value.response.status}"
    return f"{failure.type.__name__ if failure.type else 'error'}: {failure.getErrorMessage()}"


def _parse_since(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"since={value!r} is not a date in the form YYYY-MM-DD") from None


def _parse_limit(value: str | int | None) -> int | None:
    if value in (None, ""):
        return None
    try:
        limit = int(value)
    except ValueError:
        raise ValueError(f"limit={value!r} is not a whole number") from None
    if limit < 1:
        raise ValueError("limit must be at least 1")
    return limit


def _truthy(value: str | None) -> bool:
    return str(value or "").lower() in ("1", "true", "yes", "on")
