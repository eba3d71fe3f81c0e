"""A progress line on stderr for long crawls."""

from __future__ import annotations

import sys
import time

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task


class ProgressLine:
    """Every CHIPWATCH_PROGRESS_INTERVAL seconds, print pages fetched, documents stored and errors."""

    def __init__(self, stats, interval: float) -> None:
        self.stats = stats
        self.interval = interval
        self.loop: task.LoopingCall | None = None
        self.started = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler):
        interval = crawler.settings.getfloat("CHIPWATCH_PROGRESS_INTERVAL")
        if interval <= 0:
            raise NotConfigured
        extension = cls(crawler.stats, interval)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self) -> None:
        self.started = time.monotonic()
        self.loop = task.LoopingCall(self.print_line)
        self.loop.start(self.interval, now=False)

    def print_line(self) -> None:
        get = self.stats.get_value
        errors = sum(v for k, v in self.stats.get_stats().items() if k.startswith("chipwatch/errors/"))
        sys.stderr.write(
            f"[{time.monotonic() - self.started:5.0f}s] pages {get('response_received_count', 0)}"
            f" · stored {get('chipwatch/stored', 0)} · updated {get('chipwatch/updated', 0)} · errors {errors}\n"
        )
        sys.stderr.flush()

    def spider_closed(self) -> None:
        if self.loop and self.loop.running:
            self.loop.stop()
