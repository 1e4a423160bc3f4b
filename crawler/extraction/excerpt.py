"""A real summary of the article, at most ~300 characters.

The standfirst or a meta/JSON-LD description when it is one (not site-wide
boilerplate, not the title again, not a truncated tease when the page has the
full sentence), else the opening sentences of the body; feed debris removed;
cut at a sentence or word boundary. The discovery hint's excerpt is the fallback.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from crawler.extraction.context import Hints
from crawler.extraction.normalize import clean_text, collapse, fold
from crawler.extraction.page import Page, ld_types
from crawler.record import EXCERPT_MAX_CHARS

__all__ = ["clean_excerpt", "cut", "excerpt"]

# Feed and teaser debris: "[…]", "Read more", "The post X appeared first on Y.", "Continue reading …".
_DEBRIS = (
    re.compile(r"\s*\[(?:…|\.\.\.|&#8230;|&hellip;)\]\s*"),
    re.compile(r"\s*The post .{1,300}? appeared first on .{1,200}?\.?\s*$", re.IGNORECASE),
    re.compile(
        r"\s*(?:Read more|Read More|Read on|Continue reading|Keep reading|Read the full (?:story|article)|Full story|"
        r"Weiterlesen|Mehr lesen|Lire la suite|Leer más|Leggi (?:tutto|di più)|Lees meer|Czytaj więcej)"
        r"(?:\s*(?:»|→|>|\.{3}|…|about .{0,120}))?\s*\.?\s*$",
        re.IGNORECASE,
    ),
    re.compile(r"\s*\((?:more|mehr|suite)…?\)\s*$", re.IGNORECASE),
)
# Descriptions that describe the site, not the article.
_BOILERPLATE = re.compile(
    r"^(?:read|get|find|discover|see|follow|stay up to date|welcome to|the latest|latest news|breaking news|"
    r"all the latest|news,? (?:videos?|photos?|analysis))\b.{0,40}\b(?:news|latest|headlines|stories|updates)\b"
    r"|\b(?:official (?:web)?site|all rights reserved)\b",
    re.IGNORECASE,
)
_STANDFIRST = re.compile(
    r"standfirst|lead|lede|teaser|intro|summary|subtitle|sub-title|subhead|dek\b|deck|abstract|excerpt|sapo|"
    r"chapo|chapeau|description|article__sub|header__sub|strapline|kicker-text|summary",
    re.IGNORECASE,
)
_STANDFIRST_TAGS = ("p", "div", "h2", "span", "strong")
_SENTENCE_END = re.compile(r"[.!?。！？](?:[\"'”’»)\]]*)(?=\s|$)")
_TRUNCATED = re.compile(r"(?:\.{3}|…)\s*$")
MIN_SUMMARY_CHARS = 40


def clean_excerpt(text: str) -> str:
    """Remove feed debris and markup from a summary."""
    text = clean_text(text)
    for pattern in _DEBRIS:
        text = pattern.sub(" ", text).strip()
    return collapse(text).strip(" |·•-–—")


def cut(text: str, limit: int = EXCERPT_MAX_CHARS) -> str:
    """``text`` shortened to ``limit`` characters at a sentence end, else a word boundary (with "…")."""
    if len(text) <= limit:
        return text
    window = text[: limit + 1]
    ends = [m.end() for m in _SENTENCE_END.finditer(window) if m.end() <= limit]
    if ends and ends[-1] >= limit * 0.4:
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
                found.add(fold(clean_text(value)))
    return found


def _descriptions(page: Page) -> list[str]:
    found = [page.meta("og:description"), page.meta("description"), page.meta("twitter:description")]
    for obj in page.ld_articles:
        value = obj.get("description")
        if isinstance(value, str):
            found.append(clean_text(value))
    found.append(page.meta("dc.description", "dcterms.abstract", "sailthru.description"))
    return [clean_excerpt(d) for d in found if d]


def _standfirst(page: Page, title: str) -> str:
    """A lead paragraph marked as such in the article header."""
    scope = page.article if page.article is not None else page.tree
    title_key = fold(title)
    for element in scope.iter(*_STANDFIRST_TAGS):
        cue = (element.get("class") or "") + " " + (element.get("id") or "") + " " + (element.get("itemprop") or "")
        if not cue.strip() or not _STANDFIRST.search(cue):
            continue
        if _has_block_children(element):
            continue
        text = clean_excerpt(element.text_content())
        if len(text) >= MIN_SUMMARY_CHARS and fold(text) != title_key:
            return text
    return ""


def _has_block_children(element: HtmlElement) -> bool:
    return any(child.tag in ("p", "div", "ul", "ol", "h1", "h2", "figure", "section") for child in element)


def _opening(body: str) -> str:
    paragraphs = [p.strip() for p in body.split("\n") if len(p.strip()) >= MIN_SUMMARY_CHARS]
    return clean_excerpt(" ".join(paragraphs[:3])) if paragraphs else ""


_WORD = re.compile(r"\w{3,}")


def _unrelated(summary: str, title: str, body: str) -> bool:
    """A description that shares almost no words with the headline and the story is the site's slogan."""
    words = {w.casefold() for w in _WORD.findall(summary)}
    if len(words) < 4 or len(body) < 500:
        return False
    story = {w.casefold() for w in _WORD.findall(title + " " + body[:3000])}
    return len(words & story) / len(words) < 0.1


def excerpt(page: Page, title: str, body: str, hints: Hints | None = None) -> str:
    """The summary ('' when there is nothing to summarise)."""
    title_key = fold(title)
    site = _site_descriptions(page)
    summary = ""
    for text in _descriptions(page):
        key = fold(text)
        if len(text) < MIN_SUMMARY_CHARS or key == title_key or key in site or _BOILERPLATE.search(text):
            continue
        summary = text
        break
    standfirst = _standfirst(page, title)
    opening = _opening(body) if body else ""
    if summary and standfirst and _TRUNCATED.search(summary):
        # A tease cut by the CMS from the displayed standfirst: the full standfirst is the summary.
        # (Not the body's opening: a description is written as a summary even when it is cut.)
        stem = fold(summary.rstrip(".… "))[:40]
        if stem and fold(standfirst).startswith(stem) and len(standfirst) > len(summary):
            summary = standfirst
    text = summary or standfirst or opening or (clean_excerpt(hints.excerpt) if hints and hints.excerpt else "")
    return cut(text)
