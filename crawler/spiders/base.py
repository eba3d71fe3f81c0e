"""The shared spider: fetch, detect the response's kind, call a pure extractor, yield, follow."""

from __future__ import annotations

import hashlib
import logging
from typing import Any, AsyncIterator, Iterable
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse

from crawler.errors import failure_kind
from crawler.extract import (
    canonicalize_url, detect_kind, extract_article, extract_mirror_page, extract_watch_page,
    parse_feed, parse_sitemap,
)
from crawler.extract.feeds import FeedError
from crawler.extract.video import ExtractionError
from crawler.items import DocumentItem, FailureItem, SourcePollItem
from crawler.selectors import FOLLOW_LINKS
from crawler.settings import CHIPWATCH_FOLLOW_KEYWORDS as DEFAULT_FOLLOW_KEYWORDS

LOGGER = logging.getLogger(__name__)

NOT_DOCUMENT_KINDS = {"empty": "empty", "binary": "not_html"}


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v) for v in value]


class ChipwatchSpider(scrapy.Spider):
    """Any URL: feeds, sitemaps, articles, watch pages and mirror pages, told apart by their content."""

    name = "chipwatch"
    expected_kinds: tuple[str, ...] = ()  # empty: accept every kind

    def __init__(self, urls: Any = None, sources: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # sources: list of {"url", "name"} dicts (from sources.toml); urls: plain URLs (CLI or -a urls=a,b)
        self.sources = list(sources or []) + [{"url": u, "name": None} for u in _as_list(urls)]

    @property
    def start_url_list(self) -> list[str]:
        return [s["url"] for s in self.sources]

    async def start(self) -> AsyncIterator[scrapy.Request]:
        refresh = self.settings.getbool("CHIPWATCH_REFRESH")
        for source in self.sources:
            state = {} if refresh else dict(source.get("state") or {})
            headers = {}
            if state.get("etag"):
                headers["If-None-Match"] = state["etag"]
            if state.get("last_modified"):
                headers["If-Modified-Since"] = state["last_modified"]
            request = self.request(source["url"], source=source.get("name") or urlsplit(source["url"]).netloc,
                                   root=True, poll_state=state, registered=bool(source.get("registered")),
                                   handle_httpstatus_list=[304])
            yield request.replace(headers=headers) if headers else request

    def request(self, url: str, *, source: str | None, hints: dict | None = None, root: bool = False,
                **meta: Any) -> scrapy.Request:
        return scrapy.Request(
            url, callback=self.parse, errback=self.on_error, dont_filter=root,
            meta={"source": source, "hints": hints or {}, "root": root, **({"source_url": url} if root else {}), **meta},
        )

    # -- dispatch -------------------------------------------------------------------------
    def parse(self, response: Response, **kwargs: Any) -> Iterable[Any]:
        root, state = response.meta.get("root"), response.meta.get("poll_state") or {}
        if root and response.status == 304:
            yield self._poll(response, "not_modified")
            return
        body_hash = hashlib.sha256(response.body).hexdigest() if root else None
        if root and state.get("body_hash") == body_hash:
            yield self._poll(response, "unchanged", body_hash)  # same bytes as last time: nothing new
            return
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        kind = detect_kind(response.body, content_type)
        source = response.meta.get("source")
        if root and (kind in ("feed", "sitemap") or response.meta.get("registered")):
            response.meta["poll_item"] = self._poll(response, "ok", body_hash)
        if kind in NOT_DOCUMENT_KINDS:
            yield FailureItem(response.url, NOT_DOCUMENT_KINDS[kind], f"{kind} body ({content_type or 'no type'})", source)
            if response.meta.get("registered") and root:
                yield SourcePollItem(response.meta.get("source_url") or response.url, "failed", state=state)
            return
        if self.expected_kinds and response.meta.get("root") and kind not in self.expected_kinds:
            LOGGER.info("%s is a %s, not one of %s; handling it anyway", response.url, kind, self.expected_kinds)
        handler = getattr(self, f"parse_{kind}")
        poll = response.meta.get("poll_item")
        try:
            yield from handler(response)
        except (FeedError, ExtractionError) as error:
            yield FailureItem(response.url, "broken_feed" if isinstance(error, FeedError) else "parse_error",
                              str(error), source)
            if poll:
                poll.status = "failed"
        except Exception as error:  # malformed input must never stop the crawl
            LOGGER.exception("parse error on %s", response.url)
            yield FailureItem(response.url, "parse_error", f"{type(error).__name__}: {error}", source)
            if poll:
                poll.status = "failed"
        if poll:
            yield poll  # last, so the KnownUrlFilter has counted this response's new entries

    def on_error(self, failure) -> Iterable[Any]:
        request = failure.request
        kind, detail = failure_kind(failure)
        yield FailureItem(request.url, kind, detail, request.meta.get("source"))
        if request.meta.get("root") and request.meta.get("registered"):
            yield SourcePollItem(request.url, "failed", state=request.meta.get("poll_state") or {})
        hints = request.meta.get("hints") or {}
        if hints.get("video_id") and hints.get("title"):
            # The channel feed already told us the video's title, date, views and description.
            yield DocumentItem(self._video_from_feed(request.url, hints), request.meta.get("source"), request.url)

    # -- kinds ----------------------------------------------------------------------------
    def parse_feed(self, response: Response) -> Iterable[Any]:
        feed = parse_feed(response.body, response.url)
        if response.meta.get("poll_item"):
            response.meta["poll_item"].update_period_s = feed.update_period_s
        if feed.warning:
            LOGGER.info("feed %s is malformed but readable: %s", response.url, feed.warning)
        for entry in feed.entries:
            hints = {
                "title": entry.title, "published_at": entry.published_at, "date_source": "feed",
                "author": entry.author, "summary": entry.summary, "video_id": entry.video_id,
                "views": entry.views, "updated_at": entry.updated_at,
            }
            yield self.request(response.urljoin(entry.link), source=response.meta.get("source"),
                               hints=hints, feed_url=response.url)

    def parse_sitemap(self, response: Response) -> Iterable[Any]:
        sitemap = parse_sitemap(response.body)
        for entry in sitemap.entries:
            url = response.urljoin(entry.loc)
            if sitemap.kind == "index":
                yield self.request(url, source=response.meta.get("source"), root=False)
                continue
            hints = {
                "title": entry.news_title,
                "published_at": entry.news_published_at or entry.lastmod,
                "date_source": "sitemap" if entry.news_published_at else "sitemap-lastmod",
                "updated_at": entry.lastmod,
            }
            yield self.request(url, source=response.meta.get("source"), hints=hints, feed_url=response.url)

    def parse_article(self, response: Response) -> Iterable[Any]:
        if not isinstance(response, TextResponse):
            yield FailureItem(response.url, "not_html", "response is not text", response.meta.get("source"))
            return
        record = extract_article(response.text, response.url, response.meta.get("hints"))
        yield self._item(record, response)
        if self.settings.getbool("CHIPWATCH_FOLLOW_LINKS"):
            yield from self.follow_links(response)

    def parse_watch(self, response: Response) -> Iterable[Any]:
        record = extract_watch_page(response.text, response.url)
        hints = response.meta.get("hints") or {}
        for field, hint in (("views", "views"), ("text", "summary"), ("published_at", "published_at"),
                            ("title", "title"), ("author", "author"), ("video_id", "video_id")):
            if record.get(field) in (None, "") and hints.get(hint) not in (None, ""):
                record[field] = hints[hint]
                record["field_sources"][field] = "feed"
                if field == "published_at":
                    record["date_source"] = "feed"
        yield self._item(record, response)

    def parse_mirror(self, response: Response) -> Iterable[Any]:
        yield self._item(extract_mirror_page(response.text, response.url), response)

    # -- helpers --------------------------------------------------------------------------
    def _poll(self, response: Response, status: str, body_hash: str | None = None) -> SourcePollItem:
        header = lambda name: (response.headers.get(name) or b"").decode("latin-1") or None  # noqa: E731
        return SourcePollItem(response.meta.get("source_url") or response.request.url, status, etag=header("ETag"),
                              last_modified=header("Last-Modified"), body_hash=body_hash,
                              state=response.meta.get("poll_state") or {})

    def _item(self, record: dict, response: Response) -> DocumentItem:
        record["source"] = response.meta.get("source")
        record["feed_url"] = response.meta.get("feed_url")
        if response.url != response.request.url:
            record.setdefault("aliases", []).append(canonicalize_url(response.request.url))
        return DocumentItem(record, response.meta.get("source"), response.url)

    def _video_from_feed(self, url: str, hints: dict) -> dict:
        return {
            "url": canonicalize_url(url), "kind": "video", "title": hints.get("title"),
            "author": hints.get("author"), "published_at": hints.get("published_at"), "date_source": "feed",
            "text": hints.get("summary"), "views": hints.get("views"), "video_id": hints.get("video_id"),
            "field_sources": {"title": "feed", "author": "feed", "text": "feed", "views": "feed"},
        }

    def follow_links(self, response: Response) -> Iterable[scrapy.Request]:
        """Follow same-site links whose URL or anchor text mentions a tracked keyword."""
        keywords = [k.lower() for k in self.settings.getlist("CHIPWATCH_FOLLOW_KEYWORDS") or DEFAULT_FOLLOW_KEYWORDS]
        host = urlsplit(response.url).netloc
        for anchor in response.xpath(FOLLOW_LINKS):
            url = response.urljoin(anchor.attrib["href"])
            if urlsplit(url).netloc != host:
                continue
            haystack = f"{url} {' '.join(anchor.xpath('.//text()').getall())}".lower()
            if any(k in haystack for k in keywords):
                yield self.request(url, source=response.meta.get("source"))
