"""Many workers, one crawl: a run's queue and dupefilter in Redis (scrapy-redis), its leader elected in PostgreSQL.

With ``CLUSTER_REDIS_URL`` (or the ``CRAWLER_REDIS_URL`` environment variable)
and a PostgreSQL record store, every ``scrapy crawlall`` started for the same
registry, on one machine or several, is a *worker* of one *run*
(docs/CLUSTER.md):

- The first to take the cluster's PostgreSQL advisory lock (:func:`leader_lock`) is the
  run's *leader*: it makes the run id, reads the providers' sources (the start
  requests), and after the run's queues have drained runs the story step once,
  writes the run summary and applies the health checks. The lock is a session
  lock: a leader that dies frees it with its connection.
- The others join the leader's current run (waiting for one without blocking
  anything: the reactor has not started) and fetch, extract and store what the
  queues hold.
- Every Redis key of a run starts with ``newscrawler:<cluster>:<run id>:``
  (``CLUSTER_NAME``: workers of one cluster share it), per provider
  where it is the provider's, and expires :data:`RUN_TTL` after the run's last
  write: a new run starts fresh, an old run's keys go away by themselves.
- A request a worker takes from a queue is *leased* to it (kept in the worker's
  lease hash) until its response has been handled: its callback has run and its
  records have been through the pipelines, or its errback has run. A worker whose
  heartbeat key expires (a kill, a crash) has its leases put back in the queue by
  the next worker that is idle, so its requests are done by the end of the run.
- A provider's queue is served by at most ``CLUSTER_PROVIDER_WORKERS`` workers at
  once (slots in Redis, renewed with the heartbeat): the per-provider concurrency
  and delay hold for the whole cluster, not per process.
- A worker leaves a provider's crawl when the leader has seeded it, its queue is
  empty and no live worker holds a lease on it; it waits (Scrapy's idle signal,
  every few seconds) while any of that is not so.

Documents and image files are written by the worker that fetched the article, into
``OUTPUT_DIR`` and ``IMAGES_STORE``, which in cluster mode must be one shared folder
for every worker (checked at the start: the leader writes the run id there, and a
worker that cannot read it there stops with a one-line error). The story step,
which rewrites other workers' documents, runs once, on the leader.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import secrets
import socket
import time
import warnings
from collections import deque
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import suppress
from datetime import datetime
from pathlib import Path
from typing import Any

from scrapy import Request, signals
from scrapy.exceptions import CloseSpider, DontCloseSpider
from twisted.internet import task

from crawler.extraction.urls import clean_url

logger = logging.getLogger(__name__)

REDIS_ENV_VAR = "CRAWLER_REDIS_URL"
PREFIX = "newscrawler"
RUN_TTL = 7 * 24 * 3600  # seconds a run's keys live after its last write
HEARTBEAT_SECONDS = 2.0
IDLE_RECHECK_FIRST = 0.1  # seconds: how soon a worker waiting for the run's last leases looks again, at first
RUN_MARKER = ".cluster-run"  # in each shared folder: the leader's run id, read by every worker
CLUSTER_ERROR_STAT = "cluster/error"  # the stat that says why a worker stopped: Redis went away
LEASE_META = "cluster_lease"
TAKE_AT_ONCE = 4  # requests a worker takes from the queue in one round trip, at most (and no more than it has room for)


class ClusterError(RuntimeError):
    """Redis or the leader's lock cannot be used: one line for the operator."""


def redis_url(settings: Any) -> str:
    """The cluster's Redis URL: ``CLUSTER_REDIS_URL``, else ``$CRAWLER_REDIS_URL``; "" when not in cluster mode."""
    return settings.get("CLUSTER_REDIS_URL") or os.environ.get(REDIS_ENV_VAR, "")


def connect(url: str):
    """A Redis client that fails fast (5 s) instead of hanging a worker on a server that went away."""
    import redis

    client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5, decode_responses=False)
    try:
        client.ping()
    except redis.RedisError as error:
        raise ClusterError(f"Redis at {_safe(url)} cannot be used: {error}") from None
    return client


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        host = parts.hostname + (f":{parts.port}" if parts.port else "")
        parts = parts._replace(netloc=f"{parts.username or ''}:***@{host}")
    return urlunsplit(parts)


def worker_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


