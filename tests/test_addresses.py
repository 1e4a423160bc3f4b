"""The address guard: a page cannot make the crawler fetch a loopback, private or link-local address.

Unit tests classify addresses and drive the middleware with a stand-in
resolver; nothing in them connects anywhere (the metadata-address test makes
every socket operation fail the test). The end-to-end crawls contact only
127.0.0.1: "another host on the private network" is another server on
127.0.0.1 (reached as ``127.0.0.1:<port>`` or ``localhost:<port>``), and it
must receive no request at all.
"""

from __future__ import annotations

import asyncio
import io
import ipaddress
import logging
import socket
from pathlib import Path

import pytest
import scrapy
import yaml
from PIL import Image as PILImage
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.conf import build_component_list
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler.demo.server import SiteServer
from crawler.images import ImageHosts, ImageStorePipeline, failure_reason
from crawler.middlewares.addresses import (
    AddressGuardMiddleware,
    ForbiddenAddress,
    address_category,
    getaddrinfo_addresses,
    host_under,
    ip_literal,
    parse_allowed_origins,
)
from crawler.record import Image, Provider, Record
from crawler.registry import Source
from crawler.spiders.base import ArticleSpider
from tests.inprocess import crawl_in_process
from tests.small_site import PAGE, SmallSite

# --- which addresses are refused -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "category"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped: judged as the IPv4 address
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fd00::1", "private"),
        ("fec0::1", "private"),  # old IPv6 site-local, which ipaddress calls global
        ("::ffff:10.0.0.1", "private"),
        ("169.254.169.254", "link_local"),  # the cloud metadata address
        ("fe80::1", "link_local"),
        ("fe80::1%eth0", "link_local"),
        ("::ffff:169.254.169.254", "link_local"),
        ("2002:a9fe:a9fe::1", "link_local"),  # 6to4 of 169.254.169.254
        ("64:ff9b::a9fe:a9fe", "link_local"),  # NAT64 of 169.254.169.254
        ("224.0.0.1", "multicast"),  # ipaddress calls IPv4 multicast global
        ("239.255.255.250", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("0.1.2.3", "unspecified"),
        ("::", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("::7f00:1", "reserved"),  # IPv4-compatible, deprecated
        ("100.64.0.1", "not_global"),  # shared address space (carrier-grade NAT)
        ("192.0.2.10", "private"),  # documentation: ipaddress counts it private
        ("2001:db8::1", "private"),
        ("8.8.8.8", None),
        ("93.184.216.34", None),
        ("2606:4700:4700::1111", None),
        ("::ffff:8.8.8.8", None),
    ],
)
def test_address_category(address, category):
    assert address_category(ip_literal(address)) == category


def test_ip_literals_are_read_without_dns():
    assert ip_literal("169.254.169.254") == ipaddress.ip_address("169.254.169.254")
    assert ip_literal("[::1]") == ipaddress.ip_address("::1")
    assert ip_literal("fe80::1%25eth0") == ipaddress.ip_address("fe80::1")
    # Not literals for ipaddress: these go through the resolver, which reads them as libc does.
    assert ip_literal("localhost") is None
    assert ip_literal("127.1") is None
    assert ip_literal("2130706433") is None


def test_host_under_a_domain_on_a_dot_boundary():
    assert host_under("small-news.com", {"small-news.com"})
    assert host_under("cdn.small-news.com", {"small-news.com"})
    assert host_under("CDN.Small-News.com.", {"small-news.com"})
    assert not host_under("evilsmall-news.com", {"small-news.com"})
    assert not host_under("small-news.com.evil.test", {"small-news.com"})
    assert not host_under("localhost", set())


def test_allowed_origins_are_normalised_and_checked():
    assert parse_allowed_origins(["http://localhost:8080", " https://mirror.internal/ ", ""]) == [
        "http://localhost:8080",
        "https://mirror.internal:443",
    ]
    assert parse_allowed_origins(["http://[fd00::5]:81"]) == ["http://[fd00::5]:81"]
    for wrong in ("localhost:8080", "http://mirror.internal/images/", "ftp://files.internal"):
        with pytest.raises(ValueError, match="is not an origin such as"):
            parse_allowed_origins([wrong])


def test_the_guard_is_the_last_downloader_middleware():
    crawler = get_crawler(settings_dict=_project_settings())
    order = build_component_list(crawler.settings.get_component_priority_dict_with_base("DOWNLOADER_MIDDLEWARES"))
    assert order[-1] == "crawler.middlewares.addresses.AddressGuardMiddleware"
    # After the redirect middleware: redirected requests come through it again.
    assert order.index("scrapy.downloadermiddlewares.redirect.RedirectMiddleware") < len(order) - 1


