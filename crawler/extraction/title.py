"""The headline as the page displays it.

Candidates: JSON-LD ``headline``, ``og:title``, ``twitter:title``, microdata
``headline``, the article's ``<h1>`` and ``<title>``. Site-name suffixes and
prefixes (" - Site", "Site | ", "-정치ㅣ한국일보") are stripped when the part names
the site (``og:site_name``, JSON-LD publisher, configured suffixes, the domain).

The visible heading decides when metadata confirms it: an ``<h1>`` in the
article, else an ``<h2>`` that repeats a metadata title when the page's h1 is a
breadcrumb item or missing. Hidden text, ruby annotations and a kicker (roof
line) are not part of the headline unless the JSON-LD headline and og:title
both include that kicker. Soft hyphens the author put in are kept.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

import regex
from lxml.html import HtmlElement

from crawler.extraction.context import Hints, SiteRules
from crawler.extraction.normalize import clean_text, collapse, fold
from crawler.extraction.page import Page, in_navigation, ld_types
from crawler.extraction.urls import registrable_domain
from crawler.record import TITLE_MAX_CHARS

__all__ = ["cap_headline", "headline", "site_names", "strip_site_name"]

# Separators between a headline and a site name: spaced dashes, bars, bullets, colons, guillemets.
# "ㅣ" (a Hangul vowel letter, never used inside composed Korean words) serves Korean sites as a bar.
_SEPARATOR = re.compile(r"\s+(?:[-|–—·•:»«/~›‹⋆*]+|::|//)\s+|\s*[|｜ㅣ]\s*|\s*：\s*")
# A CJK title's unspaced "-Site" or "_Section" tail: CJK headlines use full-width punctuation, not these.
_CJK_TAIL = re.compile(
    r"(?<=[\u3000-\u303f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uff01-\uff60])[-_]"
    r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]{1,8}$"
)
_MAX_SITE_PART = 60
# Segments that describe the page kind, not the story (WordPress "Blog Archive", archive labels).
_GENERIC_PART = re.compile(r"^(?:blog[- ]?archiv(?:e)?|archiv(?:e)?|news|blog|home|startseite|homepage)$", re.I)
# Children of a headline element that are kickers (roof lines) rather than the headline itself.
_KICKER = re.compile(
    r"kicker|dachzeile|roofline|overline|over-?title|supertitle|subheadline|topline|eyebrow|spitzmarke|"
    r"pretitle|pre-title|catchline|rubric|flag\b|label|sub-?title|subline|(?:top|sur|up|over|super)-?tit(?:le|re)",
    re.IGNORECASE,
)
# Children named as the headline itself ("article__headline", "post-title"; not "titleheader").
_HEADLINE_PART = re.compile(r"headline|(?<![a-z])(?:title|hed)(?![a-z])", re.IGNORECASE)
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


def _names_site(part: str, folded_names: list[str], slack: int = 24) -> bool:
    """Whether ``part`` is one of the site's names, or a name with up to ``slack`` more characters
    ("MyOOS Community Forum" for "myoos")."""
    key = fold(part)
    if not key or len(part) > _MAX_SITE_PART:
        return False
    for name in folded_names:
        if not name:
            continue
        if key == name or (len(name) >= 4 and (name in key or key in name) and len(key) <= len(name) + slack):
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
        if ("|" in seps or "｜" in seps or "ㅣ" in seps or repeated) and len(parts[0].split()) >= 2:
            title = parts[0].strip()
    for _ in range(2):
        title = _CJK_TAIL.sub("", title)
    # Quote marks and asterisks at the ends belong to the headline ("»frag.jetzt«", "*Ab Montag*").
    return title.strip(" -|–—·•›‹:/~")


_BOUNDARY = "\x00"
_BOUNDARY_BETWEEN_WORDS = re.compile(r"(?<=[\w\"'“”„«»?!.])\x00+(?=[\w\"'“”„«»])")
# Ruby annotations (furigana) and non-text elements are not part of the displayed headline text.
_NOT_TEXT = frozenset({"rt", "rp", "script", "style", "noscript", "template", "svg", "button"})
# An element holding only separator punctuation (often visually hidden: " – ", ": ") between a kicker and
# the headline.
_SEPARATOR_ONLY = re.compile(r"^[\s\-–—:|/·•,.]+$")


# Visually hidden text (screen-reader only) is not displayed: "<span class="element-invisible"> | Site</span>".
_VISUALLY_HIDDEN = re.compile(
    r"(?:^|\s)(?:element-invisible|visually-?hidden|visuallyhidden|sr-only|screen-reader-text|u-hidden|is-hidden)(?:$|\s)",
    re.IGNORECASE,
)


def _shown(element: HtmlElement) -> bool:
    return element.tag not in _NOT_TEXT and not _VISUALLY_HIDDEN.search(element.get("class") or "")


def _text(element: HtmlElement) -> str:
    """Displayed text: without ruby annotations, scripts, and visually hidden parts."""
    if not any(isinstance(e.tag, str) and not _shown(e) for e in element.iterdescendants()):
        return element.text_content()
    pieces = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and _shown(child):
            pieces.append(_text(child))
        pieces.append(child.tail or "")
    return "".join(pieces)


def _spaced_text(element: HtmlElement, skip: frozenset[HtmlElement] | set[HtmlElement] = frozenset()) -> str:
    """Text of an element with a space between its child parts (kicker + headline spans) where words meet."""
    pieces = [element.text or ""]
    for child in element:
        if child not in skip and isinstance(child.tag, str) and _shown(child):
            text = _text(child)
            block = (child.tag in _BLOCKISH and child.get("class")) or child.tag == "br"
            pieces.append(f"{_BOUNDARY}{text}{_BOUNDARY}" if block else text)
        pieces.append(child.tail or "")
    text = _BOUNDARY_BETWEEN_WORDS.sub(" ", "".join(pieces))
    return collapse(text.replace(_BOUNDARY, ""), keep_soft_hyphens=True)


_DATA_NAME_CUE = re.compile(r"kicker|headline|title|overline", re.IGNORECASE)


def _cue(element: HtmlElement) -> str:
    """The names an element carries: class, id, itemprop, test ids and the names of its data attributes."""
    parts = [element.get(a) for a in ("class", "id", "itemprop", "data-testid", "data-test-id")]
    parts.extend(name for name in element.attrib if name.startswith("data-") and _DATA_NAME_CUE.search(name))
    return " ".join(filter(None, parts))


def _is_headline_part(cue: str) -> bool:
    return bool(cue) and bool(_HEADLINE_PART.search(cue)) and not _KICKER.search(cue)


def _is_separator(element: HtmlElement) -> bool:
    """An element with nothing but separator punctuation, or one ending in such an element (kicker + dash)."""
    if _separator_text(element):
        return True
    last = next((c for c in reversed(element) if isinstance(c.tag, str)), None)
    return last is not None and not (last.tail or "").strip() and _separator_text(last)


def _separator_text(element: HtmlElement) -> bool:
    text = element.text_content()
    return bool(text.strip()) and bool(_SEPARATOR_ONLY.match(text))


def _links_home(href: str | None, page_url: str) -> bool:
    """Whether a link leads to the site's front page ("/", "./", "https://site.example/"); an anchor
    without href or one to the page itself does not."""
    if href is None or not href.strip() or href.strip().startswith("#"):
        return False
    target = urlsplit(urljoin(page_url, href.strip()))
    if target.path not in ("", "/") or target.query or not target.hostname:
        return False
    return registrable_domain(target.hostname) == registrable_domain(urlsplit(page_url).hostname or "")


def _is_site_heading(
    element: HtmlElement, text: str, folded_names: list[str], title_parts: list[str], page_url: str
) -> bool:
    """An h1 that carries the site's name or logo rather than the story's headline."""
    for node in (element, *element.iterancestors()):
        if node.tag in ("body", "html"):
            break  # the body's classes describe the whole page ("wp-custom-logo")
        cue = " ".join(filter(None, (node.get("class"), node.get("id"), node.get("data-test-id"))))
        if _SITE_HEADING.search(cue):
            return True
        if node.tag in ("header", "article", "main"):
            break
    link = next(element.iter("a"), None)
    if link is not None and len(element) == 1 and _links_home(link.get("href"), page_url):
        return True
    # The blog's name: the last part of "<Post> | <Blog>" when the post part is longer; the first part of
    # "<Blog> » <Post>" only when another heading shows the post's part and no other part names the site
    # ("<Headline> - <Subtitle> - <Site>" is a story with its subtitle).
    key = fold(text)
    if len(title_parts) >= 2 and key in title_parts and any(len(p) > len(key) for p in title_parts if p != key):
        if key == title_parts[-1]:
            return True
        if key == title_parts[0] and any(_names_site(p, folded_names) for p in title_parts[1:]):
            return False
        others = {
            fold(h.text_content())
            for _, h in zip(range(20), element.getroottree().iter("h1", "h2", "h3"), strict=False)
            if h is not element
        }
        if any(p in others for p in title_parts if p != key):
            return True
    # A heading is the site's name only when it says little more than the name: "Tote Hummeln unter
    # Linden" on hummel-site "Hummeln" is a headline.
    return _names_site(text, folded_names, slack=_HEADING_NAME_SLACK)


_HEADING_NAME_SLACK = 12


def _unwrap(element: HtmlElement) -> HtmlElement:
    """The innermost element holding all of a heading's text (``<h1><span class="title">…</span></h1>``)."""
    for _ in range(3):
        children = [c for c in element if isinstance(c.tag, str) and c.tag not in _NOT_TEXT]
        if len(children) != 1 or (element.text or "").strip() or (children[0].tail or "").strip():
            break
        element = children[0]
    return element


