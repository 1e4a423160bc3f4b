"""A WordPress + Yoast SEO site, built from the ``site:`` and ``articles:`` of a site source (``<key>.yaml``).

What WordPress derives from a post (permalink, automatic excerpt, wptexturize), what Yoast SEO
prints (meta tags, the JSON-LD ``@graph``, the sitemap index and its sitemaps, the News
sitemap), the RSS ``/feed/``, the REST API (``/wp-json/wp/v2/posts?_embed``) and the route
manifest. The HTML around it comes from a theme (:mod:`.themes`), named by ``site.theme``.

Keys of ``site:`` are the fields of :class:`WordPressSite`; keys of each article are the fields
of :class:`Post` (the header of ``tools/fixture_sites/technode.yaml`` explains each one).
"""

from __future__ import annotations

import dataclasses
import html
import json
import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from tools.fixture_sites.kit.common import (
    BASE,
    ROUTES_HEADER,
    XML_DECLARATION,
    cdata,
    esc,
    instant,
    iso,
    news_entry,
    one_line,
    paragraphs,
    rfc822,
    sitemap_index,
    slugify,
    urlset,
    xml_text,
)

EXCERPT_WORDS = 55  # WordPress's automatic excerpt length (feed <description>, REST excerpt)
# wptexturize writes typographic characters as numeric references in post titles and content.
_TEXTURIZE = {"’": "&#8217;", "‘": "&#8216;", "“": "&#8220;", "”": "&#8221;", "–": "&#8211;", "—": "&#8212;"}
UTM = "?utm_source=rss&utm_medium=feed&utm_campaign=rss"


# --- the site and its posts ----------------------------------------------------------------------


@dataclass(frozen=True)
class WordPressSite:
    """The ``site:`` mapping of the site source: what the whole site shares."""

    key: str  # the registry key
    name: str
    tagline: str
    timezone: str
    theme: str = "underscores"  # a theme of tools.fixture_sites.kit.themes
    theme_slug: str = ""  # wp-content/themes/<slug>/ (default: slug of the name)
    theme_version: str = "1.0.0"
    wordpress_version: str = "6.5.3"
    yoast_version: str = "22.6"
    permalink: str = "/%Y/%m/%d/{slug}/"  # strftime of the local publication day; {slug}
    language: str = "en"
    logo: dict[str, Any] = field(default_factory=dict)  # {url, width, height}
    facebook: str = ""  # article:publisher, first of sameAs
    same_as: tuple[str, ...] = ()
    twitter: str = ""  # handle without "@"
    nav: tuple[tuple[str, str], ...] = ()  # (label, path) of the main menu
    footer_year: int = 2026
    posts_per_page: int = 10
    feed_items: int = 10
    newsletter_promo: str = ""
    placeholder_marker: str = ""  # the registry's placeholder_images entry the site uses
    placeholder_image: dict[str, Any] | None = None
    categories: tuple[str, ...] = ()  # slugs of the category sitemap

    @classmethod
    def from_yaml(cls, data: dict[str, Any], **overrides: Any) -> WordPressSite:
        values = {**data, **overrides}
        unknown = set(values) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise ValueError(f"site source: unknown key(s) {', '.join(sorted(unknown))}")
        for name in ("same_as", "categories"):
            if name in values:
                values[name] = tuple(values[name])
        if "nav" in values:
            values["nav"] = tuple(tuple(item) for item in values["nav"])
        if "newsletter_promo" in values:
            values["newsletter_promo"] = one_line(values["newsletter_promo"])
        return cls(**values)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def title_suffix(self) -> str:
        return f" - {self.name}"

    @property
    def slug(self) -> str:
        return self.theme_slug or slugify(self.name)


