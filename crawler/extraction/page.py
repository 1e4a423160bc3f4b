"""Parse a page once: decode the bytes, build the lxml tree, collect meta tags, links and JSON-LD.

Every field extractor works on the :class:`Page` view built here, so the HTML is
parsed and walked for its head data exactly once per article; the page's layout
(which block is the story, a sidebar, another story's teaser) is computed once on
it too (:attr:`Page.layout`, :mod:`crawler.extraction.layout`).
"""

from __future__ import annotations

import codecs
import json
import re
from functools import cached_property
from itertools import accumulate
from typing import Any

from lxml import etree
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HTMLParser, HtmlProcessingInstruction

from crawler.extraction.layout import Layout
from crawler.extraction.normalize import collapse, plain_text
from crawler.extraction.urls import clean_url

__all__ = ["NotHtmlError", "Page", "decode_html", "parse_page"]


class NotHtmlError(ValueError):
    """The input cannot be read as an HTML page (empty, binary, another format)."""


# ---- decoding ---------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]{0,300}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:+-]{2,40})""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]{0,200}encoding\s*=\s*["']([A-Za-z0-9_.:+-]{2,40})""", re.IGNORECASE)
# WHATWG encoding labels: browsers read these legacy labels as their supersets.
_SUPERSETS = {
    "ascii": "cp1252",
    "latin-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    "big5": "big5hkscs",
}
_SINGLE_BYTE_LATIN = {"cp1252", "cp1254", "latin-1", "iso8859-15"}
_PRESCAN = 32_768  # bytes searched for a <meta charset>: some heads are long


def _codec(label: str | bytes | None) -> str | None:
    if not label:
        return None
    if isinstance(label, bytes):
        label = label.decode("ascii", "ignore")
    label = label.strip().strip("\"'").lower()
    if label in ("x-user-defined", "binary", "none"):
        return None
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return _SUPERSETS.get(name, name)


def decode_html(data: bytes | str, encoding: str | None = None) -> str:
    """Text of an HTML document: BOM, then the HTTP ``encoding``, then ``<meta charset>`` / XML
    declaration, then UTF-8, then charset-normalizer's guess, then windows-1252.

    Bytes that are valid UTF-8 with non-ASCII characters in them are read as UTF-8 whatever the page's own
    declaration says (a template's old ``<meta charset="gb2312">`` over a UTF-8 body): such bytes are
    practically never an accident in a legacy encoding. An HTTP ``encoding`` still wins, unless it names a
    single-byte Latin codec (a server's default charset)."""
    return _decode(data, encoding)[0]


def _decode(data: bytes | str, encoding: str | None) -> tuple[str, bool]:
    """:func:`decode_html`'s text, and whether it is ``data`` read as UTF-8 (``data`` is then its UTF-8 form)."""
    if isinstance(data, str):
        return data, False
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(name, "replace"), False
    head = data[:_PRESCAN]
    declared = _codec(encoding)
    in_page = declared is None  # the page's own declaration: copied templates often carry an old one
    if in_page:
        match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
        declared = _codec(match.group(1)) if match else None
        if declared and declared.startswith("utf-16"):
            declared = "utf-8"  # an ASCII-readable meta cannot be right about UTF-16
    if declared and declared != "utf-8":
        # Valid UTF-8 with non-ASCII in it is no accident: one strict try, only for a legacy label (an
        # ASCII-only page reads the same either way, except in 7-bit codecs such as ISO-2022-JP: theirs).
        if (in_page or declared in _SINGLE_BYTE_LATIN) and not data.isascii():
            try:
                return data.decode("utf-8"), True
            except UnicodeDecodeError:
                pass
        return data.decode(declared, "replace"), False
    try:
        return data.decode("utf-8"), True
    except UnicodeDecodeError:
        if declared == "utf-8":
            return data.decode("utf-8", "replace"), False
    from charset_normalizer import from_bytes  # only for undeclared, non-UTF-8 pages

    best = from_bytes(data[:200_000]).best()
    if best is not None and best.encoding:
        return data.decode(_codec(best.encoding) or best.encoding, "replace"), False
    return data.decode("cp1252", "replace"), False


# ---- the parsed view -----------------------------------------------------------

