"""Stories across providers: which articles report the same story, their ``related`` lists and ``heat``.

How two articles are judged to tell the same story (docs/STORIES.md has the figures):

1. Each record gets a *story vector* (:mod:`crawler.relate`): a static embedding
   of its headline (plus half its excerpt's), kept in the store's ``vectors``
   table by publication time, and *story terms* (:func:`story_terms`: entities,
   figures, words; character pairs for scripts written without spaces), kept
   in the ``terms`` inverted index.
2. The *candidates* of a record are the other providers' records published
   within ``window`` of it: one range read of the ``vectors`` table per group
   of records related together, so the cost follows what the window holds,
   not the store's size.
3. The *story score* of a candidate is the cosine of the record's query with
   the candidate's vector, less ``DAY_PENALTY`` per day between them; the
   query is the record's vector pulled towards its nearest reports
   (pseudo-relevance feedback). Where the model spells a script letter by
   letter (the record's reliability < 1), the TF-IDF cosine of shared story
   terms (IDF over the window) takes that share of the score.
4. Two tiers: candidates at or above ``threshold`` tell the same story; those
   at or above ``subject_threshold`` cover the same subject. ``related`` lists
   the best report of each other provider, the same story first, then the
   subject while fewer than ``max_related``; only the same story counts for
   heat.

Relations are made both ways: the records a record relates to are related
again too, and every record whose ``related`` or ``heat`` changed has its
document rewritten (atomically, only those).

``python -m crawler.stories --batch`` relates JSON records from stdin through
the same step, on an in-memory store (the protocol of ``eval_stories.py``).
"""

from __future__ import annotations

import logging
import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import regex

# isort: off
from crawler import relate  # before numpy: it keeps numpy's BLAS to one thread (see there)
import numpy as np

# isort: on
from crawler import scoring
from crawler.publishing.writer import DocumentBatch, DocumentWriter
from crawler.record import Image, Record, RelatedArticle, as_utc
from crawler.store import RecordStore, StoredRecord

logger = logging.getLogger(__name__)

