#!/usr/bin/env python3
"""Build the TechNode-shaped fixture site from ``_site.yaml``.

Writes what WordPress + Yoast SEO would serve (article pages, ``/feed/``, the Yoast sitemap
index and its sitemaps, paginated listing pages, ``robots.txt``), the route manifest
``_routes.yaml`` and ``expected.yaml`` (what a crawl must produce). Everything served comes
from this one source, so the pages, the feed, the sitemaps and the expectations agree.

    .venv/bin/python crawler/demo/sites/technode/_build.py          # rebuild in place
    .venv/bin/python crawler/demo/sites/technode/_build.py --check  # exit 1 if files are stale

Stdlib + PyYAML only; reads ``crawler/providers.yaml`` (sections → category) and
``crawler/topics.yaml`` (tags → topics) so expected.yaml follows the project's vocabulary.
"""

from __future__ import annotations

import argparse
import html
import json
import math
import re
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

HERE = Path(__file__).resolve().parent
CRAWLER = HERE.parents[2]  # crawler/
BASE = "{{base}}"
SITE_NAME = "TechNode"
TITLE_SUFFIX = " - TechNode"
WP_GENERATOR = "https://wordpress.org/?v=6.5.3"
YOAST_VERSION = "22.6"
YOAST_COMMENT = (
    f"<!-- This site is optimized with the Yoast SEO plugin v{YOAST_VERSION} - "
    "https://yoast.com/wordpress/plugins/seo/ -->"
)
LOGO = "https://i0.wp.com/technode.com/wp-content/uploads/2020/01/technode-logo.png?fit=400%2C100&ssl=1"
EXCERPT_WORDS = 55  # WordPress's automatic excerpt length (feed <description>)
EXCERPT_MAX_CHARS = 300  # crawler.record.EXCERPT_MAX_CHARS
# wptexturize writes typographic characters as numeric references in post titles and content.
_TEXTURIZE = {"’": "&#8217;", "‘": "&#8216;", "“": "&#8220;", "”": "&#8221;", "–": "&#8211;", "—": "&#8212;"}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


# --- the source --------------------------------------------------------------------------------


@dataclass
class Article:
    """One post of ``_site.yaml``, with the values WordPress derives from it."""

    id: int
    slug: str
    title: str
    description: str
    section: str
    tags: list[str]
    author: str
    image: dict[str, Any]
    sources: list[str]
    body: list[str]
    published: datetime | None
    modified: datetime
    zone: ZoneInfo
    url_date: date | None = None
    feed_image: dict[str, Any] | None = None
    amp: bool = True
    dates: str = "full"
    encoding: str = "utf-8"
    old_slug: str = ""
    route: dict[str, Any] = field(default_factory=dict)
    gone: bool = False
    promo: bool = False
    note: str = ""

    @property
    def local_date(self) -> date:
        """The permalink date: WordPress uses the site's local time."""
        return self.published.astimezone(self.zone).date() if self.published else self.url_date  # type: ignore[return-value]

    @property
    def path(self) -> str:
        return f"/{self.local_date:%Y/%m/%d}/{self.slug}/"

    @property
    def old_path(self) -> str:
        return f"/{self.local_date:%Y/%m/%d}/{self.old_slug}/" if self.old_slug else ""

    @property
    def url(self) -> str:
        return BASE + self.path

    @property
    def sort_key(self) -> datetime:
        if self.published:
            return self.published
        return datetime.combine(self.local_date, datetime.min.time(), self.zone).astimezone(UTC)

    @property
    def words(self) -> list[str]:
        return " ".join(self.body).split()


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def load_source(path: Path = HERE / "_site.yaml") -> tuple[dict[str, Any], list[Article], dict[str, Any]]:
    """(site settings, articles, non-article pages) from ``_site.yaml``."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    site = data["site"]
    zone = ZoneInfo(site["timezone"])
    articles = []
    for raw in data["articles"]:
        raw = dict(raw)
        image = site["placeholder_image"] if raw.get("image") == "placeholder" else raw["image"]
        articles.append(
            Article(
                id=raw["id"],
                slug=raw["slug"],
                title=raw["title"],
                description=" ".join(raw["description"].split()),
                section=raw["section"],
                tags=list(raw["tags"]),
                author=raw["author"],
                image=dict(image),
                sources=list(raw["sources"]),
                body=[" ".join(p.split()) for p in raw["body"].split("\n\n") if p.strip()],
                published=_instant(raw.get("published")),
                modified=_instant(raw["modified"]),  # type: ignore[arg-type]
                zone=zone,
                url_date=date.fromisoformat(raw["url_date"]) if raw.get("url_date") else None,
                feed_image=raw.get("feed_image"),
                amp=raw.get("amp", True),
                dates=raw.get("dates", "full"),
                encoding=raw.get("encoding", "utf-8"),
                old_slug=raw.get("old_slug", ""),
                route=dict(raw.get("route") or {}),
                gone=raw.get("gone", False),
                promo=raw.get("promo", False),
                note=raw.get("note", ""),
            )
        )
    return site, articles, data["pages"]


# --- small helpers -------------------------------------------------------------------------------


def esc(text: str) -> str:
    """Text for an HTML attribute or text node."""
    return html.escape(text, quote=True)


def texturized(text: str) -> str:
    """Text as WordPress prints a post title or paragraph: escaped, typographic characters as references."""
    escaped = html.escape(text, quote=False)
    return "".join(_TEXTURIZE.get(char, char) for char in escaped)


def iso(moment: datetime, zone: ZoneInfo | None = None) -> str:
    """ISO-8601 with an offset: UTC "+00:00" as Yoast prints it, or local time in ``zone``."""
    return (moment.astimezone(zone) if zone else moment.astimezone(UTC)).isoformat()


def rfc822(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC))


def display_date(moment: datetime, zone: ZoneInfo, *, with_time: bool = False) -> str:
    local = moment.astimezone(zone)
    text = f"{local:%B} {local.day}, {local.year}"
    if with_time:
        text += f" {local.hour % 12 or 12}:{local:%M} {'am' if local.hour < 12 else 'pm'}"
    return text


def zulu(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def reading_minutes(article: Article) -> int:
    return max(1, math.ceil(len(article.words) / 200))


def auto_excerpt(article: Article) -> str:
    """WordPress's automatic excerpt: the first 55 words of the content."""
    words = " ".join(article.body).split()
    return " ".join(words[:EXCERPT_WORDS])


