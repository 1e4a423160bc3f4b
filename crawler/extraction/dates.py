"""Publication and modification instants.

Cascade, cheap and reliable first: JSON-LD ``datePublished``, publication meta
tags, microdata, ``<time>`` elements in the article header, date-like text in
the header (own patterns, then dateparser), the URL's ``/YYYY/MM/DD/``, then
the discovery hint. An explicit offset wins; a local time is read in the zone
the page declares elsewhere or the site's zone; a day-only date is made
precise by a timed source (page or hint) on the same day. Modified dates are
never taken for publication, and nothing falls back to "now".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from itertools import zip_longest
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lxml.html import HtmlElement

from crawler.extraction.context import Hints, SiteRules
from crawler.extraction.normalize import collapse
from crawler.extraction.page import Page, ld_types

__all__ = ["Stamp", "modified_at", "parse_stamp", "published_at"]

MIN_YEAR = 1990

# Meta keys naming the publication instant, strongest first.
PUBLISHED_METAS = (
    "article:published_time",
    "og:article:published_time",
    "article:published",
    "og:published_time",
    "published_time",
    "article.published",
    "datepublished",
    "article:publication_date",
    "publication_date",
    "publish-date",
    "publish_date",
    "publishdate",
    "published-date",
    "published_date",
    "date_published",
    "pubdate",
    "og:pubdate",
    "parsely-pub-date",
    "sailthru.date",
    "cxenseparse:recs:publishtime",
    "article.created",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date.created",
    "dcterms.created",
    "dc.date.publication",
    "citation_publication_date",
    "citation_date",
    "originalpublicationdate",
    "rnews:datepublished",
    "datecreated",
    "date",
    "dc.date",
    "dcterms.date",
    "dc:date",
    "displaydate",
    "release_date",
)
# Metas that only say "date": CMSs fill them with the publication day as often as with the last edit,
# so a different date the page displays beats them.
GENERIC_DATE_METAS = frozenset({"date", "dc.date", "dcterms.date", "dc:date"})
MODIFIED_METAS = (
    "article:modified_time",
    "og:article:modified_time",
    "og:updated_time",
    "article:modified",
    "datemodified",
    "dateModified",
    "dcterms.modified",
    "dc.date.modified",
    "last-modified",
    "lastmod",
)

_ISO = re.compile(
    r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)"
    r"(?:(?:T|\s+|,\s*|\s+at\s+)(\d{1,2})[:.h](\d{2})(?:[:.](\d{2})(?:[.,]\d{1,9})?)?"
    r"\s*([AaPp]\.?[Mm]\.?)?"
    r"\s*(Z\b|UTC|GMT|[+-]\d{2}(?::?\d{2})?\b|\(?[A-Z]{3,4}\b\)?)?"
    r"(?:\s*(?:UTC|GMT)?\s*([+-]\d{1,2}(?::?\d{2})?))?)?"
)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:T?(\d{2})(\d{2})(\d{2})?(Z|[+-]\d{4})?)?$")
_EPOCH = re.compile(r"^\d{10}(?:\d{3})?$")
_DMY = re.compile(r"(?<![\d.])(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})(?![\d])")
_CJK = re.compile(r"(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]?")
_TIME_AFTER = re.compile(
    r"^[\s,|·•\-–—/]*(?:at|um|à|a las|alle|om|kl\.?|klo|o|às|в)?\s*(\d{1,2})[:.h](\d{2})(?:[:.](\d{2}))?(?![\d])"
    r"\s*([AaPp]\.?[Mm]\.?)?\s*(?:Uhr|h)?\s*(Z\b|UTC|GMT|[A-Z]{3,4}\b)?\s*([+-]\d{1,2}(?::?\d{2})?)?"
)

# Month names (lower-case, accents kept) for the languages most news sites use.
_MONTH_NAMES = {
    1: "january jan janvier janv januar jänner jan enero ene gennaio gen janeiro januari januar styczeń stycznia ocak "
    "ianuarie január leden ledna січня января",
    2: "february feb février févr fevrier februar feber febrero febbraio fevereiro fev februari luty lutego şubat "
    "februarie február únor února лютого февраля",
    3: "march mar mars märz maerz marz marzo março marco maart maa mars marca marzec mart martie március březen "
    "března березня марта",
    4: "april apr avril avr abril aprile abr kwiecień kwietnia nisan aprilie április duben dubna квітня апреля",
    5: "may mai mayo maggio maio mei maj maja mayıs máj május květen května травня мая",
    6: "june jun juin juni junio giugno giu junho czerwiec czerwca haziran iunie június červen června червня июня",
    7: "july jul juillet juil juli julio luglio lug julho lipiec lipca temmuz iulie július červenec července "
    "липня июля",
    8: "august aug août aout agosto ago augustus augusti sierpień sierpnia ağustos august augusztus srpen srpna "
    "серпня августа",
    9: "september sep sept septembre septiembre setiembre settembre set setembro wrzesień września eylül "
    "septembrie szeptember září вересня сентября",
    10: "october oct octobre oktober octubre ottobre ott outubro out okt październik października ekim "
    "octombrie október říjen října жовтня октября",
    11: "november nov novembre noviembre novembro listopad listopada kasım noiembrie november listopadu "
    "листопада ноября",
    12: "december dec décembre decembre dezember dez diciembre dic dicembre dezembro desember dets grudzień "
    "grudnia aralık decembrie december prosinec prosince грудня декабря",
}
# Languages whose month names the table above covers (dateparser is not needed for them).
_OWN_LANGUAGES = frozenset(
    {"en", "fr", "de", "es", "it", "pt", "nl", "sv", "da", "no", "nb", "pl", "tr", "ro", "hu", "cs"}
)
MONTHS = {name: number for number, names in _MONTH_NAMES.items() for name in names.split()}
_MONTH_RE = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_DAY_MONTH_YEAR = re.compile(
    rf"(?<![\w])(\d{{1,2}})(?:st|nd|rd|th|er|º|°)?\.?\s*(?:de\s+|of\s+)?({_MONTH_RE})\.?,?\s*(?:de\s+|del\s+)?(\d{{4}})(?!\d)",
    re.IGNORECASE,
)
_MONTH_DAY_YEAR = re.compile(
    rf"(?<![\w])({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)", re.IGNORECASE
)
_YEAR_MONTH_DAY = re.compile(rf"(?<![\w\d])(\d{{4}})\.?\s+({_MONTH_RE})\.?\s+(\d{{1,2}})(?!\d)", re.IGNORECASE)
_RELATIVE = re.compile(
    r"\b(?:ago|vor|hace|il y a|fa\b|geleden|temu|önce|today|yesterday|heute|gestern|hier|aujourd|ayer|hoy|oggi|ieri)",
    re.IGNORECASE,
)
_HAS_DIGIT_YEAR = re.compile(r"(?<!\d)(?:19[9]\d|20[0-4]\d)(?!\d)")

# A few zone abbreviations seen in datelines; ambiguous ones (IST, CST in Asia) are read as the common news usage.
ZONE_ABBREVIATIONS = {
    "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "BST": 60, "CET": 60, "MEZ": 60, "CEST": 120, "MESZ": 120, "EET": 120,
    "EEST": 180, "MSK": 180, "IST": 330, "SGT": 480, "HKT": 480, "AWST": 480, "JST": 540, "KST": 540,
    "AEST": 600, "AEDT": 660, "NZST": 720, "NZDT": 780, "EST": -300, "EDT": -240, "CST": -360, "CDT": -300,
    "MST": -420, "MDT": -360, "PST": -480, "PDT": -420, "AKST": -540, "HST": -600, "ET": -300, "PT": -480,
}  # fmt: skip

# Where a displayed date lives: class/id cues (htmldate's list, extended).
_DATE_CUES = re.compile(
    r"date|time|publi|posted|submitted|byline|dateline|meta|info|fecha|datum|data|zeit|parution|stamp|created|"
    r"author|autor|post-?detail|subline",
    re.IGNORECASE,
)
_MODIFIED_CUES = re.compile(r"updat|modif|edited|aktualisiert|mis à jour|actualiz|geändert|last", re.IGNORECASE)
_UPDATED_WORDS = re.compile(
    r"\b(?:updated?|modified|edited|aktualisiert|geändert|mis à jour|actualizado|aggiornat|bijgewerkt|zaktualizowano)",
    re.IGNORECASE,
)
_PUBLISHED_WORDS = re.compile(
    r"\b(?:published|posted|veröffentlicht|publié|publicado|pubblicato|gepubliceerd|opublikowano|erschienen|"
    r"publicat|publikováno)",
    re.IGNORECASE,
)
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-]?(0[1-9]|1[0-2])[/-]?(0[1-9]|[12]\d|3[01])(?:/|[-_]|$|\.)")
_URL_DATE_LOOSE = re.compile(r"[/_-]((?:19|20)\d{2})[/_-](0?[1-9]|1[0-2])[/_-](0?[1-9]|[12]\d|3[01])(?:[/_.-]|$)")
# A path segment that is a whole day-month-year date ("/meldungen/29-10-2021"); month first in US English.
_URL_DATE_DAY_FIRST = re.compile(r"/(\d{1,2})[-_.](\d{1,2})[-_.]((?:19|20)\d{2})(?:[/.?#]|$)")


@dataclass(frozen=True, slots=True)
class Stamp:
    """A parsed date value: ``value`` is aware when the source gave an offset."""

    value: datetime
    has_time: bool
    has_offset: bool

    def resolve(self, zone: tzinfo) -> datetime:
        """The instant in UTC, reading a local value in ``zone``."""
        value = self.value if self.has_offset else self.value.replace(tzinfo=zone)
        return value.astimezone(UTC)


def _offset(text: str | None) -> timezone | None:
    if not text:
        return None
    text = text.strip("() ")
    upper = text.upper()
    if upper in ZONE_ABBREVIATIONS:
        return timezone(timedelta(minutes=ZONE_ABBREVIATIONS[upper]))
    match = re.fullmatch(r"([+-])(\d{1,2}):?(\d{2})?", text)
    if not match:
        return None
    minutes = int(match.group(2)) * 60 + int(match.group(3) or 0)
    if minutes > 14 * 60:
        return None
    return timezone(timedelta(minutes=-minutes if match.group(1) == "-" else minutes))


def _hour(hour: int, meridiem: str | None) -> int:
    if meridiem:
        pm = meridiem.lower().startswith("p")
        if hour == 12:
            return 12 if pm else 0
        return hour + 12 if pm else hour
    return hour


def _build(
    year: int,
    month: int,
    day: int,
    hour: int | None = None,
    minute: int = 0,
    second: int = 0,
    zone: tzinfo | None = None,
) -> Stamp | None:
    if year < 100:
        year += 2000 if year < 70 else 1900
    if not (MIN_YEAR <= year <= 2100):
        return None
    try:
        if hour is None:
            return Stamp(datetime(year, month, day), False, False)
        if hour == 24 and minute == 0:
            hour = 0
        value = datetime(year, month, day, hour, minute, min(second, 59), tzinfo=zone)
    except ValueError:
        return None
    return Stamp(value, True, zone is not None)


def _time_after(text: str, stamp: Stamp | None) -> Stamp | None:
    """Attach a time that follows a date (``3 May 2024, 15:47 CEST``)."""
    if stamp is None or stamp.has_time:
        return stamp
    match = _TIME_AFTER.match(text)
    if not match:
        return stamp
    hour, minute = int(match.group(1)), int(match.group(2))
    hour = _hour(hour, match.group(4))
    if hour > 23 or minute > 59:
        return stamp
    zone = _offset(match.group(6)) or _offset(match.group(5))
    d = stamp.value
    return _build(d.year, d.month, d.day, hour, minute, int(match.group(3) or 0), zone) or stamp


def _parse_iso(text: str) -> Stamp | None:
    match = _ISO.search(text)
    if not match:
        return None
    year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3))
    if month > 12 and day <= 12:  # 2024/31/05 never happens; 2024-05-31 does. Only swap when forced.
        month, day = day, month
    if match.group(4) is None:
        return _build(year, month, day)
    hour = _hour(int(match.group(4)), match.group(7))
    zone = _offset(match.group(9)) or _offset(match.group(8))
    return _build(year, month, day, hour, int(match.group(5)), int(match.group(6) or 0), zone)


def _parse_words(text: str, month_first_numeric: bool = False) -> Stamp | None:
    """Dates written with month names, CJK markers, or day-first numbers (the earliest in ``text``)."""
    found = _word_dates(text, month_first_numeric)
    if not found:
        return None
    _start, stamp, end = min(found, key=lambda item: item[0])
    return _time_after(text[end:], stamp)


def _word_dates(text: str, month_first_numeric: bool) -> list[tuple[int, Stamp, int]]:
    found: list[tuple[int, Stamp | None, int]] = []
    for pattern, order in ((_DAY_MONTH_YEAR, "dmy"), (_MONTH_DAY_YEAR, "mdy"), (_YEAR_MONTH_DAY, "ymd")):
        match = pattern.search(text)
        if not match:
            continue
        groups = match.groups()
        if order == "dmy":
            day, month, year = int(groups[0]), MONTHS.get(groups[1].lower().rstrip(".")), int(groups[2])
        elif order == "mdy":
            month, day, year = MONTHS.get(groups[0].lower().rstrip(".")), int(groups[1]), int(groups[2])
        else:
            year, month, day = int(groups[0]), MONTHS.get(groups[1].lower().rstrip(".")), int(groups[2])
        if month:
            found.append((match.start(), _build(year, month, day), match.end()))
    match = _CJK.search(text)
    if match:
        found.append((match.start(), _build(int(match[1]), int(match[2]), int(match[3])), match.end()))
    for match in _DMY.finditer(text):
        first, second, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
        if len(match.group(4)) == 2 and match.group(2) != ".":
            continue  # 03-05-24 and 03/05/24 are too ambiguous
        day, month = (second, first) if (month_first_numeric and match.group(2) == "/") else (first, second)
        if month > 12 and day <= 12:
            day, month = month, day
        stamp = _build(year, month, day)
        if stamp is not None:
            found.append((match.start(), stamp, match.end()))
            break
    return [item for item in found if item[1] is not None]  # type: ignore[misc]


def find_date(text: str, *, month_first: bool = False) -> Stamp | None:
    """The first date written anywhere in a free text (ISO, numeric or with a month name), with its time."""
    found = _word_dates(text, month_first)
    match = _ISO.search(text)
    if match:
        stamp = _parse_iso(text[match.start() :])
        if stamp is not None:
            found.append((match.start(), stamp, match.end()))
    if not found:
        return None
    _start, stamp, end = min(found, key=lambda item: item[0])
    return _time_after(text[end:], stamp)


def parse_stamp(value: str | None, *, month_first: bool = False) -> Stamp | None:
    """Parse one date value (ISO 8601, RFC 2822, epoch, or a written date); None when it is not one."""
    if not value:
        return None
    text = collapse(str(value))
    if not text or len(text) > 200:
        return None
    if _EPOCH.match(text):
        seconds = int(text) / (1000 if len(text) == 13 else 1)
        try:
            instant = datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
        return Stamp(instant, True, True) if instant.year >= MIN_YEAR else None
    match = _COMPACT.match(text)
    if match:
        hour = int(match.group(4)) if match.group(4) else None
        zone = _offset(match.group(7)) if match.group(7) else None
        return _build(int(match[1]), int(match[2]), int(match[3]), hour, int(match.group(5) or 0),
                      int(match.group(6) or 0), zone)  # fmt: skip
    stamp = _parse_iso(text)
    if stamp is not None:
        return stamp
    if re.match(r"^[A-Za-z]{3},\s+\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}", text):
        from email.utils import parsedate_to_datetime

        try:
            instant = parsedate_to_datetime(text)
            return Stamp(instant, True, instant.tzinfo is not None)
        except (TypeError, ValueError, IndexError):
            pass
    return _parse_words(text, month_first)


# ---- the page's zone ----------------------------------------------------------


@lru_cache(maxsize=64)
def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


# ---- sources -------------------------------------------------------------------


# Parts of a page, not the page: their dates are a reader's review, a video's upload, an offer's validity.
_NOT_THE_PAGE = {
    "Comment", "Person", "Organization", "NewsMediaOrganization", "WebSite", "ImageObject", "Answer", "Review",
    "Rating", "AggregateRating", "VideoObject", "AudioObject", "Offer", "AggregateOffer", "BreadcrumbList",
    "ListItem",
}  # fmt: skip


def _ld_values(page: Page, key: str) -> list[str]:
    """Values of ``key`` on the article's JSON-LD objects, else on any object that is not a part (comment, author)."""
    objects = page.ld_articles or [o for o in page.json_ld if not (set(ld_types(o)) & _NOT_THE_PAGE)]
    values = []
    for obj in objects:
        value = obj.get(key)
        if isinstance(value, list):
            value = value[0] if value else None
        if isinstance(value, str | int) and str(value).strip():
            values.append(str(value))
    return values


