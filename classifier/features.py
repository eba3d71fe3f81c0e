"""Cue features: a negation-aware lexicon of permit / ban / limit expressions."""

from __future__ import annotations

import re

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin

# Stems matched at word starts; each list is a cue family from the stance guidelines.
CUE_LEXICON: dict[str, tuple[str, ...]] = {
    "permit": (
        "approv", "clear(s|ed|ing|ance)?\\b", "green-light", "green light", "greenlit", "green-lit", "allow", "permit", "grant",
        "lift", "eas(e|ed|es|ing)\\b", "resum", "waiv", "loosen", "relax", "let ", "licen[cs]es? (were|was|have been) issued",
        "in-principle", "go-ahead", "go ahead", "sign off", "signed off", "unblock", "reinstat", "restor",
        "exempt", "authoriz", "authoris", "rescind", "scrap", "revers", "roll back", "rolled back",
        "one-year", "renew",
    ),
    "ban": (
        "ban(s|ned|ning)?\\b", "bar(s|red|ring)?\\b", "block", "halt", "prohibit", "forbid", "deny", "denial", "suspend", "stop", "embargo",
        "blacklist", "entity list", "cut off", "cutting off", "shut", "seiz", "turned back", "turn back",
        "not allowed", "not permitted", "outlaw", "freez", "froze", "cancel", "ordered to stop", "rip out",
        "off-limits", "off limits", "smuggl", "crack down", "crackdown", "revok", "exclud",
    ),
    "limit": (
        "restrict", "curb", "cap(s|ped|ping)?\\b", "limit", "condition", "require", "requirement", "quota", "only for",
        "only when", "must also", "fees?\\b", "case-by-case", "case by case", "tighten", "threshold", "licen[cs]e requirement",
        "need a licen", "needs a licen", "must obtain", "must apply", "revenue share", "revenue-share", "% cut",
        "end-use", "end use", "end-user", "verification", "certif", "screen", "review", "tariff", "levy",
        "percent of", "share of", "domestic chips", "local chips", "ratio", "narrow",
    ),
    "urge": ("urge", "call on", "call for", "calls for", "lobb", "push", "press(es|ed|ing)? (for|to)\\b", "demand", "propos", "bill(s)?\\b", "should"),
    "policy": (
        "export", "import", "commerce", "bis", "mofcom", "customs", "regulator", "licen", "rule", "control",
        "sanction", "government", "ministry", "beijing", "washington", "administration", "lawmaker", "senat",
    ),
    "business": (
        "revenue", "earnings", "profit", "shares", "stock", "quarter", "guidance", "demand", "price", "analyst",
        "launch", "unveil", "capacity", "order book", "sales rose", "sales fell", "market share", "investor",
    ),
}
# Phrases whose meaning is not the sum of their cue words (guidelines rules 2-4): lifting a ban permits,
# a "de facto ban" bans, an approval "on condition" that ... limits.
_OBJECT = r"(?:the |its |a |an |their |some |all |his |her |those |these |that |this |new |existing |earlier |april'?s? |us |u\.s\. |american |chinese |dutch |export |import |chip |[\w-]+ ){0,4}"
PHRASE_CUES: dict[str, str] = {
    "reversal_permit": r"\b(lift\w*|eas(e|ed|es|ing)|scrap\w*|suspend\w*|roll\w* back|rescind\w*|revok\w*|drop\w*|end(s|ed|ing)?|waiv\w*|relax\w*|loosen\w*|remov\w*|revers\w*|overturn\w*|pause\w*|exempt\w*)\s+"
                       + _OBJECT + r"(ban|bans|curbs?|restrictions?|controls?|prohibitions?|embargo|blacklist|entity list|licen[cs]e requirements?|export rules?|limits?|freeze)\b",
    "delisted_permit": r"\b(removed|taken off|dropped|struck|delisted) (from|off) (the |its |a )?(entity list|blacklist|unverified list|trade blacklist)",
    "defacto_ban": r"\b(de facto|de-facto|effective(ly)?|amounts? to an?|tantamount to an?)\s+(a\s+)?(ban|halt|embargo|block)",
    "condition_limit": r"\b(on (the )?condition|as a condition|conditional on|provided that|in exchange for|only if|only after|subject to|as long as|on the understanding|in return for|must also|so long as)\b",
    "presumption_denial": r"\bpresumption of denial\b",
    "urge_ban": r"\b(urg\w+|call\w* (on|for)|press\w*|lobb\w+|ask\w*|push\w*|demand\w*)\b[^.]{0,60}\b(ban|block|halt|stop|bar|prohibit|cut off|blacklist)",
    "urge_permit": r"\b(urg\w+|call\w* (on|for)|press\w*|lobb\w+|ask\w*|push\w*|demand\w*)\b[^.]{0,60}\b(lift|ease|allow|approve|resume|permit|let)",
    "count_of_measure": r"\b(cost|costs|cost it|estimate\w*|write-?down|charge|lost|loss|revenue hit|impact)\b[^.]{0,50}\b(ban|curbs?|controls?|restrictions?|rules?)\b",
}
_PHRASES = {name: re.compile(pattern, re.IGNORECASE) for name, pattern in PHRASE_CUES.items()}

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
    for name, pattern in _PHRASES.items():
        counts[name] = len(pattern.findall(lowered))
    return counts


FEATURE_NAMES = tuple(name for family in CUE_FAMILIES for name in (family, f"not_{family}")) + tuple(PHRASE_CUES)


class CueFeatures(BaseEstimator, TransformerMixin):
    """Turn texts into log-scaled counts of permit/ban/limit/urge cues, negated and not."""

    def fit(self, texts, y=None):
        return self

    def transform(self, texts):
        rows = [[cue_counts(text)[name] for name in FEATURE_NAMES] for text in texts]
        return sparse.csr_matrix(np.log1p(np.asarray(rows, dtype=np.float64)))

    def get_feature_names_out(self, input_features=None):
        return np.asarray([f"cue_{name}" for name in FEATURE_NAMES], dtype=object)
