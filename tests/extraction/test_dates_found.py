"""Publication dates found where the first rounds found none (issue 15): bylines that also state an update,
date formats, layout positions and URL forms. Each fixture fails without its rule."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawler.extraction.dates import published_at
from crawler.extraction.datetext import find_date, publication_text, url_date

from .helpers import page

NO_URL_DATE = "https://news.example.com/story"


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# ---- formats ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("06. 01. 2026, 14:59 Uhr", datetime(2026, 1, 6, 14, 59)),  # spaced dots
        ("26 | 01 | 2022", datetime(2022, 1, 26)),  # bars
        ("입력 2024. 03. 05. 10:15", datetime(2024, 3, 5, 10, 15)),  # Korean spaced year-month-day
        ("03-Mar-2024", datetime(2024, 3, 3)),
        ("17 / Oktober / 2022", datetime(2022, 10, 17)),
        ("12. MÄR 2025 18:03", datetime(2025, 3, 12, 18, 3)),
        ("14:32, 03.03.2024", datetime(2024, 3, 3, 14, 32)),  # the time before the date
        ("10:15 AM | March 3, 2024", datetime(2024, 3, 3, 10, 15)),
    ],
)
def test_written_date_forms(text: str, expected: datetime) -> None:
    stamp = find_date(text)
    assert stamp is not None and stamp.value == expected, text


@pytest.mark.parametrize("text", ["score 3 - 4 - 2022", "3. 5. 24", "Version 2.1 | 3 | 2022"])
def test_spaced_numbers_that_are_not_dates(text: str) -> None:
    assert find_date(text) is None


def test_date_split_over_elements() -> None:
    body = (
        '<article><header><h1>Haben sich Mozarts Eltern gesorgt?</h1><div class="date"><span class="month">Apr</span>'
        ' <span class="day">04</span><span class="year">2013</span></div></header><p>Text.</p></article>'
    )
    assert published_at(page("", body, url=NO_URL_DATE)) == at(2013, 4, 4)


# ---- bylines that also state an update -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Written: 2023-11-07 15:03:30 / Updated: 2023-11-07 15:30:46", datetime(2023, 11, 7, 15, 3, 30)),
        ("Updated March 4, 2024 | Published March 3, 2024", datetime(2024, 3, 3)),
        ("March 3, 2024, updated 10:15 a.m. ET, March 4, 2024", datetime(2024, 3, 3)),
        ("Aktualisiert am 04.03.2024, 10:15 Uhr, erstellt 01.03.2024", datetime(2024, 3, 1)),
        ("NDR Info - Das Coronavirus-Update - 18.03.2020 13:15 Uhr", datetime(2020, 3, 18, 13, 15)),
    ],
)
def test_the_publication_part_of_a_byline(text: str, expected: datetime) -> None:
    stamp = find_date(publication_text(text))
    assert stamp is not None and stamp.value == expected, text


@pytest.mark.parametrize("text", ["Updated 10:15 a.m. ET, March 4, 2024", "Jane DoeUpdated20:49, 5 Aug 2024"])
def test_an_update_alone_dates_nothing(text: str) -> None:
    assert find_date(publication_text(text)) is None


def test_byline_with_publication_and_update_dates() -> None:
    body = (
        "<article><h1>Colder temperatures forecast for Wednesday</h1>"
        '<p class="date">Written: 2023-11-07 15:03:30 / Updated: 2023-11-08 09:30:46</p>'
        "<p>Text of the story.</p></article>"
        '<div class="more"><p class="date">2023-11-03</p></div>'
    )
    assert published_at(page("", body, url=NO_URL_DATE)) == at(2023, 11, 7, 15, 3, 30)


def test_date_after_an_update_label_in_its_own_element_is_not_the_publication() -> None:
    body = (
        '<article><h1>Level 3 live: Cork adapts</h1><ul class="time-info"><li><span>Updated</span>'
        '<span class="time-container">21:22, 6 OCT 2020</span></li></ul><p>Text.</p></article>'
    )
    assert published_at(page("", body, url=NO_URL_DATE)) is None


def test_a_compound_with_update_is_no_update_label() -> None:
    body = (
        "<article><h1>Wir brauchen Abkürzungen bei der Impfstoffzulassung</h1>"
        '<div class="subline">NDR Info - Das Coronavirus-Update - 18.03.2020 13:15 Uhr</div><p>Text.</p></article>'
    )
    assert published_at(page("", body, url=NO_URL_DATE)) == at(2020, 3, 18, 13, 15)


def test_hatom_entry_date_marked_updated_is_the_entry_date() -> None:
    # hAtom wants an "updated" class, so themes give it to the entry's own date too.
    body = (
        "<article><h1>Cabinet approves the budget</h1><p>Text.</p>"
        '<time class="entry-date updated td-module-date" datetime="2023-11-15T08:00:00+00:00">Wednesday</time>'
        '<time class="updated" datetime="2023-11-20T08:00:00+00:00">Monday</time></article>'
    )
    assert published_at(page("", body, url=NO_URL_DATE)) == at(2023, 11, 15, 8)


LONG_STORY = "".join(f"<p>Paragraph {i} of a long report on the floods. {'Detail. ' * 40}</p>" for i in range(20))


def _story_with(block: str) -> str:
    # The block sits after a long story, far from the headline: only the rule under test reads it.
    return (
        "<main><article><header><h1>Spain declares an emergency</h1></header>"
        f"<div>{LONG_STORY}{block}</div></article></main>"
    )


def test_clock_icon_marks_the_date_beside_it() -> None:
    icon = (
        '<div><span class="glyphicon glyphicon-time"></span> 04.05.2022 — Agencia EFE, en la región del Biobío, '
        "con su gabinete y las autoridades</div>"
    )
    assert published_at(page("", _story_with(icon), url=NO_URL_DATE)) == at(2022, 5, 4)


# ---- positions -------------------------------------------------------------------------------------------


def test_byline_column_in_an_aside_of_the_story() -> None:
    aside = '<aside class="c1"><div>Associated Press in Valencia</div><time>Sat 24 Feb 2024 12.42 CET</time></aside>'
    assert published_at(page("", _story_with(aside), url=NO_URL_DATE)) == at(2024, 2, 24, 11, 42)
    unmarked = aside.replace("time>", "div>")
    assert published_at(page("", _story_with(unmarked), url=NO_URL_DATE)) == at(2024, 2, 24, 11, 42)


def test_a_long_aside_in_the_story_is_a_box_of_its_own() -> None:
    teaser = "<p>" + "Another story told at length in the box beside this one. " * 12 + "</p>"
    aside = f"<aside class='c1'><time>Mon 19 Feb 2024 08.00 CET</time>{teaser}</aside>"
    assert published_at(page("", _story_with(aside), url=NO_URL_DATE)) is None
    with_headline = "<aside class='c1'><h3>Most viewed</h3><time>Mon 19 Feb 2024 08.00 CET</time></aside>"
    assert published_at(page("", _story_with(with_headline), url=NO_URL_DATE)) is None


def test_date_in_the_story_s_own_footer() -> None:
    footer = (
        '<footer><div class="documentByLine">von Redaktion, <span class="documentPublished">28.01.2022 06:00</span>'
        "</div></footer>"
    )
    body = _story_with(footer) + '<footer class="site"><p class="date">Stand: 19.12.2019</p></footer>'
    assert published_at(page("", body, url=NO_URL_DATE)) == at(2022, 1, 28, 6)


def test_the_page_footer_s_date_is_the_crawl_s_not_the_story_s() -> None:
    body = (
        "<article><h1>Gefahrstoff-Service</h1><p>Text of the page.</p></article>"
        '<footer class="site"><p>Copyright © 19.12.2019 - 12:14 h by Beispiel GmbH</p></footer>'
    )
    assert published_at(page("", body, url=NO_URL_DATE)) is None


def test_a_short_block_holding_little_but_a_date() -> None:
    body = (
        '<table><tr><td><div class="theme">This week\'s theme</div><div style="color:#aaa">Apr 7, 2009</div></td>'
        "<td><p>maudlin (MAWD-lin) adjective: Excessively sentimental.</p></td></tr></table>"
    )
    assert published_at(page("", body, url=NO_URL_DATE)) == at(2009, 4, 7)


@pytest.mark.parametrize(
    "block",
    [
        "<div>Kinostart: 02. April 2015 im Verleih der Constantin Film</div>",  # a sentence, not a date line
        "<div>23.10.2015 - 25.10.2015</div>",  # a range
        '<blockquote class="tweet"><p>Great news</p><a href="/s/1">16 May 2018</a></blockquote>',  # a quoted post
        '<div class="comments"><span>18. 05. 2014</span></div>',  # a reader's comment
        "<ul><li><span>Updated</span> <span>21:22, 6 Oct 2020</span></li></ul>",  # labelled as an update
    ],
)
def test_short_blocks_that_are_not_the_page_s_date(block: str) -> None:
    body = (
        f"<div><div>Über uns und unsere Filme</div><p>Text about the company and its films.</p></div><div>{block}</div>"
    )
    assert published_at(page("<title>Über uns</title>", body, url=NO_URL_DATE)) is None
    dated = "<div><div>Über uns</div><p>Text about the company.</p></div><div><div>16 May 2018</div></div>"
    assert published_at(page("<title>Über uns</title>", dated, url=NO_URL_DATE)) == at(2018, 5, 16)


def test_a_short_date_block_outside_the_story_root_comes_last() -> None:
    crumbs = '<div class="dlf-breadcrumb"><a href="/">Start</a> <span class="current">01.05.2017</span></div>'
    assert published_at(page("", crumbs + _story_with(""), url=NO_URL_DATE)) == at(2017, 5, 1)
    margin = "<footer><span>28.01.2022 06:00</span></footer>"  # the story's own footer comes first
    assert published_at(page("", crumbs + _story_with(margin), url=NO_URL_DATE)) == at(2022, 1, 28, 6)


def test_a_short_date_block_does_not_beat_a_generic_date_meta() -> None:
    head = '<meta name="date" content="2020-02-03T09:03:10+00:00">'
    body = "<div><h1>Parallels Desktop</h1><p>Run Windows on a Mac.</p><p><span>16 May 2018</span></p></div>"
    assert published_at(page(head, body, url=NO_URL_DATE)) == at(2020, 2, 3, 9, 3, 10)


# ---- URLs ------------------------------------------------------------------------------------------------


def test_month_name_in_the_url_path() -> None:
    assert url_date("https://www.example.com/world/2024/mar/03/story") is not None
    doc = page("", "<h1>Story</h1>", url="https://www.example.com/world/2024/mar/03/story")
    assert published_at(doc) == at(2024, 3, 3)
    assert url_date("https://www.example.com/world/2024/news/03/story") is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://news.example.com/politics/story-20240303.html", at(2024, 3, 3)),
        ("https://news.example.com/cnt/dmf20250202_96887132", at(2025, 2, 2)),
        ("https://news.example.com/archive/news.2024-03-03.html", at(2024, 3, 3)),
        ("https://news.example.com/03/05/2024/story", at(2024, 3, 5)),  # month first: US English
    ],
)
def test_weaker_url_forms_when_the_page_gives_no_date(url: str, expected: datetime) -> None:
    assert url_date(url) is None  # not strong enough to correct a date the page gives
    assert published_at(page("", "<h1>Story</h1><p>No date here.</p>", url=url)) == expected


def test_weaker_url_forms_never_beat_the_page_or_the_crawl_time_of_an_archive() -> None:
    dated = '<meta property="article:published_time" content="2024-02-28T10:00:00Z">'
    assert published_at(page(dated, url="https://news.example.com/story-20240303.html")) == at(2024, 2, 28, 10)
    # A year and a month give no day; a web archive's timestamp is when it crawled the page.
    for url in ("https://news.example.com/2024/03/story", "https://web.archive.org/web/20160526181643/http://x.org/a"):
        assert published_at(page("", "<h1>Story</h1>", url=url)) is None


# ---- metadata that disagree ------------------------------------------------------------------------------


def test_the_byline_arbitrates_between_publication_metadata_that_disagree() -> None:
    # A republished story: its JSON-LD keeps the first date, the meta tag and the byline give the new one.
    head = (
        '<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2021-12-06T14:36:00Z"}</script>'
        '<meta property="article:published_time" content="2022-12-15T09:13:00Z">'
    )
    body = "<article><h1>So nimmst du an Weihnachten nicht zu</h1><p>15.12.2022</p><p>Text.</p></article>"
    assert published_at(page(head, body, url=NO_URL_DATE)) == at(2022, 12, 15, 9, 13)
    # A byline that agrees with neither, or no byline, leaves the order as it is.
    other = body.replace("15.12.2022", "01.01.2020")
    assert published_at(page(head, other, url=NO_URL_DATE)) == at(2021, 12, 6, 14, 36)
    assert published_at(page(head, "<article><p>Text.</p></article>", url=NO_URL_DATE)) == at(2021, 12, 6, 14, 36)
