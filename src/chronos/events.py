"""The event classes: immutable claims about what happened, when, and who says so.

Every event is a claim with two clocks and its sources:

- ``occurred``: when it happened (valid time), a `FuzzyDate` ("2016" stays a year);
- ``known``: when it became public or was recorded (knowledge time);
- ``sources``: one or more `Source` citations, each with a short exact quote;
- ``note``: optional free text.

Events are never edited or deleted. A claim that turns out wrong is withdrawn
by a later `Retracted`, or replaced by a later `Corrected`; the original stays
readable in the log. Two sources that disagree are two events.

An event's ``id`` is derived from its content, so recording the same claim
twice yields the same id and the log can ignore the repeat.

This module imports only `chronos.dates` (a value type) and does no I/O.
"""

from __future__ import annotations

import hashlib
import json
from functools import cached_property
from typing import Any, ClassVar

import attrs

from chronos._event_fields import (
    MAX_ENTRIES,
    MAX_NESTING,
    is_date,
    is_flag,
    is_optional_date,
    is_optional_text,
    is_text,
    made,
    to_date,
    to_optional_date,
)
from chronos.dates import FuzzyDate
from chronos.errors import InvalidEvent, UsageError, shown

__all__ = [
    "BUILTIN_EVENT_TYPES",
    "EVENT_TYPES",
    "Appointed",
    "Arrested",
    "Born",
    "Charged",
    "Corrected",
    "DeclaredComplete",
    "Died",
    "Dismissed",
    "Dissolved",
    "Event",
    "Founded",
    "Identified",
    "Left",
    "Moved",
    "Released",
    "Renamed",
    "Resigned",
    "Retracted",
    "RosterEntry",
    "RosterReported",
    "Source",
    "TenureEnded",
    "canonical",
    "content_id",
    "register_event",
]


def _entries(value: Any) -> Any:
    if type(value) is not list and type(value) is not tuple:
        return value  # `_is_entries` names it
    return tuple(made(RosterEntry, e, "entries") if type(e) is dict else e for e in value)


def _sources(value: Any) -> Any:
    if type(value) is not list and type(value) is not tuple:
        return value  # `_non_empty` names it
    return tuple(made(Source, s, "sources") if type(s) is dict else s for s in value)


