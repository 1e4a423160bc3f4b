"""The fixture-site server: files, {{base}}, the route manifest, request log, ports, robustness."""

from __future__ import annotations

import gzip
import http.client
import socket
import subprocess
import sys
import time
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image

from crawler.demo import SiteServer, site_root
from crawler.demo.server import load_routes

from .client import fetch

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "feed").mkdir()
    (tmp_path / "feed" / "index.xml").write_bytes(
        b'<?xml version="1.0"?><rss version="2.0"><channel><link>{{base}}</link></channel></rss>'
    )
    (tmp_path / "2021" / "08" / "30" / "story").mkdir(parents=True)
    (tmp_path / "2021" / "08" / "30" / "story" / "index.html").write_text(
        '<html><head><link rel="canonical" href="{{base}}/2021/08/30/story/"></head><body>Story</body></html>'
    )
    (tmp_path / "latin").mkdir()
    (tmp_path / "latin" / "index.html").write_bytes(
        '<meta charset="windows-1252"><p>“Café” {{base}}/x</p>'.encode("cp1252")
    )
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "index.json").write_text('{"next": "{{base}}/api/?page=2"}')
    (tmp_path / "sitemap.xml").write_text("<urlset><url><loc>{{base}}/a/</loc></url></urlset>")
    (tmp_path / "sitemap.xml.gz").write_bytes(gzip.compress(b"<urlset>{{base}}</urlset>", mtime=0))
    (tmp_path / "robots.txt").write_text("Sitemap: {{base}}/sitemap.xml\n")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n{{base}}")
    (tmp_path / "expected.yaml").write_text("secret: true\n")
    (tmp_path / "_private.txt").write_text("hidden")
    (tmp_path / "_routes.yaml").write_text(
        "/gone/: {status: 404}\n"
        "/old/: {redirect: /2021/08/30/story/}\n"
        "/moved/: {redirect: '{{base}}/feed/', redirect_status: 302}\n"
        "/flaky/: {fail_first: 2, file: 2021/08/30/story/index.html}\n"
        '/latin/: {content_type: "text/html"}\n'
        "/slow/: {delay: 0.3, body: '<p>late {{base}}</p>'}\n"
        '/teapot/: {status: 418, body: "short and stout", content_type: "text/plain"}\n'
        "/tagged/: {headers: {X-Robots-Tag: noindex}, file: 2021/08/30/story/index.html}\n"
        '"/cdn/i0.wp.com/site.com/lead.jpg": {image: [1200, 675]}\n'
        '"/cdn/i.insider.com/65c677fb9fe7a8bd3f1c0a8e": {image: [1300, 731]}\n'
        '"/cdn/i0.wp.com/site.com/logo.png": {image: [400, 100]}\n'
    )
    return tmp_path


@pytest.fixture
def server(site: Path):
    with SiteServer(site) as running:
        yield running


def test_serves_directory_indexes_and_files_with_base_substituted(server: SiteServer) -> None:
    base = server.base_url
    assert base.startswith("http://127.0.0.1:") and not base.endswith("/")

    status, headers, body = fetch(server, "/2021/08/30/story/")
    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert f'href="{base}/2021/08/30/story/"'.encode() in body
    assert b"{{base}}" not in body
    assert int(headers["content-length"]) == len(body)

    status, headers, body = fetch(server, "/feed/")
    assert (status, headers["content-type"]) == (200, "application/rss+xml; charset=utf-8")
    assert f"<link>{base}</link>".encode() in body

    assert fetch(server, "/sitemap.xml")[1]["content-type"] == "application/xml; charset=utf-8"
    assert fetch(server, "/robots.txt")[2] == f"Sitemap: {base}/sitemap.xml\n".encode()
    status, headers, body = fetch(server, "/api/")
    assert headers["content-type"] == "application/json" and f"{base}/api/?page=2".encode() in body


def test_gzip_and_images_are_served_as_raw_bytes(server: SiteServer, site: Path) -> None:
    status, headers, body = fetch(server, "/sitemap.xml.gz")
    assert (status, headers["content-type"]) == (200, "application/x-gzip")
    assert body == (site / "sitemap.xml.gz").read_bytes()
    status, headers, body = fetch(server, "/logo.png")
    assert headers["content-type"] == "image/png" and body.endswith(b"{{base}}")


def test_query_strings_are_ignored_when_a_file_answers(server: SiteServer) -> None:
    plain = fetch(server, "/2021/08/30/story/")[2]
    status, _, body = fetch(server, "/2021/08/30/story/?utm_source=rss&utm_medium=feed")
    assert (status, body) == (200, plain)


def test_unknown_hidden_and_traversal_paths_are_404(server: SiteServer) -> None:
    for path in ("/nope/", "/expected.yaml", "/_routes.yaml", "/_private.txt", "/../../etc/passwd", "/%2e%2e/x"):
        status, headers, body = fetch(server, path)
        assert status == 404, path
        assert headers["content-type"].startswith("text/html") and b"Not found" in body


def test_directory_without_slash_redirects_like_wordpress(server: SiteServer) -> None:
    status, headers, _ = fetch(server, "/2021/08/30/story")
    assert (status, headers["location"]) == (301, f"{server.base_url}/2021/08/30/story/")


def test_manifest_status_and_redirects(server: SiteServer) -> None:
    status, _, body = fetch(server, "/gone/")
    assert status == 404 and b"<html>" in body.lower().replace(b"<!doctype html>", b"")
    status, headers, _ = fetch(server, "/old/")
    assert (status, headers["location"]) == (301, f"{server.base_url}/2021/08/30/story/")
    status, headers, _ = fetch(server, "/moved/?x=1")
    assert (status, headers["location"]) == (302, f"{server.base_url}/feed/")
    status, headers, body = fetch(server, "/teapot/")
    assert (status, headers["content-type"], body) == (418, "text/plain", b"short and stout")
    status, headers, _ = fetch(server, "/tagged/")
    assert (status, headers["x-robots-tag"]) == (200, "noindex")


