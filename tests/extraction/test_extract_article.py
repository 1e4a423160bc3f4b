from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.extraction import ExtractionError, Hints, SiteRules, extract_article
from crawler.record import problems

from .helpers import PARAGRAPHS, html

REPO = Path(__file__).resolve().parents[2]

PAGE = html(
    '<meta property="og:site_name" content="TechNode">'
    '<meta property="og:title" content="SenseTime files for IPO - TechNode">'
    '<meta name="description" content="China’s biggest AI firm SenseTime filed Friday to go public in Hong Kong.">'
    '<meta property="article:published_time" content="2021-08-30T14:03:00+08:00">'
    '<meta property="article:section" content="Opinion"><meta property="article:tag" content="Artificial Intelligence">'
    '<meta property="og:image" content="https://technode.com/wp-content/uploads/2021/08/s.jpg">'
    '<link rel="canonical" href="https://technode.com/2021/08/30/sensetime/?utm_source=rss">',
    "<article><h1>SenseTime files for IPO</h1>" + PARAGRAPHS + "</article>",
)
URL = "https://technode.com/2021/08/30/sensetime/?utm_source=rss#comments"


def test_full_record() -> None:
    record = extract_article(PAGE.encode(), URL)
    assert record.title == "SenseTime files for IPO"
    assert record.excerpt.startswith("China’s biggest AI firm")
    assert record.published_at == datetime(2021, 8, 30, 6, 3, tzinfo=UTC)
    assert record.original_url == "https://technode.com/2021/08/30/sensetime/?utm_source=rss"
    assert record.web_url == record.amp_web_url == "https://technode.com/2021/08/30/sensetime/"
    assert record.cdn_amp_web_url == "https://technode-com.cdn.ampproject.org/c/s/technode.com/2021/08/30/sensetime/"
    assert (record.provider.name, record.provider.domain) == ("TechNode", "technode.com")
    assert record.category == "opinion" and record.type == "article"
    assert record.topics[:2] == ["AI", "IPO"]
    assert record.images[0].url.endswith("/s.jpg")
    assert "Paragraph 0" in record.text
    assert record.content_sha256 == hashlib.sha256(" ".join(record.text.split()).casefold().encode()).hexdigest()
    # The pipelines' fields are untouched.
    assert (record.quality, record.heat, record.published, record.secured, record.related) == (0, 0, False, "", [])
    assert problems(record) == []


def test_rules_name_the_provider() -> None:
    record = extract_article(PAGE, URL, SiteRules(name="TechNode Global", domain="technode.com"))
    assert record.provider.name == "TechNode Global"


def test_provider_falls_back_to_the_domain() -> None:
    record = extract_article(html("<title>A title</title>"), "https://markets.businessinsider.com/news/x")
    assert (record.provider.name, record.provider.domain) == ("businessinsider.com", "businessinsider.com")


def test_hash_of_title_and_excerpt_without_body() -> None:
    record = extract_article(html("<title>A title</title>"), "https://x.com/a")
    assert record.text == ""
    assert record.content_sha256 == hashlib.sha256(b"a title").hexdigest()  # title + (empty) excerpt, normalised


def test_hints_fill_gaps() -> None:
    hints = Hints(title="Feed title", published_at=datetime(2020, 1, 1, tzinfo=UTC), excerpt="From the feed")
    record = extract_article(html("", "<div>nothing</div>"), "https://x.com/a", hints=hints)
    assert record.title == "Feed title"
    assert record.published_at == datetime(2020, 1, 1, tzinfo=UTC)
    assert record.excerpt == "From the feed"


@pytest.mark.parametrize(("data", "reason"), [(b"", "empty"), (b"%PDF-1.5", "not HTML"), (html(""), "no title")])
def test_extraction_errors(data, reason: str) -> None:
    with pytest.raises(ExtractionError, match=reason):
        extract_article(data, "https://x.com/a")


def test_cli_batch_keeps_going_after_a_bad_page(tmp_path: Path) -> None:
    good = tmp_path / "good.html.gz"
    good.write_bytes(gzip.compress(PAGE.encode()))
    bad = tmp_path / "bad.html"
    bad.write_bytes(b"")
    lines = [
        {"url": URL, "html_path": str(good)},
        {"url": "https://x.com/b", "html_path": str(bad)},
        {"url": "https://x.com/c", "html_path": str(tmp_path / "missing.html")},
        {"url": URL, "html_path": str(good)},
    ]
    proc = subprocess.run(
        [sys.executable, "-m", "crawler.extract", "--batch"],
        input="".join(json.dumps(line) + "\n" for line in lines),
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
    )
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(out) == 4
    assert out[0]["title"] == "SenseTime files for IPO" and out[0]["publishedDateTime"] == "2021-08-30T06:03:00Z"
    assert "error" in out[1] and "error" in out[2]
    assert out[3] == out[0]


