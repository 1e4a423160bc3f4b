"""The crawl's notion of "now", for heat, look-back windows and run times."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from crawler.record import as_utc


def reference_time(settings: Any, started: datetime | None = None) -> datetime:
    """``CRAWL_REFERENCE_TIME`` when set (tests freeze it), else ``started`` (a crawl's start), else the time now."""
    fixed = settings.get("CRAWL_REFERENCE_TIME")
    if fixed:
        return as_utc(fixed)
    return as_utc(started) if started else datetime.now(UTC)
