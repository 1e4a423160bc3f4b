"""Project commands for the scrapy CLI (COMMANDS_MODULE), and what the crawl commands share.

``scrapy crawl`` (this package's ``crawl``, which replaces Scrapy's) and
``scrapy crawlall`` check their arguments, settings and record store before
anything runs (:func:`check_options`, :func:`checked_store`), and exit with the store's code when the
store failed during the crawl (:func:`store_outcome`): one line on stderr, an
exit code from ``crawler.exitcodes``, never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from crawler import exitcodes
from crawler.options import OptionError, check_arguments, check_settings
from crawler.stop import STORE_ERROR_STAT
from crawler.store import StoreError, acquire, release


def fail(message: str) -> None:
    """One line on stderr, as every error a person must act on."""
    print("error: " + " ".join(message.split()), file=sys.stderr)


def check_options(settings: Any, arguments: Mapping[str, Any], spider_classes: Iterable[type]) -> int | None:
    """Check ``-a`` arguments and ``-s`` settings: the exit code to stop with (said in one line), or None."""
    try:
        check_settings(settings)
        check_arguments(arguments, spider_classes)
    except OptionError as error:
        fail(str(error))
        return exitcodes.USAGE
    return None


@contextmanager
def checked_store(settings: Any) -> Iterator[int | None]:
    """Open and check the record store, then hold it for the block (the whole run).

    Yields ``exitcodes.STORE`` (having said why, in one line) when the store cannot be
    used, else None; the store stays open, shared by every crawl and the story step of
    the run (``crawler.store.acquire``), until the block ends.
    """
    try:
        store = acquire(settings)
    except StoreError as error:
        fail(str(error))
        yield exitcodes.STORE
        return
    try:
        store.check()
    except StoreError as error:
        fail(str(error))
        release(store)
        yield exitcodes.STORE
        return
    try:
        yield None
    finally:
        release(store)


def store_outcome(crawlers: Iterable[Any]) -> int | None:
    """``exitcodes.STORE`` (and its one line) when the store failed during one of these crawls, else None."""
    for crawler in crawlers:
        message = crawler.stats.get_value(STORE_ERROR_STAT) if crawler.stats else None
        if message:
            fail(f"{message} (the crawl stopped; what was not stored was not written)")
            return exitcodes.STORE
    return None
