"""Tell what a fetched body is from the response itself, not from its URL."""

from __future__ import annotations

import re

from crawler.extract.video import is_mirror_page, is_watch_page

BINARY_CONTENT_TYPES = ("image/", "audio/", "video/", "font/", "application/octet-stream",
                        "application/pdf", "application/zip", "application/gzip", "application/x-")
SNIFF_BYTES = 4096
FEED_ROOT = re.compile(rb"<(rss|feed|rdf:rdf)[\s>]", re.IGNORECASE)
SITEMAP_ROOT = re.compile(rb"<(urlset|sitemapindex)[\s>]", re.IGNORECASE)
HTML_MARKER = re.compile(rb"<(html|head|body|!doctype html|p|div|article|title)[\s>]", re.IGNORECASE)

KINDS = ("empty", "binary", "feed", "sitemap", "watch", "mirror", "article")


def detect_kind(body: bytes, content_type: str | None = None) -> str:
    """Return one of KINDS for a response body and its Content-Type header."""
    if not body or not body.strip():
        return "empty"
    content_type = (content_type or "").lower()
    head = body[:SNIFF_BYTES]
    if content_type.startswith(BINARY_CONTENT_TYPES) and not FEED_ROOT.search(head):
        return "binary"
    if b"\x00" in head:
        return "binary"
    if SITEMAP_ROOT.search(head):
        return "sitemap"
    feed_root = FEED_ROOT.search(head)
    if feed_root and not HTML_MARKER.search(head[: feed_root.start()]):
        return "feed"
    if not HTML_MARKER.search(head) and ("html" not in content_type and "text" not in content_type):
        return "binary"
    text = body.decode("utf-8", errors="replace")
    if is_watch_page(text):
        return "watch"
    if is_mirror_page(text):
        return "mirror"
    return "article"
