"""FollowTheMoney entity lines in: chronos's own exports, OpenSanctions exports, anyone's.

Read: ``Person`` (and ``Organization``, ``PublicBody``, ``Company``,
``LegalEntity``) with ``name``, ``alias``, ``deathDate``, ``incorporationDate``,
``dissolutionDate``; ``Position`` (``organization``, ``numberOfSeats``);
``Occupancy`` (``holder``, ``post``, ``startDate``, ``endDate``, ``status``)
and ``Membership`` (``member``, ``organization``, ``role``, the same dates),
each a tenure record keyed by its id. Other schemas (``Family``, ...) are
counted as not read.

OpenSanctions metadata is used as such:

- ``referents``: the ids an entity was merged from; a link naming one finds
  the entity, and they are kept as aliases so later files naming them do too;
- ``first_seen``, ``last_change``, ``last_seen``: a record's claims are known
  from its ``last_change`` (the day its present content was public; else
  ``first_seen``), and the latest ``last_seen`` of the file is the import's
  knowledge date unless one is given;
- ``datasets`` and ``sourceUrl``: sources beside the file's own citation.

A record with no dates says only that the tenure existed when it was seen:
its start is on or before that day (``../2024-10-11``), so answers before it
are ``possible`` and none is dated more precisely than the file allows; with
``status`` ``ended`` it also ended by then. A Position with no organisation
belongs to its country (``country-ve``), else to the organisation ``ftm``;
with no ``numberOfSeats`` it has as many seats as the file has current
holders of it. Records that cannot be read (an Occupancy with no post, a post
that is not a Position of the file) are left out and reported, not fatal.
chronos's own files keep every claim in the Occupancy's ``description`` and
are read back exactly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

from chronos.dates import Day, FuzzyDate, PartialDate, parse_date
from chronos.errors import ChronosError, RecordError
from chronos.events import Source
from chronos.interop._model import (
    ClaimSpec,
    Dataset,
    ForeignEntity,
    LifeSpec,
    Skipped,
    TenureRecord,
    claims_from_json,
    role_post_key,
)
from chronos.interop.ftm import LINKS, MARK, chronos_key

__all__ = ["declared_dataset", "read_ftm"]

_PARTIES: Final = ("Person", "Organization", "PublicBody", "Company", "LegalEntity")
_RECORDS: Final = ("Occupancy", "Membership")
#: The organisation of Positions that name neither an organisation nor a country.
UMBRELLA: Final = "ftm"


_DATASETS: Final = re.compile(r'"datasets"\s*:\s*\[([^\]]*)\]')


def declared_dataset(text: str) -> str | None:
    """The one dataset every entity of an FtM file that names its datasets names, if there is one."""
    found = {m.group(1).strip() for m in _DATASETS.finditer(text)}
    if len(found) != 1:
        return None
    try:
        names = json.loads(f"[{found.pop()}]")
    except (ValueError, RecursionError):
        return None
    return names[0] if len(names) == 1 and isinstance(names[0], str) and names[0].strip() else None


def _raw(entity: Mapping[str, Any], prop: str) -> list[str]:
    props = entity.get("properties") or {}
    values = props.get(prop, []) if isinstance(props, Mapping) else []
    return [str(v) for v in values] if isinstance(values, list) else []


def _ftm_date(values: list[str], where: str) -> FuzzyDate | None:
    """One EDTF date for FtM values: one value as it is, several as "one of them"."""
    try:
        if not values:
            return None
        if len(values) == 1:
            return parse_date(values[0])
        parts = sorted({PartialDate.parse(v) for v in values}, key=lambda p: (p.first, p.last))
        return FuzzyDate(parts[0], parts[-1], "set", tuple(parts))
    except ChronosError as exc:
        raise RecordError(f"{where}: {exc}") from None


def _day(item: Mapping[str, Any], *fields: str) -> PartialDate | None:
    for field in fields:
        value = item.get(field)
        if isinstance(value, str) and len(value) >= 10:
            try:
                return PartialDate.parse(value[:10])
            except ChronosError:
                continue
    return None


def _parse(lines: Iterable[str], origin: str) -> list[tuple[int, dict[str, Any]]]:
    parsed: list[tuple[int, dict[str, Any]]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except (ValueError, RecursionError) as exc:  # a number or nesting too large too
            raise RecordError(f"{origin}:{number}: not JSON: {getattr(exc, 'msg', 'too large')}") from None
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or "schema" not in item:
            raise RecordError(f"{origin}:{number}: an FtM entity needs an id and a schema")
        parsed.append((number, item))
    return parsed


class _Reader:
    """One file's entities, with every id (and every id merged into one) resolved to its key."""

    def __init__(self, parsed: list[tuple[int, dict[str, Any]]], origin: str):
        self.parsed = parsed
        self.origin = origin
        self.keys: dict[str, str] = {}
        for _, item in parsed:
            key = chronos_key(item["id"])
            self.keys[item["id"]] = key
            for referent in item.get("referents") or ():
                if isinstance(referent, str):
                    self.keys.setdefault(referent, key)
        self.schemas = {self.keys[item["id"]]: str(item["schema"]) for _, item in parsed}
        self.names = {self.keys[item["id"]]: self._name(item) for _, item in parsed}
        self.entities: dict[tuple[str, str], ForeignEntity] = {}
        self.skipped: list[Skipped] = []

    def links(self, item: Mapping[str, Any], prop: str) -> list[str]:
        values = _raw(item, prop)
        return [self.keys.get(v, chronos_key(v)) for v in values] if prop in LINKS else values

    def _name(self, item: Mapping[str, Any]) -> str:
        names = _raw(item, "name")
        caption = item.get("caption")
        if names:
            return names[0]
        if isinstance(caption, str) and caption.strip() and caption != item.get("schema"):
            return caption
        return chronos_key(item["id"])

    def ensure(self, kind: str, key: str) -> None:
        """An entity a record names but the file does not describe: named by its id."""
        self.entities.setdefault((kind, key), ForeignEntity(kind, key, key))  # type: ignore[arg-type]


