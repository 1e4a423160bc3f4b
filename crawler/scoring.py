"""Scores and the publishing gate: ``quality``, ``heat`` and ``published`` (docs/SCORING.md).

**quality** (0..100) blends how complete and substantial the record is with the
provider's standing from the registry, in integers::

    quality = (3 * completeness + standing + 2) // 4      # 75 % / 25 %, rounded half up

``completeness`` (0..100) is the sum of:

    title present ............................... 5
    title 15..150 characters .................... 10
    excerpt present ............................. 10
    excerpt at least 80 characters .............. 5
    publishedDateTime present ................... 10
    lead image .................................. 5
    lead image with a real size (width, height > 0)  5
    lead image at least 600 x 300 pixels ........ 5
    topics, 5 each, at most 2 ................... 10
    body text, 25 * min(words, 600) // 600 ...... 25
    webUrl is an http(s) URL .................... 5
    ampWebUrl and cdnAmpWebUrl present .......... 5

Every part only adds, so completing a record never lowers its quality.

**heat** (0..100) of a story (the record and the other records of its story)::

    weight(provider) = 0.25 + 0.75 * q / 100       # q: best quality among that provider's records
    coverage         = 1 - 0.5 ** sum(weights)     # over DISTINCT providers (by domain)
    recency          = 0.5 ** (age_hours / 24)     # age of the newest publication; future counts as 0
    heat             = round_half_up(100 * coverage * (0.5 + 0.5 * recency))

One fresh provider gives 16..50 (37 at quality 57); every further provider adds weight, so it
can only raise heat; the fading half of heat halves every 24 hours, the lasting half is
coverage alone. A story without a dated record has heat 0.

**publishable**: title, webUrl, publishedDateTime and excerpt present, quality
at or above the floor, and not a duplicate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

from crawler.record import Record, as_utc

TITLE_SANE_CHARS = (15, 150)
EXCERPT_SUBSTANTIAL_CHARS = 80
LARGE_IMAGE = (600, 300)  # width, height
TOPICS_COUNTED = 2
BODY_FULL_WORDS = 600
HEAT_HALF_LIFE_HOURS = 24.0
HEAT_LASTING_SHARE = 0.5  # the share of heat that coverage alone gives: it does not fade with age
PROVIDER_BASE_WEIGHT = 0.25


def _clamp(value: int) -> int:
    return max(0, min(100, value))


def completeness(record: Record) -> int:
    """How complete and substantial ``record`` is, 0..100 (the table in the module docstring)."""
    title = record.title.strip()
    excerpt = record.excerpt.strip()
    lead = record.images[0] if record.images else None
    words = len(record.text.split())
    points = 0
    points += 5 if title else 0
    points += 10 if TITLE_SANE_CHARS[0] <= len(title) <= TITLE_SANE_CHARS[1] else 0
    points += 10 if excerpt else 0
    points += 5 if len(excerpt) >= EXCERPT_SUBSTANTIAL_CHARS else 0
    points += 10 if record.published_at is not None else 0
    points += 5 if lead else 0
    points += 5 if lead and lead.width > 0 and lead.height > 0 else 0
    points += 5 if lead and lead.width >= LARGE_IMAGE[0] and lead.height >= LARGE_IMAGE[1] else 0
    points += 5 * min(len(record.topics), TOPICS_COUNTED)
    points += 25 * min(words, BODY_FULL_WORDS) // BODY_FULL_WORDS
    points += 5 if record.web_url.startswith(("http://", "https://")) else 0
    points += 5 if record.amp_web_url and record.cdn_amp_web_url else 0
    return points


def quality(record: Record, standing: int) -> int:
    """``record``'s quality, 0..100: 75 % completeness, 25 % the provider's standing (0..100)."""
    return _clamp((3 * completeness(record) + _clamp(standing) + 2) // 4)


def _provider_key(record: Record) -> str:
    return (record.provider.domain or record.provider.name).strip().lower()


def heat(story: Sequence[Record], reference_time: datetime) -> int:
    """How hot the story is at ``reference_time``, 0..100: distinct providers, their quality, recency."""
    best: dict[str, int] = {}
    for record in story:
        key = _provider_key(record)
        best[key] = max(best.get(key, 0), _clamp(record.quality))
    dates = [as_utc(record.published_at) for record in story if record.published_at is not None]
    if not dates:
        return 0
    weight = sum(PROVIDER_BASE_WEIGHT + (1 - PROVIDER_BASE_WEIGHT) * q / 100 for q in best.values())
    coverage = 1 - 0.5**weight
    age_hours = max(0.0, (as_utc(reference_time) - max(dates)).total_seconds() / 3600)
    recency = 0.5 ** (age_hours / HEAT_HALF_LIFE_HOURS)
    return _clamp(math.floor(100 * coverage * (HEAT_LASTING_SHARE + (1 - HEAT_LASTING_SHARE) * recency) + 0.5))


def publishable(record: Record, floor: int) -> bool:
    """The publishing gate: complete title, URL, date and excerpt; quality >= ``floor``; not a duplicate."""
    return bool(
        record.title.strip()
        and record.web_url.strip()
        and record.published_at is not None
        and record.excerpt.strip()
        and record.quality >= floor
        and not record.duplicate_of
    )
