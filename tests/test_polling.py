"""Adaptive poll intervals and back-off (pure functions)."""

import pytest

from crawler.polling import (
    DEFAULT_INTERVAL_S, MAX_INTERVAL_S, MIN_INTERVAL_S, PollOutcome, next_interval,
)


def test_first_poll_uses_the_default_or_the_feeds_update_period():
    assert next_interval(None, PollOutcome("ok", 10, 3)) == DEFAULT_INTERVAL_S
    assert next_interval(None, PollOutcome("ok", 10, 3, update_period_s=3600)) == 3600


def test_busy_feeds_are_polled_more_often_quiet_ones_less():
    assert next_interval(3600, PollOutcome("ok", 20, 18)) == 1800
    assert next_interval(3600, PollOutcome("ok", 20, 1)) == 5400
    assert next_interval(3600, PollOutcome("ok", 20, 6)) == 3600
    assert next_interval(3600, PollOutcome("not_modified")) == 7200
    assert next_interval(3600, PollOutcome("unchanged")) == 7200


@pytest.mark.parametrize("previous,outcome,expected", [
    (MIN_INTERVAL_S, PollOutcome("ok", 10, 10), MIN_INTERVAL_S),
    (MAX_INTERVAL_S, PollOutcome("not_modified"), MAX_INTERVAL_S),
])
def test_interval_stays_between_ten_minutes_and_a_day(previous, outcome, expected):
    assert next_interval(previous, outcome) == expected


def test_declared_update_period_is_a_floor():
    # sy:updatePeriod daily: however busy, no faster than twice a day
    assert next_interval(14400, PollOutcome("ok", 10, 10, update_period_s=86400)) == 43200


def test_failures_back_off_exponentially():
    assert [next_interval(3600, PollOutcome("failed"), n) for n in (1, 2, 3, 10)] == [7200, 14400, 28800, MAX_INTERVAL_S]