def _attribute_value(element: HtmlElement) -> str:
    """A date-like attribute value (``datetime``, ``content``, ``title`` …), '' when there is none."""
    for attribute in ("datetime", "content", "data-datetime", "data-date", "data-timestamp", "title"):
        value = element.get(attribute)
        if value and any(ch.isdigit() for ch in value):
            return value
    return ""


def _element_value(element: HtmlElement) -> str:
    for attribute in ("datetime", "content", "data-datetime", "data-date", "data-timestamp", "title"):
        value = element.get(attribute)
        if value and any(ch.isdigit() for ch in value):
            return value
    return element.text_content()


def _month_first(page: Page) -> bool:
    # US English writes 05/03/2024 for May 3; everyone else for 5 March.
    lang = page.lang.lower()
    return lang in ("en-us", "en_us") or (lang in ("en", "") and not page.url.split("/")[2].endswith(".uk"))


_OTHER_STORIES = re.compile(
    r"comment|related|teaser|recommend|footer|newsletter|more-?stories|read-?more|trending|popular", re.IGNORECASE
)
# Layout words that also wrap a story's own meta column: a date there is a fallback, not excluded.
_SIDE_BLOCKS = re.compile(r"sidebar|widget|aside", re.IGNORECASE)


def _block_kind(element: HtmlElement, page: Page) -> int:
    """0: the story's own block; 1: a side block (sidebar, widget); 2: another story's block."""
    safe = page.story_ancestors
    kind = 0
    for ancestor in element.iterancestors():
        if ancestor in safe:
            return kind
        if ancestor.tag in ("aside", "footer", "nav") or _is_site_header(ancestor, page):
            return 2
        if ancestor.tag == "li" and _is_dated_list(ancestor.getparent()):
            return 2
        cue = (ancestor.get("class") or "") + " " + (ancestor.get("id") or "")
        if _OTHER_STORIES.search(cue):
            return 2
        if _SIDE_BLOCKS.search(cue):
            kind = 1
    return kind


