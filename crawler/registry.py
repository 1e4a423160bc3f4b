"""The provider registry: what each news site is, loaded from ``providers.yaml``.

One entry per provider (its key is the spider's name). A newcomer adds a site by
adding an entry; the engine never names a provider. Loading validates every
entry and fails at start-up with a message naming the entry and the problem.
"""

from __future__ import annotations

import os
import re
from functools import cached_property, lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jmespath
import yaml
from jmespath.exceptions import JMESPathError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from crawler.extraction.context import SiteRules
from crawler.record import CATEGORIES

# The bundled registry, through importlib.resources: a Path when the package is installed as files,
# a file inside the archive when it runs from a zipped egg (Scrapyd).
DEFAULT_REGISTRY: Traversable = files("crawler") / "providers.yaml"

# Where articles are listed. A registry entry names one of the first five; a crawl may also start
# at an ``article`` page, at a ``site``'s home page (``scrapy crawl news -a site=``), or at a URL of no
# kind (None), recognised by its content.
REGISTRY_KINDS = ("feed", "sitemap", "listing", "wp-api", "api")
SourceKind = Literal["feed", "sitemap", "listing", "wp-api", "api", "article", "site"]


class RegistryError(ValueError):
    """The registry file cannot be used; the message names the entry and the problem."""


# What an ``api`` source's field mapping may name: JMESPath expressions that
# pick each value out of the API's JSON (``items`` selects the list of posts,
# the others are read from each post).
API_FIELDS = frozenset(
    {
        "items",
        "url",
        "title",
        "excerpt",
        "published_at",
        "modified_at",
        "image_url",
        "image_width",
        "image_height",
        "categories",
        "total_pages",
    }
)


class Source(BaseModel):
    """One place where a provider lists its articles.

    Kinds: ``feed`` (RSS/Atom), ``sitemap`` (index, plain or news), ``listing``
    (HTML with pagination), ``wp-api`` (WordPress REST ``/wp-json/wp/v2/posts``)
    and ``api`` (any other paged JSON API, read through ``mapping``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str
    kind: SourceKind | None = None  # None: recognise it by its content
    max_pages: int = Field(default=5, ge=1, le=1000)  # listing / API pagination bound
    page_param: str = "page"  # api: the query parameter that selects a page
    mapping: dict[str, str] = Field(default_factory=dict)  # api: field -> JMESPath expression

    @field_validator("url")
    @classmethod
    def _absolute(cls, url: str) -> str:
        if not re.match(r"^https?://[^/\s]+", url):
            raise ValueError(f"source url {url!r} is not an absolute http(s) URL")
        return url

    @model_validator(mode="after")
    def _api_mapping(self) -> Source:
        if self.kind != "api":
            if self.mapping:
                raise ValueError(f"a {self.kind} source takes no mapping")
            return self
        missing = {"items", "url"} - set(self.mapping)
        if missing:
            raise ValueError(f"an api source needs a mapping for {', '.join(sorted(missing))}")
        unknown = set(self.mapping) - API_FIELDS
        if unknown:
            raise ValueError(
                f"unknown mapping fields {', '.join(sorted(unknown))}; known: {', '.join(sorted(API_FIELDS))}"
            )
        for name, expression in self.mapping.items():
            try:
                jmespath.compile(expression)
            except JMESPathError as error:
                raise ValueError(f"mapping {name}: {expression!r} is not a JMESPath expression: {error}") from None
        return self


class ProviderConfig(BaseModel):
    """A registry entry. Field names are the YAML keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str
    name: str
    domain: str  # registrable domain, e.g. businessinsider.com
    domains: tuple[str, ...] = ()  # further registrable domains the provider publishes on
    timezone: str = "UTC"
    language: str = "en"
    enabled: bool = True
    standing: int = Field(default=50, ge=0, le=100)  # the provider's weight in the quality score
    sources: tuple[Source, ...] = Field(min_length=1)
    article_urls: tuple[str, ...] = Field(min_length=1)  # regexes on the URL path (+query)
    exclude_urls: tuple[str, ...] = ()
    title_suffixes: tuple[str, ...] = ()
    placeholder_images: tuple[str, ...] = ()
    sections: dict[str, str] = Field(default_factory=dict)  # section name or URL segment -> category
    default_category: str = "news"
    # One article of the site, at its real URL: what `scrapy check <key>` extracts (crawler/contracts.py).
    sample_article: str = ""

    @field_validator("key")
    @classmethod
    def _spider_name(cls, key: str) -> str:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", key):
            raise ValueError("the key must be a lower-case identifier (it is the spider's name)")
        return key

    @field_validator("domain", "domains")
    @classmethod
    def _domains(cls, value: str | tuple[str, ...]) -> str | tuple[str, ...]:
        for domain in (value,) if isinstance(value, str) else value:
            if not re.fullmatch(r"(?:[a-z0-9-]+\.)+[a-z]{2,}", domain):
                raise ValueError(f"{domain!r} is not a lower-case domain name")
        return value

    @field_validator("sources")
    @classmethod
    def _listing_kinds(cls, sources: tuple[Source, ...]) -> tuple[Source, ...]:
        for source in sources:
            if source.kind not in REGISTRY_KINDS:
                raise ValueError(f"source {source.url}: kind must be one of {', '.join(REGISTRY_KINDS)}")
        return sources

    @field_validator("timezone")
    @classmethod
    def _zone(cls, zone: str) -> str:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{zone!r} is not a known IANA time zone") from None
        return zone

    @field_validator("article_urls", "exclude_urls")
    @classmethod
    def _regexes(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(f"URL pattern {pattern!r} is not a valid regex: {error}") from None
        return patterns

    @model_validator(mode="after")
    def _categories(self) -> ProviderConfig:
        for section, category in [*self.sections.items(), ("default_category", self.default_category)]:
            if category not in CATEGORIES:
                raise ValueError(f"section {section!r} maps to {category!r}, not one of {', '.join(CATEGORIES)}")
        return self

    @model_validator(mode="after")
    def _sample(self) -> ProviderConfig:
        if not self.sample_article:
            return self
        parts = urlsplit(self.sample_article)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or not host:
            raise ValueError(f"sample_article {self.sample_article!r} is not an absolute http(s) URL")
        if not any(host == d or host.endswith("." + d) for d in self.all_domains):
            raise ValueError(f"sample_article {self.sample_article!r} is not on {', '.join(self.all_domains)}")
        if not self.is_article_path((parts.path or "/") + (f"?{parts.query}" if parts.query else "")):
            raise ValueError(f"sample_article {self.sample_article!r} does not match the entry's article_urls")
        return self

    @cached_property
    def _article_res(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p) for p in self.article_urls)

    @cached_property
    def _exclude_res(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p) for p in self.exclude_urls)

    @property
    def all_domains(self) -> tuple[str, ...]:
        return (self.domain, *self.domains)

    def is_article_path(self, path_and_query: str) -> bool:
        """Whether a URL path (with its query, if any) is one of this provider's articles."""
        if any(r.search(path_and_query) for r in self._exclude_res):
            return False
        return any(r.search(path_and_query) for r in self._article_res)

    def site_rules(self) -> SiteRules:
        """The part of this entry the extractor needs."""
        return SiteRules(
            name=self.name,
            domain=self.domain,
            timezone=self.timezone,
            title_suffixes=self.title_suffixes,
            placeholder_images=self.placeholder_images,
            sections=tuple((k.lower(), v) for k, v in self.sections.items()),
            default_category=self.default_category,
        )


