"""The article's pictures, lead image first.

Candidates: ``og:image`` (secure URL preferred), JSON-LD ``image``,
``twitter:image``, microdata ``image``, the first article figure/img (largest
``srcset`` entry), ``<link rel=image_src>``; the discovery hint when the page
offers nothing better. URLs are resolved against ``<base href>``; data URIs,
SVGs, logos, icons, sprites, tracking pixels and configured placeholders are
rejected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from crawler.extraction.context import Hints, SiteRules
from crawler.extraction.layout import IMAGES_SKIP, PEOPLE_PATH
from crawler.extraction.page import Page
from crawler.extraction.urls import clean_url
from crawler.record import Image

__all__ = ["MAX_IMAGES", "article_images", "is_rejected_image"]

MAX_IMAGES = 5
# File-name words of pictures that are not article images; and folders that only hold such pictures.
_NOT_LEAD = re.compile(
    r"(?:^|[_.\-\d])(?:logo|logos|favicon|icon|icons|sprite|sprites|placeholder|blank|spacer|pixel|transparent|"
    r"default[-_]?(?:image|img|og|share|thumb|thumbnail|avatar|picture|photo)|fallback|avatar|gravatar|badge|"
    r"loading|loader|dummy|no[-_]?image|noimage|1x1|tracking|beacon|apple-touch-icon)(?:$|[_.\-\d])",
    re.IGNORECASE,
)
_NOT_LEAD_FOLDER = re.compile(r"/(?:logos?|icons?|sprites?|avatars?|emoji|emojis|badges?|flags)/", re.IGNORECASE)
_NOT_LEAD_HOSTS = re.compile(r"(?:^|\.)(?:gravatar\.com|facebook\.com|doubleclick\.net|google-analytics\.com)$")
_SRCSET_ENTRY = re.compile(r"[\s,]*(\S+)([^,]*)")
_DESCRIPTOR = re.compile(r"^(\d+(?:\.\d+)?)([wx])$")
_LAZY_ATTRIBUTES = ("data-src", "data-lazy-src", "data-original", "data-url", "data-hi-res-src", "src")
_SRCSET_ATTRIBUTES = ("data-srcset", "data-lazy-srcset", "srcset")
_DIMENSION = re.compile(r"^\s*(\d{1,5})(?:\.\d+)?\s*(?:px)?\s*$")


@dataclass(slots=True)
class _Candidate:
    url: str
    width: int = 0
    height: int = 0


def _int(value: Any) -> int:
    if isinstance(value, dict):
        value = value.get("value")
    if isinstance(value, int | float):
        return int(value) if value > 0 else 0
    if isinstance(value, str):
        match = _DIMENSION.match(value)
        return int(match.group(1)) if match else 0
    return 0


def is_rejected_image(url: str, placeholders: tuple[str, ...] = ()) -> bool:
    """Whether ``url`` cannot be an article picture (data URI, SVG, logo, icon, pixel, placeholder)."""
    if not url or not url.startswith(("http://", "https://")):
        return True
    parts = urlsplit(url)
    path = parts.path.lower()
    if path.endswith((".svg", ".svgz", ".ico", ".gif")) and not path.endswith("-gif"):
        # GIFs on news pages are spacers and trackers far more often than lead images.
        return True
    name = path.rstrip("/").rsplit("/", 1)[-1]
    if _NOT_LEAD.search(name) or _NOT_LEAD_FOLDER.search(path) or _NOT_LEAD_HOSTS.search(parts.hostname or ""):
        return True
    return any(p and p in url for p in placeholders)


def _srcset_entries(srcset: str) -> list[tuple[str, str]]:
    """(url, descriptor) pairs per the HTML spec: a URL is a run of non-space; a trailing comma ends it."""
    entries = []
    for match in _SRCSET_ENTRY.finditer(srcset):
        url, descriptor = match.group(1), (match.group(2) or "").strip()
        if url.endswith(","):
            url, descriptor = url.rstrip(","), ""
        entries.append((url, descriptor))
    return entries


def _srcset_largest(srcset: str) -> tuple[str, int]:
    """The largest entry of a ``srcset`` and its width (0 for density descriptors)."""
    best, best_key, best_width = "", (-1, -1.0), 0
    for url, descriptor in _srcset_entries(srcset):
        if not url or url.startswith("data:"):
            continue
        match = _DESCRIPTOR.match(descriptor)
        value, unit = (float(match.group(1)), match.group(2)) if match else (1.0, "x")
        key = (1 if unit == "w" else 0, value)  # widths beat densities: they are comparable
        if key > best_key:
            best, best_key, best_width = url, key, int(value) if unit == "w" else 0
    return best, best_width


def _img_candidate(element: HtmlElement, base: str) -> _Candidate | None:
    """An ``<img>``/``<source>``'s best URL (largest srcset entry, lazy-load attributes) and size."""
    for attribute in _SRCSET_ATTRIBUTES:
        srcset = element.get(attribute)
        if srcset:
            url, width = _srcset_largest(srcset)
            if url:
                return _Candidate(clean_url(url, base), width, 0)
    for attribute in _LAZY_ATTRIBUTES:
        url = (element.get(attribute) or "").strip()
        if url and not url.startswith("data:"):
            width, height = _int(element.get("width")), _int(element.get("height"))
            if (width == 1 or height == 1) and (width <= 1 and height <= 1):
                return None  # tracking pixel
            return _Candidate(clean_url(url, base), width, height)
    return None


