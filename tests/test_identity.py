"""One identity for an article: the store knows every URL it was reached under.

A source may link an article under another address than its canonical
``webUrl`` (a tracking path, an old slug that redirects). The second run must
know it by any of them and fetch no article page again.
"""

from __future__ import annotations

import pytest
import yaml

from crawler.demo.server import SiteServer
from tests.inprocess import crawl_in_process
from tests.small_site import SmallSite

pytestmark = pytest.mark.e2e


def test_an_article_linked_under_other_urls_is_not_fetched_again(tmp_path):
    site = SmallSite.create(tmp_path / "site", count=2)
    first, second = site.articles
    # The first article is served at a linked address whose page names the canonical one.
    linked = site.root / "news" / "first-linked" / "index.html"
    linked.parent.mkdir(parents=True)
    linked.write_text((site.root / first.path.strip("/") / "index.html").read_text(), encoding="utf-8")
    # The second is linked under an old slug that redirects to the article.
    routes = {"/news/second-old/": {"redirect": second.path}}
    (site.root / "_routes.yaml").write_text(yaml.safe_dump(routes), encoding="utf-8")
    links = "".join(
        f"<item><title>{a.title}</title><link>{{{{base}}}}{path}</link></item>"
        for a, path in ((first, "/news/first-linked/"), (second, "/news/second-old/"))
    )
    (site.root / "feed" / "index.xml").write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Small</title>{links}</channel></rss>',
        encoding="utf-8",
    )
    registry = site.registry(tmp_path / "providers.yaml")
    settings = {"PROVIDER_REGISTRY": str(registry), "IMAGES_STORE": ""}
    with SiteServer(site.root) as server:
        start = f"start_urls={server.base_url}/feed/"
        once = crawl_in_process("small", tmp_path / "run", start, settings=settings)
        fetched_first = [path for path in server.requests if path.startswith("/news/")]
        server.requests.clear()
        again = crawl_in_process("small", tmp_path / "run", start, settings=settings)
        fetched_again = [path for path in server.requests if path.startswith("/news/")]
    assert once.returncode == 0 and again.returncode == 0, again.log[-2000:]
    assert sorted(once.by_web_url()) == sorted(server.base_url + a.path for a in site.articles)
    assert sorted(fetched_first) == sorted(["/news/first-linked/", second.path, "/news/second-old/"])
    assert fetched_again == []  # known by the linked URL and by the redirecting one
    assert again.stat("discovery/skipped/unchanged") == 2
