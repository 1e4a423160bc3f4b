"""Feeds: RSS 2.0, RSS 1.0 and Atom items become links with hints; non-feeds are refused clearly."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta, timezone

import pytest

from crawler.discovery import DiscoveryError, feed_links, parse_feed

FEED_URL = "https://technode.com/feed/"

WORDPRESS_RSS = b"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
    xmlns:content="http://purl.org/rss/1.0/modules/content/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
  <title>TechNode</title>
  <link>https://technode.com</link>
  <item>
    <title>China&#8217;s AI unicorn SenseTime files for Hong Kong IPO</title>
    <link> https://technode.com/2021/08/30/chinas-ai-unicorn-sensetime-files-for-hong-kong-ipo/#respond
    </link>
    <dc:creator><![CDATA[TechNode Feed]]></dc:creator>
    <pubDate>Mon, 30 Aug 2021 06:03:00 +0000</pubDate>
    <category><![CDATA[News]]></category>
    <category><![CDATA[AI]]></category>
    <category><![CDATA[News]]></category>
    <guid isPermaLink="false">https://technode.com/?p=168201</guid>
    <description><![CDATA[<figure><img alt="" class="wp-post-image" height="576"
      src="https://i0.wp.com/technode.com/wp-content/uploads/2026/04/banner.png?fit=1024%2C576&amp;ssl=1"
      width="1024" /></figure>China&#8217;s biggest AI firm SenseTime filed Friday to go public [&#8230;]]]>
    </description>
    <content:encoded><![CDATA[<p>Body.</p><p>The post <a href="https://technode.com/x/">X</a> appeared first on <a href="https://technode.com">TechNode</a>.</p>]]></content:encoded>
  </item>
  <item>
    <title>Second</title>
    <link>/2021/08/31/second/</link>
    <pubDate>Tue, 31 Aug 2021 14:03:00 +0800</pubDate>
    <description>Plain text summary. Read more</description>
  </item>
</channel>
</rss>"""


def test_wordpress_rss_item_becomes_a_link_with_hints() -> None:
    first, second = parse_feed(WORDPRESS_RSS, FEED_URL)

    # Whitespace and the fragment are gone; the query would stay.
    assert first.url == "https://technode.com/2021/08/30/chinas-ai-unicorn-sensetime-files-for-hong-kong-ipo/"
    hints = first.hints
    assert hints.source == "feed"
    assert hints.title == "China’s AI unicorn SenseTime files for Hong Kong IPO"
    assert hints.excerpt == "China’s biggest AI firm SenseTime filed Friday to go public"
    assert hints.published_at == datetime(2021, 8, 30, 6, 3, tzinfo=UTC)
    assert (
        hints.image_url == "https://i0.wp.com/technode.com/wp-content/uploads/2026/04/banner.png?fit=1024%2C576&ssl=1"
    )
    assert (hints.image_width, hints.image_height) == (1024, 576)
    assert hints.categories == ["News", "AI"]  # duplicates dropped, order kept

    # A relative link resolves against the feed URL; an offset other than UTC is kept.
    assert second.url == "https://technode.com/2021/08/31/second/"
    assert second.hints.published_at == datetime(2021, 8, 31, 14, 3, tzinfo=timezone(timedelta(hours=8)))
    assert second.hints.published_at.utcoffset() == timedelta(hours=8)
    assert second.hints.excerpt == "Plain text summary."


def test_rss_1_0_rdf_items() -> None:
    body = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://example.com/"><title>Ex</title>
    <items><rdf:Seq><rdf:li rdf:resource="https://example.com/a"/></rdf:Seq></items>
  </channel>
  <item rdf:about="https://example.com/a">
    <title>First story</title>
    <link>https://example.com/a</link>
    <description>Summary &amp; more</description>
    <dc:date>2021-08-30T14:03:00+08:00</dc:date>
    <dc:subject>Chips</dc:subject>
  </item>
  <item rdf:about="https://example.com/b"><title>No link element</title></item>
