"""Where a record's document lives: ``<output>/<domain>/<slug>-<hash>.md``.

The path depends only on the provider's domain and the article's ``webUrl``, so
re-crawling an article rewrites the same file whatever its title or date became.
The slug makes the name readable; the first 10 hex digits of ``sha256(webUrl)``
make it unique. Both parts are reduced to safe characters, so no URL or domain
can lead outside the output directory.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path
from urllib.parse import unquote, urlsplit

from crawler.record import Record

SLUG_MAX_CHARS = 80
DOMAIN_MAX_CHARS = 100
HASH_HEX_CHARS = 10
DEFAULT_SLUG = "article"
DEFAULT_DOMAIN = "unknown-provider"

# Letters NFKD does not decompose into ASCII; the rest of non-ASCII text is dropped.
_FOLDS = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ø": "o",
        "Ø": "o",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "Ð": "d",
        "ł": "l",
        "Ł": "l",
        "þ": "th",
        "Þ": "th",
        "ı": "i",
        # Apostrophes join a word ("china’s" -> "chinas") instead of splitting it.
        "'": "",
        "’": "",
        "‘": "",
    }
)
_NON_SLUG = re.compile(r"[^a-z0-9]+")
_NON_DOMAIN = re.compile(r"[^a-z0-9.-]+")
# Path segments that name a rendering, not the article (/story/amp/, /index.html).
_NOT_A_SLUG = frozenset({"amp", "index", "default", "print", "article", "story", "news"})
_PAGE_SUFFIX = re.compile(r"\.(?:s?html?|php\d?|aspx?|jsp|cfm)$", re.IGNORECASE)
# Names Windows reserves in any directory, with or without an extension.
_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
)


def ascii_fold(text: str) -> str:
    """``text`` lowercased with accents and ligatures folded to ASCII; other scripts are dropped."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLDS))
    return decomposed.encode("ascii", "ignore").decode("ascii").lower()


def slugify(text: str, max_chars: int = SLUG_MAX_CHARS) -> str:
    """``[a-z0-9-]`` words of ``text`` joined by ``-``, cut at a word boundary; '' when none."""
    slug = _NON_SLUG.sub("-", ascii_fold(text)).strip("-")
    if len(slug) > max_chars:
        cut = slug[: max_chars + 1].rfind("-")
        slug = slug[: cut if cut > 0 else max_chars].strip("-")
    return slug


def url_slug(web_url: str) -> str:
    """The slug of the URL path's last meaningful segment, or ``article``."""
    try:
        path = urlsplit(web_url).path
    except ValueError:  # a malformed host ("http://[x/"): the whole string still makes a slug
        path = web_url
    segments = [unquote(segment, errors="replace") for segment in path.split("/")]
    fallback = ""
    for segment in reversed(segments):
        slug = slugify(_PAGE_SUFFIX.sub("", segment))
        if not slug:
            continue
        if slug not in _NOT_A_SLUG:
            return slug
        fallback = fallback or slug
    return fallback or DEFAULT_SLUG


def domain_directory(domain: str) -> str:
    """A directory name for ``domain``: IDNA (else ASCII-folded), ``[a-z0-9.-]``, never '.', '..' or reserved."""
    domain = domain.strip().lower().rstrip(".")
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_domain = ascii_fold(domain)
    name = _NON_DOMAIN.sub("-", ascii_domain.lower())
    name = re.sub(r"\.{2,}", ".", name).strip(".-")[:DOMAIN_MAX_CHARS].strip(".-")
    if not name:
        return DEFAULT_DOMAIN
    if name.split(".", 1)[0] in _WINDOWS_RESERVED:
        name = "_" + name
    return name


def url_hash(web_url: str) -> str:
    """The first hex digits of ``sha256(web_url)``: what keeps two articles' files apart."""
    digest = hashlib.sha256(web_url.encode("utf-8", "surrogatepass")).hexdigest()
    return digest[:HASH_HEX_CHARS]


def document_path(output_dir: Path, record: Record) -> Path:
    """The document file of ``record`` under ``output_dir``.

    Derived only from ``record.provider.domain`` and ``record.web_url``. Raises
    ValueError if the result would not lie inside ``output_dir`` (it cannot, by
    construction; the check guards against a symlinked domain directory).
    """
    name = f"{url_slug(record.web_url)}-{url_hash(record.web_url)}.md"
    path = Path(output_dir) / domain_directory(record.provider.domain) / name
    root = Path(output_dir).resolve()
    if not path.resolve().is_relative_to(root):
        raise ValueError(f"document path {path} for {record.web_url!r} escapes {output_dir}")
    return path
