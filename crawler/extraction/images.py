"""The article's pictures, lead image first.

Candidates are compared as pictures, not as URLs. One picture is offered at several sizes: an ``<img>``'s
``srcset`` and lazy-load attributes, its ``<picture>``'s sources, the ``og:image`` and JSON-LD copies. Two
URLs are the same picture when their file names match once size tokens (``-300x200``, ``-800w``,
``_w640``, ``w_1600``, ``=s750``, ``?w=640``) are removed, or name the same image ID
(:func:`_picture_key`).

The lead is, in this order:

1. the story's lead figure: the first picture in the story element (the page's layout view) that is
   not in a block other than the story (:data:`~crawler.extraction.layout.IMAGES_SKIP`: other stories,
   teasers, promos, author boxes ...) and not a thumbnail. A picture in a block named "teaser" is the
   story's own lead only when it is the picture the page declares (``og:image``, JSON-LD ``image``):
   the word names the story's own lead block as often as another story's teaser;
2. else the figure of the declared picture in the article header (the headline's block, up to
   :data:`_HEADER_LEVELS` up: a header outside the ``<article>`` element, a page without a story
   element), outside those blocks;
3. else the declared pictures (``og:image``, secure URL preferred; JSON-LD ``image``; ``twitter:image``;
   microdata), then ``<link rel=image_src>``, then the discovery hint.

Of the lead picture the largest rendition the page offers is taken (https first; by declared width,
else the width its URL names): when a figure leads, among its own renditions (what the page shows: the
og:image copy is often a social crop, re-encoded, with the site's logo laid over it); else among the
declared copies of the picture. URLs are never rewritten to another size.

A picture narrower than :data:`THUMBNAIL_WIDTH` is a thumbnail, never the lead while the page offers a
larger candidate. URLs are resolved against ``<base href>``; data URIs, SVGs, logos, icons, sprites,
tracking pixels and configured placeholders are rejected.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, urlsplit

from lxml import etree
from lxml.html import HtmlElement

from crawler.extraction.context import Hints, SiteRules
from crawler.extraction.layout import IMAGES_SKIP, PEOPLE_PATH, Block
from crawler.extraction.page import Page
from crawler.extraction.urls import clean_url
from crawler.record import Image

__all__ = ["MAX_IMAGES", "THUMBNAIL_WIDTH", "article_images", "is_rejected_image"]

MAX_IMAGES = 5
# Narrower than this (declared, or named in the URL) a picture is a thumbnail: teaser lists, "more
# stories" boxes and avatars show pictures at 50-150 px; pages offer their lead picture at 500 px and more.
THUMBNAIL_WIDTH = 200
# An in-story picture displayed smaller than this (width/height attributes, srcset) is an inline picture.
_MIN_LEAD_WIDTH, _MIN_LEAD_HEIGHT = 300, 150
_MAX_FIGURES = 8  # story pictures looked at: the lead is among the first
# Levels above the headline that still are the article's header: a lead figure outside the story element
# sits in the headline's block or next to it (pages checked: 1-2 levels, some 3).
_HEADER_LEVELS = 3

# File-name words of pictures that are not article images; and folders that only hold such pictures.
_NOT_LEAD = re.compile(
    r"(?:^|[_.\-\d])(?:logo|logos|favicon|icon|icons|sprite|sprites|placeholder|blank|spacer|pixel|transparent|"
    r"default[-_]?(?:image|img|og|share|thumb|thumbnail|avatar|picture|photo)|fallback|avatar|gravatar|badge|"
    r"loading|loader|dummy|no[-_]?image|noimage|1x1|tracking|beacon|apple-touch-icon)(?:$|[_.\-\d])",
    re.IGNORECASE,
)
_NOT_LEAD_FOLDER = re.compile(r"/(?:logos?|icons?|sprites?|avatars?|emoji|emojis|badges?|flags)/", re.IGNORECASE)
_NOT_LEAD_HOSTS = re.compile(r"(?:^|\.)(?:gravatar\.com|facebook\.com|doubleclick\.net|google-analytics\.com)$")
_SRCSET_URL = re.compile(r"[\s,]*(\S+)")
_SRCSET_DESCRIPTOR = re.compile(r"[^,]*")
_DESCRIPTOR = re.compile(r"^(\d+(?:\.\d+)?)([wx])$")
_LAZY_ATTRIBUTES = ("data-src", "data-lazy-src", "data-original", "data-url", "data-hi-res-src", "src")
_SRCSET_ATTRIBUTES = ("data-srcset", "data-lazy-srcset", "srcset")
# The imgs with one of 1-4 words in an attribute.
_IMGS_WITH = [
    etree.XPath(".//img[@*[" + " or ".join(f"contains(., $w{i})" for i in range(count)) + "]]") for count in range(1, 5)
]
_DIMENSION = re.compile(r"^\s*(\d{1,5})(?:\.\d+)?\s*(?:px)?\s*$")

# Size tokens of image URLs (resizers, CDNs, WordPress): "1200x675", "640x", "800w", "w_1600", "_w250",
# "w=640", "width=640", "=s750", "/s1600/", "resize=300,200", "rs:fill:615:0"; heights ("h_556",
# "height=450") only to take them out of a name. Read on the lower-cased, unquoted URL.
_SIZE = re.compile(
    r"(?<![a-z0-9])(?:(?P<wxh>\d{2,4})x\d{0,4}|(?P<descriptor>\d{2,4})w"
    r"|(?:w|width|imwidth|s)[_=:-]?(?P<width>\d{2,4})|(?:fill|fit|resize)[:=_-]+(?P<fit>\d{2,4})[:x,_-]\d{1,4}"
    r"|(?:h|height)[_=:-]?\d{2,4})(?![a-z0-9])"
)
_ASPECT_MAX = 32  # "16x9", "21x9": ratios, not pixels
_THUMB_WORD = re.compile(r"(?<![a-z0-9])thumb(?:nail)?s?(?![a-z0-9])")  # a "/thumbnails/" folder, "-thumb.jpg"
_THUMB_WORD_WIDTH = 150  # the size a thumbnail named so, without a number, is taken to be
# Picture identity: a file name without extension, size tokens and resizer options ("=s750").
_EXTENSION = re.compile(r"\.(?:jpe?g|png|webp|avif|gif|jfif|bmp|tiff?|heic)$")
_ALNUM = re.compile(r"[a-z0-9]+")
_DATE_ID = re.compile(r"(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:[0-2]\d|3[01])")  # "20240503" names a day, not a picture
# Folder and file names that name no picture (a file called "original.jpg" in the picture's folder).
_GENERIC_SEGMENTS = frozenset(
    "images photos picture pictures original medium thumbnail thumbnails master default"  # noqa: SIM905
    " upload uploads public resize resized resizer cropped content wp-content assets static storage styles"
    " social".split()
)


def _int(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, str) and value.isdigit():
        return int(value)
    if isinstance(value, dict):
        value = value.get("value")
    if isinstance(value, int | float):
        return int(value) if value > 0 else 0
    if isinstance(value, str):
        match = _DIMENSION.match(value)
        return int(match.group(1)) if match else 0
    return 0


def _rejected_path(path: str, size: int = 0) -> bool:
    """Whether a lower-cased URL path (query and fragment off) names no article picture."""
    if path.endswith((".svg", ".svgz", ".ico")):
        return True
    if path.endswith(".gif") and size < _MIN_LEAD_WIDTH:
        # GIFs on news pages are spacers, trackers and ad banners far more often than lead images; one a
        # srcset offers large is a picture (an animated lead). Width attributes and URLs do not say it.
        return True
    name = path.rstrip("/").rsplit("/", 1)[-1]
    return bool(_NOT_LEAD.search(name) or _NOT_LEAD_FOLDER.search(path))


def is_rejected_image(url: str, placeholders: tuple[str, ...] = (), size: int = 0) -> bool:
    """Whether ``url`` cannot be an article picture (data URI, SVG, logo, icon, pixel, placeholder).
    ``size`` is the width a srcset lists it at, if it does (a GIF offered in sizes is a picture)."""
    if not url or not url.startswith(("http://", "https://")):
        return True
    host, _, path = url.partition("://")[2].partition("/")
    if _rejected_path("/" + path.partition("?")[0].partition("#")[0].lower(), size):
        return True
    if _NOT_LEAD_HOSTS.search(host.rpartition("@")[2].partition(":")[0].lower()):
        return True
    return any(p and p in url for p in placeholders)


@lru_cache(maxsize=4096)
def _url_width(url: str) -> int:
    """The width an image URL names (0: none): its resizer's last size, the query's before the path's."""
    url = unquote(url).lower() if "%" in url else url.lower()
    path, _, query = url.partition("#")[0].partition("?")
    if "://" in path:
        path = path.split("/", 3)[3] if path.count("/") >= 3 else ""  # not the host
    text = f"{path}?{query}"
    # The size in the last segment that has one (the query counts as the last), the last in it.
    width, where, query_at = 0, -1, len(path)
    for match in _SIZE.finditer(text):
        value = int(next((v for v in match.groups() if v), 0))
        if value and (match.group("wxh") is None or value > _ASPECT_MAX):
            start = match.start()
            segment = len(text) if start > query_at else text.count("/", 0, start)
            if segment >= where:
                width, where = value, segment
    if width:
        return width
    return _THUMB_WORD_WIDTH if _THUMB_WORD.search(path) else 0


