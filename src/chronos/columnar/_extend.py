"""Extending a projection with appended events, refolding only the posts they touch.

When every appended event only adds to history (see `forward`), the whole
log's fold is the fold of the old log with the new events folded after it
(they sort after every old event, and nothing withdraws or re-identifies
anything). Such events change only the tenures of the posts they name (and of
the posts of an organisation they dissolve) and of the people they name:
their persons' deaths and vacating arrests end what those people hold. So
`extend` gathers every tenure row at those posts and at the posts those people
hold, decodes the events their claims cite (and the people's custody and
death claims), folds those with the new events through `project` (the object
engine's own fold), and lays the refolded posts' rows in place of the old
ones; every other row is copied. An event that reaches back (a retraction, a
correction, an identification, anything dated before the old log's last event
or any kind this module does not know) makes `forward` false, and the caller
rebuilds everything. The property test in tests/test_columnar.py holds an
extended projection equal to a rebuilt one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from chronos.columnar._build import CHARGE, END, REPLACEMENT, Claims, T
from chronos.columnar._tables import Tables
from chronos.dates import Day
from chronos.entities import UNNAMED_PREFIX, Catalogue
from chronos.events import (
    Appointed,
    Arrested,
    Born,
    Charged,
    DeclaredComplete,
    Died,
    Dissolved,
    Event,
    Founded,
    Moved,
    Released,
    Renamed,
    RosterReported,
    TenureEnded,
)
from chronos.projections import Policy, project, sort_key, tenure_of

__all__ = ["extend", "forward", "last_key"]

Array = npt.NDArray[Any]
#: The kinds whose folding `extend` follows (their subclasses fold alike).
_FORWARD = (Appointed, TenureEnded, Moved, Arrested, Released, Charged, Died, Founded, Dissolved)
#: Kinds that change nothing the columns hold but the seat evidence (`EventIndex.for_seats`), or nothing.
_SEATS_ONLY = (RosterReported, DeclaredComplete, Born, Renamed)
#: Versions: the bitemporal index is left out of an extended projection (rebuilt on first use).
_VERSION_ARRAYS = ("versions", "versions_first", "possibly_at", "vclaims_off", "vclaims", "ranged_known")


def last_key(events: Sequence[Event]) -> list[Any]:
    """The valid-time sort key of the last event `project` folds, as JSON (empty for no events)."""
    if not events:
        return []
    first, last, start, ident = max(sort_key(e) for e in events)
    return [int(first), int(last), start, ident]


def forward(tables: Tables, events: Sequence[Event]) -> bool:
    """True when ``events``, appended to the log of ``tables``, only add to its history."""
    meta = tables.meta
    if meta.get("identified", 1) or meta.get("strays", 1) or not meta.get("contiguous"):
        return False
    after = meta.get("last_key")
    if after is None:
        return False
    bound = tuple(after)
    for event in events:
        if not isinstance(event, _FORWARD + _SEATS_ONLY):
            return False
        first, last, start, ident = sort_key(event)
        if bound and (int(first), int(last), start, ident) <= bound:
            return False
        if any(str(getattr(event, f, "")).startswith(UNNAMED_PREFIX) for f in type(event).references):
            return False
    return True


def extend(
    tables: Tables,
    events: Sequence[Event],
    *,
    catalogue: Callable[[], Catalogue],
    number: Callable[[str], int],
    decode: Callable[[int, int], Event],
    policy: Policy,
) -> Tables:
    """``tables`` with ``events`` (appended after its last) folded in; `forward` must hold.

    ``number`` gives an entity's number, ``decode`` an old claim's event by
    position and flags (`Columnar.event`).
    """
    a = tables.arrays
    base = int(tables.meta["events"])
    post_seq = a["post_seq"]
    seq_of = np.full(len(a["ent_kind"]), -1, np.int64)
    seq_of[post_seq] = np.arange(len(post_seq))
    persons: set[int] = set()
    posts: set[int] = set()
    for event in events:
        for field, kind in type(event).references.items():
            value = getattr(event, field)
            if value is None:
                continue
            if kind == "person":
                persons.add(number(value))
            elif kind == "post" and not isinstance(event, _SEATS_ONLY):
                posts.add(int(seq_of[number(value)]))
        if isinstance(event, Dissolved):
            posts.update(int(seq_of[number(p.id)]) for p in catalogue().posts(event.org))
    person_off, person_rows = a["person_off"], a["person_rows"]
    tenures, post_first = a["tenures"], a["post_first"]
    for person in persons:
        held = person_rows[int(person_off[person]) : int(person_off[person + 1])]
        posts.update(int(k) for k in tenures[held, T.POST].tolist())
    touched = sorted(posts)
    old_rows = np.concatenate(
        [np.arange(int(post_first[k]), int(post_first[k + 1])) for k in touched] or [np.zeros(0, np.int64)]
    )
    # The events the old claims cite, decoded (a correction's replacement, as the fold saw it).
    cited: dict[tuple[int, int], Event] = {}

    def cite(rows: Array) -> None:
        for position, flags, _cause, ident in rows.tolist():
            key = (position, flags & REPLACEMENT)
            if key not in cited:
                cited[key] = decode(*key)
            if ident >= 0:
                raise AssertionError("an identified claim in a log without identifications")

    claims_off, claim_rows = a["claims_off"], a["claims"]
    for row in old_rows.tolist():
        cite(claim_rows[int(claims_off[row]) : int(claims_off[row + 1])])
    for person in persons:
        spells = range(int(a["custody_off"][person]), int(a["custody_off"][person + 1]))
        for spell in spells:
            off = a["spell_claims_off"]
            cite(a["spell_claims"][int(off[spell]) : int(off[spell + 1])])
        cite(a["death_claims"][int(a["death_off"][person]) : int(a["death_off"][person + 1])])
    refs = {id(event): key for key, event in cited.items()}
    for n, event in enumerate(events):
        refs[id(event)] = (base + n, 0)
    state = project([*cited.values(), *events], catalogue())
    causes = {cause: n for n, cause in enumerate(tables.meta["causes"])}
    claims = Claims(refs, causes)
    fold_rank = np.empty(len(tenures), np.int64)
    fold_rank[a["state_order"]] = np.arange(len(a["state_order"]))
    sub_rank = {id(p): n for n, p in enumerate(state.tenures)}
    # Each touched post's new block; each old row's new place; the periods that are new.
    blocks: dict[int, list[tuple[int, ...]]] = {}
    mapped: dict[int, int] = {}  # old row -> offset within the new rows
    fresh: list[tuple[int, int, int]] = []  # (sub fold rank, person, offset) of periods that are new
    offset = 0
    for k in touched:
        post_id = _id(a, int(post_seq[k]))
        periods = state.tenures_at(post_id)
        ranked = sorted(((tenure_of(state, p, policy), p) for p in periods), key=lambda tp: tp[0].start.first)
        # Old rows and new periods of one person here correspond in fold order.
        old_here: dict[int, list[int]] = {}
        for row in range(int(post_first[k]), int(post_first[k + 1])):
            old_here.setdefault(int(tenures[row, T.PERSON]), []).append(row)
        for rows in old_here.values():
            rows.sort(key=lambda r: int(fold_rank[r]))
        new_here: dict[int, list[tuple[int, int]]] = {}
        block: list[tuple[int, ...]] = []
        reach = int(Day.min)
        for place, (tenure, period) in enumerate(ranked):
            person = number(tenure.person)
            new_here.setdefault(person, []).append((sub_rank[id(period)], offset + place))
            reach = max(reach, int(tenure.end.last))
            flags = (T.START_DISPUTED if tenure.start.disputed else 0) | (
                T.END_DISPUTED if tenure.end.disputed else 0
            )
            block.append(
                (
                    k,
                    person,
                    int(tenure.start.first),
                    int(tenure.start.last),
                    int(tenure.end.first),
                    int(tenure.end.last),
                    reach,
                    flags,
                )
            )
            claims.add(period.starts, 0)
            claims.add(period.ends, END)
            claims.close()
        for person, found in new_here.items():
            found.sort()
            olds = old_here.get(person, [])
            if len(olds) > len(found):
                raise AssertionError(f"refolding post {post_id} lost a tenure of {person}")
            for old, (_rank, place) in zip(olds, found, strict=False):
                mapped[old] = place
            fresh += [(rank, person, place) for rank, place in found[len(olds) :]]
        blocks[k] = block
        offset += len(block)
    return _assemble(tables, events, touched, blocks, mapped, fresh, claims, state, persons, number, policy)


def _id(arrays: dict[str, Array], number: int) -> str:
    off = arrays["ent_ids_off"]
    return bytes(arrays["ent_ids"][int(off[number]) : int(off[number + 1])]).decode("utf-8")


def _assemble(
    tables: Tables,
    events: Sequence[Event],
    touched: list[int],
    blocks: dict[int, list[tuple[int, ...]]],
    mapped: dict[int, int],
    fresh: list[tuple[int, int, int]],
    claims: Claims,
    state: Any,
    persons: set[int],
    number: Callable[[str], int],
    policy: Policy,
) -> Tables:
    """The new arrays: old slices between the touched posts' new blocks, every row number remapped."""
    a = tables.arrays
    tenures, post_first, claims_off, claim_rows = a["tenures"], a["post_first"], a["claims_off"], a["claims"]
    n_posts = len(post_first) - 1
    new_claim_off, new_claim_rows = claims.arrays()
    pieces: list[Array] = []
    claim_pieces: list[Array] = []
    lengths: list[Array] = []
    old_to_new = np.arange(len(tenures), dtype=np.int64)
    counts = np.diff(post_first)
    new_counts = counts.copy()
    done = 0  # old rows copied or replaced so far
    written = 0  # rows in the new matrix so far
    sub_start: dict[int, int] = {}
    sub_done = 0
    for k in touched:
        t0, t1 = int(post_first[k]), int(post_first[k + 1])
        pieces.append(tenures[done:t0])
        claim_pieces.append(claim_rows[int(claims_off[done]) : int(claims_off[t0])])
        lengths.append(np.diff(claims_off[done : t0 + 1]))
        old_to_new[done:t0] += written - done
        written += t0 - done
        block = blocks[k]
        sub_start[k] = written
        pieces.append(np.array(block, np.int64).reshape(-1, T.WIDTH))
        c0, c1 = int(new_claim_off[sub_done]), int(new_claim_off[sub_done + len(block)])
        claim_pieces.append(new_claim_rows[c0:c1])
        lengths.append(np.diff(new_claim_off[sub_done : sub_done + len(block) + 1]))
        sub_done += len(block)
        written += len(block)
        new_counts[k] = len(block)
        done = t1
    pieces.append(tenures[done:])
    claim_pieces.append(claim_rows[int(claims_off[done]) :])
    lengths.append(np.diff(claims_off[done:]))
    old_to_new[done:] += written - done
    # An old row of a touched post goes where its period's refolded row went.
    starts = [sub_start[k] for k in touched]
    first_offsets = np.cumsum([0, *(len(blocks[k]) for k in touched)])
    for old, place in mapped.items():
        which = int(np.searchsorted(first_offsets, place, side="right")) - 1
        old_to_new[old] = starts[which] + place - int(first_offsets[which])

    def new_row(place: int) -> int:
        which = int(np.searchsorted(first_offsets, place, side="right")) - 1
        return starts[which] + place - int(first_offsets[which])

    fresh.sort()
    arrays = dict(a)
    for name in _VERSION_ARRAYS:
        arrays.pop(name, None)
    arrays["tenures"] = np.concatenate(pieces)
    arrays["post_first"] = np.concatenate(([0], np.cumsum(new_counts))).astype(np.int64)
    arrays["claims"] = np.concatenate(claim_pieces)
    arrays["claims_off"] = np.concatenate(([0], np.cumsum(np.concatenate(lengths)))).astype(np.int64)
    arrays["state_order"] = np.concatenate(
        (old_to_new[a["state_order"]], np.array([new_row(p) for _r, _n, p in fresh], np.int64))
    )
    # Each person's tenures in fold order: the old ones renumbered, then the new ones.
    person_off, person_rows = a["person_off"], a["person_rows"]
    renumbered = old_to_new[person_rows]
    added: dict[int, list[int]] = {}
    for _rank, person, place in fresh:
        added.setdefault(person, []).append(new_row(place))
    if added:
        at = np.concatenate([np.full(len(v), person_off[p + 1]) for p, v in sorted(added.items())])
        values = np.concatenate([np.array(v, np.int64) for _p, v in sorted(added.items())])
        renumbered = np.insert(renumbered, at, values)
        extra = np.zeros(len(person_off), np.int64)
        for person, rows in added.items():
            extra[person + 1 :] += len(rows)
        arrays["person_off"] = person_off + extra
    arrays["person_rows"] = renumbered.astype(person_rows.dtype)
    _people(arrays, a, persons, claims, state)
    arrays["idents_off"], arrays["idents"] = a["idents_off"], a["idents"]
    base = int(tables.meta["events"])
    seats = [base + n for n, e in enumerate(events) if _bears_on_seats(e)]
    arrays["seat_events"] = np.concatenate((a["seat_events"], np.array(seats, np.int64)))
    meta = dict(tables.meta)
    meta["events"] = base + len(events)
    meta["causes"] = sorted(claims.causes, key=claims.causes.__getitem__)
    meta["latest_known"] = max(int(meta["latest_known"]), *(int(e.known.last) for e in events))
    meta["last_key"] = (
        max(tuple(meta["last_key"]), tuple(last_key(events))) if meta["last_key"] else last_key(events)
    )
    meta["last_key"] = list(meta["last_key"])
    meta.pop("vcauses", None)
    assert n_posts == len(arrays["post_first"]) - 1
    return Tables(arrays, meta)


