"""The article's body text, plain.

Fast own pass first: JSON-LD ``articleBody``, else the paragraphs of the
story element (without the blocks :data:`~crawler.extraction.layout.TEXT_SKIP`
names: figures, asides, related stories, share boxes ...).
trafilatura (imported on first need: it is slow to import) only when that
finds too little.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import regex
from lxml import etree
from lxml.html import HtmlElement

from crawler.extraction.layout import TEXT_SKIP, breaks_line
from crawler.extraction.normalize import collapse, plain_text
from crawler.extraction.page import Page

__all__ = ["MIN_BODY_CHARS", "body_text", "normalised_for_hash", "shown_text"]

MIN_BODY_CHARS = 250
_BLOCK_TAGS = ("p", "h2", "h3", "li", "blockquote")
_ALL_PARAGRAPHS = etree.XPath("//p")


_NOT_SHOWN = frozenset({"script", "style", "noscript", "template", "rt", "rp"})


# The edge of an inline element styled on its own (it has a class: a kicker, a dateline, a drop cap) is a
# word break only where a new word starts on its far side: a capital, maybe after an opening quote, after
# the end of a word or sentence ("<span class=kicker>Local Elections</span>The mayor …"). Lower case
# continues the word ("<span class=dropcap>T</span>he", "<em class=x>un</em>believable"); an element
# without a class (``<b>Wo</b>rd``, a plain link) is never a break. Super- and subscripts belong to what
# they follow.
_SOFT_EDGE = "\x00"
_SOFT_BREAK = regex.compile(r"(?<=[\w.!?:;,\"'”»)\]…])\x00+(?=[\"'„“«‚‘(\[]?[\p{Lu}\p{Lt}])")
_ATTACHED = frozenset({"sup", "sub"})


def shown_text(
    element: HtmlElement, hidden: Callable[[HtmlElement], bool] | None = None, skip: Collection[HtmlElement] = ()
) -> str:
    """Text content as the page shows it: without inline ``<style>``/``<script>`` code (CMSs put widget CSS
    inside paragraphs), ruby annotations (the furigana over Japanese characters) and what ``hidden`` says
    is not shown; the direct children in ``skip`` left out. Text in separate blocks or lines (``<br>``, a
    kicker ``<div>`` in a heading: :func:`~crawler.extraction.layout.breaks_line`) is separated by a space,
    never glued into one word; so are separately styled inline parts where a new word starts."""
    if not len(element):
        return element.text or ""
    pieces = [element.text or ""]
    _children_text(element, pieces, hidden, skip)
    text = "".join(pieces)
    if _SOFT_EDGE in text:
        text = _SOFT_BREAK.sub(" ", text).replace(_SOFT_EDGE, "")
    return text


def _children_text(
    element: HtmlElement,
    pieces: list[str],
    hidden: Callable[[HtmlElement], bool] | None,
    skip: Collection[HtmlElement],
) -> None:
    for child in element:
        tag = child.tag
        if isinstance(tag, str) and tag not in _NOT_SHOWN and not (hidden and hidden(child)) and child not in skip:
            if breaks_line(child):
                edge = " "
            elif tag not in _ATTACHED and child.get("class"):
                edge = _SOFT_EDGE
            else:
                edge = ""
            pieces.append(edge)
            pieces.append(child.text or "")
            if len(child):
                _children_text(child, pieces, hidden, ())
            pieces.append(edge)
        pieces.append(child.tail or "")


def _paragraphs(page: Page, scope: HtmlElement) -> list[str]:
    layout = page.layout
    blocks = []
    for element in scope.iter(*_BLOCK_TAGS):
        if element.tag == "li" and element.getparent() is not None and element.getparent().get("class"):
            continue  # classed lists are menus and link lists more often than content
        if layout.context(element) & TEXT_SKIP:
            continue  # asides, figures, related stories, share and newsletter boxes, author bios
        text = collapse(shown_text(element))
        if text and (element.tag != "li" or len(text) > 40):
            blocks.append(text)
    # Nested blocks (p inside blockquote, li containing p) would repeat text.
    return list(dict.fromkeys(blocks))


def _ld_body(page: Page) -> str:
    for obj in page.ld_articles:
        value = obj.get("articleBody")
        if isinstance(value, str):
            text = plain_text(value)
            if len(text) >= MIN_BODY_CHARS:
                return value.strip()
    return ""


def _own_pass(page: Page) -> str:
    scope = page.layout.story
    if scope is not None:
        blocks = _paragraphs(page, scope)
        text = "\n\n".join(blocks)
        if len(text) >= MIN_BODY_CHARS:
            return text
    # No article container: the page's substantial paragraphs.
    blocks = [t for t in (collapse(shown_text(p)) for p in _ALL_PARAGRAPHS(page.tree)) if len(t) >= 80]
    text = "\n\n".join(dict.fromkeys(blocks))
    return text if len(text) >= MIN_BODY_CHARS else ""


def _trafilatura(page: Page) -> str:
    body = page.tree.find("body")
    if body is None or len(body.text_content()) < 4 * MIN_BODY_CHARS:
        return ""  # too little text on the whole page for a slower extractor to find an article in
    from trafilatura import extract  # a missing dependency must fail loudly, not read as "no body"

    try:
        text = extract(
            page.tree,  # parsed already: trafilatura works on a copy of it
            url=page.url,
            fast=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            deduplicate=False,
        )
    except Exception:  # trafilatura can fail on odd markup; no body is an acceptable answer
        return ""
    return text or ""


def body_text(page: Page) -> str:
    """Plain body text: paragraphs separated by blank lines ('' when the page has none)."""
    return _ld_body(page) or _own_pass(page) or _trafilatura(page)


def normalised_for_hash(text: str) -> str:
    """The form of a text that the content hash covers: whitespace collapsed, case-folded."""
    return collapse(text).casefold()
