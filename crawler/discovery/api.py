"""JSON APIs: WordPress REST posts and any other paged JSON API read through a registry mapping.

- :func:`parse_wp_posts` reads ``/wp-json/wp/v2/posts?_embed`` (the WordPress REST API handbook's
  post schema: ``link``, ``date_gmt``, ``title.rendered``, ``excerpt.rendered``, and with ``_embed``
  the featured media and the terms).
- :func:`parse_api` reads any other JSON API through JMESPath expressions (the registry's
  ``mapping`` of an ``api`` source): ``items`` selects the posts, the other fields are read from
  each post, ``total_pages`` from the whole document.
- :func:`api_page_url` is the URL of page N of either.

Both parsers return an :class:`ApiPage`. Past the last page WordPress answers HTTP 400 with
``{"code": "rest_post_invalid_page_number", ...}``: that is :class:`PastLastPage`, the normal end
of a walk through the pages; any other error object, and anything that is not JSON, is a
:class:`DiscoveryError` saying what came back instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import quote, unquote_plus, urlsplit, urlunsplit

import jmespath
from jmespath.exceptions import JMESPathError
from jmespath.parser import ParsedResult

from crawler.discovery.base import (
    MAX_DOCUMENT_SIZE,
    DiscoveryError,
    Link,
    absolute_url,
    parse_date,
    snippet_text,
    to_int,
)
from crawler.discovery.sniff import GZIP_MAGIC, describe, gunzip, sniff
from crawler.extraction.context import HintImage, Hints
from crawler.extraction.page import JSON_LD_MAX_DEPTH, json_depth

__all__ = ["ApiPage", "PastLastPage", "api_page_url", "parse_api", "parse_wp_posts"]

# WordPress names the error per route: rest_post_invalid_page_number (posts), rest_comment_…,
# rest_revision_…; every one of them means "there is no such page".
_PAST_LAST_PAGE_CODE = re.compile(r"^rest_(?:\w+_)?invalid_page_number$")
# PHP notices that a misconfigured WordPress prints before the JSON ("<br />\n<b>Deprecated</b>: …").
_PHP_NOTICES = re.compile(
    rb"^\s*(?:<br\s*/?>\s*<b>(?:Warning|Notice|Deprecated|Strict Standards|Fatal error)</b>:.*?<br\s*/?>\s*)+",
    re.S | re.I,
)
_EPOCH = re.compile(r"^\d{9,13}(?:\.\d+)?$")
_EPOCH_MILLISECONDS = 10**11  # larger "epoch seconds" would be after the year 5000: they are milliseconds


@dataclass(slots=True)
class ApiPage:
    """One page of an API's posts as links with hints, and how many pages there are (when it says)."""

    links: list[Link] = field(default_factory=list)
    total_pages: int | None = None


class PastLastPage(DiscoveryError):
    """The API says the requested page is beyond its last one (WordPress: HTTP 400 ``…invalid_page_number``)."""


# --- WordPress REST API ----------------------------------------------------------------------------


def parse_wp_posts(body: bytes, url: str, *, total_pages: str | None = None) -> ApiPage:
    """The posts of a WordPress REST ``/wp/v2/posts`` page (``_embed`` for images and terms).

    ``total_pages`` is the response's ``X-WP-TotalPages`` header. ``date_gmt`` carries no offset
    and is UTC; a post without it falls back to ``date``, which is in the site's time zone and so
    stays naive (the extractor reads naive hints in the provider's zone). Raises
    :class:`PastLastPage` for the "invalid page number" error, :class:`DiscoveryError` for any other
    error object or a body that is not a JSON list of posts.
    """
    document = _load_json(body, "a JSON list of WordPress posts")
    if isinstance(document, dict) and _is_error(document):
        _raise_error(document)
    if not isinstance(document, list):
        raise DiscoveryError(f"expected a JSON list of WordPress posts, got {_what(document)}")
    links = [_wp_link(post, url) for post in document if isinstance(post, dict)]
    return ApiPage([link for link in links if link is not None], _page_count(total_pages))


def _wp_link(post: dict[str, Any], api_url: str) -> Link | None:
    url = absolute_url(_text(post.get("link")), api_url)
    if not url:
        return None
    image_url, width, height = _wp_featured_image(post, api_url)
    hints = Hints(
        title=snippet_text(_text(post.get("title")), debris=False),
        excerpt=snippet_text(_text(post.get("excerpt"))),
        published_at=_wp_date(post, "date_gmt", "date"),
        modified_at=_wp_date(post, "modified_gmt", "modified"),
        image=HintImage(image_url, width, height) if image_url else None,
        categories=_wp_terms(post),
        source="api",
    )
    return Link(url, hints)