_DATED_ITEMS = 3


def _is_dated_list(element: HtmlElement | None) -> bool:
    """A list whose items carry dates of their own (events, other stories, archive links)."""
    if element is None:
        return False
    dated = 0
    for item in element.iterchildren("li"):
        if _HAS_DIGIT_YEAR.search(item.text_content()):
            dated += 1
            if dated >= _DATED_ITEMS:
                return True
    return False


def _is_site_header(element: HtmlElement, page: Page) -> bool:
    """The site's masthead: a ``<header>`` outside the article (the story's own header, holding the
    headline, is one of the story's ancestors and never gets here). A date there is today's date, the
    crawl's, not the story's."""
    if element.tag != "header" or (page.article is None and page.heading is None):
        return False
    article = page.article
    return article is None or not any(a is article for a in element.iterancestors())


def _in_excluded_block(element: HtmlElement, page: Page) -> bool:
    """Dates of other stories: related lists, comments, sidebars, footers (not the story's own blocks)."""
    return _block_kind(element, page) != 0


def _header_scope(page: Page) -> list[HtmlElement]:
    """Where the article's own date is displayed: the article element, else the whole page."""
    scopes = []
    if page.article is not None:
        scopes.append(page.article)
    scopes.append(page.tree)
    return scopes


def _time_elements(page: Page) -> list[tuple[int, Stamp]]:
    """``<time>`` elements, best first: marked as publication, in the article, first in order."""
    month_first = _month_first(page)
    ranked: list[tuple[int, Stamp]] = []
    seen: set[HtmlElement] = set()
    for scope_rank, scope in enumerate(_header_scope(page)):
        for element in scope.iter("time"):
            if element in seen:
                continue
            seen.add(element)
            marks = " ".join(filter(None, (element.get("class"), element.get("itemprop"), element.get("id"))))
            context = (
                marks
                + " "
                + " ".join(
                    filter(None, ((element.getparent().get("class") or "") if element.getparent() is not None else "",))
                )
            )
            if _MODIFIED_CUES.search(context) and not re.search(r"publi", marks, re.I):
                continue
            block = _block_kind(element, page)
            if block == 2:
                continue
            stamp = parse_stamp(_element_value(element), month_first=month_first) or parse_stamp(
                element.text_content(), month_first=month_first
            )
            if stamp is None:
                continue
            published = "pubdate" in element.attrib or re.search(r"publi|created|posted", marks, re.I)
            ranked.append((8 if block else 0 if published else 1 + scope_rank, stamp))
    ranked.sort(key=lambda item: item[0])
    return ranked


