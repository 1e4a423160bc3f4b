"""Local fixture sites: provider-shaped websites served on 127.0.0.1 for the demo crawl and the tests.

``SiteServer(site_root("technode"))`` serves ``crawler/demo/sites/technode/``; see
``crawler/demo/sites/README.md`` for how a fixture site is laid out and built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.demo.server import SiteServer, site_root

__all__ = ["SiteServer", "site_root"]


def __getattr__(name: str) -> Any:
    # Imported lazily so that ``python -m crawler.demo.server`` does not import the module twice.
    if name in __all__:
        from crawler.demo import server

        return getattr(server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
