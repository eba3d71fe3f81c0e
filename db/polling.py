"""Per-source polling state (ETag, Last-Modified, body hash, next poll, failures) and known-URL lookups."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Iterable

import sqlite_utils

from db.schema import write_transaction

SOURCE_STATES_SQL = """
select url, etag, last_modified, body_hash, poll_interval_s, consecutive_failures, disabled, next_poll_at
from sources where url = :url
"""

DUE_SOURCES_SQL = """
select name, url, kind, etag, last_modified, body_hash, poll_interval_s, consecutive_failures
from sources
where not disabled and (next_poll_at is null or next_poll_at <= :now)
order by coalesce(next_poll_at, ''), url
"""

DISABLED_SOURCES_SQL = """
select name, url, consecutive_failures, last_status, last_polled_at from sources where disabled order by url
"""

KNOWN_URL_SQL = """
select fetched_at from documents where url = :url
union all
select d.fetched_at from document_urls u join documents d on d.id = u.document_id where u.url = :url
limit 1
"""


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat()


def source_state(db: sqlite_utils.Database, url: str) -> dict | None:
    """The stored polling state of a source, if it has one."""
    return next(db.query(SOURCE_STATES_SQL, {"url": url}), None)


def due_sources(db: sqlite_utils.Database, now: datetime | None = None) -> list[dict]:
    """Enabled sources whose next poll time has come (or that were never polled)."""
    return list(db.query(DUE_SOURCES_SQL, {"now": _iso(now or datetime.now(timezone.utc))}))


def disabled_sources(db: sqlite_utils.Database) -> list[dict]:
    return list(db.query(DISABLED_SOURCES_SQL))


def known_fetched_at(db: sqlite_utils.Database, url: str) -> str | None | bool:
    """When a canonical URL was last fetched; False when it was never stored."""
    row = db.execute(KNOWN_URL_SQL, {"url": url}).fetchone()
    return False if row is None else row[0]


def save_validators(db: sqlite_utils.Database, url: str, *, etag: str | None, last_modified: str | None,
                    body_hash: str | None) -> None:
    """Keep a source's ETag, Last-Modified and body hash for the next conditional poll."""
    with write_transaction(db):
        db.execute("update sources set etag = :etag, last_modified = :last_modified, body_hash = :body_hash where url = :url",
                   {"etag": etag, "last_modified": last_modified, "body_hash": body_hash, "url": url})


def record_poll(db: sqlite_utils.Database, url: str, *, status: str, interval_s: int, failures: int,
                disable: bool, etag: str | None = None, last_modified: str | None = None,
                body_hash: str | None = None, now: datetime | None = None) -> None:
    """Store one poll's outcome and schedule the next poll."""
    now = now or datetime.now(timezone.utc)
    with write_transaction(db):
        db.execute(
            "insert into sources (name, url, kind, added_at) values (:url, :url, 'auto', :now) on conflict(url) do nothing",
            {"url": url, "now": _iso(now)})
        db.execute(
            "update sources set last_status = :status, last_polled_at = :now, next_poll_at = :next,"
            " poll_interval_s = :interval, consecutive_failures = :failures, disabled = :disabled,"
            " etag = coalesce(:etag, etag), last_modified = coalesce(:last_modified, last_modified),"
            " body_hash = coalesce(:body_hash, body_hash) where url = :url",
            {"status": status, "now": _iso(now), "next": _iso(now + timedelta(seconds=interval_s)),
             "interval": interval_s, "failures": failures, "disabled": int(disable), "etag": etag,
             "last_modified": last_modified, "body_hash": body_hash, "url": url})


def source_states(db: sqlite_utils.Database, urls: Iterable[str]) -> dict[str, dict]:
    """Polling state for each of the given source URLs that has one."""
    states = {}
    for url in urls:
        state = source_state(db, url)
        if state:
            states[url] = state
    return states
