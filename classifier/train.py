"""Train the stance model from the corpus, deterministically, and save it with a metadata sidecar."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import joblib
import numpy as np
import scipy
import sklearn
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_predict

from classifier import config
from classifier.artifacts import code_hash
from classifier.corpus import load_corpus, split_frozen
from classifier.evaluate import evaluate_rows, passage_metrics
from classifier.model import build_pipeline

LOGGER = logging.getLogger(__name__)
CV_FOLDS = 5

Progress = Callable[[str], None]


def _say(progress: Progress | None, message: str) -> None:
    LOGGER.info(message)
    if progress:
        progress(message)


def search_params(texts, labels, progress: Progress | None = None) -> tuple[dict, float]:
    """Grid-search config.SEARCH_GRID by stratified 5-fold CV on macro-F1."""
    folds = StratifiedKFold(CV_FOLDS, shuffle=True, random_state=config.RANDOM_STATE)
    search = GridSearchCV(build_pipeline(), config.SEARCH_GRID, scoring="f1_macro", cv=folds, n_jobs=1)
    _say(progress, f"searching {len(search.param_grid) if isinstance(search.param_grid, list) else np.prod([len(v) for v in config.SEARCH_GRID.values()])} parameter sets x {CV_FOLDS} folds")
    search.fit(texts, labels)
    return dict(search.best_params_), float(search.best_score_)


def train_model(model_dir: str | Path | None = None, *, search: bool = False, progress: Progress | None = None) -> dict:
    """Fit on the corpus' training split, measure, save model + sidecar; return the metadata."""
    started = time.perf_counter()
    corpus = load_corpus()
    train_rows, frozen_rows = split_frozen(corpus.passages)
    texts, labels = [r["text"] for r in train_rows], [r["label"] for r in train_rows]
    _say(progress, f"corpus: {len(train_rows)} training passages, {len(frozen_rows)} frozen for evaluation, {len(corpus.documents)} documents")
    params = dict(config.DEFAULT_PARAMS)
    search_score = None
    if search:
        params, search_score = search_params(texts, labels, progress)
        _say(progress, f"best parameters {params} (CV macro-F1 {search_score:.3f})")
    _say(progress, f"{CV_FOLDS}-fold cross-validation")
    folds = StratifiedKFold(CV_FOLDS, shuffle=True, random_state=config.RANDOM_STATE)
    cv_predicted = cross_val_predict(build_pipeline(**params), texts, labels, cv=folds, n_jobs=1)
    cv = passage_metrics(labels, list(cv_predicted))
    _say(progress, f"cross-validated macro-F1 {cv['macro_f1']:.3f}; fitting the final model")
    pipeline = drop_pruned_terms(build_pipeline(**params).fit(texts, labels))

    from classifier.predict import StanceModel  # local: predict imports train lazily too

    data_hash = corpus.data_hash
    model_version = f"stance-{datetime.now(timezone.utc):%Y%m%d}-{hashlib.sha256((data_hash + code_hash() + json.dumps(params, sort_keys=True, default=str)).encode()).hexdigest()[:10]}"
    meta = {
        "model_version": model_version,
        "labels": list(config.LABELS),
        "data_hash": data_hash,
        "code_hash": code_hash(),
        "data_files": [p.name for p in corpus.files],
        "n_train_passages": len(train_rows),
        "params": {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()},
        "params_source": "grid search" if search else "config.DEFAULT_PARAMS (chosen by an earlier grid search)",
        "search_cv_macro_f1": search_score,
        "search": None if search else config.SEARCH_RESULT,
        "random_state": config.RANDOM_STATE,
        "versions": {"python": platform.python_version(), "scikit-learn": sklearn.__version__,
                     "numpy": np.__version__, "scipy": scipy.__version__, "joblib": joblib.__version__},
        "trained_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "metrics": {"cv": cv},
    }
    model = StanceModel(pipeline, meta)
    _say(progress, "evaluating on the frozen split and the corpus documents")
    meta["metrics"]["frozen_eval"] = evaluate_rows(model, frozen_rows)["passages"]
    _, frozen_documents = split_frozen(corpus.documents)
    meta["metrics"]["documents"] = evaluate_rows(model, frozen_documents)["documents"]
    meta["training_seconds"] = round(time.perf_counter() - started, 1)
    save_model(pipeline, meta, model_dir)
    _say(progress, f"saved {model_version} (frozen-split macro-F1 {meta['metrics']['frozen_eval']['macro_f1']:.3f}, "
                   f"document accuracy {meta['metrics']['documents']['primary_accuracy']:.3f})")
    return meta


def drop_pruned_terms(pipeline):
    """Delete the vectorizers' `stop_words_` (every term min_df pruned): introspection only, and most of
    the model's size and of a crawl worker's memory (scikit-learn's docs say it can be removed)."""
    for _, step in pipeline.named_steps["features"].transformer_list:
        for vectorizer in (step, getattr(step, "counts_", None)):
            if hasattr(vectorizer, "stop_words_"):
                del vectorizer.stop_words_
    return pipeline


def save_model(pipeline, meta: dict, model_dir: str | Path | None = None) -> Path:
    """Write model and sidecar atomically, so a concurrent reader never sees half a model."""
    from classifier.predict import model_paths

    model_path, meta_path = model_paths(model_dir)
    model_path.parent.mkdir(parents=True, exist_ok=True)
    for target, writer in ((model_path, lambda f: joblib.dump(pipeline, f, compress=3)),
                           (meta_path, lambda f: Path(f).write_text(json.dumps(meta, indent=2, default=str), encoding="utf-8"))):
        handle, temp = tempfile.mkstemp(dir=model_path.parent, prefix=f".{target.name}.")
        os.close(handle)
        writer(temp)
        os.replace(temp, target)
    return model_path
