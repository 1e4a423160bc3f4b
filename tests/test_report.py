"""`scrapy report`: run summaries from real `scrapy crawlall` runs, the page rendered in headless Chromium.

Four cron-like runs of two providers against a local SmallSite (tests/test_crawlall.py's Cron): a
healthy one, one with an emptied feed (both providers unhealthy), a healthy one with new articles,
and one where the second provider's article URL rules match nothing (it alone is unhealthy). Then
`scrapy report`, and Debian's `chromium` renders the page (`--dump-dom`, `--screenshot`).

Chromium is started offline: every request it makes goes to a recorder on 127.0.0.1 as its proxy
(which answers 403 and forwards nothing) and no host name is resolved, so neither the page nor the
browser's own background requests leave the machine. Without Chromium these tests are skipped, with
the reason; in CI (CI=true) that is a failure.
"""

from __future__ import annotations

import io
import json
import math
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
import pytest
import yaml

from crawler import report
from crawler.demo.server import SiteServer
from tests.crawling import REPO
from tests.small_site import SmallSite
from tests.test_crawlall import Cron

CHROMIUM = "/usr/bin/chromium"  # Debian's package: apt-get install -y chromium
# Where Chromium's own background requests go (updates, sign-in): recorded like any, never a page's.
BROWSER_SERVICES = ("google.com", "googleapis.com", "gvt1.com", "gvt2.com", "gstatic.com", "googleusercontent.com")
HOSTILE = "<script>document.title='owned'</script><img src=x onerror=\"document.title='owned'\">"


# --- the runs: four real crawlall runs of two providers ------------------------------------------------


@dataclass
class History:
    runs: Path  # RUN_SUMMARY_DIR
    codes: list[int]
    summaries: list[dict]  # oldest first

    @property
    def latest(self) -> dict:
        return self.summaries[-1]


class SecondApartCron(Cron):
    """Each run starts in a second of its own: a summary is named by its start, to the second."""

    def run(self) -> subprocess.CompletedProcess:
        result = super().run()
        now = time.time()
        time.sleep(math.ceil(now) - now + 0.01)
        return result


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> History:
    tmp = tmp_path_factory.mktemp("report")
    site = SmallSite.create(tmp / "site")
    with SiteServer(site.root) as server:
        cron = SecondApartCron(tmp / "work", site, server)
        registry = yaml.safe_load(Path(cron.registry).read_text())
        registry["providers"]["twin"] = dict(registry["providers"]["small"], name="Small Twin", domain="small-twin.com")
        Path(cron.registry).write_text(yaml.safe_dump(registry), encoding="utf-8")
        results = [cron.run()]  # 1: healthy
        site.feed_empty = True
        site.write()
        results.append(cron.run())  # 2: no article at all: both providers fail no_articles
        site.feed_empty = False
        site.add("fresh-story-about-batteries", "Battery maker opens a plant")
        site.add("fresh-story-about-robots", "Robot startup raises money")
        results.append(cron.run())  # 3: healthy, two new articles
        registry["providers"]["twin"]["article_urls"] = ["^/nothing-matches/$"]
        Path(cron.registry).write_text(yaml.safe_dump(registry), encoding="utf-8")
        results.append(cron.run())  # 4: the twin's URL rules changed: it alone fails no_articles
    runs = cron.tmp / "runs"
    summaries = [json.loads(p.read_text()) for p in sorted(runs.glob("run-*.json"))]
    assert [r.returncode for r in results] == [0, 1, 0, 1], [r.stderr[-2000:] for r in results]
    assert len(summaries) == 4
    return History(runs, [r.returncode for r in results], summaries)


def scrapy_report(runs: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "report", *options, "-s", f"RUN_SUMMARY_DIR={runs}"],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def page(history) -> Path:
    result = scrapy_report(history.runs)
    assert result.returncode == 0, result.stderr[-3000:]
    path = history.runs / "report.html"
    assert f"Wrote {path}: 4 runs of 2 providers" in result.stdout
    return path


# --- headless Chromium, offline ---------------------------------------------------------------------


