"""Parsing EDTF text into `FuzzyDate` values, with a shortcut for the plain dates most logs hold."""

from __future__ import annotations

import datetime as _dt
import functools

from chronos.dates import _days, _edtf
from chronos.dates._model import Bound, End, FuzzyDate, Member, PartialDate, Span, extremes
from chronos.errors import DateError

__all__ = ["parse_date", "wikidata_date"]


def parse_date(text: str) -> FuzzyDate:
    """Parse EDTF as described in this module's docstring.

    Raises `DateError` naming the text and the part of it that is wrong. Dates
    are immutable, so equal texts share one parsed value (a log repeats its dates).
    """
    if not isinstance(text, str):
        raise DateError(f"not a date: {text!r} (expected a string such as '2016' or '2022-01-05')")
    return _parse_cached(text)


def wikidata_date(time: str, precision: int, calendar: str = _edtf.GREGORIAN) -> FuzzyDate:
    """A Wikidata time value (``+1946-00-00T00:00:00Z``, precision 6-11, calendar model) as EDTF.

    Precision 11 is a day, 10 a month, 9 a year; 8, 7 and 6 are the decade,
    century or millennium Wikidata names (Wikibase counts centuries ordinally:
    ``+1901`` to ``+2000`` are the 20th), written as EDTF's block of that name:
    ``199X``, ``19XX`` (the 1900s), ``1XXX``, ``-00XX`` (the 1st century BCE);
    `chronos.dates._edtf._span_of_years` says where a block and a century
    differ by a year. Wikidata numbers BCE years traditionally (-0044 is 44
    BCE), EDTF astronomically (-0043), so negative years move by one. A Julian
    date (``calendar`` ending in Q1985786) is converted to the Gregorian days it
    names: a day to its day, a month or a year to the interval of its first
    and last days; decades and coarser keep their digits (the calendars differ
    by days). The caller notes which calendar the source used.
    """
    return parse_date(_edtf.wikidata_text(time, precision, calendar))


@functools.lru_cache(maxsize=1 << 16)
def _parse_cached(text: str) -> FuzzyDate:
    plain = _plain_date(text)
    return plain if plain is not None else _parse_general(text)


def _parse_general(text: str) -> FuzzyDate:
    try:
        shape = _edtf.split(text)
        pieces = shape.pieces
        if shape.form == "single":
            part = PartialDate.parse(pieces[0])
            return FuzzyDate(part, part, "single", (), shape.qualifier)
        if shape.form == "interval":
            lower, upper = _bound(pieces[0], "start"), _bound(pieces[1], "end")
            return FuzzyDate(lower, upper, "interval", (), shape.qualifier)
        members = tuple(_member(p, i, len(pieces)) for i, p in enumerate(pieces))
        if len(members) == 1 and isinstance(members[0], PartialDate):
            raise DateError(f"a set of one date is that date: write {members[0]}")
        low, high = extremes(members)
        return FuzzyDate(low, high, shape.form, members, shape.qualifier)  # type: ignore[arg-type]
    except DateError as exc:
        raise DateError(f"bad date {text!r}: {exc}") from None


def _bound(text: str, side: str) -> Bound:
    if text == End.OPEN.value:
        return End.OPEN
    if text == End.UNKNOWN.value:
        return End.UNKNOWN
    try:
        return PartialDate.parse(text)
    except DateError as exc:
        raise DateError(f"{side} {text!r}: {exc}") from None


def _member(text: str, index: int, count: int) -> Member:
    try:
        if ".." not in text:
            return PartialDate.parse(text)
        left, _, right = text.partition("..")
        if ".." in right:
            raise DateError("more than one '..'")
        if not left and index:
            raise DateError("'..' before a date (or earlier) is only for the first member")
        if not right and index != count - 1:
            raise DateError("'..' after a date (or later) is only for the last member")
        return Span(PartialDate.parse(left) if left else None, PartialDate.parse(right) if right else None)
    except DateError as exc:
        raise DateError(f"member {text!r}: {exc}") from None


def _plain_date(text: str) -> FuzzyDate | None:
    """A plain ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` in ASCII digits, or None for anything else.

    Nearly every date in a log is one of these, and opening a log parses each
    distinct one: this builds the same value as the general parser without its
    regular expressions and validating constructors, checking what they check
    (a real day, a month from 1 to 12) by building the `datetime.date` of its
    first and last days. Anything else, valid or not (year 0 too), is left to
    the general parser (tests/test_dates.py checks they agree).
    """
    size = len(text)
    if not (size == 4 or size == 7 or size == 10) or not text.isascii():
        return None
    year_text = text[:4]
    if not year_text.isdigit() or (size > 4 and (text[4] != "-" or not text[5:7].isdigit())):
        return None
    year = int(year_text)
    try:
        if size == 10:
            if text[7] != "-" or not text[8:].isdigit():
                return None
            first = last = _dt.date(year, int(text[5:7]), int(text[8:]))
            part = _partial(year, first.month, first.day, first, last)
        elif size == 7:
            month = int(text[5:7])
            first = _dt.date(year, month, 1)
            last = _dt.date(year, month, _days.month_days(year, month))
            part = _partial(year, month, None, first, last)
        else:
            first, last = _dt.date(year, 1, 1), _dt.date(year, 12, 31)
            part = _partial(year, None, None, first, last)
    except ValueError:
        return None  # out of range or year 0: the general parser says which part
    date = _new(FuzzyDate)
    _set(date, "lower", part)
    _set(date, "upper", part)
    _set(date, "form", "single")
    _set(date, "members", ())
    _set(date, "qualifier", "")
    _set(date, "first", part.first)
    _set(date, "last", part.last)
    _set(date, "earliest", first)
    _set(date, "latest", last)
    _set(date, "text", text)
    return date


def _partial(year: int, month: int | None, day: int | None, first: _dt.date, last: _dt.date) -> PartialDate:
    """`PartialDate` (year, month, day), already validated, with its bounds filled in."""
    part = _new(PartialDate)
    _set(part, "year", year)
    _set(part, "month", month)
    _set(part, "day", day)
    _set(part, "unspecified", "")
    _set(part, "marks", ())
    _set(part, "time", "")
    bounds = (_days.day_of(first.toordinal()), _days.day_of(last.toordinal()))
    _set(part, "_bounds", bounds)
    _set(part, "first", bounds[0])
    _set(part, "last", bounds[1])
    _set(part, "earliest", first)
    _set(part, "latest", last)
    return part


_new = object.__new__
_set = object.__setattr__
