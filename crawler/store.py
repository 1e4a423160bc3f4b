"""The record store: every record the crawler has written, keyed by ``webUrl``.

It is what makes de-duplication work across runs, what relating stories across
providers reads, and what ``output/`` is rendered from. SQLite is the embedded
default (one file, nothing to install); PostgreSQL serves several crawl
machines (``RECORD_STORE=postgresql://…`` or the ``CRAWLER_STORE_URL``
environment variable). Both run the same SQL. Each write is one transaction,
so a killed crawl never leaves half a record behind.

A store that cannot be used (a corrupt or truncated SQLite file, a failed
write, an unreachable PostgreSQL server) raises :class:`StoreError`, whose
message names the store and the cause in one line; the crawl commands stop on
it with their own exit code (``crawler.exitcodes.STORE``).

Records whose story relations are not yet up to date are listed in
``pending_stories`` in the same transaction that stores them, and leave that
list only when a story step has related them: a run killed before its story
step leaves the list to the next run, which relates them first.

Besides the records, the store keeps the story index: each record's story
terms (``terms``: term → records, by publication time) and its story vector
(``vectors``, by publication time), so that finding the articles that may tell
the same story costs what the time window holds, not what the whole store
holds.

The write pipeline stores its records a batch at a time, one transaction each
(``crawler.publishing.writer.DocumentBatch``). A batch holding records it has not
stored yet is known to the store (:meth:`RecordStore.hold`): a read that could
see one of them (by ``webUrl``, a URL it was reached under or its content hash;
any scan, the story index, the pending list) has the batch stored first, so no
read misses a record handed to a batch.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from crawler.record import Record, as_utc, format_instant

logger = logging.getLogger(__name__)

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS records (
        web_url         TEXT PRIMARY KEY,
        provider_domain TEXT NOT NULL,
        published_at    TEXT,
        content_sha256  TEXT NOT NULL DEFAULT '',
        document_path   TEXT NOT NULL DEFAULT '',
        data            TEXT NOT NULL,
        fetched_at      TEXT,
        updated_at      TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS records_content ON records (content_sha256)",
    "CREATE INDEX IF NOT EXISTS records_published ON records (published_at)",
    # The story index: one row per (term, record). Instants are ISO text in UTC
    # (YYYY-MM-DDTHH:MM:SSZ), which sorts as time does, in both databases.
    """CREATE TABLE IF NOT EXISTS terms (
        term            TEXT NOT NULL,
        web_url         TEXT NOT NULL,
        published_at    TEXT NOT NULL,
        provider_domain TEXT NOT NULL,
        weight          REAL NOT NULL,
        PRIMARY KEY (term, web_url)
    )""",
    "CREATE INDEX IF NOT EXISTS terms_by_time ON terms (term, published_at)",
    "CREATE INDEX IF NOT EXISTS terms_by_record ON terms (web_url)",
    # Each record's story vector (crawler/relate.py): float32 little-endian, unit length, with the
    # model that made it and its reliability; indexed by publication time, so that the records of a
    # story window are read in one range scan. BLOB is BYTEA on PostgreSQL.
    """CREATE TABLE IF NOT EXISTS vectors (
        web_url         TEXT PRIMARY KEY,
        published_at    TEXT NOT NULL,
        provider_domain TEXT NOT NULL,
        model           TEXT NOT NULL,
        reliability     REAL NOT NULL,
        vector          BLOB NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS vectors_by_time ON vectors (published_at)",
    # Every URL an article was reached under (feed, sitemap, listing, redirects) -> its webUrl.
    """CREATE TABLE IF NOT EXISTS aliases (
        url     TEXT PRIMARY KEY,
        web_url TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS aliases_by_record ON aliases (web_url)",
    # Records whose relations a story step has still to make (see the module docstring).
    """CREATE TABLE IF NOT EXISTS pending_stories (
        web_url    TEXT PRIMARY KEY,
        written_at TEXT NOT NULL
    )""",
    # --- the image store's index (crawler/images.py) ---------------------------------------------
    # Image URL -> the file that holds its bytes (path relative to IMAGES_STORE, named by its
    # SHA-256) and its real size, so that a picture is downloaded once however many articles use it.
    """CREATE TABLE IF NOT EXISTS images (
        url        TEXT PRIMARY KEY,
        sha256     TEXT NOT NULL,
        path       TEXT NOT NULL,
        width      INTEGER NOT NULL,
        height     INTEGER NOT NULL,
        fetched_at TEXT NOT NULL
    )""",
)


class StoreError(Exception):
    """The record store cannot be used: the message names the store and the cause, on one line."""

    def __init__(self, location: str, cause: BaseException | str):
        self.location = location
        detail = " ".join(str(cause).split()) or type(cause).__name__
        super().__init__(f"record store {location}: {detail}")


@dataclass(slots=True)
class StoredRecord:
    """A record as the store holds it, with where its document was written."""

    record: Record
    document_path: str


def record_to_json(record: Record) -> str:
    """The record's front matter plus the provenance later steps need, as JSON text."""
    data: dict[str, Any] = record.as_json()
    data["_provenance"] = {
        "text": record.text,
        "body": record.body,
        "fetchedAt": format_instant(record.fetched_at) if record.fetched_at else None,
        "modifiedAt": format_instant(record.modified_at) if record.modified_at else None,
        "contentSha256": record.content_sha256,
        "duplicateOf": record.duplicate_of,
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def record_from_json(text: str) -> Record:
    """Inverse of :func:`record_to_json`."""
    data = json.loads(text)
    extra = data.pop("_provenance", {})
    record = Record.from_front_matter(data, body=extra.get("body") or "")
    record.text = extra.get("text") or ""
    record.fetched_at = as_utc(extra["fetchedAt"]) if extra.get("fetchedAt") else None
    record.modified_at = as_utc(extra["modifiedAt"]) if extra.get("modifiedAt") else None
    record.content_sha256 = extra.get("contentSha256") or ""
    record.duplicate_of = extra.get("duplicateOf") or ""
    return record


_UPSERT_RECORD = (
    "INSERT INTO records (web_url, provider_domain, published_at, content_sha256, document_path,"
    " data, fetched_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (web_url) DO UPDATE SET provider_domain = excluded.provider_domain,"
    " published_at = excluded.published_at, content_sha256 = excluded.content_sha256,"
    " document_path = excluded.document_path, data = excluded.data,"
    " fetched_at = excluded.fetched_at, updated_at = excluded.updated_at"
)
_UPSERT_ALIAS = (
    "INSERT INTO aliases (url, web_url) VALUES (?, ?) ON CONFLICT (url) DO UPDATE SET web_url = excluded.web_url"
)


# One record for put_many: (record, document path, story terms or None[, listed in pending_stories]).
PutEntry = tuple[Record, str, dict[str, float] | None] | tuple[Record, str, dict[str, float] | None, bool]


class HeldWrites(Protocol):
    """Writes held back to be stored together (``crawler.publishing.writer.DocumentBatch``): ``RecordStore.hold``."""

    def holds(self, keys: Collection[str], content: str) -> bool:
        """Whether a held record has one of these ``webUrl``s (or was reached under one), or this content hash."""
        ...

    def flush(self) -> object:
        """Store the held records now (and unhold them)."""
        ...


def _record_row(record: Record, document_path: str, now: datetime) -> tuple:
    return (
        record.web_url,
        record.provider.domain,
        format_instant(record.published_at) if record.published_at else None,
        record.content_sha256,
        document_path,
        record_to_json(record),
        format_instant(record.fetched_at) if record.fetched_at else None,
        format_instant(now),
    )


class RecordStore:
    """The store's operations, in SQL both backends run; subclasses open the connection.

    ``?`` marks parameters in the SQL below; a backend that uses another mark
    translates it in :meth:`_sql`.
    """

    location: str
    _database_errors: tuple[type[BaseException], ...] = ()  # the driver's errors, raised as StoreError

    def _sql(self, statement: str) -> str:
        return statement

    @contextmanager
    def _failing_as_store_error(self) -> Iterator[None]:
        try:
            yield
        except self._database_errors as error:
            raise StoreError(self.location, error) from error

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        with self._failing_as_store_error(), self._begin() as db:
            yield db

    def _begin(self) -> Any:
        raise NotImplementedError

    def _rows(self, statement: str, params: Sequence[Any] = ()) -> list[tuple]:
        with self._failing_as_store_error():
            return self._fetch(self._sql(statement), params)

    def _fetch(self, statement: str, params: Sequence[Any]) -> list[tuple]:
        return self._db.execute(statement, params).fetchall()

    # --- writes held back (crawler.publishing.writer.DocumentBatch) ---------

    _held: tuple[HeldWrites, ...] = ()  # the batches holding records not yet stored, oldest first

    def hold(self, writes: HeldWrites) -> None:
        """Note writes held back to be stored together: until they are, reads that could see them flush them."""
        if writes not in self._held:
            self._held = (*self._held, writes)

    def unhold(self, writes: HeldWrites) -> None:
        """The held writes are being stored (or dropped): reads no longer wait for them."""
        self._held = tuple(held for held in self._held if held is not writes)

    def _catch_up(self, keys: Collection[str] | None = None, content: str = "") -> None:
        """Store the held writes that a read (or a write) about ``keys`` or ``content`` could see, first.

        ``keys``: the ``webUrl``s (or URLs reached under) it is about; ``content``: a content hash;
        neither: it may see any record (a scan, the story index, the pending list). A failed
        flush raises its StoreError here: the read cannot be answered as if the write had been made.
        """
        for writes in self._held:
            if (keys is None and not content) or writes.holds(keys or (), content):
                writes.flush()

    def check(self) -> None:
        """Raise StoreError unless the store can be read and written (run before a crawl starts)."""
        with self._transaction() as db:
            db.execute(self._sql("DELETE FROM pending_stories WHERE web_url = ?"), ("",))

    # --- records ----------------------------------------------------------

    def get(self, web_url: str) -> StoredRecord | None:
        """The stored record for a ``webUrl``, or ``None``."""
        self._catch_up([web_url])
        rows = self._rows("SELECT data, document_path FROM records WHERE web_url = ?", (web_url,))
        return StoredRecord(record_from_json(rows[0][0]), rows[0][1]) if rows else None

    def get_many(self, web_urls: Iterable[str]) -> dict[str, StoredRecord]:
        """Stored records by ``webUrl`` (missing ones left out)."""
        found: dict[str, StoredRecord] = {}
        urls = list(dict.fromkeys(web_urls))
        self._catch_up(urls)
        for start in range(0, len(urls), 500):
            chunk = urls[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            statement = f"SELECT web_url, data, document_path FROM records WHERE web_url IN ({marks})"
            for web_url, data, path in self._rows(statement, chunk):
                found[web_url] = StoredRecord(record_from_json(data), path)
        return found

    def document_paths(self, web_urls: Iterable[str]) -> dict[str, str]:
        """Where the stored ones of these records have their documents, by ``webUrl`` (no record is read)."""
        urls = list(dict.fromkeys(web_urls))
        self._catch_up(urls)
        marks = ", ".join("?" for _ in urls)
        statement = f"SELECT web_url, document_path FROM records WHERE web_url IN ({marks})"
        return dict(self._rows(statement, urls)) if urls else {}

    def fetched_at(self, url: str) -> datetime | None:
        """When the stored article page was last fetched, or ``None`` when it is not stored.

        ``url`` is its ``webUrl`` or any URL it was reached under (its aliases).
        """
        self._catch_up([url])
        rows = self._rows(
            "SELECT fetched_at, updated_at FROM records WHERE web_url = ?"
            " UNION ALL SELECT r.fetched_at, r.updated_at FROM aliases a JOIN records r ON r.web_url = a.web_url"
            " WHERE a.url = ?",
            (url, url),
        )
        if not rows:
            return None
        return as_utc(rows[0][0] or rows[0][1])

    def get_with_content_twin(
        self, web_urls: Iterable[str], content_sha256: str
    ) -> tuple[dict[str, StoredRecord], str]:
        """:meth:`get_many` for a few ``webUrl``s (one article's spellings), and the ``webUrl`` of the oldest
        other stored record with the same content ("" when none): one query, not two (a round trip
        each on PostgreSQL, for every article of a crawl)."""
        urls = list(dict.fromkeys(web_urls))
        self._catch_up(urls, content_sha256)
        marks = ", ".join("?" for _ in urls)
        statement, params = f"SELECT web_url, data, document_path FROM records WHERE web_url IN ({marks})", urls
        if content_sha256:  # "": no content to match (a record without a body hash matches nothing)
            statement += (
                " UNION ALL SELECT * FROM (SELECT web_url, NULL, NULL FROM records"
                f" WHERE content_sha256 = ? AND web_url NOT IN ({marks}) ORDER BY updated_at, web_url LIMIT 1) AS twin"
            )
            params = [*urls, content_sha256, *urls]
        found: dict[str, StoredRecord] = {}
        twin = ""
        for web_url, data, path in self._rows(statement, params):
            if data is None:
                twin = web_url
            else:
                found[web_url] = StoredRecord(record_from_json(data), path)
        return found, twin

    def put(
        self,
        record: Record,
        document_path: str,
        now: datetime,
        terms: dict[str, float] | None = None,
        *,
        stories_pending: bool = False,
    ) -> None:
        """Insert or replace a record (and, when given, its story terms), atomically.

        ``stories_pending`` lists the record in ``pending_stories`` in the same transaction.
        """
        self.put_many([(record, document_path, terms, stories_pending)], now)

    def pending_stories(self) -> list[str]:
        """The records whose relations a story step has still to make, oldest first."""
        self._catch_up()
        return [row[0] for row in self._rows("SELECT web_url FROM pending_stories ORDER BY written_at, web_url")]

    def stories_done(self, web_urls: Iterable[str]) -> None:
        """Take these records off the pending list: a story step has related them."""
        urls = list(dict.fromkeys(web_urls))
        self._catch_up(urls)
        with self._transaction() as db:
            for start in range(0, len(urls), 500):
                chunk = urls[start : start + 500]
                marks = ", ".join("?" for _ in chunk)
                db.execute(self._sql(f"DELETE FROM pending_stories WHERE web_url IN ({marks})"), chunk)

    def delete(self, web_url: str, *, successor: str = "") -> None:
        """Remove a record, its story terms and its pending mark (its document is the caller's).

        Its aliases go to ``successor`` (the record that replaces it) when given, else with it.
        """
        self._catch_up([web_url, successor] if successor else [web_url])
        with self._transaction() as db:
            for table in ("records", "terms", "vectors", "pending_stories"):
                db.execute(self._sql(f"DELETE FROM {table} WHERE web_url = ?"), (web_url,))
            if successor:
                db.execute(self._sql("UPDATE aliases SET web_url = ? WHERE web_url = ?"), (successor, web_url))
                self._alias(db, [web_url], successor)
            else:
                db.execute(self._sql("DELETE FROM aliases WHERE web_url = ?"), (web_url,))

    def _alias(self, db: Any, urls: Iterable[str], web_url: str) -> None:
        rows = [(url, web_url) for url in dict.fromkeys(urls) if url and url != web_url]
        if rows:
            db.executemany(self._sql(_UPSERT_ALIAS), rows)

    def put_many(self, entries: Iterable[PutEntry], now: datetime) -> int:
        """:meth:`put` for many records, in one transaction: (record, document path, story terms[, stories
        pending]) each, with the meaning they have there (terms None: keep the record's terms; stories
        pending: list it in ``pending_stories``). The write pipeline's batches, the story step's
        rewrites, imports and benchmarks.

        Each statement is sent once for all the records (on PostgreSQL a round trip per record cost more
        than relating it); the rows are those that :meth:`put` one record after another would leave.
        """
        rows = [(entry[0], entry[1], entry[2], len(entry) > 3 and bool(entry[3])) for entry in entries]
        if not rows:
            return 0
        self._catch_up([record.web_url for record, *_ in rows])  # an earlier write of one of them goes first
        with self._transaction() as db:
            db.executemany(self._sql(_UPSERT_RECORD), [_record_row(r, path, now) for r, path, _, _ in rows])
            aliases = [
                (url, record.web_url)
                for record, *_ in rows
                for url in dict.fromkeys([record.original_url, *record.linked_urls])
                if url and url != record.web_url
            ]
            if aliases:
                db.executemany(self._sql(_UPSERT_ALIAS), aliases)
            self._replace_terms(db, [(record, terms) for record, _, terms, _ in rows if terms is not None])
            pending = [(record.web_url, format_instant(now)) for record, _, _, listed in rows if listed]
            if pending:
                db.executemany(
                    self._sql(
                        "INSERT INTO pending_stories (web_url, written_at) VALUES (?, ?)"
                        " ON CONFLICT (web_url) DO NOTHING"
                    ),
                    pending,
                )
        return len(rows)

    def _replace_terms(self, db: Any, replaced: list[tuple[Record, dict[str, float]]]) -> None:
        """New story terms for these records (``None`` terms are not given here: a record keeps its own).

        Each statement once for all of them (``executemany``: one pipelined batch on PostgreSQL).
        """
        if not replaced:
            return
        replaced = list({record.web_url: (record, terms) for record, terms in replaced}.values())  # the last wins
        urls = [(record.web_url,) for record, _ in replaced]
        db.executemany(self._sql("DELETE FROM terms WHERE web_url = ?"), urls)
        # New story terms mean a new or changed text: its vector is made again when next needed.
        db.executemany(self._sql("DELETE FROM vectors WHERE web_url = ?"), urls)
        rows = [
            (term, record.web_url, format_instant(record.published_at), record.provider.domain, weight)
            for record, terms in replaced
            if record.published_at
            for term, weight in terms.items()
        ]
        if rows:
            self._insert_terms(db, rows)

    def _insert_terms(self, db: Any, rows: list[tuple]) -> None:
        db.executemany(
            self._sql(
                "INSERT INTO terms (term, web_url, published_at, provider_domain, weight) VALUES (?, ?, ?, ?, ?)"
            ),
            rows,
        )

    def count(self) -> int:
        self._catch_up()
        return self._rows("SELECT COUNT(*) FROM records")[0][0]

    def __iter__(self) -> Iterator[StoredRecord]:
        self._catch_up()
        for data, path in self._rows("SELECT data, document_path FROM records ORDER BY web_url"):
            yield StoredRecord(record_from_json(data), path)

    def web_urls(self, *, provider_domain: str = "", since: datetime | None = None) -> list[str]:
        """The stored ``webUrl``s, optionally of one provider and published since an instant."""
        self._catch_up()
        statement, params = "SELECT web_url FROM records WHERE 1 = 1", []
        if provider_domain:
            statement += " AND provider_domain = ?"
            params.append(provider_domain)
        if since is not None:
            statement += " AND published_at >= ?"
            params.append(format_instant(since))
        return [row[0] for row in self._rows(statement + " ORDER BY published_at, web_url", params)]

    # --- the story index ----------------------------------------------------

    def candidates(
        self, terms: Iterable[str], start: datetime, end: datetime, exclude_domain: str, limit: int = 50
    ) -> list[tuple[str, int]]:
        """Other providers' records published in [start, end] sharing these terms: (webUrl, shared), most first."""
        terms = list(terms)
        if not terms:
            return []
        self._catch_up()
        marks = ", ".join("?" for _ in terms)
        return [
            (web_url, int(shared))
            for web_url, shared in self._rows(
                f"SELECT web_url, COUNT(*) AS shared FROM terms WHERE term IN ({marks})"
                " AND published_at >= ? AND published_at <= ? AND provider_domain != ?"
                " GROUP BY web_url ORDER BY shared DESC, web_url LIMIT ?",
                [*terms, format_instant(start), format_instant(end), exclude_domain, limit],
            )
        ]

    def term_vectors(self, web_urls: Iterable[str]) -> dict[str, dict[str, float]]:
        """Each record's story terms and weights."""
        vectors: dict[str, dict[str, float]] = {}
        urls = list(dict.fromkeys(web_urls))
        self._catch_up(urls)
        for begin in range(0, len(urls), 500):
            chunk = urls[begin : begin + 500]
            marks = ", ".join("?" for _ in chunk)
            for term, web_url, weight in self._rows(
                f"SELECT term, web_url, weight FROM terms WHERE web_url IN ({marks})", chunk
            ):
                vectors.setdefault(web_url, {})[term] = weight
        return vectors

    def document_frequencies(self, terms: Iterable[str], start: datetime, end: datetime) -> dict[str, int]:
        """How many records published in [start, end] carry each term."""
        terms = list(terms)
        if not terms:
            return {}
        self._catch_up()
        marks = ", ".join("?" for _ in terms)
        rows = self._rows(
            f"SELECT term, COUNT(*) FROM terms WHERE term IN ({marks}) AND published_at >= ? AND published_at <= ?"
            " GROUP BY term",
            [*terms, format_instant(start), format_instant(end)],
        )
        return {term: int(count) for term, count in rows}

    def put_vectors(self, rows: Iterable[tuple[str, datetime, str, str, float, bytes]]) -> None:
        """Store story vectors: (webUrl, published, provider domain, model, reliability, vector bytes)."""
        rows = [
            (url, format_instant(when), domain, model, float(r), blob) for url, when, domain, model, r, blob in rows
        ]
        if not rows:
            return
        self._catch_up([row[0] for row in rows])  # a record held back would drop its new vector when stored
        with self._transaction() as db:
            db.executemany(
                self._sql(
                    "INSERT INTO vectors (web_url, published_at, provider_domain, model, reliability, vector)"
                    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (web_url) DO UPDATE SET"
                    " published_at = excluded.published_at, provider_domain = excluded.provider_domain,"
                    " model = excluded.model, reliability = excluded.reliability, vector = excluded.vector"
                ),
                rows,
            )

    def vectors_between(self, start: datetime, end: datetime, model: str) -> list[tuple[str, str, str, float, bytes]]:
        """The story vectors of records published in [start, end]: (webUrl, published, domain, reliability, bytes)."""
        self._catch_up()
        return [
            (url, published, domain, float(reliability), bytes(blob))
            for url, published, domain, reliability, blob in self._rows(
                "SELECT web_url, published_at, provider_domain, reliability, vector FROM vectors"
                " WHERE published_at >= ? AND published_at <= ? AND model = ? ORDER BY published_at, web_url",
                (format_instant(start), format_instant(end), model),
            )
        ]

    def without_vectors(self, start: datetime, end: datetime, model: str) -> list[str]:
        """The records published in [start, end] that have no story vector of this model (yet)."""
        self._catch_up()
        return [
            row[0]
            for row in self._rows(
                "SELECT r.web_url FROM records r LEFT JOIN vectors v ON v.web_url = r.web_url AND v.model = ?"
                " WHERE r.published_at >= ? AND r.published_at <= ? AND v.web_url IS NULL ORDER BY r.web_url",
                (model, format_instant(start), format_instant(end)),
            )
        ]

    def records_between(self, start: datetime, end: datetime) -> int:
        """How many records were published in [start, end]."""
        self._catch_up()
        rows = self._rows(
            "SELECT COUNT(*) FROM records WHERE published_at >= ? AND published_at <= ?",
            (format_instant(start), format_instant(end)),
        )
        return int(rows[0][0])

    def close(self) -> None:
        with contextlib.suppress(*self._database_errors):
            self._db.close()

    # --- the image store's index (crawler/images.py) -------------------------------------------------

    def image(self, url: str) -> tuple[str, str, int, int] | None:
        """The stored picture of an image URL: ``(sha256, path, width, height)``, or ``None``."""
        rows = self._rows("SELECT sha256, path, width, height FROM images WHERE url = ?", (url,))
        if not rows:
            return None
        sha256, path, width, height = rows[0]
        return str(sha256), str(path), int(width), int(height)

    def put_image(self, url: str, sha256: str, path: str, width: int, height: int, now: datetime) -> None:
        """Record (or replace) the stored picture of an image URL."""
        with self._transaction() as db:
            db.execute(
                self._sql(
                    "INSERT INTO images (url, sha256, path, width, height, fetched_at) VALUES (?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (url) DO UPDATE SET sha256 = excluded.sha256, path = excluded.path,"
                    " width = excluded.width, height = excluded.height, fetched_at = excluded.fetched_at"
                ),
                (url, sha256, path, width, height, format_instant(now)),
            )


class SQLiteStore(RecordStore):
    """The record store in one SQLite file."""

    _database_errors = (sqlite3.Error,)

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.location = str(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(self.location, error) from error
        with self._failing_as_store_error():
            # isolation_level=None: transactions are opened explicitly, one per write.
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            for statement in SCHEMA:
                self._db.execute(statement)

    def check(self) -> None:
        """``PRAGMA quick_check`` (damaged pages, a file cut short), then a write."""
        problems = [row[0] for row in self._rows("PRAGMA quick_check(3)")]
        if problems != ["ok"]:
            raise StoreError(self.location, f"damaged file (quick_check: {'; '.join(problems)})")
        super().check()

    @contextmanager
    def _begin(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            with contextlib.suppress(sqlite3.Error):  # a failed COMMIT has already ended it
                self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")


class PostgresStore(RecordStore):
    """The record store in a PostgreSQL database, shared by several crawl machines."""

    def __init__(self, url: str):
        import psycopg  # only a PostgreSQL store needs the driver

        self._database_errors = (psycopg.Error,)
        self.url = url
        self.location = _without_password(url)
        with self._failing_as_store_error():
            self._db = psycopg.connect(url, autocommit=True, connect_timeout=10)
        with self._transaction() as db:
            # Several crawlers may start at once: serialise the schema set-up.
            db.execute("SELECT pg_advisory_xact_lock(4242)")
            for statement in SCHEMA:
                db.execute(statement.replace("REAL", "DOUBLE PRECISION").replace("BLOB", "BYTEA"))

    def _sql(self, statement: str) -> str:
        return statement.replace("?", "%s")

    @contextmanager
    def _begin(self) -> Iterator[Any]:
        with self._db.transaction():
            yield self._db.cursor()

    def _fetch(self, statement: str, params: Sequence[Any]) -> list[tuple]:
        with self._db.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall()


def _without_password(url: str) -> str:
    """A PostgreSQL URL as a log line may show it: the password replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def open_store(location: str | Path) -> RecordStore:
    """Open the store a setting names: a ``postgresql://`` URL, else a SQLite file path (a new connection)."""
    location = str(location)
    postgres = location.startswith(("postgresql://", "postgres://"))
    store = PostgresStore(location) if postgres else SQLiteStore(location)
    logger.info("Opened the record store %s", store.location)
    return store


# --- one connection per process ------------------------------------------------------------------
# A crawl's spider, pipelines, image store and story step (and, in ``crawlall``, every provider's
# crawl) share one connection to the store: ``acquire`` opens it on first use, ``release`` closes it
# when its last user lets go. The commands hold it for their whole run (``held``), so it is opened
# once per run; code that runs alone (a test, ``scrapy render``) opens and closes it as before.
# Everything runs in the reactor's thread, and no transaction spans an ``await``.

_shared: dict[str, tuple[RecordStore, int]] = {}


def acquire(settings: Any) -> RecordStore:
    """The process's connection to the store that the ``RECORD_STORE`` setting names."""
    location = str(settings.get("RECORD_STORE"))
    store, users = _shared.get(location, (None, 0))
    if store is None:
        store = open_store(location)
    _shared[location] = (store, users + 1)
    return store


def release(store: RecordStore) -> None:
    """Let go of a store from :func:`acquire`; the last user closes it."""
    for location, (shared, users) in list(_shared.items()):
        if shared is store:
            if users > 1:
                _shared[location] = (shared, users - 1)
                return
            del _shared[location]
            break
    store.close()


@contextmanager
def held(settings: Any) -> Iterator[RecordStore]:
    """The shared store, held open for the block (a command's whole run)."""
    store = acquire(settings)
    try:
        yield store
    finally:
        release(store)
