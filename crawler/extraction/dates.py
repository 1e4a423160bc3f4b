"""Publication and modification instants: the choice among the page's dates.

Cascade, cheap and reliable first (the sources are in :mod:`.datesources`): JSON-LD ``datePublished``,
publication meta tags, microdata, ``<time>`` elements in the story, dates displayed in text, the URL's
``/YYYY/MM/DD/``, then the discovery hint, then the URL's weaker forms (``/story-20240303.html``). When
the publication metadata disagree, the byline's day arbitrates. An explicit offset wins; a local time is
read in the zone the page declares elsewhere or the site's zone; a day-only date is made precise by a
timed source (page or hint) on the same day. Modified dates are never taken for publication, and nothing
falls back to "now".

"Now" is the caller's: a date more than two days after the reference time ``now`` is implausible (a
typo, a placeholder, an event's date); without one there is no upper bound. Nothing here reads the clock.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from crawler.extraction.context import Hints, SiteRules
from crawler.extraction.datesources import (
    byline_date,
    declared_zone,
    modified_values,
    month_first,
    structured_dates,
    text_date,
    time_elements,
)
from crawler.extraction.datetext import Stamp, parse_stamp, plausible, url_date, zone
from crawler.extraction.page import Page

__all__ = ["modified_at", "published_at"]

_SAME_EDIT = timedelta(minutes=10)


def _reference(now: datetime | None) -> datetime | None:
    # Decided once, here: a naive reference time is UTC.
    return now.replace(tzinfo=UTC) if now is not None and now.tzinfo is None else now


def _rewritten_on_edit(page: Page, stamp: Stamp, rules: SiteRules, now: datetime | None) -> bool:
    """Whether a timed publication stamp is the page's last modification instant (within minutes); both
    are read in the site's zone when they carry no offset."""
    modified = modified_at(page, rules, now=now)
    return modified is not None and abs(stamp.resolve(zone(rules.timezone)) - modified) <= _SAME_EDIT


def published_at(
    page: Page, rules: SiteRules | None = None, hints: Hints | None = None, *, now: datetime | None = None
) -> datetime | None:
    """The publication instant in UTC, or None when neither the page nor the hints say.

    ``now`` is the crawl's reference time: dates more than two days after it are not plausible. Without
    it no date is too late (the earliest plausible year is :data:`~crawler.extraction.datetext.MIN_YEAR`).
    """
    now = _reference(now)
    rules = rules or SiteRules()
    site_zone = zone(rules.timezone)
    stamps = structured_dates(page, generic=False)
    generic = [] if stamps else structured_dates(page)
    if stamps and stamps[0].has_time and _rewritten_on_edit(page, stamps[0], rules, now):
        # The "published" metadata was rewritten when the page was last edited: the article's own
        # <time>, when it is more than a day earlier, is the original publication.
        shown = next((stamp for rank, stamp in time_elements(page) if rank <= 1), None)
        first = stamps[0].resolve(site_zone)
        if shown is not None and shown.resolve(site_zone).date() < first.date() - timedelta(days=1):
            stamps.insert(0, shown)
    if len({s.value.date() for s in stamps}) > 1:
        # The publication metadata disagree on the day they write (a republished story keeps its first
        # JSON-LD date): the day the byline beside the headline shows arbitrates among them.
        shown = byline_date(page)
        agreeing = [s for s in stamps if shown is not None and s.value.date() == shown.value.date()]
        if agreeing and agreeing[0] is not stamps[0]:
            stamps.insert(0, agreeing[0])
    if not stamps or not any(s.has_time for s in stamps):
        stamps.extend(stamp for _, stamp in time_elements(page))
    if not stamps:
        displayed = text_date(page, last_resort=not generic)
        if displayed:
            stamps.append(displayed)
    if generic:
        # Only a generic "date" meta: it leads unless the page displays a different day.
        shown_day = stamps[0].value.date() if stamps else None
        if shown_day is None or abs((shown_day - generic[0].value.date()).days) <= 1:
            stamps = generic + stamps
        else:
            stamps.extend(generic)
    url_stamp = url_date(page.url, month_first=month_first(page))
    if url_stamp:
        stamps.append(url_stamp)
    page_zone = declared_zone(page, stamps) or site_zone
    hint = hints.published_at if hints else None
    if hint is not None and hint.tzinfo is None:
        hint = hint.replace(tzinfo=site_zone)
    valid = [s for s in stamps if plausible(s.resolve(page_zone), now)]
    if not valid:
        if hint and plausible(hint, now):
            return hint.astimezone(UTC)
        # The weaker URL forms (a compact date in the slug, day and month segments): nothing else dates the page.
        loose = None if url_stamp else url_date(page.url, month_first=month_first(page), loose=True)
        return loose.resolve(page_zone) if loose and plausible(loose.resolve(page_zone), now) else None
    best = valid[0]
    if url_stamp is not None and best is not url_stamp and url_stamp in valid:
        # A permalink's /YYYY/MM/DD/ is fixed at publication: a page date days away from it is an update
        # or another story's date (one day off is only a time-zone difference).
        tolerance = 1 if best.has_time else 0
        if abs((best.resolve(page_zone).astimezone(page_zone).date() - url_stamp.value.date()).days) > tolerance:
            best = url_stamp
    if best.has_time:
        return best.resolve(page_zone)
    # Day only: a timed source on the same local day makes it precise.
    day: date = best.value.date()
    for other in valid[1:]:
        if other.has_time and other.resolve(page_zone).astimezone(page_zone).date() == day:
            return other.resolve(page_zone)
    if hint is not None and hint.astimezone(page_zone).date() == day:
        return hint.astimezone(UTC)
    return best.resolve(page_zone)


def modified_at(
    page: Page,
    rules: SiteRules | None = None,
    hints: Hints | None = None,
    *,
    now: datetime | None = None,
) -> datetime | None:
    """The last-modified instant in UTC (JSON-LD ``dateModified`` or modified metas), else the hint's.

    ``now`` as for :func:`published_at`.
    """
    now = _reference(now)
    local = zone((rules or SiteRules()).timezone)
    for value in modified_values(page):
        stamp = parse_stamp(value)
        if stamp is not None and plausible(stamp.resolve(local), now):
            return stamp.resolve(local)
    if hints and hints.modified_at:
        hint = hints.modified_at
        return (hint if hint.tzinfo else hint.replace(tzinfo=local)).astimezone(UTC)
    return None
