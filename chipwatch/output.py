"""Write query results as an aligned table, JSON or CSV (the report commands' --format)."""

from __future__ import annotations

import csv
import json
import logging
import re
from typing import IO, Any, Iterable, Sequence

from tabulate import tabulate

LOGGER = logging.getLogger(__name__)

FORMATS = ("table", "json", "csv")
MAX_CELL = 80  # table cells longer than this are cut with an ellipsis (json and csv keep them whole)
# C0/C1 controls (an ANSI escape in a scraped title), zero-width and bidi-override characters
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")


def plain(value: Any) -> str:
    """A scraped value as one line of text: control and bidi characters dropped, spaces collapsed."""
    if value is None:
        return ""
    return " ".join(CONTROL_CHARS.sub(" ", str(value)).split())


def rows_from_dicts(records: Sequence[dict]) -> tuple[list[str], list[tuple]]:
    """(columns, rows) from a list of dicts that share their keys."""
    columns = list(records[0]) if records else []
    return columns, [tuple(record.get(column) for column in columns) for record in records]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        value = plain(value)
        if len(value) > MAX_CELL:
            value = value[: MAX_CELL - 1] + "…"
    return value


def write_rows(columns: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str, out: IO[str]) -> int:
    """Write rows in ``fmt`` (table, json or csv) to ``out``; return how many were written."""
    rows = list(rows)
    if fmt == "json":
        json.dump([dict(zip(columns, row)) for row in rows], out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(columns)
        writer.writerows(rows)
    elif fmt == "table":
        if rows:
            out.write(tabulate([[_cell(v) for v in row] for row in rows], headers=list(columns),
                               tablefmt="simple", disable_numparse=False) + "\n")
        else:
            out.write("(no rows)\n")
    else:
        raise ValueError(f"unknown format {fmt!r} (choose from: {', '.join(FORMATS)})")
    return len(rows)


def write_search_hits(rows: Sequence[dict], out: IO[str]) -> None:
    """Search results for a terminal: rank, day, label, source; title; URL; snippet."""
    for number, row in enumerate(rows, 1):
        out.write(f"{number:>3}. {row['day'] or '':10}  {row['label'] or '-':11}  {plain(row['source'])}\n"
                  f"     {plain(row['title']) or '(untitled)'}\n"
                  f"     {plain(row['url'])}\n"
                  f"     {plain(row['snippet'])}\n")
    if not rows:
        out.write("no matches\n")
