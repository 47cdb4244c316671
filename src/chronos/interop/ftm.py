"""FollowTheMoney entities (followthemoney.tech) as JSON lines, written: Persons, Positions, Occupancies.

Writing: one entity per line, ``{"id", "schema", "properties": {name: [values]}}``.
Persons carry ``name``, ``alias`` and ``deathDate``; organisations ``name``,
``alias``, ``parent``, ``incorporationDate``, ``dissolutionDate``; posts are
Positions with ``organization`` and ``numberOfSeats`` (none for a post with no
fixed number, ``seats = 0``, whose ``description`` says so as ``chronos:``
``{"seats": 0}``, so that it reads back as such); every tenure is an
Occupancy with ``holder``, ``post``, ``startDate``, ``endDate`` and ``status``
(``current``, ``ended``, or ``unknown`` when no source dates the start).

FtM dates are ISO prefixes (``2016``, ``2016-05``, ``2016-05-03``), so EDTF is
written as the nearest FtM can say (`FuzzyDate.nearest_iso`): the most precise
prefix holding every day the date can denote (``2022-02-01/2022-02-16`` is
``2022-02``, ``2016?`` is ``2016``), a set as its members, a range over a year
boundary as both ends; an open bound, a decade or century (``201X``), a BCE
date are left out. The exact EDTF of every
claim, with its cause, knowledge date and sources, is kept in the Occupancy's
``description`` as ``chronos:`` and a JSON object, so chronos reads its own
files back with nothing lost; ``summary`` says it in words and ``publisher``
names the sources. Reading, our own files and others' (OpenSanctions
exports among them), is `chronos.interop._ftm_read`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from chronos.chronology import Chronology, DateLike
from chronos.dates import FuzzyDate, PartialDate
from chronos.entities import Organisation, Post
from chronos.interop._model import is_slug
from chronos.interop._rows import claims_json, tenure_rows
from chronos.projections import Policy
from chronos.projections.policy import OPEN_END

__all__ = ["LINKS", "MARK", "chronos_key", "ftm_dates", "ftm_id", "write_ftm"]

#: What starts the ``description`` that keeps every claim of an Occupancy (chronos's own files).
MARK = "chronos:"


def ftm_dates(date: FuzzyDate | None) -> list[str]:
    """The FtM date values for an EDTF date (see the module docstring); empty when FtM cannot say it."""
    if date is None:
        return []
    if date.form in ("set", "all"):
        members = (FuzzyDate.of(m).nearest_iso() for m in date.members if isinstance(m, PartialDate))
        return [iso for iso in members if iso is not None]
    iso = date.nearest_iso()
    if iso is not None:
        return [iso]
    lower, upper = date.lower, date.upper
    if date.form == "interval" and isinstance(lower, PartialDate) and isinstance(upper, PartialDate):
        ends = (FuzzyDate.of(lower).nearest_iso(), FuzzyDate.of(upper).nearest_iso())
        return [end for end in ends if end is not None]
    return []


def ftm_id(entity_id: str) -> str:
    """An FtM entity id for a chronos id: FtM ids allow no ``/``, chronos ids no ``.``."""
    return entity_id.replace("/", ".")


def chronos_key(ftm: str) -> str:
    """Undo `ftm_id` when the result is a chronos id; other ids are left for slugging."""
    decoded = ftm.replace(".", "/")
    return decoded if is_slug(decoded) else ftm


#: The properties whose values are entity ids.
LINKS = ("parent", "organization", "holder", "post", "member")


def _entity(entity_id: str, schema: str, **properties: Iterable[Any]) -> dict[str, Any]:
    props = {k: [ftm_id(str(v)) if k in LINKS else str(v) for v in vs] for k, vs in properties.items()}
    return {"id": ftm_id(entity_id), "schema": schema, "properties": {k: v for k, v in props.items() if v}}


def write_ftm(chronology: Chronology, *, known_at: DateLike | None = None) -> list[dict[str, Any]]:
    """The chronology (as known on ``known_at``) as FtM entities; places are left out (FtM has none)."""
    catalogue = chronology.catalogue
    state = chronology.state(known_at)
    policy = Policy()
    out: list[dict[str, Any]] = []
    for entity in catalogue.values():
        notes = [entity.note] if entity.note else []
        if entity.kind == "person":
            death = state.deaths.get(entity.id, ())
            date = policy.resolve(death, empty=OPEN_END).date if death else None
            out.append(
                _entity(
                    entity.id,
                    "Person",
                    name=[entity.name],
                    alias=entity.aliases,
                    deathDate=ftm_dates(date),
                    notes=notes,
                )
            )
        elif isinstance(entity, Organisation):
            founded = state.founded.get(entity.id, ())
            dissolved = state.dissolved.get(entity.id, ())
            out.append(
                _entity(
                    entity.id,
                    "Organization",
                    name=[entity.name],
                    alias=entity.aliases,
                    parent=[entity.parent] if entity.parent else [],
                    incorporationDate=ftm_dates(policy.resolve(founded, empty=OPEN_END).date),
                    dissolutionDate=ftm_dates(policy.resolve(dissolved, empty=OPEN_END).date),
                    notes=notes,
                )
            )
        elif isinstance(entity, Post):
            out.append(
                _entity(
                    entity.id,
                    "Position",
                    name=[entity.name],
                    alias=entity.aliases,
                    organization=[entity.org],
                    # FtM has no "no fixed number": saying 0 seats would be false.
                    numberOfSeats=[entity.seats] if entity.seats else [],
                    description=[] if entity.seats else [MARK + json.dumps({"seats": 0})],
                    notes=notes,
                )
            )
    counts: dict[str, int] = {}
    for row in tenure_rows(chronology, known_at=known_at):
        base = f"{row.post}/{row.person}"
        counts[base] = counts.get(base, 0) + 1
        entity_id = f"occupancy/{base}" + ("" if counts[base] == 1 else f"/{counts[base]}")
        status = "unknown" if row.start.date is None else ("ended" if row.end.date is not None else "current")
        detail = {"start": claims_json(row.start.claims), "end": claims_json(row.end.claims)}
        words = f"{catalogue[row.person].name}, {catalogue[row.post].name}"
        words += f", from {row.start.date or 'an unknown date'}"
        if row.end.date is not None:
            words += f" to {row.end.date} ({row.end.cause})"
        sources = dict.fromkeys(s.source for s in (*row.start.sources, *row.end.sources))
        out.append(
            _entity(
                entity_id,
                "Occupancy",
                holder=[row.person],
                post=[row.post],
                startDate=ftm_dates(row.start.date),
                endDate=ftm_dates(row.end.date),
                status=[status],
                summary=[words],
                publisher=sources,
                description=[MARK + json.dumps(detail, ensure_ascii=False, sort_keys=True)],
            )
        )
    return out
