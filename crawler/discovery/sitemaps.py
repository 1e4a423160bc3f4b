"""Sitemaps (sitemaps.org, with Google News and image extensions) and the sitemaps robots.txt names."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from crawler.discovery.base import MAX_DOCUMENT_SIZE, DiscoveryError, Link, absolute_url, html_fragment, parse_date
from crawler.discovery.sniff import GZIP_MAGIC, describe, gunzip, sniff, strip_leading_junk
from crawler.discovery.xmldoc import children, local_name, parse_xml, text_of
from crawler.extraction.context import HintImage, Hints

_ENTRY_NAMES = {"urlset": "url", "sitemapindex": "sitemap"}
_SITEMAP_LINE = re.compile(r"^[ \t]*sitemap[ \t]*:[ \t]*(\S+)", re.I | re.M)


@dataclass(slots=True)
class Sitemap:
    """A parsed sitemap: an index of child sitemaps, or a set of page URLs."""

    kind: str  # "index" or "urlset"
    links: list[Link] = field(default_factory=list)
    truncated: bool = False  # the document was cut off: links holds the entries read completely


def parse_sitemap(body: bytes, url: str, *, max_size: int = MAX_DOCUMENT_SIZE) -> Sitemap:
    """Child sitemaps (with ``<lastmod>`` as ``modified_at``) or pages (with lastmod, news and image hints).

    Gzip bodies (detected by their magic bytes, whatever the URL says) are decompressed up to
    ``max_size`` bytes; more is a :class:`DiscoveryError` (a gzip bomb), as is a body larger than
    ``max_size``. A truncated sitemap yields the entries that were read completely. HTML, feeds
    and other documents are a :class:`DiscoveryError` naming what was found.
    """
    if body.startswith(GZIP_MAGIC):
        body = gunzip(body, max_size)
    elif len(body) > max_size:
        raise DiscoveryError(f"sitemap is {len(body)} bytes, more than the {max_size}-byte limit")
    body = strip_leading_junk(body)
    if sniff(body) in ("html", "json", "feed"):
        raise DiscoveryError(f"expected a sitemap, got {describe(body)}")
    document = parse_xml(body, url, expected="a sitemap")
    root_local = local_name(document.root).lower()
    entry_name = _ENTRY_NAMES.get(root_local)
    if entry_name is None:
        raise DiscoveryError(f"expected a sitemap, got {describe(body)}")
    entries = [child for _, local, child in children(document.root) if local == entry_name]
    entries = document.complete_entries(entries, entry_name)
    links = [link for link in (_entry(entry, url) for entry in entries) if link is not None]
    return Sitemap("index" if root_local == "sitemapindex" else "urlset", links, document.truncated)


def _entry(entry: etree._Element, sitemap_url: str) -> Link | None:
    location = ""
    hints = Hints(source="sitemap")
    for _, local, child in children(entry):
        if local == "loc":
            location = text_of(child)
        elif local == "lastmod":
            hints.modified_at = parse_date(text_of(child))
        elif local == "news":
            _news_hints(child, hints)
        elif local == "image" and not hints.image:
            image_loc = next((text_of(c) for _, name, c in children(child) if name == "loc"), "")
            image_url = absolute_url(image_loc, sitemap_url)
            hints.image = HintImage(image_url) if image_url else None
    url = absolute_url(location, sitemap_url)
    return Link(url, hints) if url else None


def _news_hints(news: etree._Element, hints: Hints) -> None:
    for _, local, child in children(news):
        if local == "publication_date":
            hints.published_at = parse_date(text_of(child))
        elif local == "title":
            hints.title = html_fragment(text_of(child), debris=False)[0]
        elif local == "keywords":
            hints.categories = [k.strip() for k in text_of(child).split(",") if k.strip()]


def robots_sitemaps(robots_txt: bytes, url: str = "") -> list[str]:
    """The ``Sitemap:`` URLs of a robots.txt, in file order, without duplicates.

    ``url`` (the robots.txt URL) resolves the rare relative entry.
    """
    text = robots_txt.decode("utf-8", errors="replace").lstrip("\ufeff")
    found = (absolute_url(match.group(1), url) for match in _SITEMAP_LINE.finditer(text))
    return list(dict.fromkeys(u for u in found if u))
