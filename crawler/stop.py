"""Stopping a crawl whose record store has failed.

A store that cannot be used (``crawler.store.StoreError``) ends the crawl at
once: every later record would be lost or half-written. Whoever meets the error
(a pipeline, the spider, the image store, the story step) calls
:func:`store_failed`; the crawl commands read the ``store/error`` stat and exit
with ``crawler.exitcodes.STORE`` and the one-line message.
"""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro

from crawler.store import StoreError

logger = logging.getLogger(__name__)

STORE_ERROR_STAT = "store/error"


def store_failed(crawler: Crawler, error: StoreError) -> None:
    """Record the first store error of a crawl (one log line) and close the spider."""
    if crawler.stats.get_value(STORE_ERROR_STAT):
        return
    crawler.stats.set_value(STORE_ERROR_STAT, str(error))
    logger.error("%s; stopping the crawl", error)
    engine = crawler.engine
    if engine is not None and engine.spider is not None:
        closing = deferred_from_coro(engine.close_spider_async(reason="store_error"))
        closing.addErrback(lambda _: None)  # the engine was already closing the spider: nothing more to do
