"""FollowTheMoney entities (followthemoney.tech) as JSON lines: Person, Organization, Position, Occupancy.

Writing: one entity per line, ``{"id", "schema", "properties": {name: [values]}}``.
Persons carry ``name``, ``alias`` and ``deathDate``; organisations ``name``,
``alias``, ``parent``, ``incorporationDate``, ``dissolutionDate``; posts are
Positions with ``organization`` and ``numberOfSeats``; every tenure is an
Occupancy with ``holder``, ``post``, ``startDate``, ``endDate`` and ``status``
(``current``, ``ended``, or ``unknown`` when no source dates the start).

FtM dates are ISO prefixes (``2016``, ``2016-05``, ``2016-05-03``), so EDTF is
written as the nearest FtM can say: a set as its members, a range as the
prefix its ends share (``2022-02-01/2022-02-16`` is ``2022-02``) or, when they
share none, both ends; an open bound is left out. The exact EDTF of every
claim, with its cause, knowledge date and sources, is kept in the Occupancy's
``description`` as ``chronos:`` and a JSON object, so chronos reads its own
files back with nothing lost; ``summary`` says it in words and ``publisher``
names the sources. Reading other FtM files takes ``startDate``/``endDate``
(several values: one of them) and cites the file, quoting the position's name.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from chronos.chronology import Chronology, DateLike
from chronos.dates import End, FuzzyDate, PartialDate, parse_date
from chronos.entities import Organisation, Post
from chronos.errors import ChronosError, RecordError
from chronos.interop._model import (
    ClaimSpec,
    Dataset,
    ForeignEntity,
    LifeSpec,
    TenureRecord,
    claims_from_json,
    is_slug,
)
from chronos.interop._rows import claims_json, tenure_rows
from chronos.projections import Policy
from chronos.projections.policy import OPEN_END

__all__ = ["ftm_dates", "ftm_id", "read_ftm", "write_ftm"]

_MARK = "chronos:"


def ftm_dates(date: FuzzyDate | None) -> list[str]:
    """The FtM date values for an EDTF date (see the module docstring); empty when FtM cannot say it."""
    if date is None:
        return []
    if date.form == "set":
        return [str(m) for m in date.members]
    if date.form == "single":
        return [str(date.lower)]
    if isinstance(date.lower, End) or isinstance(date.upper, End):
        return []
    low, high = str(date.lower), str(date.upper)
    common = low[
        : next(
            (i for i, (a, b) in enumerate(zip(low, high, strict=False)) if a != b), min(len(low), len(high))
        )
    ]
    for size in (10, 7, 4):
        if len(common) >= size and (len(common) == size or common[size] == "-"):
            return [common[:size]]
    return [low, high]


def ftm_id(entity_id: str) -> str:
    """An FtM entity id for a chronos id: FtM ids allow no ``/``, chronos ids no ``.``."""
    return entity_id.replace("/", ".")


def _chronos_key(ftm: str) -> str:
    """Undo `ftm_id` when the result is a chronos id; other ids are left for slugging."""
    decoded = ftm.replace(".", "/")
    return decoded if is_slug(decoded) else ftm


_LINKS = ("parent", "organization", "holder", "post")


def _entity(entity_id: str, schema: str, **properties: Iterable[Any]) -> dict[str, Any]:
    props = {k: [ftm_id(str(v)) if k in _LINKS else str(v) for v in vs] for k, vs in properties.items()}
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
                    numberOfSeats=[entity.seats],
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
                description=[_MARK + json.dumps(detail, ensure_ascii=False, sort_keys=True)],
            )
        )
    return out


# Reading -----------------------------------------------------------------------------------------------


def _values(entity: Mapping[str, Any], prop: str) -> list[str]:
    props = entity.get("properties") or {}
    values = props.get(prop, []) if isinstance(props, Mapping) else []
    out = [str(v) for v in values] if isinstance(values, list) else []
    return [_chronos_key(v) for v in out] if prop in _LINKS else out


def _ftm_date(values: list[str], where: str) -> FuzzyDate | None:
    """One EDTF date for FtM values: one value as it is, several as "one of them"."""
    try:
        if not values:
            return None
        if len(values) == 1:
            return parse_date(values[0])
        parts = sorted({PartialDate.parse(v) for v in values}, key=lambda p: (p.earliest, p.latest))
        return FuzzyDate(parts[0], parts[-1], "set", tuple(parts))
    except ChronosError as exc:
        raise RecordError(f"{where}: {exc}") from None


def read_ftm(lines: Iterable[str], origin: str) -> Dataset:
    """A dataset from FtM JSON lines; errors name ``origin`` and the line."""
    parsed: list[tuple[int, dict[str, Any]]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except (ValueError, RecursionError) as exc:  # JSONDecodeError, or a number or nesting too large
            raise RecordError(f"{origin}:{number}: not JSON: {getattr(exc, 'msg', 'too large')}") from None
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or "schema" not in item:
            raise RecordError(f"{origin}:{number}: an FtM entity needs an id and a schema")
        parsed.append((number, item))
    entities: list[ForeignEntity] = []
    records: list[TenureRecord] = []
    lives: list[LifeSpec] = []
    names: dict[str, str] = {}
    for number, item in parsed:
        where = f"{origin}:{number}"
        schema, key = item["schema"], _chronos_key(item["id"])
        name = next(iter(_values(item, "name")), None)
        names[key] = name or key
        aliases = tuple(_values(item, "alias"))
        note = next(iter(_values(item, "notes")), None)
        if schema in ("Person", "Organization", "PublicBody", "Company", "LegalEntity"):
            kind = "person" if schema == "Person" else "organisation"
            parent = next(iter(_values(item, "parent")), None)
            entities.append(ForeignEntity(kind, key, name or key, aliases, parent=parent, note=note))  # type: ignore[arg-type]
            for prop, cause in (
                ("deathDate", "died"),
                ("incorporationDate", "founded"),
                ("dissolutionDate", "dissolved"),
            ):
                date = _ftm_date(_values(item, prop), f"{where}: {prop}")
                if date is not None:
                    lives.append(LifeSpec(cause, key, date, quote=str(date)))  # type: ignore[arg-type]
        elif schema == "Position":
            org = next(iter(_values(item, "organization")), None)
            if org is None:
                raise RecordError(f"{where}: Position {key!r} has no organization")
            seats = next(iter(_values(item, "numberOfSeats")), None)
            entities.append(
                ForeignEntity(
                    "post",
                    key,
                    name or key,
                    aliases,
                    org=org,
                    seats=int(float(seats)) if seats else None,
                    note=note,
                )
            )
    for number, item in parsed:
        if item["schema"] != "Occupancy":
            continue
        where = f"{origin}:{number}"
        holder = next(iter(_values(item, "holder")), None)
        post = next(iter(_values(item, "post")), None)
        if post is None:
            raise RecordError(f"{where}: Occupancy {item['id']!r} has no post")
        detail = next((d for d in _values(item, "description") if d.startswith(_MARK)), None)
        if detail is not None:
            try:
                data = json.loads(detail[len(_MARK) :])
            except (ValueError, RecursionError) as exc:
                raise RecordError(
                    f"{where}: description: bad chronos JSON: {getattr(exc, 'msg', 'too large')}"
                ) from None
            starts = claims_from_json(data.get("start", []), f"{where}: start")
            ends = claims_from_json(data.get("end", []), f"{where}: end")
        else:
            start = _ftm_date(_values(item, "startDate"), f"{where}: startDate")
            end = _ftm_date(_values(item, "endDate"), f"{where}: endDate")
            starts = (ClaimSpec("appointed", start),) if start is not None else ()
            ends = (ClaimSpec("left", end),) if end is not None else ()
        records.append(
            TenureRecord(_chronos_key(item["id"]), holder, post, starts, ends, names.get(post, post))
        )
    return Dataset(tuple(entities), tuple(records), (), tuple(lives))
