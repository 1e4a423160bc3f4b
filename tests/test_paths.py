"""Relative path settings lead to the project folder (crawler/paths.py), whatever folder a crawl is started from."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.settings import SETTINGS_PRIORITIES, Settings

from crawler import exitcodes, paths
from crawler.options import OptionError
from tests.crawling import REPO, free_port, front_matters

DEFAULTS = {
    "OUTPUT_DIR": "output",
    "RECORD_STORE": "state/records.sqlite",
    "IMAGES_STORE": "state/images",
    "RUN_SUMMARY_DIR": "runs",
    "CRAWLALL_LOCK": "state/crawlall.lock",
    "SEAL_KEY_FILE": ".secrets/seal.key",
    "STATS_FILE": "",
}


def settings(**values) -> Settings:
    result = Settings()
    result.setdict({**DEFAULTS, "PROJECT_DIR": ""}, priority="project")
    result.setdict(values, priority="cmdline")
    return result


def test_relative_paths_lead_to_the_folder_of_scrapy_cfg(tmp_path, monkeypatch):
    (tmp_path / "scrapy.cfg").write_text("[settings]\ndefault = crawler.settings\n")
    below = tmp_path / "deploy" / "unit"
    below.mkdir(parents=True)
    monkeypatch.chdir(below)  # found from a folder below the project's, as Scrapy finds it
    given = settings(OUTPUT_DIR="docs/out")
    assert paths.anchor_paths(given) == tmp_path
    assert given["OUTPUT_DIR"] == str(tmp_path / "docs" / "out")
    assert given["RECORD_STORE"] == str(tmp_path / "state" / "records.sqlite")
    assert given["SEAL_KEY_FILE"] == str(tmp_path / ".secrets" / "seal.key")
    assert given["CRAWLALL_LOCK"] == str(tmp_path / "state" / "crawlall.lock")
    assert given["STATS_FILE"] == ""  # off stays off
    # Each keeps its priority: a -s value still beats what a lower level would set.
    assert given.getpriority("OUTPUT_DIR") == SETTINGS_PRIORITIES["cmdline"]
    assert given.getpriority("RECORD_STORE") == SETTINGS_PRIORITIES["project"]
    paths.anchor_paths(given)  # again: nothing changes
    assert given["OUTPUT_DIR"] == str(tmp_path / "docs" / "out")


def test_project_dir_wins_and_absolute_paths_and_urls_stay(tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)  # a scrapy.cfg here: PROJECT_DIR still wins
    given = settings(
        PROJECT_DIR=str(tmp_path),
        RECORD_STORE="postgresql://crawler:secret@10.0.0.2/news",
        IMAGES_STORE="s3://bucket/images",
        RUN_SUMMARY_DIR="/srv/news/runs",
        STATS_FILE="stats.json",
    )
    assert paths.anchor_paths(given) == tmp_path
    assert given["OUTPUT_DIR"] == str(tmp_path / "output")
    assert given["STATS_FILE"] == str(tmp_path / "stats.json")
    assert given["RECORD_STORE"] == "postgresql://crawler:secret@10.0.0.2/news"
    assert given["IMAGES_STORE"] == "s3://bucket/images"
    assert given["RUN_SUMMARY_DIR"] == "/srv/news/runs"


@pytest.mark.parametrize(
    ("value", "why"), [("relative/folder", "not an absolute path"), ("/no/such/x", "no such folder")]
)
def test_a_bad_project_dir_is_a_setting_error(value, why):
    with pytest.raises(OptionError, match=f"PROJECT_DIR={value}: {why}"):
        paths.anchor_paths(settings(PROJECT_DIR=value))


def test_without_scrapy_cfg_or_project_dir_the_working_folder_is_used_and_said_once(tmp_path, monkeypatch, caplog):
    monkeypatch.chdir(tmp_path)  # /tmp/...: no scrapy.cfg above it
    monkeypatch.setattr(paths, "_said_working_folder", False)
    with caplog.at_level(logging.WARNING, logger="crawler.paths"):
        first, second = settings(), settings()
        paths.anchor_paths(first)
        paths.anchor_paths(second)
    assert first["OUTPUT_DIR"] == second["OUTPUT_DIR"] == str(tmp_path / "output")
    said = [r.getMessage() for r in caplog.records if r.name == "crawler.paths"]
    assert len(said) == 1 and "no PROJECT_DIR" in said[0] and str(tmp_path) in said[0]


def crawl_from_elsewhere(elsewhere: Path, project: Path, port: int) -> subprocess.CompletedProcess:
    """``scrapy crawl technode -a demo=1`` from ``elsewhere`` with PROJECT_DIR=``project``, no seal key variable."""
    command = [sys.executable, "-m", "tests.offline", "crawl", "technode", "-a", "demo=1"]
    command += ["-s", f"PROJECT_DIR={project}", "-s", f"DEMO_PORT={port}", "-s", "IMAGES_STORE="]
    env = {k: v for k, v in os.environ.items() if k not in ("CRAWLER_SEAL_KEY", "CRAWLER_STORE_URL")}
    env |= {"PYTHONPATH": str(REPO), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    return subprocess.run(command, cwd=elsewhere, env=env, capture_output=True, text=True, timeout=240)


@pytest.mark.e2e
def test_a_crawl_from_another_folder_writes_into_the_project_and_never_makes_a_second_key(tmp_path):
    """A systemd unit, Scrapyd: the working folder is not the project. Documents, store and key land in it."""
    project, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    project.mkdir()
    elsewhere.mkdir()
    port = free_port()
    first = crawl_from_elsewhere(elsewhere, project, port)
    assert first.returncode == 0, first.stderr[-2000:]
    assert len(front_matters(project / "demo" / "output")) == 15
    assert (project / "demo" / "state" / "records.sqlite").is_file()
    key = project / "demo" / ".secrets" / "seal.key"  # the demo's own, never production's
    assert key.is_file() and "Created a new seal key in " + str(key) in first.stderr  # said, not silent
    assert not (project / ".secrets").exists()
    assert list(elsewhere.iterdir()) == []  # nothing where it was started
    assert "Demo: 15 documents written to " + str(project / "demo" / "output") in first.stderr

    # The key is lost, the store is not: an error, not a new key that would open none of its tokens.
    key.unlink()
    second = crawl_from_elsewhere(elsewhere, project, port)
    assert second.returncode == exitcodes.SEAL_KEY == 78, second.stderr[-2000:]
    (line,) = [line for line in second.stderr.splitlines() if line.startswith("error: ")]
    assert line.startswith(f"error: seal key {key} is missing and CRAWLER_SEAL_KEY is not set")
    assert "holds 15 records" in line
    assert not key.exists()
