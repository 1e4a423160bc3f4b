"""Many workers, one run: `scrapy crawlall` processes sharing a crawl through Redis and PostgreSQL.

Each test starts its own Redis server (``redis-server`` on a free port of
127.0.0.1, nothing kept on disk), so that one test can stop it mid-run and no
test sees another's keys, and gets a PostgreSQL store on a schema of its own.
Each worker runs in a working folder of its own, as on a machine of its own;
the output folder is the one shared folder cluster mode requires
(docs/CLUSTER.md).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from crawler.cluster import RUN_MARKER, Leadership, Run, connect
from crawler.demo.server import SiteServer
from crawler.store import open_store
from tests.crawling import REFERENCE_TIME, REPO, SEAL_KEY_HEX, free_port, front_matters
from tests.real_site import RealSite
from tests.small_site import SmallSite

pytestmark = pytest.mark.e2e

REDIS_SERVER = shutil.which("redis-server")


class RedisServer:
    """A private redis-server for one test: started, stopped (as a failure would), and cleaned up."""

    def __init__(self, folder: Path):
        if REDIS_SERVER is None:
            if os.environ.get("CI") == "true":
                pytest.fail("CI needs redis-server (Debian's redis-server package) for the cluster tests")
            pytest.skip("no redis-server on this machine: the cluster tests need one")
        self.port = free_port()
        folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path / "redis")
    yield server
    server.stop()


class Cluster:
    """Workers of one cluster, each in its own working folder, sharing Redis, the store and the output folder."""

    def __init__(self, tmp: Path, site: SmallSite | RealSite, server: SiteServer, redis_url: str, store_url: str):
        self.tmp, self.site, self.server = tmp, site, server
        self.redis_url, self.store_url = redis_url, store_url
        self.registry = site.registry(tmp / "providers.yaml")
        base = server.base_url
        self.start_urls = site.start_urls(base) if isinstance(site, RealSite) else f"{base}/feed/,{base}/sitemap.xml"
        self.name = f"test-{uuid.uuid4().hex[:8]}"
        self.count = 0

    def command(self, folder: Path, *extra: str, **settings: str) -> list[str]:
        values = {**self.base_settings(folder), **settings}
        command = [sys.executable, "-m", "tests.offline", "crawlall", "-a", f"start_urls={self.start_urls}", *extra]
        for name, value in values.items():
            command += ["-s", f"{name}={value}"]
        return command

    def base_settings(self, folder: Path) -> dict:
        return {
            "PROVIDER_REGISTRY": self.registry,
            "OUTPUT_DIR": self.tmp / "output",  # the shared folder
            "RECORD_STORE": self.store_url,
            "RUN_SUMMARY_DIR": folder / "runs",
            "STATS_FILE": folder / "stats.json",
            "CRAWL_REFERENCE_TIME": REFERENCE_TIME,
            "AUTOTHROTTLE_ENABLED": "False",
            "DOWNLOAD_DELAY": "0",
            "LOOKBACK_DAYS": "0",
            "IMAGES_STORE": "",  # the pages' images are on hosts the tests cannot reach
            "CLUSTER_REDIS_URL": self.redis_url,
            "CLUSTER_NAME": self.name,
            "CLUSTER_PROVIDER_WORKERS": "0",  # one provider here: every worker serves it
        }

    def start(self, *extra: str, **settings: str) -> subprocess.Popen:
        self.count += 1
        folder = self.tmp / f"machine-{self.count}"
        folder.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "CRAWLER_SEAL_KEY": SEAL_KEY_HEX, "PYTHONPATH": str(REPO)}
        return subprocess.Popen(
            self.command(folder, *extra, **settings),
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def article_requests(self) -> Counter:
        return Counter(urlsplit(r).path for r in self.server.requests if r.startswith("/news/"))

    def documents(self) -> dict[str, dict]:
        return front_matters(self.tmp / "output")


def finish(process: subprocess.Popen, timeout: float = 240) -> tuple[int, str]:
    try:
        _, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:  # say what the worker was doing, not only that it did not end
        process.kill()
        _, err = process.communicate()
        raise AssertionError(f"worker still running after {timeout} s; the end of its log:\n{err[-6000:]}") from None
    return process.returncode, err


def slow_down(site: SmallSite, seconds: float) -> None:
    routes = {a.path: {"delay": seconds} for a in site.articles}
    (site.root / "_routes.yaml").write_text(yaml.safe_dump(routes), encoding="utf-8")


@pytest.fixture
def site(tmp_path):
    return SmallSite.create(tmp_path / "site", count=60)


@pytest.fixture(scope="module")
def real_site(tmp_path_factory):
    site = RealSite.create(tmp_path_factory.mktemp("real") / "site", count=300)
    # The sources answer after 2 s (the feed) and 3 s (the sitemap): every worker has started (and
    # waits) before the queue fills, and, as in one process, the feed is read before its articles
    # are parsed (a page dated only by the feed gets that date whichever worker parses it).
    routes_file = site.root / "_routes.yaml"
    routes = yaml.safe_load(routes_file.read_text(encoding="utf-8"))
    feed, sitemap = site.start_urls("").split(",")
    routes.setdefault(feed, {})["delay"] = 2.0
    routes.setdefault(sitemap, {})["delay"] = 3.0
    routes_file.write_text(yaml.safe_dump(routes, allow_unicode=True), encoding="utf-8")
    return site


@pytest.mark.parametrize("workers", [2, 3])
def test_workers_share_one_run_each_page_once(tmp_path, real_site, redis_server, postgres_url, workers):
    """Several hundred real pages: each requested once, one document each, the records a one-process crawl makes."""
    with SiteServer(real_site.root) as server:
        cluster = Cluster(tmp_path, real_site, server, redis_server.url, postgres_url)
        processes = [cluster.start() for _ in range(workers)]
        results = [finish(p) for p in processes]
        assert [code for code, _ in results] == [0] * workers, [err[-2000:] for _, err in results]
        for _, err in results:  # a worker that reads no source has nothing to warn of
            assert "discovery found no article" not in err and "Spider.log() is deprecated" not in err
        requests = real_site.article_requests(server.requests)
        server.requests.clear()
        # The same site, one ordinary process (no Redis), into a store and an output folder of its own.
        single_folder = tmp_path / "single"
        settings = {
            **cluster.base_settings(single_folder),
            "OUTPUT_DIR": single_folder / "output",
            "RECORD_STORE": single_folder / "records.sqlite",
            "CRAWLALL_LOCK": single_folder / "crawlall.lock",
            "CLUSTER_REDIS_URL": "",
        }
        command = [sys.executable, "-m", "tests.offline", "crawlall", "-a", f"start_urls={cluster.start_urls}"]
        for name, value in settings.items():
            command += ["-s", f"{name}={value}"]
        env = {**os.environ, "CRAWLER_SEAL_KEY": SEAL_KEY_HEX, "PYTHONPATH": str(REPO)}
        env.pop("CRAWLER_REDIS_URL", None)
        single = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
        assert single.returncode == 0, single.stderr[-2000:]
    # Each page once; a second request only where a worker retried a failed download (a loaded
    # machine's timeouts), never because two workers took the same page.
    stats = [
        yaml.safe_load((tmp_path / f"machine-{machine}" / "stats.json").read_text())
        for machine in range(1, workers + 1)
    ]
    retried = sum(worker.get("retry/count", 0) for worker in stats)
    assert len(requests) == len(real_site.pages)
    assert sum(requests.values()) - len(requests) <= retried, (requests.most_common(5), retried)
    documents, alone = front_matters(tmp_path / "output"), front_matters(single_folder / "output")
    assert len(list((tmp_path / "output").rglob("*.md"))) == len(documents)  # one document per article
    assert len(documents) > 250 and set(documents) == set(alone)
    for web_url, document in documents.items():
        expected = {k: v for k, v in alone[web_url].items() if k != "secured"}
        assert {k: v for k, v in document.items() if k != "secured"} == expected, web_url
    summaries = list(tmp_path.glob("machine-*/runs/latest.json"))
    assert len(summaries) == 1  # the leader's, for the whole run
    summary = yaml.safe_load(summaries[0].read_text())
    assert summary["workers"] == workers
    assert summary["providers"]["realsite"]["fetched"] == len(real_site.pages)
    taken = [worker.get("scheduler/dequeued/redis", 0) for worker in stats]
    assert sum(taken) >= len(real_site.pages) and sum(1 for n in taken if n) >= 2, taken  # shared, not repeated
    # Every key the run left (its queue and dupefilter included) goes away by itself.
    client = connect(redis_server.url)
    keys = list(client.scan_iter(f"newscrawler:{cluster.name}:*"))
    assert any(key.endswith(b":dupefilter") for key in keys)
    assert {key: client.ttl(key) for key in keys if client.ttl(key) < 0} == {}


def test_an_early_worker_waits_for_the_seeds_and_a_late_one_joins(tmp_path, site, redis_server, postgres_url):
    routes = {a.path: {"delay": 0.5} for a in site.articles}
    routes.update({"/feed/": {"delay": 3.0}, "/sitemap.xml": {"delay": 3.0}})  # the leader seeds slowly
    (site.root / "_routes.yaml").write_text(yaml.safe_dump(routes), encoding="utf-8")
    with SiteServer(site.root) as server:
        cluster = Cluster(tmp_path, site, server, redis_server.url, postgres_url)
        leader = cluster.start(CONCURRENT_REQUESTS_PER_DOMAIN="2")  # 60 pages at 0.5 s, two at a time: 15 s
        early = cluster.start(CONCURRENT_REQUESTS_PER_DOMAIN="2")  # idle until the seeds are in the queue
        deadline = time.monotonic() + 60
        while sum(cluster.article_requests().values()) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)  # the crawl is under way
        late = cluster.start(CONCURRENT_REQUESTS_PER_DOMAIN="2")
        status = [sys.executable, "-m", "scrapy", "cluster", "-s", f"CLUSTER_REDIS_URL={cluster.redis_url}"]
        progress = subprocess.run(
            [*status, "-s", f"CLUSTER_NAME={cluster.name}"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
        )
        results = [finish(leader), finish(early), finish(late)]
        requests = cluster.article_requests()
    assert [code for code, _ in results] == [0, 0, 0], [err[-2000:] for _, err in results]
    assert set(requests.values()) == {1} and len(requests) == len(site.articles)
    assert progress.returncode == 0, progress.stderr
    assert f"cluster {cluster.name}: run " in progress.stdout and "small: " in progress.stdout  # `scrapy cluster`
    leading = [n for n, (_, err) in enumerate(results, 1) if "Leading run" in err]
    assert len(leading) == 1 and leading[0] in (1, 2)  # the first two race for the lock
    for machine in {1, 2, 3} - set(leading):  # the waiting one and the late one both took part
        assert "Joining run" in results[machine - 1][1]
        stats = yaml.safe_load((tmp_path / f"machine-{machine}" / "stats.json").read_text())
        assert stats.get("scheduler/dequeued/redis", 0) > 0, machine


def test_taking_requests_leases_them_in_the_same_step_and_a_dead_takers_go_back(redis_server):
    """A worker takes up to N requests in one round trip, best first, each leased to it as it leaves the
    queue; a seen request is not queued again; when the worker is gone, another takes its leases back."""

    client = connect(redis_server.url)
    one, other = Run(client, "take", "run", "one", timeout=1), Run(client, "take", "run", "other", timeout=1)
    queue, seen = one.key("p", "requests"), one.key("p", "dupefilter")
    for number in range(6):
        assert one.enqueue("p", queue, seen, f"fp{number}", f"request {number}".encode(), -number)
    assert not one.enqueue("p", queue, seen, "fp0", b"request 0 again", 0)  # seen: not queued
    one.heartbeat()
    taken = one.take("p", queue, 4)
    assert [encoded for _, encoded in taken] == [b"request 5", b"request 4", b"request 3", b"request 2"]
    assert client.zcard(queue) == 2 and client.hlen(one.lease_key("p", "one")) == 4
    one.release("p", taken[0][0])
    one.flush_releases()
    assert client.hlen(one.lease_key("p", "one")) == 3
    client.delete(one.key("alive", "one"))  # its heartbeat is gone (a kill)
    assert sorted(other.orphans("p")) == [b"request 2", b"request 3", b"request 4"]
    assert other.orphans("p") == []  # taken back once


def test_what_a_later_source_says_reaches_the_worker_that_parses_the_article(redis_server):
    """The leader reads every source: an article its sitemap listed first and its feed again (with the
    publication date) is parsed by another worker, which gets the feed's date too (through Redis)."""
    from scrapy.http import HtmlResponse
    from scrapy.settings import Settings
    from scrapy.utils.test import get_crawler

    import crawler.settings as project_settings
    from crawler.cluster import LEASE_META, ClusterSpiderMiddleware
    from crawler.discovery.base import Link
    from crawler.extraction.context import Hints
    from crawler.spiderloader import RegistrySpiderLoader

    settings = Settings()
    settings.setmodule(project_settings)
    spider_class = RegistrySpiderLoader.from_settings(settings).load("technode")
    client, run_id = connect(redis_server.url), uuid.uuid4().hex[:8]
    crawlers = {}
    for worker in ("leader", "worker"):
        crawlers[worker] = get_crawler(spider_class, {**settings.copy_to_dict(), "RECORD_STORE": ""})
        crawlers[worker].cluster_run = Run(client, "hints", run_id, worker)
        crawlers[worker].spider = spider_class.from_crawler(crawlers[worker])
    url, published = "https://technode.com/2024/05/03/a-story/", datetime(2024, 5, 3, 8, tzinfo=UTC)
    leader = crawlers["leader"].spider
    request = leader._article_request(Link(url, Hints(source="sitemap")))
    assert leader._article_request(Link(url, Hints(published_at=published, source="feed"))) is None
    assert not leader._later_hints  # not kept in the leader's memory

    request.meta[LEASE_META] = "lease"  # as the worker took it from the queue
    ClusterSpiderMiddleware(crawlers["worker"]).process_spider_input(HtmlResponse(url, body=b"", request=request))
    assert request.cb_kwargs["hints"].published_at == published


