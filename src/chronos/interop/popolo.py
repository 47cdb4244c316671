"""Popolo JSON (popoloproject.com) as published, EveryPolitician's included: persons to memberships.

Reading takes what Popolo and EveryPolitician files say and leaves out, with
a reason in the import report, what chronos keeps nowhere (images, contact
details, genders, elections):

- persons, organizations, areas (places) and posts, with their ``identifiers``
  (kept as ``scheme:value``, ``wikidata:Q1247199``), undated ``other_names``
  as aliases with their ``lang``, dated ones as renames (`Renamed`), an
  organization's ``seats``; ``birth_date``, ``death_date``, ``founding_date`` and
  ``dissolution_date`` as events. Ids that are opaque (UUIDs, bare numbers)
  give way to the name when chronos makes its own id;
- every membership is a tenure from ``start_date`` to ``end_date``; when it has
  neither, the dates of its ``legislative_period_id`` (an event of
  classification "legislative period") with their precision, and the claim's
  note says so; with no date at all, an undated claim: the start was on or
  before the file was published (``../KNOWN``), the end open;
- the post is ``post_id`` or the ``role`` (default "member") in
  ``organization_id``; with an ``area_id`` it is that post for that area, one
  seat ("member for Mathare"); a role post of a legislature gets the
  legislature's ``seats`` (none: no fixed number);
- ``on_behalf_of_id`` (the party or group) is a second tenure, of the post
  "member" of that organisation (no fixed number of seats), over the same dates;
- a membership without an ``id`` is known across versions by its holder, its
  organisation, its role and its period (`TenureRecord.scope`), so a new
  version that renumbers its people changes nothing; a changed date, area or
  party is a correction;
- dates with a time (``2016-03-25T00:00:00``) are their day;
- with ``complete=True`` (the importer says the file is the full membership
  of what it lists) each organisation whose memberships it lists is declared
  complete over each legislative period they name, or on the file's date for
  those naming none (`chronos.interop._complete`); never without it.

Writing is in `chronos.interop._popolo_out`. Reading a file chronos wrote
gives the claims back exactly (the ``"chronos"`` keys), and what was withdrawn
on the way as the same `Retracted` and `Corrected` events (each entity's
``chronos.history``), so that answers as known earlier come back too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from chronos.errors import RecordError
from chronos.events import Event
from chronos.interop._complete import LOCATOR_SUFFIX
from chronos.interop._model import (
    ClaimSpec,
    Completeness,
    Dataset,
    EntityKind,
    ForeignEntity,
    LifeSpec,
    NameSpec,
    Skipped,
    TenureRecord,
    claims_from_json,
    edtf,
    role_post_key,
    source_from_dict,
)
from chronos.interop._popolo_fields import (
    KINDS,
    OPAQUE,
    SECTIONS,
    UNDATED,
    USED,
    Period,
    extension,
    history_of,
    listed,
    lives,
    publications_of,
    text_of,
)
from chronos.interop._popolo_out import write_popolo

__all__ = ["UNDATED", "read_popolo", "write_popolo"]


class _Reader:
    """One file's reading: what it found, and what it left out and why."""

    def __init__(self, data: Mapping[str, Any], origin: str, *, complete: bool = False):
        self.data = data
        self.origin = origin
        self.complete = complete
        #: The organisations whose memberships the file lists, with the legislative periods they name.
        self.listed: dict[tuple[str, str | None], None] = {}
        self.entities: dict[tuple[str, str], ForeignEntity] = {}
        self.names: list[NameSpec] = []
        self.lives: list[LifeSpec] = []
        self.records: list[TenureRecord] = []
        self.periods: dict[str, Period] = {}
        self.skipped: list[Skipped] = []
        self.parties: set[tuple[str | None, str, tuple[ClaimSpec, ...], tuple[ClaimSpec, ...]]] = set()
        self.history: list[Event] = []

    def drop(self, reason: str, where: str, kind: Any = "entity") -> None:
        self.skipped.append(Skipped(where, reason, kind))

    def field(self, section: str, field: str, where: str) -> None:
        """A field chronos has no place for."""
        self.drop(f"{section} field {field!r}: chronos keeps no such field", where, "field")

    def read(self) -> Dataset:
        for section, kind in KINDS:
            for index, item in enumerate(listed(self.data, section, self.origin)):
                self._entity(section, kind, index, item)
        for index, item in enumerate(listed(self.data, "events", self.origin)):
            self._event(index, item)
        for index, item in enumerate(listed(self.data, "memberships", self.origin)):
            self._membership(index, item)
        for key, value in self.data.items():
            if key not in (*SECTIONS, "meta") and isinstance(value, list):
                for index in range(len(value)):
                    self.drop(f"{key!r}: chronos keeps no {key}", f"{self.origin}: {key}[{index}]")
        return Dataset(
            tuple(self.entities.values()),
            tuple(self.records),
            tuple(self.names),
            tuple(self.lives),
            skipped=tuple(self.skipped),
            history=tuple(self.history),
            complete=self._completeness() if self.complete else (),
            publications=publications_of(self.data, self.origin),
        )

    def _completeness(self) -> tuple[Completeness, ...]:
        """Each listed organisation complete over each legislative period named, else on the file's date."""
        out = []
        for org, key in self.listed:
            found = self.entities.get(("organisation", org))
            name = found.name if found is not None else org
            period = self.periods.get(key) if key is not None else None
            if period is None or period.start is None:
                out.append(Completeness(org, None, None, name, org + LOCATOR_SUFFIX))
                continue
            note = (
                f"the import declared the file the full membership of {name} over legislative period "
                f"{period.key} ({period.name}), up to the file's date at the latest (--complete)"
            )
            out.append(
                Completeness(org, period.start, period.end, period.name, period.key + LOCATOR_SUFFIX, note)
            )
        return tuple(out)

    # Entities -----------------------------------------------------------------------------------

    def _entity(self, section: str, kind: EntityKind, index: int, item: Any) -> None:
        where = f"{self.origin}: {section}[{index}]"
        if not isinstance(item, Mapping):
            raise RecordError(f"{where}: must be an object")
        key = text_of(item, "id", where)
        assert key is not None
        name = text_of(item, "label" if kind == "post" else "name", where)
        assert name is not None
        for field in item:
            if field not in USED[section]:
                self.field(section, field, where)
        aliases, languages = self._names(item, key, kind, where)
        if kind == "post":
            aliases += [a.strip() for a in listed(item, "other_label", where) if isinstance(a, str)]
        ext = extension(item)
        org = text_of(item, "organization_id", where, required=kind == "post")
        # Popolo gives posts no seat count: without ours, the number is not fixed (0).
        seats = ext.get(
            "seats", item.get("seats") if kind == "organisation" else 0 if kind == "post" else None
        )
        if seats is not None and (not isinstance(seats, int) or isinstance(seats, bool) or seats < 0):
            raise RecordError(f"{where}: seats must be a whole number, not {seats!r}")
        area = text_of(item, "area_id", where, required=False) if kind == "post" else None
        if area is not None and kind == "post":
            self._known("place", area, f"{where}.area_id")
        entity = ForeignEntity(
            kind=kind,
            key=key,
            name=name,
            aliases=tuple(a for a in dict.fromkeys(aliases) if a and a != name),
            parent=text_of(item, "parent_id", where, required=False) if kind == "organisation" else None,
            org=org,
            seats=seats,
            note=ext.get("note"),
            identifiers=self._identifiers(item, where),
            languages=tuple(sorted(set(languages))),
            opaque=bool(OPAQUE.match(key)) and kind in ("person", "organisation"),
        )
        first = self.entities.get((kind, key))
        if first is not None:
            # parlparse's ministers.json lists two departments twice, their names cased differently.
            self.drop(f"{section} whose id appears again: its names join the first one's aliases", where)
            entity = attrs.evolve(
                first,
                aliases=tuple(
                    a for a in dict.fromkeys((*first.aliases, name, *entity.aliases)) if a != first.name
                ),
                identifiers=tuple(dict.fromkeys((*first.identifiers, *entity.identifiers))),
                languages=tuple(sorted({*first.languages, *entity.languages})),
            )
            self.entities[(kind, key)] = entity
            return
        self.entities[(kind, key)] = entity
        self.history += history_of(ext.get("history", []), f"{where}.chronos.history")
        if kind == "person":
            self.lives += lives(item, key, {"birth_date": "born", "death_date": "died"}, where)
        elif kind == "organisation":
            self.lives += lives(
                item, key, {"founding_date": "founded", "dissolution_date": "dissolved"}, where
            )

    def _identifiers(self, item: Mapping[str, Any], where: str) -> tuple[str, ...]:
        out: list[str] = []
        for index, found in enumerate(listed(item, "identifiers", where)):
            here = f"{where}.identifiers[{index}]"
            if not isinstance(found, Mapping):
                raise RecordError(f"{here}: must be an object")
            scheme = text_of(found, "scheme", here, required=False)
            value = text_of(found, "identifier", here, required=False)
            if scheme is None or value is None:
                self.drop("an identifier without a scheme or a value", here)
                continue
            out.append(f"{scheme}:{value}")
        return tuple(dict.fromkeys(out))

    def _names(
        self, item: Mapping[str, Any], key: str, kind: EntityKind, where: str
    ) -> tuple[list[str], list[str]]:
        """Aliases (undated other names) and their languages; dated ones are renames."""
        aliases: list[str] = []
        languages: list[str] = []
        for index, other in enumerate(listed(item, "other_names", where)):
            here = f"{where}.other_names[{index}]"
            if isinstance(other, str):
                aliases.append(other.strip())
                continue
            if not isinstance(other, Mapping):
                raise RecordError(f"{here}: must be an object")
            name = text_of(other, "name", here)
            assert name is not None
            aliases.append(name)
            lang = text_of(other, "lang", here, required=False)
            if lang is not None:
                languages.append(f"{lang}:{name}")
            ext = extension(other)
            if ext.get("derived"):
                continue
            start = edtf(ext.get("start_date", other.get("start_date")), f"{here}.start_date")
            end = edtf(ext.get("end_date", other.get("end_date")), f"{here}.end_date")
            known = edtf(ext.get("known"), f"{here}.chronos.known")
            sources = tuple(
                source_from_dict(s, f"{here}.chronos.sources[{i}]")
                for i, s in enumerate(ext.get("sources", []))
            )
            note = ext.get("note")
            if ext.get("carried"):
                continue  # a rename the entity's history makes
            if start is not None:
                former = ext.get("former")
                self.names.append(NameSpec(key, kind, name, former, start, known, sources, note, name))
            elif end is not None:
                primary = text_of(item, "name" if kind != "post" else "label", where)
                assert primary is not None
                self.names.append(NameSpec(key, kind, primary, name, end, known, sources, note, name))
        return aliases, languages

    def _known(self, kind: EntityKind, key: str, where: str) -> ForeignEntity:
        """An entity the file refers to; a person it names only by id gets the id as a name."""
        found = self.entities.get((kind, key))
        if found is not None:
            return found
        if kind == "person" and "persons" not in self.data:
            # Files such as parlparse's ministers.json list memberships and no persons.
            made = ForeignEntity(kind="person", key=key, name=key)
            self.entities[("person", key)] = made
            return made
        section = {"person": "persons", "organisation": "organizations", "place": "areas", "post": "posts"}
        raise RecordError(f"{where}: {key!r} is not among the file's {section[kind]}")

    # Legislative periods ------------------------------------------------------------------------

    def _event(self, index: int, item: Any) -> None:
        where = f"{self.origin}: events[{index}]"
        if not isinstance(item, Mapping):
            raise RecordError(f"{where}: must be an object")
        key = text_of(item, "id", where)
        assert key is not None
        classification = text_of(item, "classification", where, required=False) or "unclassified"
        if classification != "legislative period":
            self.drop(
                f"events of classification {classification!r}: chronos keeps only legislative periods, "
                "whose dates memberships inherit",
                where,
            )
            return
        self.periods[key] = Period(
            key,
            text_of(item, "name", where, required=False) or key,
            edtf(item.get("start_date"), f"{where}.start_date"),
            edtf(item.get("end_date"), f"{where}.end_date"),
        )

    # Memberships ---------------------------------------------------------------------------------

    def _membership(self, index: int, item: Any) -> None:
        where = f"{self.origin}: memberships[{index}]"
        if not isinstance(item, Mapping):
            raise RecordError(f"{where}: must be an object")
        for field in item:
            if field not in USED["memberships"]:
                self.field("memberships", field, where)
        person = text_of(item, "person_id", where, required=False)
        if person is not None:
            self._known("person", person, f"{where}.person_id")
        org = text_of(item, "organization_id", where, required=False)
        post_id = text_of(item, "post_id", where, required=False)
        role = text_of(item, "role", where, required=False)
        area = text_of(item, "area_id", where, required=False)
        party = text_of(item, "on_behalf_of_id", where, required=False)
        period_key = text_of(item, "legislative_period_id", where, required=False)
        if post_id is None and org is None:
            raise RecordError(f"{where}: a membership needs a post_id or an organization_id")
        post, org = self._post(post_id, org, role, area, where)
        self.listed[(org, period_key)] = None
        starts, ends = self._dates(item, period_key, where)
        own_id = text_of(item, "id", where, required=False)
        label = role or text_of(item, "label", where, required=False)
        quote = label or post_id or person or own_id or "membership"
        if own_id is not None:
            record = TenureRecord(own_id, person, post, starts, ends, quote)
        else:
            seat = post_id or f"role:{role or 'member'}"
            record = TenureRecord(f"{seat}|{period_key or ''}", person, post, starts, ends, quote, scope=org)
        self.records.append(record)
        if party is not None:
            self._known("organisation", party, f"{where}.on_behalf_of_id")
            member = role_post_key(party, "member")
            if person is not None and (person, member, starts, ends) in self.parties:
                return  # the same party tenure again (another area in the same period)
            self.parties.add((person, member, starts, ends))
            self.entities.setdefault(
                ("post", member), ForeignEntity(kind="post", key=member, name="member", org=party, seats=0)
            )
            base = own_id or record.key
            self.records.append(
                TenureRecord(
                    f"{base}|on_behalf_of",
                    person,
                    member,
                    starts,
                    ends,
                    party,
                    scope=None if own_id is not None else org,
                )
            )

    def _post(
        self, post_id: str | None, org: str | None, role: str | None, area: str | None, where: str
    ) -> tuple[str, str]:
        """The post a membership holds (made when the file names only a role or an area) and its org."""
        if post_id is not None:
            base = self._known("post", post_id, f"{where}.post_id")
            assert base.org is not None
            if org is not None and org != base.org:
                self._known("organisation", org, f"{where}.organization_id")
            if area is None or area == base.area:
                return post_id, base.org
            place = self._known("place", area, f"{where}.area_id")
            key = f"{post_id}\0{area}"
            self.entities.setdefault(
                ("post", key),
                ForeignEntity(
                    kind="post",
                    key=key,
                    name=f"{base.name} for {place.name}",
                    org=base.org,
                    seats=1,
                    area=area,
                ),
            )
            return key, base.org
        assert org is not None
        holder = self._known("organisation", org, f"{where}.organization_id")
        role = role or "member"
        if area is not None:
            place = self._known("place", area, f"{where}.area_id")
            key = f"{role_post_key(org, role)}\0{area}"
            self.entities.setdefault(
                ("post", key),
                ForeignEntity(
                    kind="post", key=key, name=f"{role} for {place.name}", org=org, seats=1, area=area
                ),
            )
            return key, org
        key = role_post_key(org, role)
        # A role held by many (a legislature's members) has the organisation's seats, if it says.
        seats = holder.seats if holder.seats is not None else 0
        self.entities.setdefault(
            ("post", key), ForeignEntity(kind="post", key=key, name=role, org=org, seats=seats)
        )
        return key, org

    def _dates(
        self, item: Mapping[str, Any], period_key: str | None, where: str
    ) -> tuple[tuple[ClaimSpec, ...], tuple[ClaimSpec, ...]]:
        ext = item.get("chronos")
        if isinstance(ext, Mapping):
            return (
                claims_from_json(ext.get("start", []), f"{where}.chronos.start"),
                claims_from_json(ext.get("end", []), f"{where}.chronos.end"),
            )
        start = edtf(item.get("start_date"), f"{where}.start_date")
        end = edtf(item.get("end_date"), f"{where}.end_date")
        period = self.periods.get(period_key) if period_key is not None else None
        if period_key is not None and period is None:
            self.drop(
                "legislative_period_id naming no legislative period among the events: "
                "the membership keeps only its own dates",
                f"{where}.legislative_period_id",
                "claim",
            )
        note_start = note_end = None
        if period is not None:
            inherited = (
                f"the date of legislative period {period.key} ({period.name}): the membership gives none"
            )
            if start is None and period.start is not None:
                start, note_start = period.start, inherited
            if end is None and period.end is not None:
                end, note_end = period.end, inherited
        starts = (
            (ClaimSpec("appointed", start, note=note_start),)
            if start is not None
            else (
                ClaimSpec(
                    "appointed",
                    UNDATED,
                    note="the file gives no start date: on or before it was published",
                    undated=True,
                ),
            )
        )
        ends = (ClaimSpec("left", end, note=note_end),) if end is not None else ()
        return starts, ends


def read_popolo(data: Any, origin: str, *, complete: bool = False) -> Dataset:
    """A dataset from parsed Popolo JSON; errors name ``origin`` and the JSON path.

    ``complete``: the file is the full membership of the organisations it lists
    (`Dataset.complete`: over their legislative periods, else on the file's date).
    """
    if not isinstance(data, Mapping):
        raise RecordError(f"{origin}: Popolo JSON is an object with persons, organizations and memberships")
    return _Reader(data, origin, complete=complete).read()
