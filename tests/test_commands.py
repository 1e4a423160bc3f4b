"""Project commands: `scrapy list`, `scrapy providers` (with --check against the fixture sites)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.crawling import REPO


def scrapy(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
        capture_output=True,
        text=True,
        timeout=240,
    )


def test_scrapy_list_has_one_spider_per_provider_and_the_generic_one():
    result = scrapy("list")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == sorted(["businessinsider", "news", "techinasia", "technode", "techstory"])


def test_providers_validates_the_registry():
    result = scrapy("providers")
    assert result.returncode == 0, result.stderr
    assert "4 providers, valid." in result.stdout
    assert "technode         TechNode (technode.com; Asia/Shanghai)" in result.stdout


def test_providers_names_a_bad_entry(tmp_path):
    bad = tmp_path / "providers.yaml"
    bad.write_text(
        "providers:\n  broken:\n    name: Broken\n    domain: broken.com\n    timezone: Mars/Olympus\n"
        '    sources: [{kind: feed, url: "https://broken.com/feed"}]\n    article_urls: ["^/a/"]\n'
    )
    result = scrapy("providers", "-s", f"PROVIDER_REGISTRY={bad}")
    assert result.returncode == 2
    assert "entry 'broken': timezone: Value error, 'Mars/Olympus' is not a known IANA time zone" in result.stderr


@pytest.mark.e2e
def test_providers_check_reports_each_source(tmp_path):
    result = scrapy("providers", "--check", "--demo", "technode", "-s", f"STATS_FILE={tmp_path / 's.json'}")
    assert result.returncode == 0, result.stderr[-3000:]
    report = result.stdout.split("Sources:", 1)[1]
    assert "technode: " in report and " article links from " in report
    assert "/feed/: 10 links, 9 articles" in report  # the feed also links an event page
    assert "/category-sitemap.xml: 7 links, 0 articles  ! no article links" in report


def test_providers_rejects_unknown_keys():
    result = scrapy("providers", "nosuchsite")
    assert result.returncode != 0
    assert "not in the registry: nosuchsite" in result.stderr
