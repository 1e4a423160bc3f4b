"""kill -9 mid-run, then one plain rerun: nothing is lost, not even what the story step had still to do.

A run killed before its story step used to leave the documents it wrote
unrelated for good: the rerun found them unchanged and did not relate them.
The store's pending list now carries them to the next story step. Temporary
files a killed writer leaves are removed by the next run. What is killed is a
process of its own (``scrapy crawl``, a writer); the crawls before and after it
run in the test process (``tests/inprocess.py``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from crawler.demo.server import SiteServer
from crawler.publishing.files import ABANDONED_AFTER, remove_abandoned_temporaries
from tests import stories_sites
from tests.crawling import REPO, start_crawl
from tests.inprocess import crawl_in_process

pytestmark = pytest.mark.e2e


def related_titles(output: Path) -> dict[str, list[str]]:
    found = {}
    for path in sorted(output.rglob("*.md")):
        front = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
        found[front["title"]] = [entry["title"] for entry in front["related"]]
    return found


def test_a_killed_run_and_one_rerun_relate_exactly_like_a_clean_run(tmp_path):
    registry = stories_sites.build(tmp_path / "sites")
    settings = {"PROVIDER_REGISTRY": str(registry), "IMAGES_STORE": ""}
    # gamma's pages land a second and a half apart, so that a kill falls after the first.
    delays = {path: {"delay": 1.5 * n} for n, (path, *_) in enumerate(stories_sites.ARTICLES["gamma"])}
    (tmp_path / "sites" / "gamma" / "_routes.yaml").write_text(yaml.safe_dump(delays), encoding="utf-8")
    with SiteServer(tmp_path / "sites" / "alpha") as alpha, SiteServer(tmp_path / "sites" / "gamma") as gamma:

        def starts(server, key):
            return "start_urls=" + ",".join(server.base_url + path for path, *_ in stories_sites.ARTICLES[key])

        for work in ("clean", "killed"):
            first = crawl_in_process("alpha", tmp_path / work, starts(alpha, "alpha"), settings=settings)
            assert first.returncode == 0, first.log[-2000:]
        clean = crawl_in_process("gamma", tmp_path / "clean", starts(gamma, "gamma"), settings=settings)
        assert clean.returncode == 0, clean.log[-2000:]

        output = tmp_path / "killed" / "output" / "gamma-wire.com"
        process = start_crawl("gamma", tmp_path / "killed", starts(gamma, "gamma"), settings=settings)
        deadline = time.monotonic() + 60
        while not (output.is_dir() and any(output.glob("*.md"))) and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        written_before_kill = len(list(output.glob("*.md")))
        assert 0 < written_before_kill < 3
        rerun = crawl_in_process("gamma", tmp_path / "killed", starts(gamma, "gamma"), settings=settings)
    assert rerun.returncode == 0, rerun.log[-2000:]
    expected = related_titles(tmp_path / "clean" / "output")
    assert sum(bool(titles) for titles in expected.values()) >= 4  # the clean run related both stories both ways
    assert related_titles(tmp_path / "killed" / "output") == expected


WRITER = """
import sys, time
from pathlib import Path
from crawler.publishing.files import _synced_temporary
with _synced_temporary(Path(sys.argv[1]), b"half of a picture", 0o644):
    print("holding", flush=True)
    time.sleep(60)
"""


def _killed_writer(target: Path) -> None:
    """A real writer process, killed with SIGKILL while its temporary file exists."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(target)], stdout=subprocess.PIPE, env=env, text=True)
    assert writer.stdout.readline().strip() == "holding"
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=10)


def _make_old(directory: Path) -> None:
    """Date the temporary files under ``directory`` back by more than ABANDONED_AFTER, on the file system's clock.

    The clean-up compares a file's mtime with a fresh file's (the file system's clock, which
    libfaketime does not move), so the test dates the files from that clock too, without
    waiting for the age to pass.
    """
    probe = directory / "clock.probe"
    probe.write_bytes(b"")
    then = probe.stat().st_mtime - ABANDONED_AFTER - 5
    probe.unlink()
    for path in directory.rglob(".*.tmp"):
        os.utime(path, (then, then))


def test_a_killed_writers_temporary_file_is_removed_and_a_live_ones_kept(tmp_path):
    images = tmp_path / "images" / "ab"
    images.mkdir(parents=True)
    _killed_writer(images / "abcdef.png")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    live = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(images / "live.png")], stdout=subprocess.PIPE, env=env, text=True
    )
    try:
        assert live.stdout.readline().strip() == "holding"
        _make_old(images)  # both files are older than the instant between creating and locking
        left = sorted(p.name.split(".")[1] for p in images.glob(".*.tmp"))
        assert left == ["abcdef", "live"]
        assert remove_abandoned_temporaries(tmp_path / "images") == 1
        assert [p.name.split(".")[1] for p in images.glob(".*.tmp")] == ["live"]
    finally:
        live.kill()
        live.wait()


def test_the_next_crawl_cleans_the_image_store_and_output(tmp_path):
    from tests.small_site import SmallSite

    site = SmallSite.create(tmp_path / "site", count=1)
    registry = site.registry(tmp_path / "providers.yaml")
    work = tmp_path / "work"
    for folder in (work / "images" / "ab", work / "output" / "small-news.com"):
        folder.mkdir(parents=True)
        _killed_writer(folder / "piece.bin")
    _make_old(work)
    with SiteServer(site.root) as server:
        result = crawl_in_process(
            "small", work, f"start_urls={server.base_url}/feed/", settings={"PROVIDER_REGISTRY": str(registry)}
        )
    assert result.returncode == 0, result.log[-2000:]
    assert not list(work.rglob(".*.tmp"))
    assert result.log.count("temporary files that an interrupted run left") == 2
