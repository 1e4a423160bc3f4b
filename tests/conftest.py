"""Shared fixtures: record stores on both backends; the Hypothesis profiles; the session's reactor."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import uuid
from collections import OrderedDict
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import settings

from tests import offline

# No test reaches past this machine: in the test processes every lookup of another name fails as an
# unknown name does, and every connection to another address as an unreachable network does (reported
# on stderr). Before Twisted and Scrapy are imported, so that their resolvers are covered too.
offline.install()

# Property tests: "ci" (the default) is derandomized, so that two runs give the same results, and
# small enough for the suite's time; "deep" explores far more (HYPOTHESIS_PROFILE=deep pytest …).
settings.register_profile("ci", derandomize=True, max_examples=60, deadline=None, database=None)
settings.register_profile("deep", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# --- the session's reactor, for crawls in the test process ------------------------------------------


def pytest_configure(config):
    """Start the Twisted reactor that in-process crawls share (``tests/inprocess.py``), once per test process.

    At the start, so that every test runs in the same process state whichever test
    crawled first; not in pytest-xdist's controller, which runs no test.
    """
    if _is_xdist_controller(config):
        return
    from tests import inprocess

    inprocess.start_reactor()


def pytest_unconfigure(config):
    from tests import inprocess

    inprocess.stop_reactor()
    listings = getattr(config, "_worker_listings", None)
    if listings is not None:
        shutil.rmtree(listings, ignore_errors=True)


def _is_xdist_controller(config) -> bool:
    return not hasattr(config, "workerinput") and bool(getattr(config.option, "numprocesses", None))


# --- pytest-xdist: how the tests are shared out between the workers -----------------------------------
# The suite runs on three workers (pyproject.toml: -n 3). A module-scoped fixture (one crawl that many
# tests read) is made once per worker that runs one of its tests, so those tests are sent together.
# The workers say which tests those are, and which are slow (end-to-end crawls, the data sets), when
# they have collected (pytest knows each test's fixtures and marks); the controller's scheduler sends
# the shared modules first, then the slow tests, then the rest, one test at a time, so that no long
# test is left for the end while the other workers have nothing to do.

SLOW_MARKS = ("e2e", "dataset")


def _worker_listings_dir(config) -> Path:
    if getattr(config, "_worker_listings", None) is None:
        config._worker_listings = Path(tempfile.mkdtemp(prefix="pytest-worker-listings-"))
    return config._worker_listings


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """(controller) Where the worker lists its shared-fixture and slow tests."""
    node.workerinput["listings"] = str(_worker_listings_dir(node.config))


def _uses_a_module_fixture(item) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    definitions = info.name2fixturedefs.values() if info is not None else ()
    return any(fixture.scope == "module" for fixtures in definitions for fixture in fixtures)


def pytest_collection_modifyitems(config, items):
    """(worker) List the tests that share a module-scoped fixture, and the slow ones, for the scheduler."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput is None or "listings" not in workerinput:
        return
    listing = {
        "shared": [item.nodeid for item in items if _uses_a_module_fixture(item)],
        "slow": [item.nodeid for item in items if any(item.get_closest_marker(mark) for mark in SLOW_MARKS)],
    }
    path = Path(workerinput["listings"]) / f"{workerinput['workerid']}.json"
    path.write_text(json.dumps(listing), encoding="utf-8")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """(controller) ``--dist load`` (what ``-n`` does), with the shared modules together and the slow tests first."""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    listings_dir = _worker_listings_dir(config)

    class SharedFixtureScheduling(LoadScopeScheduling):
        """Units of work: one test each, except a module of tests that share a module-scoped fixture."""

        listings: dict[str, set[str]] | None = None

        def _listed(self, kind: str) -> set[str]:
            if self.listings is None:  # every worker has written its listing before it reports its collection
                paths = list(listings_dir.glob("*.json"))
                read = [json.loads(path.read_text(encoding="utf-8")) for path in paths]
                self.listings = {name: {test for one in read for test in one[name]} for name in ("shared", "slow")}
            return self.listings[kind]

        def _split_scope(self, nodeid: str) -> str:
            return nodeid.split("::", 1)[0] if nodeid in self._listed("shared") else nodeid

        def _assign_work_unit(self, node) -> None:
            if not getattr(self, "_ordered", False):  # the first call comes once the queue is complete
                self._ordered = True
                slow = self._listed("slow")

                def order(unit):
                    scope, tests = unit
                    shared = len(tests) > 1 or scope in self._listed("shared")
                    return (0 if shared else 1 if scope in slow else 2, -len(tests))

                self.workqueue = OrderedDict(sorted(self.workqueue.items(), key=order))
            super()._assign_work_unit(node)

    return SharedFixtureScheduling(config, log)


POSTGRES_URL = os.environ.get("CRAWLER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@contextmanager
def postgres_schema():
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
    try:
        yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        admin.execute(f"DROP SCHEMA {schema} CASCADE")
        admin.close()


@pytest.fixture
def postgres_url():
    """A PostgreSQL store on a schema of its own, for one test (see :func:`postgres_schema`)."""
    with postgres_schema() as url:
        yield url


@pytest.fixture(scope="module")
def module_postgres_url():
    """A PostgreSQL store on a schema of its own, for a module's shared crawls (see :func:`postgres_schema`)."""
    with postgres_schema() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """A record store location on each backend: the same suite runs on both."""
    if request.param == "sqlite":
        return str(tmp_path / "state" / "records.sqlite")
    return request.getfixturevalue("postgres_url")
