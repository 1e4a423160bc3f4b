"""Where a page states its publication and modification dates: the candidates, strongest first.

Structured data first (JSON-LD, meta tags, microdata, ``<time>`` elements), then dates displayed in text
(the byline rows around the headline, elements marked as dates, labelled dates, the headline's block, a
dateline, a publication phrase). The page's layout (:attr:`Page.layout`) says which blocks are the
story's own; strings are read by :mod:`.datetext`; :mod:`.dates` chooses among the candidates.
"""

from __future__ import annotations

import re
from datetime import timedelta, tzinfo
from functools import cache, lru_cache, partial
from itertools import chain, zip_longest

from lxml import etree
from lxml.html import HtmlElement

from crawler.extraction.datetext import (
    Stamp,
    find_date,
    find_date_span,
    is_relative,
    mentions_year,
    opens_with_date_label,
    parse_stamp,
    publication_text,
    says_updated,
    text_after_publication_phrase,
    without_update_clauses,
    written_date_in_language,
)
from crawler.extraction.layout import DATES_FALLBACK, DATES_PICTURE, DATES_SKIP, Block, signals
from crawler.extraction.normalize import collapse
from crawler.extraction.page import Page, ld_types

__all__ = [
    "GENERIC_DATE_METAS",
    "MODIFIED_METAS",
    "PUBLISHED_METAS",
    "byline_date",
    "declared_zone",
    "ld_values",
    "modified_values",
    "month_first",
    "structured_dates",
    "text_date",
    "time_elements",
]

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
    "dcterms.modified",
    "dc.date.modified",
    "last-modified",
    "lastmod",
)

# Where a displayed date lives: class/id cues (htmldate's list, extended). Matched on lower-cased names:
# case-insensitive matching costs several times more.
_DATE_CUES = re.compile(
    r"date|time|publi|posted|submitted|byline|dateline|meta|info|fecha|datum|data|zeit|parution|stamp|created|"
    r"author|autor|post-?detail|subline"
)
_MODIFIED_CUES = re.compile(r"updat|modif|edited|aktualisiert|mis à jour|actualiz|geändert|last")
_PUBLISHED_CUE = re.compile(r"publi|posted|created|(?:^|[\s_-])(?:dt|entry)-?date|timestamp")
_TIME_PUBLISHED = re.compile(r"publi|created|posted")  # a <time> marked as the publication
# Parts of a page, not the page: their dates are a reader's review, a video's upload, an offer's validity.
_NOT_THE_PAGE = {
    "Comment", "Person", "Organization", "NewsMediaOrganization", "WebSite", "ImageObject", "Answer", "Review",
    "Rating", "AggregateRating", "VideoObject", "AudioObject", "Offer", "AggregateOffer", "BreadcrumbList",
    "ListItem",
}  # fmt: skip
_VALUE_ATTRIBUTES = ("datetime", "content", "data-datetime", "data-date", "data-timestamp", "title")


def ld_values(page: Page, key: str) -> list[str]:
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
    for attribute in _VALUE_ATTRIBUTES:
        value = element.get(attribute)
        if value and any(ch.isdigit() for ch in value):
            return value
    return ""


def _element_value(element: HtmlElement) -> str:
    """A date element's machine-readable value, else its text."""
    return _attribute_value(element) or element.text_content()


def month_first(page: Page) -> bool:
    """Whether the page writes numeric dates month first: US English writes 05/03/2024 for May 3,
    everyone else for 5 March."""
    lang = page.lang.lower()
    return lang in ("en-us", "en_us") or (lang in ("en", "") and not page.url.split("/")[2].endswith(".uk"))


# Where an element is, for a date: the story's own block, a side block (a last resort), or elsewhere.
_STORY, _SIDE, _ELSEWHERE = 0, 1, 2


_MARGIN_TEXT = 600  # an aside in the story with more text than this is a box of its own (related links, facts)


def _place(page: Page, element: HtmlElement) -> int:
    kinds = page.layout.context(element)
    if kinds & DATES_SKIP:
        return _SIDE if _in_story_margin(page, element, kinds) else _ELSEWHERE
    return _SIDE if kinds & DATES_FALLBACK else _STORY


def _block_place(page: Page, element: HtmlElement) -> int:
    """:func:`_place` of a whole block, its own names included (a sibling of the headline named "comments")."""
    kinds = page.layout.kind(element)
    if kinds & DATES_SKIP:
        return _SIDE if _in_story_margin(page, element, kinds, itself=True) else _ELSEWHERE
    return _SIDE if kinds & DATES_FALLBACK else _STORY