def _ld_images(value: Any, base: str) -> list[_Candidate]:
    found = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str) and item.strip():
            found.append(_Candidate(clean_url(item, base)))
        elif isinstance(item, dict):
            # Never the @id: it names the node (often "<page>#primaryimage"), it is not the picture.
            url = item.get("url") or item.get("contentUrl")
            if isinstance(url, list):
                url = url[0] if url else None
            if isinstance(url, str) and url.strip():
                found.append(_Candidate(clean_url(url, base), _int(item.get("width")), _int(item.get("height"))))
    return found


def _meta_images(page: Page) -> list[_Candidate]:
    base = page.base_url
    found: list[_Candidate] = []
    widths = page.metas.get("og:image:width", [])
    heights = page.metas.get("og:image:height", [])
    metas = page.metas
    og = metas.get("og:image:secure_url", []) or metas.get("og:image:url", []) or metas.get("og:image", [])
    for index, url in enumerate(og):
        if url.strip():
            width = _int(widths[index]) if index < len(widths) else 0
            height = _int(heights[index]) if index < len(heights) else 0
            found.append(_Candidate(clean_url(url, base), width, height))
    for obj in page.ld_articles:
        found.extend(_ld_images(page.ld_resolve(obj.get("image")), base))
        found.extend(_ld_images(page.ld_resolve(obj.get("thumbnailUrl")), base))
    for key in ("twitter:image", "twitter:image:src", "image", "thumbnail", "thumbnailurl"):
        for url in page.metas.get(key, []):
            if url.strip():
                found.append(_Candidate(clean_url(url, base)))
    return found


_MIN_LEAD_WIDTH = 300


def _article_images(page: Page) -> list[_Candidate]:
    """Pictures in the article element (figures, pictures, imgs) in order, without avatars and teasers."""
    scope = page.layout.story
    if scope is None:
        return []
    found = []
    for element in scope.iter("img"):
        candidate = _picture_candidate(element, page.base_url)
        if candidate is None or (0 < candidate.width < _MIN_LEAD_WIDTH) or (0 < candidate.height < 150):
            continue
        if PEOPLE_PATH.search(urlsplit(candidate.url).path) or is_rejected_image(candidate.url):
            continue  # a placeholder, an icon, a portrait from a people page
        if page.layout.kind(element) & IMAGES_SKIP:
            continue  # author photos, logos, icons, other stories' teasers, asides
        found.append(candidate)
        if len(found) >= 8:
            break
    return found


def _picture_candidate(img: HtmlElement, base: str) -> _Candidate | None:
    """An img's best rendition: the widest of its own srcset and its <picture>'s <source> sets."""
    candidate = _img_candidate(img, base)
    # libxml2 does not know <source> is void, so an img may sit inside the sources: look up a few levels.
    picture = next((a for _, a in zip(range(12), img.iterancestors(), strict=False) if a.tag == "picture"), None)
    if picture is None:
        return candidate
    for source in picture.iter("source"):
        if "avif" in (source.get("type") or ""):
            continue  # the least widely readable format: keep the jpeg/webp renditions
        other = _img_candidate(source, base)
        if other is not None and (candidate is None or other.width > candidate.width):
            candidate = other
    return candidate


def _same_image(a: str, b: str) -> bool:
    return urlsplit(a).path == urlsplit(b).path and urlsplit(a).hostname == urlsplit(b).hostname


def article_images(page: Page, rules: SiteRules | None = None, hints: Hints | None = None) -> list[Image]:
    """Distinct article pictures, lead image first (at most :data:`MAX_IMAGES`)."""
    placeholders = rules.placeholder_images if rules else ()
    # The article's own first picture is its cover as displayed; og:image is often a social crop of it,
    # or a different picture altogether. Metadata images follow (and lead when the article shows none).
    in_article = _article_images(page)
    candidates = in_article[:1]
    candidates.extend(_meta_images(page))
    candidates.extend(in_article[1:])
    link = page.link("image_src")
    if link:
        candidates.append(_Candidate(clean_url(link, page.base_url)))
    if hints and hints.image_url:
        candidates.append(_Candidate(clean_url(hints.image_url, page.url), hints.image_width, hints.image_height))
    images: list[Image] = []
    for candidate in candidates:
        if is_rejected_image(candidate.url, placeholders):
            continue
        duplicate = next((i for i in images if _same_image(i.url, candidate.url)), None)
        if duplicate is not None:
            # Same picture seen again: keep the https form and any size we did not have.
            if duplicate.url.startswith("http://") and candidate.url.startswith("https://"):
                duplicate.url = candidate.url
            if not duplicate.width and candidate.width:
                duplicate.width, duplicate.height = candidate.width, candidate.height or duplicate.height
            continue
        images.append(Image(candidate.url, candidate.width, candidate.height))
        if len(images) >= MAX_IMAGES:
            break
    return images