# --- page chrome -------------------------------------------------------------------------------

NAV = [("News", "/category/news/"), ("AI", "/category/ai/"), ("Analysis", "/category/analysis/"), ("About", "/about/")]


def head_common() -> str:
    return (
        f'<link rel="alternate" type="application/rss+xml" title="TechNode &raquo; Feed" href="{BASE}/feed/" />\n'
        f'<link rel="alternate" type="application/rss+xml" title="TechNode &raquo; Comments Feed" '
        f'href="{BASE}/comments/feed/" />\n'
        f'<link rel="stylesheet" id="technode-style-css" href="{BASE}/wp-content/themes/technode/style.css?ver=3.2.1"'
        ' media="all" />\n'
        f'<link rel="https://api.w.org/" href="{BASE}/wp-json/" />\n'
        f'<meta name="generator" content="WordPress 6.5.3" />\n'
    )


def site_header() -> str:
    items = "".join(f'<li class="menu-item"><a href="{BASE}{path}">{name}</a></li>' for name, path in NAV)
    return (
        '<header id="masthead" class="site-header">\n'
        f'<div class="site-branding"><p class="site-title"><a href="{BASE}/" rel="home">TechNode</a></p></div>\n'
        '<nav id="site-navigation" class="main-navigation" aria-label="Primary menu">'
        f'<ul id="primary-menu" class="menu">{items}</ul></nav>\n'
        "</header>\n"
    )


def site_footer() -> str:
    return (
        '<footer id="colophon" class="site-footer">\n'
        '<div class="site-info">&copy; 2026 TechNode. '
        f'<a href="{BASE}/about/">About</a> | <a href="{BASE}/feed/">RSS</a> | '
        '<a href="https://twitter.com/technodechina">Twitter</a></div>\n'
        "</footer>\n"
    )


def sidebar(popular: list[Article]) -> str:
    links = "".join(f'<li><a href="{a.url}">{texturized(a.title)}</a></li>' for a in popular)
    return (
        '<aside id="secondary" class="widget-area">\n'
        f'<section class="widget widget_popular"><h2 class="widget-title">Popular</h2><ul>{links}</ul></section>\n'
        "</aside>\n"
    )


def json_ld(graph: list[dict[str, Any]]) -> str:
    data = json.dumps({"@context": "https://schema.org", "@graph": graph}, ensure_ascii=False, separators=(",", ":"))
    return f'<script type="application/ld+json" class="yoast-schema-graph">{data}</script>\n'


def website_and_organization() -> list[dict[str, Any]]:
    return [
        {
            "@type": "WebSite",
            "@id": f"{BASE}/#website",
            "url": f"{BASE}/",
            "name": SITE_NAME,
            "description": "Latest news and trends about tech in China",
            "publisher": {"@id": f"{BASE}/#organization"},
            "potentialAction": [
                {
                    "@type": "SearchAction",
                    "target": {"@type": "EntryPoint", "urlTemplate": f"{BASE}/?s={{search_term_string}}"},
                    "query-input": {
                        "@type": "PropertyValueSpecification",
                        "valueRequired": True,
                        "valueName": "search_term_string",
                    },
                }
            ],
            "inLanguage": "en-US",
        },
        {
            "@type": "Organization",
            "@id": f"{BASE}/#organization",
            "name": SITE_NAME,
            "url": f"{BASE}/",
            "logo": {
                "@type": "ImageObject",
                "inLanguage": "en-US",
                "@id": f"{BASE}/#/schema/logo/image/",
                "url": LOGO,
                "contentUrl": LOGO,
                "width": 400,
                "height": 100,
                "caption": SITE_NAME,
            },
            "image": {"@id": f"{BASE}/#/schema/logo/image/"},
            "sameAs": ["https://www.facebook.com/technode", "https://x.com/technodechina"],
        },
    ]


# --- article pages -------------------------------------------------------------------------------


def article_graph(a: Article) -> list[dict[str, Any]]:
    """Yoast's JSON-LD @graph for a post."""
    person_id = f"{BASE}/#/schema/person/{slugify(a.author)}"
    image_id = f"{a.url}#primaryimage"
    dated = a.dates == "full" and a.published is not None
    article: dict[str, Any] = {
        "@type": "Article",
        "@id": f"{a.url}#article",
        "isPartOf": {"@id": a.url},
        "author": {"name": a.author, "@id": person_id},
        "headline": a.title,
    }
    if dated:
        article["datePublished"] = iso(a.published)  # type: ignore[arg-type]
        article["dateModified"] = iso(a.modified)
    article |= {
        "mainEntityOfPage": {"@id": a.url},
        "wordCount": len(a.words),
        "publisher": {"@id": f"{BASE}/#organization"},
        "image": {"@id": image_id},
        "thumbnailUrl": a.image["url"],
        "keywords": a.tags,
        "articleSection": [a.section],
        "inLanguage": "en-US",
    }
    webpage: dict[str, Any] = {
        "@type": "WebPage",
        "@id": a.url,
        "url": a.url,
        "name": a.title + TITLE_SUFFIX,
        "isPartOf": {"@id": f"{BASE}/#website"},
        "primaryImageOfPage": {"@id": image_id},
        "image": {"@id": image_id},
        "thumbnailUrl": a.image["url"],
    }
    if dated:
        webpage["datePublished"] = iso(a.published)  # type: ignore[arg-type]
        webpage["dateModified"] = iso(a.modified)
    webpage |= {
        "description": a.description,
        "breadcrumb": {"@id": f"{a.url}#breadcrumb"},
        "inLanguage": "en-US",
        "potentialAction": [{"@type": "ReadAction", "target": [a.url]}],
    }
    return [
        article,
        webpage,
        {
            "@type": "ImageObject",
            "inLanguage": "en-US",
            "@id": image_id,
            "url": a.image["url"],
            "contentUrl": a.image["url"],
            "width": a.image["width"],
            "height": a.image["height"],
        },
        {
            "@type": "BreadcrumbList",
            "@id": f"{a.url}#breadcrumb",
            "itemListElement": [
                {"@type": "ListItem", "position": 1, "name": "Home", "item": f"{BASE}/"},
                {"@type": "ListItem", "position": 2, "name": a.title},
            ],
        },
        *website_and_organization(),
        {
            "@type": "Person",
            "@id": person_id,
            "name": a.author,
            "url": f"{BASE}/author/{slugify(a.author)}/",
        },
    ]