def _in_story_margin(page: Page, element: HtmlElement, kinds: int, *, itself: bool = False) -> bool:
    """Whether the only blocks that would exclude ``element`` are the story's own margins, inside the story
    root: its footer ("Posted on … by …"), or an ``<aside>`` holding little text and no headline (the
    byline column beside the text). Other stories' boxes, comments and the page's footer keep their kinds."""
    story = page.layout.story
    if story is None or kinds & DATES_SKIP & ~(Block.ASIDE | Block.FOOTER):
        return False
    for node in chain((element,) if itself else (), element.iterancestors()):
        if node is story:
            return True
        if signals(node) & Block.ASIDE and (
            len(node.text_content()) > _MARGIN_TEXT
            or next(node.iter("h1", "h2", "h3", "h4", "article"), None) is not None
        ):
            return False
    return False


_AFTER_LAST_DIGIT = re.compile(r"\D*$")


def _update_label_before(element: HtmlElement) -> bool:
    """Whether the words just before ``element`` in its line are an update label
    (``<span>Updated</span><span>20:49, 5 Aug 2024</span>``): the text since the last digit before it."""
    parent = element.getparent()
    if parent is None:
        return False
    before = [parent.text or ""]
    for sibling in parent:
        if sibling is element:
            break
        if isinstance(sibling.tag, str):
            before.append(" " + sibling.text_content())
        before.append(sibling.tail or "")
    label = "".join(before)[-80:]
    return says_updated(_AFTER_LAST_DIGIT.search(label).group())


def _spaced_text(element: HtmlElement) -> str:
    """The element's text with its parts apart: day, month and year in elements of their own
    (``<span>Apr</span><span>04</span><span>2013</span>``) run together in ``text_content()``."""
    return collapse(" ".join(element.itertext()))


# ---- structured data ------------------------------------------------------------------------------------


def structured_dates(page: Page, *, generic: bool = True) -> list[Stamp]:
    """Publication stamps from the page's structured data, strongest first (lazy sources excluded).

    ``generic=False`` leaves out the generic "date" metas (see :data:`GENERIC_DATE_METAS`).
    """
    found: list[Stamp] = []
    first = month_first(page)
    for value in ld_values(page, "datePublished"):
        stamp = parse_stamp(value, month_first=first)
        if stamp:
            found.append(stamp)
    for key in PUBLISHED_METAS:
        if not generic and key in GENERIC_DATE_METAS:
            continue
        for value in page.metas.get(key, ()):
            stamp = parse_stamp(value, month_first=first)
            if stamp:
                found.append(stamp)
    for element in page.itemprops.get("datepublished", ()):
        if element.tag == "meta":
            continue  # already read with the metas
        stamp = parse_stamp(_element_value(element), month_first=first)
        if stamp:
            found.append(stamp)
    for value in ld_values(page, "dateCreated"):
        stamp = parse_stamp(value)
        if stamp:
            found.append(stamp)
    return found


def modified_values(page: Page) -> list[str]:
    """The page's last-modified values: JSON-LD ``dateModified``, then the modified metas."""
    return [*ld_values(page, "dateModified"), *(v for k in MODIFIED_METAS for v in page.metas.get(k, ()))]


def declared_zone(page: Page, stamps: list[Stamp]) -> tzinfo | None:
    """An offset the page states on some date of its own (published or modified)."""
    for stamp in stamps:
        if stamp.has_offset and stamp.value.utcoffset() != timedelta(0):
            return stamp.value.tzinfo
    for value in [*(v for k in MODIFIED_METAS for v in page.metas.get(k, ())), *ld_values(page, "dateModified")]:
        stamp = parse_stamp(value)
        if stamp and stamp.has_offset and stamp.value.utcoffset() != timedelta(0):
            return stamp.value.tzinfo
    return None


def time_elements(page: Page) -> list[tuple[int, Stamp]]:
    """``<time>`` elements with their rank, best first: marked as publication (0), in the story (1),
    elsewhere (2), in a side block (8); never marked as modified, never in another story's block."""
    first = month_first(page)
    ranked: list[tuple[int, Stamp]] = []
    seen: set[HtmlElement] = set()
    scopes = [page.layout.story, page.tree] if page.layout.story is not None else [page.tree]
    for scope_rank, scope in enumerate(scopes):
        for element in scope.iter("time"):
            if element in seen:
                continue
            seen.add(element)
            marks = " ".join(filter(None, (element.get("class"), element.get("itemprop"), element.get("id")))).lower()
            parent = element.getparent()
            context = marks + " " + ((parent.get("class") or "").lower() if parent is not None else "")
            # hAtom themes mark the entry's own date "entry-date updated": a publication mark wins.
            if _MODIFIED_CUES.search(context) and not _PUBLISHED_CUE.search(marks):
                continue
            place = _place(page, element)
            if place == _ELSEWHERE:
                continue
            stamp = parse_stamp(_element_value(element), month_first=first) or parse_stamp(
                element.text_content(), month_first=first
            )
            if stamp is None and len(element):
                stamp = parse_stamp(_spaced_text(element), month_first=first)
            if stamp is None:
                continue
            published = "pubdate" in element.attrib or _TIME_PUBLISHED.search(marks)
            ranked.append((8 if place == _SIDE else 0 if published else 1 + scope_rank, stamp))
    ranked.sort(key=lambda item: item[0])
    return ranked


