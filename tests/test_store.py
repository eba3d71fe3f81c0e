"""Schema and writes: idempotent schema, upsert by canonical URL, FTS kept in sync, crawl history."""

import json

from db.schema import ensure_schema, open_db
from db.store import finish_crawl, record_failure, save_classification, save_document, start_crawl


def doc(**fields):
    return {"url": "http://a.test/story", "kind": "article", "title": "Beijing clears H200 imports",
            "text": "Regulators approved purchases of the accelerators.", **fields}


def test_ensure_schema_is_idempotent(fresh_db):
    before = fresh_db.execute("select sql from sqlite_master order by name").fetchall()
    ensure_schema(fresh_db)
    ensure_schema(fresh_db)
    assert fresh_db.execute("select sql from sqlite_master order by name").fetchall() == before
    assert {"documents", "sources", "crawls", "passages", "failures", "classifications", "documents_fts"} <= set(fresh_db.table_names())
    assert fresh_db.execute("pragma journal_mode").fetchone()[0] == "wal"


def test_ensure_schema_adds_missing_columns(db_path):
    import sqlite_utils

    old = sqlite_utils.Database(db_path)
    old["documents"].create({"id": int, "url": str, "kind": str, "title": str, "text": str}, pk="id")
    old.close()
    db = open_db(db_path)
    assert {"published_at", "views", "duplicate_of", "label"} <= set(db["documents"].columns_dict)


def test_upsert_updates_and_keeps_first_seen(fresh_db):
    first_id, created = save_document(fresh_db, doc(fetched_at="2026-01-01T00:00:00+00:00", views=10))
    second_id, created_again = save_document(fresh_db, doc(fetched_at="2026-01-02T00:00:00+00:00", views=25, title="Beijing clears first H200 imports"))
    assert (created, created_again) == (True, False)
    assert first_id == second_id and fresh_db["documents"].count == 1
    row = fresh_db["documents"].get(first_id)
    assert row["views"] == 25 and row["title"] == "Beijing clears first H200 imports"
    assert row["first_seen_at"] == "2026-01-01T00:00:00+00:00" and row["fetched_at"] == "2026-01-02T00:00:00+00:00"


def test_a_recrawl_missing_a_field_does_not_erase_it(fresh_db):
    save_document(fresh_db, doc(author="Lin Weijie"))
    document_id, _ = save_document(fresh_db, doc(author=None))
    assert fresh_db["documents"].get(document_id)["author"] == "Lin Weijie"


def test_fts_follows_inserts_and_updates(fresh_db):
    document_id, _ = save_document(fresh_db, doc())
    assert [r["id"] for r in fresh_db["documents"].search("purchases")] == [document_id]
    save_document(fresh_db, doc(text="Customs officers halted the shipment at the border."))
    assert list(fresh_db["documents"].search("purchases")) == []
    assert [r["id"] for r in fresh_db["documents"].search("customs")] == [document_id]


def test_sql_metacharacters_are_data(fresh_db):
    title = "Robert'); DROP TABLE documents;--"
    document_id, _ = save_document(fresh_db, doc(url="http://a.test/x'y", title=title))
    assert fresh_db["documents"].get(document_id)["title"] == title


def test_crawl_history_and_failures(fresh_db):
    crawl_id = start_crawl(fresh_db, ["http://a.test/feed"])
    record_failure(fresh_db, crawl_id, "http://a.test/gone", "http_404", "HTTP 404")
    finish_crawl(fresh_db, crawl_id, pages_fetched=3, stored=2, updated=0, errors={"http_404": 1}, finish_reason="finished")
    crawl = fresh_db["crawls"].get(crawl_id)
    assert crawl["error_count"] == 1 and json.loads(crawl["errors"]) == {"http_404": 1} and crawl["finished_at"]
    assert [f["kind"] for f in fresh_db["failures"].rows] == ["http_404"]


def test_classification_keeps_history_per_model_version(fresh_db):
    document_id, _ = save_document(fresh_db, doc())
    result = {"label": "approval", "labels": ["approval"], "scores": {"approval": 0.9, "block": 0.05, "restriction": 0.03, "neutral": 0.02},
              "actor": "china", "direction": "import", "items": ["H200"], "status": "enacted",
              "passages": [{"text": "Regulators approved purchases.", "label": "approval", "scores": {"approval": 0.9, "block": 0.1}}]}
    save_classification(fresh_db, document_id, {**result, "model_version": "m1"})
    save_classification(fresh_db, document_id, {**result, "model_version": "m2"})
    assert [r["model_version"] for r in fresh_db["classifications"].rows] == ["m1", "m2"]
    assert fresh_db["documents"].get(document_id)["model_version"] == "m2"
    assert fresh_db["passages"].count == 1