_PARSER = HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, default_doctype=False, collect_ids=False)
# Every element an HtmlElement, decided in C: lxml.html's own lookup is a Python call for each element
# proxy made (5% of the extraction's time), and only adds the form classes (input, select ...) nothing here uses.
_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity
    )
)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_LD_TYPES = ("application/ld+json", "ld+json")
# The elements with an itemprop, in document order: a walk over the elements' attributes costs a third
# of testing every element (``//*[@itemprop]``).
_ITEMPROP_ELEMENTS = etree.XPath("//*/@itemprop/..")


# Bounds on one JSON-LD block, checked before it is parsed: a block over either is skipped (the page's
# meta tags still serve), and the reason is noted on the page (:attr:`Page.notes`). Real blocks are a few
# KiB and under ten levels deep; a bigger or deeper one is damage or an attack (a block nested 200,000
# levels deep made ``json.loads`` raise RecursionError and lost the whole article).
JSON_LD_MAX_CHARS = 1_048_576  # 1 Mi characters
JSON_LD_MAX_DEPTH = 64  # arrays and objects open at once
# What is not a bracket: a string (skipped whole, brackets and escaped quotes in it too) or other text.
_JSON_NOT_NESTING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[^\[\]{}"]+')
_NESTING_STEP = {"[": 1, "{": 1, "]": -1, "}": -1, '"': 0}  # '"': an unterminated string's quote


def json_depth(text: str) -> int:
    """How many arrays/objects ``text`` (JSON) opens at once at most, without parsing it: brackets
    inside strings do not count. Linear, and cheap (two passes in C) even on a 200,000-deep block."""
    brackets = _JSON_NOT_NESTING.sub("", text)
    return max(accumulate(map(_NESTING_STEP.__getitem__, brackets)), default=0)


def _load_json_ld(text: str) -> tuple[Any, str]:
    """The parsed block (``None`` when it cannot be read) and a note slug when a bound made it skip."""
    if len(text) > JSON_LD_MAX_CHARS:
        return None, "jsonld_too_large"
    text = text.strip()
    if text.startswith("<!--"):
        text = text[4:].rsplit("-->", 1)[0]
    if text.startswith("//<![CDATA["):
        text = text[11:].rsplit("//]]>", 1)[0]
    # A block with fewer brackets than the bound cannot nest deeper (most blocks): no need to scan it.
    if text.count("{") + text.count("[") > JSON_LD_MAX_DEPTH and json_depth(text) > JSON_LD_MAX_DEPTH:
        return None, "jsonld_too_deep"
    try:
        return json.loads(text), ""
    except ValueError:
        pass
    except RecursionError:  # the scan above should prevent it; never lose the page to it
        return None, "jsonld_too_deep"
    # Common CMS damage: raw control characters in strings, trailing commas.
    repaired = re.sub(r"[\x00-\x1f]+", " ", text)
    repaired = re.sub(r",\s*([}\]])", r"\1", repaired)
    try:
        return json.loads(repaired), ""
    except ValueError:
        return None, ""
    except RecursionError:
        return None, "jsonld_too_deep"


# Types that wrap the page's main object (``WebPage.mainEntity``): what they hold is not a part of something else.
_PAGE_CONTAINERS = frozenset({"WebPage", "ItemPage", "CollectionPage", "AboutPage", "ProfilePage", "QAPage"})


def _walk_json_ld(
    node: Any, found: list[tuple[dict[str, Any], bool]], depth: int = 0, owner: tuple[str, ...] = ()
) -> None:
    """Add to ``found`` every object carrying an ``@type``, outer before inner (``@graph`` and nesting
    flattened), with whether it is a part of another object (a recipe's reviews, a live blog's updates)
    rather than standing on its own or as a page's main entity."""
    if depth > 6:
        return
    if isinstance(node, list):
        for item in node:
            _walk_json_ld(item, found, depth + 1, owner)
    elif isinstance(node, dict):
        if "@type" in node:
            found.append((node, bool(owner) and not (set(owner) & _PAGE_CONTAINERS)))
            owner = ld_types(node)
        for key, value in node.items():
            if isinstance(value, (dict, list)) and key != "@context":
                _walk_json_ld(value, found, depth + 1, owner)


def ld_types(obj: dict[str, Any]) -> tuple[str, ...]:
    """The ``@type`` values of a JSON-LD object, without a schema.org prefix."""
    value = obj.get("@type")
    if isinstance(value, str) and "/" not in value and ":" not in value:
        return (value,)  # the usual "NewsArticle": nothing to take off
    values = value if isinstance(value, list) else [value]
    return tuple(str(v).rsplit("/", 1)[-1].rsplit(":", 1)[-1] for v in values if isinstance(v, str))


class Page:
    """One parsed article page: the lxml tree plus the head data and the layout every field reads."""

    def __init__(self, tree: HtmlElement, url: str):
        self.tree = tree
        self.url = url
        self.metas: dict[str, list[str]] = {}
        self.links: dict[str, list[str]] = {}
        self.json_ld: list[dict[str, Any]] = []
        # What was worked around while reading the page ("jsonld_too_deep", "jsonld_too_large"), in order,
        # each once: carried to the record's ``extraction_notes`` for the crawl stats.
        self.notes: list[str] = []
        self._ld_parts: set[int] = set()  # id()s of objects nested in another object (the list keeps them alive)
        self.title_tag = ""
        self.h1s: list[HtmlElement] = []  # in document order
        self.story_elements: list[HtmlElement] = []  # <article> and <main>, in document order (:attr:`Layout.story`)
        self.is_amp = False
        self.lang = ""
        base_href = ""
        root = tree.getroottree().getroot() if hasattr(tree, "getroottree") else tree
        if root is not None and root.tag == "html":
            self.is_amp = "amp" in root.attrib or "\u26a1" in root.attrib
            self.lang = (root.get("lang") or root.get("xml:lang") or "").strip()
        # One walk for the head data and the elements every field starts from.
        for element in tree.iter("meta", "link", "script", "title", "base", "h1", "article", "main"):
            tag = element.tag
            if tag == "meta":
                content = element.get("content")
                if content is None:
                    continue
                for attribute in ("property", "name", "itemprop", "http-equiv"):
                    key = element.get(attribute)
                    if key:
                        for part in key.split():  # property="og:title twitter:title"
                            self.metas.setdefault(part.strip().lower(), []).append(content)
            elif tag == "link":
                href = element.get("href")
                rel = element.get("rel")
                if href and rel:
                    for part in rel.lower().split():
                        self.links.setdefault(part, []).append(href.strip())
            elif tag == "script":
                kind = (element.get("type") or "").strip().lower()
                if kind and kind not in _LD_TYPES:
                    continue  # JavaScript, a template: its text (often long) is not read
                text = element.text
                # Some CMSs print JSON-LD in a bare <script>: recognise it by its schema.org context.
                untyped_ld = not kind and text and text.lstrip()[:1] in "{[" and '"@context"' in text[:300]
                if (kind in _LD_TYPES or untyped_ld) and text:
                    data, note = _load_json_ld(text)
                    if note and note not in self.notes:
                        self.notes.append(note)
                    if data is not None:
                        found: list[tuple[dict[str, Any], bool]] = []
                        _walk_json_ld(data, found)
                        for obj, is_part in found:
                            self.json_ld.append(obj)
                            if is_part:
                                self._ld_parts.add(id(obj))
            elif tag == "title":
                if not self.title_tag and element.getparent() is not None and element.getparent().tag != "svg":
                    self.title_tag = collapse(element.text_content())
            elif tag == "h1":
                self.h1s.append(element)
            elif tag == "base":
                if not base_href:
                    base_href = element.get("href") or ""
            else:  # article, main
                self.story_elements.append(element)
        self.base_url = clean_url(base_href, url) if base_href else url

    # -- meta access ---------------------------------------------------------

    def meta(self, *keys: str) -> str:
        """The first non-empty value among meta tags named ``keys`` (in the order given), cleaned."""
        for key in keys:
            for value in self.metas.get(key, ()):
                value = plain_text(value)
                if value:
                    return value
        return ""

    def meta_all(self, key: str) -> list[str]:
        """All non-empty cleaned values of one meta key."""
        return [v for v in (plain_text(x) for x in self.metas.get(key, ())) if v]

    def link(self, rel: str) -> str:
        """The first ``<link rel=...>`` href for a relation."""
        hrefs = self.links.get(rel)
        return hrefs[0] if hrefs else ""

    # -- derived views (computed on first use) ---------------------------------

    @cached_property
    def ld_nodes(self) -> dict[str, dict[str, Any]]:
        """JSON-LD nodes by ``@id`` (those with more than an ``@id``), to resolve references."""
        return {obj["@id"]: obj for obj in self.json_ld if isinstance(obj.get("@id"), str) and len(obj) > 1}

    def ld_resolve(self, node: Any) -> Any:
        """A JSON-LD reference such as Yoast's ``{"@id": "…#primaryimage"}`` replaced by the node it names."""
        if isinstance(node, dict) and set(node) == {"@id"}:
            return self.ld_nodes.get(node["@id"], node)
        if isinstance(node, list):
            return [self.ld_resolve(item) for item in node]
        return node

    @cached_property
    def ld_articles(self) -> list[dict[str, Any]]:
        """JSON-LD objects describing the article, most specific kind first.

        Objects nested in another object are parts of it (a recipe's reader reviews, a live blog's
        updates): they count only when nothing stands on its own and there is just one of them (a
        product page's review).
        """
        ranked, parts = [], []
        for index, obj in enumerate(self.json_ld):
            rank = _article_rank(ld_types(obj))
            if rank is not None:
                (parts if id(obj) in self._ld_parts else ranked).append((rank, index, obj))
        if not ranked and len(parts) == 1:
            ranked = parts
        ranked.sort(key=lambda item: (item[0], item[1]))
        return [obj for _, _, obj in ranked]

    @cached_property
    def itemprops(self) -> dict[str, list[HtmlElement]]:
        """Microdata elements by (lower-cased) ``itemprop`` name, in document order."""
        found: dict[str, list[HtmlElement]] = {}
        for element in _ITEMPROP_ELEMENTS(self.tree):
            for name in element.get("itemprop", "").lower().split():
                found.setdefault(name, []).append(element)
        return found

    @cached_property
    def layout(self) -> Layout:
        """The page's layout: the story root, the headline element and every block's kind."""
        return Layout(self)


ARTICLE_TYPES = {
    # News first: they are the article itself; generic kinds may describe a teaser or the site.
    "NewsArticle": 0,
    "ReportageNewsArticle": 0,
    "AnalysisNewsArticle": 0,
    "OpinionNewsArticle": 0,
    "ReviewNewsArticle": 0,
    "BackgroundNewsArticle": 0,
    "AskPublicNewsArticle": 0,
    "SatiricalArticle": 0,
    "LiveBlogPosting": 0,
    "Article": 1,
    "BlogPosting": 1,
    "Report": 1,
    "TechArticle": 1,
    "ScholarlyArticle": 1,
    "SocialMediaPosting": 2,
    "DiscussionForumPosting": 2,
    "Review": 2,
    "VideoObject": 3,
    "PodcastEpisode": 3,
    "ImageGallery": 3,
    "WebPage": 4,
    "ItemPage": 4,
}


def _article_rank(types: tuple[str, ...]) -> int | None:
    ranks = [ARTICLE_TYPES[t] for t in types if t in ARTICLE_TYPES]
    return min(ranks) if ranks else None


def parse_page(html: bytes | str, url: str, *, encoding: str | None = None) -> Page:
    """Decode and parse ``html`` into a :class:`Page`; raise :class:`NotHtmlError` when it is not a page."""
    text, is_utf8 = _decode(html, encoding)
    if not text or text.isspace():  # (isspace: no stripped copy of the whole text)
        raise NotHtmlError("empty page")
    head = text[:2048].lstrip()
    if "<" not in text[:65536]:
        raise NotHtmlError("not HTML: no markup in the document")
    if head.startswith(("%PDF", "{", "[")) and "<html" not in text[:4096].lower():
        raise NotHtmlError("not HTML: looks like PDF or JSON")
    cleaned = _XML_DECL.sub("", text, count=1).replace("\x00", "")
    # The page's own bytes when they are the text's UTF-8 form and nothing was taken out: encoding a
    # long text again costs more than the checks.
    data = html if is_utf8 and len(cleaned) == len(text) else cleaned.encode("utf-8", "surrogatepass")
    try:
        tree = etree.fromstring(data, _PARSER)
    except (etree.ParserError, ValueError) as error:
        raise NotHtmlError(f"not HTML: {error}") from None
    if tree is None:
        raise NotHtmlError("not HTML: nothing to parse")
    return Page(tree, url)
