"""The project's spider contracts: what ``scrapy check <provider>`` asks of an article page.

Scrapy's contracts (``@url``, ``@returns``, ``@scrapes``: ``scrapy.contracts.default``) are
docstring lines of a callback, checked on one real response. A provider spider's article
callback (``ProviderSpider.parse_article``) carries them, with two of the project's own:

- ``@sample_article``: the request is for the provider's ``sample_article`` (the registry's
  real article URL), so that one docstring serves every provider. When the crawl has start
  URLs (``-a start_urls=`` for a mirror, or ``-a demo=1``, whose site server gives them), the
  sample's path and query are asked of their server instead, as the spider reads a registry
  source on a mirror: ``scrapy check technode -a demo=1`` checks the bundled demo site, offline;
- ``@fills KEY …``: each record returned has these front-matter keys non-empty (``@scrapes``
  only checks that the item has such fields at all).

Both are in ``SPIDER_CONTRACTS`` (crawler/settings.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from scrapy.contracts import Contract
from scrapy.exceptions import ContractFail

from crawler.record import FRONT_MATTER_KEYS, Record


class SampleArticleContract(Contract):
    """``@sample_article``: the request is for the provider's ``sample_article``, on the start URLs' server if any."""

    name = "sample_article"

    def __init__(self, method: Callable[..., Any], *args: Any):
        super().__init__(method, *args)
        self.spider = getattr(method, "__self__", None)

    def adjust_request_args(self, args: dict[str, Any]) -> dict[str, Any]:
        args["url"] = sample_url(self.spider)
        return args


def sample_url(spider: Any) -> str:
    """The URL ``@sample_article`` fetches for ``spider``: its provider's sample, moved to its start URLs' origin."""
    provider = getattr(spider, "provider", None)
    sample = getattr(provider, "sample_article", "")
    if not sample:
        name = getattr(spider, "name", "?")
        raise ValueError(f"{name}: no sample_article in its registry entry, nothing to check the contracts on")
    starts = list(getattr(spider, "start_urls", None) or ())
    if not starts:
        return sample
    start, parts = urlsplit(starts[0]), urlsplit(sample)
    return f"{start.scheme}://{start.netloc}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")


class FillsContract(Contract):
    """``@fills KEY …``: every record returned has these front-matter keys with a value (not empty)."""

    name = "fills"

    def __init__(self, method: Callable[..., Any], *args: Any):
        super().__init__(method, *args)
        unknown = [key for key in args if key not in FRONT_MATTER_KEYS]
        if unknown or not args:
            raise ValueError(f"@fills {' '.join(args)}: name front-matter keys (not {', '.join(unknown) or 'none'})")

    def post_process(self, output: list[Any]) -> None:
        for item in output:
            if not isinstance(item, Record):
                continue
            front = item.front_matter()
            empty = [key for key in self.args if front.get(key) in (None, "", [], {})]
            if empty:
                raise ContractFail(f"{item.web_url}: empty {', '.join(empty)}")
