"""The daily digest: one day's coverage by label, actor and item, the top stories, new videos,
notable shifts and a trend chart, rendered as self-contained HTML, Markdown (+ PNG) or plain text.

Every string in a digest that came from a crawled page is untrusted: HTML output is autoescaped,
Markdown output escapes markup and link syntax, and all forms drop control characters.
"""

from __future__ import annotations

import logging
import re
import textwrap
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Iterable, Sequence
from urllib.parse import quote, urlsplit

import jinja2
import sqlite_utils

from chipwatch.charts import Trend, chart_geometry, label_colour, sparkline, write_trend_png
from chipwatch.output import CONTROL_CHARS, plain
from classifier.config import LABELS
from db.queries import TRAILING_DAYS, QueryError, parse_day, run_query

LOGGER = logging.getLogger(__name__)

FORMATS = ("html", "md", "txt")
DEFAULT_DAYS = 30  # "how has coverage moved this month"
MAX_DAYS = 366
STORIES_PER_LABEL = 3
VIDEOS_LIMIT = 10
SHIFT_ROWS = 1000  # more than days x labels in any window we allow, so no candidate is cut early
NOTABLE_SHIFT = 0.10  # a label's share moved at least 10 points against its trailing week ...
NOTABLE_MIN_DOCUMENTS = 3  # ... on a day with at least 3 documents (1 of 1 is noise, not a shift)
NOTABLE_SHIFTS = 5
TEXT_CHARS = 400  # evidence passages and video descriptions are cut here, at a word boundary
TEXT_WIDTH = 76  # plain-text lines fit an e-mail client without re-wrapping

_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~#])")
_MD_BLOCK_START = re.compile(r"^(?:[-+*](?=\s|$)|\d+[.)](?=\s|$))")  # a list marker at a line start


class DigestError(Exception):
    """The digest cannot be built, written or sent as asked."""


@dataclass
class LabelSummary:
    """One label on the digest's day, against the trailing week."""

    label: str
    documents: int
    share: float | None
    trailing_mean: float  # documents per day over the trailing week
    trailing_share: float | None
    colour: str = ""

    @property
    def change(self) -> float:
        return self.documents - self.trailing_mean

    @property
    def share_change(self) -> float | None:
        if self.share is None or self.trailing_share is None:
            return None
        return self.share - self.trailing_share


@dataclass
class Breakdown:
    """Documents of one actor or item on the day, per label."""

    name: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Digest:
    day: date
    days: int
    labels: list[str]
    summary: list[LabelSummary]
    actors: list[Breakdown]
    items: list[Breakdown]
    stories: dict[str, list[dict]]
    videos: list[dict]
    shifts: list[dict]
    trend: Trend
    trailing_days: int = TRAILING_DAYS

    @property
    def total(self) -> int:
        return sum(row.documents for row in self.summary)

    @property
    def trailing_mean(self) -> float:
        return sum(row.trailing_mean for row in self.summary)


@dataclass
class DigestResult:
    text: str
    files: list[Path] = field(default_factory=list)
    mailed_to: list[str] = field(default_factory=list)


# --- Building ------------------------------------------------------------------------------------


def _ordered_labels(found: Iterable[str]) -> list[str]:
    """The guideline labels in their fixed order, then any other label seen, alphabetically."""
    extra = sorted(set(found) - set(LABELS))
    return list(LABELS) + extra


def _breakdowns(rows: Sequence[dict], key: str) -> list[Breakdown]:
    found: dict[str, Breakdown] = {}
    for row in rows:  # the query orders groups by size already
        found.setdefault(row[key], Breakdown(row[key], {})).counts[row["label"]] = row["documents"]
    return list(found.values())