def read_ftm(lines: Iterable[str], origin: str) -> Dataset:
    """A dataset from FtM JSON lines; errors name ``origin`` and the line, records left out say why."""
    reader = _Reader(_parse(lines, origin), origin)
    lives: list[LifeSpec] = []
    positions: dict[str, Mapping[str, Any]] = {}
    position_lines: dict[str, str] = {}
    for number, item in reader.parsed:
        where = f"{origin}:{number}"
        schema, key = item["schema"], reader.keys[item["id"]]
        if schema in _PARTIES:
            lives += _party(reader, item, key, where)
        elif schema == "Position":
            positions[key] = item
            position_lines[key] = where
        elif schema not in _RECORDS:
            reader.skipped.append(Skipped(where, f"schema {schema} is not read", "entity"))
    records = [
        record
        for number, item in reader.parsed
        if item["schema"] in _RECORDS
        for record in [_record(reader, item, f"{origin}:{number}", positions)]
        if record is not None
    ]
    current: dict[str, set[str | None]] = {}
    for record, status in records:
        if status == "current":
            current.setdefault(record.post, set()).add(record.person)
    for key, position in positions.items():
        _position(reader, position, key, len(current.get(key, ())), position_lines[key])
    seen = [d for _, item in reader.parsed if (d := _day(item, "last_seen")) is not None]
    known = FuzzyDate.of(max(seen, key=lambda d: d.first)) if seen else None
    # In the file's order, which the catalogue keeps; entities only named come last.
    line = {reader.keys[item["id"]]: n for n, item in reader.parsed}
    ordered = sorted(reader.entities.values(), key=lambda e: line.get(e.key, len(line) + 1))
    return Dataset(
        tuple(ordered),
        tuple(r for r, _ in records),
        (),
        tuple(lives),
        skipped=tuple(reader.skipped),
        known=known,
    )