# ---- dates displayed in text -------------------------------------------------------------------------------

_TEXT_TAGS = ("span", "div", "p", "time", "small", "li", "abbr", "em", "strong", "b", "a", "dd", "dt", "td", "header",
              "h2", "h3", "h4", "h5", "h6")  # fmt: skip
_MAX_WINDOW = 6000


_DATED, _PUBLISHED = 1, 2


@lru_cache(maxsize=4096)
def _cue(cls: str, ident: str) -> int:
    """What an element's class and id say: nothing (0), a date (:data:`_DATED`), the publication date
    (:data:`_PUBLISHED`). A modified date is nothing, unless also marked published (hAtom's "entry-date
    updated"). Class names repeat over a page and across pages: decided once per name."""
    cue = (cls + " " + ident).lower()
    if not _DATE_CUES.search(cue):
        return 0
    published = _PUBLISHED_CUE.search(cue)
    if _MODIFIED_CUES.search(cue) and not published:
        return 0
    return _PUBLISHED if published else _DATED


def _cued_dates(page: Page, scope: HtmlElement, pending: list[str], side: list[Stamp] | None = None) -> Stamp | None:
    """The first date in an element whose class/id says it holds one (``date``, ``byline``, ``meta`` ...).

    The element's own machine-readable value counts too (hAtom's ``<abbr class="published" title="…">``);
    an empty one (a clock or calendar icon) marks the text of its parent.
    Dates in side blocks (widgets, sidebars) are not returned; the first one goes to ``side`` when given:
    some blog themes wrap the post itself in a widget, so it is the last resort.
    """
    first = month_first(page)
    for element in scope.iter(*_TEXT_TAGS):
        cue = _cue(element.get("class") or "", element.get("id") or "")
        if not cue:
            continue
        raw = element.text_content()
        # The element's own machine-readable value, when it is marked as the publication date.
        value = "" if element.tag == "a" else _attribute_value(element) if cue == _PUBLISHED else ""
        holder = element
        if not value and not raw.strip() and len(element) == 0 and element.getparent() is not None:
            holder = element.getparent()  # an icon: the date is beside it
            raw = holder.text_content()
        if not value and not (6 <= len(raw) <= 400):
            continue
        place = _place(page, holder)
        if place == _ELSEWHERE or (place == _SIDE and (side is None or side)) or _update_label_before(holder):
            continue
        if value:
            stamp = parse_stamp(value, month_first=first)
            if stamp is not None:
                if place == _SIDE and side is not None:
                    side.append(stamp)
                    continue
                return stamp
        text = collapse(raw)
        if not (6 <= len(text) <= 160) or is_relative(text):
            continue
        stamp = find_date(publication_text(text), month_first=first)
        if stamp is None and len(holder):
            stamp = find_date(publication_text(_spaced_text(holder)), month_first=first)
        if stamp is not None:
            if place == _SIDE and side is not None:
                side.append(stamp)
                continue
            return stamp
        if mentions_year(text) and len(pending) < 3 and place == _STORY:
            pending.append(text)
    return None


_NEAR_TEXT = 300  # a sibling of the headline longer than this is body text, not a byline
_BYLINE_TEXT = 120


def _is_picture(page: Page, element: HtmlElement) -> bool:
    """A figure, its caption or a block holding a picture: a date there is when the photo was taken."""
    if page.layout.kind(element) & DATES_PICTURE or element.tag == "img":
        return True
    return next(element.iter("img", "figure", "picture"), None) is not None


_RAW_TEXT = 20 * _NEAR_TEXT  # raw text longer than this is body text whatever its white space


def _short_text(element: HtmlElement) -> str:
    """The element's collapsed text, or "" when it is far too long to be a byline (the story's body: not
    worth collapsing)."""
    raw = element.text_content()
    return collapse(raw) if len(raw) <= _RAW_TEXT else ""


