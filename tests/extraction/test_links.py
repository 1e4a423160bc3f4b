from __future__ import annotations

from crawler.extraction.links import amp_url, canonical_url, cdn_amp_url

from .helpers import page

URL = "https://www.x.com/news/story?utm_source=feed#top"


def test_canonical_on_the_same_site_is_cleaned() -> None:
    p = page('<link rel="canonical" href="https://www.x.com/news/story?utm_medium=social&id=7">', url=URL)
    assert canonical_url(p) == "https://www.x.com/news/story?id=7"


def test_canonical_on_another_site_is_ignored() -> None:
    p = page('<link rel="canonical" href="https://aggregator.com/copy">', url=URL)
    assert canonical_url(p) == "https://www.x.com/news/story"


def test_og_url_when_no_canonical_and_relative_canonical() -> None:
    assert canonical_url(page('<meta property="og:url" content="https://m.x.com/s">', url=URL)) == "https://m.x.com/s"
    assert canonical_url(page('<link rel="canonical" href="/news/s2">', url=URL)) == "https://www.x.com/news/s2"


def test_https_preferred_when_og_url_is_the_same_page() -> None:
    head = '<link rel="canonical" href="http://www.x.com/news/s"><meta property="og:url" content="https://www.x.com/news/s">'
    assert canonical_url(page(head, url=URL)) == "https://www.x.com/news/s"


def test_amphtml_link_and_self_amp_and_default() -> None:
    p = page('<link rel="amphtml" href="/news/story/amp/?utm_campaign=x">', url=URL)
    assert amp_url(p, "https://www.x.com/news/story") == "https://www.x.com/news/story/amp/"
    amp_page = page("", url="https://www.x.com/amp/story", html_attrs=" amp")
    assert amp_url(amp_page, "https://www.x.com/story") == "https://www.x.com/amp/story"
    bolt = page("", url="https://www.x.com/amp/story", html_attrs=" ⚡")
    assert amp_url(bolt, "https://www.x.com/story") == "https://www.x.com/amp/story"
    assert amp_url(page("", url=URL), "https://www.x.com/news/story") == "https://www.x.com/news/story"


def test_cdn_amp_url() -> None:
    assert cdn_amp_url("https://www.x.com/a") == "https://www-x-com.cdn.ampproject.org/c/s/www.x.com/a"
    assert cdn_amp_url("") == ""
