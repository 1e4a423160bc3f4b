"""Scrapy settings for the news crawler.

Project settings (upper-case, prefixed by what they configure) are documented
where they are defined; override any of them with ``-s NAME=value``.
"""

import os
from importlib.resources import files

BOT_NAME = "newscrawler"
SPIDER_MODULES = ["crawler.spiders"]
SPIDER_LOADER_CLASS = "crawler.spiderloader.RegistrySpiderLoader"  # one spider per registry entry
COMMANDS_MODULE = "crawler.commands"  # scrapy providers
NEWSPIDER_MODULE = "crawler.spiders"

# --- Politeness -----------------------------------------------------------
# An honest User-Agent that names the project, so site operators know who calls.
USER_AGENT = "newscrawler/0.1 (open news crawler; polite; obeys robots.txt)"
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.25
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024  # an article page larger than this is not an article page
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
RETRY_ENABLED = True
# Retries (on 5xx, 408, 429 and timeouts: Scrapy's RETRY_HTTP_CODES and RETRY_EXCEPTIONS) wait
# before they go (crawler/middlewares/retry.py). Retry n waits RETRY_BACKOFF_BASE × 2^(n-1) s,
# capped at RETRY_BACKOFF_MAX, plus 0-50 % jitter (never less): with 5 retries the nominal
# waits are 1 + 2 + 4 + 8 + 16 = 31 s (at most 46.5 s with jitter), so an outage of up to
# half a minute is outlasted within the run. A server's Retry-After is honoured when it is
# longer; one above RETRY_AFTER_MAX gives the request up at once (counted as failed).
RETRY_TIMES = 5
RETRY_BACKOFF_BASE = 1.0  # seconds, before the first retry
RETRY_BACKOFF_MAX = 30.0  # seconds, the longest nominal backoff wait
RETRY_AFTER_MAX = 120.0  # seconds; a longer Retry-After is not waited for
COOKIES_ENABLED = False
DOWNLOADER_MIDDLEWARES = {
    # Retries wait: Retry-After, else exponential backoff with jitter (crawler/middlewares/retry.py).
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.retry.BackoffRetryMiddleware": 550,
    # Before RedirectMiddleware (600) sees a 3xx: a loop or an off-site redirect fails the page loudly.
    "crawler.middlewares.redirects.RedirectGuardMiddleware": 650,
    # Last before the download: no request reaches a loopback, private, link-local or reserved
    # address unless its origin is one the operator named (crawler/middlewares/addresses.py).
    "crawler.middlewares.addresses.AddressGuardMiddleware": 990,
}
# scheme://host[:port] origins that may be on a private address (a mirror, an internal image server),
# besides the start URLs' origins and the registry's domains; -s FETCH_ALLOWED_ORIGINS=http://10.0.0.5:8080,…
FETCH_ALLOWED_ORIGINS: list[str] = []

# --- No network endpoints --------------------------------------------------
# A crawl listens on nothing: Scrapy's telnet console and its RemoteControl HTTP
# endpoint (which runs Python inside the crawler and writes a token file outside
# the project) stay off unless an operator turns them on deliberately.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# --- Output ---------------------------------------------------------------
ITEM_PIPELINES = {
    "crawler.pipelines.NormalizePipeline": 100,
    "crawler.pipelines.ValidatePipeline": 200,
    "crawler.pipelines.DedupePipeline": 300,
    "crawler.images.ImageStorePipeline": 350,  # after de-duplication, before scoring reads the real sizes
    "crawler.pipelines.ScorePipeline": 400,
    "crawler.pipelines.SealPipeline": 500,
    "crawler.pipelines.WriteDocumentPipeline": 600,
}
# Stories before the stats file, so that its counts are in it (spider_closed runs in this order).
EXTENSIONS = {
    "crawler.extensions.Stories": 400,
    "crawler.extensions.StatsFile": 500,
    "crawler.cluster.ClusterExtension": 600,  # only in cluster mode: heartbeat, waiting for the run's work
    "crawler.progress.Progress": 700,  # a live progress line per provider when stderr is a terminal
}
# Only in cluster mode: the leader seeds, each leased request is released once handled (crawler/cluster.py).
SPIDER_MIDDLEWARES = {"crawler.cluster.ClusterSpiderMiddleware": 10}
STATS_FILE = ""  # when set, the crawl's final stats are written there as JSON
# `scrapy check <provider>` (-a demo=1: on the demo site): the article callback's contracts, two of them ours.
SPIDER_CONTRACTS = {"crawler.contracts.SampleArticleContract": 10, "crawler.contracts.FillsContract": 10}
LOG_FORMATTER = "crawler.logformatter.LogFormatter"
LOG_LEVEL = "INFO"