_TEXT_TAGS = ("span", "div", "p", "time", "small", "li", "abbr", "em", "strong", "b", "a", "dd", "dt", "td", "header",
              "h2", "h3", "h4", "h5", "h6")  # fmt: skip
_MAX_WINDOW = 6000


def _cued_dates(page: Page, scope: HtmlElement, pending: list[str], side: list[Stamp] | None = None) -> Stamp | None:
    """The first date in an element whose class/id says it holds one (``date``, ``byline``, ``meta`` ...).

    The element's own machine-readable value counts too (hAtom's ``<abbr class="published" title="…">``).
    Dates in side blocks (widgets, sidebars) are not returned; the first one goes to ``side`` when given:
    some blog themes wrap the post itself in a widget, so it is the last resort.
    """
    month_first = _month_first(page)
    for element in scope.iter(*_TEXT_TAGS):
        cue = (element.get("class") or "") + " " + (element.get("id") or "")
        if not _DATE_CUES.search(cue) or _MODIFIED_CUES.search(cue):
            continue
        raw = element.text_content()
        # The element's own machine-readable value, when it is marked as the publication date.
        value = "" if element.tag == "a" else _attribute_value(element) if _PUBLISHED_CUE.search(cue) else ""
        if not value and not (6 <= len(raw) <= 400):
            continue
        block = _block_kind(element, page)
        if block == 2 or (block == 1 and (side is None or side)):
            continue
        if value:
            stamp = parse_stamp(value, month_first=month_first)
            if stamp is not None:
                if block == 1 and side is not None:
                    side.append(stamp)
                    continue
                return stamp
        text = collapse(raw)
        if not (6 <= len(text) <= 160) or (_UPDATED_WORDS.search(text) and not _PUBLISHED_WORDS.search(text)):
            continue
        if _RELATIVE.search(text):
            continue
        stamp = find_date(text, month_first=month_first)
        if stamp is not None:
            if block == 1 and side is not None:
                side.append(stamp)
                continue
            return stamp
        if _HAS_DIGIT_YEAR.search(text) and len(pending) < 3 and block == 0:
            pending.append(text)
    return None