def article_head(a: Article) -> str:
    image_type = "image/png" if ".png" in a.image["url"] else "image/jpeg"
    lines = [
        YOAST_COMMENT,
        f"<title>{esc(a.title + TITLE_SUFFIX)}</title>",
        f'<meta name="description" content="{esc(a.description)}" />',
        '<meta name="robots" content="index, follow, max-image-preview:large, max-snippet:-1, max-video-preview:-1" />',
        f'<link rel="canonical" href="{a.url}" />',
        '<meta property="og:locale" content="en_US" />',
        '<meta property="og:type" content="article" />',
        f'<meta property="og:title" content="{esc(a.title + TITLE_SUFFIX)}" />',
        f'<meta property="og:description" content="{esc(a.description)}" />',
        f'<meta property="og:url" content="{a.url}" />',
        f'<meta property="og:site_name" content="{SITE_NAME}" />',
        '<meta property="article:publisher" content="https://www.facebook.com/technode" />',
        f'<meta property="article:section" content="{esc(a.section)}" />',
        *(f'<meta property="article:tag" content="{esc(tag)}" />' for tag in a.tags),
    ]
    if a.dates == "full" and a.published:
        lines += [
            f'<meta property="article:published_time" content="{iso(a.published)}" />',
            f'<meta property="article:modified_time" content="{iso(a.modified)}" />',
        ]
    lines += [
        f'<meta property="og:image" content="{esc(a.image["url"])}" />',
        f'<meta property="og:image:width" content="{a.image["width"]}" />',
        f'<meta property="og:image:height" content="{a.image["height"]}" />',
        f'<meta property="og:image:type" content="{image_type}" />',
        f'<meta name="author" content="{esc(a.author)}" />',
        '<meta name="twitter:card" content="summary_large_image" />',
        '<meta name="twitter:creator" content="@technodechina" />',
        '<meta name="twitter:site" content="@technodechina" />',
        '<meta name="twitter:label1" content="Written by" />',
        f'<meta name="twitter:data1" content="{esc(a.author)}" />',
        '<meta name="twitter:label2" content="Est. reading time" />',
        f'<meta name="twitter:data2" content="{reading_minutes(a)} minute{"s" if reading_minutes(a) > 1 else ""}" />',
    ]
    return "\n".join(lines) + "\n" + json_ld(article_graph(a)) + "<!-- / Yoast SEO plugin. -->\n"


def byline(a: Article) -> str:
    author = (
        f'<span class="byline"> by <span class="author vcard"><a class="url fn n" '
        f'href="{BASE}/author/{slugify(a.author)}/">{esc(a.author)}</a></span></span>'
    )
    if a.dates == "none" or a.published is None:
        return f'<div class="entry-meta">{author}</div>'
    if a.dates == "byline_text":
        shown = display_date(a.published, a.zone, with_time=True)
        return f'<div class="entry-meta"><span class="posted-on">{shown}</span>{author}</div>'
    published = display_date(a.published, a.zone, with_time=True)
    return (
        f'<div class="entry-meta"><span class="posted-on">Posted on <a href="{a.url}" rel="bookmark">'
        f'<time class="entry-date published" datetime="{iso(a.published, a.zone)}">{published}</time>'
        f'<time class="updated" datetime="{iso(a.modified, a.zone)}">{display_date(a.modified, a.zone)}</time>'
        f"</a></span>{author}</div>"
    )


def article_body(a: Article, site: dict[str, Any], *, entities: bool) -> str:
    text = texturized if entities else (lambda t: html.escape(t, quote=False))
    parts = []
    if a.promo:
        promo = text(" ".join(site["newsletter_promo"].split()))
        parts.append(f'<div class="technode-newsletter-promo"><p><em>{promo}</em></p></div>')
    parts += [f"<p>{text(paragraph)}</p>" for paragraph in a.body]
    return "\n".join(parts)


def article_page(a: Article, site: dict[str, Any]) -> bytes:
    """The post's HTML as WordPress serves it, encoded as the article says."""
    utf8 = a.encoding == "utf-8"
    # wptexturize references in UTF-8 pages; the Windows-1252 page keeps raw characters so the
    # decoding itself is what gets tested.
    title_html = texturized(a.title) if utf8 else html.escape(a.title, quote=False)
    tag_links = ", ".join(f'<a href="{BASE}/tag/{slugify(t)}/" rel="tag">{esc(t)}</a>' for t in a.tags)
    amp = f'<link rel="amphtml" href="{a.url}amp/" />\n' if a.amp else ""
    classes = " ".join(
        [f"post-{a.id}", "post", "type-post", "status-publish", "format-standard", "has-post-thumbnail", "hentry"]
        + [f"category-{slugify(a.section)}"]
        + [f"tag-{slugify(t)}" for t in a.tags]
    )
    page = (
        "<!doctype html>\n"
        '<html lang="en-US">\n<head>\n'
        f'<meta charset="{"UTF-8" if utf8 else a.encoding}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        + article_head(a)
        + head_common()
        + f'<link rel="shortlink" href="{BASE}/?p={a.id}" />\n'
        + amp
        + "</head>\n"
        + f'<body class="post-template-default single single-post postid-{a.id} single-format-standard">\n'
        + '<div id="page" class="site">\n'
        + site_header()
        + '<div id="content" class="site-content">\n<div id="primary" class="content-area">\n'
        + '<main id="main" class="site-main">\n'
        + f'<article id="post-{a.id}" class="{classes}">\n'
        + '<header class="entry-header">\n'
        + f'<h1 class="entry-title">{title_html}</h1>\n'
        + byline(a)
        + "\n</header>\n"
        + f'<div class="post-thumbnail"><img width="{a.image["width"]}" height="{a.image["height"]}" '
        + f'src="{esc(a.image["url"])}" class="attachment-post-thumbnail size-post-thumbnail wp-post-image" '
        + 'alt="" decoding="async" /></div>\n'
        + '<div class="entry-content">\n'
        + article_body(a, site, entities=utf8)
        + "\n</div>\n"
        + '<footer class="entry-footer">'
        + f'<span class="cat-links">Posted in <a href="{BASE}/category/{slugify(a.section)}/" rel="category tag">'
        + f"{esc(a.section)}</a></span> "
        + f'<span class="tags-links">Tagged {tag_links}</span></footer>\n'
        + "</article>\n</main>\n</div>\n</div>\n"
        + site_footer()
        + "</div>\n</body>\n</html>\n"
    )
    return page.encode(a.encoding)


