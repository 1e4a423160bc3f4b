"""The elements showing the headline: visible headings, their kickers, and the site's own name.

A heading's text is read as displayed (no ruby annotations, scripts or visually hidden parts); a kicker
(roof line) inside it is told apart from the headline by the markup (:class:`Heading`); an h1 that carries
the site's name or logo is not a headline. Where a heading sits (navigation, another story's teaser) is the
page's layout (:mod:`.layout`).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from crawler.extraction.layout import HEADLINE_SKIP, Block, in_navigation, signals
from crawler.extraction.normalize import collapse, fold
from crawler.extraction.page import Page
from crawler.extraction.text import shown_text
from crawler.extraction.titletext import names_site, title_parts
from crawler.extraction.urls import registrable_domain

__all__ = ["Heading", "displayed_text", "shows_kicker", "visible_headings"]

# Children of a headline element that are kickers (roof lines) rather than the headline itself.
_KICKER = re.compile(
    r"kicker|dachzeile|roofline|overline|over-?title|supertitle|subheadline|topline|eyebrow|spitzmarke|"
    r"pretitle|pre-title|catchline|rubric|flag\b|label|sub-?title|subline|(?:top|sur|up|over|super)-?tit(?:le|re)",
    re.IGNORECASE,
)
# Children named as the headline itself ("article__headline", "post-title"; not "titleheader").
_HEADLINE_PART = re.compile(r"headline|(?<![a-z])(?:title|hed)(?![a-z])", re.IGNORECASE)
_BLOCKISH = frozenset({"br", "div", "p", "span", "small", "strong", "em", "b", "i", "a"})


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


def _hidden(element: HtmlElement) -> bool:
    return not _shown(element)


def displayed_text(element: HtmlElement) -> str:
    """An element's displayed text: without ruby annotations, scripts, and visually hidden parts; a kicker
    shown on a line of its own is separated from the rest by a space (:func:`~crawler.extraction.text.shown_text`)."""
    return shown_text(element, _hidden)


def _spaced_text(element: HtmlElement, skip: frozenset[HtmlElement] | set[HtmlElement] = frozenset()) -> str:
    """The displayed text of an element without its children in ``skip``, whitespace collapsed."""
    return collapse(shown_text(element, _hidden, skip))


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


def _is_site_heading(element: HtmlElement, text: str, folded_names: list[str], parts: list[str], page_url: str) -> bool:
    """An h1 that carries the site's name or logo rather than the story's headline."""
    for node in (element, *element.iterancestors()):
        if node.tag in ("body", "html"):
            break  # the body's classes describe the whole page ("wp-custom-logo")
        if signals(node) & Block.BRANDING:
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
    if len(parts) >= 2 and key in parts and any(len(p) > len(key) for p in parts if p != key):
        if key == parts[-1]:
            return True
        if key == parts[0] and any(names_site(p, folded_names) for p in parts[1:]):
            return False
        others = {
            fold(h.text_content())
            for _, h in zip(range(20), element.getroottree().iter("h1", "h2", "h3"), strict=False)
            if h is not element
        }
        if any(p in others for p in parts if p != key):
            return True
    # A heading is the site's name only when it says little more than the name: "Tote Hummeln unter
    # Linden" on hummel-site "Hummeln" is a headline.
    return names_site(text, folded_names, slack=_HEADING_NAME_SLACK)


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


class Heading:
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
            more = bool((child.tail or "").strip()) or any(fold(displayed_text(c)) for c in children[index + 1 :])
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
        if len(marked) == 1 and fold(displayed_text(marked[0])):
            self.headline = collapse(displayed_text(marked[0]))
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


def visible_headings(page: Page, names: list[str], metas: set[str]) -> list[Heading]:
    """Visible headline elements: ``<h1>``s in the story first, then the other h1s (never hidden or
    navigation ones); when no h1 is in the story, also the h2s whose text a metadata title confirms
    (not in navigation, other stories' teasers or other blocks that are not the story).

    An h1 showing the site's name is not a heading: its text is added to ``names``, to be stripped from
    the other candidates."""
    story = page.layout.story
    folded = [fold(n) for n in names]
    parts = title_parts(page.title_tag)
    h1s = [h for h in page.h1s if not in_navigation(h)]
    inside = [h for h in h1s if story is not None and _is_descendant(h, story)]
    ordered = inside + [h for h in h1s if h not in inside]
    found: list[Heading] = []
    seen = set()
    for element in ordered:
        if _HIDDEN_HEADING.search(element.get("class") or "") or element.get("hidden") is not None:
            continue  # kept for screen readers and search engines, not shown
        heading = Heading(element)
        if not (2 <= len(heading.text) <= 400) or heading.text in seen:
            continue
        seen.add(heading.text)
        if _is_site_heading(element, heading.text, folded, parts, page.url):
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
        if in_navigation(element) or page.layout.context(element) & HEADLINE_SKIP:
            continue
        heading = Heading(element)
        if not (12 <= len(heading.text) <= 400) or heading.text in seen:
            continue
        if any(fold(v) in metas for v in heading.variants):
            confirmed.append(heading)
    # A confirmed h2 beats an unconfirmed h1 outside the article (the h1 is then a section or site label).
    if confirmed and not any(fold(v) in metas for h in found for v in h.variants):
        return confirmed + found
    return found + confirmed


def _is_descendant(element: HtmlElement, ancestor: HtmlElement) -> bool:
    return any(a is ancestor for a in element.iterancestors())


def shows_kicker(element: HtmlElement, kicker_key: str) -> bool:
    """Whether an element just before ``element`` (a roof line above the heading) reads ``kicker_key``."""
    node = element
    for _ in range(2):
        previous = node.getprevious()
        while previous is not None and not isinstance(previous.tag, str):
            previous = previous.getprevious()
        if previous is not None:
            return (
                fold(displayed_text(previous)).endswith(kicker_key)
                and len(fold(displayed_text(previous))) < 3 * len(kicker_key) + 80
            )
        node = node.getparent()
        if node is None:
            return False
    return False
