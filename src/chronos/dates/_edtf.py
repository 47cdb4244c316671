"""The EDTF grammar and the calendar arithmetic behind `chronos.dates`: text to parts, parts to days.

Day numbers are proleptic Gregorian and agree with `datetime.date.toordinal`
(0001-01-01 is day 1) wherever `datetime` has the year; the Gregorian calendar
repeats every 400 years (146,097 days), so any other year is moved by whole
cycles into `datetime`'s range and back. Years are astronomical: 0 is 1 BCE,
-1 is 2 BCE (ISO 8601 and EDTF number them so).

Nothing here builds a `chronos.dates` object: the parser returns `Parts`, and
`chronos.dates` checks and wraps them, so each rule has one home.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Final, NamedTuple

from chronos.dates._days import (
    MAX_YEAR,
    from_ordinal,
    iso_day,
    julian_ordinal,
    month_days,
    ordinal,
    year_text,
)
from chronos.errors import DateError

QUALIFIERS: Final = ("?", "~", "%")

#: Seasons and other sub-year groupings (EDTF level 1: 21-24; level 2: 25-41), as (first month,
#: last month); a last month above 12 runs into the next year. 21-24 say no hemisphere, so each
#: covers both readings (spring is March to May in the north, September to November in the
#: south); 25-28 are northern, 29-32 southern, 33-41 quarters, quadrimesters and semesters.
SEASONS: Final[dict[int, tuple[int, int]]] = {
    21: (3, 11),
    22: (6, 14),
    23: (3, 11),
    24: (6, 14),
    25: (3, 5),
    26: (6, 8),
    27: (9, 11),
    28: (12, 14),
    29: (9, 11),
    30: (12, 14),
    31: (3, 5),
    32: (6, 8),
    33: (1, 3),
    34: (4, 6),
    35: (7, 9),
    36: (10, 12),
    37: (1, 4),
    38: (5, 8),
    39: (9, 12),
    40: (1, 6),
    41: (7, 12),
}

# The shape of a text: one date, an interval, a set ---------------------------------------------


class Shape(NamedTuple):
    """A text split into its dates: ``single`` (one piece), ``interval`` (two), ``set`` or ``all``."""

    form: str
    pieces: tuple[str, ...]
    qualifier: str


def split(text: str) -> Shape:
    """The form of an EDTF text and the texts of its dates, with the qualifier written after it all."""
    raw = text.strip()
    qualifier = ""
    if raw[-1:] in QUALIFIERS and raw:
        qualifier, raw = raw[-1], raw[:-1]
        if raw[-1:] in QUALIFIERS and raw:
            raise DateError("two qualifiers at the end: write one (% is both ? and ~)")
    if raw[:1] in ("[", "{") and raw:
        closing = "]" if raw[0] == "[" else "}"
        if not raw.endswith(closing):
            raise DateError(f"a set opened with {raw[0]!r} is not closed with {closing!r}")
        items = tuple(p.strip() for p in raw[1:-1].split(","))
        if any(not p for p in items):
            raise DateError("a set has an empty member")
        return Shape("set" if closing == "]" else "all", items, qualifier)
    if "/" in raw:
        left, _, right = raw.partition("/")
        if "/" in right:
            raise DateError("more than one '/'")
        return Shape("interval", (left, right), qualifier)
    return Shape("single", (raw,), qualifier)


# Parts of one date -------------------------------------------------------------------------------


class Parts(NamedTuple):
    """One date as written: see `chronos.dates.PartialDate` for what each field holds."""

    year: int
    month: int | None
    day: int | None
    unspecified: str
    marks: tuple[str, ...]
    time: str


_DATE = re.compile(
    r"(?P<yq>[?~%])?(?P<year>-?[0-9X]{4})(?P<ya>[?~%])?"
    r"(?:-(?P<mq>[?~%])?(?P<month>[0-9X]{2})(?P<ma>[?~%])?"
    r"(?:-(?P<dq>[?~%])?(?P<day>[0-9X]{2})(?P<da>[?~%])?(?P<time>T.*)?)?)?",
    re.ASCII,
)
_LONG_YEAR = re.compile(r"Y(?P<year>-?[0-9]+)(?P<ya>[?~%])?", re.ASCII)
_TIME = re.compile(
    r"T(?P<h>[0-9]{2}):(?P<m>[0-9]{2}):(?P<s>[0-9]{2})(?P<zone>Z|[+-](?P<zh>[0-9]{2})(?::(?P<zm>[0-9]{2}))?)?",
    re.ASCII,
)
_MARK_SLOTS: Final = ("yq", "ya", "mq", "ma", "dq", "da")


def parse(text: str) -> Parts:
    """The parts of one EDTF date (no interval, no set); `DateError` names the part that is wrong."""
    match = _DATE.fullmatch(text)
    if match is not None:
        year_digits, month_digits, day_digits = match["year"], match["month"], match["day"]
        if year_digits == "-0000":
            raise DateError("year -0000 has no sign: write 0000 (1 BCE)")
        written = "-".join(p for p in (year_digits, month_digits, day_digits) if p is not None)
        unspecified = written if "X" in written else ""
        marks = tuple(match[slot] or "" for slot in _MARK_SLOTS)
        return Parts(
            int(year_digits.replace("X", "0")),
            None if month_digits is None else int(month_digits.replace("X", "0")),
            None if day_digits is None else int(day_digits.replace("X", "0")),
            unspecified,
            marks if any(marks) else (),
            match["time"] or "",
        )
    long = _LONG_YEAR.fullmatch(text)
    if long is not None:
        year = int(long["year"])
        if abs(year) <= 9999:
            raise DateError(f"'Y' is only for years of five or more digits: write {year_text(year)}")
        mark = long["ya"] or ""
        return Parts(year, None, None, "", ("", mark, "", "", "", "") if mark else (), "")
    raise DateError(_diagnose(text))


def _diagnose(text: str) -> str:
    """Which part of a text that is not one date is wrong, as a sentence."""
    expected = "expected YYYY, YYYY-MM or YYYY-MM-DD (or with X digits, -YYYY, Y12345)"
    if not text:
        return "empty date"
    body, _, time = text.partition("T")
    bare = body.strip("?~%")
    for mark in QUALIFIERS:
        bare = bare.replace("-" + mark, "-").replace(mark + "-", "-")
    sign = "-" if bare.startswith("-") else ""
    pieces = bare[len(sign) :].split("-")
    if bare.startswith("Y"):
        return f"year {bare!r} is not Y and digits"
    if not pieces[0].isascii() or len(pieces[0]) != 4 or not all(c.isdigit() or c == "X" for c in pieces[0]):
        return f"year {sign + pieces[0]!r} is not four digits ({expected})"
    names = ("month", "day")
    for name, piece in zip(names, pieces[1:], strict=False):
        if len(piece) != 2 or not piece.isascii() or not all(c.isdigit() or c == "X" for c in piece):
            return f"{name} {piece!r} is not two digits"
    if len(pieces) > 3:
        return f"{'-'.join(pieces[3:])!r} after the day ({expected})"
    if time:
        return f"time {'T' + time!r} is not THH:MM:SS with an optional Z, ±HH or ±HH:MM"
    return f"qualifiers misplaced in {text!r}: ? ~ % go right after a year, month or day, or before one"


# Checks ----------------------------------------------------------------------------------------------


def check(parts: Parts) -> None:
    """Raise `DateError`, naming the component, unless ``parts`` is a date EDTF can write."""
    year, month, day, unspecified, marks, time = parts
    if not -MAX_YEAR <= year <= MAX_YEAR:
        raise DateError(f"year {year} is beyond ±{MAX_YEAR}")
    if day is not None and month is None:
        raise DateError("a day needs a month")
    if abs(year) > 9999 and (month is not None or unspecified):
        raise DateError(f"a year beyond four digits ({year_text(year)}) takes no month, day or X digit")
    if marks:
        _check_marks(marks, month, day)
    if unspecified:
        _check_unspecified(parts)
    elif month is not None:
        if month in SEASONS:
            if day is not None:
                raise DateError(f"a season ({year_text(year)}-{month}) takes no day")
        elif not 1 <= month <= 12:
            raise DateError(f"month {month:02d} is not 01-12 or a season 21-41")
        elif day is not None and not 1 <= day <= month_days(year, month):
            raise DateError(f"day {day:02d} is not in {year_text(year)}-{month:02d}")
    if time:
        _check_time(parts)


def _check_marks(marks: tuple[str, ...], month: int | None, day: int | None) -> None:
    if len(marks) != 6 or any(m not in ("", *QUALIFIERS) for m in marks):
        raise DateError(f"qualifier marks must be six of '', '?', '~', '%': {marks!r}")
    if (month is None and any(marks[2:])) or (day is None and any(marks[4:])):
        raise DateError("a qualifier marks a month or day the date does not have")


def _check_unspecified(parts: Parts) -> None:
    year, month, day, unspecified, _marks, _time = parts
    if "X" not in unspecified:
        raise DateError(f"unspecified digits {unspecified!r} have no X")
    pattern = split_pattern(unspecified)
    for piece, value, width in zip(pattern, (abs(year), month, day), (4, 2, 2), strict=True):
        if (piece is None) != (value is None):
            raise DateError(f"X digits {unspecified!r} do not have the date's components")
        if piece is None or value is None:
            continue
        digits = piece.lstrip("-")
        if len(digits) != width or not all(c == "X" or c in "0123456789" for c in digits):
            raise DateError(f"X digits {unspecified!r} are not YYYY-MM-DD with X for some digits")
        if digits.replace("X", "0") != f"{value:0{width}d}":
            raise DateError(f"X digits {unspecified!r} do not match the date's numbers (an X counts as 0)")
    if year != 0 and (year < 0) != pattern[0].startswith("-"):
        raise DateError(f"X digits {unspecified!r} do not match the sign of year {year}")
    if pattern[1] is not None and not _months(pattern[1]):
        raise DateError(f"no month matches {pattern[1]!r} (a season takes no X digit)")
    bounds(parts)  # raises when no day matches


def _check_time(parts: Parts) -> None:
    if parts.day is None or parts.unspecified or parts.marks:
        raise DateError("a time needs a whole day, without X digits or qualifiers")
    match = _TIME.fullmatch(parts.time)
    if match is None:
        raise DateError(f"time {parts.time!r} is not THH:MM:SS with an optional Z, ±HH or ±HH:MM")
    if int(match["h"]) > 23 or int(match["m"]) > 59 or int(match["s"]) > 59:
        raise DateError(f"time {parts.time!r} is not a time of day (00:00:00 to 23:59:59)")
    if match["zh"] is not None and (int(match["zh"]) > 14 or int(match["zm"] or 0) > 59):
        raise DateError(f"time zone {match['zone']!r} is not an offset from -14:00 to +14:00")


# Unspecified digits ---------------------------------------------------------------------------------


def split_pattern(unspecified: str) -> tuple[str, str | None, str | None]:
    """The year, month and day patterns of an ``unspecified`` text such as ``-1XXX-12-XX``."""
    sign = "-" if unspecified.startswith("-") else ""
    pieces = unspecified[len(sign) :].split("-")
    year = sign + pieces[0]
    month = pieces[1] if len(pieces) > 1 else None
    day = pieces[2] if len(pieces) > 2 else None
    return year, month, day


def _fits(pattern: str, number: int, width: int) -> bool:
    return all(p in ("X", d) for p, d in zip(pattern, f"{number:0{width}d}", strict=True))


def _years(pattern: str, *, ascending: bool) -> Iterator[int]:
    """The years a four-digit pattern names, in order."""
    negative = pattern.startswith("-")
    digits = pattern.lstrip("-")
    # Larger magnitudes first when the order and the sign disagree.
    forward = ascending != negative
    choices = [("0123456789" if c == "X" else c) for c in digits]
    if not forward:
        choices = [c[::-1] for c in choices]
    for combo in itertools.product(*choices):
        number = int("".join(combo))
        yield -number if negative else number


def _months(pattern: str) -> list[int]:
    return [m for m in range(1, 13) if _fits(pattern, m, 2)]


def _search(parts: Parts, *, ascending: bool) -> int:
    """The first (or last) day a date with X digits names."""
    year_pattern, month_pattern, day_pattern = split_pattern(parts.unspecified)
    months = _months(month_pattern) if month_pattern is not None else []
    if not ascending:
        months.reverse()
    for year in _years(year_pattern, ascending=ascending):
        if month_pattern is None:
            return ordinal(year, 1, 1) if ascending else ordinal(year, 12, 31)
        for month in months:
            if day_pattern is None:
                return ordinal(year, month, 1 if ascending else month_days(year, month))
            days = [d for d in range(1, month_days(year, month) + 1) if _fits(day_pattern, d, 2)]
            if days:
                return ordinal(year, month, days[0] if ascending else days[-1])
    raise DateError(f"no day matches {parts.unspecified!r}")


def bounds(parts: Parts) -> tuple[int, int]:
    """The first and last day numbers a checked date can name."""
    year, month, day, unspecified, _marks, _time = parts
    if unspecified:
        return _search(parts, ascending=True), _search(parts, ascending=False)
    if month is None:
        return ordinal(year, 1, 1), ordinal(year, 12, 31)
    if month in SEASONS:
        start, end = SEASONS[month]
        last_year = year + (end - 1) // 12
        last_month = (end - 1) % 12 + 1
        return ordinal(year, start, 1), ordinal(last_year, last_month, month_days(last_year, last_month))
    if day is None:
        return ordinal(year, month, 1), ordinal(year, month, month_days(year, month))
    number = ordinal(year, month, day)
    return number, number


def matches(parts: Parts, number: int) -> bool:
    """True when the date can name day ``number`` (its X digits are respected, not just its bounds)."""
    if not parts.unspecified:
        first, last = bounds(parts)
        return first <= number <= last
    year, month, day = from_ordinal(number)
    year_pattern, month_pattern, day_pattern = split_pattern(parts.unspecified)
    negative = year_pattern.startswith("-")
    if (year < 0 and not negative) or (year > 0 and negative) or abs(year) > 9999:
        return False
    return (
        _fits(year_pattern.lstrip("-"), abs(year), 4)
        and (month_pattern is None or _fits(month_pattern, month, 2))
        and (day_pattern is None or _fits(day_pattern, day, 2))
    )


def precision(parts: Parts) -> str:
    """The unit a date is known to: day, month, season, year, decade, century, millennium or range."""
    year_pattern, month_pattern, day_pattern = (
        split_pattern(parts.unspecified) if parts.unspecified else (None, None, None)
    )
    if year_pattern is not None and "X" in year_pattern:
        digits = year_pattern.lstrip("-")
        return ("range", "millennium", "century", "decade")[digits.index("X")]
    if month_pattern is not None and "X" in month_pattern:
        return "year"
    if parts.day is not None:
        return "month" if day_pattern is not None and "X" in day_pattern else "day"
    if parts.month is not None:
        return "season" if parts.month in SEASONS else "month"
    return "year"


# Writing ---------------------------------------------------------------------------------------------


def write(parts: Parts) -> str:
    """The EDTF text of checked parts, exactly as they were written."""
    year, month, day, unspecified, marks, time = parts
    if unspecified:
        texts: list[str | None] = list(split_pattern(unspecified))
    else:
        texts = [
            year_text(year),
            None if month is None else f"{month:02d}",
            None if day is None else f"{day:02d}",
        ]
    marks = marks or ("",) * 6
    out = [marks[2 * i] + text + marks[2 * i + 1] for i, text in enumerate(texts) if text is not None]
    return "-".join(out) + time


GREGORIAN: Final = "http://www.wikidata.org/entity/Q1985727"
JULIAN: Final = "http://www.wikidata.org/entity/Q1985786"
_WIKIDATA_TIME = re.compile(
    r"(?P<sign>[+-])(?P<year>[0-9]{1,16})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})T[0-9]{2}:[0-9]{2}:[0-9]{2}Z",
    re.ASCII,
)
#: Wikidata precision: how many of the year's last digits its unit spans.
_X_DIGITS: Final = {6: 3, 7: 2, 8: 1}


def wikidata_text(time: str, precision: int, calendar: str) -> str:
    """The EDTF text of a Wikidata time value (see `chronos.dates.wikidata_date`)."""
    match = _WIKIDATA_TIME.fullmatch(time)
    if match is None:
        raise DateError(f"not a Wikidata time: {time!r} (expected +YYYY-MM-DDT00:00:00Z)")
    number = int(match["year"])
    if number == 0:
        raise DateError(f"Wikidata year 0 names no year: {time!r}")
    year = number if match["sign"] == "+" else 1 - number
    month, day = int(match["month"]), int(match["day"])
    model = calendar.rsplit("/", 1)[-1]
    if model not in (GREGORIAN[-8:], JULIAN[-8:]):
        raise DateError(f"unknown calendar model {calendar!r} (Gregorian Q1985727 or Julian Q1985786)")
    julian = model == JULIAN[-8:]
    if precision in _X_DIGITS:
        return _span_of_years(number, match["sign"] == "-", precision)
    if precision not in (9, 10, 11):
        raise DateError(f"Wikidata precision {precision} is not one of 6 (millennium) to 11 (day): {time!r}")
    if not julian or abs(year) > 9999:
        return "-".join([year_text(year), *(f"{n:02d}" for n in (month, day)[: precision - 9])])
    if precision == 11:
        return iso_day(julian_ordinal(year, month, day))
    months = (month, month) if precision == 10 else (1, 12)
    last = 29 if months[1] == 2 and year % 4 == 0 else month_days(1, months[1])
    return f"{iso_day(julian_ordinal(year, months[0], 1))}/{iso_day(julian_ordinal(year, months[1], last))}"


def _span_of_years(number: int, bce: bool, precision: int) -> str:
    """A Wikidata decade, century or millennium as the EDTF text of exactly the years Wikidata names.

    ``number`` is the year as written (traditional: 44 for 44 BCE). Wikidata's
    software (Wikibase's ``MwTimeIsoFormatter``) names a decade by its digits
    (``1995``: "1990s"; ``-0055``: "50s BCE", 59 to 50 BCE) and a century or
    millennium ordinally, rounding up (``1901`` to ``2000``: "20. century";
    ``1900``: "19. century"; ``-0044``: "1. century BCE", 100 to 1 BCE).
    Where EDTF's block of unspecified digits is exactly those years it is the
    text (the 1990s ``199X``; 100-1 BCE, astronomical -99 to 0, ``-00XX``);
    otherwise the exact interval is (the 20th century ``1901/2000``: ``19XX`` is
    1900-1999, which would leave out 2000 and claim 1900), as are years past
    four digits, which take no X digit.
    """
    digits = _X_DIGITS[precision]
    size = 10**digits
    if precision == 8:  # a decade by its digits, in the years as written
        named = number // size * size
        written = (named, named + size - 1)
    else:  # the Nth century (millennium): years 100(N-1)+1 to 100N as written
        ordinal = -(-number // size)
        written = ((ordinal - 1) * size + 1, ordinal * size)
    written = (max(written[0], 1), written[1])  # no year 0 as written: the "0s" begin with year 1
    low, high = (1 - written[1], 1 - written[0]) if bce else written  # astronomical: 1 BCE is year 0
    if high - low + 1 == size and low >= -9999 and high <= 9999:
        if not bce and low % size == 0:
            return f"{low // size:0{4 - digits}d}" + "X" * digits
        if bce and high % size == 0:
            return f"-{-high // size:0{4 - digits}d}" + "X" * digits
    return f"{year_text(low)}/{year_text(high)}"


def qualification(marks: tuple[str, ...], trailing: str = "") -> tuple[str, str, str]:
    """The qualifier of the year, month and day (EDTF level 2 rules).

    A mark before a component qualifies it alone; a mark after one qualifies it
    and every component to its left; ``trailing`` (after the whole date)
    qualifies them all. ``?`` and ``~`` together are ``%``.
    """
    marks = marks or ("",) * 6
    found: list[set[str]] = [set(), set(), set()]
    for index in range(3):
        found[index].update(_flags(marks[2 * index]))
        for later in range(index, 3):
            found[index].update(_flags(marks[2 * later + 1]))
        found[index].update(_flags(trailing))
    return _mark_of(found[0]), _mark_of(found[1]), _mark_of(found[2])


def _flags(mark: str) -> set[str]:
    return {"?", "~"} if mark == "%" else {mark} - {""}


def _mark_of(flags: set[str]) -> str:
    if flags == {"?", "~"}:
        return "%"
    return next(iter(flags), "")