# --- listing pages -------------------------------------------------------------------------------


def listing_card(a: Article, link_path: str) -> str:
    href = BASE + link_path
    if a.published and a.dates == "full":
        when = (
            f'<span class="posted-on"><a href="{href}" rel="bookmark"><time class="entry-date published" '
            f'datetime="{iso(a.published, a.zone)}">{display_date(a.published, a.zone)}</time></a></span>'
        )
    elif a.published and a.dates == "byline_text":
        when = f'<span class="posted-on">{display_date(a.published, a.zone)}</span>'
    else:
        when = ""
    return (
        f'<article id="post-{a.id}" class="post-{a.id} post type-post status-publish has-post-thumbnail hentry">\n'
        f'<a class="post-thumbnail" href="{href}" aria-hidden="true" tabindex="-1"><img width="400" height="225" '
        f'src="{esc(a.image["url"])}" class="attachment-medium size-medium wp-post-image" alt="" '
        'loading="lazy" /></a>\n'
        f'<header class="entry-header"><h2 class="entry-title"><a href="{href}" rel="bookmark">'
        f"{texturized(a.title)}</a></h2>\n"
        f'<div class="entry-meta">{when}<span class="byline"> by <span class="author vcard">'
        f'<a class="url fn n" href="{BASE}/author/{slugify(a.author)}/">{esc(a.author)}</a></span></span></div>\n'
        "</header>\n"
        f'<div class="entry-summary"><p>{texturized(a.description)}</p></div>\n'
        f'<footer class="entry-footer"><span class="cat-links"><a href="{BASE}/category/{slugify(a.section)}/" '
        f'rel="category tag">{esc(a.section)}</a></span></footer>\n'
        "</article>\n"
    )


def page_path(number: int) -> str:
    return "/" if number == 1 else f"/page/{number}/"


def pagination(number: int, total: int) -> str:
    parts = []
    if number > 1:
        parts.append(f'<a class="prev page-numbers" href="{BASE}{page_path(number - 1)}">Previous</a>')
    for n in range(1, total + 1):
        if n == number:
            parts.append(f'<span aria-current="page" class="page-numbers current">{n}</span>')
        else:
            parts.append(f'<a class="page-numbers" href="{BASE}{page_path(n)}">{n}</a>')
    if number < total:
        parts.append(f'<a class="next page-numbers" href="{BASE}{page_path(number + 1)}">Next</a>')
    return (
        '<nav class="navigation pagination" aria-label="Posts">\n'
        '<h2 class="screen-reader-text">Posts navigation</h2>\n'
        f'<div class="nav-links">{"".join(parts)}</div>\n</nav>\n'
    )


def listing_page(number: int, total: int, posts: list[Article], popular: list[Article]) -> bytes:
    """The home page (``number`` 1) or ``/page/N/``: posts newest first, WordPress pagination."""
    url = BASE + page_path(number)
    title = "TechNode - Latest news and trends about tech in China"
    if number > 1:
        title = f"TechNode - Page {number} of {total} - Latest news and trends about tech in China"
    rel = ""
    if number > 1:
        rel += f'<link rel="prev" href="{BASE}{page_path(number - 1)}" />\n'
    if number < total:
        rel += f'<link rel="next" href="{BASE}{page_path(number + 1)}" />\n'
    graph = [
        {
            "@type": "CollectionPage",
            "@id": url,
            "url": url,
            "name": title,
            "isPartOf": {"@id": f"{BASE}/#website"},
            "about": {"@id": f"{BASE}/#organization"},
            "description": "Latest news and trends about tech in China",
            "inLanguage": "en-US",
        },
        *website_and_organization(),
    ]
    cards = "".join(listing_card(a, a.old_path or a.path) for a in posts)
    page = (
        "<!doctype html>\n"
        '<html lang="en-US">\n<head>\n<meta charset="UTF-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"{YOAST_COMMENT}\n"
        f"<title>{esc(title)}</title>\n"
        '<meta name="description" content="Latest news and trends about tech in China" />\n'
        f'<link rel="canonical" href="{url}" />\n'
        + rel
        + '<meta property="og:locale" content="en_US" />\n'
        + '<meta property="og:type" content="website" />\n'
        + f'<meta property="og:title" content="{esc(title)}" />\n'
        + f'<meta property="og:url" content="{url}" />\n'
        + f'<meta property="og:site_name" content="{SITE_NAME}" />\n'
        + json_ld(graph)
        + "<!-- / Yoast SEO plugin. -->\n"
        + head_common()
        + "</head>\n"
        + f'<body class="home blog{" paged paged-" + str(number) if number > 1 else ""}">\n'
        + '<div id="page" class="site">\n'
        + site_header()
        + '<div id="content" class="site-content">\n<div id="primary" class="content-area">\n'
        + '<main id="main" class="site-main">\n'
        + cards
        + pagination(number, total)
        + "</main>\n</div>\n"
        + sidebar(popular)
        + "</div>\n"
        + site_footer()
        + "</div>\n</body>\n</html>\n"
    )
    return page.encode("utf-8")


