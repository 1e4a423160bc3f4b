"""The headline as the page displays it.

Candidates: JSON-LD ``headline``, ``og:title``, ``twitter:title``, microdata
``headline``, the article's ``<h1>`` and ``<title>``. Site-name suffixes and
prefixes (" - Site", "Site | ", "-정치ㅣ한국일보") are stripped when the part names
the site (``og:site_name``, JSON-LD publisher, configured suffixes, the domain).

The visible heading decides when metadata confirms it: an ``<h1>`` in the
article, else an ``<h2>`` that repeats a metadata title when the page's h1 is a
breadcrumb item or missing. Hidden text, ruby annotations and a kicker (roof
line) are not part of the headline unless the JSON-LD headline and og:title
both include that kicker. Soft hyphens go, like the other invisible
characters (:func:`.normalize.strip_invisible`): a hyphenation hint is no part
of the words, and would break matching, search and story relating.

This module gathers the metadata candidates and chooses; the visible headings are read by
:mod:`.headings`, the strings handled by :mod:`.titletext`.
"""

from __future__ import annotations

from typing import Any

from crawler.extraction.context import Hints, SiteRules
from crawler.extraction.headings import displayed_text, shows_kicker, visible_headings
from crawler.extraction.normalize import collapse, fold, plain_text
from crawler.extraction.page import ARTICLE_TYPES, Page, ld_types
from crawler.extraction.titletext import (
    cap_headline,
    cross_strip,
    plausible_headline,
    repair_quote_cut,
    strip_site_name,
)
from crawler.extraction.urls import registrable_domain

__all__ = ["cap_headline", "headline", "site_names", "strip_site_name"]


