"""Tiny page builders for the extraction unit tests."""

from __future__ import annotations

from crawler.extraction.page import Page, parse_page


def html(head: str = "", body: str = "", html_attrs: str = "") -> str:
    """A minimal HTML document."""
    return f"<!doctype html><html{html_attrs}><head>{head}</head><body>{body}</body></html>"


def page(head: str = "", body: str = "", url: str = "https://news.example.com/2024/05/03/story/", **kw) -> Page:
    """A parsed minimal page."""
    return parse_page(html(head, body, kw.get("html_attrs", "")), url)


PARAGRAPHS = "".join(
    f"<p>Paragraph {i} of the story tells readers something new about the council vote and its budget.</p>"
    for i in range(6)
)
