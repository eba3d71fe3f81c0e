"""`chipwatch sql` runs on a read-only connection: reads work, every kind of write is refused."""

import hashlib
import sqlite3

import pytest

from db.queries import QueryError, ReadOnlyError, connect_readonly, readonly_query
from db.schema import open_db


def digest_of(path):
    """The database's content, for "nothing changed" checks (dump, so WAL contents count too)."""
    conn = sqlite3.connect(path)
    try:
        return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()
    finally:
        conn.close()


def test_select_returns_columns_and_rows(report_db_path):
    columns, rows = readonly_query(report_db_path, "select label, count(*) as n from documents "
                                                   "where label is not null group by label order by label")
    assert columns == ["label", "n"]
    assert rows == [("approval", 2), ("block", 3), ("neutral", 9), ("restriction", 2)]


def test_parameters_are_bound(report_db_path):
    _, rows = readonly_query(report_db_path, "select id from documents where actor = :a order by id", {"a": "us"})
    assert rows == [(8,), (10,), (17,)]


def test_views_and_pragmas_that_read_are_allowed(report_db_path):
    columns, rows = readonly_query(report_db_path, "select * from report_sources")
    assert columns[0] == "source" and rows[0][0] == "Wire"
    _, rows = readonly_query(report_db_path, "pragma table_info(documents)")
    assert "published_at" in {row[1] for row in rows}


@pytest.mark.parametrize("statement", [
    "delete from documents",
    "update documents set label = 'block'",
    "insert into crawls (started_at) values ('2026-01-01')",
    "drop table documents",
    "drop view report_stance_daily",
    "create table x (a)",
    "create index idx_x on documents (title)",
    "alter table documents add column x",
    "replace into crawls (id, started_at) values (1, 'x')",
    "pragma user_version = 7",
    "vacuum",
    "with x as (select 1) delete from documents",
    "insert into documents_fts(documents_fts) values ('rebuild')",
])
def test_writes_are_refused_and_change_nothing(report_db_path, statement):
    before = digest_of(report_db_path)
    with pytest.raises(ReadOnlyError, match="^refused: chipwatch sql is read-only"):
        readonly_query(report_db_path, statement)
    assert digest_of(report_db_path) == before


def test_a_second_statement_cannot_be_smuggled_in(report_db_path):
    before = digest_of(report_db_path)
    with pytest.raises(QueryError, match="one statement"):
        readonly_query(report_db_path, "select 1; delete from documents")
    assert digest_of(report_db_path) == before


def test_attach_cannot_create_a_file(report_db_path, tmp_path):
    target = tmp_path / "new.db"
    with pytest.raises(QueryError):
        readonly_query(report_db_path, f"attach database '{target}' as other")
    assert not target.exists()


def test_sql_errors_are_one_line_query_errors(report_db_path):
    with pytest.raises(QueryError, match="^sql error: no such table: nope$"):
        readonly_query(report_db_path, "select * from nope")


def test_missing_database_is_not_created(tmp_path):
    with pytest.raises(QueryError, match="database not found"):
        connect_readonly(tmp_path / "absent.db")
    assert not (tmp_path / "absent.db").exists()


def test_reads_a_wal_database_with_no_wal_files_left(tmp_path):
    path = tmp_path / "closed.db"
    db = open_db(path)
    db["crawls"].insert({"started_at": "2026-01-01T00:00:00+00:00"})
    db.close()  # the last connection checkpoints and removes -wal and -shm
    assert readonly_query(path, "select count(*) from crawls")[1] == [(1,)]
