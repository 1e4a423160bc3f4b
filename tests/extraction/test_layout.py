"""The page's layout: one vocabulary of block kinds, computed once, read by every field."""

from __future__ import annotations

import pytest
from lxml.html import fragment_fromstring

from crawler.extraction.dates import published_at
from crawler.extraction.excerpt import excerpt
from crawler.extraction.headings import visible_headings
from crawler.extraction.images import article_images
from crawler.extraction.layout import Block, block_names, breaks_line, in_navigation, signals
from crawler.extraction.text import body_text

from .helpers import PARAGRAPHS, page

NO_URL_DATE = "https://news.example.com/story"


def kinds_of(markup: str) -> list[str]:
    return block_names(signals(fragment_fromstring(markup)))


@pytest.mark.parametrize(
    ("markup", "kinds"),
    [
        ('<div class="trending-now">x</div>', ["OTHER_STORY"]),
        ('<div id="sidebar-related">x</div>', ["OTHER_STORY", "SIDEBAR"]),
        ("<aside>x</aside>", ["ASIDE"]),
        ('<div class="article-and-aside">x</div>', ["SIDE_COLUMN"]),
        ('<div class="ad-slot">x</div>', ["ADVERT"]),
        ('<div class="head">x</div>', []),  # "ad" only as a whole word
        ('<span class="share-icon">x</span>', ["SHARING", "ICON"]),
        ('<div class="lexicon">x</div>', []),  # "icon" only as a whole part of a name
        ('<div class="author-bio">x</div>', ["AUTHOR", "BIO"]),
        ('<div class="coauthor">x</div>', []),
        ('<ol class="fp-breadcrumbs">x</ol>', ["BREADCRUMB"]),
        ('<div data-component="BreadcrumbTrail">x</div>', ["BREADCRUMB"]),
        ('<div role="navigation">x</div>', ["NAVIGATION"]),
        ('<section aria-label="Related stories">x</section>', ["OTHER_STORY"]),
        ('<div itemtype="http://schema.org/WPSideBar">x</div>', ["SIDEBAR"]),
        ("<figure>x</figure>", ["PICTURE"]),
        ('<div class="TextMedia-content">x</div>', ["MEDIA"]),
    ],
)
def test_the_vocabulary_names_each_block(markup: str, kinds: list[str]) -> None:
    assert kinds_of(markup) == kinds


def test_names_that_are_not_layout_are_not_read_as_layout() -> None:
    # WordPress names a post's wrapper after its tags and categories; Drupal marks front-page stories.
    assert kinds_of('<div class="post-6996 type-post tag-social-media category-trending">x</div>') == []
    assert kinds_of('<div class="node node-article node-promoted">x</div>') == []
    # A class saying what a block has not.
    assert kinds_of('<div class="entry-content no-share">x</div>') == []
    # A "tag-list" outside a post wrapper is a tag list.
    assert kinds_of('<ul class="tag-list">x</ul>') == ["TAGS"]


def test_paywall_prompts_are_paywall_blocks_but_paid_text_is_the_story() -> None:
    prompt = '<div class="paywall-prompt"><p>Subscribe now to read this and every other story on the site.</p></div>'
    paid = "".join(
        f"<p>Paid paragraph {i} of the story: what the council decided, and why, in detail.</p>" for i in range(8)
    )
    paywalled = '<div class="inline-text paywalled"><p>The last paragraph of the paid story is here.</p></div>'
    body = f'<article><h1>Budget vote tonight</h1>{PARAGRAPHS}{prompt}<div class="pmc-paywall">{paid}</div>{paywalled}'
    text = body_text(page("", body + "</article>"))
    assert "Subscribe now" not in text  # a prompt
    assert "Paid paragraph 7 of the story" in text  # a block named paywall holding the story's text
    assert "The last paragraph of the paid story" in text  # "paywalled": the paid text itself


