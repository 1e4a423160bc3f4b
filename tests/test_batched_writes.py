"""The write pipeline stores records in batches: one transaction for many records, the same outcome.

A batch (``crawler.publishing.writer.DocumentBatch``) stages each record's
document beside it, stores the records in one transaction, then renames the
documents into place (``STORE_BATCH_SIZE`` records, none waiting longer than
``STORE_BATCH_SECONDS``). What these tests hold it to: a crawl commits once per
batch, not once per record; it writes the documents and store rows that one
transaction per record writes; a read of the store sees the records a batch
holds; a store that fails leaves the batch's documents as they were; a kill
leaves no document without its record, and the next run completes everything;
on a slow site the time bound, not the end of the crawl, stores a batch.
Everything runs on real stores (SQLite, the local PostgreSQL server) and
local HTTP servers.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from scrapy.utils.test import get_crawler

from crawler import exitcodes, pipelines
from crawler.demo.server import SiteServer
from crawler.publishing.writer import DocumentBatch, DocumentWriter
from crawler.record import Image, Provider, Record
from crawler.seal import open_token
from crawler.store import StoreError, acquire, open_store, release
from crawler.stories import story_terms
from tests.crawling import REPO, SEAL_KEY_HEX, start_crawl
from tests.faults.test_kill import _make_old
from tests.faults.test_store_faults import HookedServer
from tests.inprocess import crawl_in_process, run_in_reactor
from tests.small_site import SmallSite

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
SECURED = re.compile(r"^secured: .*$", re.MULTILINE)
DOCUMENT_STATS = ("documents/", "coverage/", "records/", "stories/", "articles/", "discovery/")


def make_record(number: int, **changes) -> Record:
    values = {
        "title": f"Chipmaker {number} opens a new plant in Penang",
        "web_url": f"https://small-news.com/news/story-{number}/",
        "original_url": f"https://small-news.com/news/story-{number}/?utm_source=rss",
        "provider": Provider("Small News", "small-news.com"),
        "excerpt": f"Chipmaker {number} said on Monday it would build a plant in Penang.",
        "published_at": datetime(2026, 11, 20, 8, tzinfo=UTC) + timedelta(hours=number),
        "topics": ["Semiconductors"],
        "images": [Image(f"https://cdn.small-news.com/{number}.jpg", 1200, 675)],
        "text": f"Chipmaker {number} said on Monday it would build a plant in Penang. " * 8,
        "content_sha256": f"{number:064x}",
        "fetched_at": NOW,
    }
    values.update(changes)
    return Record(**values)


# --- counting the transactions that store records ------------------------------------------------------


async def _held_sqlite_store(location: str, statements: list[str]):
    """The process's connection to this SQLite store, opened on the reactor's thread and watched."""
    store = acquire({"RECORD_STORE": location})
    store._db.set_trace_callback(statements.append)
    return store


async def _let_go(store) -> None:
    store._db.set_trace_callback(None)
    release(store)


def _committed_record_writes(statements: list[str]) -> int:
    """How many BEGIN … COMMIT in these SQLite statements wrote to ``records``."""
    count, wrote = 0, False
    for statement in statements:
        head = statement.lstrip().upper()
        if head.startswith("BEGIN"):
            wrote = False
        elif head.startswith("INSERT INTO RECORDS"):
            wrote = True
        elif head.startswith("COMMIT"):
            count += wrote
            wrote = False
        elif head.startswith("ROLLBACK"):
            wrote = False
    return count


@contextlib.contextmanager
def record_transactions(location: str) -> Iterator[Callable[[], int]]:
    """How many committed transactions wrote to ``records`` while the block ran (a callable, read at the end).

    SQLite: the test holds the process's one connection to the store (``crawler.store.acquire``,
    on the reactor's thread, where in-process crawls use it) and reads the statements it runs.
    PostgreSQL: a statement trigger on ``records`` notes each transaction's id in the test's schema
    (a rolled-back transaction takes its note with it).
    """
    if not location.startswith("postgresql://"):
        statements: list[str] = []
        store = run_in_reactor(_held_sqlite_store(location, statements))
        try:
            yield lambda: _committed_record_writes(statements)
        finally:
            run_in_reactor(_let_go(store))
        return
    import psycopg

    open_store(location).close()  # the schema's tables
    with psycopg.connect(location, autocommit=True) as admin:
        admin.execute("CREATE TABLE record_transactions (txid BIGINT NOT NULL)")
        admin.execute(
            "CREATE FUNCTION note_record_transaction() RETURNS trigger LANGUAGE plpgsql AS"
            " $$ BEGIN INSERT INTO record_transactions VALUES (txid_current()); RETURN NULL; END $$"
        )
        admin.execute(
            "CREATE TRIGGER note_record_transaction AFTER INSERT OR UPDATE ON records"
            " FOR EACH STATEMENT EXECUTE FUNCTION note_record_transaction()"
        )

    def count() -> int:
        with psycopg.connect(location, autocommit=True) as reader:
            return reader.execute("SELECT COUNT(DISTINCT txid) FROM record_transactions").fetchone()[0]

    yield count


def small_site_crawl(site: SmallSite, workdir: Path, store: str, server: SiteServer, **settings: str):
    registry = site.registry(workdir.parent / f"{workdir.name}-providers.yaml")
    return crawl_in_process(
        "small",
        workdir,
        f"start_urls={server.base_url}/feed/",
        settings={"PROVIDER_REGISTRY": str(registry), "RECORD_STORE": store, "IMAGES_STORE": "", **settings},
    )


@pytest.mark.e2e
@pytest.mark.parametrize(("size", "transactions"), [("1", 12), ("5", 3), (None, 1)])
def test_a_crawl_commits_its_records_once_per_batch(tmp_path, store_url, size, transactions):
    """12 articles: 12 transactions one record at a time, 3 in batches of 5, 1 with the default batch of 50."""
    site = SmallSite.create(tmp_path / "site", count=12)
    batching = {"STORE_BATCH_SECONDS": "60"}  # no time bound within this crawl: the count and the close decide
    if size is not None:
        batching["STORE_BATCH_SIZE"] = size
    with SiteServer(site.root) as server, record_transactions(store_url) as committed:
        result = small_site_crawl(site, tmp_path / "run", store_url, server, **batching)
        assert result.returncode == 0, result.log[-3000:]
        assert len(result.documents) == 12
        assert committed() == transactions


# --- the same documents and rows as one transaction per record --------------------------------------------


def _unsealed(text: str) -> str:
    """A document or stored record with its ``secured`` token masked: the seal's IV is random per token."""
    return re.sub(r'"secured":"[^"]*"', '"secured":"…"', SECURED.sub("secured: …", text))


