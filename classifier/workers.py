"""A worker process that holds the model, so documents are classified on a second core."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

_MODEL = None


def _load(model_dir: str) -> None:
    global _MODEL
    from classifier.predict import load_model

    _MODEL = load_model(model_dir)


def classify_document(title: str, text: str, kind: str) -> dict:
    """Runs in the worker: classify one document with the worker's model."""
    return _MODEL.classify_document(title, text, kind=kind)


def start_pool(model_dir: str | Path, workers: int) -> ProcessPoolExecutor:
    """Worker processes that each load the (already trained) model once."""
    # spawn, not fork: the parent runs a Twisted/asyncio reactor that a forked child must not inherit
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_load, initargs=(str(model_dir),))
