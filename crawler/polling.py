"""Adaptive polling, as Media Cloud's feed fetcher does: poll busy sources often, quiet ones rarely."""

from __future__ import annotations

from dataclasses import dataclass

MIN_INTERVAL_S = 10 * 60
MAX_INTERVAL_S = 24 * 60 * 60
DEFAULT_INTERVAL_S = 6 * 60 * 60
MAX_CONSECUTIVE_FAILURES = 30  # then the source is disabled and reported
BUSY_SHARE = 0.5  # more than this share of new entries: poll twice as often
QUIET_SHARE = 0.1  # at most this share new (or not modified): poll half as often


@dataclass(frozen=True)
class PollOutcome:
    """What one poll of a source found."""

    status: str  # "ok", "not_modified" (304), "unchanged" (same body hash), "failed"
    entries_total: int = 0
    entries_new: int = 0
    update_period_s: int | None = None  # sy:updatePeriod, when the feed declares one


def clamp(seconds: float) -> int:
    return int(min(MAX_INTERVAL_S, max(MIN_INTERVAL_S, seconds)))


def next_interval(previous_s: int | None, outcome: PollOutcome, consecutive_failures: int = 0) -> int:
    """The next poll interval for a source after this outcome."""
    interval = previous_s or (clamp(outcome.update_period_s) if outcome.update_period_s else DEFAULT_INTERVAL_S)
    if outcome.status == "failed":
        return clamp(interval * 2 ** min(consecutive_failures, 8))  # exponential back-off, capped at a day
    if outcome.status in ("not_modified", "unchanged"):
        interval *= 2
    elif outcome.entries_total:
        share = outcome.entries_new / outcome.entries_total
        if share > BUSY_SHARE:
            interval /= 2
        elif share <= QUIET_SHARE:
            interval *= 1.5
    if outcome.update_period_s:
        interval = max(interval, outcome.update_period_s / 2)  # the publisher says it updates no faster
    return clamp(interval)
