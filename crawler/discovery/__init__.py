"""Discovery: what a provider's feeds, sitemaps, listing pages and robots.txt say about its articles.

Pure functions of (bytes, URL), no Scrapy: the spiders fetch, these parse.

- :func:`sniff` — what a document really is ("feed", "sitemap", "html", "json", "other").
- :func:`parse_feed` — RSS 2.0 / RSS 1.0 / Atom items as :class:`Link` with :class:`Hints`.
- :func:`parse_sitemap` — a sitemap index or urlset (gzip, news and image extensions) as :class:`Sitemap`.
- :func:`parse_listing` — the links and pagination of a listing page as :class:`Listing`.
- :func:`robots_sitemaps`, :func:`feed_links` — where a site's sitemaps and feeds are.

Every parser raises :class:`DiscoveryError` (a ``ValueError``) when the document is not what
was promised, with a message saying what it is instead.
"""

from __future__ import annotations

from crawler.discovery.api import ApiPage, PastLastPage, api_page_url, parse_api, parse_wp_posts
from crawler.discovery.base import MAX_DOCUMENT_SIZE, DiscoveryError, Link, absolute_url, parse_date
from crawler.discovery.feeds import feed_links, parse_feed
from crawler.discovery.listings import Listing, parse_listing
from crawler.discovery.sitemaps import Sitemap, parse_sitemap, robots_sitemaps
from crawler.discovery.sniff import describe, gunzip, sniff
from crawler.extraction.context import Hints

__all__ = [
    "MAX_DOCUMENT_SIZE",
    "ApiPage",
    "DiscoveryError",
    "Hints",
    "Link",
    "Listing",
    "PastLastPage",
    "Sitemap",
    "absolute_url",
    "api_page_url",
    "describe",
    "feed_links",
    "gunzip",
    "parse_api",
    "parse_date",
    "parse_feed",
    "parse_listing",
    "parse_sitemap",
    "parse_wp_posts",
    "robots_sitemaps",
    "sniff",
]
