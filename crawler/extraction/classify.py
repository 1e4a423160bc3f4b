"""What kind of piece it is: ``category`` (journalism) and ``type`` (medium).

Category: the page's sections (``article:section``, JSON-LD ``articleSection``,
breadcrumbs, URL path segments, hint categories) mapped through the site's
``sections`` rules, then generic markers (JSON-LD ``OpinionNewsArticle`` …,
opinion/analysis/interview/review/sponsored/press-release words), else the
site's default. Type: ``og:type``, JSON-LD kind, URL segments; default article.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from crawler.extraction.context import Hints, SiteRules
from crawler.extraction.normalize import collapse, plain_text
from crawler.extraction.page import Page, ld_types
from crawler.record import CATEGORIES

__all__ = ["category", "media_type", "sections"]

LD_CATEGORY = {
    "OpinionNewsArticle": "opinion",
    "AnalysisNewsArticle": "analysis",
    "BackgroundNewsArticle": "analysis",
    "ReviewNewsArticle": "review",
    "Review": "review",
    "AdvertiserContentArticle": "sponsored",
}
# Generic section words → category (checked on whole words of section names and URL segments).
_GENERIC = (
    ("sponsored", re.compile(r"\b(?:sponsored|sponsor|partner[- ]?content|paid[- ]?(?:post|content)|advertorial|"
                             r"brand[- ]?(?:studio|voice|content)|anzeige|publireportage|native)\b", re.I)),
    ("press-release", re.compile(r"\b(?:press[- ]?releases?|pressemitteilung(?:en)?|communiqu[ée]s?|newswire|"
                                 r"pr[- ]?newswire)\b", re.I)),
    ("opinion", re.compile(r"\b(?:opinions?|op-?eds?|commentary|comment(?:is(?:free)?)?|columns?|columnists?|"
                           r"editorials?|meinung|kommentar(?:e)?|tribune|opini[oó]n|opinione|standpunt|"
                           r"viewpoints?|perspectives?|letters?)\b", re.I)),
    ("analysis", re.compile(r"\b(?:analysis|analyses|analyse|analysen|explainers?|deep[- ]?dive|"
                            r"hintergrund|an[aá]lisis|analisi|insights?)\b", re.I)),
    ("interview", re.compile(r"\b(?:interviews?|q-?and-?a|q&a|entretien|entrevista|intervista|gespr[aä]ch)\b", re.I)),
    ("review", re.compile(r"\b(?:reviews?|rezension(?:en)?|critique|test(?:s|bericht)?|hands[- ]on)\b", re.I)),
    ("feature", re.compile(r"\b(?:features?|longreads?|long[- ]reads?|magazine|reportage|dossier|"
                           r"in[- ]depth|special[- ]reports?)\b", re.I)),
)  # fmt: skip
_SKIP_SEGMENTS = re.compile(r"^(?:\d+|[a-z]{2}(?:-[a-z]{2})?|www|amp|index\.html?|article|story|news)$", re.I)


def _segments(url: str) -> list[str]:
    path = unquote(urlsplit(url).path)
    parts = [p for p in path.split("/") if p]
    # The last segment is usually the slug: only section-like prefixes count.
    return [p.replace("-", " ").replace("_", " ") for p in parts[:-1] if not _SKIP_SEGMENTS.match(p)]


def _ld_sections(page: Page) -> list[str]:
    found = []
    for obj in page.ld_articles[:2]:
        value = obj.get("articleSection")
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and item.strip():
                found.append(plain_text(item))
    return found


def _breadcrumbs(page: Page) -> list[str]:
    found = []
    for obj in page.json_ld:
        if "BreadcrumbList" not in ld_types(obj):
            continue
        items = obj.get("itemListElement")
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict):
                continue
            name = item.get("name")
            inner = item.get("item")
            if not name and isinstance(inner, dict):
                name = inner.get("name")
            if isinstance(name, str) and name.strip():
                found.append(plain_text(name))
        # First crumb is home, last is often the article itself.
        if len(found) > 2:
            found = found[1:-1]
        break
    return found


def sections(page: Page, hints: Hints | None = None) -> list[str]:
    """Section names of the page, strongest first: article:section, JSON-LD, breadcrumbs, hints."""
    names = [*page.meta_all("article:section"), *_ld_sections(page), *_breadcrumbs(page)]
    names.extend(page.meta_all("section"))
    names.extend(page.meta_all("parsely-section"))
    if hints:
        names.extend(collapse(c) for c in hints.categories)
    return [n for n in dict.fromkeys(names) if n]


def category(page: Page, rules: SiteRules | None = None, hints: Hints | None = None) -> str:
    """One of :data:`crawler.record.CATEGORIES`."""
    rules = rules or SiteRules()
    names = sections(page, hints)
    segments = _segments(page.url)
    mapping = dict(rules.sections)
    for name in [*names, *segments]:
        mapped = mapping.get(name.lower().strip())
        if mapped in CATEGORIES:
            return mapped
    for obj in page.ld_articles[:1]:
        for kind in ld_types(obj):
            if kind in LD_CATEGORY:
                return LD_CATEGORY[kind]
    for value in [*names, *segments, *page.meta_all("og:type")]:
        for label, pattern in _GENERIC:
            if pattern.search(value):
                return label
    return rules.default_category if rules.default_category in CATEGORIES else "news"


_URL_TYPES = (
    ("liveblog", re.compile(r"/(?:live|liveblog|live-blog|live-updates|ticker|liveticker)(?:/|-|$)", re.I)),
    ("video", re.compile(r"/(?:videos?|watch|tv)(?:/|$)", re.I)),
    ("podcast", re.compile(r"/(?:podcasts?|audio)(?:/|$)", re.I)),
    ("gallery", re.compile(r"/(?:galler(?:y|ies)|photos?|pictures|slideshows?|bildergalerie|fotos?)(?:/|$)", re.I)),
)
_LD_TYPES = {
    "LiveBlogPosting": "liveblog",
    "VideoObject": "video",
    "PodcastEpisode": "podcast",
    "AudioObject": "podcast",
    "ImageGallery": "gallery",
    "MediaGallery": "gallery",
}


def media_type(page: Page) -> str:
    """One of :data:`crawler.record.TYPES`: article, video, podcast, gallery, liveblog."""
    og_type = page.meta("og:type").lower()
    if og_type.startswith("video"):
        return "video"
    if og_type.startswith(("music", "audio")):
        return "podcast"
    if page.ld_articles:
        main = page.ld_articles[0]
        for kind in ld_types(main):
            if kind in _LD_TYPES:
                return _LD_TYPES[kind]
    path = urlsplit(page.url).path
    for label, pattern in _URL_TYPES:
        if pattern.search(path):
            return label
    return "article"
