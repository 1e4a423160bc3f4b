"""The Tech in Asia-shaped fixture site, from ``techinasia.yaml``.

What a Next.js front end on a WordPress back end serves: article pages that are a
JavaScript shell (``<head>`` metadata and a ``__NEXT_DATA__`` script, no article text in the DOM)
at ``/news/<slug>`` and ``/<slug>`` without a trailing slash, the RSS feed at ``/feed``, and the
JSON API ``/wp-json/techinasia/2.0/posts`` whose page past the last answers HTTP 400 with a
WordPress error object; plus the route manifest ``_routes.yaml`` (paths without a slash map to
files; the 400). Everything comes from this one source, so the pages, the feed and the API agree.

Stdlib + PyYAML only (not the kit: a Next.js site shares little with WordPress themes); reads
the sources' URLs from ``crawler/providers.yaml``, so that the site serves them exactly there.
"""

from __future__ import annotations

import html
import json
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import yaml

from tools.fixture_sites.kit.common import ROUTES_HEADER, serve_pictures

SOURCE = Path(__file__).with_name("techinasia.yaml")
REGISTRY = Path(__file__).resolve().parents[2] / "crawler" / "providers.yaml"
PROVIDER = "techinasia"
BASE = "{{base}}"
SITE_NAME = "Tech in Asia"
TITLE_SUFFIX = " | Tech in Asia"
CDN = "https://cdn.techinasia.com"
LOGO = "https://static.techinasia.com/assets/images/logo/tia-logo-og.png"
WP_GENERATOR = "https://wordpress.org/?v=6.5.3"
PAST_LAST_PAGE = {
    "code": "rest_post_invalid_page_number",
    "message": "The page number requested is larger than the number of pages available.",
    "data": {"status": 400},
}
HEAD_FLAGS = frozenset({"no_date", "no_image", "image_without_size", "local_time"})
# wptexturize writes typographic characters as numeric references in titles (feed, API).
_TEXTURIZE = {"’": "&#8217;", "‘": "&#8216;", "“": "&#8220;", "”": "&#8221;", "–": "&#8211;", "—": "&#8212;"}
# Next.js escapes these in __NEXT_DATA__ so that the JSON cannot close its <script>.
_NEXT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


# --- the source ----------------------------------------------------------------------------------


@dataclass
class Article:
    """One post of ``techinasia.yaml``."""

    id: int
    slug: str
    title: str
    description: str
    section: str
    categories: list[str]
    tags: list[str]
    author: str
    image: dict[str, Any]
    sources: list[str]
    body: list[str]
    published: datetime
    modified: datetime
    brief: bool = False
    head: set[str] = field(default_factory=set)
    note: str = ""

    @property
    def path(self) -> str:
        return f"/news/{self.slug}" if self.brief else f"/{self.slug}"

    @property
    def file(self) -> str:
        """Where the page lives in the site directory (the route maps the path to it)."""
        return self.path.lstrip("/") + ".html"

    @property
    def url(self) -> str:
        return BASE + self.path

    @property
    def all_categories(self) -> list[str]:
        return list(dict.fromkeys([self.section, *self.categories]))


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def load_source(path: Path = SOURCE) -> tuple[dict[str, Any], list[Article]]:
    """(site settings, articles newest first) from ``techinasia.yaml``."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    articles = []
    for raw in data["articles"]:
        head = set(raw.get("head") or [])
        unknown = head - HEAD_FLAGS
        if unknown:
            raise ValueError(f"{raw['slug']}: unknown head flags {sorted(unknown)}")
        articles.append(
            Article(
                id=raw["id"],
                slug=raw["slug"],
                title=raw["title"],
                description=" ".join(raw["description"].split()),
                section=raw["section"],
                categories=list(raw.get("categories") or []),
                tags=list(raw["tags"]),
                author=raw["author"],
                image=dict(raw["image"]),
                sources=list(raw["sources"]),
                body=[" ".join(p.split()) for p in raw["body"].split("\n\n") if p.strip()],
                published=_instant(raw["published"]),
                modified=_instant(raw["modified"]),
                brief=raw.get("brief", False),
                head=head,
                note=" ".join(raw.get("note", "").split()),
            )
        )
    return data["site"], sorted(articles, key=lambda a: a.published, reverse=True)


def registry_entry() -> dict[str, Any]:
    return yaml.safe_load(REGISTRY.read_text(encoding="utf-8"))["providers"][PROVIDER]


def source_paths() -> dict[str, str]:
    """kind → path(+query) of the registry's sources: the fixture serves them at exactly these."""
    paths = {}
    for source in registry_entry()["sources"]:
        parts = urlsplit(source["url"])
        paths[source["kind"]] = parts.path + (f"?{parts.query}" if parts.query else "")
    return paths


