"""Popolo JSON (popoloproject.com): persons, organizations, posts, areas and memberships, in and out.

Reading: every membership is a tenure from ``start_date`` to ``end_date``
(EDTF; a missing end is an open end). It holds ``post_id`` when given, else the
post named by its ``role`` (or "member") in its ``organization_id``. Dated
``other_names`` are renames (`Renamed` from their ``start_date``); undated ones
are aliases; ``death_date``, ``founding_date`` and ``dissolution_date`` are
events. Areas are places.

Writing: the same shape, with each date as the nearest ISO date Popolo allows
(`FuzzyDate.nearest_iso`: ``2016`` for ``2016?``, none for ``201X`` or a BCE
date), ``sources`` as Popolo links (``url`` the source, ``note`` the quote),
and, under a ``"chronos"`` key that other Popolo readers ignore, what Popolo
has no field for: the exact EDTF of every date written otherwise
(``"edtf": {field: text}``), every claim of each start and end (date, cause,
knowledge date, sources, note), seats, entity notes. Reading a file with those
keys gives the claims back exactly.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from chronos.chronology import Chronology, DateLike
from chronos.dates import FuzzyDate
from chronos.entities import Organisation, Post
from chronos.errors import RecordError
from chronos.interop._model import (
    ClaimSpec,
    Dataset,
    ForeignEntity,
    LifeSpec,
    NameSpec,
    TenureRecord,
    claims_from_json,
    edtf,
    role_post_key,
    source_dict,
    source_from_dict,
)
from chronos.interop._rows import ClaimRow, claims_json, tenure_rows
from chronos.projections import Claim, Policy
from chronos.projections.policy import OPEN_END as _EMPTY

__all__ = ["read_popolo", "write_popolo"]

_KINDS = (("persons", "person"), ("organizations", "organisation"), ("posts", "post"), ("areas", "place"))


def _list(data: Mapping[str, Any], key: str, where: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise RecordError(f"{where}: {key!r} must be a list")
    return value


def _text(item: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str | None:
    value = item.get(key)
    if value is None or value == "":
        if required:
            raise RecordError(f"{where}: missing {key!r}")
        return None
    if not isinstance(value, str | int):
        raise RecordError(f"{where}: {key} must be a string, not {value!r}")
    return str(value)


def _names(item: Mapping[str, Any], key: str, kind: Any, where: str) -> tuple[list[str], list[NameSpec]]:
    """Aliases (undated other names) and renames (dated ones)."""
    aliases: list[str] = []
    renames: list[NameSpec] = []
    for index, other in enumerate(_list(item, "other_names", where)):
        here = f"{where}.other_names[{index}]"
        if isinstance(other, str):
            aliases.append(other)
            continue
        if not isinstance(other, Mapping):
            raise RecordError(f"{here}: must be an object")
        name = _text(other, "name", here)
        assert name is not None
        aliases.append(name)
        ext = other.get("chronos")
        if isinstance(ext, Mapping) and ext.get("derived"):
            continue
        ext = ext if isinstance(ext, Mapping) else {}
        start = edtf(_exact(other, ext, "start_date"), f"{here}.start_date")
        end = edtf(_exact(other, ext, "end_date"), f"{here}.end_date")
        known = edtf(ext.get("known"), f"{here}.chronos.known")
        sources = tuple(
            source_from_dict(s, f"{here}.chronos.sources[{i}]") for i, s in enumerate(ext.get("sources", []))
        )
        note = ext.get("note")
        if start is not None:
            former = ext.get("former")
            renames.append(NameSpec(key, kind, name, former, start, known, sources, note, name))
        elif end is not None:
            primary = _text(item, "name" if kind != "post" else "label", where)
            assert primary is not None
            renames.append(NameSpec(key, kind, primary, name, end, known, sources, note, name))
    return aliases, renames


def _lives(item: Mapping[str, Any], key: str, fields: Mapping[str, str], where: str) -> list[LifeSpec]:
    ext = item.get("chronos") if isinstance(item.get("chronos"), Mapping) else {}
    assert isinstance(ext, Mapping)
    out: list[LifeSpec] = []
    for field, cause in fields.items():
        claims = ext.get(cause)
        if claims is not None:
            for claim in claims_from_json(claims, f"{where}.chronos.{cause}"):
                out.append(LifeSpec(cause, key, claim.date, claim.known, claim.sources, claim.note))  # type: ignore[arg-type]
            continue
        text = _exact(item, ext, field)
        date = edtf(text, f"{where}.{field}")
        if date is not None:
            out.append(LifeSpec(cause, key, date, quote=str(text)))  # type: ignore[arg-type]
    return out


def _exact(item: Mapping[str, Any], ext: Mapping[str, Any], field: str) -> Any:
    """A date field's exact EDTF: from the ``chronos.edtf`` extension where written, else the field."""
    exact = ext.get("edtf")
    if isinstance(exact, Mapping) and field in exact:
        return exact[field]
    return item.get(field)


