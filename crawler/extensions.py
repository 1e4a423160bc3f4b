"""Crawl-level extensions."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.clock import reference_time
from crawler.publishing.files import write_atomic
from crawler.record import Record
from crawler.stop import STORE_ERROR_STAT, store_failed
from crawler.store import StoreError, acquire, release
from crawler.stories import StoryResult, config_from_settings, relate_pending


class StatsFile:
    """Writes the crawl's final stats as JSON to ``STATS_FILE`` (off when the setting is empty).

    Operators and tests read counts (articles extracted, drops by reason,
    documents written) from it instead of parsing logs.
    """

    def __init__(self, crawler: Crawler, path: Path):
        self.crawler = crawler
        self.path = path

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StatsFile:
        path = crawler.settings.get("STATS_FILE")
        if not path:
            raise NotConfigured  # off by default: no message, so Scrapy does not warn about it
        extension = cls(crawler, Path(path))
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self, spider, reason: str) -> None:
        stats = dict(self.crawler.stats.get_stats())
        stats["finish_reason"] = reason
        data = json.dumps(stats, indent=1, sort_keys=True, default=_jsonable)
        write_atomic(self.path, data.encode("utf-8"))


def _jsonable(value: object) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def relate_stories(
    settings, now: datetime, web_urls: list[str] | None = None, *, since: datetime | None = None
) -> tuple[int, StoryResult]:
    """Run the story step over these records (None: every stored record, or those published since).

    The records a story step has still to relate (the store's pending list: written
    by a run that was killed before its story step, or by this run) are related too,
    and leave the list once related (:func:`crawler.stories.relate_pending`). Returns
    how many records it looked at and what it did; a store that fails raises ``StoreError``.
    """
    store = acquire(settings)
    try:
        if web_urls is None:
            web_urls = store.web_urls(since=since)
        return relate_pending(
            store, config_from_settings(settings), now, web_urls, include_body=settings.getbool("DOCUMENT_BODY")
        )
    finally:
        release(store)


class Stories:
    """At the end of a crawl, relates the records it wrote (and those an interrupted run left
    pending) to the stories in the store.

    Off with ``STORIES_ENABLED = False``; ``scrapy stories`` runs the same step
    over a store filled by several crawls.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.written: list[str] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Stories:
        if not crawler.settings.getbool("STORIES_ENABLED"):
            raise NotConfigured  # no message: Scrapy would warn about a switch that is off on purpose
        extension = cls(crawler)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def item_scraped(self, item, response, spider) -> None:
        if isinstance(item, Record) and not item.unchanged:
            self.written.append(item.web_url)

    def spider_closed(self, spider, reason: str) -> None:
        stats = self.crawler.stats
        if stats.get_value(STORE_ERROR_STAT):
            return  # the store failed during the crawl; the pending list keeps what is to be related
        now = reference_time(self.crawler.settings, stats.get_value("start_time"))
        try:
            _, result = relate_stories(self.crawler.settings, now, self.written)
        except StoreError as error:
            store_failed(self.crawler, error)
            return
        stats.set_value("stories/related", result.related)
        stats.set_value("stories/documents_rewritten", result.rewritten)
        spider.logger.info(
            "Stories: %d of the %d records written have related articles; %d documents rewritten",
            result.related,
            len(self.written),
            result.rewritten,
        )
