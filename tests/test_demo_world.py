"""The demo is a world of its own: `-a demo=1` never writes into production's output or store,
and never reaches another address than 127.0.0.1 (its sites serve their own pictures)."""

from __future__ import annotations

import subprocess
import sys
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image

from crawler.demo.server import SITES, load_routes
from tests.crawling import crawl_environment, free_port, front_matters
from tests.offline import PREFIX, REPORT_ENV

pytestmark = pytest.mark.e2e


def offline_demo(
    tmp_path: Path, *args: str, command: tuple[str, ...] = ("crawl", "technode")
) -> subprocess.CompletedProcess:
    """``scrapy crawl technode -a demo=1 …`` from ``tmp_path``, with every address but 127.0.0.1 refused."""
    command = [sys.executable, "-m", "tests.offline", *command, "-a", "demo=1", *args]
    env = {**crawl_environment(tmp_path), REPORT_ENV: str(tmp_path / "offline.txt")}
    return subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240)


def test_the_demo_writes_its_own_folder_and_twice_the_same_documents(tmp_path):
    """Run as a newcomer runs it (no -s for folders), twice: demo/ only, no duplicates, a closing line."""
    port = free_port()
    runs = []
    for _ in range(2):
        result = offline_demo(tmp_path, "-s", f"DEMO_PORT={port}")
        assert result.returncode == 0, result.stderr[-2000:]
        runs.append((result.stderr, front_matters(tmp_path / "demo" / "output")))
    assert not (tmp_path / "output").exists() and not (tmp_path / "state").exists()  # production's stay untouched
    assert (tmp_path / "demo" / "state" / "records.sqlite").is_file()
    assert set(runs[0][1]) == set(runs[1][1]) and len(runs[0][1]) == 15  # the same documents: stable URLs
    assert len(list((tmp_path / "demo" / "output").rglob("*.md"))) == 15
    assert "Demo: 15 documents written to demo/output (0 unchanged)" in runs[0][0]
    assert "Demo: 0 documents written to demo/output (15 unchanged)" in runs[1][0]
    # Nothing but the demo server was asked: no name looked up, no other address connected to.
    assert PREFIX not in runs[0][0] + runs[1][0] and not (tmp_path / "offline.txt").exists()


def test_the_readmes_first_command_twice_says_no_warning_and_ends_with_what_it_wrote(tmp_path):
    """`scrapy crawlall -a demo=1` (every seed provider), twice: the same documents, every image stored, no
    warning about what the demo sites do on purpose, and a last line for the whole run."""
    port = free_port()
    runs = []
    for _ in range(2):
        # As from the project's folder: PROJECT_DIR says where that is (no scrapy.cfg in tmp_path).
        result = offline_demo(
            tmp_path, "-s", f"DEMO_PORT={port}", "-s", f"PROJECT_DIR={tmp_path}", command=("crawlall",)
        )
        assert result.returncode == 0, result.stderr[-2000:]
        runs.append(result.stderr)
    documents = front_matters(tmp_path / "demo" / "output")
    assert len(documents) == len(list((tmp_path / "demo" / "output").rglob("*.md"))) == 53
    for stderr, (written, unchanged) in zip(runs, [(53, 0), (0, 53)], strict=True):
        assert " WARNING: " not in stderr and " ERROR: " not in stderr, stderr[-3000:]
        assert (
            stderr.strip()
            .splitlines()[-1]
            .endswith(f"Demo: {written} documents written to demo/output ({unchanged} unchanged)")
        )
    images = [image for doc in documents.values() for image in doc["images"]]
    assert len(images) > len(documents) and all(image["isCached"] is True for image in images)
    assert not (tmp_path / "output").exists() and not (tmp_path / ".secrets").exists()  # production's untouched


def test_every_demo_document_has_its_lead_image_stored_at_its_real_size(tmp_path):
    result = offline_demo(tmp_path, "-s", f"DEMO_PORT={free_port()}")
    assert result.returncode == 0, result.stderr[-2000:]
    assert not (tmp_path / "offline.txt").exists(), (tmp_path / "offline.txt").read_text()
    documents = front_matters(tmp_path / "demo" / "output")
    routes = load_routes(SITES / "technode")
    stored = {
        Image.open(BytesIO(path.read_bytes())).size for path in (tmp_path / "demo" / "state" / "images").rglob("*.*")
    }
    with_images = [doc for doc in documents.values() if doc["images"]]
    assert len(with_images) == 14  # the SenseTime story has only the registry's placeholder: images: []
    for doc in with_images:
        lead = doc["images"][0]
        url = urlsplit(lead["url"])
        # At the demo server's own address, measured from the bytes it served: the size its route gives.
        assert url.netloc == urlsplit(doc["webUrl"]).netloc and url.hostname == "127.0.0.1", lead["url"]
        assert lead["isCached"] is True, doc["webUrl"]
        assert (lead["width"], lead["height"]) == routes[url.path].image, doc["webUrl"]
        assert (lead["width"], lead["height"]) in stored and min(lead["width"], lead["height"]) > 100


def test_settings_on_the_command_line_still_win_over_the_demos_folders(tmp_path):
    result = offline_demo(
        tmp_path, "-s", "IMAGES_STORE=", "-s", f"OUTPUT_DIR={tmp_path / 'mine'}", "-s", f"DEMO_PORT={free_port()}"
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(front_matters(tmp_path / "mine")) == 15 and not (tmp_path / "demo" / "output").exists()
