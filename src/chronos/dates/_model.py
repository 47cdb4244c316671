"""The date types: `PartialDate` (a date as written), `Span` (a run in a set), `FuzzyDate` (what was said)."""

from __future__ import annotations

import datetime as _dt
import functools
from collections.abc import Mapping
from enum import Enum
from typing import Final, Literal

import attrs

from chronos.dates import _days, _edtf
from chronos.dates._days import Day
from chronos.errors import DateError, UsageError

__all__ = [
    "MAX_DAY",
    "MIN_DAY",
    "Bound",
    "End",
    "Form",
    "FuzzyDate",
    "Member",
    "PartialDate",
    "Precision",
    "Span",
    "check_order",
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
        year, month, number = _days.from_ordinal(day)
        if abs(year) > 9999:
            raise DateError(f"EDTF names no day of year {_days.year_text(year)}: {day}")
        return cls(year, month, number)

    @property
    def precision(self) -> Precision | Literal["range"]:
        """How much of the date is known (``range`` for X digits that are not trailing ones)."""
        return _edtf.precision(self._parts)  # type: ignore[return-value]

    @functools.cached_property
    def _bounds(self) -> tuple[Day, Day]:
        first, last = _edtf.bounds(self._parts)
        return _days.day_of(first), _days.day_of(last)

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
        lower, upper = extremes(self.members)
        if (_first(self.lower), _last(self.upper)) != (_first(lower), _last(upper)):
            raise DateError("a set's lower and upper bounds are its lowest and highest members' ends")

    # Construction -----------------------------------------------------------

    @classmethod
    def of(cls, value: str | _dt.date | Day | PartialDate | FuzzyDate) -> FuzzyDate:
        """Coerce a string, a `datetime.date`, a `Day` or a partial date."""
        if isinstance(value, FuzzyDate):
            return value
        if isinstance(value, str):
            from chronos.dates._parse import parse_date  # the parser builds these types

            return parse_date(value)
        if isinstance(value, Day):
            value = PartialDate.from_day(value)
        elif isinstance(value, _dt.date):
            value = PartialDate.from_date(value)
        elif not isinstance(value, PartialDate):
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


def extremes(members: tuple[Member, ...]) -> tuple[Bound, Bound]:
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


def check_order(
    first: FuzzyDate | Day | _dt.date, second: FuzzyDate | Day | _dt.date, *, names: tuple[str, str]
) -> None:
    """Refuse a reversed range: ``first`` wholly after ``second`` (`UsageError`, naming both).

    Dates that overlap (``2022`` and ``2022-01-05``) are in order: either can
    come first. The one home of the rule for every command and question that
    takes two dates.
    """
    low = first.first if isinstance(first, FuzzyDate) else _as_day(first)
    high = second.last if isinstance(second, FuzzyDate) else _as_day(second)
    if low > high:
        raise UsageError(
            f"{names[0]} {_text(first)} is after {names[1]} {_text(second)}: give the earlier date first"
        )


def _as_day(value: Day | _dt.date) -> Day:
    return value if isinstance(value, Day) else Day.from_date(value)


def _text(value: FuzzyDate | Day | _dt.date) -> str:
    return str(value) if isinstance(value, FuzzyDate | Day) else value.isoformat()
