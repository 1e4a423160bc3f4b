"""Crawls inside the test process: what ``scrapy crawl`` does, without starting a process for it.

A ``scrapy crawl`` subprocess costs about 1.5 s of start-up before it fetches
anything. Tests that only read what a crawl wrote (documents, stats, the log,
the requests a local server saw) run the crawl here instead, through the same
code as the command (``crawler/commands/crawl.py``): the project's settings
with the test's ``-s`` overrides at command-line priority, the project's spider
loader (``RegistrySpiderLoader``), the argument and setting checks, the record
store held open for the crawl and checked first, ``-a demo=1`` served by
``serve_demo``, and the same exit codes (2, 74, 1), in a :class:`CrawlResult`
of the same shape as :func:`tests.crawling.run_crawl`'s, so that a test
changes one call. Tests of the command as a process (exit codes, the lock,
signals, ``crawlall``, bad arguments, store faults, another working folder)
keep ``run_crawl``.

A Twisted reactor can be installed and started only once in a process, so the
whole test session shares one: Scrapy's asyncio reactor (what the command
uses), installed when the session starts (``tests/conftest.py``, so that every
test sees the same process, whichever ran first) and running in a thread of
its own. The test's thread hands each crawl to it and waits for the result; a
crawl's log is what reached a handler on the root logger while it ran, in the
command's format, together with what was printed on stderr meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from scrapy.settings import Settings

from tests.crawling import SEAL_KEY_HEX, CrawlResult, crawl_result, crawl_settings

ASYNCIO_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
CRAWL_TIMEOUT = 240  # seconds, as run_crawl's
SEAL_KEY_ENV = "CRAWLER_SEAL_KEY"
SETTINGS_MODULE = "crawler.settings"

logger = logging.getLogger(__name__)

_reactor_thread: threading.Thread | None = None
_loop: asyncio.AbstractEventLoop | None = None
_crawl_lock = threading.Lock()  # one crawl at a time: the log handler and the environment are the process's


# --- the session's reactor ------------------------------------------------------------------------


def start_reactor() -> None:
    """Install Scrapy's asyncio reactor and run it in a daemon thread (once per process; later calls do nothing).

    Set up as the command's process sets it up (``CrawlerProcessBase._setup_reactor``):
    Scrapy's DNS resolver, the thread pool size, Twisted's log routed to Python logging.
    """
    global _reactor_thread, _loop
    if _reactor_thread is not None:
        return
    from scrapy.utils.misc import build_from_crawler, load_object
    from scrapy.utils.reactor import install_reactor, is_asyncio_reactor_installed, is_reactor_installed

    if not is_reactor_installed():
        install_reactor(ASYNCIO_REACTOR)
    if not is_asyncio_reactor_installed():
        raise RuntimeError("another Twisted reactor was installed before the test session's asyncio reactor")
    from twisted.internet import reactor
    from twisted.python import log as twisted_log

    settings = project_settings({})
    resolver_class = load_object(settings["TWISTED_DNS_RESOLVER"])
    build_from_crawler(resolver_class, SimpleNamespace(settings=settings), reactor=reactor).install_on_reactor()
    reactor.getThreadPool().adjustPoolsize(maxthreads=settings.getint("REACTOR_THREADPOOL_MAXSIZE"))
    twisted_log.PythonLoggingObserver("twisted").start()
    _loop = reactor._asyncioEventloop
    # The loop belongs to the reactor's thread: the test thread must not find it as its current loop.
    asyncio.set_event_loop(None)
    _reactor_thread = threading.Thread(
        target=reactor.run, kwargs={"installSignalHandlers": False}, name="twisted-reactor", daemon=True
    )
    _reactor_thread.start()


def stop_reactor() -> None:
    """Stop the session's reactor (at the end of the session)."""
    global _reactor_thread
    if _reactor_thread is None:
        return
    from twisted.internet import reactor

    with contextlib.suppress(RuntimeError):
        reactor.callFromThread(reactor.stop)
    _reactor_thread.join(timeout=30)
    _reactor_thread = None


def run_in_reactor(coroutine: Any, timeout: float = CRAWL_TIMEOUT) -> Any:
    """Run a coroutine on the session's reactor (its asyncio loop) and wait for its result."""
    start_reactor()
    assert _loop is not None
    future = asyncio.run_coroutine_threadsafe(coroutine, _loop)
    try:
        return future.result(timeout=timeout)
    finally:
        future.cancel()  # a test that timed out or was interrupted leaves no crawl running