_HIDDEN_HEADING = re.compile(
    r"(?:^|\s)(?:hidden|aural|element-invisible|visually-?hidden|visuallyhidden|sr-only|screen-reader-text)(?:$|\s)",
    re.IGNORECASE,
)


class _Heading:
    """A visible headline element: its full text, the headline without a kicker, and weaker variants.

    A kicker (roof line, "Dachzeile") shown inside the heading is not part of the headline when the
    markup says so: a child named kicker/overline/…, a child named headline/title beside it, or a
    separator element (often visually hidden: " – ", ": ") after it. A ``<small>`` part, a part followed
    by ``<br>`` or a first styled span are only *possibly* kickers: they are dropped when the page's
    metadata confirms the rest.
    """

    def __init__(self, element: HtmlElement):
        self.element = element
        self.is_h1 = element.tag == "h1"
        self.text = _spaced_text(element).strip(" |·•›‹:/~")
        root = _unwrap(element)
        children = [c for c in root if isinstance(c.tag, str) and c.tag not in _NOT_TEXT]
        kickers: set[HtmlElement] = set()
        separated = False  # a separator element splits kicker from headline
        marked = []
        for index, child in enumerate(children):
            cue = _cue(child)
            more = bool((child.tail or "").strip()) or any(fold(_text(c)) for c in children[index + 1 :])
            if cue and _KICKER.search(cue):
                kickers.add(child)
            elif more and index > 0 and _is_separator(child):
                kickers.update(children[: index + 1])  # the parts before a separator element
                separated = True
            elif more and _is_separator(child):
                kickers.add(child)  # a kicker holding its own trailing dash
                separated = True
            elif _is_headline_part(cue):
                marked.append(child)
        self.headline = self.text
        if len(marked) == 1 and fold(_text(marked[0])):
            self.headline = collapse(_text(marked[0]), keep_soft_hyphens=True)
        elif kickers and (separated or len(kickers) < len(children)):
            # The rest: other child elements, or loose text when a separator element marks the split.
            self.headline = _strip_separators(_spaced_text(root, skip=kickers)) or self.text
        self.weak: list[str] = []
        if self.headline == self.text:
            for index, child in enumerate(children):
                follower = children[index + 1] if index + 1 < len(children) else None
                before_break = follower is not None and follower.tag == "br" and not (child.tail or "").strip()
                styled_first = index == 0 and not (root.text or "").strip() and child.tag in _BLOCKISH
                if child.tag == "small" or before_break or (styled_first and child.get("class")):
                    skip = {child, follower} if before_break and follower is not None else {child}
                    variant = _strip_separators(_spaced_text(root, skip=skip))
                    if variant and variant != self.text:
                        self.weak.append(variant)
                    break

    @property
    def variants(self) -> list[str]:
        """The headline first, then the weaker variants, then the full text."""
        return list(dict.fromkeys(v for v in (self.headline, *self.weak, self.text) if v))


