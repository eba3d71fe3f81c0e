"""Video pages: YouTube watch pages and mirror/downloader pages, as pure functions."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import html_text
import lxml.html

from crawler.extract.dates import to_utc_iso
from crawler.extract.structured import read_json_ld, strip_site_name
from crawler.extract.urls import canonicalize_url
from crawler.selectors import (
    ITEMPROP_AUTHOR_NAME, ITEMPROP_CONTENT, META_CONTENT, MIRROR_CHROME, MIRROR_LABELS,
    YT_PLAYER_RESPONSE,
)

LOGGER = logging.getLogger(__name__)

_LABEL_TO_FIELD = {label: field for field, labels in MIRROR_LABELS.items() for label in labels}
_LABEL_LINE = re.compile(
    r"^\s*(" + "|".join(sorted(map(re.escape, _LABEL_TO_FIELD), key=len, reverse=True)) + r")\s*[:：]\s*(.*)$",
    re.IGNORECASE,
)
_MIRROR_HINT = re.compile(
    r">\s*(" + "|".join(sorted(map(re.escape, _LABEL_TO_FIELD), key=len, reverse=True)) + r")\s*[:：]",
    re.IGNORECASE,
)
_MULTIPLIERS = (
    (re.compile(r"^(k|тыс\.?|thousand|тысяч[аи]?)$", re.I), 1_000),
    (re.compile(r"^(m|mn|млн\.?|million|миллион(а|ов)?)$", re.I), 1_000_000),
    (re.compile(r"^(b|bn|млрд\.?|billion|миллиард(а|ов)?)$", re.I), 1_000_000_000),
)
_VIEW_COUNT = re.compile(r"(\d[\d\s.,\u00a0\u202f']*)\s*([^\W\d_]+\.?)?", re.UNICODE)


class ExtractionError(ValueError):
    """The page is not what its extractor needs (e.g. no player data and no fallbacks)."""


def parse_view_count(value: Any) -> int | None:
    """Parse '12,408', '1.2K', '1,2 тыс.', '3 млн', '12 408 views' into an int."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return int(value)
    match = _VIEW_COUNT.search(str(value))
    if not match:
        return None
    number, unit = match.group(1).strip(), (match.group(2) or "").strip()
    multiplier = next((m for pattern, m in _MULTIPLIERS if pattern.match(unit)), None)
    compact = re.sub(r"[\s\u00a0\u202f']", "", number).rstrip(".,")
    if multiplier:
        return int(round(float(compact.replace(",", ".")) * multiplier))
    digits = re.sub(r"[.,]", "", compact)
    return int(digits) if digits else None


def is_watch_page(html: str) -> bool:
    """True for a YouTube watch page (player data or a VideoObject on a youtube-like page)."""
    return bool(YT_PLAYER_RESPONSE.search(html))


def is_mirror_page(html: str) -> bool:
    """True when the page shows at least author, views and one of date/description as labelled pairs."""
    found = {_LABEL_TO_FIELD[m.group(1).lower()] for m in _MIRROR_HINT.finditer(html[:200_000])}
    return {"author", "views"} <= found and bool(found & {"date", "description"})


def _player_response(html: str) -> dict:
    match = YT_PLAYER_RESPONSE.search(html)
    if not match:
        return {}
    try:
        data, _ = json.JSONDecoder().raw_decode(html, match.end())
    except json.JSONDecodeError:
        LOGGER.debug("ytInitialPlayerResponse is not valid JSON")
        return {}
    return data if isinstance(data, dict) else {}


def _first(tree, xpath: str) -> str | None:
    values = [v.strip() for v in tree.xpath(xpath) if isinstance(v, str) and v.strip()]
    return values[0] if values else None


