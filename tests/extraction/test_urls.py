from __future__ import annotations

import base64
import hashlib

import pytest

from crawler.extraction.urls import amp_cache_url, clean_url, registrable_domain


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://Example.COM/a?utm_source=x&id=3&fbclid=y#frag", "https://example.com/a?id=3"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://example.com", "https://example.com/"),
        (
            "https://example.com/a?b=2&a=1&gclid=z&mc_cid=1&mc_eid=2&igshid=3&ref_src=4&_ga=5",
            "https://example.com/a?b=2&a=1",
        ),
        ("https://example.com/a?ref=rss", "https://example.com/a"),
        ("https://example.com/a?ref=v2", "https://example.com/a?ref=v2"),
        ("https://xn--bcher-kva.de/x", "https://bücher.de/x"),
        ("https://BÜCHER.de/x", "https://bücher.de/x"),
    ],
)
def test_clean_url(url: str, expected: str) -> None:
    assert clean_url(url) == expected


def test_clean_url_resolves_relative_and_protocol_relative() -> None:
    assert clean_url("../img.jpg", "https://site.com/a/b/") == "https://site.com/a/img.jpg"
    assert clean_url("//cdn.site.com/i.jpg", "http://site.com/") == "http://cdn.site.com/i.jpg"
    assert clean_url("//cdn.site.com/i.jpg") == "https://cdn.site.com/i.jpg"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("markets.businessinsider.com", "businessinsider.com"),
        ("https://www.bbc.co.uk/news/x", "bbc.co.uk"),
        ("127.0.0.1", "127.0.0.1"),
        ("http://127.0.0.1:8080/x", "127.0.0.1"),
        ("localhost", "localhost"),
        ("http://localhost:8000/a", "localhost"),
        ("technode.com", "technode.com"),
    ],
)
def test_registrable_domain(value: str, expected: str) -> None:
    assert registrable_domain(value) == expected


def test_amp_cache_url_basic_and_query() -> None:
    assert (
        amp_cache_url("https://technode.com/2021/08/30/x/")
        == "https://technode-com.cdn.ampproject.org/c/s/technode.com/2021/08/30/x/"
    )
    # http origins have no "s/"; the query is kept.
    assert amp_cache_url("http://pub.com/a?b=1") == "https://pub-com.cdn.ampproject.org/c/pub.com/a?b=1"


def test_amp_cache_url_hyphens_are_doubled() -> None:
    assert amp_cache_url("https://hello-world.com/").startswith("https://hello--world-com.cdn.ampproject.org/")


def test_amp_cache_url_idn_is_punycoded() -> None:
    # Google's documented example: bücher.ch -> xn--bcher-ch-65a
    assert amp_cache_url("https://bücher.ch/a").startswith("https://xn--bcher-ch-65a.cdn.ampproject.org/c/s/")


def test_amp_cache_url_hyphens_at_3_and_4_are_wrapped() -> None:
    assert amp_cache_url("https://ab-c.com/").startswith("https://0-ab--c-com-0.cdn.ampproject.org/")


def test_amp_cache_url_long_host_falls_back_to_hash() -> None:
    host = "a" * 40 + "." + "b" * 30 + ".com"
    digest = base64.b32encode(hashlib.sha256(host.encode()).digest()).decode().rstrip("=").lower()
    url = amp_cache_url(f"https://{host}/x")
    assert url == f"https://{digest}.cdn.ampproject.org/c/s/{host}/x"
    assert len(digest) == 52


@pytest.mark.parametrize(
    "spelling",
    [
        "https://example.com/a b/ü?q=ä ö",
        "https://example.com/a%20b/%C3%BC?q=%C3%A4%20%C3%B6",
        "https://example.com/a%20b/ü?q=ä%20ö&utm_source=rss",
    ],
)
def test_every_spelling_of_an_address_is_percent_encoded_the_same(spelling):
    assert clean_url(spelling) == "https://example.com/a%20b/%C3%BC?q=%C3%A4%20%C3%B6"


def test_percent_encoding_keeps_what_is_escaped_and_the_readable_host():
    assert clean_url("https://Bücher.example/über") == "https://bücher.example/%C3%BCber"
    assert clean_url("https://e.com/a%2Fb/%7Euser") == "https://e.com/a%2Fb/%7Euser"  # escapes are not undone
