"""The checks and conversions of event fields: dates, texts, flags, and the limits on their size.

`chronos.events` declares its fields with these; `chronos._fast.decode` calls the
same ones, so a decoded event is checked exactly as a constructed one.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Final

import attrs

from chronos.dates import Day, FuzzyDate, PartialDate, parse_date
from chronos.errors import ChronosError, InvalidEvent, shown

#: The longest text one field may hold, in characters: a quote, a note, a name, an id.
MAX_TEXT: Final = 100_000
#: How deeply `Corrected` events may nest (a correction of a correction of ...).
MAX_NESTING: Final = 8
#: The most entries one `RosterReported` may list.
MAX_ENTRIES: Final = 10_000


def to_date(value: Any) -> Any:
    # Only the types a date may be given as are converted; anything else is left for
    # `is_date` to refuse, naming the field (a converter does not know it).
    kind = type(value)
    if kind is FuzzyDate:
        return value
    if kind is str or kind is _dt.date or kind is PartialDate or kind is Day:
        return FuzzyDate.of(value)
    return value


def is_date(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if type(value) is not FuzzyDate:
        raise InvalidEvent(
            f"{attribute.name}: not a date: {shown(value)} (give an EDTF string such as '2016' or "
            "'2022-01-05', a datetime.date, a Day or a FuzzyDate)"
        )
    # A FuzzyDate built field by field must be one its text reads back as, or the log could not.
    try:
        same = parse_date(value.text) == value
    except ChronosError:
        same = False
    if not same:
        raise InvalidEvent(f"{attribute.name}: {value!r} is not a date its own text {value.text!r} reads as")


def to_optional_date(value: Any) -> Any:
    return None if value is None else to_date(value)


def is_optional_date(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        is_date(instance, attribute, value)


def made(cls: type[Any], fields: dict[str, Any], name: str) -> Any:
    try:
        return cls(**fields)
    except TypeError as exc:
        raise InvalidEvent(f"{name}: {exc}") from None


def is_text(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if type(value) is not str or not value.strip():
        raise InvalidEvent(f"{attribute.name} must be a non-empty string, not {shown(value)}")
    if len(value) > MAX_TEXT:
        raise InvalidEvent(f"{attribute.name}: {len(value):,} characters, more than the {MAX_TEXT:,} allowed")
    if not value.isascii():
        check_encodable(attribute.name, value)


def is_optional_text(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if type(value) is not str:
        raise InvalidEvent(f"{attribute.name} must be a string or None, not {shown(value)}")
    if len(value) > MAX_TEXT:
        raise InvalidEvent(f"{attribute.name}: {len(value):,} characters, more than the {MAX_TEXT:,} allowed")
    if not value.isascii():
        check_encodable(attribute.name, value)


def check_encodable(name: str, value: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidEvent(
            f"{name}: {shown(value)} holds a lone surrogate (U+{ord(value[exc.start]):04X}), "
            "which is not text"
        ) from None


def is_flag(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if type(value) is not bool:
        raise InvalidEvent(f"{attribute.name} must be true or false, not {shown(value)}")
