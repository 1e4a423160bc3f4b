"""A real summary of the article, at most ~300 characters.

The standfirst or a meta/JSON-LD description when it is one (not site-wide
boilerplate, not the title again, not a truncated tease when the page has the
full sentence), else the opening sentences of the body; feed debris removed;
cut at a sentence or word boundary. The discovery hint's excerpt is the fallback.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml.html import HtmlElement

from crawler.extraction.context import Hints
from crawler.extraction.layout import STANDFIRST_SKIP
from crawler.extraction.normalize import NamePattern, collapse, fold, plain_text
from crawler.extraction.page import Page, ld_types
from crawler.extraction.text import shown_text
from crawler.record import EXCERPT_MAX_CHARS

__all__ = ["clean_excerpt", "cut", "excerpt"]

# Feed and teaser debris: "[…]", "Read more", "The post X appeared first on Y.", "Continue reading …".
_ELLIPSIS = re.compile(r"\s*\[(?:…|\.\.\.|&#8230;|&hellip;)\]\s*")
# The debris that ends a summary, taken off with the white space before it (:func:`_without_tail`).
_TAILS = (
    re.compile(r"The post .{1,300}? appeared first on .{1,200}?\.?\s*$", re.IGNORECASE),
    re.compile(
        r"(?:Read more|Read More|Read on|Continue reading|Keep reading|Read the full (?:story|article)|Full story|"
        r"Weiterlesen|Mehr lesen|Lire la suite|Leer más|Leggi (?:tutto|di più)|Lees meer|Czytaj więcej)"
        r"(?:\s*(?:»|→|>|\.{3}|…|about .{0,120}))?\s*\.?\s*$",
        re.IGNORECASE,
    ),
    re.compile(r"\((?:more|mehr|suite)…?\)\s*$", re.IGNORECASE),
)
# Descriptions that describe the site, not the article.
_BOILERPLATE = re.compile(
    r"^(?:read|get|find|discover|see|follow|stay up to date|welcome to|the latest|latest news|breaking news|"
    r"all the latest|news,? (?:videos?|photos?|analysis))\b.{0,40}\b(?:news|latest|headlines|stories|updates)\b"
    r"|\b(?:official (?:web)?site|all rights reserved)\b"
    r"|^(?:visit the post for more|(?:written|posted|published) by\b)",
    re.IGNORECASE,
)
_STANDFIRST = NamePattern(
    r"standfirst|lead|lede|teaser|intro|summary|subtitle|sub-title|subhead|dek\b|deck|abstract|excerpt|sapo|"
    r"chapo|chapeau|description|article__sub|header__sub|strapline|kicker-text|summary"
)
_STANDFIRST_TAGS = ("p", "div", "h2", "span", "strong", "ul")
# Lists of key points shown above the story ("Summary", "Key points", "Das Wichtigste in Kürze").
_SUMMARY_LIST = NamePattern(
    r"summary|highlights?|key-?points?|keypoints|takeaways?|bullets|in-?brief|tl-?dr|zusammenfassung|"
    r"standfirst|lead|teaser|intro"
)
_SENTENCE_END = re.compile(r"[.!?。！？](?:[\"'”’»)\]]*)(?=\s|$)")
MIN_SUMMARY_CHARS = 40
MIN_DESCRIPTION_CHARS = 15  # a description is written as a summary: a short one still is one
MIN_DESCRIPTION_WORDS = 3


def _without_tail(text: str, tail: re.Pattern[str]) -> str:
    """``text`` with the ``tail`` that ends it, and the white space before that, replaced by one space: what
    ``re.sub(r"\\s*" + tail.pattern, " ", text)`` does, several times faster (``re`` tries a pattern that
    opens with ``\\s*`` at every position, one that opens with a word only where its first letter is)."""
    match = tail.search(text)
    return text if match is None else text[: match.start()].rstrip() + " " + text[match.end() :]


def clean_excerpt(text: str) -> str:
    """Remove feed debris and markup from a summary."""
    text = _ELLIPSIS.sub(" ", plain_text(text)).strip()
    for tail in _TAILS:
        text = _without_tail(text, tail).strip()
    return collapse(text).strip(" |·•-–—")


def _ends_sentence(text: str, end: int) -> bool:
    """A sentence ends at ``end`` unless the next word starts in lower case ("am 34. Spieltag", "z. B.")."""
    rest = text[end:].lstrip()
    first = next((ch for ch in rest[:4] if ch.isalpha()), "")
    return not first.islower()


def cut(text: str, limit: int = EXCERPT_MAX_CHARS) -> str:
    """``text`` shortened to ``limit`` characters at a sentence end, else a word boundary (with "…")."""
    if len(text) <= limit:
        return text
    window = text[: limit + 1]
    ends = [m.end() for m in _SENTENCE_END.finditer(window) if m.end() <= limit and _ends_sentence(text, m.end())]
    # A sentence end in the last quarter; else the word boundary nearest the limit (more of the summary).
    if ends and ends[-1] >= limit * 0.75:
        return window[: ends[-1]].strip()
    space = window.rfind(" ", 0, limit)
    if space < limit * 0.5:
        space = limit - 1
    return window[:space].rstrip(" ,;:-–—") + "…"


def _site_descriptions(page: Page) -> set[str]:
    found = set()
    for obj in page.json_ld:
        if {"WebSite", "Organization", "NewsMediaOrganization"} & set(ld_types(obj)):
            value = obj.get("description")
            if isinstance(value, str):
                found.add(fold(plain_text(value)))
    return found


def _descriptions(page: Page) -> Iterator[str]:
    """The page's descriptions, cleaned one by one as they are asked for (the first is usually the summary)."""
    found = [page.meta("og:description"), page.meta("description"), page.meta("twitter:description")]
    for obj in page.ld_articles:
        value = obj.get("description")
        if isinstance(value, str):
            found.append(plain_text(value))
    found.append(page.meta("dc.description", "dcterms.abstract", "sailthru.description"))
    return (clean_excerpt(d) for d in found if d)


