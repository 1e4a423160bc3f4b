"""Project commands for the scrapy CLI (COMMANDS_MODULE), and what the crawl commands share.

``scrapy crawl`` (this package's ``crawl``, which replaces Scrapy's) and
``scrapy crawlall`` check their arguments, settings and record store before
anything runs (:func:`preflight`), and exit with the store's code when the
store failed during the crawl (:func:`store_outcome`): one line on stderr, an
exit code from ``crawler.exitcodes``, never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from typing import Any

from crawler import exitcodes
from crawler.options import OptionError, check_arguments, check_settings
from crawler.stop import STORE_ERROR_STAT
from crawler.store import StoreError, open_store, store_location


def fail(message: str) -> None:
    """One line on stderr, as every error a person must act on."""
    print("error: " + " ".join(message.split()), file=sys.stderr)


def preflight(settings: Any, arguments: Mapping[str, Any], spider_classes: Iterable[type]) -> int | None:
    """Check ``-a`` arguments, ``-s`` settings and the record store; the exit code to stop with, or None."""
    try:
        check_settings(settings)
        check_arguments(arguments, spider_classes)
    except OptionError as error:
        fail(str(error))
        return exitcodes.USAGE
    try:
        store = open_store(store_location(settings.get("RECORD_STORE")))
        try:
            store.check()
        finally:
            store.close()
    except StoreError as error:
        fail(str(error))
        return exitcodes.STORE
    return None


def store_outcome(crawlers: Iterable[Any]) -> int | None:
    """``exitcodes.STORE`` (and its one line) when the store failed during one of these crawls, else None."""
    for crawler in crawlers:
        message = crawler.stats.get_value(STORE_ERROR_STAT) if crawler.stats else None
        if message:
            fail(f"{message} (the crawl stopped; what was not stored was not written)")
            return exitcodes.STORE
    return None
