"""Shared fixtures: databases, the trained model, local sites and the CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from db.schema import open_db

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "test.db"


@pytest.fixture
def fresh_db(db_path):
    db = open_db(db_path)
    yield db
    db.close()


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory) -> Path:
    """A model trained once per test session from the committed corpus."""
    directory = tmp_path_factory.mktemp("model")
    from classifier.train import train_model

    train_model(directory)
    return directory


@pytest.fixture(scope="session")
def model(model_dir):
    from classifier.predict import load_model

    return load_model(model_dir)


def run_cli(*args: str, model_dir: Path | None = None, timeout: float = 240, input: str | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run `python -m chipwatch ARGS` in its own process (each crawl needs a fresh reactor)."""
    env = dict(os.environ)
    if model_dir is not None:
        env["CHIPWATCH_MODEL_DIR"] = str(model_dir)
    env.setdefault("PYTHONPATH", str(ROOT))
    return subprocess.run([sys.executable, "-m", "chipwatch", *args], capture_output=True, text=True,
                          timeout=timeout, env=env, input=input, cwd=cwd or ROOT)


# --- Report fixtures (queries, search, digest): a small database with hand-countable answers ---


@pytest.fixture
def report_db_path(tmp_path) -> Path:
    """The report fixture database (tests/report_fixtures.py), built afresh as chipwatch.db."""
    from tests.report_fixtures import build_report_db

    return build_report_db(tmp_path / "chipwatch.db")


@pytest.fixture
def report_db(report_db_path):
    db = open_db(report_db_path)
    yield db
    db.close()
