from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.extraction import extract_article
from crawler.extraction.context import Hints, SiteRules
from crawler.extraction.dates import modified_at, published_at
from crawler.extraction.datetext import parse_stamp

from .helpers import page

UTC = UTC
NO_URL_DATE = "https://news.example.com/story"


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_json_ld_date_published_with_offset() -> None:
    head = '<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2024-05-03T17:47:42+02:00",'
    head += '"dateModified":"2024-05-04T10:00:00+02:00"}</script>'
    assert published_at(page(head, url=NO_URL_DATE)) == at(2024, 5, 3, 15, 47, 42)


def test_meta_sources() -> None:
    for key, attr in [
        ("article:published_time", "property"),
        ("og:published_time", "property"),
        ("datePublished", "itemprop"),
        ("date", "name"),
        ("DC.date.issued", "name"),
        ("dcterms.created", "name"),
        ("sailthru.date", "name"),
        ("parsely-pub-date", "name"),
        ("pubdate", "name"),
    ]:
        head = f'<meta {attr}="{key}" content="2023-01-02T03:04:05Z">'
        assert published_at(page(head, url=NO_URL_DATE)) == at(2023, 1, 2, 3, 4, 5), key


def test_never_the_modified_date() -> None:
    head = '<meta property="article:modified_time" content="2023-01-02T03:04:05Z">'
    assert published_at(page(head, url=NO_URL_DATE)) is None
    assert modified_at(page(head, url=NO_URL_DATE)) == at(2023, 1, 2, 3, 4, 5)


def test_local_time_is_read_in_the_site_zone() -> None:
    head = '<meta property="article:published_time" content="2021-08-30 14:03:00">'
    rules = SiteRules(timezone="Asia/Shanghai")
    assert published_at(page(head, url=NO_URL_DATE), rules) == at(2021, 8, 30, 6, 3)


def test_explicit_offset_wins_over_the_site_zone() -> None:
    head = '<meta property="article:published_time" content="2021-08-30T14:03:00-04:00">'
    assert published_at(page(head, url=NO_URL_DATE), SiteRules(timezone="Asia/Shanghai")) == at(2021, 8, 30, 18, 3)


def test_local_time_uses_a_zone_the_page_declares() -> None:
    head = (
        '<meta property="article:published_time" content="2021-08-30T14:03:00">'
        '<meta property="article:modified_time" content="2021-08-31T09:00:00+02:00">'
    )
    assert published_at(page(head, url=NO_URL_DATE)) == at(2021, 8, 30, 12, 3)


def test_day_only_date_is_midnight_in_the_site_zone() -> None:
    head = '<meta name="date" content="2019-11-13">'
    assert published_at(page(head, url=NO_URL_DATE), SiteRules(timezone="Europe/Berlin")) == at(2019, 11, 12, 23)


def test_day_only_date_made_precise_by_a_hint_on_the_same_day() -> None:
    head = '<meta name="date" content="2019-11-13">'
    hint = Hints(published_at=at(2019, 11, 13, 8, 30))
    assert published_at(page(head, url=NO_URL_DATE), hints=hint) == at(2019, 11, 13, 8, 30)
    other_day = Hints(published_at=at(2019, 11, 20, 8, 30))
    assert published_at(page(head, url=NO_URL_DATE), hints=other_day) == at(2019, 11, 13)


def test_day_only_json_ld_made_precise_by_a_timed_meta() -> None:
    head = (
        '<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2024-02-14"}</script>'
        '<meta name="datePublished" content="2024-02-14T16:15:30Z">'
    )
    assert published_at(page(head, url=NO_URL_DATE)) == at(2024, 2, 14, 16, 15, 30)


def test_hint_is_used_when_the_page_has_nothing() -> None:
    hint = Hints(published_at=at(2020, 1, 1, 12))
    assert published_at(page("", "<p>no date</p>", url=NO_URL_DATE), hints=hint) == at(2020, 1, 1, 12)
    assert published_at(page("", "<p>no date</p>", url=NO_URL_DATE)) is None


