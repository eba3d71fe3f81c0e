"""Leave-sections-out cross-validation: how well the model carries over to text written by other hands.

Each corpus file is a section written separately (its own writer, register and period); a document's
passages ("passages_from_X") belong with its documents ("documents_X"). GroupKFold keeps every section
wholly in one fold, so each fold is scored on sections the model never saw: a stand-in for the shift
between our corpus and real news, measured without touching the dev set. Plain stratified CV is printed
beside it. Run: python benchmarks/section_cv.py [--folds 5]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402
from sklearn.model_selection import GroupKFold, StratifiedKFold, cross_val_predict  # noqa: E402

from classifier.config import LABELS, RANDOM_STATE  # noqa: E402
from classifier.corpus import load_corpus, read_jsonl, split_frozen  # noqa: E402
from classifier.model import build_pipeline  # noqa: E402

SECTION_PREFIX = re.compile(r"^(passages_from_|documents_|passages_)")


def section_rows() -> list[dict]:
    """Training passages (the frozen split left out), each tagged with its section."""
    rows = []
    for path in load_corpus().files:
        section = SECTION_PREFIX.sub("", path.stem)
        rows.extend({**row, "section": section} for row in read_jsonl(path) if row.get("kind") == "passage")
    return split_frozen(rows)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    rows = section_rows()
    texts = [r["text"] for r in rows]
    labels = np.array([r["label"] for r in rows])
    sections = [r["section"] for r in rows]
    print(f"{len(rows):,} passages in {len(set(sections))} sections, {args.folds} folds")
    for name, folds, groups in (
        ("stratified CV", StratifiedKFold(args.folds, shuffle=True, random_state=RANDOM_STATE), None),
        ("leave-sections-out CV", GroupKFold(args.folds), sections),
    ):
        started = time.perf_counter()
        predicted = cross_val_predict(build_pipeline(), texts, labels, cv=folds, groups=groups)
        per_label = f1_score(labels, predicted, labels=list(LABELS), average=None)
        print(f"{name:22} macro-F1 {f1_score(labels, predicted, average='macro'):.3f}  "
              + "  ".join(f"{label} {score:.3f}" for label, score in zip(LABELS, per_label))
              + f"  ({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
