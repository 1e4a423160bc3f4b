"""One spider per provider registry entry, without writing a class for each.

Scrapy finds spiders as classes in ``SPIDER_MODULES``. This loader adds a
:class:`~crawler.spiders.provider.ProviderSpider` subclass for every entry of
the registry named by ``PROVIDER_REGISTRY``, so ``scrapy list`` shows every
provider and ``scrapy crawl <key>`` crawls it. A hand-written spider with the
same name (a provider's own module, for sites that need code) takes precedence.
"""

from __future__ import annotations

import sys

from scrapy.settings import BaseSettings
from scrapy.spiderloader import SpiderLoader

from crawler.registry import RegistryError, load_registry
from crawler.spiders.provider import ProviderSpider


class RegistrySpiderLoader(SpiderLoader):
    def __init__(self, settings: BaseSettings):
        super().__init__(settings)
        try:
            registry = load_registry(settings.get("PROVIDER_REGISTRY"))
        except RegistryError as error:
            # Every scrapy command loads spiders first: a bad registry stops it here, in one line.
            print(f"error: {error}", file=sys.stderr)
            sys.exit(2)
        for provider in registry:
            if provider.key not in self._spiders:
                self._spiders[provider.key] = provider_spider_class(provider.key, provider.name)


def provider_spider_class(key: str, name: str) -> type[ProviderSpider]:
    """A spider class for one registry entry."""
    return type(
        f"{key.title().replace('_', '')}Spider",
        (ProviderSpider,),
        {"name": key, "__doc__": f"Crawls {name}: its feeds, sitemaps and listings, then its articles."},
    )
