"""Dates with precision and uncertainty: EDTF levels 0 and 1, and level 2's sets, qualifiers and X digits.

Historical sources rarely give a day. "Since 2016" is a year, not 2016-01-01,
and two sources may disagree on whether something happened on the 5th or the
6th. A `FuzzyDate` keeps exactly what was said (it prints back the text it was
parsed from) and answers two questions about it: the first and the last day it
can denote (`first`, `last`).

Notation: the Extended Date/Time Format (Library of Congress, 2019):

    2016  2016-05  2016-05-03         a year, a month, a day
    1985-04-12T23:20:30Z              a date and time (compared by its day; the time is kept)
    -0043  Y170000002  Y-170000002    astronomical years (0 is 1 BCE) and years beyond four digits
    201X  20XX  2004-XX  156X-12-25   unspecified digits: a decade, a century, some month of 2004
    2001-21 … 2001-41                 seasons (21-24 either hemisphere, 25-32 north/south),
                                      quarters (33-36), quadrimesters (37-39), halves (40-41)
    2016?  2016~  2016%               uncertain / approximate / both, for the whole date
    2004?-06-11  2004-06-~11          per component: after one, it and those to its left; before, it alone
    1992/1993  1984?/2004~            some day between the two, inclusive
    ../2022-01-05  /2022-01-05        on or before (open start); unknown start
    2022-01-05/..  2022-01-05/        on or after (open end); unknown end
    [1667,1668,1670..1672]            one of these ([..1760-12-03]: that day or earlier)
    {1960,1961-12}                    all of these

Days are `Day` values: day numbers of the proleptic Gregorian calendar that
agree with `datetime.date.toordinal` for years 1-9999 and go on beyond them,
so BCE dates and long years have bounds like any other. `earliest` and
`latest` give the same bounds as `datetime.date` where the year fits, for
callers written before `Day`.

The `edtf` package parses the standard too, but gives `struct_time` bounds
(no year 0 or BCE arithmetic) and no notion of open versus unknown ends; the
tests use it as an independent check where it agrees with the specification.
"""

from __future__ import annotations

import datetime as _dt
import functools
from collections.abc import Mapping
from enum import Enum
from typing import Final, Literal

import attrs

from chronos import _calendar, _edtf
from chronos._calendar import Day
from chronos.errors import DateError

__all__ = [
    "MAX_DAY",
    "MIN_DAY",
    "Day",
    "End",
    "FuzzyDate",
    "PartialDate",
    "Precision",
    "Span",
    "parse_date",
    "wikidata_date",
]

Precision = Literal["day", "month", "season", "year", "decade", "century", "millennium"]

#: What `earliest` gives for an open or unknown start (kept for callers written before `Day`).
MIN_DAY: Final = _dt.date.min
#: What `latest` gives for an open or unknown end.
MAX_DAY: Final = _dt.date.max

_QUALIFIERS: Final = _edtf.QUALIFIERS


class End(Enum):
    """A missing end of an interval: open (known to be unbounded) or unknown."""

    OPEN = ".."
    UNKNOWN = ""


