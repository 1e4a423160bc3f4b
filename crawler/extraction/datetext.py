"""Dates written in strings: parsing date values and free text into :class:`Stamp` values, and the words
that say what a date in a text is (published, updated, relative).

Nothing here looks at the page or at the clock: the page's sources are in :mod:`.datesources`, the choice
in :mod:`.dates`, and "now" comes in from the caller (:func:`plausible`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crawler.extraction.normalize import collapse

__all__ = [
    "MIN_YEAR",
    "Stamp",
    "find_date",
    "find_date_span",
    "is_relative",
    "mentions_year",
    "opens_with_date_label",
    "parse_stamp",
    "plausible",
    "publication_text",
    "says_updated",
    "text_after_publication_phrase",
    "url_date",
    "without_update_clauses",
    "written_date_in_language",
    "zone",
]

MIN_YEAR = 1990
# A publication instant more than this after the reference time is a typo, a placeholder or an event date.
FUTURE_SLACK = timedelta(days=2)

_ISO = re.compile(
    # "2024. 03. 03." (Korean and Hungarian numeric dates) spaces the dots.
    r"(?<!\d)(\d{4})(?:[-/.]|\. )(\d{1,2})(?:[-/.]|\. )(\d{1,2})(?!\d)"
    r"(?:(?:T|\s+|,\s*|\s+at\s+)(\d{1,2})[:.h](\d{2})(?:[:.](\d{2})(?:[.,]\d{1,9})?)?"
    r"\s*([AaPp]\.?[Mm]\.?)?"
    r"\s*(Z\b|UTC|GMT|[+-]\d{2}(?::?\d{2})?\b|\(?[A-Z]{3,4}\b\)?)?"
    r"(?:\s*(?:UTC|GMT)?\s*([+-]\d{1,2}(?::?\d{2})?))?)?"
)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:T?(\d{2})(\d{2})(\d{2})?(Z|[+-]\d{4})?)?$")
_EPOCH = re.compile(r"^\d{10}(?:\d{3})?$")
# Day, month, year in digits; bylines also space the separators or use bars ("06. 01. 2026", "26 | 01 | 2022").
_DMY = re.compile(r"(?<![\d.])(\d{1,2}) ?([./|-]) ?(\d{1,2}) ?\2 ?(\d{4}|\d{2})(?![\d])")
_CJK = re.compile(r"(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]?")
# A time written just before its date ("14:32, 03.03.2024", "10:15 AM | March 3, 2024"): colon or "h" only,
# "10.15" before a date is as often a number.
_TIME_BEFORE = re.compile(
    r"(?<![\d:.])(\d{1,2})[:h](\d{2})(?::(\d{2}))?(?![\d:])\s*([AaPp]\.?[Mm]\.?)?\s*(?:Uhr)?\s*"
    r"(Z\b|UTC|GMT|[A-Z]{3,4}\b)?\s*([+-]\d{1,2}(?::?\d{2})?)?[\s,|·•\-–—/]*$"
)
# "2024. 03. 05. 10:15": the date's closing dot comes before the time.
_TIME_AFTER = re.compile(
    r"^\.?[\s,|·•\-–—/]*(?:at|um|à|a las|alle|om|kl\.?|klo|o|às|в)?\s*(\d{1,2})[:.h](\d{2})(?:[:.](\d{2}))?(?![\d])"
    r"\s*([AaPp]\.?[Mm]\.?)?\s*(?:Uhr|h)?\s*(Z\b|UTC|GMT|[A-Z]{3,4}\b)?\s*([+-]\d{1,2}(?::?\d{2})?)?"
)

# Month names (lower-case, accents kept) for the languages most news sites use.
_MONTH_NAMES = {
    1: "january jan janvier janv januar jänner jan enero ene gennaio gen janeiro januari januar styczeń stycznia ocak "
    "ianuarie január leden ledna січня января",
    2: "february feb février févr fevrier februar feber febrero febbraio fevereiro fev februari luty lutego şubat "
    "februarie február únor února лютого февраля",
    3: "march mar mars märz mär maerz marz marzo março marco maart maa mars marca marzec mart martie március březen "
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
# A word where a month name goes, looked up in MONTHS: an alternation of all the names, tried at every
# position of a text, costs ten times more.
_MONTH_WORD = r"([^\W\d_]{3,12})"
# Separators: spaces and dots, or dashes, slashes and bars ("03-Mar-2024", "17 / Oktober / 2022").
_DAY_MONTH_YEAR = re.compile(
    rf"(?<![\w])(\d{{1,2}})(?:st|nd|rd|th|er|º|°)?(?:\.?\s*|\s*[-/|]\s*)(?:de\s+|of\s+)?{_MONTH_WORD}"
    rf"(?:\.?,?\s*|\s*[-/|]\s*)(?:de\s+|del\s+)?(\d{{4}})(?!\d)",
    re.IGNORECASE,
)
_MONTH_DAY_YEAR = re.compile(
    rf"(?<![\w]){_MONTH_WORD}\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)", re.IGNORECASE
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


def _with_clock(stamp: Stamp, match: re.Match[str]) -> Stamp:
    """``stamp``'s day at the time ``match`` (:data:`_TIME_AFTER` or :data:`_TIME_BEFORE`) reads."""
    hour, minute = _hour(int(match.group(1)), match.group(4)), int(match.group(2))
    if hour > 23 or minute > 59:
        return stamp
    zone = _offset(match.group(6)) or _offset(match.group(5))
    d = stamp.value
    return _build(d.year, d.month, d.day, hour, minute, int(match.group(3) or 0), zone) or stamp


