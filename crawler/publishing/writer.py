"""The one way a document is written: render the record, store it, then put the document in place.

The write pipeline, the story step and ``scrapy render`` all write through
:class:`DocumentWriter`, so every document passes the same order: the new
bytes are staged beside the document, the record (with where its document
is) goes into the store, and only then is the document renamed into place.
A store that fails leaves the old document as it was; no document is ever
ahead of the store. A document whose bytes would not change is not touched
(same bytes, same mtime).

The write pipeline stores many records in one transaction (a commit costs more
than the rest of storing a record): a :class:`DocumentBatch` stages each
record's document as it comes, then stores the records together and only then
renames their documents into place, the same order for a batch. A run killed
between the two leaves stored records whose documents are not (all) in place:
:meth:`DocumentWriter.restore_interrupted` puts them in place on the next run.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from crawler.publishing.files import (
    TEMPORARY_SUFFIX,
    StagedWrite,
    staged_write,
    sync_directories,
    sync_staged,
    write_atomic,
)
from crawler.publishing.frontmatter import render
from crawler.publishing.paths import document_path
from crawler.record import Record
from crawler.store import RecordStore, StoredRecord, StoreError

logger = logging.getLogger(__name__)

RESTORE_CHUNK = 500  # pending records read from the store at a time by restore_interrupted


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

    def document(self, record: Record) -> bytes:
        """The bytes of the record's document."""
        return render(record, include_body=self.include_body).encode("utf-8")

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
        batch = DocumentBatch(self)
        path, _ = batch.add(record, now, path=path, terms=terms, stories_pending=stories_pending)
        ((_, _, changed),) = batch.flush()
        return path, changed

    def store_only(self, record: Record, now: datetime) -> None:
        """Store a record that has no document (its document path is empty)."""
        self.store.put(record, "", now)

    def restore_interrupted(self) -> int:
        """Put in place the documents that a killed run stored but did not rename into place: how many.

        A run killed after a batch was stored but before each of its documents was renamed
        leaves stored records whose new bytes are still staged beside their documents (the
        old document, or none, in place), and the next run would not fetch them again. Each
        such record is on the store's pending list (its document changed): its document is
        rendered from the store, as ``scrapy render`` does (nothing is stored). Costs nothing
        when no staged file is left under the output folder. Run it before the staged files
        are removed (``remove_abandoned_temporaries``); one that cannot be written is logged.
        """
        if self.output_dir is None:
            return 0
        staged = _staged_documents(self.output_dir)
        if not staged:
            return 0
        pending = self.store.pending_stories()
        restored = 0
        for start in range(0, len(pending), RESTORE_CHUNK):
            paths = self.store.document_paths(pending[start : start + RESTORE_CHUNK])
            left = [url for url, path in paths.items() if path and Path(path).resolve() in staged]
            for stored in self.store.get_many(left).values():
                restored += self._restore(stored)
        return restored

    def _restore(self, stored: StoredRecord) -> bool:
        path = Path(stored.document_path)
        try:
            return write_atomic(path, self.document(stored.record))
        except OSError as error:
            logger.warning("Could not put %s in place from the record store: %s", path, error)
            return False


def _staged_documents(directory: Path) -> set[Path]:
    """The documents under ``directory`` with new bytes staged beside them (``.<name>.<random>.tmp``,
    as ``crawler.publishing.files`` names a staged file): resolved paths."""
    found = set()
    for staged in Path(directory).rglob(f".*{TEMPORARY_SUFFIX}"):
        name = staged.name[1 : -len(TEMPORARY_SUFFIX)].rpartition(".")[0]
        if name:
            found.add((staged.parent / name).resolve())
    return found


@dataclass(slots=True)
class _Held:
    """A record waiting in a batch, with its document's new bytes staged beside the document."""

    record: Record
    path: Path
    terms: dict[str, float] | None
    stories_pending: bool
    staged: StagedWrite


