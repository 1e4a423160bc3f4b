"""Lead image round two: pictures compared as pictures (one picture at several sizes), thumbnails,
teaser blocks and the article header (crawler/extraction/images.py)."""

from __future__ import annotations

import pytest

from crawler.extraction.images import THUMBNAIL_WIDTH, _same_picture, _url_width, article_images

from .helpers import PARAGRAPHS, page

URL = "https://news.example.com/2024/05/03/story/"
OG_1200 = (
    '<meta property="og:image" content="https://cdn.example.com/img/mayor-at-the-council-vote.jpg">'
    '<meta property="og:image:width" content="1200"><meta property="og:image:height" content="630">'
)


def lead(head: str = "", body: str = "") -> tuple[str, int, int]:
    image = article_images(page(head, body, url=URL))[0]
    return image.url, image.width, image.height


# ---- what a URL says ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "width"),
    [
        ("https://x.com/wp-content/uploads/2024/05/photo-1024x683.jpg", 1024),
        ("https://x.com/a/photo_detail-800w_1FngrG.webp", 800),
        ("https://x.com/v1/7C01456E_w1080_h608.jpg", 1080),
        ("https://lh3.example.com/hwjrfw1hPrVNOAk6=s750", 750),
        ("https://x.com/up/c_crop%2Cw_2651%2Ch_1491/w_988%2Cq_auto/v1/83e0240d.jpeg", 988),  # the last step
        ("https://x.com/a.jpg?w=1581&h=1054&crop=1&resize=300%2C200", 300),  # the resize after the crop
        ("https://x.com/16x9/1200.jpg?format=webp&width=490&height=275", 490),  # the query before the path
        ("https://x.com/media/16x9/photo.jpg", 0),  # an aspect ratio, not a size
        ("https://w640.example.com/photo.jpg", 0),  # the host is not read
        ("https://x.com/thumbnails/photo.jpg", 150),  # a thumbnail by name
    ],
)
def test_the_width_an_image_url_names(url: str, width: int) -> None:
    assert _url_width(url) == width


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("https://x.com/up/mayor-speech-300x200.jpg", "https://cdn.x.com/up/mayor-speech.webp", True),
        ("https://x.com/i/83e0240d-b792.jpeg?w=444", "https://x.com/w_1000/i/83e0240d-b792.jpeg", True),
        # One picture in two image styles of a CMS: the same image ID and most of the name.
        (
            "https://x.com/s/1065948_der-buergermeister-von-crans_detail-800w_1FngrG_4Iql23.webp",
            "https://x.com/s/1065948_der-buergermeister-von-crans_metadaten_1FngrG_MKF8HP.jpg",
            True,
        ),
        ("https://x.com/new/76785_4.jpg", "https://x.com/new/76785_5.jpg", False),  # two pictures, one article
        ("https://x.com/up/20240503_fire-station.jpg", "https://x.com/up/20240503_town-hall.jpg", False),  # a day
        ("https://x.com/up/mayor-speech.jpg", "https://x.com/up/mayor-debate.jpg", False),
    ],
)
def test_picture_identity(a: str, b: str, same: bool) -> None:
    assert _same_picture(a, b) is same


# ---- the largest variant of one picture --------------------------------------------------------------


def test_of_an_img_s_renditions_the_largest_its_urls_name() -> None:
    # No widths declared: the lazy-load attributes' URLs say which file is larger.
    body = (
        "<article><h1>Council votes on the budget</h1>"
        '<figure><img data-src="https://cdn.example.com/up/council-vote-300x200.jpg"'
        ' data-hi-res-src="https://cdn.example.com/up/council-vote-1200x800.jpg"></figure>'
        f"{PARAGRAPHS}</article>"
    )
    assert lead("", body)[0] == "https://cdn.example.com/up/council-vote-1200x800.jpg"


def test_a_srcset_url_ended_by_a_comma_is_an_entry_of_its_own() -> None:
    body = (
        "<article><h1>Council votes on the budget</h1><picture>"
        '<source srcset="https://cdn.example.com/up/vote/wide__1000x562,'
        ' https://cdn.example.com/up/vote/wide__2000x1124 2x">'
        '<img src="https://cdn.example.com/up/vote/wide__980x551"></picture>'
        f"{PARAGRAPHS}</article>"
    )
    assert lead("", body)[0] == "https://cdn.example.com/up/vote/wide__2000x1124"


