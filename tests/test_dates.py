import datetime as dt
import json
import os
from pathlib import Path
from typing import Any, ClassVar

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chronos import DateError, Day, End, FuzzyDate, PartialDate, Span, parse_date, wikidata_date
from chronos.dates import MAX_DAY, MIN_DAY
from tests.strategies import any_years, date_texts, day_numbers, fuzzy_dates, partial_dates

MIN, MAX = "min", "max"  # an open or unknown end in the tables below


def bound(text: str) -> Day:
    return {MIN: Day.min, MAX: Day.max}.get(text) or Day.fromisoformat(text)


# The examples of the EDTF specification (Library of Congress, 2019), level by level, with the days
# each denotes: text, first day, last day, precision. Seasons 21-24 name no hemisphere, so each
# covers both readings (see chronos.dates._edtf.SEASONS).
LEVEL_0 = [
    ("1985-04-12", "1985-04-12", "1985-04-12", "day"),
    ("1985-04", "1985-04-01", "1985-04-30", "month"),
    ("1985", "1985-01-01", "1985-12-31", "year"),
    ("1985-04-12T23:20:30", "1985-04-12", "1985-04-12", "day"),
    ("1985-04-12T23:20:30Z", "1985-04-12", "1985-04-12", "day"),
    ("1985-04-12T23:20:30-04", "1985-04-12", "1985-04-12", "day"),
    ("1985-04-12T23:20:30+04:30", "1985-04-12", "1985-04-12", "day"),
    ("1964/2008", "1964-01-01", "2008-12-31", "range"),
    ("2004-06/2006-08", "2004-06-01", "2006-08-31", "range"),
    ("2004-02-01/2005-02-08", "2004-02-01", "2005-02-08", "range"),
    ("2004-02-01/2005-02", "2004-02-01", "2005-02-28", "range"),
    ("2004-02-01/2005", "2004-02-01", "2005-12-31", "range"),
    ("2005/2006-02", "2005-01-01", "2006-02-28", "range"),
]
LEVEL_1 = [
    ("Y170000002", "+170000002-01-01", "+170000002-12-31", "year"),
    ("Y-170000002", "-170000002-01-01", "-170000002-12-31", "year"),
    ("2001-21", "2001-03-01", "2001-11-30", "season"),
    ("2001-22", "2001-06-01", "2002-02-28", "season"),
    ("2001-23", "2001-03-01", "2001-11-30", "season"),
    ("2001-24", "2001-06-01", "2002-02-28", "season"),
    ("1984?", "1984-01-01", "1984-12-31", "year"),
    ("2004-06~", "2004-06-01", "2004-06-30", "month"),
    ("2004-06-11%", "2004-06-11", "2004-06-11", "day"),
    ("201X", "2010-01-01", "2019-12-31", "decade"),
    ("20XX", "2000-01-01", "2099-12-31", "century"),
    ("2004-XX", "2004-01-01", "2004-12-31", "year"),
    ("1985-04-XX", "1985-04-01", "1985-04-30", "month"),
    ("1985-XX-XX", "1985-01-01", "1985-12-31", "year"),
    ("1985-04-12/..", "1985-04-12", MAX, "range"),
    ("1985-04/..", "1985-04-01", MAX, "range"),
    ("1985/..", "1985-01-01", MAX, "range"),
    ("../1985-04-12", MIN, "1985-04-12", "range"),
    ("../1985-04", MIN, "1985-04-30", "range"),
    ("../1985", MIN, "1985-12-31", "range"),
    ("1985-04-12/", "1985-04-12", MAX, "range"),
    ("1985-04/", "1985-04-01", MAX, "range"),
    ("1985/", "1985-01-01", MAX, "range"),
    ("/1985-04-12", MIN, "1985-04-12", "range"),
    ("/1985-04", MIN, "1985-04-30", "range"),
    ("/1985", MIN, "1985-12-31", "range"),
    ("-1985", "-1985-01-01", "-1985-12-31", "year"),
]
#: Qualified intervals (level 1 in the specification's interval examples, and issue #18's).
QUALIFIED_INTERVALS = [
    ("1984?/2004~", "1984-01-01", "2004-12-31", "range"),
    ("2004-06~/2006-08?", "2004-06-01", "2006-08-31", "range"),
    ("1984~/2004-06", "1984-01-01", "2004-06-30", "range"),
    ("1984/2004-06~", "1984-01-01", "2004-06-30", "range"),
    ("1984?/2004%", "1984-01-01", "2004-12-31", "range"),
    ("1984-06-02?/2004-08-08~", "1984-06-02", "2004-08-08", "range"),
    ("1984-06-02?/", "1984-06-02", MAX, "range"),
    ("1984-06-02?/..", "1984-06-02", MAX, "range"),
]
LEVEL_2 = [
    ("[1667,1668,1670..1672]", "1667-01-01", "1672-12-31", "range"),
    ("[..1760-12-03]", MIN, "1760-12-03", "range"),
    ("[1760-12..]", "1760-12-01", MAX, "range"),
    ("[1760-01,1760-02,1760-12..]", "1760-01-01", MAX, "range"),
    ("[1667,1760-12]", "1667-01-01", "1760-12-31", "range"),
    ("{1667,1668,1670..1672}", "1667-01-01", "1672-12-31", "range"),
    ("{1960,1961-12}", "1960-01-01", "1961-12-31", "range"),
    ("2004?-06-11", "2004-06-11", "2004-06-11", "day"),
    ("2004-06~-11", "2004-06-11", "2004-06-11", "day"),
    ("2004-06-~11", "2004-06-11", "2004-06-11", "day"),
    ("?2004-06-~11", "2004-06-11", "2004-06-11", "day"),
    ("2004-%06-11", "2004-06-11", "2004-06-11", "day"),
    ("156X-12-25", "1560-12-25", "1569-12-25", "decade"),
    ("15XX-12-25", "1500-12-25", "1599-12-25", "century"),
    ("XXXX-12-XX", "0000-12-01", "9999-12-31", "range"),
    ("1XXX-XX", "1000-01-01", "1999-12-31", "millennium"),
    ("1XXX-12", "1000-12-01", "1999-12-31", "millennium"),
    ("1XXX", "1000-01-01", "1999-12-31", "millennium"),
    ("1984-1X", "1984-10-01", "1984-12-31", "year"),
    ("2001-25", "2001-03-01", "2001-05-31", "season"),
    ("2001-28", "2001-12-01", "2002-02-28", "season"),
    ("2001-30", "2001-12-01", "2002-02-28", "season"),
    ("2001-31", "2001-03-01", "2001-05-31", "season"),
    ("2001-34", "2001-04-01", "2001-06-30", "season"),
    ("2001-37", "2001-01-01", "2001-04-30", "season"),
    ("2001-41", "2001-07-01", "2001-12-31", "season"),
    ("2004-06-~01/2004-06-~20", "2004-06-01", "2004-06-20", "range"),
    ("2004-06-XX/2004-07-03", "2004-06-01", "2004-07-03", "range"),
]
#: BCE and year 0, which `datetime.date` cannot hold: astronomical years, 0 is 1 BCE.
BEFORE_YEAR_1 = [
    ("0000", "0000-01-01", "0000-12-31", "year"),
    ("-0043-03-15", "-0043-03-15", "-0043-03-15", "day"),
    ("-0001-02", "-0001-02-01", "-0001-02-28", "month"),
    ("0000-02", "0000-02-01", "0000-02-29", "month"),  # year 0 is a leap year
    ("-04XX", "-0499-01-01", "-0400-12-31", "century"),  # the 5th century BCE
    ("-0509/-0027", "-0509-01-01", "-0027-12-31", "range"),
    ("[-0043-03-15,-0043-03-16]", "-0043-03-15", "-0043-03-16", "range"),
    ("Y-17000", "-17000-01-01", "-17000-12-31", "year"),
]
TABLE = LEVEL_0 + LEVEL_1 + QUALIFIED_INTERVALS + LEVEL_2 + BEFORE_YEAR_1