def _time_after(text: str, stamp: Stamp | None) -> Stamp | None:
    """Attach a time that follows a date (``3 May 2024, 15:47 CEST``)."""
    if stamp is None or stamp.has_time:
        return stamp
    match = _TIME_AFTER.match(text)
    return _with_clock(stamp, match) if match else stamp


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
    for match in _DAY_MONTH_YEAR.finditer(text):  # the first whose word is a month
        month = MONTHS.get(match[2].lower())
        if month:
            found.append((match.start(), _build(int(match[3]), month, int(match[1])), match.end()))
            break
    for match in _MONTH_DAY_YEAR.finditer(text):
        month = MONTHS.get(match[1].lower())
        if month:
            found.append((match.start(), _build(int(match[3]), month, int(match[2])), match.end()))
            break
    match = _YEAR_MONTH_DAY.search(text)
    if match:
        month = MONTHS.get(match[2].lower())
        if month:
            found.append((match.start(), _build(int(match[1]), month, int(match[3])), match.end()))
    match = _CJK.search(text)
    if match:
        found.append((match.start(), _build(int(match[1]), int(match[2]), int(match[3])), match.end()))
    for match in _DMY.finditer(text):
        first, second, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
        spaced = " " in match.group()
        if len(match.group(4)) == 2 and (match.group(2) != "." or spaced):
            continue  # 03-05-24, 03/05/24 and 3. 5. 24 are too ambiguous
        if spaced and match.group(2) == "-":
            continue  # "3 - 4 - 2022" is a range or a score more often than a date
        day, month = (second, first) if (month_first_numeric and match.group(2) == "/") else (first, second)
        if month > 12 and day <= 12:
            day, month = month, day
        stamp = _build(year, month, day)
        if stamp is not None:
            found.append((match.start(), stamp, match.end()))
            break
    return [item for item in found if item[1] is not None]  # type: ignore[misc]


def _first_date(text: str, month_first: bool) -> tuple[int, int, Stamp] | None:
    """The first date in ``text`` with its time, and where it starts and ends."""
    found = _word_dates(text, month_first)
    match = _ISO.search(text)
    if match:
        stamp = _parse_iso(text[match.start() :])
        if stamp is not None:
            found.append((match.start(), stamp, match.end()))
    if not found:
        return None
    start, stamp, end = min(found, key=lambda item: item[0])
    if stamp.has_time:
        return start, end, stamp
    after = _TIME_AFTER.match(text[end:])
    if after:
        timed = _with_clock(stamp, after)
        if timed is not stamp:
            return start, end + after.end(), timed
    before = _TIME_BEFORE.search(text[max(0, start - 32) : start]) if start else None
    return start, end, _with_clock(stamp, before) if before else stamp


def find_date(text: str, *, month_first: bool = False) -> Stamp | None:
    """The first date written anywhere in a free text (ISO, numeric or with a month name), with its time."""
    found = _first_date(text, month_first)
    return found[2] if found else None


def find_date_span(text: str, *, month_first: bool = False) -> tuple[int, int, Stamp] | None:
    """:func:`find_date` with where the date (and its time) starts and ends in ``text``."""
    return _first_date(text, month_first)


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


