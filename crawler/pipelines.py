"""Item pipelines: normalise → validate → de-duplicate → score → seal → write.

Each pipeline does one job over a :class:`crawler.record.Record`. A record that
cannot be published as it is gets dropped with a short reason slug; every drop
is counted in the crawl stats under ``records/dropped/<reason>``.
"""

from __future__ import annotations

import contextlib
import logging
import re
import unicodedata
from datetime import datetime
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from twisted.internet.base import DelayedCall
from twisted.python.threadable import isInIOThread

from crawler import clock, scoring
from crawler.extraction.excerpt import cut
from crawler.extraction.normalize import plain_text
from crawler.extraction.title import cap_headline
from crawler.extraction.urls import amp_cache_url, better_scheme, clean_url, scheme_variants
from crawler.publishing.files import remove_abandoned_temporaries
from crawler.publishing.frontmatter import markdown_body
from crawler.publishing.writer import DocumentBatch, DocumentWriter
from crawler.record import EXCERPT_MAX_CHARS, MAX_TOPICS, Record, as_utc, problems
from crawler.registry import load_registry
from crawler.seal import SealError, load_key, open_token, provenance, seal
from crawler.stop import store_failed
from crawler.store import RecordStore, StoreError, acquire, release
from crawler.stories import indexed_terms

logger = logging.getLogger(__name__)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # C0/C1 controls (not tab, newline)


# Sent (``record=``) when the write pipeline is done with a record it held in a batch: the batch was
# stored and the document put in place, or the batch failed. A cluster worker's lease on the page
# ends then (crawler/cluster.py), not when the record leaves the pipelines.
record_settled = object()


def dropped(crawler: Crawler, reason: str, message: str) -> DropItem:
    """Count a drop under its reason and return the exception to raise."""
    crawler.stats.inc_value(f"records/dropped/{reason}")
    return DropItem(f"{reason}: {message}")


def reference_time(crawler: Crawler) -> datetime:
    """The crawl's "now" (``crawler.clock``): frozen by ``CRAWL_REFERENCE_TIME``, else the crawl's start."""
    return clock.reference_time(crawler.settings, crawler.stats.get_value("start_time"))


def display_text(text: str) -> str:
    """One line of display text: NFC, control characters removed, then the extractor's clean-up
    (entities decoded, stray tags and invisible characters removed, whitespace collapsed). Emoji sequences
    stay whole: their joiners, variation selectors, keycaps and tags are removed only outside one."""
    return plain_text(unicodedata.normalize("NFC", _CONTROL.sub("", text)))


class NormalizePipeline:
    """Unicode NFC, collapsed whitespace, decoded entities, clean URLs, UTC instants."""

    def process_item(self, record: Record) -> Record:
        record.title = display_text(record.title)
        record.title, truncated = cap_headline(record.title)  # the extractor caps too; this covers every record
        if truncated and "title_truncated" not in record.extraction_notes:
            record.extraction_notes.append("title_truncated")
        record.excerpt = cut(display_text(record.excerpt), EXCERPT_MAX_CHARS)
        record.provider.name = display_text(record.provider.name)
        record.provider.domain = record.provider.domain.strip().lower()
        record.topics = list(dict.fromkeys(display_text(t) for t in record.topics if display_text(t)))[:MAX_TOPICS]
        record.original_url = record.original_url.split("#", 1)[0].strip()
        record.web_url = clean_url(record.web_url) if record.web_url else ""
        record.amp_web_url = clean_url(record.amp_web_url) if record.amp_web_url else record.web_url
        record.text = unicodedata.normalize("NFC", record.text)
        if record.published_at is not None and record.published_at.tzinfo is not None:
            # Extraction gives aware instants (a time without offset read in the provider's zone,
            # crawler.clock.in_zone); a naive one is left for validation to drop (naive_published_at).
            record.published_at = as_utc(record.published_at).replace(microsecond=0)
        return record


