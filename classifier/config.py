"""Classifier constants and hyper-parameters (no work at import)."""

from __future__ import annotations

import os
from pathlib import Path

LABELS = ("approval", "block", "restriction", "neutral")
POLICY_LABELS = ("approval", "block", "restriction")
ACTORS = ("us", "china", "other_gov", "company", "unknown")
DIRECTIONS = ("export", "import", "both", "unknown")
STATUSES = ("enacted", "proposed", "reported", "denied")
RANDOM_STATE = 20260129

DATA_DIR = Path(__file__).parent / "data"
FROZEN_EVAL_FRACTION = 0.15  # share of the corpus held out as the frozen quality-gate split
MODEL_FILENAME = "stance.joblib"
META_FILENAME = "stance.meta.json"


def default_model_dir() -> Path:
    """Where the trained model lives: $CHIPWATCH_MODEL_DIR, else ~/.cache/chipwatch/model."""
    env = os.environ.get("CHIPWATCH_MODEL_DIR")
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "chipwatch" / "model"


# Hyper-parameters chosen by `chipwatch train --search` (5-fold CV on the corpus); the search
# result is written to the model's metadata sidecar.
DEFAULT_PARAMS = {
    "features__words__ngram_range": (1, 2),
    "features__words__min_df": 2,  # 2026-11-29: same CV and section-held-out CV as 1, a quarter of the vocabulary (crawl memory)
    "features__main_clause__min_df": 2,
    "features__chars__ngram_range": (2, 5),
    "clf__estimator__C": 1.0,  # grid search 2026-11-29: CV macro-F1 0.876 (0.1: lower, 0.25/0.5: lower, 1.0 best)
}
# The grid search that chose DEFAULT_PARAMS (`chipwatch train --search`), kept for the metadata sidecar.
SEARCH_RESULT = {
    "date": "2026-11-29",
    "grid": "SEARCH_GRID below, 16 combinations",
    "folds": 5,
    "scoring": "f1_macro",
    "best_cv_macro_f1": 0.876,
    "best_params": {"features__words__ngram_range": [1, 2], "features__chars__ngram_range": [2, 5], "clf__estimator__C": 1.0},
}
SEARCH_GRID = {
    "features__words__ngram_range": [(1, 2), (1, 3)],
    "features__chars__ngram_range": [(2, 5), (3, 5)],
    "clf__estimator__C": [0.1, 0.25, 0.5, 1.0],
}

# Document aggregation: how a document's passages become its labels.
PASSAGE_LABEL_THRESHOLD = 0.5  # a passage's label counts for the document's label set above this
HEADLINE_WEIGHT = 3.0  # the headline weighs most (guidelines rule 6)
LEAD_WEIGHT = 2.0  # the first body passages carry the lead event
LEAD_PASSAGES = 2
EVIDENCE_PER_LABEL = 3
SHORT_SENTENCE_WORDS = 5  # sentences this short are joined to their neighbour
