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

from chronos.columnar._build import END, Claims, ordinal
from chronos.entities import Catalogue
from chronos.events import Event
from chronos.projections import EventIndex, Policy, project, reconcile

__all__ = ["FOREVER", "V", "build_versions"]

#: The end of the last version's interval.
FOREVER = np.iinfo(np.int32).max


class V:
    """Column numbers of the version matrix (``versions``, int32)."""

    POST, PERSON, S0, S1, E0, E1, K0, K1, POSSIBLY = range(9)
    WIDTH = 9


def build_versions(
    events: Sequence[Event],
    catalogue: Catalogue,
    policy: Policy,
    post_ids: Sequence[str],
    number: dict[str, int],
    claims: Claims,
) -> dict[str, Any]:
    """The version rows of every post (in ``post_ids`` order), and their claims (added to ``claims``)."""
    index = EventIndex(events, catalogue)
    matrix: list[tuple[int, ...]] = []
    first = np.zeros(len(post_ids) + 1, np.int64)
    for k, post in enumerate(post_ids):
        relevant = index.for_posts([post])
        if not relevant:
            continue
        before = len(matrix)
        for possibly in (False, True):
            days = sorted({e.known.earliest if possibly else e.known.latest for e in relevant})
            previous: tuple[Any, ...] | None = None
            rows: list[list[int]] = []
            for day in days:
                state = project(relevant, catalogue, known_at=day, possibly=possibly)
                periods = state.tenures_at(post)
                tenures = sorted(
                    ((reconcile(p, policy), p) for p in periods), key=lambda tp: tp[0].start.earliest
                )
                shape = tuple((t, p.starts, p.ends) for t, p in tenures)
                if shape == previous:
                    continue  # nothing at this post changed on this day
                previous = shape
                k0 = ordinal(day)
                for row in rows:
                    row[V.K1] = k0
                rows = []
                for tenure, period in tenures:
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
                    ]
                    rows.append(row)
                    matrix.append(row)  # type: ignore[arg-type]
                    claims.add(period.starts, 0)
                    claims.add(period.ends, END)
                    claims.close()
        first[k + 1] = len(matrix) - before
    ranged = [
        (ordinal(e.known.earliest), ordinal(e.known.latest))
        for e in events
        if e.known.earliest < e.known.latest
    ]
    claim_off, claim_rows = claims.arrays()
    return {
        "versions": np.array([tuple(r) for r in matrix], np.int32).reshape(-1, V.WIDTH),
        "versions_first": np.cumsum(first),
        "vclaims_off": claim_off,
        "vclaims": claim_rows,
        "ranged_known": np.array(ranged, np.int32).reshape(-1, 2),
    }