def test_a_lazy_loader_placeholder_named_by_its_size_is_not_the_picture() -> None:
    body = (
        "<article><h1>Council votes on the budget</h1>"
        '<img src="https://news.example.com/assets/800x600.png" data-src="https://cdn.example.com/up/vote.jpg">'
        f"{PARAGRAPHS}</article>"
    )
    assert lead("", body)[0] == "https://cdn.example.com/up/vote.jpg"


def test_a_srcset_width_gets_the_height_of_the_aspect_the_img_declares() -> None:
    body = (
        "<article><h1>Council votes on the budget</h1>"
        '<img width="680" height="453" srcset="https://cdn.example.com/up/vote-a.jpg 400w,'
        ' https://cdn.example.com/up/vote-b.jpg 800w">'
        f"{PARAGRAPHS}</article>"
    )
    assert lead("", body) == ("https://cdn.example.com/up/vote-b.jpg", 800, 533)


def test_of_the_declared_copies_the_largest_and_one_entry_per_picture() -> None:
    head = (
        '<meta property="og:image" content="https://cdn.example.com/up/mayor-at-the-vote_w600.jpg">'
        '<script type="application/ld+json">{"@type":"NewsArticle","image":'
        '{"@type":"ImageObject","url":"https://cdn.example.com/up/mayor-at-the-vote_w1200.jpg",'
        '"width":1200,"height":675}}</script>'
    )
    images = article_images(page(head, url=URL))
    assert [(i.url, i.width, i.height) for i in images] == [
        ("https://cdn.example.com/up/mayor-at-the-vote_w1200.jpg", 1200, 675)
    ]


def test_a_file_s_declared_size_beats_a_size_asked_of_its_resizer() -> None:
    head = (
        '<meta property="og:image" content="https://cdn.example.com/up/cherokee-flag.png">'
        '<meta property="og:image:width" content="540"><meta property="og:image:height" content="324">'
        '<meta name="twitter:image" content="https://cdn.example.com/up/cherokee-flag.png?w=640">'
    )
    assert lead(head) == ("https://cdn.example.com/up/cherokee-flag.png", 540, 324)


def test_the_figure_s_rendition_leads_not_another_address_of_its_picture() -> None:
    # The page shows the picture at the figure's address; og:image is a copy made elsewhere.
    head = '<meta property="og:image" content="https://cdn.example.com/social/council-vote-1200x630.jpg">'
    body = (
        "<article><h1>Council votes on the budget</h1>"
        '<img src="https://cdn.example.com/up/council-vote-1024x683.jpg">'
        f"{PARAGRAPHS}</article>"
    )
    images = article_images(page(head, body, url=URL))
    assert [i.url for i in images] == ["https://cdn.example.com/up/council-vote-1024x683.jpg"]


# ---- thumbnails ------------------------------------------------------------------------------------------


def test_another_story_s_thumbnail_never_leads_while_a_larger_picture_exists() -> None:
    assert THUMBNAIL_WIDTH == 200
    body = (
        "<article><h1>Council votes on the budget</h1>"
        '<a href="/2024/05/02/other-story/"><img src="https://cdn.example.com/up/harbour-fire-150x100.jpg"></a>'
        f"{PARAGRAPHS}</article>"
    )
    assert lead(OG_1200, body) == ("https://cdn.example.com/img/mayor-at-the-council-vote.jpg", 1200, 630)


def test_the_lead_s_own_thumbnail_gives_way_to_a_larger_copy_of_it() -> None:
    body = (
        "<article><h1>Council votes on the budget</h1>"
        '<div class="entry-thumb"><img src="https://cdn.example.com/img/mayor-at-the-council-vote-150x150.jpg">'
        '</div><div class="share"><img src="https://news.example.com/plugins/share/copy.png"></div>'
        f"{PARAGRAPHS}</article>"
    )
    assert lead(OG_1200, body) == ("https://cdn.example.com/img/mayor-at-the-council-vote.jpg", 1200, 630)


def test_a_thumbnail_is_the_lead_when_the_page_offers_nothing_larger() -> None:
    body = (
        "<article><h1>Council votes on the budget</h1>"
        '<img src="https://cdn.example.com/up/council-vote-150x100.jpg">'
        f"{PARAGRAPHS}</article>"
    )
    assert lead("", body)[0] == "https://cdn.example.com/up/council-vote-150x100.jpg"


# ---- blocks ----------------------------------------------------------------------------------------------


