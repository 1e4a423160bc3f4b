"""``scrapy crawl <spider>``: Scrapy's command, with the project's checks and exit codes.

Before the crawl: arguments, settings and the record store are checked
(``crawler.commands``): a bad value exits 2, an unusable store 74,
each with one line. After it: a store that failed mid-crawl exits 74.
``-a demo=1`` crawls the provider's bundled site instead (``crawler.demo``).
"""

from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from crawler.commands import crawl_outcome, prepared_crawl


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("say which spider to run: scrapy crawl <spider>" if not args else "one spider at a time")
        assert self.crawler_process
        with prepared_crawl(self.crawler_process, self.settings, args[0], opts.spargs) as (stop, crawler, arguments):
            if stop is not None:
                self.exitcode = stop
                return
            self.crawler_process.crawl(crawler, **arguments)
            self.crawler_process.start()
        self.exitcode = crawl_outcome(crawler, self.crawler_process)
