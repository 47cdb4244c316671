"""Days of the proleptic Gregorian calendar for any year: the `Day` type and the arithmetic behind it.

Day numbers agree with `datetime.date.toordinal` (0001-01-01 is day 1) wherever
`datetime` has the year; the Gregorian calendar repeats every 400 years
(146,097 days), so any other year is moved by whole cycles into `datetime`'s
range and back. Years are astronomical: 0 is 1 BCE, -1 is 2 BCE (ISO 8601 and
EDTF number them so).
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import ClassVar, Final, SupportsIndex

from chronos.errors import DateError

__all__ = ["MAX_YEAR", "Day"]

#: The widest year a date may name, either side of year 0 (nine digits: EDTF's examples need them).
MAX_YEAR: Final = 999_999_999
_CYCLE_YEARS: Final = 400
_CYCLE_DAYS: Final = 146_097
_DATETIME_DAYS: Final = _dt.date.max.toordinal()
#: Julian Day Number minus this is the day number.
_JDN_OFFSET: Final = 1_721_425


def is_leap(year: int) -> bool:
    """True for a leap year of the proleptic Gregorian calendar (year 0 is one)."""
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def month_days(year: int, month: int) -> int:
    """The number of days in a month of the proleptic Gregorian calendar."""
    if month == 2:
        return 29 if is_leap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def ordinal(year: int, month: int, day: int) -> int:
    """The day number of a valid Gregorian date of any year."""
    if 1 <= year <= 9999:
        return _dt.date(year, month, day).toordinal()
    cycles, rest = divmod(year - 1, _CYCLE_YEARS)
    return _dt.date(rest + 1, month, day).toordinal() + cycles * _CYCLE_DAYS


def from_ordinal(number: int) -> tuple[int, int, int]:
    """The (year, month, day) of a day number."""
    if 1 <= number <= _DATETIME_DAYS:
        day = _dt.date.fromordinal(number)
        return day.year, day.month, day.day
    cycles, rest = divmod(number - 1, _CYCLE_DAYS)
    day = _dt.date.fromordinal(rest + 1)
    return day.year + cycles * _CYCLE_YEARS, day.month, day.day


def julian_ordinal(year: int, month: int, day: int) -> int:
    """The day number of a date of the (proleptic) Julian calendar, astronomical years."""
    last = 29 if month == 2 and year % 4 == 0 else month_days(1, month)
    if not 1 <= month <= 12 or not 1 <= day <= last:
        raise DateError(f"not a Julian date: {year}-{month:02d}-{day:02d}")
    shift = (14 - month) // 12
    y, m = year + 4800 - shift, month + 12 * shift - 3
    return day + (153 * m + 2) // 5 + 365 * y + y // 4 - 32083 - _JDN_OFFSET


def iso_day(number: int) -> str:
    """A day number as ISO 8601 text: 2016-05-03, -0043-03-15 (44 BCE), +12345-01-01."""
    year, month, day = from_ordinal(number)
    return f"{year_text(year, iso=True)}-{month:02d}-{day:02d}"


def year_text(year: int, *, iso: bool = False) -> str:
    """A year as EDTF writes it (0016, -0043, Y12345) or, with ``iso``, ISO 8601's expanded form."""
    if -9999 <= year <= 9999:
        return f"-{-year:04d}" if year < 0 else f"{year:04d}"
    if iso:
        return f"{year:+d}"
    return f"Y{year}"


# The day type ------------------------------------------------------------------------------------

_FIRST: Final = ordinal(-MAX_YEAR, 1, 1)
_LAST: Final = ordinal(MAX_YEAR, 12, 31)


class Day(int):
    """A day: its number in the proleptic Gregorian calendar, 0001-01-01 being day 1.

    For years 1-9999 the number is `datetime.date.toordinal`'s; it goes on
    below (year 0 is 1 BCE, astronomical numbering) and above, so a BCE date
    sorts, compares and is stored like any other (a `Day` is an `int`, and
    arithmetic on it gives plain day counts). `str` gives ISO 8601 (expanded
    for years outside 0-9999): ``2016-05-03``, ``-0043-03-15``, ``+12345-01-01``.

    ``Day.min`` and ``Day.max`` lie before and after every day a date can
    name: an open or unknown end of an interval has them as its bounds.
    """

    __slots__ = ()

    min: ClassVar[Day]
    max: ClassVar[Day]

    def __new__(cls, number: SupportsIndex) -> Day:
        value = int.__new__(cls, number.__index__())
        if not _FIRST - 1 <= value <= _LAST + 1:
            raise DateError(f"day number {int(value)} is beyond years ±{MAX_YEAR}")
        return value

    @classmethod
    def of(cls, year: int, month: int = 1, day: int = 1) -> Day:
        """The day of a Gregorian date of any year (astronomical: 0 is 1 BCE)."""
        if not -MAX_YEAR <= year <= MAX_YEAR or not 1 <= month <= 12:
            raise DateError(f"not a day: {year}-{month:02d}-{day:02d}")
        if not 1 <= day <= month_days(year, month):
            raise DateError(f"not a day: {year}-{month:02d}-{day:02d}")
        return cls(ordinal(year, month, day))

    @classmethod
    def from_date(cls, value: _dt.date) -> Day:
        """The day of a `datetime.date` (of a `datetime`, its date)."""
        return day_of(value.toordinal())

    @classmethod
    def julian(cls, year: int, month: int, day: int) -> Day:
        """The day a date of the proleptic Julian calendar names (astronomical years)."""
        return cls(julian_ordinal(year, month, day))

    @classmethod
    def fromisoformat(cls, text: str) -> Day:
        """The day of ISO 8601 text as `str` writes it: ``2016-05-03``, ``-0043-03-15``, ``+12345-01-01``."""
        match = _ISO_DAY.fullmatch(text)
        if match is None:
            raise DateError(f"not an ISO day: {text!r} (expected YYYY-MM-DD, -YYYY-MM-DD or +YYYYY-MM-DD)")
        return cls.of(int(match["year"]), int(match["month"]), int(match["day"]))

    @property
    def ymd(self) -> tuple[int, int, int]:
        """The (year, month, day) of this day."""
        return from_ordinal(self)

    @property
    def year(self) -> int:
        """The astronomical year (0 is 1 BCE)."""
        return from_ordinal(self)[0]

    def date(self) -> _dt.date:
        """The `datetime.date` of this day; `DateError` when its year is outside 1-9999."""
        if 1 <= self <= _DATETIME_DAYS:
            return _dt.date.fromordinal(self)
        raise DateError(f"{self} is outside the years 1-9999 a datetime.date can hold")

    def isoformat(self) -> str:
        """ISO 8601: ``2016-05-03``, ``-0043-03-15``, ``+12345-01-01``."""
        return iso_day(self)

    __str__ = isoformat

    def __format__(self, spec: str) -> str:
        return self.isoformat() if not spec else int(self).__format__(spec)

    def __repr__(self) -> str:
        if self == Day.min:
            return "Day.min"
        if self == Day.max:
            return "Day.max"
        year, month, day = self.ymd
        return f"Day.of({year}, {month}, {day})"


_ISO_DAY = re.compile(r"(?P<year>[+-]?[0-9]{4,10})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})", re.ASCII)


def day_of(number: int) -> Day:
    """The `Day` of a number already known to be in range, without checking it again."""
    return int.__new__(Day, number)


Day.min = Day(_FIRST - 1)
Day.max = Day(_LAST + 1)
