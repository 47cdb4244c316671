"""A source's own roster set against the projection on the same date."""

from __future__ import annotations

import attrs

from chronos.entities import Catalogue, Post
from chronos.events import RosterReported
from chronos.projections.answers import Certainty
from chronos.projections.policy import Policy
from chronos.projections.roster import roster
from chronos.projections.state import State

__all__ = ["SnapshotRow", "compare_snapshot"]


@attrs.frozen
class SnapshotRow:
    """One line of a source's snapshot set against the projection on the same date.

    ``verdict`` is ``agrees``, ``agrees-possibly``, ``disagrees``, ``unknown-person``
    (the source names someone the catalogue does not know) or ``missing`` (the
    projection has a holder the source's list leaves out).
    """

    post: str
    source_says: str | None
    person: str | None
    projection: tuple[tuple[str, Certainty], ...]
    verdict: str
    detail: str


def compare_snapshot(
    state: State,
    catalogue: Catalogue,
    snapshot: RosterReported,
    *,
    policy: Policy | None = None,
) -> tuple[SnapshotRow, ...]:
    """Set a source's own list of an organisation's leadership against the projection on its date."""
    day = snapshot.occurred.last
    seats = roster(state, catalogue, snapshot.org, at=day, policy=policy)
    held: dict[str, list[tuple[str, Certainty]]] = {}
    for seat in seats:
        if seat.person is not None:
            held.setdefault(seat.post.id, []).append((seat.person, seat.certainty))
    rows: list[SnapshotRow] = []
    listed: dict[str, set[str]] = {}
    vacancies: dict[str, int] = {}
    for entry in snapshot.entries:
        holders = tuple(held.get(entry.post, ()))
        names = ", ".join(f"{catalogue[p].name} ({c})" for p, c in holders) or "nobody"
        if entry.person is not None:
            listed.setdefault(entry.post, set()).add(entry.person)
            certainty = dict(holders).get(entry.person)
            label = entry.name or catalogue[entry.person].name
            if certainty == "certain":
                verdict, detail = "agrees", f"{label}: the events agree"
            elif certainty == "possible":
                verdict, detail = "agrees-possibly", f"{label}: the events say possibly"
            else:
                verdict, detail = "disagrees", f"the source lists {label}; the events have {names}"
            rows.append(SnapshotRow(entry.post, label, entry.person, holders, verdict, detail))
        elif entry.name is not None:
            near = catalogue.suggest(entry.name, kind="person")
            hint = f" (nearest known: {', '.join(catalogue[n].name for n in near)})" if near else ""
            rows.append(
                SnapshotRow(
                    entry.post,
                    entry.name,
                    None,
                    holders,
                    "unknown-person",
                    f"the source names {entry.name!r}, who is no known person{hint}; the events have {names}",
                )
            )
            listed.setdefault(entry.post, set()).add(f"?{entry.name}")
        else:
            vacancies[entry.post] = vacancies.get(entry.post, 0) + 1
            post = catalogue[entry.post]
            seats_total = post.seats if isinstance(post, Post) else 1
            free = seats_total - len(holders)
            ok = free >= vacancies[entry.post]
            rows.append(
                SnapshotRow(
                    entry.post,
                    None,
                    None,
                    holders,
                    "agrees" if ok else "disagrees",
                    "vacant: the events agree" if ok else f"the source says vacant; the events have {names}",
                )
            )
    for post_id, holders_here in held.items():
        if post_id not in listed and post_id not in vacancies:
            continue
        for person, certainty in holders_here:
            if person not in listed.get(post_id, set()):
                rows.append(
                    SnapshotRow(
                        post_id,
                        None,
                        person,
                        tuple(holders_here),
                        "missing",
                        f"the events have {catalogue[person].name} ({certainty}), "
                        "whom the source does not list",
                    )
                )
    return tuple(rows)