def leader_lock(name: str) -> int:
    """The PostgreSQL advisory lock key of a cluster's leader (a signed 64-bit number from its name)."""
    return int.from_bytes(hashlib.sha256(f"{PREFIX}:{name}".encode()).digest()[:8], "big", signed=True)


class Run:
    """One run's keys and bookkeeping in Redis (``newscrawler:<cluster>:<run id>:…``)."""

    def __init__(self, client, cluster: str, run_id: str, worker: str, timeout: int = 30):
        self.redis, self.cluster, self.id, self.worker = client, cluster, run_id, worker
        self.timeout = timeout  # seconds without a heartbeat after which a worker is taken for dead
        self._scripts: dict[str, Any] = {}
        self._releases: dict[str, list[str]] = {}  # provider -> leases ended, not yet deleted in Redis

    def _script(self, source: str):
        """A Lua script on this client (EVALSHA, loaded on first use): one round trip, and atomic."""
        if source not in self._scripts:
            self._scripts[source] = self.redis.register_script(source)
        return self._scripts[source]

    def key(self, *parts: str) -> str:
        return ":".join((PREFIX, self.cluster, self.id, *parts))

    def queue_key(self) -> str:
        """scrapy-redis's ``SCHEDULER_QUEUE_KEY`` (it fills in the spider, i.e. the provider)."""
        return self.key("%(spider)s", "requests")

    def dupefilter_key(self) -> str:
        return self.key("%(spider)s", "dupefilter")

    def _touch(self, *keys: str) -> None:
        pipe = self.redis.pipeline()
        for key in keys:
            pipe.expire(key, RUN_TTL)
        pipe.execute()

    # --- the run ---------------------------------------------------------------------------

    @staticmethod
    def current_key(cluster: str) -> str:
        return f"{PREFIX}:{cluster}:current"

    @staticmethod
    def current(client, cluster: str) -> str | None:
        """The run a leader of this cluster is running now (None when there is none)."""
        value = client.get(Run.current_key(cluster))
        return value.decode() if value else None

    def begin(self, keys: Iterable[str]) -> None:
        """The leader's first step: this run is the current one, for these providers."""
        pipe = self.redis.pipeline()
        pipe.delete(self.key("providers"))
        for key in keys:
            pipe.sadd(self.key("providers"), key)
        pipe.set(Run.current_key(self.cluster), self.id, ex=RUN_TTL)
        pipe.set(self.key("leader"), self.worker, ex=RUN_TTL)
        pipe.set(self.key("alive", self.worker), "1", ex=self.timeout)  # alive from the start: see leader_gone
        pipe.execute()
        self._touch(self.key("providers"))

    def leader_gone(self) -> bool:
        """Whether the run's leader has stopped (its heartbeat expired): it will seed nothing more."""
        leader = self.redis.get(self.key("leader"))
        return leader is not None and leader.decode() != self.worker and not self.alive(leader.decode())

    def providers(self) -> set[str]:
        return {value.decode() for value in self.redis.smembers(self.key("providers"))}

    def finish(self) -> None:
        """The leader's last step: no current run (unless another leader has started one since)."""
        with suppress(Exception):
            if Run.current(self.redis, self.cluster) == self.id:
                self.redis.delete(Run.current_key(self.cluster))

    # --- workers -----------------------------------------------------------------------------

    def heartbeat(self) -> None:
        pipe = self.redis.pipeline()
        pipe.sadd(self.key("workers"), self.worker)
        pipe.set(self.key("alive", self.worker), "1", ex=self.timeout)
        pipe.expire(self.key("workers"), RUN_TTL)
        pipe.execute()

    def leave(self) -> None:
        with suppress(Exception):
            self.redis.delete(self.key("alive", self.worker))

    def workers(self) -> set[str]:
        return {value.decode() for value in self.redis.smembers(self.key("workers"))}

    def alive(self, worker: str) -> bool:
        return bool(self.redis.exists(self.key("alive", worker)))

    # --- a provider's crawl -------------------------------------------------------------------

    def seeded(self, provider: str) -> None:
        self.redis.set(self.key(provider, "seeded"), "1", ex=RUN_TTL)

    def is_seeded(self, provider: str) -> bool:
        return bool(self.redis.exists(self.key(provider, "seeded")))

    def lease_key(self, provider: str, worker: str) -> str:
        return self.key(provider, "leases", worker)

    # KEYS: dupefilter, queue, hints list; ARGV: fingerprint, request, score, filtered (1/0), hints, TTL.
    # scrapy-redis's dupefilter and priority queue (their keys, fingerprints and encoding), in one
    # step: a request seen before is not queued, and what its source said is kept as a hint.
    _ENQUEUE = """
    if ARGV[4] == '1' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then
        if ARGV[5] ~= '' then
            redis.call('RPUSH', KEYS[3], ARGV[5])
            redis.call('EXPIRE', KEYS[3], ARGV[6])
        end
        return 0
    end
    redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
    redis.call('EXPIRE', KEYS[1], ARGV[6])
    redis.call('EXPIRE', KEYS[2], ARGV[6])
    return 1
    """

    def enqueue(
        self,
        provider: str,
        queue: str,
        dupefilter: str,
        fingerprint: str,
        encoded: bytes,
        score: float,
        *,
        filtered: bool = True,
        url: str = "",
        hints: Any = None,
    ) -> bool:
        """Queue an encoded request unless ``filtered`` and its fingerprint was seen; else keep its ``hints``
        (for the worker that parses ``url``). True when it was queued."""
        keys = [dupefilter, queue, self.hints_key(provider, url)]
        data = pickle.dumps(hints) if hints is not None else b""
        arguments = [fingerprint, encoded, score, "1" if filtered else "0", data, RUN_TTL]
        return bool(self._script(self._ENQUEUE)(keys=keys, args=arguments))

    # KEYS: queue, this worker's leases; ARGV: how many, lease id prefix, TTL. The requests with the
    # best scores, moved into the lease hash (as <prefix>-1, -2, …) in the same step: no worker can
    # die holding a request nobody knows of.
    _TAKE = """
    local taken = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
    if #taken == 0 then
        return taken
    end
    redis.call('ZREMRANGEBYRANK', KEYS[1], 0, #taken - 1)
    for number, request in ipairs(taken) do
        redis.call('HSET', KEYS[2], ARGV[2] .. '-' .. number, request)
    end
    redis.call('EXPIRE', KEYS[2], ARGV[3])
    return taken
    """

    def take(self, provider: str, queue: str, count: int = 1) -> list[tuple[str, bytes]]:
        """Take up to ``count`` requests of a provider's queue, leased to this worker: (lease id, encoded) each."""
        prefix = secrets.token_hex(8)
        keys = [queue, self.lease_key(provider, self.worker)]
        taken = self._script(self._TAKE)(keys=keys, args=[count, prefix, RUN_TTL])
        return [(f"{prefix}-{number}", encoded) for number, encoded in enumerate(taken, 1)]

    def release(self, provider: str, request_id: str) -> None:
        """A leased request is done with: deleted in Redis with the others ended meanwhile (:meth:`flush_releases`)."""
        self._releases.setdefault(provider, []).append(request_id)

    def flush_releases(self) -> None:
        """Delete the ended leases in Redis: one command per provider, not one per request."""
        releases, self._releases = self._releases, {}
        for provider, leases in releases.items():
            try:
                self.redis.hdel(self.lease_key(provider, self.worker), *leases)
            except Exception:
                self._releases.setdefault(provider, []).extend(leases)  # tried again next time
                raise

    def leases(self, provider: str) -> int:
        """How many requests of this provider live workers hold."""
        self.flush_releases()
        return sum(self.redis.hlen(self.lease_key(provider, worker)) for worker in self.workers() if self.alive(worker))

    def orphans(self, provider: str) -> list[bytes]:
        """Take the leases of dead workers on this provider (each taken once, by one worker)."""
        taken: list[bytes] = []
        for worker in self.workers():
            if worker == self.worker or self.alive(worker):
                continue
            source = self.lease_key(provider, worker)
            claimed = f"{source}:claimed-by:{self.worker}"
            try:
                self.redis.rename(source, claimed)  # atomic: one claimer wins, the others find nothing
            except Exception:
                continue
            taken += list(self.redis.hvals(claimed))
            self.redis.delete(claimed)
        return taken

    def take_slot(self, provider: str, slots: int) -> bool:
        """Whether this worker may serve the provider's queue now (one of its ``slots``; 0: no limit)."""
        if slots <= 0:
            return True
        for number in range(slots):
            key = self.key(provider, "slot", str(number))
            if self.redis.set(key, self.worker, nx=True, ex=self.timeout):
                return True
            holder = self.redis.get(key)
            if holder and holder.decode() == self.worker:
                self.redis.expire(key, self.timeout)
                return True
        return False

    def free_slots(self, provider: str, slots: int) -> None:
        for number in range(slots):
            key = self.key(provider, "slot", str(number))
            holder = self.redis.get(key)
            if holder and holder.decode() == self.worker:
                self.redis.delete(key)

    # --- hints of sources read by other workers -------------------------------------------------

    def hints_key(self, provider: str, url: str) -> str:
        return self.key(provider, "hints", hashlib.sha256(url.encode()).hexdigest()[:32])

    def add_hints(self, provider: str, url: str, hints: Any) -> None:
        """What a source said of an article queued already (merged by the worker that parses it)."""
        key = self.hints_key(provider, url)
        pipe = self.redis.pipeline()
        pipe.rpush(key, pickle.dumps(hints))
        pipe.expire(key, RUN_TTL)
        pipe.execute()

    def take_hints(self, provider: str, url: str) -> list[Any]:
        key = self.hints_key(provider, url)
        pipe = self.redis.pipeline()
        pipe.lrange(key, 0, -1)
        pipe.delete(key)
        found, _ = pipe.execute()
        return [pickle.loads(data) for data in found]

    # --- stats ----------------------------------------------------------------------------------

    def put_stats(self, provider: str, stats: dict) -> None:
        key = self.key(provider, "stats")
        self.redis.hset(key, self.worker, json.dumps(stats, default=str))
        self.redis.expire(key, RUN_TTL)

    def stats(self, provider: str) -> dict[str, dict]:
        return {w.decode(): json.loads(v) for w, v in self.redis.hgetall(self.key(provider, "stats")).items()}