class TestSpecification:
    """Every example of the EDTF specification parses to the right days and prints back unchanged."""

    @pytest.mark.parametrize(("text", "first", "last", "precision"), TABLE, ids=[row[0] for row in TABLE])
    def test_text_to_bounds_to_text(self, text: str, first: str, last: str, precision: str) -> None:
        date = parse_date(text)
        assert (date.first, date.last) == (bound(first), bound(last))
        assert date.precision == precision
        assert str(date) == text
        assert parse_date(str(date)) == date

    def test_every_level_is_complete(self) -> None:
        assert (len(LEVEL_0), len(LEVEL_1)) == (13, 27)

    def test_a_year_stays_a_year(self) -> None:
        date = parse_date("2016")
        assert str(date) == "2016"
        assert not date.is_exact
        assert date != parse_date("2016-01-01")

    def test_forms(self) -> None:
        assert parse_date("[1667,1668,1670..1672]").members[2] == Span(PartialDate(1670), PartialDate(1672))
        assert parse_date("[..1760-12-03]").lower is End.OPEN
        assert parse_date("{1960,1961-12}").form == "all"
        assert parse_date("156X-12-25").lower == PartialDate(1560, 12, 25, unspecified="156X-12-25")
        assert parse_date("1985-04-12T23:20:30Z").lower.time == "T23:20:30Z"  # type: ignore[union-attr]
        assert parse_date("Y-170000002").lower == PartialDate(-170000002)

    def test_written_as_given(self) -> None:
        # Set members keep their order; whitespace around them is not part of the date.
        assert str(parse_date("[2022-01-06,2022-01-05]")) == "[2022-01-06,2022-01-05]"
        assert str(parse_date(" [2022-01-05, 2022-01-06] ")) == "[2022-01-05,2022-01-06]"


