"""`scrapy check`: the providers' article contracts hold on the demo sites, and a broken page fails them."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy.exceptions import ContractFail

from crawler.contracts import FillsContract, sample_url
from crawler.demo.server import SiteServer, site_root
from crawler.record import Provider, Record
from crawler.registry import RegistryError, load_registry
from tests.crawling import REPO, crawl_environment, free_port
from tests.offline import REPORT_ENV

SAMPLE = "/2021/08/30/chinas-ai-unicorn-sensetime-files-for-hong-kong-ipo/"


def check(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """``scrapy check …`` (offline: nothing but 127.0.0.1), its report of refused addresses in ``tmp_path``."""
    env = {**crawl_environment(), REPORT_ENV: str(tmp_path / "offline.txt")}
    command = [sys.executable, "-m", "tests.offline", "check", *args]
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=240)


@pytest.mark.e2e
def test_every_providers_contracts_hold_on_its_demo_site(tmp_path):
    result = check(tmp_path, "-a", "demo=1", "-s", f"DEMO_PORT={free_port()}", "-v")
    assert result.returncode == 0, result.stderr[-3000:]
    for key in ("technode", "techinasia", "techstory", "businessinsider"):
        assert f"[{key}] parse_article (@fills post-hook) ... ok" in result.stderr
    assert "Ran 16 contracts" in result.stderr and result.stderr.rstrip().endswith("OK")
    assert not (tmp_path / "offline.txt").exists()  # the samples were asked of the demo sites only


@pytest.mark.e2e
def test_a_page_that_breaks_a_contract_fails_the_check(tmp_path):
    """The sample page after a "redesign" that lost its description: a record, but not the contract's."""
    site = tmp_path / "technode"
    shutil.copytree(site_root("technode"), site)
    (site / SAMPLE.strip("/") / "index.html").write_text(
        "<!DOCTYPE html><html><head><title>Down for maintenance</title></head><body><p>Back soon.</p></body></html>"
    )
    with SiteServer(site) as server:
        # A start URL on another server (a mirror): the sample is asked of it, at its path.
        result = check(tmp_path, "technode", "-a", f"start_urls={server.url('/feed/')}")
        asked = list(server.requests)
    assert result.returncode == 1, result.stderr[-3000:]
    assert "FAIL: [technode] parse_article (@fills post-hook)" in result.stderr
    assert f"{server.url(SAMPLE)}: empty excerpt" in result.stderr
    assert "FAILED (failures=1)" in result.stderr
    assert SAMPLE in asked


def test_an_unknown_provider_is_a_usage_error(tmp_path):
    result = check(tmp_path, "nosuchsite")
    assert result.returncode == 2 and "Spider not found: nosuchsite (scrapy list shows them)" in result.stderr


def test_the_sample_moves_to_the_start_urls_server():
    provider = load_registry().get("techinasia")
    spider = SimpleNamespace(name="techinasia", provider=provider, start_urls=[])
    assert sample_url(spider) == "https://www.techinasia.com/sensetime-ipo-hongkong-stock-exchange"
    spider.start_urls = ["http://127.0.0.1:8766/feed", "http://127.0.0.1:8766/wp-json/techinasia/2.0/posts"]
    assert sample_url(spider) == "http://127.0.0.1:8766/sensetime-ipo-hongkong-stock-exchange"
    spider.provider = provider.model_copy(update={"sample_article": ""})
    with pytest.raises(ValueError, match="techinasia: no sample_article in its registry entry"):
        sample_url(spider)


def test_fills_names_the_empty_keys_and_only_front_matter_keys():
    def parse_article(response):
        """@fills title excerpt"""

    parse_article.__self__ = SimpleNamespace(name="technode")  # a bound method's spider, for the test case's name
    record = Record(title="A title", web_url="https://technode.com/a/", provider=Provider("TechNode", "technode.com"))
    with pytest.raises(ContractFail, match=r"https://technode.com/a/: empty excerpt"):
        FillsContract(parse_article, "title", "excerpt").post_process([record])
    record.excerpt = "An excerpt."
    FillsContract(parse_article, "title", "excerpt").post_process([record])
    with pytest.raises(ValueError, match="name front-matter keys"):
        FillsContract(parse_article, "title", "web_url")


@pytest.mark.parametrize(
    ("sample", "why"),
    [
        ("https://example.com/2021/08/30/a-story/", "is not on technode.com"),
        ("https://technode.com/about/", "does not match the entry's article_urls"),
        ("technode.com/2021/08/30/a-story/", "is not an absolute http(s) URL"),
    ],
)
def test_the_registry_checks_the_sample_article(tmp_path, sample, why):
    registry = tmp_path / "providers.yaml"
    registry.write_text(
        "providers:\n  technode:\n    name: TechNode\n    domain: technode.com\n"
        '    sources: [{kind: feed, url: "https://technode.com/feed/"}]\n'
        "    article_urls: ['^/\\d{4}/\\d{2}/\\d{2}/[^/?#]+/?$']\n"
        f'    sample_article: "{sample}"\n'
    )
    with pytest.raises(RegistryError, match=re.escape(why)):
        load_registry(registry)
