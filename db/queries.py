"""Named SQL: every query chipwatch runs for reading, with :named parameters.

The trend queries (``QUERIES``) share four optional filters, each NULL or '' for "no filter"
(Datasette passes '' for a blank form field):

* ``:since`` / ``:until`` -- first and last day, ``YYYY-MM-DD``, inclusive. A document's day is
  ``date(coalesce(published_at, fetched_at))``: its UTC publication date, or the day it was
  fetched when the date is unknown. Both stored forms ('YYYY-MM-DD' and a full timestamp) work.
* ``:actor`` -- ``us``, ``china``, ``other_gov``, ``company`` or ``unknown`` (also matches NULL).
* ``:item`` -- one entry of the ``items`` JSON list, e.g. ``H200``.

Only originals are counted (``duplicate_of IS NULL``) unless ``:include_copies = 1``. ``:limit`` is the
rows of ``shifts``, ``videos`` and ``crawls``, and the rows per label of ``top-stories``. Every query
also exists as a view (``report_<name>``): the query with every parameter NULL.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any, Iterator, Mapping

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

UNLABELLED_DOCUMENTS_SQL = """
select id, title, text, kind from documents where label is null order by id
"""

UNLABELLED_COUNT_SQL = """
select count(*) as n from documents where label is null
"""

CRAWL_BY_ID_SQL = """
select id, started_at, finished_at, pages_fetched, stored, updated, error_count, errors
from crawls where id = :id
"""


def export_rows(db: sqlite_utils.Database):
    """Yield every stored document as a dict, oldest first."""
    yield from db.query(EXPORT_SQL)


class QueryError(ValueError):
    """A report query could not run: bad parameters, bad SQL, or a refused write."""


class UnknownQueryError(QueryError):
    """No named query has this name."""


class ReadOnlyError(QueryError):
    """A statement tried to change a database opened read-only."""


# --- SQL fragments -------------------------------------------------------------------------------
# The expressions below must match the expressions of REPORT_INDEXES character for character
# (apart from the table alias), or SQLite cannot use those indexes.

_DAY = "date(coalesce({t}published_at, {t}fetched_at))"
_SCORE = "case when json_valid({t}scores) then json_extract({t}scores, '$.\"' || {t}label || '\"') end"
_INCLUDE_COPIES = "coalesce(cast(nullif(:include_copies, '') as integer), 0) = 1"
_EARLIEST_DAY = "'0000-01-01'"
_LATEST_DAY = "'9999-12-31'"
TRAILING_DAYS = 7  # the baseline for `shifts` and the digest's "against the trailing week"


def _day(alias: str = "") -> str:
    return _DAY.format(t=f"{alias}." if alias else "")


def _score(alias: str = "") -> str:
    return _SCORE.format(t=f"{alias}." if alias else "")


def _has_item(alias: str) -> str:
    # document_items mirrors documents.items (triggers in db/schema.py): an index lookup, not a JSON scan
    return f"{alias}.id in (select document_id from document_items where item = :item)"


def _filters(alias: str = "d", *, since: str = "nullif(:since, '')", classified: bool = True,
             day_range_uses_index: bool = True) -> str:
    """The shared WHERE clause: day range, copies, actor, item (and a label, if classified)."""
    day = _day(alias)
    # Unary "+" stops SQLite from using the day index for the range, so that a query grouped by
    # another column (source, items) reads its own index in order instead of sorting every row.
    plus = "" if day_range_uses_index else "+"
    terms = [
        f"{plus}{day} >= coalesce({since}, {_EARLIEST_DAY})",
        f"{plus}{day} <= coalesce(nullif(:until, ''), {_LATEST_DAY})",
        f"({alias}.duplicate_of is null or {_INCLUDE_COPIES})",
        f"(nullif(:actor, '') is null or coalesce({alias}.actor, 'unknown') = :actor)",
        f"(nullif(:item, '') is null or {_has_item(alias)})",
    ]
    if classified:
        terms.append(f"+{alias}.label is not null")  # "+": never worth a scan of the label index
    return "\n    and ".join(terms)


def _limit(default: int) -> str:
    return f"limit cast(coalesce(nullif(:limit, ''), {default}) as integer)"


# --- Trend queries -------------------------------------------------------------------------------

STANCE_DAILY_SQL = f"""
select day, label, documents,
  round(1.0 * documents / sum(documents) over (partition by day), 4) as share
