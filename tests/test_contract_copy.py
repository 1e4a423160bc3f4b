"""docs/RECORD.md is the record contract, word for word: the README links to it, not to ../shared/.

The contract itself is kept beside the project (``../shared/RECORD.md``); the copy lets a
clone of the repository stand on its own. When the contract changes, copy it again:
``cp ../shared/RECORD.md docs/RECORD.md``.
"""

from __future__ import annotations

import pytest

from tests.crawling import REPO

CONTRACT = REPO.parent / "shared" / "RECORD.md"
COPY = REPO / "docs" / "RECORD.md"


def test_docs_record_is_the_shared_contract():
    if not CONTRACT.is_file():
        pytest.skip(f"no contract to compare with: {CONTRACT} is not here (a clone without ../shared)")
    assert COPY.is_file(), f"{COPY} is missing: cp {CONTRACT} {COPY}"
    assert COPY.read_bytes() == CONTRACT.read_bytes(), (
        f"{COPY.relative_to(REPO)} differs from the contract {CONTRACT}: cp {CONTRACT} {COPY}"
    )


def test_the_readme_links_the_copy():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "](docs/RECORD.md)" in readme
    assert "../shared/RECORD.md" not in readme
