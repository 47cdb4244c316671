"""Persons, organisations, posts and places; their names, aliases and lookup.

Entities live in a catalogue beside the log (``events/catalogue.toml``), not in
the log itself. The catalogue answers *what things are* (an id, a canonical
name, every spelling the sources use, which organisation a post belongs to and
how many seats it has); the log answers *what happened to them and when*. Names
that change over time (Astana became Nur-Sultan) are `Renamed` events in the
log; the catalogue only gathers every spelling so that lookups find the entity.

Lookups take an id, the name or any alias, in any script, and ignore case,
accents, punctuation, word order and the usual transliteration variants of
Kazakh and Russian names (Масимов = Мәсімов = Masimov = Massimov, Тоқаев =
Toqaev = Tokayev, Qasym-Zhomart = Kassym-Jomart), see `name_key`; a name in
Kazakh that finds nothing is tried as Russian may write it (Жақыпов, Jakupov).
A name with initials finds the full one ("John F. Kennedy": "John Fitzgerald
Kennedy").
Entities may carry the identifiers other datasets give them
(``wikidata:Q1247199``) and the language of their aliases (``ru:Ак жол``).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import tomllib
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, TypeVar, overload

import attrs

from chronos._fast import cache as _cache
from chronos._fast.gc import paused_gc
from chronos._fast.nameindex import NameIndex
from chronos._fast.nearest import Nearest, close_matches
from chronos.errors import AmbiguousName, CatalogueError, ChronosError, LookupFailed, did_you_mean
from chronos.names import PATRONYMIC, covers, kazakh_variants, latin, name_key
from chronos.sources import Publication

__all__ = [
    "REQUIRE_SOURCES",
    "UNNAMED_PREFIX",
    "Catalogue",
    "Entity",
    "Organisation",
    "Person",
    "Place",
    "Post",
    "entities_toml",
    "latin",
    "name_key",
]

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


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:60]}...{text[-12:]} ({len(text):,} characters)"


def _slug(_instance: object, _attribute: object, value: str) -> None:
    # fullmatch: `$` would let a trailing newline through, a look-alike twin of the id.
    if type(value) is not str or len(value) > MAX_ID or not _SLUG.fullmatch(value):
        raise CatalogueError(
            f"bad id {_shown(value)}: use lowercase ASCII words joined by '-', units separated by '/' "
            f"(at most {MAX_ID} characters)"
        )


def _clean_text(what: str, value: object, control: re.Pattern[str], *, blank: bool = False) -> None:
    """Refuse what a catalogue cannot hold as a name: non-text, blanks, control characters, surrogates."""
    if type(value) is not str or (not blank and not value.strip()):
        raise CatalogueError(f"{what} must be a non-empty string, not {_shown(value)}")
    if len(value) > MAX_NAME:
        raise CatalogueError(f"{what}: {len(value):,} characters, more than the {MAX_NAME:,} allowed")
    found = control.search(value)
    if found is not None:
        raise CatalogueError(
            f"{what} {_shown(value)} holds the control character U+{ord(found.group()):04X} "
            f"at position {found.start() + 1}: remove it"
        )
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise CatalogueError(
                f"{what} {_shown(value)} holds a lone surrogate at position {exc.start + 1}"
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
        raise CatalogueError(f"{attribute.name} must be a list of names, not {_shown(value)}")
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


_T = TypeVar("_T")

KINDS: dict[str, type[Entity] | type[Publication]] = {
    "person": Person,
    "organisation": Organisation,
    "post": Post,
    "place": Place,
    "source": Publication,
}

#: The catalogue's top-level key saying that every cited source must be registered.
REQUIRE_SOURCES = "require_registered_sources"


class Catalogue(Mapping[str, Entity]):
    """Every known entity, by id, with lookup by any name; and the sources registry.

    A catalogue maps ids to entities; its registered sources (`Publication`)
    are in `sources`. `Catalogue.load` reads the TOML form. Entities and
    sources are only ever added (`add`), never changed or removed; a catalogue
    that belongs to a log (``log.catalogue``) is kept by that log as it grows.
    """

    def __init__(
        self,
        entities: Iterable[Entity | Publication] = (),
        *,
        origin: str = "<catalogue>",
        require_sources: bool = False,
    ):
        self.origin = origin
        #: Whether every source an event cites must be registered (`sources`).
        self.require_sources = require_sources
        #: Counts additions, so that answers built on an earlier state of the catalogue are rebuilt.
        self.version = 0
        self._by_id: dict[str, Entity] = {}
        self._sources: dict[str, Publication] = {}
        self._children: dict[str, list[str]] = {}
        self._posts: dict[str, list[str]] = {}
        self._keeper: weakref.WeakMethod[Callable[[list[Entity | Publication]], object]] | None = None
        self._forget()
        self._insert(list(entities))

    def _forget(self) -> None:
        """Drop what is built from the entities on first use (name keys, posts, near-match candidates)."""
        self._index: NameIndex | None = None
        self._identifiers: dict[str, tuple[Entity, ...]] | None = None
        self._posts_cache: dict[tuple[str, bool], tuple[Post, ...]] = {}
        self._above: dict[str, tuple[str, ...]] = {}
        # Candidates for near-match hints by kind (the entity of each), built on first use.
        self._near_names: dict[str | None, tuple[Sequence[int], Nearest]] = {}
        self._near_ids: dict[str, Nearest] = {}

    def _insert(self, items: list[Entity | Publication]) -> None:
        """Check ``items`` against what is here and among themselves, then add them (all or none)."""
        new: dict[str, Entity] = {}
        sources: dict[str, Publication] = {}
        for item in items:
            if isinstance(item, Publication):
                if item.id in self._sources or item.id in sources:
                    raise CatalogueError(f"{self.origin}: duplicate source id {item.id!r}")
                sources[item.id] = item
            elif isinstance(item, Entity):
                if item.id in self._by_id or item.id in new:
                    raise CatalogueError(f"{self.origin}: duplicate id {item.id!r}")
                new[item.id] = item
            else:
                raise CatalogueError(f"{self.origin}: not an entity or a source: {item!r}")
        self._check_references(new)
        self._by_id.update(new)
        self._sources.update(sources)
        for entity in new.values():
            if isinstance(entity, Organisation) and entity.parent is not None:
                self._children.setdefault(entity.parent, []).append(entity.id)
            if isinstance(entity, Post):
                self._posts.setdefault(entity.org, []).append(entity.id)

    def _check_references(self, new: Mapping[str, Entity]) -> None:
        """Every parent and organisation named by ``new`` exists; no organisation is its own ancestor."""

        def known(entity_id: str) -> Entity | None:
            return new.get(entity_id) or self._by_id.get(entity_id)

        for entity in new.values():
            if isinstance(entity, Organisation) and entity.parent is not None:
                self._expect(entity, "parent", known(entity.parent), entity.parent, "organisation", new)
            if isinstance(entity, Post):
                self._expect(entity, "org", known(entity.org), entity.org, "organisation", new)
        # Entities already here cannot name new ones as parents, so a cycle runs through new ones only.
        for entity in new.values():
            seen = {entity.id}
            current: Entity | None = entity
            while isinstance(current, Organisation) and current.parent is not None:
                if current.parent in seen:
                    raise CatalogueError(f"{self.origin}: {entity.id!r} is its own ancestor")
                seen.add(current.parent)
                current = known(current.parent)

    def add(self, *items: Entity | Publication) -> None:
        """Add entities and registered sources; all or none (a duplicate id or a bad reference adds nothing).

        A catalogue that belongs to a log (``log.catalogue``) is kept by it:
        the addition goes through `EventLog.add_entities`, which writes it to
        the log's store before it counts here. A catalogue of its own just grows.
        """
        keeper = self._keeper() if self._keeper is not None else None
        if keeper is not None:
            keeper(list(items))
        else:
            self.extend(items)

    def extend(self, items: Iterable[Entity | Publication]) -> None:
        """Add entities and sources here only, never to a store (`add` is what users call)."""
        self._insert(list(items))
        self._forget()
        self.version += 1

    def check_additions(self, items: Iterable[Entity | Publication]) -> None:
        """Raise the `CatalogueError` that adding ``items`` would raise, changing nothing."""
        trial = Catalogue(origin=self.origin)
        trial._by_id, trial._sources = dict(self._by_id), dict(self._sources)
        trial._insert(list(items))

    def __getstate__(self) -> dict[str, Any]:
        # A pickled catalogue (a snapshot, another process) belongs to no log.
        return {**self.__dict__, "_keeper": None}

    def kept_by(self, keeper: Callable[[list[Entity | Publication]], object]) -> None:
        """Send later `add` calls to ``keeper`` (a log's `EventLog.add_entities`), held weakly."""
        self._keeper = weakref.WeakMethod(keeper)

    def _expect(
        self,
        entity: Entity,
        field: str,
        target: Entity | None,
        ref: str,
        kind: str,
        new: Mapping[str, Entity],
    ) -> None:
        if target is None or target.kind != kind:
            known = [e.id for e in (*self._by_id.values(), *new.values()) if e.kind == kind]
            raise CatalogueError(
                f"{self.origin}: {entity.id!r} has {field} {ref!r}, which is not a known {kind}"
                + _did_you_mean(ref, known)
            )

    # Mapping ----------------------------------------------------------------

    def __getitem__(self, entity_id: str) -> Entity:
        return self._by_id[entity_id]

    @overload
    def get(self, entity_id: str, /) -> Entity | None: ...
    @overload
    def get(self, entity_id: str, /, default: Entity | _T) -> Entity | _T: ...
    def get(self, entity_id: str, /, default: object = None) -> object:
        """The entity with this id, or ``default``: one dict lookup (Mapping's goes through a try)."""
        return self._by_id.get(entity_id, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Catalogue)
            and self._by_id == other._by_id
            and self._sources == other._sources
            and self.require_sources == other.require_sources
        )

    def __repr__(self) -> str:
        return f"Catalogue({len(self._by_id)} entities, {len(self._sources)} sources, {self.origin})"

    # Sources ------------------------------------------------------------------

    @property
    def sources(self) -> Mapping[str, Publication]:
        """The registered sources, by the id events cite."""
        return MappingProxyType(self._sources)

    def source(self, source_id: str) -> Publication:
        """The registered source with this id; `LookupFailed` with the nearest ids otherwise."""
        found = self._sources.get(source_id)
        if found is None:
            near = tuple(close_matches(source_id, list(self._sources), n=3))
            hint = did_you_mean(near)
            raise LookupFailed(f"unregistered source {source_id!r}{hint}", query=source_id, suggestions=near)
        return found

    __hash__ = None  # type: ignore[assignment]

    # Lookup -------------------------------------------------------------------

    def lookup(self, query: str, *, kind: str | tuple[str, ...] | None = None) -> Entity:
        """The entity with this id, identifier, name or alias (any script, case, accent or spelling).

        ``query`` may be an id, an identifier (``wikidata:Q1247199``), a name or
        alias as `name_key` folds it, or part of one ("Massimov", "Масимов",
        "John F. Kennedy": words and initials of a longer name). Raises
        `LookupFailed` with the nearest known names when nothing matches, and
        `AmbiguousName` when several entities share the name.
        """
        if not isinstance(query, str):
            raise TypeError(f"lookup takes a string, not {_shown(query)}")
        kinds = _kinds(kind)
        entity = self._by_id.get(query)
        if entity is not None and (kinds is None or entity.kind in kinds):
            return entity
        ids = sorted(e.id for e in self.by_identifier(query) if kinds is None or e.kind in kinds)
        if not ids:
            ids = sorted(
                i
                for i in self._name_index.owners_of(name_key(query))
                if kinds is None or self._by_id[i].kind in kinds
            )
        if not ids:
            # Part of a name: "Massimov" for "Karim Massimov", when only one entity fits.
            ids = self._partial(query, kinds)
        if not ids:
            ids = self._as_russian_writes_it(query, kinds)
        if len(ids) == 1:
            return self._by_id[ids[0]]
        what = " or ".join(kinds) if kinds else "entity"
        if len(ids) > 1:
            raise AmbiguousName(
                f"{_shown(query)} could be any of: " + ", ".join(f"{i} ({self._by_id[i].name})" for i in ids),
                query=query,
                suggestions=tuple(ids),
            )
        suggestions = self.suggest(query, kind=kind)
        hint = did_you_mean(suggestions)
        raise LookupFailed(f"unknown {what} {_shown(query)}{hint}", query=query, suggestions=suggestions)

    def by_identifier(self, identifier: str) -> tuple[Entity, ...]:
        """The entities that carry ``identifier`` (``scheme:value``, exactly), in catalogue order."""
        if self._identifiers is None:
            found: dict[str, list[Entity]] = {}
            for entity in self._by_id.values():
                for value in entity.identifiers:
                    found.setdefault(value, []).append(entity)
            self._identifiers = {k: tuple(v) for k, v in found.items()}
        return self._identifiers.get(identifier, ())

    @property
    def _name_index(self) -> NameIndex:
        # Built on the first lookup by name: opening a large log only needs ids.
        if self._index is None:
            names: list[str] = []
            sizes: list[int] = []
            with paused_gc():
                for entity in self._by_id.values():
                    names.append(entity.id)
                    names.append(entity.name)
                    names += entity.aliases
                    sizes.append(2 + len(entity.aliases))
                kinds = [e.kind for e in self._by_id.values()]
            self._index = NameIndex(names, sizes, kinds)
        return self._index

    def _partial(self, query: str, kinds: tuple[str, ...] | None) -> list[str]:
        """The entities of whose names the query's words are part, its initials matching other words."""
        words = name_key(query).split()
        full = [w for w in words if len(w) > 1]
        initials = [w for w in words if len(w) == 1]
        if not full:
            return []
        index = self._name_index
        # `covers` checks every word: the keys holding the rarest one are the only candidates.
        keys = index.keys_with(min(set(full), key=index.count_with))
        found = {
            entity_id
            for key in keys
            if covers(key.split(), full, initials)
            for entity_id in index.owners_of(key)
            if kinds is None or self._by_id[entity_id].kind in kinds
        }
        if not found and len(full) > 2 and any(PATRONYMIC.search(w) for w in full):
            # A Russian patronymic in one source, a Kazakh one in another (Мажитович, Мәжитұлы):
            # the other names decide.
            rest = " ".join(w for w in full if not PATRONYMIC.search(w))
            found = set(self._partial(rest, kinds)) if len(rest.split()) >= 2 else set()
        if not found and len(full) > 2:
            # The query says more than the name: "Яковлева Татьяна Ивановна" for "YAKOVLEVA Tatiana".
            mine = set(full)
            found = {
                entity_id
                for key in {k for w in mine for k in index.keys_with(w)}
                if len(set(key.split())) >= 2 and set(key.split()) <= mine
                for entity_id in index.owners_of(key)
                if kinds is None or self._by_id[entity_id].kind in kinds
            }
        return sorted(found)

    def _as_russian_writes_it(self, query: str, kinds: tuple[str, ...] | None) -> list[str]:
        """The entities a name written in Kazakh finds when spelt as Russian may spell it.

        Russian, and the Latin made from it, render the letters proper to Kazakh
        in several ways (Жақыпов is Jakupov, Бақытжан Bahytzhan): each spelling is
        looked up whole, then, if none is found, in part.
        """
        variants = kazakh_variants(query)
        index = self._name_index
        found = {i for v in variants for i in index.owners_of(name_key(v))}
        if not found:
            found = {i for v in variants for i in self._partial(v, None)}
        return sorted(i for i in found if kinds is None or self._by_id[i].kind in kinds)

    def suggest(
        self, query: str, *, kind: str | tuple[str, ...] | None = None, n: int = 3
    ) -> tuple[str, ...]:
        """The ids of the entities (of ``kind``, or kinds) whose names come nearest to ``query``, best first.

        Every id, name and alias (as written and as `name_key` forms it) is a
        candidate; on a large catalogue only those sharing a word with the
        query are compared when there are any (`chronos._fast.nearest`).
        """
        kinds = _kinds(kind)
        single = kinds[0] if kinds is not None and len(kinds) == 1 else None
        owners, nearest = self._names_near(single)
        ids = self._name_index.ids
        found: list[str] = []
        for key in (name_key(query), query.casefold()):
            for at in nearest.close_at(key, n * (3 if kinds is None or single else 9)):
                entity_id = ids[owners[at]]
                if entity_id not in found and (kinds is None or self._by_id[entity_id].kind in kinds):
                    found.append(entity_id)
        return tuple(found[:n])

    def _names_near(self, kind: str | None) -> tuple[Sequence[int], Nearest]:
        """A `Nearest` over every name form of the entities of ``kind``, and whose each form is.

        The forms are each entity's id as written, and each name's `name_key` and
        casefolded form (`NameIndex.forms`); with each, its entity's position.
        """
        found = self._near_names.get(kind)
        if found is None:
            index = self._name_index
            forms, owners = index.forms(kind)
            key = None if index.digest is None else f"{index.digest}-{kind}"
            found = self._near_names[kind] = (owners, Nearest(forms, distinct=True, key=key))
        return found

    def get_kind(self, entity_id: str, kind: str) -> Entity:
        """The entity with exactly this id, which must be of ``kind``."""
        entity = self._by_id.get(entity_id)
        if entity is None or entity.kind != kind:
            nearest = self._near_ids.get(kind)
            if nearest is None:
                ids = (e.id for e in self._by_id.values() if e.kind == kind)
                nearest = self._near_ids[kind] = Nearest(ids)
            near = nearest.close(entity_id)
            hint = did_you_mean(near)
            raise LookupFailed(f"unknown {kind} {_shown(entity_id)}{hint}", query=entity_id)
        return entity

    # Structure ----------------------------------------------------------------

    def units(self, org: str) -> tuple[str, ...]:
        """The organisation and every unit under it, depth first."""
        out = [org]
        for child in sorted(self._children.get(org, ())):
            out.extend(self.units(child))
        return tuple(out)

    def above(self, entity_id: str) -> tuple[str, ...]:
        """The organisations whose rosters show this post or unit: its own, then each one above it.

        For a post, its organisation and that organisation's ancestors; for an
        organisation, its ancestors; empty for anything else. Remembered.
        """
        found = self._above.get(entity_id)
        if found is None:
            entity = self._by_id.get(entity_id)
            chain: list[str] = []
            org = entity.org if isinstance(entity, Post) else None
            if isinstance(entity, Organisation):
                org = entity.parent
            while org is not None and org not in chain:
                chain.append(org)
                parent = self._by_id.get(org)
                org = parent.parent if isinstance(parent, Organisation) else None
            found = self._above[entity_id] = tuple(chain)
        return found

    def posts(self, org: str, *, recursive: bool = True) -> tuple[Post, ...]:
        """The posts of an organisation (and of its units, when recursive), in catalogue order."""
        key = (org, recursive)
        found = self._posts_cache.get(key)
        if found is None:
            orgs = self.units(org) if recursive else (org,)
            out: list[Post] = []
            for unit in orgs:
                out.extend(self._by_id[p] for p in self._posts.get(unit, ()))  # type: ignore[misc]
            found = self._posts_cache[key] = tuple(out)
        return found

    def of_kind(self, kind: str) -> tuple[Entity, ...]:
        """Every entity of one kind, in catalogue order."""
        return tuple(e for e in self._by_id.values() if e.kind == kind)

    def with_entities(self, entities: Iterable[Entity | Publication]) -> Catalogue:
        """A new catalogue with more entities (and sources) added; this one is left as it is."""
        return Catalogue(
            [*self._by_id.values(), *self._sources.values(), *entities],
            origin=self.origin,
            require_sources=self.require_sources,
        )

    # TOML -----------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path) -> Catalogue:
        """Read a catalogue from TOML.

        The file holds arrays of tables ``[[person]]``, ``[[organisation]]``,
        ``[[post]]`` and ``[[place]]``.
        """
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise CatalogueError(f"{path}: cannot read: {exc.strerror}") from None
        return cls.from_toml(text, origin=str(path))

    @classmethod
    def from_toml(cls, text: str, *, origin: str = "<catalogue>", cache: bool = True) -> Catalogue:
        """A catalogue from its TOML text; errors name ``origin``.

        A large text's parsed form is kept in the user's cache (`chronos._fast.cache`),
        unless ``cache`` is False (`chronos verify` reads the text itself).
        """
        try:
            data = _cache.parsed("catalogue", text, tomllib.loads) if cache else tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise CatalogueError(f"{origin}: {exc}") from None
        except RecursionError:
            raise CatalogueError(f"{origin}: not TOML: nested too deeply") from None
        return cls.from_dict(data, origin=origin)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, origin: str = "<catalogue>") -> Catalogue:
        """Build a catalogue from the parsed TOML structure."""
        entities: list[Entity | Publication] = []
        if not isinstance(data, Mapping):
            raise CatalogueError(f"{origin}: not a catalogue (tables of [[person]], [[post]] ...)")
        require = data.get(REQUIRE_SOURCES, False)
        if not isinstance(require, bool):
            raise CatalogueError(f"{origin}: {REQUIRE_SOURCES} must be true or false, not {_shown(require)}")
        for kind, rows in data.items():
            if kind == REQUIRE_SOURCES:
                continue
            entity_class = KINDS.get(kind)
            if entity_class is None:
                raise CatalogueError(
                    f"{origin}: unknown entity kind {_shown(kind)}"
                    + _did_you_mean(str(kind), [*KINDS, REQUIRE_SOURCES])
                )
            if not isinstance(rows, list):
                raise CatalogueError(f"{origin}: {kind} must be an array of tables ([[{kind}]])")
            for index, row in enumerate(rows, start=1):
                try:
                    if not isinstance(row, Mapping):
                        raise TypeError(f"not a table: {_shown(row)}")
                    entities.append(entity_class(**row))
                except TypeError as exc:
                    raise CatalogueError(f"{origin}: {kind} #{index}: {exc}") from None
                except ChronosError as exc:
                    raise CatalogueError(f"{origin}: {kind} #{index}: {exc}") from None
        return cls(entities, origin=origin, require_sources=require)

    def to_toml(self) -> str:
        """The catalogue as TOML text that `Catalogue.load` reads back."""
        head = f"{REQUIRE_SOURCES} = true\n\n" if self.require_sources else ""
        return head + entities_toml([*self._by_id.values(), *self._sources.values()])

    def save(self, path: str | Path) -> None:
        """Write the catalogue to ``path`` as TOML, atomically (a unique temporary file renamed over it).

        For a log's own catalogue use `chronos.log.EventLog.add_entities`, which also chains the change.
        """
        path = Path(path)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(self.to_toml())
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise

    def to_dict(self) -> dict[str, Any]:
        """The TOML-shaped structure `from_dict` reads."""
        out: dict[str, Any] = {REQUIRE_SOURCES: True} if self.require_sources else {}
        for entity in self._by_id.values():
            row = {
                k: (list(v) if isinstance(v, tuple) else v)
                for k, v in attrs.asdict(entity, recurse=False).items()
                if k != "kind" and v not in (None, ())
            }
            out.setdefault(entity.kind, []).append(row)
        for source in self._sources.values():
            out.setdefault(Publication.kind, []).append(source.to_row())
        return out


