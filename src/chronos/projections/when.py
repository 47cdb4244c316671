"""The dates a question is asked with: any of a string, a `Day`, a `datetime.date` or a `FuzzyDate`.

A valid-time date (``at``) is a `When`: a `Day` when exact, else the
`FuzzyDate` (a month, a year, a range); a knowledge date (``known_at``) is the
last day it can denote: everything known by then.
"""

from __future__ import annotations

import datetime as dt

from chronos.dates import Day, FuzzyDate, parse_date
from chronos.errors import DateError
from chronos.projections.answers import When

__all__ = ["DateLike", "as_day", "as_when", "parse_when"]

DateLike = str | Day | dt.date | FuzzyDate


def as_when(value: DateLike) -> When:
    """A query date: a `Day` for a day, a `FuzzyDate` for a month, year or range."""
    if isinstance(value, Day):
        return value
    if isinstance(value, dt.date):
        return Day.from_date(value)
    date = FuzzyDate.of(value)
    return date.first if date.is_exact else date


def as_day(value: DateLike | None) -> Day | None:
    """A knowledge date as a day: a month or year means its last day (everything known by then)."""
    if value is None:
        return None
    if isinstance(value, Day):
        return value
    if isinstance(value, dt.date):
        return Day.from_date(value)
    date = FuzzyDate.of(value)
    if date.last == Day.max:
        raise DateError(f"knowledge date {str(date)!r} has no end")
    return date.last


def parse_when(text: str) -> When:
    """Parse a query date given as text (``2022-01-05``, ``2022-01``, ``2016``)."""
    return as_when(parse_date(text))
