"""Listing pages (home pages, section archives): the links in their main content and their pagination."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import lxml.html
from lxml import etree

from crawler.discovery.base import absolute_url

# Where the main content is, most explicit first; the first rule that matches anything wins.
_CLASS = "contains(concat(' ', normalize-space(@class), ' '), ' {} ')"
_MAIN_AREAS = (
    etree.XPath("//main | //*[@role='main']"),
    etree.XPath(
        "//*[@id='main' or @id='content' or @id='primary' or "
        + " or ".join(_CLASS.format(c) for c in ("site-main", "content-area", "main-content"))
        + "]"
    ),
)
_BODY = etree.XPath("//body")
_CHROME = etree.XPath(
    ".//header | .//nav | .//footer | .//aside"
    " | .//*[@role='navigation' or @role='banner' or @role='contentinfo' or @role='complementary']"
)
_ANCHORS = etree.XPath(".//a[@href]")
_BASE_HREF = etree.XPath("//base[@href][1]/@href")
_REL_NEXT = etree.XPath(
    "//link[@href][contains(concat(' ', normalize-space(translate(@rel, 'NEXT', 'next')), ' '), ' next ')]/@href"
    " | //a[@href][contains(concat(' ', normalize-space(translate(@rel, 'NEXT', 'next')), ' '), ' next ')]/@href"
)
_CLASS_NEXT = etree.XPath(
    f"//a[@href][{_CLASS.format('next')} or {_CLASS.format('next-page')} or {_CLASS.format('nextpostslink')}]/@href"
    f" | //*[{_CLASS.format('nav-next')} or {_CLASS.format('pagination-next')}]//a[@href]/@href"
)
_ALL_HREFS = etree.XPath("//a/@href")

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._-]+)""", re.I)
# WordPress pagination: /page/3/ on the listing's path, or ?paged=3.
_PAGE_PATH = re.compile(r"/page/(\d+)/?$")
_PAGE_PARAMS = ("paged", "page")


@dataclass(slots=True)
class Listing:
    """What a listing page links to: the links in its content, and its following pages."""

    links: list[str] = field(default_factory=list)
    next_pages: list[str] = field(default_factory=list)


def parse_listing(html: bytes | str, url: str) -> Listing:
    """Every distinct link in the page's main content area(s), and the pages that follow it.

    Links are absolute, without fragments, in document order, not filtered (the spider applies
    the provider's article-URL rules). ``next_pages``: ``rel=next`` links, "next" pagination
    links, then WordPress ``/page/N/`` links beyond the current page, nearest first.
    """
    tree = _document(html)
    if tree is None:
        return Listing()
    base = absolute_url(next(iter(_BASE_HREF(tree)), ""), url) or url
    links: list[str] = []
    for area in _main_areas(tree):
        chrome = set(_CHROME(area)) if area.tag == "body" else set()
        for anchor in _ANCHORS(area):
            if chrome and any(ancestor in chrome for ancestor in anchor.iterancestors()):
                continue
            href = absolute_url(anchor.get("href", ""), base)
            if href:
                links.append(href)
    return Listing(list(dict.fromkeys(links)), _next_pages(tree, base, url))


def _document(html: bytes | str) -> lxml.html.HtmlElement | None:
    text = _decode(html) if isinstance(html, bytes) else html
    text = _XML_DECLARATION.sub("", text, count=1)  # lxml refuses text that declares an encoding
    if not text.strip():
        return None
    try:
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return None


def _decode(body: bytes) -> str:
    """HTML bytes as text: BOM, then ``<meta charset>``, then UTF-8, then Windows-1252."""
    if body.startswith(b"\xef\xbb\xbf"):
        return body[3:].decode("utf-8", errors="replace")
    match = _META_CHARSET.search(body[:4096])
    if match:
        try:
            return body.decode(match.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")


def _main_areas(tree: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    for rule in _MAIN_AREAS:
        found = rule(tree)
        if found:
            chosen = set(found)
            # An area inside another chosen area is already covered by it.
            return [a for a in found if not any(p in chosen for p in a.iterancestors())]
    return list(_BODY(tree))


def _next_pages(tree: lxml.html.HtmlElement, base: str, url: str) -> list[str]:
    here_key, here_number = _page_position(url)
    candidates = [absolute_url(href, base) for href in [*_REL_NEXT(tree), *_CLASS_NEXT(tree)]]
    numbered: list[tuple[int, str]] = []
    for href in _ALL_HREFS(tree):
        candidate = absolute_url(href, base)
        key, number = _page_position(candidate)
        if candidate and key == here_key and number > here_number:
            numbered.append((number, candidate))
    pages: list[str] = []
    for candidate in [*candidates, *(c for _, c in sorted(numbered, key=lambda pair: pair[0]))]:
        if not candidate or candidate == url:
            continue
        key, number = _page_position(candidate)
        if key == here_key and number <= here_number:  # "newer posts" / "previous": going back
            continue
        pages.append(candidate)
    return list(dict.fromkeys(pages))


def _page_position(url: str) -> tuple[str, int]:
    """(the listing's URL without its page number, the page number): "/page/3/" → ("/", 3)."""
    parts = urlsplit(url)
    path, number = parts.path, 1
    match = _PAGE_PATH.search(path)
    if match:
        number, path = int(match.group(1)), path[: match.start()] + "/"
    query = []
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name in _PAGE_PARAMS and value.isdigit():
            number = int(value)
        else:
            query.append((name, value))
    return urlunsplit((parts.scheme, parts.netloc.lower(), path or "/", urlencode(query), "")), number