def _strip_separators(text: str) -> str:
    # A leading hyphen stays: Nordic headlines open a quote with one ("- Angsten vil øke").
    return text.strip(" |·•›‹:/~").lstrip("–—").strip() if text else ""


def _headings(page: Page, names: list[str], metas: set[str]) -> list[_Heading]:
    """Visible headline elements: ``<h1>``s in the article first, then the other h1s (never hidden or
    breadcrumb ones); when no h1 is in the article, also the h2s whose text a metadata title confirms."""
    article = page.article
    folded = [fold(n) for n in names]
    title_parts = [fold(p) for p in _SEPARATOR.split(page.title_tag)] if page.title_tag else []
    h1s = [h for h in page.h1s if not in_navigation(h)]
    inside = [h for h in h1s if article is not None and _is_descendant(h, article)]
    ordered = inside + [h for h in h1s if h not in inside]
    found: list[_Heading] = []
    seen = set()
    for element in ordered:
        if _HIDDEN_HEADING.search(element.get("class") or "") or element.get("hidden") is not None:
            continue  # kept for screen readers and search engines, not shown
        heading = _Heading(element)
        if not (2 <= len(heading.text) <= 400) or heading.text in seen:
            continue
        seen.add(heading.text)
        if _is_site_heading(element, heading.text, folded, title_parts, page.url):
            names.append(heading.text)  # and strip it from the other candidates
            continue
        found.append(heading)
    if inside or len(found) > 1:
        return found
    confirmed = []
    for count, element in enumerate(page.tree.iter("h2")):
        if count >= 40:
            break
        key = fold(element.text_content())
        # Cheap test first: a confirmed heading's text contains a metadata title.
        if not any(len(m) >= 8 and m in key for m in metas):
            continue
        if in_navigation(element) or _in_other_block(element, page.tree):
            continue
        heading = _Heading(element)
        if not (12 <= len(heading.text) <= 400) or heading.text in seen:
            continue
        if any(fold(v) in metas for v in heading.variants):
            confirmed.append(heading)
    # A confirmed h2 beats an unconfirmed h1 outside the article (the h1 is then a section or site label).
    if confirmed and not any(fold(v) in metas for h in found for v in h.variants):
        return confirmed + found
    return found + confirmed


