"""Extending a projection with appended events, refolding only the posts they touch.

When every appended event only adds to history (see `forward`), the whole
log's fold is the fold of the old log with the new events folded after it
(they sort after every old event, and nothing withdraws or re-identifies
anything). Such events change only the tenures of the posts they name (and of
the posts of an organisation they dissolve) and of the people they name:
their persons' deaths and vacating arrests end what those people hold. So
`extend` gathers every tenure row at those posts and at the posts those people
hold, decodes the events their claims cite (and the people's custody and
death claims), and folds those with the new events through `project` (the
object engine's own fold). `grow` keeps the refolded posts' rows, and the
touched people's, as an overlay on the old tables (`chronos.columnar._overlay`:
nothing else is copied; an overlaid projection grows a new overlay on the same
base); `extend` lays them out as full tables. An event that reaches back (a
retraction, a correction, an identification, anything dated before the old
log's last event or any kind this module does not know) makes `forward`
false, and the caller rebuilds everything. The property tests in
tests/test_columnar.py hold an extended projection, overlaid or laid out,
equal to a rebuilt one.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from chronos._fast.gc import paused_gc
from chronos.columnar._build import CHARGE, END, REPLACEMENT, Claims, T
from chronos.columnar._overlay import View, materialise, overlay_tables
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

__all__ = ["Refolded", "extend", "forward", "grow", "last_key", "refold", "touched_pairs"]

Array = npt.NDArray[Any]
#: The kinds whose folding `extend` follows (their subclasses fold alike).
_FORWARD = (Appointed, TenureEnded, Moved, Arrested, Released, Charged, Died, Founded, Dissolved)
#: Kinds that change nothing the columns hold but the seat evidence (`EventIndex.for_seats`), or nothing.
_SEATS_ONLY = (RosterReported, DeclaredComplete, Born, Renamed)


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
    view = View(tables)
    post_seq = tables.arrays["post_seq"]
    seq_of = np.full(len(tables.arrays["ent_kind"]), -1, np.int64)
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
            pairs.update((person, int(view.row(r)[T.POST])) for r in view.person_rows(person))
    for k in whole_posts:
        pairs.update((int(n), k) for n in view.post(k)[0][:, T.PERSON].tolist())
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
    """`grow`, laid out as full tables (`chronos.columnar._overlay.materialise`)."""
    grown = grow(tables, events, catalogue=catalogue, number=number, decode=decode, policy=policy)
    return materialise(grown)


def grow(
    tables: Tables,
    events: Sequence[Event],
    *,
    catalogue: Callable[[], Catalogue],
    number: Callable[[str], int],
    decode: Callable[[int, int], Event],
    policy: Policy,
) -> Tables:
    """``tables`` with ``events`` (appended after its last) folded in, as an overlay; `forward` must hold.

    ``number`` gives an entity's number, ``decode`` an old claim's event by
    position and flags (`Columnar.event`); ``catalogue`` is parsed only when
    a dissolution is folded (it names the organisation's posts). Only the
    touched posts' and people's rows are made: the result overlays the base
    of ``tables`` (``tables`` itself, or the base it overlays).
    """
    # A fold makes many small objects and frees few: collecting meanwhile is wasted work (and a
    # full collection of the caller's heap can cost more than the fold).
    with paused_gc():
        done = refold(tables, events, catalogue=catalogue, number=number, decode=decode, policy=policy)
        return _overlay(View(tables), tables, events, done.blocks, done.claims, done.state, done.people)


class Refolded(NamedTuple):
    """What `refold` finds: the touched posts' new blocks, and what the fold of their events found."""

    touched: list[int]
    #: Each touched post's rows in timeline order (the pairs refolded, the others as they were).
    blocks: dict[int, Block]
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
    """The rows of the posts ``events`` touch, refolded, and nothing else laid out (`grow`, `extend`).

    Each touched post's block holds its every row in timeline order, and
    each row's claims and fold rank; ``tables`` may be full or an overlay.
    """
    view = View(tables)
    pairs, people, dissolves = touched_pairs(tables, events, catalogue=catalogue, number=number)
    touched = sorted({k for _p, k in pairs})
    # The rows of each touched post, and the events the refolded pairs' claims cite (as the fold saw them).
    at_post = {k: view.post(k) for k in touched}
    cited: dict[tuple[int, int], Event] = {}

    def cite(rows: Array) -> None:
        for position, flags, _cause, ident in rows.tolist():
            key = (position, flags & REPLACEMENT)
            if key not in cited:
                cited[key] = decode(*key)
            if ident >= 0:
                raise AssertionError("an identified claim in a log without identifications")

    for k in touched:
        matrix, numbers = at_post[k]
        for person, row in zip(matrix[:, T.PERSON].tolist(), numbers.tolist(), strict=True):
            if (person, k) in pairs:
                cite(view.claims(row))
    for person in people:
        for spell in view.spells(person):
            cite(spell)
        cite(view.deaths(person))
    base = int(tables.meta["events"])
    refs = {id(event): key for key, event in cited.items()}
    for n, event in enumerate(events):
        refs[id(event)] = (base + n, 0)
    subset = [*cited.values(), *events]
    dissolves = dissolves or any(isinstance(e, Dissolved) for e in cited.values())
    # Only a dissolution reads the catalogue (the posts it ends): otherwise it is not parsed.
    state = project(subset, catalogue() if dissolves else Catalogue())
    claims = Claims(refs, {cause: n for n, cause in enumerate(tables.meta["causes"])})
    sub_rank = {id(p): n for n, p in enumerate(state.tenures)}
    x = view.x
    # New periods rank after every period of the fold so far, in the order this fold made them.
    after = max(view.n_base, int(x["x_rank"].max()) + 1 if x and len(x["x_rank"]) else 0)
    made = _Made()
    for k in touched:
        _refold(view, k, pairs, state, sub_rank, after, claims, number, policy, made)
    return Refolded(touched, made.blocks(), claims, state, people)


#: A touched post's rows in timeline order, their claims (and each row's count of them), their fold ranks.
Block = tuple[Array, Array, Array, Array]


class _Made:
    """The refolded posts' rows, gathered as lists and made into arrays once (`blocks`)."""

    def __init__(self) -> None:
        self.posts: list[int] = []
        self.counts: list[int] = []
        self.lines: list[list[int]] = []
        self.ranks: list[int] = []
        self.claims: list[Any] = []
        self.lengths: list[int] = []

    def blocks(self) -> dict[int, Block]:
        """Each post's `Block`: views of one array per column."""
        lines = np.array(self.lines, np.int64).reshape(-1, T.WIDTH)
        ranks = np.array(self.ranks, np.int64)
        claims = np.array(self.claims, np.int64).reshape(-1, 4)
        lengths = np.array(self.lengths, np.int64)
        at = np.concatenate(([0], np.cumsum(self.counts))).tolist()
        claim_at = np.concatenate(([0], np.cumsum(lengths))).tolist()
        return {
            k: (
                lines[at[n] : at[n + 1]],
                claims[claim_at[at[n]] : claim_at[at[n + 1]]],
                lengths[at[n] : at[n + 1]],
                ranks[at[n] : at[n + 1]],
            )
            for n, k in enumerate(self.posts)
        }


def _refold(
    view: View,
    k: int,
    pairs: set[tuple[int, int]],
    state: Any,
    sub_rank: dict[int, int],
    after: int,
    claims: Claims,
    number: Callable[[str], int],
    policy: Policy,
    made: _Made,
) -> None:
    """Post ``k``'s rows with the refolded pairs' periods in place of their old rows, added to ``made``."""
    post_id = _id(view.tables.arrays, int(view.tables.arrays["post_seq"][k]))
    matrix, ranks, claim_rows, claim_off = view.post_detail(k)
    rank_list, off = ranks.tolist(), claim_off.tolist()
    cited = claim_rows.tolist()
    # Each entry: (first start day, fold rank, row, claims).
    entries: list[tuple[int, int, list[int], list[Any]]] = []
    old_of: dict[int, list[int]] = {}
    for i, line in enumerate(matrix.tolist()):
        person = line[T.PERSON]
        if (person, k) in pairs:
            old_of.setdefault(person, []).append(rank_list[i])
        else:
            entries.append((line[T.S0], rank_list[i], line, cited[off[i] : off[i + 1]]))
    refolded: dict[int, list[tuple[int, Any]]] = {}
    for period in state.tenures_at(post_id):
        person = number(period.person)
        if (person, k) in pairs:
            refolded.setdefault(person, []).append((sub_rank[id(period)], period))
    for person, found in refolded.items():
        found.sort(key=lambda rp: rp[0])
        olds = sorted(old_of.get(person, []))
        if len(olds) > len(found):
            raise AssertionError(f"refolding {post_id} lost a tenure of entity {person}")
        for n, (rank, period) in enumerate(found):
            tenure = tenure_of(state, period, policy)
            flags = (T.START_DISPUTED if tenure.start.disputed else 0) | (
                T.END_DISPUTED if tenure.end.disputed else 0
            )
            line = [k, person, *(int(d) for d in _days(tenure)), 0, flags]
            local = Claims(claims.refs, claims.causes)
            local.add(period.starts, 0)
            local.add(period.ends, END)
            rank_of = olds[n] if n < len(olds) else after + rank
            entries.append((line[T.S0], rank_of, line, local.rows))
    entries.sort(key=lambda e: (e[0], e[1]))
    reach = int(Day.min)
    for _s0, rank, line, rows in entries:
        reach = max(reach, line[T.E1])
        line[T.REACH] = reach
        made.lines.append(line)
        made.ranks.append(rank)
        made.claims += rows
        made.lengths.append(len(rows))
    made.posts.append(k)
    made.counts.append(len(entries))


_NO_CLAIMS = np.zeros((0, 4), np.int64)


def _days(tenure: Any) -> tuple[Day, Day, Day, Day]:
    return tenure.start.first, tenure.start.last, tenure.end.first, tenure.end.last


def _id(arrays: dict[str, Array], number: int) -> str:
    off = arrays["ent_ids_off"]
    return arrays["ent_ids"][int(off[number]) : int(off[number + 1])].tobytes().decode("utf-8")


def _overlay(
    view: View,
    tables: Tables,
    events: Sequence[Event],
    blocks: dict[int, Block],
    claims: Claims,
    state: Any,
    people: set[int],
) -> Tables:
    """The new overlay: the blocks of the posts touched now, and the old overlay's other posts, in order."""
    x = view.x
    parts: list[Block] = []
    posts = sorted(set(view.posts) | set(blocks))
    for k in posts:
        if k in blocks:
            parts.append(blocks[k])
            continue
        at = bisect.bisect_left(view.posts, k)
        i0, i1 = view._first[at], view._first[at + 1]
        off = x["x_claims_off"]
        parts.append(
            (
                x["x_tenures"][i0:i1],
                x["x_claims"][int(off[i0]) : int(off[i1])],
                np.diff(off[i0 : i1 + 1]),
                x["x_rank"][i0:i1],
            )
        )
    counts = [len(p[0]) for p in parts]
    lengths = np.concatenate([np.zeros(0, np.int64), *(p[2] for p in parts)])
    out: dict[str, Any] = {
        "x_posts": np.array(posts, np.int64),
        "x_first": np.concatenate(([0], np.cumsum(counts))).astype(np.int64),
        "x_tenures": np.concatenate([np.zeros((0, T.WIDTH), np.int64), *(p[0] for p in parts)]),
        "x_claims": np.concatenate([_NO_CLAIMS, *(p[1] for p in parts)]),
        "x_claims_off": np.concatenate(([0], np.cumsum(lengths))).astype(np.int64),
        "x_rank": np.concatenate([np.zeros(0, np.int64), *(p[3] for p in parts)]).astype(np.int64),
    }
    out.update(_people(view, people, claims, state))
    base = int(tables.meta["events"])
    seats = [base + n for n, e in enumerate(events) if _bears_on_seats(e)]
    old_seats = x["x_seat_events"] if x else np.zeros(0, np.int64)
    out["x_seat_events"] = np.concatenate((old_seats, np.array(seats, np.int64))).astype(np.int64)
    if x and "x_ev_offsets" in x:
        out["x_ev_offsets"] = x["x_ev_offsets"]  # the caller adds the new records' (`Tables` of a log)
    meta = dict(tables.meta)
    meta["events"] = base + len(events)
    meta["causes"] = sorted(claims.causes, key=claims.causes.__getitem__)
    meta["latest_known"] = max([int(meta["latest_known"]), *(int(e.known.last) for e in events)])
    meta["last_key"] = last_key(events) or meta["last_key"]  # `forward`: the new events sort last
    meta.pop("vcauses", None)
    return overlay_tables(view, out, meta)


def _people(view: View, persons: set[int], claims: Claims, state: Any) -> dict[str, Array]:
    """The custody spells and deaths of every person the overlay holds: touched now (refolded), or before."""
    everyone = sorted(persons | set(view._people))
    spell_counts: list[int] = []
    spell_lengths: list[int] = []
    spell_rows: list[Array] = []
    death_counts: list[int] = []
    death_rows: list[Array] = []
    for person in everyone:
        if person in persons:
            person_id = _id(view.tables.arrays, person)
            spells = state.custody_spells(person_id)
            found = []
            for spell in spells:
                local = Claims(claims.refs, claims.causes)
                local.add(spell.starts, 0)
                local.add(spell.ends, END)
                local.add(spell.charges, CHARGE)
                local.close()
                found.append(local.arrays()[1])
            deaths = Claims(claims.refs, claims.causes)
            deaths.add(state.deaths.get(person_id, ()), 0)
            died = deaths.arrays()[1]
        else:
            found, died = view.spells(person), view.deaths(person)
        spell_counts.append(len(found))
        spell_lengths += [len(f) for f in found]
        spell_rows += found
        death_counts.append(len(died))
        death_rows.append(died)
    return {
        "x_people": np.array(everyone, np.int64),
        "x_custody_off": np.concatenate(([0], np.cumsum(spell_counts))).astype(np.int64),
        "x_spell_claims_off": np.concatenate(([0], np.cumsum(spell_lengths))).astype(np.int64),
        "x_spell_claims": np.concatenate([_NO_CLAIMS, *spell_rows]).reshape(-1, 4),
        "x_death_off": np.concatenate(([0], np.cumsum(death_counts))).astype(np.int64),
        "x_death_claims": np.concatenate([_NO_CLAIMS, *death_rows]).reshape(-1, 4),
    }


def _bears_on_seats(event: Event) -> bool:
    """True for an event `EventIndex.for_seats` keeps."""
    if isinstance(event, RosterReported):
        return any(e.person is None and e.name is None for e in event.entries)
    return isinstance(event, Founded | Dissolved | DeclaredComplete)
