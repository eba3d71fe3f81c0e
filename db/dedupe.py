"""Near-duplicate detection across outlets: MinHash signatures (datasketch) with LSH bands in SQLite."""

from __future__ import annotations

import hashlib
import re
import zlib
from typing import Iterable

import numpy as np
import sqlite_utils

NUM_PERM = 256
BANDS, ROWS = 64, 4  # 64 bands x 4 rows: pairs above ~0.35 Jaccard become candidates
NEAR_DUPLICATE_JACCARD = 0.7  # verified on the full signature; edited wire reprints score 0.75+, distinct stories < 0.2
SHINGLE_WORDS = 3
MIN_WORDS = 25  # shorter texts (one-line descriptions) are only matched exactly, by content hash
_WORD = re.compile(r"\w+", re.UNICODE)


def shingles(text: str) -> set[bytes]:
    """Word 3-grams of the lower-cased text."""
    words = _WORD.findall(text.lower())
    return {" ".join(words[i:i + SHINGLE_WORDS]).encode() for i in range(max(0, len(words) - SHINGLE_WORDS + 1))}


def signature(text: str) -> np.ndarray | None:
    """The MinHash signature of a text, or None when it is too short to compare fuzzily."""
    if len(_WORD.findall(text)) < MIN_WORDS:
        return None
    from datasketch import MinHash  # imported here: it costs ~50 MB, and crawl workers may compute this instead

    minhash = MinHash(num_perm=NUM_PERM, seed=7, hashfunc=zlib.crc32)  # C-speed, stable across processes
    minhash.update_batch(list(shingles(text)))
    return minhash.hashvalues.astype(np.uint64)


def band_buckets(sig: np.ndarray) -> list[str]:
    """LSH bucket keys, one per band: documents sharing any one are candidates."""
    return [f"{band}:{hashlib.blake2b(sig[band * ROWS:(band + 1) * ROWS].tobytes(), digest_size=8).hexdigest()}"
            for band in range(BANDS)]


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.mean(a == b))


def index_document(db: sqlite_utils.Database, document_id: int, text: str, sig: np.ndarray | None | bool = False) -> set[int]:
    """Store a document's signature and bands; return ids of stored near-duplicates (verified).

    `sig` may be computed elsewhere (a worker process); False means "compute it from text here".
    """
    db.execute("delete from document_bands where document_id = :id", {"id": document_id})
    db.execute("delete from document_minhashes where document_id = :id", {"id": document_id})
    if sig is False:
        sig = signature(text or "")
    if sig is None:
        return set()
    db.execute("insert into document_minhashes (document_id, signature) values (:id, :sig)",
               {"id": document_id, "sig": sig.tobytes()})
    buckets = band_buckets(sig)
    db.conn.executemany("insert or ignore into document_bands (bucket, document_id) values (?, ?)",
                        [(bucket, document_id) for bucket in buckets])
    placeholders = ", ".join("?" for _ in buckets)
    candidates = {row[0] for row in db.execute(
        f"select distinct document_id from document_bands where bucket in ({placeholders}) and document_id != ?",
        [*buckets, document_id])}
    matches = set()
    for candidate in candidates:
        row = db.execute("select signature from document_minhashes where document_id = :id", {"id": candidate}).fetchone()
        if row and similarity(sig, np.frombuffer(row[0], dtype=np.uint64)) >= NEAR_DUPLICATE_JACCARD:
            matches.add(candidate)
    return matches


def link_duplicates(db: sqlite_utils.Database, document_id: int, matches: Iterable[int]) -> int | None:
    """Point every copy in the story's cluster at its earliest document; return that id (None if alone)."""
    cluster = {document_id, *matches}
    if len(cluster) == 1:
        db.execute("update documents set duplicate_of = null where id = :id and duplicate_of is not null "
                   "and duplicate_of not in (select id from documents)", {"id": document_id})
        return None
    # bring in the originals the matches already point at, and the copies pointing at members
    for member in list(cluster):
        row = db.execute("select duplicate_of from documents where id = :id", {"id": member}).fetchone()
        if row and row[0]:
            cluster.add(row[0])
    placeholders = ", ".join(f":m{i}" for i in range(len(cluster)))
    params = {f"m{i}": member for i, member in enumerate(sorted(cluster))}
    cluster.update(row[0] for row in db.execute(
        f"select id from documents where duplicate_of in ({placeholders})", params))
    params = {f"m{i}": member for i, member in enumerate(sorted(cluster))}
    placeholders = ", ".join(f":m{i}" for i in range(len(cluster)))
    earliest = db.execute(
        f"select id from documents where id in ({placeholders}) "
        "order by coalesce(published_at, first_seen_at, fetched_at), id limit 1", params).fetchone()[0]
    db.execute(f"update documents set duplicate_of = :earliest where id in ({placeholders}) and id != :earliest",
               {**params, "earliest": earliest})
    db.execute("update documents set duplicate_of = null where id = :earliest", {"earliest": earliest})
    return earliest
