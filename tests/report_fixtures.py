"""A small chipwatch database with hand-countable answers, for the query, search, digest and CLI tests.

The story: a week of neutral wire copy (8-14 January 2026), one US licence requirement on 13
January, then on 15 January (the digest day) Beijing halts H200 imports, lawmakers urge a ban,
China approves some purchases, buyers get a domestic-chip condition, a CEO visit video, an
earnings piece, an unclassified brief and a mirrored copy. One approval from December sits outside
every trailing window. Expected answers are written out in the tests, next to their assertions.
"""

from __future__ import annotations

import json
from pathlib import Path

import sqlite_utils

from db.schema import open_db

DIGEST_DAY = "2026-01-15"
LABELS = ("approval", "block", "restriction", "neutral")
SCRIPT_TITLE = "<script>alert('x')</script> Lawmakers urge ban on H200 sales"
VIDEO_TITLE = "Jensen Huang [visits](javascript:alert(1)) Shanghai *again*"


def scores(label: str | None, score: float | None) -> str | None:
    """A scores object: ``score`` for the label, the rest shared equally by the other labels."""
    if label is None:
        return None
    rest = round((1 - score) / 3, 4)
    return json.dumps({name: (score if name == label else rest) for name in LABELS}, sort_keys=True)


def _doc(id, day_or_time, title, text, *, label, score, source="Wire", actor="company", items=(), kind="article",
         url=None, fetched_at=None, duplicate_of=None, author=None, views=None):
    published = day_or_time
    if fetched_at is None:
        fetched_at = (day_or_time[:10] + "T12:00:00+00:00") if len(day_or_time or "") == 10 else day_or_time
    return {
        "id": id, "url": url or f"https://{source.lower()}.example/{id}", "kind": kind, "title": title,
        "author": author, "published_at": published, "fetched_at": fetched_at, "text": text, "views": views,
        "language": "en", "source": source, "duplicate_of": duplicate_of, "label": label,
        "labels": json.dumps([label]) if label else None, "scores": scores(label, score), "actor": actor,
        "direction": "import" if actor == "china" else "export",
        "items": items if isinstance(items, str) or items is None else json.dumps(list(items)),
        "status": "reported", "model_version": "fixture",
    }


NEUTRAL_WEEK = [
    _doc(n - 7, f"2026-01-{n:02d}T09:00:00+00:00" if n < 14 else "2026-01-14T23:59:59+00:00",
         f"Cloud providers keep ordering accelerators, day {n - 7}",
         "Two of the largest cloud providers each want more than 200,000 units; prices are steady.",
         label="neutral", score=round(0.54 + (n - 7) / 100, 2))
    for n in range(8, 15)
]  # ids 1-7, days 2026-01-08 .. 2026-01-14 (id 7 at 23:59:59 on the 14th), scores 0.55 .. 0.61