# Relative paths below (OUTPUT_DIR, a SQLite RECORD_STORE, IMAGES_STORE, STATS_FILE, SEAL_KEY_FILE,
# CRAWLALL_LOCK, RUN_SUMMARY_DIR) are anchored to the project folder, whatever the working folder
# (crawler/paths.py): PROJECT_DIR when set (an absolute path; the CRAWLER_PROJECT_DIR environment
# variable sets the default; a Scrapyd deployment, which has no scrapy.cfg, sets it), else the folder
# of scrapy.cfg, else the working folder (said in the log).
PROJECT_DIR = os.environ.get("CRAWLER_PROJECT_DIR", "")
OUTPUT_DIR = "output"  # one front-matter document per article
DOCUMENT_BODY = False  # True puts the article text in the document body (only for rights holders)
# Every written record, keyed by webUrl: a SQLite file, or postgresql://… for several crawl
# machines. The CRAWLER_STORE_URL environment variable, when set, is the default; -s RECORD_STORE wins.
RECORD_STORE = os.environ.get("CRAWLER_STORE_URL") or "state/records.sqlite"
# The write pipeline stores records in batches, one transaction (one commit, one fsync) each: up to
# STORE_BATCH_SIZE records, none waiting longer than STORE_BATCH_SECONDS; a batch is also stored when
# the spider closes and before anything reads those records. Its documents are put in place once it is
# stored, so a kill loses only what was not stored (fetched again next run). 1 (or 0 s): one per record.
STORE_BATCH_SIZE = 50
STORE_BATCH_SECONDS = 1.0
# Lead images (crawler/images.py), held by content (<sha256[:2]>/<sha256>.<ext>); "" turns the store off.
IMAGES_STORE = "state/images"
IMAGES_MAX_BYTES = 10 * 1024 * 1024  # a larger image is not downloaded (isCached: false, metadata size)
IMAGES_MAX_PIXELS = 50_000_000  # width x height above this is a decompression bomb, not a picture
IMAGES_DOWNLOAD_TIMEOUT = 20  # seconds, for an image and its host's robots.txt
IMAGES_PER_RECORD = 3  # images of a record stored (the lead first): the others keep isCached: false

# --- Stories across providers (crawler/stories.py) --------------------------
STORIES_ENABLED = True  # relate the records of each crawl at its end
STORY_WINDOW_DAYS = 3  # articles more than this far apart in time are never the same story
STORY_THRESHOLD = 0.62  # story score at or above which two articles tell the same story (docs/STORIES.md)
STORY_SUBJECT_THRESHOLD = 0.40  # at or above: the same subject, listed after the same story while room is left
STORY_MAX_RELATED = 3

# --- Records --------------------------------------------------------------
# The bundled crawler/providers.yaml (importlib.resources: also inside a zipped egg); a path names another file.
PROVIDER_REGISTRY = str(files("crawler") / "providers.yaml")
PUBLISH_MIN_QUALITY = 40  # the publishing gate's quality floor (docs/SCORING.md)
UNKNOWN_PROVIDER_STANDING = 40  # standing of a site that is not in the registry
CRAWL_REFERENCE_TIME = None  # ISO instant to freeze "now" for heat (tests); default: the crawl's start
SEAL_KEY_ENV = "CRAWLER_SEAL_KEY"  # base64 or hex AES-256 key for `secured`
# Created once (0600) when the variable is not set and the record store is empty; missing beside a store
# that holds records, it is an error (exit 78), never a new key: the stored tokens could not be opened.
SEAL_KEY_FILE = ".secrets/seal.key"

# --- Scheduled runs (scrapy crawlall) ---------------------------------------
CRAWLALL_LOCK = "state/crawlall.lock"  # one run at a time; a killed run's lock is taken over
RUN_SUMMARY_DIR = "runs"  # run-<start>.json and latest.json, beside output/
RUN_SUMMARY_KEEP = 200  # newest run summaries kept (the health checks and `scrapy report` read the recent ones)
HEALTH_MAX_ERROR_RATE = 0.5  # failed + dropped articles over fetched ones, per provider
HEALTH_MIN_FAILURES = 3  # ... judged only from this many failed or dropped articles (a dead link is no broken site)
HEALTH_MAX_COVERAGE_DROP = 0.5  # relative fall of image/excerpt coverage against recent runs
HEALTH_HISTORY = 5  # recent runs compared against

# --- Many workers, one run (crawler/cluster.py, docs/CLUSTER.md) ------------------------------
# A Redis URL turns cluster mode on: every crawlall started with it (and a PostgreSQL RECORD_STORE)
# is a worker of one run. The CRAWLER_REDIS_URL environment variable sets the default.
CLUSTER_REDIS_URL = ""
CLUSTER_NAME = "default"  # workers with the same name (and Redis, and store) share runs; the leader's lock is per name
CLUSTER_JOIN_TIMEOUT = 30.0  # seconds a worker waits for the leader to name its run
CLUSTER_WORKER_TIMEOUT = 30  # seconds without a heartbeat (every 2 s) after which a worker's requests are taken back
CLUSTER_PROVIDER_WORKERS = 1  # workers serving one provider's queue at once (0: all); politeness is per cluster
CRAWLALL_WORKERS = 1  # crawlall starts this many worker processes on this machine (cluster mode: Redis, PostgreSQL)

# --- Discovery ------------------------------------------------------------
DEMO_PORT = 8765  # -a demo=1 serves the bundled site on 127.0.0.1 at this port (another if it is taken)
INCREMENTAL = True  # article pages already in the store are fetched again only when a source says they changed
LOOKBACK_DAYS = 14  # without -a since=, skip articles older than this (0: no limit); keeps first runs bounded
DISCOVERY_MAX_LISTING_PAGES = 5  # pages of a listing followed when it comes from -a start_urls
DISCOVERY_MAX_SITEMAP_DEPTH = 3  # sitemap index → index → urlset; deeper nesting is a loop or a trap

FEED_EXPORT_ENCODING = "utf-8"
# -O/-o exports write records as their front matter, the contract's keys (crawler/exporters.py)
FEED_EXPORTERS = {
    name: f"crawler.exporters.{cls}"
    for name, cls in {
        "json": "JsonItemExporter",
        "jsonlines": "JsonLinesItemExporter",
        "jsonl": "JsonLinesItemExporter",
        "jl": "JsonLinesItemExporter",
        "csv": "CsvItemExporter",
        "xml": "XmlItemExporter",
    }.items()
}