def test_forbidden_address_is_ignore_request_and_an_image_failure_reason():
    error = ForbiddenAddress("http://localhost:81/admin", "localhost", "127.0.0.1", "loopback")
    assert isinstance(error, IgnoreRequest)
    assert str(error) == (
        "http://localhost:81/admin: localhost resolves to 127.0.0.1, a loopback address, not a public one"
    )
    assert failure_reason(error) == "forbidden_address"
    assert failure_reason(IgnoreRequest()) == "ignored"


# --- the middleware, with a stand-in resolver ----------------------------------------------------------

TRUSTED = "http://127.0.0.1:8001"


class LocalSpider(ArticleSpider):
    """Starts at a local server; its registry domain is small-news.com."""

    name = "local"

    def start_sources(self) -> list[Source]:
        return [Source(url=f"{TRUSTED}/feed/")]

    def trusted_domains(self) -> set[str]:
        return {"small-news.com"}


class FakeResolver:
    """Answers from a table and records what it was asked; an unknown name does not resolve."""

    def __init__(self, answers: dict[str, list[str]] | None = None):
        self.answers = answers or {}
        self.asked: list[tuple[str, int]] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append((host, port))
        return self.answers.get(host, [])


def _project_settings(**extra):
    from crawler import settings

    names = ("DOWNLOADER_MIDDLEWARES", "FETCH_ALLOWED_ORIGINS")
    return {**{name: getattr(settings, name) for name in names}, **extra}


def make_guard(resolver=None, allowed=(), spider_class=LocalSpider, **spider_kwargs):
    crawler = get_crawler(spider_class)
    crawler.spider = spider_class.from_crawler(crawler, **spider_kwargs)
    crawler.stats.open_spider()
    return AddressGuardMiddleware(crawler, parse_allowed_origins(allowed), resolver=resolver or FakeResolver())


def check(guard: AddressGuardMiddleware, url: str) -> None:
    asyncio.run(guard.process_request(Request(url)))


def refusal(guard: AddressGuardMiddleware, url: str) -> ForbiddenAddress:
    with pytest.raises(ForbiddenAddress) as caught:
        check(guard, url)
    return caught.value


@pytest.fixture
def no_network(monkeypatch):
    """Any resolution or connection attempt fails the test."""

    def forbidden(*args, **kwargs):
        raise AssertionError(f"network used: {args!r}")

    for name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "create_connection"):
        monkeypatch.setattr(socket, name, forbidden)
    monkeypatch.setattr(socket.socket, "connect", forbidden)
    monkeypatch.setattr(socket.socket, "connect_ex", forbidden)


def test_the_metadata_address_is_refused_before_any_connection(no_network, caplog):
    resolver = FakeResolver()
    guard = make_guard(resolver)
    downloads = []

    async def download(request):  # what the downloader would do next: must never be reached
        downloads.append(request)
        raise AssertionError("downloaded")

    from scrapy.core.downloader.middleware import DownloaderMiddlewareManager

    manager = DownloaderMiddlewareManager(guard, crawler=guard.crawler)
    url = "http://169.254.169.254/latest/meta-data/"
    with caplog.at_level(logging.WARNING), pytest.raises(ForbiddenAddress) as caught:
        asyncio.run(manager.download_async(download, Request(url)))
    assert downloads == [] and resolver.asked == []  # an IP literal needs no resolution
    assert caught.value.category == "link_local" and caught.value.address == "169.254.169.254"
    assert url in str(caught.value) and "169.254.169.254" in str(caught.value)
    stats = guard.crawler.stats
    assert stats.get_value("addresses/refused") == 1
    assert stats.get_value("addresses/refused/link_local") == 1
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert caplog.records[0].getMessage().startswith(f"Refused {url}: 169.254.169.254, a link-local address")


@pytest.mark.parametrize(
    "url",
    [
        "http://[fe80::a9fe:a9fe]/latest/meta-data/",
        "http://[::ffff:169.254.169.254]/latest/meta-data/",
        "https://[fd00:ec2::254]/latest/meta-data/",
        "http://127.0.0.1:8002/internal-admin/x.png?token=SECRET",  # the trusted host, another port
        "https://127.0.0.1:8001/feed/",  # the trusted port, another scheme
        "http://10.0.0.5/",
        "ftp://192.168.0.1/file.txt",
        "http://0.0.0.0:8001/",
    ],
)
def test_ip_literals_that_are_not_public_are_refused(no_network, url):
    guard = make_guard()
    assert refusal(guard, url).url == url


