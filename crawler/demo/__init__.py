"""The demo: provider-shaped websites served on 127.0.0.1, for a crawl without internet and for the tests.

``scrapy crawl <provider> -a demo=1`` (and ``scrapy crawlall -a demo=1``) crawl the provider's
bundled site instead of the real one. The crawl commands do it with :func:`serve_demo`, before
the spider exists: the spider itself knows nothing of the demo, and crawls the local server as
it would crawl a mirror given with ``-a start_urls=``.

``SiteServer(site_root("technode"))`` serves ``crawler/demo/sites/technode/``; see
``crawler/demo/sites/README.md`` for how a site is laid out and served. The sites are built by
``tools/fixture_sites`` (not part of the crawler).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.demo.launch import serve_demo
    from crawler.demo.server import SiteServer, site_root

__all__ = ["SiteServer", "serve_demo", "site_root"]
_MODULES = {"SiteServer": "server", "site_root": "server", "serve_demo": "launch"}


def __getattr__(name: str) -> Any:
    # Imported lazily so that ``python -m crawler.demo.server`` does not import the module twice,
    # and serving a site does not import Scrapy.
    if name in _MODULES:
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{_MODULES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