from (
  select {_day("d")} as day, d.label, count(*) as documents
  from documents d
  where {_filters("d")}
  group by 1, 2
)
order by day, label
"""

STANCE_WEEKLY_SQL = f"""
select week, label, documents,
  round(1.0 * documents / sum(documents) over (partition by week), 4) as share
from (
  select date(day, 'weekday 0', '-6 days') as week, label, sum(documents) as documents
  from (
    select {_day("d")} as day, d.label, count(*) as documents
    from documents d
    where {_filters("d")}
    group by 1, 2
  )
  group by 1, 2
)
order by week, label
"""

BY_ACTOR_SQL = f"""
select actor, label, documents,
  round(1.0 * documents / sum(documents) over (partition by actor), 4) as share
from (
  select coalesce(actor, 'unknown') as actor, label, sum(documents) as documents
  from (
    -- grouped in the order of the actor index, so no row is sorted; NULL becomes 'unknown' after
    select d.actor, d.label, count(*) as documents
    from documents d
    where {_filters("d", day_range_uses_index=False)}
    group by d.actor, d.label
  )
  group by 1, 2
)
order by sum(documents) over (partition by actor) desc, actor, label
"""

BY_ITEM_SQL = f"""
with lists as (
  -- one row per distinct items list and label, so json_each runs per list, not per document
  select d.items, d.label, count(*) as documents
  from documents d
  where {_filters("d", day_range_uses_index=False)}
    and d.items is not null and d.items <> '[]'
  group by d.items, d.label
),
counts as (
  select j.value as item, lists.label, sum(lists.documents) as documents
  from lists, json_each(case when json_valid(lists.items) then lists.items end) as j
  where j.type = 'text'
    -- an item listed twice in one document counts once
    and j.key = (select min(k.key) from json_each(lists.items) as k where k.value = j.value)
  group by 1, 2
)
select item, label, documents,
  round(1.0 * documents / sum(documents) over (partition by item), 4) as share
from counts
order by sum(documents) over (partition by item) desc, item, label
"""

TOP_STORIES_SQL = f"""
with recursive labels(label) as (
  -- the distinct labels, found with one seek of the label index per label
  select min(label) from documents
  union all
  select (select min(x.label) from documents x where x.label > labels.label)
  from labels where labels.label is not null
),
top as (
  select l.label, d.id
  from labels l
  join documents d on d.id in (
    select f.id from documents f
    where f.label = l.label
    and {_filters("f")}
    order by {_score("f")} desc, f.id desc
    {_limit(5)}
  )
)
select t.label,
  row_number() over (partition by t.label order by {_score("d")} desc, d.id desc) as rank,
  round({_score("d")}, 4) as score,
  d.title, d.url, d.source, d.published_at,
  (select p.text from passages p
   where p.document_id = d.id and p.label = d.label
   order by p.score desc, p.position limit 1) as evidence,
  d.id as document_id
from top t
join documents d on d.id = t.id
order by t.label, rank
"""

SHIFTS_SQL = f"""
with daily as (
  select {_day("d")} as day, d.label, count(*) as documents
  from documents d
  where {_filters("d", since=f"date(nullif(:since, ''), '-{TRAILING_DAYS} days')")}
  group by 1, 2
),
totals as (
  select day, sum(documents) as total from daily group by day
),
grid as (
  -- every label on every day that has documents, with 0 where the label is absent
  select t.day, l.label, coalesce(x.documents, 0) as documents, t.total,
    cast(julianday(t.day) as integer) as day_number
  from totals t
  cross join (select distinct label from daily) l
  left join daily x on x.day = t.day and x.label = l.label
),
trailing as (
  select grid.*,
    sum(documents) over w as trailing_documents,
    sum(total) over w as trailing_total
  from grid
  window w as (partition by label order by day_number
               range between {TRAILING_DAYS} preceding and 1 preceding)
),
shifted as (
  select day, label, documents, total,
    1.0 * documents / total as share,
    1.0 * trailing_documents / trailing_total as trailing_share,
    trailing_total
  from trailing
  where trailing_total > 0 and day >= coalesce(nullif(:since, ''), {_EARLIEST_DAY})
)
select day, label, documents, total as day_total,
  round(share, 4) as share, round(trailing_share, 4) as trailing_share,
  round(share - trailing_share, 4) as shift, trailing_total as trailing_documents
