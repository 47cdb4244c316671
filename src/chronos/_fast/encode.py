"""Encoding the built-in event kinds by functions generated from their attrs fields.

The readable path is `chronos.codec` (cattrs, then `chronos.stores.records.event_json`'s
check of every value); this one must give the very dict cattrs gives, keys in the same
order, and give up on anything else (tests/test_encode.py holds the two equal on generated
events of every kind).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import attrs

from chronos.dates import FuzzyDate
from chronos.events import BUILTIN_EVENT_TYPES, Event, RosterEntry, Source

__all__ = ["FastEncoder"]

_MISSING: Final[Any] = object()
_DATE, _OPTIONAL_DATE, _SOURCES, _ENTRIES, _TEXT, _OPTIONAL_TEXT, _FLAG = range(7)
#: Per field of an event class: its name, its kind, its default (or _MISSING).
_Plan = tuple[tuple[str, int, Any], ...]
_Encode = Callable[[Event], "dict[str, Any] | None"]


class FastEncoder:
    """The codec form of the common built-in events, as plain JSON values only, without cattrs.

    Appending encodes every event, and cattrs' generic dispatch, then a walk
    over the result proving that orjson writes it exactly as the standard
    library would (only exact str, bool, list and str-keyed dict), cost
    several microseconds an event. This path encodes each event with a
    function generated for its class from its attrs fields, which makes the
    dict cattrs makes (`chronos.codec.make_converter`: a ``"type"`` tag first,
    then the fields without a default in field order, then those with one that
    differ from it, dates as their text, citations and roster entries as
    dicts) and checks, value by value as it goes, that each is of exactly the
    type expected. Anything else (a user's kind, a `Corrected` and its nested
    event, a value of another type) makes it return None, and the caller takes
    the cattrs path, which encodes or fails exactly as it always has.

    It is only right for a converter with no unstructuring hooks but the
    ones `make_converter` registers: `chronos.codec.Codec` asks it only then.
    """

    def __init__(self) -> None:
        self.encoders: dict[type, _Encode | None] = {}

    def encode(self, event: Event) -> dict[str, Any] | None:
        """The dict cattrs makes of ``event``, of plain JSON values only; None when only cattrs can tell."""
        cls = type(event)
        try:
            encode = self.encoders[cls]
        except KeyError:
            plan = _plan(cls)
            encode = self.encoders[cls] = None if plan is None else _compile(cls, plan)
        return None if encode is None else encode(event)


def _compile(cls: type[Event], plan: _Plan) -> _Encode:
    """Python source encoding ``cls`` as cattrs does, specialised to its fields, compiled."""
    names: dict[str, Any] = {"FuzzyDate": FuzzyDate, "sources": _sources, "entries": _entries}
    lines = [f"def encode_{cls.__name__}(event):"]
    required = [(number, name) for number, (name, _, default) in enumerate(plan) if default is _MISSING]
    optional = [(number, name) for number, (name, _, default) in enumerate(plan) if default is not _MISSING]
    for number, (name, kind, _) in enumerate(plan):
        value = f"f{number}"
        lines.append(f"    {value} = event.{name}")
        if kind is _DATE:
            lines += _date(value, "    ")
        elif kind is _OPTIONAL_DATE:
            lines += [f"    if {value} is not None:", *_date(value, "        ")]
        elif kind is _SOURCES or kind is _ENTRIES:
            helper = "sources" if kind is _SOURCES else "entries"
            lines += [f"    {value} = {helper}({value})", f"    if {value} is None:", "        return None"]
        elif kind is _TEXT:
            lines += [f"    if type({value}) is not str:", "        return None"]
        elif kind is _OPTIONAL_TEXT:
            lines += [f"    if {value} is not None and type({value}) is not str:", "        return None"]
        else:  # _FLAG
            lines += [f"    if type({value}) is not bool:", "        return None"]
    pairs = [f"'type': {cls.__name__!r}"] + [f"{name!r}: f{number}" for number, name in required]
    lines.append("    out = {" + ", ".join(pairs) + "}")
    for number, name in optional:
        # cattrs leaves a field out when it equals its default (``!=``); for exactly these
        # types and the defaults _plan allows (None, or a bool), ``is not`` says the same.
        names[f"D{number}"] = plan[number][2]
        lines += [f"    if f{number} is not D{number}:", f"        out[{name!r}] = f{number}"]
    lines.append("    return out")
    exec("\n".join(lines), names)  # the source is made above from attrs field names only
    encode: _Encode = names[f"encode_{cls.__name__}"]
    return encode


def _date(value: str, indent: str) -> list[str]:
    # cattrs' hook for dates is `str`; a FuzzyDate's text is an exact str, checked all the same.
    return [
        f"{indent}if type({value}) is not FuzzyDate:",
        f"{indent}    return None",
        f"{indent}{value} = str({value})",
        f"{indent}if type({value}) is not str:",
        f"{indent}    return None",
    ]


def _sources(value: Any) -> list[dict[str, Any]] | None:
    """A tuple of `Source` as cattrs lists it, or None when not exactly that."""
    if type(value) is not tuple:
        return None
    out: list[dict[str, Any]] = []
    for item in value:
        if type(item) is not Source:
            return None
        source, quote, locator = item.source, item.quote, item.locator
        if type(source) is not str or type(quote) is not str:
            return None
        if locator is None:
            out.append({"source": source, "quote": quote})
        elif type(locator) is str:
            out.append({"source": source, "quote": quote, "locator": locator})
        else:
            return None
    return out


def _entries(value: Any) -> list[dict[str, Any]] | None:
    """A tuple of `RosterEntry` as cattrs lists it, or None when not exactly that."""
    if type(value) is not tuple:
        return None
    out: list[dict[str, Any]] = []
    for item in value:
        if type(item) is not RosterEntry:
            return None
        post, person, name = item.post, item.person, item.name
        if type(post) is not str:
            return None
        entry = {"post": post}
        if person is not None:
            if type(person) is not str:
                return None
            entry["person"] = person
        if name is not None:
            if type(name) is not str:
                return None
            entry["name"] = name
        out.append(entry)
    return out


#: The field shapes the generated encoders know, by declared type: (kind, the defaults allowed).
_KINDS: Final[dict[Any, tuple[int, tuple[Any, ...]]]] = {
    FuzzyDate: (_DATE, (_MISSING,)),
    FuzzyDate | None: (_OPTIONAL_DATE, (None,)),
    tuple[Source, ...]: (_SOURCES, (_MISSING,)),
    tuple[RosterEntry, ...]: (_ENTRIES, (_MISSING,)),
    str: (_TEXT, (_MISSING,)),
    str | None: (_OPTIONAL_TEXT, (None,)),
    bool: (_FLAG, (False, True)),
}


def _plan(cls: type[Event]) -> _Plan | None:
    """How the fast path encodes ``cls``, or None when it must be left to cattrs.

    Only the built-in kinds qualify (a user's kind may unstructure as it
    likes), and only when every field has a declared type whose cattrs form
    the generated function repeats, with a default it knows how to compare.
    """
    if cls not in BUILTIN_EVENT_TYPES:
        return None
    fields: list[tuple[str, int, Any]] = []
    for field in attrs.fields(cls):
        found = _KINDS.get(field.type)
        default = _MISSING if field.default is attrs.NOTHING else field.default
        if found is None or not field.name.isidentifier():
            return None
        kind, allowed = found
        if not any(default is ok for ok in allowed):
            return None
        fields.append((field.name, kind, default))
    return tuple(fields)
