"""The database schema, owned in one place and applied idempotently."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import sqlite_utils

LOGGER = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 30_000  # long enough for a concurrent crawl to finish its commit

TABLES: dict[str, dict] = {
    "sources": {
        "columns": {
            "name": str,
            "url": str,
            "kind": str,
            "added_at": str,
            "etag": str,
            "last_modified": str,
            "body_hash": str,
            "last_polled_at": str,
            "next_poll_at": str,
            "poll_interval_s": int,
            "consecutive_failures": int,
            "disabled": int,
            "last_status": str,
        },
        "pk": "url",
        "defaults": {"consecutive_failures": 0, "disabled": 0},
    },
    "crawls": {
        "columns": {
            "id": int,
            "started_at": str,
            "finished_at": str,
            "pages_fetched": int,
            "stored": int,
            "updated": int,
            "error_count": int,
            "errors": str,  # JSON object: error kind -> count
            "finish_reason": str,
            "start_urls": str,  # JSON list
        },
        "pk": "id",
        "defaults": {"pages_fetched": 0, "stored": 0, "updated": 0, "error_count": 0},
    },
    "documents": {
        "columns": {
            "id": int,
            "url": str,
            "kind": str,
            "title": str,
            "author": str,
            "published_at": str,
            "date_source": str,
            "fetched_at": str,
            "first_seen_at": str,
            "text": str,
            "views": int,
            "language": str,
            "source": str,
            "feed_url": str,
            "video_id": str,
            "content_hash": str,
            "field_sources": str,  # JSON: field -> where its value came from
            "duplicate_of": int,
            "label": str,
            "labels": str,  # JSON list
            "scores": str,  # JSON object label -> probability
            "actor": str,
            "direction": str,
            "items": str,  # JSON list
            "status": str,
            "model_version": str,
            "classified_at": str,
        },
        "pk": "id",
        "not_null": {"url", "kind"},
    },
    "document_urls": {
        "columns": {"url": str, "document_id": int, "seen_at": str},
        "pk": "url",
    },
    "passages": {
        "columns": {
            "id": int,
            "document_id": int,
            "position": int,
            "text": str,
            "label": str,
            "score": float,
            "scores": str,
            "model_version": str,
        },
        "pk": "id",
    },
    "classifications": {
        "columns": {
            "id": int,
            "document_id": int,
            "model_version": str,
            "label": str,
            "labels": str,
            "scores": str,
            "classified_at": str,
        },
        "pk": "id",
    },
    "document_minhashes": {
        "columns": {"document_id": int, "signature": bytes},
        "pk": "document_id",
    },
    "document_bands": {
        "columns": {"bucket": str, "document_id": int},  # bucket = "<band>:<hash of the band's rows>"
        "pk": ("bucket", "document_id"),
    },
    "document_items": {
        # one row per (item, document): kept in step with documents.items by the triggers below,
        # so an item filter is an index lookup instead of a JSON scan of every document
        "columns": {"item": str, "document_id": int},
        "pk": ("item", "document_id"),
    },
    "failures": {
        "columns": {
            "id": int,
            "crawl_id": int,
            "url": str,
            "kind": str,
            "detail": str,
            "occurred_at": str,
        },
        "pk": "id",
    },
}

FOREIGN_KEYS = {
    "passages": [("document_id", "documents", "id")],
    "classifications": [("document_id", "documents", "id")],
    "failures": [("crawl_id", "crawls", "id")],
    "document_urls": [("document_id", "documents", "id")],
    "document_minhashes": [("document_id", "documents", "id")],
}

UNIQUE_INDEXES = [("documents", ["url"])]

INDEXES = [
    ("documents", ["published_at"]),
    ("documents", ["label", "published_at"]),
    ("documents", ["content_hash"]),
    ("documents", ["duplicate_of"]),
    ("documents", ["source"]),
    ("passages", ["document_id", "position"]),
    ("classifications", ["document_id"]),
    ("failures", ["crawl_id"]),
    ("document_bands", ["document_id"]),
    ("document_items", ["document_id"]),
    ("sources", ["next_poll_at"]),
]

FTS_CONFIG = {"documents": ["title", "text"]}


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) a chipwatch database in WAL mode with a busy timeout."""
    path = Path(path)
    if path.parent and not path.parent.exists():
        raise FileNotFoundError(f"directory does not exist: {path.parent}")
    db = sqlite_utils.Database(path)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if db.journal_mode != "wal":
        db.enable_wal()
    # In WAL mode NORMAL keeps every commit safe from a crashed or killed process; only a power cut
    # can lose the last commits. It makes each per-document commit cheap.
    db.execute("PRAGMA synchronous = NORMAL")
    with write_transaction(db):
        ensure_schema(db)
    return db


@contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """A write transaction that takes the write lock up front (BEGIN IMMEDIATE).

    A deferred transaction that reads and then writes can fail at once with "database is locked"
    when another process committed in between; BEGIN IMMEDIATE waits on the busy timeout instead.
    Nested use becomes a savepoint, as in sqlite-utils' atomic().
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    else:
        db.conn.execute("COMMIT")


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create missing tables, columns, indexes, FTS tables and views; safe to call repeatedly."""
    existing = set(db.table_names())
    for name, spec in TABLES.items():
        table = db[name]
        if name not in existing:
            table.create(
                spec["columns"],
                pk=spec["pk"],
                not_null=spec.get("not_null"),
                defaults=spec.get("defaults"),
                foreign_keys=FOREIGN_KEYS.get(name),
            )
        else:
            have = set(table.columns_dict)
            for column, column_type in spec["columns"].items():
                if column not in have:
                    table.add_column(column, column_type)
    for table_name, columns in UNIQUE_INDEXES:
        db[table_name].create_index(columns, unique=True, if_not_exists=True)
    for table_name, columns in INDEXES:
        db[table_name].create_index(columns, if_not_exists=True)
    for table_name, columns in FTS_CONFIG.items():
        if not db[table_name].detect_fts():
            db[table_name].enable_fts(columns, fts_version="FTS5", create_triggers=True, tokenize="unicode61 remove_diacritics 2")
    _ensure_triggers(db, backfill="document_items" not in existing)
    _ensure_views(db)
    _ensure_report_indexes(db)


_ITEMS_OF_NEW = "select new.id, j.value from json_each(case when json_valid(new.items) then new.items end) as j"
TRIGGERS = {
    "documents_items_ai": f"after insert on documents begin insert or ignore into document_items (document_id, item) {_ITEMS_OF_NEW}; end",
    "documents_items_au": ("after update of items on documents begin delete from document_items where document_id = old.id; "
                           f"insert or ignore into document_items (document_id, item) {_ITEMS_OF_NEW}; end"),
    "documents_items_ad": "after delete on documents begin delete from document_items where document_id = old.id; end",
}


def _ensure_triggers(db: sqlite_utils.Database, backfill: bool) -> None:
    existing = {row[0] for row in db.execute("select name from sqlite_master where type = 'trigger'")}
    for name, body in TRIGGERS.items():
        if name not in existing:
            db.execute(f"create trigger {name} {body}")  # fixed names and SQL, no input
    if backfill:
        db.execute("insert or ignore into document_items (document_id, item) select d.id, j.value from documents as d, "
                   "json_each(case when json_valid(d.items) then d.items end) as j")


def _ensure_report_indexes(db: sqlite_utils.Database) -> None:
    # Expression indexes for the report queries, defined beside the expressions they must match.
    from db.queries import create_report_indexes

    create_report_indexes(db)


def _ensure_views(db: sqlite_utils.Database) -> None:
    # Views are defined next to the queries they mirror; imported lazily to keep schema standalone.
    from db.queries import VIEWS

    for name, sql in VIEWS.items():
        view = db[name]
        if name in db.view_names() and view.schema.strip().endswith(sql.strip()):
            continue
        db.create_view(name, sql, replace=True)
