"""Where the model lives and whether it is current: light enough to import without scikit-learn."""

from __future__ import annotations

import hashlib
import json
import sys
from importlib.metadata import version
from pathlib import Path

from classifier import config


class ModelError(RuntimeError):
    """The model is missing, stale, or was saved by other library versions."""


def model_paths(model_dir: str | Path | None = None) -> tuple[Path, Path]:
    """The model file and its metadata sidecar."""
    directory = Path(model_dir) if model_dir else config.default_model_dir()
    return directory / config.MODEL_FILENAME, directory / config.META_FILENAME


MODEL_CODE_FILES = ("features.py", "model.py", "config.py", "sentences.py")


def code_hash() -> str:
    """SHA-256 of the source files that shape a trained model, so a feature change retrains it."""
    digest = hashlib.sha256()
    for name in MODEL_CODE_FILES:
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()


def model_is_current(model_dir: str | Path | None = None) -> bool:
    """True when a saved model matches the corpus, the model code and this scikit-learn, judged from its sidecar alone."""
    from classifier.corpus import corpus_files, files_hash

    model_path, meta_path = model_paths(model_dir)
    if not model_path.is_file() or not meta_path.is_file():
        return False
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    return (meta.get("versions", {}).get("scikit-learn") == version("scikit-learn")
            and meta.get("data_hash") == files_hash(corpus_files())
            and meta.get("code_hash") == code_hash())


def announce(message: str) -> None:
    """Default progress: one line on stderr, so a first-use training pause is explained."""
    sys.stderr.write(f"chipwatch: {message}\n")
    sys.stderr.flush()


def ensure_trained(model_dir: str | Path | None = None, progress=None) -> Path:
    """Train the model if it is missing or stale, without loading it here; return its directory."""
    if not model_is_current(model_dir):
        from classifier.train import train_model

        (progress or announce)("training the stance model from the corpus (first use, or corpus or model code changed, ~45 s)")
        train_model(model_dir, progress=progress)
    return model_paths(model_dir)[0].parent