def test_time_element_in_the_article() -> None:
    body = (
        '<article><h1>Story headline here</h1><time datetime="2020-04-09T07:59:57+02:00" pubdate>9 Apr</time></article>'
    )
    assert published_at(page("", body, url=NO_URL_DATE)) == at(2020, 4, 9, 5, 59, 57)


def test_time_of_a_related_story_is_ignored() -> None:
    body = (
        "<article><h1>Story headline here</h1><p>Text</p></article>"
        '<aside><time datetime="2019-01-01T00:00:00Z">old</time></aside>'
    )
    assert published_at(page("", body, url=NO_URL_DATE)) is None


def test_textual_date_next_to_the_headline() -> None:
    body = '<article><h1>Council approves budget</h1><span class="date">8 January 2020, 3:51 pm</span></article>'
    assert published_at(page("", body, url=NO_URL_DATE)) == at(2020, 1, 8, 15, 51)


def test_textual_german_date_without_markup() -> None:
    body = '<div><h3>21.01.2022</h3><h1 id="t">Jahresbericht für Österreich erschienen</h1></div>'
    assert published_at(page("", body, url=NO_URL_DATE)) == at(2022, 1, 21)


def test_textual_date_in_another_language_via_dateparser() -> None:
    body = (
        '<article><h1>Un titre assez long ici</h1><span class="date">Julkaistu 23. tammikuuta 2019 klo</span></article>'
    )
    p = page("", body, url=NO_URL_DATE, html_attrs=' lang="fi"')
    assert published_at(p) == at(2019, 1, 23)


def test_relative_dates_are_never_now() -> None:
    body = '<article><h1>Council approves budget</h1><span class="date">2 hours ago</span></article>'
    assert published_at(page("", body, url=NO_URL_DATE)) is None


def test_url_date_is_the_last_resort_and_beats_a_distant_page_date() -> None:
    assert published_at(page("", "<p>x</p>", url="https://x.com/2021/08/30/story/")) == at(2021, 8, 30)
    head = '<meta property="article:published_time" content="2009-04-11T18:06:36Z">'
    assert published_at(page(head, url="https://x.com/2019/10/22/story/")) == at(2019, 10, 22)


def test_future_dates_are_rejected() -> None:
    head = '<meta property="article:published_time" content="2999-01-01T00:00:00Z">'
    assert published_at(page(head, url=NO_URL_DATE), now=at(2024, 5, 3)) is None
    assert published_at(page(head, url=NO_URL_DATE)) is None  # beyond any year a date is read in


# The reference time comes from the caller, never from the machine's clock.
DATED_2026 = (
    '<meta property="article:published_time" content="2026-04-30T05:32:29+00:00">'
    '<meta property="article:modified_time" content="2026-04-30T06:10:12+00:00">'
)


@pytest.mark.parametrize("now", [at(2026, 5, 1), at(2030, 1, 1), at(2026, 4, 28, 7), None])
def test_a_date_is_plausible_against_the_reference_time_given(now: datetime | None) -> None:
    doc = page(DATED_2026, "<article><h1>Robotaxis in Wuhan</h1></article>", url=NO_URL_DATE)
    assert published_at(doc, now=now) == at(2026, 4, 30, 5, 32, 29)
    assert modified_at(doc, now=now) == at(2026, 4, 30, 6, 10, 12)


@pytest.mark.parametrize("now", [at(2020, 1, 1), at(2026, 4, 28, 5), datetime(2025, 12, 31, 23, 59)])
def test_a_date_more_than_two_days_after_the_reference_time_is_implausible(now: datetime) -> None:
    doc = page(DATED_2026, "<article><h1>Robotaxis in Wuhan</h1></article>", url=NO_URL_DATE)
    assert published_at(doc, now=now) is None
    assert modified_at(doc, now=now) is None


