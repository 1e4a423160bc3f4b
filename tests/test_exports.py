"""Scrapy's own tools on the project's spiders: feed exports (-O) and ``scrapy parse``."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from crawler.demo.server import SiteServer, site_root
from crawler.record import FRONT_MATTER_KEYS
from tests.crawling import REPO, run_crawl

pytestmark = pytest.mark.e2e

ARTICLE = "/2021/08/30/chinas-ai-unicorn-sensetime-files-for-hong-kong-ipo/"


def test_a_feed_export_writes_the_contracts_keys_and_no_article_text(tmp_path):
    feed = tmp_path / "items.jsonl"
    with SiteServer(site_root("technode")) as server:
        result = run_crawl(
            "technode",
            tmp_path,
            f"start_urls={server.base_url}/feed/",
            "since=2000-01-01",
            settings={"FEEDS": json.dumps({str(feed): {"format": "jsonlines"}})},
        )
    assert result.returncode == 0, result.log[-2000:]
    items = [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()]
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
        command = [sys.executable, "-m", "scrapy", "parse", "--spider", "technode"]
        command += ["-a", f"start_urls={server.base_url}/", server.base_url + ARTICLE]
        command += ["-s", f"RECORD_STORE={tmp_path / 'records.sqlite'}", "-s", "IMAGES_STORE="]
        result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "China’s AI unicorn SenseTime files for Hong Kong IPO" in result.stdout
    assert "Traceback" not in result.stderr


def test_document_body_writes_the_article_text_into_documents_and_exports(tmp_path):
    feed = tmp_path / "items.jsonl"
    with SiteServer(site_root("technode")) as server:
        result = run_crawl(
            "technode",
            tmp_path,
            f"start_urls={server.base_url}{ARTICLE}",
            settings={"DOCUMENT_BODY": "True", "FEEDS": json.dumps({str(feed): {"format": "jsonlines"}})},
        )
    assert result.returncode == 0, result.log[-2000:]
    (text,) = result.documents.values()
    body = text.split("\n---\n", 1)[1]
    assert "SenseTime" in body and len(body) > 500  # the article's paragraphs, not an empty body
    (item,) = [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()]
    assert item["body"].strip() == body.strip()
