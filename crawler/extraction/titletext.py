"""Headline strings: site names and separators stripped, long headlines capped.

Pure string functions: which part of "Headline - Site | Section" is the headline (:func:`strip_site_name`),
candidates cut back to one another (:func:`cross_strip`, :func:`repair_quote_cut`), and the cap
(:func:`cap_headline`). The elements showing a headline are in :mod:`.headings`; the choice in :mod:`.title`.
"""

from __future__ import annotations

import re

import regex

from crawler.extraction.normalize import fold
from crawler.record import TITLE_MAX_CHARS

__all__ = [
    "cap_headline",
    "cross_strip",
    "names_site",
    "plausible_headline",
    "repair_quote_cut",
    "strip_site_name",
    "title_parts",
]

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


def names_site(part: str, folded_names: list[str], slack: int = 24) -> bool:
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
        if names_site(last, folded) or _GENERIC_PART.match(last.strip()) or not fold(last):
            title = title[: title.rfind(seps[-1])].strip()
        elif names_site(first, folded) or _GENERIC_PART.match(first.strip()) or not fold(first):
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


def title_parts(title: str) -> list[str]:
    """The comparison keys of a title's separated parts ("Headline | Blog" → ["headline", "blog"])."""
    return [fold(p) for p in _SEPARATOR.split(title)] if title else []


def cross_strip(candidate: str, others: list[tuple[str, str]]) -> str:
    """``candidate`` cut back to another candidate it extends by a separated tail ("Headline - Section")."""
    key = fold(candidate)
    for other, other_key in others:
        if other_key and other_key != key and key.startswith(other_key) and len(other_key) >= 12:
            rest = candidate[len(other) :] if candidate.startswith(other) else ""
            if rest and _SEPARATOR.match(rest):
                return other
    return candidate


_QUOTE_CUT = re.compile(r"^\s*[\"“„«]")


def repair_quote_cut(candidate: str, others: list[str]) -> str:
    """A meta value cut short at an unescaped quote (``content="Biden calls it "`` …): the full title."""
    for other in others:
        if (
            len(other) > len(candidate) + 2
            and other.startswith(candidate)
            and _QUOTE_CUT.match(other[len(candidate) :])
        ):
            return other
    return candidate


def plausible_headline(text: str) -> bool:
    """Whether ``text`` reads like a headline rather than a label: three words, or twenty characters."""
    return len(text.split()) >= 3 or len(text) >= 20


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
