"""Retries that wait (crawler/middlewares/retry.py): Retry-After, exponential backoff, give-ups.

The delay function and the paths that never wait are unit-tested; the waits
themselves are measured on a real local server (``FaultySite``, a fixture
site server whose answers a test replaces per path and which records when
each request arrived) while the project's own spider crawls a ``SmallSite``
with the real settings, as ``scrapy crawl`` would (in the test process:
``tests/inprocess.py``).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from scrapy import Request, Spider
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler import settings as project_settings
from crawler.demo.server import Response, SiteServer
from crawler.middlewares.retry import BackoffRetryMiddleware, backoff_delay, parse_retry_after
from tests.crawling import CrawlResult
from tests.inprocess import crawl_in_process
from tests.small_site import SmallSite

# --- the delay ----------------------------------------------------------------------------------


def test_backoff_waits_grow_and_jitter_never_shortens_them():
    rng = random.Random(20261124)
    waits = [backoff_delay(n, 1.0, 30.0, rng) for n in range(1, 8)]
    nominal = [1, 2, 4, 8, 16, 30, 30]  # 1 × 2^(n-1), capped at 30
    for wait, low in zip(waits, nominal, strict=True):
        assert low <= wait <= 1.5 * low
    assert waits[:5] == sorted(waits[:5]) and len(set(waits[:5])) == 5  # each longer than the one before
    assert sum(waits[:5]) >= 31  # the settings' arithmetic: 1 + 2 + 4 + 8 + 16, from below
    assert backoff_delay(10_000, 1.0, 30.0, rng) <= 45  # huge retry counts stay finite and capped


def test_the_same_seed_gives_the_same_waits():
    first, second = random.Random(7), random.Random(7)
    assert [backoff_delay(n, 0.5, 8.0, first) for n in range(1, 6)] == [
        backoff_delay(n, 0.5, 8.0, second) for n in range(1, 6)
    ]


def test_retry_after_seconds_and_dates():
    reference = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    assert parse_retry_after(b"3") == 3.0
    assert parse_retry_after(" 120 ") == 120.0
    assert parse_retry_after(format_datetime(reference + timedelta(seconds=90), usegmt=True), reference) == 90.0
    assert parse_retry_after("Tue, 24 Nov 2026 11:00:00 GMT", reference) == 0.0  # already past: no wait
    for unreadable in (None, b"", b"soon", b"-5", b"1.5", b"Tue, 99 Nov 2026 25:00:00 GMT"):
        assert parse_retry_after(unreadable, reference) is None, unreadable


def test_a_shorter_retry_after_does_not_shorten_the_backoff():
    middleware = BackoffRetryMiddleware.from_crawler(get_crawler(settings_dict={"RETRY_BACKOFF_BASE": 4.0}))
    middleware.random = random.Random(1)
    assert 4.0 <= middleware.delay(1, 0.0) <= 6.0
    assert middleware.delay(1, 9.0) == 9.0


# --- answers that never wait ----------------------------------------------------------------------


def finished(coroutine):
    """Run a coroutine that must complete without awaiting anything (no timer, no reactor)."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    coroutine.close()
    raise AssertionError("it waited")


def middleware_for_a_spider(**settings) -> BackoffRetryMiddleware:
    crawler = get_crawler(settings_dict={"RETRY_TIMES": 5, "RETRY_AFTER_MAX": 120, **settings})
    crawler.spider = Spider.from_crawler(crawler, name="faults")
    crawler.stats.open_spider()
    return BackoffRetryMiddleware.from_crawler(crawler)


def answer(url: str, status: int, headers: dict[str, str] | None = None, **meta) -> tuple[Request, HtmlResponse]:
    request = Request(url, meta=meta)
    return request, HtmlResponse(url, status=status, headers=headers or {}, body=b"<p>busy</p>", request=request)


def test_a_retry_after_above_the_cap_gives_up_at_once():
    middleware = middleware_for_a_spider()
    request, response = answer("http://127.0.0.1/news/a/", 429, {"Retry-After": "3600"})
    assert finished(middleware.process_response(request, response)) is response  # on to HttpError and the errback
    stats = middleware.crawler.stats
    assert stats.get_value("retry/retry_after_too_long") == 1
    assert stats.get_value("retry/count") is None and stats.get_value("retry/backoff_seconds") is None


def test_dont_retry_other_statuses_and_spent_retries_pass_through():
    middleware = middleware_for_a_spider()
    for request, response in (
        answer("http://127.0.0.1/robots.txt", 503, dont_retry=True),  # the image pipeline's robots requests
        answer("http://127.0.0.1/news/gone/", 404),
        answer("http://127.0.0.1/news/b/", 503, max_retry_times=0),
    ):
        assert finished(middleware.process_response(request, response)) is response
    request = Request("http://127.0.0.1/news/c/", meta={"dont_retry": True})
    assert finished(middleware.process_exception(request, TimeoutError())) is None
    assert middleware.crawler.stats.get_value("retry/max_reached") == 1
    assert middleware.crawler.stats.get_value("retry/backoff_seconds") is None


