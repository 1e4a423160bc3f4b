"""Benchmark: relating new articles to a large record store.

    python bench/bench_stories.py                    # SQLite, stores of 10,000 and 100,000 records
    python bench/bench_stories.py --sizes 10000 --new 200
    python bench/bench_stories.py --store postgresql://postgres@127.0.0.1:5432/test

A store grows over time: records arrive at a steady rate (--per-day, default
100,000 a year), so a store of 10,000 spans about 36 days and one of 100,000 a
year. For each size the benchmark fills a fresh store (a fresh schema on
PostgreSQL, dropped afterwards) with synthetic records, each with its story
terms and story vector as the story step leaves them, then writes NEW
articles published in the latest 30 days as a crawl does (story terms, the
pending list) and times one story step over them: their vectors, their
relations, the relations of the records they relate to (both ways) and the
rewrites. It prints the time per new article and the peak memory.

The vocabulary is as rich as real headlines: each synthetic story starts from
a headline of ``../shared/datasets/stories-dev`` (1,903 real headlines), and
each provider tells it with a fifth of its words swapped for words drawn from
all those headlines, and an excerpt of its own. Without ``../shared`` a small
built-in vocabulary is used, and the figures say so.

Cost per article stays flat as the store grows, because the candidates come
from the story window (one range read of the ``vectors`` table per group of
articles), not from a scan; it grows with how many articles the window holds
(--per-day).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
import tracemalloc
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from crawler.record import Provider, Record  # noqa: E402 (imports after the path is set)
from crawler.store import open_store  # noqa: E402
from crawler.stories import StoryConfig, StoryStep, story_terms, vector_rows  # noqa: E402

START = datetime(2025, 11, 24, tzinfo=UTC)
PROVIDERS = [Provider(f"Provider {i}", f"provider{i}.com") for i in range(40)]
STORIES_DEV = REPO.parent / "shared" / "datasets" / "stories-dev" / "cases.jsonl"
FALLBACK = [
    "SinoTech files for Hong Kong IPO worth $400 million",
    "NovaBank raises funding round in Singapore",
    "VegaMotors recalls cars in Berlin over brake flaw",
    "QuantaChip launches model in Tokyo as demand grows",
    "LumiCloud cuts jobs in Paris after weak quarter",
    "TeraPay buys rival in Jakarta to expand platform",
]


def headlines() -> tuple[list[str], str]:
    if STORIES_DEV.exists():
        lines = STORIES_DEV.read_text(encoding="utf-8").splitlines()
        return [json.loads(line)["title"] for line in lines if line.strip()], "stories-dev headlines"
    return FALLBACK, "a built-in vocabulary (../shared is absent)"


class Stories:
    """Synthetic stories told by several providers in different words."""

    def __init__(self, rng: random.Random, seeds: list[str]):
        self.rng = rng
        self.seeds = seeds
        self.words = [word for title in seeds for word in title.split()]

    def retell(self, seed: str) -> str:
        words = seed.split()
        for index in range(len(words)):
            if self.rng.random() < 0.2:
                words[index] = self.rng.choice(self.words)
        return " ".join(words)

    def article(self, seed: str, provider: Provider, published: datetime) -> Record:
        excerpt = " ".join([*seed.split()[:4], *self.rng.sample(self.words, 14)]) + "."
        return Record(
            title=self.retell(seed),
            web_url=f"https://{provider.domain}/{uuid.UUID(int=self.rng.getrandbits(128))}",
            provider=provider,
            excerpt=excerpt,
            text=excerpt + " " + " ".join(self.rng.sample(self.words, 60)),
            published_at=published,
            quality=self.rng.randint(20, 90),
        )

    def articles(self, count: int, first: datetime, days: float):
        """Articles published between first and first + days: each story told by 1-4 providers within two days."""
        made = 0
        while made < count:
            seed = self.rng.choice(self.seeds)
            moment = first + timedelta(seconds=self.rng.randint(0, int(days * 86400)))
            for provider in self.rng.sample(PROVIDERS, self.rng.randint(1, 4)):
                yield self.article(seed, provider, moment + timedelta(hours=self.rng.randint(0, 48)))
                made += 1
                if made >= count:
                    return


@contextmanager
def fresh_store(location: str):
    """A store of its own: a new SQLite file, or a new schema of the PostgreSQL database (dropped after)."""
    if not location.startswith(("postgresql://", "postgres://")):
        with tempfile.TemporaryDirectory() as tmp:
            store = open_store(str(Path(tmp) / "bench.sqlite"))
            try:
                yield store
            finally:
                store.close()
        return
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = psycopg.connect(location, autocommit=True)
    admin.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in location else "?"
    store = open_store(f"{location}{separator}options=-csearch_path%3D{schema}")
    try:
        yield store
    finally:
        store.close()
        admin.execute(f"DROP SCHEMA {schema} CASCADE")
        admin.close()


def run(size: int, new: int, location: str, per_day: float, seeds: list[str]) -> None:
    days = size / per_day
    with fresh_store(location) as store:
        stories = Stories(random.Random(size), seeds)
        began = time.perf_counter()
        batch: list[Record] = []
        for record in stories.articles(size, START, days):
            batch.append(record)
            if len(batch) == 5000:
                store.put_many([(r, "", story_terms(r)) for r in batch], START)
                store.put_vectors(vector_rows(batch))
                batch = []
        store.put_many([(r, "", story_terms(r)) for r in batch], START)
        store.put_vectors(vector_rows(batch))
        fill = time.perf_counter() - began

        end = START + timedelta(days=days)
        fresh = list(Stories(random.Random(size + 1), seeds).articles(new, end - timedelta(days=30), 30))
        for record in fresh:  # as the write pipeline stores them
            store.put(record, "", START, terms=story_terms(record), stories_pending=True)
        step = StoryStep(store, StoryConfig(), end)
        tracemalloc.start()
        began = time.perf_counter()
        result = step.relate(r.web_url for r in fresh)
        elapsed = time.perf_counter() - began
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        same = sum(1 for r in fresh if result.same_story.get(r.web_url))
    print(
        f"store {size:>7,} records over {days:5.0f} days, {per_day:,.0f}/day (filled in {fill:5.1f} s):"
        f" related {new:,} new articles in {elapsed:6.2f} s"
        f" = {1000 * elapsed / new:6.2f} ms/article; {same:,} in a story of several providers,"
        f" {result.related:,} records with related entries, {result.rewritten:,} rewritten;"
        f" peak traced memory {peak / 2**20:6.1f} MiB; process max RSS"
        f" {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:6.0f} MiB",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="store sizes, comma-separated")
    parser.add_argument("--new", type=int, default=1000, help="new articles to relate")
    parser.add_argument("--store", default="", help="a postgresql:// URL (default: a fresh SQLite file per size)")
    parser.add_argument("--per-day", type=float, default=100_000 / 365, help="records arriving per day")
    options = parser.parse_args()
    seeds, source = headlines()
    print(f"vocabulary: {source} ({len(seeds):,} headlines)", flush=True)
    for size in (int(s) for s in options.sizes.split(",")):
        run(size, options.new, options.store, options.per_day, seeds)


if __name__ == "__main__":
    main()
