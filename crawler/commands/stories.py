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

from crawler.extensions import story_config
from crawler.record import as_utc
from crawler.store import open_store, store_location
from crawler.stories import StoryStep


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
        since = _since(opts.since)
        fixed = self.settings.get("CRAWL_REFERENCE_TIME")
        now = as_utc(fixed) if fixed else datetime.now(UTC)
        store = open_store(store_location(self.settings.get("RECORD_STORE")))
        try:
            web_urls = store.web_urls(since=since)
            step = StoryStep(
                store, story_config(self.settings), now, include_body=self.settings.getbool("DOCUMENT_BODY")
            )
            result = step.relate(web_urls)
        finally:
            store.close()
        print(
            f"{len(web_urls)} records; {result.related} with related articles; {result.rewritten} documents rewritten"
        )


def _since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.combine(date.fromisoformat(value), datetime.min.time(), tzinfo=UTC)
    except ValueError:
        raise UsageError(f"--since {value!r} is not a date in the form YYYY-MM-DD") from None