DEMO_PAGE = (
    Path(__file__).resolve().parents[2]
    / "crawler/demo/sites/technode/2026/04/30"
    / ("baidus-apollo-go-robotaxi-service-passes-1000-vehicles-in-wuhan/index.html")
)


@pytest.mark.parametrize(("now", "expected"), [(at(2026, 5, 1), True), (at(2030, 1, 1), True), (at(2020, 1, 1), False)])
def test_the_demo_article_s_date_whatever_the_machine_clock_says(now: datetime, expected: bool) -> None:
    html = DEMO_PAGE.read_text().replace("{{base}}", "https://technode.example")
    url = "https://technode.example/2026/04/30/baidus-apollo-go-robotaxi-service-passes-1000-vehicles-in-wuhan/"
    record = extract_article(html, url, now=now)
    assert record.published_at == (at(2026, 4, 30, 5, 32, 29) if expected else None)


def test_the_extraction_modules_never_read_the_clock() -> None:
    source = Path(__file__).resolve().parents[2] / "crawler/extraction"
    for module in source.glob("*.py"):
        text = module.read_text()
        for call in ("datetime.now(", "date.today(", "time.time(", "utcnow(", ".today("):
            assert call not in text, f"{module.name} calls {call}"


def test_parse_stamp_forms() -> None:
    assert parse_stamp("1714751262").value == datetime(2024, 5, 3, 15, 47, 42, tzinfo=UTC)
    assert parse_stamp("Fri, 03 May 2024 15:47:42 +0200").value.utcoffset().total_seconds() == 7200
    assert parse_stamp("May 3, 2024 3:47 PM EDT").value == datetime.fromisoformat("2024-05-03T15:47:00-04:00")
    assert parse_stamp("3. Mai 2024 um 15:47 Uhr").value == datetime(2024, 5, 3, 15, 47)
    assert parse_stamp("2024年5月3日").value == datetime(2024, 5, 3)
    assert not parse_stamp("2024-05-03").has_time
    assert parse_stamp("05/03/2024", month_first=True).value == datetime(2024, 5, 3)
    assert parse_stamp("05/03/2024").value == datetime(2024, 3, 5)
    assert parse_stamp("not a date") is None


def test_labelled_date_without_markup_cues() -> None:
    body = '<div><ul class="x"><li><span>Datum:</span>26. Januar 2022</li></ul><p>Some text.</p></div>'
    assert published_at(page("", body, url=NO_URL_DATE)) == at(2022, 1, 26)


def test_time_in_a_side_column_is_a_fallback() -> None:
    body = (
        '<article><h1>Story headline here</h1><div class="sidebar"><time datetime="2022-01-28">28. Januar</time>'
        "</div><p>Text of the story.</p></article>"
    )
    assert published_at(page("", body, url=NO_URL_DATE)) == at(2022, 1, 28)


def test_json_ld_in_an_untyped_script() -> None:
    head = (
        '<script>{"@context": "https://schema.org", "@type": "NewsArticle",'
        ' "datePublished": "2022-01-28T06:00:00+01:00"}</script>'
    )
    assert published_at(page(head, url=NO_URL_DATE)) == at(2022, 1, 28, 5)


def test_json_ld_of_another_kind_of_page() -> None:
    head = '<script type="application/ld+json">{"@type":"HowTo","datePublished":"2022-01-10T22:06:08:684Z"}</script>'
    assert published_at(page(head, url=NO_URL_DATE)) == at(2022, 1, 10, 22, 6, 8)


def test_generic_date_meta_yields_to_a_different_displayed_date() -> None:
    head = '<meta name="date" content="2020-02-12">'
    body = (
        '<article><h1>Fair supply chains for everyone</h1><div class="news-single-timedata">05.02.2020</div></article>'
    )
    assert published_at(page(head, body, url=NO_URL_DATE)) == at(2020, 2, 5)
    same_day = '<article><h1>Fair supply chains for everyone</h1><div class="date">12.02.2020</div></article>'
    assert published_at(page(head, same_day, url=NO_URL_DATE)) == at(2020, 2, 12)


