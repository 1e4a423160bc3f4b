"""What a fetched document really is, whatever the URL or the Content-Type promised.

Servers answer a feed URL with a login page, serve sitemaps gzipped without saying so and
label everything ``text/html``; the body decides, the Content-Type only breaks ties.
"""

from __future__ import annotations

import html
import re
import zlib

from crawler.discovery.base import MAX_DOCUMENT_SIZE, DiscoveryError

GZIP_MAGIC = b"\x1f\x8b"
_SNIFF_BYTES = 8192  # enough to get past an XML declaration, stylesheet PIs, comments and a doctype

# Markup that can precede the root element.
_PROLOGUE = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->|<!\[CDATA\[.*?\]\]>)", re.S)
_DOCTYPE = re.compile(r"\s*<!DOCTYPE\s+([^\s>\[]+)[^>\[]*(?:\[.*?\])?\s*>", re.S | re.I)
_ROOT = re.compile(r"\s*<([A-Za-z_][\w.:-]*)")
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.S | re.I)

FEED_ROOTS = frozenset({"rss", "rdf", "feed", "channel"})
SITEMAP_ROOTS = frozenset({"urlset", "sitemapindex"})
_HTML_TAGS = frozenset(
    (  # noqa: SIM905
        "html head body title meta link script style div p span a table form h1 h2 h3 header nav main article "
        "section footer ul ol li br img iframe noscript center font b i pre"
    ).split()
)


def gunzip(body: bytes, max_size: int = MAX_DOCUMENT_SIZE) -> bytes:
    """Decompress gzip data (all members), refusing to produce more than ``max_size`` bytes.

    A truncated stream yields what could be decompressed; more than ``max_size`` bytes (a gzip
    bomb) or data that is not gzip at all is a :class:`DiscoveryError`.
    """
    out = bytearray()
    data = body
    while data:
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            # One byte over the cap is enough to know the cap is exceeded, without inflating the bomb.
            out += decompressor.decompress(data, max_size - len(out) + 1)
        except zlib.error as error:
            if out:  # trailing garbage after a complete member
                break
            raise DiscoveryError(f"corrupt gzip data: {error}") from None
        if len(out) > max_size:
            raise DiscoveryError(f"gzip data decompresses to more than {max_size} bytes (a gzip bomb?)")
        if not decompressor.eof:  # truncated download: keep what was read
            break
        data = decompressor.unused_data
        if not data.startswith(GZIP_MAGIC):
            break
    return bytes(out)


def strip_leading_junk(body: bytes) -> bytes:
    """The document from its XML declaration on, when something was printed before it.

    WordPress plugins that emit a PHP warning (``<br /><b>Warning</b>: …``) before the feed make
    the body look like HTML; the feed after it is intact.
    """
    start = body.find(b"<?xml", 0, 4096)
    return body[start:] if start > 0 and body[:start].strip() else body


def peek(body: bytes, size: int = _SNIFF_BYTES) -> bytes:
    """The first ``size`` bytes of the document, decompressed first when it is gzip."""
    if body.startswith(GZIP_MAGIC):
        try:
            return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body, size)
        except zlib.error:
            return b""
    return body[:size]


def _head_text(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore")
    return head.decode("latin-1").lstrip("\xef\xbb\xbf")  # a UTF-8 BOM read as Latin-1


def root_name(body: bytes) -> str:
    """The name of the first element (``rss``, ``rdf:RDF``, ``html`` …), or "" when there is none."""
    text = _head_text(strip_leading_junk(peek(body)))
    position = 0
    while True:
        match = _PROLOGUE.match(text, position) or _DOCTYPE.match(text, position)
        if not match:
            break
        if match.re is _DOCTYPE and match.group(1).lower() == "html":
            return "html"
        position = match.end()
    match = _ROOT.match(text, position)
    return match.group(1) if match else ""


def sniff(body: bytes, url: str = "", content_type: str = "") -> str:
    """``"feed"``, ``"sitemap"``, ``"html"``, ``"json"`` or ``"other"``, from the body first.

    Looks through gzip, an XML prologue and a doctype to the root element; ``content_type`` (and
    the URL's extension) only decide when the body says nothing clear (empty, plain text, an
    unknown XML root).
    """
    text = _head_text(strip_leading_junk(peek(body))).lstrip()
    if text[:1] in ("{", "["):
        return "json"
    if text.startswith("<"):
        name = root_name(body)
        local = name.rpartition(":")[2].lower()
        if local in FEED_ROOTS:
            return "feed"
        if local in SITEMAP_ROOTS:
            return "sitemap"
        if local in _HTML_TAGS:
            return "html"
    return _kind_from_label(content_type, url)


def _kind_from_label(content_type: str, url: str) -> str:
    label = content_type.lower()
    path = url.split("?", 1)[0].lower()
    if "html" in label:
        return "html"
    if "json" in label:
        return "json"
    if any(kind in label for kind in ("rss", "atom", "rdf")):
        return "feed"
    if "sitemap" in path and path.endswith((".xml", ".xml.gz")):
        return "sitemap"
    return "other"


def describe(body: bytes) -> str:
    """A short human description of a document, for error messages ("an HTML page (<title>…</title>)")."""
    head = peek(body, 65536)
    if not head.strip():
        return "an empty document"
    kind = sniff(body)
    name = root_name(body)
    if kind == "html":
        match = _TITLE.search(head)
        if match:
            title = " ".join(html.unescape(match.group(1).decode("utf-8", errors="replace")).split())
            title = title if len(title) <= 80 else title[:79] + "…"
            return f"an HTML page (<title>{title}</title>)"
        return "an HTML page (no <title>)"
    if kind == "json":
        return "a JSON document"
    if kind in ("feed", "sitemap"):
        return f"a {kind} (<{name}>)"
    if name:
        return f"an XML document with root <{name}>"
    if b"\x00" in head[:512]:
        return f"{len(body)} bytes of binary data"
    snippet = " ".join(head[:60].decode("utf-8", errors="replace").split())
    return f"{len(body)} bytes of text starting {snippet!r}"
