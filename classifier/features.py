"""Cue features: a negation-aware lexicon of permit / ban / limit expressions."""

from __future__ import annotations

import re

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin

# Stems matched at word starts; each list is a cue family from the stance guidelines.
CUE_LEXICON: dict[str, tuple[str, ...]] = {
    "permit": (
        "approv", "clear", "green-light", "green light", "greenlit", "green-lit", "allow", "permit", "grant",
        "lift", "eas", "resum", "waiv", "loosen", "relax", "let ", "licen[cs]es? (were|was|have been) issued",
        "in-principle", "go-ahead", "go ahead", "sign off", "signed off", "unblock", "reinstat", "restor",
        "exempt", "authoriz", "authoris", "rescind", "scrap", "revers", "drop", "roll back", "rolled back",
        "one-year", "renew",
    ),
    "ban": (
        "ban", "bar", "block", "halt", "prohibit", "forbid", "deny", "denial", "suspend", "stop", "embargo",
        "blacklist", "entity list", "cut off", "cutting off", "shut", "seiz", "turned back", "turn back",
        "not allowed", "not permitted", "outlaw", "freez", "froze", "cancel", "ordered to stop", "rip out",
        "off-limits", "off limits", "smuggl", "crack down", "crackdown", "revok", "exclud",
    ),
    "limit": (
        "restrict", "curb", "cap", "limit", "condition", "require", "requirement", "quota", "only for",
        "only when", "must also", "fee", "case-by-case", "case by case", "tighten", "threshold", "licen[cs]e requirement",
        "need a licen", "needs a licen", "must obtain", "must apply", "revenue share", "revenue-share", "% cut",
        "end-use", "end use", "end-user", "verification", "certif", "screen", "review", "tariff", "levy",
        "percent of", "share of", "domestic chips", "local chips", "ratio", "narrow",
    ),
    "urge": ("urge", "call on", "call for", "calls for", "lobb", "push", "press", "demand", "propos", "bill", "should"),
    "policy": (
        "export", "import", "commerce", "bis", "mofcom", "customs", "regulator", "licen", "rule", "control",
        "sanction", "government", "ministry", "beijing", "washington", "administration", "lawmaker", "senat",
    ),
    "business": (
        "revenue", "earnings", "profit", "shares", "stock", "quarter", "guidance", "demand", "price", "analyst",
        "launch", "unveil", "capacity", "order book", "sales rose", "sales fell", "market share", "investor",
    ),
}
NEGATORS = re.compile(r"\b(not|no|never|n't|without|neither|nor|refus\w*|declin\w*|yet to|fail\w* to|won't|cannot|can't|didn't|hasn't|haven't|isn't|wasn't)\b")
NEGATION_WINDOW = 4  # tokens before a cue that a negator reaches
_TOKEN = re.compile(r"[\w'-]+|%", re.UNICODE)


def _compile(stems: tuple[str, ...]) -> re.Pattern:
    return re.compile(r"(?<![\w-])(" + "|".join(stems) + r")", re.IGNORECASE)


_PATTERNS = {family: _compile(stems) for family, stems in CUE_LEXICON.items()}
CUE_FAMILIES = tuple(CUE_LEXICON)


def cue_counts(text: str) -> dict[str, float]:
    """Counts of each cue family in text, split into plain and negated uses."""
    lowered = text.lower()
    counts: dict[str, float] = {}
    for family, pattern in _PATTERNS.items():
        plain = negated = 0
        for match in pattern.finditer(lowered):
            before = _TOKEN.findall(lowered[max(0, match.start() - 60): match.start()])[-NEGATION_WINDOW:]
            if NEGATORS.search(" ".join(before)):
                negated += 1
            else:
                plain += 1
        counts[family] = plain
        counts[f"not_{family}"] = negated
    return counts


FEATURE_NAMES = tuple(name for family in CUE_FAMILIES for name in (family, f"not_{family}"))


class CueFeatures(BaseEstimator, TransformerMixin):
    """Turn texts into log-scaled counts of permit/ban/limit/urge cues, negated and not."""

    def fit(self, texts, y=None):
        return self

    def transform(self, texts):
        rows = [[cue_counts(text)[name] for name in FEATURE_NAMES] for text in texts]
        return sparse.csr_matrix(np.log1p(np.asarray(rows, dtype=np.float64)))

    def get_feature_names_out(self, input_features=None):
        return np.asarray([f"cue_{name}" for name in FEATURE_NAMES], dtype=object)