def test_byline_row_next_to_the_headline_beats_dates_further_down() -> None:
    body = (
        '<div class="post"><h1>Silkroad mountain quests and characters</h1>'
        '<div class="left">26 Mai, 2008 | ThE_PaiN | Kommentare 34</div>'
        "<p>We met on 3 June 2008 to play. " + "More text about the game. " * 10 + "</p></div>"
    )
    assert published_at(page("", body, url=NO_URL_DATE)) == at(2008, 5, 26)


def test_picture_captions_and_date_ranges_near_the_headline_are_passed_over() -> None:
    body = (
        "<div><h1>Citizens invest in the wind farm</h1>"
        '<div class="intro">Citizens can invest from 9.1. to 10.2.2023 and earn interest on the money they '
        "put into the regional energy transition of their town, a chance the utility offers to many.</div>"
        '<figure><img src="/a.jpg"><figcaption>Turbines at work, 24. April 2023</figcaption></figure>'
        '<div class="topline"><span>06.12.2022</span></div></div>'
    )
    assert published_at(page("", body, url=NO_URL_DATE)) == at(2022, 12, 6)


def test_hatom_published_title_attribute() -> None:
    body = (
        '<div class="post hentry"><h3 class="post-title">Tach auch</h3><p>Text of the post.</p>'
        '<abbr class="published" title="2020-04-28T21:11:00+02:00">21:11</abbr></div>'
    )
    assert published_at(page("", body, url=NO_URL_DATE)) == at(2020, 4, 28, 19, 11)


def test_dateline_opening_the_story() -> None:
    body = (
        "<article><p>29.11.2022 – The renewable industry had "
        "warned about the disadvantages many times.</p><p>More text.</p></article>"
    )
    assert published_at(page("", body, url=NO_URL_DATE)) == at(2022, 11, 29)


def test_date_in_a_widget_is_the_last_resort() -> None:
    body = (
        '<div class="widget Blog"><h2 class="date-header"><span>Dienstag, 28. April 2020</span></h2>'
        '<div class="post"><h3>Hi</h3><p>Text.</p></div></div>'
    )
    assert published_at(page("", body, url=NO_URL_DATE)) == at(2020, 4, 28)


def test_dates_of_nested_reviews_are_not_the_page_date() -> None:
    # A recipe page: the reviews nested in the recipe carry their own datePublished.
    ld = (
        '{"@type":"Recipe","name":"Mandarin cake","review":['
        '{"@type":"Review","datePublished":"2020-04-12","reviewBody":"Lovely."},'
        '{"@type":"Review","datePublished":"2020-04-11","reviewBody":"Too sweet."}]}'
    )
    head = f'<script type="application/ld+json">{ld}</script>'
    body = '<h1>Mandarin cake</h1><p class="recipe-date">Erstellt am 10.10.2006</p><p>Bake it.</p>'
    assert published_at(page(head, body, url=NO_URL_DATE)) == at(2006, 10, 10)


def test_a_single_nested_review_is_the_page_article() -> None:
    ld = '{"@type":"Product","name":"Phone","review":{"@type":"Review","datePublished":"2024-03-02T10:00:00Z"}}'
    head = f'<script type="application/ld+json">{ld}</script>'
    assert published_at(page(head, "<h1>Phone review</h1>", url=NO_URL_DATE)) == at(2024, 3, 2, 10)


def test_todays_date_in_the_site_masthead_is_not_the_story_date() -> None:
    body = (
        '<header><h1 class="logo">Radio</h1><span class="site-date">Mittwoch, 26.02.2020</span></header>'
        "<article><h1>Die Zukunft der Arbeit</h1><p>Text of the interview.</p></article>"
    )
    head = '<meta name="date" content="2017-05-01T17:05:00+02:00">'
    assert published_at(page(head, body, url=NO_URL_DATE)) == at(2017, 5, 1, 15, 5)