# ---- free text: what a date in it is --------------------------------------------------------------------

# A word of its own, or capitalised after a lower-case letter (text_content() glues "Jane DoeUpdated"); not
# inside a compound: a "Coronavirus-Update" is a podcast's name, not an edit.
_UPDATED_WORDS = re.compile(
    r"(?:(?<![\w-])|(?-i:(?<=[a-zà-ÿ])(?=[A-ZÀ-Þ])))"
    r"(?:updated?|modified|edited|aktualisiert|geändert|mis à jour|actualizado|aggiornat|bijgewerkt|zaktualizowano)",
    re.IGNORECASE,
)
_PUBLISHED_WORDS = re.compile(
    r"\b(?:published|posted|veröffentlicht|publié|publicado|pubblicato|gepubliceerd|opublikowano|erschienen|"
    r"publicat|publikováno)",
    re.IGNORECASE,
)
_CLAUSE_TAIL = re.compile(r"[^.|]{0,60}")
_UPDATE_REACH = 40  # an update's date follows its word closely ("Updated by Admin on 4 March", "Updated 10:15 a.m., …")

_DATE_LABEL = re.compile(
    r"^\s*(?:date|datum|published|posted|veröffentlicht|erschienen|publié|publicado|pubblicato|gepubliceerd|"
    r"mise en ligne|fecha|data|dato|opublikowano|yayın tarihi)\b\s*:?",
    re.IGNORECASE,
)
_PUBLISHED_PHRASE = re.compile(
    r"(?<![^\W\d_])(?:(?:published|posted|veröffentlicht|erschienen|publié|publicado|pubblicato|gepubliceerd|"
    r"opublikowano|publicat)(?:\s+(?:by|von|par|por|da|door)\s+\S+(?:\s+\S+)?)?|(?:by|von)\s+\S+(?:\s+\S+)?)"
    r"\s*,?\s+(?:on|am|le|el|il|op|em|den)\b\s*:?\s*|"
    r"(?<![^\W\d_])(?:published|posted|veröffentlicht|erschienen|publié|publicado|pubblicato|gepubliceerd|"
    r"opublikowano)\s*:\s*",
    re.IGNORECASE,
)


def is_relative(text: str) -> bool:
    """Whether ``text`` states a date relative to when it is read ("3 hours ago", "gestern"): never a date."""
    return bool(_RELATIVE.search(text))


def mentions_year(text: str) -> bool:
    """Whether ``text`` holds a plausible four-digit year (a cheap test before parsing)."""
    return bool(_HAS_DIGIT_YEAR.search(text))


def says_updated(text: str) -> bool:
    """Whether ``text`` speaks of an update and not of the publication ("Updated 3 May", not "Published
    2 May, updated 3 May")."""
    return bool(_UPDATED_WORDS.search(text)) and not _PUBLISHED_WORDS.search(text)


def _cut_updates(text: str) -> str:
    """``text`` without its update clauses: each update word up to the end of the date right after it,
    else up to the next stop."""
    parts, pos = [], 0
    for match in _UPDATED_WORDS.finditer(text):
        if match.start() < pos:
            continue
        parts.append(text[pos : match.start()])
        found = _first_date(text[match.end() : match.end() + 2 * _UPDATE_REACH], False)
        if found is not None and found[0] <= _UPDATE_REACH:
            pos = match.end() + found[1]
        else:
            tail = _CLAUSE_TAIL.match(text, match.end())
            pos = tail.end() if tail else match.end()
    parts.append(text[pos:])
    return " ".join(parts)


def without_update_clauses(text: str) -> str:
    """``text`` without its "updated …" clauses when it does not speak of the publication."""
    return _cut_updates(text) if says_updated(text) else text


def publication_text(text: str) -> str:
    """The part of a byline that dates the publication: without its update clauses, and from the
    publication word on when there is one ("Updated 4 March 2024 | Published 3 March 2024")."""
    if not _UPDATED_WORDS.search(text):
        return text
    published = _PUBLISHED_WORDS.search(text)
    if published is not None:
        tail = _cut_updates(text[published.end() :])
        if _first_date(tail, False) is not None:
            return tail
    return _cut_updates(text)


def opens_with_date_label(text: str) -> bool:
    """Whether ``text`` opens with a date label ("Datum:", "Published", "Mise en ligne")."""
    return bool(_DATE_LABEL.match(text))