def test_the_trusted_origin_goes_ahead_unresolved(no_network):
    resolver = FakeResolver()
    guard = make_guard(resolver)
    check(guard, f"{TRUSTED}/feed/")
    check(guard, f"{TRUSTED}/img/own.png")
    assert resolver.asked == []
    assert guard.crawler.stats.get_value("addresses/refused") is None


def test_a_name_on_a_private_address_is_refused(caplog):
    resolver = FakeResolver({"localhost": ["127.0.0.1"], "intranet.example": ["93.184.216.34", "10.0.0.7"]})
    guard = make_guard(resolver)
    url = "http://localhost:8002/internal-admin/x.png?token=SECRET"
    with caplog.at_level(logging.WARNING):
        error = refusal(guard, url)
        refusal(guard, url)  # the same URL again: counted, not logged again
    assert (error.host, error.address, error.category) == ("localhost", "127.0.0.1", "loopback")
    assert resolver.asked == [("localhost", 8002), ("localhost", 8002)]
    assert len(caplog.records) == 1
    assert "FETCH_ALLOWED_ORIGINS=http://localhost:8002 would allow it" in caplog.records[0].getMessage()
    # One private address among public ones is enough.
    assert refusal(guard, "https://intranet.example/").address == "10.0.0.7"
    assert guard.crawler.stats.get_value("addresses/refused") == 3
    assert guard.crawler.stats.get_value("addresses/refused/private") == 1


@pytest.mark.parametrize(
    ("answers", "category"),
    [
        (["93.184.216.34", "::1"], "loopback"),  # an IPv6 answer counts as much as an IPv4 one
        (["93.184.216.34", "::ffff:192.168.0.10"], "private"),
        (["fe80::1"], "link_local"),
    ],
)
def test_every_resolved_address_is_checked(answers, category):
    guard = make_guard(FakeResolver({"images.example": answers}))
    assert refusal(guard, "https://images.example/a.jpg").category == category


def test_public_and_unresolvable_names_go_ahead():
    resolver = FakeResolver({"images.example": ["93.184.216.34", "2606:4700:4700::1111"]})
    guard = make_guard(resolver)
    check(guard, "https://images.example/a.jpg")
    check(guard, "https://no-such-host.invalid/a.jpg")  # the downloader fails it with its DNS error
    assert resolver.asked == [("images.example", 443), ("no-such-host.invalid", 443)]


def test_hosts_under_the_registry_domains_are_trusted():
    resolver = FakeResolver({"cdn.small-news.com": ["10.0.0.9"], "small-news.com.evil.test": ["10.0.0.9"]})
    guard = make_guard(resolver)
    check(guard, "https://cdn.small-news.com/lead.jpg")
    check(guard, "http://small-news.com:8080/feed/")
    assert resolver.asked == []
    assert refusal(guard, "https://small-news.com.evil.test/").category == "private"


def test_allowed_origins_go_ahead_and_only_they():
    resolver = FakeResolver({"localhost": ["127.0.0.1"]})
    guard = make_guard(resolver, allowed=["http://localhost:8003", "http://10.0.0.5:8080"])
    check(guard, "http://localhost:8003/img/cdn.png")
    check(guard, "http://10.0.0.5:8080/img/cdn.png")
    assert resolver.asked == []
    refusal(guard, "http://localhost:8004/img/cdn.png")
    refusal(guard, "https://localhost:8003/img/cdn.png")
    refusal(guard, "http://10.0.0.5/img/cdn.png")


def test_the_setting_reaches_the_middleware():
    crawler = get_crawler(LocalSpider, {"FETCH_ALLOWED_ORIGINS": "http://localhost:8003,http://10.0.0.5:8080/"})
    guard = AddressGuardMiddleware.from_crawler(crawler)
    assert guard.allowed_origins == {"http://localhost:8003", "http://10.0.0.5:8080"}
    with pytest.raises(ValueError, match="not an origin"):
        AddressGuardMiddleware.from_crawler(get_crawler(LocalSpider, {"FETCH_ALLOWED_ORIGINS": ["localhost:8003"]}))


def test_urls_without_a_network_host_are_not_checked(no_network):
    resolver = FakeResolver()
    guard = make_guard(resolver)
    check(guard, "data:text/plain,hello")
    check(guard, "s3://bucket/key")
    assert resolver.asked == []


