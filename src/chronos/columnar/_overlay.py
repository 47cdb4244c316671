"""A projection extended by an overlay: the rows an append refolded, kept beside the base's mapped arrays.

Extending a projection after an append (`chronos.columnar._extend`) changes
the rows of a few posts and people. Copying every table to lay those rows in
place costs as much as the tables weigh (about 200 MB at a million events),
so the extension is kept as an **overlay** instead: the new rows of every
post it touched (``x_tenures``, each post's run after ``x_posts``/``x_first``,
their claims), the custody and death claims of the people it touched, the
new seat events and record offsets. `View` answers for base and overlay
together, and `materialise` lays them out as full tables again (the
compaction, done in the background or when the overlay grows past a bound).

Rows are numbered in one space: the base's tenure rows first, then the
overlay's (``n_base + i``). A base row at a touched post is dead; its
replacement in the overlay has its **fold rank** (the place of its period in
the fold, ``state_order``): ranks below ``n_base`` take the place of the base
row of that rank, higher ones come after every base row, in rank order. So
the fold order, and each person's tenures in it, follow from the ranks alone,
and an extension of an overlaid projection makes a new overlay on the same
base.
"""

from __future__ import annotations

import bisect
from typing import Any

import numpy as np
import numpy.typing as npt

from chronos.columnar._build import T
from chronos.columnar._tables import Tables, shared

__all__ = ["View", "materialise", "overlay_tables"]

Array = npt.NDArray[Any]
#: An empty block of claim rows.
_NO_CLAIMS = np.zeros((0, 4), np.int64)