def _ld_name(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name")
    return plain_text(value) if isinstance(value, str) else ""


def site_names(page: Page, rules: SiteRules | None = None) -> list[str]:
    """Names the site goes by: configured, ``og:site_name``, JSON-LD publisher/WebSite, the domain's label."""
    names: list[str] = []
    if rules and rules.name:
        names.append(rules.name)
    names.extend(page.meta_all("og:site_name"))
    names.extend(page.meta_all("application-name"))
    names.extend(page.meta_all("apple-mobile-web-app-title"))
    for obj in page.json_ld:
        types = ld_types(obj)
        if "WebSite" in types or "Organization" in types or "NewsMediaOrganization" in types:
            names.append(_ld_name(obj.get("name")))
        # (The type first: an article's type is in ARTICLE_TYPES, and comparing dicts costs.)
        elif not ARTICLE_TYPES.keys().isdisjoint(types) and obj in page.ld_articles:
            names.append(_ld_name(obj.get("publisher")))
    host = page.url.split("/")[2] if page.url.count("/") >= 2 else ""
    domain = registrable_domain(host) if host else ""
    if domain:
        names.append(domain)
        names.append(domain.split(".")[0])
        if host.startswith("www."):
            names.append(host[4:])
    return [n for n in dict.fromkeys(n.strip() for n in names) if n]


def _plain(value: str | None) -> str:
    """A metadata value as plain text."""
    return plain_text(value)


def _meta_candidates(page: Page) -> list[str]:
    found = []
    for obj in page.ld_articles:
        for key in ("headline", "name", "alternativeHeadline"):
            value = obj.get(key)
            if isinstance(value, str) and value.strip():
                found.append(_plain(value))
                break
    for keys in (("og:title",), ("twitter:title",)):
        found.append(next((c for k in keys for c in map(_plain, page.metas.get(k, ())) if c), ""))
    # Microdata headline; an <h1> marked itemprop=headline is the heading itself, not a confirmation of it.
    for element in page.itemprops.get("headline", ())[:2]:
        if element.get("content") is not None:
            found.append(_plain(element.get("content")))
        elif next(element.iter("h1"), None) is None and not any(a.tag == "h1" for a in element.iterancestors()):
            found.append(collapse(displayed_text(element)))
    for key in ("title", "dc.title", "sailthru.title", "parsely-title"):
        value = next((c for c in map(_plain, page.metas.get(key, ())) if c), "")
        if value:
            found.append(value)
            break
    return [c for c in found if c]


def _metadata_with_kicker(page: Page, names: list[str], suffixes: tuple[str, ...]) -> dict[str, str]:
    """The og:title (by its comparison key) when the JSON-LD headline says the same: the publisher's two
    main statements of the headline agree, so a kicker they both include is part of it."""
    og = next((c for c in map(_plain, page.metas.get("og:title", ())) if c), "")
    ld = next((v for o in page.ld_articles if isinstance(v := o.get("headline"), str) and v.strip()), "")
    if not og or not ld:
        return {}
    og = strip_site_name(og, names, suffixes)
    key = fold(og)
    return {key: og} if key and key == fold(strip_site_name(_plain(ld), names, suffixes)) else {}


def headline(page: Page, rules: SiteRules | None = None, hints: Hints | None = None) -> str:
    """The displayed headline ('' when the page has none)."""
    names = site_names(page, rules)
    # A candidate that is nothing but the site's name (an empty headline in "<title>{headline} - {site}"
    # leaves " - Site", a WebPage named "Site - Home") is no headline: no candidate, the title stays empty.
    site_keys = {fold(n) for n in names} - {""}
    suffixes = rules.title_suffixes if rules else ()
    raw_metas = [*_meta_candidates(page), _plain(page.title_tag)]
    confirming = {fold(strip_site_name(c, names, suffixes)) for c in raw_metas if c}
    headings = visible_headings(page, names, confirming)  # may add the blog's name to ``names``
    metas = [strip_site_name(c, names, suffixes) if c else "" for c in raw_metas]
    metas = [m if fold(m) not in site_keys else "" for m in metas]
    title_tag = metas.pop()
    metas = [m for m in metas if m]
    metas = [repair_quote_cut(m, [*metas, title_tag]) for m in metas]
    visible = [v for h in headings[:5] for v in h.variants]
    everything = [(c, fold(c)) for c in dict.fromkeys([*metas, title_tag, *visible]) if c]
    metas = [cross_strip(m, everything) for m in metas]
    folded_metas = {fold(m) for m in [*metas, title_tag] if m}
    # 1. A visible heading that metadata confirms is the displayed headline: without its kicker when the
    #    markup marks one (even if the metadata repeats it), a weaker variant when metadata confirms it.
    kicker_kept = _metadata_with_kicker(page, names, suffixes)
    for heading in headings:
        if heading.headline != heading.text and fold(heading.text) in kicker_kept:
            return kicker_kept[fold(heading.text)]
        if fold(heading.headline) in folded_metas or fold(heading.text) in folded_metas:
            return heading.headline
        for variant in heading.weak:
            if fold(variant) in folded_metas:
                return variant
    # 2. A heading that a metadata title extends (kicker or section tail in the metadata): the heading.
    #    A heading that ends with a metadata title (an unmarked kicker before it): that title.
    candidates = [(c, fold(c)) for c in [*metas, title_tag] if c]
    for heading in headings:
        if not heading.is_h1:
            continue  # an h2 that is part of a title is as often a section heading of the body
        key = fold(heading.headline)
        if len(key) < 12:
            continue
        for agreed_key, agreed in kicker_kept.items():
            # The JSON-LD headline and og:title agree on "Kicker: Headline", and the page shows that
            # kicker just above the heading: the kicker is part of the headline (as inside the heading).
            if (
                agreed_key.endswith(key)
                and agreed_key != key
                and shows_kicker(heading.element, agreed_key[: -len(key)])
            ):
                return agreed
        if any(key in m for _, m in candidates):
            return heading.headline
        inside = [c for c, m in candidates if len(m) >= 20 and key.endswith(m)]
        if inside:
            return max(inside, key=len)
    # 3. No agreement: the page's displayed headline still beats SEO and social variants of it
    #    (an h2 is only taken when some metadata confirms it: many pages use h2 for other things).
    for heading in [h for h in headings if h.is_h1][:1]:
        if plausible_headline(heading.headline) or not (metas or title_tag):
            return heading.headline
    hinted = _plain(hints.title) if hints and fold(hints.title) not in site_keys else ""  # cleaned like the rest
    return next((c for c in [*metas, title_tag, hinted] if c), "")