# --- small helpers ---------------------------------------------------------------------------------


def esc(text: str) -> str:
    """Text for an HTML attribute or text node."""
    return html.escape(text, quote=True)


def texturized(text: str) -> str:
    """Text as WordPress prints a post title: escaped, typographic characters as references."""
    escaped = html.escape(text, quote=False)
    return "".join(_TEXTURIZE.get(char, char) for char in escaped)


def js_iso(moment: datetime) -> str:
    """What JavaScript's ``Date.toISOString()`` prints: UTC with milliseconds and "Z"."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def gmt(moment: datetime) -> str:
    """WordPress ``*_gmt`` fields: UTC, no offset."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def local(moment: datetime, zone: ZoneInfo) -> str:
    """Local time without an offset."""
    return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M:%S")


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def dump_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# --- the JSON API --------------------------------------------------------------------------------------


def _terms(names: list[str], offset: int) -> list[dict[str, Any]]:
    return [{"id": offset + sum(map(ord, n)), "name": n, "slug": slugify(n)} for n in names]


def api_post(a: Article) -> dict[str, Any]:
    """A post as ``/wp-json/techinasia/2.0/posts`` returns it (and ``__NEXT_DATA__`` carries it)."""
    image = a.image
    sizes = {}
    for name, width in (("thumbnail", 150), ("medium", 300), ("large", 1024)):
        if width < image["width"]:
            height = round(image["height"] * width / image["width"]) if name != "thumbnail" else 150
            stem, dot, extension = image["url"].rpartition(".")
            sizes[name] = {"url": f"{stem}-{width}x{height}{dot}{extension}", "width": width, "height": height}
    content = "".join(f"<p>{texturized(p)}</p>\n" for p in a.body)
    return {
        "id": str(a.id),
        "date_gmt": gmt(a.published),
        "modified_gmt": gmt(a.modified),
        "title": texturized(a.title),
        "slug": a.slug,
        "status": "publish",
        "type": "post",
        "link": a.url,
        "content": content,
        "excerpt": texturized(a.description),
        "author": {
            "id": str(sum(map(ord, a.author))),
            "display_name": a.author,
            "avatar_url": f"{CDN}/wp-content/uploads/avatars/{slugify(a.author)}.jpg",
            "author_url": f"{BASE}/profile/{slugify(a.author)}",
        },
        "featured_image": {
            "source": image["url"],
            "attachment_meta": {"width": image["width"], "height": image["height"], "sizes": sizes},
        },
        "categories": _terms(a.all_categories, 1000),
        "tags": _terms(a.tags, 5000),
        "companies": [],
        "seo": {"title": a.title + TITLE_SUFFIX, "description": a.description, "image": image["url"]},
        "read_time": max(1, math.ceil(len(" ".join(a.body).split()) / 200)),
        "is_paywalled": True,
        "sponsor": None,
    }


def api_pages(site: dict[str, Any], articles: list[Article]) -> list[dict[str, Any]]:
    """The posts API's pages, newest posts first."""
    posts = [api_post(a) for a in articles if "api" in a.sources]
    per_page = site["per_page"]
    total = max(1, math.ceil(len(posts) / per_page))
    return [
        {
            "posts": posts[(n - 1) * per_page : n * per_page],
            "current_page": n,
            "total_pages": total,
            "per_page": per_page,
        }
        for n in range(1, total + 1)
    ]


def api_page_path(n: int) -> str:
    """The request path of page ``n``: the registry's source with ``page=n`` added (as api_page_url does)."""
    return f"{source_paths()['api']}&page={n}"


def api_page_file(n: int) -> str:
    base = source_paths()["api"].split("?")[0].lstrip("/")
    return f"{base}.json" if n == 1 else f"{base}-page-{n}.json"


# --- the feed ------------------------------------------------------------------------------------------


