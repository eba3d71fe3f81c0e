"""Cue features: a negation-aware lexicon of permit / ban / limit expressions."""

from __future__ import annotations

import bisect
import functools
import re

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

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
_OBJECT = r"(?:[\w'’-]+ ){0,5}"  # up to five words between a verb and its object ("its April", "two of the firm's")
PHRASE_CUES: dict[str, str] = {
    "reversal_permit": r"\b(lift\w*|eas(e|ed|es|ing)|scrap\w*|suspend\w*|roll\w* back|rescind\w*|revok\w*|drop\w*|end(s|ed|ing)?|waiv\w*|relax\w*|loosen\w*|remov\w*|revers\w*|overturn\w*|pause\w*|exempt\w*|withdr\w*|shelv\w*|repeal\w*|abandon\w*|retract\w*|walk\w* back|dismantl\w*|unwind\w*)\s+"
                       + _OBJECT + r"(ban|bans|curbs?|restrictions?|controls?|prohibitions?|embargo|blacklist|entity list|licen[cs]e requirements?|export rules?|limits?|freeze)\b",
    "delisted_permit": r"\b(remov\w*|tak\w* off|took|drop\w*|struck|strik\w*|delist\w*)\b[^.;]{0,50}\b(from|off) (the |its |a |their )?([\w-]+ ){0,2}(list|blacklist)\b",
    # Withdrawing a permission stops trade (rule 4: a reversal is labelled by where it goes).
    "revoked_permission": r"\b(revok\w*|withdr\w*|pull\w*|cancel\w*|rescind\w*|yank\w*|strip\w*|not renew\w*|declin\w* to renew|let\w* (it |them )?lapse|suspend\w*)\s+"
                          + _OBJECT + r"(licen[cs]es?|permits?|authori[sz]ations?|waivers?|exemptions?|approvals?|exceptions?)\b",
    # Idioms of headlinese, grouped by the direction they carry.
    "idiom_ban": r"\b(shut\w* (the door|out)|shut\w* (\w+ ){1,2}out\b|pull\w* the plug|turn\w* off the tap|freez\w* out|cold shoulder|red light|off the table|close\w* the door|cut\w* \w+ off|no longer (ship|sell|export|import|buy|receive|send)|can no longer|cannot (be sold|be shipped|be exported|enter|receive))",
    "idiom_permit": r"\b(open\w* the door|gives? (the )?nod|nod to|wav\w* through|green ?light\w*|back in business|clear\w* the way|lifeline|reprieve|carve-?out|thaw\w*|paves? the way|free to (ship|sell|export|import|buy))",
    "idiom_limit": r"\b(short leash|ration\w*|rein\w* in|tighten\w* the screws|keep\w* \w+ (out of reach|in check)|hobbl\w*|hamper\w*|constrain\w*|choke\w*|slow\w* (china|beijing|its|their)|stops? short of|narrow\w*|new controls|controls on|justify)",
    "defacto_ban": r"\b(de facto|de-facto|effective(ly)?|amounts? to an?|tantamount to an?)\s+(a\s+)?(ban|halt|embargo|block)",
    "condition_limit": r"\b(on (the )?condition|as a condition|conditional on|provided that|in exchange for|only if|only after|subject to|as long as|on the understanding|in return for|must also|so long as)\b",
    "presumption_denial": r"\bpresumption of denial\b",
    "urge_ban": r"\b(urg\w+|call\w* (on|for)|press\w*|lobb\w+|ask\w*|push\w*|demand\w*)\b[^.]{0,60}\b(ban|block|halt|stop|bar|prohibit|cut off|blacklist)",
    "urge_permit": r"\b(urg\w+|call\w* (on|for)|press\w*|lobb\w+|ask\w*|push\w*|demand\w*)\b[^.]{0,60}\b(lift|ease|allow|approve|resume|permit|let)",
    "count_of_measure": r"\b(cost|costs|cost it|estimate\w*|write-?down|charge|lost|loss|revenue hit|impact)\b[^.]{0,50}\b(ban|curbs?|controls?|restrictions?|rules?)\b",
}
# Each phrase regex runs only when one of its literal trigger words is in the text (a fast substring test).
PHRASE_TRIGGERS: dict[str, tuple[str, ...]] = {
    "reversal_permit": ("ban", "curb", "restriction", "control", "prohibition", "embargo", "blacklist", "entity list",
                        "licen", "export rule", "limit", "freeze"),
    "delisted_permit": ("list",),
    "revoked_permission": ("licen", "permit", "authori", "waiver", "exemption", "approval", "exception"),
    "idiom_ban": ("door", "shut", "plug", "tap", "freez", "shoulder", "red light", "table", "cut", "no longer", "cannot"),
    "idiom_permit": ("door", "nod", "wav", "green", "business", "way", "lifeline", "reprieve", "carve", "thaw", "free to"),
    "idiom_limit": ("leash", "ration", "rein", "screws", "keep", "hobbl", "hamper",
                    "constrain", "chok", "slow", "short of", "narrow", "controls", "justify"),
    "defacto_ban": ("facto", "effective", "amount"),
    "condition_limit": ("condition", "provided", "exchange", "only ", "subject to", "long as", "understanding",
                        "return for", "must also"),
    "presumption_denial": ("presumption",),
    "urge_ban": ("urg", "call", "press", "lobb", "ask", "push", "demand"),
    "urge_permit": ("urg", "call", "press", "lobb", "ask", "push", "demand"),
    "count_of_measure": ("cost", "estimat", "write", "charge", "lost", "loss", "impact"),
}
# Scope (rule 8): trade measures on other goods are neutral unless the text ties them to chips.
CHIP_SCOPE = re.compile(
    r"\b(chips?|chipmak\w*|semiconduct\w*|processors?|gpus?|accelerators?|wafers?|lithograph\w*|fabs?|foundr\w*|hbm|dram|nand|"
    r"memory|h20|h200|h100|h800|a100|b30a|b20|blackwell|mi308|ascend|euv|duv|gallium|germanium|nvidia|amd|asml|tsmc|smic|"
    r"huawei|intel|micron|hynix|samsung|cambricon|eda|tools?|equipment|computing|supercomput\w*|ai)\b"
)
OTHER_GOODS = re.compile(
    r"\b(drones?|rice|wheat|corn|soybeans?|sugar|onions?|beef|pork|seafood|fish|steel|aluminium|aluminum|cars?|vehicles?|evs?|"
    r"batter(y|ies)|solar|panels?|pharma\w*|drugs?|vaccines?|medic\w*|magnets?|rare[- ]earths?|graphite|lithium|cobalt|nickel|"
    r"textiles?|cotton|garments?|apps?|tiktok|social media|oil|crude|gas|lng|banks?|cranes?|aircraft|timber|"
    r"coal|fertili[sz]ers?|poultry|dairy|wine|whisky|tobacco|cameras?|routers?)\b"
)
_SCOPE = re.compile(rf"(?P<chip>{CHIP_SCOPE.pattern})|(?P<other>{OTHER_GOODS.pattern})")  # one scan for both
_PHRASES = {name: (frozenset(PHRASE_TRIGGERS[name]), re.compile(pattern)) for name, pattern in PHRASE_CUES.items()}
_ALL_TRIGGERS = tuple(sorted(set().union(*PHRASE_TRIGGERS.values())))  # one substring test each per text

