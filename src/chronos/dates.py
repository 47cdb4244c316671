"""Dates with precision and uncertainty: a day, a month, a year, or a range of them.

Historical sources rarely give a day. "Since 2016" is a year, not 2016-01-01,
and two sources may disagree on whether something happened on the 5th or the
6th. A `FuzzyDate` keeps exactly what was said and answers two questions about
it: the earliest and the latest day it can denote.

Notation is a strict subset of ISO 8601 / EDTF (Library of Congress, level 0-2):

    2016                  a year
    2016-05               a month
    2016-05-03            a day
    2016?  2016~  2016%   uncertain / approximate / both (kept and printed back)
    1992/1993             some day between the two, inclusive
    ../2022-01-05         on or before (open start); /2022-01-05 unknown start
    2022-01-05/..         on or after (open end);    2022-01-05/ unknown end
    [2022-01-05,2022-01-06]   one of the listed dates

The `edtf` package parses the full standard but returns `struct_time` values
with no notion of open versus unknown ends and no day-range arithmetic, so we
parse the subset we use here and keep the arithmetic next to it.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import functools
import re
from enum import Enum
from typing import Final, Literal

import attrs

from chronos.errors import DateError

__all__ = [
    "MAX_DAY",
    "MIN_DAY",
    "End",
    "FuzzyDate",
    "PartialDate",
    "Precision",
    "parse_date",
]

Precision = Literal["day", "month", "year"]

MIN_DAY: Final = _dt.date.min
MAX_DAY: Final = _dt.date.max

# ASCII digits only: \d alone would take Arabic-Indic or fullwidth digits for a year.
_PARTIAL = re.compile(r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?$", re.ASCII)
_QUALIFIERS: Final = ("?", "~", "%")


class End(Enum):
    """A missing end of an interval: open (known to be unbounded) or unknown."""

    OPEN = ".."
    UNKNOWN = ""


@attrs.frozen(order=True)
class PartialDate:
    """A calendar date known to a year, a month or a day."""

    year: int
    month: int | None = None
    day: int | None = None

    def __attrs_post_init__(self) -> None:
        if not 1 <= self.year <= 9999:
            raise DateError(f"year out of range: {self.year}")
        if self.day is not None and self.month is None:
            raise DateError("a day needs a month")
        if self.month is not None and not 1 <= self.month <= 12:
            raise DateError(f"month out of range: {self.year}-{self.month:02d}")
        if self.day is not None:
            assert self.month is not None
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                raise DateError(f"day out of range: {self.year}-{self.month:02d}-{self.day:02d}")

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Parse YYYY, YYYY-MM or YYYY-MM-DD."""
        match = _PARTIAL.match(text)
        if match is None:
            raise DateError(f"not a date: {text!r} (expected YYYY, YYYY-MM or YYYY-MM-DD)")
        month = match["m"]
        day = match["d"]
        return cls(
            int(match["y"]),
            int(month) if month else None,
            int(day) if day else None,
        )

    @classmethod
    def from_date(cls, day: _dt.date) -> PartialDate:
        """The day-precision date for a `datetime.date`."""
        return cls(day.year, day.month, day.day)

    @property
    def precision(self) -> Precision:
        """How much of the date is known."""
        if self.day is not None:
            return "day"
        if self.month is not None:
            return "month"
        return "year"

    @functools.cached_property
    def earliest(self) -> _dt.date:
        """The first day this date can denote."""
        return _dt.date(self.year, self.month or 1, self.day or 1)

    @functools.cached_property
    def latest(self) -> _dt.date:
        """The last day this date can denote."""
        if self.month is None:
            return _dt.date(self.year, 12, 31)
        if self.day is None:
            return _dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])
        return _dt.date(self.year, self.month, self.day)

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text


Bound = PartialDate | End
Form = Literal["single", "interval", "set"]


@attrs.frozen
class FuzzyDate:
    """When something happened, as precisely as a source says and no more.

    A single date (``form="single"``) has ``lower == upper``. An interval has a
    lower and an upper bound, either of which may be open or unknown. A set
    lists alternatives (``members``). ``qualifier`` keeps EDTF's ``?`` (uncertain),
    ``~`` (approximate) or ``%`` (both) for printing; it does not widen the range.
    """

    lower: Bound
    upper: Bound
    form: Form = "single"
    members: tuple[PartialDate, ...] = ()
    qualifier: str = ""

    def __attrs_post_init__(self) -> None:
        if self.qualifier not in ("", *_QUALIFIERS):
            raise DateError(f"unknown qualifier {self.qualifier!r}")
        if (
            isinstance(self.lower, PartialDate)
            and isinstance(self.upper, PartialDate)
            and self.lower.earliest > self.upper.latest
        ):
            raise DateError(f"range ends before it starts: {self.lower}/{self.upper}")

    # Construction -----------------------------------------------------------

    @classmethod
    def of(cls, value: str | _dt.date | PartialDate | FuzzyDate) -> FuzzyDate:
        """Coerce a string, a `datetime.date` or a partial date."""
        if isinstance(value, FuzzyDate):
            return value
        if isinstance(value, str):
            return parse_date(value)
        if isinstance(value, _dt.date):
            value = PartialDate.from_date(value)
        if not isinstance(value, PartialDate):
            shown = repr(value) if len(repr(value)) <= 80 else f"{repr(value)[:60]}..."
            raise DateError(
                f"not a date: {shown} (expected a string such as '2016' or '2022-01-05', or a date)"
            )
        return cls(value, value)

    @classmethod
    def day(cls, year: int, month: int, day: int) -> FuzzyDate:
        """A single day."""
        part = PartialDate(year, month, day)
        return cls(part, part)

    # Questions ---------------------------------------------------------------

    @functools.cached_property
    def earliest(self) -> _dt.date:
        """The first day this date can denote (`MIN_DAY` when the start is open)."""
        return self.lower.earliest if isinstance(self.lower, PartialDate) else MIN_DAY

    @functools.cached_property
    def latest(self) -> _dt.date:
        """The last day this date can denote (`MAX_DAY` when the end is open)."""
        return self.upper.latest if isinstance(self.upper, PartialDate) else MAX_DAY

    @property
    def is_exact(self) -> bool:
        """True when the date denotes one known day."""
        return self.earliest == self.latest

    @property
    def precision(self) -> Precision | Literal["range"]:
        """The precision of a single date, or ``"range"`` for intervals and sets."""
        if self.form == "single" and isinstance(self.lower, PartialDate):
            return self.lower.precision
        return "range"

    def overlaps(self, other: FuzzyDate) -> bool:
        """True when the two dates can denote the same day."""
        return self.earliest <= other.latest and other.earliest <= self.latest

    def __str__(self) -> str:
        return self.text

    @functools.cached_property
    def text(self) -> str:
        """The EDTF notation of this date (what `str` gives)."""
        if self.form == "set":
            text = "[" + ",".join(str(m) for m in self.members) + "]"
        elif self.form == "interval":
            text = f"{_bound_text(self.lower)}/{_bound_text(self.upper)}"
        else:
            text = str(self.lower)
        return text + self.qualifier

    def __repr__(self) -> str:
        return f"FuzzyDate({str(self)!r})"