</rdf:RDF>"""
    first, second = parse_feed(body, "https://example.com/index.rdf")
    assert first.url == "https://example.com/a"
    assert first.hints.title == "First story"
    assert first.hints.excerpt == "Summary & more"
    assert first.hints.published_at == datetime(2021, 8, 30, 6, 3, tzinfo=UTC)
    assert first.hints.categories == ["Chips"]
    assert second.url == "https://example.com/b"  # from rdf:about


def test_atom_entries() -> None:
    body = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/" xml:base="https://example.com/blog/">
  <title>Example</title>
  <entry>
    <title type="html">AI &amp;lt;b&amp;gt;chips&amp;lt;/b&amp;gt; in 2026</title>
    <link rel="replies" href="https://example.com/comments/1"/>
    <link rel="alternate" type="text/html" href="posts/ai-chips"/>
    <id>tag:example.com,2026:1</id>
    <published>2026-04-30T13:32:29+08:00</published>
    <updated>2026-05-01T00:00:00Z</updated>
    <category term="Semiconductors" label="Chips"/>
    <summary type="html">&lt;p&gt;A summary.&lt;/p&gt;</summary>
    <media:thumbnail url="https://cdn.example.com/t.jpg" width="300" height="200"/>
  </entry>
  <entry>
    <title>Only an id</title>
    <id>https://example.com/blog/only-id</id>
    <updated>2026-05-02T00:00:00Z</updated>
  </entry>
  <entry><title>Not linkable</title><id>urn:uuid:1234</id></entry>
</feed>"""
    links = parse_feed(body, "https://example.com/atom.xml")
    assert [link.url for link in links] == [
        "https://example.com/blog/posts/ai-chips",  # xml:base, not the feed URL, resolves it
        "https://example.com/blog/only-id",
    ]
    first = links[0].hints
    assert first.title == "AI chips in 2026"
    assert first.excerpt == "A summary."
    assert first.published_at == datetime(2026, 4, 30, 5, 32, 29, tzinfo=UTC)
    assert first.modified_at == datetime(2026, 5, 1, tzinfo=UTC)
    assert first.categories == ["Semiconductors"]
    assert (first.image_url, first.image_width, first.image_height) == ("https://cdn.example.com/t.jpg", 300, 200)
    # Atom's <updated> is a modification date, never a publication date.
    assert links[1].hints.published_at is None
    assert links[1].hints.modified_at == datetime(2026, 5, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("China’s AI firm files [&#8230;]", "China’s AI firm files"),
        ("China’s AI firm files [&amp;#8230;]", "China’s AI firm files"),  # escaped twice
        ("China’s AI firm files […]", "China’s AI firm files"),
        ("China’s AI firm files [...]", "China’s AI firm files"),
        (
            "<p>Story text.</p><p>The post <a href='u'>T</a> appeared first on <a href='v'>TechNode</a>.</p>",
            "Story text.",
        ),
        ("Story text. The post Title appeared first on TechNode.", "Story text."),
        ('<p>Story text. <a class="more-link" href="u">Continue reading <span>Title</span> →</a></p>', "Story text."),
        ("Story text. Read more »", "Story text."),
        ("<p>One.</p><p>Two&nbsp;words</p>", "One. Two words"),
        ("&lt;p&gt;Escaped &amp;amp; markup&lt;/p&gt;", "Escaped & markup"),
        # Mid-sentence words are not debris.
        ("People read more books. They also post more.", "People read more books. They also post more."),
    ],
)
def test_feed_debris_is_cleaned_from_excerpts(raw: str, expected: str) -> None:
    body = f"""<rss version="2.0"><channel><item><link>https://e.com/a</link>
        <description><![CDATA[{raw}]]></description></item></channel></rss>""".encode()
    (link,) = parse_feed(body, "https://e.com/feed/")
    assert link.hints.excerpt == expected


@pytest.mark.parametrize(
    ("extra", "url", "size"),
    [
        (
            '<media:content url="https://c.com/a.jpg" medium="image" width="800" height="450"/>',
            "https://c.com/a.jpg",
            (800, 450),
        ),
        (
            '<media:group><media:content url="https://c.com/v.mp4" type="video/mp4">'
            '<media:thumbnail url="https://c.com/poster.jpg" width="640" height="360"/></media:content></media:group>',
            "https://c.com/poster.jpg",
            (640, 360),
        ),
        ('<media:thumbnail url="https://c.com/t.png"/>', "https://c.com/t.png", (0, 0)),
        ('<enclosure url="https://c.com/e.webp" type="image/webp" length="1"/>', "https://c.com/e.webp", (0, 0)),
        ('<enclosure url="https://c.com/podcast.mp3" type="audio/mpeg" length="1"/>', "", (0, 0)),
    ],
)
def test_item_images_from_media_rss_and_enclosures(extra: str, url: str, size: tuple[int, int]) -> None:
    body = f"""<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><item>
        <link>https://e.com/a</link>{extra}<description>Text</description></item></channel></rss>""".encode()
    (link,) = parse_feed(body, "https://e.com/feed/")
    assert link.hints.image_url == url
    assert (link.hints.image_width, link.hints.image_height) == size


