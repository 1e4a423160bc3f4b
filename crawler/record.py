"""The article record: the one definition of the contract in ``shared/RECORD.md``.

Everything that touches a record (the spiders that build it, the pipelines that
normalise, validate and score it, the writer that renders it, the extract CLI)
uses these classes and constants, so the schema lives here and nowhere else.

Python attribute names are snake_case; :data:`FRONT_MATTER_KEYS` maps them to
the contract's camelCase keys in the contract's order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

CATEGORIES = (
    "news",
    "analysis",
    "opinion",
    "feature",
    "interview",
    "review",
    "press-release",
    "sponsored",
)
TYPES = ("article", "video", "podcast", "gallery", "liveblog")

# Contract key -> attribute name, in the contract's order.
FRONT_MATTER_KEYS: dict[str, str] = {
    "category": "category",
    "title": "title",
    "excerpt": "excerpt",
    "publishedDateTime": "published_at",
    "originalUrl": "original_url",
    "webUrl": "web_url",
    "ampWebUrl": "amp_web_url",
    "cdnAmpWebUrl": "cdn_amp_web_url",
    "type": "type",
    "quality": "quality",
    "heat": "heat",
    "published": "published",
    "provider": "provider",
    "topics": "topics",
    "images": "images",
    "related": "related",
    "secured": "secured",
}

MAX_TOPICS = 5
MAX_RELATED = 3
EXCERPT_MAX_CHARS = 300
# A headline longer than this is cut at a word boundary (else between characters, never inside an emoji
# sequence) and ends in "…", at most this many characters in all (``crawler.extraction.title.cap_headline``).
# Real headlines stay far below it; longer ones are template or injection debris (a 108,000-character <h1>).
TITLE_MAX_CHARS = 300


@dataclass(slots=True)
class Image:
    """A picture of the article. ``width``/``height`` are 0 when unknown."""

    url: str
    width: int = 0
    height: int = 0
    is_cached: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "width": self.width, "height": self.height, "isCached": self.is_cached}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Image:
        return cls(
            url=data["url"],
            width=int(data.get("width") or 0),
            height=int(data.get("height") or 0),
            is_cached=bool(data.get("isCached", False)),
        )


@dataclass(slots=True)
class Provider:
    """Who published the article: registry name and registrable domain."""

    name: str
    domain: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "domain": self.domain}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Provider:
        return cls(name=str(data["name"]), domain=str(data["domain"]))


@dataclass(slots=True)
class RelatedArticle:
    """An article from another provider about the same story (a ``related`` entry)."""

    title: str
    excerpt: str
    published_at: datetime
    web_url: str
    provider: Provider
    type: str = "article"
    quality: int = 0
    images: list[Image] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "title": self.title,
            "excerpt": self.excerpt,
            "publishedDateTime": self.published_at,
            "webUrl": self.web_url,
            "type": self.type,
            "provider": self.provider.to_dict(),
            "quality": self.quality,
        }
        if self.images:  # the contract: a related entry carries images only when it has one
            data["images"] = [image.to_dict() for image in self.images]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RelatedArticle:
        return cls(
            title=data["title"],
            excerpt=data.get("excerpt") or "",
            published_at=as_utc(data["publishedDateTime"]),
            web_url=data["webUrl"],
            provider=Provider.from_dict(data["provider"]),
            type=data.get("type") or "article",
            quality=int(data.get("quality") or 0),
            images=[Image.from_dict(i) for i in data.get("images") or []],
        )


@dataclass(slots=True)
class Record:
    """One article. Front-matter fields first, then provenance the pipelines use.

    ``published_at`` is an aware UTC datetime (``None`` only before validation).
    ``published`` is the publishing gate's verdict, not the publication instant.
    """

    title: str
    web_url: str
    provider: Provider
    excerpt: str = ""
    published_at: datetime | None = None
    original_url: str = ""
    amp_web_url: str = ""
    cdn_amp_web_url: str = ""
    category: str = "news"
    type: str = "article"
    quality: int = 0
    heat: int = 0
    published: bool = False
    topics: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    related: list[RelatedArticle] = field(default_factory=list)
    secured: str = ""
    body: str = ""
    # Provenance and working data: never written to the front matter.
    text: str = ""  # the article's body text, for scoring, relating and the optional body
    fetched_at: datetime | None = None
    content_sha256: str = ""
    modified_at: datetime | None = None
    duplicate_of: str = ""  # webUrl of an earlier record with the same content
    unchanged: bool = False  # set by the writer when the document's bytes did not change
    # What the extractor had to work around on this page, as stable slugs (``jsonld_too_deep``,
    # ``jsonld_too_large``, ``title_truncated``; see :data:`EXTRACTION_NOTES`): the spider counts each one
    # as ``articles/notes/<slug>``. Not front matter: never rendered, stored or compared.
    extraction_notes: list[str] = field(default_factory=list, compare=False)
    # Every URL the article was reached under (as a source linked it, through redirects): the store
    # maps each to the webUrl, so that the incremental check knows the article by any of them.
    linked_urls: list[str] = field(default_factory=list, compare=False)
    # The record as the store held it before this fetch (read once, by the de-duplication step).
    stored: Record | None = field(default=None, repr=False, compare=False)

    def front_matter(self) -> dict[str, Any]:
        """The contract's keys and values, in order (datetimes stay datetimes)."""
        values: dict[str, Any] = {}
        for key, attribute in FRONT_MATTER_KEYS.items():
            value = getattr(self, attribute)
            if key == "provider":
                value = value.to_dict()
            elif key == "images":
                value = [image.to_dict() for image in value]
            elif key == "related":
                value = [entry.to_dict() for entry in value]
            elif key == "topics":
                value = list(value)
            values[key] = value
        return values

    def as_json(self) -> dict[str, Any]:
        """The front matter as JSON-ready data: the contract's keys in order, instants in the contract's form."""
        return _jsonable(self.front_matter())

    @classmethod
    def from_front_matter(cls, data: dict[str, Any], body: str = "") -> Record:
        """Rebuild a record from a parsed front-matter mapping (the inverse of :meth:`front_matter`).

        A key that is missing or null takes the field's default; ``title``, ``webUrl`` and
        ``provider`` are required (KeyError).
        """
        values = {
            attribute: _FROM_FRONT_MATTER.get(key, str)(data[key])
            for key, attribute in FRONT_MATTER_KEYS.items()
            if data.get(key) is not None
        }
        for key in ("title", "webUrl", "provider"):
            if key not in data:
                raise KeyError(key)
        return cls(**values, body=body)


