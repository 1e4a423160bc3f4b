"""Parsing feeds and sitemaps as XML, strictly when they are well formed and leniently when not.

Real feeds carry HTML entities XML does not know (``&rsquo;``), bare ampersands, a stray
byte in the wrong encoding, junk before the declaration, or stop half-way (a truncated
download). The strict parser is fast and exact; only when it fails is the document repaired
and parsed again with ``recover=True``, and entries that were cut off are left out.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.entities import html5

from lxml import etree

from crawler.discovery.base import DiscoveryError
from crawler.discovery.sniff import describe

# resolve_entities/no_network: never fetch or expand external entities (XXE). The default
# (not huge_tree) keeps libxml2's limits against entity-expansion bombs.
_STRICT = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True, remove_pis=True)
_LENIENT = etree.XMLParser(
    recover=True, encoding="utf-8", resolve_entities=False, no_network=True, remove_comments=True, remove_pis=True
)

_DECLARED_ENCODING = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# CDATA is left alone; "&name;" is kept, rewritten or escaped; a lone "&" is escaped.
_AMPERSANDS = re.compile(r"<!\[CDATA\[.*?\]\]>|&(#\d+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)?", re.S)
_XML_ENTITIES = frozenset({"amp;", "lt;", "gt;", "quot;", "apos;"})
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(slots=True)
class XmlDocument:
    """A parsed document; ``repaired`` is the text the lenient parser read (None if strict parsing worked)."""

    root: etree._Element
    repaired: str | None = None

    @property
    def truncated(self) -> bool:
        """Whether the document stops before its root element's closing tag (a cut-off download)."""
        if self.repaired is None:
            return False
        root_local = local_name(self.root)
        return not re.search(rf"</(?:[\w.-]+:)?{re.escape(root_local)}\s*>", self.repaired)

    def complete_entries(self, entries: list[etree._Element], entry_name: str) -> list[etree._Element]:
        """``entries`` without those a truncated document cut off before their closing tag."""
        if not self.truncated:
            return entries  # well formed, or recovery only fixed its insides
        closed = len(re.findall(rf"</(?:[\w.-]+:)?{re.escape(entry_name)}\s*>", self.repaired))
        return entries[:closed]


def parse_xml(body: bytes, url: str = "", *, expected: str) -> XmlDocument:
    """Parse ``body`` as XML (strictly, else repaired and recovered); DiscoveryError if nothing is left.

    ``expected`` names what the caller wanted ("a feed"), for the error message.
    """
    try:
        return XmlDocument(etree.fromstring(body, _STRICT, base_url=url or None))
    except etree.XMLSyntaxError:
        pass
    except ValueError as error:  # e.g. an unsupported encoding declaration
        if "encoding" not in str(error):
            raise DiscoveryError(f"expected {expected}, cannot parse it: {error}") from None
    repaired = repair(body)
    try:
        root = etree.fromstring(repaired.encode("utf-8"), _LENIENT, base_url=url or None)
    except etree.XMLSyntaxError:
        root = None
    if root is None:
        raise DiscoveryError(f"expected {expected}, got {describe(body)} that cannot be parsed as XML")
    return XmlDocument(root, repaired)


def repair(body: bytes) -> str:
    """The document as text that XML can read: decoded, junk before the root cut, entities fixed."""
    match = _DECLARED_ENCODING.match(body)
    encoding = match.group(1).decode("ascii") if match else "utf-8"
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    try:
        codecs.lookup(encoding)
    except LookupError:
        encoding = "utf-8"
    # A stray byte in the wrong encoding becomes U+FFFD instead of stopping the parser there.
    text = body.decode(encoding, errors="replace").lstrip("\ufeff")
    start = text.find("<?xml")
    if 0 < start < 4096:  # junk (a PHP warning, blank lines) before the declaration
        text = text[start:]
    text = _XML_DECLARATION.sub("", text, count=1).lstrip()
    text = _CONTROL_CHARS.sub("", text)
    return _AMPERSANDS.sub(_fix_ampersand, text)


def _fix_ampersand(match: re.Match[str]) -> str:
    whole, reference = match.group(0), match.group(1)
    if whole.startswith("<![CDATA["):
        return whole
    if reference is None:
        return "&amp;"
    if reference.startswith("#") or reference in _XML_ENTITIES:
        return whole
    if reference in html5:  # an HTML entity XML does not declare: write the character out
        return "".join(f"&#{ord(char)};" for char in html5[reference])
    return "&amp;" + reference


def local_name(element: etree._Element) -> str:
    """The tag without its namespace ("{http://…}item" → "item"); "" for comments and PIs."""
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def children(element: etree._Element) -> Iterator[tuple[str, str, etree._Element]]:
    """``(namespace, local name, child)`` for each child element."""
    for child in element:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        if tag.startswith("{"):
            ns, _, local = tag[1:].partition("}")
            yield ns, local, child
        else:
            yield "", tag, child


def text_of(element: etree._Element) -> str:
    """All text inside the element (CDATA included), stripped."""
    return "".join(element.itertext()).strip()