_PUBLISHED_CUE = re.compile(r"publi|posted|created|(?:^|[\s_-])(?:dt|entry)-?date|timestamp", re.IGNORECASE)
_NEAR_TEXT = 300  # a sibling of the headline longer than this is body text, not a byline
_BYLINE_TEXT = 120


_PICTURE_CUE = re.compile(r"caption|credit|image|photo|picture|gallery|media|foto|bild", re.IGNORECASE)


def _is_picture(element: HtmlElement) -> bool:
    """A figure or its caption: a date there is when the photo was taken."""
    if element.tag in ("figure", "figcaption", "picture", "img") or _PICTURE_CUE.search(element.get("class") or ""):
        return True
    return next(element.iter("img", "figure", "picture"), None) is not None


def _near_headline(heading: HtmlElement, month_first: bool) -> Stamp | None:
    """A date in the short blocks right around the headline (byline, dateline, meta row), nearest first."""
    node = heading
    for _ in range(3):
        parent = node.getparent()
        if parent is None or parent.tag in ("body", "html"):
            return None
        siblings = [s for s in parent if isinstance(s.tag, str)]
        index = siblings.index(node)
        after, before = siblings[index + 1 : index + 5], siblings[max(0, index - 2) : index][::-1]
        nearby = [s for pair in zip_longest(after, before) for s in pair if s is not None]
        texts = [node.tail or ""] + [
            collapse(s.text_content()) + " " + (s.tail or "") for s in nearby if not _is_picture(s)
        ]
        texts = [collapse(t) for t in texts]
        # Short lines (a byline, a date row) before sentences that may mention other dates.
        for text in sorted(texts, key=lambda t: len(t) > _BYLINE_TEXT):
            if not (6 <= len(text) <= _NEAR_TEXT) or _RELATIVE.search(text):
                continue
            if _UPDATED_WORDS.search(text) and not _PUBLISHED_WORDS.search(text):
                continue
            stamp = find_date(text, month_first=month_first)
            if stamp is not None:
                return stamp
        node = parent
    return None