@attrs.frozen(eq=True)
class PartialDate:
    """One date as written: a year, month or day, with what EDTF adds to it.

    ``year`` is astronomical (0 is 1 BCE); ``month`` is 1-12, or 21-41 for a
    season, quarter, quadrimester or half (then there is no day).
    ``unspecified`` is the date's digits as written when some are ``X``
    (``156X-12-25``), or ``""``; the numbers then hold 0 for each X.
    ``marks`` is ``()`` or the qualifier written before and after the year,
    the month and the day (six of ``""``, ``"?"``, ``"~"``, ``"%"``).
    ``time`` is what follows a day (``T23:20:30Z``): kept, not used by `first`/`last`.
    """

    year: int
    month: int | None = None
    day: int | None = None
    unspecified: str = ""
    marks: tuple[str, ...] = ()
    time: str = ""

    def __attrs_post_init__(self) -> None:
        _edtf.check(self._parts)
        if self.marks and not any(self.marks):
            object.__setattr__(self, "marks", ())  # one spelling of "no marks", for equality

    @property
    def _parts(self) -> _edtf.Parts:
        return _edtf.Parts(self.year, self.month, self.day, self.unspecified, self.marks, self.time)

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Parse one date (no interval or set): ``2016``, ``-0043-03``, ``?2004-06-~11``, ``156X-12-25``."""
        return cls(*_edtf.parse(text))

    @classmethod
    def from_date(cls, day: _dt.date) -> PartialDate:
        """The day-precision date for a `datetime.date`."""
        return cls(day.year, day.month, day.day)

    @classmethod
    def from_day(cls, day: Day) -> PartialDate:
        """The day-precision date for a `Day` (years beyond four digits name no day in EDTF)."""
        year, month, number = _calendar.from_ordinal(day)
        if abs(year) > 9999:
            raise DateError(f"EDTF names no day of year {_calendar.year_text(year)}: {day}")
        return cls(year, month, number)

    @property
    def precision(self) -> Precision | Literal["range"]:
        """How much of the date is known (``range`` for X digits that are not trailing ones)."""
        return _edtf.precision(self._parts)  # type: ignore[return-value]

    @functools.cached_property
    def _bounds(self) -> tuple[Day, Day]:
        first, last = _edtf.bounds(self._parts)
        return _calendar.day_of(first), _calendar.day_of(last)

    @functools.cached_property
    def first(self) -> Day:
        """The first day this date can denote."""
        return self._bounds[0]

    @functools.cached_property
    def last(self) -> Day:
        """The last day this date can denote."""
        return self._bounds[1]

    @functools.cached_property
    def earliest(self) -> _dt.date:
        """`first` as a `datetime.date` (`DateError` outside the years 1-9999)."""
        return self.first.date()

    @functools.cached_property
    def latest(self) -> _dt.date:
        """`last` as a `datetime.date` (`DateError` outside the years 1-9999)."""
        return self.last.date()

    def covers(self, day: Day) -> bool:
        """True when this date can denote ``day`` (X digits are respected, not only the bounds)."""
        return _edtf.matches(self._parts, day)

    def qualification(self, trailing: str = "") -> dict[str, str]:
        """The qualifier (``""``, ``?``, ``~``, ``%``) of each component written, ``trailing`` on all."""
        marks = _edtf.qualification(self.marks, trailing)
        names = ("year", "month", "day")[: 1 + (self.month is not None) + (self.day is not None)]
        return dict(zip(names, marks, strict=False))

    @functools.cached_property
    def text(self) -> str:
        """The EDTF notation of this date (what `str` gives)."""
        return _edtf.write(self._parts)

    def __str__(self) -> str:
        return self.text

    def _key(self) -> tuple[int, int, str]:
        return (self.first, self.last, self.text)

    def __lt__(self, other: PartialDate) -> bool:
        return self._key() < other._key()

    def __le__(self, other: PartialDate) -> bool:
        return self._key() <= other._key()

    def __gt__(self, other: PartialDate) -> bool:
        return self._key() > other._key()

    def __ge__(self, other: PartialDate) -> bool:
        return self._key() >= other._key()


@attrs.frozen
class Span:
    """A run of consecutive dates in a set: ``1670..1672``, ``..1760-12-03`` (or earlier), ``1760-12..``."""

    lower: PartialDate | None = None
    upper: PartialDate | None = None

    def __attrs_post_init__(self) -> None:
        if self.lower is None and self.upper is None:
            raise DateError("a run '..' needs a date on at least one side")
        if any(p is not None and p.time for p in (self.lower, self.upper)):
            raise DateError("a time is only for a single date")
        if self.lower is not None and self.upper is not None and self.lower.first > self.upper.last:
            raise DateError(f"run ends before it starts: {self}")

    @property
    def first(self) -> Day:
        """The first day of the run (`Day.min` when it reaches back without end)."""
        return Day.min if self.lower is None else self.lower.first

    @property
    def last(self) -> Day:
        """The last day of the run (`Day.max` when it reaches forward without end)."""
        return Day.max if self.upper is None else self.upper.last

    def covers(self, day: Day) -> bool:
        """True when ``day`` is in the run."""
        return self.first <= day <= self.last

    def __str__(self) -> str:
        return f"{self.lower or ''}..{self.upper or ''}"


Bound = PartialDate | End
Member = PartialDate | Span
Form = Literal["single", "interval", "set", "all"]
_BRACKETS: Final = {"set": ("[", "]"), "all": ("{", "}")}


@attrs.frozen
class FuzzyDate:
    """When something happened, as precisely as a source says and no more.

    A single date (``form="single"``) has ``lower == upper``. An interval has a
    lower and an upper bound, either of which may be open or unknown. A set
    lists alternatives (``form="set"``, ``[…]``: one of them) or parts
    (``form="all"``, ``{…}``: all of them) as ``members``, with ``lower`` and
    ``upper`` its lowest and highest ends. ``qualifier`` is EDTF's ``?``
    (uncertain), ``~`` (approximate) or ``%`` (both) written after the whole
    date; it qualifies a single date, an interval's end, or every member of a
    set, and does not widen the range.
    """

    lower: Bound
    upper: Bound
    form: Form = "single"
    members: tuple[Member, ...] = ()
    qualifier: str = ""

    def __attrs_post_init__(self) -> None:
        if self.qualifier not in ("", *_QUALIFIERS):
            raise DateError(f"unknown qualifier {self.qualifier!r}")
        if self.form == "single":
            if not isinstance(self.lower, PartialDate) or self.upper != self.lower or self.members:
                raise DateError("a single date has one date as its lower and upper bound, and no members")
            self._take_trailing_mark("lower", "upper")
        elif self.form == "interval":
            self._check_interval()
            self._take_trailing_mark("upper")
        elif self.form in _BRACKETS:
            self._check_set()
        else:
            raise DateError(f"unknown form {self.form!r} (single, interval, set or all)")

    def _take_trailing_mark(self, *names: str) -> None:
        """Hold a mark after the last component of a single date or an interval's end as ``qualifier``.

        ``2016?`` reads the same either way, and the parser gives the mark to
        the whole date: this keeps one value per text, so equal texts are equal dates.
        """
        part = getattr(self, names[0])
        if not isinstance(part, PartialDate) or not part.marks:
            return
        slot = 1 + 2 * ((part.month is not None) + (part.day is not None))
        mark = part.marks[slot]
        if not mark:
            return
        if self.qualifier:
            raise DateError(f"two qualifiers at the end of {part}{self.qualifier}: write one (% is ? and ~)")
        bare = attrs.evolve(part, marks=tuple("" if i == slot else m for i, m in enumerate(part.marks)))
        for name in names:
            object.__setattr__(self, name, bare)
        object.__setattr__(self, "qualifier", mark)

    def _check_interval(self) -> None:
        lower, upper = self.lower, self.upper
        if self.members or (isinstance(lower, End) and isinstance(upper, End)):
            raise DateError("an interval needs at least one known end, and no members")
        if any(isinstance(b, PartialDate) and b.time for b in (lower, upper)):
            raise DateError("a time is only for a single date")
        if isinstance(lower, PartialDate) and isinstance(upper, PartialDate) and lower.first > upper.last:
            raise DateError(f"range ends before it starts: {lower}/{upper}")

    def _check_set(self) -> None:
        if not self.members:
            raise DateError("a set needs members")
        for member in self.members:
            if not isinstance(member, PartialDate | Span):
                raise DateError(f"a set's members are dates or runs, not {member!r}")
            if isinstance(member, PartialDate) and member.time:
                raise DateError("a time is only for a single date")
        lower, upper = _extremes(self.members)
        if (_first(self.lower), _last(self.upper)) != (_first(lower), _last(upper)):
            raise DateError("a set's lower and upper bounds are its lowest and highest members' ends")

    # Construction -----------------------------------------------------------

    @classmethod
    def of(cls, value: str | _dt.date | Day | PartialDate | FuzzyDate) -> FuzzyDate:
        """Coerce a string, a `datetime.date`, a `Day` or a partial date."""
        if isinstance(value, FuzzyDate):
            return value
        if isinstance(value, str):
            return parse_date(value)
        if isinstance(value, Day):
            value = PartialDate.from_day(value)
        elif isinstance(value, _dt.date):
            value = PartialDate.from_date(value)
        return cls(value, value)

    @classmethod
    def day(cls, year: int, month: int, day: int) -> FuzzyDate:
        """A single day."""
        part = PartialDate(year, month, day)
        return cls(part, part)

    # Questions ---------------------------------------------------------------

    @functools.cached_property
    def first(self) -> Day:
        """The first day this date can denote (`Day.min` when the start is open or unknown)."""
        return self.lower.first if isinstance(self.lower, PartialDate) else Day.min

    @functools.cached_property
    def last(self) -> Day:
        """The last day this date can denote (`Day.max` when the end is open or unknown)."""
        return self.upper.last if isinstance(self.upper, PartialDate) else Day.max

    @functools.cached_property
    def earliest(self) -> _dt.date:
        """`first` as a `datetime.date`: `MIN_DAY` for an open start, `DateError` outside years 1-9999."""
        return MIN_DAY if self.first == Day.min else self.first.date()

    @functools.cached_property
    def latest(self) -> _dt.date:
        """`last` as a `datetime.date`: `MAX_DAY` when the end is open, `DateError` outside years 1-9999."""
        return MAX_DAY if self.last == Day.max else self.last.date()

    @property
    def is_exact(self) -> bool:
        """True when the date denotes one known day."""
        return self.first == self.last

    @property
    def precision(self) -> Precision | Literal["range"]:
        """The precision of a single date, or ``"range"`` for intervals and sets."""
        if self.form == "single" and isinstance(self.lower, PartialDate):
            return self.lower.precision
        return "range"

    def overlaps(self, other: FuzzyDate) -> bool:
        """True when the two dates' ranges share a day."""
        return self.first <= other.last and other.first <= self.last

    def covers(self, day: Day | _dt.date) -> bool:
        """True when this date can denote ``day``: in an interval's range, or a single date's or member's."""
        if not isinstance(day, Day):
            day = Day.from_date(day)
        if self.form == "single":
            assert isinstance(self.lower, PartialDate)
            return self.lower.covers(day)
        if self.form == "interval":
            return self.first <= day <= self.last
        return any(m.covers(day) for m in self.members)

    @property
    def qualifications(self) -> tuple[tuple[PartialDate, Mapping[str, str]], ...]:
        """Each date written, with the qualifier of each of its components (`PartialDate.qualification`)."""
        if self.form == "single":
            assert isinstance(self.lower, PartialDate)
            return ((self.lower, self.lower.qualification(self.qualifier)),)
        if self.form == "interval":
            ends = ((self.lower, ""), (self.upper, self.qualifier))
            return tuple((b, b.qualification(q)) for b, q in ends if isinstance(b, PartialDate))
        parts: list[PartialDate | None] = []
        for member in self.members:
            parts.extend((member.lower, member.upper) if isinstance(member, Span) else (member,))
        return tuple((p, p.qualification(self.qualifier)) for p in parts if p is not None)

    @property
    def uncertain(self) -> bool:
        """True when some component is marked uncertain (``?`` or ``%``)."""
        return any(q in ("?", "%") for _, marks in self.qualifications for q in marks.values())

    @property
    def approximate(self) -> bool:
        """True when some component is marked approximate (``~`` or ``%``)."""
        return any(q in ("~", "%") for _, marks in self.qualifications for q in marks.values())

    def nearest_iso(self) -> str | None:
        """The ISO 8601 date nearest this one, for formats that allow nothing else (Popolo, FtM).

        That is the most precise of YYYY, YYYY-MM and YYYY-MM-DD (years
        0000-9999) that contains every day this date can denote, or None.
        """
        if self.first == Day.min or self.last == Day.max:
            return None
        (y0, m0, d0), (y1, m1, d1) = self.first.ymd, self.last.ymd
        if y0 != y1 or not 0 <= y0 <= 9999:
            return None
        if m0 != m1:
            return f"{y0:04d}"
        if d0 != d1:
            return f"{y0:04d}-{m0:02d}"
        return f"{y0:04d}-{m0:02d}-{d0:02d}"

    def __str__(self) -> str:
        return self.text

    @functools.cached_property
    def text(self) -> str:
        """The EDTF notation of this date (what `str` gives)."""
        if self.form in _BRACKETS:
            opening, closing = _BRACKETS[self.form]
            text = opening + ",".join(str(m) for m in self.members) + closing
        elif self.form == "interval":
            text = f"{_bound_text(self.lower)}/{_bound_text(self.upper)}"
        else:
            text = str(self.lower)
        return text + self.qualifier

    def __repr__(self) -> str:
        return f"FuzzyDate({str(self)!r})"

    def _key(self) -> tuple[int, int, str]:
        return (self.first, self.last, self.text)

    def __lt__(self, other: FuzzyDate) -> bool:
        return self._key() < other._key()

    def __le__(self, other: FuzzyDate) -> bool:
        return self._key() <= other._key()

    def __gt__(self, other: FuzzyDate) -> bool:
        return self._key() > other._key()

    def __ge__(self, other: FuzzyDate) -> bool:
        return self._key() >= other._key()