class Recorder(ThreadingHTTPServer):
    """The browser's proxy on 127.0.0.1: notes every request (``METHOD target``) and answers 403."""

    daemon_threads = True

    def __init__(self):
        self.seen: list[str] = []
        super().__init__(("127.0.0.1", 0), _RecordingHandler)

    def hosts(self) -> list[str]:
        hosts = []
        for line in self.seen:
            method, target = line.split(" ", 1)
            hosts.append(target.rsplit(":", 1)[0] if method == "CONNECT" else (urlsplit(target).hostname or ""))
        return hosts


class _RecordingHandler(BaseHTTPRequestHandler):
    def handle_one_request(self):
        self.raw_requestline = self.rfile.readline(65537)
        if not self.raw_requestline or not self.parse_request():
            self.close_connection = True
            return
        self.server.seen.append(f"{self.command} {self.path}")
        self.send_error(403, "offline test: nothing is forwarded")
        self.close_connection = True

    def log_message(self, *args):
        pass


class Chromium:
    """``chromium --headless`` whose every request goes to a :class:`Recorder`, with no name resolution."""

    def __init__(self, binary: str, profile: Path, recorder: Recorder):
        self.binary, self.profile, self.recorder = binary, profile, recorder

    def run(self, url: str, *options: str) -> subprocess.CompletedProcess:
        port = self.recorder.server_address[1]
        command = [
            self.binary,
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            f"--user-data-dir={self.profile}",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-default-apps",
            "--disable-extensions",
            "--disable-sync",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-domain-reliability",
            "--disable-client-side-phishing-detection",
            "--disable-breakpad",
            "--disable-quic",
            "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,MediaRouter,Translate",
            "--metrics-recording-only",
            "--password-store=basic",
            "--force-color-profile=srgb",
            "--hide-scrollbars",
            f"--proxy-server=http://127.0.0.1:{port}",
            "--proxy-bypass-list=<-loopback>",  # loopback too goes to the recorder
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            *options,
            url,
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr[-3000:]
        return result

    def dom(self, path: Path) -> lxml.html.HtmlElement:
        """The page's DOM once loaded, as Chromium serialises it."""
        return lxml.html.fromstring(self.run(path.as_uri(), "--dump-dom").stdout)

    def screenshot(self, path: Path, png: Path, size: str = "1200,1800") -> Path:
        self.run(path.as_uri(), f"--screenshot={png}", f"--window-size={size}")
        return png


def chromium_binary() -> str:
    binary = shutil.which("chromium") or (CHROMIUM if os.access(CHROMIUM, os.X_OK) else None)
    if binary is None:
        message = f"headless Chromium renders the report: no {CHROMIUM} (apt-get install -y chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs it: {message}")
        pytest.skip(message)
    return binary


@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    binary = chromium_binary()
    recorder = Recorder()
    thread = threading.Thread(target=recorder.serve_forever, daemon=True)
    thread.start()
    try:
        yield Chromium(binary, tmp_path_factory.mktemp("chromium-profile"), recorder)
    finally:
        recorder.shutdown()
        recorder.server_close()


@pytest.fixture(scope="module")
def dom(page, chromium) -> lxml.html.HtmlElement:
    return chromium.dom(page)


def text(element) -> str:
    return " ".join(element.text_content().split())


def section(dom, key: str):
    [found] = [s for s in dom.cssselect("section.provider") if text(s.cssselect(".provider-key")[0]) == key]
    return found


# --- the page ---------------------------------------------------------------------------------------


@pytest.mark.e2e
def test_the_page_shows_every_provider_and_the_latest_runs_problem(history, dom):
    latest = history.latest
    assert latest["problems"] == ["twin: no_articles: none this run; recent runs produced 6, 8"]
    box = dom.get_element_by_id("latest")
    assert "unhealthy" in box.get("class").split()
    assert "1 health check failed" in text(box)
    assert [text(li) for li in box.cssselect("li.problem")] == latest["problems"]
    assert {text(s.cssselect(".provider-key")[0]) for s in dom.cssselect("section.provider")} == {"small", "twin"}
    twin = section(dom, "twin")
    assert [text(li) for li in twin.cssselect(".problems li.problem")] == latest["problems"]
    assert "1 problem in the latest run" in text(twin.cssselect("h2")[0])
    small = section(dom, "small")
    assert small.cssselect(".problems") == [] and "healthy in the latest run" in text(small.cssselect("h2")[0])
    rows = {text(row.cssselect("td")[0]): row for row in dom.get_element_by_id("overview").cssselect("tbody tr")}
    assert set(rows) == {"small", "twin"}
    assert rows["twin"].get("class") == "unhealthy" and rows["small"].get("class") is None
    cells = [text(td) for td in rows["small"].cssselect("td")]
    assert cells[1:7] == [str(latest["providers"]["small"][name]) for name in report.COUNTS]