def test_kinds_come_from_the_blocks_around_an_element_up_to_the_story_path() -> None:
    doc = page(
        "",
        '<div class="sidebar-layout"><article class="related-posts-enabled"><h1>Story headline words</h1>'
        '<div class="trending"><p id="p1">Other story</p></div><p id="p2">Story text</p></article></div>'
        '<div class="widget"><div class="popular"><p id="p3">x</p></div></div>',
    )
    layout = doc.layout
    by_id = {p.get("id"): p for p in doc.tree.iter("p")}
    # Names on the story's own path ("related-posts-enabled", "sidebar-layout") are layout accidents.
    assert layout.kind(by_id["p2"]) == Block.STORY
    assert block_names(layout.kind(by_id["p1"])) == ["OTHER_STORY"]
    assert block_names(layout.kind(by_id["p3"])) == ["OTHER_STORY", "SIDEBAR"]
    assert layout.kind(by_id["p3"]) is layout.kind(by_id["p3"])  # memoized


def test_the_story_is_the_candidate_with_the_headline_and_text_the_first_of_equals() -> None:
    story = "<h1>Budget vote tonight</h1>" + PARAGRAPHS
    # <main> around <article>: the same headline and text in both, the outer one comes first.
    doc = page("", f'<main id="m"><article id="a">{story}</article></main>')
    assert doc.layout.story.get("id") == "m"
    # role=main and an articleBody's parent are candidates too, in document order among the others.
    doc = page("", f'<div role="main" id="r">{PARAGRAPHS}</div><article id="a">{PARAGRAPHS}</article>')
    assert doc.layout.story.get("id") == "r"
    doc = page(
        "",
        '<article id="a"><p>A teaser for another story.</p></article>'
        f'<div id="w"><h1>Budget vote tonight</h1><div itemprop="articleBody" id="b">{PARAGRAPHS}</div></div>',
    )
    assert doc.layout.story.get("id") == "w"
    assert page("", PARAGRAPHS).layout.story is None


def test_an_element_s_names_are_read_one_by_one() -> None:
    # Each name attribute says what it says; a class's taxonomy is left out, not its id's words.
    assert kinds_of('<div class="post-1 tag-sidebar" id="related-posts">x</div>') == ["OTHER_STORY"]
    assert kinds_of('<div class="Share-Bar" aria-label="Newsletter sign-up">x</div>') == ["OFFER", "SHARING"]


def test_the_body_s_classes_describe_the_page_not_a_block() -> None:
    doc = page("", '<div><p id="p">x</p></div>')
    doc.tree.find("body").set("class", "single has-sidebar comments-open")
    assert doc.layout.kind(next(doc.tree.iter("p"))) == Block.STORY


def test_an_h1_in_navigation_is_not_on_the_story_path_even_when_it_repeats_the_headline() -> None:
    headline = "Robotaxis pass a thousand cars in Wuhan"
    body = (
        f'<nav class="crumbs"><h1>{headline}</h1><time datetime="2001-01-01">1 Jan 2001</time></nav>'
        f"<article><h1>{headline}</h1>{PARAGRAPHS}</article>"
    )
    doc = page("", body, url=NO_URL_DATE)
    assert doc.layout.headline is doc.h1s[1]
    assert doc.h1s[0] not in doc.layout.story_path
    assert published_at(doc) is None  # the trail's date is not the story's


def test_an_h1_with_tag_names_is_no_navigation_and_stays_the_headline() -> None:
    doc = page("", '<div><h1 class="mt-4 anchor_tags">Ehezoff der Pochers eskaliert</h1><p>Text</p></div>')
    assert not in_navigation(doc.h1s[0])
    assert doc.layout.headline is doc.h1s[0]


# ---- one vocabulary for every field: a "trending" box is another story for all of them -------------------

TRENDING = (
    '<div class="trending-box">'
    '<h2>Mayor resigns after the budget row</h2><time datetime="2019-01-01T00:00:00Z">1 Jan 2019</time>'
    '<p class="teaser-text">Trending: the mayor resigned on Monday after weeks of rows about the budget.</p>'
    '<img src="https://cdn.example.com/trending.jpg" width="800" height="450">'
    "</div>"
)


def test_a_trending_block_is_passed_over_by_every_field() -> None:
    head = '<meta property="og:title" content="Mayor resigns after the budget row">'
    body = f"<article><div class='meta'>By A. Writer</div>{TRENDING}{PARAGRAPHS}</article>"
    doc = page(head, body, url=NO_URL_DATE)
    assert doc.layout.headline is None  # the box's h2 repeats the title, but it is another story's
    assert published_at(doc) is None  # dates
    assert visible_headings(doc, [], {"mayorresignsafterthebudgetrow"}) == []  # headline
    assert "Trending:" not in body_text(doc)  # body text
    assert "Trending:" not in excerpt(doc, "Budget", "")  # standfirst
    assert all("trending.jpg" not in i.url for i in article_images(doc))  # pictures


