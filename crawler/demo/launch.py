"""Serve the bundled site for a demo crawl: what ``-a demo=1`` does, outside the spider."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
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
    "SEAL_KEY_FILE": "demo/.secrets/seal.key",  # used when CRAWLER_SEAL_KEY is not set: never production's file
}
# What the demo sites do on purpose (they are the end-to-end tests' sites too: a missing article, a
# cut-off sitemap, sitemaps of categories and pages), and the demo's first seal key, are no warning
# in a demo: these loggers' warnings come out as INFO, marked, while a demo crawl runs.
DEMO_NOTICE_LOGGERS = ("crawler.spiders.base", "crawler.seal")
DEMO_NOTICE_MARK = "(demo, on purpose) "


def demo_requested(arguments: Mapping[str, Any]) -> bool:
    """Whether the spider arguments ask for the demo (``-a demo=1``)."""
    return flag(arguments.get("demo") or False)


def demo_world(settings: Any, arguments: Mapping[str, Any]) -> None:
    """With ``-a demo=1``, the run's folders and store are the demo's (``DEMO_WORLD``; ``-s`` still wins).

    Called by ``crawl`` and ``crawlall`` before they open the store.
    """
    if demo_requested(arguments):
        for name, value in DEMO_WORLD.items():
            settings.set(name, value, priority="spider")  # above the project's (and CRAWLER_STORE_URL)


class _DemoNotices(logging.Filter):
    """Warnings of :data:`DEMO_NOTICE_LOGGERS` as marked INFO lines, while at least one demo crawl runs."""

    def __init__(self) -> None:
        super().__init__()
        self.crawls = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.WARNING:
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.msg = DEMO_NOTICE_MARK + str(record.msg)
        return True

    def start(self) -> None:
        if not self.crawls:
            for name in DEMO_NOTICE_LOGGERS:
                logging.getLogger(name).addFilter(self)
        self.crawls += 1

    def stop(self) -> None:
        self.crawls = max(0, self.crawls - 1)
        if not self.crawls:
            for name in DEMO_NOTICE_LOGGERS:
                logging.getLogger(name).removeFilter(self)


_notices = _DemoNotices()


def serve_demo(crawler: Crawler, arguments: Mapping[str, Any], *, closing_line: bool = True) -> dict[str, Any]:
    """The spider arguments for ``crawler``; with ``demo=1``, the bundled site is served for the crawl.

    Without ``demo`` (or with ``demo=0``) the arguments come back as they are, less ``demo``.
    With it, the provider's site (``crawler/demo/sites/<key>/``) is served on 127.0.0.1 at
    ``DEMO_PORT`` plus the provider's place in the registry (any free port when that one is
    taken) until the spider closes, the returned
    ``start_urls`` are the registry's sources on that server, and the crawl's politeness delay
    and look-back are switched off (``-s`` still wins). A spider without a site is a usage error.
    """
    spider_arguments = {name: value for name, value in arguments.items() if name != "demo"}
    if not demo_requested(arguments):
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
    _notices.start()
    crawler.signals.connect(_notices.stop, signal=signals.engine_stopped, weak=False)
    if closing_line:  # crawlall says one line for all its providers (demo_closing_line)
        crawler.signals.connect(lambda: demo_closing_line([crawler]), signal=signals.engine_stopped, weak=False)
    for name, value in DEMO_SETTINGS.items():
        crawler.settings.set(name, value, priority="spider")
    logger.info("Demo: serving %s at %s", root, server.base_url)
    spider_arguments["start_urls"] = [server.url(_location(source.url)) for source in provider.sources]
    return spider_arguments


def _location(url: str) -> str:
    """A URL's path and query: where a registry source is on the local server."""
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def demo_closing_line(crawlers: Iterable[Crawler]) -> None:
    """The demo's last line: how many documents its crawls wrote, where, and how many were unchanged."""
    crawlers = list(crawlers)
    written = unchanged = 0
    for crawler in crawlers:
        stats = crawler.stats
        written += stats.get_value("documents/written", 0)
        unchanged += stats.get_value("documents/unchanged", 0) + stats.get_value("discovery/skipped/unchanged", 0)
    where = shown(crawlers[0].settings.get("OUTPUT_DIR")) if crawlers else ""
    logger.info("Demo: %d documents written to %s (%d unchanged)", written, where, unchanged)