class DocumentBatch:
    """Records stored together in one transaction, their documents put in place after it.

    :meth:`add` renders a record and stages its document's new bytes beside the
    document (complete and fsynced); :meth:`flush` stores every held record in one
    transaction (``RecordStore.put_many``), then renames each staged document into
    place: the order of :meth:`DocumentWriter.write`, for many records. No document is
    ever ahead of the store; a store that fails leaves every document of the batch
    as it was; a process killed before the commit leaves neither the records nor
    their documents (the next run fetches them again, as the store does not have them).

    While it holds records the batch is known to the store (``RecordStore.hold``): a
    read of the store that could see one of them flushes the batch first.

    ``placed(record, path, changed)`` is called for each document once it is in place
    (``changed`` False: it held those bytes already); ``unplaced(record, path, error)``
    for one that could not be renamed in place (its record is stored), and for each of the
    batch when its bytes could not be made durable (an fsync failed: none is stored); ``store_failed(error,
    records)`` when storing a batch fails (none of them is stored), before the StoreError is
    raised. Whoever flushes (the owner, a count or a time bound, a read elsewhere) the
    callbacks tell the owner.
    """

    def __init__(
        self,
        writer: DocumentWriter,
        *,
        placed: Callable[[Record, Path, bool], None] | None = None,
        unplaced: Callable[[Record, Path, OSError], None] | None = None,
        store_failed: Callable[[StoreError, list[Record]], None] | None = None,
    ):
        self.writer = writer
        self.placed = placed
        self.unplaced = unplaced
        self.store_failed = store_failed
        self._start()

    def _start(self) -> None:
        self._held: list[_Held] = []
        self._staged = contextlib.ExitStack()  # the staged documents: removed if still there when it closes
        self._keys: set[str] = set()  # the held records' webUrls and the URLs they were reached under
        self._contents: set[str] = set()  # their content hashes
        self._now: datetime | None = None
        self._since = 0.0  # time.monotonic() when the oldest held record came

    def __len__(self) -> int:
        return len(self._held)

    def age(self) -> float:
        """How long (seconds) the oldest held record has waited; 0 when none is held."""
        return time.monotonic() - self._since if self._held else 0.0

    def add(
        self,
        record: Record,
        now: datetime,
        *,
        path: Path | None = None,
        terms: dict[str, float] | None = None,
        stories_pending: bool = False,
    ) -> tuple[Path, bool]:
        """Stage the record's document (at ``path``, else where it belongs) and hold the record: (path, changes).

        ``changes``: whether the document will change when it is put in place. The arguments
        are :meth:`DocumentWriter.write`'s. An OSError (the bytes cannot be staged) leaves the
        batch as it was. A record of another ``now`` than the held ones flushes them first.
        """
        if self._held and now != self._now:
            self.flush()
        path = Path(path) if path is not None else self.writer.path_for(record)
        # Fsynced at the flush, all of the batch's documents together (files.sync_staged).
        staged = self._staged.enter_context(staged_write(path, self.writer.document(record), sync=False))
        if not self._held:
            self._now, self._since = now, time.monotonic()
            self.writer.store.hold(self)
        self._held.append(_Held(record, path, terms, stories_pending and staged.changes, staged))
        self._keys.update(url for url in (record.web_url, record.original_url, *record.linked_urls) if url)
        if record.content_sha256:
            self._contents.add(record.content_sha256)
        return path, staged.changes

    def holds(self, keys: Collection[str], content: str) -> bool:
        """Whether a held record has one of these ``webUrl``s (or was reached under one), or this content hash."""
        return bool(content and content in self._contents) or not self._keys.isdisjoint(keys)

    def flush(self) -> list[tuple[Record, Path, bool]]:
        """Store the held records in one transaction, then put their documents in place: (record, path, changed) each.

        On a StoreError no document of the batch changes (their staged bytes are removed). A
        document that cannot be renamed in place goes to ``unplaced`` and the others are still
        put in place; without ``unplaced``, the first such OSError is raised after them.
        """
        held, staged, now = self._held, self._staged, self._now
        if not held:
            return []
        self.writer.store.unhold(self)
        self._start()
        done: list[tuple[Record, Path, bool]] = []
        failure: OSError | None = None
        with staged:
            entries = [(h.record, str(h.path), h.terms, h.stories_pending) for h in held]
            try:  # the documents' new bytes are durable before their records say where they are
                sync_staged(h.staged for h in held)
            except OSError as error:  # nothing of the batch is stored, no document changes
                if self.unplaced is None:
                    raise
                for h in held:
                    self.unplaced(h.record, h.path, error)
                return []
            try:
                self.writer.store.put_many(entries, now)
            except StoreError as error:
                if self.store_failed is not None:
                    self.store_failed(error, [h.record for h in held])
                raise
            for h in held:
                try:
                    changed = h.staged.commit(sync_directory=False)
                except OSError as error:
                    if self.unplaced is None:
                        failure = failure or error
                    else:
                        self.unplaced(h.record, h.path, error)
                    continue
                done.append((h.record, h.path, changed))
                if self.placed is not None:
                    self.placed(h.record, h.path, changed)
            sync_directories(path for _, path, changed in done if changed)  # one fsync per folder, not per file
        if failure is not None:
            raise failure
        return done
