"""Name the kind of a failed request, for counting in the crawl history."""

from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError, DownloadCancelledError, DownloadConnectionRefusedError,
    DownloadFailedError, DownloadTimeoutError, IgnoreRequest, ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectError, ConnectionLost, ConnectionRefusedError, DNSLookupError, TCPTimedOutError, TimeoutError,
)
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived


def failure_kind(failure: Failure) -> tuple[str, str]:
    """Return (kind, detail) for a request errback's failure."""
    error = failure.value
    detail = str(error)[:300] or type(error).__name__
    if failure.check(HttpError):
        return f"http_{error.response.status}", f"HTTP {error.response.status}"
    if failure.check(DownloadTimeoutError, TimeoutError, TCPTimedOutError):
        return "timeout", detail
    if failure.check(CannotResolveHostError, DNSLookupError):
        return "dns", detail
    if failure.check(DownloadCancelledError) and "size" in detail:
        return "too_large", detail
    if failure.check(DownloadConnectionRefusedError, ConnectionRefusedError, ConnectError):
        return "connection", detail
    if failure.check(ResponseDataLossError, ConnectionLost, ResponseFailed, ResponseNeverReceived, DownloadFailedError):
        return "connection", detail
    if failure.check(IgnoreRequest):
        if "robots" in detail.lower():
            return "robots", detail
        if "redirect" in detail.lower():
            return "redirect_loop", detail
        return "ignored", detail
    return "other", f"{type(error).__name__}: {detail}"
