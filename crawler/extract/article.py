"""Articles: trafilatura for the text, structured data first for title, author and date."""

from __future__ import annotations

import logging
import re
from typing import Any, Mapping

import lxml.html
import trafilatura
from htmldate import find_date

from crawler.extract.dates import to_utc_iso
from crawler.extract.structured import (
    main_article, person_names, read_json_ld, read_open_graph, strip_site_name,
)
from crawler.extract.urls import canonicalize_url
from crawler.extract.video import ExtractionError
from crawler.selectors import CANONICAL_LINK, HTML_LANG, ITEMPROP_AUTHOR, META_CONTENT, REL_AUTHOR, TIME_DATETIME

LOGGER = logging.getLogger(__name__)

MIN_ARTICLE_CHARS = 80  # less than a sentence of body text means we found navigation, not an article

BYLINE_PREFIX = re.compile(r"^\s*(by|from|written by|reporting by|автор)\s*[:\-]?\s*", re.IGNORECASE)
AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|\band\b|&|\bи\b)\s*")
CREDIT_LINE = re.compile(r"^(reported|reporting|writing|editing|additional reporting|compiled) by\b.{0,160}$", re.IGNORECASE)
DATE_LINE = re.compile(r"^(published|updated|posted|last updated|опубликовано)\b[^.]{0,60}\d{4}[^.]{0,30}$", re.IGNORECASE)
NOT_A_PERSON = re.compile(r"(staff|desk|team|editor(ial)?s?|newsroom|agency|reuters|bloomberg|press|news|media|admin)\b", re.I)
DATE_META = (
    ("property", "article:published_time"), ("property", "og:published_time"),
    ("itemprop", "datePublished"), ("name", "pubdate"), ("name", "publishdate"),
    ("name", "date"), ("name", "dc.date.issued"), ("name", "DC.date.issued"), ("name", "sailthru.date"),
    ("name", "parsely-pub-date"),
)


def extract_article(html: str, url: str, hints: Mapping[str, Any] | None = None) -> dict:
    """Extract a news article into a document record; hints carry feed/sitemap fallbacks."""
    hints = hints or {}
    tree = lxml.html.fromstring(html)
    objects = read_json_ld(tree)
    article = main_article(objects)
    og = read_open_graph(tree)
    sources: dict[str, str] = {}

    # Main text only: our own structured-data lookups come first for metadata, and trafilatura's
    # metadata pass (which also runs htmldate) is only needed when they find nothing.
    extracted = trafilatura.bare_extraction(
        html, url=url, with_metadata=False, include_comments=False, include_tables=True, deduplicate=True,
    )
    meta = _LazyMetadata(html, url)
    site_names = _site_names(article, objects, og)

    title = _pick_title(tree, article, og, meta, hints, site_names, sources)
    text = _clean_text(extracted.text if extracted is not None else None, title)
    if not text or len(text) < MIN_ARTICLE_CHARS:
        raise ExtractionError("no main text found")
    author = _pick_author(tree, article, meta, hints, site_names, sources)
    published_at, date_source = _pick_date(tree, html, article, meta, hints)
    canonical = _first(tree, CANONICAL_LINK)
    return {
        "url": canonicalize_url(canonical or url),
        "aliases": sorted({canonicalize_url(url)} - {canonicalize_url(canonical or url)}),
        "kind": "article",
        "title": title,
        "author": author,
        "published_at": published_at,
        "date_source": date_source,
        "text": text,
        "views": None,
        "language": _language(tree, article, og, text),
        "field_sources": sources,
    }


def _first(tree, xpath: str) -> str | None:
    for value in tree.xpath(xpath):
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


class _LazyMetadata:
    """trafilatura's metadata (title, author, site name), computed on first use only."""

    def __init__(self, html: str, url: str) -> None:
        self.html, self.url, self._values = html, url, None

    def get(self, key: str):
        if self._values is None:
            document = trafilatura.extract_metadata(self.html, default_url=self.url, date_config={"extensive_search": False})
            self._values = document.as_dict() if document is not None else {}
        return self._values.get(key)


def _site_names(article: dict, objects: list[dict], og: dict) -> set[str]:
    names = {og.get("og:site_name")}
    publisher = article.get("publisher")
    if isinstance(publisher, dict):
        names.add(publisher.get("name"))
    for obj in objects:
        if {"WebSite", "Organization", "NewsMediaOrganization"} & set(map(str, [obj.get("@type")])):
            names.add(obj.get("name"))
    return {n for n in names if isinstance(n, str) and n.strip()}


