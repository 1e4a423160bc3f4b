from __future__ import annotations

from crawler.extraction.text import body_text

from .helpers import page


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
