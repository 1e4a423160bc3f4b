"""The TechNode-shaped fixture site, from ``technode.yaml`` with the fixture-site kit.

What WordPress + Yoast SEO would serve (article pages, ``/feed/``, the Yoast sitemap index and
its sitemaps, paginated listing pages, ``robots.txt``) and the route manifest ``_routes.yaml``.
Everything served comes from this one source, so the pages, the feed and the sitemaps agree.
The WordPress/Yoast shapes live in :mod:`tools.fixture_sites.kit`; this module adds what is
TechNode's own: its theme settings, the event in the feed, the about and AI pages.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from tools.fixture_sites.kit import wordpress as wp
from tools.fixture_sites.kit.common import (
    BASE,
    cdata,
    instant,
    one_line,
    rfc822,
    serve_pictures,
    url_entry,
    xml_text,
)
from tools.fixture_sites.kit.themes import theme_for

SOURCE = Path(__file__).with_name("technode.yaml")
# Jetpack's image CDN, where TechNode's pictures are: served by the fixture server (kit.common.serve_pictures).
IMAGE_PREFIXES = ("https://i0.wp.com/", "https://i2.wp.com/")

# TechNode's settings that technode.yaml leaves to the builder (the kit's WordPressSite fields).
SETTINGS: dict[str, Any] = {
    "key": "technode",
    "theme": "underscores",
    "theme_slug": "technode",
    "theme_version": "3.2.1",
    "logo": {
        "url": "https://i0.wp.com/technode.com/wp-content/uploads/2020/01/technode-logo.png?fit=400%2C100&ssl=1",
        "width": 400,
        "height": 100,
    },
    "facebook": "https://www.facebook.com/technode",
    "same_as": ["https://www.facebook.com/technode", "https://x.com/technodechina"],
    "twitter": "technodechina",
    "nav": [
        ["News", "/category/news/"],
        ["AI", "/category/ai/"],
        ["Analysis", "/category/analysis/"],
        ["About", "/about/"],
    ],
    "footer_year": 2026,
    "categories": ["news", "analysis", "opinion", "features", "interview", "review", "ai"],
}


def event_item(event: dict[str, Any]) -> tuple[datetime, str]:
    """The event (a custom post type) as WordPress lists it in the feed."""
    published = instant(event["published"])
    description = one_line(event["description"])
    item = (
        "\t<item>\n"
        f"\t\t<title>{xml_text(event['title'])}</title>\n"
        f"\t\t<link>{BASE + event['path']}</link>\n"
        f"\t\t<dc:creator>{cdata('TechNode Events')}</dc:creator>\n"
        f"\t\t<pubDate>{rfc822(published)}</pubDate>\n"  # type: ignore[arg-type]
        f"\t\t<category>{cdata('Events')}</category>\n"
        f'\t\t<guid isPermaLink="false">{BASE}/?post_type=event&amp;p={event["id"]}</guid>\n'
        f"\t\t<description>{cdata(wp.texturized(description))}</description>\n"
        "\t</item>\n"
    )
    return published, item  # type: ignore[return-value]


def robots() -> bytes:
    return (
        f"User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n\nSitemap: {BASE}/sitemap_index.xml\n"
    ).encode()


def build() -> dict[str, bytes]:
    """Every generated file: relative path → bytes."""
    site, posts, pages = wp.load_source(SOURCE, **SETTINGS)
    theme = theme_for(site)
    live = wp.live(posts)
    files: dict[str, bytes] = {}
    for post in live:
        files[post.path.strip("/") + "/index.html"] = theme.article_page(post, [])

    # Listing pages, newest first; the sidebar's "Popular" holds the two oldest plainly dated posts.
    listed = wp.listed(posts)
    per_page, total = site.posts_per_page, wp.listing_page_count(site, posts)
    popular = [p for p in live if p.old_slug == "" and p.dates == "full"][:2]
    for n in range(1, total + 1):
        chunk = listed[(n - 1) * per_page : n * per_page]
        files[wp.page_path(n).lstrip("/") + "index.html"] = theme.listing_page(n, total, chunk, popular)

    # Feed: the newest posts plus the event, WordPress's 10 items.
    event = pages["event"]
    last_build = wp.last_build(posts)
    files["feed/index.xml"] = wp.feed_of(site, posts, [event_item(event)])
    files["comments/feed/index.xml"] = wp.comments_feed(site, last_build)

    # Yoast sitemaps.
    in_sitemap = [p for p in live if "sitemap" in p.sources]
    home = url_entry(f"{BASE}/", last_build)
    files["post-sitemap.xml"] = wp.yoast_urlset(
        [home] + [url_entry(p.url, p.modified, p.image["url"]) for p in in_sitemap]
    )
    news = sorted((p for p in live if "news" in p.sources), key=lambda p: p.sort_key, reverse=True)
    files["news-sitemap.xml"] = wp.yoast_urlset([wp.yoast_news_entry(p, site) for p in news], news=True)
    files["category-sitemap.xml"] = wp.yoast_urlset(
        [url_entry(f"{BASE}/category/{c}/", last_build) for c in site.categories]
    )
    files["page-sitemap.xml"] = wp.yoast_urlset([url_entry(BASE + pages["about"]["path"], last_build)])
    files["sitemap_index.xml"] = wp.yoast_index(
        [
            (name, last_build)
            for name in ("/post-sitemap.xml", "/page-sitemap.xml", "/category-sitemap.xml", "/news-sitemap.xml")
        ]
    )
    files["robots.txt"] = robots()

    # Non-article pages.
    about = pages["about"]
    about_text = one_line(about["description"])
    files["about/index.html"] = theme.simple_page(
        about["path"],
        about["title"],
        about_text,
        f'<div class="entry-content"><p>{wp.texturized(about_text)}</p></div>\n',
    )
    archive = "".join(theme.listing_card(p, p.old_path or p.path) for p in listed if "AI" in p.tags)
    files["category/ai/index.html"] = theme.simple_page(
        pages["category_ai"]["path"], pages["category_ai"]["title"], "Artificial intelligence news from China.", archive
    )
    event_text = one_line(event["description"])
    files[event["path"].strip("/") + "/index.html"] = theme.simple_page(
        event["path"],
        event["title"],
        event_text,
        f'<div class="event-details"><p>{wp.texturized(event_text)}</p>'
        "<p>Venue: Shanghai World Expo Exhibition &amp; Convention Center.</p></div>\n",
        og_type="event",
    )

    files["_routes.yaml"] = wp.routes_file("technode", wp.route_lines(posts))
    return serve_pictures(files, IMAGE_PREFIXES, wp.pictures(site, posts))
