"""The builders of the fixture sites: they write what ``crawler/demo/sites/<key>/`` serves.

A synthesized site has a source here, ``<key>.yaml`` (the site's settings and articles), and a
builder, ``<key>.py``, whose ``build()`` returns every file the site serves (relative path →
bytes, ``_routes.yaml`` included). The crawler never imports this package: the demo
(``scrapy crawl <key> -a demo=1``) and the tests serve the files it wrote, as committed.

What a crawl of each site must produce is reviewed data, ``tests/expected/<key>.yaml``, written
and checked by hand against the pages: no builder writes it.

    .venv/bin/python -m tools.fixture_sites build [KEY …]   # rewrite the served files from the sources
    .venv/bin/python -m tools.fixture_sites check [KEY …]   # exit 1 if a committed file is out of date

See ``tools/fixture_sites/README.md``.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from crawler.demo.server import SITES as SERVED
from tools.fixture_sites.kit.common import stale_files

SITES = ("businessinsider", "techinasia", "technode", "techstory")  # a builder module and a source each


def served_root(key: str) -> Path:
    """Where the site ``key`` is served from (``crawler/demo/sites/<key>/``)."""
    return SERVED / key


def build(key: str) -> dict[str, bytes]:
    """Every file the site ``key`` serves (relative path → bytes), from its source."""
    if key not in SITES:
        raise KeyError(f"no fixture-site builder {key!r} (known: {', '.join(SITES)})")
    return importlib.import_module(f"{__name__}.{key}").build()


def unbuilt_files(files: dict[str, bytes], root: Path) -> list[str]:
    """Files under ``root`` that the builder no longer makes (relative paths, sorted)."""
    present = (str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())
    return sorted(path for path in present if path not in files)


def out_of_date(key: str, files: dict[str, bytes] | None = None) -> list[str]:
    """The committed files of site ``key`` that differ from its builder's, are missing, or are no longer built."""
    files = build(key) if files is None else files
    root = served_root(key)
    return sorted(stale_files(files, root) + (unbuilt_files(files, root) if root.is_dir() else []))
