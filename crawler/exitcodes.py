"""The exit codes of the crawl commands (``scrapy crawl``, ``scrapy crawlall``), as the README documents them."""

OK = 0  # the run finished (crawlall: and every health check passed)
UNHEALTHY = 1  # crawlall: a health check failed; crawl: Scrapy could not start the crawl
USAGE = 2  # the registry, an argument (-a) or a setting (-s) is wrong: "error: NAME=value: why"
NO_INPUT = 66  # EX_NOINPUT: scrapy report found no readable run summary
CANNOT_WRITE = 73  # EX_CANTCREAT: scrapy report could not write its page
STORE = 74  # EX_IOERR (sysexits.h): the record store cannot be used: "error: record store …: cause"
LOCKED = 75  # EX_TEMPFAIL: another crawlall run holds the lock; this one did nothing (try later)
SEAL_KEY = 78  # EX_CONFIG: the seal key is missing but the record store holds records: "error: seal key …"
UNAVAILABLE = 69  # EX_UNAVAILABLE: cluster mode, and Redis (the run's queue) cannot be used: "error: Redis …"
