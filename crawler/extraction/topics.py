"""Topic labels from the configured vocabulary (``crawler/topics.yaml``).

Aliases match case-insensitively as whole words. Sources in order of strength:
tags (``article:tag``, JSON-LD ``keywords``/``about``, keyword metas),
sections and hint categories, then the title, then the excerpt. Labels keep
that order (then first appearance), deduplicated, at most five.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from crawler.extraction.normalize import plain_text
from crawler.extraction.page import Page
from crawler.record import MAX_TOPICS

__all__ = ["TOPICS_FILE", "Vocabulary", "load_vocabulary", "page_keywords", "topics"]

# Through importlib.resources: a Path when installed as files, a member of the archive in a zipped egg.
TOPICS_FILE: Traversable = files("crawler") / "topics.yaml"


class Vocabulary:
    """Label → aliases, compiled into one whole-word, case-insensitive pattern."""

    def __init__(self, labels: dict[str, list[str]]):
        self.alias_to_label: dict[str, str] = {}
        for label, aliases in labels.items():
            for alias in [label, *(aliases or [])]:
                key = str(alias).strip().casefold()
                if key:
                    self.alias_to_label.setdefault(key, str(label))
        alternatives = sorted((re.escape(a) for a in self.alias_to_label), key=len, reverse=True)
        self.pattern = re.compile(r"(?<![\w])(" + "|".join(alternatives) + r")(?![\w])", re.IGNORECASE)

    def find(self, text: str) -> list[str]:
        """Labels mentioned in ``text``, in order of first appearance."""
        if not text or not self.alias_to_label:
            return []
        labels = (self.alias_to_label.get(m.group(1).casefold()) for m in self.pattern.finditer(text))
        return list(dict.fromkeys(label for label in labels if label))


@lru_cache(maxsize=4)
def load_vocabulary(path: str | Path | Traversable = TOPICS_FILE) -> Vocabulary:
    """Read a topics YAML file (``Label: [alias, ...]``) once."""
    import yaml  # only when topics are first needed

    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    source = Path(path) if isinstance(path, str) else path
    data = yaml.load(source.read_text(encoding="utf-8"), Loader=loader) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of topic label to aliases")
    return Vocabulary({str(k): list(v or []) for k, v in data.items()})


def _ld_keywords(page: Page) -> list[str]:
    found: list[str] = []
    for obj in page.ld_articles[:2]:
        for key in ("keywords", "about", "mentions"):
            value = obj.get(key)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict):
                    item = item.get("name")
                if isinstance(item, str):
                    found.extend(part for part in item.split(",") if part.strip())
    return found


def page_keywords(page: Page) -> list[str]:
    """The page's own tags and keywords, strongest first."""
    tags = [*page.meta_all("article:tag"), *_ld_keywords(page)]
    for key in ("news_keywords", "keywords", "parsely-tags", "sailthru.tags"):
        for value in page.meta_all(key):
            tags.extend(part for part in value.split(","))
    return [t for t in dict.fromkeys(plain_text(t) for t in tags) if t]


def topics(
    page: Page,
    title: str,
    excerpt: str,
    sections: list[str],
    vocabulary: Vocabulary | None = None,
) -> list[str]:
    """Up to five vocabulary labels for the page."""
    vocabulary = vocabulary or load_vocabulary()
    found: list[str] = []
    for source in (page_keywords(page), sections, [title], [excerpt]):
        for text in source:
            found.extend(vocabulary.find(text))
    return list(dict.fromkeys(found))[:MAX_TOPICS]