def _is_id(token: str) -> bool:
    return len(token) >= 5 and sum(map(str.isdigit, token)) >= 5 and not _DATE_ID.fullmatch(token)


@lru_cache(maxsize=4096)
def _picture_key(url: str) -> tuple[str, frozenset[str], frozenset[str]]:
    """What names the picture in ``url``: its file name without extension and size tokens (else the
    nearest distinctive folder: ``/image/<hash>/4032/jpeg``), and the image IDs in it ("1065948",
    "83e0240d") and words. ("", ∅, ∅) when nothing does."""
    path = unquote(urlsplit(url).path).lower()
    for segment in reversed(path.split("/")):
        if not segment or "," in segment or ":" in segment:
            continue  # empty, or a resizer's options ("w_1600,c_limit", "rs:fill:615:0")
        stem = _SIZE.sub("", _EXTENSION.sub("", segment.split("=", 1)[0])).strip("-_.@ ")
        if len(stem) >= 6 and stem not in _GENERIC_SEGMENTS:
            words = frozenset(_ALNUM.findall(stem))
            return stem, frozenset(t for t in words if _is_id(t)), words
    return "", frozenset(), frozenset()


def _address(url: str) -> str:
    """Host and path of a clean URL (no scheme, query, fragment)."""
    return url.partition("://")[2].partition("?")[0].partition("#")[0]


