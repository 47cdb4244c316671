"""Every organisation's roster on one date as columns: one vectorised pass over the tenure arrays.

The holders come from NumPy filters and sorts over every tenure that can
overlap the date (the rules of `chronos.columnar._rows`, on whole arrays); the
seats nobody holds are unknown. Organisations whose posts the record says more
about (a founding, a dissolution, a vacancy, a declaration: `Rules.special`)
get their rows from the per-organisation path instead, which applies
`chronos.projections.seating` itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt

from chronos.columnar._build import T
from chronos.columnar._rows import HELD, UNKNOWN, order
from chronos.columnar._seats import Rules
from chronos.projections import Seat

if TYPE_CHECKING:
    from chronos.columnar.engine import Columnar

__all__ = ["RosterTable", "layout", "table"]

Array = npt.NDArray[Any]


@attrs.frozen(eq=False)
class RosterTable:
    """Rosters as columns: one row per seat, organisations in the order asked, empty seats included.

    ``org`` indexes ``orgs``; ``post`` is the post's place in roster order
    (`Columnar.post`), ``person`` an entity number (-1 for a seat nobody
    holds); ``tenure`` is the tenure row (-1 when nobody holds it); ``state``
    is 0 held, 1 vacant, 2 unknown. `seats`
    and `as_dict` build the `Seat` objects `Chronology.rosters` returns.
    """

    orgs: tuple[str, ...]
    org: Array
    post: Array
    person: Array
    certain: Array
    tenure: Array
    state: Array
    lo: int
    hi: int
    engine: Columnar = attrs.field(repr=False)

    def __len__(self) -> int:
        return len(self.org)

    def seats(self, org: str) -> tuple[Seat, ...]:
        """The seats of one organisation asked for."""
        return self.engine.seats_of(self.engine.number(org, "organisation"), self.lo, self.hi)

    def as_dict(self) -> dict[str, tuple[Seat, ...]]:
        """Every roster, by organisation id, as `Chronology.rosters` gives them."""
        return {org: self.seats(org) for org in self.orgs}


def table(
    engine: Columnar, names: tuple[str, ...], numbers: Array, lo: int, hi: int, rules: Rules
) -> RosterTable:
    """The rosters of the organisations ``numbers`` (named ``names``) on ``[lo, hi]``."""
    hits, rows = engine.view.overlapping(lo, hi)
    post, person = rows[:, T.POST], rows[:, T.PERSON]
    sure = (rows[:, T.S1] <= lo) & (rows[:, T.E0] > hi)
    # One seat per person at a post (`take_seat`): the first certain tenure, else the first.
    first_order = order(post, person + 1, ~sure, hits)
    post, person, sure, hits, s0 = (
        post[first_order],
        person[first_order],
        sure[first_order],
        hits[first_order],
        rows[first_order, T.S0],
    )
    first = np.ones(len(first_order), bool)
    first[1:] = (post[1:] != post[:-1]) | (person[1:] != person[:-1])
    post, person, sure, hits, s0 = post[first], person[first], sure[first], hits[first], s0[first]
    if rules.late(hi):
        sure = np.zeros(len(sure), bool)  # past the horizon nothing is certain
    # Seat order within a post: certain first, then by start, then by id (days may be BCE: shifted).
    shifted = s0 - s0.min() if len(s0) else s0
    seat_order = order(post, ~sure, shifted, engine.rank[person])
    post, person, sure, hits = post[seat_order], person[seat_order], sure[seat_order], hits[seat_order]
    held = np.bincount(post, minlength=engine.n_posts)
    held_at = np.concatenate(([0], np.cumsum(held)))
    # Every (organisation asked, post) pair, in roster order, and its rows: holders then empty seats.
    pair_org, pair_post, seats, pair_of_row, within = layout(engine, numbers)
    per_pair = held[pair_post]
    if bool(np.any(per_pair > seats)):  # a post over its seat count shows everyone: lay it out anew
        per_pair = np.maximum(seats, per_pair)
        pair_of_row = np.repeat(np.arange(len(pair_post)), per_pair)
        within = np.arange(int(per_pair.sum())) - np.repeat(np.cumsum(per_pair) - per_pair, per_pair)
    row_post = pair_post[pair_of_row]
    is_held = within < held[row_post]
    source = np.where(is_held, held_at[row_post] + within, 0)
    columns = [
        pair_org[pair_of_row],
        row_post,
        np.where(is_held, person[source] if len(person) else -1, -1),
        np.where(is_held, sure[source] if len(sure) else False, False),
        np.where(is_held, hits[source] if len(hits) else -1, -1),
        np.where(is_held, HELD, UNKNOWN).astype(np.int8),
    ]
    if rules.special:
        columns = _special(engine, columns, numbers, lo, hi, rules)
    org, post, person, certain, tenure, state = columns
    return RosterTable(names, org, post, person, certain, tenure, state, lo, hi, engine)


def layout(engine: Columnar, numbers: Array) -> tuple[Array, ...]:
    """Every (organisation asked, post) pair in roster order, and one row per seat of each.

    Returns the pairs' organisations and posts, their seat counts, and per
    seat row its pair and its place among the post's seats: the same for
    every date (kept for the last organisations asked).
    """
    key = numbers.tobytes()
    if engine.layout_cache is not None and engine.layout_cache[0] == key:
        return engine.layout_cache[1]
    spans = engine.org_spans(numbers)
    lengths = spans[:, 1] - spans[:, 0]
    pair_org = np.repeat(np.arange(len(numbers)), lengths)
    starts = np.repeat(spans[:, 0] - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    pair_post = np.arange(len(pair_org)) + starts
    seat_counts = engine.post_seats[pair_post].astype(np.int64)
    pair_of_row = np.repeat(np.arange(len(pair_post)), seat_counts)
    within = np.arange(int(seat_counts.sum())) - np.repeat(np.cumsum(seat_counts) - seat_counts, seat_counts)
    found = (pair_org, pair_post, seat_counts, pair_of_row, within)
    engine.layout_cache = (key, found)
    return found


def _special(
    engine: Columnar, columns: list[Array], numbers: Array, lo: int, hi: int, rules: Rules
) -> list[Array]:
    """``columns`` with the rows of organisations that have special posts taken from `Columnar.rows_of`."""
    special = np.zeros(engine.n_posts + 1, bool)
    special[list(rules.special)] = True
    spans = engine.org_spans(numbers)
    marks = np.concatenate(([0], np.cumsum(special[:-1])))
    touched = np.flatnonzero(marks[spans[:, 1]] > marks[spans[:, 0]])
    if not len(touched):
        return columns
    bounds = np.searchsorted(columns[0], np.arange(len(numbers) + 1))
    parts: list[list[Array]] = [[] for _ in columns]
    done = 0
    for which in touched.tolist():
        a, b = int(bounds[which]), int(bounds[which + 1])
        for part, column in zip(parts, columns, strict=True):
            part.append(column[done:a])
        posts, persons, certain, tenure_rows, states = engine.rows_of(int(numbers[which]), lo, hi, rules)
        fresh = [
            np.full(len(posts), which, columns[0].dtype),
            np.array(posts, columns[1].dtype),
            np.array(persons, columns[2].dtype),
            np.array(certain, bool),
            np.array(tenure_rows, columns[4].dtype),
            np.array(states, np.int8),
        ]
        for part, column in zip(parts, fresh, strict=True):
            part.append(column)
        done = b
    for part, column in zip(parts, columns, strict=True):
        part.append(column[done:])
    return [np.concatenate(part) for part in parts]
