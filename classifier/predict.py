"""Load the trained model and label passages and documents."""

from __future__ import annotations

import json
import logging
import warnings
from pathlib import Path
from typing import Iterable, Sequence

import joblib
import numpy as np
import sklearn
from scipy.special import expit
from sklearn.exceptions import InconsistentVersionWarning

from classifier import config
from classifier.artifacts import ModelError, ensure_trained, model_is_current, model_paths  # noqa: F401 (re-exported)
from classifier.attributes import attributes, find_items
from classifier.config import LABELS, POLICY_LABELS
from classifier.sentences import split_passages

LOGGER = logging.getLogger(__name__)


class StanceModel:
    """A fitted stance pipeline plus its metadata sidecar."""

    def __init__(self, pipeline, meta: dict, lean: bool = False) -> None:
        self.pipeline = pipeline
        self.meta = meta
        classes = list(pipeline.classes_)
        self._columns = [classes.index(label) for label in LABELS]
        self._linear = _stacked_calibrated_linear(pipeline)
        if self._linear is not None:
            # each feature step times its own rows of the weights: no hstack of the sparse blocks
            self._blocks, start = [], 0
            for _, transformer in pipeline.named_steps["features"].transformer_list:
                width = _output_width(transformer)
                self._blocks.append((transformer, self._linear[0][start:start + width]))
                start += width
        if lean and self._linear is not None:
            # The stacked copy is all predict_proba needs: free the members' own weights (a crawl
            # worker's memory); pipeline.predict_proba no longer works on a lean model.
            for member in pipeline.named_steps["clf"].calibrated_classifiers_:
                member.estimator = None

    @property
    def version(self) -> str:
        return self.meta["model_version"]

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities, one row per text, columns in config.LABELS order.

        Same numbers as pipeline.predict_proba (a test holds them equal to 1e-12), computed as one
        sparse product per feature step over the calibrated ensemble: sklearn's per-call input checks
        cost ~10 ms, which is most of the time for a document of twenty passages.
        """
        if not len(texts):
            return np.zeros((0, len(LABELS)))
        texts = list(texts)
        if self._linear is None:
            return self.pipeline.predict_proba(texts)[:, self._columns]
        _, intercepts, slopes, offsets, members = self._linear
        decision = intercepts + sum(transformer.transform(texts) @ block for transformer, block in self._blocks)
        calibrated = expit(-(slopes * decision + offsets))
        n_classes = len(self.pipeline.classes_)
        probs = np.zeros((len(texts), n_classes))
        for member in range(members):
            block = calibrated[:, member * n_classes:(member + 1) * n_classes]
            total = block.sum(axis=1, keepdims=True)
            probs += np.divide(block, total, out=np.full_like(block, 1 / n_classes), where=total != 0)
        return (probs / members)[:, self._columns]

    def classify_passages(self, texts: Sequence[str]) -> list[dict]:
        """Label each passage: {'label', 'scores'}."""
        return [_labelled(row) for row in self.predict_proba(texts)]

    def classify_document(self, title: str, text: str, kind: str = "article") -> dict:
        """Primary label, label set, per-label scores, evidence passages and attributes of a document."""
        title = " ".join((title or "").split())
        body = split_passages(text or "")
        if body and title and body[0].lower() == title.lower():
            body = body[1:]  # descriptions often repeat the title
        passages = ([title] if title else []) + body
        if not passages:
            return self._empty(title)
        probs = self.predict_proba(passages)
        weights = np.ones(len(passages))
        start = 1 if title else 0
        if title:
            weights[0] = config.HEADLINE_WEIGHT
        weights[start:start + config.LEAD_PASSAGES] = np.maximum(weights[start:start + config.LEAD_PASSAGES], config.LEAD_WEIGHT)
        scores = (probs * weights[:, None]).sum(axis=0) / weights.sum()
        passage_labels = [LABELS[i] for i in probs.argmax(axis=1)]
        confident = probs.max(axis=1) >= config.PASSAGE_LABEL_THRESHOLD

        primary = self._primary(probs, weights, start)
        label_set = {l for l, ok in zip(passage_labels, confident) if ok} | {primary}
        evidence = {}
        for label in sorted(label_set - {"neutral"}):
            column = LABELS.index(label)
            ranked = sorted((i for i, l in enumerate(passage_labels) if l == label), key=lambda i: -probs[i, column])
            evidence[label] = [{"text": passages[i], "score": round(float(probs[i, column]), 4), "position": i}
                               for i in ranked[: config.EVIDENCE_PER_LABEL]]
        focus = " ".join(e["text"] for e in evidence.get(primary, [])) or " ".join(passages[:3])
        attrs = attributes(f"{title} {focus}" if primary != "neutral" else " ".join(passages))
        attrs["items"] = find_items(" ".join(passages))
        return {
            "label": primary,
            "labels": [l for l in LABELS if l in label_set],
            "scores": {l: round(float(s), 4) for l, s in zip(LABELS, scores)},
            "evidence": evidence,
            **attrs,
            "passages": [{"text": p, **_labelled(row)} for p, row in zip(passages, probs)],
            "model_version": self.version,
        }

    @staticmethod
    def _primary(probs, weights, start) -> str:
        """The stance of the headline and lead event: their probabilities, the headline weighing most (rule 6)."""
        lead = slice(0, start + config.LEAD_PASSAGES)
        return LABELS[int(np.argmax((probs[lead] * weights[lead, None]).sum(axis=0)))]

    def _empty(self, title: str) -> dict:
        return {"label": "neutral", "labels": ["neutral"], "scores": {l: float(l == "neutral") for l in LABELS},
                "evidence": {}, "actor": "unknown", "direction": "unknown", "items": [], "status": "reported",
                "passages": [], "model_version": self.version}


def _output_width(transformer) -> int:
    """Number of columns a fitted feature step produces (its vocabulary's size when it has one)."""
    vocabulary = getattr(transformer, "vocabulary_", None) or getattr(getattr(transformer, "counts_", None), "vocabulary_", None)
    return len(vocabulary) if vocabulary is not None else len(transformer.get_feature_names_out())


def _stacked_calibrated_linear(pipeline):
    """Weights of every (linear SVM, sigmoid calibrator) pair side by side, or None if not that shape."""
    clf = pipeline.named_steps.get("clf")
    union = pipeline.named_steps.get("features")
    members = getattr(clf, "calibrated_classifiers_", None)
    if not members or getattr(union, "transformer_weights", None) or getattr(clf, "method", None) != "sigmoid":
        return None
    weights, intercepts, slopes, offsets = [], [], [], []
    for member in members:
        estimator = member.estimator
        if not hasattr(estimator, "coef_") or list(estimator.classes_) != list(member.classes):
            return None
        weights.append(estimator.coef_.T)
        intercepts.append(estimator.intercept_)
        slopes.append([c.a_ for c in member.calibrators])
        offsets.append([c.b_ for c in member.calibrators])
    return (np.hstack(weights), np.concatenate(intercepts), np.concatenate(slopes), np.concatenate(offsets), len(members))


def _labelled(row: np.ndarray) -> dict:
    return {"label": LABELS[int(row.argmax())], "scores": {l: round(float(p), 4) for l, p in zip(LABELS, row)}}


def load_model(model_dir: str | Path | None = None, lean: bool = False) -> StanceModel:
    """Load a model we trained; refuse one saved by other scikit-learn versions. `lean`: see StanceModel."""
    model_path, meta_path = model_paths(model_dir)
    if not model_path.is_file() or not meta_path.is_file():
        raise ModelError(f"no trained model in {model_path.parent} (run `chipwatch train`)")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("versions", {}).get("scikit-learn") != sklearn.__version__:
        raise ModelError(f"model was saved with scikit-learn {meta.get('versions', {}).get('scikit-learn')}, "
                         f"this is {sklearn.__version__}; retrain with `chipwatch train`")
    with warnings.catch_warnings():
        warnings.simplefilter("error", InconsistentVersionWarning)
        pipeline = joblib.load(model_path)
    return StanceModel(pipeline, meta, lean=lean)


def load_or_train(model_dir: str | Path | None = None, progress=None) -> StanceModel:
    """Load the model, training it first if it is missing, stale against the corpus, or incompatible."""
    ensure_trained(model_dir, progress=progress)
    return load_model(model_dir)


def classify_texts(model: StanceModel, rows: Iterable[dict]) -> Iterable[dict]:
    """classify's JSONL contract: {'id', 'text', 'kind'} in, labels out."""
    for row in rows:
        text = row.get("text") or ""
        if row.get("kind") == "document":
            title, _, body = text.partition("\n")
            result = model.classify_document(title, body)
            yield {"id": row.get("id"), "label": result["label"], "labels": result["labels"],
                   "scores": result["scores"], "evidence": result["evidence"], "actor": result["actor"],
                   "direction": result["direction"], "items": result["items"], "status": result["status"]}
        else:
            passage = model.classify_passages([text])[0]
            attrs = attributes(text)
            yield {"id": row.get("id"), "label": passage["label"], "labels": [passage["label"]],
                   "scores": passage["scores"], "evidence": [text] if passage["label"] != "neutral" else [],
                   "actor": attrs["actor"], "direction": attrs["direction"], "items": attrs["items"],
                   "status": attrs["status"]}
