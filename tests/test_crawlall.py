"""Unattended operation: `scrapy crawlall` run after run against a site that changes.

Incremental fetching (counted on the server), the run lock, a crawl killed
with SIGKILL, run summaries and the health checks' exit codes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from crawler.demo.server import SiteServer
from tests.crawling import REFERENCE_TIME, REPO, SEAL_KEY_HEX, run_crawl
from tests.small_site import SmallSite

pytestmark = pytest.mark.e2e


class Cron:
    """Runs `scrapy crawlall` as cron would, against one SmallSite, with all state under one directory."""

    def __init__(self, tmp_path: Path, site: SmallSite, server: SiteServer):
        self.tmp = tmp_path
        tmp_path.mkdir(parents=True, exist_ok=True)
        self.site = site
        self.server = server
        self.registry = site.registry(tmp_path / "providers.yaml")

    def command(self, *extra: str) -> list[str]:
        settings = {
            "PROVIDER_REGISTRY": self.registry,
            "OUTPUT_DIR": self.tmp / "output",
            "RECORD_STORE": self.tmp / "state" / "records.sqlite",
            "CRAWLALL_LOCK": self.tmp / "state" / "crawlall.lock",
            "RUN_SUMMARY_DIR": self.tmp / "runs",
            "CRAWL_REFERENCE_TIME": REFERENCE_TIME,
            "AUTOTHROTTLE_ENABLED": "False",
            "DOWNLOAD_DELAY": "0",
            "LOOKBACK_DAYS": "0",
            "IMAGES_STORE": "",  # the images here are on a host the tests cannot reach
        }
        start_urls = f"{self.server.base_url}/feed/,{self.server.base_url}/sitemap.xml"
        command = [sys.executable, "-m", "tests.offline", "crawlall", "-a", f"start_urls={start_urls}", *extra]
        for name, value in settings.items():
            command += ["-s", f"{name}={value}"]
        return command

    def env(self) -> dict[str, str]:
        return {**os.environ, "CRAWLER_SEAL_KEY": SEAL_KEY_HEX, "PYTHONPATH": str(REPO)}

    def run(self) -> subprocess.CompletedProcess:
        return subprocess.run(self.command(), cwd=REPO, env=self.env(), capture_output=True, text=True, timeout=240)

    def start(self) -> subprocess.Popen:
        return subprocess.Popen(
            self.command(), cwd=REPO, env=self.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    def article_requests(self) -> list[str]:
        return [urlsplit(r).path for r in self.server.requests if r.startswith("/news/")]

    def documents(self) -> dict[Path, str]:
        return {p: p.read_text(encoding="utf-8") for p in sorted((self.tmp / "output").rglob("*.md"))}

    def summary(self) -> dict:
        return json.loads((self.tmp / "runs" / "latest.json").read_text())


@pytest.fixture
def cron(tmp_path):
    site = SmallSite.create(tmp_path / "site")
    with SiteServer(site.root) as server:
        yield Cron(tmp_path / "work", site, server)


def test_second_run_fetches_no_article_again(cron):
    first = cron.run()
    assert first.returncode == 0, first.stderr[-3000:]
    assert sorted(cron.article_requests()) == sorted(a.path for a in cron.site.articles)
    assert cron.summary()["providers"]["small"]["new"] == 6
    before = {path: (text, path.stat().st_mtime_ns) for path, text in cron.documents().items()}

    cron.server.requests.clear()
    second = cron.run()
    assert second.returncode == 0, second.stderr[-3000:]
    assert cron.article_requests() == []  # feeds and sitemaps are read, articles are not
    assert "/feed/" in cron.server.requests and "/sitemap.xml" in cron.server.requests
    after = {path: (text, path.stat().st_mtime_ns) for path, text in cron.documents().items()}
    assert after == before  # same bytes, same mtime
    assert cron.summary()["providers"]["small"]["unchanged"] == 6


def test_new_and_changed_articles_are_exactly_what_is_fetched(cron):
    assert cron.run().returncode == 0
    changed = cron.site.articles[2]
    cron.site.change(changed, "A correction: the chipmaker now says the plant opens next year.")
    added = [
        cron.site.add("fresh-story-about-batteries", "Battery maker opens a plant"),
        cron.site.add("fresh-story-about-robots", "Robot startup raises money"),
    ]
    cron.server.requests.clear()
    result = cron.run()
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(cron.article_requests()) == sorted([changed.path, *(a.path for a in added)])
    summary = cron.summary()["providers"]["small"]
    assert (summary["new"], summary["updated"]) == (2, 1)
    texts = "".join(cron.documents().values())
    assert "Battery maker opens a plant" in texts and "Robot startup raises money" in texts
    assert len(cron.documents()) == 8


def test_refresh_fetches_everything_again(cron):
    assert cron.run().returncode == 0
    cron.server.requests.clear()
    command = cron.command("-a", "refresh=1")
    result = subprocess.run(command, cwd=REPO, env=cron.env(), capture_output=True, text=True, timeout=240)
    assert result.returncode == 0
    assert len(cron.article_requests()) == 6


def slow_down(site: SmallSite, seconds: float, *, staggered: bool = False) -> None:
    """Delay every article page by ``seconds``, or the n-th by n × ``seconds`` (one finishing at a time)."""
    routes = {a.path: {"delay": seconds * (n if staggered else 1)} for n, a in enumerate(site.articles, 1)}
    (site.root / "_routes.yaml").write_text(yaml.safe_dump(routes), encoding="utf-8")


def test_a_second_run_exits_while_the_first_holds_the_lock(tmp_path):
    site = SmallSite.create(tmp_path / "site", count=8)
    slow_down(site, 2.0)
    with SiteServer(site.root) as server:
        cron = Cron(tmp_path / "work", site, server)
        first = cron.start()
        lock = cron.tmp / "state" / "crawlall.lock"
        deadline = time.monotonic() + 60
        while not (lock.exists() and lock.read_text().startswith("pid")) and time.monotonic() < deadline:
            time.sleep(0.05)
        second = cron.run()
        still_running = first.poll() is None
        _, err = first.communicate(timeout=240)
    assert still_running
    assert second.returncode == 75
    assert "another run holds" in second.stderr
    assert first.returncode == 0, err[-3000:]


def test_a_killed_run_loses_and_duplicates_nothing(tmp_path):
    site = SmallSite.create(tmp_path / "site", count=10)
    slow_down(site, 0.5, staggered=True)  # pages land half a second apart: the kill falls mid-run
    with SiteServer(site.root) as server:
        cron = Cron(tmp_path / "work", site, server)
        first = cron.start()
        deadline = time.monotonic() + 60
        while len(cron.documents()) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        interrupted = len(cron.documents())
        assert 0 < interrupted < 10
        for text in cron.documents().values():  # whatever was written is whole
            yaml.safe_load(text.split("---\n")[1])
        again = cron.run()
    assert again.returncode == 0, again.stderr[-3000:]
    assert "Taking over the lock of a run that did not finish" in again.stderr
    documents = cron.documents()
    assert len(documents) == 10
    web_urls = [yaml.safe_load(text.split("---\n")[1])["webUrl"] for text in documents.values()]
    assert len(set(web_urls)) == 10


def test_an_empty_feed_fails_the_run_naming_provider_and_check(cron):
    assert cron.run().returncode == 0
    cron.site.feed_empty = True
    cron.site.write()
    result = cron.run()
    assert result.returncode == 1
    assert "small: no_articles" in result.stderr
    assert cron.summary()["healthy"] is False


def test_pages_that_lose_their_dates_fail_the_run(cron):
    assert cron.run().returncode == 0
    cron.site.dates = False
    for number in range(4):
        cron.site.add(f"undated-story-number-{number}", f"Undated story {number}")
    result = cron.run()
    assert result.returncode == 1
    assert "small: error_rate" in result.stderr and "missing_published_at" in result.stderr


def test_run_summary_is_a_log_line_and_a_file(cron):
    result = cron.run()
    assert result.returncode == 0
    assert "Run summary: {" in result.stderr
    summary = cron.summary()
    assert summary["healthy"] is True and summary["problems"] == []
    assert set(summary["providers"]["small"]) >= {"discovered", "fetched", "new", "updated", "unchanged", "dropped"}
    assert len(list((cron.tmp / "runs").glob("run-*.json"))) == 1


def test_pages_that_lose_their_images_fail_the_coverage_check(cron):
    assert cron.run().returncode == 0
    cron.site.images = False
    for number in range(4):
        cron.site.add(f"imageless-story-number-{number}", f"Imageless story {number}")
    result = cron.run()
    assert result.returncode == 1
    assert "small: coverage: records with image fell to 0%" in result.stderr


def test_a_run_opens_the_record_store_once(tmp_path):
    """crawlall over two providers (crawls, story step, checks) and a plain crawl: one connection each."""
    site = SmallSite.create(tmp_path / "site", count=3)
    with SiteServer(site.root) as server:
        cron = Cron(tmp_path / "work", site, server)
        registry = yaml.safe_load(Path(cron.registry).read_text())
        twin = dict(registry["providers"]["small"], name="Small Twin", domain="small-twin.com")
        registry["providers"]["twin"] = twin
        Path(cron.registry).write_text(yaml.safe_dump(registry), encoding="utf-8")
        result = cron.run()
        crawl = run_crawl(
            "small",
            tmp_path / "crawl",
            f"start_urls={server.base_url}/feed/",
            # The small site's pictures are on a CDN name that is not this machine's: not fetched here.
            settings={"PROVIDER_REGISTRY": str(cron.registry), "IMAGES_STORE": ""},
        )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Spider opened" in result.stderr and result.stderr.count("Spider opened") == 2
    assert result.stderr.count("Opened the record store") == 1
    assert crawl.returncode == 0 and crawl.log.count("Opened the record store") == 1


def test_a_first_run_that_finds_nothing_is_unhealthy(tmp_path):
    site = SmallSite.create(tmp_path / "site", count=3)
    site.feed_empty = True
    site.write()
    (site.root / "sitemap.xml").unlink()  # the sitemap is gone (404): a source error, and no article at all
    with SiteServer(site.root) as server:
        cron = Cron(tmp_path / "work", site, server)
        result = cron.run()
    assert result.returncode == 1, result.stderr[-2000:]
    assert "small: no_articles: none on its first run" in result.stderr
    assert "small: sources: 1 of its feeds, sitemaps or listings failed" in result.stderr
    summary = cron.summary()
    assert summary["healthy"] is False and summary["providers"]["small"]["source_errors"] == 1


def test_run_summaries_are_pruned_to_the_newest(cron):
    for _ in range(3):
        command = cron.command()
        command += ["-s", "RUN_SUMMARY_KEEP=2"]
        result = subprocess.run(command, cwd=REPO, env=cron.env(), capture_output=True, text=True, timeout=240)
        assert result.returncode == 0, result.stderr[-2000:]
        time.sleep(1.1)  # summaries are named by their start second
    assert len(list((cron.tmp / "runs").glob("run-*.json"))) == 2


def test_one_dead_link_fetched_again_on_a_quiet_run_is_no_error_rate():
    """A sitemap that keeps listing a deleted article: on a run where nothing else is new it is the only page
    fetched, and it fails (404). That is not a broken site; three failures out of four are."""
    from crawler.health import HealthLimits, ProviderRun, check

    history = [ProviderRun("small", discovered=10, fetched=10, new=10, coverage={"image": 1.0, "excerpt": 1.0})]
    quiet = ProviderRun("small", discovered=10, fetched=1, failed=1, unchanged=9)
    assert check(quiet, history, HealthLimits()) == []
    broken = ProviderRun("small", discovered=4, fetched=4, new=1, failed=2, dropped={"missing_published_at": 1})
    assert [p.split(":")[1].strip() for p in check(broken, history, HealthLimits())] == ["error_rate"]
    assert check(broken, history, HealthLimits(min_failures=4)) == []
