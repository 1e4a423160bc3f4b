"""Sniffing what a document is, and the shared helpers (dates, URLs), including never-crash properties."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.discovery import (
    DiscoveryError,
    absolute_url,
    parse_date,
    parse_feed,
    parse_listing,
    parse_sitemap,
    sniff,
)

RSS = b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel></channel></rss>'


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (RSS, "feed"),
        (b'\xef\xbb\xbf<?xml version="1.0"?>\n<?xml-stylesheet href="s.xsl"?><!-- hi --><rss/>', "feed"),
        (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>', "feed"),
        (b'<feed xmlns="http://www.w3.org/2005/Atom"></feed>', "feed"),
        (b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>', "sitemap"),
        (b"<sitemapindex></sitemapindex>", "sitemap"),
        (gzip.compress(b"<sitemapindex></sitemapindex>", mtime=0), "sitemap"),
        (b"<!DOCTYPE html>\n<html><head>", "html"),
        (b"  <html lang=en>", "html"),
        (b"<!-- generated --><div>fragment</div>", "html"),
        (b'<?xml version="1.0"?><!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "x"><html>', "html"),
        (b'{"version": "https://jsonfeed.org/version/1"}', "json"),
        (b"  [1, 2]", "json"),
        (b"User-agent: *\nDisallow: /", "other"),
        (b"<?xml version='1.0'?><opml/>", "other"),
        (b"", "other"),
        ("<rss/>".encode("utf-16"), "feed"),
        (b"<br />\n<b>Warning</b>: in p.php<br />\n<?xml version='1.0'?><rss/>", "feed"),  # junk before the feed
    ],
)
def test_sniff_reads_the_body(body: bytes, kind: str) -> None:
    assert sniff(body) == kind


def test_content_type_only_breaks_ties() -> None:
    # The body wins over a lying header…
    assert sniff(RSS, "https://e.com/feed/", "text/html; charset=UTF-8") == "feed"
    assert sniff(b"<html><body>Login</body></html>", "https://e.com/feed/", "application/rss+xml") == "html"
    # …and the header (or the URL) decides only when the body says nothing clear.
    assert sniff(b"Hello", "", "text/html") == "html"
    assert sniff(b"", "", "application/json") == "json"
    assert sniff(b"<?xml version='1.0'?><x/>", "", "application/atom+xml") == "feed"
    assert sniff(b"", "https://e.com/sitemap-news.xml", "") == "sitemap"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mon, 30 Aug 2021 06:03:00 +0000", datetime(2021, 8, 30, 6, 3, tzinfo=UTC)),
        ("Mon, 30 Aug 2021 14:03:00 +0800", datetime(2021, 8, 30, 6, 3, tzinfo=UTC)),
        ("Mon, 30 Aug 2021 06:03:00 GMT", datetime(2021, 8, 30, 6, 3, tzinfo=UTC)),
        ("Mon, 30 Aug 2021 06:03:00 -0000", datetime(2021, 8, 30, 6, 3, tzinfo=UTC)),
        ("30 Aug 2021 01:03 EST", datetime(2021, 8, 30, 6, 3, tzinfo=UTC)),
        ("2021-08-30T06:03:00Z", datetime(2021, 8, 30, 6, 3, tzinfo=UTC)),
        ("2021-08-30T14:03:00+08:00", datetime(2021, 8, 30, 6, 3, tzinfo=UTC)),
        ("2021-08-30T14:03+08:00", datetime(2021, 8, 30, 6, 3, tzinfo=UTC)),
        ("2021-08-30 14:03:00 +0800", datetime(2021, 8, 30, 6, 3, tzinfo=UTC)),
        ("2021-08-30T06:03:00.123456789z", datetime(2021, 8, 30, 6, 3, 0, 123456, tzinfo=UTC)),
    ],
)
def test_dates_with_offsets_are_aware_and_exact(text: str, expected: datetime) -> None:
    parsed = parse_date(text)
    assert parsed is not None and parsed.tzinfo is not None
    assert parsed == expected


def test_dates_without_offsets_stay_naive_and_garbage_is_none() -> None:
    assert parse_date("Mon, 30 Aug 2021 14:03:00") == datetime(2021, 8, 30, 14, 3)
    assert parse_date("2021-08-30").tzinfo is None  # type: ignore[union-attr]
    assert parse_date("2021-08") == datetime(2021, 8, 1)
    assert parse_date("2021-13-45") is None
    assert parse_date("yesterday") is None
    assert parse_date("   ") is None
    assert parse_date("2021-08-30T14:03:00+08:00").utcoffset() == timedelta(hours=8)  # type: ignore[union-attr]
    assert parse_date("2021-08-30T14:03:00+08:00").tzinfo == timezone(timedelta(hours=8))  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("href", "base", "expected"),
    [
        ("/a/b/#frag", "https://e.com/x/", "https://e.com/a/b/"),
        ("  c?d=1\n", "https://e.com/x/", "https://e.com/x/c?d=1"),
        ("https://e.com/a\n/b", "", "https://e.com/a/b"),  # newlines inside (wrapped <loc>) removed
        ("//cdn.e.com/i.jpg", "https://e.com/", "https://cdn.e.com/i.jpg"),
        ("#top", "https://e.com/", ""),
        ("javascript:void(0)", "https://e.com/", ""),
        ("MAILTO:a@b.c", "https://e.com/", ""),
        ("", "https://e.com/", ""),
    ],
)
def test_absolute_url(href: str, base: str, expected: str) -> None:
    assert absolute_url(href, base) == expected


# Whatever arrives, the parsers answer with a result or a DiscoveryError, never another exception.
_markup = st.sampled_from(
    [
        b"<rss>",
        b"<channel>",
        b"<item>",
        b"</item>",
        b"<link>https://e.com/a</link>",
        b"<urlset>",
        b"<url><loc>",
        b"</loc></url>",
        b"<![CDATA[",
        b"]]>",
        b"&rsquo;",
        b"&",
        b"<?xml version='1.0' encoding='bogus'?>",
        b"\x1f\x8b",
        b"<html>",
        b"<a href='/x'>",
        b"\xff\xfe",
        b"\x00",
        b"{",
    ]
)
_documents = st.lists(st.one_of(_markup, st.binary(max_size=20)), max_size=25).map(b"".join)


@settings(deadline=None, database=None)
@given(_documents)
def test_parsers_never_crash_on_arbitrary_bytes(body: bytes) -> None:
    sniff(body)
    for parse in (parse_feed, parse_sitemap):
        try:
            result = parse(body, "https://e.com/source")
        except DiscoveryError:
            continue
        assert result is not None
    parse_listing(body, "https://e.com/")
