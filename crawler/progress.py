"""A live progress line per running crawl, when stderr is a terminal (a Scrapy extension).

An interactive ``scrapy crawl`` or ``scrapy crawlall`` shows, at the bottom of the terminal, one
line per provider whose crawl is running, redrawn four times a second from the crawl's stats::

    small     discovered     120  fetched      45  written      40      3.1 pages/s  failed    2  0:42
    technode  discovered      31  fetched      12  written      12      0.8 pages/s  failed    0  0:42

- discovered: article pages found to fetch (``discovery/articles``; articles a source says are
  unchanged are counted at the end of the crawl, ``discovery/skipped/unchanged``, and join then);
- fetched: article pages fetched, extracted or failed (``articles/extracted`` + ``articles/failed/*``);
- written: documents new or changed on disk (``documents/written``);
- the rate: article pages fetched per second over the last 10 seconds;
- failed: of the pages fetched, those that could not be fetched or extracted (``articles/failed/*``);
  then the time since the crawl started. A line is cut to the terminal's width, from the right.

The log goes on above the lines (the root log handler that writes to the same terminal is routed
through :meth:`Board.write` while lines are shown), and a crawl's line goes when it closes. When
stderr is not a terminal (cron, a pipe, a file; or ``TERM=dumb``) the extension is off and writes
nothing: Scrapy's periodic stats line stays as it is. Nor are there lines where periodic output
is off (``LOGSTATS_INTERVAL = 0``: ``scrapy shell``'s prompt must not be drawn over), nor in a
cluster worker that this process did not lead (``CRAWLALL_WORKERS`` helpers share the leader's
terminal).

The lines are drawn by tqdm (its fixed-position bars and ``tqdm.write``). Enabled in
``EXTENSIONS`` as ``"crawler.progress.Progress": 700``.
"""

from __future__ import annotations

import logging
import os
import sys
from collections import deque
from typing import Any, ClassVar, TextIO

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from tqdm import tqdm
from twisted.internet.task import LoopingCall

logger = logging.getLogger(__name__)

REFRESH_SECONDS = 0.25  # four redraws a second
RATE_WINDOW = 10.0  # seconds: the rate is of the pages fetched in this window


def is_terminal(stream: Any) -> bool:
    """Whether ``stream`` is an interactive terminal that can redraw lines (not a pipe, a file, a dumb one)."""
    try:
        interactive = bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # no isatty, a closed stream
        return False
    return interactive and os.environ.get("TERM", "") != "dumb"


def _printable(text: str) -> str:
    """No control characters on the terminal, whatever a name holds."""
    return "".join(ch if ch.isprintable() else "?" for ch in text)


