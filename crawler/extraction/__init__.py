"""Article extraction: pure functions of (HTML, URL, site rules, hints) → :class:`~crawler.record.Record`.

The page is parsed once (:mod:`.page`); each field has its own module with a
cascade from cheap, reliable sources to expensive heuristics:

- :mod:`.layout` which block is the story, a sidebar, another story's teaser, the
  navigation, a picture: one vocabulary, computed once per page, read by every field,
- :mod:`.title` headline (:mod:`.headings` the visible headings, :mod:`.titletext`
  headline strings), :mod:`.dates` publication/modification instants
  (:mod:`.datesources` where the page states them, :mod:`.datetext` parsing),
  :mod:`.images` lead image, :mod:`.excerpt` summary, :mod:`.text` body text,
- :mod:`.links` canonical/AMP URLs (string helpers in :mod:`.urls`),
- :mod:`.classify` category and type, :mod:`.topics` topic labels.

Precedence of hints (what a feed/sitemap/listing said): the page wins where it
is explicit; hints fill gaps (no date on the page, no image, no summary, no
headline) and make a day-only page date precise.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from urllib.parse import urldefrag

from crawler.extraction.classify import category, media_type, sections
from crawler.extraction.context import Hints, SiteRules
from crawler.extraction.dates import modified_at, published_at
from crawler.extraction.excerpt import excerpt
from crawler.extraction.images import article_images
from crawler.extraction.links import amp_url, canonical_url, cdn_amp_url
from crawler.extraction.page import NotHtmlError, Page, parse_page
from crawler.extraction.text import body_text, normalised_for_hash
from crawler.extraction.title import cap_headline, headline
from crawler.extraction.topics import topics
from crawler.extraction.urls import registrable_domain
from crawler.record import Provider, Record

__all__ = ["ExtractionError", "Hints", "SiteRules", "extract_article", "parse_page"]


class ExtractionError(Exception):
    """A page that cannot be handled (empty, not HTML, no title at all ...); the message says why."""


def _provider(page: Page, rules: SiteRules) -> Provider:
    domain = rules.domain or registrable_domain(page.url)
    name = rules.name or page.meta("og:site_name") or domain
    return Provider(name=name, domain=domain)


def extract_article(
    html: bytes | str,
    url: str,
    rules: SiteRules | None = None,
    hints: Hints | None = None,
    *,
    encoding: str | None = None,
    now: datetime | None = None,
) -> Record:
    """Extract an article record from a page.

    ``html`` may be bytes (decoded from BOM, ``encoding`` — the HTTP charset —,
    ``<meta charset>``, else detected) or text. Fills the extraction fields of
    :class:`~crawler.record.Record`; quality, heat, published, secured and
    related are left to the pipelines. Raises :class:`ExtractionError` when the
    page is empty, not HTML, or has no title at all (a site name alone is no
    title). A headline over :data:`~crawler.record.TITLE_MAX_CHARS` is cut;
    ``extraction_notes`` says what was worked around (``title_truncated``,
    ``jsonld_too_deep``, ``jsonld_too_large``).

    ``now`` is the crawl's reference time (aware; naive is read as UTC): a publication or modification
    date more than two days after it is implausible and passed over. Extraction never reads the clock:
    without ``now`` no date is too late (only dates before 1990 are rejected).
    """
    rules = rules or SiteRules()
    if not url or not url.strip():
        raise ExtractionError("no page URL given")
    try:
        page = parse_page(html, url, encoding=encoding)
    except NotHtmlError as error:
        raise ExtractionError(str(error)) from None

    title = headline(page, rules, hints)
    if not title:
        raise ExtractionError("no title: the page has no headline, og:title or <title>")
    notes = list(page.notes)  # what was worked around, for the crawl stats (Record.extraction_notes)
    title, truncated = cap_headline(title)
    if truncated:
        notes.append("title_truncated")
    body = body_text(page)
    summary = excerpt(page, title, body, hints)
    page_sections = sections(page, hints)
    web_url = canonical_url(page)
    amp_web_url = amp_url(page, web_url)
    digest_source = normalised_for_hash(body) or normalised_for_hash(f"{title}\n{summary}")
    return Record(
        title=title,
        excerpt=summary,
        published_at=published_at(page, rules, hints, now=now),
        modified_at=modified_at(page, rules, hints, now=now),
        original_url=urldefrag(url.strip())[0],
        web_url=web_url,
        amp_web_url=amp_web_url,
        cdn_amp_web_url=cdn_amp_url(amp_web_url),
        category=category(page, rules, hints),
        type=media_type(page),
        provider=_provider(page, rules),
        topics=topics(page, title, summary, page_sections),
        images=article_images(page, rules, hints),
        text=body,
        content_sha256=hashlib.sha256(digest_source.encode("utf-8")).hexdigest(),
        extraction_notes=notes,
    )