DOCUMENTS = NEUTRAL_WEEK + [
    _doc(8, "2026-01-13", "Commerce sets licence requirement for H20 exports",
         "Sales of the H20 will need a licence, officials said.",
         label="restriction", score=0.72, source="Ledger", actor="us", items=["H20"],
         fetched_at="2026-01-14T08:00:00+00:00"),  # date-only publication, fetched the next day
    _doc(9, "2026-01-15T06:30:00+00:00", "Beijing tells customs to halt H200 imports",
         "Customs officers were told the chips are not allowed into the country. "
         "Buyers may still apply for exemptions.",
         label="block", score=0.91, actor="china", items=["H200", "HBM"]),
    _doc(10, None, SCRIPT_TITLE, "Lawmakers urge Commerce to block H200 sales. The letter was sent on Tuesday.",
         label="block", score=0.77, source="Ledger", actor="us", items=["H200"],
         url="https://ledger.example/h200-ban?a=1&b=2", fetched_at="2026-01-15T12:00:00+00:00"),
    _doc(11, "2026-01-15", "China approves H200 purchases for some platforms",
         "Regulators signalled that the largest platforms may start placing orders.",
         label="approval", score=0.84, actor="china", items=["H200", "H200"]),
    _doc(12, "2026-01-15T09:15:00+00:00", "Buyers must take domestic chips alongside every foreign order",
         "Buyers will have to take a set number of domestically designed processors alongside "
         "every foreign order of H200 accelerators.",
         label="restriction", score=0.66, source="Ledger", actor="china", items='["HBM"'),  # malformed JSON
    _doc(13, "2026-01-15T07:00:00+00:00", "Beijing tells customs to halt H200 imports",
         "Customs officers were told the chips are not allowed into the country. "
         "Buyers may still apply for exemptions.",
         label="block", score=0.91, source="Mirror", actor="china", items=["H200", "HBM"], duplicate_of=9),
    _doc(14, "2026-01-15T10:00:00+00:00", "Unlabelled wire brief on export filings", "Filing notes.",
         label=None, score=None, actor=None, items=None),
    _doc(15, "2026-01-15T08:00:00+00:00", VIDEO_TITLE,
         "The company's chief executive visited Shanghai this week. <b>bold</b> & more",
         label="neutral", score=0.9, source="ChipTube", kind="video", author="Chip Channel", views=12345,
         url="https://video.example/watch?v=abc&t=1"),
    _doc(16, "2026-01-15T11:00:00+00:00", "Nvidia earnings beat estimates", "Revenue rose on data centre demand.",
         label="neutral", score=0.8, actor=None),
    _doc(17, "2025-12-20T15:00:00+00:00", "US lifts April ban and resumes H20 licences",
         "Washington reversed April's ban and began issuing licences again.",
         label="approval", score=0.7, source="Ledger", actor="us", items=["H20"]),
]

PASSAGES = [
    # document 9: the block passage that scores highest is the evidence, not the restriction one
    {"document_id": 9, "position": 0, "text": "Beijing tells customs to halt H200 imports", "label": "block",
     "score": 0.88},
    {"document_id": 9, "position": 1, "text": "Customs officers were told the chips are not allowed into the country.",
     "label": "block", "score": 0.93},
    {"document_id": 9, "position": 2, "text": "Buyers may still apply for exemptions.", "label": "restriction",
     "score": 0.95},
    # document 10: a neutral passage outscores the block one, but the evidence must be of label block
    {"document_id": 10, "position": 0, "text": "Lawmakers urge Commerce to block H200 sales.", "label": "block",
     "score": 0.80},
    {"document_id": 10, "position": 1, "text": "The letter was sent on Tuesday.", "label": "neutral", "score": 0.97},
]

CRAWLS = [
    {"id": 1, "started_at": "2026-01-14T06:00:00+00:00", "finished_at": "2026-01-14T06:05:00+00:00",
     "pages_fetched": 40, "stored": 10, "updated": 2, "error_count": 1, "errors": '{"timeout": 1}',
     "finish_reason": "finished"},
    {"id": 2, "started_at": "2026-01-15T06:00:00+00:00", "finished_at": "2026-01-15T06:02:30+00:00",
     "pages_fetched": 25, "stored": 6, "updated": 0, "error_count": 0, "errors": "{}",
     "finish_reason": "finished"},
]
FAILURES = [{"crawl_id": 1, "url": "https://slow.example/feed", "kind": "timeout", "detail": "timed out",
             "occurred_at": "2026-01-14T06:03:00+00:00"}]


def build_report_db(path: str | Path) -> Path:
    """Create the fixture database at path through the real schema, and return the path."""
    db = open_db(path)
    with db.atomic():
        db["documents"].insert_all(DOCUMENTS)
        db["passages"].insert_all(
            [{**p, "scores": json.dumps({p["label"]: p["score"]}), "model_version": "fixture"} for p in PASSAGES]
        )
        db["crawls"].insert_all(CRAWLS)
        db["failures"].insert_all(FAILURES)
    db.close()
    return Path(path)


def add_document(db: sqlite_utils.Database, **fields) -> None:
    """Insert one more document (fields as in DOCUMENTS; label and score required)."""
    doc = _doc(fields.pop("id"), fields.pop("published_at"), fields.pop("title"), fields.pop("text", ""),
               label=fields.pop("label"), score=fields.pop("score"), **fields)
    db["documents"].insert(doc)
