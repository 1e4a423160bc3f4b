"""Document paths: stable, readable, unique per URL and always inside the output directory."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from crawler.publishing.paths import document_path, domain_directory, url_slug
from crawler.record import Provider, Record

from .example_data import EXAMPLE_URL, example_record

FILE_NAME = re.compile(r"[a-z0-9-]{1,80}-[0-9a-f]{10}\.md")
DIRECTORY_NAME = re.compile(r"_?[a-z0-9][a-z0-9.-]*")
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=400)
URLISH = st.tuples(
    st.sampled_from(["https://", "http://[", "//", "file:///", ""]),
    ANY_TEXT,
    st.sampled_from(["/", "/../", "%2F..%2F", "/amp/", "/index.html", "\\..\\"]),
    ANY_TEXT,
).map("".join)
URLS = st.one_of(ANY_TEXT, URLISH)
# The output directory is only resolved, never written, so one per test is fine.
REUSES_TMP_PATH = [HealthCheck.function_scoped_fixture]
HOSTILE = [
    "..",
    "../../etc/passwd",
    "/etc/passwd",
    "./.",
    "a/../../b",
    "..\\..\\windows",
    "C:\\Windows",
    "con",
    "NUL.example",
    "lpt1",
    "a\x00b",
    "\u202eevil",
    "ÿ" * 300,
    "x" * 5000,
    "",
    " ",
    "例え.jp",
    "https://[::1/../../x",
    "//[a]b/c",
]


def at(domain: str, url: str) -> Record:
    return Record(title="t", web_url=url, provider=Provider(name="P", domain=domain))


def assert_inside(output: Path, path: Path) -> None:
    assert path.resolve().is_relative_to(output.resolve())
    assert path.parent.parent == output
    assert DIRECTORY_NAME.fullmatch(path.parent.name), path.parent.name
    assert FILE_NAME.fullmatch(path.name), path.name
    assert path.parent.name.split(".")[0].lower() not in {"con", "prn", "aux", "nul", "lpt1", "com1"}


def test_example_path(tmp_path: Path) -> None:
    path = document_path(tmp_path, example_record())
    assert path.parent == tmp_path / "technode.com"
    assert re.fullmatch(r"chinas-ai-unicorn-sensetime-files-for-hong-kong-ipo-[0-9a-f]{10}\.md", path.name)


def test_path_ignores_title_date_and_other_fields(tmp_path: Path) -> None:
    record = example_record()
    changed = dataclasses.replace(
        record,
        title="Another headline",
        published_at=datetime(2030, 1, 1, tzinfo=UTC),
        original_url="https://elsewhere.example/x",
        provider=Provider(name="Renamed", domain=record.provider.domain),
    )
    assert document_path(tmp_path, changed) == document_path(tmp_path, record)


@pytest.mark.parametrize(
    ("url", "slug"),
    [
        (EXAMPLE_URL, "chinas-ai-unicorn-sensetime-files-for-hong-kong-ipo"),
        ("https://example.com/news/caf%C3%A9-cr%C3%A8me-br%C3%BBl%C3%A9e", "cafe-creme-brulee"),
        ("https://example.com/2021/08/30/stra%C3%9Fe-und-%C3%A6ther/amp/", "strasse-und-aether"),
        ("https://example.com/story/12345/index.html", "12345"),
        ("https://example.com/tech/big-news.html?utm_source=x#top", "big-news"),
        ("https://example.com/", "article"),
        ("https://example.com/news/", "news"),
        ("https://example.com/%E4%B8%AD%E5%9B%BD", "article"),
        ("not a url at all", "not-a-url-at-all"),
        ("https://[broken/host/the-story", "the-story"),
    ],
)
def test_url_slug(url: str, slug: str) -> None:
    assert url_slug(url) == slug


def test_long_slug_is_cut_at_a_word_boundary() -> None:
    slug = url_slug("https://example.com/" + "-".join(["word"] * 40))
    assert len(slug) <= 80
    assert slug.endswith("word")


@pytest.mark.parametrize(
    ("domain", "directory"),
    [
        ("technode.com", "technode.com"),
        ("TechNode.COM.", "technode.com"),
        ("例え.jp", "xn--r8jz45g.jp"),
        ("..", "unknown-provider"),
        ("../../etc", "etc"),
        ("con", "_con"),
        ("nul.example", "_nul.example"),
        ("a b/c", "a-b-c"),
    ],
)
def test_domain_directory(domain: str, directory: str) -> None:
    assert domain_directory(domain) == directory


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_values_stay_inside(tmp_path: Path, hostile: str) -> None:
    for record in (at(hostile, f"https://x.example/{hostile}"), at("x.example", hostile), at(hostile, hostile)):
        assert_inside(tmp_path, document_path(tmp_path, record))


@settings(deadline=None, suppress_health_check=REUSES_TMP_PATH)
@given(domain=ANY_TEXT, url=URLS)
def test_any_domain_and_url_stay_inside(tmp_path: Path, domain: str, url: str) -> None:
    path = document_path(tmp_path, at(domain, url))
    assert_inside(tmp_path, path)
    assert document_path(tmp_path, at(domain, url)) == path


@settings(deadline=None, suppress_health_check=REUSES_TMP_PATH)
@given(first=URLS, second=URLS)
def test_different_urls_different_paths(tmp_path: Path, first: str, second: str) -> None:
    assume(first != second)
    assert document_path(tmp_path, at("example.com", first)) != document_path(tmp_path, at("example.com", second))


def test_symlinked_domain_directory_that_escapes_is_refused(tmp_path: Path) -> None:
    output, elsewhere = tmp_path / "output", tmp_path / "elsewhere"
    output.mkdir()
    elsewhere.mkdir()
    (output / "technode.com").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(ValueError, match="escapes"):
        document_path(output, example_record())