def _headline_window(page: Page) -> Stamp | None:
    """A date in the text of the headline's surrounding block (nearest block first, up to a few thousand
    characters): the fallback when no byline, marked or labelled date was found."""
    heading = page.heading
    if heading is None:
        return None
    month_first = _month_first(page)
    container = heading
    for _ in range(3):
        container = container.getparent()
        if container is None or container.tag in ("body", "html"):
            break
        text = collapse(container.text_content())
        if len(text) > _MAX_WINDOW:
            break
        if _UPDATED_WORDS.search(text) and not _PUBLISHED_WORDS.search(text):
            text = _UPDATED_CLAUSE.sub(" ", text)
        stamp = find_date(text, month_first=month_first)
        if stamp is not None:
            return stamp
    return None


_UPDATED_CLAUSE = re.compile(_UPDATED_WORDS.pattern + r"[^.|]{0,60}", re.IGNORECASE)


_DATE_LABEL = re.compile(
    r"^\s*(?:date|datum|published|posted|veröffentlicht|erschienen|publié|publicado|pubblicato|gepubliceerd|"
    r"mise en ligne|fecha|data|dato|opublikowano|yayın tarihi)\b\s*:?",
    re.IGNORECASE,
)
_LABEL_TAGS = ("span", "label", "dt", "th", "b", "strong", "p", "li", "div", "em", "h5", "h6", "small")


def _labelled_date(page: Page) -> Stamp | None:
    """A date printed after a label ("Datum: 26. Januar 2022", "Mise en ligne 23 mai 2019")."""
    month_first = _month_first(page)
    for element in page.tree.iter(*_LABEL_TAGS):
        own = element.text
        if not own or not _DATE_LABEL.match(own):
            continue
        holder = element if len(collapse(element.text_content())) > len(collapse(own)) + 5 else element.getparent()
        if holder is None or _block_kind(element, page) == 2:
            continue
        text = collapse(holder.text_content())
        if len(text) <= 160 and not _RELATIVE.search(text):
            stamp = find_date(text, month_first=month_first)
            if stamp is not None:
                return stamp
    return None


_DATELINE_PARAGRAPHS = 4
_DATELINE_REACH = 40  # the date must open the paragraph: "Berlin, 29.11.2022 – …", "(21. November 2022) …"


def _dateline(page: Page) -> Stamp | None:
    """A date opening one of the story's first paragraphs (press releases, agency copy)."""
    scope = page.article if page.article is not None else page.tree
    month_first = _month_first(page)
    seen = 0
    for paragraph in scope.iter("p"):
        text = collapse(paragraph.text_content())
        if len(text) < 20 or _block_kind(paragraph, page) != 0:
            continue
        stamp = find_date(text[:_DATELINE_REACH], month_first=month_first)
        if stamp is not None and not _RELATIVE.search(text[:_DATELINE_REACH]):
            return stamp
        seen += 1
        if seen >= _DATELINE_PARAGRAPHS:
            break
    return None


# "Erschienen am: 01.11.2023", "Posted by admin on March 3, 2020", "von Marianne1 am 20.09.2020".
# Not after a letter (but after digits: "<br>" joins "14:49:39" and "Erschienen" in the text).
_PUBLISHED_PHRASE = re.compile(
    r"(?<![^\W\d_])(?:(?:published|posted|veröffentlicht|erschienen|publié|publicado|pubblicato|gepubliceerd|"
    r"opublikowano|publicat)(?:\s+(?:by|von|par|por|da|door)\s+\S+(?:\s+\S+)?)?|(?:by|von)\s+\S+(?:\s+\S+)?)"
    r"\s*,?\s+(?:on|am|le|el|il|op|em|den)\b\s*:?\s*|"
    r"(?<![^\W\d_])(?:published|posted|veröffentlicht|erschienen|publié|publicado|pubblicato|gepubliceerd|"
    r"opublikowano)\s*:\s*",
    re.IGNORECASE,
)
_PHRASE_REACH = 40
_PHRASE_BLOCK = 300


