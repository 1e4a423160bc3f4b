"""The live progress lines (crawler/progress.py): drawn on a terminal from the crawl's stats, nothing elsewhere.

The unit tests drive the extension with real Scrapy crawlers (real stats collectors, real signals)
on a fake terminal (a StringIO whose isatty() says True: it stands for the terminal, which is not
ours) and a Twisted test clock; what the terminal would show is worked out by :class:`Screen`. The
end-to-end test runs a real `scrapy crawl` with its stderr on a pseudo-terminal, and again on a pipe.
"""

from __future__ import annotations

import io
import json
import logging
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from fcntl import ioctl

import pytest
from scrapy import Spider, signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler
from twisted.internet.task import Clock

from crawler import settings as project_settings
from crawler.demo.server import SiteServer
from crawler.progress import REFRESH_SECONDS, Board, Progress
from tests.crawling import REPO, crawl_command, crawl_environment
from tests.small_site import SmallSite
from tests.test_crawlall import slow_down

# name, discovered, fetched, written, the rate; then failed (a narrow terminal may cut it off)
COLUMNS = 80  # the pseudo-terminal's width

LINE = re.compile(
    r"^(\S+)\s+discovered\s+([\d,]+)\s+fetched\s+([\d,]+)\s+written\s+([\d,]+)\s+([\d.]+) pages/s"
    r"(?:\s+failed\s+([\d,]+))?"
)


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Screen:
    """What a terminal shows after some output: carriage returns, newlines, cursor-up (ESC [ A); no wrapping."""

    def __init__(self, text: str):
        self.rows: list[list[str]] = [[]]
        row = col = 0
        for token in re.findall(r"\x1b\[[0-9;?]*[A-Za-z]|\r|\n|[^\x1b\r\n]", text):
            if token == "\r":
                col = 0
            elif token == "\n":
                row, col = row + 1, 0
                while len(self.rows) <= row:
                    self.rows.append([])
            elif token.startswith("\x1b["):
                if token.endswith("A"):
                    row = max(0, row - int(token[2:-1] or 1))
            else:
                line = self.rows[row]
                line.extend(" " * (col - len(line) + 1))
                line[col] = token
                col += 1

    @property
    def lines(self) -> list[str]:
        return ["".join(row).rstrip() for row in self.rows]

    def progress(self) -> dict[str, tuple[int, ...]]:
        """The progress lines on screen: provider → (discovered, fetched, written, failed)."""
        return dict(counts(line) for line in self.lines if LINE.match(line))


def counts(line: str) -> tuple[str, tuple[int, ...]]:
    match = LINE.match(line)
    numbers = (match[2], match[3], match[4], match[6] or "-1")
    return match[1], tuple(int(n.replace(",", "")) for n in numbers)


QUIET = {"EXTENSIONS_BASE": {"scrapy.extensions.corestats.CoreStats": 0}}  # no periodic tasks of Scrapy's own


def crawler_for(name: str, **settings):
    """A real Crawler (its stats collector, its signals) for a spider of that name."""
    return get_crawler(type(f"{name.title()}Spider", (Spider,), {"name": name}), {**QUIET, **settings})


def start(crawler, terminal, clock) -> Progress:
    extension = Progress.attach(crawler, terminal, clock)
    crawler.signals.send_catch_log(signals.spider_opened, spider=crawler.spidercls())
    return extension


def close(crawler) -> None:
    crawler.signals.send_catch_log(signals.spider_closed, spider=crawler.spidercls(), reason="finished")


def fetch(crawler, pages: int = 1, *, failed: str | None = None) -> None:
    """What the spider (crawler/spiders/base.py) and the write pipeline (crawler/pipelines.py) count."""
    stats = crawler.stats
    for _ in range(pages):
        stats.inc_value("discovery/articles")
        if failed:
            stats.inc_value(f"articles/failed/{failed}")
        else:
            stats.inc_value("articles/extracted")
            stats.inc_value("documents/written")
            stats.inc_value("documents/new")


@pytest.fixture(autouse=True)
def a_terminal_that_redraws(monkeypatch):
    monkeypatch.setenv("TERM", "xterm")  # whatever TERM the test run has (CI's may be "dumb")


