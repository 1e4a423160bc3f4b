"""Feeds: RSS 2.0, RSS 1.0 (RDF) and Atom 1.0 items as links with hints, and feed autodiscovery."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import lxml.html
from lxml import etree

from crawler.discovery.base import (
    MAX_DOCUMENT_SIZE,
    DiscoveryError,
    Link,
    absolute_url,
    html_fragment,
    is_web_url,
    parse_date,
    to_int,
)
from crawler.discovery.sniff import GZIP_MAGIC, describe, gunzip, sniff, strip_leading_junk
from crawler.discovery.xmldoc import children, local_name, parse_xml, text_of
from crawler.extraction.context import HintImage, Hints

ATOM_NS = "http://www.w3.org/2005/Atom"
MEDIA_NS = "http://search.yahoo.com/mrss/"
# Atom 0.3 and some generators use other URIs for Media RSS; the local names are the same.
_MEDIA_NAMESPACES = frozenset({MEDIA_NS, "http://search.yahoo.com/mrss", "http://video.search.yahoo.com/mrss"})
_ATOM_NAMESPACES = frozenset({ATOM_NS, "http://purl.org/atom/ns#", ""})

_RSS_ITEMS = etree.XPath("//*[local-name()='item']")
_ATOM_ENTRIES = etree.XPath("/*/*[local-name()='entry']")
_ALTERNATE_LINKS = etree.XPath(
    "//link[@href][contains(concat(' ', normalize-space(translate(@rel, 'ALTERNATE', 'alternate')), ' '),"
    " ' alternate ')]"
)
_BASE_HREF = etree.XPath("//base[@href][1]/@href")
FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml"})
_IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif")
_CONTENT_EXCERPT_CHARS = 600  # when an item has only full content, a hint needs no more than this


@dataclass(slots=True)
class _Picture:
    rank: int  # lower is better: media:content < media:thumbnail < enclosure < description < content
    image: HintImage


@dataclass(frozen=True, slots=True)
class Feed:
    """A feed's items as links, and the items that could not be followed (no usable link), by title."""

    links: list[Link]
    dropped: list[str]


def parse_feed(body: bytes, url: str) -> list[Link]:
    """The items of an RSS 2.0, RSS 1.0 or Atom feed as links with hints, in feed order (see :func:`read_feed`)."""
    return read_feed(body, url).links


def read_feed(body: bytes, url: str) -> Feed:
    """The items of an RSS 2.0, RSS 1.0 or Atom feed as links with hints, in feed order.

    Tolerates broken XML, HTML entities and CDATA; a gzip body is decompressed first. Raises
    :class:`DiscoveryError` when the document is not a feed, saying what it is instead. An item
    without a usable link (none, or not a web URL) is listed in ``dropped`` by its title.
    """
    if body.startswith(GZIP_MAGIC):
        body = gunzip(body, MAX_DOCUMENT_SIZE)
    body = strip_leading_junk(body)
    if sniff(body) in ("html", "json", "sitemap"):
        raise DiscoveryError(f"expected a feed, got {describe(body)}")
    document = parse_xml(body, url, expected="a feed")
    root = document.root
    kind = local_name(root).lower()
    if kind == "feed":
        entries = document.complete_entries(_ATOM_ENTRIES(root), "entry")
        links = [_atom_entry(entry, url) for entry in entries]
    elif kind in ("rss", "rdf", "channel"):
        entries = document.complete_entries(_RSS_ITEMS(root), "item")
        links = [_rss_item(item, url) for item in entries]
    else:
        raise DiscoveryError(f"expected a feed, got {describe(body)}")
    dropped = [_item_title(entry) for entry, link in zip(entries, links, strict=True) if link is None]
    return Feed([link for link in links if link is not None], dropped)


def _item_title(entry: etree._Element) -> str:
    """An item's title for a log line (or its position when it has none)."""
    for child in entry:
        if isinstance(child.tag, str) and local_name(child) == "title":
            return " ".join(text_of(child).split())[:120] or "(empty title)"
    return "(no title)"


def _rss_item(item: etree._Element, feed_url: str) -> Link | None:
    base = item.base or feed_url
    link = guid = original = atom_link = ""
    title = description = content = ""
    published = modified = None
    categories: list[str] = []
    pictures: list[_Picture] = []
    for ns, local, child in children(item):
        if ns in _MEDIA_NAMESPACES:
            pictures.extend(_media_pictures(local, child, base))
        elif local == "link":
            if ns == ATOM_NS:
                if not atom_link and child.get("rel", "alternate") == "alternate":
                    atom_link = child.get("href", "")
            else:
                link = link or text_of(child)
        elif local == "origLink":  # FeedBurner: the article behind its redirecting <link>
            original = text_of(child)
        elif local == "guid":
            if child.get("isPermaLink", "true").lower() != "false":
                guid = text_of(child)
        elif local == "title":
            title = title or text_of(child)
        elif local == "description":
            description = text_of(child)
        elif local == "encoded":  # content:encoded
            content = text_of(child)
        elif local in ("pubDate", "date", "issued", "published"):
            published = published or parse_date(text_of(child))
        elif local in ("modified", "updated"):
            modified = modified or parse_date(text_of(child))
        elif local in ("category", "subject"):
            categories.append(text_of(child))
        elif local == "enclosure" and child.get("type", "").lower().startswith("image/"):
            url = absolute_url(child.get("url", ""), base)
            if url:
                pictures.append(_Picture(2, HintImage(url)))
    href = original or link or atom_link or (guid if guid.startswith(("http://", "https://")) else "")
    href = href or item.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about", "")
    return _link(href, base, title, description, content, published, modified, categories, pictures)