class View:
    """The tenure rows, claims and people of full tables, or of an overlay and its base, read as one."""

    def __init__(self, tables: Tables):
        self.tables = tables
        base = tables.base if tables.base is not None else tables
        self.base = base.arrays
        b = self.base
        self.tenures, self.post_first = b["tenures"], b["post_first"]
        self.claims_off, self.claims_rows = b["claims_off"], b["claims"]
        self.n_base = len(self.tenures)
        x = tables.arrays if tables.base is not None else {}
        self.x = x
        self.overlaid = bool(x)
        self.x_tenures: Array = x.get("x_tenures", np.zeros((0, T.WIDTH), np.int64))
        self.n_rows = self.n_base + len(self.x_tenures)
        #: The touched posts (roster order), sorted, and where each one's rows start in the overlay.
        self.posts: list[int] = x["x_posts"].tolist() if x else []
        self._first: list[int] = x["x_first"].tolist() if x else [0]
        self._people: list[int] = x["x_people"].tolist() if x else []
        self._by_rank: dict[int, int] | None = None
        self._fresh: dict[int, list[int]] | None = None

    # Posts ------------------------------------------------------------------------------

    def any_touched(self, first: int, stop: int) -> bool:
        """True when a post in ``[first, stop)`` has its rows in the overlay."""
        if not self.posts:
            return False
        at = bisect.bisect_left(self.posts, first)
        return at < len(self.posts) and self.posts[at] < stop

    def block(self, first: int, stop: int) -> tuple[Array, Array]:
        """The rows of the posts ``[first, stop)`` (each post's in timeline order) and their row numbers."""
        t0, t1 = int(self.post_first[first]), int(self.post_first[stop])
        if not self.any_touched(first, stop):
            return self.tenures[t0:t1], np.arange(t0, t1)
        parts: list[Array] = []
        numbers: list[Array] = []
        for k in range(first, stop):
            matrix, rows = self.post(k)
            parts.append(matrix)
            numbers.append(rows)
        return np.concatenate(parts), np.concatenate(numbers)

    def holding(self, first: int, stop: int, lo: int, hi: int) -> tuple[list[list[int]], list[int]]:
        """The rows of the posts ``[first, stop)`` that start by ``hi`` and possibly end after ``lo``.

        As `block` gives them (post, person and the four days only), and their row numbers.
        """
        t0, t1 = self.post_first[first : stop + 1 : stop - first].tolist() if stop > first else (0, 0)
        if self.any_touched(first, stop):
            block, numbers = self.block(first, stop)
        else:
            block, numbers = self.tenures[t0:t1], None
        # Only the rows that can hold go to Python (a few of the organisation's).
        hit = np.flatnonzero((block[:, T.S0] <= hi) & (block[:, T.E1] > lo))
        found: list[list[int]] = block[hit, : T.E1 + 1].tolist()
        return found, (hit + t0 if numbers is None else numbers[hit]).tolist()

    def post(self, k: int) -> tuple[Array, Array]:
        """The rows of post ``k`` (roster order) in timeline order, and their row numbers."""
        at = bisect.bisect_left(self.posts, k)
        if at < len(self.posts) and self.posts[at] == k:
            i0, i1 = self._first[at], self._first[at + 1]
            return self.x_tenures[i0:i1], np.arange(self.n_base + i0, self.n_base + i1)
        t0, t1 = int(self.post_first[k]), int(self.post_first[k + 1])
        return self.tenures[t0:t1], np.arange(t0, t1)

    def post_detail(self, k: int) -> tuple[Array, Array, Array, Array]:
        """Post ``k``'s rows (as `post`), their fold ranks, their claims and where each row's start."""
        at = bisect.bisect_left(self.posts, k)
        if at < len(self.posts) and self.posts[at] == k:
            i0, i1 = self._first[at], self._first[at + 1]
            x, off = self.x, self.x["x_claims_off"][i0 : i1 + 1]
            claims = x["x_claims"][int(off[0]) : int(off[-1])]
            return self.x_tenures[i0:i1], x["x_rank"][i0:i1], claims, off - off[0]
        t0, t1 = int(self.post_first[k]), int(self.post_first[k + 1])
        off = self.claims_off[t0 : t1 + 1]
        claims = self.claims_rows[int(off[0]) : int(off[-1])]
        return self.tenures[t0:t1], self.base["state_rank"][t0:t1], claims, off - off[0]

    def touched_mask(self) -> Array:
        """Per post (roster order), whether its rows are the overlay's."""
        mask = np.zeros(len(self.post_first) - 1, bool)
        mask[self.posts] = True
        return mask

    # Rows -------------------------------------------------------------------------------

    def row(self, row: int) -> Array:
        """Tenure row ``row`` (`T` columns)."""
        found: Array = self.tenures[row] if row < self.n_base else self.x_tenures[row - self.n_base]
        return found

    def claims(self, row: int) -> Array:
        """The claim rows of tenure ``row``."""
        if row < self.n_base:
            return self.claims_rows[int(self.claims_off[row]) : int(self.claims_off[row + 1])]
        i = row - self.n_base
        off = self.x["x_claims_off"]
        return self.x["x_claims"][int(off[i]) : int(off[i + 1])]

    def rank(self, row: int) -> int:
        """The fold rank of tenure ``row``: its period's place in the fold."""
        if row < self.n_base:
            return int(self.base["state_rank"][row])
        return int(self.x["x_rank"][row - self.n_base])

    def overlapping(self, lo: int, hi: int) -> tuple[Array, Array]:
        """The rows that start by ``hi`` and possibly end after ``lo``: their numbers and their columns."""
        tenures = self.tenures
        hits = np.flatnonzero((tenures[:, T.S0] <= hi) & (tenures[:, T.E1] > lo))
        if not self.overlaid:
            return hits, tenures[hits]
        hits = hits[~self.touched_mask()[tenures[hits, T.POST]]]
        x = self.x_tenures
        more = np.flatnonzero((x[:, T.S0] <= hi) & (x[:, T.E1] > lo))
        return np.concatenate((hits, more + self.n_base)), np.concatenate((tenures[hits], x[more]))

    def state_order(self) -> Array:
        """Every tenure row in fold order (the order of `State.tenures`)."""
        order = np.asarray(self.base["state_order"], np.int64)
        if not self.overlaid:
            return order
        ranks = np.asarray(self.x["x_rank"], np.int64)
        old = ranks < self.n_base
        order = order.copy()
        order[ranks[old]] = np.flatnonzero(old) + self.n_base
        new = np.flatnonzero(~old)
        return np.concatenate((order, new[np.argsort(ranks[new], kind="stable")] + self.n_base))

    # People -----------------------------------------------------------------------------

    def person_rows(self, person: int) -> list[int]:
        """Tenure rows of ``person`` in fold order."""
        off = self.base["person_off"]
        rows = self.base["person_rows"][int(off[person]) : int(off[person + 1])].tolist()
        if not self.overlaid:
            return list(rows)
        if self._by_rank is None:
            self._index()
        assert self._by_rank is not None
        assert self._fresh is not None
        rank, by_rank = self.base["state_rank"], self._by_rank
        mapped = [by_rank.get(int(rank[r]), r) for r in rows]
        return mapped + self._fresh.get(person, [])

    def _index(self) -> None:
        """The overlay's rows by the rank they take over, and its new rows by person in fold order."""
        ranks = self.x["x_rank"].tolist()
        persons = self.x_tenures[:, T.PERSON].tolist()
        self._by_rank = {r: self.n_base + i for i, r in enumerate(ranks) if r < self.n_base}
        fresh: dict[int, list[tuple[int, int]]] = {}
        for i, (r, person) in enumerate(zip(ranks, persons, strict=True)):
            if r >= self.n_base:
                fresh.setdefault(person, []).append((r, self.n_base + i))
        self._fresh = {p: [row for _r, row in sorted(found)] for p, found in fresh.items()}

    def person_touched(self, person: int) -> int:
        """The place of ``person`` among the overlay's people, -1 when the base has theirs."""
        at = bisect.bisect_left(self._people, person)
        return at if at < len(self._people) and self._people[at] == person else -1

    def spells(self, person: int) -> list[Array]:
        """The claim rows of each of ``person``'s spells in custody."""
        at = self.person_touched(person)
        if at < 0:
            a = self.base
            off, claim_off, claims = a["custody_off"], a["spell_claims_off"], a["spell_claims"]
            s0, s1 = int(off[person]), int(off[person + 1])
        else:
            x = self.x
            off, claim_off, claims = x["x_custody_off"], x["x_spell_claims_off"], x["x_spell_claims"]
            s0, s1 = int(off[at]), int(off[at + 1])
        return [claims[int(claim_off[s]) : int(claim_off[s + 1])] for s in range(s0, s1)]

    def deaths(self, person: int) -> Array:
        """The claim rows of ``person``'s death."""
        at = self.person_touched(person)
        if at < 0:
            off, claims, i = self.base["death_off"], self.base["death_claims"], person
        else:
            off, claims, i = self.x["x_death_off"], self.x["x_death_claims"], at
        return claims[int(off[i]) : int(off[i + 1])]

    # Positions --------------------------------------------------------------------------

    def seat_events(self) -> Array:
        """The positions of the events that bear on seats."""
        found = self.base["seat_events"]
        return np.concatenate((found, self.x["x_seat_events"])) if self.overlaid else found

    def ev_offsets(self) -> Array | None:
        """Each record's (segment, start, end) in a JSON Lines log, None when not noted."""
        found = self.base.get("ev_offsets")
        if found is None or not self.overlaid:
            return found
        more = self.x.get("x_ev_offsets")
        return None if more is None else np.concatenate((found, more))