def redis_errors() -> tuple[type[BaseException], ...]:
    """The errors of the Redis client (imported only when cluster mode is used)."""
    import redis

    return (redis.RedisError,)


def status(client, name: str) -> list[str]:
    """What ``scrapy cluster`` prints: the current run, its workers, and each provider's queue and leases."""
    run_id = Run.current(client, name)
    if run_id is None:
        return [f"cluster {name}: no run under way"]
    run = Run(client, name, run_id, worker="")
    workers = sorted(run.workers())
    alive = [w for w in workers if run.alive(w)]
    lines = [f"cluster {name}: run {run_id}; workers {len(alive)} alive of {len(workers)}: {', '.join(alive)}"]
    for provider in sorted(run.providers()):
        queued = client.zcard(run.key(provider, "requests"))
        leased = sum(client.hlen(run.lease_key(provider, w)) for w in workers)
        seeded = "seeded" if run.is_seeded(provider) else "seeding"
        lines.append(f"  {provider}: {queued} queued, {leased} leased, {seeded}")
    return lines


def merged_stats(own: dict, others: Iterable[dict]) -> dict:
    """A provider's stats over the run: counters summed over the workers, the rest as the leader has them."""
    merged = dict(own)
    for stats in others:
        for name, value in stats.items():
            if isinstance(value, int | float) and not isinstance(value, bool) and name not in _NOT_SUMMED:
                base = merged.get(name, 0)
                merged[name] = (base if isinstance(base, int | float) else 0) + value
            else:
                merged.setdefault(name, value)
    return merged