def _store_rows(store_path: Path, output: Path) -> dict[str, list]:
    connection = sqlite3.connect(store_path)
    try:
        records = [
            (url, _unsealed(data), str(Path(path).relative_to(output)) if path else "", updated)
            for url, data, path, updated in connection.execute(
                "SELECT web_url, data, document_path, updated_at FROM records ORDER BY web_url"
            )
        ]
        return {
            "records": records,
            "aliases": connection.execute("SELECT * FROM aliases ORDER BY url").fetchall(),
            "terms": connection.execute("SELECT * FROM terms ORDER BY term, web_url").fetchall(),
            "vectors": connection.execute("SELECT web_url, model FROM vectors ORDER BY web_url").fetchall(),
            "pending": connection.execute("SELECT * FROM pending_stories ORDER BY web_url").fetchall(),
        }
    finally:
        connection.close()


def _compare_runs(one, many, key: bytes) -> None:
    assert sorted(one.documents) == sorted(many.documents)
    for path, text in one.documents.items():
        assert _unsealed(many.documents[path]) == _unsealed(text), path
        tokens = [SECURED.search(t).group(0).split(" ", 1)[1].strip("'\"") for t in (text, many.documents[path])]
        assert open_token(tokens[0], key) == open_token(tokens[1], key), path
    stats = {name: value for name, value in one.stats.items() if name.startswith(DOCUMENT_STATS)}
    assert {name: many.stats.get(name) for name in stats} == stats
    assert not [name for name in many.stats if name.startswith(DOCUMENT_STATS) and name not in stats]


