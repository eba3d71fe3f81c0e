"""Feeds (RSS 2.0, RSS 1.0/RDF, Atom, YouTube channel feeds) and sitemaps, as pure functions."""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field

import feedparser
from lxml import etree

from crawler.extract.dates import to_utc_iso
from crawler.extract.video import parse_view_count

LOGGER = logging.getLogger(__name__)

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS_NS = "{http://www.google.com/schemas/sitemap-news/0.9}"
UPDATE_PERIOD_SECONDS = {"hourly": 3600, "daily": 86400, "weekly": 604800, "monthly": 2592000, "yearly": 31536000}


class FeedError(ValueError):
    """A feed or sitemap that cannot be read at all."""


@dataclass
class FeedEntry:
    link: str
    title: str | None = None
    published_at: str | None = None
    updated_at: str | None = None
    author: str | None = None
    summary: str | None = None
    video_id: str | None = None
    views: int | None = None


@dataclass
class Feed:
    title: str | None
    entries: list[FeedEntry] = field(default_factory=list)
    update_period_s: int | None = None  # from sy:updatePeriod / sy:updateFrequency
    warning: str | None = None  # set when the feed was malformed but partly readable


def parse_feed(body: bytes, url: str) -> Feed:
    """Parse any feed format feedparser knows; raise FeedError when nothing usable is inside."""
    with warnings.catch_warnings():
        # feedparser warns when updated_parsed falls back to published_parsed; we read both on purpose
        warnings.simplefilter("ignore", DeprecationWarning)
        return _parse_feed(body, url)


def _parse_feed(body: bytes, url: str) -> Feed:
    parsed = feedparser.parse(body, response_headers={"content-location": url})
    entries = []
    for raw in parsed.entries:
        link = raw.get("link") or next((l.get("href") for l in raw.get("links", []) if l.get("href")), None)
        if not link:
            continue
        video_id = raw.get("yt_videoid")
        stats = raw.get("media_statistics") or {}
        entries.append(FeedEntry(
            link=link.strip(),
            title=(raw.get("title") or "").strip() or None,
            # RSS 1.0's dc:date and Atom's <updated> are the only dates some feeds carry
            published_at=to_utc_iso(raw.get("published_parsed") or raw.get("published")
                                    or raw.get("updated_parsed") or raw.get("updated")),
            updated_at=to_utc_iso(raw.get("updated_parsed") or raw.get("updated")),
            author=(raw.get("author") or "").strip() or None,
            summary=(raw.get("summary") or "").strip() or None,
            video_id=video_id,
            views=parse_view_count(stats.get("views")) if stats else None,
        ))
    if not entries and (parsed.bozo or not parsed.version):
        raise FeedError(f"unreadable feed: {parsed.get('bozo_exception') or 'no entries'}")
    period = (parsed.feed.get("sy_updateperiod") or "").strip().lower()
    try:
        frequency = max(1, int(parsed.feed.get("sy_updatefrequency") or 1))
    except ValueError:
        frequency = 1
    update_period_s = UPDATE_PERIOD_SECONDS[period] // frequency if period in UPDATE_PERIOD_SECONDS else None
    warning = str(parsed.get("bozo_exception")) if parsed.bozo else None
    return Feed(title=parsed.feed.get("title"), entries=entries, update_period_s=update_period_s, warning=warning)


@dataclass
class SitemapEntry:
    loc: str
    lastmod: str | None = None
    news_title: str | None = None
    news_published_at: str | None = None


@dataclass
class Sitemap:
    kind: str  # "index" or "urlset"
    entries: list[SitemapEntry] = field(default_factory=list)


def _text(node, path: str) -> str | None:
    found = node.find(path)
    return found.text.strip() if found is not None and found.text and found.text.strip() else None


def parse_sitemap(body: bytes) -> Sitemap:
    """Parse a sitemap index, urlset or Google News sitemap (namespaced or not)."""
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(body.strip(), parser=parser)
    except etree.XMLSyntaxError as error:
        raise FeedError(f"unreadable sitemap: {error}") from error
    if root is None:
        raise FeedError("unreadable sitemap: empty document")
    tag = etree.QName(root).localname
    if tag not in ("urlset", "sitemapindex"):
        raise FeedError(f"not a sitemap: root element <{tag}>")
    ns = SITEMAP_NS if root.tag.startswith(SITEMAP_NS) else ""
    child = "sitemap" if tag == "sitemapindex" else "url"
    entries = []
    for node in root.iter(f"{ns}{child}"):
        loc = _text(node, f"{ns}loc")
        if not loc:
            continue
        entries.append(SitemapEntry(
            loc=loc,
            lastmod=to_utc_iso(_text(node, f"{ns}lastmod")),
            news_title=_text(node, f"{NEWS_NS}news/{NEWS_NS}title"),
            news_published_at=to_utc_iso(_text(node, f"{NEWS_NS}news/{NEWS_NS}publication_date")),
        ))
    return Sitemap(kind="index" if tag == "sitemapindex" else "urlset", entries=entries)
