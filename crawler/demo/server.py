"""A local web server for fixture sites: the demo crawl and the end-to-end tests fetch from it.

A site is a directory (``crawler/demo/sites/<name>/``). Conventions (see ``sites/README.md``):

- ``/a/b/`` serves ``a/b/index.html``, ``a/b/index.xml``, ``a/b/index.json`` or ``a/b/index.txt``
  (the first that exists); ``/a/b`` with ``a/b/`` a directory redirects to ``/a/b/``; any other
  path serves the file of that name. A query string is ignored when a file answers the path.
- ``{{base}}`` in ``.html``/``.xml``/``.json``/``.txt`` files (and inline bodies) becomes the
  server's base URL, on bytes, so pages keep their own encoding.
- ``_routes.yaml`` gives paths a behaviour: ``status``, ``redirect`` (+ ``redirect_status``),
  ``fail_first``, ``content_type``, ``delay``, ``body``, ``headers``, ``file``, ``image``.
- ``image: [width, height]`` answers a picture of that size, made here (real JPEG, PNG, GIF or WebP
  bytes, by the path's extension, else JPEG): a site's pictures are served at its own address
  (``/cdn/<host>/<path>``), so a crawl of it reaches nothing but 127.0.0.1.
- Names starting with ``_`` or ``.``, and ``expected.yaml``/``README.md`` at the top, are never served.

Run one from the command line: ``python -m crawler.demo.server technode [--port N]``.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import as_file, files
from importlib.resources.abc import Traversable
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

# Through importlib.resources: a Path when installed as files, a folder of the archive in a zipped egg
# (serve one through as_directory()).
SITES: Traversable = files("crawler.demo") / "sites"
ROUTES_FILE = "_routes.yaml"
INDEX_FILES = ("index.html", "index.xml", "index.json", "index.txt")
HIDDEN_AT_ROOT = frozenset({"expected.yaml", "README.md"})
TEXT_SUFFIXES = frozenset({".html", ".htm", ".xml", ".json", ".txt", ".xsl"})
LOG_ENV = "CRAWLER_DEMO_LOG"  # set to 1 to log each request on stderr
BASE_PLACEHOLDER = b"{{base}}"

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".xsl": "text/xsl; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".gz": "application/x-gzip",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
}
# An .xml file whose root is a feed gets the feed's own type (what WordPress sends for /feed/).
_FEED_TYPES = ((b"<rss", "application/rss+xml; charset=utf-8"), (b"<feed", "application/atom+xml; charset=utf-8"))

_NOT_FOUND_PAGE = (
    b"<!DOCTYPE html><html><head><title>Page not found</title></head>"
    b"<body><h1>Not found</h1><p>Nothing lives at this address.</p></body></html>"
)
_ERROR_PAGE = b"<!DOCTYPE html><html><head><title>Server error</title></head><body><h1>500</h1></body></html>"


@dataclass(frozen=True, slots=True)
class Route:
    """How one path behaves, from ``_routes.yaml``."""

    status: int = 200
    redirect: str = ""
    redirect_status: int = 301
    fail_first: int = 0
    content_type: str = ""
    delay: float = 0.0
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    file: str = ""
    image: tuple[int, int] | None = None  # (width, height): answer a picture of that size

    @classmethod
    def from_yaml(cls, path: str, data: Any) -> Route:
        if not isinstance(data, dict):
            raise ValueError(f"{ROUTES_FILE}: {path!r}: expected a mapping of behaviours")
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"{ROUTES_FILE}: {path!r}: unknown behaviour(s) {', '.join(sorted(unknown))}")
        if "image" in data:
            size = data["image"]
            if not (isinstance(size, list) and len(size) == 2 and all(isinstance(n, int) and n > 0 for n in size)):
                raise ValueError(f"{ROUTES_FILE}: {path!r}: image: expected [width, height] in pixels, got {size!r}")
            data = {**data, "image": tuple(size)}
        return cls(**data)


@dataclass(slots=True)
class Response:
    """What the handler sends."""

    status: int
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def load_routes(root: Path) -> dict[str, Route]:
    """The site's route manifest (``{}`` when it has none)."""
    path = root / ROUTES_FILE
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of path -> behaviour")
    return {str(key): Route.from_yaml(str(key), value) for key, value in data.items()}


def site_root(name: str) -> Traversable:
    """The directory of the fixture site ``name`` (``crawler/demo/sites/<name>``); a Path unless zipped."""
    root = SITES / name
    if not root.is_dir():
        known = ", ".join(sorted(p.name for p in SITES.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))))
        raise FileNotFoundError(f"no fixture site {name!r} in {SITES} (known: {known or 'none'})")
    return root


