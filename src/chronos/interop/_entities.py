"""Foreign ids to chronos ids: reusing the catalogue's entities and creating the missing ones.

A foreign id that is already a valid chronos id is kept; any other becomes one
by `slugify` and is kept as an alias, so that lookups by it work. An entity
the catalogue already has (same id, or the foreign id among its aliases) is
reused, so importing a file twice creates nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chronos.entities import UNNAMED_PREFIX, Catalogue, Entity, Organisation, Person, Place, Post
from chronos.errors import CatalogueError, RecordError
from chronos.events import shown
from chronos.interop._model import ForeignEntity, TenureRecord, is_slug, slugify

__all__ = ["Resolver"]


class Resolver:
    """Maps foreign ids to chronos ids, reusing catalogue entities and creating the missing ones."""

    def __init__(self, catalogue: Catalogue, origin: str):
        self.catalogue = catalogue
        self.origin = origin
        self.new: dict[str, Entity] = {}
        self.ids: dict[tuple[str, str], str] = {}
        self.by_alias: dict[tuple[str, str], str] = {}
        for entity in catalogue.values():
            for name in (entity.id, *entity.aliases):
                self.by_alias.setdefault((entity.kind, name), entity.id)

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

    def resolve_all(self, entities: Sequence[ForeignEntity]) -> None:
        """Resolve organisations (parents first), then posts, persons and places.

        New entities keep the order of the file.
        """
        self._resolve_all(entities)
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
        for kind in ("post", "person", "place"):
            for entity in entities:
                if entity.kind == kind:
                    self.resolve(entity)

    def id_of(self, kind: str, key: str) -> str:
        """The chronos id of a foreign id already resolved (or known to the catalogue by alias)."""
        found = self.ids.get((kind, key)) or self.by_alias.get((kind, key))
        if found is None:
            raise RecordError(f"{self.origin}: unknown {kind} {key!r}")
        return found

    def resolve(self, entity: ForeignEntity) -> str:
        """The chronos id of one foreign entity, created in the catalogue when missing."""
        known = self.ids.get((entity.kind, entity.key))
        if known is not None:
            return known
        found = self.by_alias.get((entity.kind, entity.slug or entity.key))
        if found is None:
            try:
                found = self._create(entity)
            except CatalogueError as exc:  # a name the catalogue cannot hold (a control character ...)
                raise RecordError(f"{self.origin}: {entity.kind} {shown(entity.key)}: {exc}") from None
        self.ids[(entity.kind, entity.key)] = found
        return found

    def _create(self, entity: ForeignEntity) -> str:
        parent = self.id_of("organisation", entity.parent) if entity.parent is not None else None
        org = self.id_of("organisation", entity.org) if entity.org is not None else None
        if entity.slug is not None:
            wanted = entity.slug
        elif chr(0) in entity.key and org is not None:
            wanted = f"{org}/{slugify(entity.key.rsplit(chr(0), 1)[-1])}"
        elif is_slug(entity.key):
            wanted = entity.key
        else:
            wanted = slugify(entity.key, keep_slashes=entity.kind in ("organisation", "post"))
        entity_id, exists = self._free(wanted, entity.kind)
        if exists:
            return entity_id
        if entity.kind == "organisation" and parent is None and "/" in entity_id:
            # Units are written parent/unit: keep the structure when the file gives no parent.
            above = self.get(entity_id.rsplit("/", 1)[0])
            parent = above.id if above is not None and above.kind == "organisation" else None
        aliases = [a for a in dict.fromkeys(entity.aliases) if a != entity.name]
        if entity.key not in (entity_id, entity.name, *aliases) and chr(0) not in entity.key:
            aliases.append(entity.key)
        made: Entity
        # attrs' tuple converter confuses mypy's generic inference; the value is a tuple of str.
        alias_values: Any = tuple(aliases)
        if entity.kind == "person":
            made = Person(id=entity_id, name=entity.name, aliases=alias_values, note=entity.note)
        elif entity.kind == "organisation":
            made = Organisation(
                id=entity_id, name=entity.name, aliases=alias_values, note=entity.note, parent=parent
            )
        elif entity.kind == "post":
            if org is None:
                raise RecordError(f"{self.origin}: post {entity.key!r} belongs to no organisation")
            made = Post(
                id=entity_id,
                name=entity.name,
                aliases=alias_values,
                note=entity.note,
                org=org,
                seats=entity.seats or 1,
            )
        else:
            made = Place(id=entity_id, name=entity.name, aliases=alias_values, note=entity.note)
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