def entities_toml(entities: Iterable[Entity | Publication]) -> str:
    """Entities and sources as ``[[kind]]`` TOML tables, in the order given (what `Catalogue.load` reads)."""
    lines: list[str] = []
    for entity in entities:
        lines.append(f"[[{entity.kind}]]")
        lines.extend(f"{key} = {_toml_value(value)}" for key, value in _toml_row(entity).items())
        lines.append("")
    return "\n".join(lines)


def _toml_row(entity: Entity | Publication) -> dict[str, Any]:
    if isinstance(entity, Publication):
        return entity.to_row()
    # Leave out what is empty or the default, so a hand-written file and a written one look alike.
    return {
        k: v
        for k, v in attrs.asdict(entity, recurse=False).items()
        if k != "kind" and v not in (None, ()) and not (k == "seats" and v == 1)
    }


def _toml_value(value: object) -> str:
    # JSON strings are valid TOML basic strings; lists and integers print alike.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        # TOML's basic strings need DEL escaped too, which JSON leaves as it is.
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007F")
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise CatalogueError(f"cannot write {_shown(value)} to TOML")


def _kinds(kind: str | tuple[str, ...] | None) -> tuple[str, ...] | None:
    """A kind or kinds as a tuple (None: any)."""
    return (kind,) if isinstance(kind, str) else kind


def _did_you_mean(value: str, candidates: list[str]) -> str:
    near = close_matches(value, candidates, n=3)
    return did_you_mean(near)