def _wp_date(post: dict[str, Any], gmt_key: str, local_key: str) -> datetime | None:
    gmt = parse_date(_text(post.get(gmt_key)))
    if gmt is not None:
        return _as_utc(gmt)
    return parse_date(_text(post.get(local_key)))  # local time: naive unless it says otherwise


def _wp_featured_image(post: dict[str, Any], base: str) -> tuple[str, int, int]:
    media = _first(_embedded(post, "wp:featuredmedia"))
    # An unreadable attachment is embedded as an error object ({"code": "rest_forbidden", ...}).
    if not isinstance(media, dict) or "code" in media:
        return "", 0, 0
    details = media.get("media_details") if isinstance(media.get("media_details"), dict) else {}
    sizes = details.get("sizes") if isinstance(details.get("sizes"), dict) else {}
    full = sizes.get("full") if isinstance(sizes.get("full"), dict) else {}
    url = absolute_url(_text(media.get("source_url")) or _text(full.get("source_url")), base)
    if not url:
        return "", 0, 0
    width, height = _pixels(details.get("width")), _pixels(details.get("height"))
    if not (width and height):
        width, height = _pixels(full.get("width")), _pixels(full.get("height"))
    return url, width, height


def _wp_terms(post: dict[str, Any]) -> list[str]:
    """Names of the embedded terms: one list per taxonomy (categories, then tags), in order."""
    names = []
    for taxonomy in _embedded(post, "wp:term"):
        for term in taxonomy if isinstance(taxonomy, list) else []:
            if isinstance(term, dict):
                names.append(snippet_text(_text(term.get("name")), debris=False))
    return list(dict.fromkeys(name for name in names if name))


def _embedded(post: dict[str, Any], relation: str) -> list[Any]:
    embedded = post.get("_embedded")
    value = embedded.get(relation) if isinstance(embedded, dict) else None
    return value if isinstance(value, list) else []


# --- any JSON API, through a mapping -----------------------------------------------------------------


def parse_api(body: bytes, url: str, mapping: Mapping[str, str]) -> ApiPage:
    """The posts of one page of a JSON API, read through ``mapping`` (field → JMESPath expression).

    ``mapping["items"]`` selects the list of posts from the document; ``url``, ``title``,
    ``excerpt``, ``published_at``, ``modified_at``, ``image_url``, ``image_width``,
    ``image_height`` and ``categories`` (a list of names, of ``{"name": …}`` objects, or one
    string) are read from each post; ``total_pages`` from the document. Any field but ``items``
    and ``url`` may be missing. Dates are ISO 8601 (without an offset they are UTC, as API
    ``*_gmt``/``*_utc`` fields are) or epoch seconds (numbers beyond 10^11 are milliseconds).
    Relative URLs are resolved against ``url``; a post without a URL is skipped.
    """
    if "items" not in mapping:
        raise ValueError("an API mapping needs 'items' (the JMESPath expression selecting the posts)")
    document = _load_json(body, "a JSON API page")
    items = _search(mapping, "items", document)
    if items is None and isinstance(document, dict) and _is_error(document):
        _raise_error(document)
    if not isinstance(items, list):
        raise DiscoveryError(
            f"expected a list of posts at {mapping['items']!r}, got {_what(items)} in {_what(document)}"
        )
    total = _page_count(_search(mapping, "total_pages", document)) if "total_pages" in mapping else None
    links = [_mapped_link(post, mapping, url) for post in items if isinstance(post, dict)]
    return ApiPage([link for link in links if link is not None], total)


def _mapped_link(post: dict[str, Any], mapping: Mapping[str, str], api_url: str) -> Link | None:
    def value(name: str) -> Any:
        return _search(mapping, name, post) if name in mapping else None

    url = absolute_url(_text(value("url")), api_url)
    if not url:
        return None
    image_url = absolute_url(_text(value("image_url")), api_url)
    hints = Hints(
        title=snippet_text(_text(value("title")), debris=False),
        excerpt=snippet_text(_text(value("excerpt"))),
        published_at=_api_date(value("published_at")),
        modified_at=_api_date(value("modified_at")),
        image=HintImage(image_url, _pixels(value("image_width")), _pixels(value("image_height")))
        if image_url
        else None,
        categories=_names(value("categories")),
        source="api",
    )
    return Link(url, hints)


@lru_cache(maxsize=512)
def _compiled(expression: str) -> ParsedResult:
    return jmespath.compile(expression)


def _search(mapping: Mapping[str, str], name: str, data: Any) -> Any:
    expression = mapping[name]
    try:
        return _compiled(expression).search(data)
    except JMESPathError as error:
        raise ValueError(f"mapping {name}: {expression!r} is not a usable JMESPath expression: {error}") from None


