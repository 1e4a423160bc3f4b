"""The image store: lead images downloaded once, kept by content, measured from their bytes.

Pictures are real files made with Pillow at test time. The end-to-end crawls
serve articles from one local server and their images from another, reached as
``localhost`` so that it is outside the spider's ``allowed_domains`` (a CDN):
the images must still be fetched, the CDN's robots.txt obeyed, and a failed,
oversized or fake image must leave the page's metadata size with
``isCached: false`` without holding the record back.
"""

from __future__ import annotations

import hashlib
import io
import random
import struct
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image as PILImage
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadTimeoutError,
    IgnoreRequest,
    NotConfigured,
)
from scrapy.http import Request
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler.demo.server import SiteServer
from crawler.images import (
    ContentFiles,
    ImageInfo,
    ImageStorePipeline,
    NotAPicture,
    content_path,
    failure_reason,
    read_picture,
    readable_formats,
)
from crawler.record import Image, Provider, Record
from crawler.scoring import completeness
from crawler.store import open_store
from tests.inprocess import crawl_in_process

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


# --- pictures made at test time ------------------------------------------------------------------


def picture_bytes(size: tuple[int, int], kind: str, *, noise: bool = False, exif_orientation: int = 0) -> bytes:
    """A real picture: a colour gradient (or random noise, which does not compress) in ``kind``."""
    width, height = size
    if noise:
        rng = random.Random(width * height)
        picture = PILImage.frombytes("RGB", size, bytes(rng.getrandbits(8) for _ in range(width * height * 3)))
    else:
        picture = PILImage.linear_gradient("L").resize(size).convert("RGB")
    out = io.BytesIO()
    options = {}
    if exif_orientation:
        exif = PILImage.Exif()
        exif[0x0112] = exif_orientation
        options["exif"] = exif.tobytes()
    picture.save(out, kind, **options)
    return out.getvalue()


PNG = picture_bytes((640, 360), "PNG")
JPEG = picture_bytes((1200, 675), "JPEG")
WEBP = picture_bytes((800, 450), "WEBP")
TAPESTRY = picture_bytes((1000, 500), "JPEG")
HTML = b"<!DOCTYPE html><html><head><title>Not here</title></head><body>Soft 404</body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="640" height="360"><rect width="10" height="10"/></svg>'


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- reading a picture ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [(PNG, ("PNG", 640, 360)), (JPEG, ("JPEG", 1200, 675)), (WEBP, ("WEBP", 800, 450))],
    ids=["png", "jpeg", "webp"],
)
def test_size_and_format_come_from_the_bytes(data, expected):
    picture = read_picture(data, 50_000_000)
    assert (picture.format, picture.width, picture.height) == expected


def test_gif_and_avif_are_pictures_too():
    gif = read_picture(picture_bytes((320, 200), "GIF"), 50_000_000)
    assert (gif.format, gif.extension, gif.width, gif.height) == ("GIF", "gif", 320, 200)
    if "AVIF" not in readable_formats():
        pytest.skip("this Pillow cannot read AVIF")
    avif = read_picture(picture_bytes((400, 300), "AVIF"), 50_000_000)
    assert (avif.extension, avif.width, avif.height) == ("avif", 400, 300)


def test_exif_orientation_gives_the_displayed_size():
    turned = picture_bytes((1200, 800), "JPEG", exif_orientation=6)  # stored on its side, shown upright
    picture = read_picture(turned, 50_000_000)
    assert (picture.width, picture.height) == (800, 1200)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (HTML, "not_an_image"),
        (SVG, "not_an_image"),
        (b"", "empty"),
        (PNG[:40] + b"\x00" * 10, "not_an_image"),  # a PNG header and then garbage
        (picture_bytes((64, 64), "BMP"), "not_an_image"),  # a picture, but not a web format
        (picture_bytes((2000, 1500), "PNG"), "too_many_pixels"),
    ],
    ids=["html", "svg", "empty", "truncated-png", "bmp", "too-many-pixels"],
)
def test_what_is_not_a_picture_to_keep(data, reason):
    with pytest.raises(NotAPicture) as problem:
        read_picture(data, 2_000_000)
    assert problem.value.reason == reason


def test_not_an_image_says_what_it_was():
    with pytest.raises(NotAPicture, match="HTML"):
        read_picture(HTML, 50_000_000)