def read_popolo(data: Any, origin: str) -> Dataset:
    """A dataset from parsed Popolo JSON; errors name ``origin`` and the JSON path."""
    if not isinstance(data, Mapping):
        raise RecordError(f"{origin}: Popolo JSON is an object with persons, organizations and memberships")
    entities: list[ForeignEntity] = []
    names: list[NameSpec] = []
    lives: list[LifeSpec] = []
    posts: dict[str, str] = {}
    for section, kind in _KINDS:
        for index, item in enumerate(_list(data, section, origin)):
            where = f"{origin}: {section}[{index}]"
            if not isinstance(item, Mapping):
                raise RecordError(f"{where}: must be an object")
            key = _text(item, "id", where)
            assert key is not None
            name = _text(item, "label" if kind == "post" else "name", where)
            assert name is not None
            aliases, renames = _names(item, key, kind, where)
            if kind == "post":
                aliases += [a for a in _list(item, "other_label", where) if isinstance(a, str)]
            names.extend(renames)
            ext = item.get("chronos") if isinstance(item.get("chronos"), Mapping) else {}
            assert isinstance(ext, Mapping)
            org = _text(item, "organization_id", where, required=kind == "post")
            if kind == "post":
                assert org is not None
                posts[key] = org
            entities.append(
                ForeignEntity(
                    kind=kind,  # type: ignore[arg-type]
                    key=key,
                    name=name,
                    aliases=tuple(dict.fromkeys(aliases)),
                    parent=_text(item, "parent_id", where, required=False),
                    org=org,
                    seats=ext.get("seats"),
                    note=ext.get("note"),
                )
            )
            if kind == "person":
                lives += _lives(item, key, {"death_date": "died"}, where)
            elif kind == "organisation":
                lives += _lives(
                    item, key, {"founding_date": "founded", "dissolution_date": "dissolved"}, where
                )
    records = []
    for index, item in enumerate(_list(data, "memberships", origin)):
        where = f"{origin}: memberships[{index}]"
        if not isinstance(item, Mapping):
            raise RecordError(f"{where}: must be an object")
        record, extra = _membership(item, where, index, posts)
        records.append(record)
        entities.extend(extra)
    return Dataset(tuple(entities), tuple(records), tuple(names), tuple(lives))


def _membership(
    item: Mapping[str, Any], where: str, index: int, posts: Mapping[str, str]
) -> tuple[TenureRecord, list[ForeignEntity]]:
    person = _text(item, "person_id", where, required=False)
    org = _text(item, "organization_id", where, required=False)
    post = _text(item, "post_id", where, required=False)
    role = _text(item, "role", where, required=False)
    extra: list[ForeignEntity] = []
    if post is None:
        if org is None:
            raise RecordError(f"{where}: a membership needs a post_id or an organization_id")
        role = role or "member"
        post = role_post_key(org, role)
        extra.append(ForeignEntity(kind="post", key=post, name=role, org=org))
    elif post not in posts:
        raise RecordError(f"{where}: post_id {post!r} is not among the file's posts")
    key = _text(item, "id", where, required=False) or f"{person}|{post}|{item.get('start_date', '')}"
    quote = role or _text(item, "label", where, required=False) or person or key
    ext = item.get("chronos")
    if isinstance(ext, Mapping):
        starts = claims_from_json(ext.get("start", []), f"{where}.chronos.start")
        ends = claims_from_json(ext.get("end", []), f"{where}.chronos.end")
    else:
        ext = ext if isinstance(ext, Mapping) else {}
        start = edtf(_exact(item, ext, "start_date"), f"{where}.start_date")
        end = edtf(_exact(item, ext, "end_date"), f"{where}.end_date")
        starts = (ClaimSpec("appointed", start),) if start is not None else ()
        ends = (ClaimSpec("left", end),) if end is not None else ()
    return TenureRecord(key, person, post, starts, ends, quote), extra


