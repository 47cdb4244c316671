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
Toqaev = Tokayev, Qasym-Zhomart = Kassym-Jomart), see `name_key`. A name with
initials finds the full one ("John F. Kennedy": "John Fitzgerald Kennedy").
Entities may carry the identifiers other datasets give them
(``wikidata:Q1247199``) and the language of their aliases (``ru:Ак жол``).
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal, TypeVar, overload

import attrs

from chronos._fast import cache
from chronos._fast.nearest import Nearest, close_matches
from chronos.errors import AmbiguousName, CatalogueError, LookupFailed, did_you_mean
from chronos.names import PATRONYMIC, covers, latin, name_key

__all__ = [
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


def _names(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _slug(_instance: object, _attribute: object, value: str) -> None:
    if not isinstance(value, str) or not _SLUG.match(value):
        raise CatalogueError(
            f"bad id {value!r}: use lowercase ASCII words joined by '-', units separated by '/'"
        )


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
    name: str
    aliases: tuple[str, ...] = attrs.field(default=(), converter=_names)
    note: str | None = None
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
        if not isinstance(self.seats, int) or isinstance(self.seats, bool) or self.seats < 0:
            raise CatalogueError(
                f"post {self.id!r}: seats must be a positive integer (or 0: no fixed number), "
                f"not {self.seats!r}"
            )


@attrs.frozen(kw_only=True)
class Place(Entity):
    """A place (a city, a region)."""

    kind: Kind = attrs.field(default="place", init=False)


_T = TypeVar("_T")

KINDS: dict[str, type[Entity]] = {
    "person": Person,
    "organisation": Organisation,
    "post": Post,
    "place": Place,
}


class Catalogue(Mapping[str, Entity]):
    """Every known entity, by id, with lookup by any name.

    A catalogue is immutable once built; `Catalogue.load` reads the TOML form.
    """

    def __init__(self, entities: Iterable[Entity] = (), *, origin: str = "<catalogue>"):
        self.origin = origin
        self._by_id: dict[str, Entity] = {}
        for entity in entities:
            if entity.id in self._by_id:
                raise CatalogueError(f"{origin}: duplicate id {entity.id!r}")
            self._by_id[entity.id] = entity
        self._check_references()
        self._keys: dict[str, set[str]] | None = None
        self._words: dict[str, list[str]] | None = None
        #: Every name's `name_key`, kept from building the name index for the near-match hints.
        self._key_of: dict[str, str] = {}
        self._identifiers: dict[str, tuple[Entity, ...]] | None = None
        self._posts_cache: dict[tuple[str, bool], tuple[Post, ...]] = {}
        self._above: dict[str, tuple[str, ...]] = {}
        # Candidates for near-match hints (names, or ids) by kind, built on first use.
        self._near_names: dict[str | None, tuple[dict[str, str], Nearest]] = {}
        self._near_ids: dict[str, Nearest] = {}
        self._children: dict[str, list[str]] = {}
        for entity in self._by_id.values():
            if isinstance(entity, Organisation) and entity.parent is not None:
                self._children.setdefault(entity.parent, []).append(entity.id)
        self._posts: dict[str, list[str]] = {}
        for entity in self._by_id.values():
            if isinstance(entity, Post):
                self._posts.setdefault(entity.org, []).append(entity.id)

    def _check_references(self) -> None:
        for entity in self._by_id.values():
            if isinstance(entity, Organisation) and entity.parent is not None:
                self._expect(entity, "parent", entity.parent, "organisation")
            if isinstance(entity, Post):
                self._expect(entity, "org", entity.org, "organisation")
        for entity in self._by_id.values():
            seen = {entity.id}
            current = entity
            while isinstance(current, Organisation) and current.parent is not None:
                if current.parent in seen:
                    raise CatalogueError(f"{self.origin}: {entity.id!r} is its own ancestor")
                seen.add(current.parent)
                current = self._by_id[current.parent]

    def _expect(self, entity: Entity, field: str, ref: str, kind: str) -> None:
        target = self._by_id.get(ref)
        if target is None or target.kind != kind:
            raise CatalogueError(
                f"{self.origin}: {entity.id!r} has {field} {ref!r}, which is not a known {kind}"
                + _did_you_mean(ref, [e.id for e in self._by_id.values() if e.kind == kind])
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
        return isinstance(other, Catalogue) and self._by_id == other._by_id

    __hash__ = None  # type: ignore[assignment]

    # Lookup -------------------------------------------------------------------

    def lookup(self, query: str, *, kind: str | None = None) -> Entity:
        """The entity with this id, identifier, name or alias (any script, case, accent or spelling).

        ``query`` may be an id, an identifier (``wikidata:Q1247199``), a name or
        alias as `name_key` folds it, or part of one ("Massimov", "Масимов",
        "John F. Kennedy": words and initials of a longer name). Raises
        `LookupFailed` with the nearest known names when nothing matches, and
        `AmbiguousName` when several entities share the name.
        """
        if not isinstance(query, str):
            raise TypeError(f"lookup takes a string, not {query!r}")
        entity = self._by_id.get(query)
        if entity is not None and (kind is None or entity.kind == kind):
            return entity
        ids = sorted(e.id for e in self.by_identifier(query) if kind is None or e.kind == kind)
        if not ids:
            ids = sorted(
                i
                for i in self._by_key.get(name_key(query), ())
                if kind is None or self._by_id[i].kind == kind
            )
        if not ids:
            # Part of a name: "Massimov" for "Karim Massimov", when only one entity fits.
            ids = self._partial(query, kind)
        if len(ids) == 1:
            return self._by_id[ids[0]]
        what = kind or "entity"
        if len(ids) > 1:
            raise AmbiguousName(
                f"{query!r} could be any of: " + ", ".join(f"{i} ({self._by_id[i].name})" for i in ids),
                query=query,
                suggestions=tuple(ids),
            )
        suggestions = self.suggest(query, kind=kind)
        hint = did_you_mean(suggestions)
        raise LookupFailed(f"unknown {what} {query!r}{hint}", query=query, suggestions=suggestions)

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
    def _by_key(self) -> dict[str, set[str]]:
        # Built on the first lookup by name: opening a large log only needs ids.
        if self._keys is None:
            keys: dict[str, set[str]] = {}
            known = self._key_of
            for entity in self._by_id.values():
                for name in (entity.id, *entity.names):
                    key = known.get(name)
                    if key is None:
                        key = known[name] = name_key(name)
                    keys.setdefault(key, set()).add(entity.id)
            self._keys = keys
        return self._keys

    @property
    def _by_word(self) -> dict[str, list[str]]:
        """Every word of every name key, with the keys it is in: part-name lookups read only these."""
        if self._words is None:
            words: dict[str, list[str]] = {}
            for key in self._by_key:
                for word in set(key.split()):
                    words.setdefault(word, []).append(key)
            self._words = words
        return self._words

    def _partial(self, query: str, kind: str | None) -> list[str]:
        """The entities of whose names the query's words are part, its initials matching other words."""
        words = name_key(query).split()
        full = [w for w in words if len(w) > 1]
        initials = [w for w in words if len(w) == 1]
        if not full:
            return []
        postings = sorted((self._by_word.get(w, []) for w in set(full)), key=len)
        keys = set(postings[0])
        for more in postings[1:]:
            keys.intersection_update(more)
        found = {
            entity_id
            for key in keys
            if covers(key.split(), full, initials)
            for entity_id in self._by_key[key]
            if kind is None or self._by_id[entity_id].kind == kind
        }
        if not found and len(full) > 2 and any(PATRONYMIC.search(w) for w in full):
            # A Russian patronymic in one source, a Kazakh one in another (Мажитович, Мәжитұлы):
            # the other names decide.
            rest = " ".join(w for w in full if not PATRONYMIC.search(w))
            found = set(self._partial(rest, kind)) if len(rest.split()) >= 2 else set()
        if not found and len(full) > 2:
            # The query says more than the name: "Яковлева Татьяна Ивановна" for "YAKOVLEVA Tatiana".
            mine = set(full)
            found = {
                entity_id
                for key in {k for w in mine for k in self._by_word.get(w, ())}
                if len(set(key.split())) >= 2 and set(key.split()) <= mine
                for entity_id in self._by_key[key]
                if kind is None or self._by_id[entity_id].kind == kind
            }
        return sorted(found)

    def suggest(self, query: str, *, kind: str | None = None, n: int = 3) -> tuple[str, ...]:
        """The ids of the entities whose names come nearest to ``query``, best first.

        Every id, name and alias (as written and as `name_key` forms it) is a
        candidate; on a large catalogue only those sharing a word with the
        query are compared when there are any (`chronos._fast.nearest`).
        """
        candidates, nearest = self._names_near(kind)
        found: list[str] = []
        for key in (name_key(query), query.casefold()):
            for match in nearest.close(key, n * 3):
                entity_id = candidates[match]
                if entity_id not in found:
                    found.append(entity_id)
        return tuple(found[:n])

    def _names_near(self, kind: str | None) -> tuple[dict[str, str], Nearest]:
        """Every name form of the entities of ``kind`` with its entity's id, and a `Nearest` over them."""
        found = self._near_names.get(kind)
        if found is None:
            candidates: dict[str, str] = {}
            for entity in self._by_id.values():
                if kind is not None and entity.kind != kind:
                    continue
                # An id is a slug already: folded, its words say less than as written.
                candidates.setdefault(entity.id, entity.id)
                for name in entity.names:
                    key = self._key_of.get(name)
                    candidates.setdefault(name_key(name) if key is None else key, entity.id)
                    candidates.setdefault(name.casefold(), entity.id)
            found = self._near_names[kind] = (candidates, Nearest(candidates))
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
            raise LookupFailed(f"unknown {kind} {entity_id!r}{hint}", query=entity_id)
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

    def with_entities(self, entities: Iterable[Entity]) -> Catalogue:
        """A new catalogue with more entities added."""
        return Catalogue([*self._by_id.values(), *entities], origin=self.origin)

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
    def from_toml(cls, text: str, *, origin: str = "<catalogue>") -> Catalogue:
        """A catalogue from its TOML text; errors name ``origin``.

        A large text's parsed form is kept in the user's cache (`chronos._fast.cache`).
        """
        try:
            data = cache.parsed("catalogue", text, tomllib.loads)
        except tomllib.TOMLDecodeError as exc:
            raise CatalogueError(f"{origin}: {exc}") from None
        return cls.from_dict(data, origin=origin)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, origin: str = "<catalogue>") -> Catalogue:
        """Build a catalogue from the parsed TOML structure."""
        entities: list[Entity] = []
        for kind, rows in data.items():
            entity_class = KINDS.get(kind)
            if entity_class is None:
                raise CatalogueError(
                    f"{origin}: unknown entity kind {kind!r}" + _did_you_mean(kind, list(KINDS))
                )
            for index, row in enumerate(rows, start=1):
                try:
                    entities.append(entity_class(**row))
                except TypeError as exc:
                    raise CatalogueError(f"{origin}: {kind} #{index}: {exc}") from None
                except CatalogueError as exc:
                    raise CatalogueError(f"{origin}: {kind} #{index}: {exc}") from None
        return cls(entities, origin=origin)

    def to_toml(self) -> str:
        """The catalogue as TOML text that `Catalogue.load` reads back."""
        return entities_toml(self._by_id.values())

    def save(self, path: str | Path) -> None:
        """Write the catalogue to ``path`` as TOML, atomically (a temporary file renamed over it)."""
        path = Path(path)
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(self.to_toml(), encoding="utf-8")
        os.replace(temporary, path)

    def to_dict(self) -> dict[str, list[dict[str, Any]]]:
        """The TOML-shaped structure `from_dict` reads."""
        out: dict[str, list[dict[str, Any]]] = {}
        for entity in self._by_id.values():
            row = {
                k: (list(v) if isinstance(v, tuple) else v)
                for k, v in attrs.asdict(entity, recurse=False).items()
                if k != "kind" and v not in (None, ())
            }
            out.setdefault(entity.kind, []).append(row)
        return out


def entities_toml(entities: Iterable[Entity]) -> str:
    """Entities as ``[[kind]]`` TOML tables, in the order given (what `Catalogue.load` reads)."""
    lines: list[str] = []
    for entity in entities:
        lines.append(f"[[{entity.kind}]]")
        lines.extend(f"{key} = {_toml_value(value)}" for key, value in _toml_row(entity).items())
        lines.append("")
    return "\n".join(lines)


def _toml_row(entity: Entity) -> dict[str, Any]:
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
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise CatalogueError(f"cannot write {value!r} to TOML")


def _did_you_mean(value: str, candidates: list[str]) -> str:
    near = close_matches(value, candidates, n=3)
    return did_you_mean(near)