def test_a_decompression_bomb_header_is_refused_without_decoding():
    # A small PNG whose header claims 20000 x 20000 (1.2 GB of pixels): only the header is read.
    small = picture_bytes((16, 16), "PNG")
    header = b"IHDR" + struct.pack(">II", 20_000, 20_000) + small[24:29]
    bomb = small[:12] + header + struct.pack(">I", zlib.crc32(header)) + small[33:]
    with pytest.raises(NotAPicture) as problem:
        read_picture(bomb, 50_000_000)
    assert problem.value.reason == "too_many_pixels"


def test_content_path_is_the_sha256_with_the_real_extension():
    picture = read_picture(WEBP, 50_000_000)
    digest, path = content_path(WEBP, picture)
    assert digest == sha(WEBP)
    assert path == f"{digest[:2]}/{digest}.webp"


# --- the files and the index ------------------------------------------------------------------------


def test_content_files_are_written_once_and_the_directory_only_when_needed(tmp_path):
    files = ContentFiles(str(tmp_path / "images"))
    assert not (tmp_path / "images").exists()
    assert files.stat_file("ab/abc.png") == {}
    files.persist_file("ab/abc.png", io.BytesIO(PNG), None)
    files.persist_file("ab/abc.png", io.BytesIO(b"other bytes"), None)  # a name is its content: never rewritten
    assert (tmp_path / "images" / "ab" / "abc.png").read_bytes() == PNG
    assert files.stat_file("ab/abc.png")["last_modified"] > 0
    assert [p.name for p in (tmp_path / "images" / "ab").iterdir()] == ["abc.png"]  # no temporary left


def test_store_index_of_images(store_url):
    store = open_store(store_url)
    try:
        url = "https://cdn.example.com/a.png?w=640"
        assert store.image(url) is None
        store.put_image(url, "a" * 64, f"aa/{'a' * 64}.png", 640, 360, NOW)
        assert store.image(url) == ("a" * 64, f"aa/{'a' * 64}.png", 640, 360)
        store.put_image(url, "b" * 64, f"bb/{'b' * 64}.jpg", 1200, 675, NOW)  # the picture changed
        assert store.image(url) == ("b" * 64, f"bb/{'b' * 64}.jpg", 1200, 675)
        assert store.image("https://cdn.example.com/other.png") is None
    finally:
        store.close()
    reopened = open_store(store_url)
    try:
        assert reopened.image(url)[2:] == (1200, 675)
    finally:
        reopened.close()


# --- the pipeline, with a real Scrapy crawler --------------------------------------------------------


def make_pipeline(tmp_path, **settings) -> ImageStorePipeline:
    crawler = get_crawler(
        settings_dict={
            "IMAGES_STORE": str(tmp_path / "images"),
            "RECORD_STORE": str(tmp_path / "state" / "records.sqlite"),
            "IMAGES_MAX_BYTES": 1000,
            "IMAGES_MAX_PIXELS": 50_000_000,
            "IMAGES_DOWNLOAD_TIMEOUT": 7,
            **settings,
        }
    )
    crawler.stats.open_spider()
    return ImageStorePipeline.from_crawler(crawler)


def make_record(image_url: str = "https://cdn.example.com/lead.jpg", width: int = 1200, height: int = 630) -> Record:
    return Record(
        title="A headline",
        web_url="https://news.example.com/2026/11/24/a/",
        provider=Provider("Example", "example.com"),
        images=[Image(image_url, width, height), Image("https://cdn.example.com/second.jpg", 10, 10)],
    )


@pytest.mark.parametrize("store", ["", None])
def test_an_empty_store_setting_turns_the_pipeline_off(tmp_path, store):
    with pytest.raises(NotConfigured):
        make_pipeline(tmp_path, IMAGES_STORE=store)


def test_only_a_local_store(tmp_path):
    with pytest.raises(NotConfigured, match="local directory"):
        make_pipeline(tmp_path, IMAGES_STORE="s3://bucket/images")


def test_the_store_is_made_lazily(tmp_path):
    make_pipeline(tmp_path)
    assert not (tmp_path / "images").exists()


def test_requests_the_lead_image_only_politely_and_off_site(tmp_path):
    pipeline = make_pipeline(tmp_path)
    requests = pipeline.get_media_requests(make_record(), None)
    assert [r.url for r in requests] == ["https://cdn.example.com/lead.jpg"]
    meta = requests[0].meta
    assert meta["allow_offsite"] is True  # CDNs are outside allowed_domains
    assert meta["dont_obey_robotstxt"] is True  # ImageHosts reads the CDN's robots.txt instead
    assert meta["download_maxsize"] == 1000 and meta["download_timeout"] == 7
    assert pipeline.get_media_requests(Record("t", "https://x.example/", Provider("X", "x.example")), None) == []


