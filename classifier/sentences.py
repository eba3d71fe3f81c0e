"""Sentence splitting that survives 'U.S.', 'Corp.', 'No. 2', quotes and Cyrillic text."""

from __future__ import annotations

import re

from classifier.config import SHORT_SENTENCE_WORDS

ABBREVIATIONS = {
    "u.s", "u.k", "u.n", "e.u", "u.s.a", "corp", "inc", "co", "ltd", "llc", "plc", "no", "nos", "mr", "mrs",
    "ms", "dr", "prof", "sen", "rep", "gov", "gen", "st", "jr", "sr", "vs", "etc", "e.g", "i.e", "approx",
    "dept", "est", "fig", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "p.m", "a.m", "al", "vol", "art", "sec", "ст", "г", "гг", "т.е", "т.д", "т.п", "им", "млн", "млрд", "тыс",
}
# A sentence ends at . ! ? … (plus closing quotes/brackets) before whitespace and a capital, digit or quote.
_BOUNDARY = re.compile(
    r"""(?<=[.!?…])["'”’»)\]]*\s+(?=["'“‘«(\[]?[A-ZА-ЯЁ0-9])"""
)


def _ends_with_abbreviation(chunk: str) -> bool:
    """True when a chunk's final period belongs to an abbreviation or initial, not a sentence end."""
    stripped = chunk.rstrip("\"'”’»)] ")
    if not stripped.endswith("."):
        return False
    words = stripped[:-1].split()
    if not words:
        return False
    token = words[-1].lstrip("\"'“‘«([")
    if token.lower() in ABBREVIATIONS:
        return True
    if re.fullmatch(r"[A-ZА-ЯЁ]", token):  # an initial: "Jensen H. Huang"
        return True
    return bool(re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", token))  # dotted acronyms: "S.K", "U.S.A"


def split_sentences(text: str) -> list[str]:
    """Split text into sentences; line breaks always end a sentence."""
    sentences: list[str] = []
    for line in text.splitlines():
        line = " ".join(line.split())
        if not line:
            continue
        pieces = _BOUNDARY.split(line)
        current = ""
        for piece in pieces:
            current = f"{current} {piece}".strip() if current else piece
            if not _ends_with_abbreviation(current):
                sentences.append(current)
                current = ""
        if current:
            sentences.append(current)
    return sentences


def split_passages(text: str, min_words: int = SHORT_SENTENCE_WORDS) -> list[str]:
    """Sentences, with very short neighbours joined (a dateline, 'Here is why.', a lone heading)."""
    passages: list[str] = []
    pending = ""
    for sentence in split_sentences(text):
        candidate = f"{pending} {sentence}".strip() if pending else sentence
        if len(candidate.split()) < min_words:
            pending = candidate
            continue
        passages.append(candidate)
        pending = ""
    if pending:
        if passages and len(pending.split()) < min_words:
            passages[-1] = f"{passages[-1]} {pending}"
        else:
            passages.append(pending)
    return passages
