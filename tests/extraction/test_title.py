from __future__ import annotations

from crawler.extraction.context import SiteRules
from crawler.extraction.title import headline, strip_site_name

from .helpers import page


def test_json_ld_headline_first_when_nothing_is_displayed() -> None:
    head = (
        '<script type="application/ld+json">{"@type":"NewsArticle","headline":"LD headline"}</script>'
        '<meta property="og:title" content="OG title"><title>Tag title</title>'
    )
    assert headline(page(head)) == "LD headline"


def test_og_then_twitter_then_title_tag() -> None:
    assert headline(page('<meta property="og:title" content="OG title"><title>T</title>')) == "OG title"
    assert headline(page('<meta name="twitter:title" content="TW title"><title>T</title>')) == "TW title"
    assert headline(page("<title>Only the tag</title>")) == "Only the tag"


def test_h1_confirmed_by_metadata_is_the_headline() -> None:
    head = '<meta property="og:title" content="Council approves budget | Daily Planet">'
    body = "<header><h1>Council approves budget</h1></header>"
    assert headline(page(head, body)) == "Council approves budget"


def test_displayed_h1_beats_seo_title() -> None:
    head = "<title>Budget 2024: everything you need to know (SEO)</title>"
    body = "<article><h1>Council approves a smaller budget after long night</h1></article>"
    assert headline(page(head, body)) == "Council approves a smaller budget after long night"


def test_site_name_suffix_and_prefix_are_stripped() -> None:
    names = ["Daily Planet", "dailyplanet.com"]
    assert strip_site_name("Storm hits coast - Daily Planet", names) == "Storm hits coast"
    assert strip_site_name("Daily Planet | Storm hits coast", names) == "Storm hits coast"
    assert strip_site_name("Storm hits coast – DAILY PLANET", names) == "Storm hits coast"
    assert strip_site_name("Storm hits coast - TechNode", [], (" - TechNode",)) == "Storm hits coast"


def test_bar_separated_parts_keep_the_first() -> None:
    assert strip_site_name("Storm hits coast | News | Unknown Site", []) == "Storm hits coast"


def test_hyphen_inside_headline_is_kept() -> None:
    assert strip_site_name("Fogo Unia Leszno - RM Solar Falubaz Zielona Góra", []) == (
        "Fogo Unia Leszno - RM Solar Falubaz Zielona Góra"
    )


def test_og_site_name_and_rules_name_are_stripped() -> None:
    head = '<meta property="og:site_name" content="Planet"><meta property="og:title" content="Rain again · Planet">'
    assert headline(page(head)) == "Rain again"
    assert headline(page('<meta property="og:title" content="Rain again - TN">'), SiteRules(name="TN")) == "Rain again"


def test_entities_and_whitespace() -> None:
    head = '<meta property="og:title" content="  Caf&amp;eacute;   &#8220;quoted&#8221;\n title ">'
    assert headline(page(head)) == "Café “quoted” title"


def test_logo_h1_is_not_the_headline() -> None:
    head = '<meta property="og:title" content="Storm hits the coast tonight">'
    body = '<h1 class="site-logo"><a href="/">Daily Planet</a></h1>'
    assert headline(page(head, body)) == "Storm hits the coast tonight"


def test_blog_name_h1_is_recognised_from_the_title_tag() -> None:
    head = "<title>Was ist virales Marketing? | DimidoBlog</title>"
    body = "<h1>DimidoBlog</h1><h2>Was ist virales Marketing?</h2>"
    assert headline(page(head, body)) == "Was ist virales Marketing?"


def test_kicker_inside_h1_is_dropped_when_metadata_confirms_the_rest() -> None:
    head = '<meta property="og:title" content="Daten von Rheinmetall gehackt">'
    body = (
        '<h1><span class="dachzeile">Interne Unterlagen</span> '
        '<span class="headline">Daten von Rheinmetall gehackt</span></h1>'
    )
    assert headline(page(head, body)) == "Daten von Rheinmetall gehackt"


def test_h1_child_spans_are_separated_but_punctuation_is_not() -> None:
    body = '<article><h1><span class="a">Bubi-Bomber wieder da</span>: Thioune fordert Geduld</h1></article>'
    assert headline(page("", body)) == "Bubi-Bomber wieder da: Thioune fordert Geduld"


def test_metadata_title_with_section_tail_yields_to_the_shorter_candidate() -> None:
    head = (
        '<meta property="og:title" content="Russia hits Kyiv with ballistic missile - National">'
        '<script type="application/ld+json">{"@type":"NewsArticle",'
        '"headline":"Russia hits Kyiv with ballistic missile"}</script>'
    )
    assert headline(page(head)) == "Russia hits Kyiv with ballistic missile"
