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
from typing import Any, NamedTuple

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

__all__ = ["Refolded", "extend", "forward", "last_key", "refold", "touched_pairs"]

Array = npt.NDArray[Any]
#: The kinds whose folding `extend` follows (their subclasses fold alike).
_FORWARD = (Appointed, TenureEnded, Moved, Arrested, Released, Charged, Died, Founded, Dissolved)
#: Kinds that change nothing the columns hold but the seat evidence (`EventIndex.for_seats`), or nothing.
_SEATS_ONLY = (RosterReported, DeclaredComplete, Born, Renamed)
#: Versions: the bitemporal index is left out of an extended projection (extended on first use,
#: `chronos.columnar._versions_extend`).
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


def touched_pairs(
    tables: Tables,
    events: Sequence[Event],
    *,
    catalogue: Callable[[], Catalogue],
    number: Callable[[str], int],
) -> tuple[set[tuple[int, int]], set[int], bool]:
    """What ``events`` refold: (person, post) pairs (posts in roster order), people, any dissolution.

    A tenure event refolds its own pair; a death or vacating arrest every pair
    of its person; a dissolution every pair at its organisation's posts.
    """
    a = tables.arrays
    post_seq, tenures, post_first = a["post_seq"], a["tenures"], a["post_first"]
    person_off, person_rows = a["person_off"], a["person_rows"]
    seq_of = np.full(len(a["ent_kind"]), -1, np.int64)
    seq_of[post_seq] = np.arange(len(post_seq))
    pairs: set[tuple[int, int]] = set()
    people: set[int] = set()
    whole_posts: set[int] = set()
    dissolves = False
    for event in events:
        named = [getattr(event, f) for f, kind in type(event).references.items() if kind == "person"]
        person = number(named[0]) if named else -1
        if isinstance(event, Appointed | TenureEnded):
            pairs.add((person, int(seq_of[number(event.post)])))
        elif isinstance(event, Moved):
            pairs.update((person, int(seq_of[number(p)])) for p in (event.from_post, event.to_post))
        elif isinstance(event, Dissolved):
            dissolves = True
            whole_posts.update(int(seq_of[number(p.id)]) for p in catalogue().posts(event.org))
        if isinstance(event, Arrested | Released | Charged | Died):
            people.add(person)
        if isinstance(event, Died) or (isinstance(event, Arrested) and event.vacates):
            held = person_rows[int(person_off[person]) : int(person_off[person + 1])]
            pairs.update((person, int(k)) for k in tenures[held, T.POST].tolist())
    for k in whole_posts:
        pairs.update((int(n), k) for n in tenures[int(post_first[k]) : int(post_first[k + 1]), T.PERSON])
    return pairs, people, dissolves


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
    position and flags (`Columnar.event`); ``catalogue`` is parsed only when
    a dissolution is folded (it names the organisation's posts).
    """
    done = refold(tables, events, catalogue=catalogue, number=number, decode=decode, policy=policy)
    return _assemble(tables, events, *done)


class Refolded(NamedTuple):
    """What `refold` gives `_assemble`: the touched posts' new blocks, and what the fold found."""

    touched: list[int]
    blocks: dict[int, Block]
    fresh: list[tuple[int, int, int, int]]
    claims: Claims
    state: Any
    people: set[int]


def refold(
    tables: Tables,
    events: Sequence[Event],
    *,
    catalogue: Callable[[], Catalogue],
    number: Callable[[str], int],
    decode: Callable[[int, int], Event],
    policy: Policy,
) -> Refolded:
    """The rows of the posts ``events`` touch, refolded, without laying out the other rows (`extend`).

    Each touched post's block holds its every row in timeline order (the
    pairs refolded and the others as they were), as `extend` lays them in.
    """
    a = tables.arrays
    post_seq, tenures, post_first = a["post_seq"], a["tenures"], a["post_first"]
    pairs, people, dissolves = touched_pairs(tables, events, catalogue=catalogue, number=number)
    touched = sorted({k for _p, k in pairs})
    # The old rows of the refolded pairs, and the events their claims cite (as the fold saw them).
    old_rows = [
        row
        for k in touched
        for row in range(int(post_first[k]), int(post_first[k + 1]))
        if (int(tenures[row, T.PERSON]), k) in pairs
    ]
    cited: dict[tuple[int, int], Event] = {}

    def cite(rows: Array) -> None:
        for position, flags, _cause, ident in rows.tolist():
            key = (position, flags & REPLACEMENT)
            if key not in cited:
                cited[key] = decode(*key)
            if ident >= 0:
                raise AssertionError("an identified claim in a log without identifications")

    claims_off, claim_rows = a["claims_off"], a["claims"]
    for row in old_rows:
        cite(claim_rows[int(claims_off[row]) : int(claims_off[row + 1])])
    for person in people:
        off = a["spell_claims_off"]
        for spell in range(int(a["custody_off"][person]), int(a["custody_off"][person + 1])):
            cite(a["spell_claims"][int(off[spell]) : int(off[spell + 1])])
        cite(a["death_claims"][int(a["death_off"][person]) : int(a["death_off"][person + 1])])
    base = int(tables.meta["events"])
    refs = {id(event): key for key, event in cited.items()}
    for n, event in enumerate(events):
        refs[id(event)] = (base + n, 0)
    subset = [*cited.values(), *events]
    dissolves = dissolves or any(isinstance(e, Dissolved) for e in cited.values())
    # Only a dissolution reads the catalogue (the posts it ends): otherwise it is not parsed.
    state = project(subset, catalogue() if dissolves else Catalogue())
    claims = Claims(refs, {cause: n for n, cause in enumerate(tables.meta["causes"])})
    fold_rank = np.empty(len(tenures), np.int64)
    fold_rank[a["state_order"]] = np.arange(len(a["state_order"]))
    sub_rank = {id(p): n for n, p in enumerate(state.tenures)}
    blocks: dict[int, Block] = {}
    fresh: list[tuple[int, int, int, int]] = []  # (sub fold rank, person, post, place) of new periods
    for k in touched:
        post_id = _id(a, int(post_seq[k]))
        # Each entry: (first start day, fold rank, old row or -1, row, claims).
        entries: list[tuple[int, int, int, tuple[int, ...], Array]] = []
        old_of: dict[int, list[int]] = {}
        for row in range(int(post_first[k]), int(post_first[k + 1])):
            person = int(tenures[row, T.PERSON])
            if (person, k) in pairs:
                old_of.setdefault(person, []).append(row)
            else:
                rows = claim_rows[int(claims_off[row]) : int(claims_off[row + 1])]
                entries.append(
                    (int(tenures[row, T.S0]), int(fold_rank[row]), row, tuple(tenures[row].tolist()), rows)
                )
        refolded: dict[int, list[tuple[int, Any]]] = {}
        for period in state.tenures_at(post_id):
            person = number(period.person)
            if (person, k) in pairs:
                refolded.setdefault(person, []).append((sub_rank[id(period)], period))
        for person, found in refolded.items():
            found.sort(key=lambda rp: rp[0])
            olds = sorted(old_of.get(person, []), key=lambda r: int(fold_rank[r]))
            if len(olds) > len(found):
                raise AssertionError(f"refolding {post_id} lost a tenure of entity {person}")
            for n, (rank, period) in enumerate(found):
                tenure = tenure_of(state, period, policy)
                flags = (T.START_DISPUTED if tenure.start.disputed else 0) | (
                    T.END_DISPUTED if tenure.end.disputed else 0
                )
                line = (k, person, *(int(d) for d in _days(tenure)), 0, flags)
                local = Claims(refs, claims.causes)
                local.add(period.starts, 0)
                local.add(period.ends, END)
                local.close()
                old = olds[n] if n < len(olds) else -1
                rank_of = int(fold_rank[old]) if old >= 0 else len(tenures) + rank
                entries.append((int(tenure.start.first), rank_of, old, line, local.arrays()[1]))
        entries.sort(key=lambda e: (e[0], e[1]))
        matrix = np.array([e[3] for e in entries], np.int64).reshape(-1, T.WIDTH)
        if len(matrix):
            matrix[:, T.REACH] = np.maximum.accumulate(matrix[:, T.E1])
        lengths = np.array([len(e[4]) for e in entries], np.int64)
        claim_block = np.concatenate([e[4] for e in entries]).reshape(-1, 4) if entries else claim_rows[:0]
        blocks[k] = (matrix, claim_block, lengths, [e[2] for e in entries])
        fresh += [(e[1], e[3][T.PERSON], k, place) for place, e in enumerate(entries) if e[1] >= len(tenures)]
    return Refolded(touched, blocks, fresh, claims, state, people)


#: A touched post's new rows, their claims (and each row's count of them), and each row's old number or -1.
Block = tuple[Array, Array, Array, list[int]]


def _days(tenure: Any) -> tuple[Day, Day, Day, Day]:
    return tenure.start.first, tenure.start.last, tenure.end.first, tenure.end.last


def _id(arrays: dict[str, Array], number: int) -> str:
    off = arrays["ent_ids_off"]
    return bytes(arrays["ent_ids"][int(off[number]) : int(off[number + 1])]).decode("utf-8")


def _assemble(
    tables: Tables,
    events: Sequence[Event],
    touched: list[int],
    blocks: dict[int, Block],
    fresh: list[tuple[int, int, int, int]],
    claims: Claims,
    state: Any,
    people: set[int],
) -> Tables:
    """The new arrays: old slices between the touched posts' new blocks, every row number remapped."""
    a = tables.arrays
    tenures, post_first, claims_off, claim_rows = a["tenures"], a["post_first"], a["claims_off"], a["claims"]
    pieces: list[Array] = []
    claim_pieces: list[Array] = []
    lengths: list[Array] = []
    old_to_new = np.arange(len(tenures), dtype=np.int64)
    new_counts = np.diff(post_first)
    block_start: dict[int, int] = {}
    done = 0  # old rows copied or replaced so far
    written = 0  # rows in the new matrix so far
    for k in touched:
        t0, t1 = int(post_first[k]), int(post_first[k + 1])
        pieces.append(tenures[done:t0])
        claim_pieces.append(claim_rows[int(claims_off[done]) : int(claims_off[t0])])
        lengths.append(np.diff(claims_off[done : t0 + 1]))
        old_to_new[done:t0] += written - done
        written += t0 - done
        matrix, claim_block, counts, olds = blocks[k]
        block_start[k] = written
        for place, old in enumerate(olds):
            if old >= 0:
                old_to_new[old] = written + place
        pieces.append(matrix)
        claim_pieces.append(claim_block)
        lengths.append(counts)
        written += len(matrix)
        new_counts[k] = len(matrix)
        done = t1
    pieces.append(tenures[done:])
    claim_pieces.append(claim_rows[int(claims_off[done]) :])
    lengths.append(np.diff(claims_off[done:]))
    old_to_new[done:] += written - done
    fresh.sort()
    new_rows = [block_start[k] + place for _rank, _person, k, place in fresh]
    arrays = dict(a)
    for name in _VERSION_ARRAYS:
        arrays.pop(name, None)
    arrays["tenures"] = np.concatenate(pieces)
    arrays["post_first"] = np.concatenate(([0], np.cumsum(new_counts))).astype(np.int64)
    arrays["claims"] = np.concatenate(claim_pieces)
    arrays["claims_off"] = np.concatenate(([0], np.cumsum(np.concatenate(lengths)))).astype(np.int64)
    arrays["state_order"] = np.concatenate((old_to_new[a["state_order"]], np.array(new_rows, np.int64)))
    # Each person's tenures in fold order: the old ones renumbered, then the new ones.
    person_off, person_rows = a["person_off"], a["person_rows"]
    renumbered = old_to_new[person_rows]
    added: dict[int, list[int]] = {}
    for (_rank, person, _k, _place), row in zip(fresh, new_rows, strict=True):
        added.setdefault(person, []).append(row)
    if added:
        at = np.concatenate([np.full(len(v), person_off[p + 1]) for p, v in sorted(added.items())])
        values = np.concatenate([np.array(v, np.int64) for _p, v in sorted(added.items())])
        renumbered = np.insert(renumbered, at, values)
        extra = np.zeros(len(person_off), np.int64)
        for person, rows in added.items():
            extra[person + 1 :] += len(rows)
        arrays["person_off"] = person_off + extra
    arrays["person_rows"] = renumbered.astype(person_rows.dtype)
    _people(arrays, a, people, claims, state)
    base = int(tables.meta["events"])
    seats = [base + n for n, e in enumerate(events) if _bears_on_seats(e)]
    arrays["seat_events"] = np.concatenate((a["seat_events"], np.array(seats, np.int64)))
    meta = dict(tables.meta)
    meta["events"] = base + len(events)
    meta["causes"] = sorted(claims.causes, key=claims.causes.__getitem__)
    meta["latest_known"] = max(int(meta["latest_known"]), *(int(e.known.last) for e in events))
    meta["last_key"] = last_key(events) or meta["last_key"]  # `forward`: the new events sort last
    meta.pop("vcauses", None)
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