# How each front-matter value becomes a field's value (the others are text).
_FROM_FRONT_MATTER: dict[str, Any] = {
    "publishedDateTime": lambda value: as_utc(value),
    "quality": int,
    "heat": int,
    "published": bool,
    "provider": lambda value: Provider.from_dict(value),
    "topics": lambda value: [str(topic) for topic in value],
    "images": lambda value: [Image.from_dict(image) for image in value],
    "related": lambda value: [RelatedArticle.from_dict(entry) for entry in value],
}


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_instant(value)
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    return value


def as_utc(value: datetime | str) -> datetime:
    """An aware UTC datetime from a datetime or an ISO-8601 string (naive means UTC)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def format_instant(value: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ``: the contract's form of an instant."""
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")


# The slugs :attr:`Record.extraction_notes` may hold.
EXTRACTION_NOTES = (
    "jsonld_too_large",  # a JSON-LD block over crawler.extraction.page.JSON_LD_MAX_CHARS was skipped
    "jsonld_too_deep",  # a JSON-LD block nested deeper than crawler.extraction.page.JSON_LD_MAX_DEPTH was skipped
    "title_truncated",  # the headline was cut to TITLE_MAX_CHARS
)

REQUIRED_FIELDS = ("title", "web_url", "published_at")  # and a named provider, checked below


def problems(record: Record) -> list[str]:
    """Why ``record`` breaks the contract: a list of short reasons, empty when it is valid.

    Each reason is a stable slug (``missing_title``, ``bad_category`` …) so that
    the validation pipeline can count drops by reason.
    """
    found: list[str] = []
    for name in REQUIRED_FIELDS:
        if not getattr(record, name):
            found.append(f"missing_{name}")
    if not (record.provider.name and record.provider.domain):
        found.append("missing_provider")
    if record.published_at is not None and record.published_at.tzinfo is None:
        found.append("naive_published_at")
    if record.web_url and not record.web_url.startswith(("http://", "https://")):
        found.append("bad_web_url")
    if record.category not in CATEGORIES:
        found.append("bad_category")
    if record.type not in TYPES:
        found.append("bad_type")
    if not 0 <= record.quality <= 100 or not 0 <= record.heat <= 100:
        found.append("bad_score")
    if len(record.topics) > MAX_TOPICS:
        found.append("too_many_topics")
    if len(record.related) > MAX_RELATED:
        found.append("too_many_related")
    if any(not image.url.startswith(("http://", "https://")) for image in record.images):
        found.append("bad_image_url")
    return found
