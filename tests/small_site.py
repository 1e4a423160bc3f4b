"""A small provider site that changes between runs: for incremental crawls and health checks.

Articles live at /news/<slug>/, listed by an RSS feed (/feed/) and a sitemap
with lastmod (/sitemap.xml). ``SmallSite`` writes it into a directory, and can
add articles, change one (new text, newer lastmod), empty the feed or strip
the dates, as a real site would between two cron runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

PROVIDER = ("Small News", "small-news.com")

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} - Small News</title>
<meta property="og:site_name" content="Small News"><meta property="og:type" content="article">
<meta property="og:title" content="{title}"><meta name="description" content="{excerpt}">
{date_meta}<meta property="og:image" content="{image}"><meta property="og:image:width" content="1200">
<meta property="og:image:height" content="675">
<link rel="canonical" href="{{{{base}}}}/news/{slug}/"></head>
<body><article><h1>{title}</h1><p>{excerpt}</p><p>{body}</p>
<p>Analysts said the move reflects a wider shift in the industry, where supply chains are being rebuilt
and companies are spending heavily on new capacity to meet demand from carmakers and cloud providers.</p>
<p>The company did not say how much the project would cost, but people familiar with the plans said
spending would run into billions of dollars over the next three years, with the first output expected soon.</p>
</article></body></html>
"""


@dataclass
class Article:
    slug: str
    title: str
    published: datetime
    body: str
    modified: datetime

    @property
    def path(self) -> str:
        return f"/news/{self.slug}/"


@dataclass
class SmallSite:
    root: Path
    articles: list[Article] = field(default_factory=list)
    feed_empty: bool = False
    dates: bool = True
    images: bool = True

    @classmethod
    def create(cls, root: Path, count: int = 6) -> SmallSite:
        site = cls(root)
        for number in range(count):
            site.add(f"story-number-{number}-about-chips", f"Chipmaker story number {number} makes news")
        return site

    def add(self, slug: str, title: str) -> Article:
        moment = datetime(2026, 11, 20, 8, 0, tzinfo=UTC) + timedelta(hours=len(self.articles))
        article = Article(slug, title, moment, f"The full story of {title.lower()}, told in detail.", moment)
        self.articles.append(article)
        self.write()
        return article

    def change(self, article: Article, body: str) -> None:
        article.body = body
        article.modified = datetime(2026, 11, 24, 12, 0, tzinfo=UTC) + timedelta(days=30)  # after any fetch
        self.write()

    def write(self) -> None:
        for article in self.articles:
            page = self.root / article.path.strip("/") / "index.html"
            page.parent.mkdir(parents=True, exist_ok=True)
            date_meta = (
                f'<meta property="article:published_time" content="{article.published:%Y-%m-%dT%H:%M:%S+00:00}">\n'
                if self.dates
                else ""
            )
            image = f"https://cdn.small-news.com/{article.slug}.jpg" if self.images else ""
            page.write_text(
                PAGE.format(
                    title=article.title,
                    excerpt=f"{article.title}: what happened and why it matters.",
                    slug=article.slug,
                    body=article.body,
                    date_meta=date_meta,
                    image=image,
                ),
                encoding="utf-8",
            )
        items = (
            ""
            if self.feed_empty
            else "".join(
                f"<item><title>{a.title}</title><link>{{{{base}}}}{a.path}</link>"
                + (f"<pubDate>{a.published:%a, %d %b %Y %H:%M:%S +0000}</pubDate>" if self.dates else "")
                + "</item>"
                for a in self.articles
            )
        )
        feed = self.root / "feed" / "index.xml"
        feed.parent.mkdir(parents=True, exist_ok=True)
        feed.write_text(
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>Small News</title>{items}</channel></rss>',
            encoding="utf-8",
        )
        urls = (
            ""
            if self.feed_empty
            else "".join(
                f"<url><loc>{{{{base}}}}{a.path}</loc><lastmod>{a.modified:%Y-%m-%dT%H:%M:%S+00:00}</lastmod></url>"
                for a in self.articles
            )
        )
        (self.root / "sitemap.xml").write_text(
            f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>',
            encoding="utf-8",
        )

    def registry(self, path: Path) -> Path:
        name, domain = PROVIDER
        data = {
            "providers": {
                "small": {
                    "name": name,
                    "domain": domain,
                    "standing": 60,
                    "sources": [
                        {"kind": "feed", "url": f"https://{domain}/feed/"},
                        {"kind": "sitemap", "url": f"https://{domain}/sitemap.xml"},
                    ],
                    "article_urls": ["^/news/[a-z0-9-]+/$"],
                }
            }
        }
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        return path