def test_each_running_crawl_has_a_line_from_its_stats():
    terminal, clock = FakeTerminal(), Clock()
    small, technode = crawler_for("small"), crawler_for("technode")
    start(small, terminal, clock)
    start(technode, terminal, clock)
    fetch(small, 3)
    fetch(small, 1, failed="timeout")
    technode.stats.inc_value("discovery/articles", 7)
    clock.advance(REFRESH_SECONDS)
    screen = Screen(terminal.getvalue())
    assert screen.progress() == {"small": (4, 4, 3, 1), "technode": (7, 0, 0, 0)}
    assert [LINE.match(line)[1] for line in screen.lines] == ["small", "technode"]  # in the order they started

    fetch(technode, 5)
    clock.advance(REFRESH_SECONDS)
    assert Screen(terminal.getvalue()).progress()["technode"] == (12, 5, 5, 0)

    close(small)  # its line goes; the other moves up
    clock.advance(REFRESH_SECONDS)
    screen = Screen(terminal.getvalue())
    assert screen.progress() == {"technode": (12, 5, 5, 0)}
    assert LINE.match(screen.lines[0])[1] == "technode" and not any(screen.lines[1:])
    close(technode)
    assert not any(Screen(terminal.getvalue()).lines)  # nothing left behind
    written = len(terminal.getvalue())
    clock.advance(10 * REFRESH_SECONDS)
    assert len(terminal.getvalue()) == written  # no redraw once every crawl has closed
    assert Board._boards == {}


def test_the_rate_is_of_the_last_ten_seconds():
    terminal, clock = FakeTerminal(), Clock()
    crawler = crawler_for("small")
    extension = start(crawler, terminal, clock)
    for _ in range(20):  # 4 pages a second for 5 s
        fetch(crawler, 1)
        clock.advance(REFRESH_SECONDS)
    line = extension.line(clock.seconds(), 5)
    assert "4.0 pages/s" in line and line.endswith("0:05")
    clock.advance(11)  # nothing fetched in the last ten seconds
    assert "0.0 pages/s" in extension.line(clock.seconds(), 5)
    close(crawler)


def test_log_records_go_above_the_lines_and_the_handler_is_restored():
    terminal, clock = FakeTerminal(), Clock()
    handler = logging.StreamHandler(terminal)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        crawler = crawler_for("small")
        start(crawler, terminal, clock)
        fetch(crawler, 2)
        clock.advance(REFRESH_SECONDS)
        logging.getLogger("crawler.pipelines").warning("Wrote the second document")
        fetch(crawler, 1)
        clock.advance(REFRESH_SECONDS)
        screen = Screen(terminal.getvalue())
        assert screen.lines[0] == "WARNING Wrote the second document"
        assert screen.progress() == {"small": (3, 3, 3, 0)} and LINE.match(screen.lines[1])
        close(crawler)
        assert handler.stream is terminal
        logging.getLogger("crawler.pipelines").warning("after the crawl")
        assert Screen(terminal.getvalue()).lines[:2] == ["WARNING Wrote the second document", "WARNING after the crawl"]
    finally:
        root.removeHandler(handler)


def test_nothing_is_written_when_stderr_is_not_a_terminal(monkeypatch):
    clock = Clock()
    pipe = io.StringIO()  # isatty() is False: cron, a pipe, a file
    with pytest.raises(NotConfigured):
        Progress.attach(crawler_for("small"), pipe, clock)
    monkeypatch.setattr(sys, "stderr", pipe)
    with pytest.raises(NotConfigured):
        Progress.from_crawler(crawler_for("small"))
    monkeypatch.setenv("TERM", "dumb")  # a terminal that cannot redraw a line
    with pytest.raises(NotConfigured):
        Progress.attach(crawler_for("small"), FakeTerminal(), clock)
    monkeypatch.setenv("TERM", "xterm")
    with pytest.raises(NotConfigured):  # periodic output off: scrapy shell's prompt is not drawn over
        Progress.attach(crawler_for("small", LOGSTATS_INTERVAL=0), FakeTerminal(), clock)
    # A helper worker of a cluster run shares the leader's terminal: only the leader draws.
    with pytest.raises(NotConfigured):
        Progress.attach(crawler_for("small", CLUSTER_LEADER=False), FakeTerminal(), clock)
    assert isinstance(Progress.attach(crawler_for("small", CLUSTER_LEADER=True), FakeTerminal(), clock), Progress)
    monkeypatch.setenv("CRAWLER_REDIS_URL", "redis://127.0.0.1:6379/0")  # a plain crawl is no cluster worker
    assert isinstance(Progress.attach(crawler_for("small"), FakeTerminal(), clock), Progress)
    assert pipe.getvalue() == ""


