"""Writing Popolo JSON that the Popolo schemas accept, with chronos's exact claims beside it.

Popolo's date fields take ISO dates only (``2016``, ``2016-05``, ``2016-05-03``;
memberships also a date and time). chronos writes each date there as
precisely as ISO can say it without saying more than the claims do
(`FuzzyDate.nearest_iso`): a plain date as it is, a range or a set as the
smallest year, month or day that holds it (``2022-01-04/2022-01-06`` is
``2022-01``; ``[2021,2022]`` has none), a qualifier (``2003~``) or a time of day
dropped, a decade (``201X``), a BCE date, an open or unknown end left out.
The EDTF value itself goes into the item's ``"chronos"`` key
(``{"start_date": "2022-01-04/2022-01-06"}``) whenever it differs, with what
Popolo has no field for: every claim of each start and end (date, cause,
knowledge date, sources, note), seats, entity notes. Other Popolo readers
ignore that key; chronos reads the claims back exactly.

Popolo's own fields say what stands on everything known. What was withdrawn
on the way (a `Retracted` event, a `Corrected` one, and every event they aim
at) is kept as the log has it, in the ``"history"`` list of the ``"chronos"``
key of the entity the withdrawn claim is about (the codec's JSON form of each
event), so that the roster as known on an earlier day comes back too. A
standing claim that such an event carries (a correction's replacement, a
claim whose retraction was itself retracted) is marked ``"carried"`` with the
id of the event in a history that makes it: readers that know the history
take it from there, not twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from chronos.chronology import Chronology, DateLike, as_day
from chronos.codec import Codec
from chronos.dates import FuzzyDate
from chronos.entities import Entity, Organisation, Post
from chronos.events import Corrected, Event, Retracted
from chronos.interop._model import source_dict
from chronos.interop._rows import ClaimRow, claims_json, tenure_rows
from chronos.projections import Claim, Policy, State
from chronos.projections.policy import OPEN_END

__all__ = ["iso_date", "write_popolo"]

_SECTION = {"person": "persons", "organisation": "organizations", "post": "posts", "place": "areas"}


def iso_date(date: FuzzyDate | None) -> str | None:
    """The ISO date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) that says no more than ``date``, or None.

    That is `FuzzyDate.nearest_iso`: the most precise of the three that holds
    every day the date can denote (none for a decade, a BCE date or an open end).
    """
    return None if date is None else date.nearest_iso()


def _dated(item: dict[str, Any], ext: dict[str, Any], field: str, date: FuzzyDate | None) -> None:
    """Set ``field`` to the ISO form of ``date``, and keep the EDTF in ``ext`` when they differ."""
    if date is None:
        return
    iso = iso_date(date)
    if iso is not None:
        item[field] = iso
    if iso != str(date):
        ext[field] = str(date)


def _names(entity: Entity, state: State, history: _History) -> list[dict[str, Any]]:
    other: list[dict[str, Any]] = []
    # The name itself is an other name too when the source gives its language (EveryPolitician does).
    for alias in (entity.name, *entity.aliases):
        langs = entity.language_of(alias)
        other.extend({"name": alias, "lang": lang} for lang in langs)
        if not langs and alias != entity.name:
            other.append({"name": alias})
    renames = sorted(state.renames.get(entity.id, ()), key=lambda r: (r.occurred.first, r.id))
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
        if rename.id in history.carried:
            ext["carried"] = history.carried[rename.id]
        item: dict[str, Any] = {"name": rename.name}
        _dated(item, ext, "start_date", rename.occurred)
        other.append({**item, "chronos": ext})
    return other


def _entity(entity: Entity, state: State, policy: Policy, history: _History) -> dict[str, Any]:
    item: dict[str, Any] = {"id": entity.id}
    item["label" if isinstance(entity, Post) else "name"] = entity.name
    other = _names(entity, state, history)
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
            ext[cause] = _marked(_claim_rows(claims), history)
    kept = history.homes.get(entity.id)
    if kept:
        ext["history"] = [history.codec.to_dict(event) for event in kept]
    if ext:
        item["chronos"] = ext
    return item


def write_popolo(chronology: Chronology, *, known_at: DateLike | None = None) -> dict[str, Any]:
    """The chronology (as known on ``known_at``) as Popolo JSON that the Popolo schemas accept."""
    catalogue = chronology.catalogue
    state = chronology.state(known_at)
    history = _History(chronology, known_at)
    policy = Policy()
    out: dict[str, list[dict[str, Any]]] = {
        "persons": [],
        "organizations": [],
        "posts": [],
        "areas": [],
        "memberships": [],
    }
    for entity in catalogue.values():
        out[_SECTION[entity.kind]].append(_entity(entity, state, policy, history))
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
            "start": _marked(row.start.claims, history),
            "end": _marked(row.end.claims, history),
        }
        out["memberships"].append(membership)
    written: dict[str, Any] = {
        k: v for k, v in out.items() if v or k in ("persons", "organizations", "memberships")
    }
    if catalogue.sources:
        # The sources registry ([[source]]), which Popolo has no place for: chronos's own key.
        written["chronos"] = {"sources": [p.to_row() for p in catalogue.sources.values()]}
    return written


def _claim_rows(claims: Iterable[Claim]) -> list[ClaimRow]:
    return [
        ClaimRow(c.cause, c.date, c.event.known, c.event.sources, c.event.note, c.event.id) for c in claims
    ]


def _marked(rows: Iterable[ClaimRow], history: _History) -> list[dict[str, Any]]:
    """The claims' JSON, each claim a history carries marked with the id of the event carrying it."""
    rows = list(rows)
    return [
        {**item, "carried": history.carried[row.event]} if row.event in history.carried else item
        for item, row in zip(claims_json(rows), rows, strict=True)
    ]


class _History:
    """What was withdrawn by ``known_at``, as the log has it, by the entity each event is about."""

    def __init__(self, chronology: Chronology, known_at: DateLike | None):
        self.codec = Codec()
        day = as_day(known_at)
        known = [e for e in chronology.events if day is None or e.known.last <= day]
        by_id: dict[str, Event] = {e.id: e for e in known}
        withdrawals = [e for e in known if isinstance(e, Retracted | Corrected)]
        for withdrawal in withdrawals:
            if isinstance(withdrawal, Corrected):
                # A replacement is aimed at through the correction that carries it.
                by_id.setdefault(withdrawal.replacement.id, withdrawal)
        kept = {e.id for e in withdrawals} | {by_id[e.target].id for e in withdrawals if e.target in by_id}
        #: The events kept, in the log's order, by the id of the entity they go with.
        self.homes: dict[str, list[Event]] = {}
        #: A claim's event id -> the id of the kept event that makes it.
        self.carried: dict[str, str] = {}
        first = next(iter(chronology.catalogue), None)
        for event in known:
            if event.id not in kept:
                continue
            home = _home(event, by_id)
            if home is None or home not in chronology.catalogue:
                home = first
            if home is not None:
                self.homes.setdefault(home, []).append(event)
            made = event.replacement if isinstance(event, Corrected) else event
            self.carried[made.id] = event.id


def _home(event: Event, by_id: dict[str, Event]) -> str | None:
    """The first entity an event is about; a retraction's is its target's."""
    seen: set[str] = set()
    while isinstance(event, Retracted):
        target = by_id.get(event.target)
        if target is None or event.id in seen:
            return None
        seen.add(event.id)
        event = target
    about = event.about()
    return about[0] if about else None
