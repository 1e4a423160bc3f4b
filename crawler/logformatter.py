"""Log lines for dropped records: the URL and the reason, not the whole record."""

from __future__ import annotations

import logging

from scrapy import logformatter


class LogFormatter(logformatter.LogFormatter):
    def dropped(self, item, exception, response, spider):
        url = getattr(item, "original_url", "") or getattr(item, "web_url", "")
        return {
            "level": logging.WARNING,
            "msg": "Dropped %(url)s: %(reason)s",
            "args": {"url": url, "reason": exception},
        }
