"""Why a download failed, as the short slug the stats count (``articles/failed/<slug>``, ``images/failed/<slug>``)."""

from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.defer import CancelledError
from twisted.internet.error import ConnectError
from twisted.internet.error import TimeoutError as ConnectTimeoutError
from twisted.web._newclient import ResponseFailed

from crawler.middlewares.addresses import ForbiddenAddress
from crawler.middlewares.redirects import RedirectRefused


def failure_reason(error: BaseException) -> str:
    """The stats slug of a download exception (or of an HTTP error status: ``http_404``)."""
    if isinstance(error, HttpError):
        return f"http_{error.response.status}"
    if isinstance(error, CannotResolveHostError):
        return "dns"
    if isinstance(error, DownloadConnectionRefusedError):
        return "refused"
    if isinstance(error, DownloadTimeoutError | ConnectTimeoutError | TimeoutError):
        return "timeout"
    if isinstance(error, DownloadCancelledError | CancelledError):
        return "too_large"  # the only cancellation: a body over DOWNLOAD_MAXSIZE (or IMAGES_MAX_BYTES)
    if isinstance(error, ResponseDataLossError):
        return "data_loss"  # the body ended before its Content-Length
    if isinstance(error, ForbiddenAddress):  # refused by the address guard (crawler/middlewares/addresses.py)
        return "forbidden_address"
    if isinstance(error, RedirectRefused):  # a redirect loop or off-site (crawler/middlewares/redirects.py)
        return error.reason
    if isinstance(error, IgnoreRequest):
        return "ignored"
    if isinstance(error, ConnectError | ResponseFailed):
        return "connection"
    return "download_error"
