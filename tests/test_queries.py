"""Named trend queries on the report fixture database, whose answers are counted by hand in
tests/report_fixtures.py; their views; parameter checks; and the report indexes they are built for."""

import json

import pytest

from db import queries
from db.queries import QUERIES, QueryError, UnknownQueryError, query_sql, run_query, view_name


def pick(rows, *keys):
    return [tuple(row[key] for key in keys) for row in rows]


# --- stance-daily / stance-weekly -----------------------------------------------------------------


def test_stance_daily_counts_originals_by_day_including_date_only_and_fetched_fallback(report_db):
    rows = run_query(report_db, "stance-daily")
    assert pick(rows, "day", "label", "documents") == [
        ("2025-12-20", "approval", 1),
        ("2026-01-08", "neutral", 1), ("2026-01-09", "neutral", 1), ("2026-01-10", "neutral", 1),
        ("2026-01-11", "neutral", 1), ("2026-01-12", "neutral", 1),
        ("2026-01-13", "neutral", 1), ("2026-01-13", "restriction", 1),  # 8: published '2026-01-13', fetched the 14th
        ("2026-01-14", "neutral", 1),  # 7: 23:59:59 stays on the 14th
        # 15th: 11 (date-only), 9 + 10 (no published_at: fetched on the 15th), 15 + 16, 12.
        # Not 13 (a copy of 9) and not 14 (unclassified).
        ("2026-01-15", "approval", 1), ("2026-01-15", "block", 2),
        ("2026-01-15", "neutral", 2), ("2026-01-15", "restriction", 1),
    ]
    day = {row["label"]: row["share"] for row in rows if row["day"] == "2026-01-15"}
    assert day == {"approval": 0.1667, "block": 0.3333, "neutral": 0.3333, "restriction": 0.1667}


def test_stance_daily_include_copies_counts_the_mirror(report_db):
    rows = run_query(report_db, "stance-daily", since="2026-01-15", include_copies=True)
    assert pick(rows, "label", "documents") == [("approval", 1), ("block", 3), ("neutral", 2), ("restriction", 1)]


@pytest.mark.parametrize("filters,expected", [
    ({"since": "2026-01-14", "until": "2026-01-14"}, [("2026-01-14", "neutral", 1)]),
    ({"until": "2025-12-31"}, [("2025-12-20", "approval", 1)]),
    ({"actor": "china"}, [("2026-01-15", "approval", 1), ("2026-01-15", "block", 1), ("2026-01-15", "restriction", 1)]),
    ({"actor": "unknown"}, [("2026-01-15", "neutral", 1)]),  # 16 has no actor
    ({"item": "H200"}, [("2026-01-15", "approval", 1), ("2026-01-15", "block", 2)]),
    ({"item": "HBM"}, [("2026-01-15", "block", 1)]),  # 12's malformed list is skipped, 13 is a copy
    ({"item": "H2"}, []),  # no substring matches
    ({"item": "H20", "actor": "us", "since": "2026-01-01"}, [("2026-01-13", "restriction", 1)]),
])
def test_stance_daily_filters(report_db, filters, expected):
    assert pick(run_query(report_db, "stance-daily", **filters), "day", "label", "documents") == expected


def test_stance_weekly_starts_weeks_on_monday(report_db):
    rows = run_query(report_db, "stance-weekly")
    assert pick(rows, "week", "label", "documents", "share") == [
        ("2025-12-15", "approval", 1, 1.0),  # Saturday 20 December -> Monday 15th
        ("2026-01-05", "neutral", 4, 1.0),  # 8-11 January
        ("2026-01-12", "approval", 1, 0.1), ("2026-01-12", "block", 2, 0.2),
        ("2026-01-12", "neutral", 5, 0.5), ("2026-01-12", "restriction", 2, 0.2),
    ]


# --- by-actor / by-item ----------------------------------------------------------------------------


def test_by_actor_biggest_actor_first_and_missing_actor_is_unknown(report_db):
    rows = run_query(report_db, "by-actor")
    assert pick(rows, "actor", "label", "documents") == [
        ("company", "neutral", 8),
        ("china", "approval", 1), ("china", "block", 1), ("china", "restriction", 1),
        ("us", "approval", 1), ("us", "block", 1), ("us", "restriction", 1),
        ("unknown", "neutral", 1),
    ]
    assert {row["share"] for row in rows if row["actor"] == "china"} == {0.3333}


