"""The one way a document is written: render the record, store it, then put the document in place.

The write pipeline, the story step and ``scrapy render`` all write through
:class:`DocumentWriter`, so every document passes the same order: the new
bytes are staged beside the document, the record (with where its document
is) goes into the store, and only then is the document renamed into place.
A store that fails leaves the old document as it was; no document is ever
ahead of the store. A document whose bytes would not change is not touched
(same bytes, same mtime).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from crawler.publishing.files import staged_write
from crawler.publishing.frontmatter import render
from crawler.publishing.paths import document_path
from crawler.record import Record
from crawler.store import RecordStore


class DocumentWriter:
    """Writes records' documents under ``output_dir`` and keeps the store in step with them."""

    def __init__(self, store: RecordStore, output_dir: Path | None = None, *, include_body: bool = False):
        self.store = store
        self.output_dir = output_dir
        self.include_body = include_body

    def path_for(self, record: Record) -> Path:
        """Where the record's document belongs (``<output>/<domain>/<slug>-<hash>.md``)."""
        if self.output_dir is None:
            raise ValueError("this writer has no output folder: give the document's path")
        return document_path(self.output_dir, record)

    def write(
        self,
        record: Record,
        now: datetime,
        *,
        path: Path | None = None,
        terms: dict[str, float] | None = None,
        stories_pending: bool = False,
    ) -> tuple[Path, bool]:
        """Store ``record`` and write its document (at ``path``, else where it belongs): (path, changed).

        ``terms`` replace the record's story terms (None keeps them); ``stories_pending``
        lists the record for the next story step when its document changed.
        """
        path = Path(path) if path is not None else self.path_for(record)
        data = render(record, include_body=self.include_body).encode("utf-8")
        with staged_write(path, data) as staged:
            pending = stories_pending and staged.changes
            self.store.put(record, str(path), now, terms=terms, stories_pending=pending)
            return path, staged.commit()

    def store_only(self, record: Record, now: datetime) -> None:
        """Store a record that has no document (its document path is empty)."""
        self.store.put(record, "", now)
