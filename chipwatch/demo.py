"""`chipwatch demo`: serve the bundled sample site on 127.0.0.1 and crawl it with the real engine."""

from __future__ import annotations

from typing import Any, Mapping

from chipwatch.localsite import LocalSite
from chipwatch.sample_site import build_sample_site
from crawler.run import CrawlSummary, run_crawl
from db.queries import DOCUMENT_SUMMARY_SQL
from db.schema import open_db

DEMO_SETTINGS = {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_TIMEOUT": 10, "RETRY_TIMES": 1}


def run_demo(db_path: str, overrides: Mapping[str, Any] | None = None) -> tuple[CrawlSummary, list[dict]]:
    """Serve the sample site, crawl its feeds and sitemaps into db_path, return the summary and stored rows."""
    with LocalSite() as site:
        sample = build_sample_site(site.base_url)
        site.routes.update(sample.routes)
        sources = [{"url": site.url(path), "name": "sample: " + path.split("?")[0].strip("/")} for path in sample.start_paths]
        summary = run_crawl(db_path, sources, {**DEMO_SETTINGS, **(overrides or {})})
    db = open_db(db_path)
    rows = list(db.query(DOCUMENT_SUMMARY_SQL))
    db.close()
    return summary, rows
