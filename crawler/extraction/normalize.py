"""Small string clean-ups shared by the field extractors."""

from __future__ import annotations

import html
import re

import regex

_WS = re.compile(r"\s+")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_TAG = re.compile(r"<[A-Za-z/!][^<>]*>")
# Invisible characters that survive in CMS output: zero-width spaces/non-joiners, word joiner, soft hyphen, BOM.
_INVISIBLE = re.compile("[\u200b\u200c\u2060\ufeff\u00ad]")
# The same without the soft hyphen: a headline keeps the hyphenation points its author put in.
_INVISIBLE_BUT_SHY = re.compile("[\u200b\u200c\u2060\ufeff]")

# Invisible characters that are part of emoji sequences (UTS #51) and debris anywhere else: the zero-width
# joiner (👩‍👩‍👧), the text/emoji variation selectors (❤️, ™︎), the combining keycap (1️⃣) and the tag
# characters of flag tag sequences (🏴 Scotland). Outside a sequence they are removed: "Zero\u200dwidth".
_EMOJI_PART = "[\u200d\ufe0e\ufe0f\u20e3\U000e0000-\U000e007f]"
_EMOJI_PARTS = re.compile(_EMOJI_PART)
# One emoji with what may follow it (skin tone, presentation selector, a complete tag sequence), or a keycap.
_EMOJI_ELEMENT = (
    r"(?:[#*0-9]\uFE0F?\u20E3"
    r"|\p{Extended_Pictographic}(?:\p{Emoji_Modifier}|[\uFE0E\uFE0F]|[\U000E0020-\U000E007E]+\U000E007F)*)"
)
# A whole sequence (elements joined by ZWJ: kept), else one of the parts on its own (debris: removed).
_EMOJI_OR_PART = regex.compile(f"({_EMOJI_ELEMENT}(?:\u200d{_EMOJI_ELEMENT})*)|{_EMOJI_PART}")


def _keep_emoji(match: regex.Match[str]) -> str:
    return match.group(1) or ""


def strip_invisible(text: str, *, keep_soft_hyphens: bool = False) -> str:
    """``text`` without invisible characters: zero-width spaces, word joiners, BOMs, soft hyphens (unless
    ``keep_soft_hyphens``); and zero-width joiners, variation selectors, keycaps and tag characters except
    inside an emoji sequence, which stays whole (👩‍👩‍👧, 🏳️‍🌈, 1️⃣, 🏴 flags)."""
    text = (_INVISIBLE_BUT_SHY if keep_soft_hyphens else _INVISIBLE).sub("", text)
    if _EMOJI_PARTS.search(text):
        text = _EMOJI_OR_PART.sub(_keep_emoji, text)
    return text


def collapse(text: str | None, *, keep_soft_hyphens: bool = False) -> str:
    """Whitespace runs (including NBSP and newlines) to one space, trimmed; invisible characters removed
    (:func:`strip_invisible`: soft hyphens too unless ``keep_soft_hyphens``, emoji sequences kept whole)."""
    if not text:
        return ""
    return _WS.sub(" ", strip_invisible(text, keep_soft_hyphens=keep_soft_hyphens)).strip()


def plain_text(text: str | None, *, keep_soft_hyphens: bool = False) -> str:
    """A meta, JSON-LD or attribute value as plain text: leftover (possibly double-escaped) entities
    decoded, stray tags stripped, whitespace collapsed (:func:`collapse`)."""
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
