"""``scrapy providers``: validate the provider registry and, with ``--check``, try every source.

    scrapy providers                     # the registry is valid? list the providers and their sources
    scrapy providers --check             # fetch each enabled provider's sources; report what each gave
    scrapy providers --check technode    # only these providers
    scrapy providers --check --demo      # against the bundled fixture sites, offline

Exit codes: 0 all good; 1 a provider's sources gave no article; 2 the registry is invalid.
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.commands import check_options
from crawler.demo.launch import serve_demo
from crawler.registry import RegistryError, load_registry


class Command(ScrapyCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[--check] [--demo] [provider …]"

    def short_desc(self) -> str:
        return "Validate the provider registry; with --check, try each provider's sources"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--check", action="store_true", help="fetch each provider's sources and report")
        parser.add_argument("--demo", action="store_true", help="check against the bundled fixture sites")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        try:
            registry = load_registry(self.settings.get("PROVIDER_REGISTRY"))
        except RegistryError as error:
            print(f"error: {error}", file=sys.stderr)
            self.exitcode = 2
            return
        unknown = [key for key in args if key not in registry]
        if unknown:
            raise UsageError(f"not in the registry: {', '.join(unknown)}")
        providers = [registry.get(key) for key in args] or [p for p in registry if p.enabled]
        print(f"Registry {self.settings.get('PROVIDER_REGISTRY')}: {len(registry)} providers, valid.")
        for provider in providers:
            kinds = ", ".join(f"{s.kind} {s.url}" for s in provider.sources)
            print(
                f"  {provider.key:16} {provider.name} ({', '.join(provider.all_domains)}; {provider.timezone}): {kinds}"
            )
        if not opts.check:
            return
        stop = check_options(self.settings)  # also anchors the path settings to the project folder
        if stop is not None:
            self.exitcode = stop
            return
        # A check follows sources only: no record to store, seal or relate (and no seal key to create).
        self.settings.setdict({"ITEM_PIPELINES": {}, "STORIES_ENABLED": False}, priority="spider")
        crawlers = {}
        for provider in providers:
            crawler = self.crawler_process.create_crawler(provider.key)
            crawlers[provider.key] = crawler
            self.crawler_process.crawl(crawler, **serve_demo(crawler, {"check": "1", "demo": opts.demo}))
        self.crawler_process.start()
        print("\nSources:")
        failing = []
        for key, crawler in crawlers.items():
            report = crawler.spider.report if crawler.spider else {}
            articles = sum(r.articles for r in report.values())
            print(f"  {key}: {articles} article links from {len(report)} source documents")
            for url, entry in sorted(report.items()):
                newest = f", newest {entry.newest:%Y-%m-%d %H:%M}Z" if entry.newest else ""
                problem = f"  ! {entry.problem}" if entry.problem else ""
                print(f"    {url}: {entry.links} links, {entry.articles} articles{newest}{problem}")
            if not articles:
                failing.append(key)
        if failing:
            print(f"\nNo article found for: {', '.join(failing)}", file=sys.stderr)
            self.exitcode = 1
