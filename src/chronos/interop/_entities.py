"""Foreign ids to chronos ids: reusing the catalogue's entities and creating the missing ones.

A foreign entity is the catalogue's entity, in this order, when:

1. its foreign id is that entity's id or one of its aliases (files keep their
   ids: importing a file twice creates nothing);
2. it shares an identifier (``wikidata:Q1247199``) with exactly one entity of
   its kind;
3. its name is, as `name_key` folds it, the name of exactly one entity of its
   kind that an earlier version of the same dataset named (``previous``), and
   no other entity of this file took that one: a new version that renumbers
   its people finds them again. Two different people may share a name, so
   names match only within a dataset, never across the whole catalogue.

A person or organisation found so is *updated* by what the file says of it
beyond what the catalogue holds (`Resolver.updated`): a name or alias it
lacks (other than in case) becomes an alias, with its language; a
new identifier is added unless the entity has another of the same scheme;
the file's id becomes an alias when it was found otherwise. Nothing is
removed, and the canonical name stays: a later version that spells the
name otherwise adds that spelling as an alias (not a `Renamed` event, which
says an organisation took a new name on a date; a dataset's new spelling
says nothing of when). `EventLog.add_entities` records the update as a
chained change.

Otherwise a new entity is made. A foreign id that is already a valid chronos
id is kept; an opaque one (a UUID, a bare number) gives way to the name; any
other becomes one by `slugify`. The foreign id is kept as an alias, so that
lookups by it work.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from chronos.entities import (
    UNNAMED_PREFIX,
    Catalogue,
    Entity,
    Organisation,
    Person,
    Place,
    Post,
    name_key,
)
from chronos.errors import CatalogueError, RecordError, shown
from chronos.interop._model import ForeignEntity, TenureRecord, is_slug, slugify

__all__ = ["Resolver"]


class Resolver:
    """Maps foreign ids to chronos ids, reusing catalogue entities and creating the missing ones."""

    def __init__(self, catalogue: Catalogue, origin: str, *, previous: Iterable[str] = ()):
        self.catalogue = catalogue
        self.origin = origin
        self.new: dict[str, Entity] = {}
        #: Catalogue entities found again, with what this file adds to them (`grow`).
        self.updated: dict[str, Entity] = {}
        self.ids: dict[tuple[str, str], str] = {}
        self.by_alias: dict[tuple[str, str], str] = {}
        self.previous = set(previous)
        self._by_name: dict[tuple[str, str], set[str]] | None = None
        self.claimed: set[str] = set()
        for entity in catalogue.values():
            for name in (entity.id, *entity.aliases):
                self.by_alias.setdefault((entity.kind, name), entity.id)

    def remember(self, previous: Iterable[str]) -> None:
        """More entities that earlier versions of the dataset being planned named."""
        self.previous |= set(previous)
        self._by_name = None

    def get(self, entity_id: str) -> Entity | None:
        return self.new.get(entity_id) or self.catalogue.get(entity_id)

    def _free(self, wanted: str, kind: str) -> tuple[str, bool]:
        """``wanted`` (or ``wanted-2``, ...) and whether an entity of ``kind`` already has it."""
        candidate, n = wanted, 1
        while True:
            existing = self.get(candidate)
            if existing is None:
                return candidate, False
            if existing.kind == kind:
                return candidate, True
            n += 1
            candidate = f"{wanted}-{n}"

    def _fresh(self, wanted: str) -> str:
        """``wanted``, or ``wanted-2``, ... : the first id no entity has (ids made from names)."""
        candidate, n = wanted, 1
        while self.get(candidate) is not None:
            n += 1
            candidate = f"{wanted}-{n}"
        return candidate

    def resolve_all(self, entities: Sequence[ForeignEntity]) -> None:
        """Resolve organisations (parents first), then places, posts and persons.

        New entities keep the order of the file.
        """
        self._resolve_all(entities)
        self._shared_identifiers_left_out()
        order: dict[tuple[str, str], int] = {(e.kind, e.key): i for i, e in enumerate(entities)}
        rank = {entity_id: order.get(key, len(order)) for key, entity_id in self.ids.items()}
        self.new = dict(sorted(self.new.items(), key=lambda item: rank.get(item[0], len(order))))

    def _resolve_all(self, entities: Sequence[ForeignEntity]) -> None:
        orgs = [e for e in entities if e.kind == "organisation"]
        pending = {e.key: e for e in orgs}
        while pending:
            ready = [e for e in pending.values() if e.parent is None or e.parent not in pending]
            if not ready:
                raise RecordError(f"{self.origin}: organisation {next(iter(pending))!r} is its own ancestor")
            for entity in ready:
                self.resolve(entity)
                del pending[entity.key]
        for kind in ("place", "post", "person"):
            # A post for an area comes after the post it is a part of.
            for entity in sorted((e for e in entities if e.kind == kind), key=lambda e: e.area is not None):
                self.resolve(entity)

    def id_of(self, kind: str, key: str) -> str:
        """The chronos id of a foreign id already resolved (or known to the catalogue by alias)."""
        found = self.ids.get((kind, key)) or self.by_alias.get((kind, key))
        if found is None:
            raise RecordError(f"{self.origin}: unknown {kind} {key!r}")
        return found

    def known_id(self, kind: str, key: str) -> str:
        """The chronos id of a foreign id this import resolved (of ``kind``, or any kind for "any").

        An id the file does not give is taken to be a chronos id already.
        """
        kinds = ("person", "organisation", "post", "place") if kind == "any" else (kind,)
        return next((self.ids[(k, key)] for k in kinds if (k, key) in self.ids), key)

    def resolve(self, entity: ForeignEntity) -> str:
        """The chronos id of one foreign entity, created in the catalogue when missing."""
        known = self.ids.get((entity.kind, entity.key))
        if known is not None:
            return known
        found = self.by_alias.get((entity.kind, entity.slug or entity.key))
        if found is None:
            found = self._by_identifier(entity) or self._by_previous_name(entity)
        if found is None:
            try:
                found = self._create(entity)
            except CatalogueError as exc:  # a name the catalogue cannot hold (a control character ...)
                raise RecordError(f"{self.origin}: {entity.kind} {shown(entity.key)}: {exc}") from None
        elif found not in self.new:
            self.grow(found, entity)
        self.ids[(entity.kind, entity.key)] = found
        self.claimed.add(found)
        return found

    def _shared_identifiers_left_out(self) -> None:
        """An update does not give an entity an identifier another entity of its kind carries.

        Identifiers find entities across files only while each names one (a
        file may give two organisations one Wikidata id): such an identifier
        stays with the entity that had it, or that the file made with it.
        """
        carried: dict[tuple[str, str], set[str]] = {}
        for entity in (*self.catalogue.values(), *self.new.values()):
            for identifier in entity.identifiers:
                carried.setdefault((entity.kind, identifier), set()).add(entity.id)
        for entity_id, grown in list(self.updated.items()):
            before = self.catalogue[entity_id]
            kept = tuple(
                i
                for i in grown.identifiers
                if i in before.identifiers or not carried.get((grown.kind, i), set()) - {entity_id}
            )
            if kept != grown.identifiers:
                grown = attrs.evolve(grown, identifiers=kept)
                if (grown.aliases, grown.languages, kept) == (
                    before.aliases,
                    before.languages,
                    before.identifiers,
                ):
                    del self.updated[entity_id]
                else:
                    self.updated[entity_id] = grown

    def grow(self, found: str, entity: ForeignEntity) -> None:
        """Note what ``entity`` says of the catalogue's ``found`` beyond what it holds (never removing)."""
        existing = self.updated.get(found) or self.catalogue.get(found)
        if existing is None or existing.kind != entity.kind or entity.kind not in ("person", "organisation"):
            return
        # A name in another script is kept though lookups fold it alike; one differing in case only is not.
        seen = {n.casefold() for n in (existing.id, *existing.names)}
        spellings: list[str] = []
        for name in dict.fromkeys((entity.name, *entity.aliases)):
            if name.casefold() not in seen:
                seen.add(name.casefold())
                spellings.append(name)
        key = entity.key
        if (
            key not in (existing.id, *existing.names, *spellings)
            and chr(0) not in key
            and self.get(key) is None
        ):
            spellings.append(key)  # the file's id, unless it is another entity's id
        # A language tag names one of the entity's names exactly, as the file's names became.
        spelled = {n.casefold(): n for n in reversed((*existing.names, *spellings))}
        identifiers = [
            i
            for i in entity.identifiers
            if i not in existing.identifiers and not _conflicting((i,), existing.identifiers)
        ]
        tags = list(existing.languages)
        for tag in entity.languages:
            code, _, name = tag.partition(":")
            exact = spelled.get(name.casefold())
            if exact is not None and f"{code}:{exact}" not in tags:
                tags.append(f"{code}:{exact}")
        if spellings or identifiers or len(tags) > len(existing.languages):
            tags.sort()  # as the readers give them: a file written from the catalogue reads back alike
            self.updated[found] = attrs.evolve(
                existing,
                aliases=(*existing.aliases, *spellings),
                identifiers=(*existing.identifiers, *identifiers),
                languages=tuple(tags),
            )

    # Matching ----------------------------------------------------------------------------------

    def _by_identifier(self, entity: ForeignEntity) -> str | None:
        found = {
            e.id
            for identifier in entity.identifiers
            for e in (
                *self.catalogue.by_identifier(identifier),
                *(n for n in self.new.values() if identifier in n.identifiers),
            )
            if e.kind == entity.kind
        }
        return found.pop() if len(found) == 1 else None

    def _by_previous_name(self, entity: ForeignEntity) -> str | None:
        if not self.previous or entity.kind == "post":
            return None
        if self._by_name is None:
            self._by_name = {}
            for entity_id in self.previous:
                known = self.catalogue.get(entity_id)
                if known is not None:
                    for name in known.names:
                        self._by_name.setdefault((known.kind, name_key(name)), set()).add(entity_id)
        for names in ((entity.name,), entity.aliases):
            found = {
                entity_id
                for name in names
                for entity_id in self._by_name.get((entity.kind, name_key(name)), ())
                if not _conflicting(entity.identifiers, self.catalogue[entity_id].identifiers)
            }
            if len(found) == 1 and not found <= self.claimed:
                return found.pop()
            if found:
                return None
        return None

    # Creating ----------------------------------------------------------------------------------

    def _wanted(self, entity: ForeignEntity, org: str | None) -> tuple[str, bool]:
        """The id to give a new entity, and whether an entity of its kind with that id is the same one."""
        if entity.slug is not None:
            return entity.slug, True
        if entity.area is not None:
            base = entity.key.rsplit(chr(0), 1)[0]
            within = (
                f"{org}/{slugify(base.rsplit(chr(0), 1)[-1])}" if chr(0) in base else self.id_of("post", base)
            )
            place = self.id_of("place", entity.area).replace("/", "-")
            return f"{within}/{place}", True
        if chr(0) in entity.key and org is not None:
            return f"{org}/{slugify(entity.key.rsplit(chr(0), 1)[-1])}", True
        if entity.opaque:
            return slugify(entity.name, keep_slashes=False), False
        if is_slug(entity.key):
            return entity.key, True
        return slugify(entity.key, keep_slashes=entity.kind in ("organisation", "post")), True

    def _create(self, entity: ForeignEntity) -> str:
        parent = self.id_of("organisation", entity.parent) if entity.parent is not None else None
        org = self.id_of("organisation", entity.org) if entity.org is not None else None
        wanted, shared = self._wanted(entity, org)
        if shared:
            entity_id, exists = self._free(wanted, entity.kind)
            if exists:
                return entity_id
        else:
            entity_id = self._fresh(wanted)
        if entity.kind == "organisation" and parent is None and "/" in entity_id:
            # Units are written parent/unit: keep the structure when the file gives no parent.
            above = self.get(entity_id.rsplit("/", 1)[0])
            parent = above.id if above is not None and above.kind == "organisation" else None
        aliases = [a for a in dict.fromkeys(entity.aliases) if a != entity.name]
        if entity.key not in (entity_id, entity.name, *aliases) and chr(0) not in entity.key:
            aliases.append(entity.key)
        made: Entity
        # attrs' tuple converter confuses mypy's generic inference; the values are tuples of str.
        common: dict[str, Any] = {
            "id": entity_id,
            "name": entity.name,
            "aliases": tuple(aliases),
            "note": entity.note,
            "identifiers": entity.identifiers,
            "languages": entity.languages,
        }
        if entity.kind == "person":
            made = Person(**common)
        elif entity.kind == "organisation":
            made = Organisation(**common, parent=parent, seats=entity.seats or None)
        elif entity.kind == "post":
            if org is None:
                raise RecordError(f"{self.origin}: post {entity.key!r} belongs to no organisation")
            made = Post(**common, org=org, seats=1 if entity.seats is None else entity.seats)
        else:
            made = Place(**common)
        self.new[entity_id] = made
        for name in (entity_id, *made.aliases):
            self.by_alias.setdefault((made.kind, name), entity_id)
        return entity_id

    def unnamed(self, record: TenureRecord) -> str:
        """The placeholder person of a record that names nobody (one per record)."""
        entity_id = UNNAMED_PREFIX + slugify(record.key)
        if self.get(entity_id) is None:
            self.new[entity_id] = Person(
                id=entity_id,
                name=f"unnamed holder ({record.key})",
                note=f"placeholder: the source names no person for record {record.key}",
            )
        return entity_id


def _conflicting(ours: Iterable[str], theirs: Iterable[str]) -> bool:
    """Whether two entities carry different identifiers of one scheme (so they are not the same)."""
    mine: dict[str, set[str]] = {}
    for identifier in ours:
        scheme, _, value = identifier.partition(":")
        mine.setdefault(scheme, set()).add(value)
    for identifier in theirs:
        scheme, _, value = identifier.partition(":")
        if scheme in mine and value not in mine[scheme]:
            return True
    return False
