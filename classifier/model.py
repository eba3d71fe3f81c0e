"""The one scikit-learn Pipeline: word, main-clause word and character TF-IDF + cue features -> calibrated linear SVM."""

from __future__ import annotations

from typing import Any

import numpy as np

from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from classifier.config import DEFAULT_PARAMS, RANDOM_STATE
from classifier.features import CharNgramTfidf, CueFeatures, main_clause

CALIBRATION_FOLDS = 3


def build_pipeline(**params: Any) -> Pipeline:
    """Build the stance pipeline; params use step names, e.g. clf__estimator__C=0.5."""
    pipeline = Pipeline([
        ("features", FeatureUnion([
            ("words", TfidfVectorizer(lowercase=True, sublinear_tf=True, ngram_range=(1, 2), min_df=1,
                                      token_pattern=r"(?u)\b\w[\w'-]*\b|%", dtype=np.float32)),
            ("chars", CharNgramTfidf(ngram_range=(2, 5), min_df=2, sublinear_tf=True)),
            ("main_clause", TfidfVectorizer(preprocessor=main_clause, sublinear_tf=True, ngram_range=(1, 2), min_df=1,
                                            token_pattern=r"(?u)\b\w[\w'-]*\b|%", dtype=np.float32)),
            ("cues", CueFeatures()),
        ])),
        ("clf", CalibratedClassifierCV(
            LinearSVC(C=0.5, class_weight="balanced", random_state=RANDOM_STATE),
            method="sigmoid", cv=CALIBRATION_FOLDS, ensemble=True,
        )),
    ])
    pipeline.set_params(**{**DEFAULT_PARAMS, **params})
    return pipeline
