"""The article spider: reads sources, follows article URLs once, extracts records.

A spider only decides where to go. Sources (feeds, sitemaps, listing pages,
JSON APIs) are parsed by ``crawler.discovery``; article pages by
``crawler.extraction``. What a source says about an article (date, title,
image) travels with the article request as
:class:`~crawler.extraction.context.Hints`; the extractor merges them with what
the page says.

Subclasses say which URLs are articles, which site rules apply, and where to
start: :class:`~crawler.spiders.provider.ProviderSpider` from the registry,
:class:`~crawler.spiders.news.NewsSpider` from the command line.

Incremental: an article page already in the record store is not fetched
again unless a source says it changed after it was fetched (a sitemap's
``lastmod``, an API's modified date, an Atom entry's ``updated``).

Common arguments (``-a name=value``): ``since=YYYY-MM-DD`` skips articles
published before that day (default: ``LOOKBACK_DAYS`` before now);
``refresh=1`` fetches known articles again; ``limit=N`` stops after N articles; ``check=1``
reads the sources (first page of each) and requests no article, filling
:attr:`ArticleSpider.report` for ``scrapy providers --check``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import CloseSpider
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure
from w3lib.encoding import http_content_type_encoding

from crawler import clock
from crawler.clock import reference_time
from crawler.cluster import redis_errors, request_handled, run_of
from crawler.discovery import DiscoveryError, Link, parse_listing, parse_sitemap, sniff
from crawler.discovery.api import PastLastPage, api_page_url, parse_api, parse_wp_posts
from crawler.discovery.feeds import read_feed
from crawler.extraction import ExtractionError, extract_article
from crawler.extraction.context import Hints, SiteRules
from crawler.extraction.urls import clean_url, origin_of
from crawler.failures import failure_reason
from crawler.options import day, flag, whole
from crawler.registry import Source
from crawler.stop import store_failed
from crawler.store import RecordStore, StoreError, acquire, release

logger = logging.getLogger(__name__)

ARTICLE_PRIORITY = 10  # articles before deeper pagination: sources list the newest first


@dataclasses.dataclass(slots=True)
class SourceReport:
    """What one source gave in a check: how many links, how many of them articles, the newest date."""

    links: int = 0
    articles: int = 0
    newest: datetime | None = None
    problem: str = ""


class ArticleSpider(scrapy.Spider):
    """Discovery and extraction shared by every spider; subclasses fill in the site knowledge."""

    name = ""
    CHECK_MAX_SITEMAPS = 3  # a check reads this many child sitemaps of an index

    def __init__(
        self,
        since: str | None = None,
        limit: str | int | None = None,
        check: str | None = None,
        refresh: str | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        # The commands check these before the crawl (crawler.options); a bad value here is a ValueError.
        self.since = day(since) if since else None
        self.limit = whole(minimum=1)(limit) if limit not in (None, "") else None
        self.check = flag(check) if check else False
        self.refresh = flag(refresh) if refresh else False
        self.report: dict[str, SourceReport] = {}
        self.store: RecordStore | None = None  # what earlier runs fetched (incremental crawling)
        self._known_unchanged: set[str] = set()
        self._requested: set[str] = set()  # article URLs requested in this run
        # What sources said about an article after its request was made: merged in when it is parsed.
        # (What was known when it was requested travels with the request itself.)
        self._later_hints: dict[str, Hints] = {}
        self._scheduled = 0
        self._failed = 0
        self._extracted = 0

    def prepare(self) -> None:
        """Before the first request: the look-back window, and the store the incremental check reads."""
        settings = self.crawler.settings
        if self.since is None and settings.getint("LOOKBACK_DAYS") > 0:
            now = reference_time(settings)
            self.since = (now - timedelta(days=settings.getint("LOOKBACK_DAYS"))).date()
            logger.info("Looking back %d days: articles since %s", settings.getint("LOOKBACK_DAYS"), self.since)
        if settings.getbool("INCREMENTAL") and not self.check:
            try:
                self.store = acquire(settings)
            except StoreError as error:
                store_failed(self.crawler, error)

    # --- what subclasses say --------------------------------------------

    def start_sources(self) -> list[Source]:
        raise NotImplementedError

    def is_article_url(self, url: str) -> bool:
        raise NotImplementedError

    def site_rules(self, url: str) -> SiteRules:
        """The extractor's rules for an article at ``url``."""
        raise NotImplementedError

    def trusted_origins(self) -> set[str]:
        """Origins (``scheme://host:port``) the operator named: the start sources'.

        Requests to them may go to any address, a private or loopback one
        included (a mirror, a local server); see ``crawler.middlewares.addresses``.
        """
        return {origin_of(source.url) for source in self.start_sources()} - {""}

    def trusted_domains(self) -> set[str]:
        """Registrable domains the operator named in the registry (hosts under them are trusted)."""
        return set()

    # --- where to start -------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.prepare()
        for source in self.start_sources():
            yield self.source_request(source)

    def source_request(self, source: Source, *, depth: int = 0, page: int = 1) -> scrapy.Request:
        """The request that reads a source (or one page of it)."""
        if source.kind in ("api", "wp-api"):
            url = api_page_url(
                source.url, page, page_param=source.page_param, since=self.since, wordpress=source.kind == "wp-api"
            )
            # A WordPress API answers 400 past its last page: the callback reads that as the end.
            meta = {"handle_httpstatus_list": [400]}
            callback = self.parse_api_page
        else:
            url, meta, callback = source.url, {}, self.parse_source
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.source_failed,
            meta=meta,
            cb_kwargs={"source": source, "depth": depth, "page": page},
        )

    # --- sources --------------------------------------------------------

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """What ``scrapy parse URL`` calls: the page is recognised as a start URL is (a feed, a
        sitemap, a listing, or an article, which gives its record)."""
        yield from self.parse_source(response, Source(url=response.url), depth=0, page=1)

    def parse_source(self, response: Response, source: Source, depth: int, page: int) -> Iterator[Any]:
        """A feed, sitemap or listing page: follow its article links (and sub-sitemaps or next pages)."""
        found = sniff(response.body, response.url, _content_type(response))
        self.crawler.stats.inc_value(f"discovery/sources/{found}")
        try:
            if found == "feed":
                feed = read_feed(response.body, response.url)
                for title in feed.dropped:
                    self._article_error("feed_item_dropped", response.url, f"the item {title!r} has no usable link")
                yield from self.follow_articles(feed.links, response.url)
            elif found == "sitemap":
                yield from self._parse_sitemap(response, source, depth)
            elif found == "json":
                as_api = source.model_copy(update={"kind": "wp-api", "max_pages": self._pages_of(source)})
                yield from self.parse_api_page(response, as_api, depth, page)
            elif found == "html" and (
                source.kind == "article" or (source.kind is None and self.is_article_url(response.url))
            ):
                yield from self._parse_start_article(response)  # a start URL that is itself an article
            elif found == "html" and source.kind in (None, "listing"):
                yield from self._parse_listing(response, source, page)
            else:
                what = f"a {found} document" + (f" where a {source.kind} was expected" if source.kind else "")
                self.empty_source(response.url, source.kind, what)
        except DiscoveryError as error:
            self.crawler.stats.inc_value("discovery/sources_broken")
            self.report.setdefault(response.url, SourceReport()).problem = str(error)
            logger.warning("Source %s (%s) cannot be read: %s", response.url, source.kind or found, error)

    def _parse_sitemap(self, response: Response, source: Source, depth: int) -> Iterator[scrapy.Request]:
        sitemap = parse_sitemap(response.body, response.url)
        if sitemap.truncated:
            self.crawler.stats.inc_value("discovery/sources_truncated")
            logger.warning(
                "Sitemap %s is cut off: following the %d entries read completely", response.url, len(sitemap.links)
            )
        if sitemap.kind == "urlset":
            yield from self.follow_articles(sitemap.links, response.url)
            return
        if depth >= self.settings.getint("DISCOVERY_MAX_SITEMAP_DEPTH"):
            logger.warning("Sitemap index %s is nested %d deep; not following it further", response.url, depth)
            self.crawler.stats.inc_value("discovery/sitemaps_too_deep")
            return
        children = [link for link in sitemap.links if not self.older_than_since(link.hints.modified_at, link.url)]
        if not children:
            self.empty_source(response.url, "sitemap index", f"{len(sitemap.links)} sitemaps, none new enough")
        if self.check:
            children = children[: self.CHECK_MAX_SITEMAPS]
        for link in children:
            # A child already read in this run (an index that lists itself or loops) is skipped by
            # Scrapy's duplicate filter, so a looping index ends.
            child = source.model_copy(update={"url": link.url, "kind": "sitemap"})
            yield self.source_request(child, depth=depth + 1)

    def _parse_listing(self, response: Response, source: Source, page: int) -> Iterator[scrapy.Request]:
        listing = parse_listing(response.body, response.url)
        links = [Link(url, Hints(source="listing")) for url in listing.links]
        yield from self.follow_articles(links, response.url)
        max_pages = self._pages_of(source)
        if page < max_pages and listing.next_pages and not self.check:
            next_page = source.model_copy(
                update={"url": listing.next_pages[0], "kind": "listing", "max_pages": max_pages}
            )
            yield self.source_request(next_page, page=page + 1)

    def _pages_of(self, source: Source) -> int:
        """How many pages of a listing or API to read: the source's bound, or the setting's for a start URL."""
        return source.max_pages if source.kind else self.settings.getint("DISCOVERY_MAX_LISTING_PAGES")

    def parse_api_page(self, response: Response, source: Source, depth: int, page: int) -> Iterator[Any]:
        """One page of a JSON API: follow its articles, then ask for the next page."""
        self.crawler.stats.inc_value("discovery/sources/api")
        try:
            if source.kind == "wp-api":
                total = response.headers.get("X-WP-TotalPages", b"").decode("latin-1") or None
                api_page = parse_wp_posts(response.body, response.url, total_pages=total)
            else:
                api_page = parse_api(response.body, response.url, source.mapping)
        except PastLastPage:
            logger.info("API %s has no page %d: the listing ended", source.url, page)
            return
        except DiscoveryError as error:
            self.crawler.stats.inc_value("discovery/sources_broken")
            self.report.setdefault(response.url, SourceReport()).problem = str(error)
            logger.warning("API %s page %d cannot be read (HTTP %d): %s", source.url, page, response.status, error)
            return
        if response.status != 200:
            logger.warning("API %s page %d answered HTTP %d", source.url, page, response.status)
            return
        if page == 1 or api_page.links:
            yield from self.follow_articles(api_page.links, response.url)
        more = api_page.total_pages is None or page < api_page.total_pages
        if api_page.links and more and page < source.max_pages and not self.check:
            yield self.source_request(source, depth=depth, page=page + 1)

    def follow_articles(self, links: Iterable[Link], source_url: str) -> Iterator[scrapy.Request]:
        """Requests for the article links of one source; says so loudly when there are none."""
        links = list(links)
        if self.check:
            self._check_links(links, source_url)
            return
        followed = 0
        for link in links:
            request = self._article_request(link)
            if request is not None:
                followed += 1
                yield request
        self.crawler.stats.inc_value("discovery/links_seen", len(links))
        if not links:
            self.empty_source(source_url, None, "no links at all")
        elif not followed and not any(self.is_article_url(link.url) for link in links):
            self.empty_source(source_url, None, f"{len(links)} links, none matching the article URL rules")

    def _check_links(self, links: list[Link], source_url: str) -> None:
        report = self.report.setdefault(source_url, SourceReport())
        report.links += len(links)
        for link in links:
            if self.is_article_url(clean_url(link.url)):
                report.articles += 1
                self.crawler.stats.inc_value("discovery/articles")
                instant = link.hints.published_at
                if instant and (report.newest is None or instant > report.newest):
                    report.newest = instant
        if not report.articles:
            self.empty_source(source_url, None, f"{len(links)} links, none matching the article URL rules")

    def _article_request(self, link: Link) -> scrapy.Request | None:
        url = clean_url(link.url)
        stats = self.crawler.stats
        if not self.is_article_url(url):
            stats.inc_value("discovery/skipped/not_article")
            return None
        if len(url) > self.settings.getint("URLLENGTH_LIMIT"):  # UrlLengthMiddleware would drop it unsaid
            self._article_error("url_too_long", url[:200] + "…", f"{len(url):,} characters, over URLLENGTH_LIMIT")
            return None
        if self.older_than_since(link.hints.published_at, url):
            stats.inc_value("discovery/skipped/too_old")
            return None
        hints = self._without_placeholder(link.hints, url)
        if url in self._requested:  # reached again through another source: keep what both said
            self._keep_later_hints(url, hints)
            stats.inc_value("discovery/skipped/seen")
            return None
        if self._unchanged_since_fetched(url, hints):
            self._known_unchanged.add(url)  # counted at the end: a later source may still say it changed
            return None
        if self.limit is not None and self._scheduled - self._failed >= self.limit:
            stats.inc_value("discovery/skipped/limit")
            return None
        self._requested.add(url)
        self._scheduled += 1
        stats.inc_value("discovery/articles")
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.article_failed,
            priority=ARTICLE_PRIORITY,
            cb_kwargs={"linked_url": link.url.split("#", 1)[0], "hints": hints},
        )

    def _keep_later_hints(self, url: str, hints: Hints) -> None:
        """What a later source says of an article already requested, for the process that will parse it.

        In cluster mode that may be another worker: the hints go to the run's Redis keys, where
        the worker that parses the page takes them (``ClusterSpiderMiddleware``).
        """
        run = run_of(self.crawler)
        if run is not None:
            with contextlib.suppress(*redis_errors()):  # the scheduler's next call stops the worker
                run.add_hints(self.name, url, hints)
        else:
            self._later_hints[url] = self._later_hints.get(url, Hints()).merge(hints)

    def _unchanged_since_fetched(self, url: str, hints: Hints) -> bool:
        """Whether an earlier run fetched this article and no source says it changed since."""
        if self.store is None or self.refresh:
            return False
        try:
            fetched = self.store.fetched_at(url)
        except StoreError as error:
            store_failed(self.crawler, error)
            return False
        if fetched is None:
            return False
        return not (hints.modified_at and hints.modified_at > fetched)

    def _without_placeholder(self, hints: Hints, url: str) -> Hints:
        """A source's image that is one of the site's placeholders is no hint at all.

        Dropped here, before hints from several sources merge, so that a real
        image from a later source (a feed item's figure) is not shadowed.
        """
        placeholders = self.site_rules(url).placeholder_images
        if hints.image and any(p in hints.image.url for p in placeholders):
            return dataclasses.replace(hints, image=None)
        return hints

    def source_failed(self, failure: Failure) -> None:
        self._handled(failure.request)
        self.crawler.stats.inc_value("discovery/sources_failed")
        self.report.setdefault(failure.request.url, SourceReport()).problem = _describe(failure)
        logger.warning("Source %s failed: %s", failure.request.url, _describe(failure))

    def empty_source(self, url: str, kind: str | None, what: str) -> None:
        """Discovery that finds nothing says so loudly: a silently empty crawl is the classic failure."""
        self.report.setdefault(url, SourceReport()).problem = f"no article links: {what}"
        self.crawler.stats.inc_value("discovery/empty_sources")
        logger.warning("Source %s%s gave no article links: it returned %s", url, f" ({kind})" if kind else "", what)

    # --- articles -------------------------------------------------------

    def parse_article(self, response: Response, linked_url: str = "", hints: Hints | None = None) -> Iterator[Any]:
        """An article page: extract its record, with what the sources said as hints.

        Without a ``linked_url`` (``scrapy parse URL --callback parse_article``), the page was
        linked as requested.
        """
        linked_url = linked_url or response.meta.get("redirect_urls", [response.request.url])[0].split("#", 1)[0]
        if self.limit is not None and self._extracted >= self.limit:
            raise CloseSpider("limit")
        requested = response.meta.get("redirect_urls", [response.request.url])[0]  # the URL asked for
        content_type = _content_type(response)
        if sniff(response.body, response.url, content_type) != "html":
            self._article_error("not_html", response.url, "the article URL did not return an HTML page")
            return
        try:
            record = extract_article(
                response.body,
                response.url,
                self.site_rules(response.url),
                (hints or Hints()).merge(self._later_hints.pop(clean_url(requested), Hints())),
                encoding=http_content_type_encoding(content_type),
                now=reference_time(self.settings, self.crawler.stats.get_value("start_time")),
            )
        except ExtractionError as error:
            self._article_error("extraction", response.url, str(error))
            return
        record.original_url = linked_url
        reached = [linked_url, *response.meta.get("redirect_urls", []), response.url]
        record.linked_urls = list(dict.fromkeys(clean_url(url) for url in reached))
        record.fetched_at = clock.now(self.settings)
        for note in record.extraction_notes:  # what extraction had to leave out or cut (crawler.record)
            self.crawler.stats.inc_value(f"articles/notes/{note}")
        if self.older_than_since(record.published_at, response.url):
            self.crawler.stats.inc_value("articles/skipped/too_old")
            return
        self._extracted += 1
        self.crawler.stats.inc_value("articles/extracted")
        yield record

    def _parse_start_article(self, response: Response) -> Iterator[Any]:
        url = clean_url(response.url)
        self._requested.add(url)
        self.crawler.stats.inc_value("discovery/articles")
        yield from self.parse_article(response, linked_url=response.url.split("#", 1)[0])

    def article_failed(self, failure: Failure) -> None:
        self._handled(failure.request)
        self._failed += 1
        request = failure.request
        article = request.meta.get("redirect_urls", [request.url])[0]  # the article as it was linked
        self._article_error(failure_reason(failure.value), article, _describe(failure))

    def _article_error(self, reason: str, url: str, message: str) -> None:
        self.crawler.stats.inc_value(f"articles/failed/{reason}")
        logger.warning("Article %s skipped (%s): %s", url, reason, message)

    # --- helpers --------------------------------------------------------

    def _handled(self, request: scrapy.Request) -> None:
        """Say that a request whose download failed is done with (a cluster worker's lease ends)."""
        self.crawler.signals.send_catch_log(signal=request_handled, request=request)

    def older_than_since(self, instant: datetime | None, url: str) -> bool:
        """Whether ``instant`` is before ``since`` (one without offset is read in the zone of the site at ``url``)."""
        if self.since is None or instant is None:
            return False
        return clock.in_zone(instant, self.site_rules(url).timezone).astimezone(UTC).date() < self.since

    def closed(self, reason: str) -> None:
        """Scrapy calls this when the spider closes: let go of the store, say what discovery found."""
        if self.store is not None:
            release(self.store)
            self.store = None
        stats = self.crawler.stats
        unchanged = len(self._known_unchanged - self._requested)
        if unchanged:
            stats.set_value("discovery/skipped/unchanged", unchanged)
        reads_sources = run_of(self.crawler) is None or self.settings.getbool("CLUSTER_LEADER")
        if reads_sources and not stats.get_value("discovery/articles") and not unchanged:  # a worker reads none
            stats.set_value("discovery/no_articles", 1)
            logger.warning("%s: discovery found no article at all; check its sources and URL rules", self.name)


def _content_type(response: Response) -> str:
    return response.headers.get("Content-Type", b"").decode("latin-1")


def _describe(failure: Failure) -> str:
    if failure.check(HttpError):
        return f"HTTP {failure.value.response.status}"
    return f"{failure.type.__name__ if failure.type else 'error'}: {failure.getErrorMessage()}"


def split_urls(value: str | list[str] | None) -> list[str]:
    """``-a`` URL lists: comma-separated."""
    if isinstance(value, str):
        return [u.strip() for u in value.split(",") if u.strip()]
    return list(value or [])


def host_of(url: str) -> str:
    return urlsplit(url).hostname or ""
