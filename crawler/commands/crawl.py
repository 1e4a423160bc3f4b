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

from crawler import exitcodes
from crawler.commands import check_options, checked_store, store_outcome
from crawler.demo.launch import serve_demo


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("say which spider to run: scrapy crawl <spider>" if not args else "one spider at a time")
        assert self.crawler_process
        try:
            spider_class = self.crawler_process.spider_loader.load(args[0])
        except KeyError:
            raise UsageError(f"no spider named {args[0]!r} (scrapy list shows them)") from None
        stop = check_options(self.settings, opts.spargs, [spider_class])
        if stop is not None:
            self.exitcode = stop
            return
        with checked_store(self.settings) as stop:
            if stop is not None:
                self.exitcode = stop
                return
            crawler = self._create_crawler(args[0])
            self.crawler_process.crawl(crawler, **serve_demo(crawler, opts.spargs))
            self.crawler_process.start()
        failed = store_outcome([crawler])
        if failed is not None:
            self.exitcode = failed
        elif self.crawler_process.bootstrap_failed:
            self.exitcode = exitcodes.UNHEALTHY
