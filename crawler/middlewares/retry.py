"""Retries that wait: the server's ``Retry-After`` when it sends one, else exponential backoff with jitter.

Scrapy's :class:`~scrapy.downloadermiddlewares.retry.RetryMiddleware` sends a
retry as soon as the failure is seen: a 429 asking for ten seconds was retried
7 ms later, and a burst of 503s used up every attempt in 80 ms. This subclass
keeps Scrapy's retry decision and bookkeeping (``RETRY_HTTP_CODES``,
``RETRY_EXCEPTIONS``, ``RETRY_TIMES``, ``max_retry_times`` and ``dont_retry``
in meta, the ``retry/*`` stats: all through :func:`get_retry_request`) and only
adds a wait before the retry request is handed back:

- ``Retry-After`` (delay-seconds or an HTTP-date) is honoured: the retry is
  sent no sooner than it asks. Above ``RETRY_AFTER_MAX`` the request is given
  up at once, with one log line: the response goes on to the spider, whose
  errback counts it as failed (``articles/failed/http_429``).
- Otherwise, retry number *n* waits ``RETRY_BACKOFF_BASE × 2^(n-1)`` seconds,
  capped at ``RETRY_BACKOFF_MAX``, plus a jitter of 0 to 50 % (never less than
  that nominal wait, so the total is predictable from below). A
  ``Retry-After`` shorter than this backoff does not shorten it.

The wait is an ``await`` on a timer (the downloader middleware methods are
coroutines): the reactor and the other downloads go on meanwhile. A wait is
cut short when the spider starts closing (``-a limit=``, a shutdown signal):
the failure then goes on to the spider as if retries were exhausted, so a
closing crawl does not sit out a two-minute ``Retry-After``.

Stats: ``retry/backoff_seconds`` (sum of the waits), ``retry/retry_after_honoured``,
``retry/retry_after_too_long`` (given up), ``retry/abandoned_closing``.
"""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from time import monotonic
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.asyncio import sleep
from scrapy.utils.python import global_object_name
from scrapy.utils.response import response_status_message

from crawler.clock import utc_now

if TYPE_CHECKING:
    import scrapy
    from scrapy.http import Request, Response
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

JITTER = 0.5  # a wait is its nominal value times a uniform factor in [1, 1 + JITTER]
_POLL = 0.5  # seconds: how often a wait looks whether the spider is closing
_MAX_EXPONENT = 62  # 2^62 s is already past any cap; keeps huge max_retry_times finite


def backoff_delay(retry: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """The wait before retry number ``retry`` (1 for the first): uniform in [d, 1.5·d].

    d, the nominal wait, is ``base × 2^(retry-1)`` capped at ``cap``; the jitter only lengthens it.
    """
    nominal = min(base * 2.0 ** min(max(retry - 1, 0), _MAX_EXPONENT), cap)
    return (rng or random).uniform(nominal, nominal * (1 + JITTER))


def parse_retry_after(value: bytes | str | None, reference: datetime | None = None) -> float | None:
    """The seconds a ``Retry-After`` value asks to wait; ``None`` when it is absent or unreadable.

    Delay-seconds (``"120"``) or an HTTP-date (``"Wed, 21 Oct 2026 07:28:00 GMT"``), the latter
    counted from ``reference`` (the response's ``Date``, else now). A date in the past is 0.
    """
    if value is None:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # an HTTP-date is always GMT
        when = when.replace(tzinfo=UTC)
    return max((when - (reference or utc_now())).total_seconds(), 0.0)


def _response_date(response: Response) -> datetime | None:
    value = response.headers.get("Date")
    if not value:
        return None
    try:
        date = parsedate_to_datetime(value.decode("latin-1"))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return date if date.tzinfo else date.replace(tzinfo=UTC)


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware, with a non-blocking wait before each retry (see the module docstring)."""

    def __init__(self, settings: BaseSettings):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 30.0)
        self.retry_after_max = settings.getfloat("RETRY_AFTER_MAX", 120.0)
        self.random = random.Random()

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: scrapy.Spider | None = None
    ) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry_after = parse_retry_after(response.headers.get("Retry-After"), _response_date(response))
        if retry_after is not None and retry_after > self.retry_after_max:
            self.crawler.stats.inc_value("retry/retry_after_too_long")
            logger.warning(
                "Not retrying %s: HTTP %d asks to wait %.0f s (Retry-After), more than RETRY_AFTER_MAX (%.0f s)",
                request.url,
                response.status,
                retry_after,
                self.retry_after_max,
            )
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        waited = await self._wait(retry, f"HTTP {response.status}", retry_after)
        return retry if waited else response

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception, spider: scrapy.Spider | None = None
    ) -> Request | Response | None:
        if request.meta.get("dont_retry", False) or not isinstance(exception, self.exceptions_to_retry):
            return None
        retry = self._retry(request, exception)
        if retry is None:
            return None
        waited = await self._wait(retry, global_object_name(type(exception)), None)
        return retry if waited else None

    def delay(self, retry: int, retry_after: float | None) -> float:
        """The wait before retry number ``retry``: the backoff, or a longer ``Retry-After``."""
        backoff = backoff_delay(retry, self.backoff_base, self.backoff_max, self.random)
        return backoff if retry_after is None else max(retry_after, backoff)

    async def _wait(self, retry: Request, why: str, retry_after: float | None) -> bool:
        """Wait before ``retry`` is sent; False when the spider began closing meanwhile (no retry then)."""
        number = retry.meta["retry_times"]
        seconds = self.delay(number, retry_after)
        stats = self.crawler.stats
        stats.set_value("retry/backoff_seconds", round(stats.get_value("retry/backoff_seconds", 0.0) + seconds, 3))
        if retry_after is not None:
            stats.inc_value("retry/retry_after_honoured")
        source = f"Retry-After {retry_after:g} s" if retry_after is not None and retry_after >= seconds else "backoff"
        logger.info("Retrying %s in %.2f s (%s, %s; retry %d)", retry.url, seconds, why, source, number)
        deadline = monotonic() + seconds
        while not self._closing():
            left = deadline - monotonic()
            if left <= 0:
                return True
            await sleep(min(left, _POLL))  # asyncio.sleep or Twisted's deferLater: the reactor runs on
        stats.inc_value("retry/abandoned_closing")
        logger.info("Not retrying %s (%s): the spider is closing", retry.url, why)
        return False

    def _closing(self) -> bool:
        """Whether the crawl is stopping: the engine stopped, or closing the spider (it then waits for us)."""
        try:
            engine = self.crawler.engine
        except RuntimeError:  # Scrapy's "not set yet": no crawl to send a retry into
            return True
        if engine is None or not engine.running:
            return True
        slot = getattr(engine, "_slot", None)  # Scrapy has no public "closing" flag; _Slot.closing is set
        return slot is None or getattr(slot, "closing", None) is not None  # by close_spider_async