def test_a_header_repeating_the_headline_is_the_story_header() -> None:
    body = (
        '<header class="page-header"><h1 class="entry-title">Haltet unsere Gewässer sauber!</h1>'
        '<span class="date">23. Februar 2020</span></header>'
        '<article class="section-text"><h1>Haltet unsere Gewässer sauber!</h1><p>Text.</p></article>'
    )
    assert published_at(page("", body, url=NO_URL_DATE)) == at(2020, 2, 23)


def test_dates_in_a_list_of_dated_items_belong_to_those_items() -> None:
    events = "".join(f'<li><span class="datum">{d}.02.2020 18:00 Uhr</span> Weinprobe</li>' for d in (29, 27, 21))
    body = (
        f'<div class="content"><h2>Rioja, Spanien</h2><p>About the region.</p></div><ul class="termine">{events}</ul>'
    )
    head = '<meta name="date" content="2020-02-11">'
    assert published_at(page(head, body, url=NO_URL_DATE)) == at(2020, 2, 11)


def test_rewritten_metadata_is_recognised_in_the_site_zone() -> None:
    # Both instants local (no offset): both are read in the site's zone, so they are the same edit.
    head = (
        '<meta property="article:published_time" content="2022-11-17T10:33:13">'
        '<meta property="article:modified_time" content="2022-11-17T10:32:18">'
    )
    body = '<article><h1>Wärmepumpe im Altbau</h1><time datetime="2022-03-09">9. März 2022</time><p>Text.</p></article>'
    berlin = SiteRules(timezone="Europe/Berlin")
    assert published_at(page(head, body, url=NO_URL_DATE), berlin) == at(2022, 3, 8, 23)


def test_published_metadata_rewritten_on_edit_yields_to_the_articles_earlier_time() -> None:
    head = (
        '<meta property="article:published_time" content="2022-11-17T10:33:13+00:00">'
        '<meta property="article:modified_time" content="2022-11-17T10:32:18Z">'
    )
    body = '<article><h1>Wärmepumpe im Altbau</h1><time datetime="2022-03-09">9. März 2022</time><p>Text.</p></article>'
    assert published_at(page(head, body, url=NO_URL_DATE)) == at(2022, 3, 9)
    # Published well before the edit: the metadata stands.
    head = head.replace("2022-11-17T10:33:13", "2022-01-05T08:00:00")
    assert published_at(page(head, body, url=NO_URL_DATE)) == at(2022, 1, 5, 8)


def test_day_month_year_path_segment() -> None:
    assert published_at(page("", "<h1>Erfolgsgeschichte</h1>", url="https://ring.example/meldungen/29-10-2021")) == at(
        2021, 10, 29
    )
    us = page("", "<h1>Story</h1>", url="https://news.example.com/news/10-29-2021", html_attrs=' lang="en-US"')
    assert published_at(us) == at(2021, 10, 29)


def test_byline_next_to_an_h4_headline() -> None:
    head = "<title>Effiziente Hybridbatterie</title>"
    body = "<div><p><em>01.11.2023 11:35</em></p><h4>Effiziente Hybridbatterie</h4><p>Forscher haben …</p></div>"
    assert published_at(page(head, body, url=NO_URL_DATE), SiteRules(timezone="UTC")) == at(2023, 11, 1, 11, 35)


def test_date_after_a_publication_phrase_as_the_last_resort() -> None:
    body = (
        "<h1>Die Anleitungen der Vorfahren</h1><p>Review text.</p>"
        '<div class="rez_footer"><p>Letzte Änderung: 31.10.2023 - 14:49:39<br>Erschienen am: 01.11.2023</p></div>'
    )
    assert published_at(page("", body, url=NO_URL_DATE)) == at(2023, 11, 1)
    byline = (
        "<h1>Tomaten richtig schneiden</h1>"
        '<div class="profile"><span>von <a href="/u">Marianne1</a><br> am 20.09.2020</span></div>'
    )
    assert published_at(page("", byline, url=NO_URL_DATE)) == at(2020, 9, 20)
