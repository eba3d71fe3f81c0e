"""Re-label stored documents with the current model, keeping which model version said what."""

from __future__ import annotations

from typing import Callable

import sqlite_utils

from db.queries import DOCUMENTS_FOR_CLASSIFY_SQL, UNLABELLED_DOCUMENTS_SQL
from db.store import save_classification


def relabel_documents(db: sqlite_utils.Database, model, progress: Callable[[int, int], None] | None = None,
                      only_unlabelled: bool = False) -> int:
    """Classify stored documents (all, or those without a label); each adds a classifications row."""
    rows = list(db.query(UNLABELLED_DOCUMENTS_SQL if only_unlabelled else DOCUMENTS_FOR_CLASSIFY_SQL))
    for done, row in enumerate(rows, start=1):
        result = model.classify_document(row["title"] or "", row["text"] or "", kind=row["kind"])
        save_classification(db, row["id"], result)
        if progress and (done % 100 == 0 or done == len(rows)):
            progress(done, len(rows))
    return len(rows)
