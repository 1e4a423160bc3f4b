from __future__ import annotations

import pytest
from lxml.html import fragment_fromstring

from crawler.extraction.context import Hints, SiteRules
from crawler.extraction.headings import Heading
from crawler.extraction.page import parse_page
from crawler.extraction.title import headline, strip_site_name

from .helpers import html, page


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


# ---- breadcrumb h1s, kickers, hidden text ------------------------------------------------------


def test_breadcrumb_h1_yields_to_the_displayed_h2() -> None:
    head = '<meta property="og:title" content="Council approves a smaller budget">'
    body = (
        '<article><nav class="breadcrumb"><ol><li><a href="/">Home</a></li>'
        "<li><h1>Budget 2024: everything about the council vote</h1></li></ol></nav>"
        '<header><h2 class="article-title">Council approves a smaller budget</h2></header></article>'
    )
    assert headline(page(head, body)) == "Council approves a smaller budget"


def test_breadcrumb_marked_by_a_data_attribute() -> None:
    head = '<meta property="og:title" content="Trump posts another picture">'
    body = (
        '<div data-testid="BreadcrumbArea"><a href="/">Home</a><h1>Trump posts after criticism of the pope</h1></div>'
        "<main><h2>Trump posts another picture</h2></main>"
    )
    assert headline(page(head, body)) == "Trump posts another picture"


def test_kicker_marked_in_the_h1_is_dropped_even_when_metadata_repeats_it() -> None:
    head = '<meta property="og:title" content="Corona-Pandemie - Es kommt darauf an, wie Menschen sterben">'
    body = (
        '<article><h1><span class="teaser__kicker">Corona-Pandemie</span><span class="visually-hidden"> - </span>'
        '<span class="h1">Es kommt darauf an, wie Menschen sterben</span></h1></article>'
    )
    assert headline(page(head, body)) == "Es kommt darauf an, wie Menschen sterben"


def test_part_before_a_hidden_separator_is_a_kicker() -> None:
    head = '<meta property="og:title" content="SVP party congress – Chiesa calls for political resistance">'
    body = (
        '<article><h2 class="ContentHead_title"><span class="ContentHead_titleheader">SVP party congress</span>'
        '<span aria-hidden="true"> – </span><span class="ContentHead_text">Chiesa calls for political resistance'
        "</span></h2></article>"
    )
    assert headline(page(head, body)) == "Chiesa calls for political resistance"


def test_child_named_headline_beats_its_unnamed_sibling() -> None:
    head = '<meta property="og:title" content="&quot;It will start soon&quot;: Trump talks about ground operations">'
    body = (
        '<article><h1><span class="text-s red">"It will start soon"</span>'
        '<span class="text-xxl article-detail-head_headline">Trump talks about ground operations</span></h1></article>'
    )
    assert headline(page(head, body)) == "Trump talks about ground operations"


def test_kicker_is_kept_when_json_ld_and_og_title_both_include_it() -> None:
    head = (
        '<script type="application/ld+json">{"@type":"NewsArticle",'
        '"headline":"Dismantling a plant - Cooling towers blown up"}</script>'
        '<meta property="og:title" content="Dismantling a plant: Cooling towers blown up">'
    )
    body = (
        '<article><h1><span class="article-kicker">Dismantling a plant</span>'
        '<span class="article-headline">Cooling towers blown up</span></h1></article>'
    )
    assert headline(page(head, body)) == "Dismantling a plant: Cooling towers blown up"


def test_small_line_before_a_break_is_dropped_only_when_metadata_confirms() -> None:
    body = (
        '<article><h1 itemprop="headline"><small>Tunisia</small><br/> Big tasks for the new government</h1></article>'
    )
    confirmed = '<meta property="og:title" content="Big tasks for the new government">'
    assert headline(page(confirmed, body)) == "Big tasks for the new government"
    assert headline(page("", body)) == "Tunisia Big tasks for the new government"