def build_digest(db: sqlite_utils.Database, day: date | str, *, days: int = DEFAULT_DAYS) -> Digest:
    """Gather everything the digest for ``day`` shows.

    :param db: the chipwatch database
    :param day: the digest's day (UTC), a date or ``YYYY-MM-DD``
    :param days: how many days, ending on ``day``, the trend chart and the shifts cover
    """
    try:
        day = parse_day(day, "date")
    except QueryError as error:
        raise DigestError(str(error)) from None
    if not 1 <= days <= MAX_DAYS:
        raise DigestError(f"days must be between 1 and {MAX_DAYS}, got {days}")
    first = day - timedelta(days=days - 1)
    week_start = day - timedelta(days=TRAILING_DAYS)
    daily = run_query(db, "stance-daily", since=min(first, week_start), until=day)
    counts = {(row["day"], row["label"]): row["documents"] for row in daily}
    labels = _ordered_labels(row["label"] for row in daily)

    today_total = sum(counts.get((day.isoformat(), label), 0) for label in labels)
    week = [(week_start + timedelta(days=offset)).isoformat() for offset in range(TRAILING_DAYS)]
    week_counts = {label: sum(counts.get((d, label), 0) for d in week) for label in labels}
    week_total = sum(week_counts.values())
    summary = []
    for position, label in enumerate(labels):
        documents = counts.get((day.isoformat(), label), 0)
        summary.append(LabelSummary(
            label=label, documents=documents,
            share=documents / today_total if today_total else None,
            trailing_mean=week_counts[label] / TRAILING_DAYS,
            trailing_share=week_counts[label] / week_total if week_total else None,
            colour=label_colour(label, position),
        ))

    trend_days = [first + timedelta(days=offset) for offset in range(days)]
    trend = Trend(trend_days, {label: [counts.get((d.isoformat(), label), 0) for d in trend_days] for label in labels})

    on_day = {"since": day, "until": day}
    stories: dict[str, list[dict]] = {}
    for row in run_query(db, "top-stories", limit=STORIES_PER_LABEL, **on_day):
        stories.setdefault(row["label"], []).append(row)
    shifts = [
        row for row in run_query(db, "shifts", since=first, until=day, limit=SHIFT_ROWS)
        if abs(row["shift"]) >= NOTABLE_SHIFT and row["day_total"] >= NOTABLE_MIN_DOCUMENTS
    ][:NOTABLE_SHIFTS]
    return Digest(
        day=day, days=days, labels=labels, summary=summary,
        actors=_breakdowns(run_query(db, "by-actor", **on_day), "actor"),
        items=_breakdowns(run_query(db, "by-item", **on_day), "item"),
        stories={label: stories[label] for label in _ordered_labels(stories) if label in stories},
        videos=run_query(db, "videos", limit=VIDEOS_LIMIT, **on_day),
        shifts=shifts, trend=trend,
    )


# --- Escaping and formatting helpers (used as template filters) ---------------------------------


def shorten(value: Any, width: int = TEXT_CHARS) -> str:
    """Plain text cut at a word boundary to at most ``width`` characters, with an ellipsis."""
    text = plain(value)
    if len(text) <= width:
        return text
    cut = text[: width - 1].rsplit(" ", 1)[0] if " " in text[: width - 1] else text[: width - 1]
    return cut.rstrip(" ,;:.") + "…"


def safe_url(value: Any) -> str | None:
    """An http(s) URL with unsafe characters percent-encoded, or None for anything else."""
    if value is None or CONTROL_CHARS.search(str(value)):
        return None
    url = str(value).strip().replace(" ", "%20")
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return quote(url, safe="/:?#[]@!$&'*+,;=%~-._")


def md_escape(value: Any) -> str:
    """Plain text made inert in Markdown: no emphasis, links, HTML, code, tables or block markup."""
    text = _MD_INLINE.sub(r"\\\1", plain(value))
    marker = _MD_BLOCK_START.match(text)
    if marker:  # "1. x" or "- x" would start a list where the text begins a line (a blockquote)
        end = marker.end() - 1
        text = text[:end] + "\\" + text[end:]
    return text