def test_a_teaser_block_s_picture_leads_when_it_is_the_declared_picture() -> None:
    # German CMSs name the story's own lead block "teaser"; og:image is another image style of it.
    og = "https://www.example.at/s/1065948_buergermeister-raeumt-ein_metadaten_1Fn_MKF.jpg"
    head = f'<meta property="og:image" content="{og}">'
    body = (
        "<main><article><h1>Gemeinde räumt Versäumnisse ein</h1>"
        '<figure class="articleImageFigure teaser"><img width="680" height="453"'
        ' srcset="https://www.example.at/s/1065948_buergermeister-raeumt-ein_detail-800w_1Fn_4Iq.webp 800w"></figure>'
        '<div class="swiper-wrapper"><figure><img width="680" height="453"'
        ' srcset="https://www.example.at/s/1065910_trauertag_detail-800w_1Fq_IJG.webp 800w"></figure></div>'
        f"{PARAGRAPHS}</article></main>"
    )
    assert lead(head, body)[0] == "https://www.example.at/s/1065948_buergermeister-raeumt-ein_detail-800w_1Fn_4Iq.webp"


def test_a_teaser_block_s_other_picture_is_another_story_s() -> None:
    body = (
        "<article><h1>Council votes on the budget</h1>"
        '<a class="teaser" href="/2024/05/02/harbour-fire/"><img src="https://cdn.example.com/up/harbour-fire.jpg"'
        ' width="800" height="450"></a>'
        f"{PARAGRAPHS}</article>"
    )
    assert lead(OG_1200, body)[0] == "https://cdn.example.com/img/mayor-at-the-council-vote.jpg"


def test_an_icon_in_a_share_block_is_not_the_lead() -> None:
    body = (
        "<article><h1>Council votes on the budget</h1>"
        '<div class="share-buttons"><img src="https://news.example.com/plugins/share/copy.png"></div>'
        f"{PARAGRAPHS}</article>"
    )
    assert lead(OG_1200, body)[0] == "https://cdn.example.com/img/mayor-at-the-council-vote.jpg"


def test_the_figure_of_the_declared_picture_in_the_article_header() -> None:
    # No story element: the header block around the headline shows the declared picture, at its own size.
    head = '<meta property="og:image" content="https://lh3.example.com/hwjrfw1hPrVNOAk6LFPem1Eb=s1000">'
    body = (
        '<div class="article-header"><h1>Sars gets R4bn to hire debt collectors</h1>'
        '<div class="article-widgets"><div class="image"><img src="//lh3.example.com/hwjrfw1hPrVNOAk6LFPem1Eb=s750">'
        "</div></div></div>"
    )
    assert lead(head, body)[0] == "https://lh3.example.com/hwjrfw1hPrVNOAk6LFPem1Eb=s750"


def test_a_declared_picture_shown_far_from_the_headline_is_not_its_figure() -> None:
    head = '<meta property="og:image" content="https://lh3.example.com/hwjrfw1hPrVNOAk6LFPem1Eb=s1000">'
    deep = '<div class="a"><div class="b"><div class="c"><div class="d"><h1>Sars gets R4bn</h1></div></div></div></div>'
    body = f'<div class="page">{deep}<img src="https://lh3.example.com/hwjrfw1hPrVNOAk6LFPem1Eb=s320"></div>'
    assert lead(head, body)[0] == "https://lh3.example.com/hwjrfw1hPrVNOAk6LFPem1Eb=s1000"


# ---- GIFs ------------------------------------------------------------------------------------------------


def test_a_gif_a_srcset_offers_large_is_a_picture_a_banner_gif_is_not() -> None:
    gif = (
        "<article><h1>A heat shield for the ice</h1><picture>"
        '<source srcset="https://media.example.com/photos/643d85/w_640,c_limit/Bright_Ice.gif 640w,'
        ' https://media.example.com/photos/643d85/w_2240,c_limit/Bright_Ice.gif 2240w">'
        '<img src="https://media.example.com/photos/643d85/w_640,c_limit/Bright_Ice.gif"></picture>'
        f"{PARAGRAPHS}</article>"
    )
    assert lead(OG_1200, gif)[0] == "https://media.example.com/photos/643d85/w_2240,c_limit/Bright_Ice.gif"
    banner = (
        "<article><h1>A heat shield for the ice</h1>"
        '<img src="https://ads.example.com/banner/Tennis_728x90.gif"><img src="https://news.example.com/img/leer.gif"'
        f' width="960" height="430">{PARAGRAPHS}</article>'
    )
    assert lead(OG_1200, banner)[0] == "https://cdn.example.com/img/mayor-at-the-council-vote.jpg"
