"""Run real crawls, as an operator would, against local fixture sites.

``run_crawl`` starts ``scrapy crawl`` in a subprocess (the real command, real
settings, real pipelines) with its output, store and stats redirected into a
temporary directory, and returns what it left behind. Crawls whose tests need
no process of their own (no exit code of the command, no signal, no lock, no
other working folder) run inside the test process instead, with the same
settings and the same result: ``tests.inprocess.crawl_in_process``.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
EXPECTED = REPO / "tests" / "expected"  # what a crawl of each fixture site must produce: reviewed data

# A fixed seal key so that tests can open the `secured` tokens they find.
SEAL_KEY_HEX = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
REFERENCE_TIME = "2026-11-24T12:00:00Z"


@dataclass
class CrawlResult:
    returncode: int
    stats: dict
    log: str
    output_dir: Path
    documents: dict[str, str] = field(default_factory=dict)  # path relative to output_dir -> text

    def front_matters(self) -> dict[str, dict]:
        """Each document's front matter, parsed with yaml.safe_load (as downstream consumers do)."""
        return {path: yaml.safe_load(text.split("---\n")[1]) for path, text in self.documents.items()}

    def by_web_url(self) -> dict[str, dict]:
        return {fm["webUrl"]: fm for fm in self.front_matters().values()}

    def stat(self, name: str) -> int:
        return int(self.stats.get(name, 0))


def crawl_settings(workdir: Path, settings: dict[str, str] | None = None) -> dict[str, str]:
    """The ``-s`` settings of a test crawl: output, store and stats under ``workdir``, a frozen "now", no delays.

    Both ways of crawling use them: :func:`run_crawl` (a ``scrapy crawl`` process) and
    ``tests.inprocess.crawl_in_process`` (the same crawl inside the test process).
    """
    return {
        "OUTPUT_DIR": str(workdir / "output"),
        "RECORD_STORE": str(workdir / "state" / "records.sqlite"),
        "STATS_FILE": str(workdir / "stats.json"),
        "IMAGES_STORE": str(workdir / "images"),
        "CRAWL_REFERENCE_TIME": REFERENCE_TIME,
        "AUTOTHROTTLE_ENABLED": "False",
        "LOOKBACK_DAYS": "0",  # the fixture sites' articles span past years
        "DOWNLOAD_DELAY": "0",
        "RETRY_TIMES": "2",
        "LOG_LEVEL": "INFO",
        **(settings or {}),
    }


def crawl_command(
    spider: str, workdir: Path, *args: str, settings: dict[str, str] | None = None
) -> tuple[list[str], dict[str, str]]:
    """The ``scrapy crawl`` command line and the settings it sets (output, store and stats under ``workdir``)."""
    all_settings = crawl_settings(workdir, settings)
    command = [sys.executable, "-m", "tests.offline", "crawl", spider]  # `scrapy crawl`, offline
    for arg in args:
        command += ["-a", arg]
    for name, value in all_settings.items():
        command += ["-s", f"{name}={value}"]
    return command, all_settings


def crawl_environment(cwd: Path | None = None, env: dict[str, str] | None = None) -> dict[str, str]:
    environment = {**os.environ, "CRAWLER_SEAL_KEY": SEAL_KEY_HEX, "PYTHONPATH": str(REPO), **(env or {})}
    if cwd is not None:
        environment["SCRAPY_SETTINGS_MODULE"] = "crawler.settings"
    return environment