NEGATORS = re.compile(r"\b(not|no|never|n't|without|neither|nor|refus\w*|declin\w*|yet to|fail\w* to|won't|cannot|can't|didn't|hasn't|haven't|isn't|wasn't)\b")
NEGATION_WINDOW = 4  # tokens before a cue that a negator reaches
_TOKEN = re.compile(r"[\w'-]+|%", re.UNICODE)


# One alternation per lexicon, with a named group per family: a single scan of the text finds every
# cue (where two families match at one position, the earlier family wins).
_FAMILIES = re.compile(
    r"(?<![\w-])(?:" + "|".join(f"(?P<{family}>{'|'.join(stems)})" for family, stems in CUE_LEXICON.items()) + ")",
)  # matched against lower-cased text, so no IGNORECASE (which makes this scan three times slower)
CUE_FAMILIES = tuple(CUE_LEXICON)


def cue_counts(text: str) -> dict[str, float]:
    """Counts of each cue family in text, split into plain and negated uses, and of phrase cues."""
    lowered = text.lower()
    negator_ends = [m.end() for m in NEGATORS.finditer(lowered)]
    counts: dict[str, float] = dict.fromkeys(FEATURE_NAMES, 0)
    for match in _FAMILIES.finditer(lowered):
        family = match.lastgroup
        if negator_ends and _negated(lowered, negator_ends, match.start()):
            family = f"not_{family}"
        counts[family] += 1
    present = {trigger for trigger in _ALL_TRIGGERS if trigger in lowered}
    for name, (triggers, pattern) in _PHRASES.items():
        if not present.isdisjoint(triggers):
            counts[name] = len(pattern.findall(lowered))
    chip_terms = other_goods = 0
    for match in _SCOPE.finditer(lowered):
        if match.lastgroup == "chip":
            chip_terms += 1
        else:
            other_goods += 1
    counts["chip_scope"] = chip_terms
    counts["other_goods"] = other_goods
    counts["other_goods_only"] = float(other_goods > 0 and chip_terms == 0)
    return counts


def _negated(lowered: str, negator_ends: list[int], start: int) -> bool:
    """True when a negator ends within NEGATION_WINDOW tokens before `start` (same clause)."""
    index = bisect.bisect_right(negator_ends, start) - 1
    if index < 0:
        return False
    between = lowered[negator_ends[index]:start]
    return len(_TOKEN.findall(between)) < NEGATION_WINDOW and not any(p in between for p in ".;:")


SCOPE_FEATURES = ("chip_scope", "other_goods", "other_goods_only")
FEATURE_NAMES = tuple(name for family in CUE_FAMILIES for name in (family, f"not_{family}")) + tuple(PHRASE_CUES) + SCOPE_FEATURES