def simple_page(path: str, title: str, description: str, content: str, *, og_type: str = "website") -> bytes:
    """A non-article WordPress page (about, archive, event)."""
    url = BASE + path
    graph = [
        {
            "@type": "WebPage" if og_type == "website" else "Event",
            "@id": url,
            "url": url,
            "name": f"{title}{TITLE_SUFFIX}",
            "isPartOf": {"@id": f"{BASE}/#website"},
            "description": description,
            "inLanguage": "en-US",
        },
        *website_and_organization(),
    ]
    page = (
        "<!doctype html>\n"
        '<html lang="en-US">\n<head>\n<meta charset="UTF-8">\n'
        f"<title>{esc(title + TITLE_SUFFIX)}</title>\n"
        f'<meta name="description" content="{esc(description)}" />\n'
        f'<link rel="canonical" href="{url}" />\n'
        f'<meta property="og:type" content="{og_type}" />\n'
        f'<meta property="og:title" content="{esc(title + TITLE_SUFFIX)}" />\n'
        f'<meta property="og:url" content="{url}" />\n'
        f'<meta property="og:site_name" content="{SITE_NAME}" />\n'
        + json_ld(graph)
        + head_common()
        + '</head>\n<body class="page">\n<div id="page" class="site">\n'
        + site_header()
        + '<div id="content" class="site-content">\n<main id="main" class="site-main">\n'
        + f'<h1 class="page-title">{texturized(title)}</h1>\n'
        + content
        + "</main>\n</div>\n"
        + site_footer()
        + "</div>\n</body>\n</html>\n"
    )
    return page.encode("utf-8")


# --- feed -------------------------------------------------------------------------------


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def feed_item_link(a: Article) -> str:
    if "feed_utm" in a.sources:
        return a.url + "?utm_source=rss&utm_medium=feed&utm_campaign=rss"
    return a.url


def feed_item(a: Article) -> str:
    image = a.feed_image or a.image
    figure = (
        f'<figure><img alt="" class="attachment-rss-image-size size-rss-image-size wp-post-image" '
        f'height="{image["height"]}" src="{esc(image["url"])}" width="{image["width"]}" /></figure>'
    )
    description = figure + texturized(auto_excerpt(a)) + " [&#8230;]"
    content = "".join(f"<p>{texturized(p)}</p>\n" for p in a.body)
    content += (
        f'<p>The post <a href="{a.url}">{texturized(a.title)}</a> appeared first on '
        f'<a href="{BASE}">TechNode</a>.</p>\n'
    )
    categories = "".join(f"\t\t<category>{cdata(name)}</category>\n" for name in [a.section, *a.tags])
    link = html.escape(feed_item_link(a), quote=False)
    return (
        "\t<item>\n"
        f"\t\t<title>{html.escape(a.title, quote=False)}</title>\n"
        f"\t\t<link>{link}</link>\n"
        f"\t\t<comments>{a.url}#respond</comments>\n"
        f"\t\t<dc:creator>{cdata(a.author)}</dc:creator>\n"
        f"\t\t<pubDate>{rfc822(a.published)}</pubDate>\n"  # type: ignore[arg-type]
        f"{categories}"
        f'\t\t<guid isPermaLink="false">{BASE}/?p={a.id}</guid>\n'
        f"\t\t<description>{cdata(description)}</description>\n"
        f"\t\t<content:encoded>{cdata(content)}</content:encoded>\n"
        f"\t\t<wfw:commentRss>{a.url}feed/</wfw:commentRss>\n"
        "\t\t<slash:comments>0</slash:comments>\n"
        "\t</item>\n"
    )


def event_item(event: dict[str, Any]) -> str:
    published = _instant(event["published"])
    url = BASE + event["path"]
    description = " ".join(event["description"].split())
    return (
        "\t<item>\n"
        f"\t\t<title>{html.escape(event['title'], quote=False)}</title>\n"
        f"\t\t<link>{url}</link>\n"
        f"\t\t<dc:creator>{cdata('TechNode Events')}</dc:creator>\n"
        f"\t\t<pubDate>{rfc822(published)}</pubDate>\n"  # type: ignore[arg-type]
        f"\t\t<category>{cdata('Events')}</category>\n"
        f'\t\t<guid isPermaLink="false">{BASE}/?post_type=event&amp;p={event["id"]}</guid>\n'
        f"\t\t<description>{cdata(texturized(description))}</description>\n"
        "\t</item>\n"
    )


def feed(items: list[tuple[datetime, str]], last_build: datetime) -> bytes:
    body = "".join(item for _, item in sorted(items, key=lambda pair: pair[0], reverse=True))
    text = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"\n'
        '\txmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
        '\txmlns:wfw="http://wellformedweb.org/CommentAPI/"\n'
        '\txmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        '\txmlns:atom="http://www.w3.org/2005/Atom"\n'
        '\txmlns:sy="http://purl.org/rss/1.0/modules/syndication/"\n'
        '\txmlns:slash="http://purl.org/rss/1.0/modules/slash/"\n'
        "\t>\n\n<channel>\n"
        "\t<title>TechNode</title>\n"
        f'\t<atom:link href="{BASE}/feed/" rel="self" type="application/rss+xml" />\n'
        f"\t<link>{BASE}</link>\n"
        "\t<description>Latest news and trends about tech in China</description>\n"
        f"\t<lastBuildDate>{rfc822(last_build)}</lastBuildDate>\n"
        "\t<language>en-US</language>\n"
        "\t<sy:updatePeriod>\n\thourly\t</sy:updatePeriod>\n"
        "\t<sy:updateFrequency>\n\t1\t</sy:updateFrequency>\n"
        f"\t<generator>{WP_GENERATOR}</generator>\n" + body + "\t</channel>\n</rss>\n"
    )
    return text.encode("utf-8")


def comments_feed(last_build: datetime) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">\n'
        "<channel>\n\t<title>Comments for TechNode</title>\n"
        f'\t<atom:link href="{BASE}/comments/feed/" rel="self" type="application/rss+xml" />\n'
        f"\t<link>{BASE}</link>\n\t<description>Latest news and trends about tech in China</description>\n"
        f"\t<lastBuildDate>{rfc822(last_build)}</lastBuildDate>\n"
        f"\t<generator>{WP_GENERATOR}</generator>\n</channel>\n</rss>\n"
    ).encode()


