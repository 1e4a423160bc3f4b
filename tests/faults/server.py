"""A hostile news site: one local HTTP server on 127.0.0.1, a scenario per path.

Articles live at ``/news/<scenario>/`` and are listed by ``/feed/`` and
``/sitemap.xml``; other sources (an XXE feed, a billion-laughs sitemap, a gzip
bomb, broken XML) sit beside them. Each scenario is a function of the request
handler, so a scenario can do what no static file can: lie about its length,
reset the connection, stall, redirect in a loop or compress a bomb.

The "other host" a hostile page points at (an internal admin page, a redirect
target) is a second server on another port of 127.0.0.1, reached as
``localhost``: it records every request, so a test can prove it was never
called. Nothing here ever contacts any other address.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from PIL import Image

PUBLISHED = "2026-11-20T08:00:00+00:00"
BODY = (
    "<p>The company said on Friday that it would build a new factory in the north of the country, its"
    " largest investment in a decade, and hire two thousand people over the next three years.</p>"
    "<p>Analysts said the move reflects a wider shift in the industry, where supply chains are being rebuilt"
    " and companies are spending heavily on new capacity to meet demand from carmakers and cloud providers.</p>"
    "<p>The company did not say how much the project would cost, but people familiar with the plans said"
    " spending would run into billions of dollars, with the first output expected within two years.</p>"
)

HOSTILE_TITLE = 'Breaking: "Quotes", #hash --- back\\slash\nnew line 👩\u200d👩\u200d👧 and 🇺🇦 flags'
SQL_TITLE = "Robert'); DROP TABLE records;-- and the store stays whole"
BROKEN_FEED = b"<?xml version='1.0'?><rss><channel><item><title>Cut &amp; <lin"
HUGE_TITLE = " ".join(["headline"] * 12_000)  # 107,999 characters


def article_page(
    base: str,
    slug: str,
    title: str,
    *,
    image: str = "",
    canonical: str = "",
    head_extra: str = "",
    h1: str | None = None,
) -> bytes:
    """A complete article page: og and article meta, canonical, a headline and three paragraphs."""
    from html import escape

    canonical = canonical or f"{base}/news/{slug}/"
    og_title = f'<meta property="og:title" content="{escape(title)}">' if title.strip() else ""
    image_meta = f'<meta property="og:image" content="{escape(image)}">' if image else ""
    headline = escape(title) if h1 is None else h1
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title>{og_title}"
        '<meta property="og:site_name" content="Hostile News"><meta property="og:type" content="article">'
        f'<meta name="description" content="A factory, two thousand jobs and billions of dollars: {slug}.">'
        f'<meta property="article:published_time" content="{PUBLISHED}">{image_meta}'
        f'<link rel="canonical" href="{escape(canonical)}">{head_extra}</head>'
        f"<body><article><h1>{headline}</h1><p>Reported for the {slug} page.</p>{BODY}</article></body></html>"
    ).encode()


@cache
def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 360), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


@cache
def gzip_bomb(size: int = 64 * 1024 * 1024) -> bytes:
    """``size`` bytes of spaces, gzipped: about 64 KiB on the wire, four times DOWNLOAD_MAXSIZE unpacked."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9, mtime=0) as packer:
        chunk = b" " * (1024 * 1024)
        for _ in range(size // len(chunk)):
            packer.write(chunk)
    return out.getvalue()


@dataclass
class Recorder:
    """What a server was asked: (monotonic time, path) per request."""

    requests: list[tuple[float, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, path: str) -> None:
        with self.lock:
            self.requests.append((time.monotonic(), path))

    def paths(self) -> list[str]:
        with self.lock:
            return [path for _, path in self.requests]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # a crawler opens many connections at once; a short backlog would time them out


class LocalServer:
    """A threaded HTTP server on 127.0.0.1 (a free port) answering with ``handle(handler)``."""

    def __init__(self, handle: Callable[[BaseHTTPRequestHandler], None]):
        self.recorder = Recorder()
        recorder = self.recorder

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                recorder.add(self.path)
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    handle(self)  # a crawler that hangs up is what some scenarios are for

            def log_message(self, *args: object) -> None:
                pass

        self._server = _Server(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def paths(self) -> list[str]:
        return self.recorder.paths()

    def __enter__(self) -> LocalServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def send(handler: BaseHTTPRequestHandler, body: bytes, content_type: str = "text/html; charset=utf-8", **headers):
    handler.send_response(int(headers.pop("status", 200)))
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in headers.items():
        handler.send_header(name.replace("_", "-"), value)
    handler.end_headers()
    handler.wfile.write(body)


def redirect(handler: BaseHTTPRequestHandler, location: str, status: int = 302) -> None:
    handler.send_response(status)
    handler.send_header("Location", location)
    handler.send_header("Content-Length", "0")
    handler.end_headers()


def reset(handler: BaseHTTPRequestHandler) -> None:
    """Send the start of a response, then abort the connection with a TCP reset."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Length", "100000")
    handler.end_headers()
    handler.wfile.write(b"<!doctype html><html><head><title>Cut")
    handler.wfile.flush()
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.connection.close()


class HostileSite:
    """The scenarios. ``other`` is the server standing for another host (reached as ``localhost``)."""

    # Each article scenario: what a test expects of it (see tests/faults/test_hostile_site.py).
    ARTICLES = (
        "ok",
        "hostile-title",
        "sql-title",
        "huge-title",
        "blank-title",
        "deep-jsonld",
        "ssrf-image",
        "twin-http",
        "twin-https",
        "gzip-bomb",
        "huge-body",
        "truncated",
        "reset",
        "stall",
        "redirect-loop",
        "offsite-redirect",
        "traversal",
    )
    LONG_PATH = "/news/" + "long-" * 500 + "/"

    def __init__(self, other_port: int, stall_seconds: float = 4.0):
        self.other_port = other_port
        self.stall_seconds = stall_seconds
        self.server = LocalServer(self.handle)
        gzip_bomb()  # made before the crawl starts: no slow first answer

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        path = urlsplit(handler.path).path
        base = self.base_url
        if path == "/robots.txt":
            return send(handler, b"User-agent: *\nAllow: /\n", "text/plain")
        if path == "/feed/":
            return send(handler, self.feed(), "application/rss+xml; charset=utf-8")
        if path == "/sitemap.xml":
            return send(handler, self.sitemap(), "application/xml")
        if path == "/xxe-feed/":
            return send(handler, self.xxe_feed(), "application/rss+xml")
        if path == "/laughs-sitemap.xml":
            return send(handler, self.billion_laughs(), "application/xml")
        if path == "/bomb-sitemap.xml.gz":
            return send(handler, gzip_bomb(), "application/x-gzip")
        if path == "/broken-feed/":
            return send(
                handler, b"<?xml version='1.0'?><rss><channel><item><title>Cut &amp; <lin", "application/rss+xml"
            )
        if path == "/images/lead.png":
            return send(handler, png_bytes(), "image/png")
        if not path.startswith("/news/"):
            return send(handler, b"<html><body>not found</body></html>", status=404)
        slug = path.strip("/").split("/", 1)[1] if path.count("/") > 2 else ""
        page = self.article(handler, slug, base)
        if page is not None:
            send(handler, page)

    def article(self, handler: BaseHTTPRequestHandler, slug: str, base: str) -> bytes | None:
        other = f"http://localhost:{self.other_port}"
        if slug == "ok":
            return article_page(base, slug, "Factory opens with two thousand jobs", image=f"{base}/images/lead.png")
        if slug == "hostile-title":
            return article_page(base, slug, HOSTILE_TITLE)
        if slug == "sql-title":
            return article_page(base, slug, SQL_TITLE)
        if slug == "huge-title":
            return article_page(base, slug, HUGE_TITLE)
        if slug == "blank-title":
            return article_page(base, slug, "   ", h1=" \u00a0 ")
        if slug == "deep-jsonld":
            deep = '<script type="application/ld+json">' + "[" * 200_000 + "]" * 200_000 + "</script>"
            return article_page(base, slug, "Deep structured data does not sink the article", head_extra=deep)
        if slug == "ssrf-image":
            image = f"{other}/internal-admin/photo.png?token=SECRET"
            return article_page(base, slug, "Image pointing inside the network", image=image)
        if slug == "twin-http":
            canonical = f"{base}/news/twin/"
            return article_page(base, slug, "One article spelt two ways", canonical=canonical)
        if slug == "twin-https":
            canonical = f"{base.replace('http://', 'https://')}/news/twin/"
            return article_page(base, slug, "One article spelt two ways", canonical=canonical)
        if slug == "gzip-bomb":
            send(handler, gzip_bomb(), Content_Encoding="gzip")
            return None
        if slug == "huge-body":
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html")
            handler.send_header("Content-Length", str(20 * 1024 * 1024))
            handler.end_headers()
            for _ in range(20):
                handler.wfile.write(b" " * (1024 * 1024))
            return None
        if slug == "truncated":
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html")
            handler.send_header("Content-Length", "50000")
            handler.end_headers()
            handler.wfile.write(article_page(base, slug, "Cut short")[:2000])
            handler.close_connection = True
            return None
        if slug == "reset":
            reset(handler)
            return None
        if slug == "stall":
            time.sleep(self.stall_seconds)
            return article_page(base, slug, "Too late")
        if slug == "redirect-loop":
            redirect(handler, f"{base}/news/redirect-loop-b/")
            return None
        if slug == "redirect-loop-b":
            redirect(handler, f"{base}/news/redirect-loop/")
            return None
        if slug == "offsite-redirect":
            redirect(handler, f"{other}/news/elsewhere/")
            return None
        if slug.startswith("long-"):
            return article_page(base, "long", "A very long address")
        return article_page(base, slug, f"Story {slug}")

    def links(self) -> list[str]:
        base = self.base_url
        return [f"{base}/news/{slug}/" for slug in self.ARTICLES] + [
            base + self.LONG_PATH,
            f"{base}/news/..%2F..%2F..%2Fetc%2Fpasswd/",
        ]

    def feed(self) -> bytes:
        items = "".join(
            f"<item><title>{self._feed_title(url)}</title><link>{url}</link></item>" for url in self.links()
        )
        # An item without a link is dropped, and said so.
        items += "<item><title>An item without a link</title><description>Nothing to follow.</description></item>"
        return (
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>Hostile</title>{items}</channel></rss>'.encode()
        )

    @staticmethod
    def _feed_title(url: str) -> str:
        slug = url.rsplit("/", 2)[-2][:40]
        return " " if slug == "blank-title" else f"Story {slug}"  # a blank headline is blank in the feed too

    def sitemap(self) -> bytes:
        urls = "".join(f"<url><loc>{url}</loc></url>" for url in self.links()[:3])
        return (
            '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + urls + "</urlset>"
        ).encode()

    def xxe_feed(self) -> bytes:
        return (
            '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            '<rss version="2.0"><channel><title>XXE</title>'
            f"<item><title>&xxe;</title><description>&xxe;</description><link>{self.base_url}/news/xxe/</link></item>"
            "</channel></rss>"
        ).encode()

    def billion_laughs(self) -> bytes:
        entities = '<!ENTITY lol "lol">' + "".join(
            f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">' for n in range(1, 10)
        )
        return (
            f'<?xml version="1.0"?><!DOCTYPE urlset [{entities}]>'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{self.base_url}/news/laughs/</loc><lastmod>&lol9;</lastmod></url></urlset>"
        ).encode()