def _near_headline(page: Page, heading: HtmlElement) -> Stamp | None:
    """A date in the short blocks right around the headline (byline, dateline, meta row), nearest first."""
    first = month_first(page)
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
            _short_text(s) + " " + (s.tail or "")
            for s in nearby
            if not _is_picture(page, s) and _block_place(page, s) != _ELSEWHERE  # not comments, not related stories
        ]
        texts = [collapse(t) for t in texts]
        # Short lines (a byline, a date row) before sentences that may mention other dates.
        for text in sorted(texts, key=lambda t: len(t) > _BYLINE_TEXT):
            if not (6 <= len(text) <= _NEAR_TEXT) or is_relative(text):
                continue
            stamp = find_date(publication_text(text), month_first=first)
            if stamp is not None:
                return stamp
        node = parent
    return None


def byline_date(page: Page) -> Stamp | None:
    """The date in the byline rows right around the headline, or None."""
    heading = page.layout.headline
    return _near_headline(page, heading) if heading is not None else None


def _headline_window(page: Page) -> Stamp | None:
    """A date in the text of the headline's surrounding block (nearest block first, up to a few thousand
    characters): the fallback when no byline, marked or labelled date was found."""
    heading = page.layout.headline
    if heading is None:
        return None
    first = month_first(page)
    container = heading
    for _ in range(3):
        container = container.getparent()
        if container is None or container.tag in ("body", "html"):
            break
        text = collapse(container.text_content())
        if len(text) > _MAX_WINDOW:
            break
        stamp = find_date(without_update_clauses(text), month_first=first)
        if stamp is not None:
            return stamp
    return None


_LABEL_TAGS = ("span", "label", "dt", "th", "b", "strong", "p", "li", "div", "em", "h5", "h6", "small")


def _labelled_date(page: Page) -> Stamp | None:
    """A date printed after a label ("Datum: 26. Januar 2022", "Mise en ligne 23 mai 2019")."""
    first = month_first(page)
    for element in page.tree.iter(*_LABEL_TAGS):
        own = element.text
        if not own or not opens_with_date_label(own):
            continue
        holder = element if len(collapse(element.text_content())) > len(collapse(own)) + 5 else element.getparent()
        if holder is None or _place(page, element) == _ELSEWHERE:
            continue
        text = collapse(holder.text_content())
        if len(text) <= 160 and not is_relative(text):
            stamp = find_date(text, month_first=first)
            if stamp is not None:
                return stamp
    return None


_DATELINE_PARAGRAPHS = 4
_DATELINE_REACH = 40  # the date must open the paragraph: "Berlin, 29.11.2022 – …", "(21. November 2022) …"


def _dateline(page: Page) -> Stamp | None:
    """A date opening one of the story's first paragraphs (press releases, agency copy)."""
    story = page.layout.story
    scope = story if story is not None else page.tree
    first = month_first(page)
    seen = 0
    for paragraph in scope.iter("p"):
        text = collapse(paragraph.text_content())
        if len(text) < 20 or _place(page, paragraph) != _STORY:
            continue
        stamp = find_date(text[:_DATELINE_REACH], month_first=first)
        if stamp is not None and not is_relative(text[:_DATELINE_REACH]):
            return stamp
        seen += 1
        if seen >= _DATELINE_PARAGRAPHS:
            break
    return None


_PHRASE_REACH = 40
_PHRASE_BLOCK = 300


# Text nodes that may hold a year: filtered in C, before any Python regex.
_MAYBE_YEARS = etree.XPath("descendant::text()[contains(., '19') or contains(., '20')]")


def _year_texts(scope: HtmlElement) -> list[tuple[HtmlElement, bool]]:
    """The elements whose own text (False) or tail (True) mentions a year, in document order."""
    found = []
    for text in _MAYBE_YEARS(scope):
        if mentions_year(text):
            element = text.getparent()
            if element is not None:
                found.append((element, text.is_tail))
    return found


def _holding_years(year_texts: list[tuple[HtmlElement, bool]]) -> set[HtmlElement]:
    """The elements whose text mentions a year somewhere in them (``year_texts``: :func:`_year_texts`)."""
    found: set[HtmlElement] = set()
    for element, is_tail in year_texts:
        node = element.getparent() if is_tail else element
        while node is not None and node not in found:
            found.add(node)
            node = node.getparent()
    return found