_NOT_SUMMED = {"elapsed_time_seconds", "memusage/max", "memusage/startup", "log_count/INFO"}


# --- the role of this process in the run -------------------------------------------------------


class Leadership:
    """The PostgreSQL session lock that makes a process its run's leader (held until released or its death)."""

    def __init__(self, store_url: str, cluster: str):
        import psycopg

        self.key = leader_lock(cluster)
        try:
            self.connection = psycopg.connect(store_url, autocommit=True, connect_timeout=10)
        except psycopg.Error as error:
            raise ClusterError(f"the leader's lock (PostgreSQL) cannot be used: {error}".strip()) from None

    def take(self) -> bool:
        return bool(self.connection.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()[0])

    def release(self) -> None:
        with suppress(Exception):
            self.connection.execute("SELECT pg_advisory_unlock(%s)", (self.key,))
        with suppress(Exception):
            self.connection.close()


def join(
    client, cluster: str, leadership: Leadership, timeout: float, started: datetime, worker_timeout: int = 30
) -> tuple[Run, bool]:
    """This process's run and whether it leads it: lead a new run when the lock is free, else join
    the current run (waiting up to ``timeout`` seconds for its leader to say which it is)."""
    worker = worker_name()
    deadline = time.monotonic() + timeout
    while True:
        if leadership.take():
            run_id = f"{started:%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"
            return Run(client, cluster, run_id, worker, worker_timeout), True
        current = Run.current(client, cluster)
        if current:
            return Run(client, cluster, current, worker, worker_timeout), False
        if time.monotonic() >= deadline:
            raise ClusterError(f"no run to join: a leader holds the lock but named no run within {timeout:g} s")
        time.sleep(0.2)


