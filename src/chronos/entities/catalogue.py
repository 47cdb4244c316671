"""`Catalogue`: every known entity by id, with lookup by any name, and the sources registry."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar, overload

from chronos._fast import cache
from chronos._fast.gc import paused_gc
from chronos._fast.keptnames import KeptNames
from chronos._fast.nameindex import NameIndex, digest_of_text
from chronos._fast.nearest import Nearest, close_matches
from chronos.entities import _toml
from chronos.entities.kinds import Entity, Organisation, Post, near_hint
from chronos.errors import AmbiguousName, CatalogueError, LookupFailed, did_you_mean, shown
from chronos.names import PATRONYMIC, covers, kazakh_variants, name_key
from chronos.sources import Publication

_T = TypeVar("_T")


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
        self._index: NameIndex | KeptNames | None = None
        #: The SHA-256 of the text this catalogue was read from, while it holds just what that says.
        self._text_digest: str | None = None
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

    def amend(self, entities: Iterable[Entity]) -> None:
        """Take, here only, entities already here as they grew: more aliases, identifiers or languages.

        `EventLog.add_entities` calls it once a later version of a dataset's
        additions are written (`chronos.catalogue_history.additive`); the
        kind, canonical name and links of each must be as they were.
        """
        for entity in entities:
            old = self._by_id.get(entity.id)
            if old is None or (old.kind, old.name) != (entity.kind, entity.name):
                raise CatalogueError(f"{self.origin}: {entity.kind} {entity.id!r} is not here as it was")
            self._by_id[entity.id] = entity
        self._forget()
        self.version += 1

    def check_additions(self, items: Iterable[Entity | Publication]) -> None:
        """Raise the `CatalogueError` that adding ``items`` would raise, changing nothing."""
        trial = Catalogue(origin=self.origin)
        trial._by_id, trial._sources = dict(self._by_id), dict(self._sources)
        trial._insert(list(items))

    def __getstate__(self) -> dict[str, Any]:
        # A pickled catalogue (a snapshot, another process) belongs to no log.
        # Nor does it carry indexes over mapped files (`KeptNames`), which are made again on demand.
        return {**self.__dict__, "_keeper": None, "_index": None, "_near_names": {}}

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
                + near_hint(ref, known)
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
            raise TypeError(f"lookup takes a string, not {shown(query)}")
        kinds = _kinds(kind)
        entity = self._by_id.get(query)
        if entity is not None and (kinds is None or entity.kind in kinds):
            return entity
        # An identifier is ``scheme:value``: a query without a colon needs no index of them (a scan).
        found = self.by_identifier(query) if ":" in query else ()
        ids = sorted(e.id for e in found if kinds is None or e.kind in kinds)
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
                f"{shown(query)} could be any of: " + ", ".join(f"{i} ({self._by_id[i].name})" for i in ids),
                query=query,
                suggestions=tuple(ids),
            )
        suggestions = self.suggest(query, kind=kind)
        hint = did_you_mean(suggestions)
        raise LookupFailed(f"unknown {what} {shown(query)}{hint}", query=query, suggestions=suggestions)

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
    def _name_index(self) -> NameIndex | KeptNames:
        # Made on the first lookup by name: opening a large log only needs ids. A catalogue read
        # from a text whose index an earlier process kept answers from that (`KeptNames`).
        if self._index is None:
            digest = None
            if self._text_digest is not None and cache.cache_dir() is not None:
                digest = digest_of_text(self._text_digest)
                self._index = KeptNames.open(digest, list(self._by_id), lambda: self._built_index(digest))
            if self._index is None:
                self._index = self._built_index(digest)
        return self._index

    def _built_index(self, digest: str | None) -> NameIndex:
        names: list[str] = []
        sizes: list[int] = []
        with paused_gc():
            for entity in self._by_id.values():
                names.append(entity.id)
                names.append(entity.name)
                names += entity.aliases
                sizes.append(2 + len(entity.aliases))
            kinds = [e.kind for e in self._by_id.values()]
        index = NameIndex(names, sizes, kinds, digest=digest)
        if digest is not None:
            index.keep()
        return index

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
        candidate; on a large catalogue only a shortlist is compared: those sharing
        a word with the query, else those sharing most pieces (`chronos._fast.nearest`).
        """
        kinds = _kinds(kind)
        single = kinds[0] if kinds is not None and len(kinds) == 1 else None
        owners, nearest = self._names_near(single)
        ids = self._name_index.ids
        found: list[str] = []
        for key in dict.fromkeys((name_key(query), query.casefold())):  # often one string: asked once
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
            raise LookupFailed(f"unknown {kind} {shown(entity_id)}{hint}", query=entity_id)
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

    # TOML (chronos.entities._toml) ------------------------------------------------

    @classmethod
    def load(cls, path: str | Path) -> Catalogue:
        """Read a catalogue from TOML: arrays of tables ``[[person]]``, ``[[post]]`` and so on."""
        return _toml.load(cls, path)

    @classmethod
    def from_toml(cls, text: str, *, origin: str = "<catalogue>", cache: bool = True) -> Catalogue:
        """A catalogue from its TOML text; errors name ``origin``.

        A large text's parsed form is kept in the user's cache (`chronos._fast.cache`),
        unless ``cache`` is False (`chronos verify` reads the text itself).
        """
        return _toml.from_toml(cls, text, origin=origin, cache=cache)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, origin: str = "<catalogue>") -> Catalogue:
        """Build a catalogue from the parsed TOML structure."""
        return _toml.from_dict(cls, data, origin=origin)

    def to_toml(self) -> str:
        """The catalogue as TOML text that `Catalogue.load` reads back."""
        return _toml.to_toml(self)

    def save(self, path: str | Path) -> None:
        """Write the catalogue to ``path`` as TOML, atomically (a unique temporary file renamed over it).

        For a log's own catalogue use `chronos.log.EventLog.add_entities`, which also chains the change.
        """
        _toml.save(self, path)

    def to_dict(self) -> dict[str, Any]:
        """The TOML-shaped structure `from_dict` reads."""
        return _toml.to_dict(self)


def _kinds(kind: str | tuple[str, ...] | None) -> tuple[str, ...] | None:
    """A kind or kinds as a tuple (None: any)."""
    return (kind,) if isinstance(kind, str) else kind
