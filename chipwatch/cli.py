"""The chipwatch command line: thin commands over the crawler, classifier and db packages."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from chipwatch import __version__

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
# Failures are counted in the summary line and kept in the `failures` table, so a crawl is quiet by
# default; -v shows warnings and errors as they happen, -vv progress, -vvv everything.
LOG_LEVELS = ("CRITICAL", "WARNING", "INFO", "DEBUG")


def db_option(func):
    return click.option("--db", "db_path", default="chipwatch.db", show_default=True, metavar="PATH",
                        help="SQLite database file.")(func)


def verbose_option(func):
    return click.option("-v", "--verbose", count=True, help="More log output (-v warnings and errors, -vv info, -vvv debug).")(func)


def _log_level(verbose: int) -> str:
    return LOG_LEVELS[min(verbose, len(LOG_LEVELS) - 1)]


def _existing_db(db_path: str) -> str:
    if not Path(db_path).is_file():
        raise click.ClickException(f"database not found: {db_path} (run `chipwatch crawl` or `chipwatch demo` first)")
    return db_path


def _writable_db(db_path: str) -> str:
    parent = Path(db_path).resolve().parent
    if not parent.is_dir():
        raise click.ClickException(f"directory does not exist: {parent}")
    return db_path


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, prog_name="chipwatch")
def cli() -> None:
    """chipwatch: watch news and video coverage of semiconductor trade policy.

    \b
    Example:
        chipwatch demo
        chipwatch crawl --db chips.db https://example.com/feed.xml
    """
    # No root handler here: a crawl installs Scrapy's (at LOG_LEVEL), and elsewhere Python's
    # last-resort handler prints warnings; two handlers would print every crawl error twice.


@cli.command(context_settings=CONTEXT)
@db_option
@click.option("--sources", "sources_file", metavar="FILE", help="TOML file of [[source]] entries (default: the bundled list).")
@click.option("-s", "--set", "settings", multiple=True, metavar="NAME=VALUE", help="Override a Scrapy setting for this run.")
@click.option("--spider", default="chipwatch", show_default=True, help="Spider: chipwatch (any kind), feeds, sitemaps, pages, video.")
@click.option("--follow", is_flag=True, help="Follow same-site links that mention tracked keywords.")
@click.option("--no-classify", is_flag=True, help="Store documents without labelling their stance.")
@click.option("--refresh", is_flag=True, help="Re-fetch everything: ignore ETag/Last-Modified and known articles.")
@verbose_option
@click.argument("urls", nargs=-1)
def crawl(db_path, sources_file, settings, spider, follow, no_classify, refresh, verbose, urls):
    """Crawl feeds, sitemaps, articles, watch pages or mirror pages into SQLite.

    Each URL's kind is detected from the response. With no URL, the sources file is used.

    \b
    Example:
        chipwatch crawl --db chips.db https://www.eetimes.com/feed/
        chipwatch crawl --sources my-sources.toml -s DOWNLOAD_TIMEOUT=10
    """
    from crawler.run import CrawlSettingsError, parse_setting_overrides, run_crawl
    from crawler.sources import SourcesError, is_http_url, load_sources

    bad = [u for u in urls if not is_http_url(u)]
    if bad:
        raise click.ClickException(f"not an http(s) URL: {bad[0]}")
    try:
        overrides = parse_setting_overrides(settings)
        sources = [{"url": u, "name": None} for u in urls]
        if sources_file or not urls:
            sources += [s.as_dict() for s in load_sources(sources_file)]
    except (SourcesError, CrawlSettingsError) as error:
        raise click.ClickException(str(error)) from None
    overrides.setdefault("LOG_LEVEL", _log_level(verbose))
    if follow:
        overrides["CHIPWATCH_FOLLOW_LINKS"] = True
    if no_classify:
        overrides["CHIPWATCH_CLASSIFY"] = False
    if refresh:
        overrides["CHIPWATCH_REFRESH"] = True
    try:
        summary = run_crawl(_writable_db(db_path), sources, overrides, spider_name=spider)
    except CrawlSettingsError as error:
        raise click.ClickException(str(error)) from None
    click.echo(summary.line())


@cli.command(context_settings=CONTEXT)
@db_option
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option("--out", "out_path", metavar="FILE", help="Write here instead of standard output.")
def export(db_path, fmt, out_path):
    """Export every stored document (url, kind, title, author, date, views, text, labels).

    \b
    Example:
        chipwatch export --db chips.db --format csv --out chips.csv
    """
    from chipwatch.export import write_export
    from db.schema import open_db

    db = open_db(_existing_db(db_path))
    if out_path:
        with open(out_path, "w", encoding="utf-8", newline="") as out:
            count = write_export(db, out, fmt)
        click.echo(f"exported {count} documents to {out_path}", err=True)
    else:
        write_export(db, sys.stdout, fmt)


@cli.command(context_settings=CONTEXT)
@click.option("--db", "db_path", default="chipwatch.db", show_default=True, metavar="PATH", help="SQLite database file.")
@click.option("--no-classify", is_flag=True, help="Store documents without labelling their stance.")
@verbose_option
def demo(db_path, no_classify, verbose):
    """Serve the bundled sample site on 127.0.0.1, crawl it, and show what was stored.

    Works offline: four outlets (RSS, Atom, news sitemap), a YouTube channel feed, watch
    pages and video mirror pages in Russian and English.

    \b
    Example:
        chipwatch demo --db chipwatch.db
    """
    from chipwatch.demo import run_demo

    overrides = {"LOG_LEVEL": _log_level(verbose)}
    if no_classify:
        overrides["CHIPWATCH_CLASSIFY"] = False
    summary, rows = run_demo(_writable_db(db_path), overrides)
    for row in rows:
        label = row.get("label") or "-"
        views = "" if row["views"] is None else f" · {row['views']:,} views"
        click.echo(f"{row['kind']:7} {label:11} {(row['published_at'] or '')[:10]:10}  {row['title']}"
                   f"  — {row['author'] or 'unknown author'}{views}")
    click.echo(summary.line())


def main() -> None:
    cli()


def model_dir_option(func):
    return click.option("--model-dir", metavar="DIR", help="Model directory (default: $CHIPWATCH_MODEL_DIR or ~/.cache/chipwatch/model).")(func)


def _progress(message: str) -> None:
    click.echo(message, err=True)


@cli.command(context_settings=CONTEXT)
@model_dir_option
@click.option("--search", is_flag=True, help="Choose hyper-parameters by 5-fold grid search first (slower).")
def train(model_dir, search):
    """Train the stance model from the labelled corpus and write it with a metadata sidecar.

    \b
    Example:
        chipwatch train
        chipwatch train --search --model-dir models/
    """
    from classifier.corpus import CorpusError
    from classifier.train import train_model

    try:
        meta = train_model(model_dir, search=search, progress=_progress)
    except CorpusError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{meta['model_version']}: CV macro-F1 {meta['metrics']['cv']['macro_f1']:.3f}, "
               f"frozen-split macro-F1 {meta['metrics']['frozen_eval']['macro_f1']:.3f}")


@cli.command(context_settings=CONTEXT)
@model_dir_option
@click.option("--cv", is_flag=True, help="Also cross-validate on the corpus (5 folds).")
@click.option("--json", "as_json", is_flag=True, help="Print metrics as JSON.")
@click.argument("file", required=False)
def evaluate(model_dir, cv, as_json, file):
    """Evaluate the model on a labelled JSONL file: macro-F1, per-label P/R/F1, confusion matrix.

    \b
    Example:
        chipwatch evaluate ../shared/data/stance_dev.jsonl
        chipwatch evaluate --cv
    """
    import json as json_module

    from classifier.corpus import CorpusError, read_jsonl
    from classifier.evaluate import evaluate_rows, format_report
    from classifier.predict import load_or_train

    if not file and not cv:
        raise click.ClickException("give a labelled JSONL file, or --cv")
    if file and not Path(file).is_file():
        raise click.ClickException(f"file not found: {file}")
    results = {}
    try:
        model = load_or_train(model_dir, progress=_progress)
        if file:
            results["file"] = evaluate_rows(model, read_jsonl(file))
    except CorpusError as error:
        raise click.ClickException(str(error)) from None
    if cv:
        results["cv"] = {"passages": model.meta["metrics"]["cv"], "documents": model.meta["metrics"]["documents"]}
    if as_json:
        click.echo(json_module.dumps(results, indent=2))
        return
    for name, result in results.items():
        click.echo(f"== {name if name != 'file' else file} ({model.version})")
        click.echo(format_report(result))


@cli.command(context_settings=CONTEXT)
@model_dir_option
@click.option("--db", "db_path", metavar="PATH", help="Re-label every document stored in this database instead.")
def classify(model_dir, db_path):
    """Label passages or documents: JSONL (or plain text lines) on stdin, JSONL on stdout.

    Input lines: {"id": ..., "text": ..., "kind": "passage"|"document"} (a document's first
    line is its title), or plain text (one passage per line).

    \b
    Example:
        echo '{"id": 1, "text": "Beijing halted H200 imports."}' | chipwatch classify
        chipwatch classify --db chipwatch.db
    """
    import json as json_module

    from classifier.predict import classify_texts, load_or_train

    model = load_or_train(model_dir, progress=_progress)
    if db_path:
        from chipwatch.relabel import relabel_documents
        from db.schema import open_db

        count = relabel_documents(open_db(_existing_db(db_path)), model,
                                  progress=lambda done, total: _progress(f"classified {done}/{total}"))
        click.echo(f"re-labelled {count} documents with {model.version}")
        return

    def rows():
        for number, line in enumerate(sys.stdin, start=1):
            line = line.strip()
            if not line:
                continue
            if line.startswith("{"):
                try:
                    yield json_module.loads(line)
                    continue
                except json_module.JSONDecodeError:
                    raise click.ClickException(f"line {number}: not valid JSON") from None
            yield {"id": number, "text": line, "kind": "passage"}

    for result in classify_texts(model, rows()):
        click.echo(json_module.dumps(result, ensure_ascii=False))


@cli.command(context_settings=CONTEXT)
@db_option
@click.option("--sources", "sources_file", metavar="FILE", help="Sources TOML (default: the bundled list).")
@click.option("--reports", "reports_dir", metavar="DIR", help="Write today's digest into this directory.")
@click.option("--refresh", is_flag=True, help="Ignore ETag/Last-Modified and re-fetch known articles.")
@click.option("-s", "--set", "settings", multiple=True, metavar="NAME=VALUE", help="Override a Scrapy setting.")
@verbose_option
def run(db_path, sources_file, reports_dir, refresh, settings, verbose):
    """One cycle: crawl the sources that are due, classify what is new, write today's digest.

    Only one cycle runs per database at a time: a second one exits at once with code 75.

    \b
    Example:
        chipwatch run --db chips.db --reports reports/
    """
    from chipwatch.cycle import ALREADY_RUNNING_EXIT, AlreadyRunning, run_cycle
    from crawler.run import CrawlSettingsError, parse_setting_overrides
    from crawler.sources import SourcesError

    try:
        overrides = parse_setting_overrides(settings)
        overrides.setdefault("LOG_LEVEL", _log_level(verbose))
        report = run_cycle(_writable_db(db_path), sources_file=sources_file, reports_dir=reports_dir,
                           refresh=refresh, overrides=overrides)
    except AlreadyRunning as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(ALREADY_RUNNING_EXIT)
    except (SourcesError, CrawlSettingsError) as error:
        raise click.ClickException(str(error)) from None
    for source in report.disabled:
        click.echo(f"disabled source: {source['url']} ({source['consecutive_failures']} failures in a row)", err=True)
    click.echo(report.line())


@cli.command(context_settings=CONTEXT)
@db_option
@click.option("--every", default="1h", show_default=True, help="Interval: 10m, 1h, 6h, 1d ...")
@click.option("--sources", "sources_file", metavar="FILE", help="Sources TOML (default: the bundled list).")
@click.option("--reports", "reports_dir", metavar="DIR", help="Write each day's digest here.")
@click.option("--print", "print_format", type=click.Choice(["cron", "systemd"]), help="Print a crontab line or systemd units instead of running.")
@click.option("--cycles", type=int, hidden=True, help="Stop after this many cycles (for tests).")
def schedule(db_path, every, sources_file, reports_dir, print_format, cycles):
    """Run cycles every --every until SIGTERM/SIGINT (the current cycle always finishes).

    Each cycle is its own process, as Scrapy's reactor cannot restart.

    \b
    Example:
        chipwatch schedule --every 1h --db chips.db --reports reports/
        chipwatch schedule --every 1h --print systemd
    """
    from chipwatch.schedule import ScheduleError, cron_line, parse_every, run_command, run_forever, systemd_units

    try:
        every_s = parse_every(every)
        command = run_command(str(Path(db_path).resolve()), sources_file and str(Path(sources_file).resolve()),
                              reports_dir and str(Path(reports_dir).resolve()))
        if print_format == "cron":
            click.echo(cron_line(every_s, command))
        elif print_format == "systemd":
            click.echo(systemd_units(every_s, command, str(Path.cwd())))
        else:
            run_forever(every_s, command, echo=lambda m: click.echo(m, err=True), max_cycles=cycles)
    except ScheduleError as error:
        raise click.ClickException(str(error)) from None


# Commands for reports (query, sql, search, digest) and the run cycle register themselves on `cli`.
from chipwatch import cli_reports  # noqa: E402,F401  (import for side effect: command registration)