@pytest.mark.e2e
def test_the_page_gives_the_runs_time_range_and_marks_every_unhealthy_run(history, dom):
    first, latest = history.summaries[0], history.latest
    finished = datetime.fromisoformat(latest["started"]) + timedelta(seconds=latest["durationSeconds"])
    times = [t.get("datetime") for t in dom.get_element_by_id("range").cssselect("time")]
    assert times == [first["started"], f"{finished:%Y-%m-%dT%H:%M:%SZ}"]
    assert text(dom.get_element_by_id("range")).startswith("4 runs from ")
    assert "2 unhealthy" in text(dom.get_element_by_id("range"))
    # In each chart: a red band for each run unhealthy for that provider, a pale one for the others'.
    for key, own, others in (("twin", 2, 0), ("small", 1, 1)):
        charts = section(dom, key).cssselect("svg.chart")
        assert len(charts) == 2
        for chart in charts:
            assert len(chart.cssselect("rect.unhealthy-run")) == own
            assert len(chart.cssselect("rect.unhealthy-other")) == others
    unhealthy = dom.get_element_by_id("unhealthy-runs").cssselect("tbody tr")
    assert [row.cssselect("time")[0].get("datetime") for row in unhealthy] == [
        history.summaries[3]["started"],
        history.summaries[1]["started"],
    ]
    assert [text(li) for li in unhealthy[1].cssselect("li.problem")] == history.summaries[1]["problems"]


@pytest.mark.e2e
def test_the_charts_plot_what_the_summaries_say(history, dom):
    for key in ("small", "twin"):
        articles, coverage = section(dom, key).cssselect("svg.chart")
        for name in report.CHART_COUNTS:
            [series] = articles.cssselect(f'g[data-series="{name}"]')
            plotted = [text(title).split(" · ")[0] for title in series.cssselect("circle title")]
            expected = [f"{name}: {s['providers'][key][name]}" for s in history.summaries]
            assert plotted == expected
        [excerpt] = coverage.cssselect('g[data-series="excerpt"]')
        shares = [text(title).split(" · ")[0] for title in excerpt.cssselect("circle title")]
        # Runs that wrote no record have no coverage: a gap, not a zero.
        wrote = [s for s in history.summaries if s["providers"][key]["coverage"]]
        assert shares == [f"excerpt: {s['providers'][key]['coverage']['excerpt']:.0%}" for s in wrote]


@pytest.mark.e2e
def test_the_screenshot_shows_the_highlight_and_the_charts(page, chromium, tmp_path):
    from PIL import Image

    image = Image.open(chromium.screenshot(page, tmp_path / "report.png")).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    count = {rgb: n for n, rgb in colours}

    def near(target: tuple[int, int, int]) -> int:
        return sum(n for rgb, n in count.items() if all(abs(a - b) <= 3 for a, b in zip(rgb, target, strict=True)))

    assert near((0xFD, 0xE7, 0xE5)) > 20_000  # the latest run's problems box, and the problem rows
    assert near((0xF6, 0xC9, 0xC4)) > 2_000  # the unhealthy runs' bands in the charts
    assert near((0x1F, 0x5F, 0xA8)) > 300  # the "discovered" lines


