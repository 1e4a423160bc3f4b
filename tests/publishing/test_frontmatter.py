"""The writer and reader against the contract: the golden example, layout rules, round trips."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.publishing.frontmatter import is_plain_word, parse, quoted, render
from crawler.record import FRONT_MATTER_KEYS, Image, Provider, Record, RelatedArticle

from .example_data import EXAMPLE_COPY, SHARED_EXAMPLE, example_record

# Fragments YAML cares about, mixed into generated text so that every run meets them.
AWKWARD = [
    ": ",
    " #",
    "#",
    "---",
    "...",
    '"',
    "'",
    "\\",
    "\n",
    "\r\n",
    "\t",
    "\x00",
    "\x07",
    "\x1b",
    "\x7f",
    "\x85",
    "\xa0",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\ufffe",
    "\uffff",
    "\ud83d",
    "\ude00",
    "😀",
    "👩‍💻",
    "中国",
    "true",
    "null",
    "~",
    "123",
    "1e3",
    "0x1F",
    "2021-08-30",
    "yes",
    "- ",
    "[",
    "{",
    "&a",
    "*a",
    "!tag",
    "|",
    ">",
    "%",
    "@",
    "`",
    " ",
    "",
]
# Full Unicode, surrogates and controls included.
ANY_CHAR = st.characters(exclude_categories=())
TEXT = st.lists(st.one_of(st.text(ANY_CHAR, max_size=12), st.sampled_from(AWKWARD)), max_size=8).map("".join)


def front_matter_of(document: str) -> dict:
    """The raw YAML mapping of a rendered document (no Record conversion in between)."""
    assert document.startswith("---\n")
    front, separator, _ = document[4:].partition("\n---\n")
    assert separator, "no closing delimiter"
    return yaml.safe_load(front)


def with_text(title: str, excerpt: str) -> Record:
    return dataclasses.replace(example_record(), title=title, excerpt=excerpt)


# -- the golden example ---------------------------------------------------------------------------------


def test_example_renders_byte_for_byte_as_the_kept_copy() -> None:
    assert render(example_record()).encode("utf-8") == EXAMPLE_COPY.read_bytes()


def test_example_renders_byte_for_byte_as_the_shared_example() -> None:
    if not SHARED_EXAMPLE.exists():
        pytest.skip(f"{SHARED_EXAMPLE} is absent (../shared not beside the repository)")
    assert render(example_record()).encode("utf-8") == SHARED_EXAMPLE.read_bytes()
    assert EXAMPLE_COPY.read_bytes() == SHARED_EXAMPLE.read_bytes(), "the kept copy is stale"


def test_example_parses_to_the_same_record() -> None:
    assert parse(EXAMPLE_COPY.read_text(encoding="utf-8")) == example_record()


def test_document_loads_into_exactly_the_contract_keys_in_order() -> None:
    data = front_matter_of(render(example_record()))
    assert list(data) == list(FRONT_MATTER_KEYS)


# -- layout rules ---------------------------------------------------------------------------------------


def test_empty_lists_are_flow_brackets() -> None:
    record = dataclasses.replace(example_record(), topics=[], images=[], related=[])
    document = render(record)
    for key in ("topics", "images", "related"):
        assert f"\n\n{key}: []\n" in document
    assert front_matter_of(document)["related"] == []


def test_related_entry_without_images_has_no_images_key() -> None:
    data = front_matter_of(render(example_record()))
    assert ["images" in entry for entry in data["related"]] == [False, True, False]


def test_groups_are_separated_by_one_blank_line() -> None:
    lines = render(example_record()).split("\n")
    blank_before = [lines[i + 1].split(":")[0] for i, line in enumerate(lines[:-1]) if line == ""]
    assert blank_before == ["provider", "topics", "images", "related", "secured", ""]


def test_body_only_when_asked() -> None:
    record = dataclasses.replace(example_record(), body="Some **Markdown**\n\n---\n\nmore\n")
    assert render(record).endswith("---\n\n")
    document = render(record, include_body=True)
    assert document.endswith("---\n\nSome **Markdown**\n\n---\n\nmore\n")
    assert parse(document).body == record.body
    assert parse(render(record)).body == ""


def test_missing_date_is_null_and_reads_back_as_none() -> None:
    record = dataclasses.replace(example_record(), published_at=None)
    assert "\npublishedDateTime: null\n" in render(record)
    assert parse(render(record)).published_at is None


def test_timestamps_are_written_in_utc() -> None:
    beijing = timezone(timedelta(hours=8))
    record = dataclasses.replace(example_record(), published_at=datetime(2021, 8, 30, 14, 3, tzinfo=beijing))
    assert "\npublishedDateTime: 2021-08-30T06:03:00Z\n" in render(record)


@pytest.mark.parametrize(
    ("word", "bare"),
    [
        ("TechNode", True),
        ("technode.com", True),
        ("Business Insider", True),
        ("E-commerce", True),
        ("36kr.com", True),
        ("9to5Mac", True),
        ("Süddeutsche Zeitung", True),
        ("AT&T", True),
        ("true", False),
        ("Yes", False),
        ("off", False),
        ("y", False),
        ("null", False),
        ("~", False),
        ("123", False),
        ("1e3", False),
        ("1_000", False),
        ("0x1F", False),
        ("2021-08-30", False),
        ("12:30", False),
        ("a: b", False),
        ("a #b", False),
        ("-lead", False),
        ("&anchor", False),
        ("'quoted'", False),
        (" padded", False),
        ("padded ", False),
        ("", False),
        ("tab\there", False),
        (".inf", False),
    ],
)
def test_words_are_bare_only_when_safe(word: str, bare: bool) -> None:
    assert is_plain_word(word) is bare
    record = dataclasses.replace(example_record(), provider=Provider(name=word, domain="example.com"), topics=[word])
    document = render(record)
    assert (f"\n  name: {word}\n" in document) is bare
    assert (f"\n  - {word}\n" in document) is bare
    data = front_matter_of(document)
    assert data["provider"]["name"] == word
    assert data["topics"] == [word]


def test_quoted_escapes_controls_and_keeps_other_unicode() -> None:
    assert quoted('a"b\\c') == '"a\\"b\\\\c"'
    assert quoted("line\nnext\ttab\x85\u2028\u2029\x00\x1b\x7f") == (
        '"line\\nnext\\ttab\\x85\\u2028\\u2029\\0\\x1B\\x7F"'
    )
    assert quoted("China’s 😀 “AI” café\xa0中国") == '"China’s 😀 “AI” café\xa0中国"'


# -- malformed documents --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "does not start"),
        ("title: x\n", "does not start"),
        ('---\ntitle: "x"\n', "no closing"),
        ("---\ntitle: [unclosed\n---\n", "invalid YAML"),
        ("---\n- a\n- b\n---\n", "not a mapping"),
        ('---\ntitle: "x"\n---\n', "missing keys"),
    ],
)
def test_malformed_documents_are_value_errors(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse(text)


def test_unknown_key_is_a_value_error() -> None:
    document = render(example_record()).replace("\ncategory: news\n", "\ncategory: news\nextra: 1\n")
    with pytest.raises(ValueError, match=r"unknown keys \['extra'\]"):
        parse(document)


def test_bad_value_is_a_value_error() -> None:
    document = render(example_record()).replace("publishedDateTime: 2021-08-30T06:03:00Z", 'publishedDateTime: "soon"')
    with pytest.raises(ValueError, match="bad front-matter value"):
        parse(document)


# -- properties -----------------------------------------------------------------------------------------

PROPERTY_SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(title=TEXT, excerpt=TEXT)
def test_any_title_and_excerpt_round_trip(title: str, excerpt: str) -> None:
    record = with_text(title, excerpt)
    document = render(record)
    data = front_matter_of(document)
    assert list(data) == list(FRONT_MATTER_KEYS)
    assert (data["title"], data["excerpt"]) == (title, excerpt)
    assert parse(document) == record
    # One line per value, whatever the text holds: the layout does not move.
    assert document.count("\n") == render(example_record()).count("\n")
    document.encode("utf-8")  # no lone surrogate reaches the file


@PROPERTY_SETTINGS
@given(name=TEXT, domain=TEXT, topics=st.lists(TEXT, max_size=5), category=TEXT, kind=TEXT)
def test_any_words_round_trip(name: str, domain: str, topics: list[str], category: str, kind: str) -> None:
    record = dataclasses.replace(
        example_record(), provider=Provider(name=name, domain=domain), topics=topics, category=category, type=kind
    )
    data = front_matter_of(render(record))
    assert data["provider"] == {"name": name, "domain": domain}
    assert data["topics"] == topics
    assert data["category"] == category
    assert data["type"] == kind


@PROPERTY_SETTINGS
@given(title=TEXT, excerpt=TEXT, url=TEXT, name=TEXT, secured=TEXT)
def test_related_entries_and_urls_round_trip(title: str, excerpt: str, url: str, name: str, secured: str) -> None:
    entry = RelatedArticle(
        title=title,
        excerpt=excerpt,
        published_at=datetime(2024, 2, 29, 23, 59, 59, tzinfo=UTC),
        web_url=url,
        provider=Provider(name=name, domain=name),
        images=[Image(url=url, width=1, height=2)],
    )
    record = dataclasses.replace(
        example_record(), web_url=url, original_url=url, images=[Image(url=url)], related=[entry], secured=secured
    )
    assert parse(render(record)) == record


@settings(deadline=None)
@given(title=TEXT, body=TEXT)
def test_same_record_same_bytes_and_body_round_trips(title: str, body: str) -> None:
    record = dataclasses.replace(example_record(), title=title, body=body)
    assert render(record, include_body=True) == render(dataclasses.replace(record), include_body=True)
    assert parse(render(record, include_body=True)).body == body
