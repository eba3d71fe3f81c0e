"""The labelled corpus: loading, hashing, and the frozen evaluation split."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from classifier.config import DATA_DIR, FROZEN_EVAL_FRACTION


class CorpusError(ValueError):
    """A corpus file that cannot be read."""


@dataclass
class Corpus:
    passages: list[dict]
    documents: list[dict]
    files: list[Path]

    @property
    def data_hash(self) -> str:
        """SHA-256 over the corpus files' bytes, in name order."""
        return files_hash(self.files)


def corpus_files(data_dir: str | Path = DATA_DIR) -> list[Path]:
    """The corpus files: every *.jsonl under data_dir, in name order."""
    return sorted(Path(data_dir).glob("*.jsonl"))


def files_hash(files: Iterable[Path]) -> str:
    """SHA-256 over files' names and bytes, in name order (the corpus' data hash, without parsing it)."""
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def read_jsonl(path: str | Path) -> list[dict]:
    """Rows of a JSON Lines file; a bad line is a CorpusError naming file and line."""
    rows = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as error:
                raise CorpusError(f"{path}:{number}: not JSON ({error.msg})") from None
    return rows


def load_corpus(data_dir: str | Path = DATA_DIR) -> Corpus:
    """Every *.jsonl file under data_dir, split into passages and documents."""
    files = corpus_files(data_dir)
    if not files:
        raise CorpusError(f"no corpus files in {data_dir}")
    rows = [row for path in files for row in read_jsonl(path)]
    return Corpus(
        passages=[r for r in rows if r.get("kind") == "passage"],
        documents=[r for r in rows if r.get("kind") == "document"],
        files=files,
    )


def is_frozen_eval(row_id: str) -> bool:
    """Deterministic membership of the frozen evaluation split, by a hash of the row id.

    A passage taken from a corpus document ("dar-0054.s03") goes wherever its document goes,
    so documents in the frozen split are never seen in training, not even sentence by sentence.
    """
    row_id = row_id.split(".s", 1)[0]
    bucket = int(hashlib.sha1(row_id.encode()).hexdigest()[:8], 16) % 1000
    return bucket < FROZEN_EVAL_FRACTION * 1000


def split_frozen(rows: Iterable[dict]) -> tuple[list[dict], list[dict]]:
    """(training rows, frozen evaluation rows)."""
    train, frozen = [], []
    for row in rows:
        (frozen if is_frozen_eval(row["id"]) else train).append(row)
    return train, frozen
