"""Crawl-level extensions."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.publishing.files import write_atomic


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
            raise NotConfigured("STATS_FILE is not set")
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
