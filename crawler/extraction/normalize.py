"""Small string clean-ups shared by the field extractors."""

from __future__ import annotations

import html
import re
from functools import lru_cache

import regex

_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_TAG = re.compile(r"<[A-Za-z/!][^<>]*>")
# Format characters (Unicode category Cf) readers never see, removed wherever they are: the soft hyphen (a
# hyphenation hint: "Kon\u00adsul\u00adta\u00adtion" must match "Konsultation"), zero-width space, LRM/RLM and
# the Arabic letter mark, bidi embeddings, overrides and isolates, word joiner and invisible operators, BOM,
# interlinear annotation marks, the language tag. The other Cf characters are spelling: the prepended
# concatenation marks (visible: the Arabic number sign), the Mongolian vowel separator, Egyptian hieroglyph,
# shorthand and musical format controls; ZWNJ/ZWJ and tag characters depend on their context (below).
# tests/extraction/test_normalize.py checks this class against the whole Cf category.
_FORMAT = "\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000e0001"
_INVISIBLE = re.compile(f"[\u00ad{_FORMAT}]")

# Invisible characters that are part of emoji sequences (UTS #51) and debris anywhere else: the zero-width
# joiner (👩‍👩‍👧), the text/emoji variation selectors (❤️, ™︎), the combining keycap (1️⃣) and the tag
# characters of flag tag sequences (🏴 Scotland). Outside a sequence they are removed: "Zero\u200dwidth".
_EMOJI_PART = "[\u200d\ufe0e\ufe0f\u20e3\U000e0020-\U000e007f]"
# One emoji with what may follow it (skin tone, presentation selector, a complete tag sequence), or a keycap.
_EMOJI_ELEMENT = (
    r"(?:[#*0-9]\uFE0F?\u20E3"
    r"|\p{Extended_Pictographic}(?:\p{Emoji_Modifier}|[\uFE0E\uFE0F]|[\U000E0020-\U000E007E]+\U000E007F)*)"
)
# ZWNJ and ZWJ are spelling in the scripts whose letters join or form conjuncts: Persian "می‌خواهم", Hindi
# "क्‍ष", Malayalam chillus (virama + ZWJ, also at a word's end). They are kept after a letter of such a
# script (Arabic-like joining type, or an Indic syllabic category), with its marks, when a letter or mark
# follows; and a ZWJ after a virama. Between Latin, Cyrillic or CJK letters, and at a word's end, they are debris.
_JOINING_LETTER = r"[\p{L}&&[\P{Joining_Type=Non_Joining}\P{Indic_Syllabic_Category=Other}]]"
_SPELLING_JOINER = (
    rf"(?<={_JOINING_LETTER}\p{{M}}*)[\u200c\u200d](?=[\p{{L}}\p{{M}}])|(?<=\p{{Indic_Syllabic_Category=Virama}})\u200d"
)
# What the context decides: a whole emoji sequence (elements joined by ZWJ) or a joiner in a word: kept;
# else one of the parts, or a joiner, on its own: removed.
_CONTEXTUAL_CHARS = "\u200c\u200d\ufe0e\ufe0f\u20e3\U000e0020-\U000e007f"
_CONTEXTUAL = re.compile(f"[{_CONTEXTUAL_CHARS}]")
_ANY = re.compile(f"[\u00ad{_FORMAT}{_CONTEXTUAL_CHARS}]")  # one scan for the text that has none
_KEPT_OR_PART = regex.compile(
    f"({_EMOJI_ELEMENT}(?:\u200d{_EMOJI_ELEMENT})*|{_SPELLING_JOINER})|{_EMOJI_PART}|\u200c", regex.V1
)


def _keep_sequence(match: regex.Match[str]) -> str:
    return match.group(1) or ""


def strip_invisible(text: str) -> str:
    """``text`` without invisible format characters: soft hyphens, zero-width
    spaces, word joiners, direction marks and controls, BOMs; zero-width joiners, variation selectors,
    keycaps and tag characters except inside an emoji sequence, which stays whole (👩‍👩‍👧, 🏳️‍🌈, 1️⃣, 🏴
    flags); and ZWNJ/ZWJ except where they join letters of a script that spells with them."""
    if text.isascii() or not _ANY.search(text):  # (isascii is a flag: no scan)
        return text
    text = _INVISIBLE.sub("", text)
    if _CONTEXTUAL.search(text):
        text = _KEPT_OR_PART.sub(_keep_sequence, text)
    return text


def collapse(text: str | None) -> str:
    """Whitespace runs (including NBSP and newlines) to one space, trimmed; invisible characters removed
    (:func:`strip_invisible`: soft hyphens too, emoji sequences kept whole)."""
    if not text:
        return ""
    # str.split() splits at exactly the characters regex \s matches (str.isspace), three times faster.
    return " ".join(strip_invisible(text).split())


def plain_text(text: str | None) -> str:
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
    return collapse(text)


_NOT_ALNUM = re.compile(r"[\W_]+")


@lru_cache(maxsize=4096)  # the same headlines and names are compared many times over a page
def fold(text: str) -> str:
    """A comparison key: case-folded, letters and digits only."""
    return _NOT_ALNUM.sub("", text.casefold())


class NamePattern:
    """A case-insensitive search in an element's names (class, id, itemprop values), for a pattern written
    in lower case.

    Names are nearly always ASCII: such names are lower-cased and searched case-sensitively, which gives
    the same answer as ``re.IGNORECASE`` several times faster (``re`` then skips to the positions where a
    word's first letter is); other names get the case-insensitive search.
    """

    def __init__(self, pattern: str):
        if pattern != pattern.lower():
            raise ValueError(f"not a lower-case pattern: {pattern!r}")
        self._lower = re.compile(pattern)
        self._any_case = re.compile(pattern, re.IGNORECASE)
        self.search = lru_cache(maxsize=4096)(self._search)  # names repeat over a page and across pages

    def _search(self, names: str) -> bool:
        """Whether the pattern occurs in ``names``, in any case."""
        if names.isascii():
            return self._lower.search(names.lower()) is not None
        return self._any_case.search(names) is not None
