"""Benchmark: what storing a record costs, one transaction per record against one per batch.

    python bench/bench_writes.py                      # SQLite, then PostgreSQL (the local server), batches of 1 and 50
    python bench/bench_writes.py --sizes 1,10,50,200 --records 2000 --repeat 5
    python bench/bench_writes.py --store sqlite --store postgresql://user@host:5432/db

Each store is fresh (a new SQLite file; a new schema of the PostgreSQL database,
dropped afterwards) and filled with --prefill records; then, for each batch size in
turn (--repeat times, the median shown), --records new articles are written as the
write pipeline writes them, twice:

- ``store``: ``RecordStore.put_many`` a batch at a time, each record with its story
  terms, its aliases and its place on the pending list (what ``put`` wrote per record
  before batches), one transaction per batch;
- ``write``: the whole write step (``DocumentBatch``): render each document, stage it
  beside its path (written and fsynced), store the batch, rename the documents into place.

It prints the cost per record in milliseconds: wall-clock time, and this process's CPU
time (on PostgreSQL the server's work is in the wall-clock figure only). The articles
are told in the words of ../shared/datasets/stories-dev headlines when it is there
(``bench_stories.py``'s synthetic stories), with a body of about 3 KB each.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bench_stories import Stories, fresh_store, headlines  # noqa: E402 (imports after the path is set)

from crawler.publishing.writer import DocumentBatch, DocumentWriter  # noqa: E402
from crawler.record import Image, Record  # noqa: E402
from crawler.stories import story_terms  # noqa: E402

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
START = NOW - timedelta(days=30)


def articles(stories: Stories, count: int) -> list[Record]:
    """Articles as the pipelines hand them to the writer: URLs it was reached under, a lead image, a body."""
    records = []
    for record in stories.articles(count, START, 30):
        record.original_url = record.web_url + "?utm_source=rss"
        record.linked_urls = [record.original_url, record.web_url.replace("https://", "http://")]
        record.amp_web_url = record.web_url
        record.topics = ["Technology", "Business"]
        record.images = [Image(record.web_url + "/lead.jpg", 1200, 675)]
        record.text = " ".join([record.text] * 6)
        record.content_sha256 = hashlib.sha256(record.text.encode()).hexdigest()
        record.fetched_at = NOW
        record.heat, record.published = 20, True
        records.append(record)
    return records


def measure(store, output: Path, stories: Stories, size: int, count: int) -> dict[str, tuple[float, float]]:
    """(wall, CPU) milliseconds per record of the store alone and of the whole write step, batches of ``size``."""
    results = {}
    fresh = articles(stories, count)
    entries = [(r, f"{output}/{r.provider.domain}/{i}.md", story_terms(r), True) for i, r in enumerate(fresh)]
    wall, cpu = time.perf_counter(), time.process_time()
    for begin in range(0, count, size):
        store.put_many(entries[begin : begin + size], NOW)
    results["store"] = (time.perf_counter() - wall, time.process_time() - cpu)

    fresh = articles(stories, count)
    terms = [story_terms(r) for r in fresh]  # the pipeline's work before the write, not the write's
    batch = DocumentBatch(DocumentWriter(store, output))
    wall, cpu = time.perf_counter(), time.process_time()
    for record, record_terms in zip(fresh, terms, strict=True):
        batch.add(record, NOW, terms=record_terms, stories_pending=True)
        if len(batch) >= size:
            batch.flush()
    batch.flush()
    results["write"] = (time.perf_counter() - wall, time.process_time() - cpu)
    return {name: (1000 * w / count, 1000 * c / count) for name, (w, c) in results.items()}


def run(location: str, sizes: list[int], count: int, prefill: int, repeat: int, seeds: list[str]) -> None:
    """One store, filled once; the batch sizes measured in turn, ``repeat`` times; medians printed."""
    stories = Stories(random.Random(7), seeds)
    found: dict[int, list[dict[str, tuple[float, float]]]] = {size: [] for size in sizes}
    with fresh_store(location) as store, tempfile.TemporaryDirectory() as output:
        for begin in range(0, prefill, 1000):
            filler = articles(stories, min(1000, prefill - begin))
            store.put_many([(r, "", story_terms(r)) for r in filler], NOW)
        for _ in range(repeat):
            for size in sizes:
                found[size].append(measure(store, Path(output), stories, size, count))
    print(f"{'batch':>6}  {'store ms/record (CPU)':>22}  {'write step ms/record (CPU)':>27}")
    first = None
    for size in sizes:
        (store_wall, store_cpu), (write_wall, write_cpu) = (
            tuple(statistics.median(trial[name][i] for trial in found[size]) for i in (0, 1))
            for name in ("store", "write")
        )
        first = first or (store_wall, write_wall)
        gain = f"   {first[0] / store_wall:4.1f}x, {first[1] / write_wall:4.1f}x" if size != sizes[0] else ""
        print(f"{size:>6}  {store_wall:9.3f} ({store_cpu:7.3f})  {write_wall:14.3f} ({write_cpu:7.3f}){gain}")


def postgres_available(url: str) -> str:
    try:
        import psycopg

        psycopg.connect(url, connect_timeout=5).close()
    except Exception as error:  # no driver, no server: say so and go on with the other stores
        return f"{type(error).__name__}: {' '.join(str(error).split())}"
    return ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", action="append", help="a postgresql:// URL or 'sqlite' (default: both)")
    parser.add_argument("--sizes", default="1,50", help="batch sizes, comma-separated (1: a transaction per record)")
    parser.add_argument("--records", type=int, default=1000, help="records written per measurement")
    parser.add_argument("--prefill", type=int, default=5000, help="records in the store before")
    parser.add_argument("--repeat", type=int, default=3, help="measurements of each size (the median is shown)")
    options = parser.parse_args()
    seeds, source = headlines()
    print(
        f"{options.records:,} records per measurement, the median of {options.repeat}, into a store of"
        f" {options.prefill:,} and more; words: {source}"
    )
    sizes = [int(s) for s in options.sizes.split(",")]
    for location in options.store or ["sqlite", POSTGRES]:
        if location.startswith(("postgresql://", "postgres://")):
            missing = postgres_available(location)
            if missing:
                print(f"\n{location}: skipped ({missing})")
                continue
            print(f"\nPostgreSQL {location}")
        else:
            location = "sqlite"
            print("\nSQLite (a file in the temporary folder; WAL, synchronous=NORMAL)")
        run(location, sizes, options.records, options.prefill, options.repeat, seeds)


if __name__ == "__main__":
    main()