class TestQualifiers:
    """Qualifiers are kept per component, by the rules of EDTF level 2."""

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("2004?-06-11", [{"year": "?", "month": "", "day": ""}]),
            ("2004-06~-11", [{"year": "~", "month": "~", "day": ""}]),
            ("2004-06-~11", [{"year": "", "month": "", "day": "~"}]),
            ("?2004-06-~11", [{"year": "?", "month": "", "day": "~"}]),
            ("2004-%06-11", [{"year": "", "month": "%", "day": ""}]),
            ("2004-06-11%", [{"year": "%", "month": "%", "day": "%"}]),
            ("?2004-06~", [{"year": "%", "month": "~"}]),
            ("1984?/2004~", [{"year": "?"}, {"year": "~"}]),
            ("1984-06?/..", [{"year": "?", "month": "?"}]),
            ("[1667?,1668]~", [{"year": "%"}, {"year": "~"}]),
        ],
    )
    def test_per_component(self, text: str, expected: list[dict[str, str]]) -> None:
        assert [dict(q) for _, q in parse_date(text).qualifications] == expected

    def test_flags(self) -> None:
        assert parse_date("2004-06-~11").approximate
        assert not parse_date("2004-06-~11").uncertain
        assert parse_date("2004%").uncertain
        assert parse_date("2004%").approximate
        assert not parse_date("2004").uncertain

    def test_a_trailing_mark_is_the_dates_qualifier(self) -> None:
        marked = PartialDate(2016, marks=("", "?", "", "", "", ""))
        assert FuzzyDate(marked, marked) == parse_date("2016?") == FuzzyDate.of(PartialDate.parse("2016?"))
        with pytest.raises(DateError, match="two qualifiers"):
            FuzzyDate(marked, marked, "single", (), "~")


#: Texts that are not dates, with the part the error must name.
REJECTED = [
    ("", "empty date"),
    ("16", "year '16'"),
    ("2016-13", "month 13"),
    ("2016-02-30", "day 30 is not in 2016-02"),
    ("2016-1-5", "month '1'"),
    ("2016/2015", "range ends before it starts"),
    ("../..", "at least one known end"),
    ("[2016]", "write 2016"),
    ("2016-01-05T10:00", "time 'T10:00'"),
    ("2016-01-05T24:00:00", "time 'T24:00:00'"),
    ("2016-01-05T10:00:00+15", "time zone '+15'"),
    ("abc", "year 'abc'"),
    ("1/2/3", "more than one '/'"),
    ("-0000", "write 0000"),
    ("Y2020", "write 2020"),
    ("Y12345-01", "Y"),
    ("2016??", "two qualifiers"),
    ("[2016,2017", "not closed"),
    ("[2016,,2017]", "empty member"),
    ("[2016,..2017]", "member '..2017'"),
    ("[2016..,2017]", "member '2016..'"),
    ("[1672..1670]", "member '1672..1670': run ends before it starts"),
    ("2016-2X", "no month matches '2X'"),
    ("XXX1-02-29", "no day matches"),
    ("2016-21-05", "season"),
    ("2016-42", "month 42"),
    ("1985-04-12T10:00:00/1986", "a time is only for a single date"),
    ("2004/2005-13", "end '2005-13': month 13"),
    ("Y1000000000", "beyond"),
]


