"""Classifier speed: model load time, passages per second and documents per second, in one process.

Run: python benchmarks/classify.py [--model-dir DIR] [--passages N]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from classifier.corpus import load_corpus  # noqa: E402
from classifier.predict import load_model, load_or_train  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir")
    parser.add_argument("--passages", type=int, default=50_000)
    args = parser.parse_args()

    load_or_train(args.model_dir)  # make sure a model exists; the timing below is a fresh load
    loads = []
    for _ in range(5):
        started = time.perf_counter()
        model = load_model(args.model_dir)
        loads.append(time.perf_counter() - started)

    corpus = load_corpus()
    texts = [r["text"] for r in corpus.passages]
    batch = (texts * (args.passages // len(texts) + 1))[: args.passages]
    model.predict_proba(batch[:1000])  # warm-up
    started = time.perf_counter()
    model.classify_passages(batch)
    passage_seconds = time.perf_counter() - started

    documents = [r["text"].partition("\n") for r in corpus.documents]
    started = time.perf_counter()
    for title, _, body in documents:
        model.classify_document(title, body)
    document_seconds = time.perf_counter() - started

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"model {model.version}")
    print(f"model load: median {statistics.median(loads):.3f} s (min {min(loads):.3f}, max {max(loads):.3f}, 5 loads)")
    print(f"passages: {len(batch):,} in {passage_seconds:.2f} s = {len(batch) / passage_seconds:,.0f} passages/s")
    print(f"documents: {len(documents)} in {document_seconds:.2f} s = {len(documents) / document_seconds:,.1f} documents/s"
          f" ({sum(len(b) for _, _, b in documents) / len(documents):,.0f} characters each on average)")


if __name__ == "__main__":
    main()
