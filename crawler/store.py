"""The record store: every record the crawler has written, keyed by ``webUrl``.

It is what makes de-duplication work across runs, and the memory later steps
(relating stories, incremental crawls) build on. SQLite is the embedded default:
one file, nothing to install. Each write is one transaction, so a killed crawl
never leaves half a record behind.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from crawler.record import Record, as_utc, format_instant

SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    web_url         TEXT PRIMARY KEY,
    provider_domain TEXT NOT NULL,
    published_at    TEXT,
    content_sha256  TEXT NOT NULL DEFAULT '',
    document_path   TEXT NOT NULL DEFAULT '',
    data            TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_content ON records (content_sha256);
CREATE INDEX IF NOT EXISTS records_published ON records (published_at);
"""


@dataclass(slots=True)
class StoredRecord:
    """A record as the store holds it, with where its document was written."""

    record: Record
    document_path: str


def record_to_json(record: Record) -> str:
    """The record's front matter plus the provenance later steps need, as JSON text."""
    data: dict[str, Any] = record.front_matter()
    data["publishedDateTime"] = format_instant(record.published_at) if record.published_at else None
    for entry in data["related"]:
        entry["publishedDateTime"] = format_instant(entry["publishedDateTime"])
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


class SQLiteStore:
    """The record store in one SQLite file."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we open transactions explicitly, one per write.
        self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)

    def get(self, web_url: str) -> StoredRecord | None:
        """The stored record for a ``webUrl``, or ``None``."""
        row = self._db.execute("SELECT data, document_path FROM records WHERE web_url = ?", (web_url,)).fetchone()
        return StoredRecord(record_from_json(row[0]), row[1]) if row else None

    def find_by_content(self, content_sha256: str, exclude_web_url: str) -> str | None:
        """The ``webUrl`` of another stored record with the same content, if any (oldest first)."""
        row = self._db.execute(
            "SELECT web_url FROM records WHERE content_sha256 = ? AND web_url != ? ORDER BY updated_at LIMIT 1",
            (content_sha256, exclude_web_url),
        ).fetchone()
        return row[0] if row else None

    def put(self, record: Record, document_path: str, now: datetime) -> None:
        """Insert or replace a record, atomically."""
        with self._transaction():
            self._db.execute(
                "INSERT INTO records (web_url, provider_domain, published_at, content_sha256, document_path,"
                " data, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (web_url) DO UPDATE SET provider_domain = excluded.provider_domain,"
                " published_at = excluded.published_at, content_sha256 = excluded.content_sha256,"
                " document_path = excluded.document_path, data = excluded.data, updated_at = excluded.updated_at",
                (
                    record.web_url,
                    record.provider.domain,
                    format_instant(record.published_at) if record.published_at else None,
                    record.content_sha256,
                    document_path,
                    record_to_json(record),
                    format_instant(now),
                ),
            )

    def count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM records").fetchone()[0]

    def __iter__(self):
        for data, path in self._db.execute("SELECT data, document_path FROM records ORDER BY web_url"):
            yield StoredRecord(record_from_json(data), path)

    def close(self) -> None:
        self._db.close()

    def _transaction(self):
        return _Transaction(self._db)


class _Transaction:
    def __init__(self, db: sqlite3.Connection):
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, exc, tb) -> None:
        self._db.execute("ROLLBACK" if exc_type else "COMMIT")


def open_store(location: str | Path) -> SQLiteStore:
    """Open the store named by a setting: a SQLite file path."""
    return SQLiteStore(location)