class TestRejects:
    """Bad texts fail with one line that names the text and the part of it that is wrong."""

    @pytest.mark.parametrize(("text", "part"), REJECTED, ids=[t or "empty" for t, _ in REJECTED])
    def test_names_the_part(self, text: str, part: str) -> None:
        with pytest.raises(DateError) as caught:
            parse_date(text)
        message = str(caught.value)
        assert message.startswith(f"bad date {text!r}: ")
        assert part in message
        assert "\n" not in message

    def test_not_a_string(self) -> None:
        with pytest.raises(DateError, match="not a date: 2016"):
            parse_date(2016)  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        "make",
        [
            lambda: PartialDate(2016, 13),
            lambda: PartialDate(2016, None, 5),
            lambda: PartialDate(12345, 1),
            lambda: PartialDate(2016, marks=("?",)),
            lambda: PartialDate(2016, unspecified="201X"),
            lambda: PartialDate(2016, 5, time="T10:00:00"),
            lambda: FuzzyDate(PartialDate(2016), PartialDate(2017)),
            lambda: FuzzyDate(End.OPEN, End.UNKNOWN, "interval"),
            lambda: FuzzyDate(PartialDate(2016), PartialDate(2017), "set", (PartialDate(2016),)),
            lambda: FuzzyDate(PartialDate(2016), PartialDate(2016), "list"),  # type: ignore[arg-type]
            lambda: Span(),
        ],
    )
    def test_constructors_check_too(self, make: Any) -> None:
        with pytest.raises(DateError):
            make()


class TestDay:
    """Day numbers: `datetime`'s ordinals where it has the year, and the same calendar beyond."""

    @given(st.dates())
    def test_agrees_with_datetime(self, day: dt.date) -> None:
        number = Day.from_date(day)
        assert number == day.toordinal() == Day.of(day.year, day.month, day.day)
        assert number.date() == day
        assert str(number) == day.isoformat()

    @given(day_numbers)
    def test_round_trips(self, day: Day) -> None:
        assert Day.of(*day.ymd) == day
        assert Day.fromisoformat(str(day)) == day
        assert eval(repr(day), {"Day": Day}) == day

    @given(day_numbers.filter(lambda d: d < Day.max - 1))
    def test_the_next_day_is_the_next_calendar_day(self, day: Day) -> None:
        (y, m, d), following = day.ymd, Day(day + 1).ymd
        assert following in ((y, m, d + 1), (y, m + 1, 1), (y + 1, 1, 1))

    def test_around_year_zero(self) -> None:
        assert Day.of(1, 1, 1) == 1
        assert Day.of(0, 12, 31) == 0
        assert Day.of(0, 1, 1) == -365  # year 0 (1 BCE) is a leap year of 366 days
        assert Day.of(-4, 2, 29) < Day.of(-4, 3, 1)
        with pytest.raises(DateError, match="not a day"):
            Day.of(-1, 2, 29)
        assert str(Day.of(-43, 3, 15)) == "-0043-03-15"
        assert str(Day.of(12345, 1, 1)) == "+12345-01-01"

    def test_beyond_datetime(self) -> None:
        with pytest.raises(DateError, match="-0043-03-15 is outside the years 1-9999"):
            Day.of(-43, 3, 15).date()
        assert Day.min < Day.of(-999_999_999)
        assert Day.of(999_999_999, 12, 31) < Day.max
        assert (repr(Day.min), repr(Day.max)) == ("Day.min", "Day.max")
        with pytest.raises(DateError):
            Day(Day.max + 1)

    def test_julian(self) -> None:
        # The Gregorian reform: Thursday 4 October 1582 (Julian) was followed by Friday 15 October.
        assert Day.julian(1582, 10, 4) + 1 == Day.of(1582, 10, 15)
        # Julian and Gregorian days agree in the third century (the reform's reference point).
        assert Day.julian(200, 3, 1) == Day.of(200, 3, 1)
        with pytest.raises(DateError):
            Day.julian(1901, 2, 29)
        assert Day.julian(1900, 2, 29) == Day.of(1900, 3, 13)  # a Julian leap day, not a Gregorian one

    @given(st.integers(-5000, 5000), st.integers(1, 12), st.integers(1, 28))
    def test_julian_years_are_365_and_a_quarter_days(self, year: int, month: int, day: int) -> None:
        assert Day.julian(year + 4, month, day) - Day.julian(year, month, day) == 4 * 365 + 1


