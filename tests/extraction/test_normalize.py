"""The shared string clean-up: invisible characters go, emoji sequences stay whole."""

from __future__ import annotations

import pytest

from crawler.extraction.normalize import collapse, plain_text

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
    assert plain_text(text, keep_soft_hyphens=True) == text


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


def test_soft_hyphens_are_kept_only_on_request() -> None:
    assert collapse("Helikopter\u00adlandeplatz") == "Helikopterlandeplatz"
    assert collapse("Helikopter\u00adlandeplatz", keep_soft_hyphens=True) == "Helikopter\u00adlandeplatz"


def test_emoji_headline_from_a_page_keeps_its_joiners() -> None:
    from crawler.extraction.title import headline

    title = f"Our {FAMILY} family day"
    got = headline(page(f'<meta property="og:title" content="{title}">', f"<article><h1>{title}</h1></article>"))
    assert got == title
