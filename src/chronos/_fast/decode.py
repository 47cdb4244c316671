"""Decoding the built-in event kinds by functions generated from their attrs fields.

The readable path is `chronos.codec` (cattrs); this one must give equal events and leave
every error to it (tests/test_codec.py holds the two equal on generated events).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Any, Final

import attrs

from chronos._event_fields import MAX_TEXT
from chronos._event_fields import is_flag as _flag_validator
from chronos._event_fields import is_optional_text as _optional_text_validator
from chronos._event_fields import is_text as _text_validator
from chronos.dates import FuzzyDate, parse_date
from chronos.errors import ChronosError
from chronos.events import BUILTIN_EVENT_TYPES, Event, Source
from chronos.events import _non_empty as _sources_validator

__all__ = ["FastDecoder"]

_MISSING: Final[Any] = object()
_DATE, _SOURCES, _TEXT, _OPTIONAL_TEXT, _FLAG = range(5)
#: How many distinct dates, citations and tuples of citations the fast path keeps to share among events.
_SHARED: Final = 1 << 16

#: Per field of an event class: its name, its kind, its default (or _MISSING), and
#: whether its validator requires non-blank text.
_Plan = tuple[tuple[str, int, Any, bool], ...]
_Build = Callable[[dict[str, Any]], Event | None]


class FastDecoder:
    """Decodes the common, well-formed shape of the built-in kinds without going through cattrs.

    Opening a log decodes every event, and cattrs's generic machinery (dispatch,
    structuring each field, then the attrs ``__init__`` converting and
    validating every field again) cost most of it. This path builds each event
    with a function generated for its class from its attrs fields, doing the
    same conversions and validators' checks inline. Anything it does not
    recognise exactly (a missing or extra field, a value of another type, a
    validator that would fail, a bad date, a kind with a field it has no plan
    for) makes it return None, and the cattrs path decodes the event instead,
    raising the error it always has. So both paths give equal events
    (tests/test_codec.py checks it on generated events) and errors are unchanged.

    Equal dates, citations and tuples of citations are shared among events:
    they are immutable, and a log repeats them.
    """

    def __init__(self, registry: Mapping[str, type[Event]]):
        self.registry = registry
        self.builders: dict[str, tuple[type[Event] | None, _Build | None]] = {}
        self.dates: dict[str, FuzzyDate] = {}
        self.sources: dict[tuple[str, str, str | None], Source] = {}
        self.citations: dict[tuple[Source, ...], tuple[Source, ...]] = {}

    def decode(self, data: dict[str, Any]) -> Event | None:
        """The event ``data`` describes, or None when only the full (cattrs) path can tell."""
        tag = data.get("type")
        if type(tag) is not str:
            return None
        cls = self.registry.get(tag)
        found = self.builders.get(tag)
        if found is None or found[0] is not cls:
            plan = _plan(cls)
            build = None if cls is None or plan is None else self._compile(cls, plan)
            found = self.builders[tag] = (cls, build)
        build = found[1]
        if build is None:
            return None
        try:
            return build(data)
        except ChronosError:
            return None  # a bad date: the full path names it

    def date(self, text: str) -> FuzzyDate:
        """The parsed date, shared with every other event that has it."""
        date = parse_date(text)
        if len(self.dates) >= _SHARED:
            self.dates.clear()
        self.dates[text] = date
        return date

    def citations_of(self, value: Any) -> tuple[Source, ...] | None:
        """A non-empty list of citation dicts as a tuple of `Source`, or None when not exactly that."""
        if type(value) is not list or not value:
            return None
        found: list[Source] = []
        for item in value:
            if type(item) is not dict:
                return None
            source, quote, locator = item.get("source"), item.get("quote"), item.get("locator", _MISSING)
            if locator is _MISSING:
                locator = None
                if len(item) != 2:
                    return None
            elif type(locator) is not str or len(item) != 3:
                return None
            if type(source) is not str or type(quote) is not str:
                return None
            if (
                len(source) > MAX_TEXT
                or len(quote) > MAX_TEXT
                or (locator is not None and len(locator) > MAX_TEXT)
            ):
                return None
            key = (source, quote, locator)
            citation = self.sources.get(key)
            if citation is None:
                if not source.strip() or not quote.strip():
                    return None
                if len(self.sources) >= _SHARED:
                    self.sources.clear()
                citation = self.sources[key] = Source(
                    source=_intern(source),
                    quote=_intern(quote),
                    locator=None if locator is None else _intern(locator),
                )
            found.append(citation)
        citations = tuple(found)
        shared = self.citations.get(citations)
        if shared is None:
            if len(self.citations) >= _SHARED:
                self.citations.clear()
            shared = self.citations[citations] = citations
        return shared

    def _compile(self, cls: type[Event], plan: _Plan) -> _Build:
        """Python source for building ``cls`` from a dict, specialised to its fields, compiled."""
        lines = [f"def build_{cls.__name__}(data):"]
        required = 1 + sum(default is _MISSING for _, _, default, _ in plan)
        lines.append(f"    n = {required}")
        names = {"MISSING": _MISSING, "cls": cls, "new": _new, "set": _set, "intern": _intern}
        names |= {"dates": self.dates, "date": self.date, "citations": self.citations_of}
        for number, (name, kind, default, checked) in enumerate(plan):
            value = f"f{number}"
            lines.append(f"    {value} = data.get({name!r}, MISSING)")
            indent = "    "
            if default is not _MISSING:
                names[f"D{number}"] = default
                lines += [
                    f"    if {value} is MISSING:",
                    f"        {value} = D{number}",
                    "    else:",
                    "        n += 1",
                ]
                indent = "        "
            if kind is _TEXT or kind is _OPTIONAL_TEXT:
                blank = f" or not {value}.strip()" if checked else ""
                lines += [
                    f"{indent}if type({value}) is not str{blank} or len({value}) > {MAX_TEXT}:",
                    f"{indent}    return None",
                    f"{indent}{value} = intern({value})",
                ]
            elif kind is _DATE:
                lines += [
                    f"{indent}if type({value}) is not str:",
                    f"{indent}    return None",
                    f"{indent}{value} = dates.get({value}) or date({value})",
                ]
            elif kind is _SOURCES:
                lines += [
                    f"{indent}{value} = citations({value})",
                    f"{indent}if {value} is None:",
                    f"{indent}    return None",
                ]
            else:  # _FLAG
                lines += [f"{indent}if type({value}) is not bool:", f"{indent}    return None"]
        lines += ["    if len(data) != n:", "        return None", "    event = new(cls)"]
        lines += [f"    set(event, {name!r}, f{number})" for number, (name, _, _, _) in enumerate(plan)]
        lines.append("    return event")
        exec("\n".join(lines), names)  # the source is made above from attrs field names only
        build: _Build = names[f"build_{cls.__name__}"]
        return build


_intern = sys.intern
_new = object.__new__
_set = object.__setattr__


def _plan(cls: type[Event] | None) -> _Plan | None:
    """How the fast path builds ``cls``, or None when it must be left to cattrs.

    Only the built-in kinds qualify (a user's kind may do anything in its
    ``__init__``), and only when every field is one the fast path knows, with
    exactly the converter and validator whose checks it makes inline.
    """
    if cls is None or cls not in BUILTIN_EVENT_TYPES or hasattr(cls, "__attrs_post_init__"):
        return None
    date_converter = attrs.fields(Event).occurred.converter
    date_validator = attrs.fields(Event).occurred.validator
    sources_converter = attrs.fields(Event).sources.converter
    fields: list[tuple[str, int, Any, bool]] = []
    for field in attrs.fields(cls):
        shape = (field.type, field.converter, field.validator)
        if shape == (FuzzyDate, date_converter, date_validator):
            kind, checked = _DATE, False
        elif shape == (tuple[Source, ...], sources_converter, _sources_validator):
            kind, checked = _SOURCES, False
        elif field.type is str and field.converter is None and field.validator in (None, _text_validator):
            kind, checked = _TEXT, field.validator is _text_validator
        elif shape == (str | None, None, _optional_text_validator) and field.default is None:
            kind, checked = _OPTIONAL_TEXT, False
        elif shape == (bool, None, _flag_validator) and type(field.default) is bool:
            kind, checked = _FLAG, False
        else:
            return None
        if not field.init or field.alias != field.name or not field.name.isidentifier():
            return None
        default = _MISSING if field.default is attrs.NOTHING else field.default
        fields.append((field.name, kind, default, checked))
    return tuple(fields)
