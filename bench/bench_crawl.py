"""Benchmark: a whole `scrapy crawlall` over a site of real pages, with one worker process or several.

    python bench/bench_crawl.py                        # one process, 800 real pages (tests/real_site.py)
    python bench/bench_crawl.py --pages 300
    python bench/bench_crawl.py --workers 1,2,4        # also 2 and 4 workers (cluster mode: Redis, PostgreSQL)
    python bench/bench_crawl.py --workers 1,2 --dry-run  # print the command lines only

The site is a :class:`tests.real_site.RealSite` of ``--pages`` real third-party pages (the
shared development sets: 978 pages at most), served from this process on 127.0.0.1, with
its feed (the newest 50) and its sitemap (all pages) as the one provider's sources. Each
row is a first run on a fresh store, so every page is fetched: the real command in a
subprocess, as cron starts it, with the tests' crawl settings (no AutoThrottle, no download
delay, no look-back window, no image store: the pages' images are on their real hosts).

- 1 worker: ``scrapy crawlall`` in one process, a SQLite store in a temporary folder
  (``--one-store postgresql`` puts it in a fresh PostgreSQL schema like the others).
- n > 1 workers: the same command with ``-s CRAWLALL_WORKERS=n``, ``-s
  CLUSTER_REDIS_URL=<--redis>`` and ``-s RECORD_STORE=<--postgres>`` on a fresh schema
  (created, and dropped afterwards). Cluster mode is new: a setting that
  ``crawler/settings.py`` does not define yet is reported, and that row is not run
  (Scrapy would accept an unknown ``-s`` silently and run one process). When the project
  has them, ``CLUSTER_NAME`` is set to a name of this benchmark's own (so that it never
  joins another run on the same Redis) and ``CLUSTER_PROVIDER_WORKERS=0`` (every worker may
  serve the site's one provider: the default lets one worker serve a provider at a time).

It prints, per worker count: the wall time of the command (start-up, crawl, story step),
pages/s (article pages fetched over that time), the speed-up against the 1-worker row,
CPU ms per page of the crawl's processes (the command and the worker processes it waited
for; the server's own CPU, threads of this process, separately), the article pages
requested more than once, documents written and records dropped, the exit code, and the
machine's 1-minute load average before and after (``os.getloadavg``), and how long the
crawl's threads were ready to run but waited for a CPU (``/proc/<pid>/task/*/schedstat``,
sampled over the process tree): other work on the machine slows a row down, and these say
when it did. On a busy machine more workers also get a bigger share of the CPUs than one
process does, which flatters the speed-up: read it with the wait column.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import crawler.settings as project_settings  # noqa: E402 (imports after the path is set)
from crawler.demo import server as demo_server  # noqa: E402
from crawler.demo.server import SiteServer  # noqa: E402
from tests.crawling import SEAL_KEY_HEX  # noqa: E402
from tests.real_site import RealSite, available  # noqa: E402

CLUSTER_SETTINGS = ("CRAWLALL_WORKERS", "CLUSTER_REDIS_URL")  # what an n > 1 row needs the project to know
TAIL = 1500  # characters of a failed run's stderr to show


@dataclass
class Row:
    workers: int
    command: list[str]
    seconds: float = 0.0
    cpu: float = 0.0  # seconds, the crawl's processes
    waited: float | None = None  # seconds the crawl's threads waited for a CPU (run queue), summed
    server_cpu: float = 0.0  # seconds, this process (the site server's threads)
    pages: int = 0  # distinct article pages requested
    repeated: int = 0  # article requests beyond the first for a page
    documents: int = 0
    dropped: int = 0
    exit: int | None = None
    wrap: str = ""  # a command the row's command runs under (--wrap)
    load_before: float = 0.0
    load_after: float = 0.0
    note: str = ""


def known(name: str) -> bool:
    """Whether the project defines a setting (crawler/settings.py): Scrapy takes any -s name without a word."""
    return hasattr(project_settings, name)


@contextmanager
def postgres_schema(url: str):
    """A PostgreSQL store URL on a fresh schema (dropped afterwards)."""
    import psycopg

    admin = psycopg.connect(url, autocommit=True, connect_timeout=5)
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in url else "?"
    try:
        yield f"{url}{separator}options=-csearch_path%3D{schema}"
    finally:
        admin.execute(f"DROP SCHEMA {schema} CASCADE")
        admin.close()


def command(workdir: Path, site: RealSite, base_url: str, store: str, workers: int, args) -> list[str]:
    settings = {
        "PROVIDER_REGISTRY": str(workdir / "providers.yaml"),
        "OUTPUT_DIR": str(workdir / "output"),
        "RECORD_STORE": store,
        "CRAWLALL_LOCK": str(workdir / "state" / "crawlall.lock"),
        "RUN_SUMMARY_DIR": str(workdir / "runs"),
        "AUTOTHROTTLE_ENABLED": "False",
        "DOWNLOAD_DELAY": "0",
        "LOOKBACK_DAYS": "0",  # the pages span 2003 to 2026
        "IMAGES_STORE": "",  # the lead images are on the pages' real hosts: nothing but 127.0.0.1 is fetched
        "LOG_LEVEL": "INFO",
    }
    if workers > 1:
        settings["CRAWLALL_WORKERS"] = str(workers)
        settings["CLUSTER_REDIS_URL"] = args.redis
        if known("CLUSTER_NAME"):
            settings["CLUSTER_NAME"] = f"bench-{uuid.uuid4().hex[:8]}"
        if known("CLUSTER_PROVIDER_WORKERS"):
            settings["CLUSTER_PROVIDER_WORKERS"] = "0"
    for pair in args.setting:
        name, _, value = pair.partition("=")
        settings[name] = value
    line = [sys.executable, "-m", "scrapy", "crawlall", "-a", f"start_urls={site.start_urls(base_url)}"]
    for name, value in settings.items():
        line += ["-s", f"{name}={value}"]
    return line


class RunQueueWait:
    """How long a process tree's threads were ready to run but waited for a CPU (Linux ``schedstat``).

    Sampled while the tree runs (every thread's last reading counts), so the few milliseconds
    between a thread's last sample and its end are missed. ``None`` where there is no ``/proc``.
    """

    def __init__(self, pid: int):
        self.pid = pid
        self.seen: dict[tuple[int, int], int] = {}  # (pid, tid) -> run-queue wait, ns
        self.available = Path(f"/proc/{pid}/task").exists()

    def _tree(self) -> list[int]:
        pids, queue = [], [self.pid]
        while queue:
            pid = queue.pop()
            pids.append(pid)
            for task in Path(f"/proc/{pid}/task").glob("*/children"):
                try:
                    queue += [int(child) for child in task.read_text().split()]
                except OSError:
                    continue
        return pids

    def sample(self) -> None:
        if not self.available:
            return
        for pid in self._tree():
            for stat in Path(f"/proc/{pid}/task").glob("*/schedstat"):
                try:
                    waited = int(stat.read_text().split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                self.seen[(pid, int(stat.parent.name))] = waited

    @property
    def seconds(self) -> float | None:
        return sum(self.seen.values()) / 1e9 if self.available else None


def run_row(row: Row, workdir: Path, site: RealSite, server: SiteServer) -> None:
    env = {**os.environ, "CRAWLER_SEAL_KEY": SEAL_KEY_HEX, "PYTHONPATH": str(REPO)}
    server.requests.clear()
    log = workdir / "crawl.log"
    children, own = resource.getrusage(resource.RUSAGE_CHILDREN), resource.getrusage(resource.RUSAGE_SELF)
    row.load_before = os.getloadavg()[0]
    started = time.monotonic()
    with log.open("w", encoding="utf-8") as stderr:
        wrapper = [part.replace("{row}", str(workdir)) for part in shlex.split(row.wrap)]
        process = subprocess.Popen(wrapper + row.command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
        waits = RunQueueWait(process.pid)
        while process.poll() is None:
            waits.sample()
            time.sleep(0.2)
    row.seconds = time.monotonic() - started
    row.waited = waits.seconds
    row.load_after = os.getloadavg()[0]
    children_after, own_after = resource.getrusage(resource.RUSAGE_CHILDREN), resource.getrusage(resource.RUSAGE_SELF)
    row.cpu = (children_after.ru_utime - children.ru_utime) + (children_after.ru_stime - children.ru_stime)
    row.server_cpu = (own_after.ru_utime - own.ru_utime) + (own_after.ru_stime - own.ru_stime)
    row.exit = process.returncode
    requests = site.article_requests(list(server.requests))
    row.pages = len(requests)
    row.repeated = sum(requests.values()) - len(requests)
    row.documents = sum(1 for _ in (workdir / "output").rglob("*.md")) if (workdir / "output").exists() else 0
    try:
        summary = json.loads((workdir / "runs" / "latest.json").read_text(encoding="utf-8"))
        row.dropped = sum(
            sum(p.get("dropped", {}).values()) + p.get("failed", 0) for p in summary["providers"].values()
        )
    except (OSError, ValueError, KeyError):
        row.note = "no run summary"
    if process.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-TAIL:]
        print(
            f"\n{row.workers} worker(s): exit {process.returncode}; the end of its log ({log}):\n{tail}\n", flush=True
        )


def table(rows: list[Row]) -> str:
    base = next((r for r in rows if r.workers == 1 and r.exit is not None and r.pages), None)
    columns = (
        ("workers", 7), ("seconds", 8), ("pages/s", 8), ("speed-up", 8), ("CPU ms/page", 11),
        ("server ms/page", 14), ("CPU wait s", 10), ("refetched", 9), ("documents", 9), ("dropped", 7),
        ("exit", 4), ("load before → after", 19),
    )  # fmt: skip
    lines = [" ".join(f"{name:>{width}}" for name, width in columns) + "  note"]
    for r in rows:
        if r.exit is None:
            cells = [str(r.workers), *["-"] * (len(columns) - 2), ""]
        else:
            per_page = 1000 / r.pages if r.pages else 0.0
            cells = [
                str(r.workers),
                f"{r.seconds:.1f}",
                f"{r.pages / r.seconds:.1f}" if r.seconds else "-",
                f"{base.seconds / r.seconds:.2f}x" if base and r.seconds and r.pages else "-",
                f"{r.cpu * per_page:.1f}",
                f"{r.server_cpu * per_page:.1f}",
                f"{r.waited:.1f}" if r.waited is not None else "-",
                str(r.repeated),
                str(r.documents),
                str(r.dropped),
                str(r.exit),
                f"{r.load_before:.2f} → {r.load_after:.2f}",
            ]
        lines.append(
            " ".join(f"{cell:>{width}}" for cell, (_, width) in zip(cells, columns, strict=True)) + f"  {r.note}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/bench_crawl.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=800, help="real pages in the site (default 800; at most 978)")
    parser.add_argument("--workers", default="1", help="comma-separated worker counts (default 1), e.g. 1,2,4")
    parser.add_argument("--feed-size", type=int, default=50, help="pages the feed lists (default 50)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0", help="CLUSTER_REDIS_URL for n > 1")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("CRAWLER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"),
        help="PostgreSQL database for n > 1 (a fresh schema in it per row, dropped afterwards)",
    )
    parser.add_argument("--one-store", choices=("sqlite", "postgresql"), default="sqlite", help="the 1-worker store")
    parser.add_argument("--setting", "-s", action="append", default=[], metavar="NAME=VALUE", help="more -s settings")
    parser.add_argument("--dry-run", action="store_true", help="print the command lines, run nothing")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (site, output, logs)")
    parser.add_argument(
        "--wrap",
        default="",
        metavar="COMMAND",
        help="run each row's command under this one, {row} replaced by the row's folder, e.g. a profiler:"
        " 'py-spy record --subprocesses --format raw -o {row}/profile.txt --'",
    )
    args = parser.parse_args(argv)
    try:
        counts = [int(n) for n in args.workers.split(",") if n.strip()]
    except ValueError:
        parser.error(f"--workers: not a list of numbers: {args.workers!r}")
    if not counts or min(counts) < 1:
        parser.error("--workers: numbers of 1 or more")
    total = available()
    if not total:
        parser.error("the shared data sets (../shared/datasets) are not present")
    if not 0 < args.pages <= total:
        parser.error(f"--pages: between 1 and {total}")

    folder = Path(tempfile.mkdtemp(prefix="bench-crawl-"))
    try:
        site = RealSite.create(folder / "site", count=args.pages, feed_size=args.feed_size)
        mirrored = sum(page.mirrored for page in site.pages)
        with SiteServer(site.root) as server:
            print(
                f"RealSite: {len(site.pages)} real pages ({mirrored} at their original paths), feed of"
                f" {len(site.feed_pages())}, at {server.base_url} (listen backlog"
                f" {demo_server._QuietServer.request_queue_size}); {os.cpu_count()} CPUs; load average"
                f" {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
                flush=True,
            )
            rows = []
            for workers in counts:
                workdir = folder / f"work-{workers}-{len(rows)}"
                workdir.mkdir()
                site.registry(workdir / "providers.yaml")
                missing = [name for name in CLUSTER_SETTINGS if not known(name)] if workers > 1 else []
                cluster = workers > 1 or args.one_store == "postgresql"
                placeholder = f"{args.postgres}?options=-csearch_path%3D<fresh schema>"
                sqlite = str(workdir / "state" / "records.sqlite")
                row = Row(
                    workers, command(workdir, site, server.base_url, placeholder if cluster else sqlite, workers, args)
                )
                row.wrap = args.wrap
                rows.append(row)
                print(f"\n{workers} worker(s): {' '.join(row.command)}", flush=True)
                if missing:
                    row.note = f"not run: {', '.join(missing)} unknown (not in crawler/settings.py)"
                    print(f"  {row.note}", flush=True)
                    continue
                if args.dry_run:
                    row.note = "dry run"
                    continue
                if cluster:
                    try:
                        with postgres_schema(args.postgres) as store:
                            row.command = command(workdir, site, server.base_url, store, workers, args)
                            run_row(row, workdir, site, server)
                    except Exception as error:  # no driver, no server: say so in the table
                        if row.exit is None:
                            row.note = f"not run: PostgreSQL at {args.postgres}: {error}"
                            print(f"  {row.note}", flush=True)
                            continue
                        raise
                else:
                    run_row(row, workdir, site, server)
                print(f"  {row.seconds:.1f} s, exit {row.exit}", flush=True)
        print()
        print(table(rows))
        print(
            "\nseconds: the whole command (start-up, crawl, story step); pages/s: article pages fetched per second"
            " of it; CPU ms/page: the crawl's processes; server ms/page: this process, which serves the site;"
            " CPU wait s: time the crawl's threads were ready to run but waited for a CPU (other work on the"
            " machine, or more workers than CPUs); refetched: article requests beyond one per page"
        )
    finally:
        if args.keep:
            print(f"\nKept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
