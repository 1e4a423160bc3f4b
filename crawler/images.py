"""The image store: each record's images, downloaded once, kept by content, measured from their bytes.

:class:`ImageStorePipeline` is Scrapy's :class:`~scrapy.pipelines.files.FilesPipeline`
made to do one job for a :class:`~crawler.record.Record`:

- it downloads the record's images (the lead, ``images[0]``, and the others, up to
  ``IMAGES_PER_RECORD``) through Scrapy's downloader, so AutoThrottle, download slots and
  retries apply as to any request;
- it keeps the original bytes, never re-encoded, at
  ``<IMAGES_STORE>/<sha256[:2]>/<sha256>.<ext>`` (the extension from the format
  the bytes are in, not from the URL), written once and atomically;
- it reads the real pixel size from the bytes (the header only: JPEG, PNG, GIF,
  WebP, AVIF; anything else, SVG and HTML included, is not a picture) and sets
  the image's ``width``/``height`` and ``isCached: true``;
- an image URL already in the index (the record store's ``images`` table) whose
  file is still there is not downloaded again, in this crawl or a later one;
  in one crawl, articles sharing a picture share one download (MediaPipeline's
  per-request cache);
- a failed, refused or oversized download (``IMAGES_MAX_BYTES``,
  ``IMAGES_MAX_PIXELS``) leaves the metadata size and ``isCached: false``, logs
  one line and counts ``images/failed/<reason>``; the record always goes on.

Image hosts are usually not the article's host (CDNs), and the spiders set
``allowed_domains``: image requests carry ``allow_offsite``. Scrapy's
RobotsTxtMiddleware cannot serve such hosts (its robots.txt request has no
``allow_offsite``, so OffsiteMiddleware drops it and the image goes unchecked;
and a host that does not resolve costs retries and an ERROR with a traceback),
so :class:`ImageHosts` reads each image host's robots.txt itself, once per crawl.
"""

from __future__ import annotations

import hashlib
import logging
import time
import warnings
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

from PIL import Image as PILImage
from scrapy.exceptions import (
    DownloadCancelledError,
    IgnoreRequest,
    NotConfigured,
)
from scrapy.http import Request, Response
from scrapy.http.request import NO_CALLBACK
from scrapy.pipelines.files import FilesPipeline, FilesStoreProtocol, StatInfo
from scrapy.pipelines.media import FileInfo, FileInfoOrError, MediaPipeline
from scrapy.utils.datatypes import SequenceExclude
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.misc import build_from_crawler, load_object
from twisted.internet.defer import CancelledError, Deferred
from twisted.python.failure import Failure

from crawler import clock
from crawler.failures import failure_reason
from crawler.middlewares.addresses import ForbiddenAddress
from crawler.publishing.files import remove_abandoned_temporaries, write_once
from crawler.record import Record
from crawler.stop import store_failed
from crawler.store import RecordStore, StoreError, acquire, release

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.robotstxt import RobotParser

logger = logging.getLogger(__name__)

# Pillow format -> file extension: the formats a lead image may be in.
FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp", "AVIF": "avif"}
_EXIF_ORIENTATION = 0x0112
_TURNED = (5, 6, 7, 8)  # EXIF orientations shown turned by 90°: width and height swap on screen
ROBOTS_MAX_BYTES = 512 * 1024  # what Google reads of a robots.txt
UNREACHABLE_FOR = 600.0  # seconds a host that could not be reached is given up on before it is tried again


class ImageInfo(FileInfo, total=False):
    """A media result: FileInfo's url, path, checksum (SHA-256 here) and status, plus the picture's size.

    ``status`` is ``downloaded``, ``stored`` (found in the index) or ``failed`` (with ``reason``,
    a stats slug, and ``detail``, for the log).
    """

    width: int
    height: int
    reason: str
    detail: str


# --- reading a picture -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Picture:
    """What the bytes of an image say: its format and its size as displayed."""

    format: str
    width: int
    height: int

    @property
    def extension(self) -> str:
        return FORMATS[self.format]


