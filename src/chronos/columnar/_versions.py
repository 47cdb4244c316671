"""The bitemporal index: each post's reconciled tenures for every knowledge date at which they change.

A post's tenures depend only on the events `EventIndex.for_posts` finds for
it. Those events become (certainly) known on their ``known.last`` days, and
possibly known on their ``known.first`` days; between two such days the
post's tenures cannot change. So folding those events once per day on which
one of them became known (`project`, the object engine's own fold) gives every
version of the post's timeline, each holding over a half-open interval of
knowledge dates ``[k0, k1)``. A roster as known on K is then the rows whose
interval holds K: a filter over one organisation's run of rows, not a fold.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from chronos._fast.gc import paused_gc
from chronos.columnar._build import END, Claims, claim_refs, roster_order
from chronos.columnar._rows import Held, holders, merge
from chronos.columnar._tables import Tables
from chronos.entities import Catalogue
from chronos.events import Event
from chronos.projections import EventIndex, Policy, project, reconcile
from chronos.projections.index import ends_whom

__all__ = ["FOREVER", "V", "build_versions", "csr", "known_holders", "post_versions"]

#: The end of the last version's interval.
FOREVER = int(np.iinfo(np.int64).max)


class V:
    """Column numbers of the version matrix (``versions``, int64: days are `Day` numbers)."""

    POST, PERSON, S0, S1, E0, E1, K0, K1, POSSIBLY, ORDER = range(10)
    WIDTH = 10


def build_versions(
    events: Sequence[Event], catalogue: Catalogue, policy: Policy, *, index: EventIndex | None = None
) -> Tables:
    """The version rows of every post in roster order, and their claims (``index``: the events' own).

    Posts and people are numbered as `build` numbers them, so the two tables
    can be built (and kept) apart: the versions only when a question needs them.

    A row is one tenure at its place in the post's timeline (``ORDER``), kept
    while neither its claims nor its place change: a post's rows grow with
    the changes made to it, not with the versions times the tenures. Posts
    none of whose events has a knowledge range get no "possibly known" rows
    (they would equal the others; `possibly` says which posts have them).
    """
    with paused_gc():
        return _build_versions(events, catalogue, policy, index or EventIndex(events, catalogue))


def _build_versions(
    events: Sequence[Event], catalogue: Catalogue, policy: Policy, index: EventIndex
) -> Tables:
    ids = list(catalogue)
    number = {entity_id: n for n, entity_id in enumerate(ids)}
    post_ids = [ids[n] for n in roster_order(catalogue, number)]
    position = {id(e): n for n, e in enumerate(events)}
    causes: dict[str, int] = {}
    claims = Claims(claim_refs(events), causes)
    matrix: list[list[int]] = []
    first = np.zeros(len(post_ids) + 1, np.int64)
    possibly_at = np.zeros(len(post_ids), np.bool_)
    relevant_of: list[list[int]] = []
    people_of: list[list[int]] = []
    for k, post in enumerate(post_ids):
        relevant = index.for_posts([post])
        rows, possibly_at[k] = post_versions(k, post, relevant, catalogue, policy, number, claims)
        matrix += rows
        first[k + 1] = len(rows)
        relevant_of.append(sorted(position[id(e)] for e in relevant))
        people_of.append(sorted(number.get(p, -1) for p in index.people_at(post)))
    enders: list[list[int]] = [[] for _ in ids]
    for n, event in enumerate(events):
        for person in ends_whom(event):
            if person in number:
                enders[number[person]].append(n)
    ranged_known = [(int(e.known.first), int(e.known.last)) for e in index.ranged_known]
    claim_off, claim_rows = claims.arrays()
    idents_off, idents = claims.ident_arrays()
    arrays: dict[str, Any] = {
        "versions": np.array(matrix, np.int64).reshape(-1, V.WIDTH),
        "versions_first": np.cumsum(first),
        "possibly_at": possibly_at,
        "vclaims_off": claim_off,
        "vclaims": claim_rows,
        "ranged_known": np.array(ranged_known, np.int64).reshape(-1, 2),
        "vidents_off": idents_off,
        "vidents": idents,
        **csr("vevents", relevant_of),
        **csr("vpeople", people_of),
        **csr("venders", enders),
    }
    return Tables(arrays, {"policy": str(policy), "causes": sorted(causes, key=causes.__getitem__)})


def csr(name: str, lists: Sequence[Sequence[int]]) -> dict[str, Any]:
    """``lists`` as two arrays: ``NAME_off`` (where each list starts, and the end) and ``NAME``."""
    off = np.zeros(len(lists) + 1, np.int64)
    off[1:] = np.cumsum([len(x) for x in lists]) if len(lists) else []
    return {f"{name}_off": off, name: np.fromiter((n for x in lists for n in x), np.int64, int(off[-1]))}


def post_versions(
    k: int,
    post: str,
    relevant: Sequence[Event],
    catalogue: Catalogue,
    policy: Policy,
    number: dict[str, int],
    claims: Claims,
) -> tuple[list[list[int]], bool]:
    """The version rows of post ``post`` (number ``k``) from the events that bear on it.

    Also whether any of those events has a knowledge range (so the post has
    possibly-known rows). Each row's claims go to ``claims``, one owner per
    row, in row order.
    """
    matrix: list[list[int]] = []
    ranged = any(e.known.first < e.known.last for e in relevant)
    for possibly in (False, True) if ranged else (False,):
        days = sorted({e.known.first if possibly else e.known.last for e in relevant})
        standing: dict[tuple[Any, ...], list[int]] = {}
        for day in days:
            state = project(relevant, catalogue, known_at=day, possibly=possibly)
            tenures = sorted(
                ((reconcile(p, policy), p) for p in state.tenures_at(post)),
                key=lambda tp: tp[0].start.first,
            )
            keys = [
                (
                    order,
                    tuple((id(c.event), c.cause) for c in p.starts),
                    tuple((id(c.event), c.cause) for c in p.ends),
                )
                for order, (_t, p) in enumerate(tenures)
            ]
            k0 = int(day)
            for key in standing.keys() - set(keys):
                standing.pop(key)[V.K1] = k0
            for key, (tenure, period) in zip(keys, tenures, strict=True):
                if key in standing:
                    continue
                row = [
                    k,
                    number.get(tenure.person, -1),
                    int(tenure.start.first),
                    int(tenure.start.last),
                    int(tenure.end.first),
                    int(tenure.end.last),
                    k0,
                    FOREVER,
                    int(possibly),
                    key[0],
                ]
                standing[key] = row
                matrix.append(row)
                claims.add(period.starts, 0)
                claims.add(period.ends, END)
                claims.close()
    return matrix, ranged


def known_holders(v: Tables, base: int, first: int, stop: int, lo: int, hi: int, day: int) -> Held:
    """Who holds the posts ``[first, stop)`` (roster order) on ``[lo, hi]`` as known on ``day``.

    The versions standing on ``day``, merged with those that may already have
    been known then when an undated article's range holds ``day``. Tenure
    rows of versions are numbered from ``base`` (after the tenures).
    """
    versions, ranged = v["versions"], v["ranged_known"]
    v0, v1 = int(v["versions_first"][first]), int(v["versions_first"][stop])
    block = versions[v0:v1]
    standing = (block[:, V.K0] <= day) & (block[:, V.K1] > day)

    def held_by(possibly: int) -> Held:
        # The rows standing on ``day``, each post's in its timeline order then.
        found = np.flatnonzero(standing & (block[:, V.POSSIBLY] == possibly))
        found = found[np.lexsort((block[found, V.ORDER], block[found, V.POST]))]
        return holders(block[found, : V.E1 + 1].tolist(), (found + v0 + base).tolist(), lo, hi)

    held = held_by(0)
    if len(ranged) and bool(np.any((ranged[:, 0] <= day) & (ranged[:, 1] > day))):
        maybe = held_by(1)
        possibly_at = v["possibly_at"]
        for post, here in held.items():
            if not possibly_at[post]:  # no event of this post has a knowledge range: the same
                maybe[post] = here
        held = merge(held, maybe)
    return held
