"""Spider arguments (``-a``) and project settings (``-s``) checked before anything runs.

A crawl that starts with a bad value either fails late (after the whole crawl,
with no summary) or, worse, quietly does something else (``LOOKBACK_DAYS=abc``
used to switch incremental crawling off). So ``scrapy crawl`` and ``scrapy
crawlall`` check every value first and stop with one line,
``error: NAME=value: why``, and exit code 2 (``crawler.exitcodes.USAGE``).
An argument name that no spider reads is a warning: it may be a typo.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from crawler.record import as_utc

logger = logging.getLogger(__name__)


class OptionError(ValueError):
    """A bad argument or setting; ``str()`` is the one line to print: ``NAME=value: why``."""

    def __init__(self, name: str, value: Any, why: str):
        super().__init__(f"{name}={value}: {why}")


# --- values ------------------------------------------------------------------------------------

FLAG_WORDS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


def flag(value: Any) -> bool:
    """A yes/no value: 1/0, true/false, yes/no, on/off (any case), or a bool."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word not in FLAG_WORDS:
        raise ValueError("not a yes/no value (use 1 or 0, true or false)")
    return FLAG_WORDS[word]


def day(value: Any) -> date:
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError("not a date in the form YYYY-MM-DD") from None


def whole(minimum: int | None = None, maximum: int | None = None) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool):
            raise ValueError("not a whole number")
        try:
            number = int(str(value).strip()) if not isinstance(value, int) else value
        except ValueError:
            raise ValueError("not a whole number") from None
        _in_range(number, minimum, maximum)
        return number

    return check


def real(minimum: float | None = None, maximum: float | None = None) -> Callable[[Any], float]:
    def check(value: Any) -> float:
        if isinstance(value, bool):
            raise ValueError("not a number")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError("not a number") from None
        if number != number:  # NaN
            raise ValueError("not a number")
        _in_range(number, minimum, maximum)
        return number

    return check


def _in_range(number: float, minimum: float | None, maximum: float | None) -> None:
    if minimum is not None and number < minimum:
        raise ValueError(f"must be at least {minimum}")
    if maximum is not None and number > maximum:
        raise ValueError(f"must be at most {maximum}")


def urls(value: Any) -> list[str]:
    """A comma-separated list of absolute http(s) URLs."""
    found = [u.strip() for u in (value.split(",") if isinstance(value, str) else value or []) if u.strip()]
    if not found:
        raise ValueError("no URL given")
    for url in found:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{url!r} is not an absolute http(s) URL")
    return found


def instant(value: Any) -> Any:
    if value in (None, ""):
        return value
    try:
        return as_utc(value)
    except (TypeError, ValueError):
        raise ValueError("not an ISO 8601 instant (YYYY-MM-DDTHH:MM:SSZ)") from None


def origins(value: Any) -> list[str]:
    """A list of ``scheme://host[:port]`` origins (a list setting, or comma-separated text)."""
    from crawler.middlewares.addresses import parse_allowed_origins  # the setting's one reader

    return parse_allowed_origins(value.split(",") if isinstance(value, str) else value or [])


# --- what each name takes ----------------------------------------------------------------------

ARGUMENTS: dict[str, Callable[[Any], Any]] = {
    "since": day,
    "limit": whole(minimum=1),
    "refresh": flag,
    "check": flag,
    "demo": flag,
    "start_urls": urls,
    "url": urls,
    "feed": urls,
    "sitemap": urls,
    "site": urls,
}

# Read by the crawl commands for every spider, not by a spider's constructor (crawler.demo).
COMMAND_ARGUMENTS = frozenset({"demo"})