def shared_folders(settings: Any) -> dict[str, Path]:
    """The folders every worker of a run must share: the documents' and, when images are stored, theirs."""
    names = ("OUTPUT_DIR", "IMAGES_STORE")
    return {name: Path(settings.get(name)) for name in names if settings.get(name)}


def mark_output(folders: dict[str, Path], run: Run) -> None:
    """The leader: say in each shared folder which run writes there."""
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
        (folder / RUN_MARKER).write_text(run.id + "\n", encoding="utf-8")


def check_output(folders: dict[str, Path], run: Run, timeout: float = 5.0) -> None:
    """A worker: each shared folder must be the leader's (one folder for every worker, say over NFS)."""
    deadline = time.monotonic() + timeout
    for name, folder in folders.items():
        marker = folder / RUN_MARKER
        while True:
            with suppress(OSError):
                if marker.read_text(encoding="utf-8").strip() == run.id:
                    break
            if time.monotonic() >= deadline:
                raise ClusterError(
                    f"{name} {folder} is not the run's shared folder (it lacks the leader's {RUN_MARKER}):"
                    " in cluster mode every worker must write to the same folder (docs/CLUSTER.md)"
                )
            time.sleep(0.2)


# --- the Scrapy side: scheduler, spider middleware, extension ------------------------------------

# Sent by the spiders' errbacks (``request=``): a request whose download failed has been handled.
request_handled = object()


def run_of(crawler) -> Run | None:
    return getattr(crawler, "cluster_run", None)


