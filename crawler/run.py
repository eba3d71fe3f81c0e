"""Run one crawl in this process with Scrapy's CrawlerProcess (the reactor cannot restart)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader

from db.polling import source_states
from db.queries import CRAWL_BY_ID_SQL
from db.schema import open_db

LOGGER = logging.getLogger(__name__)


class CrawlSettingsError(ValueError):
    """A bad -s NAME=VALUE override or spider name."""


@dataclass
class CrawlSummary:
    crawl_id: int
    pages_fetched: int
    stored: int
    updated: int
    errors: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        """The one-line summary printed at the end of a crawl."""
        error_total = sum(self.errors.values())
        detail = ", ".join(f"{k}: {v}" for k, v in sorted(self.errors.items(), key=lambda kv: (-kv[1], kv[0])))
        return (f"crawl {self.crawl_id}: {self.pages_fetched} pages fetched, {self.stored} new documents,"
                f" {self.updated} updated, {error_total} errors" + (f" ({detail})" if detail else ""))


def build_settings(db_path: str, overrides: Mapping[str, Any] | None = None) -> Settings:
    """Project settings, the database path, then command-line overrides on top."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("CHIPWATCH_DB_PATH", str(db_path), priority="cmdline")
    for name, value in (overrides or {}).items():
        if not name.isupper():
            raise CrawlSettingsError(f"setting names are upper case: {name!r}")
        settings.set(name, value, priority="cmdline")
    return settings


def parse_setting_overrides(pairs: Sequence[str]) -> dict[str, str]:
    """Turn ['NAME=VALUE', ...] into a dict, as `scrapy crawl -s` does."""
    overrides = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise CrawlSettingsError(f"expected NAME=VALUE, got {pair!r}")
        overrides[name.strip()] = value
    return overrides


def run_crawl(db_path: str, sources: list[dict], overrides: Mapping[str, Any] | None = None,
              spider_name: str = "chipwatch") -> CrawlSummary:
    """Crawl the given sources into db_path and return the crawl's summary."""
    settings = build_settings(db_path, overrides)
    loader = SpiderLoader.from_settings(settings)
    if spider_name not in loader.list():
        raise CrawlSettingsError(f"unknown spider {spider_name!r}; choose from {', '.join(sorted(loader.list()))}")
    db = open_db(db_path)
    states = source_states(db, [s["url"] for s in sources])
    db.close()
    sources = [{**s, "state": states.get(s["url"], s.get("state") or {}), "registered": s.get("registered", s["url"] in states)}
               for s in sources]
    settings.set("LOG_INSTALL_ROOT_HANDLER", True, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(loader.load(spider_name))
    process.crawl(crawler, sources=sources)
    process.start()
    crawl_id = crawler.stats.get_value("chipwatch/crawl_id")
    db = open_db(db_path)
    row = next(db.query(CRAWL_BY_ID_SQL, {"id": crawl_id}), None)
    db.close()
    if row is None:
        raise RuntimeError("the crawl did not start; see the log above")
    return CrawlSummary(crawl_id, row["pages_fetched"] or 0, row["stored"] or 0, row["updated"] or 0,
                        json.loads(row["errors"] or "{}"))
