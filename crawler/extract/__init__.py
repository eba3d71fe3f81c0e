"""Pure extraction functions (html, url -> record). Nothing here imports Scrapy."""

from crawler.extract.article import extract_article
from crawler.extract.dates import to_utc_iso
from crawler.extract.detect import detect_kind
from crawler.extract.feeds import parse_feed, parse_sitemap
from crawler.extract.urls import canonicalize_url
from crawler.extract.video import extract_mirror_page, extract_watch_page, parse_view_count

__all__ = [
    "canonicalize_url", "detect_kind", "extract_article", "extract_mirror_page",
    "extract_watch_page", "parse_feed", "parse_sitemap", "parse_view_count", "to_utc_iso",
]
