"""A provider-shaped site of several hundred REAL article pages: for tests and benchmarks of whole crawls.

The pages are the third-party pages of the shared development sets
(``../shared/datasets/{fundus-dev,trafilatura-meta}``: 978 pages, each with its original
URL and ground truth in ``cases.jsonl``). :class:`RealSite` writes the first ``count``
of them (a stable order: fundus-dev, then trafilatura-meta, each in ``cases.jsonl``
order) into a directory that :class:`crawler.demo.server.SiteServer` serves, as one
provider's site:

- each page's bytes exactly as they were saved (decompressed, never edited) in
  ``bodies/<n>.raw``, served at the page's own path (see "Where a page lives");
- an RSS feed at ``/feed/`` listing the newest ``feed_size`` pages (by their ground-truth
  publication date, which is the item's ``pubDate``);
- a sitemap at ``/sitemap.xml`` listing every page, with a ``lastmod`` each;
- ``_routes.yaml``, which maps each page's path to its body, served as ``text/html`` with
  no charset (the original servers' headers were not saved: the page's own ``<meta
  charset>`` decides, as in ``../shared/tools/eval_extraction.py``, which gives the
  extractor no HTTP encoding either; a forced ``charset=utf-8`` would garble the pages in
  other encodings);
- :meth:`RealSite.registry` writes a ``providers.yaml`` with one provider, ``realsite``,
  whose sources are that feed and that sitemap.

Feed and sitemap say ``{{base}}`` for the server's base URL, so the directory does not
depend on the port. Crawl it with ``-a start_urls=<base>/feed/,<base>/sitemap.xml``
(:meth:`RealSite.start_urls`): the start URLs' host is what makes 127.0.0.1 the
provider's own. (The registry's own source URLs are on ``real-site.test``, a reserved
name that never resolves: without ``start_urls`` a crawl finds nothing.)

Where a page lives (why the pages keep their original paths)
------------------------------------------------------------
The crawler's ``webUrl`` is the page's ``rel=canonical`` / ``og:url`` only when that is on
the page's own registrable domain (``crawler.extraction.links.canonical_url``). These
pages' absolute canonicals name their real hosts, so on 127.0.0.1 they are ignored: the
``webUrl`` is the local URL, and nothing in a page sends the crawler to its real host
(canonical and AMP URLs are recorded, never fetched; lead images are the only page URLs
a crawl fetches, and a crawl of this site turns the image store off: ``IMAGES_STORE=``).
But a relative canonical or ``og:url`` (about 20 of the pages) resolves against the
page's address, and the extractor reads dates and sections out of the URL path. So each
page is served as a mirror would serve it: at its original URL's path (and query), host
dropped; there its relative canonicals resolve to what they meant, and its URL dates read
as on its site (extraction gives the same publication instants as from the original
URLs). Served at ``/articles/<n>/`` instead (``layout="articles"``), 7 of the 978 pages
get another publication instant, 5 of them none (dropped: ``missing_published_at``).

A page whose original path cannot be mirrored keeps the ``/articles/<n>/`` address (33 of
978, :attr:`RealPage.mirrored`): a home page (``/`` or no path), a path an earlier page
already has (the server ignores the query when it looks up a path), a URL that is not
http(s), a path or query with whitespace or non-ASCII characters, an encoded ``/``,
``.``/``..`` segments or an empty one (``//``: the web.archive.org pages), and the site's
own paths (``/feed/``, ``/sitemap.xml``, ``/robots.txt``, ``/bodies/…``, ``/articles/<n>/``).

What a crawl makes of them (``tests/test_real_site.py``): the first 300 pages give 267
documents and 33 drops, all 978 give 888 documents and 90 drops, every drop
``missing_published_at``: pages where the extractor finds no date (66 of those 90 have none
in the ground truth either: product, about and index pages); the one such page that the
feed lists gets its date from the item's ``pubDate``.

Between runs, :meth:`RealSite.change` changes K pages as a site would: a ``lastmod`` newer
than any fetch, and a correction sentence added to the article's text (its JSON-LD
``articleBody`` or one of its paragraphs: the first place whose edit changes the text the
extractor reads; the only edit ever made to a page, and only by ``change``). A second crawl
with the same record store then fetches those K pages again, and the pages it dropped
before (a dropped page has no record, so nothing says it was fetched), and no other. The
store knows articles by their local URL, port included: runs that share a store must use
the same server (or port). The site's paths are fixed when it is created: ``SiteServer``
reads ``_routes.yaml`` once, so serve the site after :meth:`RealSite.create` (``change``
only rewrites bodies, feed and sitemap).

Use::

    site = RealSite.create(tmp_path / "site", count=300)   # feed_size=50, layout="mirror"
    with SiteServer(site.root) as server:
        registry = site.registry(tmp_path / "providers.yaml")
        # scrapy crawlall -s PROVIDER_REGISTRY=<registry> -a start_urls=<site.start_urls(server.base_url)>
        #   -s IMAGES_STORE= -s LOOKBACK_DAYS=0 …
        site.article_requests(server.requests)   # page number -> times requested
        site.change(5)                            # 5 pages, spread over the site: newer lastmod, edited text
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.sax.saxutils import escape

import yaml

REPO = Path(__file__).resolve().parent.parent
DATASETS = REPO.parent / "shared" / "datasets"
SETS = ("fundus-dev", "trafilatura-meta")

PROVIDER_KEY = "realsite"
PROVIDER_NAME = "Real Site"
PROVIDER_DOMAIN = "real-site.test"  # RFC 2606: reserved, never resolves
FEED_PATH = "/feed/"
SITEMAP_PATH = "/sitemap.xml"
BODIES = "bodies"  # where the page bytes are kept (served through _routes.yaml)
CONTENT_TYPE = "text/html"  # no charset: the page's own declaration decides

# A page without a ground-truth date gets this lastmod (any instant before the first crawl would do).
UNDATED_LASTMOD = datetime(2020, 1, 1, tzinfo=UTC)
# The earliest "fetch" a crawl records: tests freeze their clock here (tests.crawling.REFERENCE_TIME).
# A changed page's lastmod is after both this and the wall clock, so it is newer than any fetch so far.
FROZEN_FETCH_TIME = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)

_RESERVED_PATHS = frozenset({FEED_PATH, SITEMAP_PATH, "/robots.txt", "/favicon.ico"})
_FALLBACK_PATH = re.compile(r"^/articles/\d+/$")
_MIRRORABLE = re.compile(r"^[!$&'()*+,\-./0-9:;=@A-Z_a-z~%]+$")  # printable ASCII, no space, '?', '#' or quotes
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_PARAGRAPH = re.compile(rb"<p(?:\s[^>]*)?>((?:(?!<p[\s>]).)*?)</p\s*>", re.S | re.I)
_ARTICLE_BODY = re.compile(rb'"articleBody"\s*:\s*"')
_MAX_PARAGRAPHS_TRIED = 20


@dataclass(frozen=True, slots=True)
class RealPage:
    """One page of the site: where it comes from, where it is served, and its ground truth."""

    number: int  # its position in the stable order (0-based)
    dataset: str  # "fundus-dev" or "trafilatura-meta"
    case_id: str  # the id in the set's cases.jsonl
    source: Path  # the saved page (.html.gz)
    original_url: str  # where it was published
    path: str  # the path it is served at, as the server looks it up (percent-decoded, no query)
    target: str  # path and query as linked from the feed and sitemap (percent-encoded as in the original)
    mirrored: bool  # served at its original path (else at /articles/<n>/)
    title: str  # ground truth ("" when none)
    published: datetime | None  # ground truth, aware (a day or a time without offset read as UTC)
    precision: str | None  # "datetime", "naive", "date" or None

    def url(self, base_url: str) -> str:
        return base_url + self.target

    def body(self) -> bytes:
        """The page's bytes as saved."""
        return gzip.decompress(self.source.read_bytes())