def start_crawl(spider: str, workdir: Path, *args: str, settings: dict[str, str] | None = None) -> subprocess.Popen:
    """:func:`run_crawl` in the background (for tests that kill it)."""
    command, _ = crawl_command(spider, workdir, *args, settings=settings)
    return subprocess.Popen(
        command, cwd=REPO, env=crawl_environment(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def run_crawl(
    spider: str,
    workdir: Path,
    *args: str,
    settings: dict[str, str] | None = None,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> CrawlResult:
    """Run ``scrapy crawl spider`` with ``-a``/``-s`` arguments; output, store and stats go under ``workdir``.

    ``cwd`` runs the command from another folder than the project's (the project is
    then found through ``SCRAPY_SETTINGS_MODULE``); ``env`` adds environment variables.
    """
    from tests.offline import PREFIX

    command, all_settings = crawl_command(spider, workdir, *args, settings=settings)
    proc = subprocess.run(
        command, cwd=cwd or REPO, env=crawl_environment(cwd, env), capture_output=True, text=True, timeout=240
    )
    assert PREFIX not in proc.stderr, proc.stderr[-3000:]  # nothing but this machine was reached
    return crawl_result(proc.returncode, proc.stderr, workdir, Path(cwd or REPO) / all_settings["STATS_FILE"])


def crawl_result(returncode: int, log: str, workdir: Path, stats_file: Path) -> CrawlResult:
    """What a crawl left behind: its stats file, and the documents under ``workdir/output``."""
    stats = json.loads(stats_file.read_text()) if stats_file.exists() else {}
    output_dir = workdir / "output"
    documents = (
        {str(p.relative_to(output_dir)): p.read_text(encoding="utf-8") for p in sorted(output_dir.rglob("*.md"))}
        if output_dir.exists()
        else {}
    )
    return CrawlResult(returncode, stats, log, output_dir, documents)


def expected_output(site: str) -> dict:
    """The reviewed expected output of a crawl of the fixture site ``site`` (``tests/expected/<site>.yaml``)."""
    return yaml.safe_load((EXPECTED / f"{site}.yaml").read_text(encoding="utf-8"))


def expected_sites() -> list[str]:
    """The fixture sites that have an expected output."""
    return sorted(path.stem for path in EXPECTED.glob("*.yaml"))


def on_server(value, base_url: str):
    """An expected value with ``{{netloc}}`` (the fixture server's host:port) filled in, in strings,
    lists and mappings: image URLs (the server serves the sites' pictures) and AMP Cache URLs."""
    from urllib.parse import urlsplit

    if isinstance(value, str):
        return value.replace("{{netloc}}", urlsplit(base_url).netloc)
    if isinstance(value, list):
        return [on_server(item, base_url) for item in value]
    if isinstance(value, dict):
        return {key: on_server(item, base_url) for key, item in value.items()}
    return value


def check_document(doc: dict, expected: dict, base_url: str, provider: dict) -> None:
    """Assert that a document's front matter matches its entry in a fixture site's expected output.

    The crawl stores the lead image (the fixture server serves it): ``isCached: true``, with the
    size the image store measured, which is the page's (``image``) unless ``image_stored`` says otherwise.
    """
    from urllib.parse import urlsplit

    path = expected["path"]
    assert doc["title"] == expected["title"], path
    assert doc["publishedDateTime"].strftime("%Y-%m-%dT%H:%M:%SZ") == expected["publishedDateTime"], path
    if "excerpt" in expected:
        assert doc["excerpt"] == expected["excerpt"], path
    assert doc["excerpt"].startswith(expected["excerpt_starts_with"]), path
    assert len(doc["excerpt"]) <= 300
    assert doc["webUrl"] == base_url + path
    original = urlsplit(doc["originalUrl"])
    assert original.path + (f"?{original.query}" if original.query else "") in expected["original_paths"], path
    assert doc["ampWebUrl"] == base_url + expected["ampWebUrl"], path
    # The expected AMP Cache URL is written out; only the server's host:port is filled in.
    assert doc["cdnAmpWebUrl"] == expected["cdnAmpWebUrl"].replace("{{netloc}}", urlsplit(base_url).netloc), path
    assert doc["category"] == expected["category"], path
    assert doc["type"] == expected["type"], path
    assert set(doc["topics"]) == set(expected["topics"]), path
    assert doc["provider"] == provider
    if expected["image"] is None:
        assert doc["images"] == [], path
    else:
        lead = doc["images"][0]
        want = {**on_server(expected["image"], base_url), **expected.get("image_stored", {})}
        assert (lead["url"], lead["width"], lead["height"]) == (want["url"], want["width"], want["height"]), (
            path,
            lead,
            want,
        )
        assert lead["isCached"] is True, path
    assert 0 <= doc["quality"] <= 100 and 0 <= doc["heat"] <= 100


def run_demo_crawlall(folder: Path) -> Path:
    """``scrapy crawlall -a demo=1`` as a user runs it, with all its state under ``folder``: its output folder.

    Offline (``tests.offline``): a name lookup or a connection outside 127.0.0.1 fails the crawl's test.
    """
    from tests.offline import REPORT_ENV

    settings = {
        "OUTPUT_DIR": folder / "output",
        "RECORD_STORE": folder / "state" / "records.sqlite",
        "CRAWLALL_LOCK": folder / "state" / "crawlall.lock",
        "RUN_SUMMARY_DIR": folder / "runs",
        "IMAGES_STORE": folder / "images",
        "CRAWL_REFERENCE_TIME": REFERENCE_TIME,
    }
    command = [sys.executable, "-m", "tests.offline", "crawlall", "-a", "demo=1"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    report = folder / "offline.txt"
    env = {**os.environ, "CRAWLER_SEAL_KEY": SEAL_KEY_HEX, "PYTHONPATH": str(REPO), REPORT_ENV: str(report)}
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert not report.exists(), report.read_text()  # nothing but the demo sites on 127.0.0.1 was reached
    return folder / "output"


def front_matters(output: Path, key: str = "webUrl") -> dict[str, dict]:
    """The front matter of every document under ``output`` (parsed as downstream consumers do), by ``key``."""
    found = {}
    for path in output.rglob("*.md"):
        front = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
        found[front[key]] = front
    return found


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (for a server a test starts itself)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
