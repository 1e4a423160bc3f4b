"""What the extractor is told besides the page: the site's rules and discovery hints.

Both are plain values so that extraction stays a pure function of
(HTML, URL, rules, hints), testable without Scrapy or the registry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class SiteRules:
    """Provider knowledge the extractor uses (built from a registry entry, or defaults).

    ``name``/``domain`` empty means "unknown site": the extractor then names the
    provider from ``og:site_name`` and the URL's registrable domain.
    """

    name: str = ""
    domain: str = ""
    timezone: str = "UTC"  # read local times without an offset in this zone
    title_suffixes: tuple[str, ...] = ()  # e.g. " - TechNode": stripped from headlines
    placeholder_images: tuple[str, ...] = ()  # substrings of image URLs that are not real lead images
    sections: tuple[tuple[str, str], ...] = ()  # (section name or URL segment, category), lower-case
    default_category: str = "news"


@dataclass(frozen=True, slots=True)
class HintImage:
    """A picture a source named: its URL and the size the source gave (0 when it gave none), together.

    A hint's image is one picture: hints from several sources never mix one's URL with another's size.
    """

    url: str
    width: int = 0
    height: int = 0


@dataclass(slots=True)
class Hints:
    """What a feed, sitemap, listing or API already said about an article.

    Hints fill gaps; the article page wins where it is explicit (see
    ``crawler.extraction`` for the precedence of each field). Plain, picklable
    data: they travel with the article's request (its ``cb_kwargs``), so a
    resumed ``JOBDIR`` crawl, or a request scheduled by another process, has them.
    """

    title: str = ""
    excerpt: str = ""
    published_at: datetime | None = None  # aware when the source gave an offset
    modified_at: datetime | None = None
    image: HintImage | None = None
    categories: list[str] = field(default_factory=list)  # section / category / tag names
    source: str = ""  # "feed", "sitemap", "listing", "api": for logs

    def merge(self, other: Hints) -> Hints:
        """A copy with ``other``'s values filling this one's gaps."""
        return Hints(
            title=self.title or other.title,
            excerpt=self.excerpt or other.excerpt,
            published_at=self.published_at or other.published_at,
            modified_at=self.modified_at or other.modified_at,
            image=self.image or other.image,  # one source's picture, URL and size together
            categories=list(dict.fromkeys([*self.categories, *other.categories])),
            source=self.source or other.source,
        )

    # What the extractor reads of the image (the picture's parts).
    @property
    def image_url(self) -> str:
        return self.image.url if self.image else ""

    @property
    def image_width(self) -> int:
        return self.image.width if self.image else 0

    @property
    def image_height(self) -> int:
        return self.image.height if self.image else 0
