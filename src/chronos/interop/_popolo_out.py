"""Writing Popolo JSON that the Popolo schemas accept, with chronos's exact claims beside it.

Popolo's date fields take ISO dates only (``2016``, ``2016-05``, ``2016-05-03``;
memberships also a date and time). chronos writes each date there as
precisely as ISO can say it without saying more than the claims do: a plain
date as it is, a range or a set as the part its ends share (``2022-01-04/2022-01-06``
is ``2022-01``; ``[2021,2022]`` has none), a qualifier (``2003~``) dropped, an
open or unknown end left out. The EDTF value itself goes into the item's
``"chronos"`` key (``{"start_date": "2022-01-04/2022-01-06"}``) whenever it
differs, with what Popolo has no field for: every claim of each start and end
(date, cause, knowledge date, sources, note), seats, entity notes. Other
Popolo readers ignore that key; chronos reads the claims back exactly.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from chronos.chronology import Chronology, DateLike
from chronos.dates import End, FuzzyDate
from chronos.entities import Entity, Organisation, Post
from chronos.interop._model import source_dict
from chronos.interop._rows import ClaimRow, claims_json, tenure_rows
from chronos.projections import Claim, Policy, State
from chronos.projections.policy import OPEN_END

__all__ = ["iso_date", "write_popolo"]

_SECTION = {"person": "persons", "organisation": "organizations", "post": "posts", "place": "areas"}


def iso_date(date: FuzzyDate | None) -> str | None:
    """The ISO date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) that says no more than ``date``, or None."""
    if date is None or isinstance(date.lower, End) or isinstance(date.upper, End):
        return None
    if date.form == "single":
        return str(date.lower)
    texts = [str(m) for m in date.members] if date.form == "set" else [str(date.lower), str(date.upper)]
    common = texts[0]
    for text in texts[1:]:
        size = next((i for i, (a, b) in enumerate(zip(common, text, strict=False)) if a != b), None)
        common = common[: min(len(common), len(text)) if size is None else size]
    for size in (10, 7, 4):
        if (
            len(common) >= size
            and all(len(t) >= size for t in texts)
            and (len(common) == size or common[size] == "-")
        ):
            return common[:size]
    return None


def _dated(item: dict[str, Any], ext: dict[str, Any], field: str, date: FuzzyDate | None) -> None:
    """Set ``field`` to the ISO form of ``date``, and keep the EDTF in ``ext`` when they differ."""
    if date is None:
        return
    iso = iso_date(date)
    if iso is not None:
        item[field] = iso
    if iso != str(date):
        ext[field] = str(date)


def _names(entity: Entity, state: State) -> list[dict[str, Any]]:
    other: list[dict[str, Any]] = []
    # The name itself is an other name too when the source gives its language (EveryPolitician does).
    for alias in (entity.name, *entity.aliases):
        langs = entity.language_of(alias)
        other.extend({"name": alias, "lang": lang} for lang in langs)
        if not langs and alias != entity.name:
            other.append({"name": alias})
    renames = sorted(state.renames.get(entity.id, ()), key=lambda r: (r.occurred.earliest, r.id))
    for rename in renames:
        ext: dict[str, Any] = {
            "known": str(rename.known),
            "sources": [source_dict(s) for s in rename.sources],
        }
        if rename.former:
            ext["former"] = rename.former
            derived: dict[str, Any] = {"name": rename.former}
            derived_ext: dict[str, Any] = {"derived": True}
            _dated(derived, derived_ext, "end_date", rename.occurred)
            other.append({**derived, "chronos": derived_ext})
        if rename.note:
            ext["note"] = rename.note
        item: dict[str, Any] = {"name": rename.name}
        _dated(item, ext, "start_date", rename.occurred)
        other.append({**item, "chronos": ext})
    return other


def _entity(entity: Entity, state: State, policy: Policy) -> dict[str, Any]:
    item: dict[str, Any] = {"id": entity.id}
    item["label" if isinstance(entity, Post) else "name"] = entity.name
    other = _names(entity, state)
    if other:
        item["other_names"] = other
    if entity.identifiers:
        item["identifiers"] = [
            {"scheme": scheme, "identifier": value}
            for scheme, _, value in (i.partition(":") for i in entity.identifiers)
        ]
    ext: dict[str, Any] = {"note": entity.note} if entity.note else {}
    if isinstance(entity, Post):
        item["organization_id"] = entity.org
        ext["seats"] = entity.seats
    lives: tuple[tuple[str, str, tuple[Claim, ...]], ...] = ()
    if isinstance(entity, Organisation):
        if entity.parent is not None:
            item["parent_id"] = entity.parent
        if entity.seats is not None:
            item["seats"] = entity.seats  # EveryPolitician's field
        lives = (
            ("founding_date", "founded", state.founded.get(entity.id, ())),
            ("dissolution_date", "dissolved", state.dissolved.get(entity.id, ())),
        )
    elif entity.kind == "person":
        lives = (
            ("birth_date", "born", state.births.get(entity.id, ())),
            ("death_date", "died", state.deaths.get(entity.id, ())),
        )
    for field, cause, claims in lives:
        if claims:
            _dated(item, ext, field, policy.resolve(claims, empty=OPEN_END).date)
            ext[cause] = _claim_list(claims)
    if ext:
        item["chronos"] = ext
    return item


def write_popolo(chronology: Chronology, *, known_at: DateLike | None = None) -> dict[str, Any]:
    """The chronology (as known on ``known_at``) as Popolo JSON that the Popolo schemas accept."""
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
        out[_SECTION[entity.kind]].append(_entity(entity, state, policy))
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
        ext: dict[str, Any] = {}
        _dated(membership, ext, "start_date", row.start.date)
        _dated(membership, ext, "end_date", row.end.date)
        links = [{"url": s.source, "note": s.quote} for s in (*row.start.sources, *row.end.sources)]
        membership["sources"] = list({json.dumps(x, sort_keys=True): x for x in links}.values())
        membership["chronos"] = {
            **ext,
            "start": claims_json(row.start.claims),
            "end": claims_json(row.end.claims),
        }
        out["memberships"].append(membership)
    return {k: v for k, v in out.items() if v or k in ("persons", "organizations", "memberships")}


def _claim_list(claims: Iterable[Claim]) -> list[dict[str, Any]]:
    return claims_json(
        ClaimRow(c.cause, c.date, c.event.known, c.event.sources, c.event.note) for c in claims
    )