def test_fail_first_counts_per_path_and_per_server(site: Path) -> None:
    with SiteServer(site) as first:
        statuses = [fetch(first, "/flaky/")[0] for _ in range(4)]
        assert statuses == [500, 500, 200, 200]
        assert b"Story" in fetch(first, "/flaky/")[2]
        assert first.count("/flaky/") == 5
    with SiteServer(site) as second:  # a new server starts counting again
        assert fetch(second, "/flaky/")[0] == 500


def test_content_type_override_keeps_non_utf8_bytes(server: SiteServer) -> None:
    _, headers, body = fetch(server, "/latin/")
    assert headers["content-type"] == "text/html"  # exactly, no charset
    assert body.decode("cp1252") == f'<meta charset="windows-1252"><p>“Café” {server.base_url}/x</p>'


def test_delay_and_inline_body(server: SiteServer) -> None:
    started = time.monotonic()
    status, _, body = fetch(server, "/slow/")
    assert time.monotonic() - started >= 0.3
    assert (status, body) == (200, f"<p>late {server.base_url}</p>".encode())


def test_head_requests_have_headers_only(server: SiteServer) -> None:
    status, headers, body = fetch(server, "/feed/", method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 0


def test_requests_are_recorded_in_order_with_queries(server: SiteServer) -> None:
    for path in ("/feed/", "/old/", "/2021/08/30/story/?utm_source=rss", "/nope/"):
        fetch(server, path)
    assert server.requests == ["/feed/", "/old/", "/2021/08/30/story/?utm_source=rss", "/nope/"]
    assert server.count("/feed/") == 1


def test_free_ports_and_clean_stop(site: Path) -> None:
    one, two = SiteServer(site).start(), SiteServer(site).start()
    try:
        assert one.port != two.port and one.port > 0
        assert fetch(one, "/feed/")[0] == fetch(two, "/feed/")[0] == 200
    finally:
        one.stop()
        two.stop()
    one.stop()  # twice is harmless
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", one.port), timeout=1):
        pass
    # The port is free again: a server can be started on it.
    with SiteServer(site, port=one.port) as again:
        assert again.base_url == f"http://127.0.0.1:{one.port}"


def test_client_hanging_up_does_not_break_the_server(server: SiteServer) -> None:
    for _ in range(5):
        raw = socket.create_connection((server.host, server.port), timeout=5)
        raw.sendall(b"GET /slow/ HTTP/1.0\r\n\r\n")
        raw.close()  # gone before the answer
    raw = socket.create_connection((server.host, server.port), timeout=5)
    raw.sendall(b"NONSENSE\r\n\r\n")
    raw.close()
    assert fetch(server, "/feed/")[0] == 200


def test_image_routes_answer_real_pictures_of_their_size(server: SiteServer) -> None:
    """A site's pictures, at its own address: real bytes a decoder reads, the same for every request."""
    cases = [
        ("/cdn/i0.wp.com/site.com/lead.jpg?fit=1200%2C675&ssl=1", "image/jpeg", "JPEG", (1200, 675)),
        ("/cdn/i.insider.com/65c677fb9fe7a8bd3f1c0a8e?width=1300&format=jpeg", "image/jpeg", "JPEG", (1300, 731)),
        ("/cdn/i0.wp.com/site.com/logo.png", "image/png", "PNG", (400, 100)),
    ]
    bodies = []
    for path, content_type, kind, size in cases:
        status, headers, body = fetch(server, path)
        assert (status, headers["content-type"], int(headers["content-length"])) == (200, content_type, len(body))
        picture = Image.open(BytesIO(body))
        assert (picture.format, picture.size) == (kind, size)
        assert len(body) > 2000  # a picture, not a stub
        bodies.append(body)
    assert fetch(server, cases[0][0])[2] == bodies[0]  # the same bytes again: the image store keeps files by content
    assert len(set(bodies)) == 3
    assert fetch(server, "/cdn/i0.wp.com/site.com/not-routed.jpg")[0] == 404


@pytest.mark.parametrize("size", ["[1200]", "[0, 600]", "1200x600", "[1200, 600.5]"])
def test_an_image_route_needs_a_width_and_a_height(tmp_path: Path, size: str) -> None:
    (tmp_path / "_routes.yaml").write_text(f"/cdn/a.jpg: {{image: {size}}}\n")
    with pytest.raises(ValueError, match=r"image: expected \[width, height\] in pixels"):
        load_routes(tmp_path)


def test_a_typo_in_the_manifest_fails_loudly(tmp_path: Path) -> None:
    (tmp_path / "_routes.yaml").write_text("/x/: {fail_frist: 1}\n")
    with pytest.raises(ValueError, match=r"unknown behaviour.*fail_frist"):
        load_routes(tmp_path)


def test_site_root_names_the_known_sites() -> None:
    assert site_root("technode") == REPO / "crawler" / "demo" / "sites" / "technode"
    with pytest.raises(FileNotFoundError, match=r"known: .*technode"):
        site_root("no-such-provider")


def test_command_line_prints_the_base_url_and_serves() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "crawler.demo.server", "technode"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline().strip()  # type: ignore[union-attr]
        assert line.startswith("http://127.0.0.1:")
        host, port = line.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        connection.request("GET", "/robots.txt")
        assert f"Sitemap: {line}/sitemap_index.xml".encode() in connection.getresponse().read()
        connection.close()
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.stderr.read() == ""  # type: ignore[union-attr]  # quiet: no per-request log lines
