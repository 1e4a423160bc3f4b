"""End to end: the real ``technode`` spider crawls the TechNode-shaped fixture site on 127.0.0.1.

The site (``crawler/demo/sites/technode``) has a feed, a sitemap index with
post/news/page/category sitemaps, paginated listings, and articles built the
way WordPress + Yoast builds them, including broken and hostile cases. Its
reviewed expected output (``tests/expected/technode.yaml``) says what each
document must hold; these tests read the documents from disk exactly as
downstream publishing does. The crawls run in the test process
(``tests/inprocess.py``), the demo target's too (``-a demo=1``, served as the
command serves it).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import yaml

from crawler.demo.server import SiteServer, site_root
from crawler.publishing.frontmatter import parse
from crawler.record import FRONT_MATTER_KEYS
from crawler.seal import open_token
from tests.crawling import SEAL_KEY_HEX, check_document, expected_output
from tests.inprocess import crawl_in_process

pytestmark = pytest.mark.e2e

SITE = site_root("technode")
EXPECTED = expected_output("technode")
EXPECTED_DOCUMENTS = {doc["path"]: doc for doc in EXPECTED["documents"]}


def start_urls(server: SiteServer) -> str:
    sources = EXPECTED["sources"]
    return ",".join(server.base_url + sources[kind] for kind in ("feed", "sitemap", "listing"))


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    """One full crawl of the site, shared by the checks below."""
    workdir = tmp_path_factory.mktemp("technode")
    with SiteServer(SITE) as server:
        result = crawl_in_process("technode", workdir, f"start_urls={start_urls(server)}")
        result.base_url = server.base_url
        result.requests = list(server.requests)
    assert result.returncode == 0, result.log[-3000:]
    return result


def document_for(crawl, path: str) -> dict:
    documents = crawl.by_web_url()
    url = crawl.base_url + path
    assert url in documents, f"no document for {path}; have {sorted(documents)}"
    return documents[url]


def test_one_document_per_expected_article(crawl):
    assert sorted(crawl.by_web_url()) == sorted(crawl.base_url + path for path in EXPECTED_DOCUMENTS)
    assert len(crawl.documents) == EXPECTED["document_count"]
    assert crawl.stat("documents/written") == EXPECTED["document_count"]


def test_documents_have_the_contract_keys_in_order(crawl):
    for path, text in crawl.documents.items():
        assert text.startswith("---\ncategory: "), path
        front_matter = yaml.safe_load(text.split("---\n")[1])
        assert list(front_matter) == list(FRONT_MATTER_KEYS), path
        parse(text)  # the strict reader accepts it


@pytest.mark.parametrize("path", sorted(EXPECTED_DOCUMENTS))
def test_document_fields(crawl, path):
    doc = document_for(crawl, path)
    check_document(doc, EXPECTED_DOCUMENTS[path], crawl.base_url, {"name": "TechNode", "domain": "technode.com"})
    # The fixture server serves the site's pictures: the lead image is stored (check_document), no other is.
    assert all(image["isCached"] is False for image in doc["images"][1:])
    assert doc["related"] == []
    assert doc["published"] is (doc["quality"] >= 40)


def test_secured_token_opens_to_the_provenance(crawl):
    for doc in crawl.by_web_url().values():
        payload = open_token(doc["secured"], bytes.fromhex(SEAL_KEY_HEX))
        assert payload["webUrl"] == doc["webUrl"]
        assert payload["originalUrl"] == doc["originalUrl"]
        assert len(payload["contentSha256"]) == 64


def test_deleted_article_is_counted_not_written(crawl):
    assert crawl.stat("articles/failed/http_404") == 1
    assert "Article " in crawl.log and "skipped (http_404)" in crawl.log


def test_server_error_is_retried(crawl):
    path = "/2026/01/15/humanoid-robot-startup-xingdong-robotics-raises-100-million-in-series-b/"
    assert crawl.requests.count(path) == 2
    document_for(crawl, path)


def test_non_article_urls_are_never_requested(crawl):
    requested = {urlsplit(r).path for r in crawl.requests}
    for case in EXPECTED["cases"]:
        if case["expect"].get("requested") is False:
            for path in case.get("paths") or [case["path"]]:
                if path == "/":  # the home page is the listing source itself
                    continue
                assert path not in requested, path
    assert crawl.stat("discovery/skipped/not_article") > 0


def test_each_article_is_fetched_once(crawl):
    article_paths = [urlsplit(r).path for r in crawl.requests if urlsplit(r).path in EXPECTED_DOCUMENTS]
    retried = {"/2026/01/15/humanoid-robot-startup-xingdong-robotics-raises-100-million-in-series-b/"}
    for path in set(article_paths) - retried:
        assert article_paths.count(path) == 1, path


def test_duplicate_through_two_urls_is_one_document(crawl):
    path = "/2026/03/20/unitree-robotics-files-for-star-market-ipo-in-shanghai/"
    assert [url for url in crawl.by_web_url() if url.endswith(path)] == [crawl.base_url + path]


def test_recrawl_rewrites_the_same_files(tmp_path):
    with SiteServer(SITE) as server:
        first = crawl_in_process("technode", tmp_path, f"start_urls={start_urls(server)}")
        second = crawl_in_process("technode", tmp_path, f"start_urls={start_urls(server)}")
    assert first.returncode == second.returncode == 0
    assert sorted(first.documents) == sorted(second.documents)
    assert len(second.documents) == EXPECTED["document_count"]


def test_limit_and_since(tmp_path):
    with SiteServer(SITE) as server:
        limited = crawl_in_process("technode", tmp_path / "limit", f"start_urls={start_urls(server)}", "limit=3")
        recent = crawl_in_process(
            "technode", tmp_path / "since", f"start_urls={start_urls(server)}", "since=2025-06-01"
        )
    assert limited.returncode == 0 and len(limited.documents) == 3
    wanted = {p for p, d in EXPECTED_DOCUMENTS.items() if d["publishedDateTime"] >= "2025-06-01"}
    assert recent.returncode == 0
    assert {urlsplit(u).path for u in recent.by_web_url()} == wanted


def test_demo_target_crawls_the_bundled_site(tmp_path):
    # -a demo=1 goes through serve_demo as in the command (every run_crawl test passes the command's call of it).
    result = crawl_in_process("technode", tmp_path, "demo=1")
    assert result.returncode == 0, result.log[-2000:]
    assert len(result.documents) == EXPECTED["document_count"]
