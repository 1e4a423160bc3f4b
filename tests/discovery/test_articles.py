"""The article-URL heuristic for sites outside the registry."""

from __future__ import annotations

import pytest

from crawler.discovery.articles import looks_like_article_url


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/2024/05/06/huawei-harmonyos/",
        "https://example.com/news/sensetime-files-for-hong-kong-ipo",
        "https://www.spiegel.de/politik/deutschland/some-story-a-1234567.html",
        "https://example.com/story/12345678",
        "https://example.com/tech/ai-startup-raises-100-million/",
    ],
)
def test_articles(url):
    assert looks_like_article_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/",
        "https://example.com/about/",
        "https://example.com/category/ai/",
        "https://example.com/tag/electric-vehicles/",
        "https://example.com/author/jane-doe-smith/",
        "https://example.com/page/2/",
        "https://example.com/feed/",
        "https://example.com/wp-content/uploads/2024/05/big-picture-file.jpg",
        "https://example.com/privacy-policy/",
        "https://example.com/news/",
        "https://example.com/2024/05/",
    ],
)
def test_not_articles(url):
    assert not looks_like_article_url(url)
