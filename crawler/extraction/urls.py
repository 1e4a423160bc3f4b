"""URL hygiene: canonical article URLs, registrable domains and Google AMP Cache URLs.

Pure string functions, no network. ``registrable_domain`` uses tldextract with
its bundled Public Suffix List snapshot only (no fetch, no cache directory).
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import re
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from w3lib.url import safe_url_string

__all__ = ["amp_cache_url", "better_scheme", "clean_url", "origin_of", "registrable_domain", "scheme_variants"]

# Query parameters that only say how a reader arrived (campaigns, click ids, share widgets).
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid",
        "li_fat_id", "igshid", "igsh", "mc_cid", "mc_eid", "ref_src", "ref_url", "_ga", "_gl", "_hsenc",
        "_hsmi", "hsctatracking", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id", "vero_conv", "wt.mc_id",
        "wt_mc", "s_cid", "cmpid", "ocid", "ncid", "soc_src", "soc_trk", "sr_share", "share", "smid",
        "__twitter_impression", "spm", "rss", "feedtype", "rpc", "ito", "xtor", "ga_source", "ga_medium",
        "ga_campaign", "ga_content", "ga_term", "guccounter", "guce_referrer", "guce_referrer_sig",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "ns_", "at_", "matomo_", "piwik_")
# ``ref`` is tracking only when it names a channel (?ref=rss); elsewhere it can be meaningful.
REF_CHANNELS = frozenset(
    {"rss", "feed", "feeds", "twitter", "tw", "x", "facebook", "fb", "social", "newsletter", "email", "mail",
     "homepage", "home", "hp", "share", "sharebar", "linkedin", "whatsapp", "telegram", "flipboard", "google",
     "googlenews", "msn", "yahoo", "push", "app", "nl", "sm", "ios", "android"}
)  # fmt: skip
DEFAULT_PORTS = {"http": 80, "https": 443}

_AMP_CACHE_DOMAIN = "cdn.ampproject.org"
_MAX_LABEL = 63
# Character classes of Google's AMP Cache reference implementation (amp-toolbox-cache-url).
_HAS_LTR = re.compile(
    "[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02b8\u0300-\u0590\u0800-\u1fff\u200e\u2c00-\ufb1c\ufe00-\ufe6f\ufefd-\uffff]"
)
_HAS_RTL = re.compile("[\u0591-\u06ef\u06fa-\u07ff\u200f\ufb1d-\ufdff\ufe70-\ufefc]")


def _is_tracking(key: str, value: str) -> bool:
    key = unquote(key).strip().lower()
    if key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES):
        return True
    return key == "ref" and unquote(value).strip().lower() in REF_CHANNELS


def _clean_query(query: str) -> str:
    kept = []
    for pair in query.split("&"):
        if not pair:
            continue
        key, _, value = pair.partition("=")
        if not _is_tracking(key, value):
            kept.append(pair)
    return "&".join(kept)


def _label_to_unicode(label: str) -> str:
    if label.startswith("xn--"):
        try:
            return label[4:].encode("ascii").decode("punycode")
        except (UnicodeError, ValueError):
            return label
    return label


def _label_to_ascii(label: str) -> str:
    if label.isascii():
        return label
    return "xn--" + label.encode("punycode").decode("ascii")


def host_to_unicode(host: str) -> str:
    """A host with its punycode (``xn--``) labels shown as Unicode."""
    if "xn--" not in host:
        return host
    return ".".join(_label_to_unicode(label) for label in host.split("."))


def host_to_ascii(host: str) -> str:
    """A host in its ASCII (punycode) form."""
    return ".".join(_label_to_ascii(label) for label in host.split("."))


def _netloc(parts: Any, scheme: str) -> str:
    host = (parts.hostname or "").rstrip(".")
    host = host_to_unicode(host.lower()) if host else ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host
    if port is not None and DEFAULT_PORTS.get(scheme) != port:
        netloc = f"{host}:{port}"
    if parts.username is not None:
        userinfo = parts.username + (f":{parts.password}" if parts.password is not None else "")
        netloc = f"{userinfo}@{netloc}"
    return netloc


def clean_url(url: str, base: str | None = None) -> str:
    """The canonical form of a URL.

    Absolute (resolved against ``base``; protocol-relative URLs get ``base``'s
    scheme, else https), fragment removed, tracking parameters removed, scheme
    and host lower-cased, default ports dropped, IDN hosts kept readable
    (Unicode); other query parameters keep their order and spelling.
    """
    url = (url or "").strip()
    if base:
        url = urljoin(base.strip(), url)
    elif url.startswith("//"):
        url = "https:" + url
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.netloc:
        return urlunsplit((scheme, parts.netloc, parts.path, parts.query, ""))
    path, query = _percent_encoded(parts.path or "/", _clean_query(parts.query))
    return urlunsplit((scheme, _netloc(parts, scheme), path, query, ""))


_NEEDS_ESCAPE = re.compile(r"[^A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]")  # outside RFC 3986's characters


def _percent_encoded(path: str, query: str) -> tuple[str, str]:
    """Path and query as browsers send them: w3lib's ``safe_url_string`` escapes spaces and non-ASCII
    (as UTF-8) and leaves what is escaped already, so that every spelling of an address gives one
    ``webUrl``. (It would also turn the host into punycode: only the path and query go through it.)"""
    if not _NEEDS_ESCAPE.search(path) and not _NEEDS_ESCAPE.search(query):
        return path, query
    encoded = urlsplit(safe_url_string(urlunsplit(("http", "host.invalid", path, query, ""))))
    return encoded.path, encoded.query


def origin_of(url: str) -> str:
    """``scheme://host:port`` of a URL, the port always written; "" for a URL without a host."""
    parts = urlsplit(url)
    if not parts.hostname or parts.scheme not in DEFAULT_PORTS:
        return ""
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:  # a port that is not a number
        return ""
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}:{port}"


