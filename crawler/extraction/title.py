"""The headline as the page displays it.

Candidates: JSON-LD ``headline``, ``og:title``, ``twitter:title``, microdata
``headline``, the article's ``<h1>`` and ``<title>``. Site-name suffixes and
prefixes (" - Site", "Site | ") are stripped when the part names the site
(``og:site_name``, JSON-LD publisher, configured suffixes, the domain). The
visible ``<h1>`` decides when it confirms a metadata candidate.
"""

from __future__ import annotations

import re
from typing import Any

from lxml.html import HtmlElement

from crawler.extraction.context import Hints, SiteRules
from crawler.extraction.normalize import clean_text, collapse, fold
from crawler.extraction.page import Page, ld_types
from crawler.extraction.urls import registrable_domain

__all__ = ["headline", "site_names", "strip_site_name"]

# Separators between a headline and a site name: spaced dashes, bars, bullets, colons, guillemets.
_SEPARATOR = re.compile(r"\s+(?:[-|–—·•:»«/~›‹⋆*]+|::|//)\s+|\s*[|｜]\s*|\s*：\s*")
_MAX_SITE_PART = 60
# Segments that describe the page kind, not the story (WordPress "Blog Archive", archive labels).
_GENERIC_PART = re.compile(r"^(?:blog[- ]?archiv(?:e)?|archiv(?:e)?|news|blog|home|startseite|homepage)$", re.I)
# Children of a headline element that are kickers (roof lines) rather than the headline itself.
_KICKER = re.compile(
    r"kicker|dachzeile|roofline|overline|over-?title|supertitle|subheadline|topline|eyebrow|spitzmarke|"
    r"pretitle|pre-title|catchline|rubric|flag\b|label",
    re.IGNORECASE,
)
_HEADLINE_PART = re.compile(r"headline|title", re.IGNORECASE)
_SITE_HEADING = re.compile(
    r"(?:^|[\s_-])(?:logo|brand|branding|site[-_]?(?:title|name|header|logo)|masthead|blog[-_]?(?:title|name)|navbar)"
    r"(?:$|[\s_-])",
    re.I,
)
_BLOCKISH = frozenset({"br", "div", "p", "span", "small", "strong", "em", "b", "i", "a"})