# Blocks of other stories: their h2s may repeat another story's metadata title.
_OTHER_BLOCK = re.compile(r"related|teaser|recommend|more-?stories|comment", re.I)


def _in_other_block(element: HtmlElement, scope: HtmlElement) -> bool:
    for node in element.iterancestors():
        if node is scope or node.tag == "body":
            return False
        if node.tag in ("aside", "footer") or _OTHER_BLOCK.search(node.get("class") or ""):
            return True
    return False


def _is_descendant(element: HtmlElement, ancestor: HtmlElement) -> bool:
    return any(a is ancestor for a in element.iterancestors())


def _clean(value: str | None) -> str:
    return clean_text(value, keep_soft_hyphens=True)


def _meta_candidates(page: Page) -> list[str]:
    found = []
    for obj in page.ld_articles:
        for key in ("headline", "name", "alternativeHeadline"):
            value = obj.get(key)
            if isinstance(value, str) and value.strip():
                found.append(_clean(value))
                break
    for keys in (("og:title",), ("twitter:title",)):
        found.append(next((c for k in keys for c in map(_clean, page.metas.get(k, ())) if c), ""))
    # Microdata headline; an <h1> marked itemprop=headline is the heading itself, not a confirmation of it.
    for element in page.itemprops.get("headline", ())[:2]:
        if element.get("content") is not None:
            found.append(_clean(element.get("content")))
        elif next(element.iter("h1"), None) is None and not any(a.tag == "h1" for a in element.iterancestors()):
            found.append(collapse(_text(element), keep_soft_hyphens=True))
    for key in ("title", "dc.title", "sailthru.title", "parsely-title"):
        value = next((c for c in map(_clean, page.metas.get(key, ())) if c), "")
        if value:
            found.append(value)
            break
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


_QUOTE_CUT = re.compile(r"^\s*[\"“„«]")


def _repair_quote_cut(candidate: str, others: list[str]) -> str:
    """A meta value cut short at an unescaped quote (``content="Biden calls it "`` …): the full title."""
    for other in others:
        if (
            len(other) > len(candidate) + 2
            and other.startswith(candidate)
            and _QUOTE_CUT.match(other[len(candidate) :])
        ):
            return other
    return candidate


def _metadata_with_kicker(page: Page, names: list[str], suffixes: tuple[str, ...]) -> dict[str, str]:
    """The og:title (by its comparison key) when the JSON-LD headline says the same: the publisher's two
    main statements of the headline agree, so a kicker they both include is part of it."""
    og = next((c for c in map(_clean, page.metas.get("og:title", ())) if c), "")
    ld = next((v for o in page.ld_articles if isinstance(v := o.get("headline"), str) and v.strip()), "")
    if not og or not ld:
        return {}
    og = strip_site_name(og, names, suffixes)
    key = fold(og)
    return {key: og} if key and key == fold(strip_site_name(_clean(ld), names, suffixes)) else {}


def _shows_kicker(element: HtmlElement, kicker_key: str) -> bool:
    """Whether an element just before ``element`` (a roof line above the heading) reads ``kicker_key``."""
    node = element
    for _ in range(2):
        previous = node.getprevious()
        while previous is not None and not isinstance(previous.tag, str):
            previous = previous.getprevious()
        if previous is not None:
            return fold(_text(previous)).endswith(kicker_key) and len(fold(_text(previous))) < 3 * len(kicker_key) + 80
        node = node.getparent()
        if node is None:
            return False
    return False


def _plausible_headline(text: str) -> bool:
    return len(text.split()) >= 3 or len(text) >= 20