def test_redirects_are_followed_and_errors_come_back(tmp_path):
    pipeline = make_pipeline(tmp_path)
    assert 301 not in pipeline.handle_httpstatus_list and 302 not in pipeline.handle_httpstatus_list
    assert 404 in pipeline.handle_httpstatus_list and 200 in pipeline.handle_httpstatus_list


def test_a_result_sets_the_real_size_and_cached(tmp_path):
    pipeline = make_pipeline(tmp_path)
    record = make_record()
    info = ImageInfo(url=record.images[0].url, path="x", checksum="c", status="downloaded", width=800, height=450)
    pipeline.item_completed([(True, info)], record, None)
    assert record.images[0] == Image("https://cdn.example.com/lead.jpg", 800, 450, True)
    assert record.images[1] == Image("https://cdn.example.com/second.jpg", 10, 10, False)  # only the lead
    other = make_record()
    pipeline.item_completed([(True, info)], other, None)  # the same picture for a second article
    stats = pipeline.crawler.stats
    assert stats.get_value("images/downloaded") == 1 and stats.get_value("images/reused") == 1


def test_a_failure_keeps_the_metadata_size_and_is_counted(tmp_path, caplog):
    pipeline = make_pipeline(tmp_path)
    record = make_record()
    request_url = record.images[0].url
    # A download that raised: MediaPipeline hands the record None; the reason is found by URL.
    pipeline.media_failed(Failure(CannotResolveHostError("no such host")), Request(request_url), None)
    pipeline.item_completed([(True, None)], record, None)
    assert record.images[0] == Image(request_url, 1200, 630, False)
    assert pipeline.crawler.stats.get_value("images/failed/dns") == 1
    assert "Lead image of https://news.example.com/2026/11/24/a/ not stored (dns)" in caplog.text
    # An unexpected error (a bug) does not hold the record back either.
    broken = make_record()
    assert pipeline.item_completed([(False, Failure(RuntimeError("bug")))], broken, None) is broken
    assert broken.images[0].is_cached is False
    assert pipeline.crawler.stats.get_value("images/failed/error") == 1


def test_failure_reasons():
    assert failure_reason(DownloadTimeoutError("slow")) == "timeout"
    assert failure_reason(DownloadCancelledError("over the cap")) == "too_large"
    assert failure_reason(IgnoreRequest()) == "ignored"
    assert failure_reason(ValueError()) == "download_error"


# --- end to end: two servers, real crawls ------------------------------------------------------------