# --- sitemaps -------------------------------------------------------------------------------

_SITEMAP_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><?xml-stylesheet type="text/xsl" href="{{base}}/main-sitemap.xsl"?>\n'
)


def sitemap_index(children: list[tuple[str, datetime]]) -> bytes:
    entries = "".join(
        f"\t<sitemap>\n\t\t<loc>{BASE}{path}</loc>\n\t\t<lastmod>{iso(lastmod)}</lastmod>\n\t</sitemap>\n"
        for path, lastmod in children
    )
    text = (
        _SITEMAP_HEAD
        + '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + entries
        + "</sitemapindex>\n<!-- XML Sitemap generated by Yoast SEO -->"
    )
    return text.encode("utf-8")


def urlset(entries: list[str], *, news: bool = False) -> bytes:
    namespaces = (
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1" '
        'xsi:schemaLocation="http://www.sitemaps.org/schemas/sitemap/0.9 '
        "http://www.sitemaps.org/schemas/sitemap/0.9/sitemap.xsd "
        "http://www.google.com/schemas/sitemap-image/1.1 "
        'http://www.google.com/schemas/sitemap-image/1.1/sitemap-image.xsd" '
    )
    if news:
        namespaces = 'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9" ' + namespaces
    text = (
        _SITEMAP_HEAD
        + f'<urlset {namespaces}xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "".join(entries)
        + "</urlset>\n<!-- XML Sitemap generated by Yoast SEO -->"
    )
    return text.encode("utf-8")


def url_entry(url: str, lastmod: datetime | None, image: str = "") -> str:
    text = f"\t<url>\n\t\t<loc>{html.escape(url, quote=False)}</loc>\n"
    if lastmod:
        text += f"\t\t<lastmod>{iso(lastmod)}</lastmod>\n"
    if image:
        text += (
            f"\t\t<image:image>\n\t\t\t<image:loc>{html.escape(image, quote=False)}</image:loc>\n\t\t</image:image>\n"
        )
    return text + "\t</url>\n"


def news_entry(a: Article) -> str:
    return (
        f"\t<url>\n\t\t<loc>{a.url}</loc>\n"
        "\t\t<news:news>\n"
        "\t\t\t<news:publication>\n\t\t\t\t<news:name>TechNode</news:name>\n"
        "\t\t\t\t<news:language>en</news:language>\n\t\t\t</news:publication>\n"
        # Yoast News SEO writes the site's local time with its offset.
        f"\t\t\t<news:publication_date>{iso(a.published, a.zone)}</news:publication_date>\n"  # type: ignore[arg-type]
        f"\t\t\t<news:title>{cdata(a.title)}</news:title>\n"
        f"\t\t\t<news:keywords>{cdata(', '.join(a.tags))}</news:keywords>\n"
        "\t\t</news:news>\n"
        f"\t\t<image:image>\n\t\t\t<image:loc>{html.escape(a.image['url'], quote=False)}</image:loc>\n"
        "\t\t</image:image>\n"
        "\t</url>\n"
    )


# --- expectations -------------------------------------------------------------------------------


def vocabulary() -> dict[str, str]:
    """alias (lower case) → topic label, from crawler/topics.yaml."""
    data = yaml.safe_load((CRAWLER / "topics.yaml").read_text(encoding="utf-8"))
    table = {}
    for label, aliases in data.items():
        table[label.lower()] = label
        for alias in aliases or []:
            table[str(alias).lower()] = label
    return table


def section_categories() -> dict[str, str]:
    data = yaml.safe_load((CRAWLER / "providers.yaml").read_text(encoding="utf-8"))
    return {str(k).lower(): v for k, v in data["providers"]["technode"]["sections"].items()}


def first_sentence(text: str) -> str:
    return _SENTENCE_END.split(text, maxsplit=1)[0]


def expected_document(a: Article, site: dict[str, Any], topics: dict[str, str], sections: dict[str, str]) -> dict:
    if a.dates == "full":
        date_from = "article:published_time and JSON-LD datePublished (+00:00); <time datetime> says the same in +08:00"
    elif a.dates == "byline_text":
        shown = display_date(a.published, a.zone, with_time=True)  # type: ignore[arg-type]
        date_from = f"only the byline text {shown!r}, read in Asia/Shanghai (no date metadata, no feed/news date)"
    else:
        date_from = "only the URL's day, at midnight Asia/Shanghai (no date anywhere in the page, no feed/sitemap date)"
    if site["placeholder_marker"] not in a.image["url"]:
        image, image_from = dict(a.image), "og:image (with og:image:width/height)"
    elif a.feed_image and "feed" in a.sources:
        image, image_from = dict(a.feed_image), "the feed item's <figure><img> (og:image is the placeholder)"
    else:
        image, image_from = None, "none: og:image, JSON-LD and the sitemap image are the registry's placeholder"
    original = [a.old_path] if a.old_path else [a.path]
    if "feed_utm" in a.sources:
        original = [a.path, a.path + "?utm_source=rss&utm_medium=feed&utm_campaign=rss"]
    doc: dict[str, Any] = {
        "path": a.path,
        "original_paths": original,
        "title": a.title,
        "publishedDateTime": zulu(a.sort_key),
        "date_from": date_from,
    }
    if len(a.description) <= EXCERPT_MAX_CHARS:
        doc["excerpt"] = a.description
    doc["excerpt_starts_with"] = first_sentence(a.description)
    doc["excerpt_from"] = "meta description" + ("" if len(a.description) <= EXCERPT_MAX_CHARS else " (cut to ≤300)")
    doc["image"] = image
    doc["image_from"] = image_from
    doc["ampWebUrl"] = a.path + "amp/" if a.amp else a.path
    doc["category"] = sections.get(a.section.lower(), "news")
    doc["type"] = "article"
    doc["topics"] = list(dict.fromkeys(topics[t.lower()] for t in a.tags if t.lower() in topics))[:5]
    doc["reached_from"] = a.sources
    notes = [a.note] if a.note else []
    if a.encoding != "utf-8":
        notes.append(f"page bytes are {a.encoding} (<meta charset>), the HTTP Content-Type has no charset")
    if a.old_slug:
        notes.append(f"linked only as {a.old_path}, which answers 301 → {a.path}")
    if a.route.get("fail_first"):
        notes.append(f"answers 500 the first {a.route['fail_first']} time(s), then 200: a retry must fetch it")
    if "feed_utm" in a.sources:
        notes.append("the feed links it with utm_* parameters, the sitemap and listing without: one document")
    if site["placeholder_marker"] in a.image["url"]:
        notes.append("a 'TechNode Feed' brief: og:image, JSON-LD image and sitemap image:image are the placeholder")
    if a.promo:
        notes.append("the body opens with the Briefing newsletter promo (boilerplate, not the excerpt)")
    if notes:
        doc["case"] = "; ".join(notes)
    return doc


