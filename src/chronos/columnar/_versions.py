"""The bitemporal index: each post's reconciled tenures for every knowledge date at which they change.

A post's tenures depend only on the events `EventIndex.for_posts` finds for
it. Those events become (certainly) known on their ``known.latest`` days, and
possibly known on their ``known.earliest`` days; between two such days the
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
from chronos.columnar._build import END, Claims, claim_refs, ordinal, roster_order
from chronos.columnar._tables import Tables
from chronos.entities import Catalogue
from chronos.events import Event
from chronos.projections import EventIndex, Policy, project, reconcile

__all__ = ["FOREVER", "V", "build_versions"]

#: The end of the last version's interval.
FOREVER = np.iinfo(np.int32).max


class V:
    """Column numbers of the version matrix (``versions``, int32)."""

    POST, PERSON, S0, S1, E0, E1, K0, K1, POSSIBLY, ORDER = range(10)
    WIDTH = 10


def build_versions(
    events: Sequence[Event], catalogue: Catalogue, policy: Policy, claims: Claims | None = None
) -> Tables:
    """The version rows of every post in roster order, and their claims (in ``claims`` when given).

    Posts and people are numbered as `build` numbers them, so the two tables
    can be built (and kept) apart: the versions only when a question needs them.

    A row is one tenure at its place in the post's timeline (``ORDER``), kept
    while neither its claims nor its place change: a post's rows grow with
    the changes made to it, not with the versions times the tenures. Posts
    none of whose events has a knowledge range get no "possibly known" rows
    (they would equal the others; `possibly` says which posts have them).
    """
    with paused_gc():
        return _build_versions(events, catalogue, policy, claims)


def _build_versions(
    events: Sequence[Event], catalogue: Catalogue, policy: Policy, claims: Claims | None
) -> Tables:
    ids = list(catalogue)
    number = {entity_id: n for n, entity_id in enumerate(ids)}
    post_ids = [ids[n] for n in roster_order(catalogue, number)]
    causes: dict[str, int] = {}
    if claims is None:
        claims = Claims(claim_refs(events), causes)
    index = EventIndex(events, catalogue)
    matrix: list[list[int]] = []
    first = np.zeros(len(post_ids) + 1, np.int64)
    possibly_at = np.zeros(len(post_ids), np.bool_)
    for k, post in enumerate(post_ids):
        relevant = index.for_posts([post])
        before = len(matrix)
        ranged = any(e.known.earliest < e.known.latest for e in relevant)
        possibly_at[k] = ranged
        for possibly in (False, True) if ranged else (False,):
            days = sorted({e.known.earliest if possibly else e.known.latest for e in relevant})
            standing: dict[tuple[Any, ...], list[int]] = {}
            for day in days:
                state = project(relevant, catalogue, known_at=day, possibly=possibly)
                tenures = sorted(
                    ((reconcile(p, policy), p) for p in state.tenures_at(post)),
                    key=lambda tp: tp[0].start.earliest,
                )
                keys = [
                    (
                        order,
                        tuple((id(c.event), c.cause) for c in p.starts),
                        tuple((id(c.event), c.cause) for c in p.ends),
                    )
                    for order, (_t, p) in enumerate(tenures)
                ]
                k0 = ordinal(day)
                for key in standing.keys() - set(keys):
                    standing.pop(key)[V.K1] = k0
                for key, (tenure, period) in zip(keys, tenures, strict=True):
                    if key in standing:
                        continue
                    row = [
                        k,
                        number.get(tenure.person, -1),
                        ordinal(tenure.start.earliest),
                        ordinal(tenure.start.latest),
                        ordinal(tenure.end.earliest),
                        ordinal(tenure.end.latest),
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
        first[k + 1] = len(matrix) - before
    ranged_known = [
        (ordinal(e.known.earliest), ordinal(e.known.latest))
        for e in events
        if e.known.earliest < e.known.latest
    ]
    claim_off, claim_rows = claims.arrays()
    arrays: dict[str, Any] = {
        "versions": np.array(matrix, np.int32).reshape(-1, V.WIDTH),
        "versions_first": np.cumsum(first),
        "possibly_at": possibly_at,
        "vclaims_off": claim_off,
        "vclaims": claim_rows,
        "ranged_known": np.array(ranged_known, np.int32).reshape(-1, 2),
    }
    return Tables(arrays, {"policy": str(policy), "causes": sorted(causes, key=causes.__getitem__)})
