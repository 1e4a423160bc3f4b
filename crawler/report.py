"""The operator's page: the recent run summaries as one self-contained HTML file (``scrapy report``).

``scrapy crawlall`` keeps a summary of every run in ``RUN_SUMMARY_DIR`` (``run-<start>.json``, see
crawler/health.py). :func:`build_report` reads the newest of them and :func:`render` draws one page:

- the time range of the runs shown, and how many of them were unhealthy;
- the latest run's failed health checks, highlighted at the top, each linked to its provider;
- a table of the latest run per provider;
- per provider, two charts over the runs: articles discovered, fetched, new and failed, and the
  share of records with an image and with an excerpt; every unhealthy run is a red band in
  each chart (its problems in the band's tooltip) and a row of the table of unhealthy runs.

The charts are inline SVG drawn here (:func:`line_chart`), no library. The page loads nothing:
no script, no external style sheet, font or image, and a Content-Security-Policy that forbids
every fetch. Everything taken from a summary (provider keys, problem texts, file names) is
escaped, so a hostile provider name is shown as text, never read as HTML.

Bad input is never a crash: a summary that cannot be used (unreadable, corrupt or truncated
JSON, not an object, no start time, no providers) is skipped with a log line and listed on the
page; a field that an older summary format lacks is a gap in the charts, said in one log line
for that summary.
"""

from __future__ import annotations

import html
import json
import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from crawler import exitcodes
from crawler.health import COVERAGE_FIELDS

logger = logging.getLogger(__name__)

# Exit codes of ``scrapy report`` (sysexits.h, as the crawl commands' 74 and 75).
NO_SUMMARIES = exitcodes.NO_INPUT  # no readable run summary in RUN_SUMMARY_DIR
CANNOT_WRITE = exitcodes.CANNOT_WRITE  # the page could not be written

DEFAULT_RUNS = 96  # a day of runs at one every 15 minutes
REPORT_NAME = "report.html"  # the default page, beside the summaries
MAX_SUMMARY_BYTES = 16 * 1024 * 1024  # a larger file is not a run summary

CHART_COUNTS = ("discovered", "fetched", "new", "failed")  # the articles chart's lines
COUNTS = ("discovered", "fetched", "new", "updated", "unchanged", "failed")  # the latest run's table
CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


class SummaryError(ValueError):
    """A run summary that cannot be used at all (the reason is the message)."""


@dataclass(slots=True)
class ProviderPoint:
    """One provider in one run; None where the summary did not say (an older format) or said nonsense."""

    counts: dict[str, float | None]
    dropped: float | None
    coverage: dict[str, float | None]


@dataclass(slots=True)
class RunSummary:
    name: str  # the file it came from
    started: datetime
    duration: float | None
    healthy: bool | None
    problems: list[str]
    providers: dict[str, ProviderPoint]

    @property
    def finished(self) -> datetime:
        return self.started + timedelta(seconds=self.duration or 0)

    @property
    def unhealthy(self) -> bool:
        return self.healthy is False or bool(self.problems)


@dataclass(slots=True)
class Report:
    runs: list[RunSummary]  # oldest first
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file name, why)
    directory: str = ""
    requested: int = DEFAULT_RUNS

    @property
    def providers(self) -> list[str]:
        return sorted({key for run in self.runs for key in run.providers})

    @property
    def latest(self) -> RunSummary:
        return self.runs[-1]


# --- reading summaries ------------------------------------------------------------------------------


def build_report(directory: Path, runs: int = DEFAULT_RUNS) -> Report:
    """The newest ``runs`` usable summaries in ``directory`` (and ``latest.json`` if it is newer), oldest first.

    Files are read newest first (their names carry their start time) until ``runs`` usable ones
    are found; each one skipped is logged and listed in the report. No usable summary: an
    empty ``Report.runs``.
    """
    if runs < 1:
        raise ValueError("runs must be at least 1")
    report = Report(runs=[], directory=str(directory), requested=runs)
    try:
        paths = sorted((p for p in directory.glob("run-*.json") if p.is_file()), key=lambda p: p.name, reverse=True)
    except OSError as error:
        logger.error("Cannot list the run summaries in %s: %s", directory, error)
        paths = []
    latest = directory / "latest.json"
    if latest.is_file():
        paths.insert(0, latest)
    found: dict[datetime, RunSummary] = {}
    for path in paths:
        if len(found) >= runs:
            break
        summary = _read(path, report.skipped)
        if summary is not None and summary.started not in found:  # latest.json repeats the newest run
            found[summary.started] = summary
    report.runs = sorted(found.values(), key=lambda s: s.started)[-runs:]
    return report