def overlay_tables(view: View, parts: dict[str, Any], meta: dict[str, Any]) -> Tables:
    """Tables overlaying the base of ``view`` with ``parts`` (every ``x_`` array) and ``meta``."""
    base = view.tables.base if view.tables.base is not None else view.tables
    return Tables({**shared(base.arrays), **parts}, meta, base=base)


def materialise(tables: Tables) -> Tables:
    """Full tables equal to an overlay and its base (``tables`` themselves when not an overlay)."""
    if tables.base is None:
        return tables
    view = View(tables)
    b, x = view.base, view.x
    n = view.n_base
    new_of_base = np.arange(n, dtype=np.int64)
    new_of_x = np.empty(len(view.x_tenures), np.int64)
    pieces, claim_pieces, lengths = [], [], []
    counts = np.diff(b["post_first"])
    done = written = 0
    x_off = x["x_claims_off"]
    for at, k in enumerate(view.posts):
        t0, t1 = int(b["post_first"][k]), int(b["post_first"][k + 1])
        i0, i1 = view._first[at], view._first[at + 1]
        pieces += [b["tenures"][done:t0], view.x_tenures[i0:i1]]
        claim_pieces += [
            b["claims"][int(b["claims_off"][done]) : int(b["claims_off"][t0])],
            x["x_claims"][int(x_off[i0]) : int(x_off[i1])],
        ]
        lengths += [np.diff(b["claims_off"][done : t0 + 1]), np.diff(x_off[i0 : i1 + 1])]
        new_of_base[done:t0] += written - done
        written += t0 - done
        new_of_x[i0:i1] = np.arange(written, written + i1 - i0)
        written += i1 - i0
        counts[k] = i1 - i0
        done = t1
    pieces.append(b["tenures"][done:])
    claim_pieces.append(b["claims"][int(b["claims_off"][done]) :])
    lengths.append(np.diff(b["claims_off"][done:]))
    new_of_base[done:] += written - done

    def renumber(rows: Array) -> Array:
        rows = np.asarray(rows, np.int64)
        out = np.empty(len(rows), np.int64)
        low = rows < n
        out[low] = new_of_base[rows[low]]
        out[~low] = new_of_x[rows[~low] - n]
        return out

    arrays = shared(b)
    arrays["tenures"] = np.concatenate(pieces).reshape(-1, T.WIDTH)
    arrays["post_first"] = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    arrays["claims"] = np.concatenate(claim_pieces).reshape(-1, 4)
    arrays["claims_off"] = np.concatenate(([0], np.cumsum(np.concatenate(lengths)))).astype(np.int64)
    order = renumber(view.state_order())
    arrays["state_order"] = order.astype(np.int32)
    arrays["state_rank"] = np.empty(len(order), np.int64)
    arrays["state_rank"][order] = np.arange(len(order))
    _people_arrays(view, arrays, renumber)
    arrays["seat_events"] = view.seat_events()
    offsets = view.ev_offsets()
    if offsets is not None:
        arrays["ev_offsets"] = offsets
    return Tables(arrays, dict(tables.meta))


