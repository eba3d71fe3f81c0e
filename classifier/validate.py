"""Check the labelled corpus: schema, labels, duplicates, near-duplicates, counts.

Run: python -m classifier.validate [DATA_DIR] [--against FILE.jsonl]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from datasketch import MinHash, MinHashLSH

from classifier.config import ACTORS, DATA_DIR, DIRECTIONS, LABELS, STATUSES
from classifier.corpus import Corpus, load_corpus, read_jsonl

REQUIRED_KEYS = {"id", "kind", "text", "label", "actor", "direction", "items", "status", "event_date", "source_url", "note"}
NEAR_DUPLICATE_JACCARD = 0.8  # word 3-shingle overlap above this is a near-duplicate
MIN_PASSAGES, MIN_PER_LABEL, MIN_DOCUMENTS, MIN_HARD_SHARE = 2400, 500, 200, 0.25
NUM_PERM = 64


@dataclass
class Report:
    errors: list[str] = field(default_factory=list)
    counts: dict[str, Counter] = field(default_factory=dict)
    hard_share: float = 0.0
    near_duplicates: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _normalise(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _minhash(text: str) -> MinHash:
    words = _normalise(text).split()
    shingles = {" ".join(words[i:i + 3]) for i in range(max(1, len(words) - 2))}
    signature = MinHash(num_perm=NUM_PERM, seed=1)
    for shingle in shingles:
        signature.update(shingle.encode())
    return signature


def _check_row(row: dict) -> list[str]:
    problems = []
    missing = REQUIRED_KEYS - set(row)
    if missing:
        problems.append(f"missing keys {sorted(missing)}")
    if row.get("kind") not in ("passage", "document"):
        problems.append(f"kind {row.get('kind')!r}")
    if row.get("label") not in LABELS:
        problems.append(f"label {row.get('label')!r}")
    if row.get("actor") not in ACTORS:
        problems.append(f"actor {row.get('actor')!r}")
    if row.get("direction") not in DIRECTIONS:
        problems.append(f"direction {row.get('direction')!r}")
    if row.get("status") not in STATUSES:
        problems.append(f"status {row.get('status')!r}")
    if not isinstance(row.get("items"), list):
        problems.append("items is not a list")
    if not str(row.get("text") or "").strip():
        problems.append("empty text")
    if row.get("kind") == "document":
        labels = row.get("labels")
        if not isinstance(labels, list) or not labels or any(l not in LABELS for l in labels):
            problems.append(f"labels {labels!r}")
        elif row.get("label") not in labels:
            problems.append("primary label not in labels")
    return problems


def validate(corpus: Corpus, against: list[dict] | None = None, enforce_minimums: bool = True) -> Report:
    """Validate every row; near-duplicates inside the corpus and against `against` (e.g. a dev set)."""
    report = Report()
    rows = corpus.passages + corpus.documents
    ids = Counter(r.get("id") for r in rows)
    report.errors += [f"duplicate id {i}" for i, n in ids.items() if n > 1]
    texts = Counter(_normalise(r.get("text", "")) for r in rows)
    report.errors += [f"duplicate text: {t[:60]!r}" for t, n in texts.items() if n > 1]
    for row in rows:
        report.errors += [f"{row.get('id')}: {p}" for p in _check_row(row)]

    lsh = MinHashLSH(threshold=NEAR_DUPLICATE_JACCARD, num_perm=NUM_PERM)
    signatures = {}
    for row in rows:
        signature = _minhash(row["text"])
        for other in lsh.query(signature):
            if signatures[other].jaccard(signature) >= NEAR_DUPLICATE_JACCARD:
                report.near_duplicates.append((other, row["id"]))
        lsh.insert(row["id"], signature)
        signatures[row["id"]] = signature
    report.errors += [f"near-duplicate: {a} ~ {b}" for a, b in report.near_duplicates]
    for outside in against or []:
        matches = lsh.query(_minhash(outside["text"]))
        report.errors += [f"{m} is a near-copy of evaluation row {outside.get('id')}" for m in matches]

    report.counts = {
        "passage": Counter(r["label"] for r in corpus.passages),
        "document": Counter(r["label"] for r in corpus.documents),
    }
    hard = sum(1 for r in rows if str(r.get("note", "")).startswith("hard:"))
    report.hard_share = hard / len(rows) if rows else 0.0
    if enforce_minimums:
        if len(corpus.passages) < MIN_PASSAGES:
            report.errors.append(f"only {len(corpus.passages)} passages (need {MIN_PASSAGES})")
        for label in LABELS:
            if report.counts["passage"][label] < MIN_PER_LABEL:
                report.errors.append(f"only {report.counts['passage'][label]} {label} passages (need {MIN_PER_LABEL})")
        if len(corpus.documents) < MIN_DOCUMENTS:
            report.errors.append(f"only {len(corpus.documents)} documents (need {MIN_DOCUMENTS})")
        if report.hard_share < MIN_HARD_SHARE:
            report.errors.append(f"hard cases are {report.hard_share:.0%} (need {MIN_HARD_SHARE:.0%})")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", default=str(DATA_DIR))
    parser.add_argument("--against", help="also reject near-copies of this JSONL file's texts (e.g. the dev set)")
    args = parser.parse_args(argv)
    against = read_jsonl(args.against) if args.against and Path(args.against).is_file() else None
    report = validate(load_corpus(args.data_dir), against)
    for kind, counts in report.counts.items():
        print(f"{kind}s: {sum(counts.values())} — " + ", ".join(f"{l} {counts[l]}" for l in LABELS))
    print(f"hard cases: {report.hard_share:.1%}")
    for error in report.errors[:50]:
        print(f"ERROR {error}")
    if len(report.errors) > 50:
        print(f"... and {len(report.errors) - 50} more errors")
    print("OK" if report.ok else f"{len(report.errors)} problems")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