# ---- where fields differ, on purpose --------------------------------------------------------------------


def test_dates_read_a_date_row_that_shares_its_block_with_the_tags() -> None:
    body = (
        "<article><h1>Umfrage zur Strompreisbremse</h1>"
        '<div id="dateandtags"><div id="articledate"><time class="atime">22. November 2022</time></div>'
        '<a href="/tag/strom">Strom</a></div>' + PARAGRAPHS + "</article>"
    )
    assert published_at(page("", body, url=NO_URL_DATE)).date().isoformat() == "2022-11-22"


def test_pictures_in_widgets_share_wrappers_and_buttons_are_the_story_s() -> None:
    body = (
        "<article><h1>Story</h1>"
        '<figure class="widget-picture-inline"><img src="https://cdn.example.com/widget.jpg" width="1024"></figure>'
        '<span class="novashare-pinterest-image"><img src="https://cdn.example.com/shared.jpg" width="1024"></span>'
        '<button class="slide-viewer"><img src="https://cdn.example.com/zoom.jpg" width="1024"></button>'
        '<div class="author-box"><img src="https://cdn.example.com/portrait.jpg" width="400"></div>'
        + PARAGRAPHS
        + "</article>"
    )
    found = [i.url.rsplit("/", 1)[-1] for i in article_images(page("", body))]
    assert found == ["widget.jpg", "shared.jpg", "zoom.jpg"]


def test_body_text_keeps_a_list_of_dated_items_and_text_in_blocks_named_for_pictures_or_authors() -> None:
    items = "".join(f"<li>October {d}, 2023: a report of an accident on Main Street at night.</li>" for d in (1, 2, 3))
    body = (
        "<article><h1>Police blotter</h1><p>TAYLORVILLE — The following are arrest and accident reports.</p>"
        f"<ul>{items}</ul>"
        '<div class="TextMedia-content"><p>Text beside a picture is the story\'s text too.</p></div>'
        '<div class="author_guidelines"><p>Guidelines for authors are this page\'s text.</p></div>'
        '<div class="author-bio"><p>Jane writes about the police for the paper.</p></div>' + PARAGRAPHS + "</article>"
    )
    text = body_text(page("", body))
    assert "October 2, 2023: a report" in text
    assert "Text beside a picture" in text and "Guidelines for authors" in text
    assert "Jane writes about" not in text


def test_a_standfirst_named_teaser_is_the_story_s_lead_but_an_author_bio_is_none() -> None:
    lead = "Hollywood an der Leine: die Geschichte der Filmstadt Göttingen in den fünfziger Jahren."
    body = f'<main><h1>Filmbüro Göttingen</h1><div class="cms_teaser"><p class="lead">{lead}</p></div>'
    body += PARAGRAPHS + "</main>"
    assert excerpt(page("", body), "Filmbüro Göttingen", "") == lead
    bio = '<div class="m-a-box-profile"><p class="m-a-box-description">Nothing special. We cover news items that'
    bio += " don't necessarily require an author.</p></div>"
    assert excerpt(page("", f"<article><h1>Blotter</h1>{bio}{PARAGRAPHS}</article>"), "Blotter", "") == ""


@pytest.mark.parametrize(
    ("markup", "breaks"),
    [
        ("<div>x</div>", True),
        ("<br>", True),
        ("<td>x</td>", True),
        ("<li>x</li>", True),
        ('<span style="color: red; display: block">x</span>', True),
        ("<span>x</span>", False),
        ('<span class="kicker">x</span>', False),  # styled inline: a break only where a new word starts
        ('<span style="display:inline">x</span>', False),
        ("<a href='/'>x</a>", False),
    ],
)
def test_breaks_line_follows_the_default_display_and_inline_styles(markup: str, breaks: bool) -> None:
    element = fragment_fromstring(f"<div>{markup}</div>")[0]
    assert breaks_line(element) is breaks