def _ld_name(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name")
    return clean_text(value) if isinstance(value, str) else ""


def site_names(page: Page, rules: SiteRules | None = None) -> list[str]:
    """Names the site goes by: configured, ``og:site_name``, JSON-LD publisher/WebSite, the domain's label."""
    names: list[str] = []
    if rules and rules.name:
        names.append(rules.name)
    names.extend(page.meta_all("og:site_name"))
    names.extend(page.meta_all("application-name"))
    names.extend(page.meta_all("apple-mobile-web-app-title"))
    for obj in page.json_ld:
        types = ld_types(obj)
        if "WebSite" in types or "Organization" in types or "NewsMediaOrganization" in types:
            names.append(_ld_name(obj.get("name")))
        elif obj in page.ld_articles:
            names.append(_ld_name(obj.get("publisher")))
    host = page.url.split("/")[2] if page.url.count("/") >= 2 else ""
    domain = registrable_domain(host) if host else ""
    if domain:
        names.append(domain)
        names.append(domain.split(".")[0])
        if host.startswith("www."):
            names.append(host[4:])
    return [n for n in dict.fromkeys(n.strip() for n in names) if n]


def _names_site(part: str, folded_names: list[str]) -> bool:
    key = fold(part)
    if not key or len(part) > _MAX_SITE_PART:
        return False
    for name in folded_names:
        if not name:
            continue
        if key == name or (len(name) >= 4 and (name in key or key in name) and len(key) <= len(name) + 24):
            return True
    return False


def strip_site_name(title: str, names: list[str], suffixes: tuple[str, ...] = ()) -> str:
    """``title`` without the parts that name the site (or the page kind).

    A part is dropped when it matches a known site name; a title with a bar
    ("Headline | Site | Section") or with the same separator twice keeps its
    first part, since headlines rarely contain either.
    """
    for suffix in suffixes:
        if suffix and title.endswith(suffix) and len(title) > len(suffix):
            title = title[: -len(suffix)].rstrip()
    folded = [fold(n) for n in names]
    for _ in range(4):
        parts = _SEPARATOR.split(title)
        if len(parts) < 2:
            break
        seps = _SEPARATOR.findall(title)
        last, first = parts[-1], parts[0]
        if _names_site(last, folded) or _GENERIC_PART.match(last.strip()) or not fold(last):
            title = title[: title.rfind(seps[-1])].strip()
        elif _names_site(first, folded) or _GENERIC_PART.match(first.strip()) or not fold(first):
            title = title[title.find(seps[0]) + len(seps[0]) :].strip()
        else:
            break
    parts = _SEPARATOR.split(title)
    if len(parts) >= 2:
        seps = [sep.strip() for sep in _SEPARATOR.findall(title)]
        repeated = any(seps.count(sep) >= 2 for sep in seps if sep not in (":", "："))
        if ("|" in seps or "｜" in seps or repeated) and len(parts[0].split()) >= 2:
            title = parts[0].strip()
    return title.strip(" -|–—·•»«›‹:/~*")


_BOUNDARY = "\x00"
_BOUNDARY_BETWEEN_WORDS = re.compile(r"(?<=[\w\"'“”„«»?!.])\x00+(?=[\w\"'“”„«»])")


def _spaced_text(element: HtmlElement, skip: HtmlElement | None = None) -> str:
    """Text of an element with a space between its child parts (kicker + headline spans) where words meet."""
    pieces = [element.text or ""]
    for child in element:
        if child is not skip and isinstance(child.tag, str):
            text = child.text_content()
            block = (child.tag in _BLOCKISH and child.get("class")) or child.tag == "br"
            pieces.append(f"{_BOUNDARY}{text}{_BOUNDARY}" if block else text)
        pieces.append(child.tail or "")
    text = _BOUNDARY_BETWEEN_WORDS.sub(" ", "".join(pieces))
    return collapse(text.replace(_BOUNDARY, ""))


def _cue(element: HtmlElement) -> str:
    return " ".join(filter(None, (element.get("class"), element.get("id"), element.get("data-test-id"))))


def _is_site_heading(element: HtmlElement, text: str, folded_names: list[str], title_parts: list[str]) -> bool:
    """An h1 that carries the site's name or logo rather than the story's headline."""
    for node in (element, *element.iterancestors()):
        if _SITE_HEADING.search(_cue(node)):
            return True
        if node.tag in ("header", "body", "article", "main"):
            break
    link = next(element.iter("a"), None)
    if link is not None and (link.get("href") or "").rstrip("/") in ("", "/", ".") and len(element) == 1:
        return True
    # The blog's name: one part of "<Post> | <Blog>" whose other part is longer.
    key = fold(text)
    if len(title_parts) >= 2 and key in title_parts and any(len(p) > len(key) for p in title_parts if p != key):
        return True
    return _names_site(text, folded_names)


class _Heading:
    """A visible headline element: its full text and the variants without a kicker."""

    def __init__(self, element: HtmlElement):
        self.text = _spaced_text(element)
        self.variants = [self.text]
        self.has_kicker = False
        children = [c for c in element if isinstance(c.tag, str)]
        for child in children:
            cue = _cue(child)
            if child.get("itemprop") == "headline" or (_HEADLINE_PART.search(cue) and not _KICKER.search(cue)):
                self.variants.append(collapse(child.text_content()))
            elif cue and _KICKER.search(cue) and len(children) >= 1:
                without = _spaced_text(element, skip=child)
                if without:
                    self.variants.append(without)
                    self.has_kicker = True
        # Leading dashes stay: Nordic headlines open quotes with one ("- Angsten vil øke").
        self.variants = [v for v in dict.fromkeys(v.strip(" |·•›‹:/~*") for v in self.variants) if v]
        self.text = self.variants[0] if self.variants else ""

    @property
    def headline(self) -> str:
        """The text without its kicker, when it has one."""
        return self.variants[-1] if self.has_kicker else self.text


def _headings(page: Page, names: list[str]) -> list[_Heading]:
    """Visible ``<h1>`` elements that can be headlines: those in the article first, then the others."""
    article = page.article
    folded = [fold(n) for n in names]
    title_parts = [fold(p) for p in _SEPARATOR.split(page.title_tag)] if page.title_tag else []
    inside = [h for h in page.h1s if article is not None and _is_descendant(h, article)]
    ordered = inside + [h for h in page.h1s if h not in inside]
    found: list[_Heading] = []
    seen = set()
    for element in ordered:
        heading = _Heading(element)
        if not (2 <= len(heading.text) <= 400) or heading.text in seen:
            continue
        seen.add(heading.text)
        if _is_site_heading(element, heading.text, folded, title_parts):
            names.append(heading.text)  # and strip it from the other candidates
            continue
        found.append(heading)
    return found


def _is_descendant(element: HtmlElement, ancestor: HtmlElement) -> bool:
    return any(a is ancestor for a in element.iterancestors())


def _meta_candidates(page: Page) -> list[str]:
    found = []
    for obj in page.ld_articles:
        for key in ("headline", "name", "alternativeHeadline"):
            value = obj.get(key)
            if isinstance(value, str) and value.strip():
                found.append(clean_text(value))
                break
    found.append(page.meta("og:title"))
    found.append(page.meta("twitter:title"))
    found.extend(clean_text(e.get("content") or e.text_content()) for e in page.itemprops.get("headline", ())[:2])
    found.append(page.meta("title", "dc.title", "sailthru.title", "parsely-title"))
    return [c for c in found if c]


def _cross_strip(candidate: str, others: list[tuple[str, str]]) -> str:
    """``candidate`` cut back to another candidate it extends by a separated tail ("Headline - Section")."""
    key = fold(candidate)
    for other, other_key in others:
        if other_key and other_key != key and key.startswith(other_key) and len(other_key) >= 12:
            rest = candidate[len(other) :] if candidate.startswith(other) else ""
            if rest and _SEPARATOR.match(rest):
                return other
    return candidate


def _plausible_headline(text: str) -> bool:
    return len(text.split()) >= 3 or len(text) >= 20


def headline(page: Page, rules: SiteRules | None = None, hints: Hints | None = None) -> str:
    """The displayed headline ('' when the page has none)."""
    names = site_names(page, rules)
    suffixes = rules.title_suffixes if rules else ()
    headings = _headings(page, names)  # may add the blog's name to ``names``
    metas = [strip_site_name(c, names, suffixes) for c in _meta_candidates(page)]
    title_tag = strip_site_name(page.title_tag, names, suffixes) if page.title_tag else ""
    metas = [m for m in metas if m]
    visible = [v for h in headings[:5] for v in h.variants]
    everything = [(c, fold(c)) for c in dict.fromkeys([*metas, title_tag, *visible]) if c]
    metas = [_cross_strip(m, everything) for m in metas]
    folded_metas = {fold(m) for m in [*metas, title_tag] if m}
    # 1. A visible h1 (or its part without a kicker) that metadata confirms is the displayed headline.
    for heading in headings:
        for variant in heading.variants:
            if fold(variant) in folded_metas:
                return variant
    # 2. An h1 that a metadata title extends (kicker or section tail in the metadata): the h1.
    #    An h1 that contains a metadata title (kicker or subtitle inside the h1): that title.
    candidates = [(c, fold(c)) for c in [*metas, title_tag] if c]
    for heading in headings:
        key = fold(heading.headline)
        if len(key) < 12:
            continue
        if any(key in m for _, m in candidates):
            return heading.headline
        inside = [c for c, m in candidates if len(m) >= 20 and m in key]
        if inside:
            return max(inside, key=len)
    # 3. No agreement: the page's displayed headline still beats SEO and social variants of it.
    for heading in headings[:1]:
        if _plausible_headline(heading.headline) or not (metas or title_tag):
            return heading.headline
    return next((c for c in [*metas, title_tag, hints.title if hints else ""] if c), "")