class CueFeatures(BaseEstimator, TransformerMixin):
    """Turn texts into log-scaled counts of permit/ban/limit/urge cues, negated and not.

    `weight` scales the cue columns against the thousands of n-gram columns beside them.
    """

    def __init__(self, weight: float = 1.0) -> None:
        self.weight = weight

    def fit(self, texts, y=None):
        return self

    def transform(self, texts):
        rows = []
        for text in texts:
            counts = cue_counts(text)
            rows.append([counts[name] for name in FEATURE_NAMES])
        return sparse.csr_matrix(self.weight * np.log1p(np.asarray(rows, dtype=np.float64)))

    def get_feature_names_out(self, input_features=None):
        return np.asarray([f"cue_{name}" for name in FEATURE_NAMES], dtype=object)


# Rule 6: a passage is labelled by its main clause. A leading time/concession clause ("Weeks after
# Washington eased ..., Beijing ...") and trailing background ("..., after ...", "..., people familiar
# said") are cut, so the main clause gets word features of its own.
_LEADING_CLAUSE = re.compile(
    r"^\s*(just |only |even |weeks |days |months |a week |two weeks |shortly |soon |a day |hours |years ){0,2}(after|as|while|since|although|though|"
    r"despite|following|before|when|if|unless|until|because|amid|with|in the wake of|less than|more than)\b[^,]{0,160},\s*"
)
_TRAILING_CLAUSE = re.compile(
    r",\s*(after|as|while|since|although|though|despite|following|before|when|even as|amid|which|who|according to|"
    r"people familiar|sources said|a move|in a move)\b.*$"
)


def main_clause(text: str) -> str:
    """The lower-cased text without a leading subordinate clause or trailing background."""
    return _TRAILING_CLAUSE.sub("", _LEADING_CLAUSE.sub("", text.lower()))


_WHITESPACE = re.compile(r"\s\s+")


@functools.lru_cache(maxsize=20_000)  # ~1.5 KB an entry: bounded for a long-running crawl worker
def word_char_ngrams(word: str, low: int = 2, high: int = 5) -> tuple[str, ...]:
    """scikit-learn's char_wb n-grams of one word, padded with spaces; cached, as words recur."""
    padded = f" {word} "
    grams: list[str] = []
    for n in range(low, high + 1):
        if len(padded) <= n:
            grams.append(padded)
            break
        grams.extend(padded[i:i + n] for i in range(len(padded) - n + 1))
    return tuple(grams)


def words_of(text: str) -> list[str]:
    """Lower-cased whitespace-separated words, as char_wb sees them."""
    return _WHITESPACE.sub(" ", text.lower()).split()


WORD_CACHE_SIZE = 50_000  # distinct words whose columns are kept (~1 KB each); news vocabularies are mostly shorter


class CharNgramTfidf(BaseEstimator, TransformerMixin):
    """TF-IDF over within-word character n-grams (scikit-learn's char_wb), with a per-word cache.

    Fitting is plain CountVectorizer + TfidfTransformer; transforming looks each distinct word's
    n-gram columns up once, which makes it several times faster than TfidfVectorizer on news text.
    """

    def __init__(self, ngram_range: tuple[int, int] = (2, 5), min_df: int = 2, sublinear_tf: bool = True) -> None:
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf

    def _analyze(self, text: str) -> list[str]:
        low, high = self.ngram_range
        return [gram for word in words_of(text) for gram in word_char_ngrams(word, low, high)]

    def fit(self, texts, y=None):
        self.counts_ = CountVectorizer(analyzer=self._analyze, min_df=self.min_df, dtype=np.float64)
        counts = self.counts_.fit_transform(texts)
        self.tfidf_ = TfidfTransformer(sublinear_tf=self.sublinear_tf).fit(counts)
        self._word_columns = {}
        return self

    def _columns(self, word: str) -> list[int]:
        columns = self._word_columns.get(word)
        if columns is None:
            vocabulary = self.counts_.vocabulary_
            low, high = self.ngram_range
            columns = [vocabulary[g] for g in word_char_ngrams(word, low, high) if g in vocabulary]
            if len(self._word_columns) < WORD_CACHE_SIZE:  # bound the cache on endless streams of new words
                self._word_columns[word] = columns
        return columns

    def transform(self, texts):
        if not hasattr(self, "_word_columns"):
            self._word_columns = {}
        columns: list[int] = []
        indptr = [0]
        cache_get, lookup = self._word_columns.get, self._columns
        for text in texts:
            for word in words_of(text):
                found = cache_get(word)
                columns.extend(found if found is not None else lookup(word))
            indptr.append(len(columns))
        counts = sparse.csr_matrix(
            (np.ones(len(columns)), np.asarray(columns, dtype=np.int32), np.asarray(indptr, dtype=np.int64)),
            shape=(len(texts), len(self.counts_.vocabulary_)),
        )
        counts.sum_duplicates()
        return self.tfidf_.transform(counts)

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_word_columns", None)  # a cache, rebuilt on demand
        return state

    def get_feature_names_out(self, input_features=None):
        return self.counts_.get_feature_names_out()