def _same_path(a: str, b: str) -> bool:
    return _address(a) == _address(b)


def _same_stem(a: str, b: str) -> bool:
    """Whether two URLs name one picture file, by name (``a-800w.jpg``, ``a-1200x675.webp``)."""
    if _same_path(a, b):
        return True
    stem = _picture_key(a)[0]
    return bool(stem) and stem == _picture_key(b)[0]


def _same_picture(a: str, b: str) -> bool:
    """Whether two URLs are one picture (at two sizes, in two formats, through two resizers)."""
    if _same_path(a, b):
        return True
    (stem_a, ids_a, words_a), (stem_b, ids_b, words_b) = _picture_key(a), _picture_key(b)
    if not stem_a or not stem_b:
        return False
    if stem_a == stem_b:
        return True
    # "<id>_<slug>_detail_<hash>" and "<id>_<slug>_metadaten_<hash>": one picture in two image styles;
    # "<id>_4.jpg" and "<id>_5.jpg" are two pictures of one article.
    if not ids_a or ids_a != ids_b:
        return False
    return 2 * len(words_a & words_b) >= len(words_a | words_b)


@dataclass(slots=True)
class _Rendition:
    """One URL of a picture: the size the page declares for it (0: not declared) and the width its
    srcset descriptor or its URL names (``named``)."""

    url: str
    width: int = 0
    height: int = 0
    density: float = 1.0  # a srcset "2x"
    listed: bool = False  # a srcset width entry
    _named: int = -1  # read from the URL when first asked

    @property
    def named(self) -> int:
        if self._named < 0:
            self._named = self.width if self.listed else _url_width(self.url)
        return self._named

    @property
    def size(self) -> int:
        # width/height attributes give the displayed size, whichever file is shown: the URL's own size
        # says more of the file ("?w=40" in src is a lazy loader's preview of a 3000 px picture).
        return self.named or self.width


@dataclass(slots=True)
class _Picture:
    """One picture as one element or metadata entry offers it, at its largest rendition."""

    url: str
    width: int = 0  # declared (reported in the record)
    height: int = 0
    size: int = 0  # what sizes are compared by: declared or named in the URL
    listed: int = 0  # the width a srcset lists it at
    guarded: bool = False  # a figure that is the story's only if it is the declared picture
    shared: bool = False  # og:image / JSON-LD image: made for sharing, so large when no size is declared

    @property
    def thumbnail(self) -> bool:
        return 0 < self.size < THUMBNAIL_WIDTH

    @property
    def large(self) -> bool:
        return self.size >= THUMBNAIL_WIDTH or (self.shared and not self.size)

    def beats(self, other: _Picture) -> bool:
        """Whether this is the better rendition of one picture: https first (the record's URLs are
        https), then the larger."""
        return (not self.url.startswith("http://"), self.size) > (not other.url.startswith("http://"), other.size)


