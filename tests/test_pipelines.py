"""Item pipelines, each on its own, with a real Scrapy crawler for settings and stats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler import pipelines
from crawler.publishing.frontmatter import parse
from crawler.record import Image, Provider, Record
from crawler.seal import open_token

KEY_HEX = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"


def make_crawler(tmp_path, **settings):
    crawler = get_crawler(
        settings_dict={
            "OUTPUT_DIR": str(tmp_path / "output"),
            "RECORD_STORE": str(tmp_path / "state" / "records.sqlite"),
            "CRAWL_REFERENCE_TIME": "2021-08-31T00:00:00Z",
            "PROVIDER_REGISTRY": "crawler/providers.yaml",
            "PUBLISH_MIN_QUALITY": 40,
            "UNKNOWN_PROVIDER_STANDING": 40,
            "SEAL_KEY_ENV": "TEST_SEAL_KEY",
            "SEAL_KEY_FILE": str(tmp_path / "unused.key"),
            **settings,
        }
    )
    return crawler


def make_record(**changes) -> Record:
    values = {
        "title": "  China&#8217;s AI unicorn\n SenseTime files   for Hong Kong IPO ",
        "web_url": "https://technode.com/2021/08/30/sensetime-ipo/?utm_source=rss#comments",
        "provider": Provider("TechNode", "technode.com"),
        "excerpt": "China’s biggest AI firm SenseTime filed Friday to go public on the Hong Kong exchange.",
        "published_at": datetime(2021, 8, 30, 14, 3, 0, 500, tzinfo=timezone(timedelta(hours=8))),
        "original_url": "https://technode.com/2021/08/30/sensetime-ipo/?utm_source=rss#comments",
        "topics": ["AI", "AI", "IPO"],
        "images": [Image("https://i0.wp.com/technode.com/x.png", 1200, 675)],
        "text": "SenseTime filed to go public. " * 40,
        "content_sha256": "c" * 64,
        "fetched_at": datetime(2021, 8, 31, tzinfo=UTC),
    }
    values.update(changes)
    return Record(**values)


def test_normalize_cleans_text_urls_and_instant():
    record = pipelines.NormalizePipeline().process_item(make_record())
    assert record.title == "China’s AI unicorn SenseTime files for Hong Kong IPO"
    assert record.web_url == "https://technode.com/2021/08/30/sensetime-ipo/"
    assert record.amp_web_url == record.web_url
    assert record.original_url == "https://technode.com/2021/08/30/sensetime-ipo/?utm_source=rss"
    assert record.published_at == datetime(2021, 8, 30, 6, 3, tzinfo=UTC)
    assert record.topics == ["AI", "IPO"]


def test_normalize_cuts_long_excerpt_at_a_boundary():
    long = "First sentence here. " + "word " * 200
    record = pipelines.NormalizePipeline().process_item(make_record(excerpt=long))
    assert len(record.excerpt) <= 300
    assert record.excerpt == "First sentence here." or record.excerpt.endswith("…")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"title": ""}, "missing_title"),
        ({"published_at": None}, "missing_published_at"),
        ({"web_url": ""}, "missing_web_url"),
        ({"category": "gossip"}, "bad_category"),
    ],
)
def test_validate_drops_and_counts_by_reason(tmp_path, change, reason):
    crawler = make_crawler(tmp_path)
    validate = pipelines.ValidatePipeline.from_crawler(crawler)
    with pytest.raises(DropItem, match=reason):
        validate.process_item(make_record(**change))
    assert crawler.stats.get_value(f"records/dropped/{reason}") == 1


def test_validate_passes_a_good_record(tmp_path):
    crawler = make_crawler(tmp_path)
    record = pipelines.NormalizePipeline().process_item(make_record())
    assert pipelines.ValidatePipeline.from_crawler(crawler).process_item(record) is record


def test_dedupe_within_a_run(tmp_path):
    crawler = make_crawler(tmp_path)
    dedupe = pipelines.DedupePipeline.from_crawler(crawler)
    dedupe.open_spider()
    dedupe.process_item(make_record(web_url="https://technode.com/a/"))
    with pytest.raises(DropItem, match="duplicate_web_url"):
        dedupe.process_item(make_record(web_url="https://technode.com/a/", original_url="https://technode.com/?p=1"))
    assert crawler.stats.get_value("records/dropped/duplicate_web_url") == 1
    dedupe.close_spider()


def run_all(crawler, record):
    """The whole chain, as Scrapy runs it."""
    stages = [pipelines.NormalizePipeline()] + [
        cls.from_crawler(crawler)
        for cls in (
            pipelines.ValidatePipeline,
            pipelines.DedupePipeline,
            pipelines.ScorePipeline,
            pipelines.SealPipeline,
            pipelines.WriteDocumentPipeline,
        )
    ]
    for stage in stages:
        getattr(stage, "open_spider", lambda: None)()
    try:
        for stage in stages:
            record = stage.process_item(record)
    finally:
        for stage in stages:
            getattr(stage, "close_spider", lambda: None)()
    return record


def test_whole_chain_writes_a_document(tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_SEAL_KEY", KEY_HEX)
    crawler = make_crawler(tmp_path)
    record = run_all(crawler, make_record())
    documents = list((tmp_path / "output").rglob("*.md"))
    assert len(documents) == 1
    written = parse(documents[0].read_text(encoding="utf-8"))
    assert written.title == record.title
    assert 0 < written.quality <= 100
    assert written.published is True
    payload = open_token(written.secured, bytes.fromhex(KEY_HEX))
    assert payload == {
        "originalUrl": "https://technode.com/2021/08/30/sensetime-ipo/?utm_source=rss",
        "webUrl": "https://technode.com/2021/08/30/sensetime-ipo/",
        "fetchedAt": "2021-08-31T00:00:00Z",
        "contentSha256": "c" * 64,
    }
    assert crawler.stats.get_value("documents/written") == 1


def test_same_content_under_another_url_is_not_published(tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_SEAL_KEY", KEY_HEX)
    run_all(make_crawler(tmp_path), make_record())
    copy = run_all(make_crawler(tmp_path), make_record(web_url="https://technode.com/2021/08/30/copy/"))
    assert copy.duplicate_of == "https://technode.com/2021/08/30/sensetime-ipo/"
    assert copy.published is False


def test_recrawl_rewrites_the_same_file(tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_SEAL_KEY", KEY_HEX)
    run_all(make_crawler(tmp_path), make_record())
    run_all(make_crawler(tmp_path), make_record(title="SenseTime files for Hong Kong IPO (updated)"))
    documents = list((tmp_path / "output").rglob("*.md"))
    assert len(documents) == 1
    assert "(updated)" in documents[0].read_text(encoding="utf-8")


def test_low_quality_fails_the_gate(tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_SEAL_KEY", KEY_HEX)
    record = run_all(make_crawler(tmp_path, PUBLISH_MIN_QUALITY=101), make_record())
    assert record.published is False


def test_normalize_drops_soft_hyphens_and_control_characters():
    """Soft hyphens are hyphenation hints readers never see: a headline with them must match one without."""
    record = make_record(title="Trump plant Helikopter\u00adlandeplatz\x07", excerpt="Ein\u00ad Satz\x00.")
    record = pipelines.NormalizePipeline().process_item(record)
    assert record.title == "Trump plant Helikopterlandeplatz"
    assert record.excerpt == "Ein Satz."


def test_normalize_keeps_emoji_sequences_and_drops_stray_joiners():
    family = "\U0001f469\u200d\U0001f469\u200d\U0001f467"
    record = make_record(title=f"Our {family} family\u200dday \u2764\ufe0f\u200d\U0001f525", excerpt=f"A {family} day.")
    record = pipelines.NormalizePipeline().process_item(record)
    assert record.title == f"Our {family} familyday \u2764\ufe0f\u200d\U0001f525"
    assert record.excerpt == f"A {family} day."
    assert pipelines.display_text(f"{family}\x07") == family


def test_normalize_caps_a_long_title_and_notes_it():
    from crawler.record import TITLE_MAX_CHARS

    record = pipelines.NormalizePipeline().process_item(make_record(title="word " * 21_600))
    assert len(record.title) <= TITLE_MAX_CHARS and record.title.endswith("…")
    assert record.extraction_notes == ["title_truncated"]
    assert pipelines.NormalizePipeline().process_item(make_record()).extraction_notes == []


@pytest.mark.parametrize("title", ["   ", "\u200b\u00a0\u200d", "\x07\x85\x9f", "&nbsp;"])
def test_a_title_empty_after_clean_up_is_dropped_as_missing(tmp_path, title):
    crawler = make_crawler(tmp_path)
    record = pipelines.NormalizePipeline().process_item(make_record(title=title))
    assert record.title == ""
    with pytest.raises(DropItem, match="missing_title"):
        pipelines.ValidatePipeline.from_crawler(crawler).process_item(record)
    assert crawler.stats.get_value("records/dropped/missing_title") == 1


def test_extraction_notes_are_neither_rendered_nor_stored():
    from crawler.publishing.frontmatter import render
    from crawler.store import record_from_json, record_to_json

    record = pipelines.NormalizePipeline().process_item(make_record(extraction_notes=["jsonld_too_deep"]))
    for text in (render(record), record_to_json(record)):
        assert "jsonld_too_deep" not in text and "notes" not in text.lower()
    assert record_from_json(record_to_json(record)).extraction_notes == []


def test_a_stored_token_that_no_longer_opens_is_sealed_again(tmp_path, monkeypatch):
    """A record re-crawled unchanged keeps its token, unless the token is of the old kind (no MAC) or another key's."""
    monkeypatch.setenv("TEST_SEAL_KEY", KEY_HEX)
    crawler = make_crawler(tmp_path)
    first = run_all(crawler, make_record())
    kept = run_all(crawler, make_record())
    assert kept.secured == first.secured  # same provenance: same bytes, document untouched
    stale = make_record()
    seal = pipelines.SealPipeline.from_crawler(crawler)
    stale.stored = make_record(secured="AAAAAAAAAAAAAAAAAAAAAA==;AAAAAAAAAAAAAAAAAAAAAA==")
    resealed = seal.process_item(stale)
    assert resealed.secured != stale.stored.secured
    assert open_token(resealed.secured, bytes.fromhex(KEY_HEX))["webUrl"] == stale.web_url