def test_visually_hidden_text_and_hidden_h1s_are_not_displayed() -> None:
    body = (
        '<h1 class="header pagetitle hidden">News</h1>'
        '<article><h1>What we do not want to hear<span class="element-invisible"> | OTHER.NET</span></h1></article>'
    )
    assert headline(page("<title>News - Example</title>", body)) == "What we do not want to hear"


def test_ruby_annotations_are_not_part_of_the_headline() -> None:
    body = "<article><h1><ruby>子<rt>こ</rt></ruby>どもへの<ruby>体罰<rt>たいばつ</rt></ruby>を禁止する</h1></article>"
    assert headline(page("", body)) == "子どもへの体罰を禁止する"


def test_soft_hyphens_and_other_invisible_characters_leave_the_headline() -> None:
    # Hyphenation hints readers never see: the headline must match, be found and relate as plain words.
    body = "<article><h1>Trump plant Helikopter&shy;landeplatz am Weissen\u200b Haus</h1></article>"
    assert headline(page("", body)) == "Trump plant Helikopterlandeplatz am Weissen Haus"
    head = '<meta property="og:title" content="Kon&shy;sul&shy;ta&shy;tion zum \u2066Haus\u2069halt">'
    assert headline(page(head)) == "Konsultation zum Haushalt"
    assert headline(page(), hints=Hints(title="Kon\u00adsul\u00adta\u00adtion\u200e")) == "Konsultation"  # a feed's


def test_a_persian_headline_keeps_its_zero_width_non_joiners() -> None:
    title = "دولت می\u200cخواهد قیمت\u200cها را کنترل کند"
    assert (
        headline(page(f'<meta property="og:title" content="{title}">', f"<article><h1>{title}</h1></article>")) == title
    )


@pytest.mark.parametrize(
    "markup",
    [
        "<div>Local Elections</div>The mayor resigns over the budget",  # a block without a class
        '<a href="/s"><span class="kicker">Local Elections</span><span class="t">The mayor resigns over the budget'
        "</span></a>",  # styled parts one level down, in a link
        '<a href="/s">Local Elections<br>The mayor resigns over the budget</a>',  # a line break in a link
        '<span class="top">Local Elections:</span>The mayor resigns over the budget',
        '<span class="top">Local Elections</span>"The mayor resigns over the budget"',
    ],
)
def test_kicker_and_headline_in_separate_parts_are_never_glued(markup: str) -> None:
    text = Heading(fragment_fromstring(f"<h1>{markup}</h1>")).text
    assert "Elections The" in text or "Elections: The" in text or 'Elections "The' in text


def test_inline_markup_inside_a_word_gets_no_space() -> None:
    markup = (
        '<h1><span class="dropcap">T</span>he <b>Wo</b>rd is <em class="stress">un</em>believable, '
        'says <a class="person" href="/p">Merkel</a>s <span class="n">CEO</span>\'s team<sup class="fn">1</sup></h1>'
    )
    assert Heading(fragment_fromstring(markup)).text == "The Word is unbelievable, says Merkels CEO's team1"


def test_korean_bar_and_cjk_site_tails_are_stripped() -> None:
    names = ["한국일보"]
    assert (
        strip_site_name("장동혁, 한동훈 제명했지만 부담 커졌다-정치ㅣ한국일보", names)
        == "장동혁, 한동훈 제명했지만 부담 커졌다"
    )
    assert (
        strip_site_name("武汉的声音：有英勇的你，才有英雄的城！-新华网", []) == "武汉的声音：有英勇的你，才有英雄的城！"
    )
    assert strip_site_name("Covid-19 rules change - Daily Planet", ["Daily Planet"]) == "Covid-19 rules change"


def test_quotes_and_asterisks_at_the_ends_are_kept() -> None:
    assert strip_site_name("»frag.jetzt« – ARSnova", ["ARSnova"]) == "»frag.jetzt«"
    assert strip_site_name("*Ab Montag* 10000 Produkttester gesucht*", []) == "*Ab Montag* 10000 Produkttester gesucht*"