def headline(page: Page, rules: SiteRules | None = None, hints: Hints | None = None) -> str:
    """The displayed headline ('' when the page has none)."""
    names = site_names(page, rules)
    # A candidate that is nothing but the site's name (an empty headline in "<title>{headline} - {site}"
    # leaves " - Site", a WebPage named "Site - Home") is no headline: no candidate, the title stays empty.
    site_keys = {fold(n) for n in names} - {""}
    suffixes = rules.title_suffixes if rules else ()
    raw_metas = [*_meta_candidates(page), _clean(page.title_tag)]
    confirming = {fold(strip_site_name(c, names, suffixes)) for c in raw_metas if c}
    headings = _headings(page, names, confirming)  # may add the blog's name to ``names``
    metas = [strip_site_name(c, names, suffixes) if c else "" for c in raw_metas]
    metas = [m if fold(m) not in site_keys else "" for m in metas]
    title_tag = metas.pop()
    metas = [m for m in metas if m]
    metas = [_repair_quote_cut(m, [*metas, title_tag]) for m in metas]
    visible = [v for h in headings[:5] for v in h.variants]
    everything = [(c, fold(c)) for c in dict.fromkeys([*metas, title_tag, *visible]) if c]
    metas = [_cross_strip(m, everything) for m in metas]
    folded_metas = {fold(m) for m in [*metas, title_tag] if m}
    # 1. A visible heading that metadata confirms is the displayed headline: without its kicker when the
    #    markup marks one (even if the metadata repeats it), a weaker variant when metadata confirms it.
    kicker_kept = _metadata_with_kicker(page, names, suffixes)
    for heading in headings:
        if heading.headline != heading.text and fold(heading.text) in kicker_kept:
            return kicker_kept[fold(heading.text)]
        if fold(heading.headline) in folded_metas or fold(heading.text) in folded_metas:
            return heading.headline
        for variant in heading.weak:
            if fold(variant) in folded_metas:
                return variant
    # 2. A heading that a metadata title extends (kicker or section tail in the metadata): the heading.
    #    A heading that ends with a metadata title (an unmarked kicker before it): that title.
    candidates = [(c, fold(c)) for c in [*metas, title_tag] if c]
    for heading in headings:
        if not heading.is_h1:
            continue  # an h2 that is part of a title is as often a section heading of the body
        key = fold(heading.headline)
        if len(key) < 12:
            continue
        for agreed_key, agreed in kicker_kept.items():
            # The JSON-LD headline and og:title agree on "Kicker: Headline", and the page shows that
            # kicker just above the heading: the kicker is part of the headline (as inside the heading).
            if (
                agreed_key.endswith(key)
                and agreed_key != key
                and _shows_kicker(heading.element, agreed_key[: -len(key)])
            ):
                return agreed
        if any(key in m for _, m in candidates):
            return heading.headline
        inside = [c for c, m in candidates if len(m) >= 20 and key.endswith(m)]
        if inside:
            return max(inside, key=len)
    # 3. No agreement: the page's displayed headline still beats SEO and social variants of it
    #    (an h2 is only taken when some metadata confirms it: many pages use h2 for other things).
    for heading in [h for h in headings if h.is_h1][:1]:
        if _plausible_headline(heading.headline) or not (metas or title_tag):
            return heading.headline
    hinted = hints.title if hints and fold(hints.title) not in site_keys else ""
    return next((c for c in [*metas, title_tag, hinted] if c), "")


# A headline cut at the cap ends at a word; one without spaces (CJK) anywhere past this share of the cap.
_MIN_WORD_CUT = 0.5
_GRAPHEME = regex.compile(r"\X")


def cap_headline(title: str, limit: int = TITLE_MAX_CHARS) -> tuple[str, bool]:
    """``title`` cut to at most ``limit`` characters, and whether it was cut.

    A longer headline is cut at the last space that leaves room for "…" (trailing separators and
    punctuation dropped), else, when that would keep less than half of it (CJK headlines have no spaces),
    at the last character boundary that fits; never inside a character cluster (an emoji ZWJ sequence,
    a letter with its accents). "…" is appended, within the limit.
    """
    if len(title) <= limit:
        return title, False
    room = limit - 1  # for the ellipsis
    window = title[: room + 1]
    space = window.rfind(" ")
    if space >= room * _MIN_WORD_CUT:
        cut = window[:space]
    else:
        end = 0
        for cluster in _GRAPHEME.finditer(title, 0, room + 8):
            if cluster.end() > room:
                break
            end = cluster.end()
        cut = title[:end]
    return cut.rstrip(" ,;:-–—|·•/") + "…", True