class ValidatePipeline:
    """Drops a record that breaks the contract (``crawler.record.problems``), counted by reason."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        return cls(crawler)

    def process_item(self, record: Record) -> Record:
        found = problems(record)
        if found:
            raise dropped(self.crawler, found[0], f"{record.original_url or record.web_url} ({', '.join(found)})")
        return record


class StorePipeline:
    """A pipeline that reads the record store: opened with the spider, closed with it.

    A store error while a record passes stops the crawl (:func:`store_failed`).
    """

    crawler: Crawler
    store: RecordStore | None = None

    def open_spider(self) -> None:
        self.store = acquire(self.crawler.settings)

    def close_spider(self) -> None:
        if self.store is not None:
            release(self.store)
            self.store = None

    def process_item(self, record: Record) -> Record:
        try:
            return self.process_stored(record)
        except StoreError as error:
            store_failed(self.crawler, error)
            raise dropped(self.crawler, "store_error", str(error)) from None

    def process_stored(self, record: Record) -> Record:
        raise NotImplementedError


class DedupePipeline(StorePipeline):
    """One document per article: within a run (drop) and across runs (same file, via the store).

    An article's address may be spelt over http or https, with or without
    ``www.`` (``crawler.extraction.urls.scheme_variants``): a record whose
    ``webUrl`` is not stored but another spelling of it is takes the stored
    spelling, unless the stored one is http and this one https, which replaces
    it (:class:`WriteDocumentPipeline` removes the http record and its document).

    A record whose body is the same as another stored article's under a
    different ``webUrl`` is kept but marked ``duplicate_of``, which fails the
    publishing gate.
    """

    MIN_TEXT_FOR_CONTENT_MATCH = 200  # shorter bodies (briefs, stubs) collide by accident

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        return cls(crawler)

    def process_stored(self, record: Record) -> Record:
        assert self.store is not None
        # Its stored spellings, and another article with the same body (a short one collides by accident).
        content = record.content_sha256 if len(record.text) >= self.MIN_TEXT_FOR_CONTENT_MATCH else ""
        stored, earlier = self.store.get_with_content_twin(scheme_variants(record.web_url), content)
        if record.web_url not in stored:
            twin = next((url for url in stored if not better_scheme(record.web_url, url)), None)
            if twin is not None:
                logger.info("%s is stored as %s: one document for both spellings", record.web_url, twin)
                self.crawler.stats.inc_value("records/scheme_variant")
                if record.amp_web_url == record.web_url:  # no AMP page of its own: the AMP URL follows
                    record.amp_web_url, record.cdn_amp_web_url = twin, amp_cache_url(twin)
                record.web_url = twin
        if record.web_url in self.seen:
            raise dropped(self.crawler, "duplicate_web_url", f"{record.original_url} is {record.web_url} again")
        self.seen.add(record.web_url)
        previous = stored.get(record.web_url)
        record.stored = previous.record if previous else None
        if earlier:
            record.duplicate_of = earlier
            self.crawler.stats.inc_value("records/duplicate_content")
            logger.info("%s has the same content as %s; not published", record.web_url, earlier)
        return record


class ScorePipeline:
    """``quality`` and the ``published`` gate (formulas in ``crawler.scoring``); ``heat`` is the story step's."""

    def __init__(self, crawler: Crawler, standings: dict[str, int], unknown_standing: int, floor: int):
        self.crawler = crawler
        self.standings = standings
        self.unknown_standing = unknown_standing
        self.floor = floor

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ScorePipeline:
        registry = load_registry(crawler.settings.get("PROVIDER_REGISTRY"))
        standings = {domain: p.standing for p in registry for domain in p.all_domains}
        settings = crawler.settings
        return cls(
            crawler,
            standings,
            settings.getint("UNKNOWN_PROVIDER_STANDING"),
            settings.getint("PUBLISH_MIN_QUALITY"),
        )

    def process_item(self, record: Record) -> Record:
        standing = self.standings.get(record.provider.domain, self.unknown_standing)
        record.quality = scoring.quality(record, standing)
        record.published = scoring.publishable(record, self.floor)
        return record


class SealPipeline:
    """``secured``: the sealed provenance token (RECORD.md).

    An article fetched again with the same content and URLs keeps the token it
    has (its payload would differ only in ``fetchedAt``), so that an unchanged
    article renders to the same bytes and its document is left alone. A kept
    token must still open under the current key: one sealed before tokens
    carried a MAC (or under another key) is sealed again.
    """

    def __init__(self, key: bytes):
        self.key = key

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SealPipeline:
        settings = crawler.settings
        return cls(load_key(settings.get("SEAL_KEY_ENV"), Path(settings.get("SEAL_KEY_FILE"))))

    def process_item(self, record: Record) -> Record:
        if record.stored is not None and _same_provenance(record.stored, record) and self._opens(record.stored):
            record.secured = record.stored.secured
        else:
            record.secured = seal(provenance(record), self.key)
        return record

    def _opens(self, record: Record) -> bool:
        try:
            open_token(record.secured, self.key)
        except SealError:
            return False
        return True


def _same_provenance(old: Record, new: Record) -> bool:
    return bool(old.secured) and (old.original_url, old.web_url, old.content_sha256) == (
        new.original_url,
        new.web_url,
        new.content_sha256,
    )