def test_cli_single_page_with_provider(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(PAGE)
    proc = subprocess.run(
        [sys.executable, "-m", "crawler.extract", "--url", URL, str(path), "--provider", "technode"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
    )
    record = json.loads(proc.stdout)
    assert list(record)[:4] == ["category", "title", "excerpt", "publishedDateTime"]
    assert record["provider"] == {"name": "TechNode", "domain": "technode.com"}


@pytest.mark.parametrize(
    ("now", "published"),
    [("2031-06-02T00:00:00Z", "2031-06-01T08:00:00Z"), ("2020-01-01", None), (None, "2031-06-01T08:00:00Z")],
)
def test_cli_judges_dates_against_the_reference_time_it_is_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], now: str | None, published: str | None
) -> None:
    from crawler.extract import main

    path = tmp_path / "page.html"
    path.write_text(PAGE.replace("2021-08-30T14:03:00+08:00", "2031-06-01T16:00:00+08:00"))
    reference = ["--now", now] if now else []  # without one, no date is too late (the clock is never read)
    assert main(["--url", "https://technode.com/sensetime/", str(path), *reference]) == 0
    assert json.loads(capsys.readouterr().out)["publishedDateTime"] == published


def test_cli_rejects_a_reference_time_that_is_no_time(tmp_path: Path) -> None:
    from crawler.extract import main

    with pytest.raises(SystemExit) as exit_info:
        main(["--batch", "--now", "yesterday"])
    assert exit_info.value.code == 2


# ---- hostile pages ----------------------------------------------------------------------------------

OG_HEAD = (
    '<meta property="og:site_name" content="Example News">'
    '<meta property="og:title" content="Council approves the budget">'
    '<meta property="og:description" content="The council approved the budget on Tuesday after a long debate.">'
    '<meta property="article:published_time" content="2024-05-03T10:00:00Z">'
    '<meta property="og:image" content="https://news.example.com/budget.jpg">'
    '<meta property="og:url" content="https://news.example.com/2024/05/03/budget/">'
)
STORY = "https://news.example.com/2024/05/03/budget/"


def _ld(text: str) -> str:
    return f'<script type="application/ld+json">{text}</script>'


def _assert_og_record(record) -> None:
    assert record.title == "Council approves the budget"
    assert record.published_at == datetime(2024, 5, 3, 10, 0, tzinfo=UTC)
    assert record.excerpt.startswith("The council approved the budget")
    assert record.images[0].url == "https://news.example.com/budget.jpg"
    assert (record.provider.name, record.web_url) == ("Example News", STORY)
    assert problems(record) == []


def test_json_ld_nested_200000_deep_falls_back_to_the_meta_tags() -> None:
    record = extract_article(html(OG_HEAD + _ld("[" * 200_000 + "]" * 200_000), PARAGRAPHS), STORY)
    _assert_og_record(record)
    assert record.extraction_notes == ["jsonld_too_deep"]


def test_json_ld_over_the_size_limit_is_skipped_but_the_others_are_read() -> None:
    from crawler.extraction.page import JSON_LD_MAX_CHARS

    huge = '{"@type":"NewsArticle","headline":"Wrong","articleBody":"' + "x" * JSON_LD_MAX_CHARS + '"}'
    good = '{"@type":"NewsArticle","headline":"Council approves the budget"}'
    record = extract_article(html(OG_HEAD + _ld(huge) + _ld(good), PARAGRAPHS), STORY)
    _assert_og_record(record)
    assert record.extraction_notes == ["jsonld_too_large"]


def test_a_108000_character_headline_is_capped_and_noted() -> None:
    from crawler.record import TITLE_MAX_CHARS

    title = ("Council approves the budget after a long debate " * 2250).strip()
    head = f'<meta property="og:title" content="{title}"><title>{title}</title>'
    record = extract_article(html(head, f"<article><h1>{title}</h1>{PARAGRAPHS}</article>"), STORY)
    assert len(record.title) <= TITLE_MAX_CHARS and record.title.endswith("…")
    assert record.extraction_notes == ["title_truncated"]


def test_an_ordinary_page_has_no_notes() -> None:
    assert extract_article(PAGE, URL).extraction_notes == []


def test_a_whitespace_headline_is_not_replaced_by_the_site_name() -> None:
    page = html('<meta property="og:site_name" content="X"><title> - X</title>', f"<h1> </h1>{PARAGRAPHS}")
    with pytest.raises(ExtractionError, match="no title"):
        extract_article(page, STORY)
