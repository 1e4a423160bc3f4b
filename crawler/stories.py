"""Stories across providers: which articles report the same story, their ``related`` lists and ``heat``.

How two articles are judged to tell the same story:

1. Each record gets *story terms* (:func:`story_terms`) from its headline,
   excerpt and the start of its body: named entities ("SenseTime", "Hong
   Kong") and figures ("$2 billion", "73%") weigh most, headline words more
   than body words. They are kept in the store's inverted index.
2. The *candidates* of a record are the records of other providers published
   within ``window`` of it that share at least two of its terms: one indexed
   query, so the cost follows what the window holds, not the store's size.
3. Each candidate is scored by the cosine of the two TF-IDF term vectors (IDF
   over the records in the window, so words every story uses weigh little).
   Candidates at or above ``threshold`` are related, most similar first, at
   most ``max_related`` of them.

Relations are made both ways: when a record gains a relation, the records it
relates to are related again too, and every record whose ``related`` or
``heat`` changed has its document rewritten (atomically, only those).
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from crawler import scoring
from crawler.publishing.writer import DocumentWriter
from crawler.record import Image, Record, RelatedArticle
from crawler.store import RecordStore, StoredRecord

logger = logging.getLogger(__name__)

_ENTITY = re.compile(r"\b[A-Z][\w’'&-]*[A-Za-z0-9](?:\s+(?:[A-Z][\w’'&-]*[A-Za-z0-9]|of|de|and))*")
_FIGURE = re.compile(r"[$€£¥]?\d+(?:[.,]\d+)*\s*(?:%|percent|billion|million|thousand|bn|mn|[bmk]\b)?", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_][\w’'-]*[^\W_]|[^\W\d_]{3,}", re.UNICODE)
_STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "may",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "new",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "said",
        "same",
        "says",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "year",
        "years",
        "you",
        "your",
        "yours",
        "yourself",
        "week",
        "weeks",
        "month",
        "months",
        "day",
        "days",
        "time",
        "first",
        "last",
        "one",
        "two",
        "three",
        "according",
        "report",
        "reported",
        "reports",
        "company",
        "companies",
        "also",
        "like",
        "make",
        "made",
        "get",
        "got",
        "told",
        "tell",
        "still",
        "well",
        "even",
        "much",
        "many",
        "however",
        "including",
    ]
)

TITLE_WEIGHT, EXCERPT_WEIGHT, BODY_WEIGHT = 3.0, 2.0, 1.0
ENTITY_BOOST, FIGURE_BOOST = 2.0, 2.0
BODY_CHARS = 1500  # the story is told at the start; the rest adds noise and cost
MAX_TERMS = 40


def story_terms(record: Record, max_terms: int = MAX_TERMS) -> dict[str, float]:
    """The record's weighted story terms: entities (``e:``), figures (``n:``) and words (``w:``)."""
    weights: dict[str, float] = {}
    for text, weight in (
        (record.title, TITLE_WEIGHT),
        (record.excerpt, EXCERPT_WEIGHT),
        (record.text[:BODY_CHARS], BODY_WEIGHT),
    ):
        for term, boost in _terms_of(text):
            weights[term] = weights.get(term, 0.0) + weight * boost
    ranked = sorted(weights.items(), key=lambda item: (-item[1], item[0]))[:max_terms]
    return dict(ranked)


def _terms_of(text: str) -> Iterable[tuple[str, float]]:
    text = text.replace("\u00ad", "")  # soft hyphens (kept in headlines) must not split words
    for match in _ENTITY.finditer(text):
        # Each capitalised word and each adjacent pair: headlines in Title Case run names together
        # ("Hong Kong IPO"), and the pair "hong kong" still meets the one in a body.
        words = [_normal(word) for word in match.group().split()]
        for index, word in enumerate(words):
            if word not in _STOPWORDS:  # "The", "In": they start sentences and name nothing
                yield "e:" + word, ENTITY_BOOST
            if index and not ({word, words[index - 1]} & _STOPWORDS):
                yield f"e:{words[index - 1]} {word}", ENTITY_BOOST
    for match in _FIGURE.finditer(text):
        figure = re.sub(r"\s+", "", match.group().lower()).replace("percent", "%")
        if len(figure) >= 2 and not re.fullmatch(r"(?:19|20)\d\d", figure):  # bare years are everywhere
            yield "n:" + figure, FIGURE_BOOST
    for match in _WORD.finditer(text):
        word = match.group().lower()
        if len(word) >= 3 and word not in _STOPWORDS:
            yield "w:" + _stem(word), 1.0


