"""Fixtures for the publishing tests."""

from __future__ import annotations

import pytest

from crawler.record import Record

from .example_data import example_record


@pytest.fixture
def record() -> Record:
    """A fresh copy of the contract's example record (tests may change it)."""
    return example_record()
