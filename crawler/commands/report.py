"""``scrapy report``: the recent runs as one self-contained HTML page, for the operator's morning look.

    scrapy report                          # the newest 96 runs → runs/report.html (beside the summaries)
    scrapy report --runs 192               # two days of 15-minute runs (crawlall keeps RUN_SUMMARY_KEEP, 200)
    scrapy report --output /srv/www/crawl.html

Reads the run summaries ``scrapy crawlall`` writes to ``RUN_SUMMARY_DIR`` and draws, per provider,
articles discovered, fetched, new and failed, and image and excerpt coverage over the runs, with
the latest run's failed health checks at the top and every unhealthy run marked (crawler/report.py).
The page needs nothing else: no script, style sheet, font or image from anywhere.

A summary that cannot be read (corrupt, truncated, an unknown format) is skipped with a log line.

Exit codes: 0 the page was written (whatever the runs' health); 2 a bad option; 66 no readable run
summary in ``RUN_SUMMARY_DIR`` (one line: ``error: no run summary …``); 73 the page cannot be written.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.utils.log import configure_logging

from crawler import report
from crawler.clock import utc_now
from crawler.commands import check_options, fail
from crawler.publishing.files import write_atomic


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "[--output PATH] [--runs N]"

    def short_desc(self) -> str:
        return "Write an HTML page of the recent run summaries: per provider charts, health problems"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--output", help=f"where to write the page (default: RUN_SUMMARY_DIR/{report.REPORT_NAME})")
        parser.add_argument(
            "--runs", default=str(report.DEFAULT_RUNS), help=f"how many recent runs (default {report.DEFAULT_RUNS})"
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError(f"unexpected arguments: {' '.join(args)}")
        runs = _positive(opts.runs)
        configure_logging(self.settings)  # skipped summaries are log lines, in the crawl commands' format
        stop = check_options(self.settings)  # also anchors RUN_SUMMARY_DIR to the project folder
        if stop is not None:
            self.exitcode = stop
            return
        directory = Path(self.settings.get("RUN_SUMMARY_DIR"))
        output = Path(opts.output) if opts.output else directory / report.REPORT_NAME
        built = report.build_report(directory, runs)
        if not built.runs:
            skipped = f" ({len(built.skipped)} unreadable, skipped)" if built.skipped else ""
            fail(f"no run summary in {directory}{skipped}: scrapy crawlall writes them (RUN_SUMMARY_DIR)")
            self.exitcode = report.NO_SUMMARIES
            return
        page = report.render(built, utc_now())
        try:
            write_atomic(output, page.encode("utf-8"))
        except OSError as error:
            fail(f"cannot write the report {output}: {error.strerror or error}")
            self.exitcode = report.CANNOT_WRITE
            return
        latest, count = built.latest, len(built.latest.problems)
        health = f"unhealthy ({count} problem{'s' * (count != 1)})" if latest.unhealthy else "healthy"
        print(
            f"Wrote {output}: {len(built.runs)} runs of {len(built.providers)} providers, "
            f"{built.runs[0].started:%Y-%m-%d %H:%M} to {latest.finished:%Y-%m-%d %H:%M} UTC; latest run {health}"
            + (f"; {len(built.skipped)} summaries skipped" if built.skipped else "")
        )


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise UsageError(f"--runs {value!r} is not a positive whole number")
    return number