class Formatted(str):
    """Text the digest formatted itself from escaped parts; the md and txt templates print it as is."""


def md_link(text: Any, url: Any) -> Formatted:
    """``[text](url)`` with the text escaped, or just the text when the URL is not http(s)."""
    target = safe_url(url)
    label = md_escape(text) or "(untitled)"
    return Formatted(f"[{label}]({target})" if target else label)


def _md_finalize(value: Any) -> str:
    if isinstance(value, Formatted):
        return value
    if value is None:
        return ""
    return md_escape(value) if isinstance(value, str) else str(value)


def _text_finalize(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Formatted):
        return value
    # control characters (an ANSI escape in a title, say) and line breaks go; padding stays
    return CONTROL_CHARS.sub(" ", value).replace("\n", " ").replace("\t", " ") if isinstance(value, str) else str(value)


def percent(value: float | None) -> Formatted:
    return Formatted("–" if value is None else f"{value * 100:.0f}%")


def signed(value: float | None, digits: int = 1) -> Formatted:
    """A change with its sign (a true minus sign), or 0 when it rounds to nothing."""
    if value is None:
        return Formatted("–")
    if round(value, digits) == 0:
        return Formatted(f"{0:.{digits}f}")
    return Formatted(f"{value:+.{digits}f}".replace("-", "−"))


def points(value: float | None) -> Formatted:
    """A change of share in percentage points."""
    return Formatted("–" if value is None else signed(value * 100, 0) + " pts")


def when(value: Any) -> str:
    """A stored timestamp as 'YYYY-MM-DD HH:MM UTC' (or the date alone when that is all there is)."""
    text = plain(value)
    if len(text) >= 16 and text[10] == "T":
        return f"{text[:10]} {text[11:16]} UTC"
    return text[:10]


def wrap(value: Any, indent: str = "    ", width: int = TEXT_WIDTH) -> Formatted:
    """Plain text wrapped into indented lines (for the text digest)."""
    return Formatted(textwrap.fill(plain(value), width=width, initial_indent=indent, subsequent_indent=indent))


def _environment(fmt: str) -> jinja2.Environment:
    options: dict[str, Any] = {"trim_blocks": True, "lstrip_blocks": True, "undefined": jinja2.StrictUndefined,
                               "keep_trailing_newline": True}
    if fmt == "html":
        options["autoescape"] = True
    elif fmt == "md":
        options["finalize"] = _md_finalize
    else:
        options["finalize"] = _text_finalize
    env = jinja2.Environment(loader=jinja2.PackageLoader("chipwatch", "templates/digest"), **options)
    env.filters.update(plain=plain, shorten=shorten, safe_url=safe_url, md=md_escape, md_link=md_link,
                       percent=percent, signed=signed, points=points, when=when, wrap=wrap)
    return env


# --- Rendering and writing ----------------------------------------------------------------------


def digest_subject(digest: Digest) -> str:
    """A one-line summary for an e-mail subject."""
    counted = ", ".join(f"{row.label} {row.documents}" for row in digest.summary if row.documents)
    return f"chipwatch digest {digest.day.isoformat()}: {digest.total} documents" + (f" ({counted})" if counted else "")


def render_digest(digest: Digest, fmt: str, *, chart_file: str | None = None) -> str:
    """The digest as ``html`` (self-contained, inline SVG chart), ``md`` or ``txt``.

    :param chart_file: for Markdown, the PNG chart's file name to link (relative to the .md file)
    """
    if fmt not in FORMATS:
        raise DigestError(f"unknown digest format {fmt!r} (choose from: {', '.join(FORMATS)})")
    template = _environment(fmt).get_template(f"digest.{fmt}")
    context: dict[str, Any] = {
        "d": digest, "peak": digest.trend.peak,
        "rules_text": f"No label's share moved by {NOTABLE_SHIFT * 100:.0f} points or more on a day with "
                      f"{NOTABLE_MIN_DOCUMENTS} or more documents.",
    }
    if fmt == "html":
        context["chart"] = chart_geometry(digest.trend)
    elif fmt == "md":
        context["chart_file"] = quote(chart_file) if chart_file else None
    else:
        context["sparklines"] = {label: sparkline(counts, digest.trend.peak)
                                 for label, counts in digest.trend.series.items()}
    return template.render(**context)


