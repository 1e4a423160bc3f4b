from __future__ import annotations

import pytest
from lxml import etree
from lxml.html import fragment_fromstring

from crawler.extraction.normalize import collapse
from crawler.extraction.text import body_text, shown_text

from .helpers import PARAGRAPHS, page


def test_inline_style_and_script_code_is_not_body_text() -> None:
    paragraph = "The fuel cell charges quickly and turns carbon dioxide into formic acid for storage. " * 2
    body = (
        f"<article><h1>Fuel cell</h1><p><style>.flipboard {{ width:20px; }}</style>{paragraph}"
        f"<script>var x = 1;</script></p><p>Second paragraph. {paragraph}</p></article>"
    )
    text = body_text(page("", body))
    assert ".flipboard" not in text and "var x" not in text
    assert text.startswith("The fuel cell charges quickly")


def test_trafilatura_reads_a_body_our_paragraph_pass_cannot() -> None:
    # Text in bare <div>s, no <p>: our own pass finds nothing, trafilatura (the fallback) must.
    sentences = [
        f"Sentence {i} of the council report explains how the new budget shifts money to schools and transport."
        for i in range(12)
    ]
    body = "<div id='content'>" + "".join(f"<div>{s}</div>" for s in sentences) + "</div>"
    text = body_text(page("<title>Budget</title>", body))
    assert "Sentence 3 of the council report" in text


@pytest.mark.parametrize(
    ("markup", "shown"),
    [
        (
            "<p>The mayor resigned on Monday.<br>His deputy takes over.</p>",
            "The mayor resigned on Monday. His deputy takes over.",
        ),
        ("<li><div>Local Elections</div><div>The mayor resigns</div></li>", "Local Elections The mayor resigns"),
        ('<p><span style="display:block">Update</span>The mayor resigns</p>', "Update The mayor resigns"),
        ('<p><span class="dateline">BERLIN</span>The mayor resigns</p>', "BERLIN The mayor resigns"),
        (
            '<p><span class="dropcap">T</span>he mayor <b>re</b>signs, <em class="x">un</em>expectedly</p>',
            "The mayor resigns, unexpectedly",
        ),
        (
            '<p>CO<sub class="chem">2</sub> and <a class="link" href="/x">NASA</a>\'s budget</p>',
            "CO2 and NASA's budget",
        ),
    ],
)
def test_shown_text_separates_what_the_page_shows_apart_and_nothing_else(markup: str, shown: str) -> None:
    assert collapse(shown_text(fragment_fromstring(markup))) == shown


def test_body_paragraphs_with_line_breaks_are_not_glued() -> None:
    verse = "The first line of the council's statement on the budget is here"
    body = f"<article><h1>Budget</h1><p>{verse}.<br>And the second line follows it.</p>{PARAGRAPHS}</article>"
    assert f"{verse}. And the second line" in body_text(page("", body))


def test_the_fallback_reads_the_parsed_tree_and_leaves_it_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    # trafilatura gets the page's tree, not markup to parse again, and works on a copy of it: the text is
    # what the page's serialized markup gives, and the other fields still read the page unchanged.
    import trafilatura

    sentences = [
        f"Sentence {i} of the council report explains how the new budget shifts money to schools and transport."
        for i in range(12)
    ]
    doc = page("<title>Budget</title>", "<div id='content'>" + "".join(f"<div>{s}</div>" for s in sentences) + "</div>")
    markup = etree.tostring(doc.tree, encoding="unicode")
    given = []
    extract = trafilatura.extract
    monkeypatch.setattr(trafilatura, "extract", lambda content, **kw: given.append(content) or extract(content, **kw))
    text = body_text(doc)
    assert given == [doc.tree]
    options = {"fast": True, "include_comments": False, "include_tables": False, "include_images": False}
    assert text and text == extract(markup, url=doc.url, deduplicate=False, **options)
    assert etree.tostring(doc.tree, encoding="unicode") == markup
