"""Metrics: passage macro-F1, per-label P/R/F1, confusion matrix; document accuracy and label-set F1."""

from __future__ import annotations

from typing import Sequence

from sklearn.metrics import accuracy_score, classification_report, confusion_matrix, f1_score
from sklearn.preprocessing import MultiLabelBinarizer

from classifier.config import LABELS


def passage_metrics(gold: Sequence[str], predicted: Sequence[str]) -> dict:
    """Macro-F1, per-label precision/recall/F1/support and the confusion matrix (rows = gold)."""
    report = classification_report(gold, predicted, labels=list(LABELS), output_dict=True, zero_division=0)
    return {
        "n": len(gold),
        "macro_f1": round(report["macro avg"]["f1-score"], 4),
        "accuracy": round(accuracy_score(gold, predicted), 4) if gold else 0.0,
        "per_label": {l: {k: round(report[l][k], 4) for k in ("precision", "recall", "f1-score", "support")} for l in LABELS},
        "confusion": {"labels": list(LABELS), "matrix": confusion_matrix(gold, predicted, labels=list(LABELS)).tolist()},
    }


def document_metrics(gold_primary, predicted_primary, gold_sets, predicted_sets) -> dict:
    """Primary-label accuracy and sample-averaged label-set F1."""
    if not gold_primary:
        return {"n": 0, "primary_accuracy": 0.0, "label_set_f1": 0.0}
    binarizer = MultiLabelBinarizer(classes=list(LABELS))
    gold = binarizer.fit_transform(gold_sets)
    predicted = binarizer.transform(predicted_sets)
    return {
        "n": len(gold_primary),
        "primary_accuracy": round(accuracy_score(gold_primary, predicted_primary), 4),
        "label_set_f1": round(f1_score(gold, predicted, average="samples", zero_division=0), 4),
        "primary_confusion": {"labels": list(LABELS),
                              "matrix": confusion_matrix(gold_primary, predicted_primary, labels=list(LABELS)).tolist()},
    }


def evaluate_rows(model, rows: Sequence[dict]) -> dict:
    """Evaluate a model on labelled rows (passages and documents, as in the corpus' JSONL shape)."""
    passages = [r for r in rows if r.get("kind", "passage") == "passage"]
    documents = [r for r in rows if r.get("kind") == "document"]
    results = {}
    if passages:
        predicted = [p["label"] for p in model.classify_passages([r["text"] for r in passages])]
        results["passages"] = passage_metrics([r["label"] for r in passages], predicted)
    doc_results = []
    for row in documents:
        title, _, body = row["text"].partition("\n")
        doc_results.append(model.classify_document(title, body))
    results["documents"] = document_metrics(
        [r["label"] for r in documents], [d["label"] for d in doc_results],
        [r.get("labels") or [r["label"]] for r in documents], [d["labels"] for d in doc_results],
    )
    return results


def format_report(results: dict) -> str:
    """A plain-text report of evaluate_rows' results."""
    lines = []
    p = results.get("passages")
    if p:
        lines += _passage_lines(p)
    d = results.get("documents") or {}
    if d.get("n"):
        lines.append(f"documents: n={d['n']}  primary accuracy={d['primary_accuracy']:.3f}  label-set F1={d['label_set_f1']:.3f}")
    return "\n".join(lines)


def _passage_lines(p: dict) -> list[str]:
    lines = [f"passages: n={p['n']}  macro-F1={p['macro_f1']:.3f}  accuracy={p['accuracy']:.3f}",
             f"  {'label':12} {'precision':>9} {'recall':>7} {'f1':>6} {'n':>5}"]
    for label, m in p["per_label"].items():
        lines.append(f"  {label:12} {m['precision']:9.3f} {m['recall']:7.3f} {m['f1-score']:6.3f} {int(m['support']):5d}")
    lines.append("  confusion (rows gold, columns predicted): " + " ".join(f"{l[:5]:>6}" for l in LABELS))
    for label, row in zip(LABELS, p["confusion"]["matrix"]):
        lines.append(f"  {label:12}" + " " * 30 + "".join(f"{v:7d}" for v in row))
    return lines