def _metadata_picture(url: str, width: int = 0, height: int = 0, shared: bool = False) -> _Picture:
    return _Picture(url, width, height, width or _url_width(url), shared=shared)


def _srcset_entries(srcset: str) -> list[tuple[str, str]]:
    """(url, descriptor) pairs per the HTML spec: a URL is a run of non-space; a trailing comma ends it
    and its entry ("a.jpg, b.jpg 2x" is two entries)."""
    entries = []
    position = 0
    while match := _SRCSET_URL.match(srcset, position):
        url = match.group(1)
        position = match.end()
        if url.endswith(","):
            entries.append((url.rstrip(","), ""))
            continue
        descriptor = _SRCSET_DESCRIPTOR.match(srcset, position)
        position = descriptor.end()
        entries.append((url, descriptor.group(0).strip()))
    return entries


def _renditions(element: HtmlElement, found: list[_Rendition]) -> bool:
    """Add an ``<img>``/``<source>``'s renditions to ``found``: its srcset entries, else its lazy-load
    attributes (``src`` only without them: it holds the loader's placeholder). False for a pixel."""
    get = element.get
    width, height = _int(get("width")), _int(get("height"))
    if (width == 1 or height == 1) and (width <= 1 and height <= 1):
        return False
    count = len(found)
    for attribute in _SRCSET_ATTRIBUTES:
        srcset = get(attribute)
        if not srcset:
            continue
        for url, descriptor in _srcset_entries(srcset):
            if url and not url.startswith("data:"):
                match = _DESCRIPTOR.match(descriptor)
                if match and match.group(2) == "w":
                    value = int(float(match.group(1)))
                    found.append(_Rendition(url, value, listed=True))
                else:
                    found.append(_Rendition(url, density=float(match.group(1)) if match else 1.0))
    if len(found) > count:
        return True  # a srcset lists the renditions; src is its fallback
    for attribute in _LAZY_ATTRIBUTES:
        url = (get(attribute) or "").strip()
        if url and not url.startswith("data:"):
            if attribute == "src" and len(found) > count:
                break
            found.append(_Rendition(url, width, height))
    return True


def _largest(renditions: list[_Rendition]) -> _Rendition | None:
    """The largest rendition that can be a picture. One of unknown size ranks as a thumbnail-sized one;
    then densities; then the page's order (srcset entries, lazy-load attributes, ``src``)."""
    if len(renditions) > 1:
        renditions = sorted(
            renditions,
            key=lambda r: (not r.url.startswith("http://"), r.size or THUMBNAIL_WIDTH, r.density),
            reverse=True,  # a stable sort: the page's order among equals
        )
    for rendition in renditions:
        path = rendition.url.partition("?")[0].partition("#")[0].lower()
        if not _rejected_path(path, rendition.width if rendition.listed else 0):
            return rendition  # not the lazy loader's spinner, a placeholder, a GIF not offered in sizes
    return None


def _largest_of(img: HtmlElement) -> _Rendition | None:
    """An ``<img>``'s largest rendition: of its own and of its ``<picture>``'s sources."""
    found: list[_Rendition] = []
    if not _renditions(img, found):
        return None
    # libxml2 does not know <source> is void, so an img may sit inside the sources: look up through them.
    picture = img.getparent()
    while picture is not None and picture.tag in ("source", "noscript"):
        picture = picture.getparent()
    if picture is not None and picture.tag == "picture":
        for source in picture.iter("source"):
            if "avif" not in (source.get("type") or ""):  # the least widely readable format
                _renditions(source, found)
    return _largest(found)


def _figure(img: HtmlElement, best: _Rendition, page: Page, kinds: int) -> _Picture:
    """An ``<img>`` as a picture, at its largest rendition ``best``."""
    width, height = best.width, best.height
    declared_w, declared_h = _int(img.get("width")), _int(img.get("height"))
    if width and not height and declared_w > 1 and declared_h > 1:
        height = round(width * declared_h / declared_w)  # a srcset width at the aspect the img declares
    picture = _Picture(clean_url(best.url, page.base_url), width, height, best.size)
    picture.listed = best.width if best.listed else 0
    # The story's own only when it is the declared picture: a "teaser" block (the word names the story's
    # lead block as often as another story's teaser); share and button blocks (they hold real pictures,
    # "img-share", and icons: one without a size is taken for an icon).
    picture.guarded = bool(kinds & Block.TEASER) or bool(
        kinds & (Block.SHARING | Block.CONTROLS) and picture.size < THUMBNAIL_WIDTH
    )
    return picture