def _api_date(value: Any) -> datetime | None:
    """An aware UTC instant from ISO 8601 (no offset = UTC) or epoch seconds/milliseconds."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str) and _EPOCH.match(value.strip()):
        value = float(value.strip())
    if isinstance(value, int | float):
        seconds = value / 1000 if abs(value) >= _EPOCH_MILLISECONDS else value
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    parsed = parse_date(_text(value))
    return _as_utc(parsed) if parsed is not None else None


def _names(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("name")
        if isinstance(item, str):
            names.append(snippet_text(item, debris=False))
    return list(dict.fromkeys(name for name in names if name))


# --- page URLs -------------------------------------------------------------------------------------------


def api_page_url(
    url: str, page: int, *, page_param: str = "page", since: date | None = None, wordpress: bool = False
) -> str:
    """``url`` with ``page_param=page`` set (replacing a value it has, other parameters kept in order).

    For WordPress, ``since`` also sets ``after=<since>T00:00:00`` (posts published after that
    moment, in the site's time zone). Parameters without a value (``?_embed``) are kept as they are.
    """
    if page < 1:
        raise ValueError(f"page numbers start at 1, not {page}")
    parts = urlsplit(url)
    query = _with_param([p for p in parts.query.split("&") if p], page_param, str(page))
    if wordpress and since is not None:
        query = _with_param(query, "after", f"{since.isoformat()}T00:00:00")
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "&".join(query), parts.fragment))


def _with_param(pairs: list[str], name: str, value: str) -> list[str]:
    """Raw ``name=value`` pairs with ``name`` set once, where it first was (else at the end)."""
    new = f"{quote(name, safe='')}={quote(value, safe=':')}"
    out: list[str] = []
    placed = False
    for pair in pairs:
        if unquote_plus(pair.split("=", 1)[0]) == name:
            if not placed:
                out.append(new)
                placed = True
            continue
        out.append(pair)
    if not placed:
        out.append(new)
    return out


# --- shared ----------------------------------------------------------------------------------------------


def _load_json(body: bytes, expected: str) -> Any:
    if body.startswith(GZIP_MAGIC):
        body = gunzip(body, MAX_DOCUMENT_SIZE)
    body = _PHP_NOTICES.sub(b"", body, count=1)
    if sniff(body) != "json":
        raise DiscoveryError(f"expected {expected}, got {describe(body)}")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DiscoveryError(f"expected {expected}, got JSON that is not UTF-8 ({error.reason})") from None
    if json_depth(text) > JSON_LD_MAX_DEPTH:  # json.loads would recurse into a RecursionError
        raise DiscoveryError(f"expected {expected}, got JSON nested over {JSON_LD_MAX_DEPTH} levels deep")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        # A download cut short fails at its very end, or inside a string that never closes.
        truncated = error.pos >= len(text.rstrip()) - 1 or error.msg.startswith("Unterminated string")
        raise DiscoveryError(
            f"expected {expected}, got {'truncated' if truncated else 'broken'} JSON: {error.msg}"
            f" at line {error.lineno} column {error.colno} of {len(body)} bytes"
        ) from None


def _is_error(document: dict[str, Any]) -> bool:
    """A WordPress-style error object: ``{"code": "...", "message": "...", "data": {"status": 400}}``."""
    return isinstance(document.get("code"), str) and "message" in document


def _raise_error(document: dict[str, Any]) -> None:
    code = document["code"]
    message = snippet_text(_text(document.get("message")), debris=False)
    data = document.get("data")
    status = data.get("status") if isinstance(data, dict) else None
    detail = f"{code}: {message}" + (f" (HTTP {status})" if status else "")
    if _PAST_LAST_PAGE_CODE.match(code):
        raise PastLastPage(f"past the last page: {detail}")
    raise DiscoveryError(f"the API answered an error: {detail}")


def _what(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        keys = ", ".join(list(value)[:8])
        return f"a JSON object with keys {keys}" if keys else "an empty JSON object"
    if isinstance(value, list):
        return f"a JSON list of {len(value)} items"
    return f"a JSON {type(value).__name__} ({str(value)[:40]!r})"


def _text(value: Any) -> str:
    """A string field; WordPress wraps rendered text as ``{"rendered": "..."}``."""
    if isinstance(value, dict):
        value = value.get("rendered")
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _first(items: list[Any]) -> Any:
    return items[0] if items else None


def _pixels(value: Any) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int | float):
        return int(value) if value > 0 else 0
    return to_int(value) if isinstance(value, str) else 0


def _page_count(value: Any) -> int | None:
    if isinstance(value, str):
        value = value.strip()
        value = int(value) if value.isdigit() else None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
