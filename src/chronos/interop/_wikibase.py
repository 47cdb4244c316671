"""Wikibase JSON values (wikidata.org/wiki/Help:Data_type): item ids, times with precision, labels.

Pure functions over the JSON of an entity; `chronos.interop.wikidata` turns
statements into tenure records with them.

A time value is ``{"time": "+2007-06-24T00:00:00Z", "precision": 11,
"calendarmodel": ".../Q1985727"}``. Precision 11 is a day, 10 a month, 9 a
year; the parts below the precision are zero (``+1946-00-00``). The date is
`chronos.dates.wikidata_date`'s: a decade, century or millennium is the EDTF
block Wikibase names (``+1995``: ``199X``; ``+1950`` and ``+2000``, both the
"20. century": ``19XX``; ``-0044``, the 1st century BCE: ``-00XX``), and the
claim's note keeps the value as Wikidata gives it. BCE years (Wikidata counts
them traditionally) become astronomical ones (``-0044`` is ``-0043``). Dates in
the proleptic Julian calendar (Q1985786) are converted to the proleptic
Gregorian calendar chronos uses, day by day (a Julian month or year becomes
the range of Gregorian days it covers); a note keeps the value as Wikidata
gives it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from chronos.dates import FuzzyDate, wikidata_date
from chronos.errors import DateError

__all__ = [
    "GREGORIAN",
    "JULIAN",
    "SOME_VALUE",
    "UnusableDate",
    "entity_names",
    "item_id",
    "julian_to_gregorian",
    "label",
    "snak_value",
    "time_date",
    "value_text",
]

GREGORIAN: Final = "Q1985727"
JULIAN: Final = "Q1985786"

#: What `snak_value` returns for a "some value" (unknown) snak; a "no value" snak gives None.
SOME_VALUE: Final = object()

_TIME = re.compile(r"^(?P<sign>[+-])(?P<y>\d+)-(?P<m>\d{2})-(?P<d>\d{2})T")
#: Languages whose label names an entity first, before the rest in code order.
_PREFERRED_LANGUAGES: Final = ("en", "mul")


class UnusableDate(ValueError):
    """A Wikibase time chronos cannot represent (before year 1, coarser than a century, malformed)."""


def item_id(value: Any) -> str | None:
    """``Q42`` for an entity-id value, old form (``numeric-id`` only) or new (``id``); None otherwise."""
    if not isinstance(value, Mapping):
        return None
    found = value.get("id")
    if isinstance(found, str) and found:
        return found
    number = value.get("numeric-id")
    if isinstance(number, int) and not isinstance(number, bool):
        prefix = {"item": "Q", "property": "P", "lexeme": "L"}.get(str(value.get("entity-type")), "Q")
        return f"{prefix}{number}"
    return None


def snak_value(snak: Any) -> Any:
    """A snak's value: the datavalue's ``value``, `SOME_VALUE` for an unknown one, None for none."""
    if not isinstance(snak, Mapping):
        return None
    kind = snak.get("snaktype", "value")
    if kind == "somevalue":
        return SOME_VALUE
    if kind != "value":
        return None
    datavalue = snak.get("datavalue")
    return datavalue.get("value") if isinstance(datavalue, Mapping) else None


def _julian_length(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 else 28
    return 30 if month in (4, 6, 9, 11) else 31


def julian_to_gregorian(year: int, month: int, day: int) -> dt.date:
    """The proleptic Gregorian day of a proleptic Julian one (through the Julian day number)."""
    if not 1 <= month <= 12 or not 1 <= day <= _julian_length(year, month):
        raise UnusableDate(f"no such Julian day: {year:04d}-{month:02d}-{day:02d}")
    a = (14 - month) // 12
    y = year + 4800 - a
    m = month + 12 * a - 3
    julian_day = day + (153 * m + 2) // 5 + 365 * y + y // 4 - 32083
    try:
        return dt.date.fromordinal(julian_day - 1721425)
    except (ValueError, OverflowError):
        raise UnusableDate(f"Julian {year:04d}-{month:02d}-{day:02d} is outside years 1-9999") from None


def time_date(value: Any) -> tuple[FuzzyDate, str | None]:
    """The date a Wikibase time value denotes, and a note when it was converted or widened.

    The date is `chronos.dates.wikidata_date`'s. Raises `UnusableDate` naming
    the value when chronos cannot represent it.
    """
    if not isinstance(value, Mapping) or not isinstance(value.get("time"), str):
        raise UnusableDate(f"not a Wikibase time: {value!r}")
    text = value["time"]
    match = _TIME.match(text)
    if match is None:
        raise UnusableDate(f"not a Wikibase time: {text!r}")
    precision = value.get("precision")
    calendar = str(value.get("calendarmodel") or GREGORIAN).rsplit("/", 1)[-1]
    month, day = int(match["m"]), int(match["d"])
    if calendar not in (GREGORIAN, JULIAN):
        raise UnusableDate(f"{text}: unknown calendar model {calendar}")
    if not isinstance(precision, int) or isinstance(precision, bool) or not 6 <= precision <= 11:
        raise UnusableDate(f"{text}: precision {precision!r} (coarser than a millennium, or not a precision)")
    if precision >= 10 and not 1 <= month <= 12:
        raise UnusableDate(f"{text}: precision {precision} but no month")
    if precision == 11 and day == 0:
        raise UnusableDate(f"{text}: precision 11 but no day")
    try:
        date = wikidata_date(text, precision, calendar)
    except DateError as exc:
        raise UnusableDate(f"{text}: {exc}") from None
    julian = calendar == JULIAN
    said = f"Wikidata gives {text} (precision {precision}{', Julian calendar' if julian else ''})"
    unit = {8: "decade", 7: "century", 6: "millennium"}.get(precision)
    if unit is not None:
        return date, f"{said}: the {unit}" + ("" if date.form == "single" else ", as a year range")
    if julian:
        return date, f"{said}: converted to the Gregorian calendar"
    return date, None


def label(entity: Mapping[str, Any]) -> str | None:
    """The entity's label in English (else the multilingual one, else the first language by code)."""
    labels = entity.get("labels")
    if not isinstance(labels, Mapping):
        return None
    for language in (*_PREFERRED_LANGUAGES, *sorted(labels)):
        found = labels.get(language)
        if isinstance(found, Mapping) and isinstance(found.get("value"), str) and found["value"].strip():
            return str(found["value"]).strip()
    return None