def test_a_plain_spider_trusts_its_start_urls():
    class Plain(scrapy.Spider):
        name = "plain"
        start_urls = ("http://127.0.0.1:8005/",)

    guard = make_guard(spider_class=Plain)
    check(guard, "http://127.0.0.1:8005/page")
    refusal(guard, "http://127.0.0.1:8006/page")


def test_getaddrinfo_gives_the_loopback_address_of_localhost():
    # /etc/hosts answers: no DNS server is asked.
    addresses = asyncio.run(getaddrinfo_addresses("localhost", 80, 5.0))
    assert "127.0.0.1" in addresses
    assert asyncio.run(getaddrinfo_addresses("127.1", 80, 5.0)) == ["127.0.0.1"]  # libc's shorthand


# --- the image store counts a refusal as forbidden_address -------------------------------------------


class RefusingEngine:
    """Stands for crawler.engine: every download is refused by the guard."""

    def __init__(self):
        self.requests: list[Request] = []

    async def download_async(self, request: Request) -> Response:
        self.requests.append(request)
        raise ForbiddenAddress(request.url, "127.0.0.1", "127.0.0.1", "loopback")


def test_a_refused_robots_txt_fails_the_image_as_forbidden_address():
    crawler = get_crawler()
    crawler.stats.open_spider()
    crawler.engine = RefusingEngine()
    hosts = ImageHosts(crawler, obey=True, user_agent="newscrawler", timeout=5)
    refused = asyncio.run(hosts.refusal("http://127.0.0.1:8002/internal-admin/x.png?token=SECRET"))
    assert refused is not None and refused[0] == "forbidden_address"
    assert "http://127.0.0.1:8002/robots.txt" in refused[1]
    # The verdict is kept: the host's next image is refused without another request.
    again = asyncio.run(hosts.refusal("http://127.0.0.1:8002/internal-admin/y.png"))
    assert again == refused and len(crawler.engine.requests) == 1
    assert crawler.stats.get_value("images/hosts_unreachable") is None


def test_a_refused_image_download_keeps_the_record_uncached(tmp_path, caplog):
    crawler = get_crawler(
        settings_dict={"IMAGES_STORE": str(tmp_path / "images"), "RECORD_STORE": str(tmp_path / "records.sqlite")}
    )
    crawler.stats.open_spider()
    pipeline = ImageStorePipeline.from_crawler(crawler)
    url = "http://localhost:8002/internal-admin/x.png?token=SECRET"
    record = Record(
        title="A headline",
        web_url="https://news.example.com/2026/11/24/a/",
        provider=Provider("Example", "example.com"),
        images=[Image(url, 1200, 675)],
    )
    failure = Failure(ForbiddenAddress(url, "localhost", "127.0.0.1", "loopback"))
    pipeline.media_failed(failure, Request(url), None)
    with caplog.at_level(logging.WARNING):
        assert pipeline.item_completed([(True, None)], record, None) is record
    assert (record.images[0].width, record.images[0].height, record.images[0].is_cached) == (1200, 675, False)
    assert crawler.stats.get_value("images/failed/forbidden_address") == 1
    assert "not stored (forbidden_address)" in caplog.text


# --- end to end: real crawls of local servers ----------------------------------------------------------------


def png(size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (200, 40, 40)).save(buffer, "PNG")
    return buffer.getvalue()


OWN_PNG, CDN_PNG, SECRET_PNG = png((64, 48)), png((80, 60)), png((32, 32))


def write_site(root: Path, images: dict[str, str], routes: dict[str, dict] | None = None) -> None:
    """A feed and one article per slug, each with its og:image (``{{base}}`` is the site's own base URL)."""
    items = []
    for day, (slug, image) in enumerate(images.items(), start=1):
        title = f"Story number {day} about {slug.replace('-', ' ')}"
        page = root / "news" / slug / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(
            PAGE.format(
                title=title,
                excerpt=f"{title}: what happened and why it matters.",
                slug=slug,
                body=f"The full story of {title.lower()}, told in detail.",
                date_meta=f'<meta property="article:published_time" content="2026-11-{day:02d}T08:00:00+00:00">\n',
                image=image,
            ),
            encoding="utf-8",
        )
        items.append(f"<item><title>{title}</title><link>{{{{base}}}}/news/{slug}/</link></item>")
    (root / "feed").mkdir(parents=True, exist_ok=True)
    (root / "feed" / "index.xml").write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Small</title>{"".join(items)}</channel></rss>',
        encoding="utf-8",
    )
    (root / "img").mkdir(exist_ok=True)
    (root / "img" / "own.png").write_bytes(OWN_PNG)
    if routes:
        (root / "_routes.yaml").write_text(yaml.safe_dump(routes), encoding="utf-8")


