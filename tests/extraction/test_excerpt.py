from __future__ import annotations

import re

import pytest

from crawler.extraction.context import Hints
from crawler.extraction.excerpt import _TAILS, _without_tail, clean_excerpt, cut, excerpt

from .helpers import PARAGRAPHS, page


def test_meta_description_is_the_summary() -> None:
    head = '<meta name="description" content="The council approved a smaller budget after a long night of talks.">'
    assert excerpt(page(head), "Budget", "") == "The council approved a smaller budget after a long night of talks."


def test_feed_debris_is_removed() -> None:
    assert clean_excerpt("A summary of the story [&#8230;]") == "A summary of the story"
    assert clean_excerpt("A summary. The post Budget appeared first on Daily Planet.") == "A summary."
    assert clean_excerpt("A summary of it. Continue reading") == "A summary of it."
    assert clean_excerpt("A summary of it… Read more »") == "A summary of it…"
    assert clean_excerpt("Summary text [...]") == "Summary text"


def test_boilerplate_description_falls_back_to_the_body() -> None:
    head = '<meta name="description" content="Read the latest news and headlines from the Daily Planet.">'
    body = "Paragraph one of the story tells readers something new about the council vote and its budget."
    assert excerpt(page(head), "Budget", body).startswith("Paragraph one")


def test_title_repeated_as_description_is_not_a_summary() -> None:
    head = '<meta name="description" content="Council approves budget after long night of talks">'
    assert excerpt(page(head), "Council approves budget after long night of talks", "") == ""


def test_truncated_tease_yields_to_the_full_standfirst() -> None:
    head = '<meta name="description" content="The council approved a smaller budget after a long...">'
    body = (
        '<article><h1>Budget</h1><p class="standfirst">The council approved a smaller budget after a long '
        "night of talks with unions.</p>" + PARAGRAPHS + "</article>"
    )
    assert excerpt(page(head, body), "Budget", "") == (
        "The council approved a smaller budget after a long night of talks with unions."
    )


def test_standfirst_when_no_description() -> None:
    body = '<article><h1>Budget</h1><div class="article-lead">A lead paragraph that sums the story up.</div></article>'
    assert excerpt(page("", body), "Budget", "") == "A lead paragraph that sums the story up."


def test_hint_excerpt_is_the_fallback_and_is_cleaned() -> None:
    hint = Hints(excerpt="<p>Feed summary of the council story [&hellip;]</p>")
    assert excerpt(page(""), "Budget", "", hint) == "Feed summary of the council story"


def test_cut_at_a_sentence_or_word_boundary() -> None:
    text = "First sentence is here. " * 20
    short = cut(text, 100)
    assert len(short) <= 100 and short.endswith(".")
    words = "word " * 100
    cut_words = cut(words.strip(), 50)
    assert cut_words.endswith("…") and len(cut_words) <= 51 and " wor…" not in cut_words


def test_short_description_is_still_a_summary() -> None:
    assert excerpt(page('<meta name="description" content="A preventable crisis.">'), "Budget", "") == (
        "A preventable crisis."
    )
    # One or two words are a label, not a summary.
    body = "The council approved a smaller budget after a long night of talks with the unions."
    assert excerpt(page('<meta name="description" content="Vollversammlung">'), "Budget", body) == body


def test_description_without_spaces_in_a_cjk_language() -> None:
    head = '<meta name="description" content="益阳近3年连续举办智慧乡村互联网大会，赋能农业无土栽培。">'
    assert excerpt(page(head), "益阳", "") == "益阳近3年连续举办智慧乡村互联网大会，赋能农业无土栽培。"


def test_byline_and_placeholder_descriptions_are_not_summaries() -> None:
    body = "The council approved a smaller budget after a long night of talks with the unions."
    for text in ("Written by HLNF Staff Report", "Visit the post for more."):
        assert excerpt(page(f'<meta name="description" content="{text}">'), "Budget", body) == body


def test_displayed_standfirst_that_continues_the_description_wins() -> None:
    head = '<meta name="description" content="The council approved a smaller budget.">'
    body = (
        '<article><h1>Budget</h1><div class="article-lead"><p>The council approved a smaller budget. Unions had '
        "asked for more.</p></div>" + PARAGRAPHS + "</article>"
    )
    assert (
        excerpt(page(head, body), "Budget", "") == "The council approved a smaller budget. Unions had asked for more."
    )


def test_key_points_list_is_the_summary() -> None:
    head = '<meta name="description" content="A social summary written for sharing the story.">'
    body = (
        '<article><h1>Budget</h1><ul class="summary-list"><li>The council approved a smaller budget.</li>'
        "<li>Unions had asked for more</li></ul>" + PARAGRAPHS + "</article>"
    )
    assert excerpt(page(head, body), "Budget", "") == (
        "The council approved a smaller budget. Unions had asked for more."
    )


def test_ordinal_numbers_do_not_end_a_sentence() -> None:
    text = "Galatasaray and Fenerbahce fight on, and Icardi leads the race in the 34. week with goals " * 3
    assert (
        cut(text, 100) == "Galatasaray and Fenerbahce fight on, and Icardi leads the race in the 34. week with goals…"
    )


def test_an_early_sentence_end_yields_to_the_word_boundary() -> None:
    text = "Short first sentence. " + "and then a very long second sentence without any end " * 10
    short = cut(text, 200)
    assert short.endswith("…") and len(short) > 150


def test_standfirst_parts_in_separate_elements_are_not_glued() -> None:
    body = (
        '<article><h1>Budget</h1><div class="lead"><span class="dateline">BERLIN</span>The council approved '
        "a smaller budget.<br>Schools get more money than last year.</div>" + PARAGRAPHS + "</article>"
    )
    assert excerpt(page("", body), "Budget", "") == (
        "BERLIN The council approved a smaller budget. Schools get more money than last year."
    )


def test_excerpt_loses_invisible_characters() -> None:
    description = "Die Kon&shy;sul&shy;ta&shy;tion\u200e beginnt \u2066heute\u2069 im Rathaus."
    head = f'<meta name="description" content="{description}">'
    assert excerpt(page(head), "Budget", "") == "Die Konsultation beginnt heute im Rathaus."


@pytest.mark.parametrize(
    "text",
    [
        "A summary of it. \u00a0 Read more about the council vote »",
        "Read more",
        "A summary (more…)",
        "A summary. The post Budget appeared first on Daily Planet.",
        "Read more of the budget in the council's report, not a tail",
        "A summary… Weiterlesen …  ",
        "A summary\tCzytaj WIĘCEJ.",
    ],
)
def test_a_tail_goes_with_the_white_space_before_it(text: str) -> None:
    # The tails are searched without the leading \s* (far faster), and the white space is taken off after.
    for tail in _TAILS:
        assert _without_tail(text, tail) == re.sub(r"\s*" + tail.pattern, " ", text, flags=tail.flags)