def test_a_killed_worker_loses_nothing_by_the_end_of_the_run(tmp_path, site, redis_server, postgres_url):
    slow_down(site, 0.3)
    with SiteServer(site.root) as server:
        cluster = Cluster(tmp_path, site, server, redis_server.url, postgres_url)
        client, deadline = connect(redis_server.url), time.monotonic() + 60
        leader = cluster.start(CLUSTER_WORKER_TIMEOUT="6")
        # The victim is a worker, not the leader: it starts once the leader has named the run.
        while time.monotonic() < deadline and Run.current(client, cluster.name) is None:
            time.sleep(0.02)
        victim = cluster.start(CLUSTER_WORKER_TIMEOUT="6")
        # Killed while it holds requests (its lease hash is named after its process id).
        leases = f"newscrawler:{cluster.name}:*:leases:*-{victim.pid}-*"
        while time.monotonic() < deadline and not any(client.hlen(key) for key in client.scan_iter(leases)):
            time.sleep(0.02)
        victim.send_signal(signal.SIGKILL)
        victim.communicate()
        code, err = finish(leader)
    assert code == 0, err[-3000:]
    documents = cluster.documents()
    assert len(documents) == len(site.articles)
    store = open_store(postgres_url)
    try:
        assert set(store.web_urls()) == set(documents)
    finally:
        store.close()
    assert "Took back" in err  # the dead worker's leases went back in the queue


