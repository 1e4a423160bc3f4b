"""Bad ``-a`` arguments and ``-s`` settings stop ``crawl`` and ``crawlall`` before anything runs.

One line, ``error: NAME=value: why``, exit code 2, no traceback (not even
asyncio's "Task exception was never retrieved"), nothing written; an unknown
argument name is a warning and the crawl goes on.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from crawler import exitcodes
from crawler.demo.server import SiteServer
from crawler.options import OptionError, check_arguments, check_settings
from crawler.spiders.news import NewsSpider
from tests.crawling import REFERENCE_TIME, REPO, SEAL_KEY_HEX
from tests.small_site import SmallSite


def scrapy(tmp_path, *args: str) -> subprocess.CompletedProcess:
    """Run a scrapy command from an empty working folder of its own (so that nothing lands in the project)."""
    env = {**os.environ, "CRAWLER_SEAL_KEY": SEAL_KEY_HEX, "PYTHONPATH": str(REPO)}
    env["SCRAPY_SETTINGS_MODULE"] = "crawler.settings"
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("command", "option", "line"),
    [
        ("crawl technode", "-a since=garbage", "error: since=garbage: not a date in the form YYYY-MM-DD"),
        ("crawl technode", "-a since=yesterday", "error: since=yesterday: not a date in the form YYYY-MM-DD"),
        ("crawl technode", "-a limit=abc", "error: limit=abc: not a whole number"),
        ("crawl technode", "-a limit=0", "error: limit=0: must be at least 1"),
        (
            "crawl technode",
            "-a start_urls=ftp://x",
            "error: start_urls=ftp://x: 'ftp://x' is not an absolute http(s) URL",
        ),
        ("crawl technode", "-s LOOKBACK_DAYS=abc", "error: LOOKBACK_DAYS=abc: not a whole number"),
        (
            "crawl technode",
            "-s DOCUMENT_BODY=maybe",
            "error: DOCUMENT_BODY=maybe: not a yes/no value (use 1 or 0, true or false)",
        ),
        ("crawlall", "-a since=garbage", "error: since=garbage: not a date in the form YYYY-MM-DD"),
        ("crawlall", "-s HEALTH_MAX_ERROR_RATE=2", "error: HEALTH_MAX_ERROR_RATE=2: must be at most 1"),
        ("crawlall", "-s HEALTH_HISTORY=many", "error: HEALTH_HISTORY=many: not a whole number"),
    ],
)
def test_a_bad_value_is_one_line_and_exit_2(tmp_path, command, option, line):
    result = scrapy(tmp_path, *command.split(), *option.split(" ", 1))
    assert result.returncode == exitcodes.USAGE, result.stderr[-2000:]
    assert result.stderr.strip().splitlines()[-1] == line
    assert [text for text in result.stderr.splitlines() if text.startswith("error:")] == [line]
    assert "Traceback" not in result.stderr and "Task exception" not in result.stderr
    assert list(tmp_path.iterdir()) == []  # nothing ran: no store, no output, no key


def test_an_unknown_argument_is_a_warning_and_the_crawl_goes_on(tmp_path):
    site = SmallSite.create(tmp_path / "site", count=2)
    registry = site.registry(tmp_path / "providers.yaml")
    work = tmp_path / "work"
    work.mkdir()
    with SiteServer(site.root) as server:
        result = scrapy(
            work,
            "crawl",
            "small",
            "-a",
            f"start_urls={server.base_url}/feed/",
            "-a",
            "sinse=2026-01-01",
            "-s",
            f"PROVIDER_REGISTRY={registry}",
            "-s",
            "LOOKBACK_DAYS=0",
            "-s",
            f"CRAWL_REFERENCE_TIME={REFERENCE_TIME}",  # the site's articles are of late 2026, whatever the clock says
            "-s",
            "IMAGES_STORE=",
        )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Unknown argument -a sinse=2026-01-01" in result.stderr
    assert len(list((work / "output").rglob("*.md"))) == 2


def test_the_checks_know_every_argument_the_spiders_take():
    check_arguments({"url": "https://example.com/a", "since": "2026-01-01", "refresh": "1"}, [NewsSpider])
    with pytest.raises(OptionError, match="refresh=perhaps: not a yes/no value"):
        check_arguments({"refresh": "perhaps"}, [NewsSpider])


def test_the_project_defaults_pass_their_own_checks():
    from scrapy.utils.project import get_project_settings

    check_settings(get_project_settings())
