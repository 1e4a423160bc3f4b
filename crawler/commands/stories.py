"""``scrapy stories``: relate the records in the store, as every crawl does at its end.

    scrapy stories                       # every record
    scrapy stories --since 2026-11-01    # records published since that day

For a store filled by several crawls (several machines on one PostgreSQL
store): relations and heat are brought up to date and the documents whose
``related`` or ``heat`` changed are rewritten.
"""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.clock import reference_time
from crawler.commands import check_options
from crawler.extensions import relate_stories


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "[--since YYYY-MM-DD]"

    def short_desc(self) -> str:
        return "Relate the stored records across providers and rewrite the documents that changed"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--since", help="only records published since this day")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        stop = check_options(self.settings)  # also anchors OUTPUT_DIR and RECORD_STORE to the project folder
        if stop is not None:
            self.exitcode = stop
            return
        count, result = relate_stories(self.settings, reference_time(self.settings), since=_since(opts.since))
        print(f"{count} records; {result.related} with related articles; {result.rewritten} documents rewritten")


def _since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.combine(date.fromisoformat(value), datetime.min.time(), tzinfo=UTC)
    except ValueError:
        raise UsageError(f"--since {value!r} is not a date in the form YYYY-MM-DD") from None