def _story_figures(page: Page) -> list[_Picture]:
    """Pictures in the story element, in order, without inline pictures, avatars and other blocks'."""
    scope = page.layout.story
    if scope is None:
        return []
    found = []
    for img in scope.iter("img"):
        kinds = page.layout.kind(img)  # before the renditions: it costs less, and rules out as many
        if kinds & IMAGES_SKIP & ~Block.TEASER:
            continue  # author photos, logos, icons, other stories, asides, promos
        best = _largest_of(img)
        if best is None or 0 < best.width < _MIN_LEAD_WIDTH or 0 < best.height < _MIN_LEAD_HEIGHT:
            continue
        picture = _figure(img, best, page, kinds)
        if PEOPLE_PATH.search(picture.url.partition("?")[0]):
            continue  # a portrait from a people page
        found.append(picture)
        if len(found) >= _MAX_FIGURES:
            break
    return found


def _article_header(page: Page) -> HtmlElement | None:
    """The block around the headline, where a lead figure outside the story element sits: the headline's
    ancestor :data:`_HEADER_LEVELS` up, below ``<body>``; None when that is inside the story element (its
    pictures were looked at)."""
    header = page.layout.headline
    if header is None:
        return None
    for level, ancestor in enumerate(header.iterancestors()):
        if level == _HEADER_LEVELS or ancestor.tag in ("body", "html"):
            break
        header = ancestor
    story = page.layout.story
    if story is not None and (header is story or any(a is story for a in header.iterancestors())):
        return None
    return header


def _shown_declared(page: Page, declared: list[_Picture]) -> _Picture | None:
    """The largest ``<img>`` in the article header, outside other blocks, that shows the first declared
    picture the header shows."""
    header = _article_header(page)
    if header is None:
        return None
    # One pass for the imgs holding a declared picture's longest word (an ID if it has one) in an
    # attribute, then the real test.
    words: dict[str, int] = {}
    for index, target in enumerate(declared):
        runs = [run for run in _picture_key(target.url)[2] if len(run) >= 4]
        if runs and len(words) < len(_IMGS_WITH):
            word = max(runs, key=lambda run: (any(c.isdigit() for c in run), len(run)))
            at = target.url.lower().find(word)
            words.setdefault(target.url[at : at + len(word)] if at >= 0 else word, index)  # as the page spells it
    if not words:
        return None
    best: _Picture | None = None
    best_index = len(declared)
    query = _IMGS_WITH[len(words) - 1]
    for img in query(header, **{f"w{i}": word for i, word in enumerate(words)}):
        attributes = " ".join(img.attrib.values())
        hits = sorted(index for word, index in words.items() if index <= best_index and word in attributes)
        largest = _largest_of(img) if hits else None
        if largest is None:
            continue
        kinds = page.layout.kind(img)
        if kinds & IMAGES_SKIP & ~Block.TEASER:
            continue
        picture = _figure(img, largest, page, kinds)
        index = next((i for i in hits if _same_picture(picture.url, declared[i].url)), None)
        if index is not None and (index < best_index or best is None or picture.beats(best)):
            best, best_index = picture, index
    return best


def _ld_images(value: Any, base: str) -> list[_Picture]:
    found = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str) and item.strip():
            found.append(_metadata_picture(clean_url(item, base)))
        elif isinstance(item, dict):
            # Never the @id: it names the node (often "<page>#primaryimage"), it is not the picture.
            url = item.get("url") or item.get("contentUrl")
            if isinstance(url, list):
                url = url[0] if url else None
            if isinstance(url, str) and url.strip():
                width, height = _int(item.get("width")), _int(item.get("height"))
                found.append(_metadata_picture(clean_url(url, base), width, height))
    return found