class _PlainDumper(yaml.SafeDumper):
    """Writes shared lists out in full instead of as YAML anchors and aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


EXPECTED_HEADER = """\
# GENERATED by _build.py from _site.yaml: edit those and rebuild, never this file.
#
# What crawling this site must produce (`scrapy crawl technode -a demo=1`, the end-to-end test).
# Paths are relative to the server's base URL (SiteServer.base_url). For each document:
#   path                the webUrl's path: the canonical URL (rel=canonical = og:url), no utm_*
#   original_paths      acceptable originalUrl paths (+ query): the URL the source linked
#   title               the <h1> headline: entities decoded, no " - TechNode" suffix
#   publishedDateTime   UTC; date_from says where it comes from
#   excerpt             exact, when the meta description is <= 300 characters; else only
#   excerpt_starts_with (always given) holds, and the excerpt is <= 300 characters
#   image               the lead image {url, width, height} or null (images: []); image_from says why
#   ampWebUrl           path of the rel=amphtml URL, or the page's own path when it has none
#   category, type, topics (topics: the tags' labels in crawler/topics.yaml; title and excerpt add none)
#
# Decisions:
# - The SenseTime story (the shared example record) has only the registry's placeholder picture
#   (technode-news-feed-1-1.png) as og:image, JSON-LD image and sitemap image, and no feed item:
#   its lead image is none (images: []). The example record kept the placeholder; RECORD.md and
#   the registry say placeholders are rejected, and this site follows them. Its topics are
#   [AI, IPO] (tags AI, IPO; "IPO" is also in the title) where the example shows [AI].
# - A page with no date at all is still a document: its URL (/YYYY/MM/DD/) gives the day, read
#   as midnight in the provider's time zone (RECORD.md: a time without an offset is read in the
#   provider's zone), i.e. the previous day 16:00 UTC.
# - A redirected URL becomes the target's document (webUrl = target, originalUrl = the old URL).
# - Sitemap <lastmod> is a modified date and never a publishedDateTime.
"""


def expected(site: dict[str, Any], articles: list[Article], pages: dict[str, Any]) -> bytes:
    topics, sections = vocabulary(), section_categories()
    live = sorted((a for a in articles if not a.gone), key=lambda a: a.sort_key)
    documents = [expected_document(a, site, topics, sections) for a in live]
    cases: list[dict[str, Any]] = []
    for a in articles:
        if a.gone:
            cases.append(
                {
                    "name": "deleted post still in the feed",
                    "path": a.path,
                    "reached_from": a.sources,
                    "expect": {"dropped": "http_404"},
                }
            )
    for a in live:
        if a.old_slug:
            cases.append(
                {
                    "name": "old slug redirects",
                    "path": a.old_path,
                    "reached_from": ["listing"],
                    "expect": {"redirect": 301, "document": a.path},
                }
            )
        if a.route.get("fail_first"):
            cases.append(
                {
                    "name": "server error, then success",
                    "path": a.path,
                    "reached_from": a.sources,
                    "expect": {"requests_at_least": a.route["fail_first"] + 1, "document": a.path},
                }
            )
        if "feed_utm" in a.sources:
            cases.append(
                {
                    "name": "same article through two URLs",
                    "path": a.path + "?utm_source=rss&utm_medium=feed&utm_campaign=rss",
                    "reached_from": ["feed"],
                    "expect": {"document": a.path, "documents_with_this_webUrl": 1},
                }
            )
        if a.encoding != "utf-8":
            cases.append(
                {
                    "name": "non-UTF-8 page",
                    "path": a.path,
                    "reached_from": a.sources,
                    "expect": {"document": a.path, "title": a.title},
                }
            )
        if a.dates != "full":
            cases.append(
                {
                    "name": "only a byline date" if a.dates == "byline_text" else "no date in the page",
                    "path": a.path,
                    "reached_from": a.sources,
                    "expect": {"document": a.path, "publishedDateTime": zulu(a.sort_key)},
                }
            )
        if site["placeholder_marker"] in a.image["url"]:
            lead = a.feed_image if a.feed_image and "feed" in a.sources else None
            cases.append(
                {
                    "name": "placeholder og:image" + (", real image in the feed" if lead else ", nothing better"),
                    "path": a.path,
                    "reached_from": a.sources,
                    "expect": {"document": a.path, "image": dict(lead) if lead else None},
                }
            )
    cases.append(
        {
            "name": "non-article URL in the feed",
            "path": pages["event"]["path"],
            "reached_from": ["feed"],
            "expect": {"skipped": "not_article_url", "requested": False},
        }
    )
    cases.append(
        {
            "name": "non-article URLs in the sitemaps and listings",
            "paths": ["/", "/about/", "/category/news/", "/category/ai/", "/author/technode-feed/"],
            "expect": {"skipped": "not_article_url", "requested": False},
        }
    )
    data = {
        "site": "technode",
        "provider": "technode",
        "timezone": site["timezone"],
        "sources": {"feed": "/feed/", "sitemap": "/sitemap_index.xml", "listing": "/", "robots": "/robots.txt"},
        "listing_pages": [page_path(n) for n in range(1, listing_page_count(site, articles) + 1)],
        "document_count": len(documents),
        "documents": documents,
        "cases": cases,
    }
    dumped = yaml.dump(data, Dumper=_PlainDumper, sort_keys=False, allow_unicode=True, width=1000)
    text = EXPECTED_HEADER + "\n" + dumped
    return text.encode("utf-8")


# --- the whole site -------------------------------------------------------------------------------


def listed(articles: list[Article]) -> list[Article]:
    """The listing's posts: newest first, without deleted ones."""
    return sorted((a for a in articles if "listing" in a.sources), key=lambda a: a.sort_key, reverse=True)