class TestProperties:
    """Laws of every generated date, BCE and long years included."""

    @given(fuzzy_dates(any_years, fits=False))
    def test_round_trip(self, date: FuzzyDate) -> None:
        assert parse_date(str(date)) == date
        assert str(parse_date(str(date))) == str(date)

    @given(fuzzy_dates(any_years, fits=False))
    def test_first_not_after_last(self, date: FuzzyDate) -> None:
        assert date.first <= date.last

    @given(partial_dates(any_years, fits=False))
    def test_bounds_are_tight(self, part: PartialDate) -> None:
        assert part.covers(part.first)
        assert part.covers(part.last)

    @given(fuzzy_dates(any_years, fits=False), st.data())
    def test_covered_days_lie_within_the_bounds(self, date: FuzzyDate, data: st.DataObject) -> None:
        day = data.draw(_days_near(date))
        if date.covers(day):
            assert date.first <= day <= date.last
        if date.form == "interval":
            assert date.covers(day) == (date.first <= day <= date.last)

    @given(fuzzy_dates(any_years, fits=False, forms=("set", "all")), st.data())
    def test_a_set_is_its_members(self, date: FuzzyDate, data: st.DataObject) -> None:
        assert date.first == min(m.first for m in date.members)
        assert date.last == max(m.last for m in date.members)
        day = data.draw(_days_near(date))
        assert date.covers(day) == any(m.covers(day) for m in date.members)

    @given(fuzzy_dates(any_years, fits=False, forms=("interval",)), st.data())
    def test_an_interval_holds_its_ends(self, date: FuzzyDate, data: st.DataObject) -> None:
        # A day the start can be is in the interval unless it is after the last day the end can be
        # (``2004-01/2004-01-02`` starts on the 1st or 2nd), and likewise for the end.
        day = data.draw(_days_near(date))
        lower, upper = date.lower, date.upper
        if isinstance(lower, PartialDate) and lower.covers(day) and day <= date.last:
            assert date.covers(day)
        if isinstance(upper, PartialDate) and upper.covers(day) and day >= date.first:
            assert date.covers(day)

    @given(fuzzy_dates(any_years, fits=False), fuzzy_dates(any_years, fits=False))
    def test_overlap_is_symmetric(self, a: FuzzyDate, b: FuzzyDate) -> None:
        assert a.overlaps(b) == b.overlaps(a)
        assert a.overlaps(b) == (max(a.first, b.first) <= min(a.last, b.last))

    @given(st.lists(fuzzy_dates(any_years, fits=False), min_size=2, max_size=6))
    def test_order_follows_the_bounds(self, dates: list[FuzzyDate]) -> None:
        ordered = sorted(dates)
        assert [(d.first, d.last) for d in ordered] == sorted((d.first, d.last) for d in dates)
        for a in dates:
            for b in dates:
                if a.last < b.first:
                    assert a < b
                    assert b > a
                    assert not b <= a

    @given(fuzzy_dates())
    def test_datetime_views(self, date: FuzzyDate) -> None:
        assert date.earliest == (MIN_DAY if date.first == Day.min else date.first.date())
        assert date.latest == (MAX_DAY if date.last == Day.max else date.last.date())

    @given(fuzzy_dates(any_years, fits=False))
    def test_nearest_iso_contains_the_date(self, date: FuzzyDate) -> None:
        iso = date.nearest_iso()
        if iso is not None:
            unit = parse_date(iso)
            assert unit.first <= date.first
            assert date.last <= unit.last
            assert iso == str(unit)


def _days_near(date: FuzzyDate) -> st.SearchStrategy[Day]:
    """Days in and just around a date's range (its ends, a member's ends, anything between)."""
    low = max(date.first - 3, Day.min)
    high = min(date.last + 3, Day.max)
    ends = [m.first for m in date.members] + [m.last for m in date.members]
    return st.builds(Day, st.integers(low, high) | st.sampled_from([low, high, *ends]))


class TestDatetimeViews:
    """`earliest` and `latest` keep giving `datetime.date` where the year fits, and say so where not."""

    def test_open_ends(self) -> None:
        assert parse_date("../2022-01-05").earliest == MIN_DAY
        assert parse_date("2022-01-05/").latest == MAX_DAY
        assert parse_date("2016-02").latest == dt.date(2016, 2, 29)

    def test_bce(self) -> None:
        date = parse_date("-0043-03-15")
        with pytest.raises(DateError, match="-0043-03-15 is outside the years 1-9999"):
            _ = date.earliest
        assert date.first == Day.of(-43, 3, 15)