def _read(path: Path, skipped: list[tuple[str, str]]) -> RunSummary | None:
    try:
        with path.open("rb") as file:
            data = file.read(MAX_SUMMARY_BYTES + 1)
        if len(data) > MAX_SUMMARY_BYTES:
            raise SummaryError(f"larger than {MAX_SUMMARY_BYTES // (1024 * 1024)} MB")
        try:
            parsed = json.loads(data.decode("utf-8"))
        except UnicodeDecodeError as error:
            raise SummaryError(f"not UTF-8 text ({error.reason} at byte {error.start})") from None
        except ValueError as error:
            raise SummaryError(f"not valid JSON (corrupt or truncated: {error})") from None
        except RecursionError:
            raise SummaryError("not a run summary (JSON nested too deep)") from None
        summary, notes = parse_summary(path.name, parsed)
    except OSError as error:
        why = f"cannot be read: {error.strerror or error}"
    except SummaryError as error:
        why = str(error)
    else:
        if notes:
            logger.warning("Run summary %s: %s; shown with gaps", path, "; ".join(notes))
        return summary
    logger.warning("Skipped run summary %s: %s", path, why)
    skipped.append((path.name, why))
    return None


def parse_summary(name: str, data: Any) -> tuple[RunSummary, list[str]]:
    """A run summary from its parsed JSON, and notes on what it lacks; ``SummaryError`` when it is unusable."""
    if not isinstance(data, dict):
        raise SummaryError(f"not a run summary (a JSON {type(data).__name__}, not an object)")
    notes: list[str] = []
    started = _instant(data.get("started"))
    if started is None:
        started = _instant_from_name(name)
        if started is None:
            raise SummaryError("no start time ('started' missing or not a time)")
        notes.append("no 'started' (the file name's time is used)")
    entries = data.get("providers")
    if not isinstance(entries, dict):
        raise SummaryError("no 'providers' object")
    lacking: dict[str, list[str]] = {}
    providers = {}
    for key, entry in entries.items():
        if not isinstance(entry, dict):
            notes.append(f"provider {key!r} is not an object (left out)")
            continue
        providers[key] = _provider_point(key, entry, lacking)
    notes += [f"no valid {name!r} for {', '.join(map(repr, keys))}" for name, keys in lacking.items()]
    raw_problems = data.get("problems")
    if isinstance(raw_problems, list):
        problems = [p if isinstance(p, str) else json.dumps(p, ensure_ascii=False) for p in raw_problems]
    else:
        problems = []
        notes.append("no 'problems' list")
    healthy = data.get("healthy")
    if not isinstance(healthy, bool):
        healthy = not problems if isinstance(raw_problems, list) else None
        notes.append("no 'healthy'")
    duration = _number(data.get("durationSeconds"))
    if duration is None:
        notes.append("no 'durationSeconds'")
    return RunSummary(name, started, duration, healthy, problems, providers), notes


def _provider_point(key: str, entry: dict, lacking: dict[str, list[str]]) -> ProviderPoint:
    counts = {}
    for name in COUNTS:
        counts[name] = _number(entry.get(name))
        if counts[name] is None:
            lacking.setdefault(name, []).append(key)
    raw_dropped = entry.get("dropped")
    dropped = None
    if isinstance(raw_dropped, dict):
        values = [_number(v) for v in raw_dropped.values()]
        dropped = None if None in values else sum(v for v in values if v is not None)
    if dropped is None:
        lacking.setdefault("dropped", []).append(key)
    raw_coverage = entry.get("coverage")
    coverage: dict[str, float | None] = dict.fromkeys(COVERAGE_FIELDS)
    if isinstance(raw_coverage, dict):  # {} when the run wrote no record: no coverage to show, nothing lacking
        for name in COVERAGE_FIELDS:
            value = _number(raw_coverage.get(name))
            coverage[name] = value if value is not None and value <= 1 else None
    else:
        lacking.setdefault("coverage", []).append(key)
    return ProviderPoint(counts, dropped, coverage)