def feed(site: dict[str, Any], articles: list[Article]) -> bytes:
    """WordPress RSS 2.0: the newest posts, categories then tags, the standfirst as description."""
    items = [a for a in articles if "feed" in a.sources][: site["feed_items"]]
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"',
        '\txmlns:content="http://purl.org/rss/1.0/modules/content/"',
        '\txmlns:dc="http://purl.org/dc/elements/1.1/"',
        '\txmlns:atom="http://www.w3.org/2005/Atom"',
        '\txmlns:sy="http://purl.org/rss/1.0/modules/syndication/"',
        "\t>",
        "",
        "<channel>",
        f"\t<title>{SITE_NAME}</title>",
        f'\t<atom:link href="{BASE}/feed" rel="self" type="application/rss+xml" />',
        f"\t<link>{BASE}</link>",
        f"\t<description>{texturized(site['tagline'])}</description>",
        f"\t<lastBuildDate>{format_datetime(max(a.modified for a in items))}</lastBuildDate>",
        "\t<language>en-US</language>",
        "\t<sy:updatePeriod>hourly</sy:updatePeriod>",
        "\t<sy:updateFrequency>1</sy:updateFrequency>",
        f"\t<generator>{WP_GENERATOR}</generator>",
    ]
    for a in items:
        lines += [
            "\t<item>",
            f"\t\t<title>{texturized(a.title)}</title>",
            f"\t\t<link>{a.url}</link>",
            f"\t\t<dc:creator><![CDATA[{a.author}]]></dc:creator>",
            f"\t\t<pubDate>{format_datetime(a.published.astimezone(UTC))}</pubDate>",
            *(f"\t\t<category><![CDATA[{name}]]></category>" for name in dict.fromkeys([*a.all_categories, *a.tags])),
            f'\t\t<guid isPermaLink="false">{BASE}/?p={a.id}</guid>',
            f"\t\t<description><![CDATA[{texturized(a.description)}]]></description>",
            "\t</item>",
        ]
    lines += ["</channel>", "</rss>", ""]
    return "\n".join(lines).encode("utf-8")


# --- article pages -------------------------------------------------------------------------------------


def _page_dates(a: Article, zone: ZoneInfo) -> tuple[str, str] | None:
    if "no_date" in a.head:
        return None
    if "local_time" in a.head:
        return local(a.published, zone), local(a.modified, zone)
    return js_iso(a.published), js_iso(a.modified)


def json_ld(a: Article, zone: ZoneInfo) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": a.url},
        "headline": a.title,
        "description": a.description,
    }
    if "image_without_size" in a.head:
        data["image"] = a.image["url"]
    elif "no_image" not in a.head:
        data["image"] = {"@type": "ImageObject", **a.image}
    dates = _page_dates(a, zone)
    if dates:
        data["datePublished"], data["dateModified"] = dates
    data |= {
        "author": {"@type": "Person", "name": a.author, "url": f"{BASE}/profile/{slugify(a.author)}"},
        "publisher": {
            "@type": "Organization",
            "name": SITE_NAME,
            "logo": {"@type": "ImageObject", "url": LOGO, "width": 600, "height": 60},
        },
        "articleSection": a.section,
        "keywords": a.tags,
        "isAccessibleForFree": False,
        "hasPart": {"@type": "WebPageElement", "isAccessibleForFree": False, "cssSelector": ".paywall"},
    }
    return data


def article_head(a: Article, zone: ZoneInfo) -> list[str]:
    lines = [
        '<meta charSet="utf-8"/>',
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
        f"<title>{esc(a.title + TITLE_SUFFIX)}</title>",
        f'<meta name="description" content="{esc(a.description)}"/>',
        f'<link rel="canonical" href="{a.url}"/>',
        f'<link rel="alternate" type="application/rss+xml" title="{SITE_NAME}" href="{BASE}/feed"/>',
        f'<meta property="og:site_name" content="{SITE_NAME}"/>',
        '<meta property="og:type" content="article"/>',
        f'<meta property="og:title" content="{esc(a.title)}"/>',
        f'<meta property="og:description" content="{esc(a.description)}"/>',
        f'<meta property="og:url" content="{a.url}"/>',
    ]
    if "no_image" not in a.head:
        lines.append(f'<meta property="og:image" content="{esc(a.image["url"])}"/>')
        if "image_without_size" not in a.head:
            lines += [
                f'<meta property="og:image:width" content="{a.image["width"]}"/>',
                f'<meta property="og:image:height" content="{a.image["height"]}"/>',
            ]
    dates = _page_dates(a, zone)
    if dates:
        lines += [
            f'<meta property="article:published_time" content="{dates[0]}"/>',
            f'<meta property="article:modified_time" content="{dates[1]}"/>',
        ]
    lines.append(f'<meta property="article:section" content="{esc(a.section)}"/>')
    lines += [f'<meta property="article:tag" content="{esc(tag)}"/>' for tag in a.tags]
    lines += [
        '<meta name="twitter:card" content="summary_large_image"/>',
        '<meta name="twitter:site" content="@techinasia"/>',
        f'<meta name="twitter:title" content="{esc(a.title)}"/>',
        f'<meta name="twitter:description" content="{esc(a.description)}"/>',
    ]
    if "no_image" not in a.head:
        lines.append(f'<meta name="twitter:image" content="{esc(a.image["url"])}"/>')
    lines.append(f'<script type="application/ld+json">{dump_json(json_ld(a, zone))}</script>')
    lines.append(f'<meta name="next-head-count" content="{len(lines) + 1}"/>')
    return lines