@dataclass
class Post:
    """One article of the site source, with the values WordPress derives from it."""

    id: int
    slug: str
    title: str
    description: str  # the Yoast meta description
    section: str  # the primary category
    tags: list[str]
    author: str
    image: dict[str, Any]
    sources: list[str]
    body: list[str]
    published: datetime | None
    modified: datetime
    zone: ZoneInfo
    permalink: str
    url_date: date | None = None
    feed_image: dict[str, Any] | None = None
    excerpt: str = ""  # a manual excerpt (feed, REST API); else WordPress's automatic one
    amp: bool = True
    dates: str = "full"
    encoding: str = "utf-8"
    old_slug: str = ""
    route: dict[str, Any] = field(default_factory=dict)
    gone: bool = False
    promo: bool = False
    note: str = ""  # what the article is there to test (for the reader; nothing prints it)

    @property
    def local_date(self) -> date:
        """The permalink date: WordPress uses the site's local time."""
        return self.published.astimezone(self.zone).date() if self.published else self.url_date  # type: ignore[return-value]

    def _permalink(self, slug: str) -> str:
        return self.local_date.strftime(self.permalink).replace("{slug}", slug)

    @property
    def path(self) -> str:
        return self._permalink(self.slug)

    @property
    def old_path(self) -> str:
        return self._permalink(self.old_slug) if self.old_slug else ""

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

    @property
    def reading_minutes(self) -> int:
        return max(1, math.ceil(len(self.words) / 200))