class WriteDocumentPipeline(StorePipeline):
    """Stores the record, then writes its front-matter document atomically.

    Through the one document writer (``crawler.publishing.writer``): the
    record is stored before its document is renamed into place, so a store
    that fails leaves the old document as it was; no document is ever written
    for a record the store does not hold. The record is listed as pending for
    the story step in the same transaction, so that relations a killed run
    did not make are made by the next one.

    Records are stored in batches (``DocumentBatch``: one transaction for up to
    ``STORE_BATCH_SIZE`` records, none waiting longer than ``STORE_BATCH_SECONDS``;
    their documents are staged as they come and renamed into place once the
    batch is stored). A batch is stored when it is full, when its oldest record
    has waited long enough (checked on each record, and by a timer when none
    comes), when the spider closes, and before any read of the store that could
    see one of its records (``RecordStore.hold``: the de-duplication's lookups, the
    spider's incremental check, the story step). A run killed mid-batch loses
    what was not stored, which the next run fetches again; documents a batch
    stored but had not all put in place are put in place when the next run opens
    (``DocumentWriter.restore_interrupted``).

    A record already in the store keeps its ``related`` and ``heat``: they are
    the story step's to change (at the end of the crawl). The record's story
    terms go into the store's index for that step. An http spelling of the
    article that the store still holds (see :class:`DedupePipeline`) is removed
    with its document once the https record is written. Counts documents as
    new, updated or unchanged, and how many have an image and an excerpt (the
    health checks compare that coverage between runs), as each is put in place.
    """

    def __init__(
        self,
        crawler: Crawler,
        output_dir: Path,
        include_body: bool,
        batch_size: int = 1,
        batch_seconds: float = 0.0,
    ):
        self.crawler = crawler
        self.output_dir = output_dir
        self.include_body = include_body
        self.batch_size = max(1, batch_size)
        self.batch_seconds = max(0.0, batch_seconds)
        self._timer: DelayedCall | None = None
        self._passing: Record | None = None  # the record process_item is handling (its drops are its own)
        self._unplaced_error: OSError | None = None  # why that record's document could not be put in place

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WriteDocumentPipeline:
        settings = crawler.settings
        if not settings.get("OUTPUT_DIR"):
            raise NotConfigured("OUTPUT_DIR is empty: documents are not written")
        return cls(
            crawler,
            Path(settings.get("OUTPUT_DIR")),
            settings.getbool("DOCUMENT_BODY"),
            settings.getint("STORE_BATCH_SIZE", 1),
            settings.getfloat("STORE_BATCH_SECONDS", 0.0),
        )

    def open_spider(self) -> None:
        self.output_dir.mkdir(parents=True, exist_ok=True)
        super().open_spider()
        assert self.store is not None
        self.writer = DocumentWriter(self.store, self.output_dir, include_body=self.include_body)
        self.batch = DocumentBatch(
            self.writer, placed=self._placed, unplaced=self._unplaced, store_failed=self._store_failed
        )
        try:  # before the staged files go: they tell which documents a killed run had not renamed
            restored = self.writer.restore_interrupted()
        except StoreError as error:
            store_failed(self.crawler, error)
            restored = 0
        if restored:
            logger.info("Put %d documents in place that an interrupted run had stored", restored)
        removed = remove_abandoned_temporaries(self.output_dir)
        if removed:
            logger.info("Removed %d temporary files that an interrupted run left in %s", removed, self.output_dir)
        self.crawler.signals.connect(self._idle, signal=signals.spider_idle)

    def _idle(self) -> None:
        """Nothing to download or parse: store the held records now rather than when their time is up.

        A cluster worker may not leave before the leases of its held records end (with their batch),
        and the others wait for it; one process is about to close anyway.
        """
        if len(self.batch):
            self._flush_held()

    def _flush_held(self) -> None:
        """Store the held batch now; a StoreError has been told to store_failed by the batch."""
        batch = getattr(self, "batch", None)  # none when the spider closes before it opened
        if batch is not None:
            with contextlib.suppress(StoreError):
                batch.flush()

    def close_spider(self) -> None:
        if self._timer is not None and self._timer.active():
            self._timer.cancel()
        self._timer = None
        self._flush_held()
        super().close_spider()

    def process_stored(self, record: Record) -> Record:
        self._passing, self._unplaced_error = record, None
        try:
            record = self._write(record)
        finally:
            self._passing = None
        if self._unplaced_error is not None:
            raise dropped(self.crawler, "write_failed", f"{self._unplaced_error}")
        return record

    def _write(self, record: Record) -> Record:
        assert self.store is not None
        # The stored spellings of this article (their document paths only): an https one, stored
        # since this record passed DedupePipeline (another item in flight), wins.
        twins = self.store.document_paths(scheme_variants(record.web_url))
        if any(better_scheme(url, record.web_url) for url in twins):
            raise dropped(self.crawler, "duplicate_web_url", f"{record.web_url} is stored over https")
        twins.pop(record.web_url, None)
        previous = record.stored
        if previous is not None:  # related and heat are the story step's (crawler.stories), kept as stored
            record.related, record.heat = previous.related, previous.heat
        else:  # a story of one until the story step relates it
            record.related, record.heat = [], scoring.heat([record], reference_time(self.crawler))
        if self.include_body and not record.body:  # DOCUMENT_BODY: the text, as the document and exports show it
            record.body = markdown_body(record.text)
        path = self.writer.path_for(record)
        if self.batch.age() >= self.batch_seconds:  # the held records have waited long enough
            self.batch.flush()
        try:
            _, changes = self.batch.add(
                record, reference_time(self.crawler), path=path, terms=indexed_terms(record), stories_pending=True
            )
        except OSError as error:
            raise dropped(self.crawler, "write_failed", f"{path}: {error}") from error
        record.unchanged = not changes
        if twins:  # the https record stored and in place first, then the other spellings removed
            self.batch.flush()
            if self._unplaced_error is None:  # not when its own document could not be put in place
                for url, twin_path in twins.items():
                    self._retire(url, twin_path, keep=path, successor=record.web_url)
        elif len(self.batch) >= self.batch_size or self.batch.age() >= self.batch_seconds:
            self.batch.flush()
        else:
            self._flush_later(self.batch_seconds - self.batch.age())
        return record

    def _flush_later(self, delay: float) -> None:
        """Flush the batch when its oldest record has waited ``STORE_BATCH_SECONDS`` (a timer on the reactor).

        Only where the reactor runs this code (a crawl); called from elsewhere (a test driving
        the pipeline by hand), the batch waits for its count, a read or the spider's close.
        """
        if self._timer is not None and self._timer.active():
            return
        from twisted.internet import reactor  # here, not at the top: importing it would install a reactor

        if reactor.running and isInIOThread():
            self._timer = reactor.callLater(max(0.0, delay), self._time_is_up)

    def _time_is_up(self) -> None:
        self._timer = None
        wait = self.batch_seconds - self.batch.age()
        if len(self.batch) and wait > 0:  # flushed meanwhile: the time bound is the newer oldest record's
            self._flush_later(wait)
            return
        self._flush_held()

    def _store_failed(self, error: StoreError, records: list[Record]) -> None:
        """A batch could not be stored: the crawl stops; its records are dropped, as each was before batches."""
        store_failed(self.crawler, error)
        for record in records:
            self._settled(record)
            if record is not self._passing:  # that one is dropped by process_item
                self.crawler.stats.inc_value("records/dropped/store_error")
                logger.warning("Dropped %s: store_error: %s", record.original_url or record.web_url, error)

    def _placed(self, record: Record, path: Path, changed: bool) -> None:
        self._settled(record)
        stats = self.crawler.stats
        stats.inc_value("documents/written" if changed else "documents/unchanged")
        if changed:
            stats.inc_value("documents/updated" if record.stored is not None else "documents/new")
        stats.inc_value("coverage/records")
        for name, present in (("image", bool(record.images)), ("excerpt", bool(record.excerpt))):
            stats.inc_value(f"coverage/{name}", int(present))
        if changed:
            logger.info("Wrote %s (%s)", path, record.web_url)

    def _settled(self, record: Record) -> None:
        """Say that a record's batch is done with: stored and its document in place (or given up)."""
        self.crawler.signals.send_catch_log(signal=record_settled, record=record)

    def _unplaced(self, record: Record, path: Path, error: OSError) -> None:
        """A document that could not be put in place (or made durable): the drop it was before batches."""
        self._settled(record)
        if record is self._passing:
            self._unplaced_error = OSError(f"{path}: {error}")
            return
        self.crawler.stats.inc_value("records/dropped/write_failed")
        logger.warning("Dropped %s: write_failed: %s: %s", record.original_url or record.web_url, path, error)

    def _retire(self, web_url: str, document_path: str, keep: Path, successor: str) -> None:
        """Remove the record (and document) of another spelling of an article now written under its https URL."""
        assert self.store is not None
        self.store.delete(web_url, successor=successor)
        if document_path and Path(document_path) != keep:
            with contextlib.suppress(FileNotFoundError):
                Path(document_path).unlink()
        self.crawler.stats.inc_value("documents/retired")
        logger.info("Removed %s: the article is now written under https", document_path or web_url)