def text_after_publication_phrase(text: str) -> str | None:
    """The text right after a publication phrase ("Posted by admin on …", "Erschienen am: …"), or None."""
    match = _PUBLISHED_PHRASE.search(text)
    return text[match.end() :] if match else None


# ---- zones, languages, URLs, plausibility ------------------------------------------------------------------


@lru_cache(maxsize=64)
def zone(name: str) -> tzinfo:
    """The zone named ``name`` (an IANA name), UTC when it is unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def written_date_in_language(text: str, lang: str) -> Stamp | None:
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


_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-]?(0[1-9]|1[0-2])[/-]?(0[1-9]|[12]\d|3[01])(?:/|[-_]|$|\.)")
_URL_DATE_LOOSE = re.compile(r"[/_-]((?:19|20)\d{2})[/_-](0?[1-9]|1[0-2])[/_-](0?[1-9]|[12]\d|3[01])(?:[/_.-]|$)")
# A path segment that is a whole day-month-year date ("/meldungen/29-10-2021"); month first in US English.
_URL_DATE_DAY_FIRST = re.compile(r"/(\d{1,2})[-_.](\d{1,2})[-_.]((?:19|20)\d{2})(?:[/.?#]|$)")
# The month by name: "/2024/mar/03/".
_URL_DATE_MONTH_NAME = re.compile(r"/((?:19|20)\d{2})/([^\W\d_]{3,9})/(0?[1-9]|[12]\d|3[01])(?:/|$)")
# Weaker forms, read only when nothing else dates the page: a compact date ending a slug or opening an id
# ("/story-20240303.html", "/t20240303_123.html"; never a longer number: "/web/20160526181643/" is when an
# archive crawled the page), a separated date after any non-digit ("/news.2024-03-03.html", "?d=2024-3-3"),
# day and month as path segments ("/03/03/2024/").
_URL_COMPACT = re.compile(r"(?<!\d)((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?![\d])")
_URL_SEPARATED = re.compile(r"(?<!\d)((?:19|20)\d{2})[/_-](0?[1-9]|1[0-2])[/_-](0?[1-9]|[12]\d|3[01])(?!\d)")
_URL_DAY_MONTH_SEGMENTS = re.compile(r"/(\d{1,2})/(\d{1,2})/((?:19|20)\d{2})(?:/|$)")


def _day_month(first: int, second: int, year: int, month_first: bool) -> Stamp | None:
    month_first = second > 12 or (month_first and first <= 12)
    month, day = (first, second) if month_first else (second, first)
    return _build(year, month, day)


def url_date(url: str, *, month_first: bool = False, loose: bool = False) -> Stamp | None:
    """The date a permalink carries (``/2024/05/03/``, ``/2024-05-03-slug``, ``/meldungen/29-10-2021``,
    ``/2024/may/03/``); with ``loose``, the weaker forms too. A year and month alone give no day."""
    match = _URL_DATE.search(url) or _URL_DATE_LOOSE.search(url)
    if match:
        return _build(int(match[1]), int(match[2]), int(match[3]))
    match = _URL_DATE_DAY_FIRST.search(url)
    if match:
        return _day_month(int(match[1]), int(match[2]), int(match[3]), month_first)
    match = _URL_DATE_MONTH_NAME.search(url)
    if match and match[2].lower() in MONTHS:
        return _build(int(match[1]), MONTHS[match[2].lower()], int(match[3]))
    if not loose:
        return None
    path = "/" + url.split("#")[0].split("://", 1)[-1].partition("/")[2]  # not the host
    match = _URL_COMPACT.search(path) or _URL_SEPARATED.search(path)
    if match:
        return _build(int(match[1]), int(match[2]), int(match[3]))
    match = _URL_DAY_MONTH_SEGMENTS.search(path.split("?")[0])
    if match:
        return _day_month(int(match[1]), int(match[2]), int(match[3]), month_first)
    return None


def plausible(instant: datetime, now: datetime | None) -> bool:
    """Whether ``instant`` can be a publication instant: not before :data:`MIN_YEAR`, and, when the
    reference time ``now`` is given, not more than :data:`FUTURE_SLACK` after it (no upper bound
    without one)."""
    if instant.year < MIN_YEAR:
        return False
    return now is None or instant <= now + FUTURE_SLACK