@pytest.mark.e2e
def test_batched_writes_leave_the_documents_and_rows_of_one_transaction_per_record(tmp_path):
    """The TechNode fixture site, crawled twice (the second time everything again, ``refresh=1``), both ways.

    One request at a time: which source reaches an article first (its ``originalUrl``) is then the
    same in every crawl.
    """
    from tests.test_crawl_technode import SITE, start_urls

    key = bytes.fromhex(SEAL_KEY_HEX)
    with SiteServer(SITE) as server:
        runs = {}
        for name, batching in (("one", {"STORE_BATCH_SIZE": "1"}), ("many", {})):
            settings = {"CONCURRENT_REQUESTS": "1", **batching}
            workdir = tmp_path / name
            first = crawl_in_process("technode", workdir, f"start_urls={start_urls(server)}", settings=settings)
            assert first.returncode == 0, first.log[-3000:]
            mtimes = {p: (first.output_dir / p).stat().st_mtime_ns for p in first.documents}
            again = crawl_in_process(
                "technode", workdir, f"start_urls={start_urls(server)}", "refresh=1", settings=settings
            )
            assert again.returncode == 0, again.log[-3000:]
            assert {p: (again.output_dir / p).stat().st_mtime_ns for p in again.documents} == mtimes
            runs[name] = (first, again, _store_rows(workdir / "state" / "records.sqlite", workdir / "output"))
    (one_first, one_again, one_rows), (many_first, many_again, many_rows) = runs["one"], runs["many"]
    assert len(one_first.documents) > 10
    assert one_again.stat("documents/unchanged") == len(one_first.documents)
    _compare_runs(one_first, many_first, key)
    _compare_runs(one_again, many_again, key)
    assert many_rows == one_rows
    assert len(many_rows["records"]) >= len(many_first.documents) and not many_rows["pending"]


# --- reads see what a batch holds -------------------------------------------------------------------------


READS = {
    "get": lambda store, held: store.get(held.web_url),
    "get_many": lambda store, held: store.get_many([held.web_url]),
    "document_paths": lambda store, held: store.document_paths([held.web_url]),
    "fetched_at, by a URL it was reached under": lambda store, held: store.fetched_at(held.linked_urls[0]),
    "fetched_at, by its original URL": lambda store, held: store.fetched_at(held.original_url),
    "get_with_content_twin": lambda store, held: store.get_with_content_twin(["-"], held.content_sha256)[1],
    "pending_stories": lambda store, held: store.pending_stories(),
    "count": lambda store, held: store.count(),
    "web_urls": lambda store, held: store.web_urls(),
    "term_vectors": lambda store, held: store.term_vectors([held.web_url]),
}
WHOLE_STORE = {"pending_stories", "count", "web_urls"}


@pytest.mark.parametrize("read", sorted(READS))
def test_a_read_that_could_see_a_held_record_stores_its_batch_first(tmp_path, store_url, read):
    store = open_store(store_url)
    other = open_store(store_url)  # another connection: it sees only what was committed
    try:
        writer = DocumentWriter(store, tmp_path / "output")
        held = make_record(1, linked_urls=["https://small-news.com/?p=1"])
        batch, elsewhere = DocumentBatch(writer), DocumentBatch(writer)
        batch.add(held, NOW, terms=story_terms(held), stories_pending=True)
        elsewhere.add(make_record(2), NOW, terms=story_terms(make_record(2)), stories_pending=True)
        assert store.get(make_record(3).web_url) is None  # a read about a record no batch holds
        assert (len(batch), len(elsewhere), other.count()) == (1, 1, 0)
        assert not list((tmp_path / "output").rglob("*.md"))

        assert READS[read](store, held) not in (None, {}, [], 0)
        assert len(batch) == 0
        assert len(elsewhere) == (0 if read in WHOLE_STORE else 1)  # only what the read could see is stored
        assert other.get(held.web_url).record.title == held.title
        assert other.pending_stories()[0] == held.web_url
        assert Path(other.document_paths([held.web_url])[held.web_url]).exists()
    finally:
        other.close()
        store.close()