def _phrased_date(page: Page, page_years: list[tuple[HtmlElement, bool]]) -> Stamp | None:
    """A date right after a publication phrase in a short block anywhere on the page, the story's own
    blocks first: the last resort for pages that mark nothing (a review's footer, a tip's user box).
    ``page_years``: the page's :func:`_year_texts`."""
    first = month_first(page)
    elsewhere: Stamp | None = None
    holding_years = _holding_years(page_years)
    for element in page.tree.iter(*_LABEL_TAGS):
        if element not in holding_years:
            continue
        text = element.text_content()
        if len(text) > _PHRASE_BLOCK:
            continue
        after = text_after_publication_phrase(collapse(text))
        if after is None:
            continue
        stamp = find_date(after[:_PHRASE_REACH], month_first=first)
        if stamp is None:
            continue
        if _place(page, element) == _STORY:
            return stamp
        elsewhere = elsewhere or stamp
    return elsewhere


_DATED_BLOCK = 60  # a block this short holding a date is a date line ("Apr 7, 2009", "Agencia EFE 04.05.2022")
_NOT_TEXT = frozenset({"script", "style", "noscript", "template", "option", "select", "textarea", "title", "head"})
_QUOTES = ("blockquote", "q")  # an embedded post or a quotation: its date is the quoted text's


def _date_line(text: str, first: bool) -> Stamp | None:
    """The date of a short text that is little more than one date: the date (with its time) is a third of
    it or more, and no second date follows (a range, a list)."""
    dated = publication_text(text)
    found = find_date_span(dated, month_first=first)
    if found is None:
        return None
    start, end, stamp = found
    if 3 * (end - start) < len(dated.strip()) or find_date(dated[end:], month_first=first) is not None:
        return None
    return stamp


def _dated_block(page: Page, page_years: list[tuple[HtmlElement, bool]]) -> Stamp | None:
    """The first short block that is little more than a date: in the story root, then in its margins (its
    footer, a short aside), then in the rest of the page; never in a block that is not the story's, a
    side block or a quotation. The last resort of pages that mark nothing; only the blocks whose own text
    (or a child's tail) holds a year are looked at (``page_years``: the page's :func:`_year_texts`)."""
    first = month_first(page)
    story = page.layout.story
    seen: set[HtmlElement] = set()
    for scope in (story, page.tree) if story is not None else (page.tree,):
        margin: Stamp | None = None
        for element, is_tail in page_years if scope is page.tree else _year_texts(scope):
            if not isinstance(element.tag, str) or element.tag in _NOT_TEXT:
                continue  # a comment's tail, a script
            # A year in a tail is the parent's text: "<br><span class="icon"></span> 04.05.2022".
            block = element.getparent() if is_tail else element
            if block is None or block in seen or block.tag in _NOT_TEXT:
                continue
            seen.add(block)
            text = collapse(block.text_content())
            if len(text) > _DATED_BLOCK or is_relative(text) or _is_picture(page, block):
                continue
            place = _place(page, block)
            if (
                place == _ELSEWHERE
                or _update_label_before(block)
                or any(a.tag in _QUOTES for a in block.iterancestors())
            ):
                continue
            if place == _SIDE and (margin is not None or not _in_story_margin(page, block, page.layout.context(block))):
                continue
            stamp = _date_line(text, first) or (_date_line(_spaced_text(block), first) if len(block) else None)
            if stamp is None:
                continue
            if place == _STORY:
                return stamp
            margin = stamp
        if margin is not None:
            return margin
    return None


def text_date(page: Page, *, last_resort: bool = True) -> Stamp | None:
    """A displayed date, nearest the story first: the byline rows around the headline, marked elements in
    the story, marked elements elsewhere, labelled dates, the headline's surrounding text, a dateline
    opening the story; then marked elements in side blocks and the story's margins, a date after a
    publication phrase, a short block holding little but a date; then text in a language our patterns do
    not cover (dateparser). ``last_resort=False`` leaves out the short blocks: a weaker sign than a
    generic "date" meta."""
    pending: list[str] = []
    side: list[Stamp] = []
    heading = page.layout.headline
    story = page.layout.story
    page_years = cache(partial(_year_texts, page.tree))  # read by both last resorts: found once
    sources = (
        lambda: _near_headline(page, heading) if heading is not None else None,
        lambda: _cued_dates(page, story, pending) if story is not None else None,
        lambda: _cued_dates(page, page.tree, pending, side),
        lambda: _labelled_date(page),
        lambda: _headline_window(page),
        lambda: _dateline(page),
        lambda: side[0] if side else None,
        lambda: _phrased_date(page, page_years()),
        lambda: _dated_block(page, page_years()) if last_resort else None,
    )
    for source in sources:
        stamp = source()
        if stamp is not None:
            return stamp
    for text in pending:  # written in a language our patterns do not cover
        stamp = written_date_in_language(text, page.lang)
        if stamp is not None:
            return stamp
    return None
