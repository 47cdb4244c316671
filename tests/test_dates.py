import datetime as dt

import pytest
from hypothesis import given

from chronos import DateError, FuzzyDate, PartialDate, parse_date
from tests.strategies import date_texts, fuzzy_dates


class TestParse:
    """The EDTF subset parses to the right days and prints back unchanged."""

    @pytest.mark.parametrize(
        ("text", "earliest", "latest", "precision"),
        [
            ("2016", "2016-01-01", "2016-12-31", "year"),
            ("2016-02", "2016-02-01", "2016-02-29", "month"),
            ("2022-01-05", "2022-01-05", "2022-01-05", "day"),
            ("2016?", "2016-01-01", "2016-12-31", "year"),
            ("1992/1993", "1992-01-01", "1993-12-31", "range"),
            ("2022-01-05/2022-01-06", "2022-01-05", "2022-01-06", "range"),
            ("[2022-01-05,2022-01-06]", "2022-01-05", "2022-01-06", "range"),
            ("../2022-01-05", "0001-01-01", "2022-01-05", "range"),
            ("/2022-01-05", "0001-01-01", "2022-01-05", "range"),
            ("2022-01-05/..", "2022-01-05", "9999-12-31", "range"),
            ("2022-01-05/", "2022-01-05", "9999-12-31", "range"),
        ],
    )
    def test_examples(self, text: str, earliest: str, latest: str, precision: str) -> None:
        date = parse_date(text)
        assert date.earliest == dt.date.fromisoformat(earliest)
        assert date.latest == dt.date.fromisoformat(latest)
        assert date.precision == precision
        assert str(date) == text

    def test_a_year_stays_a_year(self) -> None:
        date = parse_date("2016")
        assert str(date) == "2016"
        assert not date.is_exact
        assert date != parse_date("2016-01-01")

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "16",
            "2016-13",
            "2016-02-30",
            "2016-1-5",
            "2016/2015",
            "../..",
            "[2016]",
            "2016-01-05T10:00",
            "abc",
            "1/2/3",
        ],
    )
    def test_rejects_with_the_value_named(self, text: str) -> None:
        with pytest.raises(
            DateError, match=repr(text).replace("[", r"\[").replace("]", r"\]").replace(".", r"\.")
        ):
            parse_date(text)

    def test_not_a_string(self) -> None:
        with pytest.raises(DateError):
            parse_date(2016)  # type: ignore[arg-type]


class TestProperties:
    """Round trip and ordering of every generated form."""

    @given(fuzzy_dates())
    def test_round_trip(self, date: FuzzyDate) -> None:
        assert parse_date(str(date)) == date

    @given(fuzzy_dates())
    def test_earliest_not_after_latest(self, date: FuzzyDate) -> None:
        assert date.earliest <= date.latest

    @given(fuzzy_dates(), fuzzy_dates())
    def test_overlap_is_symmetric(self, a: FuzzyDate, b: FuzzyDate) -> None:
        assert a.overlaps(b) == b.overlaps(a)


class TestCoercion:
    """Dates given as `datetime.date`, `PartialDate` or strings become `FuzzyDate`."""

    def test_of(self) -> None:
        assert FuzzyDate.of(dt.date(2022, 1, 5)) == parse_date("2022-01-05")
        assert FuzzyDate.of(PartialDate(2016)) == parse_date("2016")
        assert FuzzyDate.day(2022, 1, 5) == parse_date("2022-01-05")


def parsed(parse: object, text: str) -> tuple[object, ...]:
    """Everything a parse gives, or its error, comparably."""
    try:
        date = parse(text)  # type: ignore[operator]
    except DateError as exc:
        return ("error", str(exc))
    return (date, repr(date), date.text, date.earliest, date.latest, date.precision, date.lower, date.upper)


class TestPlainDates:
    """The shortcut for plain days, months and years parses exactly as the general parser does."""

    @given(date_texts())
    def test_same_as_the_general_parser(self, text: str) -> None:
        from chronos.dates import _parse_cached, _parse_general

        assert parsed(_parse_cached.__wrapped__, text) == parsed(_parse_general, text)

    @pytest.mark.parametrize(
        "text",
        [
            *("2016", "2016-02", "2016-02-29", "2015-02-29", "0000", "2016-00", "2016-13-01", "2016-1"),
            *("٢٠١٦", "2016-٠٢", "2016-05/03", "2016/05-03", "2016-0503", "2016-05-3?", "+016", "2016-+2"),
        ],
    )
    def test_examples(self, text: str) -> None:
        from chronos.dates import _parse_cached, _parse_general

        assert parsed(_parse_cached.__wrapped__, text) == parsed(_parse_general, text)

    def test_used_for_plain_dates(self) -> None:
        from chronos.dates import _plain_date

        assert _plain_date("2016-02-29") == FuzzyDate.day(2016, 2, 29)
        assert _plain_date("2016?") is None