def _people(
    arrays: dict[str, Array],
    a: dict[str, Array],
    persons: set[int],
    claims: Claims,
    state: Any,
) -> None:
    """The custody spells and deaths of the touched ``persons`` as refolded; everyone else's copied."""
    if not persons:
        return

    # Spells: (starts, ends, charges) claims per spell; deaths: claims per person.
    spell_off, spell_claim_off, spell_claims = a["custody_off"], a["spell_claims_off"], a["spell_claims"]
    death_off, death_claims = a["death_off"], a["death_claims"]
    new_spells: list[Array] = []
    new_spell_lengths: list[Array] = []
    new_deaths: list[Array] = []
    spell_counts = np.diff(spell_off)
    death_counts = np.diff(death_off)
    done = 0
    for person in sorted(persons):
        s0, s1 = int(spell_off[done]), int(spell_off[person])
        new_spells.append(spell_claims[int(spell_claim_off[s0]) : int(spell_claim_off[s1])])
        new_spell_lengths.append(np.diff(spell_claim_off[s0 : s1 + 1]))
        new_deaths.append(death_claims[int(death_off[done]) : int(death_off[person])])
        person_id = _id(a, person)
        spells = state.custody_spells(person_id)
        local = Claims(claims.refs, claims.causes)
        for spell in spells:
            local.add(spell.starts, 0)
            local.add(spell.ends, END)
            local.add(spell.charges, CHARGE)
            local.close()
        offsets, rows = local.arrays()
        new_spells.append(rows)
        new_spell_lengths.append(np.diff(offsets))
        spell_counts[person] = len(spells)
        deaths = Claims(claims.refs, claims.causes)
        deaths.add(state.deaths.get(person_id, ()), 0)
        new_deaths.append(deaths.arrays()[1])
        death_counts[person] = len(state.deaths.get(person_id, ()))
        done = person + 1
    s0 = int(spell_off[done])
    new_spells.append(spell_claims[int(spell_claim_off[s0]) :])
    new_spell_lengths.append(np.diff(spell_claim_off[s0:]))
    new_deaths.append(death_claims[int(death_off[done]) :])
    arrays["custody_off"] = np.concatenate(([0], np.cumsum(spell_counts))).astype(np.int64)
    arrays["spell_claims"] = np.concatenate(new_spells).reshape(-1, 4)
    arrays["spell_claims_off"] = np.concatenate(([0], np.cumsum(np.concatenate(new_spell_lengths)))).astype(
        np.int64
    )
    arrays["death_off"] = np.concatenate(([0], np.cumsum(death_counts))).astype(np.int64)
    arrays["death_claims"] = np.concatenate(new_deaths).reshape(-1, 4)


def _bears_on_seats(event: Event) -> bool:
    """True for an event `EventIndex.for_seats` keeps."""
    if isinstance(event, RosterReported):
        return any(e.person is None and e.name is None for e in event.entries)
    return isinstance(event, Founded | Dissolved | DeclaredComplete)