def load_posts(raw_posts: list[dict[str, Any]], site: WordPressSite) -> list[Post]:
    """The ``articles:`` of the site source as posts (``image: placeholder`` → the site's placeholder)."""
    posts = []
    known = {f.name for f in dataclasses.fields(Post)}
    for raw in raw_posts:
        unknown = set(raw) - known
        if unknown:
            raise ValueError(f"{site.key} article {raw.get('slug')!r}: unknown key(s) {', '.join(sorted(unknown))}")
        image = site.placeholder_image if raw.get("image") == "placeholder" else raw["image"]
        posts.append(
            Post(
                id=raw["id"],
                slug=raw["slug"],
                title=raw["title"],
                description=one_line(raw["description"]),
                section=raw["section"],
                tags=list(raw["tags"]),
                author=raw["author"],
                image=dict(image),  # type: ignore[arg-type]
                sources=list(raw.get("sources", [])),
                body=paragraphs(raw["body"]),
                published=instant(raw.get("published")),
                modified=instant(raw["modified"]),  # type: ignore[arg-type]
                zone=site.zone,
                permalink=site.permalink,
                url_date=date.fromisoformat(raw["url_date"]) if raw.get("url_date") else None,
                feed_image=raw.get("feed_image"),
                excerpt=one_line(raw.get("excerpt", "")),
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
    return posts


def load_source(path: Path, **site_overrides: Any) -> tuple[WordPressSite, list[Post], dict[str, Any]]:
    """(site, posts, the non-article ``pages:``) of a site source."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    site = WordPressSite.from_yaml(data["site"], **site_overrides)
    return site, load_posts(data["articles"], site), data.get("pages") or {}


def live(posts: list[Post]) -> list[Post]:
    """Posts that still exist, oldest first."""
    return sorted((p for p in posts if not p.gone), key=lambda p: p.sort_key)


def listed(posts: list[Post]) -> list[Post]:
    """The listing's posts: newest first, without deleted ones."""
    return sorted((p for p in posts if "listing" in p.sources), key=lambda p: p.sort_key, reverse=True)


def listing_page_count(site: WordPressSite, posts: list[Post]) -> int:
    return math.ceil(len(listed(posts)) / site.posts_per_page)


def page_path(number: int, base_path: str = "/") -> str:
    """WordPress pagination: "/" → "/page/2/"; "/category/x/" → "/category/x/page/2/"."""
    return base_path if number == 1 else f"{base_path}page/{number}/"


# --- what WordPress prints --------------------------------------------------------------------------


def texturized(text: str) -> str:
    """Text as WordPress prints a post title or paragraph: escaped, typographic characters as references."""
    escaped = html.escape(text, quote=False)
    return "".join(_TEXTURIZE.get(char, char) for char in escaped)


def auto_excerpt(post: Post) -> str:
    """WordPress's automatic excerpt: the first 55 words of the content."""
    return " ".join(post.words[:EXCERPT_WORDS])


def wp_head_links(site: WordPressSite) -> str:
    """What ``wp_head()`` prints after the SEO block: feed links, the theme's stylesheet, the API root."""
    return (
        f'<link rel="alternate" type="application/rss+xml" title="{esc(site.name)} &raquo; Feed" '
        f'href="{BASE}/feed/" />\n'
        f'<link rel="alternate" type="application/rss+xml" title="{esc(site.name)} &raquo; Comments Feed" '
        f'href="{BASE}/comments/feed/" />\n'
        f'<link rel="stylesheet" id="{site.slug}-style-css" '
        f'href="{BASE}/wp-content/themes/{site.slug}/style.css?ver={site.theme_version}" media="all" />\n'
        f'<link rel="https://api.w.org/" href="{BASE}/wp-json/" />\n'
        f'<meta name="generator" content="WordPress {site.wordpress_version}" />\n'
    )


# --- Yoast SEO --------------------------------------------------------------------------------------


def yoast_comment(site: WordPressSite) -> str:
    return (
        f"<!-- This site is optimized with the Yoast SEO plugin v{site.yoast_version} - "
        "https://yoast.com/wordpress/plugins/seo/ -->"
    )


def json_ld(graph: list[dict[str, Any]]) -> str:
    """Yoast's ``<script>`` holding the ``@graph``."""
    data = json.dumps({"@context": "https://schema.org", "@graph": graph}, ensure_ascii=False, separators=(",", ":"))
    return f'<script type="application/ld+json" class="yoast-schema-graph">{data}</script>\n'


def website_and_organization(site: WordPressSite) -> list[dict[str, Any]]:
    """The WebSite and Organization nodes every Yoast graph ends with."""
    return [
        {
            "@type": "WebSite",
            "@id": f"{BASE}/#website",
            "url": f"{BASE}/",
            "name": site.name,
            "description": site.tagline,
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
            "name": site.name,
            "url": f"{BASE}/",
            "logo": {
                "@type": "ImageObject",
                "inLanguage": "en-US",
                "@id": f"{BASE}/#/schema/logo/image/",
                "url": site.logo["url"],
                "contentUrl": site.logo["url"],
                "width": site.logo["width"],
                "height": site.logo["height"],
                "caption": site.name,
            },
            "image": {"@id": f"{BASE}/#/schema/logo/image/"},
            "sameAs": list(site.same_as),
        },
    ]


def article_graph(post: Post, site: WordPressSite) -> list[dict[str, Any]]:
    """Yoast's JSON-LD @graph for a post."""
    person_id = f"{BASE}/#/schema/person/{slugify(post.author)}"
    image_id = f"{post.url}#primaryimage"
    dated = post.dates == "full" and post.published is not None
    article: dict[str, Any] = {
        "@type": "Article",
        "@id": f"{post.url}#article",
        "isPartOf": {"@id": post.url},
        "author": {"name": post.author, "@id": person_id},
        "headline": post.title,
    }
    if dated:
        article["datePublished"] = iso(post.published)  # type: ignore[arg-type]
        article["dateModified"] = iso(post.modified)
    article |= {
        "mainEntityOfPage": {"@id": post.url},
        "wordCount": len(post.words),
        "publisher": {"@id": f"{BASE}/#organization"},
        "image": {"@id": image_id},
        "thumbnailUrl": post.image["url"],
        "keywords": post.tags,
        "articleSection": [post.section],
        "inLanguage": "en-US",
    }
    webpage: dict[str, Any] = {
        "@type": "WebPage",
        "@id": post.url,
        "url": post.url,
        "name": post.title + site.title_suffix,
        "isPartOf": {"@id": f"{BASE}/#website"},
        "primaryImageOfPage": {"@id": image_id},
        "image": {"@id": image_id},
        "thumbnailUrl": post.image["url"],
    }
    if dated:
        webpage["datePublished"] = iso(post.published)  # type: ignore[arg-type]
        webpage["dateModified"] = iso(post.modified)
    webpage |= {
        "description": post.description,
        "breadcrumb": {"@id": f"{post.url}#breadcrumb"},
        "inLanguage": "en-US",
        "potentialAction": [{"@type": "ReadAction", "target": [post.url]}],
    }
    return [
        article,
        webpage,
        {
            "@type": "ImageObject",
            "inLanguage": "en-US",
            "@id": image_id,
            "url": post.image["url"],
            "contentUrl": post.image["url"],
            "width": post.image["width"],
            "height": post.image["height"],
        },
        {
            "@type": "BreadcrumbList",
            "@id": f"{post.url}#breadcrumb",
            "itemListElement": [
                {"@type": "ListItem", "position": 1, "name": "Home", "item": f"{BASE}/"},
                {"@type": "ListItem", "position": 2, "name": post.title},
            ],
        },
        *website_and_organization(site),
        {
            "@type": "Person",
            "@id": person_id,
            "name": post.author,
            "url": f"{BASE}/author/{slugify(post.author)}/",
        },
    ]


def article_head(post: Post, site: WordPressSite) -> str:
    """Yoast's block in a post's <head>: title, description, canonical, Open Graph, Twitter, JSON-LD."""
    image_type = "image/png" if ".png" in post.image["url"] else "image/jpeg"
    lines = [
        yoast_comment(site),
        f"<title>{esc(post.title + site.title_suffix)}</title>",
        f'<meta name="description" content="{esc(post.description)}" />',
        '<meta name="robots" content="index, follow, max-image-preview:large, max-snippet:-1, max-video-preview:-1" />',
        f'<link rel="canonical" href="{post.url}" />',
        '<meta property="og:locale" content="en_US" />',
        '<meta property="og:type" content="article" />',
        f'<meta property="og:title" content="{esc(post.title + site.title_suffix)}" />',
        f'<meta property="og:description" content="{esc(post.description)}" />',
        f'<meta property="og:url" content="{post.url}" />',
        f'<meta property="og:site_name" content="{esc(site.name)}" />',
        f'<meta property="article:publisher" content="{site.facebook}" />',
        f'<meta property="article:section" content="{esc(post.section)}" />',
        *(f'<meta property="article:tag" content="{esc(tag)}" />' for tag in post.tags),
    ]
    if post.dates == "full" and post.published:
        lines += [
            f'<meta property="article:published_time" content="{iso(post.published)}" />',
            f'<meta property="article:modified_time" content="{iso(post.modified)}" />',
        ]
    minutes = post.reading_minutes
    lines += [
        f'<meta property="og:image" content="{esc(post.image["url"])}" />',
        f'<meta property="og:image:width" content="{post.image["width"]}" />',
        f'<meta property="og:image:height" content="{post.image["height"]}" />',
        f'<meta property="og:image:type" content="{image_type}" />',
        f'<meta name="author" content="{esc(post.author)}" />',
        '<meta name="twitter:card" content="summary_large_image" />',
        f'<meta name="twitter:creator" content="@{site.twitter}" />',
        f'<meta name="twitter:site" content="@{site.twitter}" />',
        '<meta name="twitter:label1" content="Written by" />',
        f'<meta name="twitter:data1" content="{esc(post.author)}" />',
        '<meta name="twitter:label2" content="Est. reading time" />',
        f'<meta name="twitter:data2" content="{minutes} minute{"s" if minutes > 1 else ""}" />',
    ]
    return "\n".join(lines) + "\n" + json_ld(article_graph(post, site)) + "<!-- / Yoast SEO plugin. -->\n"


def collection_head(site: WordPressSite, url: str, title: str, rel: str = "") -> str:
    """Yoast's block for a listing (home page, archive): title, canonical, prev/next, CollectionPage."""
    graph = [
        {
            "@type": "CollectionPage",
            "@id": url,
            "url": url,
            "name": title,
            "isPartOf": {"@id": f"{BASE}/#website"},
            "about": {"@id": f"{BASE}/#organization"},
            "description": site.tagline,
            "inLanguage": "en-US",
        },
        *website_and_organization(site),
    ]
    return (
        f"{yoast_comment(site)}\n"
        f"<title>{esc(title)}</title>\n"
        f'<meta name="description" content="{esc(site.tagline)}" />\n'
        f'<link rel="canonical" href="{url}" />\n'
        + rel
        + '<meta property="og:locale" content="en_US" />\n'
        + '<meta property="og:type" content="website" />\n'
        + f'<meta property="og:title" content="{esc(title)}" />\n'
        + f'<meta property="og:url" content="{url}" />\n'
        + f'<meta property="og:site_name" content="{esc(site.name)}" />\n'
        + json_ld(graph)
        + "<!-- / Yoast SEO plugin. -->\n"
    )


def simple_head(site: WordPressSite, path: str, title: str, description: str, og_type: str = "website") -> str:
    """Yoast's block for a page that is not a post (about, archive, event)."""
    url = BASE + path
    graph = [
        {
            "@type": "WebPage" if og_type == "website" else "Event",
            "@id": url,
            "url": url,
            "name": f"{title}{site.title_suffix}",
            "isPartOf": {"@id": f"{BASE}/#website"},
            "description": description,
            "inLanguage": "en-US",
        },
        *website_and_organization(site),
    ]
    return (
        f"<title>{esc(title + site.title_suffix)}</title>\n"
        f'<meta name="description" content="{esc(description)}" />\n'
        f'<link rel="canonical" href="{url}" />\n'
        f'<meta property="og:type" content="{og_type}" />\n'
        f'<meta property="og:title" content="{esc(title + site.title_suffix)}" />\n'
        f'<meta property="og:url" content="{url}" />\n'
        f'<meta property="og:site_name" content="{esc(site.name)}" />\n' + json_ld(graph)
    )


# --- the feed -----------------------------------------------------------------------------------


def feed_item_link(post: Post) -> str:
    """The item's link: with utm_* parameters when the post's sources say ``feed_utm``."""
    return post.url + UTM if "feed_utm" in post.sources else post.url


def feed_item(post: Post, site: WordPressSite) -> str:
    """A post's ``<item>`` of ``/feed/``: figure + excerpt + " [&#8230;]", full content, "The post … appeared first"."""
    image = post.feed_image or post.image
    figure = (
        f'<figure><img alt="" class="attachment-rss-image-size size-rss-image-size wp-post-image" '
        f'height="{image["height"]}" src="{esc(image["url"])}" width="{image["width"]}" /></figure>'
    )
    summary = texturized(post.excerpt) if post.excerpt else texturized(auto_excerpt(post)) + " [&#8230;]"
    description = figure + summary
    content = "".join(f"<p>{texturized(p)}</p>\n" for p in post.body)
    content += (
        f'<p>The post <a href="{post.url}">{texturized(post.title)}</a> appeared first on '
        f'<a href="{BASE}">{esc(site.name)}</a>.</p>\n'
    )
    categories = "".join(f"\t\t<category>{cdata(name)}</category>\n" for name in [post.section, *post.tags])
    return (
        "\t<item>\n"
        f"\t\t<title>{xml_text(post.title)}</title>\n"
        f"\t\t<link>{xml_text(feed_item_link(post))}</link>\n"
        f"\t\t<comments>{post.url}#respond</comments>\n"
        f"\t\t<dc:creator>{cdata(post.author)}</dc:creator>\n"
        f"\t\t<pubDate>{rfc822(post.published)}</pubDate>\n"  # type: ignore[arg-type]
        f"{categories}"
        f'\t\t<guid isPermaLink="false">{BASE}/?p={post.id}</guid>\n'
        f"\t\t<description>{cdata(description)}</description>\n"
        f"\t\t<content:encoded>{cdata(content)}</content:encoded>\n"
        f"\t\t<wfw:commentRss>{post.url}feed/</wfw:commentRss>\n"
        "\t\t<slash:comments>0</slash:comments>\n"
        "\t</item>\n"
    )


def feed(site: WordPressSite, items: list[tuple[datetime, str]], last_build: datetime, path: str = "/feed/") -> bytes:
    """``/feed/``: WordPress's RSS 2.0 with its namespaces, items newest first."""
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
        f"\t<title>{xml_text(site.name)}</title>\n"
        f'\t<atom:link href="{BASE}{path}" rel="self" type="application/rss+xml" />\n'
        f"\t<link>{BASE}</link>\n"
        f"\t<description>{xml_text(site.tagline)}</description>\n"
        f"\t<lastBuildDate>{rfc822(last_build)}</lastBuildDate>\n"
        "\t<language>en-US</language>\n"
        "\t<sy:updatePeriod>\n\thourly\t</sy:updatePeriod>\n"
        "\t<sy:updateFrequency>\n\t1\t</sy:updateFrequency>\n"
        f"\t<generator>https://wordpress.org/?v={site.wordpress_version}</generator>\n"
        + body
        + "\t</channel>\n</rss>\n"
    )
    return text.encode("utf-8")


def feed_of(site: WordPressSite, posts: list[Post], extra: list[tuple[datetime, str]] | None = None) -> bytes:
    """``/feed/``: posts whose sources say ``feed``/``feed_utm`` and ``extra`` items, the newest ``feed_items``."""
    items = [(p.published, feed_item(p, site)) for p in posts if {"feed", "feed_utm"} & set(p.sources)]
    items = sorted([*items, *(extra or [])], key=lambda pair: pair[0], reverse=True)[: site.feed_items]  # type: ignore
    return feed(site, items, last_build(posts))  # type: ignore[arg-type]


def comments_feed(site: WordPressSite, last_build: datetime) -> bytes:
    """``/comments/feed/``: no comments."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">\n'
        f"<channel>\n\t<title>Comments for {xml_text(site.name)}</title>\n"
        f'\t<atom:link href="{BASE}/comments/feed/" rel="self" type="application/rss+xml" />\n'
        f"\t<link>{BASE}</link>\n\t<description>{xml_text(site.tagline)}</description>\n"
        f"\t<lastBuildDate>{rfc822(last_build)}</lastBuildDate>\n"
        f"\t<generator>https://wordpress.org/?v={site.wordpress_version}</generator>\n</channel>\n</rss>\n"
    ).encode()


def last_build(posts: list[Post]) -> datetime:
    """The newest modification: the feed's lastBuildDate and the sitemaps' lastmod."""
    return max(p.modified for p in posts)


# --- Yoast sitemaps -------------------------------------------------------------------------------

YOAST_SITEMAP_HEAD = f'{XML_DECLARATION}<?xml-stylesheet type="text/xsl" href="{BASE}/main-sitemap.xsl"?>\n'
YOAST_SITEMAP_TRAILER = "<!-- XML Sitemap generated by Yoast SEO -->"
_YOAST_URLSET = (
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1" '
    'xsi:schemaLocation="http://www.sitemaps.org/schemas/sitemap/0.9 '
    "http://www.sitemaps.org/schemas/sitemap/0.9/sitemap.xsd "
    "http://www.google.com/schemas/sitemap-image/1.1 "
    'http://www.google.com/schemas/sitemap-image/1.1/sitemap-image.xsd" '
)


def yoast_index(children: list[tuple[str, datetime]]) -> bytes:
    """``/sitemap_index.xml``: (path or absolute URL, lastmod) children."""
    locs = [(loc if "://" in loc or loc.startswith(BASE) else BASE + loc, lastmod) for loc, lastmod in children]
    return sitemap_index(locs, head=YOAST_SITEMAP_HEAD, trailer=YOAST_SITEMAP_TRAILER)


def yoast_urlset(entries: list[str], *, news: bool = False) -> bytes:
    """A Yoast sitemap (post-, page-, category-sitemap.xml; news-sitemap.xml with ``news``)."""
    attributes = _YOAST_URLSET
    if news:
        attributes = 'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9" ' + attributes
    return urlset(entries, attributes=attributes, head=YOAST_SITEMAP_HEAD, trailer=YOAST_SITEMAP_TRAILER)


def yoast_news_entry(post: Post, site: WordPressSite) -> str:
    """A post in Yoast News SEO's sitemap: local time with its offset, keywords from the tags."""
    return news_entry(
        post.url,
        publication=site.name,
        language=site.language,
        published=iso(post.published, post.zone),  # type: ignore[arg-type]
        title=post.title,
        keywords=post.tags,
        image=post.image["url"],
    )


# --- the REST API ---------------------------------------------------------------------------------


def _wp_json(data: Any) -> str:
    """JSON as PHP's json_encode prints it for the REST API: ASCII only, "/" escaped as "\\/"."""
    return json.dumps(data, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/")


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M:%S")


def _gmt(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


@dataclass
class TermIds:
    """Stable ids for categories, tags and authors, as the REST API numbers them (in creation order)."""

    ids: dict[tuple[str, str], int] = field(default_factory=dict)

    def term(self, taxonomy: str, name: str) -> int:
        key = (taxonomy, name)
        if key not in self.ids:
            first = {"category": 2, "post_tag": 100, "author": 1}[taxonomy]
            self.ids[key] = first + sum(1 for t, _ in self.ids if t == taxonomy)
        return self.ids[key]


def rest_post(post: Post, site: WordPressSite, terms: TermIds) -> dict[str, Any]:
    """One post of ``/wp-json/wp/v2/posts?_embed`` (the fields WordPress core and ``_embed`` give)."""
    api = f"{BASE}/wp-json/wp/v2"
    media_id = post.id - 1  # the featured image is uploaded just before the post is created
    author_id = terms.term("author", post.author)
    category_id = terms.term("category", post.section)
    tag_ids = [terms.term("post_tag", tag) for tag in post.tags]
    excerpt = texturized(post.excerpt) if post.excerpt else texturized(auto_excerpt(post)) + " [&hellip;]"
    image_file = post.image["url"].split("/wp-content/uploads/", 1)[-1].split("?", 1)[0]  # "2021/08/x.jpg"
    image_name = image_file.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    published = post.published or post.sort_key
    return {
        "id": post.id,
        "date": _local(published, post.zone),
        "date_gmt": _gmt(published),
        "guid": {"rendered": f"{BASE}/?p={post.id}"},
        "modified": _local(post.modified, post.zone),
        "modified_gmt": _gmt(post.modified),
        "slug": post.slug,
        "status": "publish",
        "type": "post",
        "link": post.url,
        "title": {"rendered": texturized(post.title)},
        "content": {"rendered": "".join(f"<p>{texturized(p)}</p>\n" for p in post.body), "protected": False},
        "excerpt": {"rendered": f"<p>{excerpt}</p>\n", "protected": False},
        "author": author_id,
        "featured_media": media_id,
        "comment_status": "open",
        "ping_status": "open",
        "sticky": False,
        "template": "",
        "format": "standard",
        "meta": {"footnotes": ""},
        "categories": [category_id],
        "tags": tag_ids,
        "_links": {
            "self": [{"href": f"{api}/posts/{post.id}"}],
            "collection": [{"href": f"{api}/posts"}],
            "author": [{"embeddable": True, "href": f"{api}/users/{author_id}"}],
            "wp:featuredmedia": [{"embeddable": True, "href": f"{api}/media/{media_id}"}],
            "wp:term": [
                {"taxonomy": "category", "embeddable": True, "href": f"{api}/categories?post={post.id}"},
                {"taxonomy": "post_tag", "embeddable": True, "href": f"{api}/tags?post={post.id}"},
            ],
        },
        "_embedded": {
            "author": [
                {
                    "id": author_id,
                    "name": post.author,
                    "url": "",
                    "description": "",
                    "link": f"{BASE}/author/{slugify(post.author)}/",
                    "slug": slugify(post.author),
                }
            ],
            "wp:featuredmedia": [
                {
                    "id": media_id,
                    "date": _local(published, post.zone),
                    "slug": slugify(image_name),
                    "type": "attachment",
                    "link": f"{post.url}{slugify(image_name)}/",
                    "title": {"rendered": image_name},
                    "author": author_id,
                    "caption": {"rendered": ""},
                    "alt_text": "",
                    "media_type": "image",
                    "mime_type": "image/png" if image_file.endswith(".png") else "image/jpeg",
                    "media_details": {
                        "width": post.image["width"],
                        "height": post.image["height"],
                        "file": image_file,
                        "sizes": {},
                        "image_meta": {"caption": "", "copyright": "", "title": ""},
                    },
                    "source_url": post.image["url"],
                }
            ],
            "wp:term": [
                [_rest_term(category_id, post.section, "category")],
                [_rest_term(tag_id, tag, "post_tag") for tag_id, tag in zip(tag_ids, post.tags, strict=True)],
            ],
        },
    }


def _rest_term(term_id: int, name: str, taxonomy: str) -> dict[str, Any]:
    base = "category" if taxonomy == "category" else "tag"
    return {
        "id": term_id,
        "link": f"{BASE}/{base}/{slugify(name)}/",
        "name": html.escape(name, quote=False),
        "slug": slugify(name),
        "taxonomy": taxonomy,
    }


@dataclass
class ApiPage:
    """One page of the posts collection: its body and the paging headers WordPress sends."""

    number: int
    body: bytes
    headers: dict[str, str]


def rest_pages(site: WordPressSite, posts: list[Post], per_page: int) -> list[ApiPage]:
    """``/wp-json/wp/v2/posts?_embed&per_page=N&page=K``: posts newest first, with X-WP-Total(Pages)."""
    newest = sorted(posts, key=lambda p: p.sort_key, reverse=True)
    terms = TermIds()
    for post in sorted(posts, key=lambda p: p.id):  # term ids follow creation order
        terms.term("author", post.author)
        terms.term("category", post.section)
        for tag in post.tags:
            terms.term("post_tag", tag)
    total_pages = math.ceil(len(newest) / per_page)
    pages = []
    for number in range(1, total_pages + 1):
        chunk = newest[(number - 1) * per_page : number * per_page]
        body = "[" + ",".join(_wp_json(rest_post(p, site, terms)) for p in chunk) + "]"
        headers = {"X-WP-Total": str(len(newest)), "X-WP-TotalPages": str(total_pages)}
        pages.append(ApiPage(number, body.encode("utf-8"), headers))
    return pages


REST_INVALID_PAGE = (
    '{"code":"rest_post_invalid_page_number","message":"The page number requested is larger than the number of '
    'pages available.","data":{"status":400}}'
)


# --- routes -----------------------------------------------------------------------------------------


def route_lines(posts: list[Post]) -> list[str]:
    """``_routes.yaml`` lines for the posts' own cases (deleted, old slug, route, encoding)."""
    lines = []
    for post in sorted(posts, key=lambda p: p.sort_key):
        if post.gone:
            lines.append(f"{post.path}: {{status: 404}}  # deleted post, still in the feed")
        if post.old_slug:
            lines.append(f"{post.old_path}: {{redirect: {post.path}}}  # WordPress old-slug redirect (301)")
        if post.route:
            behaviour = ", ".join(f"{k}: {v}" for k, v in post.route.items())
            lines.append(f"{post.path}: {{{behaviour}}}")
        if post.encoding != "utf-8":
            lines.append(f'{post.path}: {{content_type: "text/html"}}  # {post.encoding} bytes, no charset in HTTP')
    return lines


def pictures(site: WordPressSite, posts: list[Post]) -> list[tuple[str, int, int]]:
    """Every picture the source gives a size: the posts' featured and feed images, the placeholder, the logo."""
    found = [site.logo, site.placeholder_image or {}]
    for post in posts:
        found += [post.image, post.feed_image or {}]
    return [(image["url"], image["width"], image["height"]) for image in found if image.get("url")]


def routes_file(key: str, lines: list[str]) -> bytes:
    """``_routes.yaml`` with its "generated" header."""
    header = ROUTES_HEADER.format(key=key)
    return ("\n".join([header, *lines]) + "\n").encode("utf-8")