def _bound_text(bound: Bound) -> str:
    return bound.value if isinstance(bound, End) else str(bound)


def _bound(text: str) -> Bound:
    if text == End.OPEN.value:
        return End.OPEN
    if text == End.UNKNOWN.value:
        return End.UNKNOWN
    return PartialDate.parse(text)


def parse_date(text: str) -> FuzzyDate:
    """Parse the EDTF subset described in this module's docstring.

    Raises `DateError` naming the text when it is not valid. Dates are
    immutable, so equal texts share one parsed value (a log repeats its dates).
    """
    if not isinstance(text, str):
        raise DateError(f"not a date: {text!r} (expected a string such as '2016' or '2022-01-05')")
    return _parse_cached(text)


@functools.lru_cache(maxsize=1 << 16)
def _parse_cached(text: str) -> FuzzyDate:
    if not isinstance(text, str):
        raise DateError(f"not a date: {text!r} (expected a string such as '2016' or '2022-01-05')")
    plain = _plain_date(text)
    return plain if plain is not None else _parse_general(text)


def _parse_general(text: str) -> FuzzyDate:
    raw = text.strip()
    qualifier = ""
    if raw and raw[-1] in _QUALIFIERS:
        qualifier, raw = raw[-1], raw[:-1]
    try:
        if raw.startswith("[") and raw.endswith("]"):
            parts = [p.strip() for p in raw[1:-1].split(",")]
            if len(parts) < 2 or any(not p for p in parts):
                raise DateError("a set needs at least two dates")
            members = tuple(sorted(set(PartialDate.parse(p) for p in parts), key=_sort_key))
            lowest = min(members, key=lambda m: m.earliest)
            highest = max(members, key=lambda m: m.latest)
            return FuzzyDate(lowest, highest, "set", members, qualifier)
        if "/" in raw:
            left, _, right = raw.partition("/")
            if "/" in right:
                raise DateError("more than one '/'")
            lower, upper = _bound(left), _bound(right)
            if isinstance(lower, End) and isinstance(upper, End):
                raise DateError("an interval needs at least one known end")
            return FuzzyDate(lower, upper, "interval", (), qualifier)
        part = PartialDate.parse(raw)
        return FuzzyDate(part, part, "single", (), qualifier)
    except DateError as exc:
        raise DateError(f"bad date {text!r}: {exc}") from None


def _plain_date(text: str) -> FuzzyDate | None:
    """A plain ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` in ASCII digits, or None for anything else.

    Nearly every date in a log is one of these, and opening a log parses each
    distinct one: this builds the same value as the general parser without its
    regular expression and validating constructors, checking what they check
    (a real day, a month from 1 to 12, a year from 1) by building the
    `datetime.date` of its first and last days. Anything else, valid or not,
    is left to the general parser (tests/test_dates.py checks they agree).
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
            last = _dt.date(year, month, calendar.monthrange(year, month)[1])
            part = _partial(year, month, None, first, last)
        else:
            first, last = _dt.date(year, 1, 1), _dt.date(year, 12, 31)
            part = _partial(year, None, None, first, last)
    except ValueError:
        return None  # out of range: the general parser says which part
    date = _new(FuzzyDate)
    _set(date, "lower", part)
    _set(date, "upper", part)
    _set(date, "form", "single")
    _set(date, "members", ())
    _set(date, "qualifier", "")
    _set(date, "earliest", first)
    _set(date, "latest", last)
    _set(date, "text", text)
    return date


def _partial(year: int, month: int | None, day: int | None, first: _dt.date, last: _dt.date) -> PartialDate:
    """`PartialDate` (year, month, day), already validated, with its first and last days filled in."""
    part = _new(PartialDate)
    _set(part, "year", year)
    _set(part, "month", month)
    _set(part, "day", day)
    _set(part, "earliest", first)
    _set(part, "latest", last)
    return part


_new = object.__new__
_set = object.__setattr__


def _sort_key(part: PartialDate) -> tuple[_dt.date, _dt.date]:
    return (part.earliest, part.latest)
