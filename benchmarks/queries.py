"""Time every named report query, search and the daily digest on a generated 1,000,000-document database.

    python benchmarks/queries.py                      # generate (about a minute), time, update BENCHMARKS.md
    python benchmarks/queries.py --reuse              # time an already generated database again
    python benchmarks/queries.py --documents 100000 --no-write

The database goes through the real schema (db.schema.open_db) plus db.queries.REPORT_INDEXES. For
speed it is bulk-loaded with the indexes, FTS table and triggers dropped, then ensure_schema() puts
them all back (and fills the FTS index), so the end state is the schema's own. No ANALYZE is run:
the planner sees what it sees on a user's database.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlite_utils  # noqa: E402

from chipwatch.digest import build_digest, render_digest, write_digest  # noqa: E402
from db import queries  # noqa: E402
from db.schema import ensure_schema, open_db  # noqa: E402

SEED = 20260131
END_DAY = date(2026, 1, 31)
SPAN_DAYS = 730  # two years of coverage
TARGET_QUERY_MS = 200
TARGET_DIGEST_MS = 2000
SECTION = "## Queries and digest"
BENCHMARKS_MD = ROOT / "BENCHMARKS.md"

LABELS = ("approval", "block", "restriction", "neutral")
LABEL_WEIGHTS = (12, 18, 25, 43)  # plus 2% unclassified
ACTORS = ("us", "china", "other_gov", "company", None)
ACTOR_WEIGHTS = (38, 30, 10, 17, 5)
ITEMS = ("H20", "H200", "H100", "B30A", "Blackwell", "MI308", "Ascend", "HBM", "EUV", "DUV", "gallium", "germanium")
SOURCES = [f"source-{n:03d}" for n in range(200)]
SENTENCES = (
    "Regulators in Beijing signalled that the largest platforms may start placing orders for the {item}.",
    "Customs officers were told the {item} is not allowed into the country.",
    "Buyers will have to take domestically designed processors alongside every foreign {item} order.",
    "Washington reversed its ban and began issuing licences for the {item} again.",
    "A group of former security officials asked the Commerce Secretary to stop {item} sales.",
    "Shipments of the {item} would be capped at half of the volume sold to domestic customers.",
    "Two of the largest cloud providers each want more than 200,000 {item} units.",
    "The company's chief executive visited Shanghai this week to discuss the {item}.",
    "Lawmakers urged the administration to add more chipmakers to the Entity List.",
    "Export licence applications for {item} shipments are reviewed case by case.",
    "Analysts expect demand for {item} accelerators to keep growing next quarter.",
    "The ministry said gallium and germanium exports need a permit from next month.",
)

SCENARIOS = {  # name -> filters; every query runs under each that it accepts
    "all": {},
    "30 days": {"since": END_DAY - timedelta(days=29), "until": END_DAY},
    "1 day": {"since": END_DAY, "until": END_DAY},
    "actor": {"actor": "china"},
    "item": {"item": "H200"},
    "item, 30 days": {"item": "H200", "since": END_DAY - timedelta(days=29)},
}


# --- Generation ----------------------------------------------------------------------------------


def _pools(rng: random.Random) -> tuple[dict, list]:
    scores = {}
    for label in LABELS:
        pool = []
        for _ in range(500):
            raw = {name: rng.random() for name in LABELS}
            raw[label] += 2.5
            total = sum(raw.values())
            pool.append(json.dumps({k: round(v / total, 4) for k, v in raw.items()}, sort_keys=True))
        scores[label] = pool
    items = [json.dumps(rng.sample(ITEMS, rng.choice((0, 0, 1, 1, 1, 2, 3)))) for _ in range(2000)]
    return scores, items


def _documents(count: int, rng: random.Random):
    scores, items = _pools(rng)
    start = datetime.combine(END_DAY, datetime.min.time(), tzinfo=timezone.utc) - timedelta(days=SPAN_DAYS - 1)
    offsets = sorted(rng.randrange(SPAN_DAYS * 86400) for _ in range(count))  # ids follow publication
    for doc_id, offset in enumerate(offsets, start=1):
        moment = start + timedelta(seconds=offset)
        fetched = (moment + timedelta(minutes=rng.randrange(5, 600))).isoformat()
        form = rng.random()
        published = moment.isoformat() if form < 0.9 else moment.date().isoformat() if form < 0.95 else None
        label = rng.choices(LABELS, LABEL_WEIGHTS)[0] if rng.random() >= 0.02 else None
        item_list = rng.choice(items)
        named = json.loads(item_list)
        text = " ".join(rng.choice(SENTENCES).format(item=named[0] if named else "chips") for _ in range(3))
        kind = "video" if rng.random() < 0.15 else "article"
        source = rng.choice(SOURCES)
        yield (
            doc_id, f"https://{source}.example/{doc_id}", kind, text.split(".")[0][:90], None, published,
            fetched, text, rng.randrange(100, 500_000) if kind == "video" else None, "en", source,
            rng.randrange(1, doc_id) if doc_id > 100 and rng.random() < 0.1 else None,
            label, json.dumps([label]) if label else None, rng.choice(scores[label]) if label else None,
            rng.choices(ACTORS, ACTOR_WEIGHTS)[0], "export", item_list, "reported", "bench",
        )


def _passages(count: int, rng: random.Random):
    for doc_id in range(1, count + 1):
        for position in range(2):
            label = rng.choice(LABELS)
            text = f"Passage {position} of document {doc_id}."
            yield doc_id, position, text, label, round(rng.random(), 4), "{}", "bench"


def _crawls(rng: random.Random):
    start = datetime.combine(END_DAY - timedelta(days=SPAN_DAYS - 1), datetime.min.time(), tzinfo=timezone.utc)
    for n in range(SPAN_DAYS * 4):  # every six hours
        began = start + timedelta(hours=6 * n)
        errors = rng.choice((0, 0, 0, 1, 2))
        yield (n + 1, began.isoformat(), (began + timedelta(seconds=rng.randrange(60, 900))).isoformat(),
               rng.randrange(50, 400), rng.randrange(0, 400), rng.randrange(0, 20), errors,
               json.dumps({"timeout": errors} if errors else {}), "finished")


DOCUMENT_COLUMNS = ("id, url, kind, title, author, published_at, fetched_at, text, views, language, source, "
                    "duplicate_of, label, labels, scores, actor, direction, items, status, model_version")


def generate(path: Path, count: int, seed: int = SEED) -> float:
    """Build the benchmark database at path; return the seconds it took."""
    began = time.perf_counter()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    open_db(path).close()
    conn = sqlite3.connect(path)
    conn.execute("pragma journal_mode = off")  # a throwaway bulk load: no journal, no fsync
    conn.execute("pragma synchronous = off")
    conn.execute("pragma cache_size = -400000")
    for (name,) in conn.execute("select name from sqlite_master where type = 'index' and sql is not null").fetchall():
        conn.execute(f'drop index "{name}"')
    for (name,) in conn.execute("select name from sqlite_master where type = 'trigger'").fetchall():
        conn.execute(f'drop trigger "{name}"')
    conn.execute("drop table if exists documents_fts")
    rng = random.Random(seed)
    with conn:
        conn.executemany(f"insert into documents ({DOCUMENT_COLUMNS}) values ({', '.join('?' * 20)})",
                         _documents(count, rng))
        conn.executemany("insert into passages (document_id, position, text, label, score, scores, model_version)"
                         " values (?, ?, ?, ?, ?, ?, ?)", _passages(count, rng))
        conn.executemany("insert into crawls (id, started_at, finished_at, pages_fetched, stored, updated,"
                         " error_count, errors, finish_reason) values (?, ?, ?, ?, ?, ?, ?, ?, ?)", _crawls(rng))
    conn.close()
    db = sqlite_utils.Database(path)
    db.execute("pragma journal_mode = wal")
    ensure_schema(db)  # indexes, FTS table (filled from documents) and its triggers, views
    queries.create_report_indexes(db)
    db.close()
    return time.perf_counter() - began


# --- Timing --------------------------------------------------------------------------------------


def _time(func, runs: int) -> tuple[float, object]:
    func()  # warm the page cache and the statement cache
    times, result = [], None
    for _ in range(runs):
        began = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000, result


def time_queries(db: sqlite_utils.Database, runs: int) -> dict[str, dict[str, tuple[float, int]]]:
    """name -> scenario -> (median ms, rows); the "view" scenario reads the report_ view."""
    results: dict[str, dict[str, tuple[float, int]]] = {}
    for name in queries.QUERIES:
        accepted = queries.query_params(name)
        results[name] = {}
        for scenario, filters in SCENARIOS.items():
            if any(key not in accepted for key in filters):
                continue
            sql, params = queries.query_sql(name, **filters)
            ms, rows = _time(lambda: list(db.query(sql, params)), runs)
            results[name][scenario] = (ms, len(rows))
        ms, rows = _time(lambda: list(db.query(f"select * from {queries.view_name(name)}")), runs)
        results[name]["view"] = (ms, len(rows))
    return results


def time_without_report_indexes(db: sqlite_utils.Database) -> dict[str, dict[str, float]]:
    """name -> {"all", "1 day"} -> ms with REPORT_INDEXES dropped (the schema as shipped without them)."""
    for name in queries.REPORT_INDEXES:
        db.execute(f"drop index if exists {name}")
    results = {}
    for name in queries.QUERIES:
        results[name] = {}
        for scenario in ("all", "1 day"):
            sql, params = queries.query_sql(name, **SCENARIOS[scenario])
            results[name][scenario] = _time(lambda: list(db.query(sql, params)), 1)[0]
    queries.create_report_indexes(db)
    return results


def time_search(db: sqlite_utils.Database, runs: int) -> dict[str, tuple[float, int]]:
    results = {}
    for phrase in ("H200 customs", "gallium permit", "Entity List"):
        ms, rows = _time(lambda: queries.search(db, phrase), runs)
        results[phrase] = (ms, len(rows))
    return results


def time_digest(db: sqlite_utils.Database, runs: int) -> dict[str, float]:
    figures = {}
    build_ms, digest = _time(lambda: build_digest(db, END_DAY, days=30), runs)
    figures["build (all queries), 30 days"] = build_ms
    for fmt in ("html", "txt"):
        render = lambda: render_digest(build_digest(db, END_DAY, days=30), fmt)  # noqa: E731
        figures[f"build + render {fmt}"] = _time(render, runs)[0]
    with tempfile.TemporaryDirectory() as tmp:
        figures["build + render md + PNG chart"] = _time(
            lambda: write_digest(build_digest(db, END_DAY, days=30), "md", Path(tmp) / "digest.md"), runs)[0]
    return figures


def plans(db: sqlite_utils.Database) -> dict[str, dict[str, list[str]]]:
    """name -> scenario ("all", "1 day") -> the indexes in its EXPLAIN QUERY PLAN."""
    found = {}
    for name in queries.QUERIES:
        found[name] = {}
        for scenario in ("all", "1 day"):
            sql, params = queries.query_sql(name, **SCENARIOS[scenario])
            plan = [row[3] for row in db.execute("explain query plan " + sql, params).fetchall()]
            used = []
            for line in plan:
                match = re.search(r"USING (?:COVERING )?INDEX (\w+)", line)
                if match and match.group(1) not in used:
                    used.append(match.group(1))
                elif re.match(r"SCAN (d|documents|c|crawls)\b", line) and "INDEX" not in line:
                    used.append("full table scan")
            found[name][scenario] = used
    return found


# --- Reporting -----------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    def run(*args: str) -> str:
        try:
            return subprocess.run(args, capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            return ""

    lscpu = dict(line.split(":", 1) for line in run("lscpu").splitlines() if ":" in line)
    meminfo = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines() if ":" in line) \
        if Path("/proc/meminfo").exists() else {}
    memory_gib = int(meminfo.get("MemTotal", "0 kB").split()[0]) / 1024 / 1024
    return {
        "cpu": " ".join(lscpu.get("Model name", platform.processor()).split()),
        "cores": run("nproc").strip() or str(os.cpu_count()),
        "memory": f"{memory_gib:.1f} GiB",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "sqlite-utils": importlib.metadata.version("sqlite-utils"),
        "load": " / ".join(f"{value:.2f}" for value in os.getloadavg()),
    }


def _ms(value: tuple[float, int] | None) -> str:
    if value is None:
        return "–"
    ms = value[0]
    return f"**{ms:.0f}**" if ms >= TARGET_QUERY_MS else (f"{ms:.1f}" if ms < 10 else f"{ms:.0f}")


def report(count: int, generate_s: float | None, size_bytes: int, query_times, search_times, digest_times,
           plan_map, host: dict[str, str], bare_times=None) -> str:
    columns = ["all", "view", "30 days", "1 day", "actor", "item", "item, 30 days"]
    lines = [
        SECTION, "",
        f"`python benchmarks/queries.py` on a generated database of {count:,} documents "
        f"({SPAN_DAYS} days to {END_DAY}, 10% copies, 2 passages each, {size_bytes / 2**30:.2f} GiB with indexes "
        f"and FTS){f', generated in {generate_s:.0f} s' if generate_s else ''}. Median of warm runs, milliseconds; "
        f"target under {TARGET_QUERY_MS} ms per query (**bold** = over), under {TARGET_DIGEST_MS} ms for the digest.",
        "",
        f"Machine: {host['cpu']}, {host['cores']} cores (`nproc`), {host['memory']} RAM; Python {host['python']}, "
        f"SQLite {host['sqlite']}, sqlite-utils {host['sqlite-utils']}. Load average (1/5/15 min) when the timing "
        f"started: {host['load']}, which includes the generation just before it; other work on the same cores "
        f"shows up as run-to-run spread of 10-20%.",
        "",
        "Scenarios: *all* = no filter (the `chipwatch query NAME` default), *view* = `select * from report_NAME`, "
        "*30 days* / *1 day* = `--since`/`--until` ending on the last day, *actor* = `--actor china`, "
        "*item* = `--item H200` over the whole history, *item, 30 days* = both.",
        "",
        "| query | rows (all) | " + " | ".join(columns) + " |",
        "|---|---:|" + "---:|" * len(columns),
    ]
    for name, by_scenario in query_times.items():
        rows_all = by_scenario["all"][1]
        lines.append(f"| `{name}` | {rows_all:,} | " + " | ".join(_ms(by_scenario.get(c)) for c in columns) + " |")
    slow = [f"`{name}` ({scenario})" for name, by in query_times.items() for scenario, (ms, _) in by.items()
            if ms >= TARGET_QUERY_MS]
    lines += ["", "Over target: " + (", ".join(slow) if slow else "none") + "."]
    if any(scenario == "item" for name, by in query_times.items() for scenario, (ms, _) in by.items()
           if ms >= TARGET_QUERY_MS):
        lines += ["", "The item filter reads `document_items` (one row per item and document, kept in step with "
                      "`documents.items` by triggers) through its `(item, document_id)` key; over the whole history "
                      "the day scan itself is what remains."]
    if bare_times:
        lines += ["", "Without `REPORT_INDEXES` (the schema's plain indexes only; one run each):", "",
                  "| query | all | 1 day |", "|---|---:|---:|"]
        lines += [f"| `{name}` | {by['all']:.0f} | {by['1 day']:.0f} |" for name, by in bare_times.items()]
    lines += ["", "| full-text search (`chipwatch search`) | ms | rows |", "|---|---:|---:|"]
    lines += [f"| `{phrase}` | {ms:.1f} | {rows} |" for phrase, (ms, rows) in search_times.items()]
    lines += ["", "| digest (`chipwatch digest --date 2026-01-31 --days 30`) | ms |", "|---|---:|"]
    lines += [f"| {what} | {ms:.0f} |" for what, ms in digest_times.items()]
    lines += ["", "Indexes used (EXPLAIN QUERY PLAN, no filter / one day):", ""]
    for name, by_scenario in plan_map.items():
        every = by_scenario["all"] or ["none"]
        one_day = by_scenario["1 day"] or ["none"]
        same = every == one_day
        lines.append(f"- `{name}`: {', '.join(f'`{i}`' for i in every)}"
                     + ("" if same else f"; one day: {', '.join(f'`{i}`' for i in one_day)}"))
    lines += ["", "Index definitions (`db.queries.REPORT_INDEXES`; expression indexes, which `schema.INDEXES` "
                  "cannot express):", ""]
    lines += [f"- `{name}` on `{target}`" for name, target in queries.REPORT_INDEXES.items()]
    return "\n".join(lines) + "\n"


def write_section(text: str, path: Path = BENCHMARKS_MD) -> None:
    """Replace (or append) this script's section of BENCHMARKS.md, leaving other sections alone."""
    current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    start = current.find(SECTION + "\n")
    if start == -1:
        updated = current.rstrip("\n") + "\n\n" + text
    else:
        following = re.search(r"^## ", current[start + len(SECTION):], flags=re.M)
        end = start + len(SECTION) + following.start() if following else len(current)
        updated = current[:start] + text + ("\n" + current[end:] if following else "")
    path.write_text(updated, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "chipwatch-bench-queries.db")
    parser.add_argument("--documents", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5, help="timed runs per query (median reported)")
    parser.add_argument("--reuse", action="store_true", help="time the existing --db instead of generating it")
    parser.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    parser.add_argument("--skip-bare", action="store_true", help="do not also time the queries without REPORT_INDEXES")
    args = parser.parse_args(argv)

    generate_s = None
    if not (args.reuse and args.db.exists()):
        print(f"generating {args.documents:,} documents into {args.db} ...", flush=True)
        generate_s = generate(args.db, args.documents)
        print(f"generated in {generate_s:.1f} s", flush=True)
    db = open_db(args.db)
    queries.create_report_indexes(db)
    count = db.execute("select count(*) from documents").fetchone()[0]
    size = sum(Path(f"{args.db}{s}").stat().st_size for s in ("", "-wal") if Path(f"{args.db}{s}").exists())
    host = machine()  # before timing: its load average is the background the figures were taken against
    query_times = time_queries(db, args.runs)
    search_times = time_search(db, args.runs)
    digest_times = time_digest(db, max(1, args.runs // 2))
    plan_map = plans(db)
    bare_times = None if args.skip_bare else time_without_report_indexes(db)
    text = report(count, generate_s, size, query_times, search_times, digest_times, plan_map, host, bare_times)
    db.close()
    print(text)
    if not args.no_write:
        write_section(text)
        print(f"updated {BENCHMARKS_MD}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