@pytest.mark.e2e
def test_the_page_loads_nothing_from_anywhere(page, chromium, dom, tmp_path):
    source = page.read_text(encoding="utf-8")
    for tree in (lxml.html.fromstring(source), dom):
        assert tree.cssselect("script, link, iframe, object, embed, base, img, audio, video, source, form") == []
        for element in (e for e in tree.iter() if isinstance(e.tag, str)):
            for name, value in element.attrib.items():
                if name in {"src", "href", "srcset", "data", "poster", "action", "formaction", "xlink:href"}:
                    assert value.startswith("#"), (element.tag, name, value)
        styles = " ".join(s.text_content() for s in tree.cssselect("style")) + " ".join(
            e.get("style", "") for e in tree.iter() if isinstance(e.tag, str)
        )
        assert "url(" not in styles and "@import" not in styles and "@font-face" not in styles
    assert "http://" not in source and "https://" not in source and "//" not in source.replace("://", "")
    [csp] = dom.cssselect('meta[http-equiv="Content-Security-Policy"]')
    assert "default-src 'none'" in csp.get("content")
    page_requests = [
        line
        for line, host in zip(chromium.recorder.seen, chromium.recorder.hosts(), strict=True)
        if not any(host == domain or host.endswith("." + domain) for domain in BROWSER_SERVICES)
    ]
    assert page_requests == []  # whatever Chromium asked for itself (updates, sign-in) was its own
    # The page's Content-Security-Policy stops a fetch even if something slipped into the page: an image
    # added to a copy of the page is not requested; without the policy, the same image is.
    probe = f"http://127.0.0.1:{chromium.recorder.server_address[1]}/csp-probe.png"
    guarded = source.replace("<body>", f'<body><img src="{probe}">', 1)
    (tmp_path / "guarded.html").write_text(guarded, encoding="utf-8")
    (tmp_path / "open.html").write_text(guarded.replace("Content-Security-Policy", "x-no-policy"), encoding="utf-8")
    chromium.dom(tmp_path / "guarded.html")
    assert not any("csp-probe" in line for line in chromium.recorder.seen)
    chromium.dom(tmp_path / "open.html")
    assert any(line.endswith("/csp-probe.png") for line in chromium.recorder.seen)


# --- bad input --------------------------------------------------------------------------------------


def run_name(instant: datetime) -> str:
    return f"run-{instant:%Y%m%dT%H%M%SZ}.json"


