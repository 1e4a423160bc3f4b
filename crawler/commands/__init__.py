"""Project commands for the scrapy CLI (COMMANDS_MODULE), and what the crawl commands share.

``scrapy crawl`` (this package's ``crawl``, which replaces Scrapy's) and
``scrapy crawlall`` check their arguments, settings and record store before
anything runs (:func:`check_options`, :func:`checked_store`), and exit with the store's code when the
store failed during the crawl (:func:`store_outcome`): one line on stderr, an
exit code from ``crawler.exitcodes``, never a traceback. The other project commands
that read settings (``check``, ``providers``, ``render``, ``stories``, ``report``) check
them with :func:`check_options` too, and so read the same anchored paths.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from scrapy.exceptions import UsageError

from crawler import exitcodes
from crawler.options import OptionError, check_arguments, check_settings
from crawler.paths import anchor_paths
from crawler.seal import KEY_ENV_VAR, KEY_FILE, SealError, check_key_for_store
from crawler.stop import STORE_ERROR_STAT
from crawler.store import StoreError, acquire, release


def fail(message: str) -> None:
    """One line on stderr, as every error a person must act on."""
    print("error: " + " ".join(message.split()), file=sys.stderr)


def check_options(
    settings: Any, arguments: Mapping[str, Any] | None = None, spider_classes: Iterable[type] = ()
) -> int | None:
    """Check ``-a`` arguments and ``-s`` settings: the exit code to stop with (said in one line), or None.

    First, every relative path setting is anchored to the project folder (``crawler.paths``):
    whatever reads a setting after this reads the absolute path.
    """
    try:
        anchor_paths(settings)
        check_settings(settings)
        check_arguments(arguments or {}, spider_classes)
    except OptionError as error:
        fail(str(error))
        return exitcodes.USAGE
    return None


@contextmanager
def checked_store(settings: Any) -> Iterator[int | None]:
    """Open and check the record store, then hold it for the block (the whole run).

    Yields ``exitcodes.STORE`` (having said why, in one line) when the store cannot be
    used, ``exitcodes.SEAL_KEY`` when it holds records but their seal key is missing
    (a new key would be made, and open none of their tokens), else None; the store
    stays open, shared by every crawl and the story step of the run
    (``crawler.store.acquire``), until the block ends.
    """
    try:
        store = acquire(settings)
    except StoreError as error:
        fail(str(error))
        yield exitcodes.STORE
        return
    try:
        store.check()
        key_file = Path(settings.get("SEAL_KEY_FILE") or KEY_FILE)
        check_key_for_store(settings.get("SEAL_KEY_ENV") or KEY_ENV_VAR, key_file, store.count, store.location)
    except (StoreError, SealError) as error:
        fail(str(error))
        release(store)
        yield exitcodes.STORE if isinstance(error, StoreError) else exitcodes.SEAL_KEY
        return
    try:
        yield None
    finally:
        release(store)


def stopped_by(crawlers: Iterable[Any], stat: str, code: int, consequence: str) -> int | None:
    """``code`` (and its one line: the stat's message and ``consequence``) when one of these crawls
    was stopped with ``stat`` set, else None."""
    for crawler in crawlers:
        message = crawler.stats.get_value(stat) if crawler.stats else None
        if message:
            fail(f"{message} ({consequence})")
            return code
    return None


def store_outcome(crawlers: Iterable[Any]) -> int | None:
    """``exitcodes.STORE`` (and its one line) when the store failed during one of these crawls, else None."""
    consequence = "the crawl stopped; what was not stored was not written"
    return stopped_by(crawlers, STORE_ERROR_STAT, exitcodes.STORE, consequence)


@contextmanager
def prepared_crawl(
    runner: Any, settings: Any, spider: str, arguments: Mapping[str, Any]
) -> Iterator[tuple[int | None, Any, dict[str, Any]]]:
    """Everything ``scrapy crawl <spider>`` does around the crawl itself, for any crawler runner.

    Yields ``(stop, crawler, spider_arguments)``: ``stop`` is the exit code to end with
    before crawling (bad options, unusable store; said in one line), else None, and the
    caller runs ``crawler`` with ``spider_arguments`` (the demo's start URLs added) while
    the block holds the store. An unknown spider is a UsageError.
    """
    from crawler.demo.launch import demo_world, serve_demo  # the demo's server, only when a crawl is prepared

    try:
        spider_class = runner.spider_loader.load(spider)
    except KeyError:
        raise UsageError(f"no spider named {spider!r} (scrapy list shows them)") from None
    demo_world(settings, arguments)
    stop = check_options(settings, arguments, [spider_class])
    if stop is not None:
        yield stop, None, {}
        return
    with checked_store(settings) as stop:
        if stop is not None:
            yield stop, None, {}
            return
        crawler = runner.create_crawler(spider)
        yield None, crawler, serve_demo(crawler, dict(arguments))


def crawl_outcome(crawler: Any, runner: Any) -> int:
    """The exit code of a finished crawl: the store's when it failed, 1 when Scrapy could not start it, else 0."""
    failed = store_outcome([crawler])
    if failed is not None:
        return failed
    return exitcodes.UNHEALTHY if runner.bootstrap_failed else exitcodes.OK