def _elapsed(seconds: float) -> str:
    minutes, secs = divmod(int(max(0.0, seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Progress:
    """One crawl's progress line, read from its stats; the lines of a terminal are a :class:`Board`."""

    def __init__(self, crawler: Crawler, stream: TextIO, clock: Any):
        self.crawler = crawler
        self.stream = stream
        self.clock = clock
        self.name = ""
        self.started = 0.0
        self.samples: deque[tuple[float, int]] = deque()
        self.board: Board | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        from twisted.internet import reactor  # installed by now: Scrapy builds extensions on a configured reactor

        return cls.attach(crawler, sys.stderr, reactor)  # where Scrapy's log handler writes

    @classmethod
    def attach(cls, crawler: Crawler, stream: TextIO, clock: Any) -> Progress:
        """The extension for ``crawler``, drawing on ``stream`` with ``clock`` (a reactor, or a test's Clock)."""
        if not is_terminal(stream):
            raise NotConfigured  # no message: not a terminal is the usual case, nothing to warn about
        if not crawler.settings.getfloat("LOGSTATS_INTERVAL"):
            raise NotConfigured  # periodic output is off: scrapy shell's prompt, or -s LOGSTATS_INTERVAL=0
        if crawler.settings.get("CLUSTER_LEADER") is not None and not crawler.settings.getbool("CLUSTER_LEADER"):
            raise NotConfigured  # a cluster worker that does not lead (crawlall sets it): the leader draws
        extension = cls(crawler, stream, clock)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def spider_opened(self, spider) -> None:
        self.name = _printable(spider.name)
        self.started = self.clock.seconds()
        self.board = Board.on(self.stream, self.clock)
        self.board.add(self)

    def spider_closed(self, spider, reason: str = "") -> None:
        if self.board is not None:
            self.board.remove(self)
            self.board = None

    def engine_stopped(self) -> None:
        self.spider_closed(None)  # a crawl that stopped without closing its spider leaves no line behind

    def counts(self) -> dict[str, int]:
        """What the line shows, from the crawl's stats as they are now."""
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}

        def count(name: str) -> int:
            return int(stats.get(name, 0) or 0)

        failed = sum(int(value or 0) for name, value in list(stats.items()) if name.startswith("articles/failed/"))
        return {
            "discovered": count("discovery/articles") + count("discovery/skipped/unchanged"),
            "fetched": count("articles/extracted") + failed,
            "failed": failed,
            "written": count("documents/written"),
        }

    def rate(self, now: float, fetched: int) -> float:
        """Article pages fetched per second over the last ``RATE_WINDOW`` seconds (since the start, before)."""
        if not self.samples:
            self.samples.append((self.started, 0))
        self.samples.append((now, fetched))
        while len(self.samples) > 2 and self.samples[1][0] <= now - RATE_WINDOW:
            self.samples.popleft()
        then, before = self.samples[0]
        return (fetched - before) / (now - then) if now > then else 0.0

    def line(self, now: float, width: int) -> str:
        counts = self.counts()
        rate = self.rate(now, counts["fetched"])
        return (  # what matters most first: a narrow terminal cuts the end off
            f"{self.name:<{width}}  discovered {counts['discovered']:>7,}  fetched {counts['fetched']:>7,}"
            f"  written {counts['written']:>7,}  {rate:7.1f} pages/s  failed {counts['failed']:>4,}"
            f"  {_elapsed(now - self.started)}"
        )


class Board:
    """The progress lines on one terminal: one per running crawl, in the order they started, redrawn together.

    While it shows lines, the root log handlers that write to the same terminal write through
    :meth:`write` instead (``tqdm.write``: the lines are cleared, the record is written, the lines
    are drawn again below it), so log records and lines never overwrite each other.
    """

    _boards: ClassVar[dict[int, Board]] = {}

    @classmethod
    def on(cls, stream: TextIO, clock: Any) -> Board:
        board = cls._boards.get(id(stream))
        if board is None:
            board = cls._boards[id(stream)] = cls(stream, clock)
        return board

    def __init__(self, stream: TextIO, clock: Any):
        self.stream = stream
        self.clock = clock
        self.lines: dict[Progress, tqdm] = {}
        self.loop: LoopingCall | None = None
        self._redirected: list[tuple[logging.StreamHandler, Any]] = []

    def add(self, progress: Progress) -> None:
        if not self.lines:
            self._start()
        self.lines[progress] = tqdm(
            file=self.stream,
            position=len(self.lines),
            leave=False,
            bar_format="{desc}",
            dynamic_ncols=True,  # cut to the terminal's width: a wrapped line could not be redrawn in place
            mininterval=0,
            miniters=1,
            desc=progress.name,
        )
        self.redraw()

    def remove(self, progress: Progress) -> None:
        bar = self.lines.pop(progress, None)
        if bar is None:
            return
        with tqdm.get_lock():
            for other in self.lines.values():
                other.clear(nolock=True)
            bar.close()  # leave=False: its line is cleared
            for position, other in enumerate(self.lines.values()):
                other.pos = -position  # the lines below move up
        if self.lines:
            self.redraw()
        else:
            self._stop()

    def redraw(self) -> None:
        if not self.lines:
            return
        now = self.clock.seconds()
        width = max(len(p.name) for p in self.lines)
        try:
            for progress, bar in list(self.lines.items()):
                bar.set_description_str(progress.line(now, width), refresh=False)
                bar.refresh()
        except (OSError, ValueError) as error:  # the terminal went away: stop drawing, the crawl goes on
            logger.debug("Progress lines stopped: %s", error)
            for bar in self.lines.values():
                bar.disable = True
            self.lines.clear()
            self._stop()

    def write(self, text: str) -> None:
        """Text (a log record) above the lines."""
        if self.lines:
            tqdm.write(text, file=self.stream, end="")
        else:
            self.stream.write(text)
        self.stream.flush()

    def _start(self) -> None:
        above = _AboveTheLines(self)
        for handler in logging.getLogger().handlers:
            if type(handler) is logging.StreamHandler and handler.stream is self.stream:
                self._redirected.append((handler, handler.setStream(above)))
        self.loop = LoopingCall(self.redraw)
        self.loop.clock = self.clock
        self.loop.start(REFRESH_SECONDS, now=False)

    def _stop(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.loop = None
        for handler, stream in self._redirected:
            if isinstance(handler.stream, _AboveTheLines):
                handler.setStream(stream)
        self._redirected.clear()
        if self._boards.get(id(self.stream)) is self:
            del self._boards[id(self.stream)]


class _AboveTheLines:
    """The stream a redirected log handler writes to while lines are shown."""

    def __init__(self, board: Board):
        self.board = board

    def write(self, text: str) -> int:
        self.board.write(text)
        return len(text)

    def flush(self) -> None:
        self.board.stream.flush()

    def isatty(self) -> bool:
        return True