class Registry:
    """All providers, by key, in file order."""

    def __init__(self, providers: list[ProviderConfig]):
        self._providers = {p.key: p for p in providers}

    def __iter__(self):
        return iter(self._providers.values())

    def __len__(self) -> int:
        return len(self._providers)

    def __contains__(self, key: object) -> bool:
        return key in self._providers

    def get(self, key: str) -> ProviderConfig:
        try:
            return self._providers[key]
        except KeyError:
            raise KeyError(f"no provider {key!r} in the registry (known: {', '.join(self._providers)})") from None

    def for_domain(self, domain: str) -> ProviderConfig | None:
        """The provider publishing on a registrable domain, if any."""
        for provider in self._providers.values():
            if domain in provider.all_domains:
                return provider
        return None


def load_registry(path: str | Path | Traversable = DEFAULT_REGISTRY) -> Registry:
    """Read and validate a registry file; raise :class:`RegistryError` naming the bad entry.

    Read once per process: the spider loader, every spider, the scoring step and the
    commands all ask for it, and get the same (immutable) registry until the file changes.
    ``str(DEFAULT_REGISTRY)`` (the ``PROVIDER_REGISTRY`` default) names the bundled registry,
    also when that is no file on disk but a member of a zipped egg.
    """
    if isinstance(path, str | os.PathLike) and os.fspath(path) == str(DEFAULT_REGISTRY):
        path = DEFAULT_REGISTRY
    if not isinstance(path, str | os.PathLike):  # inside an archive: nothing to stat, and it cannot change
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, KeyError) as error:
            raise RegistryError(f"{path}: cannot read the provider registry: {error}") from None
        return _parse_registry(text, str(path))
    path = Path(path)
    try:
        stat = path.stat()
    except OSError as error:
        raise RegistryError(f"{path}: cannot read the provider registry: {error}") from None
    return _read_registry(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _read_registry(location: str, mtime_ns: int, size: int) -> Registry:
    """The registry at ``location`` as of that modification time and size (the cache's key)."""
    try:
        text = Path(location).read_text(encoding="utf-8")
    except OSError as error:
        raise RegistryError(f"{location}: cannot read the provider registry: {error}") from None
    return _parse_registry(text, location)


@lru_cache(maxsize=8)
def _parse_registry(text: str, path: str) -> Registry:
    """The registry in ``text``, read from ``path`` (named in the errors)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise RegistryError(f"{path}: cannot read the provider registry: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("providers"), dict):
        raise RegistryError(f"{path}: expected a mapping 'providers:' of entries keyed by spider name")
    providers = []
    for key, entry in data["providers"].items():
        if not isinstance(entry, dict):
            raise RegistryError(f"{path}: entry {key!r}: expected a mapping of settings")
        try:
            providers.append(ProviderConfig(key=key, **entry))
        except ValidationError as error:
            details = "; ".join(
                f"{'.'.join(str(part) for part in e['loc']) or 'entry'}: {e['msg']}" for e in error.errors()
            )
            raise RegistryError(f"{path}: entry {key!r}: {details}") from None
        except TypeError as error:
            raise RegistryError(f"{path}: entry {key!r}: {error}") from None
    return Registry(providers)