def test_the_project_settings_outlast_half_a_minute():
    assert project_settings.RETRY_TIMES == 5
    nominal = sum(
        min(project_settings.RETRY_BACKOFF_BASE * 2 ** (n - 1), project_settings.RETRY_BACKOFF_MAX)
        for n in range(1, project_settings.RETRY_TIMES + 1)
    )
    assert nominal == 31.0
    assert project_settings.RETRY_AFTER_MAX == 120.0
    assert project_settings.DOWNLOADER_MIDDLEWARES["crawler.middlewares.retry.BackoffRetryMiddleware"] == 550
    assert project_settings.DOWNLOADER_MIDDLEWARES["scrapy.downloadermiddlewares.retry.RetryMiddleware"] is None


# --- real crawls ---------------------------------------------------------------------------------

BUSY_PAGE = b"<!doctype html><html><head><title>Busy</title></head><body><h1>Try later</h1></body></html>"


class HangUp(Exception):
    """Raised from ``respond``: the handler dies and the connection closes with no answer at all."""


class FaultySite(SiteServer):
    """A fixture site server whose answers ``fault(path, hit)`` may replace; it records when each request came.

    ``hit`` counts the requests for that path so far (0 for the first). ``fault`` returns a
    ``Response`` to send instead of the file, ``None`` for the file, or raises ``HangUp``.
    """

    def __init__(self, root: Path, fault: Callable[[str, int], Response | None]):
        super().__init__(root)
        self.fault = fault
        self.log: list[tuple[float, str, int]] = []  # (monotonic time of arrival, path, status)
        self._hits: dict[str, int] = {}
        self._faults_lock = threading.Lock()

    def respond(self, target: str) -> Response:
        arrived = time.monotonic()
        path = target.split("?", 1)[0]
        with self._faults_lock:
            hit = self._hits.get(path, 0)
            self._hits[path] = hit + 1
        try:
            response = self.fault(path, hit) or super().respond(target)
        except HangUp:
            self._note(arrived, path, 0)
            raise
        self._note(arrived, path, response.status)
        return response

    def _note(self, arrived: float, path: str, status: int) -> None:
        with self._faults_lock:
            self.log.append((arrived, path, status))

    def times(self, path: str) -> list[float]:
        return [when for when, p, _ in self.log if p == path]

    def statuses(self, path: str) -> list[int]:
        return [status for _, p, status in self.log if p == path]


def crawl(tmp_path: Path, site: SmallSite, server: FaultySite, *args: str, **settings: str) -> CrawlResult:
    start_urls = f"{server.base_url}/feed/,{server.base_url}/sitemap.xml"
    if not any(arg.startswith("start_urls=") for arg in args):
        args = (f"start_urls={start_urls}", *args)
    return crawl_in_process(
        "small",
        tmp_path / "work",
        *args,
        settings={
            "PROVIDER_REGISTRY": str(site.registry(tmp_path / "providers.yaml")),
            "IMAGES_STORE": "",  # the pages' images are on a host the tests cannot reach
            **settings,
        },
    )


@pytest.fixture(scope="module")
def faults(tmp_path_factory):
    """One crawl of six articles: a 429 asking for 3 s, a 429 asking for an hour, a hang-up, a 503."""
    tmp_path = tmp_path_factory.mktemp("faults")
    site = SmallSite.create(tmp_path / "site")
    paths = [article.path for article in site.articles]
    busy_3s, busy_1h, hang_up, unavailable = paths[:4]

    def fault(path: str, hit: int) -> Response | None:
        if path == busy_3s and hit == 0:
            return Response(429, BUSY_PAGE, headers={"Retry-After": "3"})
        if path == busy_1h:
            return Response(429, BUSY_PAGE, headers={"Retry-After": "3600"})
        if path == hang_up and hit == 0:
            raise HangUp
        if path == unavailable and hit == 0:
            return Response(503, BUSY_PAGE)
        return None

    with FaultySite(site.root, fault) as server:
        started = time.monotonic()
        result = crawl(tmp_path, site, server)  # the project's RETRY_BACKOFF_BASE (1 s); RETRY_TIMES=2
        elapsed = time.monotonic() - started
    assert result.returncode == 0, result.log[-3000:]
    return server, result, paths, elapsed


