"""Middlewares: skip already-stored articles, count new feed entries, honour robots.txt Crawl-delay."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, AsyncIterator, Iterable
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.extract import canonicalize_url
from crawler.items import SourcePollItem
from db.polling import known_fetched_at
from db.schema import open_db

LOGGER = logging.getLogger(__name__)


class KnownUrlFilter:
    """Spider middleware: drop feed/sitemap entries already stored, unless the feed says they changed.

    It also fills in a source poll's entry counts, which drive adaptive polling.
    """

    def __init__(self, db_path: str, refresh: bool, stats) -> None:
        self.db_path = db_path
        self.refresh = refresh
        self.stats = stats
        self.db = None

    @classmethod
    def from_crawler(cls, crawler):
        middleware = cls(crawler.settings.get("CHIPWATCH_DB_PATH"), crawler.settings.getbool("CHIPWATCH_REFRESH"), crawler.stats)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def _known(self, url: str):
        if self.db is None:
            self.db = open_db(self.db_path)
        return known_fetched_at(self.db, canonicalize_url(url))

    def _keep(self, request: scrapy.Request, counts: dict) -> bool:
        counts["total"] += 1
        fetched_at = self._known(request.url)
        if fetched_at is False:
            counts["new"] += 1
            return True
        updated = (request.meta.get("hints") or {}).get("updated_at")
        if self.refresh or (updated and fetched_at and updated > fetched_at):
            return True
        self.stats.inc_value("chipwatch/skipped_known")
        return False

    def _filter(self, item: Any, counts: dict) -> Any:
        if isinstance(item, scrapy.Request) and item.meta.get("feed_url") and not item.meta.get("root"):
            return item if self._keep(item, counts) else None
        if isinstance(item, SourcePollItem) and item.status == "ok":
            item.entries_total, item.entries_new = counts["total"], counts["new"]
        return item

    def process_spider_output(self, response, result: Iterable[Any]) -> Iterable[Any]:
        counts = {"total": 0, "new": 0}
        for item in result:
            kept = self._filter(item, counts)
            if kept is not None:
                yield kept

    async def process_spider_output_async(self, response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        counts = {"total": 0, "new": 0}
        async for item in result:
            kept = self._filter(item, counts)
            if kept is not None:
                yield kept

    def spider_closed(self) -> None:
        if self.db is not None:
            self.db.close()


class CrawlDelay:
    """Downloader middleware: space requests to a host by its robots.txt Crawl-delay.

    Scrapy's RobotsTxtMiddleware obeys Allow/Disallow but not Crawl-delay; AutoThrottle adapts to
    latency but does not read robots.txt. This reserves a time slot per host and waits for it.
    """

    MAX_CRAWL_DELAY = 60.0  # a larger Crawl-delay is clamped, so one host cannot stall a crawl for hours

    def __init__(self, user_agent: str) -> None:
        self.user_agent = user_agent
        self.delays: dict[str, float] = {}
        self.next_slot: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured
        middleware = cls(crawler.settings.get("ROBOTSTXT_USER_AGENT") or crawler.settings.get("USER_AGENT"))
        crawler.signals.connect(middleware.robots_parsed, signal=signals.robots_parsed)
        return middleware

    def robots_parsed(self, robotparser, request) -> None:
        delay = robotparser.crawl_delay(self.user_agent)
        if delay:
            self.delays[urlsplit(request.url).netloc] = min(float(delay), self.MAX_CRAWL_DELAY)

    async def process_request(self, request: scrapy.Request) -> None:
        if request.meta.get("dont_obey_robotstxt"):
            return None
        host = urlsplit(request.url).netloc
        delay = self.delays.get(host)
        if not delay:
            return None
        now = time.monotonic()
        slot = max(now, self.next_slot.get(host, 0.0))
        self.next_slot[host] = slot + delay
        if slot > now:
            await asyncio.sleep(slot - now)
        return None