def scheme_variants(url: str) -> list[str]:
    """The spellings of one article's address: ``url`` over http and https, with and without ``www.``.

    ``url`` comes first; the others in a fixed order. A URL that is not http(s) is its only variant.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return [url]
    netloc = parts.netloc
    other_host = netloc[4:] if netloc.startswith("www.") else f"www.{netloc}"
    spellings = [
        urlunsplit((scheme, host, parts.path, parts.query, parts.fragment))
        for scheme in ("https", "http")
        for host in (netloc, other_host)
    ]
    return [url, *(v for v in spellings if v != url)]


def better_scheme(url: str, than: str) -> bool:
    """Whether ``url`` is the preferred spelling over ``than``: https over http (RECORD.md's webUrl rule)."""
    return url.startswith("https://") and than.startswith("http://")


@lru_cache(maxsize=1)
def _extractor() -> Any:
    import tldextract  # imported on first use: it pulls in requests

    # suffix_list_urls=() and cache_dir=None: the bundled snapshot only, never network, no writes.
    return tldextract.TLDExtract(cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True)


def _host_of(url_or_host: str) -> str:
    text = url_or_host.strip()
    if "//" in text:
        host = urlsplit(text if "://" in text or not text.startswith("//") else "https:" + text).hostname or ""
    else:
        host = re.split(r"[/?#]", text, maxsplit=1)[0]
        host = host.rsplit("@", 1)[-1]
        if host.startswith("["):
            host = host[1:].split("]", 1)[0]
        elif host.count(":") == 1:
            host = host.split(":", 1)[0]
    return host.strip().rstrip(".").lower()


@lru_cache(maxsize=4096)
def registrable_domain(url_or_host: str) -> str:
    """The registrable domain (public suffix + one label) of a URL or host.

    ``markets.businessinsider.com`` → ``businessinsider.com``; IP addresses and
    single-label hosts such as ``localhost`` are returned as they are.
    """
    host = _host_of(url_or_host)
    if not host:
        return ""
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    if "." not in host:
        return host
    unicode_host = host_to_unicode(host)
    result = _extractor()(unicode_host)
    domain = result.top_domain_under_public_suffix
    return domain or unicode_host


def _amp_cache_subdomain(host: str) -> str:
    """The AMP Cache "domain prefix" of a publisher host (Google's documented algorithm)."""
    ascii_host = host_to_ascii(host.lower().rstrip("."))
    unicode_host = host_to_unicode(ascii_host)

    def invalid_hyphen34(label: str) -> bool:  # RFC 5891: '--' at 3-4 is reserved for 'xn--'
        return label[2:4] == "--" and label[:2] != "xn"

    eligible = (
        not invalid_hyphen34(ascii_host)
        and len(ascii_host) <= _MAX_LABEL
        and not (_HAS_LTR.search(unicode_host) and _HAS_RTL.search(unicode_host))
        and "." in ascii_host
    )
    if eligible:
        readable = _label_to_ascii(unicode_host.replace("-", "--").replace(".", "-")).lower()
        if len(readable) <= _MAX_LABEL:
            return f"0-{readable}-0" if invalid_hyphen34(readable) else readable
    # Fallback: base32 of the SHA-256 of the punycode host, 52 lower-case characters, no padding.
    digest = hashlib.sha256(ascii_host.encode("ascii")).digest()
    return base64.b32encode(digest).decode("ascii").rstrip("=").lower()


def amp_cache_url(url: str) -> str:
    """The Google AMP Cache URL of an AMP page URL.

    ``https://technode.com/a/`` → ``https://technode-com.cdn.ampproject.org/c/s/technode.com/a/``
    (``s/`` only for https origins; query kept, fragment dropped).
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return ""
    secure = "s/" if parts.scheme.lower() == "https" else ""
    netloc = parts.netloc.rsplit("@", 1)[-1]
    rest = netloc + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return f"https://{_amp_cache_subdomain(host)}.{_AMP_CACHE_DOMAIN}/c/{secure}{rest}"
