"""Redirects that would lose a page silently fail it loudly instead.

Scrapy drops two kinds of redirect without telling the request's errback: a
redirect back to a URL of the same chain (the scheduler's duplicate filter
discards it) and a redirect to a host outside the spider's ``allowed_domains``
(OffsiteMiddleware discards it when it is scheduled). Either way an article
vanished with no per-URL line and no failure count, so the health checks
never saw it. This middleware sits before RedirectMiddleware (it sees the 3xx
response first) and turns both into :class:`RedirectRefused`, an
``IgnoreRequest`` that reaches the errback with a reason slug:
``redirect_loop`` or ``offsite_redirect``.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from w3lib.url import safe_url_string

from crawler.extraction.urls import clean_url


class RedirectRefused(IgnoreRequest):
    """A redirect that is not followed; ``reason`` is the failure slug the spider counts."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


class RedirectGuardMiddleware:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectGuardMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get(b"Location")
        if not (300 <= response.status < 400) or not location or request.meta.get("dont_redirect"):
            return response
        target = clean_url(urljoin(request.url, safe_url_string(location.decode("latin-1"))))
        chain = {clean_url(url) for url in [*request.meta.get("redirect_urls", []), request.url]}
        if target in chain:
            raise RedirectRefused("redirect_loop", f"redirects back to {target}, a URL it came through")
        allowed = getattr(self.crawler.spider, "allowed_domains", None)
        if allowed and not request.meta.get("allow_offsite") and not _on_domains(target, allowed):
            raise RedirectRefused("offsite_redirect", f"redirects to {target}, outside {', '.join(allowed)}")
        return response


def _on_domains(url: str, domains: list[str]) -> bool:
    """Whether the URL's host is one of ``domains`` or under one (OffsiteMiddleware's rule; any port)."""
    host = (urlsplit(url).hostname or "").lower()
    return any(host == domain or host.endswith(f".{domain}") for domain in (d.lower() for d in domains))