def test_a_hostile_spider_name_writes_no_control_characters():
    terminal, clock = FakeTerminal(), Clock()
    crawler = crawler_for("x")
    Progress.attach(crawler, terminal, clock)
    crawler.signals.send_catch_log(signals.spider_opened, spider=type("S", (Spider,), {"name": "a\x1b]0;owned\x07b"})())
    clock.advance(REFRESH_SECONDS)
    close(crawler)
    assert "\x07" not in terminal.getvalue() and "\x1b]" not in terminal.getvalue()


# --- a real crawl, on a pseudo-terminal and on a pipe -------------------------------------------------


def progress_crawl(tmp_path, site_root, *, terminal: bool) -> tuple[int, str]:
    """`scrapy crawl small` with the extension on, stderr on a pseudo-terminal (80 columns) or a pipe."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    registry = SmallSite(site_root).registry(tmp_path / "providers.yaml")
    extensions = {**project_settings.EXTENSIONS, "crawler.progress.Progress": 700}
    with SiteServer(site_root) as server:
        command, _ = crawl_command(
            "small",
            tmp_path,
            f"start_urls={server.base_url}/feed/",
            settings={
                "PROVIDER_REGISTRY": str(registry),
                "EXTENSIONS": json.dumps(extensions),
                "IMAGES_STORE": "",
            },
        )
        env = {**crawl_environment(), "TERM": "xterm"}
        if not terminal:
            result = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, timeout=240)
            return result.returncode, result.stderr
        main, secondary = pty.openpty()
        ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 40, COLUMNS, 0, 0))
        process = subprocess.Popen(
            command, env=env, cwd=REPO, stdin=subprocess.DEVNULL, stdout=secondary, stderr=secondary
        )
        os.close(secondary)
        output = bytearray()
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(main, 65536)
                except OSError:  # the crawl closed the terminal (EIO)
                    break
                if not chunk:
                    break
                output += chunk
            elif process.poll() is not None:
                break
        os.close(main)
        return process.wait(timeout=30), output.decode("utf-8", errors="replace")


@pytest.mark.e2e
def test_a_crawl_on_a_terminal_shows_its_line_and_on_a_pipe_nothing(tmp_path):
    site = SmallSite.create(tmp_path / "site", count=8)
    slow_down(site, 0.3, staggered=True)  # pages land 0.3 s apart: a few redraws in between
    code, shown = progress_crawl(tmp_path / "tty", site.root, terminal=True)
    assert code == 0, shown[-3000:]
    assert "pages/s" in shown
    lines = Screen(shown.replace("\r\n", "\n")).lines
    drawn = [LINE.match(line) for line in lines if LINE.match(line)]
    assert drawn == []  # every line is gone once the crawl has closed; what stays is the log
    assert any("Spider closed (finished)" in line for line in lines)
    wrote = [line for line in lines if "[crawler.pipelines] INFO: Wrote " in line]
    assert len(wrote) == 8 and all(line.endswith("/)") for line in wrote)  # whole log lines, nothing over them
    frames = [part for part in re.split(r"[\r\n]", shown) if LINE.match(part)]  # each redraw starts with \r
    assert max(len(frame.rstrip()) for frame in frames) < COLUMNS  # cut to the width: redrawn in place
    fetched = [counts(frame)[1][1] for frame in frames]
    assert max(fetched) >= 1 and all(n <= 8 for n in fetched) and fetched == sorted(fetched)

    (site.root / "_routes.yaml").unlink()  # no need to wait this time
    code, logged = progress_crawl(tmp_path / "pipe", site.root, terminal=False)
    assert code == 0, logged[-3000:]
    assert "Spider closed (finished)" in logged
    assert "pages/s" not in logged and "\r" not in logged and "\x1b[" not in logged
    assert "crawler.progress" not in logged.split("Enabled extensions:", 1)[1].split("]", 1)[0]
