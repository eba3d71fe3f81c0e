"""Stance classifier: labelled corpus, scikit-learn pipeline, passage and document labels."""