def test_a_worker_whose_leader_stopped_before_seeding_leaves(tmp_path, site, redis_server, postgres_url):
    """A leader killed before it had queued its sources (its heartbeat gone, its run still the current one): the
    worker that joined does not wait for seeds that will never come. It leaves (exit 0, one warning); the next
    run reads the sources."""
    with SiteServer(site.root) as server:
        cluster = Cluster(tmp_path, site, server, redis_server.url, postgres_url)
        client = connect(redis_server.url)
        # What such a leader leaves: the current run named, no seeds, no heartbeat; the lock is still held
        # (here by the test) as a leader's is until its connection to PostgreSQL ends.
        dead = Run(client, cluster.name, "20261124T120000Z-deadbeef", "gone-leader")
        dead.begin(["small"])
        client.delete(dead.key("alive", dead.worker))  # its heartbeat gone: killed
        (tmp_path / "output").mkdir(parents=True, exist_ok=True)
        (tmp_path / "output" / RUN_MARKER).write_text(dead.id + "\n", encoding="utf-8")
        lock = Leadership(postgres_url, cluster.name)
        try:
            assert lock.take()
            code, err = finish(cluster.start(), timeout=120)
        finally:
            lock.release()
    assert code == 0, err[-3000:]
    assert f"Joining run {dead.id}" in err and "The leader stopped before it had read small's sources" in err


