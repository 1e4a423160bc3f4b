"""JSON APIs: WordPress REST posts and mapped APIs become links with hints; errors are refused clearly."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.discovery import (
    ApiPage,
    DiscoveryError,
    PastLastPage,
    api_page_url,
    parse_api,
    parse_wp_posts,
)
from crawler.registry import load_registry

WP_URL = "https://techstory.in/wp-json/wp/v2/posts?_embed&per_page=20"
UPLOADS = "https://techstory.in/wp-content/uploads/2021/08/"

# The shape of /wp/v2/posts?_embed (WordPress REST API handbook), trimmed to what matters here.
WP_POSTS = [
    {
        "id": 168201,
        "date": "2021-08-30T15:43:00",  # site time (Asia/Kolkata): never the instant when date_gmt is there
        "date_gmt": "2021-08-30T10:13:00",
        "guid": {"rendered": "https://techstory.in/?p=168201"},
        "modified": "2021-08-30T16:30:05",
        "modified_gmt": "2021-08-30T11:00:05",
        "slug": "sensetime-files-for-hong-kong-ipo",
        "status": "publish",
        "type": "post",
        "link": "https://techstory.in/sensetime-files-for-hong-kong-ipo/",
        "title": {"rendered": "SenseTime files for Hong Kong IPO &#8211; again"},
        "content": {"rendered": "<p>Body.</p>", "protected": False},
        "excerpt": {
            "rendered": "<p>In the first half of 2021, the China-based startup&#8217;s revenue increased 2x"
            " [&hellip;]</p>\n",
            "protected": False,
        },
        "author": 3,
        "featured_media": 9001,
        "categories": [12],
        "tags": [40, 41],
        "_embedded": {
            "author": [{"id": 3, "name": "Techstory Desk"}],
            "wp:featuredmedia": [
                {
                    "id": 9001,
                    "media_type": "image",
                    "source_url": UPLOADS + "sensetime.jpg",
                    "media_details": {
                        "width": 792,
                        "height": 528,
                        "file": "2021/08/sensetime.jpg",
                        "sizes": {
                            "medium": {"width": 300, "height": 200, "source_url": UPLOADS + "sensetime-300x200.jpg"},
                            "full": {"width": 792, "height": 528, "source_url": UPLOADS + "sensetime.jpg"},
                        },
                    },
                }
            ],
            "wp:term": [
                [{"id": 12, "name": "Startups &amp; Funding", "taxonomy": "category"}],
                [
                    {"id": 40, "name": "AI", "taxonomy": "post_tag"},
                    {"id": 41, "name": "IPO", "taxonomy": "post_tag"},
                    {"id": 12, "name": "Startups &amp; Funding", "taxonomy": "post_tag"},
                ],
            ],
        },
    },
    {
        "id": 168305,
        "date": "2021-08-31T09:00:00",
        "link": "/byjus-buys-great-learning/",
        "title": {"rendered": "Byju’s buys Great Learning"},
        "excerpt": {
            "rendered": '<p>The edtech giant keeps shopping. <a class="more-link" href="/byjus/">Read more</a></p>'
        },
        "featured_media": 9002,
        "_embedded": {
            # An attachment the reader may not see is embedded as an error object.
            "wp:featuredmedia": [{"code": "rest_forbidden", "message": "Sorry.", "data": {"status": 401}}],
        },
    },
    {
        "id": 168400,
        "date_gmt": "2021-09-01T04:00:00",
        "link": "https://techstory.in/ola-electric-scooter-deliveries/",
        "title": {"rendered": "Ola Electric delays scooter deliveries"},
        "_embedded": {
            # No size on the attachment itself: the "full" size says it.
            "wp:featuredmedia": [
                {
                    "source_url": UPLOADS + "ola.png",
                    "media_details": {"sizes": {"full": {"width": 1200, "height": 675}}},
                }
            ],
        },
    },
    {"id": 168500, "title": {"rendered": "A post without a link"}},
]
PAST_LAST_PAGE = (
    b'{"code":"rest_post_invalid_page_number","message":"The page number requested is larger than the number'
    b' of pages available.","data":{"status":400}}'
)


def _json(value: object) -> bytes:
    return json.dumps(value).encode("utf-8")


# --- WordPress ---------------------------------------------------------------------------------------


def test_wordpress_post_with_embed_becomes_a_link_with_hints() -> None:
    page = parse_wp_posts(_json(WP_POSTS), WP_URL, total_pages="3")
    assert page.total_pages == 3
    first = page.links[0]
    assert first.url == "https://techstory.in/sensetime-files-for-hong-kong-ipo/"
    hints = first.hints
    assert hints.source == "api"
    assert hints.title == "SenseTime files for Hong Kong IPO – again"
    assert hints.excerpt == "In the first half of 2021, the China-based startup’s revenue increased 2x"
    # date_gmt has no offset and is UTC: an aware instant, not the site-local `date`.
    assert hints.published_at == datetime(2021, 8, 30, 10, 13, tzinfo=UTC)
    assert hints.published_at.utcoffset() == timedelta(0)
    assert hints.modified_at == datetime(2021, 8, 30, 11, 0, 5, tzinfo=UTC)
    assert (hints.image_url, hints.image_width, hints.image_height) == (UPLOADS + "sensetime.jpg", 792, 528)
    # Category names, then tag names, entities decoded, each once.
    assert hints.categories == ["Startups & Funding", "AI", "IPO"]


def test_wordpress_fallbacks_and_gaps() -> None:
    _, forbidden, full_size = parse_wp_posts(_json(WP_POSTS), WP_URL).links
    # Relative link resolved; "Read more" gone; no image when the attachment is an error object.
    assert forbidden.url == "https://techstory.in/byjus-buys-great-learning/"
    assert forbidden.hints.excerpt == "The edtech giant keeps shopping."
    assert forbidden.hints.image_url == "" and forbidden.hints.image_width == 0
    # Without date_gmt the local `date` is all there is: naive, for the provider's time zone.
    assert forbidden.hints.published_at == datetime(2021, 8, 31, 9, 0)
    assert forbidden.hints.published_at.tzinfo is None
    assert forbidden.hints.categories == []
    # media_details without a size: the full size's.
    assert (full_size.hints.image_url, full_size.hints.image_width, full_size.hints.image_height) == (
        UPLOADS + "ola.png",
        1200,
        675,
    )
    assert full_size.hints.excerpt == "" and full_size.hints.modified_at is None


def test_wordpress_page_count_header() -> None:
    assert parse_wp_posts(b"[]", WP_URL, total_pages="5") == ApiPage([], 5)
    assert parse_wp_posts(b"[]", WP_URL).total_pages is None
    assert parse_wp_posts(b"[]", WP_URL, total_pages="many").total_pages is None


def test_past_the_last_page_is_its_own_error() -> None:
    with pytest.raises(PastLastPage, match=r"past the last page: rest_post_invalid_page_number: The page number"):
        parse_wp_posts(PAST_LAST_PAGE, WP_URL + "&page=9")
    assert issubclass(PastLastPage, DiscoveryError)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            b'{"code":"rest_no_route","message":"No route was found matching the URL and request method.",'
            b'"data":{"status":404}}',
            r"the API answered an error: rest_no_route: No route was found matching the URL .* \(HTTP 404\)",
        ),
        (
            b'{"code":"rest_cannot_read","message":"Sorry, you are not allowed to do that.","data":{"status":401}}',
            r"rest_cannot_read: Sorry, you are not allowed",
        ),
    ],
)
def test_other_error_objects_name_code_and_message(body: bytes, message: str) -> None:
    with pytest.raises(DiscoveryError, match=message) as caught:
        parse_wp_posts(body, WP_URL)
    assert not isinstance(caught.value, PastLastPage)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Checking</body></html>",
            r"expected a JSON list of WordPress posts, got an HTML page \(<title>Just a moment...</title>\)",
        ),
        (_json(WP_POSTS)[:200], r"got truncated JSON: Unterminated string .* of 200 bytes"),
        (b'[{"id": 1,}]', r"got broken JSON: Expecting property name"),
        (b"", r"got an empty document"),
        (b'{"posts": [], "total_pages": 1}', r"got a JSON object with keys posts, total_pages"),
        (b'"hello"', r"got 7 bytes of text starting '\"hello\"'"),
        (b"[\xff\xfe]", r"not UTF-8"),
    ],
)
def test_what_is_not_a_posts_list_is_refused_saying_what_it_is(body: bytes, message: str) -> None:
    with pytest.raises(DiscoveryError, match=message):
        parse_wp_posts(body, WP_URL)


def test_php_notices_before_the_json_are_skipped() -> None:
    body = (
        b"<br />\n<b>Deprecated</b>:  Function get_magic_quotes_gpc() is deprecated in <b>/var/www/wp-includes/"
        b"load.php</b> on line <b>651</b><br />\n" + _json(WP_POSTS[:1])
    )
    (link,) = parse_wp_posts(body, WP_URL).links
    assert link.hints.title.startswith("SenseTime")


# --- mapped APIs ------------------------------------------------------------------------------------

TIA_URL = "https://www.techinasia.com/wp-json/techinasia/2.0/posts?per_page=20&page=1"
TIA_MAPPING = dict(next(s for s in load_registry().get("techinasia").sources if s.kind == "api").mapping)
TIA_PAGE = {
    "current_page": 1,
    "total_pages": 4,
    "per_page": 20,
    "posts": [
        {
            "id": 1590001,
            "title": "SoftBank-backed AI startup SenseTime files for Hong Kong IPO",
            "slug": "sensetime-ipo-hongkong-stock-exchange",
            "link": "https://www.techinasia.com/sensetime-ipo-hongkong-stock-exchange",
            "date_gmt": "2021-08-30T10:13:00",
            "modified_gmt": "2021-08-30T12:40:11",
            "excerpt": "In the first half of 2021, the China-based startup&#8217;s revenue increased 2x while its"
            " gross profit margin went slightly up to 73%.",
            "featured_image": {
                "source": "https://cdn.techinasia.com/wp-content/uploads/2021/08/sensetime.jpg",
                "attachment_meta": {"width": 792, "height": 528, "sizes": {}},
            },
            "categories": [{"id": 1, "name": "Artificial Intelligence"}, {"id": 2, "name": "Investments"}],
            "author": {"display_name": "Putra Ramadhan"},
        },
        {
            "id": 1590002,
            "title": "A brief without extras",
            "link": "/news/a-brief-without-extras",
            "categories": [],
        },
        {"id": 1590003, "title": "No link at all"},
        "not a post",
    ],
}


def test_mapped_api_reads_each_field_through_the_registry_mapping() -> None:
    page = parse_api(_json(TIA_PAGE), TIA_URL, TIA_MAPPING)
    assert page.total_pages == 4  # from the document, not from a post
    assert [link.url for link in page.links] == [
        "https://www.techinasia.com/sensetime-ipo-hongkong-stock-exchange",
        "https://www.techinasia.com/news/a-brief-without-extras",  # resolved against the API URL
    ]
    hints = page.links[0].hints
    assert hints.source == "api"
    assert hints.title == "SoftBank-backed AI startup SenseTime files for Hong Kong IPO"
    assert hints.excerpt.startswith("In the first half of 2021, the China-based startup’s revenue")
    assert hints.published_at == datetime(2021, 8, 30, 10, 13, tzinfo=UTC)  # no offset: UTC, aware
    assert hints.modified_at == datetime(2021, 8, 30, 12, 40, 11, tzinfo=UTC)
    assert (hints.image_url, hints.image_width, hints.image_height) == (
        "https://cdn.techinasia.com/wp-content/uploads/2021/08/sensetime.jpg",
        792,
        528,
    )
    assert hints.categories == ["Artificial Intelligence", "Investments"]

    bare = page.links[1].hints
    assert (bare.excerpt, bare.published_at, bare.image_url, bare.image_width, bare.categories) == ("", None, "", 0, [])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1630318380, datetime(2021, 8, 30, 10, 13, tzinfo=UTC)),  # epoch seconds
        ("1630318380", datetime(2021, 8, 30, 10, 13, tzinfo=UTC)),
        (1630318380000, datetime(2021, 8, 30, 10, 13, tzinfo=UTC)),  # milliseconds
        (1630318380.5, datetime(2021, 8, 30, 10, 13, 0, 500000, tzinfo=UTC)),
        ("2021-08-30T18:13:00+08:00", datetime(2021, 8, 30, 10, 13, tzinfo=UTC)),
        ("2021-08-30T10:13:00Z", datetime(2021, 8, 30, 10, 13, tzinfo=UTC)),
        ("2021-08-30 10:13:00", datetime(2021, 8, 30, 10, 13, tzinfo=UTC)),  # no offset: UTC
        ("Mon, 30 Aug 2021 10:13:00 GMT", datetime(2021, 8, 30, 10, 13, tzinfo=UTC)),
        ("yesterday", None),
        (True, None),
        (None, None),
        ({"when": 1}, None),
    ],
)
def test_mapped_dates_are_aware_utc(value: object, expected: datetime | None) -> None:
    body = _json({"items": [{"u": "/a-story", "d": value}]})
    (link,) = parse_api(
        body, "https://example.com/api/posts", {"items": "items", "url": "u", "published_at": "d"}
    ).links
    assert link.hints.published_at == expected
    if expected is not None:
        assert link.hints.published_at.tzinfo is UTC


def test_mapped_fields_of_other_shapes() -> None:
    mapping = {
        "items": "data.articles",
        "url": "permalink",
        "title": "headline",
        "excerpt": "summary",
        "image_url": "image.src",
        "image_width": "image.w",
        "image_height": "image.h",
        "categories": "section",
        "total_pages": "meta.pages",
    }
    document = {
        "meta": {"pages": "7"},
        "data": {
            "articles": [
                {
                    "permalink": "../../stories/grab-q3-results?ref=api",
                    "headline": "<b>Grab</b> posts &amp; profit",
                    "summary": "<p>Grab’s third quarter. [&#8230;]</p>",
                    "image": {"src": "/img/grab.jpg", "w": "1200", "h": 800.0},
                    "section": "Transport",
                },
                {"permalink": "https://example.com/stories/two", "image": {"w": 100, "h": 100}, "section": ["A", 5]},
            ]
        },
    }
    page = parse_api(_json(document), "https://example.com/api/v1/feed.json", mapping)
    assert page.total_pages == 7
    first, second = page.links
    assert first.url == "https://example.com/stories/grab-q3-results?ref=api"
    assert first.hints.title == "Grab posts & profit"
    assert first.hints.excerpt == "Grab’s third quarter."
    assert (first.hints.image_url, first.hints.image_width, first.hints.image_height) == (
        "https://example.com/img/grab.jpg",
        1200,
        800,
    )
    assert first.hints.categories == ["Transport"]  # one string is one name
    assert (second.hints.image_url, second.hints.image_width) == ("", 0)  # a size without a picture is nothing
    assert second.hints.categories == ["A"]


def test_mapped_api_errors() -> None:
    with pytest.raises(PastLastPage):
        parse_api(PAST_LAST_PAGE, TIA_URL.replace("page=1", "page=5"), TIA_MAPPING)
    with pytest.raises(DiscoveryError, match=r"expected a list of posts at 'posts', got nothing in a JSON object"):
        parse_api(b'{"articles": []}', TIA_URL, TIA_MAPPING)
    with pytest.raises(DiscoveryError, match=r"expected a JSON API page, got an HTML page"):
        parse_api(b"<html><head><title>404</title></head></html>", TIA_URL, TIA_MAPPING)
    with pytest.raises(ValueError, match="needs 'items'"):
        parse_api(b"[]", TIA_URL, {"url": "link"})
    with pytest.raises(ValueError, match="mapping title"):
        parse_api(b'{"posts": [{"link": "/a"}]}', TIA_URL, {"items": "posts", "url": "link", "title": "[["})
    assert parse_api(b'{"posts": [], "total_pages": 0}', TIA_URL, TIA_MAPPING) == ApiPage([], 0)


# --- page URLs --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "page", "kwargs", "expected"),
    [
        (
            "https://www.techinasia.com/wp-json/techinasia/2.0/posts?per_page=20",
            2,
            {},
            "https://www.techinasia.com/wp-json/techinasia/2.0/posts?per_page=20&page=2",
        ),
        ("https://x.com/api?page=1&per_page=20&lang=en", 3, {}, "https://x.com/api?page=3&per_page=20&lang=en"),
        ("https://x.com/api?p=1&page=9&p=2&page=4", 2, {}, "https://x.com/api?p=1&page=2&p=2"),
        ("https://x.com/api", 1, {"page_param": "pg"}, "https://x.com/api?pg=1"),
        (
            "https://x.com/api?offset=0",
            2,
            {"page_param": "pg", "since": date(2024, 1, 1)},
            "https://x.com/api?offset=0&pg=2",
        ),
        (
            "https://techstory.in/wp-json/wp/v2/posts?_embed&per_page=20",
            2,
            {"wordpress": True, "since": date(2025, 6, 1)},
            "https://techstory.in/wp-json/wp/v2/posts?_embed&per_page=20&page=2&after=2025-06-01T00:00:00",
        ),
        (
            "https://techstory.in/wp-json/wp/v2/posts?after=2020-01-01T00:00:00&_embed",
            1,
            {"wordpress": True, "since": date(2025, 6, 1)},
            "https://techstory.in/wp-json/wp/v2/posts?after=2025-06-01T00:00:00&_embed&page=1",
        ),
    ],
)
def test_api_page_url(url: str, page: int, kwargs: dict, expected: str) -> None:
    assert api_page_url(url, page, **kwargs) == expected


def test_api_page_url_refuses_page_zero() -> None:
    with pytest.raises(ValueError, match="start at 1"):
        api_page_url("https://x.com/api", 0)


# --- never crash ------------------------------------------------------------------------------------

# Keys the parsers look for, so that generated documents reach past the first check.
_KEYS = [
    *("posts", "link", "title", "excerpt", "date_gmt", "modified_gmt", "categories", "name", "total_pages"),
    *("featured_image", "source", "attachment_meta", "width", "height", "code", "message", "data", "status"),
    *("_embedded", "wp:featuredmedia", "wp:term", "source_url", "media_details", "sizes", "full", "rendered", "date"),
]
_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(_KEYS),
            inner,
            max_size=6,
        )
    ),
    max_leaves=30,
)


@settings(deadline=None, database=None)
@given(st.one_of(st.binary(max_size=200), _json_values.map(_json)))
def test_parsers_refuse_anything_only_with_discovery_errors(body: bytes) -> None:
    mapped = {"items": "@", "url": "link", "published_at": "date_gmt", "image_url": "title"}
    for parse in (
        lambda: parse_wp_posts(body, WP_URL, total_pages="2"),
        lambda: parse_api(body, TIA_URL, TIA_MAPPING),
        lambda: parse_api(body, TIA_URL, mapped),
    ):
        try:
            page = parse()
        except DiscoveryError:
            continue
        assert page.total_pages is None or page.total_pages >= 0
        for link in page.links:
            assert link.url.startswith("https://")
            assert link.hints.source == "api"


def test_json_nested_past_the_depth_limit_is_a_broken_source_not_a_crash():
    body = ("[" * 200_000 + "]" * 200_000).encode()
    with pytest.raises(DiscoveryError, match="nested over 64 levels deep"):
        parse_wp_posts(body, "https://example.com/wp-json/wp/v2/posts")