def _block_text(element: HtmlElement) -> str:
    """Text of a standfirst: a paragraph, a wrapper of a few paragraphs, or a list's items one after another."""
    if element.tag in ("ul", "ol"):
        items = [collapse(shown_text(li)) for li in element.iter("li")]
        items = [i if i[-1:] in ".!?…:;" else f"{i}." for i in items if i]
        return " ".join(items)
    if _paragraph_wrapper(element):
        return " ".join(collapse(shown_text(paragraph)) for paragraph in element)
    return shown_text(element)


def _standfirst(page: Page, title: str) -> str:
    """A lead paragraph (or a list of key points) marked as such in the article header."""
    scope = page.layout.story if page.layout.story is not None else page.tree
    title_key = fold(title)
    for element in scope.iter(*_STANDFIRST_TAGS):
        names = (element.get("class"), element.get("id"), element.get("itemprop"))
        if names == (None, None, None):
            continue  # most elements: no names to read
        cue = (names[0] or "") + " " + (names[1] or "") + " " + (names[2] or "")
        if not cue.strip():
            continue
        if element.tag == "ul":
            if not _SUMMARY_LIST.search(cue) or not (1 <= len(element) <= 6):
                continue
        elif not _STANDFIRST.search(cue):
            continue
        if _has_block_children(element) and not _paragraph_wrapper(element):
            continue
        if page.layout.context(element) & STANDFIRST_SKIP:
            continue  # other stories' teasers, newsletter boxes, comments
        text = clean_excerpt(_block_text(element))
        if len(text) >= MIN_SUMMARY_CHARS and fold(text) != title_key:
            return text
    return ""


_KEY_POINTS = NamePattern(r"summary|highlights?|key-?points?|keypoints|takeaways?|in-?brief|tl-?dr")


def _key_points(page: Page) -> str:
    """The list of key points a story opens with (``<ul class="summary-list">``), as one text."""
    scope = page.layout.story if page.layout.story is not None else page.tree
    for count, element in enumerate(scope.iter("ul", "ol")):
        if count >= 30:
            break
        cue = " ".join(filter(None, (element.get("class"), element.get("id"))))
        if not _KEY_POINTS.search(cue) or not (2 <= len(element) <= 6):
            continue
        if page.layout.context(element) & STANDFIRST_SKIP:
            continue
        text = clean_excerpt(_block_text(element))
        if len(text) >= MIN_SUMMARY_CHARS:
            return text
    return ""


def _paragraph_wrapper(element: HtmlElement) -> bool:
    """A div around one to three paragraphs (``<div class="lead"><p>…</p></div>``)."""
    children = [c for c in element if isinstance(c.tag, str)]
    return element.tag == "div" and 1 <= len(children) <= 3 and all(c.tag == "p" for c in children)


def _has_block_children(element: HtmlElement) -> bool:
    return any(child.tag in ("p", "div", "ul", "ol", "h1", "h2", "figure", "section") for child in element)


def _opening(body: str) -> str:
    paragraphs = [p.strip() for p in body.split("\n") if len(p.strip()) >= MIN_SUMMARY_CHARS]
    return clean_excerpt(" ".join(paragraphs[:3])) if paragraphs else ""


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def _is_summary(text: str, title_key: str, site: set[str]) -> bool:
    key = fold(text)
    return (
        len(text) >= MIN_DESCRIPTION_CHARS
        and (len(text.split()) >= MIN_DESCRIPTION_WORDS or bool(_CJK.search(text)))
        and key != title_key
        and key not in site
        and not _BOILERPLATE.search(text)
    )


def excerpt(page: Page, title: str, body: str, hints: Hints | None = None) -> str:
    """The summary ('' when there is nothing to summarise)."""
    title_key = fold(title)
    site = _site_descriptions(page)
    summary = next((d for d in _descriptions(page) if _is_summary(d, title_key, site)), "")
    standfirst = _standfirst(page, title)
    if summary and standfirst:
        stem = fold(summary.rstrip(".… "))[:60]
        extends = stem and fold(standfirst).startswith(stem) and len(standfirst) > len(summary)
        if extends:
            # A tease cut by the CMS from the displayed standfirst (or its first sentences): the full
            # standfirst is the summary. (Not the body's opening: a description is written as a summary.)
            summary = standfirst
    key_points = _key_points(page)
    if key_points:
        summary = key_points
    # The body's opening only when nothing else serves: it is the longest text to clean.
    opening = _opening(body) if body and not (summary or standfirst) else ""
    text = summary or standfirst or opening or (clean_excerpt(hints.excerpt) if hints and hints.excerpt else "")
    return cut(text)