ARTICLE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{title} - Picture Post</title>
<meta property="og:title" content="{title}">
<meta property="og:type" content="article">
<meta property="og:site_name" content="Picture Post">
<meta property="article:published_time" content="2026-11-{day:02d}T08:00:00Z">
<meta name="description" content="{title}: what happened, and why it matters for the people involved.">
{image_meta}
</head><body><main><article>
<h1>{title}</h1>
{paragraphs}
</article></main></body></html>
"""

HUGE = picture_bytes((300, 300), "PNG", noise=True)  # ~270 KB of noise: over the 50 KB cap of these crawls
MANY_PIXELS = picture_bytes((2400, 1500), "PNG")  # small file, 3.6 million pixels: over the 2 million cap


def article_page(title: str, day: int, image_url: str, size: tuple[int, int] | None) -> str:
    image_meta = f'<meta property="og:image" content="{image_url}">'
    if size:
        image_meta += (
            f'\n<meta property="og:image:width" content="{size[0]}">'
            f'\n<meta property="og:image:height" content="{size[1]}">'
        )
    words = title.lower().split()
    paragraphs = "\n".join(
        f"<p>Paragraph {n} of the story about {' '.join(words)}: reporters spoke to {n + 3} people "
        f"who saw {words[n % len(words)]} happen, and each told it differently.</p>"
        for n in range(8)
    )
    return ARTICLE.format(title=title, day=day, image_meta=image_meta, paragraphs=paragraphs)


# slug -> (title, image location, metadata size, expected lead after the crawl: (width, height, isCached))
# Image locations: "cdn:/path" is on the CDN server, "site:/path" on the article's own server.
CASES = {
    "wrong-metadata": ("Harbour bridge reopens after repairs", "cdn:/img/photo.png", (1200, 630), (640, 360, True)),
    "right-metadata": ("Council approves new cycling lanes", "cdn:/img/wide.jpg", (1200, 675), (1200, 675, True)),
    "shares-picture": ("Bridge traffic returns to normal levels", "cdn:/img/photo.png", None, (640, 360, True)),
    "no-metadata": ("Library extends weekend opening hours", "cdn:/img/render", None, (800, 450, True)),
    "own-host": ("Museum unveils restored tapestry", "site:/uploads/tapestry.jpg", (100, 100), (1000, 500, True)),
    "missing": ("Ferry timetable changes announced", "cdn:/img/gone.jpg", (1024, 576), (1024, 576, False)),
    "too-big": ("Stadium roof replacement begins", "cdn:/img/huge.png", (2000, 1000), (2000, 1000, False)),
    "many-pixels": ("Panorama of the new waterfront", "cdn:/img/panorama.png", (2400, 1500), (2400, 1500, False)),
    "fake": ("School meals programme expands", "cdn:/img/fake.jpg", (800, 600), (800, 600, False)),
    "forbidden": ("Night market returns downtown", "cdn:/private/secret.jpg", (900, 600), (900, 600, False)),
    "dead-host": ("Tram line extension opens", "https://images.invalid/tram.jpg", (1280, 720), (1280, 720, False)),
    "slow": ("Harbour festival draws record crowds", "cdn:/img/slow.jpg", (1600, 900), (1600, 900, False)),
}
CDN_FILES = {
    "img/photo.png": PNG,
    "img/wide.jpg": JPEG,
    "img/render": WEBP,  # no extension in the URL: the store names it by its format
    "img/huge.png": HUGE,
    "img/panorama.png": MANY_PIXELS,
    "img/fake.jpg": HTML,  # a soft 404 behind an image URL
    "img/slow.jpg": JPEG,
    "private/secret.jpg": JPEG,
    "robots.txt": b"User-agent: *\nDisallow: /private/\n",
    "_routes.yaml": b"/img/slow.jpg: {delay: 1.5}\n",  # answers after IMAGES_DOWNLOAD_TIMEOUT
}


def make_sites(root: Path) -> tuple[SiteServer, SiteServer]:
    """The article site and the CDN (its routes are read when its server is made, so its files come first)."""
    for path, data in CDN_FILES.items():
        (root / "cdn" / path).parent.mkdir(parents=True, exist_ok=True)
        (root / "cdn" / path).write_bytes(data)
    (root / "site").mkdir(parents=True, exist_ok=True)
    return SiteServer(root / "site"), SiteServer(root / "cdn")


def build_articles(root: Path, site: SiteServer, cdn: SiteServer) -> dict[str, str]:
    """Write the articles (the servers serve from disk, so pages can name their ports); slug -> article URL."""
    site_root = root / "site"
    (site_root / "uploads").mkdir(parents=True, exist_ok=True)
    (site_root / "uploads" / "tapestry.jpg").write_bytes(TAPESTRY)
    cdn_base = f"http://localhost:{cdn.port}"  # another host name than the articles': a CDN, off-site
    urls = {}
    for day, (slug, (title, where, size, _)) in enumerate(CASES.items(), start=1):
        if where.startswith("cdn:"):
            image_url = cdn_base + where[4:]
        elif where.startswith("site:"):
            image_url = site.base_url + where[5:]
        else:
            image_url = where
        page = site_root / "2026" / "11" / f"{day:02d}" / slug / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(article_page(title, day, image_url, size), encoding="utf-8")
        urls[slug] = f"{site.base_url}/2026/11/{day:02d}/{slug}/"
    return urls


@pytest.fixture(scope="module")
def crawls(tmp_path_factory):
    """Two crawls of the same articles with the same stores; one stored file deleted in between."""
    root = tmp_path_factory.mktemp("image-sites")
    workdir = root / "work"
    settings = {
        "IMAGES_STORE": str(workdir / "images"),
        "IMAGES_MAX_BYTES": str(50 * 1024),
        "IMAGES_MAX_PIXELS": str(2_000_000),
        "IMAGES_DOWNLOAD_TIMEOUT": "0.5",
        "RETRY_BACKOFF_BASE": "0.1",  # the slow image is retried (a timeout) before it counts as failed
    }
    site, cdn = make_sites(root)
    with site, cdn:
        urls = build_articles(root, site, cdn)
        # The CDN is on a loopback address: the address guard refuses it unless the operator allows its origin.
        settings["FETCH_ALLOWED_ORIGINS"] = f"http://localhost:{cdn.port}"
        first = crawl_in_process("news", workdir, f"url={','.join(urls.values())}", settings=settings)
        first.requests = list(cdn.requests)
        first.site_requests = list(site.requests)
        files_after_first = sorted(
            p.relative_to(workdir / "images").as_posix() for p in (workdir / "images").rglob("*")
        )
        deleted = workdir / "images" / sha(JPEG)[:2] / f"{sha(JPEG)}.jpg"
        deleted.unlink()
        cdn.requests.clear()
        site.requests.clear()
        second = crawl_in_process("news", workdir, f"url={','.join(urls.values())}", settings=settings)
        second.requests = list(cdn.requests)
        second.site_requests = list(site.requests)
    return {"urls": urls, "first": first, "second": second, "files": files_after_first, "workdir": workdir}


def lead(result, url: str) -> tuple[int, int, bool]:
    image = result.by_web_url()[url]["images"][0]
    return image["width"], image["height"], image["isCached"]


@pytest.mark.e2e
def test_every_record_is_written_whatever_its_image(crawls):
    for run in ("first", "second"):
        result = crawls[run]
        assert result.returncode == 0, result.log[-3000:]
        assert sorted(result.by_web_url()) == sorted(crawls["urls"].values()), run
        assert "Traceback" not in result.log, run


@pytest.mark.e2e
@pytest.mark.parametrize("slug", sorted(CASES))
def test_lead_image_of_each_article(crawls, slug):
    expected = CASES[slug][3]
    for run in ("first", "second"):
        assert lead(crawls[run], crawls["urls"][slug]) == expected, (run, slug)


@pytest.mark.e2e
def test_real_size_counts_in_quality(crawls):
    # Quality sees the real size: the own-host picture's metadata said 100x100, too small to count as large.
    documents = crawls["first"].by_web_url()
    own_host = documents[crawls["urls"]["own-host"]]
    assert own_host["images"][0]["width"] == 1000
    record = Record.from_front_matter(own_host)
    small = Record.from_front_matter(own_host)
    small.images[0].width, small.images[0].height = 100, 100
    assert completeness(record) == completeness(small) + 5


@pytest.mark.e2e
def test_files_are_named_by_their_content(crawls):
    pictures = ((PNG, "png"), (JPEG, "jpg"), (WEBP, "webp"), (TAPESTRY, "jpg"))
    expected = {f"{sha(data)[:2]}/{sha(data)}.{ext}" for data, ext in pictures}
    directories = {path.split("/")[0] for path in expected}
    assert set(crawls["files"]) == expected | directories
    stored = crawls["workdir"] / "images" / f"{sha(PNG)[:2]}/{sha(PNG)}.png"
    assert stored.read_bytes() == PNG  # the original bytes, not re-encoded
    # The re-downloaded file is back after the second crawl.
    assert (crawls["workdir"] / "images" / f"{sha(JPEG)[:2]}/{sha(JPEG)}.jpg").read_bytes() == JPEG


@pytest.mark.e2e
def test_a_shared_picture_is_downloaded_once(crawls):
    first = crawls["first"]
    assert first.requests.count("/img/photo.png") == 1  # two articles, one download
    assert first.stat("images/reused") == 1
    assert first.stat("images/downloaded") == 4  # photo, wide, render, the own-host tapestry


@pytest.mark.e2e
def test_a_later_crawl_reuses_the_store(crawls):
    second = crawls["second"]
    image_paths = [r for r in second.requests if r.startswith("/img/")]
    # Stored pictures are not fetched again; the deleted file is; failures are tried again.
    assert "/img/photo.png" not in image_paths and "/img/render" not in image_paths
    assert image_paths.count("/img/wide.jpg") == 1
    assert second.stat("images/downloaded") == 1
    assert second.stat("images/reused") == 4  # photo twice, render, tapestry


@pytest.mark.e2e
def test_failures_are_counted_by_reason_and_logged_once(crawls):
    first = crawls["first"]
    for reason in ("http_404", "too_large", "too_many_pixels", "not_an_image", "robots", "dns", "timeout"):
        assert first.stat(f"images/failed/{reason}") == 1, reason
    assert "not stored (http_404): http://localhost:" in first.log
    assert first.log.count("Lead image of ") == 7


@pytest.mark.e2e
def test_cdn_robots_txt_is_read_once_and_obeyed(crawls):
    first = crawls["first"]
    assert first.requests.count("/robots.txt") == 1
    assert "/private/secret.jpg" not in first.requests


@pytest.mark.e2e
def test_no_image_store_no_image_requests(tmp_path):
    site, cdn = make_sites(tmp_path)
    with site, cdn:
        urls = build_articles(tmp_path, site, cdn)
        result = crawl_in_process(
            "news", tmp_path / "work", f"url={urls['wrong-metadata']}", settings={"IMAGES_STORE": ""}
        )
        requested = list(cdn.requests)
    assert result.returncode == 0, result.log[-3000:]
    assert lead(result, urls["wrong-metadata"]) == (1200, 630, False)
    assert requested == []
