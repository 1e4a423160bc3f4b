"""The address guard: no request reaches a loopback, private, link-local or reserved address by accident.

A page names URLs the crawler then fetches (its ``og:image``, its links, the
``Location`` of a redirect), so a hostile page could make the crawler fetch
``http://localhost:8080/admin?token=…`` or the cloud metadata address
``http://169.254.169.254/`` and store what it answered (server-side request
forgery). :class:`AddressGuardMiddleware`, the last downloader middleware,
checks every request just before it is downloaded, redirected ones included
(a redirect is a new request through the downloader middlewares):

- a request to a trusted origin goes ahead unchecked: an origin
  (``scheme://host:port``) of the spider's start sources
  (``spider.trusted_origins()``), a host under one of the registry's domains
  (``spider.trusted_domains()``, on a dot boundary), or an origin listed in the
  ``FETCH_ALLOWED_ORIGINS`` setting (a mirror or an image server on a private
  network). A local server the operator starts a crawl at (``-a
  start_urls=http://127.0.0.1:8000/feed/``) is trusted that way; any other port
  or name on the same machine is not;
- any other request's host is resolved (an IP literal is read as it is, with
  no DNS), and the request is refused with :exc:`ForbiddenAddress` (an
  ``IgnoreRequest``: not retried, the request's errback gets it) when any of
  its addresses is not a public one: see :func:`address_category`;
- a host that does not resolve is left to the downloader, which fails it with
  its usual DNS error.

The resolution goes through the reactor's name resolver, so Scrapy's DNS cache
(``DNSCACHE_ENABLED``) holds the address checked and the connection uses that
same address: a name that answers a public address to the check and a private
one to the connection (DNS rebinding) is only possible with the cache off. It
is completed by ``getaddrinfo`` for every address family (IPv6 answers too,
and what download handlers that resolve names themselves would see). Both run
off the reactor thread.

Each refusal counts ``addresses/refused`` and ``addresses/refused/<category>``
and logs one WARNING line per URL.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
from scrapy.utils.asyncio import is_asyncio_available
from scrapy.utils.datatypes import LocalCache
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.reactor import is_reactor_installed
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IResolutionReceiver
from zope.interface import implementer

from crawler.extraction.urls import DEFAULT_PORTS, origin_of

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]

_THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")  # "this host": Linux connects 0.0.0.0 to itself
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # the well-known NAT64 prefix: an IPv4 address inside
_PORTS = {**DEFAULT_PORTS, "ftp": 21}
_SCHEMES = frozenset(_PORTS)  # schemes whose host is connected to (s3:, data:, file: name no address to reach)


class ForbiddenAddress(IgnoreRequest):
    """A request whose host is (or resolves to) an address that is not public, from an untrusted origin."""

    def __init__(self, url: str, host: str, address: str, category: str):
        self.url = url
        self.host = host
        self.address = address
        self.category = category
        at = address if host == address else f"{host} resolves to {address}"
        super().__init__(f"{url}: {at}, a {category.replace('_', '-')} address, not a public one")


# --- which addresses ---------------------------------------------------------------------------


def embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries and leads to: IPv4-mapped, 6to4, NAT64 (64:ff9b::/96)."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_category(ip: IPAddress) -> str | None:
    """Why a request must not go to ``ip`` (a stats slug), or ``None`` for a public address.

    In this order: ``unspecified`` (also 0.0.0.0/8), ``loopback``,
    ``link_local`` (169.254.0.0/16 with the cloud metadata address, fe80::/10),
    ``multicast``, ``reserved`` (240.0.0.0/4, the broadcast address, reserved
    IPv6 blocks), ``private`` (RFC 1918, fc00::/7, the old site-local fec0::/10),
    and ``not_global`` for whatever else ``ipaddress`` does not call global
    (shared 100.64.0.0/10, documentation and benchmarking ranges…). An IPv6
    address carrying an IPv4 one (mapped, 6to4, NAT64) is judged by that IPv4 address.
    """
    inner = embedded_ipv4(ip)
    if inner is not None:
        return address_category(inner)
    if ip.is_unspecified or ip in _THIS_NETWORK:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link_local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_reserved:
        return "reserved"
    if ip.is_private or (isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local):
        return "private"
    if not ip.is_global:
        return "not_global"
    return None


def ip_literal(host: str) -> IPAddress | None:
    """The address a URL's host is when it is an IP literal (IPv6 without brackets, a zone allowed)."""
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def first_forbidden(addresses: Iterable[str]) -> tuple[str, str] | None:
    """``(address, category)`` of the first address that is not public; ``None`` when all are."""
    for address in addresses:
        ip = ip_literal(address)
        if ip is None:
            continue
        category = address_category(ip)
        if category is not None:
            return str(ip), category
    return None


