"""Relative paths in the settings lead to the project folder, not to the working folder.

Run from another folder (a systemd unit, a cron line without ``cd``, Scrapyd), a crawl
used to make a new ``output/``, an empty record store (so that every article was new)
and a new seal key there. :func:`anchor_paths` makes every setting that names a file or
a folder (:data:`PATH_SETTINGS`) absolute, once, when the commands check their settings
(``crawler.commands.check_options``), so that every reader gets the anchored value. The
project folder is, in this order:

1. ``PROJECT_DIR`` when set (the ``CRAWLER_PROJECT_DIR`` environment variable sets its
   default): an absolute path to an existing folder. A Scrapyd deployment sets it, as it
   has no ``scrapy.cfg`` (the project runs from an egg);
2. the folder of the ``scrapy.cfg`` that Scrapy finds from the working folder upwards
   (``scrapy.utils.conf.closest_scrapy_cfg``);
3. the working folder, said once in the log.

Absolute paths stay as they are, and so do empty values (what turns a feature off) and
URLs (``RECORD_STORE=postgresql://…``, ``IMAGES_STORE=s3://…``). ``PROVIDER_REGISTRY`` is
not one of them: the spider loader reads it before any command runs (its default, the
bundled registry, is absolute); give another registry as an absolute path.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Any

from scrapy.utils.conf import closest_scrapy_cfg

from crawler.options import OptionError

logger = logging.getLogger(__name__)

BASE_SETTING = "PROJECT_DIR"
# Every setting of crawler/settings.py that names a file or a folder.
PATH_SETTINGS = (
    "OUTPUT_DIR",
    "RECORD_STORE",
    "IMAGES_STORE",
    "RUN_SUMMARY_DIR",
    "CRAWLALL_LOCK",
    "SEAL_KEY_FILE",
    "STATS_FILE",
)
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_said_working_folder = False


def project_dir(settings: Any) -> Path:
    """The folder relative paths are anchored to: ``PROJECT_DIR``, else scrapy.cfg's folder, else the working one."""
    global _said_working_folder
    explicit = settings.get(BASE_SETTING)
    if explicit:
        base = Path(str(explicit)).expanduser()
        if not base.is_absolute():
            raise OptionError(BASE_SETTING, explicit, "not an absolute path")
        if not base.is_dir():
            raise OptionError(BASE_SETTING, explicit, "no such folder")
        return base
    found = closest_scrapy_cfg()
    if found:
        return Path(found).parent
    here = Path.cwd()
    if not _said_working_folder:
        _said_working_folder = True
        logger.warning(
            "No scrapy.cfg in %s or above it, and no %s: relative paths (%s) are taken from this working folder",
            here,
            BASE_SETTING,
            ", ".join(PATH_SETTINGS),
        )
    return here


def anchor_paths(settings: Any) -> Path:
    """Make each relative path of :data:`PATH_SETTINGS` absolute against :func:`project_dir`, at its own priority.

    Returns the project folder. Doing it again changes nothing. A bad ``PROJECT_DIR`` is an ``OptionError``.
    """
    base = project_dir(settings)
    for name in PATH_SETTINGS:
        value = settings.get(name)
        if not isinstance(value, str | os.PathLike):
            continue
        text = os.fspath(value)
        if not text or _URL.match(text):
            continue
        path = Path(text).expanduser()
        if path.is_absolute():
            continue
        priority = settings.getpriority(name)
        settings.set(name, os.path.normpath(base / path), priority="project" if priority is None else priority)
    return base


def shown(path: str | os.PathLike[str]) -> str:
    """``path`` as a person reads it in a log line: relative to the working folder when it is inside it."""
    absolute = Path(path).absolute()
    try:
        return str(absolute.relative_to(Path.cwd())) or "."
    except ValueError:
        return str(path)