def chart_path_for(out: Path) -> Path:
    """Where the PNG chart of a Markdown digest goes: beside it, same name, .png."""
    return out.with_suffix(".png")


def write_digest(digest: Digest, fmt: str, out: Path | None) -> DigestResult:
    """Render the digest; write it (and, for Markdown, its PNG chart beside it) when out is given."""
    if out is None:
        return DigestResult(render_digest(digest, fmt))
    out = Path(out)
    if not out.parent.is_dir():
        raise DigestError(f"directory does not exist: {out.parent}")
    files = []
    chart_file = None
    if fmt == "md":
        if chart_path_for(out) == out:
            raise DigestError(f"a Markdown digest cannot be written to {out.name}: its PNG chart goes there")
        png = write_trend_png(digest.trend, chart_path_for(out),
                              f"Documents per label, {digest.trend.days[0]:%d %b} – {digest.day:%d %b %Y}")
        files.append(png)
        chart_file = png.name
    text = render_digest(digest, fmt, chart_file=chart_file)
    out.write_text(text, encoding="utf-8")
    return DigestResult(text, [out, *files])


def write_digest_files(db: sqlite_utils.Database, reports_dir: Path, day: date | str, *,
                       days: int = DEFAULT_DAYS) -> Path:
    """Write the day's self-contained HTML digest as ``reports_dir/digest-YYYY-MM-DD.html`` (the run cycle)."""
    digest = build_digest(db, day, days=days)
    reports_dir = Path(reports_dir)
    reports_dir.mkdir(parents=True, exist_ok=True)
    return write_digest(digest, "html", reports_dir / f"digest-{digest.day.isoformat()}.html").files[0]


def publish_digest(
    db: sqlite_utils.Database, day: date | str, *, days: int = DEFAULT_DAYS, fmt: str = "html",
    out: Path | None = None, mail_to: Sequence[str] = (), config: Path | None = None,
) -> DigestResult:
    """Build the digest for ``day``, write it, and e-mail it when ``mail_to`` is given.

    :param db: the chipwatch database
    :param day: the digest's day (UTC)
    :param days: the trend chart's and the shifts' window, in days ending on ``day``
    :param fmt: ``html``, ``md`` or ``txt``
    :param out: the file to write (None: only return the text)
    :param mail_to: addresses to send the digest to; the body is the plain-text form, with the HTML
        as an alternative part (``html``) or the Markdown file and its PNG attached (``md``)
    :param config: TOML file with an ``[smtp]`` table (see :mod:`chipwatch.mail`)
    """
    from chipwatch import mail

    if fmt not in FORMATS:
        raise DigestError(f"unknown digest format {fmt!r} (choose from: {', '.join(FORMATS)})")
    settings = None
    if mail_to:
        if config is None:
            raise DigestError("--mail-to needs SMTP settings: pass --config FILE with an [smtp] table")
        try:
            settings = mail.load_smtp_settings(config)
        except mail.MailError as error:
            raise DigestError(str(error)) from None
    digest = build_digest(db, day, days=days)
    result = write_digest(digest, fmt, out)
    if settings is not None:
        text = result.text if fmt == "txt" else render_digest(digest, "txt")
        message = mail.build_message(
            sender=settings.sender, recipients=list(mail_to), subject=digest_subject(digest), text=text,
            html=result.text if fmt == "html" else None,
            attachments=result.files if fmt == "md" else (),
        )
        try:
            mail.send_message(settings, message)
        except mail.MailError as error:
            raise DigestError(str(error)) from None
        result.mailed_to = list(mail_to)
    return result