def host_under(host: str, domains: Iterable[str]) -> bool:
    """Whether ``host`` is one of ``domains`` or under one of them, on a dot boundary."""
    host = host.lower().rstrip(".")
    for domain in domains:
        domain = domain.lower().strip(".")
        if domain and (host == domain or host.endswith("." + domain)):
            return True
    return False


# --- resolving ---------------------------------------------------------------------------------


@implementer(IResolutionReceiver)
class _Addresses:
    """Collects what the reactor's name resolver answers into a Deferred list of addresses."""

    def __init__(self) -> None:
        self.addresses: list[str] = []
        self.done: Deferred[list[str]] = Deferred()

    def resolutionBegan(self, resolution: Any) -> None:
        pass

    def addressResolved(self, address: Any) -> None:
        host = getattr(address, "host", None)
        if host:
            self.addresses.append(host)

    def resolutionComplete(self) -> None:
        if not self.done.called:  # not given up on (timeout)
            self.done.callback(self.addresses)


async def reactor_addresses(host: str, port: int, timeout: float = 60.0) -> list[str]:
    """What the reactor's name resolver (Scrapy's caching one) answers for ``host``: what connections use.

    [] when it does not resolve, fails or takes longer than ``timeout`` seconds.
    """
    from twisted.internet import reactor

    receiver = _Addresses()
    try:
        reactor.nameResolver.resolveHostName(receiver, host, port)  # type: ignore[attr-defined]
        if timeout:
            receiver.done.addTimeout(timeout, reactor)  # type: ignore[arg-type]
        return await maybe_deferred_to_future(receiver.done)
    except Exception as error:  # a name the resolver cannot take: the downloader will say what is wrong
        logger.debug("Resolving %s failed: %r", host, error)
        return []


def _getaddrinfo(host: str, port: int) -> list[str]:
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):  # gaierror: no such name; UnicodeError: not a host name IDNA can encode
        return []
    return [str(sockaddr[0]) for *_, sockaddr in answers]


async def getaddrinfo_addresses(host: str, port: int, timeout: float) -> list[str]:
    """Every address ``getaddrinfo`` gives ``host`` (IPv4 and IPv6), resolved in a thread; [] on failure."""
    if is_asyncio_available():
        try:
            return await asyncio.wait_for(asyncio.to_thread(_getaddrinfo, host, port), timeout or None)
        except TimeoutError:
            return []
    from twisted.internet import reactor
    from twisted.internet.threads import deferToThread

    try:
        return await deferToThread(_getaddrinfo, host, port).addTimeout(timeout, reactor)  # type: ignore[arg-type]
    except Exception:
        return []


# --- the middleware ----------------------------------------------------------------------------