def _atom_entry(entry: etree._Element, feed_url: str) -> Link | None:
    base = entry.base or feed_url
    links: list[tuple[str, str]] = []  # (rel, href)
    entry_id = title = summary = content = ""
    published = modified = None
    categories: list[str] = []
    pictures: list[_Picture] = []
    for ns, local, child in children(entry):
        if ns in _MEDIA_NAMESPACES:
            pictures.extend(_media_pictures(local, child, base))
            continue
        if ns not in _ATOM_NAMESPACES:
            continue
        if local == "link":
            rel = child.get("rel", "alternate").lower()
            href = absolute_url(child.get("href", ""), child.base or base)
            links.append((rel, href))
            if rel == "enclosure" and child.get("type", "").lower().startswith("image/") and href:
                pictures.append(_Picture(2, HintImage(href)))
        elif local == "id":
            entry_id = text_of(child)
        elif local == "title":
            title = _atom_text(child)
        elif local == "summary":
            summary = _atom_text(child)
        elif local == "content":
            content = _atom_text(child)
        elif local in ("published", "issued"):
            published = parse_date(text_of(child))
        elif local in ("updated", "modified"):
            modified = parse_date(text_of(child))
        elif local == "category":
            categories.append(child.get("term") or child.get("label") or "")
    href = next((h for rel, h in links if rel == "alternate" and h), "")
    href = href or (entry_id if entry_id.startswith(("http://", "https://")) else "")
    return _link(href, base, title, summary, content, published, modified, categories, pictures)


def _atom_text(element: etree._Element) -> str:
    """An Atom text construct as HTML-or-text: ``type="xhtml"`` content is serialised back to markup."""
    if element.get("type", "").lower() == "xhtml" and len(element):
        return "".join(etree.tostring(child, encoding="unicode", with_tail=True) for child in element)
    return text_of(element)


def _media_pictures(local: str, element: etree._Element, base: str) -> list[_Picture]:
    if local == "group":
        return [p for _, sub_local, sub in children(element) for p in _media_pictures(sub_local, sub, base)]
    if local not in ("content", "thumbnail"):
        return []
    url = absolute_url(element.get("url", ""), base)
    if not url:
        return []
    if local == "content":
        medium = element.get("medium", "").lower()
        kind = element.get("type", "").lower()
        is_image = medium == "image" or kind.startswith("image/")
        if not is_image and (medium or kind or not url.lower().split("?")[0].endswith(_IMAGE_EXTENSIONS)):
            # A video's media:content may hold its poster as a media:thumbnail child.
            return [p for _, sub_local, sub in children(element) for p in _media_pictures(sub_local, sub, base)]
    size = HintImage(url, to_int(element.get("width")), to_int(element.get("height")))
    return [_Picture(0 if local == "content" else 1, size)]


def _link(
    href: str,
    base: str,
    title: str,
    summary: str,
    content: str,
    published: datetime | None,
    modified: datetime | None,
    categories: list[str],
    pictures: list[_Picture],
) -> Link | None:
    url = absolute_url(href, base)
    if not url or (base and is_web_url(base) and not is_web_url(url)):
        return None
    excerpt, summary_image = html_fragment(summary, base=url)
    content_text, content_image = html_fragment(content, base=url) if content else ("", None)
    if summary_image:
        pictures.append(_Picture(3, summary_image))
    if content_image:
        pictures.append(_Picture(4, content_image))
    if not excerpt and content_text:
        excerpt = _shorten(content_text, _CONTENT_EXCERPT_CHARS)
    picture = min(pictures, key=lambda p: p.rank).image if pictures else None
    hints = Hints(
        title=html_fragment(title, debris=False)[0],
        excerpt=excerpt,
        published_at=published,
        modified_at=modified,
        image=picture,
        categories=list(dict.fromkeys(c for c in (html_fragment(c, debris=False)[0] for c in categories) if c)),
        source="feed",
    )
    return Link(url, hints)


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 0 else limit].rstrip() + "…"


def feed_links(html: bytes | str, url: str) -> list[str]:
    """The feeds a page advertises (``<link rel="alternate" type="application/rss+xml|atom+xml">``).

    Absolute, in page order, comment feeds last (a site's main feed is what a crawler wants).
    """
    try:
        tree = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    base = absolute_url(next(iter(_BASE_HREF(tree)), ""), url) or url
    found: list[str] = []
    comments: list[str] = []
    for element in _ALTERNATE_LINKS(tree):
        kind = element.get("type", "").split(";")[0].strip().lower()
        if kind not in FEED_TYPES:
            continue
        href = absolute_url(element.get("href", ""), base)
        if not href:
            continue
        is_comments = "comments" in element.get("title", "").lower() or "/comments/feed" in href
        (comments if is_comments else found).append(href)
    return list(dict.fromkeys([*found, *comments]))
