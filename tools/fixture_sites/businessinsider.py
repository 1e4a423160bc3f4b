"""The Business Insider-shaped fixture site, from ``businessinsider.yaml`` with the fixture-site kit.

Business Insider is not WordPress: this module has its own page templates, shaped after the
real pages in ``/work/shared/providers/businessinsider.com`` (see ``businessinsider.yaml``), and
uses the kit's common part for text, dates and the RSS and Google News sitemap writers.
Served from one local server: www stories at ``/<slug>-YYYY-M``, markets.businessinsider.com
stories at ``/news/stocks/<slug>-<id>``, the feed at ``/rss`` and the Google News sitemap at
``/sitemap/google-news.xml`` (the registry's two sources).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from tools.fixture_sites.kit.common import (
    BASE,
    IMAGE_NS,
    NEWS_NS,
    ROUTES_HEADER,
    cdata,
    esc,
    first_sentence,
    instant,
    news_entry,
    one_line,
    paragraphs,
    rfc822_local,
    rss,
    serve_pictures,
    slugify,
    urlset,
    xml_text,
    zulu,
)

SOURCE = Path(__file__).with_name("businessinsider.yaml")
IMAGES = "https://i.insider.com"
# The picture of a hero given by its id (not og:image's): its largest rendition (srcset 1300w), 16:9.
HERO_SIZE = (1300, 731)
RSS_PATH = "/rss"
NEWS_SITEMAP = "/sitemap/google-news.xml"
SITE_NAME = "Business Insider"
LOGO = "https://www.businessinsider.com/public/assets/logos/structured-data.png"
SAME_AS = [
    "https://www.instagram.com/businessinsider",
    "https://www.twitter.com/businessinsider",
    "https://www.facebook.com/businessinsider",
    "https://www.linkedin.com/company/businessinsider",
    "https://www.youtube.com/@BusinessInsider",
]
# The masthead logo: an inline SVG with its own <title>, the page's second one.
SVG_LOGO = (
    '<svg class="svg-icon logo-inline" xmlns="http://www.w3.org/2000/svg" width="1365" height="120" '
    'viewBox="0 0 1365 120">\n<title>{name}</title>\n'
    '<g class="logo-inline-path" fill="#0a0a0a" fill-rule="evenodd"><path d="M0 2.46h49.1c27.31 0 41.59 14.12 '
    '41.59 31.46 0 11.97-6.1 20.9-16.5 25.6v.5c13.4 3.6 21.6 14 21.6 28.1 0 19.7-15.6 34.4-44.2 34.4H0V2.46Z"/></g>'
    "</svg>"
)
SVG_ICON = (
    '<svg class="svg-icon {cls}" role="img" xmlns="http://www.w3.org/2000/svg" width="1em" height="1em" '
    'viewBox="0 0 24 24"><title>{title}</title><path fill="currentColor" d="M3 5h18v2H3zM3 11h18v2H3zM3 17h18v2H3z"/>'
    "</svg>"
)


@dataclass
class Story:
    """One article of ``businessinsider.yaml``."""

    slug: str
    id: str
    published: datetime
    modified: datetime
    headline: str
    description: str
    vertical: str
    keywords: list[str]
    image: dict[str, Any] | None  # None: the markets default share picture
    body: list[str]
    sources: list[str]
    zone: ZoneInfo
    host: str = "www"
    section: str = ""
    number: int = 0
    source: str = ""
    author: str = ""
    seo_title: str = ""
    seo_suffix: bool = False
    bullets: list[str] = field(default_factory=list)
    ld_image: dict[str, Any] | None = None
    hero: str = "none"
    ld_date: str = "full"
    layout: str = "2025"  # www page layout: 2025 (sections) | 2024 (the story inside role=main and <article>)
    note: str = ""

    @property
    def local(self) -> datetime:
        return self.published.astimezone(self.zone)

    @property
    def path(self) -> str:
        if self.host == "markets":
            return f"/news/{self.section}/{self.slug}-{self.number}"
        return f"/{self.slug}-{self.local.year}-{self.local.month}"

    @property
    def url(self) -> str:
        return BASE + self.path

    @property
    def file(self) -> str:
        return ("markets" if self.host == "markets" else "www") + self.path + ".html"

    @property
    def title_tag(self) -> str:
        if self.host == "markets":
            return f"{self.headline} | Markets Insider"
        return self.seo_title + (f" - {SITE_NAME}" if self.seo_suffix else "")


def picture(image_id: str, width: int) -> str:
    return f"{IMAGES}/{image_id}?width={width}&format=jpeg"


def load() -> tuple[dict[str, Any], list[Story]]:
    data = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    site = data["site"]
    zone = ZoneInfo(site["timezone"])
    stories = []
    for raw in data["articles"]:
        raw = dict(raw)
        image = raw.pop("image")
        stories.append(
            Story(
                published=instant(raw.pop("published")),  # type: ignore[arg-type]
                modified=instant(raw.pop("modified")),  # type: ignore[arg-type]
                description=one_line(raw.pop("description")),
                note=one_line(raw.pop("note", "")),
                body=paragraphs(raw.pop("body")),
                image=None if image == "placeholder" else dict(image),
                zone=zone,
                **raw,
            )
        )
    return site, stories


# --- pages ---------------------------------------------------------------------------------------


def og_image(story: Story, site: dict[str, Any]) -> tuple[str, int, int]:
    if story.image is None:
        return site["placeholder_image"], 0, 0
    return picture(story.image["id"], 1200), story.image["width"], story.image["height"]


def news_article_ld(story: Story, site: dict[str, Any]) -> dict[str, Any]:
    """The NewsArticle JSON-LD of a www story (headline: the SEO variant, as on the real pages)."""
    day = story.local.date().isoformat()
    ld_image = story.ld_image or story.image
    return {
        "@context": "http://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": story.url},
        "author": {"@type": "Person", "name": story.author, "sameAs": f"{BASE}/author/{slugify(story.author)}"},
        "publisher": {
            "@context": "http://schema.org",
            "@type": "Organization",
            "name": SITE_NAME,
            "legalName": "Insider Inc.",
            "foundingDate": "2007",
            "url": "www.businessinsider.com",
            "sameAs": SAME_AS,
            "founder": {"@type": "Person", "name": "Henry Blodget"},
            "logo": {"@type": "ImageObject", "url": LOGO, "width": 305, "height": 60},
        },
        "headline": story.seo_title,
        "alternativeHeadline": story.headline,
        "image": {
            "@type": "ImageObject",
            "url": picture(ld_image["id"], ld_image["width"]),  # type: ignore[index]
            "width": ld_image["width"],  # type: ignore[index]
            "height": ld_image["height"],  # type: ignore[index]
        },
        "name": story.headline,
        "datePublished": zulu(story.published) if story.ld_date == "full" else day,
        "dateModified": zulu(story.modified)
        if story.ld_date == "full"
        else story.modified.astimezone(story.zone).date().isoformat(),
        "description": story.description,
        "keywords": ", ".join(story.keywords),
        "articleBody": "".join(story.body[:2]),
        "articleSection": story.vertical,
        "isAccessibleForFree": True,
    }


def breadcrumbs_ld(story: Story, home: str) -> dict[str, Any]:
    section = f"{BASE}/{slugify(story.vertical)}"
    return {
        "@context": "http://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": 1, "item": {"@id": f"{BASE}/", "name": home}},
            {"@type": "ListItem", "position": 2, "item": {"@id": section, "name": story.vertical}},
            {"@type": "ListItem", "position": 3, "item": {"@id": story.url, "name": story.headline}},
        ],
    }


def ld_script(data: dict[str, Any]) -> str:
    return (
        f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False, separators=(",", ":"))}</script>\n'
    )


def www_page(story: Story, site: dict[str, Any]) -> bytes:
    """A www.businessinsider.com story, in the 2024/2025 page shape."""
    image_url, width, height = og_image(story, site)
    day = story.local.date().isoformat()
    layer = {
        "pageType": "post",
        "postID": story.id,
        "postURI": story.path.lstrip("/"),
        "vertical": slugify(story.vertical),
        "author": story.author,
        "category": "|".join(story.keywords),
        "dateModified": story.modified.astimezone(story.zone).date().isoformat(),
        "datePublished": day,
        "wordCount": len(" ".join(story.body).split()),
    }
    head = (
        f"<title>{esc(story.title_tag)}</title>\n"
        '<meta charset="UTF-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="title" content="{esc(story.headline)}">\n'
        f'<meta name="datePublished" content="{zulu(story.published)}">\n'
        f'<meta name="dateModified" content="{zulu(story.modified)}">\n'
        f'<meta name="news_keywords" content="{esc(", ".join([story.vertical, *story.keywords]))}">\n'
        f'<meta name="description" content="{esc(story.description)}">\n'
        f'<meta property="author" content="{esc(story.author)}">\n'
        '<meta property="article:publisher" content="businessinsider">\n'
        f'<meta name="tbi-vertical" content="{esc(story.vertical)}">\n'
        f'<meta property="og:title" content="{esc(story.headline)}">\n'
        f'<meta property="og:description" content="{esc(story.description)}">\n'
        '<meta property="og:type" content="article">\n'
        f'<meta property="og:url" content="{story.url}">\n'
        f'<meta property="og:image" content="{esc(image_url)}">\n'
        '<meta property="og:image:type" content="image/jpeg" />\n'
        f'<meta property="og:image:width" content="{width}" />\n'
        f'<meta property="og:image:height" content="{height}" />\n'
        f'<meta name="sailthru.title" content="{esc(story.headline)}">\n'
        f'<meta name="sailthru.date" content="{day}">\n'
        f'<meta name="sailthru.tags" content="{esc(", ".join([*story.keywords, story.author]))}">\n'
        f'<meta name="sailthru.description" content="{esc(story.description)}">\n'
        f'<meta name="sailthru.author" content="{esc(story.author)}">\n'
        f'<meta name="sailthru.verticals" content="{slugify(story.vertical)}">\n'
        f'<meta name="sailthru.image.full" content="{esc(picture(story.image["id"], 1200))}">\n'  # type: ignore[index]
        f'<meta name="sailthru.image.thumb" content="{esc(picture(story.image["id"], 160))}">\n'  # type: ignore[index]
        '<meta name="twitter:card" content="summary_large_image">\n'
        f'<link href="{story.url}?amp" rel="amphtml">\n'
        '<meta name="robots" content="max-image-preview:large"/>\n'
        f'<meta property="og:site_name" content="{SITE_NAME}">\n'
        f'<link rel="canonical" href="{story.url}">\n'
        f'<meta name="viking-id" value="{story.id}">\n'
        f'<meta name="apple-mobile-web-app-title" content="{SITE_NAME}">\n'
        + ld_script(news_article_ld(story, site))
        + ld_script(breadcrumbs_ld(story, SITE_NAME))
        + f"<script>window.initialDataLayer = {json.dumps(layer, separators=(',', ':'))};</script>\n"
    )
    hero = ""
    if story.hero != "none":
        hero_id = story.image["id"] if story.hero == "og" else story.hero  # type: ignore[index]
        srcset = ", ".join(f"{IMAGES}/{hero_id}?width={w}&format=jpeg&auto=webp {w}w" for w in (400, 700, 1000, 1300))
        hero = (
            '<div class="post-hero" data-component-type="post-hero">\n'
            '<figure class="figure image-figure-image as-notched" data-type="img" itemscope '
            'itemtype="https://schema.org/ImageObject">\n'
            '<div class="aspect-ratio" style="padding-top: calc(100% / (1440 / 1080))">\n'
            f'<meta itemprop="contentUrl" content="{IMAGES}/{hero_id}?width=700"/>\n'
            f'<img src="{IMAGES}/{hero_id}?width=700" srcset="{esc(srcset)}" sizes="(min-width: 1280px) 900px" '
            f'alt="{esc(story.headline)}" decoding="sync" />\n'
            "</div>\n"
            f'<figcaption class="image-caption label-md-strong"><span class="image-caption-text">'
            f"{esc(first_sentence(story.body[0]))}</span></figcaption>\n"
            "</figure>\n</div>\n"
        )
    bullets = ""
    if story.bullets:
        items = "".join(f'<li class="body-md">{esc(b)}</li>' for b in story.bullets)
        bullets = (
            f'<div class="post-summary-bullets" data-component-type="post-summary-bullets"><ul>{items}</ul></div>\n'
        )
    body = "".join(f"<p>{esc(p)}</p>\n" for p in story.body)
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n'
        + head
        + "</head>\n"
        + f'<body data-site-id="bi" data-id="{story.path.lstrip("/")}" class="">\n'
        + '<nav class="navigation" data-component-type="navigation">\n'
        + '<button class="menu-button">'
        + SVG_ICON.format(cls="menu-icon", title="Menu icon")
        + "</button>\n"
        + f'<a href="{BASE}/" class="logo-link">'
        + SVG_LOGO.format(name=SITE_NAME)
        + "</a>\n"
        + '<button class="search-button">'
        + SVG_ICON.format(cls="search-icon", title="Search icon")
        + "</button>\n</nav>\n"
        + story_markup(story, hero, bullets, body)
        + '<footer class="footer"><a href="'
        + BASE
        + '/">'
        + SVG_LOGO.format(name=SITE_NAME)
        + "</a><p>Copyright &copy; 2026 Insider Inc. All rights reserved.</p></footer>\n"
        + "</body>\n</html>\n"
    )
    return page.encode("utf-8")


def story_markup(story: Story, hero: str, bullets: str, body: str) -> str:
    """Headline, byline, hero, timestamp, key points and text, in the 2025 or the 2024 layout.

    2025: ``<section>``s only. 2024: the same inside ``<section role="main">`` and an ``<article>``,
    which makes the hero figure the article's own first picture.
    """
    author_url = f"{BASE}/author/{slugify(story.author)}"
    top = (
        '<div class="post-overline label-sm"><span class="breadcrumbs-wrapper caps strong">'
        f'<a href="{BASE}/{slugify(story.vertical)}" class="breadcrumb">{esc(story.vertical)}</a></span></div>\n'
        f'<section class="post-headline"><h1 class="headline heading-xl">{esc(story.headline)}</h1></section>\n'
        '<section class="post-byline label-md-subtle"><div class="byline-content">By '
        f'<a class="byline-link byline-author-name font-weight-600" href="{author_url}">{esc(story.author)}</a>'
        "</div></section>\n"
    )
    content = (
        hero
        + '<div class="timestamp label-md" data-component-type="timestamp">'
        + f'<time class="timestamp js-date-format" data-timestamp="{zulu(story.published)}" '
        + f"data-disable-relative-formatting>{zulu(story.published)}</time></div>\n"
        + bullets
        + '<section class="post-body-content post-story-body-content" data-component-type="post-body-content" '
        + 'data-post-type="story">\n'
        + body
        + "</section>\n"
    )
    if story.layout == "2024":
        return (
            '<section class="row" role="main">\n'
            '<section id="l-content" class="is-right-rail one-page-view" data-post-content>\n'
            "<article>\n"
            f'<section class="post-headline-wrapper" id="post-headline">\n{top}</section>\n'
            f'<section class="post-content" data-post-content>\n{content}</section>\n'
            "</article>\n</section>\n</section>\n"
        )
    return (
        '<section class="post-page-container" data-content-container>\n'
        f'<section class="post-top grid-lines with-lead-image" data-component-type="post-top">\n{top}</section>\n'
        '<section class="post-page-grid">\n'
        f'<section id="post-body" class="post-body" data-component-type="post-body" data-lock-content>\n{content}'
        "</section>\n</section>\n</section>\n"
    )


def markets_page(story: Story, site: dict[str, Any]) -> bytes:
    """A markets.businessinsider.com story (news or press release)."""
    image_url, width, height = og_image(story, site)
    local = story.local
    shown = f"{local:%b}. {local.day}, {local.year}, {local.hour % 12 or 12}:{local:%M} {local:%p}"
    markets = site["markets_name"]
    ld: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": story.url,
        "headline": story.headline,
        "description": story.description,
        "datePublished": story.published.astimezone(story.zone).isoformat(),
        "dateModified": story.modified.astimezone(story.zone).isoformat(),
        "author": {"@type": "Organization", "name": story.source}
        if story.source
        else {"@type": "Person", "name": story.author},
        "publisher": {"@type": "Organization", "name": markets, "logo": {"@type": "ImageObject", "url": LOGO}},
        "articleSection": story.vertical,
        "image": [image_url],
    }
    if story.keywords:
        ld["keywords"] = ", ".join(story.keywords)
    size = (
        f'<meta property="og:image:width" content="{width}">\n<meta property="og:image:height" content="{height}">\n'
        if width
        else ""
    )
    byline = esc(story.source or story.author)
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{esc(story.title_tag)}</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="description" content="{esc(story.description)}">\n'
        f'<link rel="canonical" href="{story.url}">\n'
        f'<meta property="og:title" content="{esc(story.title_tag)}">\n'
        f'<meta property="og:description" content="{esc(story.description)}">\n'
        '<meta property="og:type" content="article">\n'
        f'<meta property="og:url" content="{story.url}">\n'
        f'<meta property="og:image" content="{esc(image_url)}">\n'
        + size
        + f'<meta property="og:site_name" content="{markets}">\n'
        + '<meta name="twitter:card" content="summary_large_image">\n'
        + ld_script(ld)
        + ld_script(breadcrumbs_ld(story, markets))
        + "</head>\n<body>\n"
        + '<header class="header"><a class="header__logo" href="'
        + BASE
        + '/">'
        + SVG_LOGO.format(name=markets)
        + "</a>\n"
        + f'<nav class="header__nav"><a href="{BASE}/news/stocks">Stocks</a> <a href="{BASE}/news/commodities">'
        + "Commodities</a></nav></header>\n"
        + '<main class="container">\n<div class="news-content-wrapper" itemscope itemtype="https://schema.org/NewsArticle">\n'
        + f'<h1 class="news-post-headline" itemprop="headline">{esc(story.headline)}</h1>\n'
        + f'<div class="news-post-meta"><span class="news-post-quelle">{byline}</span> '
        + f'<span class="news-post-time">{shown}</span>'
        + (f' <span class="news-post-label">{esc(story.vertical)}</span>' if story.source else "")
        + "</div>\n"
        + '<div class="news-content" itemprop="articleBody">\n'
        + "".join(f"<p>{esc(p)}</p>\n" for p in story.body)
        + "</div>\n</div>\n</main>\n"
        + '<footer class="footer"><p>Copyright &copy; 2026 Insider Inc. All rights reserved.</p></footer>\n'
        + "</body>\n</html>\n"
    )
    return page.encode("utf-8")


# --- sources -------------------------------------------------------------------------------------


def rss_item(story: Story) -> str:
    summary = "".join(f"<li>{esc(b)}</li>" for b in story.bullets)
    description = (f'<ul class="summary-list">{summary}</ul>' if summary else "") + f"<p>{esc(story.body[0])}</p>"
    return (
        "<item>\n"
        f"<title>{xml_text(story.headline)}</title>\n"
        f"<link>{story.url}</link>\n"
        f"<description>{cdata(description)}</description>\n"
        f'<guid isPermaLink="false">{story.url}</guid>\n'
        f"<pubDate>{rfc822_local(story.published, story.zone)}</pubDate>\n"
        f"<dc:creator>{xml_text(story.author)}</dc:creator>\n"
        + "".join(f"<category>{xml_text(name)}</category>\n" for name in [story.vertical, *story.keywords])
        + f'<media:content url="{xml_text(picture(story.image["id"], 1200))}" medium="image" />\n'  # type: ignore[index]
        "</item>\n"
    )


def feed(site: dict[str, Any], stories: list[Story]) -> bytes:
    zone = ZoneInfo(site["timezone"])
    extra = site["feed_extra"]
    extra_time = instant(extra["published"])
    items = [(s.published, rss_item(s)) for s in stories if "feed" in s.sources]
    items.append(
        (
            extra_time,
            "<item>\n"
            f"<title>{xml_text(extra['title'])}</title>\n"
            f"<link>{BASE}{extra['path']}</link>\n"
            f'<guid isPermaLink="false">{BASE}{extra["path"]}</guid>\n'
            f"<pubDate>{rfc822_local(extra_time, zone)}</pubDate>\n"  # type: ignore[arg-type]
            "<dc:creator>Insider Studios</dc:creator>\n"
            "<category>Sponsored</category>\n"
            "</item>\n",
        )
    )
    items.sort(key=lambda pair: pair[0], reverse=True)  # type: ignore[arg-type, return-value]
    newest = max(s.modified for s in stories)
    channel = [
        f"<title>{SITE_NAME}</title>",
        f"<link>{BASE}</link>",
        "<description>What you need to know</description>",
        "<language>en-us</language>",
        f'<atom:link href="{BASE}{RSS_PATH}" rel="self" type="application/rss+xml" />',
        f"<lastBuildDate>{rfc822_local(newest, zone)}</lastBuildDate>",
    ]
    namespaces = {
        "media": "http://search.yahoo.com/mrss/",
        "atom": "http://www.w3.org/2005/Atom",
        "dc": "http://purl.org/dc/elements/1.1/",
    }
    return rss(channel, [item for _, item in items], namespaces)


def news_sitemap(stories: list[Story], site: dict[str, Any]) -> bytes:
    newest = sorted((s for s in stories if "news" in s.sources), key=lambda s: s.published, reverse=True)
    entries = [
        news_entry(
            s.url,
            publication=SITE_NAME,
            language="en",
            published=zulu(s.published),
            title=s.headline,
            keywords=s.keywords if s.host == "www" else None,
            image=og_image(s, site)[0] if s.image else "",
        )
        for s in newest
    ]
    return urlset(entries, attributes=f'xmlns:news="{NEWS_NS}" xmlns:image="{IMAGE_NS}" ')


def build() -> dict[str, bytes]:
    """Every generated file: relative path → bytes."""
    site, stories = load()
    files: dict[str, bytes] = {}
    routes = [ROUTES_HEADER.format(key="businessinsider")]
    routes.append(f"{RSS_PATH}: {{file: rss.xml}}  # BI serves its feed at /rss, without an extension")
    for story in sorted(stories, key=lambda s: s.published):
        files[story.file] = markets_page(story, site) if story.host == "markets" else www_page(story, site)
        routes.append(f"{story.path}: {{file: {story.file}}}  # no trailing slash, no extension")
    files["rss.xml"] = feed(site, stories)
    files[NEWS_SITEMAP.lstrip("/")] = news_sitemap(stories, site)
    files["robots.txt"] = f"User-agent: *\nDisallow: /search\n\nSitemap: {BASE}{NEWS_SITEMAP}\n".encode()
    files["_routes.yaml"] = ("\n".join(routes) + "\n").encode("utf-8")
    # i.insider.com, BI's image CDN: served by the fixture server (kit.common.serve_pictures).
    return serve_pictures(files, [f"{IMAGES}/"], pictures(stories))


def pictures(stories: list[Story]) -> list[tuple[str, int, int]]:
    """Every picture of the stories with its size: og:image, the JSON-LD crop, a hero of its own."""
    found = []
    for story in stories:
        for image in (story.image, story.ld_image):
            if image:
                found.append((picture(image["id"], image["width"]), image["width"], image["height"]))
        if story.hero not in ("none", "og"):
            found.append((picture(story.hero, HERO_SIZE[0]), *HERO_SIZE))
    return found
