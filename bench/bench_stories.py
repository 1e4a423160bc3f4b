"""Benchmark: relating new articles to a large record store.

    python bench/bench_stories.py                    # SQLite, stores of 10,000 and 100,000 records
    python bench/bench_stories.py --sizes 10000 --new 200
    python bench/bench_stories.py --store postgresql://postgres@127.0.0.1/test

A store grows over time: records arrive at a steady rate (--per-day, default
100,000 a year), so a store of 10,000 spans about 36 days and one of 100,000 a
year. For each size the benchmark fills a fresh store with such synthetic
records (stories covered by 1-4 providers, in different words), then relates
NEW articles published in the latest 30 days, and prints the time per article
and the peak memory. Cost per article stays flat as the store grows, because
the candidates come from the story index within the time window, not from a
scan; it grows with how many articles the window holds (--per-day).
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
import tracemalloc
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from crawler.record import Provider, Record
from crawler.store import open_store
from crawler.stories import StoryConfig, StoryStep, story_terms

START = datetime(2025, 11, 24, tzinfo=UTC)
PROVIDERS = [Provider(f"Provider {i}", f"provider{i}.com") for i in range(12)]
COMPANIES = [
    f"{a}{b}"
    for a in ("Sino", "Geo", "Nova", "Hexa", "Quanta", "Lumi", "Vega", "Orbi", "Tera", "Zeta")
    for b in ("Tech", "Soft", "Motors", "Bank", "Bio", "Chip", "Mart", "Cloud", "Air", "Pay")
]
PLACES = ["Hong Kong", "Shanghai", "Singapore", "Jakarta", "Bangalore", "Shenzhen", "Tokyo", "Seoul", "Berlin", "Paris"]
ACTIONS = [
    ("files for", "IPO", "listing"),
    ("raises", "funding", "round"),
    ("recalls", "cars", "recall"),
    ("launches", "model", "launch"),
    ("cuts", "jobs", "layoffs"),
    ("buys", "rival", "deal"),
    ("opens", "factory", "plant"),
    ("reports", "profit", "results"),
]
WORDS = [
    "market",
    "investors",
    "analysts",
    "growth",
    "shares",
    "customers",
    "regulators",
    "users",
    "platform",
    "expansion",
    "revenue",
    "strategy",
    "competition",
    "demand",
    "supply",
    "partners",
    "government",
    "prices",
    "launch",
    "quarter",
]


def synthetic_story(rng: random.Random) -> dict:
    verb, noun, alias = rng.choice(ACTIONS)
    return {
        "company": rng.choice(COMPANIES),
        "place": rng.choice(PLACES),
        "verb": verb,
        "noun": noun,
        "alias": alias,
        "figure": f"${rng.randint(1, 900)} million",
        "share": f"{rng.randint(2, 60)}%",
    }


def synthetic_article(rng: random.Random, story: dict, provider: Provider, published: datetime) -> Record:
    words = " ".join(rng.sample(WORDS, 8))
    title = rng.choice(
        [
            f"{story['company']} {story['verb']} {story['noun']} in {story['place']}",
            f"{story['place']}: {story['company']} {story['alias']} worth {story['figure']}",
            f"Why {story['company']}'s {story['alias']} matters",
        ]
    )
    excerpt = f"{story['company']} {story['verb']} {story['noun']} worth {story['figure']}, up {story['share']}."
    text = f"{excerpt} The {story['alias']} in {story['place']} drew {words}."
    return Record(
        title=title,
        web_url=f"https://{provider.domain}/{uuid.UUID(int=rng.getrandbits(128))}",
        provider=provider,
        excerpt=excerpt,
        text=text,
        published_at=published,
        quality=rng.randint(20, 90),
    )


def articles(rng: random.Random, count: int, first: datetime, days: float):
    """Articles published between first and first + days: each story covered by 1-4 providers within two days."""
    made = 0
    while made < count:
        story = synthetic_story(rng)
        moment = first + timedelta(seconds=rng.randint(0, int(days * 86400)))
        for provider in rng.sample(PROVIDERS, rng.randint(1, 4)):
            yield synthetic_article(rng, story, provider, moment + timedelta(hours=rng.randint(0, 48)))
            made += 1
            if made >= count:
                return


def run(size: int, new: int, location: str, per_day: float) -> None:
    rng = random.Random(size)
    days = size / per_day
    store = open_store(location)
    began = time.perf_counter()
    batch = []
    for record in articles(rng, size, START, days):
        batch.append((record, "", story_terms(record)))
        if len(batch) == 5000:
            store.put_many(batch, START)
            batch = []
    store.put_many(batch, START)
    fill = time.perf_counter() - began

    end = START + timedelta(days=days)
    fresh = list(articles(random.Random(size + 1), new, end - timedelta(days=30), 30))
    store.put_many([(r, "", story_terms(r)) for r in fresh], START)
    step = StoryStep(store, StoryConfig(), end)
    tracemalloc.start()
    began = time.perf_counter()
    result = step.relate(r.web_url for r in fresh)
    elapsed = time.perf_counter() - began
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    store.close()
    print(
        f"store {size:>7,} records over {days:5.0f} days, {per_day:,.0f}/day (filled in {fill:5.1f} s):"
        f" related {new:,} new articles in {elapsed:6.2f} s"
        f" = {1000 * elapsed / new:6.2f} ms/article; {result.related:,} found related, {result.rewritten:,} updated;"
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
    for size in (int(s) for s in options.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            run(size, options.new, options.store or str(Path(tmp) / "bench.sqlite"), options.per_day)


if __name__ == "__main__":
    main()
