"""The kinds of entity: persons, organisations, posts and places, their fields and checks.

`chronos.entities.catalogue.Catalogue` holds them; `chronos.entities` exports both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import attrs

from chronos._fast.nearest import close_matches
from chronos.errors import CatalogueError, did_you_mean, shown
from chronos.sources import Publication

Kind = Literal["person", "organisation", "post", "place"]

#: Ids of placeholder persons: the holder of a record that names nobody (imports make one per record).
UNNAMED_PREFIX = "unnamed/"

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*)*$")


#: The longest id, and the longest name, alias or note, an entity may have (in characters).
MAX_ID = 200
MAX_NAME = 2_000
#: Control characters (C0, DEL, C1): refused in names and aliases; a note may hold tabs and newlines.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_IN_NOTE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _slug(_instance: object, _attribute: object, value: str) -> None:
    # fullmatch: `$` would let a trailing newline through, a look-alike twin of the id.
    if type(value) is not str or len(value) > MAX_ID or not _SLUG.fullmatch(value):
        raise CatalogueError(
            f"bad id {shown(value)}: use lowercase ASCII words joined by '-', units separated by '/' "
            f"(at most {MAX_ID} characters)"
        )


def _clean_text(what: str, value: object, control: re.Pattern[str], *, blank: bool = False) -> None:
    """Refuse what a catalogue cannot hold as a name: non-text, blanks, control characters, surrogates."""
    if type(value) is not str or (not blank and not value.strip()):
        raise CatalogueError(f"{what} must be a non-empty string, not {shown(value)}")
    if len(value) > MAX_NAME:
        raise CatalogueError(f"{what}: {len(value):,} characters, more than the {MAX_NAME:,} allowed")
    found = control.search(value)
    if found is not None:
        raise CatalogueError(
            f"{what} {shown(value)} holds the control character U+{ord(found.group()):04X} "
            f"at position {found.start() + 1}: remove it"
        )
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise CatalogueError(
                f"{what} {shown(value)} holds a lone surrogate at position {exc.start + 1}"
            ) from None


def _name(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    _clean_text(attribute.name, value, _CONTROL)


def _aliases(value: object) -> object:
    # A string is not a list of aliases (tuple("abc") would be three of them).
    if isinstance(value, Iterable) and not isinstance(value, str | bytes | Mapping):
        return tuple(value)
    return value


def _are_names(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not tuple:
        raise CatalogueError(f"{attribute.name} must be a list of names, not {shown(value)}")
    for alias in value:
        _clean_text("alias", alias, _CONTROL)


def _note(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _clean_text(attribute.name, value, _CONTROL_IN_NOTE, blank=True)


def _strip(value: object) -> object:
    return value.strip() if type(value) is str else value


def _strings(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


def _tagged(what: str) -> Any:
    """A validator of ``tag:value`` strings (an identifier's scheme, an alias's language)."""

    def check(instance: object, _attribute: object, values: tuple[str, ...]) -> None:
        for value in values:
            tag, _, rest = value.partition(":") if isinstance(value, str) else ("", "", "")
            if not tag or not rest:
                raise CatalogueError(
                    f"{getattr(instance, 'id', '?')!r}: bad {what} {value!r} (use {what.upper()}:VALUE)"
                )

    return check


@attrs.frozen(kw_only=True)
class Entity:
    """Something with a stable id and names: the base of the four kinds."""

    id: str = attrs.field(validator=_slug)
    name: str = attrs.field(converter=_strip, validator=_name)
    aliases: tuple[str, ...] = attrs.field(default=(), converter=_aliases, validator=_are_names)
    note: str | None = attrs.field(default=None, validator=_note)
    #: What other datasets call it, as ``scheme:value`` (``wikidata:Q1247199``, ``mzalendo:108``).
    identifiers: tuple[str, ...] = attrs.field(default=(), converter=_strings, validator=_tagged("scheme"))
    #: The language of some names, as ``code:name`` (``ru:Ак жол``); a name may have several.
    languages: tuple[str, ...] = attrs.field(default=(), converter=_strings, validator=_tagged("lang"))

    kind: str = attrs.field(default="", init=False)  # each kind sets its own

    @property
    def names(self) -> tuple[str, ...]:
        """The canonical name followed by every alias."""
        return (self.name, *self.aliases)

    def identifier(self, scheme: str) -> str | None:
        """The first identifier of ``scheme`` (``identifier("wikidata")`` is ``"Q1247199"``), or None."""
        prefix = scheme + ":"
        return next((i[len(prefix) :] for i in self.identifiers if i.startswith(prefix)), None)

    def language_of(self, name: str) -> tuple[str, ...]:
        """The languages the source gives for one of the names (empty when it gives none)."""
        return tuple(tag for tag, _, value in (t.partition(":") for t in self.languages) if value == name)


@attrs.frozen(kw_only=True)
class Person(Entity):
    """A person."""

    kind: Kind = attrs.field(default="person", init=False)


@attrs.frozen(kw_only=True)
class Organisation(Entity):
    """An organisation, or a unit of one (``parent`` is the organisation it belongs to).

    ``seats``: how many members it has, when a source says (a legislature's seat count).
    """

    parent: str | None = None
    seats: int | None = None
    kind: Kind = attrs.field(default="organisation", init=False)

    def __attrs_post_init__(self) -> None:
        if self.seats is not None and (not isinstance(self.seats, int) or self.seats < 1):
            raise CatalogueError(
                f"organisation {self.id!r}: seats must be a positive integer, not {self.seats!r}"
            )


@attrs.frozen(kw_only=True)
class Post(Entity):
    """A post in an organisation, held by up to ``seats`` people at once.

    ``seats = 0`` says the number is not fixed (the members of a party): such a
    post has no vacant seats and is never over its count.
    """

    org: str
    seats: int = 1
    kind: Kind = attrs.field(default="post", init=False)

    def __attrs_post_init__(self) -> None:
        if type(self.seats) is not int or self.seats < 0:
            raise CatalogueError(
                f"post {self.id!r}: seats must be a positive integer (or 0: no fixed number), "
                f"not {self.seats!r}"
            )


@attrs.frozen(kw_only=True)
class Place(Entity):
    """A place (a city, a region)."""

    kind: Kind = attrs.field(default="place", init=False)


KINDS: dict[str, type[Entity] | type[Publication]] = {
    "person": Person,
    "organisation": Organisation,
    "post": Post,
    "place": Place,
    "source": Publication,
}


def near_hint(value: str, candidates: list[str]) -> str:
    """The "did you mean" hint for the candidates nearest ``value`` (empty when none is near)."""
    near = close_matches(value, candidates, n=3)
    return did_you_mean(near)
