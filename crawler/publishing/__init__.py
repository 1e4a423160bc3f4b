"""Publishing: records out as front-matter documents (render/parse, file paths, atomic writes)."""

from __future__ import annotations

from crawler.publishing.files import write_atomic
from crawler.publishing.frontmatter import parse, render
from crawler.publishing.paths import document_path

__all__ = ["document_path", "parse", "render", "write_atomic"]
