"""Small string clean-ups shared by the field extractors."""

from __future__ import annotations

import html
import re

_WS = re.compile(r"\s+")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_TAG = re.compile(r"<[A-Za-z/!][^<>]*>")
# Invisible characters that survive in CMS output: zero-width spaces/joiners, soft hyphen, BOM.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# The same without the soft hyphen: a headline keeps the hyphenation points its author put in.
_INVISIBLE_BUT_SHY = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


def collapse(text: str | None, *, keep_soft_hyphens: bool = False) -> str:
    """Whitespace runs (including NBSP and newlines) to one space, trimmed; invisible characters removed
    (soft hyphens too, unless ``keep_soft_hyphens``)."""
    if not text:
        return ""
    invisible = _INVISIBLE_BUT_SHY if keep_soft_hyphens else _INVISIBLE
    return _WS.sub(" ", invisible.sub("", text)).strip()


def clean_text(text: str | None, *, keep_soft_hyphens: bool = False) -> str:
    """Decode leftover (possibly double-escaped) entities, strip stray tags, collapse whitespace."""
    if not text:
        return ""
    for _ in range(2):  # meta values are sometimes escaped twice: "CD&amp;amp;V"
        if "&" not in text or not _ENTITY.search(text):
            break
        text = html.unescape(text)
    if "<" in text:
        text = _TAG.sub(" ", text)
    return collapse(text, keep_soft_hyphens=keep_soft_hyphens)


_NOT_ALNUM = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """A comparison key: case-folded, letters and digits only."""
    return _NOT_ALNUM.sub("", text.casefold())
