"""``scrapy crawlall``: the scheduled job. Every enabled provider, the story step, a summary, an exit code.

    scrapy crawlall                      # every enabled provider of the registry
    scrapy crawlall technode techstory   # these only
    scrapy crawlall -a since=2026-11-01  # spider arguments go to every provider
    scrapy crawlall -a demo=1            # each provider's bundled site, offline (crawler.demo)

One run at a time: a lock file (``CRAWLALL_LOCK``) makes a second run exit at
once; a lock left by a killed run is detected (its process is gone) and taken
over. After the crawls, the records they wrote are related across providers
in one story step. The run summary is logged as one line and written as JSON
to ``RUN_SUMMARY_DIR`` (``run-<start>.json`` and ``latest.json``).

Exit codes (``crawler.exitcodes``): 0 healthy; 1 a health check failed (see
crawler/health.py); 2 the registry, an argument or a setting is wrong; 74 the
record store cannot be used; 75 another run holds the lock.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import logging
import os
import sys
import time
from pathlib import Path

from scrapy import signals
from scrapy.commands import BaseRunSpiderCommand
from scrapy.exceptions import UsageError

from crawler import exitcodes
from crawler.clock import reference_time, utc_now
from crawler.commands import check_options, checked_store, fail, store_outcome
from crawler.demo.launch import serve_demo
from crawler.extensions import relate_stories
from crawler.health import HealthLimits, ProviderRun, check, load_history, summary_dict
from crawler.publishing.files import write_atomic
from crawler.record import Record
from crawler.registry import load_registry
from crawler.store import StoreError

logger = logging.getLogger(__name__)


class RunLock:
    """An exclusive lock held for the whole run (``flock``: the kernel releases it when a process dies)."""

    def __init__(self, path: Path):
        self.path = path
        self._file = None

    def acquire(self) -> tuple[bool, str]:
        """(acquired, what the lock file said about its previous holder)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(self.path, "a+")  # noqa: SIM115 (held until release)
        self._file.seek(0)
        previous = self._file.read().strip()
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._file.close()
            self._file = None
            return False, previous
        self._file.seek(0)
        self._file.truncate()
        self._file.write(f"pid {os.getpid()} since {utc_now():%Y-%m-%dT%H:%M:%SZ}\n")
        self._file.flush()
        return True, previous

    def release(self) -> None:
        if self._file is not None:
            self._file.seek(0)
            self._file.truncate()
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


class Command(BaseRunSpiderCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[options] [provider …]"

    def short_desc(self) -> str:
        return "Crawl every enabled provider, relate stories, write a run summary (for cron)"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        registry = load_registry(self.settings.get("PROVIDER_REGISTRY"))
        unknown = [key for key in args if key not in registry]
        if unknown:
            raise UsageError(f"not in the registry: {', '.join(unknown)}")
        keys = args or [p.key for p in registry if p.enabled]
        loader = self.crawler_process.spider_loader
        stop = check_options(self.settings, opts.spargs, [loader.load(key) for key in keys])
        if stop is not None:
            self.exitcode = stop
            return

        lock = RunLock(Path(self.settings.get("CRAWLALL_LOCK")))
        acquired, previous = lock.acquire()
        if not acquired:
            print(f"crawlall: another run holds {lock.path} ({previous or 'no details'}); exiting", file=sys.stderr)
            self.exitcode = exitcodes.LOCKED
            return
        if previous:
            logger.warning("Taking over the lock of a run that did not finish (%s)", previous)
        try:
            with checked_store(self.settings) as stop:
                self.exitcode = stop if stop is not None else self._crawl(keys, opts)
        finally:
            lock.release()

    def _crawl(self, keys: list[str], opts: argparse.Namespace) -> int:
        started = utc_now()
        clock = time.monotonic()
        # The story step runs once for all providers below, not at the end of each crawl.
        self.settings.set("STORIES_ENABLED", False, priority="cmdline")
        written: list[str] = []

        def remember(item, response, spider):
            if isinstance(item, Record) and not item.unchanged:
                written.append(item.web_url)

        crawlers = {}
        for key in keys:
            crawler = self.crawler_process.create_crawler(key)
            crawler.signals.connect(remember, signal=signals.item_scraped, weak=False)
            crawlers[key] = crawler
            self.crawler_process.crawl(crawler, **serve_demo(crawler, opts.spargs))
        self.crawler_process.start()
        failed = store_outcome(crawlers.values())
        if failed is not None:
            return failed  # no story step and no health verdict on a store that does not work
        try:
            stories = self._relate(written)
        except StoreError as error:
            fail(str(error))
            return exitcodes.STORE
        summary_dir = Path(self.settings.get("RUN_SUMMARY_DIR"))
        limits = HealthLimits(
            max_error_rate=self.settings.getfloat("HEALTH_MAX_ERROR_RATE"),
            max_coverage_drop=self.settings.getfloat("HEALTH_MAX_COVERAGE_DROP"),
            history=self.settings.getint("HEALTH_HISTORY"),
        )
        runs, problems = [], []
        for key, crawler in crawlers.items():
            run = ProviderRun.from_stats(key, crawler.stats.get_stats() if crawler.stats else {})
            runs.append(run)
            problems += check(run, load_history(summary_dir, key), limits)
        summary = summary_dict(f"{started:%Y-%m-%dT%H:%M:%SZ}", time.monotonic() - clock, runs, problems, stories)
        data = json.dumps(summary, indent=1, ensure_ascii=False).encode("utf-8")
        write_atomic(summary_dir / f"run-{started:%Y%m%dT%H%M%SZ}.json", data)
        write_atomic(summary_dir / "latest.json", data)
        logger.info("Run summary: %s", json.dumps(summary, ensure_ascii=False, separators=(",", ":")))
        for problem in problems:
            logger.error("Health check failed: %s", problem)
            print(f"crawlall: health check failed: {problem}", file=sys.stderr)
        return exitcodes.UNHEALTHY if problems else exitcodes.OK

    def _relate(self, written: list[str]) -> dict:
        """The story step over what the crawls wrote, and what an interrupted run left pending."""
        _, result = relate_stories(self.settings, reference_time(self.settings), written)
        return {"related": result.related, "rewritten": result.rewritten}