from shifted
order by round(abs(share - trailing_share), 6) desc, day desc, label
{_limit(20)}
"""

SOURCES_SQL = f"""
select source, sum(documents) as documents,
  coalesce(sum(documents) filter (where label = 'approval'), 0) as approval,
  coalesce(sum(documents) filter (where label = 'block'), 0) as block,
  coalesce(sum(documents) filter (where label = 'restriction'), 0) as restriction,
  coalesce(sum(documents) filter (where label = 'neutral'), 0) as neutral,
  coalesce(sum(documents) filter (where label is null), 0) as unclassified
from (
  -- grouped by source and label first, the order of the source index, so no row is sorted
  select d.source, d.label, count(*) as documents
  from documents d
  where {_filters("d", classified=False, day_range_uses_index=False)}
  group by d.source, d.label
)
group by source
order by documents desc, source
"""

CRAWLS_SQL = f"""
select c.id, c.started_at, c.finished_at,
  cast(round((julianday(c.finished_at) - julianday(c.started_at)) * 86400) as integer) as seconds,
  c.pages_fetched as pages, c.stored, c.updated, c.error_count as errors, c.errors as error_kinds,
  (select count(*) from failures f where f.crawl_id = c.id) as failures,
  c.finish_reason
from crawls c
where date(c.started_at) >= coalesce(nullif(:since, ''), {_EARLIEST_DAY})
  and date(c.started_at) <= coalesce(nullif(:until, ''), {_LATEST_DAY})
order by c.started_at desc, c.id desc
{_limit(-1)}
"""

VIDEOS_SQL = f"""
select {_day("d")} as day, d.title, d.url, d.author, d.source, d.views, d.label,
  d.text as description, d.id as document_id
from documents d
where d.kind = 'video'
  and {_filters("d", classified=False)}
