"""A record store that cannot be used stops the run: exit 74, one line naming the store and the cause.

Damaged pages, a corrupt header, a file cut in half (SQLite), and a PostgreSQL
server that drops the crawl's connection mid-run. Whatever happens, no
document is written whose record the store does not hold. The runs that must
stop are ``scrapy crawl``/``crawlall`` processes (their exit code is the test);
the crawls that make a store, or fill a disk, run in the test process.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from crawler import exitcodes
from crawler.demo.server import SiteServer
from crawler.store import StoreError, open_store
from tests.crawling import REFERENCE_TIME, REPO, SEAL_KEY_HEX, run_crawl
from tests.inprocess import crawl_in_process
from tests.small_site import SmallSite

pytestmark = pytest.mark.e2e


def crawl_small_site(site_root: Path, workdir: Path, store: str, *, command: str = "crawl", extra=()):
    """``scrapy crawl small`` (or ``crawlall``) over a SmallSite served locally, with this store."""
    workdir.mkdir(parents=True, exist_ok=True)
    registry = SmallSite(site_root).registry(workdir / "providers.yaml")
    with SiteServer(site_root) as server:
        starts = f"start_urls={server.base_url}/feed/"
        if command == "crawl":
            settings = {"PROVIDER_REGISTRY": str(registry), "RECORD_STORE": store, "IMAGES_STORE": ""}
            return run_crawl("small", workdir, starts, settings=settings)  # the site's pictures are off the machine
        settings = {
            "PROVIDER_REGISTRY": registry,
            "OUTPUT_DIR": workdir / "output",
            "RECORD_STORE": store,
            "CRAWLALL_LOCK": workdir / "state" / "crawlall.lock",
            "RUN_SUMMARY_DIR": workdir / "runs",
            "CRAWL_REFERENCE_TIME": REFERENCE_TIME,
            "LOOKBACK_DAYS": "0",
            "IMAGES_STORE": "",
        }
        args = [sys.executable, "-m", "tests.offline", "crawlall", "-a", starts, *extra]
        for name, value in settings.items():
            args += ["-s", f"{name}={value}"]
        env = {"CRAWLER_SEAL_KEY": SEAL_KEY_HEX, "PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
        return subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=240)


@pytest.fixture(scope="module")
def written_store(tmp_path_factory) -> Path:
    """A real store with records, written once for the module by a crawl of a small site (in the test process)."""
    root = tmp_path_factory.mktemp("good-store")
    site = SmallSite.create(root / "site", count=6)
    registry = site.registry(root / "providers.yaml")
    store = root / "first" / "state" / "records.sqlite"
    with SiteServer(site.root) as server:
        result = crawl_in_process(
            "small",
            root / "first",
            f"start_urls={server.base_url}/feed/",
            settings={"PROVIDER_REGISTRY": str(registry), "RECORD_STORE": str(store), "IMAGES_STORE": ""},
        )
    assert result.returncode == 0, result.log[-2000:]
    assert len(result.documents) == 6
    connection = sqlite3.connect(store)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # every record in the file itself
    finally:
        connection.close()
    return store


@pytest.fixture
def good_store(written_store, tmp_path) -> Path:
    """A copy of that store, for one test to damage."""
    copy = tmp_path / "first" / "state" / "records.sqlite"
    copy.parent.mkdir(parents=True)
    shutil.copy(written_store, copy)
    return copy


def damage_pages(path: Path) -> None:
    """Overwrite the middle of the file (data and index pages) with garbage, keeping the header."""
    data = bytearray(path.read_bytes())
    page = 4096
    for start in range(page, len(data) - page, page * 2):
        data[start + 100 : start + 900] = b"\xde\xad\xbe\xef" * 200
    path.write_bytes(bytes(data))


def corrupt_header(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[:16] = b"not a database!\x00"
    path.write_bytes(bytes(data))


def cut_in_half(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize("damage", [damage_pages, corrupt_header, cut_in_half])
@pytest.mark.parametrize("command", ["crawl", "crawlall"])
def test_a_damaged_store_stops_the_run_before_anything_is_written(tmp_path, good_store, damage, command):
    store = tmp_path / "run" / "state" / "records.sqlite"
    store.parent.mkdir(parents=True)
    shutil.copy(good_store, store)
    damage(store)
    site = SmallSite.create(tmp_path / "site2", count=3)
    result = crawl_small_site(site.root, tmp_path / "run", str(store), command=command)
    stderr = result.log if command == "crawl" else result.stderr
    assert result.returncode == exitcodes.STORE, stderr[-2000:]
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and f"record store {store}" in errors[0], stderr[-2000:]
    assert "Traceback" not in stderr
    assert not list((tmp_path / "run").rglob("*.md"))  # nothing was written
    assert not (tmp_path / "run" / "runs" / "latest.json").exists()  # no "healthy" summary


def test_the_store_check_names_the_cause(tmp_path, good_store):
    corrupt_header(good_store)
    with pytest.raises(StoreError, match=r"record store .*records\.sqlite: file is not a database"):
        open_store(good_store).check()


def test_a_store_lost_mid_crawl_stops_it_and_writes_no_unstored_document(tmp_path, postgres_url):
    """PostgreSQL drops the crawl's connections after its third article: exit 74, no document past the store."""
    import psycopg

    site = SmallSite.create(tmp_path / "site", count=10)
    served = []

    def terminate_after_three(path: str) -> None:
        served.append(path)
        if sum(p.startswith("/news/") for p in served) == 3:
            with psycopg.connect(postgres_url.split("?")[0], autocommit=True) as admin:
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE pid != pg_backend_pid() AND application_name = 'newscrawler-test'"
                )

    (site.root / "_routes.yaml").write_text(
        yaml.safe_dump({a.path: {"delay": 0.3 * n} for n, a in enumerate(site.articles)}), encoding="utf-8"
    )
    registry = site.registry(tmp_path / "providers.yaml")
    store_url = postgres_url + "&application_name=newscrawler-test"
    with HookedServer(site.root, terminate_after_three) as server:
        result = run_crawl(
            "small",
            tmp_path / "run",
            f"start_urls={server.base_url}/feed/",
            settings={"PROVIDER_REGISTRY": str(registry), "RECORD_STORE": store_url, "IMAGES_STORE": ""},
        )
    assert result.returncode == exitcodes.STORE, result.log[-3000:]
    assert [line for line in result.log.splitlines() if line.startswith("error: record store")]
    assert "Traceback" not in result.log
    stored = {stored.record.web_url for stored in _store_records(postgres_url)}
    written = {doc["webUrl"] for doc in result.by_web_url().values()}
    assert written <= stored  # never a document the store does not hold
    assert len(written) < 10


