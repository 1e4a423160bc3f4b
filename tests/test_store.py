"""The record store: records survive a round trip, writes are atomic, content lookups work."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crawler.record import Image, Provider, Record, RelatedArticle
from crawler.store import SQLiteStore

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def make_record(url="https://technode.com/2021/08/30/a/", sha="a" * 64) -> Record:
    return Record(
        title="A headline: with “quotes”",
        web_url=url,
        provider=Provider("TechNode", "technode.com"),
        excerpt="An excerpt.",
        published_at=datetime(2021, 8, 30, 6, 3, tzinfo=UTC),
        original_url=url + "?utm_source=rss",
        topics=["AI"],
        images=[Image("https://i0.wp.com/x.png", 540, 540, True)],
        related=[
            RelatedArticle(
                title="Other",
                excerpt="E",
                published_at=datetime(2021, 8, 30, 10, 13, tzinfo=UTC),
                web_url="https://www.techinasia.com/x",
                provider=Provider("Techinasia", "techinasia.com"),
                quality=47,
            )
        ],
        text="Body text " * 30,
        fetched_at=NOW,
        content_sha256=sha,
    )


@pytest.fixture
def store(tmp_path):
    store = SQLiteStore(tmp_path / "state" / "records.sqlite")
    yield store
    store.close()


def test_round_trip(store):
    record = make_record()
    store.put(record, "output/technode.com/a.md", NOW)
    stored = store.get(record.web_url)
    assert stored.document_path == "output/technode.com/a.md"
    assert stored.record == record


def test_put_replaces_by_web_url(store):
    store.put(make_record(), "p", NOW)
    changed = make_record()
    changed.title = "Changed"
    store.put(changed, "p", NOW)
    assert store.count() == 1
    assert store.get(changed.web_url).record.title == "Changed"


def test_a_content_twin_is_another_stored_record_with_the_same_body(store):
    """One query gives an article's stored spellings and the oldest other record with its content hash."""
    own = "https://technode.com/2021/08/30/a/"
    store.put(make_record(), "p", NOW)
    assert store.get_with_content_twin([own, own.replace("https", "http")], "a" * 64) == (
        {own: store.get(own)},
        "",  # only itself has that content
    )
    assert store.get_with_content_twin(["https://elsewhere.com/b"], "a" * 64) == ({}, own)
    assert store.get_with_content_twin(["https://elsewhere.com/b"], "b" * 64) == ({}, "")
    store.put(make_record("https://technode.com/2021/08/29/no-body/", sha=""), "r", NOW)
    assert store.get_with_content_twin(["https://elsewhere.com/b"], "") == ({}, "")  # no content check
    store.put(make_record("https://technode.com/2021/08/31/copy/"), "q", NOW + timedelta(hours=1))
    assert store.get_with_content_twin(["https://elsewhere.com/b"], "a" * 64)[1] == own  # the oldest one


def test_failed_write_leaves_previous_record(store, monkeypatch):
    store.put(make_record(), "p", NOW)
    broken = make_record()
    broken.title = "Never stored"
    monkeypatch.setattr("crawler.store.record_to_json", lambda record: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        store.put(broken, "p", NOW)
    monkeypatch.undo()
    assert store.get(broken.web_url).record.title == "A headline: with “quotes”"


def test_survives_reopen(tmp_path):
    path = tmp_path / "records.sqlite"
    first = SQLiteStore(path)
    first.put(make_record(), "p", NOW)
    first.close()
    second = SQLiteStore(path)
    assert [s.record.web_url for s in second] == ["https://technode.com/2021/08/30/a/"]
    second.close()
