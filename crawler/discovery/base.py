"""What every discovery parser shares: the ``Link`` it returns, its error, and the clean-up of
URLs, dates and text that feeds and sitemaps hand over.

No Scrapy here: bytes and a URL in, plain values out.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from crawler.extraction.context import HintImage, Hints

# Sitemaps may be 50 MB uncompressed (sitemaps.org); feeds are far smaller. One cap for both.
MAX_DOCUMENT_SIZE = 50 * 1024 * 1024


class DiscoveryError(ValueError):
    """The document is not what was promised or cannot be parsed; the message says what was found."""


@dataclass(slots=True)
class Link:
    """An article (or child sitemap) URL and what the source said about it."""

    url: str
    hints: Hints = field(default_factory=Hints)


# --- URLs -------------------------------------------------------------------------------------

# WHATWG URL parsing drops tabs and newlines anywhere (sitemaps wrap long <loc>s) and trims the ends.
_URL_NOISE = re.compile(r"[\t\n\r]")
_UNFOLLOWABLE = ("javascript:", "mailto:", "tel:", "data:", "about:", "sms:", "callto:")


def absolute_url(href: str, base: str = "") -> str:
    """``href`` resolved against ``base``, whitespace stripped and fragment removed.

    Returns "" for hrefs that lead nowhere new: empty, fragment-only, ``javascript:``, ``mailto:`` …
    """
    href = _URL_NOISE.sub("", href).strip(" \x00\x0b\x0c")
    if not href or href.startswith("#") or href.lower().startswith(_UNFOLLOWABLE):
        return ""
    # Most hrefs in feeds and sitemaps are already absolute; urljoin would dominate parse time.
    url = href if not base or href.startswith(("https://", "http://")) else urljoin(base, href)
    return url.split("#", 1)[0]


def is_web_url(url: str) -> bool:
    """Whether ``url`` is an absolute http(s) URL with a host."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


# --- dates ------------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"^\d{4}-\d{2}(?:-\d{2})?")
# "2021-08-30 14:03:00 +0800" (space before the offset) and a lower-case "z" are common and harmless.
_ISO_SPACE_OFFSET = re.compile(r"\s+([+-]\d{2}:?\d{2})$")
_ISO_FRACTION = re.compile(r"(\.\d{6})\d+")  # fromisoformat stops at microseconds


def parse_date(text: str) -> datetime | None:
    """An ISO-8601/W3C or RFC-822 date; aware when the text has an offset (or says GMT/UTC), else naive.

    ``None`` when the text is not a date. A date without a time is midnight, naive.
    """
    text = " ".join(text.split())
    if not text:
        return None
    if _ISO_DATE.match(text):
        iso = _ISO_SPACE_OFFSET.sub(r"\1", text)
        iso = _ISO_FRACTION.sub(r"\1", iso)
        if iso.endswith("z"):
            iso = iso[:-1] + "Z"
        if len(iso) == 7:  # "2021-08": W3C allows year-month
            iso += "-01"
        try:
            return datetime.fromisoformat(iso)
        except ValueError:
            return None
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    # RFC 2822 "-0000" means UTC with no claim about local time: the instant is still known.
    if parsed.tzinfo is None and text.endswith("-0000"):
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


# --- text -------------------------------------------------------------------------------------

_TAG = re.compile(r"<[a-zA-Z/!]")
_BRACKETED_ELLIPSIS = re.compile(r"\s*\[\s*(?:…|\.\s?\.\s?\.|&hellip;|&#8230;)\s*\]")
_POST_APPEARED = re.compile(r"\s*\bThe post\b.{1,400}?\bappeared first on\b.{1,200}?$", re.S)
_READ_MORE_TAIL = re.compile(
    r"\s*\b(?:read more|continue reading|keep reading|read the full (?:story|article))\s*(?:[»→›]|\.\.\.|…)?\s*$",
    re.I,
)
_MORE_LINK_TEXT = re.compile(r"^\s*(?:read more|continue reading|keep reading|read the full)\b", re.I)
_POST_APPEARED_TEXT = re.compile(r"^\s*The post\b.*\bappeared first on\b", re.S)
_BLOCK_TAGS = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 blockquote figure figcaption tr td th section article".split()  # noqa: SIM905
)
_DROP_TAGS = ("script", "style", "figure", "noscript", "iframe", "svg")


def to_int(value: str | None) -> int:
    """A pixel size from an attribute ("540", "540px"); 0 when it is not a plain number."""
    match = re.match(r"\s*(\d+)(?:\.\d+)?\s*(?:px)?\s*$", value or "")
    return int(match.group(1)) if match else 0


def snippet_text(value: str, *, debris: bool = True) -> str:
    """Plain text of an HTML-or-text snippet: tags dropped, entities decoded, whitespace collapsed.

    With ``debris`` (feed excerpts) also removes "[…]", "Read more", "The post … appeared first on …".
    """
    return html_fragment(value, debris=debris)[0]


def html_fragment(value: str, *, debris: bool = True, base: str = "") -> tuple[str, HintImage | None]:
    """The cleaned text of an HTML snippet and its first real ``<img>`` (resolved against ``base``)."""
    if not value:
        return "", None
    # Feeds often escape twice ("&amp;#8230;", "&lt;p&gt;"): the XML parser removed one layer.
    if "&" in value and not _TAG.search(value):
        value = html.unescape(value)
    image = None
    if _TAG.search(value):
        value, image = _strip_html(value, debris=debris, base=base)
    text = " ".join(value.split())
    if debris:
        text = _clean_debris(text)
    return text, image


def _clean_debris(text: str) -> str:
    text = _POST_APPEARED.sub("", text)
    text = _BRACKETED_ELLIPSIS.sub("", text)
    text = _READ_MORE_TAIL.sub("", text)
    return text.strip()


def _strip_html(value: str, *, debris: bool, base: str) -> tuple[str, HintImage | None]:
    try:
        root = lxml.html.fragment_fromstring(value, create_parent="div")
    except (etree.ParserError, ValueError):
        return html.unescape(re.sub(r"<[^>]*>", " ", value)), None
    image = _first_image(root, base)
    for element in list(root.iter(_DROP_TAGS)):
        element.drop_tree()
    if debris:
        for element in list(root.iter("a", "p")):
            text = element.text_content()
            if (element.tag == "a" and _MORE_LINK_TEXT.match(text)) or _POST_APPEARED_TEXT.match(text):
                element.drop_tree()
    for element in root.iter(_BLOCK_TAGS):
        element.tail = " " + (element.tail or "")
    return root.text_content(), image


def _first_image(root: lxml.html.HtmlElement, base: str) -> HintImage | None:
    for img in root.iter("img"):
        width, height = to_int(img.get("width")), to_int(img.get("height"))
        if width == 1 or height == 1:  # tracking pixel
            continue
        src = img.get("src") or img.get("data-src") or img.get("data-lazy-src") or ""
        url = absolute_url(src, base)
        if url:
            return HintImage(url, width, height)
    return None
