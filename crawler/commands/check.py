"""``scrapy check [provider …]``: Scrapy's contract check, with the project's options and the demo sites.

    scrapy check                      # every provider's contracts, against the live sites
    scrapy check technode -a demo=1   # against the bundled demo site, on 127.0.0.1 (offline)
    scrapy check -l                   # list the checked callbacks

The contracts are docstring lines of ``ProviderSpider.parse_article`` (``crawler/contracts.py``):
the provider's ``sample_article`` is fetched and must give exactly one record, no request, and
the contract's keys filled. Scrapy's command does the checking; this one checks the settings and
``-a`` arguments first (anchoring the path settings, ``crawler.commands.check_options``), and with
``-a demo=1`` serves each provider's demo site for its check (``crawler.demo.serve_demo``), so
that the sample is asked of it. Nothing is written: no item pipeline (Scrapy's command turns them
off), no story step, no record store opened.

Exit codes: 0 every contract holds; 1 one failed or errored (Scrapy's report names it); 2 a bad
option, argument or setting, or an unknown spider.
"""

from __future__ import annotations

import argparse
from typing import Any

from scrapy.commands.check import Command as ScrapyCheck
from scrapy.exceptions import UsageError
from scrapy.settings import SETTINGS_PRIORITIES

from crawler.commands import check_options
from crawler.demo.launch import serve_demo


class Command(ScrapyCheck):
    def syntax(self) -> str:
        return "[options] [provider …]"

    def short_desc(self) -> str:
        return "Check the providers' spider contracts (-a demo=1: against the bundled demo sites)"

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        # As Scrapy's command does for the item pipelines: nothing to relate (the command line still wins).
        priority = (SETTINGS_PRIORITIES["spider"] + SETTINGS_PRIORITIES["cmdline"]) // 2
        self.settings.set("STORIES_ENABLED", False, priority=priority)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.crawler_process
        process = self.crawler_process
        loader = process.spider_loader
        try:
            spider_classes = [loader.load(name) for name in args or loader.list()]
        except KeyError as error:
            raise UsageError(f"{error.args[0] if error.args else error} (scrapy list shows them)") from None
        stop = check_options(self.settings, opts.spargs, spider_classes)
        if stop is not None:
            self.exitcode = stop
            return
        crawl = process.crawl

        def crawl_with_demo(spidercls: Any, *crawl_args: Any, **arguments: Any) -> Any:
            """Scrapy's command crawls each checked spider class; the demo's site is served for it first."""
            crawler = process.create_crawler(spidercls)
            return crawl(crawler, *crawl_args, **serve_demo(crawler, arguments))

        process.crawl = crawl_with_demo  # type: ignore[method-assign]
        try:
            super().run(args, opts)
        finally:
            del process.crawl  # the class's method again