# --- settings, log and environment of one crawl ----------------------------------------------------


def project_settings(overrides: dict[str, Any]) -> Settings:
    """The project's settings (``get_project_settings``) with ``overrides`` at the priority of ``-s``."""
    from scrapy.utils.project import get_project_settings

    with _environment({"SCRAPY_SETTINGS_MODULE": SETTINGS_MODULE}):
        settings = get_project_settings()
    settings.setdict(overrides, priority="cmdline")
    return settings


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def _captured_log(settings: Settings) -> Iterator[io.StringIO]:
    """The log of one crawl as the command writes it on stderr (Scrapy's root handler), and stderr itself.

    As ``configure_logging`` and ``install_scrapy_root_handler`` set it up, for the
    crawl only: the root logger lets everything through, Scrapy's own loggers log
    from DEBUG, Twisted's from ERROR, and the handler keeps ``LOG_LEVEL`` and above.
    """
    from scrapy.utils.log import DEFAULT_LOGGING, TopLevelFormatter, _get_formatter

    text = io.StringIO()
    handler = logging.StreamHandler(text)
    handler.setFormatter(_get_formatter(handler, settings))
    handler.setLevel(settings.get("LOG_LEVEL"))
    if settings.getbool("LOG_SHORT_NAMES"):
        handler.addFilter(TopLevelFormatter(["scrapy"]))
    levels = {name: config["level"] for name, config in DEFAULT_LOGGING["loggers"].items()}
    saved = {name: logging.getLogger(name).level for name in levels}
    root_level = logging.root.level
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    logging.root.setLevel(logging.NOTSET)
    logging.root.addHandler(handler)
    try:
        with contextlib.redirect_stderr(text):
            yield text
    finally:
        logging.root.removeHandler(handler)
        logging.root.setLevel(root_level)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def spider_arguments(args: tuple[str, ...]) -> dict[str, str]:
    """``-a NAME=VALUE`` arguments as the command reads them (``arglist_to_dict``)."""
    from scrapy.utils.conf import arglist_to_dict

    return arglist_to_dict(list(args))


# --- the crawl ---------------------------------------------------------------------------------------


async def _crawl(spider: str, arguments: dict[str, str], settings: Settings) -> int:
    """``crawler.commands.crawl.Command.run`` on the running reactor: the exit code the command would give."""
    from scrapy.crawler import AsyncCrawlerRunner
    from scrapy.exceptions import UsageError

    from crawler import exitcodes
    from crawler.commands import crawl_outcome, prepared_crawl

    runner = AsyncCrawlerRunner(settings)
    try:
        with prepared_crawl(runner, settings, spider, arguments) as (stop, crawler, spider_arguments):
            if stop is not None:
                return stop
            try:
                await runner.crawl(crawler, **spider_arguments)
            except Exception:
                # The command's process logs a failed crawl task too, and exits 1 (bootstrap_failed).
                logger.exception("The crawl of %s failed", spider)
    except UsageError as error:
        print(f"Usage error: {error}", file=sys.stderr)
        return exitcodes.USAGE
    return crawl_outcome(crawler, runner)


def crawl_in_process(
    spider: str, workdir: Path, *args: str, settings: dict[str, str] | None = None, timeout: float = CRAWL_TIMEOUT
) -> CrawlResult:
    """:func:`tests.crawling.run_crawl`, in this process: ``scrapy crawl spider -a ARG…`` with the test settings.

    Output, store and stats go under ``workdir`` (``tests.crawling.crawl_settings``); the
    seal key is the tests' (``SEAL_KEY_HEX``), for the crawl. Returns the same
    :class:`CrawlResult`: the command's exit code, the stats file, the log, the documents.
    """
    all_settings = crawl_settings(workdir, settings)
    crawl_settings_object = project_settings(all_settings)
    arguments = spider_arguments(args)
    with _crawl_lock, _environment({SEAL_KEY_ENV: SEAL_KEY_HEX}), _captured_log(crawl_settings_object) as log:
        returncode = run_in_reactor(_crawl(spider, arguments, crawl_settings_object), timeout=timeout)
    return crawl_result(returncode, log.getvalue(), workdir, Path(all_settings["STATS_FILE"]))