class ClusterScheduler:
    """scrapy-redis's scheduler (the run's shared queue and dupefilter), with leases and provider slots.

    Built only in cluster mode (``crawlall`` sets ``SCHEDULER`` to this class and
    gives the crawler its :class:`Run`). A Redis error stops this worker's crawl with
    the ``cluster/error`` stat: ``crawlall`` says so in one line and exits 69.
    """

    def __init__(self, crawler, inner):
        self.crawler, self.inner = crawler, inner
        self.run: Run = run_of(crawler)
        self.slots = crawler.settings.getint("CLUSTER_PROVIDER_WORKERS")
        settings = crawler.settings
        self.room = max(
            1, min(settings.getint("CONCURRENT_REQUESTS"), 2 * settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"))
        )
        self.failed = False
        self._taken: deque[tuple[str, bytes]] = deque()  # leased to this worker, not yet given to the engine

    @classmethod
    def from_crawler(cls, crawler):
        import redis
        from scrapy_redis.scheduler import Scheduler

        try:
            inner = Scheduler.from_crawler(crawler)
        except redis.RedisError as error:  # Redis went away before this crawl opened
            scheduler = cls(crawler, None)
            scheduler.stop(error)
            return scheduler
        inner.stats = None  # counted here: scrapy-redis 0.9.1 passes spider= to the stats, deprecated in Scrapy 2.19
        return cls(crawler, inner)

    def open(self, spider):
        def open_inner():
            with warnings.catch_warnings():  # scrapy-redis 0.9.1 says "Resuming crawl" through Spider.log()
                warnings.filterwarnings("ignore", message=r"Spider\.log\(\) is deprecated")
                return self.inner.open(spider)

        return self._guard(open_inner)

    def close(self, reason):
        # The queue and dupefilter are the run's, shared: never flushed here (they expire with the run).
        provider = self.crawler.spider.name
        with suppress(Exception):
            self.run.free_slots(provider, self.slots)
        with suppress(Exception):  # else another worker takes them back once this one's heartbeat is gone
            taken, self._taken = list(self._taken), deque()
            self.requeue(encoded for _, encoded in taken)  # taken, never given to the engine (a stop)
            for lease, _ in taken:
                self.run.release(provider, lease)
            self.run.flush_releases()

    def has_pending_requests(self) -> bool:
        if self._taken:
            return True
        return bool(self._guard(lambda: self.run.take_slot(self.crawler.spider.name, self.slots) and len(self.inner)))

    def enqueue_request(self, request: Request) -> bool:
        queued = bool(self._guard(lambda: self._enqueue(request)))
        if queued:
            self.crawler.stats.inc_value("scheduler/enqueued/redis")
        elif not self.failed:
            self.inner.df.log(request, self.crawler.spider)
        return queued

    def _enqueue(self, request: Request, *, filtered: bool | None = None) -> bool:
        # An article another source (perhaps read by another worker) queued first: what this
        # source says of it is kept for the worker that parses it, as one process merges it.
        hints = request.cb_kwargs.get("hints")
        return self.run.enqueue(
            self.crawler.spider.name,
            self.inner.queue.key,
            self.inner.df.key,
            self.inner.df.request_fingerprint(request),
            self.inner.queue._encode_request(request),
            -request.priority,
            filtered=not request.dont_filter if filtered is None else filtered,
            url=clean_url(request.url) if hints is not None else "",
            hints=hints,
        )

    def next_request(self) -> Request | None:
        return self._guard(self._next)

    def _next(self) -> Request | None:
        provider = self.crawler.spider.name
        if not self._taken:
            # Take no more than this worker can download and parse soon: a request waiting in one
            # worker (its downloader, or its scraper's queue when parsing is the slower part) is one
            # another worker (a late one, an idle one) cannot have. Up to TAKE_AT_ONCE of them in one
            # round trip: the engine asks for one at a time.
            room = self.room - self._held()
            if room <= 0 or not self.run.take_slot(provider, self.slots):
                return None
            self._taken.extend(self.run.take(provider, self.inner.queue.key, min(room, TAKE_AT_ONCE)))
            if not self._taken:
                return None
        lease, encoded = self._taken.popleft()
        request = self.inner.queue._decode_request(encoded)
        request.meta[LEASE_META] = lease
        self.crawler.stats.inc_value("scheduler/dequeued/redis")
        return request

    def _held(self) -> int:
        """Requests this worker has taken and not yet parsed: downloading, or downloaded and waiting to be parsed."""
        engine = self.crawler.engine
        scraper = getattr(getattr(engine, "scraper", None), "slot", None)
        return len(engine.downloader.active) + (len(scraper.active) if scraper is not None else 0)

    def requeue(self, encoded: Iterable[bytes]) -> int:
        """Put requests taken from dead workers back in the queue (not filtered: they were seen already)."""
        count = 0
        for data in encoded:
            request = self.inner.queue._decode_request(data)
            request.meta.pop(LEASE_META, None)
            self._enqueue(request, filtered=False)
            count += 1
        return count

    def _guard(self, action):
        import redis

        if self.failed:
            return None
        try:
            return action()
        except redis.RedisError as error:
            self.stop(error)
            return None

    def stop(self, error: Exception) -> None:
        """Redis went away: stop this worker's crawl, once, with the stat ``crawlall`` reports."""
        if self.failed:
            return
        self.failed = True
        message = f"Redis went away: {error}"
        logger.error("Worker stops: %s", message)
        self.crawler.stats.set_value(CLUSTER_ERROR_STAT, message)
        from scrapy.utils.defer import deferred_from_coro
        from twisted.internet import reactor

        def close():
            if self.crawler.engine is not None and self.crawler.engine.spider is not None:
                deferred_from_coro(self.crawler.engine.close_spider_async(reason="cluster_error")).addErrback(
                    lambda failure: None  # closing already, or not open yet: the idle rule closes it
                )

        reactor.callLater(0, close)


class ClusterSpiderMiddleware:
    """Seeding (the leader only) and the release of each leased request once it has been handled."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.run: Run | None = run_of(crawler)
        self.leader = crawler.settings.getbool("CLUSTER_LEADER")
        self._items: dict[str, int] = {}  # lease -> its records not yet through the pipelines
        self._waiting: set[str] = set()  # leases whose callback has ended, waiting for their records
        self._held: dict[int, str] = {}  # id of a record the write pipeline holds in a batch -> its lease
        self._settled: set[int] = set()  # records whose batch was done with before they left the pipelines
        self._flushing = False  # a flush of ended leases is scheduled
        if self.run is not None:
            from crawler.pipelines import record_settled

            crawler.signals.connect(self._scraped, signal=signals.item_scraped)
            for signal in (signals.item_dropped, signals.item_error):
                crawler.signals.connect(self._item_done, signal=signal)
            crawler.signals.connect(self._record_settled, signal=record_settled)
            crawler.signals.connect(self._request_done, signal=request_handled)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_start(self, start: AsyncIterator) -> AsyncIterator:
        if self.run is None:
            async for item in start:
                yield item
            return
        if not self.leader:
            # Workers do not read the sources (the leader's requests are in the queue), but they
            # prepare as the spider's start would (the look-back window, the incremental check).
            prepare = getattr(self.crawler.spider, "prepare", None)
            if prepare is not None:
                prepare()
            return
        async for item in start:
            yield item
        self.run.seeded(self.crawler.spider.name)

    def process_spider_output(self, response, result, spider=None) -> Iterator:
        lease = response.request.meta.get(LEASE_META) if self.run is not None else None
        if lease is None:
            yield from result
            return
        for output in result:
            self._count(lease, output)
            yield output
        self._ended(lease)

    async def process_spider_output_async(self, response, result, spider=None) -> AsyncIterator:
        lease = response.request.meta.get(LEASE_META) if self.run is not None else None
        if lease is None:
            async for output in result:
                yield output
            return
        async for output in result:
            self._count(lease, output)
            yield output
        self._ended(lease)

    def process_spider_input(self, response, spider=None) -> None:
        request = response.request
        if self.run is None or LEASE_META not in request.meta or request.cb_kwargs.get("hints") is None:
            return
        import redis

        requested = request.meta.get("redirect_urls", [request.url])[0]
        with suppress(redis.RedisError):  # the scheduler notices and stops the worker
            for later in self.run.take_hints(self.crawler.spider.name, clean_url(requested)):
                request.cb_kwargs["hints"] = request.cb_kwargs["hints"].merge(later)

    def process_spider_exception(self, response, exception, spider=None):
        lease = response.request.meta.get(LEASE_META) if self.run is not None else None
        if lease is not None:
            self._items.pop(lease, None)
            self._release(lease)

    def _count(self, lease: str, output: Any) -> None:
        if not isinstance(output, Request):
            self._items[lease] = self._items.get(lease, 0) + 1

    def _ended(self, lease: str) -> None:
        """The callback has yielded everything: released now, or when its last record is through."""
        if self._items.get(lease, 0) <= 0:
            self._items.pop(lease, None)
            self._release(lease)
        else:
            self._waiting.add(lease)

    def _scraped(self, item=None, response=None, spider=None, **kwargs) -> None:
        """A record has left the pipelines: done once its batch is stored (the write pipeline says when)."""
        lease = response.request.meta.get(LEASE_META) if response is not None else None
        if lease is None or lease not in self._items:
            return
        if self._stored_later(item):
            self._held[id(item)] = lease
        else:
            self._item_done(item, response)

    def _stored_later(self, item: Any) -> bool:
        from crawler.record import Record

        if not isinstance(item, Record) or not self.crawler.settings.get("OUTPUT_DIR"):
            return False  # no write pipeline: nothing holds it
        if id(item) in self._settled:
            self._settled.discard(id(item))
            return False
        return True

    def _record_settled(self, record=None, **kwargs) -> None:
        lease = self._held.pop(id(record), None)
        if lease is None:
            self._settled.add(id(record))  # it has not left the pipelines yet (its batch was stored on its way)
            return
        self._count_down(lease)

    def _item_done(self, item=None, response=None, spider=None, **kwargs) -> None:
        self._settled.discard(id(item))  # a record dropped after its batch was done with
        lease = response.request.meta.get(LEASE_META) if response is not None else None
        if lease is None or lease not in self._items:
            return
        self._count_down(lease)

    def _count_down(self, lease: str) -> None:
        if lease not in self._items:
            return
        self._items[lease] -= 1
        if self._items[lease] <= 0 and lease in self._waiting:
            del self._items[lease]
            self._waiting.discard(lease)
            self._release(lease)

    def _request_done(self, request=None, **kwargs) -> None:
        lease = request.meta.get(LEASE_META) if request is not None else None
        if lease is not None:
            self._release(lease)

    def _release(self, lease: str) -> None:
        self.run.release(self.crawler.spider.name, lease)
        if not self._flushing:  # the leases a batch of records ends go in one command, once the batch is done
            from twisted.internet import reactor

            self._flushing = True
            reactor.callLater(0, self._flush_releases)

    def _flush_releases(self) -> None:
        import redis

        self._flushing = False
        with suppress(redis.RedisError):  # the scheduler notices and stops the worker
            self.run.flush_releases()
        # The engine looks again now rather than at its next heartbeat (5 s): with these leases gone
        # the worker may be done, or may take the next request.
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None:
            slot.nextcall.schedule()


class ClusterExtension:
    """The heartbeat, and the idle rule: stay while the run may still give this provider work."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.run: Run = run_of(crawler)
        self.beat = task.LoopingCall(self._beat)
        self._recheck = IDLE_RECHECK_FIRST  # seconds until a waiting worker looks at the run again
        self._orphaned = False  # the leader stopped before seeding (said once)
        self._taken_before = -1  # requests taken when it last found itself idle
        crawler.signals.connect(self._opened, signal=signals.spider_opened)
        crawler.signals.connect(self._idle, signal=signals.spider_idle)
        crawler.signals.connect(self._closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        if run_of(crawler) is None:
            from scrapy.exceptions import NotConfigured

            raise NotConfigured
        return cls(crawler)

    def _opened(self, spider) -> None:
        self._beat()
        self.beat.start(HEARTBEAT_SECONDS, now=False)

    def _beat(self) -> None:
        import redis

        with suppress(redis.RedisError):  # the scheduler's next call says it, once
            self.run.heartbeat()
        self._wake()  # a waiting worker looks at the run again with each heartbeat, not only at the engine's (5 s)

    def _idle(self, spider) -> None:
        import redis

        scheduler = self.crawler.engine._slot.scheduler
        if getattr(scheduler, "failed", False):
            raise CloseSpider("cluster_error")
        provider = spider.name
        try:
            orphans = self.run.orphans(provider)
            if orphans:
                count = scheduler.requeue(orphans)
                logger.warning("Took back %d requests of %s from a worker that stopped", count, provider)
                self.crawler.stats.inc_value("cluster/requeued", count)
                raise DontCloseSpider
            seeded = self.run.is_seeded(provider)
            if not seeded and self.run.leader_gone():
                # A leader killed while it read the sources: wait no longer for seeds that will not come.
                # What it had queued is crawled; the next run reads the sources again.
                if not self._orphaned:
                    logger.warning(
                        "The leader stopped before it had read %s's sources: leaving when its queue is done", provider
                    )
                    self._orphaned = True
                    self.crawler.stats.set_value("cluster/leader_lost", 1)
                seeded = True
            if not seeded or len(scheduler.inner) or self.run.leases(provider):
                self._look_again()
                raise DontCloseSpider
        except redis.RedisError as error:
            scheduler.stop(error)

    def _look_again(self) -> None:
        """Look at the run again soon: at the end of a run the last leases end within a moment, and a worker
        that waited for its heartbeat (2 s) to notice would hold the run up. From 0.1 s, doubling while
        nothing changes, up to the heartbeat; back to 0.1 s once it has taken work again."""
        taken = self.crawler.stats.get_value("scheduler/dequeued/redis", 0)
        if taken != self._taken_before:
            self._taken_before, self._recheck = taken, IDLE_RECHECK_FIRST
        else:
            self._recheck = min(2 * self._recheck, HEARTBEAT_SECONDS)
        from twisted.internet import reactor

        reactor.callLater(self._recheck, self._wake)

    def _wake(self) -> None:
        """Have the engine look at its scheduler (and so at the idle rule) now, if the crawl is still open."""
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None and not slot.closing:
            slot.nextcall.schedule()

    def _closed(self, spider, reason) -> None:
        import redis

        if self.beat.running:
            self.beat.stop()
        with suppress(redis.RedisError):
            self.run.flush_releases()
            self.run.put_stats(spider.name, self.crawler.stats.get_stats())