def internal_server(root: Path) -> SiteServer:
    """The "other host": an admin endpoint with a secret picture; it must see no request."""
    (root / "internal-admin").mkdir(parents=True)
    (root / "internal-admin" / "x.png").write_bytes(SECRET_PNG)
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    return SiteServer(root).start()


def crawl(tmp_path: Path, site: SiteServer, *extra_settings: tuple[str, str]):
    registry = SmallSite(tmp_path / "unused").registry(tmp_path / "providers.yaml")
    settings = {"PROVIDER_REGISTRY": str(registry), **dict(extra_settings)}
    return crawl_in_process("small", tmp_path / "work", f"start_urls={site.url('/feed/')}", settings=settings)


def leads(result) -> dict[str, tuple[int, int, bool]]:
    """Article slug -> its lead image (width, height, isCached)."""
    found = {}
    for url, doc in result.by_web_url().items():
        image = doc["images"][0]
        found[url.rstrip("/").rsplit("/", 1)[-1]] = (image["width"], image["height"], image["isCached"])
    return found


@pytest.mark.e2e
def test_an_og_image_on_another_local_port_is_not_fetched(tmp_path):
    internal = internal_server(tmp_path / "internal")
    cdn_root = tmp_path / "cdn" / "img"
    cdn_root.mkdir(parents=True)
    (cdn_root / "cdn.png").write_bytes(CDN_PNG)
    with internal, SiteServer(tmp_path / "cdn") as cdn:
        write_site(
            tmp_path / "site",
            {
                "internal-image": f"http://127.0.0.1:{internal.port}/internal-admin/x.png?token=SECRET",
                "own-image": "{{base}}/img/own.png",  # the start URL's origin: trusted
                "allowed-image": f"http://localhost:{cdn.port}/img/cdn.png",  # in FETCH_ALLOWED_ORIGINS
            },
        )
        with SiteServer(tmp_path / "site") as site:
            result = crawl(tmp_path, site, ("FETCH_ALLOWED_ORIGINS", f"http://localhost:{cdn.port}"))
        assert result.returncode == 0, result.log[-3000:]
        assert internal.requests == []
        assert "/img/cdn.png" in cdn.requests
    assert leads(result) == {
        "internal-image": (1200, 675, False),  # the page's metadata size, not cached
        "own-image": (64, 48, True),
        "allowed-image": (80, 60, True),
    }
    assert result.stat("images/failed/forbidden_address") == 1
    assert result.stat("images/downloaded") == 2
    assert result.stat("addresses/refused/loopback") == result.stat("addresses/refused") >= 1
    assert f"Refused http://127.0.0.1:{internal.port}/robots.txt: 127.0.0.1, a loopback address" in result.log
    assert f"not stored (forbidden_address): http://127.0.0.1:{internal.port}/internal-admin/" in result.log
    assert "Traceback" not in result.log
    stored = {p.read_bytes() for p in (tmp_path / "work" / "images").rglob("*.png")}
    assert stored == {OWN_PNG, CDN_PNG}


@pytest.mark.e2e
def test_a_local_name_and_a_redirect_to_it_are_refused(tmp_path):
    # Without robots.txt, the image requests themselves reach the guard (and not ImageHosts' robots.txt request).
    internal = internal_server(tmp_path / "internal")
    secret = f"http://localhost:{internal.port}/internal-admin/x.png?token=SECRET"
    with internal:
        write_site(
            tmp_path / "site",
            {"named-host": secret, "redirected": "{{base}}/img/moved.png"},
            routes={"/img/moved.png": {"redirect": secret + "&via=redirect", "redirect_status": 302}},
        )
        with SiteServer(tmp_path / "site") as site:
            result = crawl(tmp_path, site, ("ROBOTSTXT_OBEY", "False"))
            moved = site.count("/img/moved.png")
        assert result.returncode == 0, result.log[-3000:]
        assert internal.requests == []
    assert moved == 1  # the trusted first hop is fetched; its redirect is not followed to the other server
    assert leads(result) == {"named-host": (1200, 675, False), "redirected": (1200, 675, False)}
    assert result.stat("images/failed/forbidden_address") == 2
    assert result.stat("addresses/refused/loopback") == 2
    for url in (secret, secret + "&via=redirect"):
        assert f"Refused {url}: localhost resolves to 127.0.0.1, a loopback address" in result.log
    assert "Traceback" not in result.log