class HookedServer(SiteServer):
    """A SiteServer that calls ``hook(path)`` after recording each request."""

    def __init__(self, root: Path, hook):
        super().__init__(root)
        self.hook = hook

    def record(self, target: str) -> None:
        super().record(target)
        self.hook(target)


def _store_records(url: str):
    store = open_store(url)
    try:
        return list(store)
    finally:
        store.close()


def test_a_full_disk_drops_documents_whole_and_counts_them(tmp_path):
    """Documents on a 64 KiB file system: what does not fit is dropped (write_failed); what is there is whole."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {done.stderr.decode().strip()}")
    try:
        site = SmallSite.create(tmp_path / "site", count=40)
        registry = site.registry(tmp_path / "providers.yaml")
        with SiteServer(site.root) as server:
            result = crawl_in_process(
                "small",
                tmp_path / "run",
                f"start_urls={server.base_url}/feed/",
                settings={"PROVIDER_REGISTRY": str(registry), "OUTPUT_DIR": str(mount), "IMAGES_STORE": ""},
            )
        assert result.returncode == 0, result.log[-3000:]
        assert result.stat("records/dropped/write_failed") > 0
        documents = list(mount.rglob("*.md"))
        assert 0 < len(documents) < 40
        for path in documents:
            assert "category" in yaml.safe_load(path.read_text().split("---\n")[1])
        assert not list(mount.rglob(".*.tmp"))
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_an_unreachable_postgresql_store_stops_the_run_at_once(tmp_path):
    """Nothing listens on port 1 of 127.0.0.1: the crawl exits 74 before fetching anything."""
    site = SmallSite.create(tmp_path / "site", count=2)
    result = crawl_small_site(site.root, tmp_path / "run", "postgresql://crawler@127.0.0.1:1/records")
    assert result.returncode == exitcodes.STORE, result.log[-2000:]
    error = [line for line in result.log.splitlines() if line.startswith("error:")]
    assert len(error) == 1 and error[0].startswith("error: record store postgresql://crawler@127.0.0.1:1/records: ")
    assert "Traceback" not in result.log and not list((tmp_path / "run").rglob("*.md"))
