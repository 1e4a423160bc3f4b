"""``scrapy render``: write documents again from the record store.

    scrapy render                          # every record
    scrapy render --provider technode.com  # one provider's
    scrapy render --since 2026-11-01 URL…  # published since, or these webUrls

Documents in ``output/`` are renderings of the store: after a change of
``OUTPUT_DIR``, ``DOCUMENT_BODY`` or the writer, or a lost output folder, this
rebuilds them (atomically; unchanged files are left alone).
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from scrapy.commands import ScrapyCommand

from crawler.commands.stories import _since
from crawler.publishing.files import write_atomic
from crawler.publishing.frontmatter import render
from crawler.publishing.paths import document_path
from crawler.store import open_store, store_location


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "[--provider DOMAIN] [--since YYYY-MM-DD] [webUrl …]"

    def short_desc(self) -> str:
        return "Re-render documents from the record store"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--provider", default="", help="only this provider's records (its domain)")
        parser.add_argument("--since", help="only records published since this day")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        output_dir = Path(self.settings.get("OUTPUT_DIR"))
        include_body = self.settings.getbool("DOCUMENT_BODY")
        store = open_store(store_location(self.settings.get("RECORD_STORE")))
        written = unchanged = 0
        try:
            web_urls = args or store.web_urls(provider_domain=opts.provider, since=_since(opts.since))
            for stored in store.get_many(web_urls).values():
                path = document_path(output_dir, stored.record)
                if write_atomic(path, render(stored.record, include_body=include_body).encode("utf-8")):
                    written += 1
                else:
                    unchanged += 1
                if str(path) != stored.document_path:
                    store.put(stored.record, str(path), datetime.now(UTC))
        finally:
            store.close()
        print(f"{written} documents written, {unchanged} unchanged, in {output_dir}")