def test_a_failed_batch_renames_no_document(tmp_path, postgres_url):
    """The server drops the store's connection while a batch is held: StoreError, and every document as it was."""
    import psycopg

    output = tmp_path / "output"
    store = open_store(postgres_url + "&application_name=batch-that-fails")
    try:
        writer = DocumentWriter(store, output)
        old_path, _ = writer.write(make_record(1), NOW)
        old = old_path.read_bytes()
        failures: list[tuple[StoreError, list[Record]]] = []
        batch = DocumentBatch(writer, store_failed=lambda error, records: failures.append((error, records)))
        paths = [batch.add(make_record(1, title="Chipmaker 1 doubles its Penang plant"), NOW)[0]]
        paths += [batch.add(make_record(n), NOW)[0] for n in (2, 3)]
        assert len(list(output.rglob(".*.tmp"))) == 3
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'batch-that-fails'"
            )
        with pytest.raises(StoreError):
            batch.flush()
        assert len(failures) == 1 and len(failures[0][1]) == 3 and len(batch) == 0
        assert paths[0].read_bytes() == old  # the old document, untouched
        assert not paths[1].exists() and not paths[2].exists()
        assert not list(output.rglob(".*.tmp"))
    finally:
        store.close()
    check = open_store(postgres_url)
    try:
        assert [s.record.title for s in check] == [make_record(1).title]
    finally:
        check.close()


def test_a_batch_syncs_its_documents_at_the_flush_and_each_folder_once(tmp_path, monkeypatch):
    """The staged bytes are fsynced together when the batch is stored (not one by one as they come), before the
    store says where they are; the renames cost one directory fsync per folder, not one per document."""
    from crawler.publishing import files

    store = open_store(tmp_path / "records.sqlite")
    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append("directory" if os.path.isdir(f"/proc/self/fd/{fd}") else "file")
        real_fsync(fd)

    monkeypatch.setattr(files.os, "fsync", fsync)
    try:
        batch = DocumentBatch(DocumentWriter(store, tmp_path / "output"))
        paths = [batch.add(make_record(n), NOW)[0] for n in range(5)]
        assert synced == []  # staged, not yet synced
        batch.flush()
        assert synced.count("file") == 5 and synced.count("directory") == len({p.parent for p in paths}) == 1
        assert all(path.exists() for path in paths) and store.count() == 5
    finally:
        store.close()


def test_a_batch_whose_bytes_cannot_be_made_durable_stores_none_and_changes_no_document(tmp_path, monkeypatch):
    """An fsync that fails (EIO from a failing disk) at the flush: no record of the batch is stored, no document
    changes, and each record goes to ``unplaced`` (the write pipeline drops it as write_failed)."""
    import errno

    from crawler.publishing import files

    store = open_store(tmp_path / "records.sqlite")
    try:
        writer = DocumentWriter(store, tmp_path / "output")
        old_path, _ = writer.write(make_record(1), NOW)
        old = old_path.read_bytes()
        unplaced: list[str] = []
        batch = DocumentBatch(writer, unplaced=lambda record, path, error: unplaced.append(record.web_url))
        paths = [batch.add(make_record(1, title="Chipmaker 1 doubles its Penang plant"), NOW)[0]]
        paths += [batch.add(make_record(n), NOW)[0] for n in (2, 3)]

        def failing_fsync(fd: int) -> None:
            raise OSError(errno.EIO, "Input/output error")

        monkeypatch.setattr(files.os, "fsync", failing_fsync)
        assert batch.flush() == []
        assert sorted(unplaced) == sorted(make_record(n).web_url for n in (1, 2, 3)) and len(batch) == 0
        assert paths[0].read_bytes() == old and not paths[1].exists() and not paths[2].exists()
        assert not list((tmp_path / "output").rglob(".*.tmp"))
        assert [s.record.title for s in store] == [make_record(1).title]
    finally:
        store.close()


