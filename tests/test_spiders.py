"""Spiders on saved responses: what each kind of page yields (items and follow-up requests)."""

import scrapy
from scrapy.http import HtmlResponse, TextResponse, XmlResponse
from scrapy.utils.test import get_crawler

from crawler.items import DocumentItem, FailureItem
from crawler.spiders.base import ChipwatchSpider
from crawler.spiders.feeds import FeedsSpider
from tests import get_testdata

BASE = "http://news.example.test"


def make_spider(cls=ChipwatchSpider, **settings):
    crawler = get_crawler(cls, {"CHIPWATCH_FOLLOW_LINKS": False, **settings})
    return cls.from_crawler(crawler, urls=f"{BASE}/start")


def response(cls, url, body, content_type="text/html; charset=utf-8", **meta):
    request = scrapy.Request(url, meta={"source": "test", "hints": {}, **meta})
    extra = {"encoding": "utf-8"} if issubclass(cls, TextResponse) else {}
    return cls(url=url, body=body, headers={"Content-Type": content_type}, request=request, **extra)


def test_feed_yields_requests_with_feed_hints():
    spider = make_spider(FeedsSpider)
    out = list(spider.parse(response(XmlResponse, f"{BASE}/ledger/feed.rss", get_testdata("feeds", "ledger.rss.xml"),
                                     "application/rss+xml")))
    assert out and all(isinstance(r, scrapy.Request) for r in out)
    hinted = {r.meta["hints"]["title"]: r for r in out}
    request = hinted["New US licence rule halts Nvidia's H20 sales to China"]
    assert request.meta["hints"]["published_at"] == "2025-04-16T15:30:00+00:00"
    assert request.meta["feed_url"] == f"{BASE}/ledger/feed.rss"
    assert request.callback == spider.parse and request.errback == spider.on_error


def test_sitemap_index_and_news_sitemap():
    spider = make_spider()
    index = list(spider.parse(response(XmlResponse, f"{BASE}/sitemap_index.xml", get_testdata("feeds", "sitemap-index.xml"),
                                       "application/xml")))
    assert [r.url.rsplit("/", 1)[-1] for r in index] == ["news-sitemap.xml", "sitemap.xml"]
    news = list(spider.parse(response(XmlResponse, f"{BASE}/ptw/news-sitemap.xml", get_testdata("feeds", "ptw.news-sitemap.xml"),
                                      "application/xml")))
    dated = [r for r in news if r.meta["hints"].get("date_source") == "sitemap"]
    assert len(dated) >= 3


def test_article_page_yields_one_document():
    spider = make_spider()
    url = f"{BASE}/ptw/2026/01/china-clears-h200-imports"
    out = list(spider.parse(response(HtmlResponse, url, get_testdata("html", "ptw.china-clears-h200-imports.html"))))
    assert len(out) == 1 and isinstance(out[0], DocumentItem)
    record = out[0].record
    assert record["title"] == "China clears first H200 imports for its biggest tech platforms"
    assert record["source"] == "test"


def test_watch_page_takes_missing_fields_from_the_feed():
    spider = make_spider()
    html = get_testdata("html", "odd.watch-jsonld-only.html")
    out = list(spider.parse(response(HtmlResponse, f"{BASE}/watch?v=m1", html,
                                     hints={"video_id": "m1xxxxxxxxx", "title": "ignored: page has a title"})))
    # JSON-LD-only pages are articles to the detector unless they carry player data; either way nothing is lost
    assert len(out) == 1 and isinstance(out[0], DocumentItem)


def test_mirror_page_yields_a_video():
    spider = make_spider()
    out = list(spider.parse(response(HtmlResponse, f"{BASE}/m/ru/x", get_testdata("html", "mirror-ru.h200-purchases-catch.html"))))
    assert out[0].record["kind"] == "video" and out[0].record["views"] == 1200


def test_binary_and_empty_bodies_are_failures_not_documents():
    spider = make_spider()
    png = list(spider.parse(response(scrapy.http.Response, f"{BASE}/img.png", b"\x89PNG\r\n\x1a\n\x00\x00", "image/png")))
    empty = list(spider.parse(response(TextResponse, f"{BASE}/empty", b"", "text/html")))
    assert [(type(i), i.kind) for i in png] == [(FailureItem, "not_html")]
    assert [(type(i), i.kind) for i in empty] == [(FailureItem, "empty")]


def test_broken_feed_and_unparseable_page_are_recorded_failures():
    spider = make_spider()
    broken = list(spider.parse(response(XmlResponse, f"{BASE}/broken.xml", get_testdata("feeds", "broken.xml"), "application/rss+xml")))
    nav_only = list(spider.parse(response(HtmlResponse, f"{BASE}/nav", b"<html><body><nav>Home</nav></body></html>")))
    assert [i.kind for i in broken] == ["broken_feed"]
    assert [i.kind for i in nav_only] == ["parse_error"]


def test_link_following_stays_on_site_and_needs_a_keyword():
    spider = make_spider(CHIPWATCH_FOLLOW_LINKS=True)
    html = (b"<html><body><article><h1>Story</h1><p>" + b"Officials said the new export licences for chip tools take effect next month. " * 3
            + b"</p></article><a href='/chips/h200-news'>More</a><a href='/sport/final'>Cup final</a>"
            b"<a href='http://other.test/nvidia'>Nvidia elsewhere</a><a href='/x'>Semiconductor outlook</a></body></html>")
    out = list(spider.parse(response(HtmlResponse, f"{BASE}/story", html)))
    followed = sorted(r.url for r in out if isinstance(r, scrapy.Request))
    assert followed == [f"{BASE}/chips/h200-news", f"{BASE}/x"]