def _pick_title(tree, article, og, meta, hints, site_names, sources) -> str | None:
    candidates = [
        ("json-ld", lambda: article.get("headline")),
        ("og", lambda: og.get("og:title")),
        ("h1", lambda: " ".join(tree.xpath("string(//h1)").split()) or None),
        ("trafilatura", lambda: meta.get("title")),
        ("feed", lambda: hints.get("title")),
    ]
    for origin, candidate in candidates:
        value = candidate()
        if isinstance(value, str) and value.strip():
            sources["title"] = origin
            return strip_site_name(value, site_names | ({meta.get("sitename")} if origin == "trafilatura" else set()))
    return None


def _clean_text(text: str | None, title: str | None) -> str | None:
    if not text:
        return None
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines and title and lines[0].lower() == title.lower():
        lines = lines[1:]  # trafilatura keeps the <h1>; the title has its own column
    while lines and DATE_LINE.match(lines[0]):
        lines.pop(0)  # "Published 3 March 2023, 10:40 JST" belongs in published_at
    while lines and CREDIT_LINE.match(lines[-1]):
        lines.pop()  # wire credits ("Reporting by ...; editing by ...") are bylines, not body text
    return "\n".join(lines) or None


def _people(raw: str | None, site_names: set[str]) -> list[str]:
    if not raw:
        return []
    raw = BYLINE_PREFIX.sub("", " ".join(raw.split()))
    names = []
    excluded = {n.lower() for n in site_names}
    for name in AUTHOR_SPLIT.split(raw):
        name = name.strip(" .|")
        if not name or name.lower() in excluded or NOT_A_PERSON.search(name) or len(name.split()) > 5:
            continue
        if name.startswith("http") or "@" in name:
            continue
        names.append(name)
    return names


def _pick_author(tree, article, meta, hints, site_names, sources) -> str | None:
    excluded = {n.lower() for n in site_names}
    candidates = [
        ("json-ld", lambda: person_names(article.get("author"), excluded) if article else []),
        ("meta", lambda: _people(_first(tree, META_CONTENT.format(attr="name", name="author")), site_names)),
        ("meta", lambda: _people(_first(tree, META_CONTENT.format(attr="property", name="article:author")), site_names)),
        ("itemprop", lambda: _people(_first(tree, ITEMPROP_AUTHOR), site_names)),
        ("byline", lambda: _people(_first(tree, REL_AUTHOR), site_names)),
        ("trafilatura", lambda: _people(meta.get("author"), site_names | {meta.get("sitename") or ""})),
        ("feed", lambda: _people(hints.get("author"), site_names)),
    ]
    for origin, candidate in candidates:
        names = [n for n in candidate() if n.lower() not in excluded]
        if names:
            sources["author"] = origin
            return ", ".join(dict.fromkeys(names))
    return None


def _pick_date(tree, html, article, meta, hints) -> tuple[str | None, str | None]:
    structured = [("json-ld", article.get("datePublished") or article.get("dateCreated"))]
    structured += [("meta", _first(tree, META_CONTENT.format(attr=a, name=n))) for a, n in DATE_META]
    structured += [("time", _first(tree, TIME_DATETIME))]
    for origin, value in structured:
        iso = to_utc_iso(value)
        if iso:
            return iso, origin
    if hints.get("published_at"):
        return to_utc_iso(hints["published_at"]), hints.get("date_source") or "feed"
    try:
        found = find_date(tree, original_date=True, extensive_search=True, outputformat="%Y-%m-%d")
    except Exception as error:  # htmldate can trip on odd markup; the date is optional
        LOGGER.debug("htmldate failed: %s", error)
        found = None
    return (to_utc_iso(found), "htmldate") if found else (None, None)


def _language(tree, article, og, text: str) -> str | None:
    for value in (_first(tree, HTML_LANG), article.get("inLanguage"), og.get("og:locale")):
        if isinstance(value, str) and value.strip():
            return value.strip().replace("_", "-").split("-")[0].lower()
    cyrillic = sum(1 for ch in text[:2000] if "\u0400" <= ch <= "\u04ff")
    return "ru" if cyrillic > 50 else ("en" if text else None)