def test_by_actor_on_one_day(report_db):
    rows = run_query(report_db, "by-actor", since="2026-01-15", until="2026-01-15")
    totals = {}
    for row in rows:
        totals[row["actor"]] = totals.get(row["actor"], 0) + row["documents"]
    assert totals == {"china": 3, "us": 1, "company": 1, "unknown": 1}


def test_by_item_counts_a_document_once_per_item_and_skips_bad_json(report_db):
    rows = run_query(report_db, "by-item")
    assert pick(rows, "item", "label", "documents", "share") == [
        ("H200", "approval", 1, 0.3333),  # 11 lists H200 twice: one document
        ("H200", "block", 2, 0.6667),
        ("H20", "approval", 1, 0.5), ("H20", "restriction", 1, 0.5),
        ("HBM", "block", 1, 1.0),  # 12's '["HBM"' is not JSON and is left out
    ]


def test_by_item_with_copies_and_filters(report_db):
    with_copies = run_query(report_db, "by-item", include_copies=True, since="2026-01-15")
    assert pick(with_copies, "item", "label", "documents") == [
        ("H200", "approval", 1), ("H200", "block", 3), ("HBM", "block", 2)]
    assert pick(run_query(report_db, "by-item", actor="us"), "item", "label", "documents") == [
        ("H20", "approval", 1), ("H20", "restriction", 1), ("H200", "block", 1)]


def test_item_filter_finds_items_stored_with_unicode_escapes(report_db):
    # json.dumps escapes non-ASCII as \u...; the instr() pre-check must not hide such a match
    from tests.report_fixtures import add_document

    add_document(report_db, id=40, published_at="2026-01-10T10:00:00+00:00", title="Räkning",
                 label="block", score=0.8, items=json.dumps(["Ascend-é"]))
    assert "\\u00e9" in report_db.execute("select items from documents where id = 40").fetchone()[0]
    rows = run_query(report_db, "stance-daily", item="Ascend-é")
    assert pick(rows, "day", "label", "documents") == [("2026-01-10", "block", 1)]


# --- top-stories -----------------------------------------------------------------------------------


def test_top_stories_highest_confidence_per_label_with_evidence_of_that_label(report_db):
    rows = run_query(report_db, "top-stories")
    assert pick(rows, "label", "rank", "document_id", "score") == [
        ("approval", 1, 11, 0.84), ("approval", 2, 17, 0.7),
        ("block", 1, 9, 0.91), ("block", 2, 10, 0.77),
        ("neutral", 1, 15, 0.9), ("neutral", 2, 16, 0.8), ("neutral", 3, 7, 0.61),
        ("neutral", 4, 6, 0.6), ("neutral", 5, 5, 0.59),  # default: 5 per label
        ("restriction", 1, 8, 0.72), ("restriction", 2, 12, 0.66),
    ]
    block = {row["document_id"]: row for row in rows if row["label"] == "block"}
    # 9's restriction passage scores 0.95 but is not block evidence; its best block passage is
    assert block[9]["evidence"] == "Customs officers were told the chips are not allowed into the country."
    # 10's neutral passage outscores its block passage
    assert block[10]["evidence"] == "Lawmakers urge Commerce to block H200 sales."
    assert block[10]["url"] == "https://ledger.example/h200-ban?a=1&b=2"
    assert block[9]["title"] == "Beijing tells customs to halt H200 imports"
    assert block[9]["source"] == "Wire" and block[9]["published_at"] == "2026-01-15T06:30:00+00:00"
    assert block[10]["published_at"] is None  # as stored; its day comes from fetched_at


def test_top_stories_limit_and_day(report_db):
    assert pick(run_query(report_db, "top-stories", limit=1), "label", "document_id") == [
        ("approval", 11), ("block", 9), ("neutral", 15), ("restriction", 8)]
    on_day = run_query(report_db, "top-stories", since="2026-01-15", until="2026-01-15")
    assert pick(on_day, "label", "document_id") == [
        ("approval", 11), ("block", 9), ("block", 10), ("neutral", 15), ("neutral", 16), ("restriction", 12)]
    assert pick(run_query(report_db, "top-stories", item="H20"), "label", "document_id") == [
        ("approval", 17), ("restriction", 8)]