@pytest.mark.e2e
def test_a_store_lost_while_a_batch_waits_stops_the_crawl_and_renames_none_of_its_documents(tmp_path, postgres_url):
    """Batches of 4: the first is stored; the server drops the crawl's connection while the fifth record
    waits for the time bound. That batch fails: exit 74, the store's error, no document of it in place."""
    import psycopg

    site = SmallSite.create(tmp_path / "site", count=8)
    (site.root / "_routes.yaml").write_text(
        yaml.safe_dump({a.path: {"delay": 0.1} for a in site.articles}), encoding="utf-8"
    )
    articles: list[str] = []

    def drop_the_store_at_the_sixth(path: str) -> None:
        if not path.startswith("/news/"):
            return
        articles.append(path)
        if len(articles) == 6:
            time.sleep(0.3)  # the fifth record, answered just now, is in the batch by then
            with psycopg.connect(postgres_url, autocommit=True) as admin:
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'batched-crawl'"
                )
            time.sleep(2.0)  # the sixth article comes after the time bound

    store = postgres_url + "&application_name=batched-crawl"
    settings = {"CONCURRENT_REQUESTS": "1", "STORE_BATCH_SIZE": "4", "STORE_BATCH_SECONDS": "1.0"}
    with HookedServer(site.root, drop_the_store_at_the_sixth) as server:
        result = small_site_crawl(site, tmp_path / "run", store, server, **settings)
    assert result.returncode == exitcodes.STORE, result.log[-3000:]
    assert [line for line in result.log.splitlines() if line.startswith("error: record store")]
    assert result.stats["store/error"]
    # Each record extracted is stored with its document in place, or dropped as store_error (the failed
    # batch's, and any that came after).
    assert result.stat("records/dropped/store_error") == result.stat("articles/extracted") - 4 > 0
    assert "[crawler.pipelines] WARNING: Dropped" in result.log  # the held record, dropped with its batch
    assert sorted(result.by_web_url()) == sorted(server.base_url + path for path in articles[:4])
    assert set(_stored_urls(postgres_url)) == set(result.by_web_url())
    assert not list(result.output_dir.rglob(".*.tmp"))


def _stored_urls(location: str) -> list[str]:
    check = open_store(location)
    try:
        return check.web_urls()
    finally:
        check.close()


# --- the pipelines: de-duplication and other spellings over held records -----------------------------------


def _pipeline_crawler(tmp_path: Path, size: int):
    return get_crawler(
        settings_dict={
            "OUTPUT_DIR": str(tmp_path / "output"),
            "RECORD_STORE": str(tmp_path / "state" / "records.sqlite"),
            "CRAWL_REFERENCE_TIME": "2026-11-24T12:00:00Z",
            "PROVIDER_REGISTRY": "crawler/providers.yaml",
            "PUBLISH_MIN_QUALITY": 40,
            "UNKNOWN_PROVIDER_STANDING": 40,
            "SEAL_KEY_ENV": "TEST_SEAL_KEY",
            "SEAL_KEY_FILE": str(tmp_path / "unused.key"),
            "STORE_BATCH_SIZE": size,
            "STORE_BATCH_SECONDS": 60,
        }
    )


def _one_run(tmp_path: Path, size: int, records: list[Record]) -> tuple[dict, dict, list]:
    """The records through the whole chain in one run (the pipelines stay open between them, as in a crawl)."""
    crawler = _pipeline_crawler(tmp_path, size)
    stages = [pipelines.NormalizePipeline()] + [
        cls.from_crawler(crawler)
        for cls in (
            pipelines.ValidatePipeline,
            pipelines.DedupePipeline,
            pipelines.ScorePipeline,
            pipelines.SealPipeline,
            pipelines.WriteDocumentPipeline,
        )
    ]
    for stage in stages:
        getattr(stage, "open_spider", lambda: None)()
    passed = []
    try:
        for record in records:
            try:
                for stage in stages:
                    record = stage.process_item(record)
            except pipelines.DropItem as drop:
                passed.append(str(drop))
            else:
                passed.append((record.web_url, record.duplicate_of, record.published))
    finally:
        for stage in stages:
            getattr(stage, "close_spider", lambda: None)()
    output = tmp_path / "output"
    documents = {str(p.relative_to(output)): _unsealed(p.read_text()) for p in sorted(output.rglob("*.md"))}
    stats = {k: v for k, v in crawler.stats.get_stats().items() if k.startswith(DOCUMENT_STATS)}
    return documents, stats, passed


def test_an_idle_crawl_stores_its_held_records_at_once(tmp_path, monkeypatch):
    """Nothing left to download or parse (Scrapy's spider_idle): the batch is stored now, not when its time
    (STORE_BATCH_SECONDS, a minute here) is up; a cluster worker may leave only once its records are."""
    from scrapy import signals

    monkeypatch.setenv("TEST_SEAL_KEY", SEAL_KEY_HEX)
    crawler = _pipeline_crawler(tmp_path, 50)
    store_path = tmp_path / "state" / "records.sqlite"
    stages = [pipelines.NormalizePipeline()] + [
        cls.from_crawler(crawler)
        for cls in (pipelines.ValidatePipeline, pipelines.ScorePipeline, pipelines.SealPipeline)
    ]
    writer = pipelines.WriteDocumentPipeline.from_crawler(crawler)
    writer.open_spider()
    try:
        record = make_record(1)
        for stage in [*stages, writer]:
            record = stage.process_item(record)
        assert len(writer.batch) == 1 and not list((tmp_path / "output").rglob("*.md"))
        crawler.signals.send_catch_log(signal=signals.spider_idle, spider=None)
        assert len(writer.batch) == 0 and len(list((tmp_path / "output").rglob("*.md"))) == 1
        assert _stored_urls(str(store_path)) == [make_record(1).web_url]
    finally:
        writer.close_spider()


