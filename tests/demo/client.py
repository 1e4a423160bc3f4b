"""Helpers for the fixture-site tests: one request (no redirects followed), and the site builders."""

from __future__ import annotations

import http.client
from datetime import UTC, datetime
from functools import cache
from urllib.parse import urlsplit

from crawler.demo import SiteServer
from tools import fixture_sites


def fetch(server: SiteServer, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """(status, lower-cased headers, body) of one request to ``server``."""
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def get_ok(server: SiteServer, path: str) -> bytes:
    """The body of a GET that must answer 200."""
    status, _, body = fetch(server, path)
    assert status == 200, path
    return body


def url_path(url: str) -> str:
    """A URL's path with its query: what a fixture site's files are named by."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def parse_instant(text: str) -> datetime:
    """An expected output's instant (``YYYY-MM-DDTHH:MM:SSZ``) as an aware datetime."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


@cache
def built_files(name: str) -> dict[str, bytes]:
    """What the site's builder (``tools/fixture_sites/<name>.py``) makes (relative path → bytes), once per session."""
    return fixture_sites.build(name)
