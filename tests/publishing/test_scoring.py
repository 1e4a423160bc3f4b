"""Scores and the gate: ranges, determinism, monotonic properties and the documented formulas."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.record import Image, Provider, Record
from crawler.scoring import completeness, heat, publishable, quality

from .example_data import example_record

NOW = datetime(2021, 8, 30, 12, 0, tzinfo=UTC)

images = st.builds(
    Image,
    url=st.just("https://example.com/i.jpg"),
    width=st.integers(0, 4000),
    height=st.integers(0, 4000),
)
records = st.builds(
    Record,
    title=st.text(max_size=200),
    web_url=st.sampled_from(["", "https://example.com/a", "ftp://x"]),
    provider=st.builds(Provider, name=st.text(max_size=5), domain=st.sampled_from(["a.com", "b.com", "c.org", ""])),
    excerpt=st.text(max_size=300),
    published_at=st.none() | st.datetimes(timezones=st.just(UTC)),
    amp_web_url=st.sampled_from(["", "https://example.com/amp"]),
    cdn_amp_web_url=st.sampled_from(["", "https://example-com.cdn.ampproject.org/c/s/example.com/amp"]),
    quality=st.integers(-10, 120),
    topics=st.lists(st.sampled_from(["AI", "IPO", "Cloud"]), max_size=5),
    images=st.lists(images, max_size=3),
    text=st.lists(st.sampled_from(["word", "more", "text"]), max_size=900).map(" ".join),
)
standings = st.integers(-20, 120)


def story_of(*domains_and_quality: tuple[str, int], published_at: datetime = NOW) -> list[Record]:
    return [
        Record(
            title="t",
            web_url=f"https://{domain}/a",
            provider=Provider(domain, domain),
            quality=q,
            published_at=published_at,
        )
        for domain, q in domains_and_quality
    ]


# -- quality ----------------------------------------------------------------------------------------------


def test_example_completeness_by_the_table() -> None:
    # title 5+10, excerpt 10+5, date 10, image 5+5 (540x540 is not 600x300), 1 topic 5, no text, https 5, AMP 5
    assert completeness(example_record()) == 65
    assert quality(example_record(), 50) == (3 * 65 + 50 + 2) // 4 == 61


def test_full_record_scores_100() -> None:
    record = dataclasses.replace(
        example_record(),
        topics=["AI", "IPO"],
        images=[Image(url="https://example.com/i.jpg", width=1200, height=675)],
        text=" ".join(["word"] * 600),
    )
    assert completeness(record) == 100
    assert quality(record, 100) == 100


def test_empty_record_scores_only_standing() -> None:
    empty = Record(title="", web_url="", provider=Provider("", ""))
    assert completeness(empty) == 0
    assert quality(empty, 100) == 25
    assert quality(empty, 0) == 0


@settings(deadline=None)
@given(record=records, standing=standings)
def test_quality_in_range_and_deterministic(record: Record, standing: int) -> None:
    score = quality(record, standing)
    assert 0 <= score <= 100
    assert score == quality(dataclasses.replace(record), standing)


@settings(deadline=None)
@given(record=records, standing=standings, image=images, excerpt=st.text(min_size=1, max_size=300))
def test_adding_parts_never_lowers_quality(record: Record, standing: int, image: Image, excerpt: str) -> None:
    base = quality(record, standing)
    assert quality(dataclasses.replace(record, images=[*record.images, image]), standing) >= base
    if not record.excerpt.strip():
        assert quality(dataclasses.replace(record, excerpt=excerpt), standing) >= base
    if len(record.topics) < 5:
        assert quality(dataclasses.replace(record, topics=[*record.topics, "Cloud"]), standing) >= base
    assert quality(dataclasses.replace(record, text=record.text + " word"), standing) >= base
    assert quality(record, min(standing + 1, 100)) >= base


def test_adding_a_lead_image_or_excerpt_raises_quality() -> None:
    bare = dataclasses.replace(example_record(), images=[], excerpt="")
    with_image = dataclasses.replace(bare, images=[Image(url="https://example.com/i.jpg", width=800, height=600)])
    assert quality(with_image, 50) > quality(bare, 50)
    assert quality(dataclasses.replace(bare, excerpt="A real summary."), 50) > quality(bare, 50)


def test_standing_is_clamped() -> None:
    assert quality(example_record(), 500) == quality(example_record(), 100)
    assert quality(example_record(), -5) == quality(example_record(), 0)


# -- heat -------------------------------------------------------------------------------------------------


def test_empty_or_undated_story_is_cold() -> None:
    assert heat([], NOW) == 0
    assert heat(story_of(("a.com", 80), published_at=None), NOW) == 0  # type: ignore[arg-type]


def test_single_record_is_modest() -> None:
    assert heat(story_of(("a.com", 57)), NOW) == 37  # 100 * (1 - 0.5 ** 0.6775)
    assert heat(story_of(("a.com", 100)), NOW) == 50


def test_more_distinct_providers_raise_heat() -> None:
    providers = [("a.com", 57), ("b.com", 47), ("c.com", 39), ("d.com", 29)]
    heats = [heat(story_of(*providers[:n]), NOW) for n in range(1, 5)]
    assert heats == sorted(set(heats)), heats
    assert heats[-1] == 80


def test_same_provider_twice_counts_once() -> None:
    assert heat(story_of(("a.com", 57), ("A.com", 40)), NOW) == heat(story_of(("a.com", 57)), NOW)


def test_better_providers_make_more_heat() -> None:
    assert heat(story_of(("a.com", 90), ("b.com", 90)), NOW) > heat(story_of(("a.com", 20), ("b.com", 20)), NOW)


def test_half_of_heat_halves_every_24_hours_and_half_lasts() -> None:
    story = story_of(("a.com", 100), ("b.com", 100))  # coverage 0.75
    assert heat(story, NOW) == 75
    assert heat(story, NOW + timedelta(hours=24)) == 56  # 75 * (0.5 + 0.25) = 56.25
    assert heat(story, NOW + timedelta(hours=48)) == 47  # 75 * (0.5 + 0.125) = 46.875, rounded half up
    assert heat(story, NOW + timedelta(days=365 * 5)) == 38  # the lasting half: coverage alone (37.5)
    assert heat(story, NOW - timedelta(hours=5)) == 75  # published "in the future": no bonus


def test_newest_publication_counts() -> None:
    old = story_of(("a.com", 60), published_at=NOW - timedelta(days=3))
    fresh = story_of(("b.com", 60), published_at=NOW)
    assert heat(old + fresh, NOW) > heat(old + story_of(("b.com", 60), published_at=NOW - timedelta(days=3)), NOW)


def test_naive_reference_time_is_utc() -> None:
    story = story_of(("a.com", 60), published_at=NOW - timedelta(hours=30))
    assert heat(story, NOW.replace(tzinfo=None)) == heat(story, NOW)


@settings(deadline=None)
@given(
    story=st.lists(records, max_size=6),
    extra=records,
    hours=st.floats(0, 2000),
    later=st.floats(0, 2000),
)
def test_heat_properties(story: list[Record], extra: Record, hours: float, later: float) -> None:
    reference = NOW + timedelta(hours=hours)
    score = heat(story, reference)
    assert 0 <= score <= 100
    assert heat(list(story), reference) == score
    assert heat(story, reference + timedelta(hours=later)) <= score
    known = {(r.provider.domain or r.provider.name).strip().lower() for r in story}
    if (extra.provider.domain or extra.provider.name).strip().lower() not in known:
        # a new provider never lowers heat, even a poor one (unless it brings a newer date, which only helps)
        assert heat([*story, extra], reference) >= score


# -- the gate ---------------------------------------------------------------------------------------------


def test_gate() -> None:
    record = example_record()
    assert publishable(record, 57)
    assert not publishable(record, 58)
    for change in (
        {"title": "  "},
        {"web_url": ""},
        {"published_at": None},
        {"excerpt": ""},
        {"duplicate_of": "https://technode.com/earlier/"},
    ):
        assert not publishable(dataclasses.replace(record, **change), 0), change


@pytest.mark.parametrize("floor", [0, 30, 100])
def test_gate_floor(floor: int) -> None:
    record = dataclasses.replace(example_record(), quality=floor)
    assert publishable(record, floor)
    assert not publishable(dataclasses.replace(record, quality=floor - 1), floor)
