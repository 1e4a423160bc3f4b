"""Which URLs of an unknown site are probably articles.

Registry providers say exactly which URLs are articles; a site an operator names
on the command line does not, so the generic spider uses this heuristic: an
article URL has a specific path (a long slug, a numeric id or a date), and is
none of the pages every site has (tags, categories, authors, pagination,
search, legal pages, feeds, files).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_NOT_ARTICLE_SEGMENTS = re.compile(
    r"^(?:tags?|category|categories|topics?|section|sections|author|authors|page|search|about(?:-us)?|"
    r"contact(?:-us)?|privacy(?:-policy)?|terms(?:-of-(?:use|service))?|imprint|impressum|login|signup|"
    r"register|subscribe|newsletters?|feed|rss|wp-json|wp-admin|wp-content|wp-includes|cdn-cgi|account|"
    r"shop|cart|jobs|careers|events|advertise|sitemap)$",
    re.IGNORECASE,
)
_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|pdf|zip|mp[34]|xml|json|rss|css|js|txt|ico)$", re.IGNORECASE)
_DATE_PATH = re.compile(r"/(?:19|20)\d{2}/(?:0?[1-9]|1[0-2])(?:/|$)")
_NUMERIC_ID = re.compile(r"\d{5,}")
_SLUG_WORDS = re.compile(r"[a-z0-9\u00c0-\uffff]+", re.IGNORECASE)


def looks_like_article_url(url: str) -> bool:
    """Whether ``url`` is shaped like an article page (for sites outside the registry)."""
    path = urlsplit(url).path
    segments = [s for s in path.split("/") if s]
    if not segments or _FILE.search(path):
        return False
    if any(_NOT_ARTICLE_SEGMENTS.match(segment) for segment in segments):
        return False
    last = segments[-1].rsplit(".", 1)[0]  # "story.html" -> "story"
    if _DATE_PATH.search(path) and len(segments) >= 3:
        return True
    if _NUMERIC_ID.search(last):
        return True
    return len(_SLUG_WORDS.findall(last)) >= 3  # a headline-like slug: "sensetime-files-for-ipo"