def _declared_pictures(page: Page) -> list[_Picture]:
    """The pictures the page's metadata names: og:image, JSON-LD, twitter:image, microdata."""
    base = page.base_url
    found: list[_Picture] = []
    metas = page.metas
    widths = metas.get("og:image:width", [])
    heights = metas.get("og:image:height", [])
    og = metas.get("og:image:secure_url", []) or metas.get("og:image:url", []) or metas.get("og:image", [])
    for index, url in enumerate(og):
        if url.strip():
            width = _int(widths[index]) if index < len(widths) else 0
            height = _int(heights[index]) if index < len(heights) else 0
            found.append(_metadata_picture(clean_url(url, base), width, height, shared=True))
    for obj in page.ld_articles:
        for picture in _ld_images(page.ld_resolve(obj.get("image")), base):
            picture.shared = True
            found.append(picture)
        found.extend(_ld_images(page.ld_resolve(obj.get("thumbnailUrl")), base))
    for key in ("twitter:image", "twitter:image:src", "image", "thumbnail", "thumbnailurl"):
        for url in metas.get(key, []):
            if url.strip():
                found.append(_metadata_picture(clean_url(url, base)))
    # Pages name one picture in several places: once each, with the size any of them declares.
    distinct: dict[str, _Picture] = {}
    for picture in found:
        known = distinct.setdefault(picture.url, picture)
        if known is not picture:
            known.shared |= picture.shared
            if not known.width and picture.width:
                known.width, known.height, known.size = picture.width, picture.height, picture.size
    return list(distinct.values())


def _best_variant(
    lead: _Picture, variants: list[_Picture], same: Callable[[str, str], bool] = _same_picture
) -> _Picture:
    """The best of ``lead`` and the ``variants`` that are ``same`` picture as it (:meth:`_Picture.beats`)."""
    best = lead
    for other in variants:
        if other is lead or not other.beats(best) or not same(other.url, lead.url):
            continue
        if best.width and not other.width and _same_path(other.url, best.url):
            continue  # a file's declared size beats a size asked of its resizer ("?w=640" of a 540 px file)
        best = other
    return best


def article_images(page: Page, rules: SiteRules | None = None, hints: Hints | None = None) -> list[Image]:
    """Distinct article pictures, lead image first (at most :data:`MAX_IMAGES`)."""
    placeholders = rules.placeholder_images if rules else ()

    def usable(picture: _Picture) -> bool:
        return not is_rejected_image(picture.url, placeholders, picture.listed)

    declared = [p for p in _declared_pictures(page) if usable(p)]
    figures = [
        f
        for f in _story_figures(page)
        if usable(f) and (not f.guarded or any(_same_picture(f.url, d.url) for d in declared))
    ]
    others = []
    link = page.link("image_src")
    if link:
        others.append(_metadata_picture(clean_url(link, page.base_url)))
    if hints and hints.image_url:
        others.append(_metadata_picture(clean_url(hints.image_url, page.url), hints.image_width, hints.image_height))
    others = [p for p in others if usable(p)]

    if any(p.large for p in (*figures, *declared, *others)):
        # A thumbnail never leads while a larger candidate exists: the lead's own 150 px crop gives way
        # to a larger copy of it, another story's thumbnail to the next candidate.
        figures = [_best_variant(f, declared) if f.thumbnail else f for f in figures]
        figures = [p for p in figures if not p.thumbnail]
        declared = [p for p in declared if not p.thumbnail]
        others = [p for p in others if not p.thumbnail]
    if not figures and declared:
        shown = _shown_declared(page, declared)
        if shown is not None and not (shown.thumbnail and any(d.large for d in declared)):
            figures = [shown]
    if figures:
        # The article's own first picture is its cover as displayed; og:image is often a social crop of
        # it (with the site's logo laid over it), or another picture. Its renditions are the figure's
        # (what the page shows) and another display of it in the story.
        candidates = [_best_variant(figures[0], figures, _same_stem), *declared, *figures[1:], *others]
    elif declared:
        candidates = [_best_variant(declared[0], declared), *declared, *others]  # og:image at 600, JSON-LD at 1200
    else:
        candidates = others

    images: list[Image] = []
    for candidate in candidates:
        duplicate = next((i for i in images if _same_picture(i.url, candidate.url)), None)
        if duplicate is None:
            images.append(Image(candidate.url, candidate.width, candidate.height))
            if len(images) >= MAX_IMAGES:
                break
        elif _same_path(duplicate.url, candidate.url):
            # The same file again: keep its https form, and its size if we had none.
            if duplicate.url.startswith("http://") and candidate.url.startswith("https://"):
                duplicate.url = "https://" + duplicate.url.removeprefix("http://")
            if not duplicate.width and candidate.width and _url_width(duplicate.url) == _url_width(candidate.url):
                duplicate.width, duplicate.height = candidate.width, candidate.height or duplicate.height
    return images