class TestCoercion:
    """Dates given as `datetime.date`, `Day`, `PartialDate` or strings become `FuzzyDate`."""

    def test_of(self) -> None:
        assert FuzzyDate.of(dt.date(2022, 1, 5)) == parse_date("2022-01-05")
        assert FuzzyDate.of(Day.of(2022, 1, 5)) == parse_date("2022-01-05")
        assert FuzzyDate.of(Day.of(-43, 3, 15)) == parse_date("-0043-03-15")
        assert FuzzyDate.of(PartialDate(2016)) == parse_date("2016")
        assert FuzzyDate.day(2022, 1, 5) == parse_date("2022-01-05")
        assert FuzzyDate.day(-43, 3, 15) == parse_date("-0043-03-15")

    def test_no_day_beyond_four_digits(self) -> None:
        with pytest.raises(DateError, match="EDTF names no day of year Y12345"):
            PartialDate.from_day(Day.of(12345, 1, 1))


def parsed(parse: Any, text: str) -> tuple[object, ...]:
    """Everything a parse gives, or its error, comparably."""
    try:
        date = parse(text)
    except DateError as exc:
        return ("error", str(exc))
    views = (date.earliest, date.latest) if 1 <= date.first.year <= 9999 else ()
    return (date, repr(date), date.text, date.first, date.last, date.precision, date.lower, date.upper, views)


class TestPlainDates:
    """The shortcut for plain days, months and years parses exactly as the general parser does."""

    @given(date_texts())
    def test_same_as_the_general_parser(self, text: str) -> None:
        from chronos.dates._parse import _parse_cached, _parse_general

        assert parsed(_parse_cached.__wrapped__, text) == parsed(_parse_general, text)

    @pytest.mark.parametrize(
        "text",
        [
            *("2016", "2016-02", "2016-02-29", "2015-02-29", "0000", "2016-00", "2016-13-01", "2016-1"),
            *("٢٠١٦", "2016-٠٢", "2016-05/03", "2016/05-03", "2016-0503", "2016-05-3?", "+016", "2016-+2"),
            *("0000-02-29", "201X", "2016-21", "-2016", "2016-05-03T00:00:00"),
        ],
    )
    def test_examples(self, text: str) -> None:
        from chronos.dates._parse import _parse_cached, _parse_general

        assert parsed(_parse_cached.__wrapped__, text) == parsed(_parse_general, text)

    def test_used_for_plain_dates(self) -> None:
        from chronos.dates._parse import _plain_date

        assert _plain_date("2016-02-29") == FuzzyDate.day(2016, 2, 29)
        assert _plain_date("2016?") is None


GREGORIAN = "http://www.wikidata.org/entity/Q1985727"
JULIAN = "http://www.wikidata.org/entity/Q1985786"


