"""Scrapy's own tools on the project's spiders: feed exports (-O) and ``scrapy parse``."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from crawler.demo.server import SiteServer, site_root
from crawler.record import FRONT_MATTER_KEYS
from tests.crawling import REPO, SEAL_KEY_HEX, CrawlResult, run_crawl

pytestmark = pytest.mark.e2e

ARTICLE = "/2021/08/30/chinas-ai-unicorn-sensetime-files-for-hong-kong-ipo/"


def crawl_with_feed(tmp_path, source: str, *args: str, **settings: str) -> tuple[CrawlResult, list[dict]]:
    """A TechNode demo crawl from ``source`` exporting a JSON-lines feed: the crawl and the exported items."""
    feed = tmp_path / "items.jsonl"
    with SiteServer(site_root("technode")) as server:
        settings["FEEDS"] = json.dumps({str(feed): {"format": "jsonlines"}})
        result = run_crawl("technode", tmp_path, f"start_urls={server.base_url}{source}", *args, settings=settings)
    assert result.returncode == 0, result.log[-2000:]
    return result, [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()]


def test_a_feed_export_writes_the_contracts_keys_and_no_article_text(tmp_path):
    result, items = crawl_with_feed(tmp_path, "/feed/", "since=2000-01-01")
    documents = result.by_web_url()
    assert items and len(items) == len(documents)
    for item in items:
        assert list(item) == [key for key in FRONT_MATTER_KEYS if key in item]  # the contract's order
        assert set(FRONT_MATTER_KEYS) - {"body"} <= set(item)
        assert not {"web_url", "published_at", "stored", "unchanged", "text", "body"} & set(item)
        document = documents[item["webUrl"]]
        assert item["title"] == document["title"] and item["excerpt"] == document["excerpt"]
        assert item["publishedDateTime"] == document["publishedDateTime"].strftime("%Y-%m-%dT%H:%M:%SZ")


def test_scrapy_parse_extracts_an_article_page(tmp_path):
    with SiteServer(site_root("technode")) as server:
        command = [sys.executable, "-m", "tests.offline", "parse", "--spider", "technode"]
        command += ["-a", f"start_urls={server.base_url}/", server.base_url + ARTICLE]
        command += ["-s", f"RECORD_STORE={tmp_path / 'records.sqlite'}", "-s", "IMAGES_STORE="]
        env = {**os.environ, "CRAWLER_SEAL_KEY": SEAL_KEY_HEX}  # never a key file made in the project
        result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "China’s AI unicorn SenseTime files for Hong Kong IPO" in result.stdout
    assert "Traceback" not in result.stderr


def test_document_body_writes_the_article_text_into_documents_and_exports(tmp_path):
    result, items = crawl_with_feed(tmp_path, ARTICLE, DOCUMENT_BODY="True")
    (text,) = result.documents.values()
    body = text.split("\n---\n", 1)[1]
    assert "SenseTime" in body and len(body) > 500  # the article's paragraphs, not an empty body
    (item,) = items
    assert item["body"].strip() == body.strip()
