"""One unattended cycle: crawl the sources that are due, classify what is new, write today's digest."""

from __future__ import annotations

import errno
import fcntl
import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Mapping

from crawler.run import CrawlSummary, run_crawl
from crawler.sources import load_sources
from db.polling import disabled_sources, due_sources
from db.queries import UNLABELLED_COUNT_SQL
from db.schema import open_db
from db.store import save_sources

LOGGER = logging.getLogger(__name__)

ALREADY_RUNNING_EXIT = 75  # EX_TEMPFAIL: try again later


class AlreadyRunning(RuntimeError):
    """Another cycle holds this database's lock."""


@contextmanager
def single_instance(db_path: str | Path) -> Iterator[Path]:
    """Hold an exclusive, non-blocking lock beside the database for the duration of a cycle."""
    lock_path = Path(f"{db_path}.lock")
    handle = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            if error.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise AlreadyRunning(f"another chipwatch run is already working on {db_path}") from None
            raise
        os.ftruncate(handle, 0)
        os.write(handle, f"{os.getpid()}\n".encode())
        yield lock_path
    finally:
        os.close(handle)  # closing releases the lock, also when the process is killed


@dataclass
class CycleReport:
    due: int
    crawl: CrawlSummary | None
    classified: int
    digest_path: Path | None
    disabled: list[dict] = field(default_factory=list)

    def line(self) -> str:
        parts = [self.crawl.line() if self.crawl else f"no source due ({self.due} due)"]
        parts.append(f"classified {self.classified} new documents")
        if self.digest_path:
            parts.append(f"digest {self.digest_path}")
        if self.disabled:
            parts.append(f"{len(self.disabled)} sources disabled after repeated failures")
        return "; ".join(parts)


def run_cycle(db_path: str | Path, *, sources_file: str | Path | None = None, reports_dir: str | Path | None = None,
              refresh: bool = False, overrides: Mapping[str, Any] | None = None, model_dir: str | None = None,
              today: date | None = None) -> CycleReport:
    """Run one cycle under the database's single-instance lock."""
    with single_instance(db_path):
        db = open_db(db_path)
        save_sources(db, [{**s.as_dict(), "kind": s.kind} for s in load_sources(sources_file)])
        due = [{"url": s["url"], "name": s["name"], "registered": True} for s in due_sources(db)]
        db.close()
        summary = None
        if due:
            settings = dict(overrides or {})
            if refresh:
                settings["CHIPWATCH_REFRESH"] = True
            if model_dir:
                settings["CHIPWATCH_MODEL_DIR"] = model_dir
            summary = run_crawl(str(db_path), due, settings)
        db = open_db(db_path)
        classified = _classify_new(db, model_dir, (overrides or {}).get("CHIPWATCH_CLASSIFY", True))
        digest_path = _write_digest(db, db_path, reports_dir, today or datetime.now(timezone.utc).date())
        report = CycleReport(len(due), summary, classified, digest_path, disabled_sources(db))
        db.close()
        return report


def _classify_new(db, model_dir: str | None, enabled: bool) -> int:
    if not enabled or next(db.query(UNLABELLED_COUNT_SQL))["n"] == 0:
        return 0
    from chipwatch.relabel import relabel_documents
    from classifier.predict import load_or_train

    return relabel_documents(db, load_or_train(model_dir), only_unlabelled=True)


def _write_digest(db, db_path, reports_dir, day: date) -> Path | None:
    if not reports_dir:
        return None
    from chipwatch.digest import write_digest_files  # the report module owns the digest's format

    return write_digest_files(db, Path(reports_dir), day)