def _extremes(members: tuple[Member, ...]) -> tuple[Bound, Bound]:
    """A set's lower and upper bounds: the lowest and highest ends of its members."""
    low = min(members, key=lambda m: (m.first, m.last))
    high = max(members, key=lambda m: (m.last, m.first))
    lower = low if isinstance(low, PartialDate) else (low.lower or End.OPEN)
    upper = high if isinstance(high, PartialDate) else (high.upper or End.OPEN)
    return lower, upper


def _first(bound: Bound) -> Day:
    return bound.first if isinstance(bound, PartialDate) else Day.min


def _last(bound: Bound) -> Day:
    return bound.last if isinstance(bound, PartialDate) else Day.max


def _bound_text(bound: Bound) -> str:
    return bound.value if isinstance(bound, End) else str(bound)


# Parsing ---------------------------------------------------------------------------------------


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

    Precision 11 is a day, 10 a month, 9 a year, 8 a decade (``199X``), 7 a
    century (``19XX``, the hundred years the stored year's digits name), 6 a
    millennium. Wikidata numbers BCE years traditionally (-0044 is 44 BCE),
    EDTF astronomically (-0043), so negative years move by one. A Julian date
    (``calendar`` ending in Q1985786) is converted to the Gregorian days it
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
        low, high = _extremes(members)
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
            last = _dt.date(year, month, _calendar.month_days(year, month))
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
    bounds = (_calendar.day_of(first.toordinal()), _calendar.day_of(last.toordinal()))
    _set(part, "_bounds", bounds)
    _set(part, "first", bounds[0])
    _set(part, "last", bounds[1])
    _set(part, "earliest", first)
    _set(part, "latest", last)
    return part


_new = object.__new__
_set = object.__setattr__
