"""The shared string clean-up: invisible characters go, emoji sequences stay whole."""

from __future__ import annotations

import re
import unicodedata

import pytest

from crawler.extraction.normalize import NamePattern, collapse, plain_text

from .helpers import page

FAMILY = "\U0001f469\u200d\U0001f469\u200d\U0001f467"  # 👩‍👩‍👧
EMOJI_SEQUENCES = [
    FAMILY,
    "\U0001f469\U0001f3fd\u200d\U0001f4bb",  # 👩🏽‍💻 (skin tone before the joiner)
    "\U0001f3f3\ufe0f\u200d\U0001f308",  # 🏳️‍🌈 (variation selector before the joiner)
    "\u2764\ufe0f\u200d\U0001f525",  # ❤️‍🔥
    "\U0001f3f4\u200d\u2620\ufe0f",  # 🏴‍☠️
    "\U0001f9d1\u200d\U0001f91d\u200d\U0001f9d1",  # 🧑‍🤝‍🧑
    "\u2764\ufe0f",  # ❤️ (emoji presentation)
    "\u2122\ufe0e",  # ™︎ (text presentation)
    "1\ufe0f\u20e3",  # 1️⃣ (keycap)
    "#\u20e3",  # #⃣ (keycap without the selector)
    "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",  # 🏴 Scotland (tag sequence)
    "\U0001f1fa\U0001f1e6",  # 🇺🇦 (regional indicators: nothing invisible, must stay too)
]


@pytest.mark.parametrize("sequence", EMOJI_SEQUENCES)
def test_emoji_sequences_round_trip(sequence: str) -> None:
    text = f"Families {sequence} celebrate {sequence}"
    assert collapse(text) == text
    assert plain_text(text) == text


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("Zero\u200dwidth joiner", "Zerowidth joiner"),  # between Latin letters: debris
        ("trailing \U0001f469\u200d", "trailing \U0001f469"),  # a joiner with nothing to join
        ("\u200d\U0001f469 leading", "\U0001f469 leading"),
        ("a\u200d\U0001f469", "a\U0001f469"),  # a letter is not an emoji
        ("Text\ufe0f with a selector", "Text with a selector"),
        ("digit 1\ufe0f alone", "digit 1 alone"),  # no keycap follows
        ("Keycap\u20e3 on a letter", "Keycap on a letter"),
        ("tag\U000e0041\U000e0042\U000e007f smuggling", "tag smuggling"),  # tags outside a flag
        ("\U0001f3f4\U000e0067\U000e0062 unterminated", "\U0001f3f4 unterminated"),  # no cancel tag
        ("Zero\u200bwidth\u2060 and\ufeff\u200c more", "Zerowidth and more"),
    ],
)
def test_invisible_characters_outside_emoji_sequences_are_removed(dirty: str, clean: str) -> None:
    assert collapse(dirty) == clean
    assert plain_text(dirty) == clean


def test_a_zero_width_space_inside_a_sequence_does_not_break_the_joiner() -> None:
    assert collapse("\U0001f469\u200b\u200d\U0001f467") == "\U0001f469\u200d\U0001f467"


def test_soft_hyphens_are_removed() -> None:
    assert collapse("Helikopter\u00adlandeplatz") == "Helikopterlandeplatz"


def test_emoji_headline_from_a_page_keeps_its_joiners() -> None:
    from crawler.extraction.title import headline

    title = f"Our {FAMILY} family day"
    got = headline(page(f'<meta property="og:title" content="{title}">', f"<article><h1>{title}</h1></article>"))
    assert got == title


# The format characters (Cf) that are spelling, not debris: the prepended concatenation marks (visible, the
# Arabic number sign), the Mongolian vowel separator, Egyptian hieroglyph, shorthand and musical controls.
SPELLING_FORMAT = {
    *range(0x0600, 0x0606),
    0x06DD,
    0x070F,
    0x0890,
    0x0891,
    0x08E2,
    0x110BD,
    0x110CD,
    0x180E,
    *range(0x13430, 0x13440),
    *range(0x1BCA0, 0x1BCA4),
    *range(0x1D173, 0x1D17B),
}


def test_every_invisible_format_character_is_removed_between_latin_letters() -> None:
    format_characters = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"]
    assert "\u00ad" in format_characters and "\u2066" in format_characters
    for character in format_characters:
        expected = f"ab{character}cd" if ord(character) in SPELLING_FORMAT else "abcd"
        assert collapse(f"ab{character}cd") == expected, f"U+{ord(character):04X}"


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("Kon\u00adsul\u00adta\u00adtion", "Konsultation"),  # soft hyphens: hyphenation hints
        ("Left\u200e to\u200f right", "Left to right"),  # LRM, RLM
        ("\u202bعاجل\u202c: \u2067خبر\u2069", "عاجل: خبر"),  # bidi embedding and isolate controls
        ("\ufeffBOM inside\ufeff text", "BOM inside text"),
        ("Auf\u200clage", "Auflage"),  # a ZWNJ between Latin letters (a ligature hint): invisible
        ("خانه\u200c ها", "خانه ها"),  # a ZWNJ at a word's end joins nothing
        ("При\u200dвет", "Привет"),  # a ZWJ in Cyrillic
    ],
)
def test_invisible_format_characters_are_removed(dirty: str, clean: str) -> None:
    assert collapse(dirty) == clean
    assert plain_text(dirty) == clean


@pytest.mark.parametrize(
    "word",
    [
        "می\u200cخواهم",  # Persian: ZWNJ keeps the prefix apart ("I want")
        "کتاب\u200cها",  # Persian plural suffix
        "مَ\u200cی",  # after a letter with its vowel mark
        "क्\u200dष",  # Devanagari: ZWJ after the virama (half form)
        "क्\u200cष",  # Devanagari: ZWNJ (explicit virama)
        "ශ්\u200dරී",  # Sinhala: virama + ZWJ (rakaransaya)
        "അവന്\u200d",  # Malayalam chillu (virama + ZWJ) at a word's end
        "র\u200d্য",  # Bengali: ZWJ before the virama (ya-phala)
    ],
)
def test_joiners_that_spell_a_word_are_kept(word: str) -> None:
    text = f"{word} {word}"
    assert collapse(text) == text
    assert plain_text(text) == text


def test_prepended_concatenation_marks_are_visible_and_kept() -> None:
    assert collapse("\u0600\u0661\u0662\u0663") == "\u0600\u0661\u0662\u0663"  # Arabic number sign + digits


@pytest.mark.parametrize(
    "names",
    ["article-LEAD", "Intro", "sub-title x", "lexicon", "", "Über-Lead", "İNTRO", "post-content", "TEASER\u00a0box"],
)
def test_a_name_pattern_answers_as_a_case_insensitive_search(names: str) -> None:
    # ASCII names are lower-cased and searched case-sensitively (faster); the answer is the same.
    pattern = r"lead|intro|sub-?title|teaser\b"
    assert NamePattern(pattern).search(names) == bool(re.search(pattern, names, re.IGNORECASE))


def test_a_name_pattern_is_written_in_lower_case() -> None:
    with pytest.raises(ValueError, match="lower-case"):
        NamePattern(r"Lead|\S+")
