"""Structured metadata (JSON-LD, microdata, Open Graph) through extruct, flattened for lookups."""

from __future__ import annotations

import logging
import re
from typing import Any, Iterable

from extruct.jsonld import JsonLdExtractor
from extruct.opengraph import OpenGraphExtractor

LOGGER = logging.getLogger(__name__)

_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·•»]\s+")
_JSON_LD = JsonLdExtractor()
_OPEN_GRAPH = OpenGraphExtractor()


def _flatten(items: Iterable[Any]) -> list[dict]:
    flat: list[dict] = []
    for item in items:
        if isinstance(item, list):
            flat.extend(_flatten(item))
        elif isinstance(item, dict):
            flat.append(item)
            if "@graph" in item:
                flat.extend(_flatten(item["@graph"]))
    return flat


def read_json_ld(tree) -> list[dict]:
    """Every JSON-LD object on the page, with @graph members flattened; broken blocks are skipped."""
    try:
        return _flatten(_JSON_LD.extract_items(tree))
    except Exception as error:  # extruct raises bare ValueErrors/JSON errors on malformed blocks
        LOGGER.debug("JSON-LD unreadable: %s", error)
        return []


def read_open_graph(tree) -> dict[str, str]:
    """Open Graph and article:* properties as a flat dict (first value wins)."""
    found: dict[str, str] = {}
    try:
        for block in _OPEN_GRAPH.extract_items(tree):
            for key, value in block.get("properties", []):
                if value and key not in found:
                    found[key] = value.strip()
    except Exception as error:
        LOGGER.debug("Open Graph unreadable: %s", error)
    return found


def types_of(obj: dict) -> set[str]:
    """The schema.org @type(s) of a JSON-LD object as a set of strings."""
    value = obj.get("@type")
    if isinstance(value, list):
        return {str(v) for v in value}
    return {str(value)} if value else set()


ARTICLE_TYPES = {"Article", "NewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting",
                 "WebPage", "OpinionNewsArticle", "TechArticle", "LiveBlogPosting", "Report", "PressRelease"}


def main_article(objects: list[dict]) -> dict:
    """The JSON-LD object describing the article itself (most specific type first)."""
    ranked = sorted(
        (o for o in objects if types_of(o) & ARTICLE_TYPES),
        key=lambda o: ("WebPage" in types_of(o), not o.get("headline")),
    )
    return ranked[0] if ranked else {}


def person_names(value: Any, exclude: set[str]) -> list[str]:
    """Names of people in a JSON-LD author value, skipping organisations and the publisher."""
    names: list[str] = []
    for entry in value if isinstance(value, list) else [value]:
        if isinstance(entry, dict):
            if types_of(entry) & {"Organization", "NewsMediaOrganization", "Corporation"}:
                continue
            name = entry.get("name")
        else:
            name = entry
        if isinstance(name, str) and name.strip() and name.strip().lower() not in exclude:
            names.append(" ".join(name.split()))
    return names


def strip_site_name(title: str | None, site_names: Iterable[str] | None) -> str | None:
    """Remove a trailing or leading ' | Site Name' from a <title>."""
    if not title:
        return title
    title = " ".join(title.split())
    names = {" ".join(n.split()).lower() for n in (site_names or []) if n and n.strip()}
    separators = list(_TITLE_SEPARATORS.finditer(title))
    if not separators:
        return title
    last, first = separators[-1], separators[0]
    tail, head = title[last.end():].strip(), title[: first.start()].strip()
    if tail.lower() in names or (last.group().strip() == "|" and len(tail.split()) <= 4):
        return title[: last.start()].strip()
    if head.lower() in names:
        return title[first.end():].strip()
    return title
