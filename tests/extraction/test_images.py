from __future__ import annotations

from crawler.extraction.context import HintImage, Hints, SiteRules
from crawler.extraction.images import article_images, is_rejected_image

from .helpers import page


def urls(images) -> list[str]:
    return [i.url for i in images]


def test_og_image_with_size_and_secure_url_preferred() -> None:
    head = (
        '<meta property="og:image" content="http://cdn.x.com/a.jpg">'
        '<meta property="og:image:secure_url" content="https://cdn.x.com/a.jpg">'
        '<meta property="og:image:width" content="1200"><meta property="og:image:height" content="630">'
    )
    lead = article_images(page(head))[0]
    assert (lead.url, lead.width, lead.height) == ("https://cdn.x.com/a.jpg", 1200, 630)


def test_json_ld_image_object() -> None:
    head = (
        '<script type="application/ld+json">{"@type":"NewsArticle","image":{"@type":"ImageObject",'
        '"url":"https://cdn.x.com/ld.jpg","width":"800px","height":{"value":450}}}</script>'
    )
    lead = article_images(page(head))[0]
    assert (lead.url, lead.width, lead.height) == ("https://cdn.x.com/ld.jpg", 800, 450)


def test_json_ld_image_reference_is_resolved_in_the_graph_not_taken_as_a_url() -> None:
    # Yoast: the article names its image by @id; the ImageObject elsewhere in the @graph has the URL.
    head = (
        '<script type="application/ld+json">{"@context":"https://schema.org","@graph":['
        '{"@type":"Article","@id":"https://x.com/a/#article","headline":"A",'
        '"image":{"@id":"https://x.com/a/#primaryimage"}},'
        '{"@type":"ImageObject","@id":"https://x.com/a/#primaryimage",'
        '"url":"https://cdn.x.com/lead.jpg","width":1024,"height":576}]}</script>'
    )
    lead = article_images(page(head))[0]
    assert (lead.url, lead.width, lead.height) == ("https://cdn.x.com/lead.jpg", 1024, 576)


def test_unresolvable_json_ld_reference_gives_no_image() -> None:
    head = (
        '<script type="application/ld+json">{"@type":"NewsArticle","headline":"A",'
        '"image":{"@id":"https://x.com/a/#primaryimage"}}</script>'
    )
    assert article_images(page(head)) == []


def test_twitter_image_when_nothing_else() -> None:
    assert urls(article_images(page('<meta name="twitter:image" content="https://x.com/t.jpg">'))) == [
        "https://x.com/t.jpg"
    ]


def test_article_figure_leads_and_srcset_takes_the_largest() -> None:
    head = '<meta property="og:image" content="https://cdn.x.com/social-crop.jpg">'
    body = (
        '<article><h1>Story</h1><figure><img src="/s.jpg" '
        'srcset="/img/a-400.jpg 400w, /img/a-1600.jpg 1600w, /img/a-800.jpg 800w"></figure>'
        + "<p>text</p>" * 3
        + "</article>"
    )
    images = article_images(page(head, body, url="https://www.x.com/news/story"))
    assert images[0].url == "https://www.x.com/img/a-1600.jpg" and images[0].width == 1600
    assert images[1].url == "https://cdn.x.com/social-crop.jpg"


def test_picture_sources_are_considered() -> None:
    body = (
        '<article><picture><source media="(max-width:600px)" srcset="/m.jpg 360w">'
        '<source srcset="/d.jpg 1000w"><img src="/fallback.jpg"></picture></article>'
    )
    assert urls(article_images(page("", body, url="https://x.com/a")))[0] == "https://x.com/d.jpg"


def test_protocol_relative_and_base_href() -> None:
    head = '<base href="https://static.x.com/assets/"><meta property="og:image" content="//img.x.com/a.jpg">'
    body = '<article><img src="pics/b.jpg" width="800" height="600"></article>'
    got = urls(article_images(page(head, body, url="http://www.x.com/story")))
    # Protocol-relative URLs take the scheme of the base they resolve against.
    assert got == ["https://static.x.com/assets/pics/b.jpg", "https://img.x.com/a.jpg"]


def test_placeholder_from_rules_is_rejected_and_hint_replaces_it() -> None:
    head = '<meta property="og:image" content="https://x.com/uploads/technode-news-feed-1-1.png">'
    rules = SiteRules(placeholder_images=("technode-news-feed-1-1.png",))
    assert article_images(page(head), rules) == []
    hint = Hints(image=HintImage("https://x.com/uploads/real.jpg", 1024, 576))
    lead = article_images(page(head), rules, hint)[0]
    assert (lead.url, lead.width, lead.height) == ("https://x.com/uploads/real.jpg", 1024, 576)


def test_hint_only_when_page_has_nothing_better() -> None:
    head = '<meta property="og:image" content="https://x.com/page.jpg">'
    assert urls(article_images(page(head), hints=Hints(image=HintImage("https://x.com/feed.jpg"))))[0] == (
        "https://x.com/page.jpg"
    )


def test_pixels_logos_icons_svg_and_data_uris_are_rejected() -> None:
    body = (
        '<article><img src="https://t.x.com/p.gif" width="1" height="1">'
        '<img src="data:image/png;base64,AAAA"><img src="https://x.com/logo.png">'
        '<img src="https://x.com/icons/share.png"><img src="https://x.com/drawing.svg">'
        '<div class="author-box"><img src="https://x.com/jane.jpg"></div>'
        '<img src="https://x.com/real-photo.jpg"></article>'
    )
    assert urls(article_images(page("", body))) == ["https://x.com/real-photo.jpg"]


def test_is_rejected_image() -> None:
    assert is_rejected_image("https://x.com/sites/default/files/photo.jpg") is False
    assert is_rejected_image("https://x.com/images/default-og-image.jpg") is True
    assert is_rejected_image("https://x.com/avatars/u.jpg") is True
    assert is_rejected_image("/relative.jpg") is True