def _party(reader: _Reader, item: Mapping[str, Any], key: str, where: str) -> list[LifeSpec]:
    kind = "person" if item["schema"] == "Person" else "organisation"
    names = _raw(item, "name")
    referents = [r for r in item.get("referents") or () if isinstance(r, str)]
    aliases = [*names[1:], *_raw(item, "alias"), *referents]
    parent = next(iter(reader.links(item, "parent")), None)
    note = next(iter(_raw(item, "notes")), None)
    name = reader.names[key]
    reader.entities[(kind, key)] = ForeignEntity(
        kind,  # type: ignore[arg-type]
        key,
        name,
        tuple(a for a in dict.fromkeys(aliases) if a != name),
        parent=parent,
        note=note,
    )
    if parent is not None:
        reader.ensure("organisation", parent)
    lives = []
    for prop, cause in (
        ("deathDate", "died"),
        ("incorporationDate", "founded"),
        ("dissolutionDate", "dissolved"),
    ):
        date = _ftm_date(_raw(item, prop), f"{where}: {prop}")
        if date is not None:
            lives.append(LifeSpec(cause, key, date, quote=str(date)))  # type: ignore[arg-type]
    return lives


def _position(reader: _Reader, item: Mapping[str, Any], key: str, holders: int, where: str) -> None:
    org = next(iter(reader.links(item, "organization")), None)
    country = next(iter(_raw(item, "country")), None)
    note = next(iter(_raw(item, "notes")), None)
    if org is not None:
        reader.ensure("organisation", org)
    elif country:
        org = f"country-{country.lower()}"
        reader.entities.setdefault(
            ("organisation", org),
            ForeignEntity(
                "organisation",
                org,
                f"Country {country.upper()}",
                note=f"FtM Positions of country {country} that name no organization",
            ),
        )
    else:
        org = UMBRELLA
        reader.entities.setdefault(
            ("organisation", org),
            ForeignEntity(
                "organisation", org, "FollowTheMoney", note="FtM Positions that name no organization"
            ),
        )
    seats = next(iter(_raw(item, "numberOfSeats")), None)
    if seats is None and (_own(item, where) or {}).get("seats") == 0:
        seats = "0"  # chronos's own: a post with no fixed number of seats
    elif seats is None and holders > 1:
        seats = str(holders)
        note = (
            note + "; " if note else ""
        ) + f"seats: the {holders} current holders of the file's Occupancies"
    name = reader.names[key]
    reader.entities[("post", key)] = ForeignEntity(
        "post",
        key,
        name,
        tuple(a for a in dict.fromkeys([*_raw(item, "name")[1:], *_raw(item, "alias")]) if a != name),
        org=org,
        seats=int(float(seats)) if seats else None,
        note=note,
    )


def _record(
    reader: _Reader, item: Mapping[str, Any], where: str, positions: Mapping[str, Mapping[str, Any]]
) -> tuple[TenureRecord, str] | None:
    """An Occupancy or Membership as a record, with its status; None (and a `Skipped`) when unreadable."""
    schema, key = item["schema"], reader.keys[item["id"]]
    if schema == "Occupancy":
        person = next(iter(reader.links(item, "holder")), None)
        post = next(iter(reader.links(item, "post")), None)
        if post is None:
            reader.skipped.append(Skipped(where, "Occupancy has no post"))
            return None
        if post not in positions:
            reader.skipped.append(Skipped(f"{where}: post {post!r}", "post is not a Position of the file"))
            return None
        quote = reader.names.get(post, post)
    else:
        person = next(iter(reader.links(item, "member")), None)
        org = next(iter(reader.links(item, "organization")), None)
        if org is None:
            reader.skipped.append(Skipped(where, "Membership has no organization"))
            return None
        if person is not None and reader.schemas.get(person, "Person") != "Person":
            reader.skipped.append(Skipped(f"{where}: member {person!r}", "member is not a Person"))
            return None
        role = next(iter(_raw(item, "role")), None) or "member"
        reader.ensure("organisation", org)
        post = role_post_key(org, role)
        reader.entities.setdefault(("post", post), ForeignEntity("post", post, role, org=org))
        quote = role
    if person is not None and ("person", person) not in reader.entities:
        if reader.schemas.get(person, "Person") != "Person":
            reader.skipped.append(Skipped(f"{where}: holder {person!r}", "holder is not a Person"))
            return None
        reader.ensure("person", person)
    status = (next(iter(_raw(item, "status")), None) or "").lower()
    claims = _claims(reader, item, where, key, quote, status)
    if claims is None:
        return None
    return TenureRecord(key, person, post, claims[0], claims[1], quote), status


