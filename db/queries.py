"""Named SQL: every query chipwatch runs for reading, with :named parameters."""

from __future__ import annotations

import sqlite_utils

EXPORT_SQL = """
select
  id, url, kind, title, author, published_at, date_source, fetched_at, views, language,
  source, video_id, content_hash, duplicate_of, label, labels, scores, actor, direction,
  items, status, model_version, text
from documents
order by coalesce(published_at, fetched_at), id
"""

DOCUMENT_SUMMARY_SQL = """
select kind, title, author, published_at, views, label
from documents
order by kind, coalesce(published_at, fetched_at), id
"""

DOCUMENTS_FOR_CLASSIFY_SQL = """
select id, title, text, kind from documents order by id
"""

VIEWS: dict[str, str] = {}


def export_rows(db: sqlite_utils.Database):
    """Yield every stored document as a dict, oldest first."""
    yield from db.query(EXPORT_SQL)

CRAWL_BY_ID_SQL = """
select id, started_at, finished_at, pages_fetched, stored, updated, error_count, errors
from crawls where id = :id
"""
