"""Source lists (TOML): feeds, sitemaps, pages and YouTube channels to crawl."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

YOUTUBE_FEED = "https://www.youtube.com/feeds/videos.xml?channel_id={channel_id}"
SOURCE_KINDS = ("auto", "feed", "sitemap", "page", "youtube", "video")


class SourcesError(ValueError):
    """A sources file that cannot be used, with a one-line reason."""


@dataclass(frozen=True)
class Source:
    name: str
    url: str
    kind: str = "auto"

    def as_dict(self) -> dict:
        return {"name": self.name, "url": self.url, "kind": self.kind}


def default_sources_path() -> Path:
    """The sources.toml bundled with chipwatch's crawler package."""
    return Path(str(resources.files("crawler").joinpath("sources.toml")))


def load_sources(path: str | Path | None = None) -> list[Source]:
    """Read a sources TOML file ([[source]] tables with name, url or channel_id, kind)."""
    path = Path(path) if path else default_sources_path()
    if not path.is_file():
        raise SourcesError(f"sources file not found: {path}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise SourcesError(f"{path}: not valid TOML ({error})") from error
    sources = []
    for index, entry in enumerate(data.get("source", []), start=1):
        kind = entry.get("kind", "auto")
        if kind not in SOURCE_KINDS:
            raise SourcesError(f"{path}: source {index}: kind must be one of {', '.join(SOURCE_KINDS)}")
        url = entry.get("url")
        if not url and entry.get("channel_id"):
            url = YOUTUBE_FEED.format(channel_id=entry["channel_id"])
        if not url or not is_http_url(url):
            raise SourcesError(f"{path}: source {index}: needs an http(s) url or a channel_id")
        sources.append(Source(name=entry.get("name") or urlsplit(url).netloc, url=url, kind=kind))
    if not sources:
        raise SourcesError(f"{path}: no [[source]] entries")
    return sources


def is_http_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)
