"""Serve the bundled site for a demo crawl: what ``-a demo=1`` does, outside the spider."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import UsageError

from crawler.options import flag
from crawler.paths import shown

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

# A local server needs no politeness delays, and the sites' articles are from past years.
DEMO_SETTINGS = {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "LOOKBACK_DAYS": 0}
# The demo is a world of its own: its documents, records, images and runs never mix with
# production's (Hugo would publish them; stories and render would take them for real).
DEMO_WORLD = {
    "OUTPUT_DIR": "demo/output",
    "RECORD_STORE": "demo/state/records.sqlite",
    "IMAGES_STORE": "demo/state/images",
    "RUN_SUMMARY_DIR": "demo/runs",
    "CRAWLALL_LOCK": "demo/state/crawlall.lock",
}


def demo_world(settings: Any, arguments: Mapping[str, Any]) -> None:
    """With ``-a demo=1``, the run's folders and store are the demo's (``DEMO_WORLD``; ``-s`` still wins).

    Called by ``crawl`` and ``crawlall`` before they open the store.
    """
    if flag(arguments.get("demo") or False):
        for name, value in DEMO_WORLD.items():
            settings.set(name, value, priority="spider")  # above the project's (and CRAWLER_STORE_URL)


def serve_demo(crawler: Crawler, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The spider arguments for ``crawler``; with ``demo=1``, the bundled site is served for the crawl.

    Without ``demo`` (or with ``demo=0``) the arguments come back as they are, less ``demo``.
    With it, the provider's site (``crawler/demo/sites/<key>/``) is served on 127.0.0.1 at
    ``DEMO_PORT`` plus the provider's place in the registry (any free port when that one is
    taken) until the spider closes, the returned
    ``start_urls`` are the registry's sources on that server, and the crawl's politeness delay
    and look-back are switched off (``-s`` still wins). A spider without a site is a usage error.
    """
    spider_arguments = {name: value for name, value in arguments.items() if name != "demo"}
    if not flag(arguments.get("demo") or False):
        return spider_arguments

    from crawler.demo.server import SITES, SiteServer, as_directory  # only the demo needs the server
    from crawler.registry import load_registry

    key = crawler.spidercls.name
    site = SITES / key
    if not site.is_dir():
        known = ", ".join(sorted(p.name for p in SITES.iterdir() if p.is_dir()))
        raise UsageError(f"demo=1: spider {key!r} has no bundled site (there are: {known})")
    registry = load_registry(crawler.settings.get("PROVIDER_REGISTRY"))
    provider = registry.get(key)
    with ExitStack() as stack:
        # The site on disk: itself, or a temporary copy when the package is a zipped egg (Scrapyd).
        root = stack.enter_context(as_directory(site))
        # A fixed port per site (DEMO_PORT, then the next ones in the registry's order) keeps the
        # demo's URLs, and so its document paths, the same from run to run: no duplicates.
        port = crawler.settings.getint("DEMO_PORT") + [p.key for p in registry].index(key)
        try:
            server = SiteServer(root, port=port).start()
        except OSError:  # the port is taken (another demo?): any free one will do
            server = SiteServer(root).start()
        stack.callback(server.stop)  # at the spider's close: stop serving, then remove a temporary copy
        held = stack.pop_all()
    crawler.signals.connect(held.close, signal=signals.spider_closed, weak=False)
    crawler.signals.connect(_closing_line(crawler), signal=signals.engine_stopped, weak=False)  # after the counts
    for name, value in DEMO_SETTINGS.items():
        crawler.settings.set(name, value, priority="spider")
    logger.info("Demo: serving %s at %s", root, server.base_url)
    spider_arguments["start_urls"] = [server.url(_location(source.url)) for source in provider.sources]
    return spider_arguments


def _location(url: str) -> str:
    """A URL's path and query: where a registry source is on the local server."""
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _closing_line(crawler: Crawler):
    def said():
        stats = crawler.stats
        written = stats.get_value("documents/written", 0)
        unchanged = stats.get_value("documents/unchanged", 0) + stats.get_value("discovery/skipped/unchanged", 0)
        logger.info(
            "Demo: %d documents written to %s (%d unchanged)",
            written,
            shown(crawler.settings.get("OUTPUT_DIR")),
            unchanged,
        )

    return said
