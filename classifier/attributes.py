"""Rule-and-gazetteer attributes beside the label: actor, direction, items, status."""

from __future__ import annotations

import re
from collections import Counter

ITEM_PATTERNS = {
    "H20": r"\bH20\b", "H200": r"\bH200s?\b", "H100": r"\bH100s?\b", "H800": r"\bH800s?\b", "A100": r"\bA100s?\b",
    "B30A": r"\bB30A\b", "B20": r"\bB20\b", "Blackwell": r"\bBlackwell\b", "MI308": r"\bMI308\b", "MI300": r"\bMI300\w?\b",
    "Ascend": r"\bAscend\b", "HBM": r"\bHBM\d?\w?\b|high[- ]bandwidth memory", "EUV": r"\bEUV\b|extreme ultraviolet",
    "DUV": r"\bDUV\b|deep ultraviolet", "lithography": r"\blithograph", "gallium": r"\bgallium\b",
    "germanium": r"\bgermanium\b", "antimony": r"\bantimony\b",
}
_ITEM_REGEXES = {item: re.compile(pattern, re.IGNORECASE) for item, pattern in ITEM_PATTERNS.items()}

ACTOR_CUES = {
    "us": r"\b(U\.S\.|US|United States|Washington|Commerce Department|Commerce|BIS|Bureau of Industry|White House|Trump|Biden|Congress|senators?|lawmakers|Lutnick|American)\b",
    "china": r"\b(China|Chinese|Beijing|MOFCOM|CAC|NDRC|MIIT|Cyberspace Administration|customs|Xi)\b",
    "other_gov": r"\b(Netherlands|Dutch|The Hague|Japan|Japanese|Tokyo|METI|Korea|Korean|Seoul|MOTIE|Taiwan|Taiwanese|Taipei|MOEA|Malaysia|Malaysian|Singapore|EU|European|Brussels|Germany|UK|Britain|India|UAE|Saudi)\b",
    "company": r"\b(Nvidia|AMD|ASML|Tokyo Electron|Applied Materials|Lam Research|KLA|SK Hynix|Samsung|Micron|TSMC|SMIC|Huawei|Cambricon|ByteDance|Alibaba|Tencent|Baidu|Intel)\b",
}
_ACTOR_REGEXES = {actor: re.compile(pattern) for actor, pattern in ACTOR_CUES.items()}
GOVERNMENT_ACTION = re.compile(r"\b(ministry|government|regulators?|authorities|officials|customs|department|administration|rule|law|licen[cs]e)\b", re.I)
IMPORT_CUES = re.compile(r"\b(import\w*|buy\w*|bought|purchas\w*|orders?|let (the chips|them) in|customs|into China|entry)\b", re.I)
EXPORT_CUES = re.compile(r"\b(export\w*|ship\w*|sell\w*|sales to|sold to)\b", re.I)
STATUS_CUES = (
    ("denied", re.compile(r"\b(denied|denies|deny|dismissed (the )?reports?|rejected (the )?reports?|no such (plan|ban|rule)|not true|false reports?)\b", re.I)),
    ("proposed", re.compile(r"\b(urg\w+|call(s|ed)? (on|for)|lobb\w+|propos\w+|bill|draft|plan(s|ning)? to|consider\w*|weigh\w*|should|would|could|may|might|push(es|ed)? for)\b", re.I)),
    ("reported", re.compile(r"\b(report\w*|sources?|people familiar|according to|said to|reportedly|rumou?r\w*|expected to)\b", re.I)),
)


def find_items(text: str) -> list[str]:
    """Chips, tools and materials named in the text, in gazetteer order."""
    return [item for item, regex in _ITEM_REGEXES.items() if regex.search(text)]


def find_actor(text: str) -> str:
    """Who acts: the government (or company) named most, governments before companies on ties."""
    counts = Counter({actor: len(regex.findall(text)) for actor, regex in _ACTOR_REGEXES.items()})
    governments = [(counts[a], a) for a in ("us", "china", "other_gov") if counts[a]]
    if governments:
        return max(governments)[1]
    return "company" if counts["company"] else "unknown"


def find_direction(text: str, actor: str) -> str:
    """export when the seller's government acts, import when the buyer's does."""
    imports, exports = bool(IMPORT_CUES.search(text)), bool(EXPORT_CUES.search(text))
    if actor == "us":
        return "import" if imports and not exports and re.search(r"\btariff|import", text, re.I) else "export"
    if actor == "china":
        if exports and re.search(r"gallium|germanium|antimony|graphite|rare", text, re.I):
            return "export"
        return "import" if imports or not exports else "export"
    if imports and exports:
        return "both"
    return "import" if imports else ("export" if exports else "unknown")


def find_status(text: str) -> str:
    """enacted unless the text denies, proposes or only reports the measure."""
    for status, regex in STATUS_CUES:
        if regex.search(text):
            return status
    return "enacted"


def attributes(text: str) -> dict:
    """All four attributes of a passage or a document's evidence text."""
    actor = find_actor(text)
    return {"actor": actor, "direction": find_direction(text, actor), "items": find_items(text), "status": find_status(text)}
