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

The `edtf` package parses the standard too, but gives `struct_time` bounds,
infinity for an open end and a guess ten years away for an unknown one, and
reads seasons 21-24 as northern; the tests use it as an independent check
wherever it follows the specification.

    _days    `Day` and the calendar arithmetic (any year; Julian conversion)
    _edtf    the grammar: text to parts and back, parts to days
    _model   the types: `PartialDate`, `Span`, `FuzzyDate`, `End`
    _parse   `parse_date` (with a shortcut for plain dates) and `wikidata_date`
"""

from chronos.dates._days import Day
from chronos.dates._model import (
    MAX_DAY,
    MIN_DAY,
    Bound,
    End,
    Form,
    FuzzyDate,
    Member,
    PartialDate,
    Precision,
    Span,
    check_order,
)
from chronos.dates._parse import parse_date, wikidata_date

__all__ = [
    "MAX_DAY",
    "MIN_DAY",
    "Bound",
    "Day",
    "End",
    "Form",
    "FuzzyDate",
    "Member",
    "PartialDate",
    "Precision",
    "Span",
    "check_order",
    "parse_date",
    "wikidata_date",
]
