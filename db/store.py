"""Writes: idempotent upserts of documents, crawl history, failures and classifications."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime, timezone
from typing import Any, Iterable, Mapping

import sqlite_utils

from db.dedupe import index_document, link_duplicates
from db.schema import write_transaction

LOGGER = logging.getLogger(__name__)

DOCUMENT_FIELDS = (
    "url", "kind", "title", "author", "published_at", "date_source", "fetched_at", "text",
    "views", "language", "source", "feed_url", "video_id", "field_sources",
)

# Columns a re-crawl refreshes. first_seen_at and the classifier's fields are kept.
_UPSERT_DOCUMENT_SQL = """
insert into documents ({cols}, content_hash, first_seen_at)
values ({params}, :content_hash, :fetched_at)
on conflict(url) do update set
  {updates},
  content_hash = excluded.content_hash
""".format(
    cols=", ".join(DOCUMENT_FIELDS),
    params=", ".join(f":{f}" for f in DOCUMENT_FIELDS),
    updates=",\n  ".join(
        f"{f} = coalesce(excluded.{f}, documents.{f})" for f in DOCUMENT_FIELDS if f != "url"
    ),
)


def utc_now() -> str:
    """The current time as an ISO 8601 UTC string with seconds."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def content_hash(title: str | None, text: str | None) -> str:
    """A stable hash of a document's normalised title and text."""
    normalised = " ".join(f"{title or ''}\n{text or ''}".split()).lower()
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def _jsonish(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if isinstance(value, (dict, list)) else value


def save_document(db: sqlite_utils.Database, record: Mapping[str, Any]) -> tuple[int, bool]:
    """Insert or update one document by canonical URL; return (id, created)."""
    params = {f: _jsonish(record.get(f)) for f in DOCUMENT_FIELDS}
    params["fetched_at"] = params["fetched_at"] or utc_now()
    params["content_hash"] = content_hash(record.get("title"), record.get("text"))
    with write_transaction(db):
        existing = db.execute("select id, content_hash from documents where url = :url", {"url": params["url"]}).fetchone()
        db.execute(_UPSERT_DOCUMENT_SQL, params)
        document_id = db.execute("select id from documents where url = :url", {"url": params["url"]}).fetchone()[0]
        if existing is None or existing[1] != params["content_hash"]:
            _mark_copies(db, document_id, params["content_hash"], record.get("text") or "", record.get("minhash", False))
        for alias in record.get("aliases") or ():
            if alias and alias != params["url"]:
                db.execute(
                    "insert into document_urls (url, document_id, seen_at) values (:url, :id, :at)"
                    " on conflict(url) do update set document_id = excluded.document_id, seen_at = excluded.seen_at",
                    {"url": alias, "id": document_id, "at": params["fetched_at"]},
                )
    return document_id, existing is None


def _mark_copies(db: sqlite_utils.Database, document_id: int, digest: str, text: str, sig=False) -> None:
    """Link exact copies (same content hash) and near-duplicates (MinHash) to the earliest document."""
    matches = index_document(db, document_id, text, sig)
    matches.update(row[0] for row in db.execute(
        "select id from documents where content_hash = :hash and id != :id", {"hash": digest, "id": document_id}))
    link_duplicates(db, document_id, matches)


def save_documents(db: sqlite_utils.Database, records: Iterable[Mapping[str, Any]]) -> list[tuple[int, bool]]:
    """Batch form of :func:`save_document`."""
    return [save_document(db, record) for record in records]


def save_sources(db: sqlite_utils.Database, sources: Iterable[Mapping[str, Any]]) -> None:
    """Register sources (name, url, kind); existing rows keep their polling state."""
    now = utc_now()
    with write_transaction(db):
        for source in sources:
            db.execute(
                "insert into sources (name, url, kind, added_at) values (:name, :url, :kind, :at)"
                " on conflict(url) do update set name = excluded.name, kind = excluded.kind",
                {"name": source.get("name") or source["url"], "url": source["url"],
                 "kind": source.get("kind") or "auto", "at": now},
            )


def start_crawl(db: sqlite_utils.Database, start_urls: list[str]) -> int:
    """Open a crawl-history row and return its id."""
    with write_transaction(db):
        cursor = db.execute(
            "insert into crawls (started_at, start_urls, errors) values (:at, :urls, '{}')",
            {"at": utc_now(), "urls": json.dumps(start_urls)},
        )
    return cursor.lastrowid


def finish_crawl(
    db: sqlite_utils.Database, crawl_id: int, *, pages_fetched: int, stored: int, updated: int,
    errors: Mapping[str, int], finish_reason: str,
) -> None:
    """Close a crawl-history row with its counts."""
    with write_transaction(db):
        db.execute(
            "update crawls set finished_at = :at, pages_fetched = :pages, stored = :stored,"
            " updated = :updated, errors = :errors, error_count = :error_count,"
            " finish_reason = :reason where id = :id",
            {"at": utc_now(), "pages": pages_fetched, "stored": stored, "updated": updated,
             "errors": json.dumps(dict(sorted(errors.items()))), "error_count": sum(errors.values()),
             "reason": finish_reason, "id": crawl_id},
        )


def record_failure(db: sqlite_utils.Database, crawl_id: int | None, url: str, kind: str, detail: str) -> None:
    """Keep one failed fetch or parse, by kind, for the crawl history."""
    with write_transaction(db):
        db.execute(
            "insert into failures (crawl_id, url, kind, detail, occurred_at) values (:crawl, :url, :kind, :detail, :at)",
            {"crawl": crawl_id, "url": url, "kind": kind, "detail": (detail or "")[:500], "at": utc_now()},
        )


def save_classification(db: sqlite_utils.Database, document_id: int, result: Mapping[str, Any]) -> None:
    """Store a document's labels, its passages' labels and a history row for the model version."""
    now = utc_now()
    with write_transaction(db):
        db.execute(
            "update documents set label = :label, labels = :labels, scores = :scores, actor = :actor,"
            " direction = :direction, items = :items, status = :status, model_version = :model_version,"
            " classified_at = :at where id = :id",
            {"label": result["label"], "labels": json.dumps(result["labels"]),
             "scores": json.dumps(result["scores"], sort_keys=True), "actor": result.get("actor"),
             "direction": result.get("direction"), "items": json.dumps(result.get("items") or []),
             "status": result.get("status"), "model_version": result["model_version"], "at": now,
             "id": document_id},
        )
        db.execute("delete from passages where document_id = :id", {"id": document_id})
        db.conn.executemany(
            "insert into passages (document_id, position, text, label, score, scores, model_version)"
            " values (?, ?, ?, ?, ?, ?, ?)",
            [(document_id, position, passage["text"], passage["label"], passage["scores"][passage["label"]],
              json.dumps(passage["scores"], sort_keys=True), result["model_version"])
             for position, passage in enumerate(result.get("passages") or ())],
        )
        db.execute(
            "insert into classifications (document_id, model_version, label, labels, scores, classified_at)"
            " values (:doc, :mv, :label, :labels, :scores, :at)",
            {"doc": document_id, "mv": result["model_version"], "label": result["label"],
             "labels": json.dumps(result["labels"]), "scores": json.dumps(result["scores"], sort_keys=True), "at": now},
        )
