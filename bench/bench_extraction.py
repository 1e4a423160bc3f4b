"""Benchmark article extraction on the shared development sets.

    python bench/bench_extraction.py [--sets fundus-dev,trafilatura-meta] [--repeat 1]

Prints pages/second and ms/page for: our extractor in-process (pages pre-read, start-up and imports
excluded), our CLI end to end (``python -m crawler.extract --batch``, as the scorer runs it, start-up
included), and trafilatura's metadata pass in-process (the scorer's ``peer_trafilatura`` call).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
sys.path.insert(0, str(REPO))


def _scorer():
    spec = importlib.util.spec_from_file_location("eval_extraction", SHARED / "tools" / "eval_extraction.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _line(label: str, pages: int, seconds: float, cpu_seconds: float | None = None, errors: int = 0) -> str:
    # CPU time too: on a shared machine the wall clock also counts other people's work.
    cpu = f"  ({1000 * cpu_seconds / pages:6.2f} ms CPU)" if cpu_seconds is not None else ""
    # A failing page is fast: a figure with errors in it is not a speed (a broken install fails them all).
    failed = f"  {errors} pages FAILED" if errors else ""
    return f"  {label:34s} {pages / seconds:8.1f} pages/s  {1000 * seconds / pages:7.2f} ms/page{cpu}{failed}"


def _timed(pages: list[tuple[str, bytes]], call, repeat: int = 1) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and failed pages for ``call(url, raw)`` over every page."""
    errors = 0
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(repeat):
        for url, raw in pages:
            try:
                call(url, raw)
            except Exception:  # counted like the CLI's {"error": ...} lines
                errors += 1
    return time.perf_counter() - start, time.process_time() - cpu, errors


def bench_set(name: str, repeat: int, scorer) -> None:
    from crawler.extraction import extract_article

    cases_file = SHARED / "datasets" / name / "cases.jsonl"
    cases = [json.loads(line) for line in cases_file.read_text().splitlines() if line.strip()]
    pages = [(c["url"], scorer.read_html(cases_file.parent / c["html"])) for c in cases]
    print(f"{name}: {len(pages)} pages")

    extract_article(pages[0][1], pages[0][0])  # warm up imports and caches
    import trafilatura  # noqa: F401  (the fallback's import, once per process: not a page's cost)

    wall, cpu, errors = _timed(pages, lambda url, raw: extract_article(raw, url), repeat)
    print(_line("ours, in-process", len(pages) * repeat, wall, cpu, errors))

    jobs = "".join(
        json.dumps({"url": c["url"], "html_path": str((cases_file.parent / c["html"]).resolve())}) + "\n" for c in cases
    )
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "crawler.extract", "--batch"],
        input=jobs,
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
    )
    print(_line("ours, CLI end to end (with start-up)", len(pages), time.perf_counter() - start))

    scorer.peer_trafilatura(*pages[0])  # warm up (and fail here, loudly, if trafilatura cannot run)
    wall, cpu, errors = _timed(pages, scorer.peer_trafilatura)
    print(_line("trafilatura metadata, in-process", len(pages), wall, cpu, errors))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", default="fundus-dev,trafilatura-meta")
    parser.add_argument("--repeat", type=int, default=1, help="in-process passes over each set")
    args = parser.parse_args()
    if not (SHARED / "tools" / "eval_extraction.py").exists():
        raise SystemExit(f"{SHARED} is missing: the benchmark needs the shared development sets")
    scorer = _scorer()
    for name in args.sets.split(","):
        bench_set(name.strip(), args.repeat, scorer)


if __name__ == "__main__":
    main()