_ENTITY = re.compile(r"\b[A-Z][\w’'&-]*[A-Za-z0-9](?:\s+(?:[A-Z][\w’'&-]*[A-Za-z0-9]|of|de|and))*")
_FIGURE = re.compile(r"[$€£¥]?\d+(?:[.,]\d+)*\s*(?:%|percent|billion|million|thousand|bn|mn|[bmk]\b)?", re.IGNORECASE)
# Letters with their combining marks (Devanagari, Thai and Arabic vowel signs are marks, not letters).
_WORD = regex.compile(r"\p{L}[\p{L}\p{M}\p{N}_’'-]*[\p{L}\p{M}\p{N}]|\p{L}[\p{L}\p{M}]{2,}")
_UNSPACED = re.compile("[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


@lru_cache(maxsize=1)
def _stop_word_languages() -> dict[str, tuple[str, ...]]:
    """Each stop word of the ``stop-words`` package (33 languages) -> the languages it is a stop word of."""
    import stop_words

    index: dict[str, list[str]] = {}
    for language in stop_words.AVAILABLE_LANGUAGES:
        for word in stop_words.get_stop_words(language):
            index.setdefault(word.lower(), []).append(language)
    return {word: tuple(languages) for word, languages in index.items()}


@lru_cache(maxsize=64)
def _stop_words(language: str) -> frozenset[str]:
    import stop_words

    return frozenset(word.lower() for word in stop_words.get_stop_words(language))


def language_stop_words(text: str) -> tuple[str, frozenset[str]]:
    """The language of ``text`` (the stop-word list that holds most of its words) and its stop words.

    ``("", frozenset())`` when no list holds two of its words (a short or unknown-language
    text): then IDF over the story window alone weighs its common words down.
    """
    index = _stop_word_languages()
    hits = Counter(language for word in _WORD.findall(text.lower()) for language in index.get(word, ()))
    if not hits:
        return "", frozenset()
    count, language = max((count, language) for language, count in hits.items())
    return (language, _stop_words(language)) if count >= 2 else ("", frozenset())


TITLE_WEIGHT, EXCERPT_WEIGHT, BODY_WEIGHT = 3.0, 2.0, 1.0
ENTITY_BOOST, FIGURE_BOOST = 2.0, 2.0
BODY_CHARS = 1500  # the story is told at the start; the rest adds noise and cost
MAX_TERMS = 40


def story_terms(record: Record, max_terms: int = MAX_TERMS) -> dict[str, float]:
    """The record's weighted story terms: entities (``e:``), figures (``n:``) and words (``w:``).

    Stop words are those of the record's own language (:func:`language_stop_words`); the
    light suffix stemming is English only.
    """
    texts = ((record.title, TITLE_WEIGHT), (record.excerpt, EXCERPT_WEIGHT), (record.text[:BODY_CHARS], BODY_WEIGHT))
    language, stop = language_stop_words(" ".join(text for text, _ in texts))
    stem = _stem if language == "english" else str
    weights: dict[str, float] = {}
    for text, weight in texts:
        for term, boost in _terms_of(text, stop, stem):
            weights[term] = weights.get(term, 0.0) + weight * boost
    ranked = sorted(weights.items(), key=lambda item: (-item[1], item[0]))[:max_terms]
    return dict(ranked)


def indexed_terms(record: Record) -> dict[str, float]:
    """The story terms to keep in the store's index for ``record``: only a record whose headline
    the model spells letter by letter (reliability < 1, :mod:`crawler.relate`) is ever scored by
    shared words; for the others the index would be written and never read (it was most of a
    record's store cost), so they get none."""
    if relate.embedder().reliability([record.title])[0] >= 1.0:
        return {}
    return story_terms(record)


def _terms_of(text: str, stop: frozenset[str], stem) -> Iterable[tuple[str, float]]:
    text = text.replace("\u00ad", "")  # soft hyphens (in records stored before they were removed) split no word
    # Scripts written without spaces (Chinese, Japanese, Thai, ...): overlapping character pairs
    # stand for words (小米召回 -> 小米, 米召, 召回); IDF over the window weighs them like words.
    for match in _UNSPACED.finditer(text):
        run = match.group()
        for index in range(max(1, len(run) - 1)):
            yield "w:" + run[index : index + 2], 1.0
    text = _UNSPACED.sub(" ", text)
    for match in _ENTITY.finditer(text):
        # Each capitalised word and each adjacent pair: headlines in Title Case run names together
        # ("Hong Kong IPO"), and the pair "hong kong" still meets the one in a body.
        words = [_normal(word) for word in match.group().split()]
        for index, word in enumerate(words):
            if word not in stop:  # "The", "Die": they start sentences and name nothing
                yield "e:" + word, ENTITY_BOOST
            if index and not ({word, words[index - 1]} & stop):
                yield f"e:{words[index - 1]} {word}", ENTITY_BOOST
    for match in _FIGURE.finditer(text):
        figure = re.sub(r"\s+", "", match.group().lower()).replace("percent", "%")
        if len(figure) >= 2 and not re.fullmatch(r"(?:19|20)\d\d", figure):  # bare years are everywhere
            yield "n:" + figure, FIGURE_BOOST
    for match in _WORD.finditer(text):
        word = match.group().lower()
        if len(word) >= 3 and word not in stop:
            yield "w:" + stem(word), 1.0


def _normal(phrase: str) -> str:
    return re.sub(r"[’']s$", "", phrase.lower())


def _stem(word: str) -> str:
    """A light English stem, enough for "files"/"filed"/"filing" and "listings"/"listing" to meet."""
    word = re.sub(r"[’']s$", "", word)
    for suffix in ("ings", "ing", "ies", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def cosine(a: dict[str, float], b: dict[str, float], idf: dict[str, float]) -> float:
    """Cosine similarity of two term vectors weighted by IDF."""
    dot = sum(weight * b[term] * idf.get(term, 1.0) ** 2 for term, weight in a.items() if term in b)
    if not dot:
        return 0.0
    norm_a = math.sqrt(sum((w * idf.get(t, 1.0)) ** 2 for t, w in a.items()))
    norm_b = math.sqrt(sum((w * idf.get(t, 1.0)) ** 2 for t, w in b.items()))
    return dot / (norm_a * norm_b)


@dataclass(frozen=True, slots=True)
class StoryConfig:
    """How stories are found (settings ``STORY_*``; the figures behind the defaults are in docs/STORIES.md)."""

    window: timedelta = timedelta(days=3)
    threshold: float = 0.62  # story score at or above which two reports tell the same story
    subject_threshold: float = 0.40  # at or above: coverage of the same subject (the second tier)
    max_related: int = 3
    max_candidates: int = 50  # records sharing terms, scored by words where the model reads letters only


# The story score (docs/STORIES.md): the cosine of the record's *query* with the other record's
# vector, less DAY_PENALTY per day between the two publications. The query is the record's vector
# plus QUERY_FEEDBACK times its QUERY_NEIGHBOURS nearest reports' vectors, each weighted by its
# cosine, over QUERY_NEIGHBOURS (pseudo-relevance feedback: the story's other reports pull the
# query towards what they share; unrelated neighbours add next to nothing).
QUERY_NEIGHBOURS = 5
QUERY_FEEDBACK = 1.0
DAY_PENALTY = 0.05
NEAR_MARGIN = 0.1  # how far under the subject bar a record is still looked at again (Relations.near)
CHOICE_POOL = 24  # candidates sorted to choose from (all of them when one provider fills these)
REACH = 2  # windows a record looks each way: its story lies within one, the story's subject neighbours one further
SPAN = timedelta(days=14)  # records are related in groups published within this span, one window read each
REWRITE_BATCH = 200  # records stored in one transaction when the story step rewrites them
WINDOWS_KEPT = 6  # windows kept in memory by a story step (the partners' pass reads the same spans again)


@dataclass(slots=True)
class StoryResult:
    related: int = 0  # records that have at least one relation
    rewritten: int = 0  # documents rewritten because their related or heat changed
    same_story: dict[str, int] = field(default_factory=dict)  # webUrl -> how many leading entries are same-story


@dataclass(slots=True)
class Relations:
    """What a record lists: the best report of each other provider, at most ``max_related``, best first:
    the same-story ones, then (while room is left) the same-subject ones."""

    same: list[str] = field(default_factory=list)
    subject: list[str] = field(default_factory=list)
    # Not listed: the closest others just under the subject bar. They are related again after this
    # record, as the listed ones are: from their side (their story's window, their story's
    # vector) this record may be a subject neighbour.
    near: list[str] = field(default_factory=list)


class _Window:
    """The story vectors of the records published in a span of time, in memory."""

    def __init__(self, rows: list[tuple[str, str, str, float, bytes]], start: datetime, end: datetime):
        self.start, self.end = start, end
        self.urls = [row[0] for row in rows]
        self.index = {url: i for i, url in enumerate(self.urls)}
        # The store's instants are YYYY-MM-DDTHH:MM:SSZ (UTC): numpy reads them in one go.
        instants = np.array([row[1][:19] for row in rows], dtype="datetime64[s]")
        self.times = instants.astype(np.int64).astype(np.float64)
        self.clock = self.times.tolist()  # for bisect: a record's window is the slice between two instants
        self.domains = [row[2] for row in rows]
        codes: dict[str, int] = {}
        self.domain_codes = np.array([codes.setdefault(d, len(codes)) for d in self.domains], dtype=np.int64)
        self.reliability = np.array([row[3] for row in rows], dtype=np.float32)
        # doubtful[k]: how many of the first k rows have a reliability below 1
        self.doubtful = [0, *np.cumsum(self.reliability < 1.0).tolist()]
        blob = b"".join(row[4] for row in rows)
        self.matrix = relate.from_blob(blob).reshape(len(rows), relate.DIMENSIONS)

    def covers(self, start: datetime, end: datetime) -> bool:
        return self.start <= start and end <= self.end


class StoryStep:
    """Relates records in the store and keeps their documents current."""

    def __init__(
        self,
        store: RecordStore,
        config: StoryConfig,
        reference_time: datetime,
        *,
        include_body: bool = False,
    ):
        self.store = store
        self.config = config
        self.reference_time = reference_time
        self.writer = DocumentWriter(store, include_body=include_body)
        self._windows: list[_Window] = []  # the latest few read, newest last

    def relate(self, web_urls: Iterable[str]) -> StoryResult:
        """Relate these records, then the records they list and those records' other reports of their
        stories (so relations hold both ways, also for a story whose window reaches a newcomer that
        is beyond one report's own); rewrite what changed."""
        wanted = list(dict.fromkeys(web_urls))
        relations: dict[str, Relations] = {}
        stored = self.store.get_many(wanted)
        self._relate_all(wanted, stored, relations)
        for tiers in (("same", "subject", "near"), ("same",)):
            listed = (u for found in list(relations.values()) for tier in tiers for u in getattr(found, tier))
            more = list(dict.fromkeys(u for u in listed if u not in relations))
            stored.update(self.store.get_many(more))
            self._relate_all(more, stored, relations)
        return self._apply(relations, stored)

    def related_urls(self, web_url: str) -> Relations:
        """One stored record's relations (what :meth:`relate` finds for it, without writing anything)."""
        stored = self.store.get_many([web_url])
        relations: dict[str, Relations] = {}
        self._relate_all([web_url], stored, relations)
        return relations.get(web_url, Relations())

    # --- finding relations ------------------------------------------------------------------

    def _relate_all(self, web_urls: list[str], stored: dict[str, StoredRecord], relations: dict) -> None:
        dated = []
        for url in web_urls:
            entry = stored.get(url)
            if entry is None or entry.record.published_at is None:
                relations[url] = Relations()
            else:
                dated.append((as_utc(entry.record.published_at), url))
        dated.sort()
        group: list[tuple[datetime, str]] = []
        for item in dated:
            reach = REACH * self.config.window
            window = self._cached(item[0] - reach, item[0] + reach)
            if window is not None:  # e.g. a partner of records just related: its window is read already
                relations[item[1]] = self._relations(item[1], stored[item[1]].record, window)
                continue
            if group and item[0] - group[0][0] > SPAN:
                self._relate_group(group, stored, relations)
                group = []
            group.append(item)
        if group:
            self._relate_group(group, stored, relations)

    def _relate_group(self, group: list[tuple[datetime, str]], stored: dict, relations: dict) -> None:
        # Twice the reach on each side: the records these relate to, related again next, find it read.
        margin = 2 * REACH * self.config.window
        window = self._load(group[0][0] - margin, group[-1][0] + margin, stored)
        for _, url in group:
            relations[url] = self._relations(url, stored[url].record, window)

    def _load(self, start: datetime, end: datetime, known: dict[str, StoredRecord]) -> _Window:
        """The story vectors of [start, end], made first for the records that have none yet."""
        window = self._cached(start, end)
        if window is not None:
            return window
        missing = self.store.without_vectors(start, end, relate.MODEL)
        records = [known[url].record for url in missing if url in known]
        unknown = [url for url in missing if url not in known]
        for begin in range(0, max(len(missing), 1), 500):
            chunk = records[begin : begin + 500]
            chunk += [s.record for s in self.store.get_many(unknown[begin : begin + 500]).values()]
            self.store.put_vectors(vector_rows(chunk))
        window = _Window(self.store.vectors_between(start, end, relate.MODEL), start, end)
        self._windows = [*self._windows[-(WINDOWS_KEPT - 1) :], window]
        return window

    def _cached(self, start: datetime, end: datetime) -> _Window | None:
        return next((window for window in self._windows if window.covers(start, end)), None)

    def _relations(self, url: str, record: Record, window: _Window) -> Relations:
        i = window.index.get(url)
        if i is None:
            return Relations()
        when, own = window.clock[i], window.matrix[i]
        # The window's rows are in publication order: what this record may list is one slice of them.
        span = self.config.window.total_seconds()
        low, high = bisect_left(window.clock, when - REACH * span), bisect_right(window.clock, when + REACH * span)
        rows = window.matrix[low:high]  # a view, not a copy
        local = np.flatnonzero(window.domain_codes[low:high] != window.domain_codes[i])
        if not local.size:
            return Relations()
        near = low + local
        times = window.times[near]
        gap = np.abs(times - when)
        inside = gap <= span  # the story window of this record
        per_second = np.float32(DAY_PENALTY / 86400.0)
        plain = (rows @ own)[local] - per_second * gap.astype(np.float32)  # float32: no casts
        plain[~inside] = -1.0  # the query learns from this record's window only
        k = min(QUERY_NEIGHBOURS, local.size)
        nearest = np.argpartition(-plain, k - 1)[:k]
        weights = np.maximum(plain[nearest], 0.0)  # an unrelated neighbour adds next to nothing
        query = own + (QUERY_FEEDBACK / QUERY_NEIGHBOURS) * (weights @ window.matrix[near[nearest]])
        query /= np.sqrt(query @ query) or 1.0
        scores = (rows @ query)[local]
        # Where the model reads a script letter by letter (reliability < 1), shared words take over.
        # (Only a doubtful record looks its words up; an English record meeting one that is spelt out
        # letter by letter keeps the lower, trusted share of its score.)
        if window.doubtful[high] - window.doubtful[low] or window.reliability[i] < 1.0:
            trust = np.minimum(window.reliability[near], window.reliability[i])
            doubtful = np.flatnonzero(trust < 1.0)
            words = np.zeros(len(doubtful), dtype=np.float32)
            if window.reliability[i] < 1.0:
                lexical = self._lexical(url, record.provider.domain, when)
                words[:] = [lexical.get(window.urls[near[j]], 0.0) for j in doubtful]
            scores[doubtful] = trust[doubtful] * scores[doubtful] + (1.0 - trust[doubtful]) * words
        # Same story: within this record's window, scored with the time between the two.
        same = inside & (scores - per_second * gap >= self.config.threshold)
        # Same subject: within the window of the story, which runs from its first report to its last
        # (a subject neighbour of a story told over days may be more than a window from this report).
        if same.any():
            first, last = min(when, float(times[same].min())), max(when, float(times[same].max()))
            gap = np.where(same, gap, np.maximum(0.0, np.maximum(first - times, times - last)))
            story = own + window.matrix[near[same]].sum(axis=0)
            story /= np.sqrt(story @ story) or 1.0
            scores = np.where(same, scores, np.maximum(scores, (rows @ story)[local]))
        scores -= per_second * gap.astype(np.float32)
        return self._choose(scores, same, gap <= span, near, window)

    def _choose(self, scores: np.ndarray, same: np.ndarray, reach: np.ndarray, near, window: _Window) -> Relations:
        """The best report of each other provider, best first, while there is room: same story, then subject."""
        found = self._listed(scores, same, reach, near, window)
        close = np.flatnonzero(reach & (scores >= self.config.subject_threshold - NEAR_MARGIN))
        listed = {*found.same, *found.subject}
        count = min(close.size, self.config.max_related + len(listed))
        if count:
            close = np.sort(close[np.argpartition(-scores[close], count - 1)[:count]])
            closest = (window.urls[near[j]] for j in close[np.argsort(-scores[close], kind="stable")].tolist())
            found.near = [url for url in closest if url not in listed][: self.config.max_related]
        return found

    def _listed(self, scores: np.ndarray, same: np.ndarray, reach: np.ndarray, near, window: _Window) -> Relations:
        above = np.flatnonzero(same | (reach & (scores >= self.config.subject_threshold)))
        rank = scores + same  # a same-story report before any subject neighbour
        if len(above) > CHOICE_POOL:  # the best few are enough unless one provider fills them all
            pool = above[np.argpartition(-rank[above], CHOICE_POOL - 1)[:CHOICE_POOL]]
            found = self._choose_from(rank, same, near, window, pool)
            if len(found.same) + len(found.subject) == self.config.max_related:
                return found
        return self._choose_from(rank, same, near, window, above)

    def _choose_from(self, rank: np.ndarray, same: np.ndarray, near, window: _Window, pool: np.ndarray) -> Relations:
        found, seen = Relations(), set()
        pool = np.sort(pool)  # rows in (publication, webUrl) order, so ties fall the same way every run
        for j in pool[np.argsort(-rank[pool], kind="stable")].tolist():
            domain = window.domains[near[j]]
            if domain in seen:
                continue
            seen.add(domain)
            (found.same if same[j] else found.subject).append(window.urls[near[j]])
            if len(seen) == self.config.max_related:
                break
        return found

    def _lexical(self, url: str, domain: str, when: float) -> dict[str, float]:
        """TF-IDF cosine of story terms (IDF over the window) with the records sharing the most terms."""
        published = datetime.fromtimestamp(when, UTC)
        start, end = published - self.config.window, published + self.config.window
        terms = self.store.term_vectors([url]).get(url, {})
        candidates = [
            other
            for other, _ in self.store.candidates(
                terms, start, end, exclude_domain=domain, limit=self.config.max_candidates
            )
        ]
        if not candidates:
            return {}
        vectors = self.store.term_vectors(candidates)
        population = max(1, self.store.records_between(start, end))
        frequencies = self.store.document_frequencies(terms, start, end)
        idf = {term: math.log((population + 1) / (frequencies.get(term, 0) + 1)) + 1.0 for term in terms}
        return {other: cosine(terms, vectors.get(other, {}), idf) for other in candidates}

    # --- writing them -----------------------------------------------------------------------

    def _apply(self, relations: dict[str, Relations], stored: dict[str, StoredRecord]) -> StoryResult:
        result = StoryResult()
        changed: list[tuple[Record, str]] = []
        missing = {u for r in relations.values() for u in (*r.same, *r.subject)} - set(stored)
        everyone = {**stored, **self.store.get_many(missing)}
        for url, found in relations.items():
            entry = everyone.get(url)
            if entry is None:
                continue
            record = entry.record
            # One entry per provider: its best report of the story, else its closest of the subject.
            seen = {record.provider.domain}
            tiers: tuple[list[StoredRecord], list[StoredRecord]] = ([], [])
            for tier, urls in zip(tiers, (found.same, found.subject), strict=True):
                for other_url in urls:
                    other = everyone.get(other_url)
                    if other and other.record.provider.domain not in seen:
                        tier.append(other)
                        seen.add(other.record.provider.domain)
            same = tiers[0][: self.config.max_related]
            chosen = same + tiers[1][: self.config.max_related - len(same)]
            entries = [related_entry(other.record) for other in chosen]
            heat = scoring.heat([record, *(other.record for other in same)], self.reference_time)
            result.related += bool(entries)
            result.same_story[url] = len(same)
            if entries == record.related and heat == record.heat:
                continue
            record.related, record.heat = entries, heat
            changed.append((record, entry.document_path))
        self._rewrite(changed)
        result.rewritten = len(changed)
        return result

    def _rewrite(self, changed: list[tuple[Record, str]]) -> None:
        """Store the changed records, then put their documents in place, REWRITE_BATCH at a time.

        Through :class:`DocumentBatch`, as the write pipeline's batches: the new bytes staged
        beside each document, the batch stored in one transaction (a PostgreSQL commit costs
        more than the relating), only then the documents renamed; a store that fails leaves
        the batch's documents as they were. Records without a document are only stored.
        """
        without = [(record, "", None) for record, path in changed if not path]
        if without:
            self.store.put_many(without, self.reference_time)
        batch = DocumentBatch(self.writer)
        for record, path in changed:
            if path:
                batch.add(record, self.reference_time, path=Path(path))
                if len(batch) >= REWRITE_BATCH:
                    batch.flush()
        batch.flush()


def vector_rows(records: Iterable[Record]) -> list[tuple[str, datetime, str, str, float, bytes]]:
    """The ``vectors`` rows of these records (those with a publication time): see :mod:`crawler.relate`."""
    records = [r for r in records if r.published_at is not None]
    if not records:
        return []
    vectors, reliability = relate.embedder().vectors([r.title for r in records], [r.excerpt for r in records])
    return [
        (
            r.web_url,
            as_utc(r.published_at),
            r.provider.domain,
            relate.MODEL,
            float(reliability[i]),
            relate.to_blob(vectors[i]),
        )
        for i, r in enumerate(records)
    ]


def related_entry(record: Record) -> RelatedArticle:
    """A record as another record's ``related`` entry (the fields RECORD.md lists; the lead image only)."""
    return RelatedArticle(
        title=record.title,
        excerpt=record.excerpt,
        published_at=record.published_at,
        web_url=record.web_url,
        provider=record.provider,
        type=record.type,
        quality=record.quality,
        images=[Image(i.url, i.width, i.height, i.is_cached) for i in record.images[:1]],
    )


def relate_pending(
    store: RecordStore,
    config: StoryConfig,
    now: datetime,
    web_urls: Iterable[str],
    *,
    include_body: bool = False,
) -> tuple[int, StoryResult]:
    """The story step: relate these records and those on the store's pending list, then clear the list."""
    wanted = list(dict.fromkeys([*store.pending_stories(), *web_urls]))
    if not wanted:
        return 0, StoryResult()
    result = StoryStep(store, config, now, include_body=include_body).relate(wanted)
    store.stories_done(wanted)
    return len(wanted), result


def config_from_settings(settings) -> StoryConfig:
    """The story step's configuration from ``STORY_*`` settings (Scrapy's, or the settings module itself)."""
    default = StoryConfig()

    def get(name: str, fallback):
        value = settings.get(name) if hasattr(settings, "get") else getattr(settings, name, None)
        return fallback if value is None or value == "" else value

    return StoryConfig(
        window=timedelta(days=float(get("STORY_WINDOW_DAYS", default.window.total_seconds() / 86400))),
        threshold=float(get("STORY_THRESHOLD", default.threshold)),
        subject_threshold=float(get("STORY_SUBJECT_THRESHOLD", default.subject_threshold)),
        max_related=int(get("STORY_MAX_RELATED", default.max_related)),
    )


def batch(lines: Iterable[str], out) -> int:
    """``--batch``: front-matter records in (one JSON line each), one relation line out per record.

    The records go into a temporary store exactly as the write pipeline puts them
    (story terms, the pending list), then one story step relates them, as at the
    end of a crawl, with the project's ``STORY_*`` settings.
    """
    import json

    from crawler import settings as project_settings
    from crawler.record import Provider
    from crawler.store import SQLiteStore

    records: list[Record] = []
    for line in lines:
        if not line.strip():
            continue
        data = json.loads(line)
        provider = data.get("provider") or {}
        records.append(
            Record(
                title=data.get("title") or "",
                web_url=data["webUrl"],
                provider=Provider(provider.get("name") or "", provider.get("domain") or ""),
                excerpt=data.get("excerpt") or "",
                text=data.get("text") or "",
                published_at=as_utc(data["publishedDateTime"]) if data.get("publishedDateTime") else None,
            )
        )
    dated = [r.published_at for r in records if r.published_at is not None]
    now = max(dated) if dated else datetime(1970, 1, 1, tzinfo=UTC)
    store = SQLiteStore(":memory:")  # the store's schema and SQL, held in memory for the run
    try:
        for record in records:
            store.put(record, "", now, terms=indexed_terms(record), stories_pending=True)
        _, result = relate_pending(store, config_from_settings(project_settings), now, [])
        same = result.same_story
        stored = store.get_many(r.web_url for r in records)
    finally:
        store.close()
    for record in records:
        entry = stored.get(record.web_url)
        related = [r.web_url for r in entry.record.related] if entry else []
        out.write(
            json.dumps(
                {"webUrl": record.web_url, "related": related, "sameStory": same.get(record.web_url, len(related))}
            )
            + "\n"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m crawler.stories", description=__doc__.split("\n")[0])
    parser.add_argument("--batch", action="store_true", help="relate JSON records from stdin (see eval_stories.py)")
    options = parser.parse_args(argv)
    if not options.batch:
        parser.error("give --batch")
    return batch(sys.stdin, sys.stdout)


if __name__ == "__main__":
    raise SystemExit(main())