def _phrased_date(page: Page) -> Stamp | None:
    """A date right after a publication phrase in a short block anywhere on the page, the story's own
    blocks first: the last resort for pages that mark nothing (a review's footer, a tip's user box)."""
    month_first = _month_first(page)
    elsewhere: Stamp | None = None
    for element in page.tree.iter(*_LABEL_TAGS):
        text = element.text_content()
        if len(text) > _PHRASE_BLOCK or not _HAS_DIGIT_YEAR.search(text):
            continue
        match = _PUBLISHED_PHRASE.search(collapse(text))
        if match is None:
            continue
        stamp = find_date(collapse(text)[match.end() :][:_PHRASE_REACH], month_first=month_first)
        if stamp is None:
            continue
        if _block_kind(element, page) == 0:
            return stamp
        elsewhere = elsewhere or stamp
    return elsewhere


def _text_dates(page: Page) -> Stamp | None:
    """A displayed date, nearest the story first: the byline rows around the headline, marked elements in
    the article, marked elements elsewhere, labelled dates, the headline's surrounding text, a dateline
    opening the story; then marked elements in side blocks."""
    pending: list[str] = []
    side: list[Stamp] = []
    heading = page.heading
    month_first = _month_first(page)
    sources = (
        lambda: _near_headline(heading, month_first) if heading is not None else None,
        lambda: _cued_dates(page, page.article, pending) if page.article is not None else None,
        lambda: _cued_dates(page, page.tree, pending, side),
        lambda: _labelled_date(page),
        lambda: _headline_window(page),
        lambda: _dateline(page),
        lambda: side[0] if side else None,
        lambda: _phrased_date(page),
    )
    stamp = None
    for source in sources:
        stamp = source()
        if stamp is not None:
            break
    if stamp is not None:
        return stamp
    for text in pending:  # written in a language our patterns do not cover
        stamp = _dateparser(text, page.lang)
        if stamp is not None:
            return stamp
    return None


def _dateparser(text: str, lang: str) -> Stamp | None:
    """A written date in the page's language, read by dateparser (imported on first need: it is slow).

    Only for pages that declare a language our own month tables do not cover: guessing among all of
    dateparser's locales costs seconds per text.
    """
    language = lang.split("-")[0].split("_")[0].lower()
    if not language or language in _OWN_LANGUAGES:
        return None
    import dateparser

    settings = {
        "PREFER_DAY_OF_MONTH": "first",
        "RETURN_AS_TIMEZONE_AWARE": False,
        "REQUIRE_PARTS": ["day", "month", "year"],
        "PARSERS": ["custom-formats", "absolute-time"],  # never relative ("2 hours ago" is "now")
    }
    # dateparser wants the date alone: try the words just before the year, dropping one at a time.
    match = _HAS_DIGIT_YEAR.search(text)
    words = text[: match.end()].split()[-5:] if match else text.split()[:5]
    value = None
    for start in range(len(words) - 1):
        try:
            value = dateparser.parse(" ".join(words[start:]), languages=[language], settings=settings)
        except Exception:  # an unknown language code, or dateparser's assorted errors on odd input
            return None
        if value is not None:
            break
    if value is None or value.year < MIN_YEAR:
        return None
    has_time = bool(re.search(r"\d{1,2}[:h.]\d{2}", text))
    if not has_time:
        value = value.replace(hour=0, minute=0, second=0, microsecond=0)
    return Stamp(value.replace(tzinfo=None), has_time, False)


def _url_date(url: str, *, month_first: bool = False) -> Stamp | None:
    match = _URL_DATE.search(url) or _URL_DATE_LOOSE.search(url)
    if match:
        return _build(int(match[1]), int(match[2]), int(match[3]))
    match = _URL_DATE_DAY_FIRST.search(url)
    if match:
        first, second = int(match[1]), int(match[2])
        month_first = second > 12 or (month_first and first <= 12)
        month, day = (first, second) if month_first else (second, first)
        return _build(int(match[3]), month, day)
    return None


def _candidates(page: Page, *, generic: bool = True) -> list[Stamp]:
    """Publication stamps from the page's structured data, strongest first (lazy sources excluded).

    ``generic=False`` leaves out the generic "date" metas (see :data:`GENERIC_DATE_METAS`).
    """
    found: list[Stamp] = []
    month_first = _month_first(page)
    for value in _ld_values(page, "datePublished"):
        stamp = parse_stamp(value, month_first=month_first)
        if stamp:
            found.append(stamp)
    for key in PUBLISHED_METAS:
        if not generic and key in GENERIC_DATE_METAS:
            continue
        for value in page.metas.get(key, ()):
            stamp = parse_stamp(value, month_first=month_first)
            if stamp:
                found.append(stamp)
    for element in page.itemprops.get("datepublished", ()):
        if element.tag == "meta":
            continue  # already read with the metas
        stamp = parse_stamp(_element_value(element), month_first=month_first)
        if stamp:
            found.append(stamp)
    for value in _ld_values(page, "dateCreated"):
        stamp = parse_stamp(value)
        if stamp:
            found.append(stamp)
    return found