def test_media_content_wins_over_the_description_picture_and_pixels_are_ignored() -> None:
    body = b"""<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"
                   xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
      <item><link>https://e.com/a</link>
        <description><![CDATA[<img src="/small.jpg" width="100" height="50"> Text]]></description>
        <media:content url="https://c.com/big.jpg" medium="image"/>
      </item>
      <item><link>https://e.com/b</link>
        <content:encoded><![CDATA[<img src="https://feeds.feedburner.com/~r/x/~4/pixel" width="1" height="1">
          <p>Body text</p><img src="/body.jpg">]]></content:encoded>
      </item>
    </channel></rss>"""
    first, second = parse_feed(body, "https://e.com/feed/")
    assert first.hints.image_url == "https://c.com/big.jpg"
    assert second.hints.image_url == "https://e.com/body.jpg"  # relative to the item, pixel skipped
    assert second.hints.excerpt == "Body text"  # no description: the content stands in


def test_broken_xml_entities_and_bare_ampersands_are_tolerated() -> None:
    body = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
<item><title>AT&T &rsquo;s &nbsp;deal &eacute;</title><link>https://e.com/a?x=1&y=2</link>
<pubDate>Mon, 30 Aug 2021 06:03:00 GMT</pubDate></item>
<item><title><![CDATA[Kept & <b>raw</b>]]></title><link>https://e.com/b</link></item>
</channel></rss>"""
    first, second = parse_feed(body, "https://e.com/feed/")
    assert first.hints.title == "AT&T ’s deal é"
    assert first.url == "https://e.com/a?x=1&y=2"
    assert first.hints.published_at == datetime(2021, 8, 30, 6, 3, tzinfo=UTC)
    assert second.hints.title == "Kept & raw"


def test_wrong_bytes_in_a_utf8_feed_do_not_lose_the_items() -> None:
    body = (
        b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        b"<item><title>Caf\xe9 \xe2\x80\x99</title><link>https://e.com/a</link></item>"
        b"<item><title>Next</title><link>https://e.com/b</link></item></channel></rss>"
    )
    links = parse_feed(body, "https://e.com/feed/")
    assert [link.url for link in links] == ["https://e.com/a", "https://e.com/b"]
    assert links[0].hints.title == "Caf\ufffd ’"


def test_truncated_feed_keeps_only_complete_items() -> None:
    body = WORDPRESS_RSS[: WORDPRESS_RSS.index(b"<title>Second</title>") + 30]
    links = parse_feed(body, FEED_URL)
    assert [link.hints.title for link in links] == ["China’s AI unicorn SenseTime files for Hong Kong IPO"]


def test_gzipped_feed_is_read() -> None:
    assert len(parse_feed(gzip.compress(WORDPRESS_RSS, mtime=0), FEED_URL)) == 2


def test_html_where_a_feed_was_promised_is_a_clear_error() -> None:
    page = b"<!DOCTYPE html><html><head><title>Just a moment... | Cloudflare</title></head><body></body></html>"
    with pytest.raises(DiscoveryError, match=r"expected a feed, got an HTML page \(<title>Just a moment\.\.\. "):
        parse_feed(page, FEED_URL)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>', "a sitemap (<urlset>)"),
        (b'{"items": []}', "a JSON document"),
        (b"", "an empty document"),
        (b"<?xml version='1.0'?><opml version='2.0'><body/></opml>", "an XML document with root <opml>"),
        (b"Service temporarily unavailable", "text starting 'Service temporarily unavailable'"),
    ],
)
def test_other_documents_where_a_feed_was_promised(body: bytes, message: str) -> None:
    with pytest.raises(DiscoveryError, match="expected a feed") as error:
        parse_feed(body, FEED_URL)
    assert message in str(error.value)


def test_feed_with_no_items_is_an_empty_list() -> None:
    assert parse_feed(b'<rss version="2.0"><channel><title>Quiet</title></channel></rss>', FEED_URL) == []


def test_feed_autodiscovery_on_a_home_page() -> None:
    page = b"""<html><head>
      <link rel="alternate" type="application/rss+xml" title="TechNode &raquo; Comments Feed" href="/comments/feed/">
      <link rel="stylesheet" href="/style.css">
      <link rel="Alternate" type="application/atom+xml" href="https://technode.com/feed/atom/">
      <link rel="alternate" type="application/rss+xml; charset=UTF-8" title="TechNode &raquo; Feed" href="/feed/">
      <link rel="alternate" type="text/html" hreflang="zh" href="https://cn.technode.com/">
      <link rel="alternate" type="application/rss+xml" href="/feed/">
    </head><body></body></html>"""
    assert feed_links(page, "https://technode.com/") == [
        "https://technode.com/feed/atom/",
        "https://technode.com/feed/",
        "https://technode.com/comments/feed/",  # comment feeds last
    ]
    assert feed_links("", "https://technode.com/") == []


def test_php_warning_before_the_feed_is_skipped() -> None:
    body = (
        b"<br />\n<b>Warning</b>:  Undefined variable $x in /wp-content/plugins/p.php on line 3<br />\n" + WORDPRESS_RSS
    )
    assert [link.hints.title for link in parse_feed(body, FEED_URL)][1] == "Second"