@pytest.mark.e2e
def test_bad_summaries_are_skipped_with_a_log_line_and_older_formats_shown_with_gaps(history, chromium, tmp_path):
    runs = tmp_path / "runs"
    shutil.copytree(history.runs, runs, ignore=shutil.ignore_patterns("report.html"))
    first = datetime.fromisoformat(history.summaries[0]["started"])
    latest = datetime.fromisoformat(history.latest["started"])
    whole = (runs / "latest.json").read_bytes()
    bad = {
        run_name(latest + timedelta(hours=1)): whole[: len(whole) // 2],  # truncated (the newest name)
        run_name(first - timedelta(hours=5)): b"\x00\xff garbage",
        run_name(first - timedelta(hours=4)): b"[1, 2, 3]",
        run_name(first - timedelta(hours=6)): b"[" * 100_000,  # nested past any parser's depth
        "run-manual.json": json.dumps({"started": "yesterday", "providers": {"small": {"new": 1}}}).encode(),
        run_name(first - timedelta(hours=2)): json.dumps({"started": first.isoformat(), "providers": []}).encode(),
    }
    for name, data in bad.items():
        (runs / name).write_bytes(data)
    # An older summary format: no health verdict, no duration, no coverage, no failures, a provider as a string.
    old = json.loads(whole)
    old["started"] = f"{first - timedelta(hours=1):%Y-%m-%dT%H:%M:%SZ}"
    for name in ("healthy", "durationSeconds", "stories", "problems"):
        del old[name]
    for entry in old["providers"].values():
        for name in ("coverage", "failed", "source_errors", "finish_reason"):
            del entry[name]
    old["providers"]["legacy"] = "a string"
    (runs / run_name(first - timedelta(hours=1))).write_text(json.dumps(old), encoding="utf-8")
    # Older still: no "started" (its file name says when), nothing but discovered and fetched.
    oldest = {"providers": {"small": {"discovered": 3, "fetched": 3}}}
    oldest_name = run_name(first - timedelta(minutes=90))
    (runs / oldest_name).write_text(json.dumps(oldest), encoding="utf-8")

    result = scrapy_report(runs)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    skipped = [line for line in result.stderr.splitlines() if "Skipped run summary" in line]
    assert len(skipped) == len(bad)
    for name in bad:
        assert sum(name in line for line in skipped) == 1
    truncated = next(line for line in skipped if run_name(latest + timedelta(hours=1)) in line)
    assert "not valid JSON (corrupt or truncated" in truncated
    gaps = [line for line in result.stderr.splitlines() if "shown with gaps" in line]
    assert len(gaps) == 2
    assert "'coverage' for 'small', 'twin'" in gaps[0] and "'legacy' is not an object" in gaps[0]
    assert "no 'started'" in gaps[1] and oldest_name in gaps[1]
    assert "6 runs of 2 providers" in result.stdout and "6 summaries skipped" in result.stdout

    dom = chromium.dom(runs / "report.html")
    assert text(dom.get_element_by_id("range")).startswith("6 runs from ")
    assert [text(li.cssselect("code")[0]) for li in dom.get_element_by_id("skipped").cssselect("li")] == sorted(
        bad, reverse=True
    )
    latest_box = dom.get_element_by_id("latest")  # the newest readable run, not the truncated file
    assert latest_box.cssselect("time")[0].get("datetime") == history.latest["started"]
    [fetched] = section(dom, "small").cssselect('svg.chart g[data-series="fetched"]')
    assert text(fetched.cssselect("circle title")[0]).startswith("fetched: 3 · ")
    [failed] = section(dom, "small").cssselect('svg.chart g[data-series="failed"]')
    assert len(failed.cssselect("circle")) == 4  # the two older summaries do not say: gaps


@pytest.mark.e2e
def test_a_hostile_provider_name_is_shown_as_text(history, chromium, tmp_path):
    runs = tmp_path / "runs"
    runs.mkdir()
    for summary in history.summaries:
        hostile = json.loads(json.dumps(summary).replace("twin", HOSTILE.replace('"', '\\"')))
        hostile["problems"].append('"><svg onload="document.title=1"></svg><b>bold</b>')
        started = datetime.fromisoformat(summary["started"])
        (runs / run_name(started)).write_text(json.dumps(hostile), encoding="utf-8")
    result = scrapy_report(runs)
    assert result.returncode == 0, result.stderr[-3000:]
    source = (runs / "report.html").read_text(encoding="utf-8")
    assert "<script" not in source and "<img" not in source and "<b>" not in source and 'onload="' not in source
    dom = chromium.dom(runs / "report.html")
    assert dom.cssselect("script, img, b") == [] and dom.cssselect("svg[onload]") == []
    assert text(dom.cssselect("title")[0]).startswith("Crawl report")
    assert HOSTILE in {text(k) for k in dom.cssselect(".provider-key")}
    problems = [text(li) for li in dom.get_element_by_id("latest").cssselect("li.problem")]
    assert problems == [f"{HOSTILE}: no_articles: none this run; recent runs produced 6, 8", *problems[1:]]
    assert problems[1] == '"><svg onload="document.title=1"></svg><b>bold</b>'
    assert section(dom, HOSTILE).cssselect(".problems li.problem")  # attributed to the hostile provider


def test_no_summaries_is_one_line_and_exit_66(tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "run-20261124T120000Z.json").write_text("{", encoding="utf-8")
    (broken / "latest.json").write_text("", encoding="utf-8")
    for runs in (tmp_path / "missing", broken):
        result = scrapy_report(runs)
        assert result.returncode == report.NO_SUMMARIES == 66, result.stderr
        errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert errors == [result.stderr.splitlines()[-1]]
        assert errors[0].startswith(f"error: no run summary in {runs}")
        assert "Traceback" not in result.stderr
        assert not (runs / "report.html").exists()
    assert "(2 unreadable, skipped)" in result.stderr


@pytest.mark.e2e
def test_runs_and_output_options(history, tmp_path):
    output = tmp_path / "site" / "crawl.html"
    result = scrapy_report(history.runs, "--runs", "2", "--output", str(output))
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"Wrote {output}: 2 runs of 2 providers" in result.stdout
    tree = lxml.html.fromstring(output.read_text(encoding="utf-8"))
    times = [t.get("datetime") for t in tree.get_element_by_id("range").cssselect("time")]
    assert times[0] == history.summaries[2]["started"]
    for bad in ("0", "-3", "many"):
        result = scrapy_report(history.runs, "--runs", bad)
        assert result.returncode == 2 and "--runs" in result.stderr
    (tmp_path / "blocked").write_text("a file, not a folder", encoding="utf-8")
    result = scrapy_report(history.runs, "--output", str(tmp_path / "blocked" / "page.html"))
    assert result.returncode == report.CANNOT_WRITE == 73
    assert result.stderr.splitlines()[-1].startswith("error: cannot write the report ")


# --- the parts, without a crawl ------------------------------------------------------------------------


def test_summaries_are_read_field_by_field():
    run, notes = report.parse_summary(
        "run-20261124T120000Z.json",
        {
            "started": "2026-11-24T12:00:00Z",
            "providers": {
                "a": {"discovered": 5, "fetched": True, "new": -1, "failed": float("nan"), "coverage": {"image": 2}},
                "b": {"discovered": 1, "fetched": 1, "new": 1, "updated": 0, "unchanged": 0, "failed": 0},
            },
            "problems": ["a: coverage: x", {"odd": 1}],
        },
    )
    assert run.started == datetime(2026, 11, 24, 12, tzinfo=UTC)
    assert run.providers["a"].counts["discovered"] == 5
    assert run.providers["a"].counts["fetched"] is None and run.providers["a"].counts["new"] is None
    assert run.providers["a"].counts["failed"] is None and run.providers["a"].coverage["image"] is None
    assert run.problems == ["a: coverage: x", '{"odd": 1}'] and run.healthy is False and run.unhealthy
    assert any("'coverage' for 'b'" in note for note in notes) and "no 'healthy'" in notes
    for data in ([], {"providers": {}}, {"started": "2026-11-24T12:00:00Z", "providers": "x"}):
        with pytest.raises(report.SummaryError):
            report.parse_summary("latest.json", data)


def test_problems_belong_to_the_longest_matching_provider():
    keys = ["small", "small_world", "x"]
    assert report.problem_provider("small_world: no_articles: none", keys) == "small_world"
    assert report.problem_provider("small: error_rate: 3 of 4", keys) == "small"
    assert report.problem_provider("something else: x", keys) is None


def test_a_chart_breaks_its_line_where_a_value_is_missing():
    times = [datetime(2026, 11, 24, 12, tzinfo=UTC) + timedelta(minutes=15 * n) for n in range(4)]
    chart = report.line_chart(
        times,
        [report.Series("new", [1, None, 3, 4])],
        [report.Band(), report.Band("mine", "<b>why</b>"), report.Band(), report.Band("other", "x")],
        percent=False,
        seconds=False,
        label="<label>",
    )
    tree = lxml.html.fromstring(f"<div>{chart}</div>")
    [path] = tree.cssselect("path.line")
    assert path.get("d").count("M") == 2 and path.get("d").count("L") == 1
    assert len(tree.cssselect("circle")) == 3
    assert [text(t) for t in tree.cssselect("rect.unhealthy-run title")] == ["<b>why</b>"]
    assert len(tree.cssselect("rect.unhealthy-other")) == 1
    assert "<label>" not in chart and "&lt;label&gt;" in chart
    one = report.line_chart(times[:1], [report.Series("new", [7])], [report.Band()], percent=False, seconds=1, label="")
    assert 'cx="' in one  # a single run: one point, in the middle


def test_the_page_of_a_single_run_renders(tmp_path):
    summary = {
        "started": "2026-11-24T12:00:00Z",
        "durationSeconds": 4.2,
        "providers": {"a": {"provider": "a", "discovered": 0, "coverage": {}}},
        "problems": [],
        "healthy": True,
    }
    (tmp_path / "run-20261124T120000Z.json").write_text(json.dumps(summary), encoding="utf-8")
    built = report.build_report(tmp_path, 96)
    page = report.render(built, datetime(2026, 11, 24, 13, tzinfo=UTC))
    tree = lxml.html.parse(io.StringIO(page)).getroot()
    assert "healthy" in tree.get_element_by_id("latest").get("class")
    assert text(tree.get_element_by_id("range")).startswith("1 run from ")
