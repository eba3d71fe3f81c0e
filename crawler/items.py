"""Items the spiders yield: documents, and failures kept for the crawl history."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class DocumentItem:
    """One article or video, as extracted; `record` holds the db.store document fields."""

    record: dict[str, Any]
    source: str | None = None
    response_url: str | None = None


@dataclass
class FailureItem:
    """A fetch or parse that failed, by kind (timeout, dns, http_404, too_large, not_html ...)."""

    url: str
    kind: str
    detail: str = ""
    source: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class SourcePollItem:
    """One poll of a feed or sitemap source: HTTP validators, body hash and how many entries were new."""

    url: str
    status: str  # "ok", "not_modified", "unchanged", "failed"
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    update_period_s: int | None = None
    entries_total: int = 0
    entries_new: int = 0
    state: dict[str, Any] = field(default_factory=dict)  # the state the poll started from
