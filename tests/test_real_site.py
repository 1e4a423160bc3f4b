"""`scrapy crawlall` over 300 real third-party pages (tests/real_site.py), as cron runs it.

Every page is requested once, and only from 127.0.0.1 (the downloader made no request the
local server did not get); each becomes one document or one counted drop (33, all
``missing_published_at``: pages where the extractor finds no date). The first run passes
every health check (33 drops of 300 fetched: 11%, under ``HEALTH_MAX_ERROR_RATE``'s 50%).

A second run, after ``RealSite.change`` changed 5 pages, fetches those again (and rewrites
the documents of those that had one) and, of the others, only the pages it dropped before:
a dropped page leaves no record, so nothing tells the next run that it was fetched. That
run's error rate is about those refetched drops (33 of 36 fetched), not about the site
getting worse, so it runs with ``HEALTH_MAX_ERROR_RATE=1.0``.

Time: about 20 s on two busy CPUs, most of it the first crawl. About 10 s of that is
waiting: SiteServer listens with socketserver's backlog of 5, the crawl's connections
overflow it, and each dropped SYN is sent again after one second (``nstat``:
``TcpExtListenOverflows``); with a backlog of 128 the first crawl takes about 7 s.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml

from crawler.demo.server import SiteServer
from tests.crawling import REFERENCE_TIME, REPO, SEAL_KEY_HEX
from tests.real_site import PROVIDER_KEY, RealSite, available

PAGES = 300
CHANGED = 5

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.dataset,
    pytest.mark.skipif(available() < PAGES, reason="the shared data sets (../shared/datasets) are not present"),
]

_DROPPED = re.compile(r"Dropped (\S+): ([a-z_]+): ")
_SKIPPED = re.compile(r"Article (\S+) skipped \(([a-z_]+)\)")


class Cron:
    """`scrapy crawlall` against one RealSite, with all its state under one directory."""

    def __init__(self, tmp: Path, site: RealSite, server: SiteServer):
        self.tmp = tmp
        self.site = site
        self.server = server
        self.registry = site.registry(tmp / "providers.yaml")

    def run(self, **settings: str) -> subprocess.CompletedProcess:
        values = {
            "PROVIDER_REGISTRY": self.registry,
            "OUTPUT_DIR": self.tmp / "output",
            "RECORD_STORE": self.tmp / "state" / "records.sqlite",
            "CRAWLALL_LOCK": self.tmp / "state" / "crawlall.lock",
            "RUN_SUMMARY_DIR": self.tmp / "runs",
            "STATS_FILE": self.tmp / "stats.json",
            "CRAWL_REFERENCE_TIME": REFERENCE_TIME,
            "AUTOTHROTTLE_ENABLED": "False",
            "DOWNLOAD_DELAY": "0",
            "LOOKBACK_DAYS": "0",  # the pages span 2003 to 2026
            # The lead images are on the pages' real hosts: the image store (the only fetch of a URL a page
            # names) stays off, so that the crawl reaches nothing but the local server.
            "IMAGES_STORE": "",
            **settings,
        }
        command = [
            sys.executable,
            "-m",
            "scrapy",
            "crawlall",
            "-a",
            f"start_urls={self.site.start_urls(self.server.base_url)}",
        ]
        for name, value in values.items():
            command += ["-s", f"{name}={value}"]
        env = {**os.environ, "CRAWLER_SEAL_KEY": SEAL_KEY_HEX, "PYTHONPATH": str(REPO)}
        return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=280)

    def stats(self) -> dict:
        return json.loads((self.tmp / "stats.json").read_text(encoding="utf-8"))

    def summary(self) -> dict:
        return json.loads((self.tmp / "runs" / "latest.json").read_text(encoding="utf-8"))["providers"][PROVIDER_KEY]

    def documents(self) -> dict[int, list[dict]]:
        """Page number -> the documents whose originalUrl is that page."""
        found: dict[int, list[dict]] = {}
        for path in sorted((self.tmp / "output").rglob("*.md")):
            front = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
            page = self.site.page_at(_target(front["originalUrl"]))
            assert page is not None, f"{path}: a document for no page of the site ({front['originalUrl']})"
            found.setdefault(page.number, []).append(front)
        return found


def _target(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1] if "://" in url else url


def _outcomes(log: str, site: RealSite) -> dict[int, str]:
    """Page number -> why it produced no document, from the log's "Dropped" and "skipped" lines."""
    outcomes = {}
    for pattern in (_DROPPED, _SKIPPED):
        for url, reason in pattern.findall(log):
            page = site.page_at(_target(url))
            assert page is not None, f"a drop for no page of the site: {url}"
            outcomes[page.number] = reason
    return outcomes


def test_crawlall_over_300_real_pages(tmp_path):
    site = RealSite.create(tmp_path / "site", count=PAGES)
    with SiteServer(site.root) as server:
        cron = Cron(tmp_path / "work", site, server)
        started = time.monotonic()
        first = cron.run()
        seconds = time.monotonic() - started
        assert first.returncode == 0, first.stderr[-3000:]

        # Every article page was asked for exactly once, and nothing but the site's own pages and sources.
        requests = site.article_requests(server.requests)
        assert requests == Counter({page.number: 1 for page in site.pages})
        others = [r for r in server.requests if site.page_at(r) is None]
        assert sorted(others) == ["/feed/", "/robots.txt", "/sitemap.xml"]
        stats = cron.stats()
        # Every request the downloader made reached this server: none went to a page's real host.
        assert stats["downloader/request_count"] == len(server.requests)
        assert not any(name.startswith(("addresses/refused", "offsite/")) for name in stats)

        # One document per page, or one counted drop with its reason.
        documents = cron.documents()
        assert all(len(fronts) == 1 for fronts in documents.values())
        missing = _outcomes(first.stderr, site)
        assert not set(missing) & set(documents)
        assert set(missing) | set(documents) == {page.number for page in site.pages}
        drops = {
            k.split("/", 2)[2]: v for k, v in stats.items() if k.startswith(("records/dropped/", "articles/failed/"))
        }
        assert Counter(missing.values()) == Counter(drops)  # each drop in the stats is one page's
        assert stats["documents/new"] == len(documents)
        summary = cron.summary()
        assert (summary["fetched"], summary["new"]) == (PAGES, len(documents))
        assert len(documents) >= 0.85 * PAGES, drops  # 267 documents and 33 missing_published_at when written
        print(f"\n{PAGES} real pages: {len(documents)} documents, drops {drops}, first run {seconds:.1f} s")

        # A second run fetches the pages that changed again, and rewrites their documents; of the others it
        # fetches only pages it dropped before (a dropped page leaves no record: nothing says it was fetched).
        changed = site.change(CHANGED)
        server.requests.clear()
        # Relaxed for this run: it fetches only the changed pages and the pages dropped before, so its error
        # rate is about those (33 drops of 36 fetched articles here: 92%), not about the site getting worse.
        second = cron.run(HEALTH_MAX_ERROR_RATE="1.0")
        assert second.returncode == 0, second.stderr[-3000:]
        requests = site.article_requests(server.requests)
        assert set(requests.values()) == {1}
        assert {page.number for page in changed} <= set(requests)
        assert set(requests) - {page.number for page in changed} <= set(missing)
        written = [page for page in changed if page.number in documents]
        summary = cron.summary()
        assert (summary["new"], summary["updated"]) == (0, len(written))
        assert summary["unchanged"] == len(documents) - len(written)
        after = cron.documents()
        for page in written:
            assert after[page.number][0]["secured"] != documents[page.number][0]["secured"]
        assert len(after) == len(documents)