def entity_names(entity: Mapping[str, Any]) -> tuple[str | None, tuple[str, ...]]:
    """The entity's name (`label`) and every other label and alias in every language, without repeats."""
    name = label(entity)
    names: list[str] = []
    labels = entity.get("labels")
    if isinstance(labels, Mapping):
        for language in sorted(labels):
            value = labels[language].get("value") if isinstance(labels[language], Mapping) else None
            if isinstance(value, str) and value.strip():
                names.append(value.strip())
    aliases = entity.get("aliases")
    if isinstance(aliases, Mapping):
        for language in sorted(aliases):
            values = aliases[language]
            for alias in values if isinstance(values, Sequence) else ():
                value = alias.get("value") if isinstance(alias, Mapping) else None
                if isinstance(value, str) and value.strip():
                    names.append(value.strip())
    return name, tuple(n for n in dict.fromkeys(names) if n != name)


def value_text(value: Any, labels: Mapping[str, str]) -> str:
    """A qualifier or reference value in words: an item with its label, a time as given, text as is."""
    if value is SOME_VALUE:
        return "some value"
    found = item_id(value)
    if found is not None:
        return f"{found} ({labels[found]})" if found in labels else found
    if isinstance(value, Mapping):
        for key in ("time", "text", "amount"):
            if isinstance(value.get(key), str):
                return str(value[key])
        return ", ".join(f"{k}={v}" for k, v in sorted(value.items()))
    return str(value)
