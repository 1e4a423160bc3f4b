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
import subprocess
import sys
import time
from pathlib import Path

from scrapy import signals
from scrapy.commands import BaseRunSpiderCommand
from scrapy.exceptions import UsageError
from scrapy.settings import SETTINGS_PRIORITIES

from crawler import cluster, exitcodes
from crawler.clock import reference_time, utc_now
from crawler.commands import check_options, checked_store, fail, stopped_by, store_outcome
from crawler.demo.launch import demo_closing_line, demo_requested, demo_world, serve_demo
from crawler.extensions import relate_stories
from crawler.health import HealthLimits, ProviderRun, check, load_history, prune_summaries, summary_dict
from crawler.publishing.files import write_atomic
from crawler.record import Record
from crawler.registry import load_registry
from crawler.seal import KEY_ENV_VAR
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
        demo_world(self.settings, opts.spargs)
        stop = check_options(self.settings, opts.spargs, [loader.load(key) for key in keys])
        if stop is not None:
            self.exitcode = stop
            return

        if cluster.redis_url(self.settings):
            self.exitcode = self._cluster(keys, opts)
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

    def _crawl(self, keys: list[str], opts: argparse.Namespace, run: cluster.Run | None = None) -> int:
        """The crawls of these providers, then (unless a cluster worker) the story step, summary and health."""
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
            crawler.cluster_run = run  # None outside cluster mode (crawler/cluster.py reads it)
            crawler.signals.connect(remember, signal=signals.item_scraped, weak=False)
            crawlers[key] = crawler
            self.crawler_process.crawl(crawler, **serve_demo(crawler, opts.spargs, closing_line=False))
        self.crawler_process.start()
        failed = store_outcome(crawlers.values()) or cluster_outcome(crawlers.values())
        if failed is not None:
            return failed  # no story step and no health verdict on a store or queue that does not work
        leader = run is None or self.settings.getbool("CLUSTER_LEADER")
        if not leader:
            return exitcodes.OK  # the leader relates, sums up and judges the run
        stats = {key: crawler.stats.get_stats() if crawler.stats else {} for key, crawler in crawlers.items()}
        if run is not None:
            stats = {key: run_stats(run, key, own) for key, own in stats.items()}
        try:
            stories = self._relate(written)
        except StoreError as error:
            fail(str(error))
            return exitcodes.STORE
        summary_dir = Path(self.settings.get("RUN_SUMMARY_DIR"))
        limits = HealthLimits(
            max_error_rate=self.settings.getfloat("HEALTH_MAX_ERROR_RATE"),
            min_failures=self.settings.getint("HEALTH_MIN_FAILURES"),
            max_coverage_drop=self.settings.getfloat("HEALTH_MAX_COVERAGE_DROP"),
            history=self.settings.getint("HEALTH_HISTORY"),
        )
        runs, problems = [], []
        for key in crawlers:
            provider_run = ProviderRun.from_stats(key, stats[key])
            runs.append(provider_run)
            problems += check(provider_run, load_history(summary_dir, key), limits)
        summary = summary_dict(f"{started:%Y-%m-%dT%H:%M:%SZ}", time.monotonic() - clock, runs, problems, stories)
        if run is not None:
            summary["run"] = run.id
            summary["workers"] = len(run.workers())
        data = json.dumps(summary, indent=1, ensure_ascii=False).encode("utf-8")
        write_atomic(summary_dir / f"run-{started:%Y%m%dT%H%M%SZ}.json", data)
        write_atomic(summary_dir / "latest.json", data)
        prune_summaries(summary_dir, self.settings.getint("RUN_SUMMARY_KEEP"))
        logger.info("Run summary: %s", json.dumps(summary, ensure_ascii=False, separators=(",", ":")))
        for problem in problems:
            logger.error("Health check failed: %s", problem)
            print(f"crawlall: health check failed: {problem}", file=sys.stderr)
        if demo_requested(opts.spargs):
            demo_closing_line(crawlers.values())
        return exitcodes.UNHEALTHY if problems else exitcodes.OK

    def _cluster(self, keys: list[str], opts: argparse.Namespace) -> int:
        """Cluster mode: lead a new run or join the current one (crawler/cluster.py), then crawl as its worker."""
        store_url = self.settings.get("RECORD_STORE")
        if not store_url.startswith(("postgresql://", "postgres://")):  # as crawler.store.open_store tells them
            fail("cluster mode (CLUSTER_REDIS_URL) needs a PostgreSQL record store: RECORD_STORE=postgresql://…")
            return exitcodes.USAGE
        if not os.environ.get(KEY_ENV_VAR):
            fail(f"cluster mode needs the seal key in {KEY_ENV_VAR} on every worker (one key for the whole run)")
            return exitcodes.USAGE
        client_url = cluster.redis_url(self.settings)
        try:
            client = cluster.connect(client_url)
        except cluster.ClusterError as error:
            fail(str(error))
            return exitcodes.UNAVAILABLE
        with checked_store(self.settings) as stop:
            if stop is not None:
                return stop
            try:
                leadership = cluster.Leadership(store_url, self.settings.get("CLUSTER_NAME"))
            except cluster.ClusterError as error:
                fail(str(error))
                return exitcodes.STORE
            try:
                return self._work(keys, opts, client, client_url, leadership)
            except cluster.ClusterError as error:
                fail(str(error))
                return exitcodes.UNAVAILABLE if "Redis" in str(error) else exitcodes.USAGE
            except cluster.redis_errors() as error:
                fail(f"Redis went away: {error}")
                return exitcodes.UNAVAILABLE
            finally:
                leadership.release()

    def _work(self, keys, opts, client, client_url: str, leadership: cluster.Leadership) -> int:
        name, timeout = self.settings.get("CLUSTER_NAME"), self.settings.getfloat("CLUSTER_JOIN_TIMEOUT")
        worker_timeout = self.settings.getint("CLUSTER_WORKER_TIMEOUT")
        run, leader = cluster.join(client, name, leadership, timeout, utc_now(), worker_timeout)
        helpers: list[subprocess.Popen] = []
        try:
            folders = cluster.shared_folders(self.settings)
            if leader:
                run.begin(keys)
                cluster.mark_output(folders, run)
                logger.info("Leading run %s (%s) as %s", run.id, ", ".join(keys), run.worker)
                workers = self.settings.getint("CRAWLALL_WORKERS") - 1
                helpers = start_local_workers(workers, keys, opts, self.settings)
            else:
                cluster.check_output(folders, run)
                keys = sorted(run.providers())
                logger.info("Joining run %s (%s) as %s", run.id, ", ".join(keys), run.worker)
            run.heartbeat()
            self.settings.setdict(cluster_settings(run, leader, client_url), priority="cmdline")
            code = self._crawl(keys, opts, run)
            for helper in helpers:  # they leave once the run's queues have drained
                helper.wait()
            return code
        finally:
            for helper in helpers:
                if helper.poll() is None:
                    helper.terminate()
            run.leave()
            if leader:
                run.finish()

    def _relate(self, written: list[str]) -> dict:
        """The story step over what the crawls wrote, and what an interrupted run left pending."""
        _, result = relate_stories(self.settings, reference_time(self.settings), written)
        return {"related": result.related, "rewritten": result.rewritten}