order by 1 desc, d.views desc, d.id desc
{_limit(50)}
"""

QUERIES: dict[str, tuple[str, str]] = {
    "stance-daily": (STANCE_DAILY_SQL, "Classified documents per day and label, with the label's share of the day."),
    "stance-weekly": (STANCE_WEEKLY_SQL, "Classified documents per week (starting Monday) and label, with shares."),
    "by-actor": (BY_ACTOR_SQL, "Classified documents per actor (us, china, other_gov, company, unknown) and label."),
    "by-item": (BY_ITEM_SQL, "Classified documents per named chip or tool (the items list) and label."),
    "top-stories": (TOP_STORIES_SQL, "The most confident documents of each label (:limit per label, default 5), "
                                     "with the best passage of that label as evidence."),
    "shifts": (SHIFTS_SQL, f"Days where a label's share moved most against its share over the {TRAILING_DAYS} "
                           "days before (:limit rows, default 20)."),
    "sources": (SOURCES_SQL, "Documents per source, with how many carry each label (and how many are unclassified)."),
    "crawls": (CRAWLS_SQL, "Crawl history, newest first: pages fetched, documents stored, errors."),
    "videos": (VIDEOS_SQL, "Videos with their descriptions, newest first (:limit rows, default 50)."),
}

COMMON_PARAMS = ("since", "until", "actor", "item", "include_copies", "limit")
_PARAM = re.compile(r"(?<![:\w]):([a-z_]+)\b")


def view_name(name: str) -> str:
    """The SQL view that mirrors the named query: ``stance-daily`` -> ``report_stance_daily``."""
    return "report_" + name.replace("-", "_")


def _view_sql(sql: str) -> str:
    """The unfiltered form of a query: every :param becomes NULL (views cannot take parameters)."""
    return _PARAM.sub("null", sql).strip()


def query_params(name: str) -> tuple[str, ...]:
    """The :parameters a named query takes, in order of first use."""
    sql = _named(name)[0]
    return tuple(dict.fromkeys(_PARAM.findall(sql)))


VIEWS: dict[str, str] = {view_name(name): _view_sql(sql) for name, (sql, _) in QUERIES.items()}

# Indexes the report queries are written for (expression indexes, so not in schema.INDEXES, whose
# entries are plain columns). With them, on a million documents, every query stays under 200 ms
# except an item filter over the whole history (~250 ms); without them the same answers take
# 1-2.5 s (BENCHMARKS.md, "Queries and digest").
REPORT_INDEXES: dict[str, str] = {
    "idx_documents_report_day": f"documents ({_day()}, label, actor, duplicate_of, items)",
    "idx_documents_report_actor": f"documents (actor, label, {_day()}, duplicate_of, items)",
    "idx_documents_report_score": f"documents (label, {_score()})",
    "idx_documents_report_source": f"documents (source, label, {_day()}, duplicate_of, actor, items)",
    "idx_documents_report_items": f"documents (items, label, {_day()}, duplicate_of, actor)",
}


def create_report_indexes(db: sqlite_utils.Database) -> list[str]:
    """Create missing REPORT_INDEXES (and rebuild any whose definition changed); return their names."""
    existing = dict(db.execute("select name, sql from sqlite_master where type = 'index' and sql is not null"))
    created = []
    for name, target in REPORT_INDEXES.items():
        if name in existing and " ".join(existing[name].split()).endswith(" ".join(target.split())):
            continue
        with db.atomic():
            db.execute(f"drop index if exists {name}")  # fixed names and SQL only, no user input
            db.execute(f"create index {name} on {target}")
        created.append(name)
    return created


# --- Running named queries -----------------------------------------------------------------------

_DAY_FORMAT = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_day(value: str | date, what: str = "date") -> date:
    """A ``YYYY-MM-DD`` string (or a date) as a date; QueryError otherwise."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DAY_FORMAT.fullmatch(value):
        raise QueryError(f"{what} must be YYYY-MM-DD, got {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise QueryError(f"{what} is not a real date: {value!r}") from None


def _named(name: str) -> tuple[str, str]:
    try:
        return QUERIES[name]
    except KeyError:
        raise UnknownQueryError(f"unknown query {name!r} (choose from: {', '.join(QUERIES)})") from None


def query_sql(
    name: str, *, since: str | date | None = None, until: str | date | None = None,
    actor: str | None = None, item: str | None = None, include_copies: bool = False,
    limit: int | None = None,
) -> tuple[str, dict[str, Any]]:
    """Return the SQL and the bound parameters for the named query.

    :param name: a key of ``QUERIES``, e.g. ``stance-daily``
    :param since: first day (inclusive), ``YYYY-MM-DD``
    :param until: last day (inclusive), ``YYYY-MM-DD``
    :param actor: only documents with this actor (``unknown`` also matches a missing actor)
    :param item: only documents whose items list holds this item
    :param include_copies: count duplicates as well as originals
    :param limit: rows (``shifts``, ``videos``, ``crawls``) or rows per label (``top-stories``)
    """
    sql, _ = _named(name)
    accepted = query_params(name)
    given = {"since": since, "until": until, "actor": actor, "item": item,
             "include_copies": 1 if include_copies else None, "limit": limit}
    for key, value in given.items():
        if value is not None and key not in accepted:
            raise QueryError(f"query {name!r} does not take {key.replace('_', '-')}")
    if since is not None:
        given["since"] = parse_day(since, "since").isoformat()
    if until is not None:
        given["until"] = parse_day(until, "until").isoformat()
    if given["since"] and given["until"] and given["since"] > given["until"]:
        raise QueryError(f"since ({given['since']}) is after until ({given['until']})")
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        raise QueryError(f"limit must be a positive whole number, got {limit!r}")
    return sql, {key: given[key] for key in accepted}


def run_query(db: sqlite_utils.Database, name: str, **params: Any) -> list[dict]:
    """Run a named query (see :func:`query_sql` for the parameters) and return its rows."""
    sql, bound = query_sql(name, **params)
    return list(db.query(sql, bound))


# --- Full-text search ----------------------------------------------------------------------------

TITLE_WEIGHT = 5.0  # a match in the title counts five times one in the body (bm25 column weight)
SNIPPET_TOKENS = 16  # words of context in each snippet

SEARCH_SQL = f"""
select d.id, {_day("d")} as day, d.kind, d.label, d.source, d.title, d.url,
  snippet(documents_fts, -1, :mark_start, :mark_end, '…', {SNIPPET_TOKENS}) as snippet,
  round(bm25(documents_fts, {TITLE_WEIGHT}, 1.0), 4) as rank
from documents_fts
join documents d on d.id = documents_fts.rowid
where documents_fts match :query
  and (d.duplicate_of is null or {_INCLUDE_COPIES})
order by bm25(documents_fts, {TITLE_WEIGHT}, 1.0), d.id
{_limit(20)}
"""


def fts_query(phrase: str) -> str:
    """Quote every word of a user's phrase for FTS5, so that no character acts as syntax.

    The words must all occur (FTS5's implicit AND), in any order.
    """
    words = phrase.split()
    if not words:
        raise QueryError("nothing to search for")
    return " ".join('"' + word.replace('"', '""') + '"' for word in words)


def search_sql(phrase: str, *, limit: int = 20, include_copies: bool = False, raw: bool = False,
               mark: tuple[str, str] = ("«", "»")) -> tuple[str, dict[str, Any]]:
    """Return the SQL and parameters for a ranked full-text search.

    :param phrase: words to find (all must occur); with ``raw`` an FTS5 query as typed
    :param limit: the most results to return
    :param include_copies: also return duplicates of other documents
    :param raw: pass ``phrase`` to FTS5 unquoted (its query syntax then applies)
    :param mark: strings placed before and after each matched word in the snippet
    """
    if not isinstance(limit, int) or limit < 1:
        raise QueryError(f"limit must be a positive whole number, got {limit!r}")
    query = phrase.strip() if raw else fts_query(phrase)
    if not query:
        raise QueryError("nothing to search for")
    return SEARCH_SQL, {"query": query, "limit": limit, "include_copies": 1 if include_copies else None,
                        "mark_start": mark[0], "mark_end": mark[1]}


def search(db: sqlite_utils.Database, phrase: str, **options: Any) -> list[dict]:
    """Search titles and texts, best match first (see :func:`search_sql` for the options)."""
    sql, params = search_sql(phrase, **options)
    try:
        return list(db.query(sql, params))
    except sqlite3.OperationalError as error:  # only reachable with raw=True: FTS5 syntax errors
        raise QueryError(f"search failed: {error}") from None


# --- Read-only SQL -------------------------------------------------------------------------------


def _deny_attach(action: int, *_: object) -> int:
    # ATTACH opens (and would create) another file outside mode=ro; nothing read-only needs it
    return sqlite3.SQLITE_DENY if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH) else sqlite3.SQLITE_OK


