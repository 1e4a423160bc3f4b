"""A tiny HTTP client for the fixture-site tests: one request, no redirects followed."""

from __future__ import annotations

import http.client

from crawler.demo import SiteServer


def fetch(server: SiteServer, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """(status, lower-cased headers, body) of one request to ``server``."""
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()