def test_de_duplication_and_other_spellings_see_the_records_a_batch_holds(tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_SEAL_KEY", SEAL_KEY_HEX)
    http = "http://small-news.com/news/story-0/"
    copy = "https://small-news.com/news/copy-of-1/"

    def records() -> list[Record]:
        return [
            make_record(0, web_url=http, original_url=http),
            make_record(1),
            make_record(2, web_url=copy, content_sha256=make_record(1).content_sha256),  # story 1's body
            make_record(1, original_url="https://small-news.com/?p=1"),  # story 1 again: dropped
            make_record(0, original_url="https://small-news.com/news/story-0/"),  # https: replaces the http one
            make_record(3),
        ]

    one = _one_run(tmp_path / "one", 1, records())
    many = _one_run(tmp_path / "many", 50, records())
    assert many == one
    documents, stats, passed = many
    assert passed[2] == (copy, make_record(1).web_url, False)  # a duplicate, not published
    assert "duplicate_web_url" in passed[3]
    assert stats["documents/retired"] == 1 and stats["records/duplicate_content"] == 1
    assert not any("http:" in text.split("webUrl:")[1].split("\n")[0] for text in documents.values())
    assert len(documents) == 4


# --- a kill mid-run -----------------------------------------------------------------------------------------


def _front_matters(output: Path) -> dict[str, dict]:
    found = {}
    for path in sorted(output.rglob("*.md")):
        front = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
        front.pop("secured")
        found[front["webUrl"]] = front
    return found


def _stored(store_path: Path) -> dict[str, str]:
    store = open_store(store_path)
    try:
        return {stored.record.web_url: stored.document_path for stored in store}
    finally:
        store.close()


@pytest.mark.e2e
def test_a_kill_mid_batch_leaves_no_document_without_its_record_and_the_rerun_completes(tmp_path):
    site = SmallSite.create(tmp_path / "site", count=10)
    (site.root / "_routes.yaml").write_text(
        yaml.safe_dump({a.path: {"delay": 0.35} for a in site.articles}), encoding="utf-8"
    )
    registry = site.registry(tmp_path / "providers.yaml")
    settings = {
        "PROVIDER_REGISTRY": str(registry),
        "IMAGES_STORE": "",
        "CONCURRENT_REQUESTS": "1",  # one article about every 0.35 s
        "STORE_BATCH_SIZE": "3",
        "STORE_BATCH_SECONDS": "60",
    }
    with SiteServer(site.root) as server:
        start = f"start_urls={server.base_url}/feed/"
        clean = crawl_in_process("small", tmp_path / "clean", start, settings=settings)
        assert clean.returncode == 0, clean.log[-2000:]

        output = tmp_path / "killed" / "output"
        process = start_crawl("small", tmp_path / "killed", start, settings=settings)
        deadline = time.monotonic() + 60
        while not list(output.rglob("*.md")) and time.monotonic() < deadline:
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        stored = _stored(tmp_path / "killed" / "state" / "records.sqlite")
        documents = _front_matters(output)
        assert 0 < len(documents) <= len(stored) < 10  # killed mid-run, after its first batch
        assert set(documents) <= set(stored)  # no document without its record
        for web_url, path in stored.items():  # each stored record's document: in place, or its staged bytes left
            assert Path(path).exists() or list(Path(path).parent.glob(f".{Path(path).name}.*.tmp")), web_url

        _make_old(output)  # the killed writer's temporary files, as a later run finds them
        rerun = crawl_in_process("small", tmp_path / "killed", start, settings=settings)
    assert rerun.returncode == 0, rerun.log[-2000:]
    assert _front_matters(output) == _front_matters(clean.output_dir)
    assert set(_stored(tmp_path / "killed" / "state" / "records.sqlite")) == set(_front_matters(output))
    assert rerun.stat("documents/new") == 10 - len(stored)  # what the kill lost, fetched again
    assert not list(output.rglob(".*.tmp"))


WRITER = """
import sys, time
from datetime import UTC, datetime
from pathlib import Path
from crawler.publishing.writer import DocumentBatch, DocumentWriter
from crawler.store import open_store
from tests.test_batched_writes import NOW, make_record

store = open_store(sys.argv[1])
def placed(record, path, changed):
    print("placed", path, flush=True)
    time.sleep(60)  # killed here: the batch is stored, one document of three is in place
batch = DocumentBatch(DocumentWriter(store, Path(sys.argv[2])), placed=placed)
for number in range(3):
    batch.add(make_record(number), NOW, stories_pending=True)
batch.flush()
"""


def test_documents_a_killed_run_stored_but_had_not_put_in_place_are_put_in_place_by_the_next(tmp_path):
    """SIGKILL between a batch's commit and its renames: the next crawl, even at once, renders the two documents."""
    work = tmp_path / "work"
    store_path, output = work / "state" / "records.sqlite", work / "output"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(store_path), str(output)], stdout=subprocess.PIPE, env=env, text=True
    )
    try:
        assert writer.stdout.readline().startswith("placed")
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=10)
    assert len(_stored(store_path)) == 3
    assert len(list(output.rglob("*.md"))) == 1 and len(list(output.rglob(".*.tmp"))) == 2

    site = SmallSite.create(tmp_path / "site", count=1)
    with SiteServer(site.root) as server:
        result = small_site_crawl(site, work, str(store_path), server)
    assert result.returncode == 0, result.log[-2000:]
    assert "Put 2 documents in place that an interrupted run had stored" in result.log
    store = open_store(store_path)
    try:
        held = {stored.record.web_url: stored for stored in store}
        restorer = DocumentWriter(store, output)
        for number in range(3):
            stored = held[make_record(number).web_url]
            assert Path(stored.document_path).read_bytes() == restorer.document(stored.record)
    finally:
        store.close()
    # The staged files themselves are younger than ABANDONED_AFTER (a live writer's, for all the clean-up
    # knows): a later run removes them.
    assert len(list(output.rglob(".*.tmp"))) == 2
    _make_old(work)
    with SiteServer(site.root) as server:
        later = small_site_crawl(site, work, str(store_path), server)
    assert (
        later.returncode == 0 and "an interrupted run had stored" not in later.log and not list(output.rglob(".*.tmp"))
    )