def test_meta_title_cut_at_an_unescaped_quote_is_repaired() -> None:
    head = (
        '<meta property="og:title" content="Senator calls Biden "incapacitated"">'
        '<title>Senator calls Biden "incapacitated"</title>'
    )
    assert headline(page(head)) == 'Senator calls Biden "incapacitated"'


def test_first_part_of_the_title_is_the_headline_unless_another_heading_shows_a_part() -> None:
    head = "<title>Ben Wilson Surf - Point of Sail - Sail maker and kite shop in Kiel</title>"
    assert headline(page(head, "<div><h1>Ben Wilson Surf</h1></div>")) == "Ben Wilson Surf"
    head = "<title>Time 4 talks » Blog Archiv » Digital cinemas in Switzerland</title>"
    body = "<div><h1>Time 4 talks</h1><h2>Digital cinemas in Switzerland</h2></div>"
    assert headline(page(head, body)) == "Digital cinemas in Switzerland"


def test_body_classes_do_not_make_the_h1_a_logo() -> None:
    head = (
        '<meta property="og:site_name" content="Site">'
        '<meta property="og:title" content="Ukraine joins - Austria pays - Site">'
    )
    body = '<div class="widget"><h1 class="heading-title">Ukraine joins – Austria pays</h1></div>'
    doc = parse_page(
        html(head, body, ' class="x"').replace("<body>", '<body class="wp-custom-logo">'), "https://site.example/a"
    )
    assert headline(doc) == "Ukraine joins – Austria pays"


def test_a_body_section_h2_is_not_taken_for_the_headline() -> None:
    head = '<meta property="og:title" content="What is a facing shell and what does it bring?">'
    body = (
        '<nav class="breadcrumb"><h1>What is a facing shell and what does it bring?</h1></nav>'
        '<article><h2 class="paragraph__headline">What is a facing shell?</h2><p>Text.</p></article>'
    )
    assert headline(page(head, body)) == "What is a facing shell and what does it bring?"


def test_separator_element_before_loose_headline_text() -> None:
    head = '<meta property="og:title" content="Düsseldorf: Dead pigeons found in the arena">'
    body = (
        '<nav><ol class="breadcrumb"><li><h1>Düsseldorf arena: charity files complaint</h1></li></ol></nav>'
        '<article><header><h2 class="dm_article_headline"><strong>Düsseldorf</strong>'
        '<span class="hiddenElement">:</span> Dead pigeons found in the arena</h2></header></article>'
    )
    assert headline(page(head, body)) == "Dead pigeons found in the arena"


def test_a_headline_that_mentions_the_site_name_is_still_the_headline() -> None:
    head = '<meta property="og:site_name" content="Hummeln"><title>Tote Hummeln unter Linden: Die Erklärung</title>'
    body = '<h1 class="entry-title">Tote Hummeln unter Linden</h1><p>Text.</p>'
    assert headline(page(head, body)) == "Tote Hummeln unter Linden"
    # A heading that is the name with a word or two more is the site's.
    head = '<meta property="og:site_name" content="MyOOS"><title>Was ist Freie Software - MyOOS Forum</title>'
    body = "<h1>MyOOS Community Forum</h1><h2>Was ist Freie Software</h2><p>Text.</p>"
    assert headline(page(head, body)) == "Was ist Freie Software"


def test_an_anchor_inside_the_h1_is_not_a_link_home() -> None:
    head = "<title>ORSO MARSICANO: 2019 UN ANNO DA RECORD | Parco Nazionale d'Abruzzo</title>"
    body = '<h1><a name="top"></a>ORSO MARSICANO: 2019 UN ANNO DA RECORD</h1><p>Text.</p>'
    assert headline(page(head, body)) == "ORSO MARSICANO: 2019 UN ANNO DA RECORD"
    home = '<h1><a href="https://news.example.com/">The Daily Example</a></h1><h2>Council votes</h2>'
    assert headline(page("<title>Council votes | The Daily Example</title>", home)) == "Council votes"