@contextmanager
def as_directory(tree: Traversable) -> Iterator[Path]:
    """A folder of the installed package as a directory on disk, while the context lasts.

    ``importlib.resources.as_file``: the folder itself when the package is installed as files;
    inside a zipped egg (Scrapyd's), a temporary copy, removed at the end (what ``as_file`` does for
    folders from Python 3.12 on).
    """
    if isinstance(tree, Path):
        with as_file(tree) as path:
            yield path
        return
    with tempfile.TemporaryDirectory(prefix="crawler-site-") as temporary:
        root = Path(temporary) / tree.name
        _copy_tree(tree, root)
        yield root


def _copy_tree(tree: Traversable, target: Path) -> None:
    target.mkdir()
    for child in tree.iterdir():
        if child.is_dir():
            _copy_tree(child, target / child.name)
        else:
            (target / child.name).write_bytes(child.read_bytes())


class SiteServer:
    """Serves a fixture site directory on 127.0.0.1:<free port> from a background thread."""

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 0, *, keep_alive: bool = False):
        self.root = Path(root).resolve()
        self.host = host
        self.port = port
        # HTTP/1.1 persistent connections, as real sites keep them (bench/bench_crawl.py); the
        # default, HTTP/1.0, closes each connection after its answer, as the fault tests expect.
        self.keep_alive = keep_alive
        self.base_url = ""
        self.requests: list[str] = []
        self.request_times: list[float] = []  # time.monotonic() of each of ``requests``
        self.routes = load_routes(self.root)
        self._lock = threading.Lock()
        self._failures: dict[str, int] = {}
        self._pictures: dict[str, tuple[bytes, str]] = {}
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> SiteServer:
        """Bind (port 0 picks a free port), serve in a daemon thread, and set ``base_url``."""
        if self._httpd is not None:
            return self
        protocol = "HTTP/1.1" if self.keep_alive else _Handler.protocol_version
        handler = type("Handler", (_Handler,), {"site": self, "protocol_version": protocol})
        self._httpd = _QuietServer((self.host, self.port), handler)
        self.port = self._httpd.server_address[1]
        self.base_url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},  # stop() waits for one poll: keep it short for tests
            name=f"site-server-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port; safe to call twice."""
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = self._thread = None

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def url(self, path: str) -> str:
        """The absolute URL of a site path ("/feed/" → "http://127.0.0.1:PORT/feed/")."""
        return self.base_url + path

    def count(self, path: str) -> int:
        """How many requests asked for exactly ``path`` (with its query, if any)."""
        with self._lock:
            return self.requests.count(path)

    # --- answering -----------------------------------------------------------------------------

    def record(self, target: str) -> None:
        with self._lock:
            self.requests.append(target)
            self.request_times.append(time.monotonic())

    def respond(self, target: str) -> Response:
        """The response to a request for ``target`` (path + query)."""
        parts = urlsplit(target)
        path = unquote(parts.path) or "/"
        route = self.routes.get(target) or self.routes.get(path)
        if route is None:
            return self._serve_file(path, Route())
        if route.delay:
            time.sleep(route.delay)
        if route.fail_first and self._fail(path, route.fail_first):
            return Response(500, _ERROR_PAGE)
        if route.redirect:
            location = route.redirect.replace("{{base}}", self.base_url)
            if location.startswith("/"):
                location = self.base_url + location
            return Response(route.redirect_status, b"", headers={"Location": location})
        if route.body is not None:
            body = self._substitute(route.body.encode("utf-8"))
            return Response(route.status, body, route.content_type or "text/html; charset=utf-8", dict(route.headers))
        if route.status >= 400:
            return Response(
                route.status, _NOT_FOUND_PAGE if route.status == 404 else _ERROR_PAGE, headers=route.headers
            )
        if route.image is not None:
            body, content_type = self._picture(path, route.image)
            return Response(route.status, body, route.content_type or content_type, dict(route.headers))
        return self._serve_file(route.file or path, route)

    def _picture(self, path: str, size: tuple[int, int]) -> tuple[bytes, str]:
        """The picture served at ``path`` (made once per server: the same bytes for every request)."""
        with self._lock:
            made = self._pictures.get(path)
        if made is None:
            made = picture(path, *size)
            with self._lock:
                self._pictures[path] = made
        return made

    def _fail(self, path: str, times: int) -> bool:
        with self._lock:
            done = self._failures.get(path, 0)
            if done >= times:
                return False
            self._failures[path] = done + 1
            return True

    def _serve_file(self, path: str, route: Route) -> Response:
        found = self._find(path)
        if found is None:
            if path != "/" and not path.endswith("/") and self._find(path + "/") is not None:
                return Response(301, headers={"Location": self.base_url + path + "/"})
            return Response(404, _NOT_FOUND_PAGE)
        body = found.read_bytes()
        suffix = found.suffix.lower()
        if suffix in TEXT_SUFFIXES:
            body = self._substitute(body)
        content_type = route.content_type or _content_type(found, body)
        return Response(route.status, body, content_type, dict(route.headers))

    def _find(self, path: str) -> Path | None:
        parts = [p for p in path.split("/") if p]
        if any(p in ("..", ".") or p.startswith(("_", ".")) for p in parts):
            return None
        if len(parts) == 1 and parts[0] in HIDDEN_AT_ROOT:
            return None
        candidate = self.root.joinpath(*parts)
        if path.endswith("/") or not parts:
            return next((candidate / name for name in INDEX_FILES if (candidate / name).is_file()), None)
        return candidate if candidate.is_file() else None

    def _substitute(self, body: bytes) -> bytes:
        return body.replace(BASE_PLACEHOLDER, self.base_url.encode("ascii"))


