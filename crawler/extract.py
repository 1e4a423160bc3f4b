"""Extract article records from saved pages.

    python -m crawler.extract --url URL FILE [--provider KEY] [--now ISO]   # one page (FILE may be .gz) → JSON
    python -m crawler.extract --batch [--provider KEY] [--now ISO]          # JSON lines {"url", "html_path"} on stdin

Output is the record's front matter (``Record.front_matter()``) as JSON, instants
as ``YYYY-MM-DDTHH:MM:SSZ``. In batch mode each input line gets exactly one
output line, in order, flushed: the record, or ``{"error": "..."}``.

``--now`` is the reference time dates are judged against (a date more than two
days after it is implausible); without it no date is too late, so the output
for a saved page does not depend on the day the command runs.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from crawler.extraction import ExtractionError, extract_article
from crawler.extraction.context import SiteRules
from crawler.record import as_utc


def read_page(path: str | Path) -> bytes:
    """The bytes of a saved page; ``.gz`` files are decompressed."""
    data = Path(path).read_bytes()
    return gzip.decompress(data) if str(path).endswith(".gz") else data


def _rules(provider: str | None) -> SiteRules | None:
    if not provider:
        return None
    from crawler.registry import load_registry  # pydantic/yaml only when a provider is named

    return load_registry().get(provider).site_rules()


def _batch(rules: SiteRules | None, now: datetime | None) -> int:
    out = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            job = json.loads(line)
            record = extract_article(read_page(job["html_path"]), job["url"], rules, now=now)
            result: dict[str, Any] = record.as_json()
        except ExtractionError as error:
            result = {"error": str(error)}
        except Exception as error:  # one bad page must never stop the batch
            result = {"error": f"{type(error).__name__}: {error}"}
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
        out.flush()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m crawler.extract", description=__doc__.split("\n\n")[0])
    parser.add_argument("file", nargs="?", help="saved page (HTML, may be .gz)")
    parser.add_argument("--url", help="the page's URL (with FILE)")
    parser.add_argument("--batch", action="store_true", help="read JSON lines {url, html_path} on stdin")
    parser.add_argument("--provider", help="registry key whose site rules to apply")
    parser.add_argument("--now", help="reference time, ISO 8601 (naive is UTC): later dates are implausible")
    args = parser.parse_args(argv)
    try:
        rules = _rules(args.provider)
    except Exception as error:
        parser.error(str(error))
    try:
        now = as_utc(args.now) if args.now else None
    except ValueError:
        parser.error(f"--now: not an ISO 8601 time: {args.now!r}")
    if args.batch:
        return _batch(rules, now)
    if not args.file or not args.url:
        parser.error("give --url URL FILE, or --batch")
    try:
        record = extract_article(read_page(args.file), args.url, rules, now=now)
    except (OSError, ExtractionError) as error:
        print(json.dumps({"error": str(error)}, ensure_ascii=False))
        return 1
    print(json.dumps(record.as_json(), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
