"""Feeds (RSS 2.0, RSS 1.0/RDF, Atom, YouTube) and sitemaps (index, urlset, news), and kind detection."""

import pytest

from crawler.extract import detect_kind, parse_feed, parse_sitemap
from crawler.extract.feeds import FeedError
from tests import get_testdata


def test_rss2_feed_entries_keep_title_date_author():
    feed = parse_feed(get_testdata("feeds", "ledger.rss.xml"), "http://news.example.test/ledger/feed.rss")
    assert feed.title == "Semicon Ledger"
    assert feed.update_period_s == 1800  # sy:updatePeriod hourly, sy:updateFrequency 2
    titles = {e.title: e for e in feed.entries}
    entry = titles["New US licence rule halts Nvidia's H20 sales to China"]
    assert entry.published_at == "2025-04-16T15:30:00+00:00"
    assert entry.author == "Alicia Brennan"
    assert entry.link.endswith("/ledger/2025/04/us-licence-rule-halts-h20-shipments")


def test_rss1_rdf_feed_uses_dc_date():
    feed = parse_feed(get_testdata("feeds", "rss1.rdf"), "http://news.example.test/rdf")
    assert [e.title for e in feed.entries] == ["Taiwan adds Huawei and SMIC to its entity list", "Malaysia data-centre checks widen"]
    assert feed.entries[0].published_at == "2025-06-15T01:00:00+00:00"
    assert feed.entries[0].author == "Chen Mei-ling"


def test_atom_feed():
    feed = parse_feed(get_testdata("feeds", "spr.atom.xml"), "http://news.example.test/spr/feed.atom")
    assert len(feed.entries) >= 3
    assert all(e.published_at and e.link.startswith("http://news.example.test/spr/") for e in feed.entries)


def test_youtube_channel_feed_has_video_id_description_and_views():
    feed = parse_feed(get_testdata("feeds", "youtube-channel.xml"), "http://news.example.test/feeds/videos.xml")
    by_id = {e.video_id: e for e in feed.entries}
    entry = by_id["qH7r2xLm0aZ"]
    assert entry.views == 12408
    assert entry.title == "China approves H200 imports for its tech giants: what changes now"
    assert "green light" in entry.summary
    assert entry.published_at == "2026-01-28T12:00:00+00:00"


def test_broken_feed_is_a_feed_error():
    with pytest.raises(FeedError):
        parse_feed(get_testdata("feeds", "broken.xml"), "http://news.example.test/broken")


def test_news_sitemap_and_index():
    news = parse_sitemap(get_testdata("feeds", "ptw.news-sitemap.xml"))
    assert news.kind == "urlset"
    dated = [e for e in news.entries if e.news_title]
    assert {e.news_title for e in dated} >= {"China clears first H200 imports for its biggest tech platforms"}
    assert all(e.news_published_at for e in dated)
    index = parse_sitemap(get_testdata("feeds", "sitemap-index.xml"))
    assert index.kind == "index"
    assert [e.loc.rsplit("/", 2)[-2:] for e in index.entries] == [["ptw", "news-sitemap.xml"], ["m", "sitemap.xml"]]


def test_sitemap_parser_ignores_external_entities():
    body = b"""<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
    <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://a.test/&xxe;</loc></url></urlset>"""
    sitemap = parse_sitemap(body)
    assert all("root:" not in e.loc for e in sitemap.entries)


@pytest.mark.parametrize("path,content_type,kind", [
    (("feeds", "ledger.rss.xml"), "application/rss+xml", "feed"),
    (("feeds", "rss1.rdf"), "text/xml", "feed"),
    (("feeds", "spr.atom.xml"), "application/atom+xml", "feed"),
    (("feeds", "youtube-channel.xml"), "text/xml", "feed"),
    (("feeds", "ptw.news-sitemap.xml"), "application/xml", "sitemap"),
    (("feeds", "sitemap-index.xml"), "text/html", "sitemap"),  # a wrong Content-Type does not matter
    (("html", "youtube.watch-qH7r2xLm0aZ.html"), "text/html", "watch"),
    (("html", "mirror-ru.h200-purchases-catch.html"), "text/html", "mirror"),
    (("html", "mirror-en.h200-export-rule.html"), None, "mirror"),
    (("html", "ledger.us-licence-rule-halts-h20.html"), "text/html", "article"),
])
def test_detect_kind_from_the_body(path, content_type, kind):
    assert detect_kind(get_testdata(*path), content_type) == kind


@pytest.mark.parametrize("body,content_type,kind", [
    (b"", "text/html", "empty"),
    (b"   \n", "text/html", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png", "binary"),
    (b"%PDF-1.7\n\x00\x01binary", "application/octet-stream", "binary"),
    (b"\x00\x01\x02garbage", "text/html", "binary"),
])
def test_detect_kind_for_unusable_bodies(body, content_type, kind):
    assert detect_kind(body, content_type) == kind