def next_data(a: Article, site: dict[str, Any]) -> str:
    """The ``__NEXT_DATA__`` script's JSON: the page's props hold the post as the API returns it."""
    data = {
        "props": {"pageProps": {"post": api_post(a), "isPaywalled": True}, "__N_SSP": True},
        "page": "/news/[slug]" if a.brief else "/[slug]",
        "query": {"slug": a.slug},
        "buildId": site["build_id"],
        "isFallback": False,
        "gssp": True,
        "scriptLoader": [],
    }
    text = dump_json(data)
    return "".join(_NEXT_ESCAPES.get(char, char) for char in text)


def article_page(a: Article, site: dict[str, Any]) -> bytes:
    zone = ZoneInfo(site["timezone"])
    build = site["build_id"]
    nav = "".join(
        f'<a class="jsx-1431284329 nav-link" href="{BASE}{path}">{name}</a>'
        for name, path in (("News", "/news"), ("Jobs", "/jobs"), ("Companies", "/companies"), ("Events", "/events"))
    )
    page = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        *article_head(a, zone),
        f'<link rel="preload" href="/_next/static/css/{build[:8]}.css" as="style"/>',
        f'<link rel="stylesheet" href="/_next/static/css/{build[:8]}.css" data-n-g=""/>',
        "</head>",
        "<body>",
        '<div id="__next"><div class="jsx-2838712137 app-container">',
        '<header class="jsx-1431284329 site-header">'
        f'<a class="jsx-1431284329 logo" href="{BASE}/" aria-label="{SITE_NAME} home"></a>'
        f'<nav class="jsx-1431284329 main-nav">{nav}</nav></header>',
        '<main class="jsx-3509540955 main-content"><div class="jsx-3509540955 post-skeleton" aria-busy="true">'
        '<div class="jsx-3509540955 skeleton-title"></div><div class="jsx-3509540955 skeleton-line"></div>'
        '<div class="jsx-3509540955 skeleton-line"></div></div></main>',
        '<footer class="jsx-925421712 site-footer">'
        '<p class="jsx-925421712">Connecting Asia&#x27;s startup ecosystem</p></footer>',
        "</div></div>",
        f'<script id="__NEXT_DATA__" type="application/json">{next_data(a, site)}</script>',
        f'<script src="/_next/static/chunks/webpack-{build[:8]}.js" defer=""></script>',
        f'<script src="/_next/static/{build}/_buildManifest.js" defer=""></script>',
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(page).encode("utf-8")


# --- routes ----------------------------------------------------------------------------------------------


def routes(site: dict[str, Any], articles: list[Article]) -> bytes:
    def entry(key: str, value: dict[str, Any], comment: str = "") -> str:
        line = yaml.safe_dump(
            {key: value}, default_flow_style=True, width=1000, allow_unicode=True, sort_keys=False
        ).strip()
        return line[1:-1] + (f"  # {comment}" if comment else "")

    pages = len(api_pages(site, articles))
    api_path = source_paths()["api"].split("?")[0]
    lines = [
        ROUTES_HEADER.format(key=PROVIDER),
        "# Next.js serves pages without a trailing slash: each path maps to its file.",
        entry(source_paths()["feed"], {"file": "feed.xml"}, "WordPress RSS at /feed"),
        entry(api_path, {"file": api_page_file(1)}, "the posts API; page=1 and per_page= are ignored here"),
    ]
    for n in range(2, pages + 1):
        lines.append(entry(api_page_path(n), {"file": api_page_file(n)}))
    lines.append(
        entry(
            api_page_path(pages + 1),
            {
                "status": 400,
                "content_type": "application/json; charset=UTF-8",
                "body": dump_json(PAST_LAST_PAGE),
            },
            "past the last page: WordPress's error object",
        )
    )
    for a in sorted(articles, key=lambda a: a.published):
        lines.append(entry(a.path, {"file": a.file}))
    return ("\n".join(lines) + "\n").encode("utf-8")


# --- the whole site ----------------------------------------------------------------------------------------


def build() -> dict[str, bytes]:
    """Every generated file: relative path → bytes."""
    site, articles = load_source()
    paths = source_paths()
    if set(paths) != {"feed", "api"}:
        raise ValueError(f"the registry's {PROVIDER} sources are {sorted(paths)}; this site serves feed and api")
    files: dict[str, bytes] = {}
    for a in articles:
        files[a.file] = article_page(a, site)
    files["feed.xml"] = feed(site, articles)
    for n, page in enumerate(api_pages(site, articles), start=1):
        files[api_page_file(n)] = (json.dumps(page, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    files["_routes.yaml"] = routes(site, articles)
    # The featured images, on Tech in Asia's CDN: served by the fixture server (kit.common.serve_pictures).
    pictures = [(a.image["url"], a.image["width"], a.image["height"]) for a in articles]
    return serve_pictures(files, [f"{CDN}/"], pictures)
