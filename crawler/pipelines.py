"""Item pipelines: classify each document's stance, then store it (and failures) through db.store.

Don't forget: both are enabled in ITEM_PIPELINES (crawler/settings.py).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from scrapy import signals
from scrapy.exceptions import DropItem

from crawler.items import DocumentItem, FailureItem, SourcePollItem
from crawler.polling import MAX_CONSECUTIVE_FAILURES, PollOutcome, next_interval
from db.polling import record_poll, save_validators
from db.schema import open_db
from db.store import finish_crawl, record_failure, save_classification, save_document, start_crawl

LOGGER = logging.getLogger(__name__)

ERROR_STAT_PREFIX = "chipwatch/errors/"


class ClassifyPipeline:
    """Attach the stance classifier's document result (and the text's MinHash signature) to each item.

    With CHIPWATCH_CLASSIFY_WORKERS > 0 both are computed in worker processes, so they overlap with
    downloading, extraction and storage instead of queueing behind them.
    """

    def __init__(self, model_dir: str | None, enabled: bool = True, workers: int = 0) -> None:
        self.model_dir = model_dir
        self.enabled = enabled
        self.workers = workers
        self.model = None
        self.pool = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.get("CHIPWATCH_MODEL_DIR"), crawler.settings.getbool("CHIPWATCH_CLASSIFY"),
                   crawler.settings.getint("CHIPWATCH_CLASSIFY_WORKERS"))

    def open_spider(self) -> None:
        if self.workers > 0:
            from classifier.artifacts import ensure_trained
            from crawler.workers import start_pool

            # the workers load the model; this process only makes sure one is trained
            self.pool = start_pool(ensure_trained(self.model_dir) if self.enabled else None, self.workers)
        elif self.enabled:
            from classifier.predict import load_or_train  # heavy import, only when classifying

            self.model = load_or_train(self.model_dir)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, DocumentItem):
            return item
        record = item.record
        title, text, kind = record.get("title") or "", record.get("text") or "", record.get("kind", "article")
        if self.pool is not None:
            from crawler.workers import process_document

            result, signature = await asyncio.get_running_loop().run_in_executor(
                self.pool, process_document, title, text, kind, self.enabled)
            record["minhash"] = signature
        else:
            result = self.model.classify_document(title, text, kind=kind) if self.model is not None else None
        if result is not None:
            record["classification"] = result
        return item

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True)


class StorePipeline:
    """Write documents and failures to SQLite as they arrive; keep the crawl-history row."""

    def __init__(self, db_path: str, crawler) -> None:
        self.db_path = db_path
        self.crawler = crawler
        self.db = None
        self.crawl_id: int | None = None
        # HTTP validators and body hashes are saved only when the crawl finishes cleanly, so a crawl
        # killed half-way re-reads its feeds next time instead of taking them for "unchanged".
        self.pending_validators: dict[str, dict] = {}

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler.settings.get("CHIPWATCH_DB_PATH"), crawler)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    @property
    def stats(self):
        return self.crawler.stats

    def open_spider(self) -> None:
        self.db = open_db(self.db_path)
        spider = self.crawler.spider
        self.crawl_id = start_crawl(self.db, getattr(spider, "start_url_list", []))
        self.stats.set_value("chipwatch/crawl_id", self.crawl_id)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, FailureItem):
            self.stats.inc_value(f"{ERROR_STAT_PREFIX}{item.kind}")
            record_failure(self.db, self.crawl_id, item.url, item.kind, item.detail)
            return item
        if isinstance(item, SourcePollItem):
            self._record_poll(item)
            return item
        if not isinstance(item, DocumentItem):
            raise DropItem(f"unknown item type {type(item).__name__}")
        record = dict(item.record)
        classification = record.pop("classification", None)
        if not (record.get("text") or record.get("title")):
            self.stats.inc_value(f"{ERROR_STAT_PREFIX}no_content")
            record_failure(self.db, self.crawl_id, record["url"], "no_content", "no title or text extracted")
            raise DropItem(f"no content at {record['url']}")
        document_id, created = save_document(self.db, record)
        self.stats.inc_value("chipwatch/stored" if created else "chipwatch/updated")
        if classification:
            save_classification(self.db, document_id, classification)
        return item

    def _record_poll(self, item: SourcePollItem) -> None:
        state = item.state or {}
        failures = (state.get("consecutive_failures") or 0) + 1 if item.status == "failed" else 0
        outcome = PollOutcome(item.status, item.entries_total, item.entries_new, item.update_period_s)
        interval = next_interval(state.get("poll_interval_s"), outcome, failures)
        disable = failures >= MAX_CONSECUTIVE_FAILURES
        if disable:
            LOGGER.warning("source %s failed %d times in a row; disabled", item.url, failures)
            self.stats.inc_value("chipwatch/sources_disabled")
        self.stats.inc_value(f"chipwatch/polls/{item.status}")
        record_poll(self.db, item.url, status=item.status, interval_s=interval, failures=failures, disable=disable)
        if item.status == "ok":
            self.pending_validators[item.url] = {"etag": item.etag, "last_modified": item.last_modified,
                                                 "body_hash": item.body_hash}

    def spider_closed(self, spider, reason: str) -> None:
        stats = self.stats.get_stats()
        errors = {k[len(ERROR_STAT_PREFIX):]: v for k, v in stats.items() if k.startswith(ERROR_STAT_PREFIX)}
        finish_crawl(
            self.db, self.crawl_id,
            pages_fetched=stats.get("response_received_count", 0),
            stored=stats.get("chipwatch/stored", 0), updated=stats.get("chipwatch/updated", 0),
            errors=errors, finish_reason=reason,
        )
        if reason == "finished":
            for url, validators in self.pending_validators.items():
                save_validators(self.db, url, **validators)
        LOGGER.info("crawl %s %s: %s", self.crawl_id, reason, json.dumps(errors))
        self.db.close()
