"""Report commands (query, sql, search, digest), registered on the main `cli` group."""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import click

from chipwatch.cli import CONTEXT, _existing_db, cli, db_option
from chipwatch.digest import DEFAULT_DAYS, FORMATS as DIGEST_FORMATS, MAX_DAYS
from chipwatch.output import FORMATS, rows_from_dicts, write_rows, write_search_hits
from db.queries import QUERIES

_QUERY_LIST = "\n".join(f"  {name:14} {description}" for name, (_, description) in QUERIES.items())


def format_option(func):
    return click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
                        help="Output format.")(func)


def _open(db_path: str):
    from db.schema import open_db

    return open_db(_existing_db(db_path))


def _emit(records: list[dict], fmt: str) -> None:
    write_rows(*rows_from_dicts(records), fmt, sys.stdout)


def _digest_day(value: str) -> date | str:
    today = datetime.now(timezone.utc).date()
    return {"today": today, "yesterday": today - timedelta(days=1)}.get(value, value)


@cli.command(context_settings=CONTEXT, help=f"""Run a named trend query and print its rows.

Filters left out mean no filter; days are UTC, YYYY-MM-DD, inclusive. Only originals are
counted unless --include-copies. Each query is also the SQL view report_<name>.

\b
Queries:
{_QUERY_LIST}

\b
Example:
    chipwatch query stance-daily --db chips.db --since 2026-01-01
    chipwatch query top-stories --db chips.db --item H200 --format json
""")
@click.argument("name")
@db_option
@click.option("--since", metavar="DATE", help="First day (YYYY-MM-DD).")
@click.option("--until", metavar="DATE", help="Last day (YYYY-MM-DD).")
@click.option("--actor", metavar="ACTOR", help="us, china, other_gov, company or unknown.")
@click.option("--item", metavar="ITEM", help="A chip or tool from the items list, e.g. H200.")
@click.option("--include-copies", is_flag=True, help="Count duplicates as well as originals.")
@click.option("--limit", type=click.IntRange(min=1),
              help="Rows (shifts, videos, crawls) or rows per label (top-stories).")
@format_option
def query(name, db_path, since, until, actor, item, include_copies, limit, fmt):
    from db.queries import QueryError, run_query

    try:
        rows = run_query(_open(db_path), name, since=since, until=until, actor=actor, item=item,
                         include_copies=include_copies, limit=limit)
    except QueryError as error:
        raise click.ClickException(str(error)) from None
    _emit(rows, fmt)


@cli.command(context_settings=CONTEXT)
@click.argument("statement", metavar="SQL")
@db_option
@click.option("-p", "--param", "params", nargs=2, multiple=True, metavar="NAME VALUE",
              help="Bind :NAME to VALUE (repeatable).")
@format_option
def sql(statement, db_path, params, fmt):
    """Run one SQL statement on a read-only connection; writes are refused.

    \b
    Example:
        chipwatch sql "select label, count(*) from documents group by label" --db chips.db
        chipwatch sql "select * from report_by_actor where actor = :a" -p a china --db chips.db
    """
    from db.queries import QueryError, readonly_query

    try:
        columns, rows = readonly_query(_existing_db(db_path), statement, dict(params))
    except QueryError as error:
        raise click.ClickException(str(error)) from None
    write_rows(columns, rows, fmt, sys.stdout)


@cli.command(context_settings=CONTEXT)
@click.argument("phrase")
@db_option
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, help="Most results to show.")
@click.option("--include-copies", is_flag=True, help="Also show duplicates of other documents.")
@click.option("--raw", is_flag=True, help="Pass PHRASE to SQLite FTS5 as a query (AND, OR, NEAR, \"...\", prefix*).")
@format_option
def search(phrase, db_path, limit, include_copies, raw, fmt):
    """Full-text search of titles and texts, best match first, with snippets and links.

    Every word of PHRASE must occur; a title match counts more than one in the text.

    \b
    Example:
        chipwatch search "H200 customs" --db chips.db
        chipwatch search '"export licence" OR waiver' --raw --db chips.db --format json
    """
    from db.queries import QueryError, search as run_search

    try:
        rows = run_search(_open(db_path), phrase, limit=limit, include_copies=include_copies, raw=raw)
    except QueryError as error:
        raise click.ClickException(str(error)) from None
    if fmt == "table":
        write_search_hits(rows, sys.stdout)
    else:
        _emit(rows, fmt)


@cli.command(context_settings=CONTEXT)
@db_option
@click.option("--date", "day", default="today", show_default=True, metavar="DATE",
              help="The digest's day (UTC): YYYY-MM-DD, today or yesterday.")
@click.option("--days", type=click.IntRange(1, MAX_DAYS), default=DEFAULT_DAYS, show_default=True,
              help="Days covered by the trend chart and the shifts, ending on DATE.")
@click.option("--format", "fmt", type=click.Choice(DIGEST_FORMATS),
              help="Output format [default: from the --out suffix, else html].")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Write here (a Markdown digest gets its PNG chart beside it). Default: standard output.")
@click.option("--mail-to", multiple=True, metavar="ADDR", help="Also e-mail the digest to ADDR (repeatable).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), envvar="CHIPWATCH_CONFIG",
              default="chipwatch.toml", show_default=True, metavar="FILE",
              help="TOML file with the [smtp] settings used by --mail-to (or $CHIPWATCH_CONFIG).")
def digest(db_path, day, days, fmt, out_path, mail_to, config_path):
    """Write the daily digest: labels against the trailing week, actors, items, top stories
    with evidence, new videos, notable shifts and a trend chart.

    HTML is self-contained (inline SVG chart); Markdown links a PNG chart beside it; the
    plain-text form is also the body of the e-mail sent with --mail-to.

    \b
    Example:
        chipwatch digest --db chips.db --date 2026-01-15 --out digest.html
        chipwatch digest --db chips.db --date yesterday --format txt --mail-to desk@example.org
    """
    from chipwatch.digest import DigestError, publish_digest

    suffix = out_path.suffix.lstrip(".").lower() if out_path else ""
    fmt = fmt or (suffix if suffix in DIGEST_FORMATS else "html")
    try:
        result = publish_digest(_open(db_path), _digest_day(day), days=days, fmt=fmt, out=out_path,
                                mail_to=mail_to, config=config_path if mail_to else None)
    except DigestError as error:
        raise click.ClickException(str(error)) from None
    if out_path is None:
        click.echo(result.text, nl=False)
    else:
        click.echo("wrote " + ", ".join(str(path) for path in result.files), err=True)
    if result.mailed_to:
        click.echo("mailed to " + ", ".join(result.mailed_to), err=True)
