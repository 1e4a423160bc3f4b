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
from pathlib import Path

from scrapy.commands import ScrapyCommand

from crawler.clock import reference_time
from crawler.commands import check_options
from crawler.commands.stories import _since
from crawler.publishing.writer import DocumentWriter
from crawler.store import held


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
        stop = check_options(self.settings)  # also anchors OUTPUT_DIR and RECORD_STORE to the project folder
        if stop is not None:
            self.exitcode = stop
            return
        output_dir = Path(self.settings.get("OUTPUT_DIR"))
        include_body = self.settings.getbool("DOCUMENT_BODY")
        written = unchanged = 0
        with held(self.settings) as store:
            writer = DocumentWriter(store, output_dir, include_body=include_body)
            now = reference_time(self.settings)
            web_urls = args or store.web_urls(provider_domain=opts.provider, since=_since(opts.since))
            for stored in store.get_many(web_urls).values():
                _, changed = writer.write(stored.record, now)
                written += changed
                unchanged += not changed
        print(f"{written} documents written, {unchanged} unchanged, in {output_dir}")