# --- the time bound -----------------------------------------------------------------------------------------


class SlowSite(SiteServer):
    """A SiteServer that calls ``after(path)`` once it has waited out a route's delay, before it answers."""

    def __init__(self, root: Path, after: Callable[[str], None]):
        super().__init__(root)
        self.after = after

    def respond(self, target: str):
        response = super().respond(target)
        self.after(target)
        return response


@pytest.mark.e2e
def test_on_a_slow_site_the_time_bound_stores_each_batch(tmp_path):
    """Articles 1.2 s apart, batches of 50, at most 0.4 s of waiting: each record is stored, and its
    document in place, while the next article is still on its way: one transaction each."""
    site = SmallSite.create(tmp_path / "site", count=4)
    (site.root / "_routes.yaml").write_text(
        yaml.safe_dump({a.path: {"delay": 1.2} for a in site.articles}), encoding="utf-8"
    )
    output = tmp_path / "run" / "output"
    seen: list[int] = []  # documents in place as each article is answered (the one before came 1.2 s ago)

    def count_documents(path: str) -> None:
        if path.startswith("/news/"):
            seen.append(len(list(output.rglob("*.md"))))

    store = str(tmp_path / "run" / "state" / "records.sqlite")
    with SlowSite(site.root, count_documents) as server, record_transactions(store) as committed:
        settings = {"CONCURRENT_REQUESTS": "1", "STORE_BATCH_SIZE": "50", "STORE_BATCH_SECONDS": "0.4"}
        result = small_site_crawl(site, tmp_path / "run", store, server, **settings)
        assert result.returncode == 0, result.log[-2000:]
        assert committed() == 4
    assert seen == [0, 1, 2, 3]  # without the timer: [0, 0, 1, 2] (each stored only when the next came)
    assert len(result.documents) == 4