def _non_empty(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if type(value) is not tuple:
        raise InvalidEvent(f"{attribute.name} must be a list of Source, not {shown(value)}")
    if not value:
        raise InvalidEvent(f"{attribute.name} must not be empty")
    for item in value:
        if type(item) is not Source:
            raise InvalidEvent(f"{attribute.name}: not a Source: {shown(item)}")


def _is_entries(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if type(value) is not tuple:
        raise InvalidEvent(f"{attribute.name} must be a list of RosterEntry, not {shown(value)}")
    if len(value) > MAX_ENTRIES:
        raise InvalidEvent(f"{attribute.name}: {len(value):,} entries, more than the {MAX_ENTRIES:,} allowed")
    for item in value:
        if type(item) is not RosterEntry:
            raise InvalidEvent(f"{attribute.name}: not a RosterEntry: {shown(item)}")


def _replacement(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, Event):
        raise InvalidEvent(f"{attribute.name} must be an Event, not {shown(value)}")
    depth = 1
    while isinstance(value, Corrected):
        depth += 1
        value = value.replacement
        if depth > MAX_NESTING:
            raise InvalidEvent(f"{attribute.name}: corrections nested more than {MAX_NESTING} deep")


@attrs.frozen(kw_only=True)
class Source:
    """A citation: which source, the exact words it uses, and where (optional)."""

    source: str = attrs.field(validator=is_text)
    quote: str = attrs.field(validator=is_text)
    locator: str | None = attrs.field(default=None, validator=is_optional_text)

    def __str__(self) -> str:
        where = f", {self.locator}" if self.locator else ""
        return f'{self.source}{where}: "{self.quote}"'


@attrs.frozen(kw_only=True)
class Event:
    """Base of every event. Subclass it (frozen attrs, past-tense name) to add a kind.

    A new kind must be registered with `register_event` so the codec knows its tag.
    """

    occurred: FuzzyDate = attrs.field(converter=to_date, validator=is_date)
    known: FuzzyDate = attrs.field(converter=to_date, validator=is_date)
    sources: tuple[Source, ...] = attrs.field(converter=_sources, validator=_non_empty)
    note: str | None = attrs.field(default=None, validator=is_optional_text)

    #: The entity-reference fields of this kind, and the kind of entity each names.
    references: ClassVar[dict[str, str]] = {}

    @cached_property
    def id(self) -> str:
        """A stable id derived from the event's content (type and every field)."""
        return content_id(
            json.dumps(canonical(self), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        )

    @property
    def type(self) -> str:
        """The type tag of this event (its class name)."""
        return type(self).__name__

    def about(self) -> tuple[str, ...]:
        """The ids of the entities this event is about, in field order."""
        ids: list[str] = []
        for name in self.references:
            value = getattr(self, name)
            if value is not None:
                ids.append(value)
        return tuple(ids)


#: Each attrs class's fields and defaults, looked up once (ids are computed for every event).
_PLANS: dict[type, tuple[tuple[str, Any], ...]] = {}


def content_id(canonical_text: str | bytes) -> str:
    """The id of an event whose canonical JSON is ``canonical_text`` (text, or UTF-8 bytes)."""
    data = canonical_text.encode() if isinstance(canonical_text, str) else canonical_text
    return hashlib.sha256(data).hexdigest()[:24]


def canonical(value: Any) -> Any:
    """A JSON-able form of an event used only to derive ids.

    Fields equal to their default are left out, so adding an optional field to
    a kind later does not change the ids of events already recorded.
    """
    kind = type(value)
    if kind is str or value is None:
        return value
    if kind is FuzzyDate:
        return value.text
    plan = _PLANS.get(kind)
    if plan is None and isinstance(value, Event | Source | RosterEntry):
        plan = _PLANS[kind] = tuple((f.name, f.default) for f in attrs.fields(kind))
    if plan is not None:
        out: dict[str, Any] = {"type": kind.__name__} if isinstance(value, Event) else {}
        for name, default in plan:
            item = getattr(value, name)
            if default is not attrs.NOTHING and item == default:
                continue
            out[name] = canonical(item)
        return out
    if kind is tuple or kind is list:
        return [canonical(v) for v in value]
    return value


# Tenures ---------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Appointed(Event):
    """A person took up a post."""

    person: str = attrs.field(validator=is_text)
    post: str = attrs.field(validator=is_text)
    references: ClassVar[dict[str, str]] = {"person": "person", "post": "post"}


@attrs.frozen(kw_only=True)
class TenureEnded(Event):
    """Base of the events that end one person's tenure of one post."""

    person: str = attrs.field(validator=is_text)
    post: str = attrs.field(validator=is_text)
    references: ClassVar[dict[str, str]] = {"person": "person", "post": "post"}


@attrs.frozen(kw_only=True)
class Dismissed(TenureEnded):
    """A person was removed from a post."""


@attrs.frozen(kw_only=True)
class Resigned(TenureEnded):
    """A person resigned a post."""


@attrs.frozen(kw_only=True)
class Left(TenureEnded):
    """A person's tenure of a post ended and the sources do not say how."""


@attrs.frozen(kw_only=True)
class Moved(Event):
    """A person left one post for another in one act."""

    person: str = attrs.field(validator=is_text)
    from_post: str = attrs.field(validator=is_text)
    to_post: str = attrs.field(validator=is_text)
    references: ClassVar[dict[str, str]] = {
        "person": "person",
        "from_post": "post",
        "to_post": "post",
    }


# Birth, custody and death -------------------------------------------------------


@attrs.frozen(kw_only=True)
class Born(Event):
    """A person was born (a claim like any other: sources disagree on birth dates too)."""

    person: str = attrs.field(validator=is_text)
    references: ClassVar[dict[str, str]] = {"person": "person"}


@attrs.frozen(kw_only=True)
class Arrested(Event):
    """A person was detained. ``vacates`` when the arrest itself removed them from office."""

    person: str = attrs.field(validator=is_text)
    vacates: bool = attrs.field(default=False, validator=is_flag)
    references: ClassVar[dict[str, str]] = {"person": "person"}


@attrs.frozen(kw_only=True)
class Released(Event):
    """A person was released from custody."""

    person: str = attrs.field(validator=is_text)
    references: ClassVar[dict[str, str]] = {"person": "person"}


@attrs.frozen(kw_only=True)
class Charged(Event):
    """A person was charged with an offence."""

    person: str = attrs.field(validator=is_text)
    charge: str = attrs.field(validator=is_text)
    references: ClassVar[dict[str, str]] = {"person": "person"}


@attrs.frozen(kw_only=True)
class Died(Event):
    """A person died; every post they held ends."""

    person: str = attrs.field(validator=is_text)
    references: ClassVar[dict[str, str]] = {"person": "person"}


# Organisations and names ---------------------------------------------------------


@attrs.frozen(kw_only=True)
class Founded(Event):
    """An organisation or unit was founded."""

    org: str = attrs.field(validator=is_text)
    references: ClassVar[dict[str, str]] = {"org": "organisation"}


@attrs.frozen(kw_only=True)
class Dissolved(Event):
    """An organisation or unit ceased to exist; every tenure of its posts ends."""

    org: str = attrs.field(validator=is_text)
    references: ClassVar[dict[str, str]] = {"org": "organisation"}


@attrs.frozen(kw_only=True)
class Renamed(Event):
    """An organisation, post or place took a new name (``former`` is the old one, if stated)."""

    entity: str = attrs.field(validator=is_text)
    name: str = attrs.field(validator=is_text)
    former: str | None = attrs.field(default=None, validator=is_optional_text)
    references: ClassVar[dict[str, str]] = {"entity": "any"}


# Claims about claims ---------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Retracted(Event):
    """An earlier event (``target`` id) is withdrawn from the moment this is known."""

    target: str = attrs.field(validator=is_text)
    reason: str | None = attrs.field(default=None, validator=is_optional_text)


@attrs.frozen(kw_only=True)
class Corrected(Event):
    """An earlier event (``target`` id) is replaced by ``replacement`` from the moment this is known."""

    target: str = attrs.field(validator=is_text)
    replacement: Event = attrs.field(validator=_replacement)

    def about(self) -> tuple[str, ...]:
        """The entities the replacement is about."""
        return self.replacement.about()


@attrs.frozen(kw_only=True)
class RosterEntry:
    """One seat in a source's own list: the post, and who the source names (None: vacant)."""

    post: str = attrs.field(validator=is_text)
    person: str | None = attrs.field(default=None, validator=is_optional_text)
    name: str | None = attrs.field(default=None, validator=is_optional_text)


@attrs.frozen(kw_only=True)
class RosterReported(Event):
    """A source's own snapshot of an organisation's leadership on ``occurred``.

    It is a claim to compare with the projection, not an input to it: chronos
    reports where the source's list and the events disagree.
    """

    org: str = attrs.field(validator=is_text)
    entries: tuple[RosterEntry, ...] = attrs.field(converter=_entries, validator=_is_entries)
    references: ClassVar[dict[str, str]] = {"org": "organisation"}

    def about(self) -> tuple[str, ...]:
        """The organisation, then every post and person the list names."""
        ids = [self.org]
        for entry in self.entries:
            ids.append(entry.post)
            if entry.person is not None:
                ids.append(entry.person)
        return tuple(ids)


# What the record covers ----------------------------------------------------------------


def _one_subject(
    instance: DeclaredComplete, _attribute: attrs.Attribute[str | None], _value: str | None
) -> None:
    if (instance.org is None) == (instance.post is None):
        raise InvalidEvent("DeclaredComplete names exactly one of org and post")


@attrs.frozen(kw_only=True)
class DeclaredComplete(Event):
    """The record holds every holder of an organisation (with its units) or of a post, over a period.

    From ``occurred`` to ``until`` (inclusive; None: with no end), a seat that
    no recorded holder fills was vacant. Without such a declaration (or a
    source saying so), an empty seat is unknown, never vacant: chronos does not
    assume that what it was not told did not happen. To record "the post was
    vacant from D", declare the post complete from D.
    """

    org: str | None = attrs.field(default=None, validator=[is_optional_text, _one_subject])
    post: str | None = attrs.field(default=None, validator=is_optional_text)
    until: FuzzyDate | None = attrs.field(
        default=None, converter=to_optional_date, validator=is_optional_date
    )
    references: ClassVar[dict[str, str]] = {"org": "organisation", "post": "post"}

    @property
    def subject(self) -> str:
        """The organisation or post declared complete."""
        subject = self.org if self.org is not None else self.post
        assert subject is not None  # the validator makes it so
        return subject


@attrs.frozen(kw_only=True)
class Identified(Event):
    """A holder a source left unnamed (``placeholder``, an ``unnamed/...`` person) is ``person``.

    From the moment this is known, every claim about the placeholder is read as
    a claim about the person; the claims themselves stay as their sources made
    them, and this event's own sources say who identified the holder.
    """

    placeholder: str = attrs.field(validator=is_text)
    person: str = attrs.field(validator=is_text)
    references: ClassVar[dict[str, str]] = {"placeholder": "person", "person": "person"}


EVENT_TYPES: dict[str, type[Event]] = {
    cls.__name__: cls
    for cls in (
        Appointed,
        Dismissed,
        Resigned,
        Left,
        Moved,
        Arrested,
        Released,
        Charged,
        Born,
        Died,
        Founded,
        Dissolved,
        Renamed,
        Retracted,
        Corrected,
        RosterReported,
        DeclaredComplete,
        Identified,
    )
}


# The annotations are strings (PEP 563); the codec needs the real types.
for _cls in (Source, RosterEntry, Event, *EVENT_TYPES.values()):
    attrs.resolve_types(_cls)


#: The kinds chronos defines, whose codec form is exactly their canonical content.
BUILTIN_EVENT_TYPES: frozenset[type[Event]] = frozenset(EVENT_TYPES.values())


def _is_attrs_event(cls: object) -> bool:
    return isinstance(cls, type) and issubclass(cls, Event) and attrs.has(cls)


def register_event(cls: type[Event]) -> type[Event]:
    """Make a user-defined event kind known to the codec (usable as a decorator)."""
    if not _is_attrs_event(cls):
        raise TypeError(f"{cls!r} is not an attrs subclass of Event")
    attrs.resolve_types(cls)
    existing = EVENT_TYPES.get(cls.__name__)
    if existing is not None and existing is not cls:
        raise UsageError(f"an event type named {cls.__name__!r} is already registered")
    EVENT_TYPES[cls.__name__] = cls
    return cls
