"""Run summaries and the health checks a scheduled crawl reports with its exit code.

A run summary counts, per provider: discovered, fetched, new, updated,
unchanged, dropped by reason, errors, and field coverage. Summaries are kept
(``RUN_SUMMARY_DIR``), so each run can be compared with the provider's recent
runs. The checks, with thresholds in settings:

- ``no_articles``: a provider that produced articles in recent runs produced none
  (an empty feed, a blocked crawler, changed URLs), or found none on its first run;
- ``sources``: a feed, sitemap, listing or API failed or could not be read;
- ``error_rate``: failed fetches plus dropped records over everything fetched
  passes ``HEALTH_MAX_ERROR_RATE``, and they are at least ``HEALTH_MIN_FAILURES``
  (3): a dead link that a sitemap keeps listing is fetched again every run, and on a
  quiet run it may be the only article fetched, which is no broken site;
- ``coverage``: the share of records with an image (or an excerpt) falls by
  more than ``HEALTH_MAX_COVERAGE_DROP`` against the recent runs' average:
  the usual sign that a site changed its layout. Pages that lose their dates
  show up as ``error_rate`` (such records are dropped: ``missing_published_at``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

COVERAGE_FIELDS = ("image", "excerpt")


@dataclass(slots=True)
class ProviderRun:
    """What one provider's crawl did, from its stats."""

    provider: str
    discovered: int = 0
    fetched: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0  # article pages that could not be fetched or extracted
    source_errors: int = 0  # feeds, sitemaps, APIs that failed or could not be read
    dropped: dict[str, int] = field(default_factory=dict)
    coverage: dict[str, float] = field(default_factory=dict)
    finish_reason: str = ""

    @property
    def produced(self) -> int:
        return self.new + self.updated + self.unchanged

    @classmethod
    def from_stats(cls, provider: str, stats: dict[str, Any]) -> ProviderRun:
        def count(name: str) -> int:
            return int(stats.get(name, 0) or 0)

        failed = sum(int(v) for k, v in stats.items() if k.startswith("articles/failed/"))
        dropped = {k.rsplit("/", 1)[1]: int(v) for k, v in stats.items() if k.startswith("records/dropped/")}
        records = count("coverage/records")
        coverage = {name: round(count(f"coverage/{name}") / records, 3) for name in COVERAGE_FIELDS} if records else {}
        return cls(
            provider=provider,
            discovered=count("discovery/articles") + count("discovery/skipped/unchanged"),
            fetched=count("articles/extracted") + failed,
            new=count("documents/new"),
            updated=count("documents/updated"),
            unchanged=count("documents/unchanged") + count("discovery/skipped/unchanged"),
            failed=failed,
            source_errors=count("discovery/sources_failed") + count("discovery/sources_broken"),
            dropped=dropped,
            coverage=coverage,
            finish_reason=str(stats.get("finish_reason", "")),
        )


@dataclass(frozen=True, slots=True)
class HealthLimits:
    max_error_rate: float = 0.5
    min_failures: int = 3  # fewer failed or dropped articles than this are never an error rate
    max_coverage_drop: float = 0.5  # a relative fall: 0.5 = coverage halved
    history: int = 5  # recent runs compared against


def check(run: ProviderRun, history: list[ProviderRun], limits: HealthLimits) -> list[str]:
    """What is wrong with this run of a provider, each as '<provider>: <check>: <why>'."""
    problems = []
    recent = history[-limits.history :]
    produced_before = [r.produced for r in recent if r.produced]
    if produced_before and not run.produced and not run.discovered:
        problems.append(
            f"{run.provider}: no_articles: none this run; recent runs produced {', '.join(map(str, produced_before))}"
        )
    elif not history and not run.produced and not run.discovered:
        problems.append(f"{run.provider}: no_articles: none on its first run (its sources gave no article)")
    if run.source_errors:
        problems.append(
            f"{run.provider}: sources: {run.source_errors} of its feeds, sitemaps or listings failed or could not"
            " be read (the log names them)"
        )
    failures = run.failed + sum(run.dropped.values())
    if run.fetched and failures >= limits.min_failures and failures / run.fetched > limits.max_error_rate:
        problems.append(
            f"{run.provider}: error_rate: {failures} of {run.fetched} fetched articles failed or were dropped"
            f" ({failures / run.fetched:.0%} > {limits.max_error_rate:.0%}; drops: {run.dropped or 'none'})"
        )
    for name in COVERAGE_FIELDS:
        before = [r.coverage[name] for r in recent if name in r.coverage]
        if not before or name not in run.coverage:
            continue
        average = sum(before) / len(before)
        if average and run.coverage[name] < average * (1 - limits.max_coverage_drop):
            problems.append(
                f"{run.provider}: coverage: records with {name} fell to {run.coverage[name]:.0%}"
                f" (recent runs {average:.0%})"
            )
    return problems


def summary_files(directory: Path) -> list[Path]:
    """The kept run summaries, oldest first (their names sort by start time)."""
    return sorted(directory.glob("run-*.json"))


def prune_summaries(directory: Path, keep: int) -> int:
    """Remove all but the newest ``keep`` run summaries (``RUN_SUMMARY_KEEP``); how many were removed."""
    old = summary_files(directory)[:-keep] if keep > 0 else []
    for path in old:
        path.unlink(missing_ok=True)
    return len(old)


def load_history(directory: Path, provider: str) -> list[ProviderRun]:
    """The provider's earlier runs, oldest first, from the kept summaries."""
    runs = []
    for path in summary_files(directory):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # a summary that cannot be read is no evidence either way
        entry = data.get("providers", {}).get(provider)
        if entry:
            runs.append(ProviderRun(**entry))
    return runs


def summary_dict(started: str, duration: float, runs: list[ProviderRun], problems: list[str], stories: dict) -> dict:
    return {
        "started": started,
        "durationSeconds": round(duration, 1),
        "providers": {run.provider: asdict(run) for run in runs},
        "stories": stories,
        "problems": problems,
        "healthy": not problems,
    }