class TestWikidata:
    """Wikidata time values become the EDTF form of their precision; Julian dates become Gregorian days."""

    @pytest.mark.parametrize(
        ("time", "precision", "calendar", "text"),
        [
            ("+1946-05-03T00:00:00Z", 11, GREGORIAN, "1946-05-03"),
            ("+1946-05-00T00:00:00Z", 10, GREGORIAN, "1946-05"),
            ("+1946-00-00T00:00:00Z", 9, GREGORIAN, "1946"),
            ("+1990-00-00T00:00:00Z", 8, GREGORIAN, "199X"),
            ("+1999-00-00T00:00:00Z", 8, GREGORIAN, "199X"),
            # Wikibase names a century ordinally, rounding up: 1901 to 2000 are all "20. century",
            # 1900 is "19. century". EDTF's block 19XX is 1900-1999, not those years: the interval is.
            ("+1950-00-00T00:00:00Z", 7, GREGORIAN, "1901/2000"),
            ("+1901-00-00T00:00:00Z", 7, GREGORIAN, "1901/2000"),
            ("+2000-00-00T00:00:00Z", 7, GREGORIAN, "1901/2000"),
            ("+1900-00-00T00:00:00Z", 7, GREGORIAN, "1801/1900"),
            ("+0050-00-00T00:00:00Z", 7, GREGORIAN, "0001/0100"),
            ("+1500-00-00T00:00:00Z", 6, GREGORIAN, "1001/2000"),
            ("+2000-00-00T00:00:00Z", 6, GREGORIAN, "1001/2000"),
            ("+0005-00-00T00:00:00Z", 8, GREGORIAN, "0001/0009"),  # the "0s": there is no year 0
            # Wikidata counts BCE years traditionally: -0044 is 44 BCE, astronomical -0043.
            ("-0044-00-00T00:00:00Z", 9, GREGORIAN, "-0043"),
            # "1. century BCE" (100-1 BCE) is astronomical -99 to 0: exactly -00XX.
            ("-0044-00-00T00:00:00Z", 7, GREGORIAN, "-00XX"),
            ("-0100-00-00T00:00:00Z", 7, GREGORIAN, "-00XX"),
            ("-0500-00-00T00:00:00Z", 7, GREGORIAN, "-04XX"),  # 5th century BCE: 500-401 BCE
            ("-0044-00-00T00:00:00Z", 6, GREGORIAN, "-0XXX"),
            ("-0055-00-00T00:00:00Z", 8, GREGORIAN, "-0058/-0049"),  # "50s BCE": 59-50 BCE
            ("-0009-00-00T00:00:00Z", 8, GREGORIAN, "-0008/0000"),  # "0s BCE": 9-1 BCE
            ("+12345-00-00T00:00:00Z", 9, GREGORIAN, "Y12345"),
            # Years beyond four digits take no X digit: the same block as an interval.
            ("+12345-00-00T00:00:00Z", 8, GREGORIAN, "Y12340/Y12349"),
            ("+12345-00-00T00:00:00Z", 7, GREGORIAN, "Y12301/Y12400"),
            ("-12345-00-00T00:00:00Z", 7, GREGORIAN, "Y-12399/Y-12300"),
            # The Ides of March, 44 BCE, in the Julian calendar: 13 March in the proleptic Gregorian.
            ("-0044-03-15T00:00:00Z", 11, JULIAN, "-0043-03-13"),
            ("+1582-10-04T00:00:00Z", 11, "Q1985786", "1582-10-14"),
            # The calendars were 10 days apart until the Julian leap day of 1700, and 11 after:
            # March 1700 (Julian) began on 12 March and ended on 11 April (Gregorian).
            ("+1700-03-00T00:00:00Z", 10, JULIAN, "1700-03-12/1700-04-11"),
            ("+1700-00-00T00:00:00Z", 9, JULIAN, "1700-01-11/1701-01-11"),
            ("+1750-00-00T00:00:00Z", 8, JULIAN, "175X"),
        ],
    )
    def test_precisions(self, time: str, precision: int, calendar: str, text: str) -> None:
        assert str(wikidata_date(time, precision, calendar)) == text

    @given(st.integers(1, 9999), st.sampled_from([6, 7, 8]), st.booleans())
    def test_decades_centuries_millennia_are_exactly_the_years_wikibase_names(
        self, number: int, precision: int, bce: bool
    ) -> None:
        """Wikibase names the Nth century for years 100(N-1)+1 to 100N: the date is exactly those years.

        Never more (an answer would call a year of the next century possible) and never fewer (it
        would call the century's last year certainly outside it); the EDTF block (``199X``,
        ``-00XX``) when it is exactly that, else the interval.
        """
        size = {6: 1000, 7: 100, 8: 10}[precision]
        date = wikidata_date(f"{'-' if bce else '+'}{number:04d}-00-00T00:00:00Z", precision)
        if precision == 8:  # a decade by its digits: "1990s", "50s BCE"
            written = (max(number // 10 * 10, 1), number // 10 * 10 + 9)
        else:
            ordinal = -(-number // size)  # the Nth century or millennium, counted as Wikibase counts it
            written = ((ordinal - 1) * size + 1, ordinal * size)
        low, high = (1 - written[1], 1 - written[0]) if bce else written  # astronomical years
        assert (date.first.year, date.last.year) == (low, high)
        assert str(date.first).endswith("-01-01")
        assert str(date.last).endswith("-12-31")
        assert low <= (1 - number if bce else number) <= high
        unit = {6: "millennium", 7: "century", 8: "decade"}[precision]
        assert date.precision == unit if "X" in str(date) else date.precision == "range"

    @pytest.mark.parametrize(
        ("time", "precision", "calendar", "part"),
        [
            ("+0000-00-00T00:00:00Z", 9, GREGORIAN, "year 0"),
            ("1946-00-00", 9, GREGORIAN, "not a Wikidata time"),
            ("+1946-00-00T00:00:00Z", 12, GREGORIAN, "precision 12"),
            ("+1946-00-00T00:00:00Z", 9, "Q12138", "calendar model"),
            ("+1946-00-00T00:00:00Z", 11, GREGORIAN, "month 00"),
        ],
    )
    def test_rejects(self, time: str, precision: int, calendar: str, part: str) -> None:
        with pytest.raises(DateError, match=part):
            wikidata_date(time, precision, calendar)

    def test_the_fixtures_convert(self) -> None:
        folder = shared() / "fixtures" / "wikidata"
        values = [v for path in sorted(folder.glob("*.json")) for v in _times(json.loads(path.read_text()))]
        assert len(values) > 100
        for value in values:
            date = wikidata_date(value["time"], value["precision"], value["calendarmodel"])
            year = int(value["time"][1:5])
            assert date.first.year == year
            assert date.precision == {9: "year", 10: "month", 11: "day"}[value["precision"]]


def shared() -> Path:
    """The shared fixtures: ``$CHRONOS_SHARED``, or ../shared beside the repository (skip, or fail on CI)."""
    root = Path(os.environ.get("CHRONOS_SHARED") or Path(__file__).resolve().parents[2] / "shared")
    if not root.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"the shared fixtures are missing: {root}")
        pytest.skip(f"the shared fixtures are missing: {root} (set CHRONOS_SHARED)")
    return root


def _times(value: Any) -> list[dict[str, Any]]:
    """Every Wikibase time value in a JSON document."""
    if isinstance(value, dict):
        here = [value] if {"time", "precision", "calendarmodel"} <= value.keys() else []
        return here + [t for v in value.values() for t in _times(v)]
    if isinstance(value, list):
        return [t for v in value for t in _times(v)]
    return []


#: Where the `edtf` package (PyPI) answers differently from the specification, and why.
ORACLE_DIFFERS = {
    "2001-21": "edtf reads seasons 21-24 as northern ones; they name no hemisphere",
    "2001-22": "edtf reads seasons 21-24 as northern ones; they name no hemisphere",
    "2001-23": "edtf reads seasons 21-24 as northern ones; they name no hemisphere",
    "2001-24": "edtf reads seasons 21-24 as northern ones, and winter as December alone",
    "2001-28": "edtf takes winter as December alone",
    "2001-30": "edtf takes the southern summer as December alone",
    "1984-1X": "edtf 5.0.2 fails on an X in the month",
    "1XXX-XX": "edtf 5.0.2 fails on X digits in both year and month",
    "XXXX-12-XX": "edtf gives year 0 where datetime has none; compared below by year only",
}


class TestOracle:
    """The `edtf` package, an independent parser, finds the same days where it follows the specification."""

    ROWS: ClassVar = [r for r in TABLE if r[1] not in (MIN, MAX) and r[2] not in (MIN, MAX)]

    @pytest.mark.parametrize(
        ("text", "first", "last", "precision"),
        [
            pytest.param(*r, marks=pytest.mark.skip(reason=ORACLE_DIFFERS[r[0]]))
            if r[0] in ORACLE_DIFFERS
            else r
            for r in ROWS
        ],
        ids=[r[0] for r in ROWS],
    )
    def test_same_days(self, text: str, first: str, last: str, precision: str) -> None:
        edtf = pytest.importorskip("edtf") if not os.environ.get("CI") else __import__("edtf")
        found = edtf.parse_edtf(text)
        low, high = found.lower_strict(), found.upper_strict()
        assert _ymd(low) == parse_date(text).first.ymd
        assert _ymd(high) == parse_date(text).last.ymd

    def test_open_and_unknown_ends(self) -> None:
        # edtf gives an open end as infinity, and guesses an unknown one ten years away.
        edtf = pytest.importorskip("edtf") if not os.environ.get("CI") else __import__("edtf")
        assert edtf.parse_edtf("1985/..").upper_strict() == float("inf")
        assert parse_date("1985/..").last == parse_date("1985/").last == Day.max


def _ymd(value: Any) -> tuple[int, int, int]:
    return (value.tm_year, value.tm_mon, value.tm_mday)


def test_partial_dates_compare_by_their_days() -> None:
    assert sorted([PartialDate(2016, 5), PartialDate(2016), PartialDate(2015, 12, 31)]) == [
        PartialDate(2015, 12, 31),
        PartialDate(2016),
        PartialDate(2016, 5),
    ]
    assert attrs.evolve(PartialDate(2016), marks=("", "", "", "", "", "")).marks == ()


@given(partial_dates(any_years, fits=False))
def test_partial_dates_round_trip(part: PartialDate) -> None:
    assert PartialDate.parse(str(part)) == part
