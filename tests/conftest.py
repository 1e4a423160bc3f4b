"""Shared fixtures: record stores on both backends; the Hypothesis profiles."""

from __future__ import annotations

import os
import uuid

import pytest
from hypothesis import settings

# Property tests: "ci" (the default) is derandomized, so that two runs give the same results, and
# small enough for the suite's time; "deep" explores far more (HYPOTHESIS_PROFILE=deep pytest …).
settings.register_profile("ci", derandomize=True, max_examples=60, deadline=None, database=None)
settings.register_profile("deep", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

POSTGRES_URL = os.environ.get("CRAWLER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture
def postgres_url():
    """A PostgreSQL store URL on a fresh schema of the local server (dropped afterwards).

    Needs the PostgreSQL server this machine runs (CRAWLER_TEST_POSTGRES_URL to
    point elsewhere). In CI (CI=true) a missing server is a failure; on a
    user's machine without one, the test is skipped with that reason.
    """
    try:
        import psycopg

        admin = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5)
    except Exception as error:  # no driver, no server, no database: all mean "no PostgreSQL here"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs the PostgreSQL server at {POSTGRES_URL}: {error}")
        pytest.skip(f"no PostgreSQL server at {POSTGRES_URL}: {error}")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    admin.execute(f"DROP SCHEMA {schema} CASCADE")
    admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """A record store location on each backend: the same suite runs on both."""
    if request.param == "sqlite":
        return str(tmp_path / "state" / "records.sqlite")
    return request.getfixturevalue("postgres_url")