def listing_page_count(site: dict[str, Any], articles: list[Article]) -> int:
    return math.ceil(len(listed(articles)) / site["posts_per_page"])


def routes(articles: list[Article]) -> bytes:
    lines = [
        "# GENERATED by _build.py from _site.yaml. Path -> behaviour (see crawler/demo/sites/README.md).",
    ]
    for a in sorted(articles, key=lambda a: a.sort_key):
        if a.gone:
            lines.append(f"{a.path}: {{status: 404}}  # deleted post, still in the feed")
        if a.old_slug:
            lines.append(f"{a.old_path}: {{redirect: {a.path}}}  # WordPress old-slug redirect (301)")
        if a.route:
            behaviour = ", ".join(f"{k}: {v}" for k, v in a.route.items())
            lines.append(f"{a.path}: {{{behaviour}}}")
        if a.encoding != "utf-8":
            lines.append(f'{a.path}: {{content_type: "text/html"}}  # {a.encoding} bytes, no charset in HTTP')
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots() -> bytes:
    return (
        f"User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n\nSitemap: {BASE}/sitemap_index.xml\n"
    ).encode()


def build() -> dict[str, bytes]:
    """Every generated file: relative path → bytes."""
    site, articles, pages = load_source()
    live = [a for a in articles if not a.gone]
    files: dict[str, bytes] = {}
    for a in live:
        files[a.path.strip("/") + "/index.html"] = article_page(a, site)

    # Listing pages, newest first.
    posts = listed(articles)
    per_page, total = site["posts_per_page"], listing_page_count(site, articles)
    popular = [a for a in sorted(live, key=lambda a: a.sort_key) if a.old_slug == "" and a.dates == "full"][:2]
    for n in range(1, total + 1):
        chunk = posts[(n - 1) * per_page : n * per_page]
        files[("" if n == 1 else f"page/{n}/") + "index.html"] = listing_page(n, total, chunk, popular)

    # Feed: the newest posts plus the event, WordPress's 10 items.
    event = pages["event"]
    items = [(a.published, feed_item(a)) for a in articles if {"feed", "feed_utm"} & set(a.sources)]
    items.append((_instant(event["published"]), event_item(event)))
    items = sorted(items, key=lambda pair: pair[0], reverse=True)[: site["feed_items"]]
    last_build = max(a.modified for a in articles)
    files["feed/index.xml"] = feed(items, last_build)  # type: ignore[arg-type]
    files["comments/feed/index.xml"] = comments_feed(last_build)

    # Yoast sitemaps.
    in_sitemap = sorted((a for a in live if "sitemap" in a.sources), key=lambda a: a.sort_key)
    home = url_entry(f"{BASE}/", last_build)
    post_entries = [home] + [url_entry(a.url, a.modified, a.image["url"]) for a in in_sitemap]
    files["post-sitemap.xml"] = urlset(post_entries)
    news = sorted((a for a in live if "news" in a.sources), key=lambda a: a.sort_key, reverse=True)
    files["news-sitemap.xml"] = urlset([news_entry(a) for a in news], news=True)
    categories = ["news", "analysis", "opinion", "features", "interview", "review", "ai"]
    files["category-sitemap.xml"] = urlset([url_entry(f"{BASE}/category/{c}/", last_build) for c in categories])
    files["page-sitemap.xml"] = urlset([url_entry(BASE + pages["about"]["path"], last_build)])
    files["sitemap_index.xml"] = sitemap_index(
        [
            ("/post-sitemap.xml", last_build),
            ("/page-sitemap.xml", last_build),
            ("/category-sitemap.xml", last_build),
            ("/news-sitemap.xml", last_build),
        ]
    )
    files["robots.txt"] = robots()

    # Non-article pages.
    about = pages["about"]
    files["about/index.html"] = simple_page(
        about["path"],
        about["title"],
        " ".join(about["description"].split()),
        f'<div class="entry-content"><p>{texturized(" ".join(about["description"].split()))}</p></div>\n',
    )
    ai_posts = [a for a in posts if "AI" in a.tags]
    archive = "".join(listing_card(a, a.old_path or a.path) for a in ai_posts)
    files["category/ai/index.html"] = simple_page(
        pages["category_ai"]["path"], pages["category_ai"]["title"], "Artificial intelligence news from China.", archive
    )
    event_description = " ".join(event["description"].split())
    files[event["path"].strip("/") + "/index.html"] = simple_page(
        event["path"],
        event["title"],
        event_description,
        f'<div class="event-details"><p>{texturized(event_description)}</p>'
        "<p>Venue: Shanghai World Expo Exhibition &amp; Convention Center.</p></div>\n",
        og_type="event",
    )

    files["_routes.yaml"] = routes(articles)
    files["expected.yaml"] = expected(site, articles, pages)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the TechNode fixture site from _site.yaml.")
    parser.add_argument("--out", type=Path, default=HERE, help="where to write (default: this directory)")
    parser.add_argument("--check", action="store_true", help="only report files that differ; exit 1 if any")
    args = parser.parse_args(argv)
    files = build()
    if args.check:
        stale = [p for p, data in files.items() if not (args.out / p).is_file() or (args.out / p).read_bytes() != data]
        for path in stale:
            print(f"out of date: {path}", file=sys.stderr)
        return 1 if stale else 0
    for relative, data in files.items():
        target = args.out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(target.name + ".tmp")
        temporary.write_bytes(data)
        temporary.replace(target)
    print(f"wrote {len(files)} files to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