SETTINGS: dict[str, Callable[[Any], Any]] = {
    # crawler/settings.py: the project's own
    "DOCUMENT_BODY": flag,
    "INCREMENTAL": flag,
    "STORIES_ENABLED": flag,
    "LOOKBACK_DAYS": whole(minimum=0),
    "PUBLISH_MIN_QUALITY": whole(0, 100),
    "UNKNOWN_PROVIDER_STANDING": whole(0, 100),
    "CRAWL_REFERENCE_TIME": instant,
    "STORY_WINDOW_DAYS": real(minimum=0),
    "STORY_THRESHOLD": real(0, 1),
    "STORY_MAX_RELATED": whole(0, 3),
    "HEALTH_MAX_ERROR_RATE": real(0, 1),
    "HEALTH_MIN_FAILURES": whole(minimum=1),
    "HEALTH_MAX_COVERAGE_DROP": real(0, 1),
    "HEALTH_HISTORY": whole(minimum=1),
    "RUN_SUMMARY_KEEP": whole(minimum=1),
    "IMAGES_MAX_BYTES": whole(minimum=1),
    "IMAGES_MAX_PIXELS": whole(minimum=1),
    "IMAGES_DOWNLOAD_TIMEOUT": real(minimum=0.001),
    "IMAGES_PER_RECORD": whole(minimum=1),
    "DEMO_PORT": whole(0, 65535),
    "DISCOVERY_MAX_LISTING_PAGES": whole(minimum=1),
    "DISCOVERY_MAX_SITEMAP_DEPTH": whole(minimum=0),
    "FETCH_ALLOWED_ORIGINS": origins,
    "STORE_BATCH_SIZE": whole(minimum=1),
    "STORE_BATCH_SECONDS": real(minimum=0),
    "CLUSTER_JOIN_TIMEOUT": real(minimum=0),
    "CLUSTER_WORKER_TIMEOUT": whole(minimum=4),  # above the 2 s heartbeat
    "CLUSTER_PROVIDER_WORKERS": whole(minimum=0),
    "CRAWLALL_WORKERS": whole(minimum=1),
    "RETRY_AFTER_MAX": real(minimum=0),
    "RETRY_BACKOFF_BASE": real(minimum=0),
    "RETRY_BACKOFF_MAX": real(minimum=0),
    # Scrapy's, that a careless value turns into a late failure or a silent change
    "RETRY_TIMES": whole(minimum=0),
    "RETRY_ENABLED": flag,
    "ROBOTSTXT_OBEY": flag,
    "AUTOTHROTTLE_ENABLED": flag,
    "DOWNLOAD_DELAY": real(minimum=0),
    "DOWNLOAD_TIMEOUT": real(minimum=0.001),
    "DOWNLOAD_MAXSIZE": whole(minimum=0),
    "CONCURRENT_REQUESTS": whole(minimum=1),
    "CONCURRENT_REQUESTS_PER_DOMAIN": whole(minimum=1),
    "CLOSESPIDER_ITEMCOUNT": whole(minimum=0),
    "CLOSESPIDER_TIMEOUT": real(minimum=0),
    "REMOTE_CONTROL_ENABLED": flag,
    "TELNETCONSOLE_ENABLED": flag,
}


def check_settings(settings: Mapping[str, Any] | Any) -> None:
    """Raise OptionError for the first setting whose value its checker refuses."""
    for name, checker in SETTINGS.items():
        value = settings.get(name)
        if value is None:
            continue
        try:
            checker(value)
        except ValueError as error:
            raise OptionError(name, value, str(error)) from None


def accepted_arguments(spider_classes: Iterable[type]) -> set[str]:
    """The ``-a`` names these spiders' constructors take (through the whole class hierarchy)."""
    names: set[str] = set()
    for spider_class in spider_classes:
        for klass in inspect.getmro(spider_class):
            init = klass.__dict__.get("__init__")
            if init is None:
                continue
            for parameter in inspect.signature(init).parameters.values():
                if parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY):
                    names.add(parameter.name)
    return (names - {"self", "name", "provider", "registry"}) | COMMAND_ARGUMENTS


def check_arguments(arguments: Mapping[str, Any], spider_classes: Iterable[type]) -> None:
    """Raise OptionError for a bad ``-a`` value; warn about a name none of these spiders reads."""
    accepted = accepted_arguments(spider_classes)
    for name, value in arguments.items():
        checker = ARGUMENTS.get(name)
        if checker is not None:
            try:
                checker(value)
            except ValueError as error:
                raise OptionError(name, value, str(error)) from None
        if name not in accepted:
            logger.warning("Unknown argument -a %s=%s: no spider of this crawl reads it (a typo?)", name, value)
