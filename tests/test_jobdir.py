"""A crawl paused and resumed through ``JOBDIR`` writes what an uninterrupted crawl writes.

What a source said about an article (here: the feed's picture, which the
article page lacks) travels with the article's request, so it is still
there when a resumed crawl takes the request from the job's disk queue,
without reading the feed again. The paused crawl is a ``scrapy crawl`` process
(it is stopped with SIGINT); the others run in the test process.
"""

from __future__ import annotations

import signal
import time

import pytest
import yaml

from crawler.demo.server import SiteServer
from tests.crawling import start_crawl
from tests.inprocess import crawl_in_process
from tests.small_site import SmallSite

pytestmark = pytest.mark.e2e


def feed_with_pictures(site: SmallSite) -> None:
    items = "".join(
        f"<item><title>{a.title}</title><link>{{{{base}}}}{a.path}</link>"
        f'<media:content url="https://cdn.small-news.com/{a.slug}.jpg" medium="image" width="800" height="450"/>'
        "</item>"
        for a in site.articles
    )
    (site.root / "feed" / "index.xml").write_text(
        '<?xml version="1.0"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">'
        f"<channel><title>Small News</title>{items}</channel></rss>",
        encoding="utf-8",
    )


def front_matters(output):
    found = {}
    for path in sorted(output.rglob("*.md")):
        front = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
        front.pop("secured")
        found[front["webUrl"]] = front
    return found


def test_a_resumed_jobdir_crawl_writes_the_same_documents(tmp_path):
    site = SmallSite.create(tmp_path / "site", count=5)
    site.images = False  # the pages name no picture: only the feed does
    site.write()
    feed_with_pictures(site)
    routes = {a.path: {"delay": 0.6} for a in site.articles}
    (site.root / "_routes.yaml").write_text(yaml.safe_dump(routes), encoding="utf-8")
    registry = site.registry(tmp_path / "providers.yaml")
    settings = {"PROVIDER_REGISTRY": str(registry), "IMAGES_STORE": "", "CONCURRENT_REQUESTS": "1"}
    with SiteServer(site.root) as server:
        start = f"start_urls={server.base_url}/feed/"
        whole = crawl_in_process("small", tmp_path / "whole", start, settings=settings)
        assert whole.returncode == 0, whole.log[-2000:]

        job = {**settings, "JOBDIR": str(tmp_path / "job")}
        output = tmp_path / "paused" / "output"
        first = start_crawl("small", tmp_path / "paused", start, settings=job)
        deadline = time.monotonic() + 60
        while not list(output.rglob("*.md")) and time.monotonic() < deadline:
            time.sleep(0.05)
        first.send_signal(signal.SIGINT)  # Scrapy's graceful stop: pending requests stay in JOBDIR
        assert first.wait(timeout=60) == 0
        paused = len(list(output.rglob("*.md")))
        assert 0 < paused < 5
        feed_requests = server.count("/feed/")
        resumed = crawl_in_process("small", tmp_path / "paused", start, settings=job)
        assert server.count("/feed/") == feed_requests  # the feed was not read again
    assert resumed.returncode == 0, resumed.log[-2000:]
    expected = front_matters(tmp_path / "whole" / "output")
    assert all(doc["images"] for doc in expected.values())
    assert front_matters(output) == expected