# Writing ---------------------------------------------------------------------------------------


def write_popolo(chronology: Chronology, *, known_at: DateLike | None = None) -> dict[str, Any]:
    """The chronology (as known on ``known_at``) as Popolo JSON."""
    catalogue = chronology.catalogue
    state = chronology.state(known_at)
    policy = Policy()
    out: dict[str, list[dict[str, Any]]] = {
        "persons": [],
        "organizations": [],
        "posts": [],
        "areas": [],
        "memberships": [],
    }
    for entity in catalogue.values():
        item: dict[str, Any] = {"id": entity.id}
        item["label" if isinstance(entity, Post) else "name"] = entity.name
        other: list[dict[str, Any]] = [{"name": a} for a in entity.aliases]
        renames = sorted(state.renames.get(entity.id, ()), key=lambda r: (r.occurred.first, r.id))
        for rename in renames:
            ext: dict[str, Any] = {
                "known": str(rename.known),
                "sources": [source_dict(s) for s in rename.sources],
            }
            if rename.former:
                ext["former"] = rename.former
                derived: dict[str, Any] = {"derived": True}
                former = _dated({"name": rename.former}, "end_date", rename.occurred, derived)
                other.append({**former, "chronos": derived})
            if rename.note:
                ext["note"] = rename.note
            other.append(
                {**_dated({"name": rename.name}, "start_date", rename.occurred, ext), "chronos": ext}
            )
        if other:
            item["other_names"] = other
        ext = {"note": entity.note} if entity.note else {}
        if isinstance(entity, Post):
            item["organization_id"] = entity.org
            ext["seats"] = entity.seats
        if isinstance(entity, Organisation):
            if entity.parent is not None:
                item["parent_id"] = entity.parent
            for field, cause, claims in (
                ("founding_date", "founded", state.founded.get(entity.id, ())),
                ("dissolution_date", "dissolved", state.dissolved.get(entity.id, ())),
            ):
                if claims:
                    _dated(item, field, policy.resolve(claims, empty=_EMPTY).date, ext)
                    ext[cause] = _claim_list(claims)
        if entity.kind == "person" and state.deaths.get(entity.id):
            claims = state.deaths[entity.id]
            _dated(item, "death_date", policy.resolve(claims, empty=_EMPTY).date, ext)
            ext["died"] = _claim_list(claims)
        if ext:
            item["chronos"] = ext
        section = {"person": "persons", "organisation": "organizations", "post": "posts", "place": "areas"}
        out[section[entity.kind]].append(item)
    counts: dict[str, int] = {}
    for row in tenure_rows(chronology, known_at=known_at):
        base = f"{row.post}/{row.person}"
        counts[base] = counts.get(base, 0) + 1
        membership: dict[str, Any] = {
            "id": base if counts[base] == 1 else f"{base}/{counts[base]}",
            "person_id": row.person,
            "organization_id": row.org,
            "post_id": row.post,
            "role": catalogue[row.post].name,
        }
        ext = {"start": claims_json(row.start.claims), "end": claims_json(row.end.claims)}
        _dated(membership, "start_date", row.start.date, ext)
        _dated(membership, "end_date", row.end.date, ext)
        links = [{"url": s.source, "note": s.quote} for s in (*row.start.sources, *row.end.sources)]
        membership["sources"] = list({json.dumps(x, sort_keys=True): x for x in links}.values())
        membership["chronos"] = ext
        out["memberships"].append(membership)
    return {k: v for k, v in out.items() if v or k in ("persons", "organizations", "memberships")}


def _dated(item: dict[str, Any], field: str, date: FuzzyDate | None, ext: dict[str, Any]) -> dict[str, Any]:
    """Write ``date`` as the nearest ISO date Popolo allows; its exact EDTF in ``ext`` when that differs."""
    if date is not None:
        iso = date.nearest_iso()
        if iso is not None:
            item[field] = iso
        if iso != str(date):
            ext.setdefault("edtf", {})[field] = str(date)
    return item


def _claim_list(claims: Iterable[Claim]) -> list[dict[str, Any]]:
    return claims_json(
        ClaimRow(c.cause, c.date, c.event.known, c.event.sources, c.event.note) for c in claims
    )
