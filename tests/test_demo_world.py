"""The demo is a world of its own: `-a demo=1` never writes into production's output or store."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.crawling import crawl_environment, free_port, front_matters

pytestmark = pytest.mark.e2e


def test_the_demo_writes_its_own_folder_and_twice_the_same_documents(tmp_path):
    """Run as a newcomer runs it (no -s for folders), twice: demo/ only, no duplicates, a closing line."""
    command = [sys.executable, "-m", "scrapy", "crawl", "technode", "-a", "demo=1"]
    command += ["-s", "IMAGES_STORE=", "-s", f"DEMO_PORT={free_port()}"]  # images: a later issue's local copies
    runs = []
    for _ in range(2):
        result = subprocess.run(
            command, cwd=tmp_path, env=crawl_environment(tmp_path), capture_output=True, text=True, timeout=240
        )
        assert result.returncode == 0, result.stderr[-2000:]
        runs.append((result.stderr, set(front_matters(tmp_path / "demo" / "output"))))
    assert not (tmp_path / "output").exists() and not (tmp_path / "state").exists()  # production's stay untouched
    assert (tmp_path / "demo" / "state" / "records.sqlite").is_file()
    assert runs[0][1] == runs[1][1] and len(runs[0][1]) == 15  # the same documents: stable URLs
    assert len(list((tmp_path / "demo" / "output").rglob("*.md"))) == 15
    assert "Demo: 15 documents written to demo/output (0 unchanged)" in runs[0][0]
    assert "Demo: 0 documents written to demo/output (15 unchanged)" in runs[1][0]


def test_settings_on_the_command_line_still_win_over_the_demos_folders(tmp_path):
    command = [sys.executable, "-m", "scrapy", "crawl", "technode", "-a", "demo=1", "-s", "IMAGES_STORE="]
    command += ["-s", f"OUTPUT_DIR={tmp_path / 'mine'}", "-s", f"DEMO_PORT={free_port()}"]
    result = subprocess.run(
        command, cwd=tmp_path, env=crawl_environment(tmp_path), capture_output=True, text=True, timeout=240
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(front_matters(tmp_path / "mine")) == 15 and not (tmp_path / "demo" / "output").exists()