def _people_arrays(view: View, arrays: dict[str, Array], renumber: Any) -> None:
    """Each person's tenure rows, custody and death claims, laid out whole (`materialise`)."""
    b, x = view.base, view.x
    n_people = len(b["person_off"]) - 1
    # Each person's rows: the base's (those at touched posts replaced by rank), then the new ones.
    base_rows = np.asarray(b["person_rows"], np.int64)
    by_rank = np.full(view.n_base + 1, -1, np.int64)
    ranks = np.asarray(x["x_rank"], np.int64)
    old = ranks < view.n_base
    by_rank[ranks[old]] = np.flatnonzero(old) + view.n_base
    replaced = by_rank[np.asarray(b["state_rank"], np.int64)[base_rows]] if len(base_rows) else base_rows
    rows = renumber(np.where(replaced >= 0, replaced, base_rows))
    view._index()
    assert view._fresh is not None
    fresh = sorted(view._fresh.items())
    person_off = np.asarray(b["person_off"], np.int64)
    if fresh:
        at = np.concatenate([np.full(len(found), person_off[p + 1]) for p, found in fresh])
        rows = np.insert(rows, at, renumber(np.concatenate([np.array(f, np.int64) for _p, f in fresh])))
        extra = np.zeros(n_people + 1, np.int64)
        for person, found in fresh:
            extra[person + 1 :] += len(found)
        person_off = person_off + extra
    arrays["person_off"] = person_off
    arrays["person_rows"] = rows.astype(np.int32)
    # Custody and deaths: the base's runs between the touched people, each touched one's from the overlay.
    off, claim_off = b["custody_off"], b["spell_claims_off"]
    spell_counts, death_counts = np.diff(off), np.diff(b["death_off"])
    spells: list[Array] = []
    spell_lengths: list[Array] = []
    deaths: list[Array] = []
    done = 0
    for person in view._people:
        s0, s1 = int(off[done]), int(off[person])
        spells.append(b["spell_claims"][int(claim_off[s0]) : int(claim_off[s1])])
        spell_lengths.append(np.diff(claim_off[s0 : s1 + 1]))
        deaths.append(b["death_claims"][int(b["death_off"][done]) : int(b["death_off"][person])])
        theirs = view.spells(person)
        spells += theirs
        spell_lengths.append(np.array([len(f) for f in theirs], np.int64))
        spell_counts[person] = len(theirs)
        deaths.append(view.deaths(person))
        death_counts[person] = len(deaths[-1])
        done = person + 1
    s0 = int(off[done])
    spells.append(b["spell_claims"][int(claim_off[s0]) :])
    spell_lengths.append(np.diff(claim_off[s0:]))
    deaths.append(b["death_claims"][int(b["death_off"][done]) :])
    arrays["custody_off"] = np.concatenate(([0], np.cumsum(spell_counts))).astype(np.int64)
    arrays["spell_claims_off"] = np.concatenate(([0], np.cumsum(np.concatenate(spell_lengths)))).astype(
        np.int64
    )
    arrays["spell_claims"] = np.concatenate([_NO_CLAIMS, *spells]).reshape(-1, 4)
    arrays["death_off"] = np.concatenate(([0], np.cumsum(death_counts))).astype(np.int64)
    arrays["death_claims"] = np.concatenate([_NO_CLAIMS, *deaths]).reshape(-1, 4)
