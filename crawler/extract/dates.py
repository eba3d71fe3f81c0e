"""Dates: parse whatever a page, feed or sitemap says into UTC ISO 8601."""

from __future__ import annotations

import logging
import re
import time
from datetime import date, datetime, timezone
from typing import Any

from dateutil import parser as dateutil_parser

LOGGER = logging.getLogger(__name__)

DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DAY_FIRST = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}\b")  # 27.01.2026: European order
EARLIEST_PLAUSIBLE_YEAR = 1995  # older "dates" on news pages are almost always noise


def to_utc_iso(value: Any) -> str | None:
    """Normalise a date to UTC ISO 8601 ('YYYY-MM-DDTHH:MM:SS+00:00'); a bare date stays 'YYYY-MM-DD'."""
    if value is None or value == "":
        return None
    if isinstance(value, time.struct_time):
        value = datetime(*value[:6], tzinfo=timezone.utc)
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return _plausible(moment.astimezone(timezone.utc).replace(microsecond=0).isoformat())
    if isinstance(value, date):
        return _plausible(value.isoformat())
    text = str(value).strip()
    if DATE_ONLY.match(text):
        return _plausible(text)
    try:
        moment = dateutil_parser.parse(text, dayfirst=bool(DAY_FIRST.match(text)))
    except (ValueError, OverflowError, TypeError):
        return _parse_natural(text)
    if moment.tzinfo is None:
        if not re.search(r"\d{1,2}:\d{2}", text):
            return _plausible(moment.date().isoformat())
        moment = moment.replace(tzinfo=timezone.utc)
    return _plausible(moment.astimezone(timezone.utc).replace(microsecond=0).isoformat())


def _parse_natural(text: str) -> str | None:
    """Dates written in words in English or Russian ('27 янв. 2026 г.')."""
    import dateparser  # slow to import; only needed for dates written out in words

    moment = dateparser.parse(text, languages=["en", "ru"], settings={"RETURN_AS_TIMEZONE_AWARE": False})
    if moment is None:
        return None
    return _plausible(moment.date().isoformat())


def _plausible(iso: str) -> str | None:
    year = int(iso[:4])
    return iso if EARLIEST_PLAUSIBLE_YEAR <= year <= datetime.now(timezone.utc).year + 1 else None