# --- shifts ----------------------------------------------------------------------------------------


def test_shifts_biggest_move_against_the_trailing_week_first(report_db):
    rows = run_query(report_db, "shifts", limit=8)
    assert pick(rows, "day", "label", "documents", "day_total", "share", "trailing_share", "shift") == [
        # 15th: 6 documents; the 7 days before (8th-14th) hold 7 neutral + 1 restriction
        ("2026-01-15", "neutral", 2, 6, 0.3333, 0.875, -0.5417),
        # 13th: 1 neutral + 1 restriction against five all-neutral days
        ("2026-01-13", "neutral", 1, 2, 0.5, 1.0, -0.5),
        ("2026-01-13", "restriction", 1, 2, 0.5, 0.0, 0.5),
        ("2026-01-15", "block", 2, 6, 0.3333, 0.0, 0.3333),
        ("2026-01-15", "approval", 1, 6, 0.1667, 0.0, 0.1667),
        ("2026-01-14", "neutral", 1, 1, 1.0, 0.8571, 0.1429),
        ("2026-01-14", "restriction", 0, 1, 0.0, 0.1429, -0.1429),
        ("2026-01-15", "restriction", 1, 6, 0.1667, 0.125, 0.0417),
    ]
    assert rows[0]["trailing_documents"] == 8


def test_shifts_since_still_uses_the_week_before_as_baseline(report_db):
    rows = run_query(report_db, "shifts", since="2026-01-14")
    assert {row["day"] for row in rows} == {"2026-01-14", "2026-01-15"}
    neutral_14 = next(row for row in rows if row["day"] == "2026-01-14" and row["label"] == "neutral")
    assert neutral_14["trailing_share"] == 0.8571  # 6 of 7 from the 7th-13th, all before --since


def test_shifts_skip_days_with_no_prior_week(report_db):
    days = {row["day"] for row in run_query(report_db, "shifts", limit=100)}
    assert "2025-12-20" not in days and "2026-01-08" not in days  # nothing in the 7 days before
    assert "2026-01-09" in days


# --- sources / crawls / videos ---------------------------------------------------------------------


def test_sources_counts_labels_and_unclassified(report_db):
    rows = run_query(report_db, "sources")
    assert pick(rows, "source", "documents", "approval", "block", "restriction", "neutral", "unclassified") == [
        ("Wire", 11, 1, 1, 0, 8, 1),
        ("Ledger", 4, 1, 1, 2, 0, 0),
        ("ChipTube", 1, 0, 0, 0, 1, 0),
    ]
    with_copies = {row["source"]: row["documents"] for row in run_query(report_db, "sources", include_copies=True)}
    assert with_copies["Mirror"] == 1


def test_crawls_newest_first_with_duration_and_failures(report_db):
    rows = run_query(report_db, "crawls")
    assert pick(rows, "id", "seconds", "pages", "stored", "updated", "errors", "failures") == [
        (2, 150, 25, 6, 0, 0, 0), (1, 300, 40, 10, 2, 1, 1)]
    assert json.loads(rows[1]["error_kinds"]) == {"timeout": 1}
    assert pick(run_query(report_db, "crawls", since="2026-01-15"), "id") == [(2,)]


def test_videos_with_descriptions(report_db):
    rows = run_query(report_db, "videos")
    assert pick(rows, "document_id", "day", "author", "views", "label") == [
        (15, "2026-01-15", "Chip Channel", 12345, "neutral")]
    assert rows[0]["description"].startswith("The company's chief executive visited Shanghai")
    assert run_query(report_db, "videos", until="2026-01-14") == []


# --- views, parameters, registry -------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_view_equals_the_unfiltered_query(report_db, name):
    view_rows = list(report_db.query(f"select * from {view_name(name)}"))
    assert view_rows == run_query(report_db, name)
    assert view_rows, f"{name} has no rows on the fixture"


def test_views_take_no_parameters_and_exist_after_open_db(report_db):
    assert set(queries.VIEWS) == {view_name(name) for name in QUERIES}
    for name, sql in queries.VIEWS.items():
        assert not queries._PARAM.search(sql), name
        assert name in report_db.view_names()