def extract_watch_page(html: str, url: str) -> dict:
    """Read a YouTube watch page: player response first, then microdata, Open Graph and JSON-LD."""
    tree = lxml.html.fromstring(html)
    player = _player_response(html)
    details = player.get("videoDetails") or {}
    micro = (player.get("microformat") or {}).get("playerMicroformatRenderer") or {}
    video_object = next((o for o in read_json_ld(tree) if "VideoObject" in str(o.get("@type"))), {})
    sources: dict[str, str] = {}

    def pick(field: str, candidates: list[tuple[str, Any]]) -> Any:
        for origin, value in candidates:
            if value not in (None, "", []):
                sources[field] = origin
                return value
        return None

    interaction = video_object.get("interactionStatistic")
    if isinstance(interaction, list):
        interaction = interaction[0] if interaction else {}
    title = pick("title", [
        ("player", details.get("title")),
        ("microformat", (micro.get("title") or {}).get("simpleText")),
        ("json-ld", video_object.get("name")),
        ("og", _first(tree, META_CONTENT.format(attr="property", name="og:title"))),
        ("itemprop", _first(tree, ITEMPROP_CONTENT.format(name="name"))),
    ])
    author_obj = video_object.get("author")
    author = pick("author", [
        ("player", details.get("author")),
        ("microformat", micro.get("ownerChannelName")),
        ("itemprop", _first(tree, ITEMPROP_AUTHOR_NAME)),
        ("json-ld", author_obj.get("name") if isinstance(author_obj, dict) else author_obj),
    ])
    description = pick("text", [
        ("player", details.get("shortDescription")),
        ("microformat", (micro.get("description") or {}).get("simpleText")),
        ("json-ld", video_object.get("description")),
        ("og", _first(tree, META_CONTENT.format(attr="property", name="og:description"))),
        ("itemprop", _first(tree, ITEMPROP_CONTENT.format(name="description"))),
    ])
    views = pick("views", [
        ("player", details.get("viewCount")),
        ("microformat", micro.get("viewCount")),
        ("itemprop", _first(tree, ITEMPROP_CONTENT.format(name="interactionCount"))),
        ("json-ld", (interaction or {}).get("userInteractionCount") if isinstance(interaction, dict) else None),
    ])
    published = pick("published_at", [
        ("microformat", micro.get("publishDate")),
        ("microformat", micro.get("uploadDate")),
        ("json-ld", video_object.get("uploadDate") or video_object.get("datePublished")),
        ("itemprop", _first(tree, ITEMPROP_CONTENT.format(name="datePublished"))),
        ("itemprop", _first(tree, ITEMPROP_CONTENT.format(name="uploadDate"))),
    ])
    video_id = details.get("videoId") or _first(tree, ITEMPROP_CONTENT.format(name="videoId"))
    if not title and not description:
        raise ExtractionError("watch page has no player data, JSON-LD or meta title")
    return {
        "url": canonicalize_url(url),
        "kind": "video",
        "title": title,
        "author": author,
        "published_at": to_utc_iso(published),
        "date_source": sources.get("published_at"),
        "text": (description or "").strip() or None,
        "views": parse_view_count(views),
        "video_id": video_id,
        "language": _first(tree, "/html/@lang"),
        "field_sources": sources,
    }


def _page_lines(html: str) -> tuple[list[str], Any]:
    tree = lxml.html.fromstring(html)
    for node in tree.xpath("//script|//style|//noscript|//template"):
        node.drop_tree()
    text = html_text.extract_text(tree, guess_layout=True)
    return [line.strip() for line in text.splitlines()], tree


def extract_mirror_page(html: str, url: str) -> dict:
    """Read a video mirror page of 'Author: X / Uploaded: D / Views: N / Description: ...' pairs."""
    lines, tree = _page_lines(html)
    fields: dict[str, str] = {}
    description: list[str] = []
    label_index = None
    in_description = False
    for index, line in enumerate(lines):
        match = _LABEL_LINE.match(line)
        field = _LABEL_TO_FIELD.get(match.group(1).lower()) if match else None
        if field and not (in_description and field != "description" and not _looks_like_meta(field, match.group(2))):
            if label_index is None:
                label_index = index
            in_description = field == "description"
            value = match.group(2).strip()
            if in_description:
                if value:
                    description.append(value)
            elif value:
                fields.setdefault(field, value)
            else:
                fields.setdefault(field, _next_nonempty(lines, index))
            continue
        if in_description:
            if MIRROR_CHROME.match(line):
                in_description = False
                continue
            description.append(line)
    title = _mirror_title(tree, lines, label_index)
    body = _clean_description(description, title)
    if not (fields.get("author") or body):
        raise ExtractionError("mirror page has no author or description")
    return {
        "url": canonicalize_url(url),
        "kind": "video",
        "title": title,
        "author": fields.get("author"),
        "published_at": to_utc_iso(fields.get("date")),
        "date_source": "page" if fields.get("date") else None,
        "text": body,
        "views": parse_view_count(fields.get("views")),
        "video_id": None,
        "language": _first(tree, "/html/@lang"),
        "field_sources": {k: "mirror-label" for k in ("author", "date", "views") if fields.get(k)},
    }


def _looks_like_meta(field: str, value: str) -> bool:
    """Inside a description, 'Views: 12' is metadata only if the value has the right shape."""
    value = value.strip()
    if field == "views":
        return parse_view_count(value) is not None and len(value) < 30
    if field == "date":
        return bool(re.match(r"^[\d./\- ]{8,12}$", value))
    return False


def _next_nonempty(lines: list[str], index: int) -> str | None:
    for line in lines[index + 1: index + 4]:
        if line:
            return line
    return None


def _mirror_title(tree, lines: list[str], label_index: int | None) -> str | None:
    h1 = [" ".join(n.text_content().split()) for n in tree.xpath("//h1")]
    if h1 and h1[0]:
        return h1[0]
    og = _first(tree, META_CONTENT.format(attr="property", name="og:title"))
    if og:
        return og
    if label_index:
        before = [line for line in lines[:label_index] if line]
        if before:
            return before[-1]
    title = _first(tree, "//title/text()")
    return strip_site_name(title, None) if title else None


def _clean_description(lines: list[str], title: str | None) -> str | None:
    kept = [line for line in lines if line and not MIRROR_CHROME.match(line)]
    if kept and title and kept[0].strip().lower() == title.strip().lower():
        kept = kept[1:]  # mirrors repeat the video title as the description's first line
    return "\n".join(kept).strip() or None
