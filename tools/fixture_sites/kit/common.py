"""What every fixture-site builder needs, whatever the CMS it imitates.

Text and dates as pages print them, sitemap and RSS writers, and writing the generated files
(atomically, or only checking that the committed ones are up to date).
"""

from __future__ import annotations

import gzip
import html
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

BASE = "{{base}}"  # the server's base URL, substituted when a file is served
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
IMAGE_NS = "http://www.google.com/schemas/sitemap-image/1.1"
# The first line of every generated _routes.yaml.
ROUTES_HEADER = (
    "# GENERATED from tools/fixture_sites/{key}.yaml (python -m tools.fixture_sites build). "
    "Path -> behaviour: crawler/demo/sites/README.md."
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")

# --- text ------------------------------------------------------------------------------------------


def esc(text: str) -> str:
    """Text for an HTML attribute or text node."""
    return html.escape(text, quote=True)


def xml_text(text: str) -> str:
    """Text for an XML text node (``&``, ``<``, ``>`` escaped; quotes kept)."""
    return html.escape(text, quote=False)


def cdata(text: str) -> str:
    """A CDATA section holding ``text`` (a ``]]>`` inside is split, as WordPress does)."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def one_line(text: str) -> str:
    """Whitespace collapsed: YAML folded text as one line."""
    return " ".join(text.split())


def paragraphs(text: str) -> list[str]:
    """Paragraphs separated by blank lines, each on one line."""
    return [one_line(p) for p in text.split("\n\n") if p.strip()]


def slugify(name: str) -> str:
    """A WordPress-style slug ("Electric Vehicles" → "electric-vehicles")."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def first_sentence(text: str) -> str:
    """Everything up to the first sentence end (the whole text when it has none)."""
    return _SENTENCE_END.split(text, maxsplit=1)[0]


# --- dates -----------------------------------------------------------------------------------------


def instant(value: str | None) -> datetime | None:
    """An aware datetime from an ISO-8601 string ("2021-08-30T06:03:00Z"); None for none."""
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def iso(moment: datetime, zone: ZoneInfo | None = None) -> str:
    """ISO-8601 with an offset: UTC "+00:00" as Yoast prints it, or local time in ``zone``."""
    return (moment.astimezone(zone) if zone else moment.astimezone(UTC)).isoformat()


def rfc822(moment: datetime) -> str:
    """RFC-822 in UTC ("Thu, 30 Apr 2026 06:10:12 +0000"), as WordPress feeds print dates."""
    return format_datetime(moment.astimezone(UTC))


def rfc822_local(moment: datetime, zone: ZoneInfo) -> str:
    """RFC-822 in local time with its offset ("Tue, 26 Mar 2024 09:15:00 -0400")."""
    return format_datetime(moment.astimezone(zone))


def zulu(moment: datetime) -> str:
    """UTC as the record writes it: ``YYYY-MM-DDTHH:MM:SSZ``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def display_date(moment: datetime, zone: ZoneInfo, *, with_time: bool = False) -> str:
    """A byline date in local time: "March 16, 2023" (+ " 3:12 pm")."""
    local = moment.astimezone(zone)
    text = f"{local:%B} {local.day}, {local.year}"
    if with_time:
        text += f" {local.hour % 12 or 12}:{local:%M} {'am' if local.hour < 12 else 'pm'}"
    return text


# --- sitemaps ---------------------------------------------------------------------------------------


def sitemap_index(
    children: list[tuple[str, datetime]], *, head: str = XML_DECLARATION + "\n", trailer: str = ""
) -> bytes:
    """A sitemap index of (absolute URL, lastmod) children."""
    entries = "".join(
        f"\t<sitemap>\n\t\t<loc>{xml_text(loc)}</loc>\n\t\t<lastmod>{iso(lastmod)}</lastmod>\n\t</sitemap>\n"
        for loc, lastmod in children
    )
    text = head + f'<sitemapindex xmlns="{SITEMAP_NS}">\n' + entries + "</sitemapindex>\n" + trailer
    return text.encode("utf-8")


def urlset(
    entries: Iterable[str], *, attributes: str = "", head: str = XML_DECLARATION + "\n", trailer: str = ""
) -> bytes:
    """A ``<urlset>`` of ready entries; ``attributes`` (ending in a space) declares the extensions used."""
    text = head + f'<urlset {attributes}xmlns="{SITEMAP_NS}">\n' + "".join(entries) + "</urlset>\n" + trailer
    return text.encode("utf-8")


def url_entry(url: str, lastmod: datetime | None, image: str = "") -> str:
    """One ``<url>`` of a plain sitemap: loc, lastmod (a modification date) and an image."""
    text = f"\t<url>\n\t\t<loc>{xml_text(url)}</loc>\n"
    if lastmod:
        text += f"\t\t<lastmod>{iso(lastmod)}</lastmod>\n"
    if image:
        text += f"\t\t<image:image>\n\t\t\t<image:loc>{xml_text(image)}</image:loc>\n\t\t</image:image>\n"
    return text + "\t</url>\n"


def news_entry(
    url: str,
    *,
    publication: str,
    language: str,
    published: str,
    title: str,
    keywords: list[str] | None = None,
    image: str = "",
) -> str:
    """One ``<url>`` of a Google News sitemap; ``published`` is printed as given (with its offset)."""
    text = (
        f"\t<url>\n\t\t<loc>{xml_text(url)}</loc>\n"
        "\t\t<news:news>\n"
        f"\t\t\t<news:publication>\n\t\t\t\t<news:name>{xml_text(publication)}</news:name>\n"
        f"\t\t\t\t<news:language>{language}</news:language>\n\t\t\t</news:publication>\n"
        f"\t\t\t<news:publication_date>{published}</news:publication_date>\n"
        f"\t\t\t<news:title>{cdata(title)}</news:title>\n"
    )
    if keywords is not None:
        text += f"\t\t\t<news:keywords>{cdata(', '.join(keywords))}</news:keywords>\n"
    text += "\t\t</news:news>\n"
    if image:
        text += f"\t\t<image:image>\n\t\t\t<image:loc>{xml_text(image)}</image:loc>\n\t\t</image:image>\n"
    return text + "\t</url>\n"


# --- feeds ---------------------------------------------------------------------------------------------


def rss(channel: list[str], items: Iterable[str], namespaces: dict[str, str] | None = None) -> bytes:
    """An RSS 2.0 document: ``channel`` lines (ready XML) then the items (ready ``<item>`` blocks)."""
    declared = "".join(f' xmlns:{prefix}="{uri}"' for prefix, uri in (namespaces or {}).items())
    text = (
        f'{XML_DECLARATION}\n<rss version="2.0"{declared}>\n<channel>\n'
        + "".join(f"{line}\n" for line in channel)
        + "".join(items)
        + "</channel>\n</rss>\n"
    )
    return text.encode("utf-8")


# --- pictures -----------------------------------------------------------------------------------------
# A fixture site's pictures are served by the fixture server itself (crawler/demo/sites/README.md), so
# that a crawl of the site, the demo's included, reaches no other address than 127.0.0.1: every URL under
# one of the site's image prefixes (its CDN, its uploads folder) is written {{base}}/cdn/<host>/<path>,
# and _routes.yaml gives each picture the source knows its size ({image: [width, height]}), which the
# server answers with real image bytes of that size.

IMAGES_PATH = "/cdn/"
TEXT_FILES = (".html", ".xml", ".json", ".txt")  # what the server substitutes {{base}} in (not .gz)


def local_image_path(url: str) -> str:
    """Where the fixture server serves the picture of ``url``: ``/cdn/<host>/<path>`` (any query answers)."""
    parts = urlsplit(url)
    return IMAGES_PATH + parts.netloc + parts.path


def serve_pictures(
    files: dict[str, bytes], prefixes: Iterable[str], pictures: Iterable[tuple[str, int, int]]
) -> dict[str, bytes]:
    """``files`` with the URLs under ``prefixes`` on the fixture server, and a route per picture ``(url, w, h)``.

    Text files only (a gzip sitemap keeps its bytes: the server does not substitute inside them);
    both spellings of a URL are rewritten, plain and JSON's escaped slashes. A picture outside the
    prefixes is not served; two sizes for one path is an error in the source.
    """
    prefixes = tuple(prefixes)
    replacements = []
    for prefix in prefixes:
        local = BASE + IMAGES_PATH + prefix.split("://", 1)[1]
        replacements.append((prefix.encode(), local.encode()))
        replacements.append((prefix.replace("/", "\\/").encode(), local.replace("/", "\\/").encode()))
    served = {}
    for name, data in files.items():
        if name.endswith(TEXT_FILES):
            for old, new in replacements:
                data = data.replace(old, new)
        served[name] = data
    sizes: dict[str, tuple[int, int]] = {}
    for url, width, height in pictures:
        if not url.startswith(prefixes):
            continue
        path = local_image_path(url)
        if sizes.setdefault(path, (width, height)) != (width, height):
            raise ValueError(f"{url}: two sizes for the picture at {path}: {sizes[path]} and {(width, height)}")
    lines = ["# Pictures: served at the site's own address (/cdn/<host>/<path>), real bytes of this size"]
    lines += [f'"{path}": {{image: [{width}, {height}]}}' for path, (width, height) in sorted(sizes.items())]
    served["_routes.yaml"] = files["_routes.yaml"] + ("\n".join(lines) + "\n").encode("utf-8")
    return served


# --- files --------------------------------------------------------------------------------------------


def gzip_bytes(data: bytes) -> bytes:
    """``data`` gzipped reproducibly (no file name, mtime 0)."""
    return gzip.compress(data, compresslevel=9, mtime=0)


def _content(path: Path, data: bytes) -> bytes:
    # A gzip file is compared by what it holds: another zlib may compress the same bytes differently.
    return gzip.decompress(data) if path.suffix == ".gz" else data


def stale_files(files: dict[str, bytes], root: Path) -> list[str]:
    """The generated files (relative path → bytes) that ``root`` lacks or holds with other content."""
    stale = []
    for relative, data in files.items():
        target = root / relative
        if not target.is_file() or _content(target, target.read_bytes()) != _content(target, data):
            stale.append(relative)
    return stale


def write_files(files: dict[str, bytes], root: Path) -> int:
    """Write the stale files under ``root``, each atomically (temporary file, then rename); how many."""
    stale = stale_files(files, root)
    for relative in stale:
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(target.name + ".tmp")
        temporary.write_bytes(files[relative])
        temporary.replace(target)
    return len(stale)
