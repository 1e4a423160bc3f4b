"""Benchmark: relating new articles to a large record store.

    python bench/bench_stories.py                    # SQLite, stores of 10,000 and 100,000 records
    python bench/bench_stories.py --sizes 10000 --new 200
    python bench/bench_stories.py --store postgresql://postgres@127.0.0.1/test

For each size it fills a fresh store with synthetic records spread over a year
(stories covered by 1-4 providers, in different words), then relates NEW
articles published across the same year, and prints the time per article and
the peak memory. Cost per article should stay flat as the store grows: the
candidates come from the story index within the time window, not from a scan.
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
from crawler.stories import StoryConfig, StoryStep, story_terms
from crawler.store import open_store

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
WORDS = (
    "market investors analysts growth shares customers regulators users platform expansion revenue "
    "strategy competition demand supply partners government prices launch quarter"
).split()


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


def articles(rng: random.Random, count: int):
    """Articles over a year: each story covered by 1-4 providers within two days."""
    made = 0
    while made < count:
        story = synthetic_story(rng)
        moment = START + timedelta(seconds=rng.randint(0, 365 * 86400))
        for provider in rng.sample(PROVIDERS, rng.randint(1, 4)):
            yield synthetic_article(rng, story, provider, moment + timedelta(hours=rng.randint(0, 48)))
            made += 1
            if made >= count:
                return


def run(size: int, new: int, location: str) -> None:
    rng = random.Random(size)
    store = open_store(location)
    began = time.perf_counter()
    batch = []
    for record in articles(rng, size):
        batch.append((record, "", story_terms(record)))
        if len(batch) == 5000:
            store.put_many(batch, START)
            batch = []
    store.put_many(batch, START)
    fill = time.perf_counter() - began

    fresh = list(articles(random.Random(size + 1), new))
    store.put_many([(r, "", story_terms(r)) for r in fresh], START)
    step = StoryStep(store, StoryConfig(), START + timedelta(days=365))
    tracemalloc.start()
    began = time.perf_counter()
    result = step.relate(r.web_url for r in fresh)
    elapsed = time.perf_counter() - began
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    store.close()
    print(
        f"store {size:>7,} records (filled in {fill:6.1f} s): related {new:,} new articles in {elapsed:6.2f} s"
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
    options = parser.parse_args()
    for size in (int(s) for s in options.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            run(size, options.new, options.store or str(Path(tmp) / "bench.sqlite"))


if __name__ == "__main__":
    main()
