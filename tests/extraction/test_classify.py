from __future__ import annotations

from crawler.extraction.classify import category, media_type
from crawler.extraction.context import Hints, SiteRules

from .helpers import page


def test_site_sections_map_to_categories() -> None:
    rules = SiteRules(sections=(("opinion", "opinion"), ("features", "feature")), default_category="news")
    assert category(page('<meta property="article:section" content="Opinion">'), rules) == "opinion"
    assert category(page("", url="https://x.com/features/long-story"), rules) == "feature"
    assert category(page(""), rules) == "news"


def test_json_ld_section_and_breadcrumbs_and_hints() -> None:
    rules = SiteRules(sections=(("analysis", "analysis"),))
    ld = '<script type="application/ld+json">{"@type":"NewsArticle","articleSection":["Analysis"]}</script>'
    assert category(page(ld), rules) == "analysis"
    crumbs = (
        '<script type="application/ld+json">{"@type":"BreadcrumbList","itemListElement":['
        '{"name":"Home"},{"name":"Analysis"},{"name":"This story"}]}</script>'
    )
    assert category(page(crumbs), rules) == "analysis"
    assert category(page(""), rules, Hints(categories=["Analysis"])) == "analysis"


def test_generic_markers() -> None:
    assert category(page('<script type="application/ld+json">{"@type":"OpinionNewsArticle"}</script>')) == "opinion"
    assert category(page("", url="https://x.com/press-releases/acme-raises")) == "press-release"
    assert category(page('<meta property="article:section" content="Sponsored content">')) == "sponsored"
    assert category(page('<meta property="article:section" content="Interviews">')) == "interview"
    assert category(page("", url="https://x.com/reviews/phone-x")) == "review"


def test_default_category_from_rules() -> None:
    assert category(page(""), SiteRules(default_category="feature")) == "feature"


def test_types() -> None:
    assert media_type(page('<meta property="og:type" content="video.other">')) == "video"
    assert media_type(page('<script type="application/ld+json">{"@type":"LiveBlogPosting"}</script>')) == "liveblog"
    assert media_type(page('<script type="application/ld+json">{"@type":"PodcastEpisode"}</script>')) == "podcast"
    assert media_type(page("", url="https://x.com/gallery/best-photos")) == "gallery"
    assert media_type(page("", url="https://x.com/live/election-night")) == "liveblog"
    assert media_type(page("", url="https://x.com/news/story")) == "article"