def _own(item: Mapping[str, Any], where: str) -> dict[str, Any] | None:
    """What chronos keeps in an entity's ``description`` after `MARK` (None when it keeps nothing)."""
    detail = next((d for d in _raw(item, "description") if d.startswith(MARK)), None)
    if detail is None:
        return None
    try:
        data = json.loads(detail[len(MARK) :])
    except (ValueError, RecursionError) as exc:  # a number or nesting too large too
        raise RecordError(
            f"{where}: description: bad chronos JSON: {getattr(exc, 'msg', 'too large')}"
        ) from None
    if not isinstance(data, dict):
        raise RecordError(f"{where}: description: chronos JSON must be an object, not {data!r:.40}")
    return data


def _claims(
    reader: _Reader, item: Mapping[str, Any], where: str, key: str, quote: str, status: str
) -> tuple[tuple[ClaimSpec, ...], tuple[ClaimSpec, ...]] | None:
    data = _own(item, where)
    if data is not None:
        return claims_from_json(data.get("start", []), f"{where}: start"), claims_from_json(
            data.get("end", []), f"{where}: end"
        )
    start = _ftm_date(_raw(item, "startDate"), f"{where}: startDate")
    end = _ftm_date(_raw(item, "endDate"), f"{where}: endDate")
    seen = _day(item, "last_change", "first_seen")
    known = FuzzyDate.of(seen) if seen is not None else None
    cited = [Source(source=reader.origin, quote=quote, locator=key)]
    cited += [
        Source(source=d, quote=quote, locator=key) for d in item.get("datasets") or () if isinstance(d, str)
    ]
    cited += [Source(source=u, quote=quote, locator=key) for u in _raw(item, "sourceUrl")]
    sources = tuple(dict.fromkeys(cited)) if len(cited) > 1 else ()

    def claim(cause: str, date: FuzzyDate, note: str | None = None) -> ClaimSpec:
        return ClaimSpec(cause, date, known, sources, note)

    starts = [claim("appointed", start)] if start is not None else []
    ends = [claim("left", end)] if end is not None else []
    said = f"status {status}" if status else "no status"
    if not starts and not ends:
        if seen is None:
            reader.skipped.append(Skipped(where, "no dates, and no first_seen or last_change to bound them"))
            return None
        starts.append(claim("appointed", FuzzyDate.of(f"../{seen}"), f"no dates ({said}): held on {seen}"))
        if status == "ended":
            ends.append(claim("left", FuzzyDate.of(f"../{seen}"), f"no end date ({said}): ended by {seen}"))
    elif not ends and status == "ended" and seen is not None:
        low = start.first if start is not None and start.first != Day.min else None
        date = (
            FuzzyDate(PartialDate.from_day(low), seen, "interval")
            if low is not None and low < seen.first
            else FuzzyDate.of(f"../{seen}")
        )
        ends.append(claim("left", date, f"no end date ({said}): ended by {seen}"))
    return tuple(starts), tuple(ends)
