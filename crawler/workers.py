"""Work done beside the crawl, in worker processes: stance classification and the MinHash signature.

The crawl process then only downloads, extracts and stores, and never loads scikit-learn or datasketch.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

_MODEL = None
PARENT_CHECK_SECONDS = 1.0


def _init(model_dir: str) -> None:
    """Worker start: watch the crawl process, then load the model (if there is one)."""
    global _MODEL
    _exit_with_parent(os.getppid())
    if model_dir:
        from classifier.predict import load_model

        _MODEL = load_model(model_dir, lean=True)


def _exit_with_parent(parent: int) -> None:
    """A crawl killed outright (SIGKILL, OOM) cannot shut its pool down: without this its worker would
    live on, holding the model, as an orphan. The worker exits once it has been re-parented."""
    def watch() -> None:
        while os.getppid() == parent:
            threading.Event().wait(PARENT_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def process_document(title: str, text: str, kind: str, classify: bool) -> tuple[dict | None, object]:
    """Runs in a worker: the document's classification (if asked) and its MinHash signature."""
    from db.dedupe import signature

    result = _MODEL.classify_document(title, text, kind=kind) if classify else None
    return result, signature(text)


def start_pool(model_dir: str | Path | None, workers: int) -> ProcessPoolExecutor:
    """Worker processes that each load the (already trained) model once, if there is one."""
    # spawn, not fork: the parent runs a Twisted/asyncio reactor that a forked child must not inherit
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init, initargs=(str(model_dir) if model_dir else "",))