def _number(value: Any) -> float | None:
    """A count or share as a summary holds it: a finite, non-negative number (not a bool), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(value) or value < 0:
        return None
    return value


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        return None
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


def _instant_from_name(name: str) -> datetime | None:
    """``run-20261124T120000Z.json`` → that instant (crawlall names its summaries so)."""
    stem = name.removeprefix("run-").removesuffix(".json")
    try:
        return datetime.strptime(stem, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


# --- the page -----------------------------------------------------------------------------------------


def esc(value: Any) -> str:
    """Text for HTML (and inline SVG): element content and quoted attribute values alike."""
    return html.escape(str(value), quote=True)


def problem_provider(problem: str, keys: Iterable[str]) -> str | None:
    """The provider a problem is about ('<provider>: <check>: <why>'): the longest key it starts with."""
    matches = [key for key in keys if problem.startswith(f"{key}: ")]
    return max(matches, key=len) if matches else None


def _when(instant: datetime, seconds: bool = False) -> str:
    return instant.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M") + " UTC"


def _time(instant: datetime, seconds: bool = False) -> str:
    return f'<time datetime="{instant:%Y-%m-%dT%H:%M:%SZ}">{esc(_when(instant, seconds))}</time>'


def _count_text(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _share_text(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _duration_text(seconds: float | None) -> str:
    if seconds is None:
        return "duration unknown"
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min"


SERIES_CLASSES = {"discovered": "c1", "fetched": "c2", "new": "c3", "failed": "c4", "image": "c5", "excerpt": "c6"}

STYLE = """
:root { color-scheme: light; --bad: #b3261e; --bad-bg: #fde7e5; --good: #1b6e2f; --good-bg: #e3f3e6; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       margin: 0 auto; padding: 1rem 1.5rem 3rem; max-width: 1100px; color: #1d1d1f; background: #fff; }
h1 { margin: .2rem 0; font-size: 1.6rem; } h2 { font-size: 1.2rem; margin: 1.6rem 0 .5rem; }
.range { font-size: 1.05rem; margin: .2rem 0; } .generated, .note { color: #555; font-size: .85rem; }
.latest { border-radius: 6px; padding: .6rem 1rem; margin: 1rem 0; border: 2px solid; }
.latest h2 { margin: .2rem 0 .4rem; }
.latest.unhealthy { background: var(--bad-bg); border-color: var(--bad); }
.latest.healthy { background: var(--good-bg); border-color: var(--good); }
.problems { margin: .3rem 0; padding-left: 1.2rem; }
.problem { color: var(--bad); font-weight: 600; overflow-wrap: anywhere; }
.problem a { color: inherit; }
.provider .problems { background: var(--bad-bg); border-left: 4px solid var(--bad); padding: .4rem .4rem .4rem 1.6rem; }
table { border-collapse: collapse; margin: .4rem 0; font-variant-numeric: tabular-nums; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid #ddd; text-align: right; vertical-align: top; }
th:first-child, td:first-child, th.text, td.text { text-align: left; }
td.text { overflow-wrap: anywhere; }
tr.unhealthy td { background: var(--bad-bg); }
.badge { display: inline-block; font-size: .8rem; padding: .05rem .45rem; border-radius: 1rem; vertical-align: middle; }
.badge.bad { background: var(--bad); color: #fff; } .badge.good { background: var(--good-bg); color: var(--good); }
.badge.none { background: #eee; color: #555; }
.provider { border-top: 1px solid #ccc; margin-top: 1.5rem; }
.provider h2 { overflow-wrap: anywhere; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
@media (max-width: 900px) { .charts { grid-template-columns: 1fr; } }
figure { margin: 0; } figcaption { font-weight: 600; font-size: .9rem; }
.legend { list-style: none; padding: 0; margin: .2rem 0; font-size: .85rem;
          display: flex; flex-wrap: wrap; gap: .8rem; }
.legend li::before { content: ""; display: inline-block; width: .9rem; height: .25rem; margin-right: .3rem;
                     vertical-align: middle; background: currentColor; }
.legend .band::before { height: .8rem; background: #f6c9c4; }
.legend .band.other::before { background: #f1e6e4; }
svg.chart { width: 100%; height: auto; display: block; }
svg .grid { stroke: #e4e4e4; stroke-width: 1; } svg .axis { stroke: #888; stroke-width: 1; }
svg text { font-size: 11px; fill: #555; }
svg .line { fill: none; stroke-width: 2; stroke: currentColor; }
svg .pt { fill: currentColor; }
svg .unhealthy-run { fill: #f6c9c4; } svg .unhealthy-other { fill: #f1e6e4; }
.c3 .line { stroke-dasharray: 6 3; }
.c1 { color: #1f5fa8; } .c2 { color: #2a8a3e; } .c3 { color: #7b3fa0; } .c4 { color: #c0392b; }
.c5 { color: #d9822b; } .c6 { color: #158a8a; }
"""


def render(report: Report, generated: datetime) -> str:
    """The whole page, as text (a ``Report`` with at least one run)."""
    runs, latest = report.runs, report.latest
    providers = report.providers
    anchors = {key: f"provider-{n}" for n, key in enumerate(providers, 1)}
    unhealthy = [run for run in runs if run.unhealthy]
    span = runs[-1].finished - runs[0].started
    seconds = span < timedelta(minutes=10)
    title = f"Crawl report: {_when(runs[0].started)} to {_when(latest.finished)}"
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title>",
        f"<style>{STYLE}</style>",
        "</head><body>",
        "<header><h1>Crawl report</h1>",
        f'<p class="range" id="range">{len(runs)} run{"s" * (len(runs) != 1)} from {_time(runs[0].started, seconds)}'
        f" to {_time(latest.finished, seconds)} · {len(providers)} provider{'s' * (len(providers) != 1)}"
        f' · <span class="unhealthy-count">{len(unhealthy)} unhealthy</span></p>',
        f'<p class="generated">Written {esc(_when(generated))} by <code>scrapy report</code> from the newest'
        f" {report.requested} summaries in <code>{esc(report.directory)}</code>.</p></header>",
        _latest_section(latest, anchors, seconds),
        _skipped_section(report.skipped),
        _overview_section(latest, providers, anchors),
    ]
    for key in providers:
        parts.append(_provider_section(key, anchors, runs, seconds))
    parts.append(_unhealthy_section(unhealthy, anchors, seconds))
    parts.append("</body></html>\n")
    return "\n".join(part for part in parts if part)


def _problem_items(problems: Sequence[str], anchors: dict[str, str], link: bool = True) -> str:
    items = []
    for problem in problems:
        key = problem_provider(problem, anchors)
        if key is not None and link:
            rest = problem[len(key) :]
            items.append(f'<li class="problem"><a href="#{anchors[key]}">{esc(key)}</a>{esc(rest)}</li>')
        else:
            items.append(f'<li class="problem">{esc(problem)}</li>')
    return "".join(items)


def _latest_section(latest: RunSummary, anchors: dict[str, str], seconds: bool) -> str:
    when = f"{_time(latest.started, seconds)} ({esc(_duration_text(latest.duration))})"
    if latest.unhealthy:
        count = len(latest.problems)
        verdict = (
            f"{count} health check{'s' * (count != 1)} failed" if count else "unhealthy (the summary names no problem)"
        )
        return (
            f'<section id="latest" class="latest unhealthy"><h2>Latest run {when}: {verdict}</h2>'
            f'<ul class="problems">{_problem_items(latest.problems, anchors)}</ul></section>'
        )
    verdict = "every health check passed" if latest.healthy else "health not recorded (an older summary)"
    state = "healthy" if latest.healthy else "unknown"
    return f'<section id="latest" class="latest {state}"><h2>Latest run {when}: {verdict}</h2></section>'


def _skipped_section(skipped: list[tuple[str, str]]) -> str:
    if not skipped:
        return ""
    items = "".join(f"<li><code>{esc(name)}</code>: {esc(why)}</li>" for name, why in skipped)
    return f'<section id="skipped"><h2>Summaries skipped</h2><ul class="note">{items}</ul></section>'


def _overview_section(latest: RunSummary, providers: list[str], anchors: dict[str, str]) -> str:
    head = "".join(f"<th>{name}</th>" for name in (*COUNTS, "dropped", *COVERAGE_FIELDS))
    rows = []
    for key in providers:
        point = latest.providers.get(key)
        mine = [p for p in latest.problems if problem_provider(p, anchors) == key]
        name = f'<td class="text"><a href="#{anchors[key]}">{esc(key)}</a></td>'
        if point is None:
            rows.append(f'<tr>{name}<td colspan="{len(COUNTS) + 4}" class="text">not in the latest run</td></tr>')
            continue
        cells = "".join(f"<td>{_count_text(point.counts[n])}</td>" for n in COUNTS)
        cells += f"<td>{_count_text(point.dropped)}</td>"
        cells += "".join(f"<td>{_share_text(point.coverage[n])}</td>" for n in COVERAGE_FIELDS)
        health = (
            f'<span class="badge bad">{len(mine)} problem{"s" * (len(mine) != 1)}</span>'
            if mine
            else '<span class="badge good">ok</span>'
        )
        row_class = ' class="unhealthy"' if mine else ""
        rows.append(f'<tr{row_class}>{name}{cells}<td class="text">{health}</td></tr>')
    return (
        f'<section id="overview"><h2>Latest run by provider</h2><table><thead><tr><th>provider</th>{head}'
        f"<th>health</th></tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
    )


def _provider_section(key: str, anchors: dict[str, str], runs: list[RunSummary], seconds: bool) -> str:
    latest, anchor = runs[-1], anchors[key]
    mine = [p for p in latest.problems if problem_provider(p, anchors) == key]
    if key not in latest.providers:
        badge = '<span class="badge none">not in the latest run</span>'
    elif mine:
        badge = f'<span class="badge bad">{len(mine)} problem{"s" * (len(mine) != 1)} in the latest run</span>'
    else:
        badge = '<span class="badge good">healthy in the latest run</span>'
    problems = f'<ul class="problems">{_problem_items(mine, anchors, link=False)}</ul>' if mine else ""
    times = [run.started for run in runs]
    points = [run.providers.get(key) for run in runs]
    bands = [_band(run, key, anchors) for run in runs]
    counts = [Series(name, [p.counts[name] if p else None for p in points]) for name in CHART_COUNTS]
    coverage = [Series(name, [p.coverage[name] if p else None for p in points]) for name in COVERAGE_FIELDS]
    return (
        f'<section class="provider" id="{anchor}"><h2><span class="provider-key">{esc(key)}</span> {badge}</h2>'
        f'{problems}<div class="charts">'
        + _figure("Articles per run", counts, times, bands, percent=False, seconds=seconds, key=key)
        + _figure("Records with an image, an excerpt", coverage, times, bands, percent=True, seconds=seconds, key=key)
        + "</div></section>"
    )


@dataclass(frozen=True, slots=True)
class Band:
    """How a run is marked in a provider's charts: ``kind`` is "" (healthy), "mine" or "other"."""

    kind: str = ""
    hint: str = ""


BAND_CLASSES = {"mine": "unhealthy-run", "other": "unhealthy-other"}


def _band(run: RunSummary, key: str, anchors: dict[str, str]) -> Band:
    """A run unhealthy for this provider (its problems, or ones naming no provider) or only for others."""
    if not run.unhealthy:
        return Band()
    owners = [problem_provider(p, anchors) for p in run.problems]
    hint = f"Unhealthy run {_when(run.started)}: " + ("; ".join(run.problems) or "no problem named")
    mine = not run.problems or any(owner in (key, None) for owner in owners)
    return Band("mine" if mine else "other", hint)


def _figure(caption: str, series: list[Series], times, bands: list[Band], *, percent, seconds, key) -> str:
    legend = "".join(f'<li class="{SERIES_CLASSES[s.label]}">{esc(s.label)}</li>' for s in series)
    kinds = {band.kind for band in bands}
    if "mine" in kinds:
        legend += f'<li class="band mine">unhealthy for {esc(key)}</li>'
    if "other" in kinds:
        legend += '<li class="band other">unhealthy for another provider</li>'
    label = f"{caption} for {key}"
    chart = line_chart(times, series, bands, percent=percent, seconds=seconds, label=label)
    return f'<figure><figcaption>{esc(caption)}</figcaption><ul class="legend">{legend}</ul>{chart}</figure>'


def _unhealthy_section(unhealthy: list[RunSummary], anchors: dict[str, str], seconds: bool) -> str:
    if not unhealthy:
        return '<section id="unhealthy-runs"><h2>Unhealthy runs</h2><p>None of these runs was unhealthy.</p></section>'
    rows = "".join(
        f'<tr class="unhealthy"><td class="text">{_time(run.started, seconds)}</td>'
        f'<td class="text"><ul class="problems">{_problem_items(run.problems, anchors) or "<li>no problem named</li>"}'
        f"</ul></td></tr>"
        for run in reversed(unhealthy)
    )
    return (
        '<section id="unhealthy-runs"><h2>Unhealthy runs</h2><table><thead><tr><th>run</th>'
        f'<th class="text">problems</th></tr></thead><tbody>{rows}</tbody></table></section>'
    )


# --- charts ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Series:
    label: str  # a key of SERIES_CLASSES (its colour)
    values: list[float | None]  # one per run; None: a gap


WIDTH, HEIGHT = 520, 240
LEFT, RIGHT, TOP, BOTTOM = 52, 14, 12, 30


def nice_step(value: float) -> float:
    """The smallest of 1, 2, 5 × 10^n that is at least ``value`` (> 0)."""
    exponent = math.floor(math.log10(value))
    for factor in (1, 2, 5, 10):
        step = factor * 10.0**exponent
        if step >= value * (1 - 1e-9):
            return step
    return 10.0 ** (exponent + 1)  # pragma: no cover (10 always fits)


def line_chart(
    times: Sequence[datetime],
    series: Sequence[Series],
    bands: Sequence[Band],
    *,
    percent: bool,
    seconds: bool,
    label: str,
) -> str:
    """An SVG line chart of ``series`` over ``times`` (UTC instants, oldest first); ``bands`` mark unhealthy runs.

    Time runs left to right in proportion (a gap between runs is a gap in the chart); a None value
    breaks its line. Every point and band has a tooltip (an SVG ``<title>``): the value and run
    time; the band's hint (an unhealthy run's problems).
    """
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    start, end = times[0], times[-1]
    span = (end - start).total_seconds()

    def x(instant: datetime) -> float:
        if span <= 0:
            return LEFT + plot_w / 2
        return LEFT + (instant - start).total_seconds() / span * plot_w

    values = [v for s in series for v in s.values if v is not None]
    if percent:
        step, top = 0.25, 1.0
    else:
        highest = max(values, default=0) or 1
        step = max(1.0, nice_step(highest / 4))
        top = step * math.ceil(highest / step)

    def y(value: float) -> float:
        return TOP + plot_h - value / top * plot_h

    out = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img"'
        f' aria-label="{esc(label)}"><title>{esc(label)}</title>'
    ]
    band_w = max(4.0, min(24.0, plot_w / max(1, len(times)) * 0.8))
    for instant, band in zip(times, bands, strict=True):
        if band.kind:
            bx = min(max(x(instant) - band_w / 2, LEFT), LEFT + plot_w - band_w)
            out.append(
                f'<rect class="{BAND_CLASSES[band.kind]}" x="{bx:.1f}" y="{TOP}" width="{band_w:.1f}"'
                f' height="{plot_h}"><title>{esc(band.hint)}</title></rect>'
            )
    tick = 0.0
    while tick <= top * (1 + 1e-9):
        ty = y(tick)
        text = f"{tick:.0%}" if percent else f"{tick:,.0f}"
        out.append(f'<line class="grid" x1="{LEFT}" x2="{LEFT + plot_w}" y1="{ty:.1f}" y2="{ty:.1f}"/>')
        out.append(f'<text x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end">{esc(text)}</text>')
        tick += step
    out.append(f'<line class="axis" x1="{LEFT}" x2="{LEFT + plot_w}" y1="{TOP + plot_h}" y2="{TOP + plot_h}"/>')
    time_format = "%H:%M:%S" if seconds else ("%H:%M" if span < 86400 else "%d %b %H:%M")
    ticks = [start] if span <= 0 else [start + timedelta(seconds=span * n / 4) for n in range(5)]
    shown: set[str] = set()
    for n, instant in enumerate(ticks):
        text = instant.strftime(time_format)
        if text in shown:  # runs close together: one label per distinct time
            continue
        shown.add(text)
        anchor = "middle" if span <= 0 else ("start" if n == 0 else "end" if n == len(ticks) - 1 else "middle")
        out.append(f'<text x="{x(instant):.1f}" y="{HEIGHT - 10}" text-anchor="{anchor}">{esc(text)}</text>')
    out.append(f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 0.5}" text-anchor="end">UTC</text>')
    radius = 2.6 if len(times) <= 30 else 1.6  # many runs: the points make way for the lines
    for s in series:
        colour = SERIES_CLASSES[s.label]
        path, pen_down = [], False
        for instant, value in zip(times, s.values, strict=True):
            if value is None:
                pen_down = False
                continue
            path.append(f"{'L' if pen_down else 'M'}{x(instant):.1f} {y(min(value, top)):.1f}")
            pen_down = True
        out.append(f'<g class="{colour} series" data-series="{esc(s.label)}">')
        if path:
            out.append(f'<path class="line" d="{" ".join(path)}"/>')
        for instant, value in zip(times, s.values, strict=True):
            if value is not None:
                shown = _share_text(value) if percent else _count_text(value)
                out.append(
                    f'<circle class="pt" cx="{x(instant):.1f}" cy="{y(min(value, top)):.1f}" r="{radius}">'
                    f"<title>{esc(f'{s.label}: {shown} · {_when(instant, seconds)}')}</title></circle>"
                )
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)