def load_cases(datasets: Path = DATASETS) -> list[dict]:
    """Every case of the sets, in the stable order (fundus-dev, then trafilatura-meta; file order)."""
    cases = []
    for name in SETS:
        for line in (datasets / name / "cases.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                cases.append({**json.loads(line), "dataset": name})
    return cases


def available(datasets: Path = DATASETS) -> int:
    """How many pages the sets hold (0 when they are not there)."""
    try:
        return len(load_cases(datasets))
    except OSError:
        return 0


def _instant(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:  # annotation noise: two trafilatura-meta truths say 2022-29-11 (day and month swapped)
        return None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _mirror_target(url: str) -> str | None:
    """The original URL's path and query when a mirror can serve it there unchanged, else None."""
    parts = urlsplit(url.strip())  # some cases.jsonl URLs end in a space: not part of the address
    if parts.scheme not in ("http", "https") or parts.path in ("", "/"):
        return None
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    if not _MIRRORABLE.match(parts.path) or (parts.query and not _MIRRORABLE.match(parts.query)):
        return None
    if re.search("%2f", parts.path, re.I):
        return None  # an encoded slash: the server's decoded path would be another path
    segments = parts.path.split("/")[1:]
    if any(s in (".", "..") for s in segments) or "" in segments[:-1]:
        return None  # dot segments and empty segments ("//") are rewritten by URL resolution
    return target


def _paths(cases: list[dict], layout: str) -> list[tuple[str, str, bool]]:
    """(decoded path, target, mirrored) per case, in order."""
    taken: set[str] = set()
    result = []
    for number, case in enumerate(cases):
        target = _mirror_target(case["url"]) if layout == "mirror" else None
        path = unquote(urlsplit(target).path) if target else ""
        mirrored = bool(target) and not (
            path in taken or path in _RESERVED_PATHS or path.startswith(f"/{BODIES}/") or _FALLBACK_PATH.match(path)
        )
        if not mirrored:
            target = path = f"/articles/{number}/"
        taken.add(path)
        result.append((path, target, mirrored))
    return result


def _xml_text(text: str) -> str:
    return escape(_XML_INVALID.sub("", text))


def _edits(body: bytes, note: bytes) -> Iterator[bytes]:
    """The page with ``note`` added at each place an article's text can come from, likeliest first.

    The JSON-LD ``articleBody`` (the note goes after its opening quote: still valid JSON), then
    the paragraphs, longest first (the note goes before ``</p>``), then before ``</body>``. Only
    ASCII bytes are added, between tags or inside a JSON string, so a page in any
    ASCII-compatible encoding stays valid.
    """
    for match in _ARTICLE_BODY.finditer(body):
        yield body[: match.end()] + note + b" " + body[match.end() :]
    paragraphs = sorted(_PARAGRAPH.finditer(body), key=lambda m: len(m.group(1)), reverse=True)
    for match in paragraphs[:_MAX_PARAGRAPHS_TRIED]:
        yield body[: match.end(1)] + b" " + note + body[match.end(1) :]
    closing = body.lower().rfind(b"</body")
    at = closing if closing >= 0 else len(body)
    yield body[:at] + b"<p>" + note + b"</p>" + body[at:]


def correct(body: bytes, note: bytes, url: str) -> bytes:
    """The page with a correction ``note`` added to its article text: the first edit (see :func:`_edits`)
    that changes the text the crawler's extractor reads for the page at ``url`` (its ``content_sha256``);
    the last one tried when none does (a page the extractor cannot read)."""
    from crawler.extraction import ExtractionError, extract_article
    from crawler.extraction.context import SiteRules

    rules = SiteRules(name=PROVIDER_NAME, domain=PROVIDER_DOMAIN)
    try:
        before = extract_article(body, url, rules).content_sha256
    except ExtractionError:
        before = None
    edited = body
    for edited in _edits(body, note):
        if before is None:
            break
        try:
            if extract_article(edited, url, rules).content_sha256 != before:
                break
        except ExtractionError:
            continue
    return edited


@dataclass
class RealSite:
    """The first ``count`` real pages as one provider's site, written into ``root``.

    ``RealSite.create(root, count=300)`` writes it; serve ``root`` with ``SiteServer``;
    :meth:`registry` writes the provider registry; :meth:`change` changes pages between runs.
    """

    root: Path
    count: int | None = None  # None: every page of the sets
    feed_size: int = 50
    layout: str = "mirror"  # "mirror": original paths where possible; "articles": every page at /articles/<n>/
    datasets: Path = DATASETS
    pages: list[RealPage] = field(default_factory=list)
    lastmod: dict[int, datetime] = field(default_factory=dict)  # page number -> its sitemap lastmod
    edits: dict[int, int] = field(default_factory=dict)  # page number -> how many times change() edited it

    @classmethod
    def create(
        cls,
        root: Path,
        count: int | None = None,
        *,
        feed_size: int = 50,
        layout: str = "mirror",
        datasets: Path = DATASETS,
    ) -> RealSite:
        site = cls(Path(root), count, feed_size, layout, Path(datasets))
        site.load()
        site.write()
        return site

    def load(self) -> None:
        """Choose the pages (the first ``count``), their paths and their lastmod."""
        if self.layout not in ("mirror", "articles"):
            raise ValueError(f"layout must be 'mirror' or 'articles', not {self.layout!r}")
        cases = load_cases(self.datasets)
        if self.count is not None:
            if not 0 < self.count <= len(cases):
                raise ValueError(f"count must be between 1 and {len(cases)} (the pages of {self.datasets})")
            cases = cases[: self.count]
        self.pages = []
        for number, (case, (path, target, mirrored)) in enumerate(zip(cases, _paths(cases, self.layout), strict=True)):
            truth = case.get("truth") or {}
            self.pages.append(
                RealPage(
                    number=number,
                    dataset=case["dataset"],
                    case_id=case["id"],
                    source=self.datasets / case["dataset"] / case["html"],
                    original_url=case["url"],
                    path=path,
                    target=target,
                    mirrored=mirrored,
                    title=truth.get("title") or "",
                    published=_instant(truth.get("published")),
                    precision=truth.get("published_precision"),
                )
            )
        # Never after a crawl's frozen fetch time, so that an unchanged page is never fetched again.
        self.lastmod = {
            page.number: min(page.published or UNDATED_LASTMOD, FROZEN_FETCH_TIME - timedelta(days=1))
            for page in self.pages
        }

    # --- writing --------------------------------------------------------------------------------

    def write(self) -> None:
        """Write (or rewrite) bodies, routes, feed and sitemap."""
        bodies = self.root / BODIES
        bodies.mkdir(parents=True, exist_ok=True)
        routes = {}
        for page in self.pages:
            data = page.body()
            if b"{{base}}" in data:  # the server would rewrite it (it does so in .html files only, but say so)
                raise ValueError(f"{page.source}: contains the server's {{{{base}}}} placeholder")
            for edit in range(1, self.edits.get(page.number, 0) + 1):
                data = correct(data, self.note(page, edit), f"http://127.0.0.1{page.target}")
            body = bodies / f"{page.number}.raw"
            if not body.exists() or body.read_bytes() != data:
                body.write_bytes(data)
            routes[page.path] = {"file": f"{BODIES}/{page.number}.raw", "content_type": CONTENT_TYPE}
        (self.root / "_routes.yaml").write_text(yaml.safe_dump(routes, allow_unicode=True), encoding="utf-8")
        self._write_feed()
        self._write_sitemap()

    @staticmethod
    def note(page: RealPage, edit: int) -> bytes:
        return f"Correction {edit} (page {page.number}): an earlier version of this article misstated a detail.".encode(
            "ascii"
        )

    def feed_pages(self) -> list[RealPage]:
        """The pages the feed lists: the newest ``feed_size`` by ground-truth date, newest first."""
        dated = [page for page in self.pages if page.published is not None]
        dated.sort(key=lambda page: (page.published, -page.number), reverse=True)
        return dated[: self.feed_size]

    def _write_feed(self) -> None:
        items = []
        for page in self.feed_pages():
            assert page.published is not None
            items.append(
                f"<item><title>{_xml_text(page.title)}</title><link>{{{{base}}}}{_xml_text(page.target)}</link>"
                f'<guid isPermaLink="true">{{{{base}}}}{_xml_text(page.target)}</guid>'
                f"<pubDate>{format_datetime(page.published)}</pubDate></item>"
            )
        feed = self.root / "feed" / "index.xml"
        feed.parent.mkdir(parents=True, exist_ok=True)
        feed.write_text(
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{PROVIDER_NAME}</title><link>{{{{base}}}}/</link>"
            f"<description>The newest {len(items)} of {len(self.pages)} real pages</description>"
            + "".join(items)
            + "</channel></rss>\n",
            encoding="utf-8",
        )

    def _write_sitemap(self) -> None:
        urls = "".join(
            f"<url><loc>{{{{base}}}}{_xml_text(page.target)}</loc>"
            f"<lastmod>{self.lastmod[page.number]:%Y-%m-%dT%H:%M:%S+00:00}</lastmod></url>\n"
            for page in self.pages
        )
        (self.root / "sitemap.xml").write_text(
            '<?xml version="1.0" encoding="utf-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}</urlset>\n',
            encoding="utf-8",
        )

    # --- changing between runs ------------------------------------------------------------------

    def change(self, pages: int | Iterable[RealPage], *, at: datetime | None = None) -> list[RealPage]:
        """Change pages as a site does between two crawls; return them.

        ``pages`` is a number K (K pages spread evenly over the site) or the pages themselves.
        Each gets a ``lastmod`` of ``at`` (default: a minute after the wall clock or the tests'
        frozen fetch time, whichever is later: newer than any fetch so far) and a correction
        sentence in its article text (:func:`correct`), so that its ``content_sha256`` changes.
        """
        if isinstance(pages, int):
            if not 0 <= pages <= len(self.pages):
                raise ValueError(f"cannot change {pages} of {len(self.pages)} pages")
            chosen = [self.pages[(i * len(self.pages)) // pages] for i in range(pages)] if pages else []
        else:
            chosen = list(pages)
        moment = at or max(datetime.now(UTC), FROZEN_FETCH_TIME) + timedelta(minutes=1)
        for page in chosen:
            self.lastmod[page.number] = moment
            self.edits[page.number] = self.edits.get(page.number, 0) + 1
        self.write()
        return chosen

    # --- crawling it ----------------------------------------------------------------------------

    def start_urls(self, base_url: str) -> str:
        """The ``-a start_urls=`` value: the feed and the sitemap on the server at ``base_url``."""
        return f"{base_url}{FEED_PATH},{base_url}{SITEMAP_PATH}"

    def registry_data(self) -> dict:
        return {
            "providers": {
                PROVIDER_KEY: {
                    "name": PROVIDER_NAME,
                    "domain": PROVIDER_DOMAIN,
                    "standing": 60,
                    "sources": [
                        {"kind": "feed", "url": f"https://{PROVIDER_DOMAIN}{FEED_PATH}"},
                        {"kind": "sitemap", "url": f"https://{PROVIDER_DOMAIN}{SITEMAP_PATH}"},
                    ],
                    # Every path is an article except the site's own (the pages keep their original paths).
                    "article_urls": ["^/."],
                    "exclude_urls": [
                        f"^{re.escape(FEED_PATH)}$",
                        f"^{re.escape(SITEMAP_PATH)}$",
                        "^/robots\\.txt$",
                        f"^/{BODIES}/",
                    ],
                }
            }
        }

    def registry(self, path: Path) -> Path:
        """Write a provider registry (``PROVIDER_REGISTRY``) with this site's one provider."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(self.registry_data(), sort_keys=False), encoding="utf-8")
        return path

    def page_at(self, target: str) -> RealPage | None:
        """The page a request target (as the server records it: path and query) asked for, if any."""
        return self._by_path.get(unquote(urlsplit(target).path))

    @property
    def _by_path(self) -> dict[str, RealPage]:
        return {page.path: page for page in self.pages}

    def article_requests(self, requests: Iterable[str]) -> Counter[int]:
        """How many times each page was requested (page number -> count), from ``SiteServer.requests``."""
        by_path = self._by_path
        counts: Counter[int] = Counter()
        for target in requests:
            page = by_path.get(unquote(urlsplit(target).path))
            if page is not None:
                counts[page.number] += 1
        return counts
