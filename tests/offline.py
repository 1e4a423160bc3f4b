"""A process that may reach 127.0.0.1 only: every other name lookup or connection is refused and reported.

    python -m tests.offline crawl technode -a demo=1     # `scrapy crawl technode -a demo=1`, offline

A test must never contact another address than the machine's own (the fixture sites, the demo, a
local PostgreSQL or Redis). :func:`install` replaces the socket functions that resolve names and
connect (``getaddrinfo``, ``gethostbyname(_ex)``, ``socket.connect(_ex)``) with ones that let
``localhost`` and loopback addresses through and refuse anything else: the lookup fails as an
unknown name does, the connection as an unreachable network does, so the program goes on as it
would offline, and the refusal is written, one line each, to stderr and to the file that
``OFFLINE_REPORT`` names (a test reads it and asserts it is empty). Installed before Twisted and
Scrapy are imported, it covers their resolvers too.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
import sys

REPORT_ENV = "OFFLINE_REPORT"
PREFIX = "offline: refused"
LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})

_original = {}


def is_local(host: object) -> bool:
    """Whether ``host`` (a name, an address, bytes, or None for "any") stays on this machine."""
    if host is None or host == "":
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    name = str(host).strip("[]").split("%", 1)[0].lower().rstrip(".")
    if name in LOCAL_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        pass
    try:
        return socket.inet_aton(name)[0] == 127  # the short IPv4 forms too: "127.1"
    except OSError:
        return False


def refused(what: str, host: object) -> None:
    line = f"{PREFIX} {what} {host!r}"
    print(line, file=sys.stderr, flush=True)
    report = os.environ.get(REPORT_ENV)
    if report:
        with open(report, "a", encoding="utf-8") as file:
            file.write(line + "\n")


def install() -> None:
    """Refuse (and report) every lookup and connection that would leave this machine; once per process."""
    if _original:
        return
    _original.update(
        getaddrinfo=socket.getaddrinfo,
        gethostbyname=socket.gethostbyname,
        gethostbyname_ex=socket.gethostbyname_ex,
        connect=socket.socket.connect,
        connect_ex=socket.socket.connect_ex,
    )

    def getaddrinfo(host, *args, **kwargs):
        if not is_local(host):
            refused("name lookup of", host)
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known (offline)")
        return _original["getaddrinfo"](host, *args, **kwargs)

    def gethostbyname(host):
        if not is_local(host):
            refused("name lookup of", host)
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known (offline)")
        return _original["gethostbyname"](host)

    def gethostbyname_ex(host):
        if not is_local(host):
            refused("name lookup of", host)
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known (offline)")
        return _original["gethostbyname_ex"](host)

    def _remote(sock, address) -> bool:
        return sock.family in (socket.AF_INET, socket.AF_INET6) and not is_local(address[0])

    def connect(self, address):
        if _remote(self, address):
            refused("connection to", address[0])
            raise OSError(errno.ENETUNREACH, "Network is unreachable (offline)")
        return _original["connect"](self, address)

    def connect_ex(self, address):
        if _remote(self, address):
            refused("connection to", address[0])
            return errno.ENETUNREACH
        return _original["connect_ex"](self, address)

    socket.getaddrinfo = getaddrinfo
    socket.gethostbyname = gethostbyname
    socket.gethostbyname_ex = gethostbyname_ex
    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex


def main(argv: list[str]) -> None:
    """``scrapy <argv>`` in this process, offline."""
    install()
    from scrapy.cmdline import execute  # after install(): Twisted's resolvers take the guarded functions

    execute(["scrapy", *argv])


if __name__ == "__main__":
    main(sys.argv[1:])
