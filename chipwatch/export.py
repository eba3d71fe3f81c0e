"""Export stored documents as JSON Lines or CSV."""

from __future__ import annotations

import csv
import json
from typing import IO, Iterator

import sqlite_utils

from db.queries import export_rows

JSON_COLUMNS = ("labels", "scores", "items")
EXPORT_FORMATS = ("jsonl", "csv")


def export_records(db: sqlite_utils.Database) -> Iterator[dict]:
    """Every document as a plain dict with its JSON columns decoded."""
    for row in export_rows(db):
        for column in JSON_COLUMNS:
            if row.get(column):
                row[column] = json.loads(row[column])
        yield row


def write_export(db: sqlite_utils.Database, out: IO[str], fmt: str) -> int:
    """Write all documents to `out` in `fmt`; return how many were written."""
    count = 0
    if fmt == "jsonl":
        for record in export_records(db):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
        return count
    writer = None
    for record in export_records(db):
        flat = {k: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v for k, v in record.items()}
        if writer is None:
            writer = csv.DictWriter(out, fieldnames=list(flat))
            writer.writeheader()
        writer.writerow(flat)
        count += 1
    return count