@pytest.mark.parametrize("params,message", [
    ({"since": "2026-1-5"}, "since must be YYYY-MM-DD"),
    ({"until": "2026-02-30"}, "until is not a real date"),
    ({"since": "20260115"}, "since must be YYYY-MM-DD"),  # fromisoformat would accept this
    ({"since": "2026-01-15", "until": "2026-01-14"}, "is after until"),
    ({"limit": 0}, "limit must be a positive whole number"),
])
def test_bad_parameters_are_query_errors(report_db, params, message):
    with pytest.raises(QueryError, match=message):
        run_query(report_db, "top-stories", **params)


def test_unknown_query_and_unsupported_filter():
    with pytest.raises(UnknownQueryError, match="unknown query 'stance' .*stance-daily"):
        query_sql("stance")
    with pytest.raises(QueryError, match="'crawls' does not take actor"):
        query_sql("crawls", actor="us")
    with pytest.raises(QueryError, match="'stance-daily' does not take limit"):
        query_sql("stance-daily", limit=3)


def test_every_sql_parameter_is_bound():
    for name in QUERIES:
        sql, params = query_sql(name)
        assert set(params) == set(queries.query_params(name))
        assert set(params) <= set(queries.COMMON_PARAMS)


def test_blank_strings_mean_no_filter_as_datasette_sends_them(report_db):
    sql, params = query_sql("stance-daily")
    blank = {key: "" for key in params}
    assert list(report_db.query(sql, blank)) == run_query(report_db, "stance-daily")


def test_datasette_metadata_file_matches_the_registry():
    shipped = json.loads(queries.DATASETTE_METADATA_PATH.read_text(encoding="utf-8"))
    assert shipped == queries.datasette_metadata(), "regenerate: python -m db.queries > db/datasette-metadata.json"
    assert set(shipped["databases"]["chipwatch"]["queries"]) == set(QUERIES)


# --- indexes ---------------------------------------------------------------------------------------


def _plan(db, name, **params):
    sql, bound = query_sql(name, **params)
    return " | ".join(row[3] for row in db.execute("explain query plan " + sql, bound).fetchall())


@pytest.mark.parametrize("name,params,index", [
    ("stance-daily", {}, "idx_documents_report_day"),
    ("stance-weekly", {"since": "2026-01-01"}, "idx_documents_report_day"),
    ("by-actor", {}, "idx_documents_report_actor"),
    ("shifts", {}, "idx_documents_report_day"),
    ("by-item", {}, "idx_documents_report_items"),
    ("top-stories", {}, "idx_documents_report_score"),
    ("sources", {}, "idx_documents_report_source"),
])
def test_queries_use_the_report_indexes(report_db, name, params, index):
    # the index expressions must stay identical to the query expressions, or SQLite ignores them
    queries.create_report_indexes(report_db)
    assert index in _plan(report_db, name, **params)


def test_report_indexes_are_idempotent_and_change_no_answer(report_db):
    # open_db (through ensure_schema) already created them
    names = {r[0] for r in report_db.execute("select name from sqlite_master where type = 'index'")}
    assert set(queries.REPORT_INDEXES) <= names
    before = {name: run_query(report_db, name) for name in QUERIES}
    for name in queries.REPORT_INDEXES:
        report_db.execute(f"drop index {name}")
    assert queries.create_report_indexes(report_db) == list(queries.REPORT_INDEXES)
    assert queries.create_report_indexes(report_db) == []
    assert {name: run_query(report_db, name) for name in QUERIES} == before


def test_query_sql_never_formats_values_into_sql():
    sql, params = query_sql("stance-daily", actor="x' or 1=1 --", item="'); drop table documents; --")
    assert "drop table" not in sql and "or 1=1" not in sql
    assert params["actor"] == "x' or 1=1 --"


def test_injection_attempt_is_just_an_unmatched_value(report_db):
    assert run_query(report_db, "stance-daily", actor="x' or 1=1 --") == []
    assert run_query(report_db, "by-item", item='"H200"') == []
    assert report_db.execute("select count(*) from documents").fetchone()[0] == 17


def test_report_index_with_an_old_definition_is_rebuilt(report_db):
    report_db.execute("drop index idx_documents_report_day")
    report_db.execute("create index idx_documents_report_day on documents (label)")
    assert "idx_documents_report_day" in queries.create_report_indexes(report_db)
    sql = report_db.execute("select sql from sqlite_master where name = 'idx_documents_report_day'").fetchone()[0]
    assert "date(coalesce(published_at, fetched_at))" in sql
