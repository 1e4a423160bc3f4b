"""Time for the whole crawler: the one reader of the wall clock, the crawl's "now", and local times.

Nothing else calls ``datetime.now``. A crawl's *reference time* (its "now" for
heat, look-back windows and plausibility) is ``CRAWL_REFERENCE_TIME`` when
set (tests freeze it) or the crawl's start; it is passed to whatever needs it,
extraction included. :func:`in_zone` is the one rule for a time without an
offset: it is read in the provider's zone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from crawler.record import as_utc


def utc_now() -> datetime:
    """The wall clock, in UTC: for waits and run timing only (a crawl's "now" is :func:`reference_time`)."""
    return datetime.now(UTC)


def reference_time(settings: Any, started: datetime | None = None) -> datetime:
    """``CRAWL_REFERENCE_TIME`` when set (tests freeze it), else ``started`` (a crawl's start), else the time now."""
    fixed = settings.get("CRAWL_REFERENCE_TIME")
    if fixed:
        return as_utc(fixed)
    return as_utc(started) if started else utc_now()


def now(settings: Any) -> datetime:
    """The instant to record for something happening now (a fetch, a download): frozen in tests, else the clock."""
    return reference_time(settings)


def in_zone(instant: datetime, zone: str) -> datetime:
    """An aware instant: ``instant`` as it is when it has an offset, else read in ``zone`` (an IANA name)."""
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=ZoneInfo(zone))