class AddressGuardMiddleware:
    """Refuses, before any download, a request to an untrusted origin whose host is not at a public address."""

    def __init__(
        self,
        crawler: Crawler,
        allowed_origins: Iterable[str] = (),
        *,
        resolver: Resolver | None = None,
        cache_size: int = 10000,
        dns_timeout: float = 60.0,
    ):
        self.crawler = crawler
        self.allowed_origins = frozenset(allowed_origins)
        self.resolver = resolver or self.resolve
        self.dns_timeout = dns_timeout
        self._getaddrinfo_cache: LocalCache[str, list[str]] | None = LocalCache(cache_size) if cache_size else None
        self._trust: tuple[int, frozenset[str], frozenset[str]] | None = None  # (id(spider), origins, domains)
        self._warned: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AddressGuardMiddleware:
        settings = crawler.settings
        return cls(
            crawler,
            parse_allowed_origins(settings.getlist("FETCH_ALLOWED_ORIGINS")),
            cache_size=settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0,
            dns_timeout=settings.getfloat("DNS_TIMEOUT"),
        )

    async def process_request(self, request: Request) -> None:
        parts = urlparse_cached(request)
        host = parts.hostname
        if not host or parts.scheme not in _SCHEMES or self.trusted(request.url, host):
            return
        literal = ip_literal(host)
        if literal is not None:
            addresses = [str(literal)]
        else:
            try:
                port = parts.port or _PORTS[parts.scheme]
            except ValueError:  # not a port number (the downloader says so); the name is checked all the same
                port = _PORTS[parts.scheme]
            addresses = await self.resolver(host, port)
        forbidden = first_forbidden(addresses)
        if forbidden is not None:
            self.refuse(request, host, *forbidden)

    def trusted(self, url: str, host: str) -> bool:
        origin = origin_of(url)
        origins, domains = self._trusted_by_spider()
        return (bool(origin) and (origin in origins or origin in self.allowed_origins)) or host_under(host, domains)

    def _trusted_by_spider(self) -> tuple[frozenset[str], frozenset[str]]:
        """The spider's trusted origins and domains, asked once (its start sources do not change in a crawl)."""
        spider: Spider | None = self.crawler.spider
        if self._trust is None or self._trust[0] != id(spider):
            if hasattr(spider, "trusted_origins"):
                origins = frozenset(spider.trusted_origins())
            else:  # a spider of another kind (scrapy shell's, a plain Spider): its start URLs
                origins = frozenset(origin_of(url) for url in getattr(spider, "start_urls", ()) or ()) - {""}
            domains = frozenset(spider.trusted_domains()) if hasattr(spider, "trusted_domains") else frozenset()
            self._trust = (id(spider), origins, domains)
        return self._trust[1], self._trust[2]

    async def resolve(self, host: str, port: int) -> list[str]:
        """Every address ``host`` resolves to: the reactor's answer (what the connection uses) and getaddrinfo's."""
        addresses = await reactor_addresses(host, port, self.dns_timeout) if is_reactor_installed() else []
        cache = self._getaddrinfo_cache
        if cache is not None and host in cache:
            more = cache[host]
        else:
            more = await getaddrinfo_addresses(host, port, self.dns_timeout)
            if cache is not None and more:
                cache[host] = more
        return [*addresses, *(a for a in more if a not in addresses)]

    def refuse(self, request: Request, host: str, address: str, category: str) -> None:
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("addresses/refused")
        stats.inc_value(f"addresses/refused/{category}")
        error = ForbiddenAddress(request.url, host, address, category)
        if request.url not in self._warned:
            self._warned.add(request.url)
            origin = origin_of(request.url)
            allow = f"; FETCH_ALLOWED_ORIGINS={origin} would allow it" if origin else ""
            logger.warning("Refused %s%s", error, allow)
        raise error


def parse_allowed_origins(values: Iterable[str]) -> list[str]:
    """``FETCH_ALLOWED_ORIGINS`` entries as origins (``scheme://host:port``); a malformed one is an error."""
    origins = []
    for value in values:
        value = value.strip()
        if not value:
            continue
        origin = origin_of(value)
        if not origin or "/" in value.split("://", 1)[-1].rstrip("/"):  # a path is not part of an origin
            raise ValueError(f"{value!r} is not an origin such as http://10.0.0.5:8080")
        origins.append(origin)
    return origins