def _declared_zone(page: Page, stamps: list[Stamp]) -> tzinfo | None:
    """An offset the page states on some date of its own (published or modified)."""
    for stamp in stamps:
        if stamp.has_offset and stamp.value.utcoffset() != timedelta(0):
            return stamp.value.tzinfo
    for key in MODIFIED_METAS:
        for value in page.metas.get(key, ()):
            stamp = parse_stamp(value)
            if stamp and stamp.has_offset and stamp.value.utcoffset() != timedelta(0):
                return stamp.value.tzinfo
    for value in _ld_values(page, "dateModified"):
        stamp = parse_stamp(value)
        if stamp and stamp.has_offset and stamp.value.utcoffset() != timedelta(0):
            return stamp.value.tzinfo
    return None


_SAME_EDIT = timedelta(minutes=10)


def _rewritten_on_edit(page: Page, stamp: Stamp, zone: tzinfo) -> bool:
    """Whether a timed publication stamp is the page's last modification instant (within minutes)."""
    modified = modified_at(page)
    return modified is not None and abs(stamp.resolve(zone) - modified) <= _SAME_EDIT


def _plausible(instant: datetime) -> bool:
    return instant.year >= MIN_YEAR and instant <= datetime.now(UTC) + timedelta(days=2)


def published_at(page: Page, rules: SiteRules | None = None, hints: Hints | None = None) -> datetime | None:
    """The publication instant in UTC, or None when neither the page nor the hints say."""
    rules = rules or SiteRules()
    site_zone = _zone(rules.timezone)
    stamps = _candidates(page, generic=False)
    generic = [] if stamps else _candidates(page)
    if stamps and stamps[0].has_time and _rewritten_on_edit(page, stamps[0], site_zone):
        # The "published" metadata was rewritten when the page was last edited: the article's own
        # <time>, when it is more than a day earlier, is the original publication.
        shown = next((stamp for rank, stamp in _time_elements(page) if rank <= 1), None)
        first = stamps[0].resolve(site_zone)
        if shown is not None and shown.resolve(site_zone).date() < first.date() - timedelta(days=1):
            stamps.insert(0, shown)
    if not stamps or not any(s.has_time for s in stamps):
        stamps.extend(stamp for _, stamp in _time_elements(page))
    if not stamps:
        text_stamp = _text_dates(page)
        if text_stamp:
            stamps.append(text_stamp)
    if generic:
        # Only a generic "date" meta: it leads unless the page displays a different day.
        shown = stamps[0].value.date() if stamps else None
        if shown is None or abs((shown - generic[0].value.date()).days) <= 1:
            stamps = generic + stamps
        else:
            stamps.extend(generic)
    url_stamp = _url_date(page.url, month_first=_month_first(page))
    if url_stamp:
        stamps.append(url_stamp)
    zone = _declared_zone(page, stamps) or site_zone
    hint = hints.published_at if hints else None
    if hint is not None and hint.tzinfo is None:
        hint = hint.replace(tzinfo=site_zone)
    valid = [s for s in stamps if _plausible(s.resolve(zone))]
    if not valid:
        return hint.astimezone(UTC) if hint and _plausible(hint) else None
    best = valid[0]
    if url_stamp is not None and best is not url_stamp and url_stamp in valid:
        # A permalink's /YYYY/MM/DD/ is fixed at publication: a page date days away from it is an update
        # or another story's date (one day off is only a time-zone difference).
        tolerance = 1 if best.has_time else 0
        if abs((best.resolve(zone).astimezone(zone).date() - url_stamp.value.date()).days) > tolerance:
            best = url_stamp
    if best.has_time:
        return best.resolve(zone)
    # Day only: a timed source on the same local day makes it precise.
    day: date = best.value.date()
    for other in valid[1:]:
        if other.has_time and other.resolve(zone).astimezone(zone).date() == day:
            return other.resolve(zone)
    if hint is not None and hint.astimezone(zone).date() == day:
        return hint.astimezone(UTC)
    return best.resolve(zone)


def modified_at(page: Page, rules: SiteRules | None = None, hints: Hints | None = None) -> datetime | None:
    """The last-modified instant in UTC (JSON-LD ``dateModified`` or modified metas), else the hint's."""
    zone = _zone((rules or SiteRules()).timezone)
    for value in [*_ld_values(page, "dateModified"), *(v for k in MODIFIED_METAS for v in page.metas.get(k, ()))]:
        stamp = parse_stamp(value)
        if stamp is not None and _plausible(stamp.resolve(zone)):
            return stamp.resolve(zone)
    if hints and hints.modified_at:
        hint = hints.modified_at
        return (hint if hint.tzinfo else hint.replace(tzinfo=zone)).astimezone(UTC)
    return None