def _normal(phrase: str) -> str:
    return re.sub(r"[’']s$", "", phrase.lower())


def _stem(word: str) -> str:
    """A light stem, enough for "files"/"filed"/"filing" and "listings"/"listing" to meet."""
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
    """How stories are found (settings ``STORY_*``)."""

    window: timedelta = timedelta(days=3)
    threshold: float = 0.5
    max_related: int = 3
    max_candidates: int = 50


@dataclass(slots=True)
class StoryResult:
    related: int = 0  # records that have at least one relation
    rewritten: int = 0  # documents rewritten because their related or heat changed


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

    def related_urls(self, web_url: str, vector: dict[str, float], published: datetime, domain: str) -> list[str]:
        """The ``webUrl``s of the records that tell the same story, most similar first."""
        start, end = published - self.config.window, published + self.config.window
        candidates = [
            url
            for url, shared in self.store.candidates(
                vector, start, end, exclude_domain=domain, limit=self.config.max_candidates
            )
            if shared >= 2 and url != web_url
        ]
        if not candidates:
            return []
        vectors = self.store.term_vectors(candidates)
        population = max(1, self.store.records_between(start, end))
        frequencies = self.store.document_frequencies(vector, start, end)
        idf = {term: math.log((population + 1) / (frequencies.get(term, 0) + 1)) + 1.0 for term in vector}
        scored = sorted(
            ((cosine(vector, vectors.get(url, {}), idf), url) for url in candidates),
            key=lambda item: (-item[0], item[1]),
        )
        return [url for score, url in scored if score >= self.config.threshold]

    def relate(self, web_urls: Iterable[str]) -> StoryResult:
        """Relate these records, then those they relate to (so relations hold both ways); rewrite what changed."""
        wanted = list(dict.fromkeys(web_urls))
        related: dict[str, list[str]] = {}
        self._relate_all(wanted, related)
        partners = {url for urls in related.values() for url in urls} - set(related)
        self._relate_all(partners, related)
        return self._apply(related)

    def _relate_all(self, web_urls: Iterable[str], related: dict[str, list[str]]) -> None:
        web_urls = list(web_urls)
        vectors = self.store.term_vectors(web_urls)
        for url, stored in self.store.get_many(web_urls).items():
            record = stored.record
            if record.published_at is None or url not in vectors:
                related[url] = []
                continue
            related[url] = self.related_urls(url, vectors[url], record.published_at, record.provider.domain)

    def _apply(self, related: dict[str, list[str]]) -> StoryResult:
        result = StoryResult()
        everyone = self.store.get_many({*related, *(u for urls in related.values() for u in urls)})
        for url, others in related.items():
            stored = everyone.get(url)
            if stored is None:
                continue
            record = stored.record
            # Best per provider: a story lists each other provider once.
            chosen: list[StoredRecord] = []
            seen_domains = {record.provider.domain}
            for other_url in others:
                other = everyone.get(other_url)
                if other and other.record.provider.domain not in seen_domains:
                    chosen.append(other)
                    seen_domains.add(other.record.provider.domain)
            chosen = chosen[: self.config.max_related]
            entries = [related_entry(other.record) for other in chosen]
            heat = scoring.heat([record, *(other.record for other in chosen)], self.reference_time)
            result.related += bool(entries)
            if entries == record.related and heat == record.heat:
                continue
            record.related, record.heat = entries, heat
            self._rewrite(record, stored.document_path)
            result.rewritten += 1
        return result

    def _rewrite(self, record: Record, document_path: str) -> None:
        if document_path:
            self.writer.write(record, self.reference_time, path=Path(document_path))
        else:
            self.writer.store_only(record, self.reference_time)


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