_PICTURE_FORMATS = {".png": "PNG", ".gif": "GIF", ".webp": "WEBP"}  # any other extension (or none): JPEG


def picture(path: str, width: int, height: int) -> tuple[bytes, str]:
    """(bytes, Content-Type) of a ``width`` × ``height`` picture for ``path``, in the format its extension names.

    A real image, which any decoder reads: a diagonal blend of two colours drawn from the path,
    with a band across it, so that pictures differ from one another and the same path always
    gives the same bytes (the image store keeps files by content).
    """
    from PIL import Image, ImageDraw  # Pillow: a dependency of the crawler's image store

    digest = hashlib.sha256(path.encode("utf-8")).digest()
    start, end = digest[:3], digest[3:6]
    ramp = Image.linear_gradient("L").rotate(45, expand=True).resize((width, height))
    canvas = Image.composite(
        Image.new("RGB", (width, height), tuple(end)), Image.new("RGB", (width, height), tuple(start)), ramp
    )
    band = height // 5
    ImageDraw.Draw(canvas).rectangle((0, height - 2 * band, width, height - band), fill=tuple(255 - c for c in start))
    suffix = os.path.splitext(path)[1].lower()
    kind = _PICTURE_FORMATS.get(suffix, "JPEG")
    out = io.BytesIO()
    if kind == "JPEG":
        canvas.save(out, "JPEG", quality=80)
    else:
        canvas.save(out, kind)
    return out.getvalue(), CONTENT_TYPES[".jpg" if kind == "JPEG" else suffix]


def _content_type(path: Path, body: bytes) -> str:
    suffix = path.suffix.lower()
    if suffix == ".xml":
        head = body[:1024]
        for marker, content_type in _FEED_TYPES:
            if marker in head:
                return content_type
    return CONTENT_TYPES.get(suffix, "application/octet-stream")


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver listens with a backlog of 5: a crawl's 16 connections overflow it, and the
    # dropped SYNs come back a second later (the fixture, not the crawler, was the bottleneck).
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-answer is normal in crawls (timeouts, cancelled requests).
        if os.environ.get(LOG_ENV):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    site: SiteServer
    server_version = "FixtureSite/1.0"

    def do_GET(self) -> None:
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def _answer(self, *, with_body: bool) -> None:
        self.site.record(self.path)
        response = self.site.respond(self.path)
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if with_body:
                self.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            pass

    def log_message(self, format: str, *args: Any) -> None:
        if os.environ.get(LOG_ENV):
            super().log_message(format, *args)


def main(argv: list[str] | None = None) -> int:
    """Serve a fixture site until interrupted; print its base URL."""
    parser = argparse.ArgumentParser(prog="python -m crawler.demo.server", description=main.__doc__)
    parser.add_argument("site", help="a directory name under crawler/demo/sites/, or a path")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 (default) picks a free port")
    args = parser.parse_args(argv)
    tree = Path(args.site) if os.sep in args.site else site_root(args.site)
    with as_directory(tree) as root:
        server = SiteServer(root, args.host, args.port).start()
        print(server.base_url, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