def test_http_and_https_spellings_are_one_document_under_https(tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_SEAL_KEY", KEY_HEX)
    crawler = make_crawler(tmp_path)
    run_all(crawler, make_record(web_url="http://technode.com/a/", original_url="http://technode.com/a/"))
    run_all(crawler, make_record(web_url="http://www.technode.com/a/", original_url="http://www.technode.com/a/"))
    documents = list((tmp_path / "output").rglob("*.md"))
    assert [parse(p.read_text(encoding="utf-8")).web_url for p in documents] == ["http://technode.com/a/"]
    run_all(crawler, make_record(web_url="https://technode.com/a/", original_url="https://technode.com/a/"))
    documents = list((tmp_path / "output").rglob("*.md"))
    assert [parse(p.read_text(encoding="utf-8")).web_url for p in documents] == ["https://technode.com/a/"]
    assert crawler.stats.get_value("documents/retired") == 1
    run_all(crawler, make_record(web_url="http://technode.com/a/", original_url="http://technode.com/a/"))
    assert [parse(p.read_text(encoding="utf-8")).web_url for p in documents] == ["https://technode.com/a/"]
    assert len(list((tmp_path / "output").rglob("*.md"))) == 1


def test_a_naive_publication_time_is_not_guessed_but_dropped(tmp_path):
    """Extraction reads a time without offset in the provider's zone; a naive one reaching the pipelines is a bug."""
    record = pipelines.NormalizePipeline().process_item(make_record(published_at=datetime(2021, 8, 30, 6, 3)))
    crawler = make_crawler(tmp_path)
    with pytest.raises(DropItem, match="naive_published_at"):
        pipelines.ValidatePipeline.from_crawler(crawler).process_item(record)
