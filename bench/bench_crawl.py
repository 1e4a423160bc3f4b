"""Benchmark: a whole `scrapy crawlall` over a site of real pages, one ordinary process and 1, 2, 4 workers.

    python bench/bench_crawl.py                        # plain, and 1 and 2 workers: 800 real pages
    python bench/bench_crawl.py --workers 1,2,4 --pages 978
    python bench/bench_crawl.py --no-plain --workers 2 --wrap 'py-spy record -o {row}/profile.txt --'
    python bench/bench_crawl.py --dry-run               # print the command lines only

The site is a :class:`tests.real_site.RealSite` of ``--pages`` real third-party pages (the
shared development sets: 978 pages at most), served from this process on 127.0.0.1, with
its feed (the newest 50) and its sitemap (all pages) as the one provider's sources. Each
row is a first run on a fresh store, so every page is fetched: the real command in a
subprocess, as cron starts it, with the tests' crawl settings (no AutoThrottle, no download
delay, no look-back window, no image store: the pages' images are on their real hosts).

- ``plain``: ``scrapy crawlall`` as one ordinary process (no Redis), a SQLite store in a
  temporary folder: what a single machine runs without cluster mode (``--no-plain``: not run).
- ``n`` workers (``--workers``, default 1,2): the same command in cluster mode, ``-s
  CRAWLALL_WORKERS=n -s CLUSTER_REDIS_URL=<--redis>`` and a PostgreSQL store on a fresh
  schema of ``--postgres`` (created, and dropped afterwards), ``CLUSTER_NAME`` a name of this
  benchmark's own (it never joins another run on the same Redis) and
  ``CLUSTER_PROVIDER_WORKERS=0`` (every worker may serve the site's one provider).

It prints, per row: the wall time of the command (start-up, crawl, story step), pages/s
(article pages fetched over that time), the speed-up against the 1-worker row and against
the plain one, CPU ms per page of the crawl's processes (the command and the worker
processes it waited for), of the site server (threads of this process), and of the
machine's PostgreSQL and Redis server processes over the row (everything they did meanwhile,
so other users of them count too), the article pages requested more than once, documents
written and records dropped, the exit code, and the machine's 1-minute load average before
and after (``os.getloadavg``), and how long the crawl's threads were ready to run but waited
for a CPU (``/proc/<pid>/task/*/schedstat``, sampled over the process tree): other work on the
machine slows a row down, and these say when it did.
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

CLUSTER_SETTINGS = ("CRAWLALL_WORKERS", "CLUSTER_REDIS_URL")  # what a worker row needs the project to know
TAIL = 1500  # characters of a failed run's stderr to show


@dataclass
class Row:
    workers: int  # 0: the plain row (one ordinary process)
    command: list[str]
    seconds: float = 0.0
    cpu: float = 0.0  # seconds, the crawl's processes
    services_cpu: float = 0.0  # seconds, the PostgreSQL and Redis server processes meanwhile
    waited: float | None = None  # seconds the crawl's threads waited for a CPU (run queue), summed
    server_cpu: float = 0.0  # seconds, this process (the site server's threads)
    pages: int = 0  # distinct article pages requested
    crawl_seconds: float = 0.0  # from the first article request to the last, at the server
    before_seconds: float = 0.0  # from the command's start to its first article request
    after_seconds: float = 0.0  # from its last article request to its exit
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
    if workers:
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


SERVICES = ("postgres", "redis-server")  # the server processes whose CPU a row also costs


def services_cpu() -> float:
    """CPU seconds the machine's PostgreSQL and Redis server processes have used so far (0 without /proc)."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name, fields = text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 2 :].split()
        if name in SERVICES:
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def run_row(row: Row, workdir: Path, site: RealSite, server: SiteServer) -> None:
    env = {**os.environ, "CRAWLER_SEAL_KEY": SEAL_KEY_HEX, "PYTHONPATH": str(REPO)}
    server.requests.clear()
    server.request_times.clear()
    log = workdir / "crawl.log"
    children, own = resource.getrusage(resource.RUSAGE_CHILDREN), resource.getrusage(resource.RUSAGE_SELF)
    row.load_before = os.getloadavg()[0]
    services = services_cpu()
    started = time.monotonic()
    with log.open("w", encoding="utf-8") as stderr:
        wrapper = [part.replace("{row}", str(workdir)) for part in shlex.split(row.wrap)]
        process = subprocess.Popen(wrapper + row.command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
        waits = RunQueueWait(process.pid)
        while process.poll() is None:
            waits.sample()
            time.sleep(0.2)
    row.seconds = time.monotonic() - started
    row.services_cpu = services_cpu() - services
    row.waited = waits.seconds
    row.load_after = os.getloadavg()[0]
    children_after, own_after = resource.getrusage(resource.RUSAGE_CHILDREN), resource.getrusage(resource.RUSAGE_SELF)
    row.cpu = (children_after.ru_utime - children.ru_utime) + (children_after.ru_stime - children.ru_stime)
    row.server_cpu = (own_after.ru_utime - own.ru_utime) + (own_after.ru_stime - own.ru_stime)
    row.exit = process.returncode
    requests = site.article_requests(list(server.requests))
    timed = zip(server.requests, server.request_times, strict=True)
    article_times = [at for target, at in timed if site.page_at(target)]
    if len(article_times) > 1:
        row.crawl_seconds = max(article_times) - min(article_times)
        row.before_seconds = min(article_times) - started
        row.after_seconds = row.seconds - row.before_seconds - row.crawl_seconds
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
    def done(row: Row | None) -> bool:
        return row is not None and row.exit is not None and row.pages > 0 and row.seconds > 0

    one = next((r for r in rows if r.workers == 1), None)
    plain = next((r for r in rows if r.workers == 0), None)
    columns = (
        ("workers", 7), ("seconds", 8), ("pages/s", 8), ("vs 1", 6), ("vs plain", 8), ("before", 6),
        ("crawling", 8), ("after", 5), ("pages/s", 8), ("vs 1", 6), ("vs plain", 8), ("CPU ms/page", 11),
        ("server ms/page", 14), ("PG+Redis ms/page", 16), ("CPU wait s", 10), ("refetched", 9),
        ("documents", 9), ("dropped", 7), ("exit", 4), ("load before → after", 19),
    )  # fmt: skip
    lines = [" ".join(f"{name:>{width}}" for name, width in columns) + "  note"]
    for r in rows:
        label = str(r.workers) if r.workers else "plain"
        if not done(r):
            cells = [label, *["-"] * (len(columns) - 2), str(r.exit) if r.exit is not None else "-"]
        else:
            per_page = 1000 / r.pages
            cells = [
                label,
                f"{r.seconds:.1f}",
                f"{r.pages / r.seconds:.1f}",
                f"{one.seconds / r.seconds:.2f}x" if done(one) else "-",
                f"{plain.seconds / r.seconds:.2f}x" if done(plain) else "-",
                f"{r.before_seconds:.1f}",
                f"{r.crawl_seconds:.1f}",
                f"{r.after_seconds:.1f}",
                f"{r.pages / r.crawl_seconds:.1f}" if r.crawl_seconds else "-",
                f"{one.crawl_seconds / r.crawl_seconds:.2f}x" if done(one) and r.crawl_seconds else "-",
                f"{plain.crawl_seconds / r.crawl_seconds:.2f}x" if done(plain) and r.crawl_seconds else "-",
                f"{r.cpu * per_page:.1f}",
                f"{r.server_cpu * per_page:.1f}",
                f"{r.services_cpu * per_page:.1f}",
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
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts (default 1,2), e.g. 1,2,4")
    parser.add_argument("--no-plain", action="store_true", help="no row for one ordinary process (no Redis)")
    parser.add_argument("--feed-size", type=int, default=50, help="pages the feed lists (default 50)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0", help="CLUSTER_REDIS_URL of the workers")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("CRAWLER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"),
        help="PostgreSQL database of the workers (a fresh schema in it per row, dropped afterwards)",
    )
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
        with SiteServer(site.root, keep_alive=True) as server:
            print(
                f"RealSite: {len(site.pages)} real pages ({mirrored} at their original paths), feed of"
                f" {len(site.feed_pages())}, at {server.base_url} (listen backlog"
                f" {demo_server._QuietServer.request_queue_size}); {os.cpu_count()} CPUs; load average"
                f" {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
                flush=True,
            )
            rows = []
            for workers in ([] if args.no_plain else [0]) + counts:
                workdir = folder / f"work-{workers or 'plain'}-{len(rows)}"
                workdir.mkdir()
                site.registry(workdir / "providers.yaml")
                missing = [name for name in CLUSTER_SETTINGS if not known(name)] if workers else []
                cluster = workers > 0
                placeholder = f"{args.postgres}?options=-csearch_path%3D<fresh schema>"
                sqlite = str(workdir / "state" / "records.sqlite")
                row = Row(
                    workers, command(workdir, site, server.base_url, placeholder if cluster else sqlite, workers, args)
                )
                row.wrap = args.wrap
                rows.append(row)
                print(f"\n{f'{workers} worker(s)' if workers else 'plain'}: {' '.join(row.command)}", flush=True)
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
            " of it; vs 1, vs plain: speed-up against the 1-worker row and the plain row; before, crawling, after:"
            " the seconds until the first article request at the server, from it to the last (the steady part),"
            " and from the last to the exit (the last pages, the story step, the summary), with the steady"
            " part's pages/s and speed-ups; CPU ms/page: the"
            " crawl's processes; server ms/page: this process, which serves the site; PG+Redis ms/page: the"
            " machine's PostgreSQL and Redis server processes meanwhile; CPU wait s: time the crawl's threads"
            " were ready to run but waited for a CPU (other work on the machine, or more workers than CPUs);"
            " refetched: article requests beyond one per page"
        )
    finally:
        if args.keep:
            print(f"\nKept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