def test_a_second_run_fetches_only_what_changed(tmp_path, site, redis_server, postgres_url):
    with SiteServer(site.root) as server:
        cluster = Cluster(tmp_path, site, server, redis_server.url, postgres_url)
        first = [finish(p) for p in [cluster.start(), cluster.start()]]
        assert [code for code, _ in first] == [0, 0], [err[-2000:] for _, err in first]
        server.requests.clear()
        site.change(site.articles[0], "A new paragraph the editors added.")
        site.add("cluster-newcomer", "A newcomer arrives between two runs")
        second = [finish(p) for p in [cluster.start(), cluster.start()]]
        assert [code for code, _ in second] == [0, 0], [err[-2000:] for _, err in second]
        requests = cluster.article_requests()
    assert sorted(requests) == sorted([site.articles[0].path, "/news/cluster-newcomer/"])


def test_redis_going_away_stops_the_workers_with_one_line_and_exit_69(tmp_path, site, redis_server, postgres_url):
    slow_down(site, 0.3)
    with SiteServer(site.root) as server:
        cluster = Cluster(tmp_path, site, server, redis_server.url, postgres_url)
        workers = [cluster.start(), cluster.start()]
        deadline = time.monotonic() + 60
        while sum(cluster.article_requests().values()) < 6 and time.monotonic() < deadline:
            time.sleep(0.05)
        redis_server.stop()
        results = [finish(p) for p in workers]
    for code, err in results:
        assert code == 69, err[-3000:]
        errors = [line for line in err.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and "Redis" in errors[0], err[-3000:]
        assert "Traceback" not in err
    # Nothing half-written: every document there is whole and its record is stored.
    store = open_store(postgres_url)
    try:
        stored = set(store.web_urls())
    finally:
        store.close()
    documents = cluster.documents()
    assert set(documents) <= stored
    assert not list((tmp_path / "output").rglob("*.tmp*"))


def test_cluster_mode_needs_postgresql_and_the_seal_key(tmp_path, site, redis_server):
    with SiteServer(site.root) as server:
        cluster = Cluster(tmp_path, site, server, redis_server.url, str(tmp_path / "records.sqlite"))
        code, err = finish(cluster.start())
    assert code == 2 and err.strip().splitlines()[-1].startswith("error: cluster mode") and "PostgreSQL" in err


def test_crawlall_workers_runs_several_processes_on_one_machine(tmp_path, site, redis_server, postgres_url):
    slow_down(site, 0.05)
    with SiteServer(site.root) as server:
        cluster = Cluster(tmp_path, site, server, redis_server.url, postgres_url)
        code, err = finish(cluster.start(CRAWLALL_WORKERS="3"))
        requests = cluster.article_requests()
    assert code == 0, err[-3000:]
    assert set(requests.values()) == {1} and len(requests) == len(site.articles)
    summary = yaml.safe_load((tmp_path / "machine-1" / "runs" / "latest.json").read_text())
    assert summary["workers"] == 3, err[-5000:]


def test_one_provider_is_served_by_one_worker_at_a_time_unless_asked(tmp_path, site, redis_server, postgres_url):
    """CLUSTER_PROVIDER_WORKERS=1 (the default): the provider's politeness holds for the cluster, not per worker."""
    slow_down(site, 0.05)
    with SiteServer(site.root) as server:
        cluster = Cluster(tmp_path, site, server, redis_server.url, postgres_url)
        processes = [cluster.start(CLUSTER_PROVIDER_WORKERS="1") for _ in range(2)]
        results = [finish(p) for p in processes]
        requests = cluster.article_requests()
    assert [code for code, _ in results] == [0, 0], [err[-2000:] for _, err in results]
    assert set(requests.values()) == {1} and len(requests) == len(site.articles)
    taken = sorted(
        yaml.safe_load((tmp_path / f"machine-{n}" / "stats.json").read_text()).get("scheduler/dequeued/redis", 0)
        for n in (1, 2)
    )
    assert taken[0] == 0 and taken[1] == len(site.articles) + 2  # one worker held the slot: articles, feed, sitemap


def test_a_worker_whose_image_store_is_not_the_leaders_stops_with_one_line(tmp_path, site, redis_server, postgres_url):
    site.images = False  # the image store is on, and the pages' images would be on a host the tests cannot reach
    site.write()
    slow_down(site, 0.3)
    with SiteServer(site.root) as server:
        cluster = Cluster(tmp_path, site, server, redis_server.url, postgres_url)
        leader = cluster.start(IMAGES_STORE=str(tmp_path / "images"), CONCURRENT_REQUESTS_PER_DOMAIN="2")
        deadline = time.monotonic() + 60
        while not cluster.article_requests() and time.monotonic() < deadline:
            time.sleep(0.05)
        code, err = finish(cluster.start(IMAGES_STORE=str(tmp_path / "machine-2" / "images")))
        assert finish(leader)[0] == 0
    assert code == 2 and err.strip().splitlines()[-1].startswith("error: IMAGES_STORE ")
    assert "not the run's shared folder" in err and "Traceback" not in err