class NotAPicture(ValueError):
    """The bytes are not a picture the store keeps; ``reason`` is the stats slug."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason


def readable_formats() -> list[str]:
    """The formats of :data:`FORMATS` that this Pillow can open (AVIF needs a recent build)."""
    PILImage.init()
    return [name for name in FORMATS if name in PILImage.OPEN]


def read_picture(data: bytes, max_pixels: int) -> Picture:
    """The format and displayed size of an image from its bytes, or :exc:`NotAPicture`.

    Only the header is decoded. EXIF orientation is applied (a portrait photo
    stored on its side is as tall as it is shown).
    """
    if not data:
        raise NotAPicture("empty", "no bytes")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)  # the cap below decides
            formats = readable_formats()
            with PILImage.open(BytesIO(data), formats=formats) as picture:
                picture.verify()  # the structure holds (PNG checksums…); only right after opening
            with PILImage.open(BytesIO(data), formats=formats) as picture:
                name, (width, height) = str(picture.format), picture.size
                orientation = picture.getexif().get(_EXIF_ORIENTATION, 1)
    except PILImage.DecompressionBombError as error:
        raise NotAPicture("too_many_pixels", str(error)) from error
    except Exception as error:  # whatever Pillow cannot read is not a picture (hostile bytes raise anything)
        raise NotAPicture("not_an_image", f"not a {'/'.join(FORMATS)} image ({_sniff(data)})") from error
    if name not in FORMATS or width <= 0 or height <= 0:
        raise NotAPicture("not_an_image", f"{name} {width}x{height}")
    if width * height > max_pixels:
        raise NotAPicture("too_many_pixels", f"{width}x{height} is over {max_pixels:,} pixels")
    if orientation in _TURNED:
        width, height = height, width
    return Picture(name, width, height)


def _sniff(data: bytes) -> str:
    head = data[:256].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return "HTML"
    if b"<svg" in head:
        return "SVG"
    if head.startswith(b"<"):
        return "XML"
    return f"{len(data)} bytes starting {data[:8].hex()}"


def content_path(data: bytes, picture: Picture) -> tuple[str, str]:
    """``(sha256, path)``: where bytes are kept in the store, named by their content."""
    sha256 = hashlib.sha256(data).hexdigest()
    return sha256, f"{sha256[:2]}/{sha256}.{picture.extension}"


# --- the files on disk -------------------------------------------------------------------------


class ContentFiles:
    """IMAGES_STORE on the local disk (Scrapy's FilesStoreProtocol): each file written once, atomically.

    A name is its content's hash, so an existing file never changes; the
    directory is made with the first file, so a crawl that stores nothing leaves nothing.
    """

    def __init__(self, basedir: str):
        self.basedir = Path(basedir.split("://", 1)[1] if "://" in basedir else basedir)

    def persist_file(
        self,
        path: str,
        buf: BytesIO,
        info: MediaPipeline.SpiderInfo,
        meta: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        write_once(self.basedir / path, buf.getvalue(), mode=0o644)

    def stat_file(self, path: str, info: MediaPipeline.SpiderInfo | None = None) -> StatInfo:
        try:
            return {"last_modified": (self.basedir / path).stat().st_mtime}
        except OSError:
            return {}


# --- the hosts images come from ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HostVerdict:
    """What an image host's robots.txt request taught: its rules, or why nothing can be fetched there."""

    rules: RobotParser | None = None
    problem: tuple[str, str] | None = None  # (reason, detail) when the host cannot be reached


class ImageHosts:
    """Each image host's robots.txt, read once per crawl; a host that cannot be reached fails its images at once.

    Like Scrapy's RobotsTxtMiddleware, a robots.txt that answers anything is
    parsed (a 404 page allows everything); unlike it, the request reaches hosts
    outside ``allowed_domains``, and a transport failure (DNS, refused,
    timeout) is not retried and marks the host unreachable for
    :data:`UNREACHABLE_FOR` seconds: its images fail without a request. So
    does a host the address guard refuses (``forbidden_address``, see
    ``crawler.middlewares.addresses``).
    """

    def __init__(self, crawler: Crawler, obey: bool, user_agent: str, timeout: float):
        self.crawler = crawler
        self.obey = obey
        self.user_agent = user_agent
        self.timeout = timeout
        self.parser_class = load_object(crawler.settings.get("ROBOTSTXT_PARSER"))
        self._verdicts: dict[str, tuple[HostVerdict, float]] = {}  # origin -> (verdict, when)
        self._waiting: dict[str, list[Deferred[HostVerdict]]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, timeout: float) -> ImageHosts:
        settings = crawler.settings
        user_agent = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT") or ""
        return cls(crawler, settings.getbool("ROBOTSTXT_OBEY"), user_agent, timeout)

    async def refusal(self, url: str) -> tuple[str, str] | None:
        """``(reason, detail)`` when ``url`` must not or cannot be fetched; ``None`` to go ahead."""
        if not self.obey:
            return None
        parts = urlsplit(url)
        verdict = await self._verdict(f"{parts.scheme}://{parts.netloc}")
        if verdict.problem:
            return verdict.problem
        if verdict.rules is not None and not verdict.rules.allowed(url, self.user_agent):
            self.crawler.stats.inc_value("robotstxt/forbidden")
            return "robots", "forbidden by robots.txt"
        return None

    async def _verdict(self, origin: str) -> HostVerdict:
        known, when = self._verdicts.get(origin, (None, 0.0))
        if known is not None and not (known.problem and time.monotonic() - when > UNREACHABLE_FOR):
            return known
        if origin in self._waiting:  # being fetched for another image: wait for that answer
            waiter: Deferred[HostVerdict] = Deferred()
            self._waiting[origin].append(waiter)
            return await maybe_deferred_to_future(waiter)
        self._waiting[origin] = []
        verdict = HostVerdict()
        try:
            verdict = await self._fetch(origin)
        finally:
            self._verdicts[origin] = (verdict, time.monotonic())
            for waiter in self._waiting.pop(origin):
                waiter.callback(verdict)
        return verdict

    async def _fetch(self, origin: str) -> HostVerdict:
        request = Request(
            f"{origin}/robots.txt",
            callback=NO_CALLBACK,
            priority=1000,  # what RobotsTxtMiddleware gives robots.txt: before the host's other requests
            meta={
                "allow_offsite": True,
                "dont_obey_robotstxt": True,
                "dont_retry": True,
                "download_timeout": self.timeout,
                "download_maxsize": ROBOTS_MAX_BYTES,
            },
        )
        stats = self.crawler.stats
        stats.inc_value("robotstxt/request_count")
        try:
            response = await self.crawler.engine.download_async(request)
        except ForbiddenAddress as error:  # the host is on a private address: its images are refused too
            return HostVerdict(problem=(failure_reason(error), f"host refused: {error}"))
        except (IgnoreRequest, DownloadCancelledError, CancelledError):
            return HostVerdict()  # refused by a middleware or too long: no rules, as Scrapy does
        except Exception as error:
            stats.inc_value("images/hosts_unreachable")
            return HostVerdict(problem=(failure_reason(error), f"{origin} unreachable: {error}"))
        stats.inc_value("robotstxt/response_count")
        stats.inc_value(f"robotstxt/response_status_count/{response.status}")
        try:
            return HostVerdict(rules=build_from_crawler(self.parser_class, self.crawler, response.body))
        except Exception as error:  # an unreadable robots.txt allows everything, as in Scrapy
            logger.debug("robots.txt of %s unreadable: %s", origin, error)
            return HostVerdict()


# --- the pipeline ------------------------------------------------------------------------------


class ImageStorePipeline(FilesPipeline):
    """Downloads each record's images into the content-addressed store and records their real sizes."""

    MEDIA_NAME = "image"
    STORE_SCHEMES: ClassVar[dict[str, type[FilesStoreProtocol]]] = {"": ContentFiles, "file": ContentFiles}

    def __init__(
        self,
        store_uri: str,
        *,
        crawler: Crawler,
        max_bytes: int,
        max_pixels: int,
        timeout: float,
        per_record: int = 1,
    ):
        super().__init__(store_uri, crawler=crawler)  # picks the store by scheme (STORE_SCHEMES)
        self.per_record = max(1, per_record)  # images stored per record, the lead first
        # Follow redirects (a CDN sends http to https, a resizer to its rendition); every other
        # status comes back to media_downloaded.
        self.allow_redirects = True
        self.handle_httpstatus_list = SequenceExclude(range(300, 400))
        self.max_bytes = max_bytes
        self.max_pixels = max_pixels
        self.timeout = timeout
        self.hosts = ImageHosts.from_crawler(crawler, timeout)
        self.index: RecordStore | None = None
        self._failures: dict[str, ImageInfo] = {}  # url -> why it failed (see media_failed)
        self._applied: set[str] = set()  # urls already given to a record in this crawl

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ImageStorePipeline:
        settings = crawler.settings
        store_uri = settings.get("IMAGES_STORE") or ""
        if not store_uri:
            raise NotConfigured("IMAGES_STORE is empty: lead images are not stored")
        scheme = urlsplit(store_uri).scheme
        if scheme not in cls.STORE_SCHEMES and not Path(store_uri).is_absolute():
            raise NotConfigured(f"IMAGES_STORE={store_uri!r}: the image store is a local directory")
        return cls(
            store_uri,
            crawler=crawler,
            max_bytes=settings.getint("IMAGES_MAX_BYTES"),
            max_pixels=settings.getint("IMAGES_MAX_PIXELS"),
            timeout=settings.getfloat("IMAGES_DOWNLOAD_TIMEOUT"),
            per_record=settings.getint("IMAGES_PER_RECORD"),
        )

    def open_spider(self) -> None:
        super().open_spider()
        removed = remove_abandoned_temporaries(self.store.basedir) if self.store.basedir.is_dir() else 0
        if removed:
            logger.info("Removed %d temporary files that an interrupted run left in %s", removed, self.store.basedir)
        try:
            self.index = acquire(self.crawler.settings)
        except StoreError as error:
            store_failed(self.crawler, error)

    def close_spider(self) -> None:
        if self.index is not None:
            release(self.index)
            self.index = None

    # --- which image ---------------------------------------------------------------------------

    def _stored_images(self, item: Any) -> list[Any]:
        """The images of a record this pipeline stores: the first ``IMAGES_PER_RECORD``, if http(s)."""
        if not isinstance(item, Record):
            return []
        return [image for image in item.images[: self.per_record] if image.url.startswith(("http://", "https://"))]

    def get_media_requests(self, item: Any, info: MediaPipeline.SpiderInfo) -> list[Request]:
        meta = {
            "allow_offsite": True,  # images live on CDNs, outside the spider's allowed_domains
            "dont_obey_robotstxt": True,  # ImageHosts has read the host's robots.txt (see the module docstring)
            "download_maxsize": self.max_bytes,
            "download_warnsize": self.max_bytes,
            "download_timeout": self.timeout,
            "max_retry_times": 1,  # an image is not worth the article's patience (RETRY_TIMES)
        }
        return [Request(image.url, callback=NO_CALLBACK, meta=meta) for image in self._stored_images(item)]

    async def media_to_download(  # type: ignore[override]
        self, request: Request, info: MediaPipeline.SpiderInfo, *, item: Any = None
    ) -> ImageInfo | None:
        """The stored picture when the index has it and its file is there; a refusal; else None (download)."""
        if self.index is None:
            return self._failed(request.url, "store_error", "the record store cannot be used")
        try:
            known = self.index.image(request.url)
        except StoreError as error:
            store_failed(self.crawler, error)
            return self._failed(request.url, "store_error", str(error))
        if known is not None:
            sha256, path, width, height = known
            if self.store.stat_file(path, info):
                return ImageInfo(
                    url=request.url, path=path, checksum=sha256, status="stored", width=width, height=height
                )
            logger.info("Image %s: stored file %s is gone; downloading it again", request.url, path)
        refusal = await self.hosts.refusal(request.url)
        return self._failed(request.url, *refusal) if refusal else None

    # --- the download --------------------------------------------------------------------------

    async def media_downloaded(  # type: ignore[override]
        self, response: Response, request: Request, info: MediaPipeline.SpiderInfo, *, item: Any = None
    ) -> ImageInfo:
        """Check the bytes, keep them, index them. Expected problems are results, not exceptions."""
        if response.status != 200:
            return self._failed(request.url, f"http_{response.status}", f"HTTP {response.status}")
        body = response.body
        if len(body) > self.max_bytes:  # a handler that does not honour download_maxsize
            return self._failed(request.url, "too_large", f"{len(body):,} bytes")
        try:
            picture = read_picture(body, self.max_pixels)
        except NotAPicture as problem:
            content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
            return self._failed(request.url, problem.reason, f"{problem} [{content_type or 'no Content-Type'}]")
        sha256, path = content_path(body, picture)
        try:
            self.store.persist_file(path, BytesIO(body), info)
        except OSError as error:
            return self._failed(request.url, "not_stored", f"{path}: {error}")
        try:
            assert self.index is not None
            now = clock.now(self.crawler.settings)
            self.index.put_image(request.url, sha256, path, picture.width, picture.height, now)
        except (AssertionError, StoreError) as error:
            if isinstance(error, StoreError):
                store_failed(self.crawler, error)
            return self._failed(request.url, "store_error", str(error) or "the record store cannot be used")
        self.crawler.stats.inc_value("images/bytes", len(body))
        logger.debug(
            "Stored image %s (%s %dx%d) as %s", request.url, picture.format, picture.width, picture.height, path
        )
        return ImageInfo(
            url=request.url,
            path=path,
            checksum=sha256,
            status="downloaded",
            width=picture.width,
            height=picture.height,
        )

    def media_failed(  # type: ignore[override]
        self, failure: Failure, request: Request, info: MediaPipeline.SpiderInfo
    ) -> ImageInfo:
        """A download that raised (DNS, timeout, over IMAGES_MAX_BYTES): one more failed result.

        Returned, not raised: MediaPipeline logs every raised error as an ERROR
        with a traceback, and a dead CDN is not a bug. (MediaPipeline hands the
        waiting records ``None`` for a returned value; :meth:`item_completed`
        finds the reason here by URL.)
        """
        error = failure.value
        return self._failed(request.url, failure_reason(error), str(error) or type(error).__name__)

    def file_path(
        self,
        request: Request,
        response: Response | None = None,
        info: MediaPipeline.SpiderInfo | None = None,
        *,
        item: Any = None,
    ) -> str:
        """The path of a downloaded picture in the store: named by its content, so a response is needed."""
        if response is None:
            raise ValueError("the image store names files by their content: a response is needed")
        return content_path(response.body, read_picture(response.body, self.max_pixels))[1]

    def _failed(self, url: str, reason: str, detail: str) -> ImageInfo:
        result = ImageInfo(url=url, path="", checksum=None, status="failed", reason=reason, detail=detail)
        self._failures[url] = result
        return result

    # --- the record ----------------------------------------------------------------------------

    def item_completed(self, results: list[FileInfoOrError], item: Any, info: MediaPipeline.SpiderInfo) -> Any:
        """Give each stored image its real size and ``is_cached`` or, on failure, leave it as it was."""
        for image, (ok, value) in zip(self._stored_images(item), results, strict=False):
            self._apply(item, image, ok, value)
        return item

    def _apply(self, item: Record, image: Any, ok: bool, value: Any) -> None:
        result: ImageInfo
        if ok and isinstance(value, dict):
            result = value  # type: ignore[assignment]
        elif ok:
            result = self._failures.get(image.url) or self._failed(image.url, "download_error", "no result")
        else:  # an unexpected error, already logged with its traceback by MediaPipeline
            result = self._failed(image.url, "error", str(value.value) if isinstance(value, Failure) else str(value))
        stats = self.crawler.stats
        if result["status"] == "failed":
            stats.inc_value(f"images/failed/{result['reason']}")
            which = "Lead image" if image is item.images[0] else "Image"
            logger.warning(
                "%s of %s not stored (%s): %s: %s", which, item.web_url, result["reason"], image.url, result["detail"]
            )
            return
        reused = result["status"] == "stored" or image.url in self._applied
        self._applied.add(image.url)
        stats.inc_value("images/reused" if reused else "images/downloaded")
        image.width, image.height, image.is_cached = result["width"], result["height"], True
