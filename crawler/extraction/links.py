"""The article's own URLs: canonical ``webUrl``, ``ampWebUrl`` and its AMP Cache form."""

from __future__ import annotations

from urllib.parse import urlsplit

from crawler.extraction.page import Page
from crawler.extraction.urls import amp_cache_url, clean_url, registrable_domain

__all__ = ["amp_url", "canonical_url", "cdn_amp_url"]


def _same_site(url: str, page_url: str) -> bool:
    return bool(url) and registrable_domain(url) == registrable_domain(page_url)


def canonical_url(page: Page) -> str:
    """``rel=canonical`` / ``og:url`` when on the page's own site, else the page URL; cleaned, https preferred."""
    page_url = clean_url(page.url)
    canonical = clean_url(page.link("canonical"), page.base_url) if page.link("canonical") else ""
    og_url = clean_url(page.meta("og:url"), page.base_url) if page.meta("og:url") else ""
    canonical = canonical if canonical.startswith("http") and _same_site(canonical, page_url) else ""
    og_url = og_url if og_url.startswith("http") and _same_site(og_url, page_url) else ""
    chosen = canonical or og_url or page_url
    if chosen.startswith("http://"):
        # The same page offered over https (og:url or the fetched URL) is the better address.
        rest = chosen[len("http://") :]
        for other in (og_url, page_url, canonical):
            if other.startswith("https://") and other[len("https://") :] == rest:
                return other
    return chosen


def amp_url(page: Page, web_url: str) -> str:
    """``<link rel=amphtml>``; the page's own URL when the page is AMP; else ``web_url``."""
    href = page.link("amphtml")
    if href:
        url = clean_url(href, page.base_url)
        if url.startswith("http") and urlsplit(url).hostname:
            return url
    if page.is_amp:
        return clean_url(page.url)
    return web_url


def cdn_amp_url(amp_web_url: str) -> str:
    """The Google AMP Cache URL of ``amp_web_url`` ('' when there is none)."""
    return amp_cache_url(amp_web_url) if amp_web_url.startswith("http") else ""