def test_headline_subtitle_and_site_in_the_title_tag() -> None:
    head = "<title>Vom Boden aus gedacht - Ann Cotten verwebt Lokales und Globales - literaturkritik.de</title>"
    body = "<h1>Vom Boden aus gedacht</h1><h2>Ann Cotten verwebt Lokales und Globales</h2><p>Text.</p>"
    assert headline(page(head, body, url="https://literaturkritik.de/cotten,30063.html")) == "Vom Boden aus gedacht"


def test_a_link_to_the_front_page_of_the_www_host_is_a_link_home() -> None:
    head = "<title>Council votes on the budget</title>"
    body = '<h1><a href="https://www.example.com/">The Morning Ledger</a></h1><p>Text.</p>'
    assert headline(parse_page(html(head, body), "https://example.com/a")) == "Council votes on the budget"
    # A link to another site's front page does not make the heading a logo.
    elsewhere = body.replace("www.example.com", "other.example.org")
    assert headline(parse_page(html(head, elsewhere), "https://example.com/a")) == "The Morning Ledger"


# ---- hostile headlines ----------------------------------------------------------------------------


def test_a_headline_over_the_cap_is_cut_at_a_word_boundary() -> None:
    from crawler.extraction.title import cap_headline
    from crawler.record import TITLE_MAX_CHARS

    words = "Council approves the budget after a long debate " * 2250  # 108,000 characters
    assert len(words) == 108_000
    cut, truncated = cap_headline(words.strip())
    assert truncated and len(cut) <= TITLE_MAX_CHARS and cut.endswith("…")
    assert words.startswith(cut[:-1]) and words[len(cut) - 1] == " "  # the cut falls between words
    assert cap_headline("A short headline") == ("A short headline", False)
    exact = "x" * TITLE_MAX_CHARS
    assert cap_headline(exact) == (exact, False)


def test_a_headline_without_spaces_is_cut_between_characters_not_inside_an_emoji() -> None:
    from crawler.extraction.title import cap_headline
    from crawler.record import TITLE_MAX_CHARS

    family = "\U0001f469\u200d\U0001f469\u200d\U0001f467"
    cjk, truncated = cap_headline("国" * 298 + family + "国" * 50)
    assert truncated and len(cjk) <= TITLE_MAX_CHARS
    assert cjk == "国" * 298 + "…"  # the five-code-point family does not fit, and is not split
    assert "\u200d" not in cap_headline(family * 100)[0][-2:]


EMPTY_HEADLINE_PAGES = {
    "whitespace": ('<meta property="og:site_name" content="X"><title>   </title>', "<article><h1> </h1></article>"),
    "template dash": ('<meta property="og:site_name" content="X"><title> - X</title>', "<h1>&nbsp;</h1>"),
    "og title of the site": (
        '<meta property="og:site_name" content="X"><meta property="og:title" content=" | X"><title>X</title>',
        "<h1>\u200b</h1>",
    ),
    "web page named after the site": (
        '<meta property="og:site_name" content="X">'
        '<script type="application/ld+json">{"@type":"WebPage","name":"X - Home"}</script><title></title>',
        "<h1> </h1>",
    ),
    "domain": ("<title>Example.com</title>", "<h1> </h1>"),
}


@pytest.mark.parametrize("name", sorted(EMPTY_HEADLINE_PAGES))
def test_an_empty_headline_never_becomes_the_site_name(name: str) -> None:
    head, body = EMPTY_HEADLINE_PAGES[name]
    assert headline(page(head, body)) == ""


def test_a_headline_that_only_mentions_the_site_is_kept() -> None:
    head = '<meta property="og:site_name" content="Apple Insider"><title>Apple Insider turns 25 - Apple Insider</title>'
    assert headline(page(head, "")) == "Apple Insider turns 25"