def connect_readonly(path: str | Path) -> sqlite3.Connection:
    """Open an existing database read-only (URI ``mode=ro``, ``PRAGMA query_only``, no ATTACH)."""
    path = Path(path)
    if not path.is_file():
        raise QueryError(f"database not found: {path}")
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    conn.execute("pragma query_only = on")
    conn.set_authorizer(_deny_attach)
    return conn


_REFUSALS = ("readonly", "read-only", "not authorized", "authorization denied")  # mode=ro, query_only, authorizer


def readonly_query(path: str | Path, sql: str, params: Mapping[str, Any] | None = None
                   ) -> tuple[list[str], list[tuple]]:
    """Run one statement on a read-only connection; return (column names, rows).

    Raises ReadOnlyError for any statement that would write, QueryError for other SQL errors.
    """
    conn = connect_readonly(path)
    try:
        cursor = conn.execute(sql, dict(params or {}))
        columns = [column[0] for column in cursor.description or ()]
        return columns, cursor.fetchall()
    except sqlite3.ProgrammingError as error:  # e.g. two statements, a missing parameter
        raise QueryError(f"sql error: {error}") from None
    except sqlite3.DatabaseError as error:  # OperationalError and the other SQL errors
        message = str(error)
        if any(sign in message for sign in _REFUSALS):
            raise ReadOnlyError(f"refused: chipwatch sql is read-only ({message})") from None
        raise QueryError(f"sql error: {message}") from None
    finally:
        conn.close()


# --- Datasette -----------------------------------------------------------------------------------

DATASETTE_METADATA_PATH = Path(__file__).with_name("datasette-metadata.json")


def datasette_metadata(database: str = "chipwatch") -> dict:
    """Datasette metadata with every named query as a canned query of ``database``."""
    return {
        "title": "chipwatch",
        "description": "Coverage of semiconductor trade policy, with the stance of each document "
                       "(approval, block, restriction, neutral). Blank parameters mean no filter; "
                       "include_copies=1 also counts duplicates.",
        "databases": {
            database: {
                "queries": {
                    name: {"title": name, "description": description, "sql": sql.strip()}
                    for name, (sql, description) in QUERIES.items()
                },
            },
        },
    }


def iter_queries() -> Iterator[tuple[str, str, str]]:
    """(name, view name, description) for every named query."""
    for name, (_, description) in QUERIES.items():
        yield name, view_name(name), description

UNLABELLED_DOCUMENTS_SQL = """
select id, title, text, kind from documents where label is null order by id
"""

UNLABELLED_COUNT_SQL = """
select count(*) as n from documents where label is null
"""


if __name__ == "__main__":  # python -m db.queries > db/datasette-metadata.json
    import json

    print(json.dumps(datasette_metadata(), indent=2, ensure_ascii=False))