def cluster_settings(run: cluster.Run, leader: bool, url: str) -> dict:
    """The settings that make this process's crawls workers of ``run`` (scrapy-redis's queue and dupefilter)."""
    return {
        "SCHEDULER": "crawler.cluster.ClusterScheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "REDIS_URL": url,
        "SCHEDULER_QUEUE_KEY": run.queue_key(),
        "SCHEDULER_DUPEFILTER_KEY": run.dupefilter_key(),
        "SCHEDULER_PERSIST": True,  # the run's keys are shared; they expire with the run
        "SCHEDULER_IDLE_BEFORE_CLOSE": 0,  # never a blocking pop: the reactor keeps running
        "CLUSTER_LEADER": leader,
    }


def cluster_outcome(crawlers) -> int | None:
    """``exitcodes.UNAVAILABLE`` (and its one line) when Redis failed during one of these crawls, else None."""
    consequence = "this worker stopped; what it had not stored, another worker or the next run fetches"
    return stopped_by(crawlers, cluster.CLUSTER_ERROR_STAT, exitcodes.UNAVAILABLE, consequence)


def run_stats(run: cluster.Run, provider: str, own: dict) -> dict:
    """A provider's stats over the whole run: the leader's and, once they have said them, the other workers'."""
    deadline = time.monotonic() + run.timeout
    while True:
        reported = run.stats(provider)
        waiting = [w for w in run.workers() if w != run.worker and w not in reported and run.alive(w)]
        if not waiting or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    return cluster.merged_stats(own, (stats for worker, stats in reported.items() if worker != run.worker))


def start_local_workers(count: int, keys: list[str], opts: argparse.Namespace, settings) -> list[subprocess.Popen]:
    """``CRAWLALL_WORKERS``: more worker processes of this run on this machine: this command again, with the
    same providers, ``-a`` arguments and command-line settings, one worker each."""
    command = [sys.executable, "-m", "scrapy", "crawlall", *keys]
    for name, value in opts.spargs.items():
        command += ["-a", f"{name}={value}"]
    cmdline = SETTINGS_PRIORITIES["cmdline"]
    for name, value in settings.attributes.items():
        if value.priority == cmdline and name != "CRAWLALL_WORKERS":
            command += ["-s", f"{name}={_setting_text(value.value)}"]
    command += ["-s", "CRAWLALL_WORKERS=1"]
    return [subprocess.Popen(command, env=os.environ.copy()) for _ in range(max(0, count))]


def _setting_text(value) -> str:
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)
