"""Keyword baseline against the trained model on a labelled JSONL file (default: the shared dev set).

The baseline counts the guidelines' typical cue words for each label and picks the label with the
most hits (neutral when none). Run: python benchmarks/baseline.py [FILE.jsonl] [--model-dir DIR]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from classifier.corpus import read_jsonl  # noqa: E402
from classifier.evaluate import evaluate_rows, passage_metrics  # noqa: E402
from classifier.predict import load_or_train  # noqa: E402

DEFAULT_FILE = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "stance_dev.jsonl"

# The "typical cues" column of the stance guidelines, as word stems.
CUES = {
    "approval": r"approv|clear|green-light|green light|allow|permit|grant|lift|eas(e|ed|ing)|resum|waiv|in-principle",
    "block": r"\bban|\bbar(s|red)?\b|block|halt|prohibit|forbid|den(y|ied|ial)|suspend|not permitted|ordered to stop|blacklist",
    "restriction": r"restrict|curb|\bcap(s|ped)?\b|limit|condition|requir|licen[cs]e requirement|quota|only for|must also|fee|case-by-case|tighten",
}
PATTERNS = {label: re.compile(pattern, re.IGNORECASE) for label, pattern in CUES.items()}


def keyword_label(text: str) -> str:
    hits = {label: len(pattern.findall(text)) for label, pattern in PATTERNS.items()}
    best = max(hits, key=hits.get)
    return best if hits[best] else "neutral"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=str(DEFAULT_FILE))
    parser.add_argument("--model-dir")
    args = parser.parse_args()
    rows = [r for r in read_jsonl(args.file) if r.get("kind", "passage") == "passage"]
    baseline = passage_metrics([r["label"] for r in rows], [keyword_label(r["text"]) for r in rows])
    model = evaluate_rows(load_or_train(args.model_dir), rows)["passages"]
    print(f"{Path(args.file).name}: {len(rows)} passages")
    print(f"keyword baseline macro-F1 {baseline['macro_f1']:.3f}")
    print(f"model            macro-F1 {model['macro_f1']:.3f}")
    print(f"difference       {100 * (model['macro_f1'] - baseline['macro_f1']):+.1f} points")
    for label in baseline["per_label"]:
        print(f"  {label:12} baseline F1 {baseline['per_label'][label]['f1-score']:.3f}   model F1 {model['per_label'][label]['f1-score']:.3f}")


if __name__ == "__main__":
    main()
