"""URL canonicalisation, date normalisation and view-count parsing."""

import pytest

from crawler.extract import canonicalize_url, parse_view_count, to_utc_iso


@pytest.mark.parametrize("url,expected", [
    ("https://www.Example.com/a/b/?utm_source=x&id=3&fbclid=1#frag", "https://www.example.com/a/b?id=3"),
    ("https://m.example.com/story/amp/", "https://example.com/story"),
    ("https://amp.example.co.uk/news/item?gclid=abc", "https://example.co.uk/news/item"),
    ("http://127.0.0.1:8000/watch?v=abc123", "http://127.0.0.1:8000/watch?v=abc123"),
    ("https://example.com:443/x?b=2&a=1", "https://example.com/x?a=1&b=2"),
    ("https://example.com/", "https://example.com/"),
])
def test_canonicalize_url(url, expected):
    assert canonicalize_url(url) == expected


@pytest.mark.parametrize("value,expected", [
    ("2026-01-28T09:15:00+08:00", "2026-01-28T01:15:00+00:00"),
    ("2026-01-27", "2026-01-27"),
    ("27.01.2026", "2026-01-27"),
    ("03.02.2026", "2026-02-03"),  # Russian-UI pages write day first
    ("Feb 3, 2026", "2026-02-03"),
    ("Tue, 13 Jan 2026 19:30:00 GMT", "2026-01-13T19:30:00+00:00"),
    ("27 янв. 2026 г.", "2026-01-27"),
    ("not a date", None),
    ("1970-01-01", None),  # epoch zero is an error value, not a publication date
    ("", None),
])
def test_to_utc_iso(value, expected):
    assert to_utc_iso(value) == expected


@pytest.mark.parametrize("shown,count", [
    ("12,408", 12408), ("1.2K", 1200), ("1,2 тыс.", 1200), ("3 млн", 3_000_000), ("27", 27),
    ("12 408 views", 12408), ("1.234.567", 1234567), ("2.5M views", 2_500_000), ("Просмотров: 845", 845),
    ("no views yet", None),
])
def test_parse_view_count(shown, count):
    assert parse_view_count(shown) == count