@pytest.mark.e2e
def test_a_429_with_retry_after_3_is_retried_no_sooner_than_3_s_later(faults):
    server, result, paths, _ = faults
    first, second = server.times(paths[0])
    assert second - first >= 3.0
    assert server.statuses(paths[0]) == [429, 200]
    assert result.stat("retry/retry_after_honoured") == 1
    assert server.base_url + paths[0] in result.by_web_url()
    # Waiting held up nothing else: other pages were fetched (and retried) meanwhile.
    assert any(first < when < second for when, path, _ in server.log if path != paths[0])


@pytest.mark.e2e
def test_a_retry_after_above_the_cap_gives_up_without_waiting_and_is_counted(faults):
    server, result, paths, elapsed = faults
    assert server.statuses(paths[1]) == [429]  # asked once, never again
    assert result.stat("retry/retry_after_too_long") == 1
    assert result.stat("articles/failed/http_429") == 1
    assert server.base_url + paths[1] not in result.by_web_url()
    assert "asks to wait 3600 s (Retry-After), more than RETRY_AFTER_MAX (120 s)" in result.log
    assert elapsed < 60


@pytest.mark.e2e
def test_connection_errors_and_503s_back_off_then_every_other_article_is_written(faults):
    server, result, paths, _ = faults
    for path in paths[2:4]:
        first, second = server.times(path)
        assert second - first >= 1.0, path  # RETRY_BACKOFF_BASE × 2^0
    assert server.statuses(paths[2]) == [0, 200] and server.statuses(paths[3]) == [503, 200]
    assert sorted(result.by_web_url()) == sorted(server.base_url + p for p in paths if p != paths[1])
    assert result.stat("retry/count") == 3
    assert result.stat("articles/failed/http_429") == 1 and len(result.documents) == 5
    assert float(result.stats["retry/backoff_seconds"]) >= 3.0 + 1.0 + 1.0
    assert "Retrying " + server.base_url + paths[0] + " in 3.00 s (HTTP 429, Retry-After 3 s; retry 1)" in result.log


@pytest.mark.e2e
def test_a_5_s_burst_of_503s_loses_no_article(tmp_path):
    """Every request is a 503 for 5 s from the first article request on; the real defaults outlast it."""
    site = SmallSite.create(tmp_path / "site")
    burst: list[float] = []

    def fault(path: str, hit: int) -> Response | None:
        now = time.monotonic()
        if not burst and path.startswith("/news/"):
            burst.append(now)
        if burst and now - burst[0] < 5.0:
            return Response(503, BUSY_PAGE)
        return None

    with FaultySite(site.root, fault) as server:
        result = crawl(tmp_path, site, server, RETRY_TIMES=str(project_settings.RETRY_TIMES))
    assert result.returncode == 0, result.log[-3000:]
    assert sorted(result.by_web_url()) == sorted(server.base_url + a.path for a in site.articles)
    for article in site.articles:
        statuses = server.statuses(article.path)
        assert statuses[0] == 503 and statuses[-1] == 200, (article.path, statuses)
    last_503 = max(when for when, _, status in server.log if status == 503)
    assert last_503 - burst[0] >= 3.0  # retries kept coming during the burst (1 s, then 2 s later)...
    first_200 = min(when for when, path, status in server.log if status == 200 and path.startswith("/news/"))
    assert first_200 - burst[0] >= 5.0  # ...and the next one, 4 s on, outlasted it
    assert not any(name.startswith("articles/failed") for name in result.stats)
    assert result.stat("retry/max_reached") == 0


@pytest.mark.e2e
def test_a_closing_spider_does_not_sit_out_a_wait(tmp_path):
    """-a limit=1 closes the spider while one page waits a minute to retry: the crawl ends at once."""
    site = SmallSite.create(tmp_path / "site", count=3)
    failing, *others = [article.path for article in site.articles]

    def fault(path: str, hit: int) -> Response | None:
        if path == failing:
            return Response(503, BUSY_PAGE)
        if path in others:
            time.sleep(0.5)  # the 503 comes back first: its wait has begun when the limit closes the spider
        return None

    with FaultySite(site.root, fault) as server:
        start_urls = ",".join(server.base_url + path for path in [failing, *others])
        started = time.monotonic()
        result = crawl(
            tmp_path,
            site,
            server,
            f"start_urls={start_urls}",
            "limit=1",
            RETRY_BACKOFF_BASE="60",
            RETRY_BACKOFF_MAX="60",
        )
        elapsed = time.monotonic() - started
    assert result.returncode == 0, result.log[-3000:]
    assert server.statuses(failing) == [503]
    waiting = result.log.index(f"Retrying {server.base_url}{failing} in ")  # 60 to 90 s
    assert waiting < result.log.index("Closing spider (limit)") < result.log.index("the spider is closing")
    assert result.stat("retry/abandoned_closing") == 1
    assert result.stats.get("finish_reason") == "limit"
    assert elapsed < 30  # the wait alone would be 60 to 90 s
