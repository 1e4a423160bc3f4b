"""``scrapy cluster``: the cluster's current run, as Redis holds it (cluster mode: docs/CLUSTER.md).

    scrapy cluster            # the run, its workers (alive or not), and per provider: queued, leased, seeded

Exit codes: 0 a run is under way; 1 no run is under way; 2 not in cluster mode
(no CLUSTER_REDIS_URL); 69 Redis cannot be used.
"""

from __future__ import annotations

import argparse

from scrapy.commands import ScrapyCommand

from crawler import cluster, exitcodes
from crawler.commands import fail


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def short_desc(self) -> str:
        return "Show the cluster's current run: workers, and each provider's queue and leases"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        url = cluster.redis_url(self.settings)
        if not url:
            fail("not in cluster mode: set CLUSTER_REDIS_URL (or CRAWLER_REDIS_URL)")
            self.exitcode = exitcodes.USAGE
            return
        try:
            client = cluster.connect(url)
            lines = cluster.status(client, self.settings.get("CLUSTER_NAME"))
        except (cluster.ClusterError, *cluster.redis_errors()) as error:
            fail(str(error))
            self.exitcode = exitcodes.UNAVAILABLE
            return
        print("\n".join(lines))
        self.exitcode = exitcodes.OK if len(lines) > 1 else exitcodes.UNHEALTHY
