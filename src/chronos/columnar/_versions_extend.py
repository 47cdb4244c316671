"""Extending the bitemporal index with appended events: only the posts they can change are refolded.

A post's versions depend only on the events `EventIndex.for_posts` finds for
it, which the index keeps by post (``vevents``), with the people each post's
events name (``vpeople``) and each person's deaths and vacating arrests
(``venders``). When what was appended only adds to history (`forward`:
no retraction, correction or identification; the new events may have become
known on any day, earlier ones included), a post's events after the append are
its events before plus the new events that bear on it, and only these posts
can change:

- the posts a new event names (an appointment, an end, a move, a source's
  empty seat);
- the posts whose events name a person a new event kills or arrests;
- the posts of an organisation a new event founds, dissolves or declares
  complete, its units' included.

For each, the events it had are decoded from the log by position, an
`EventIndex` over those and the new events (and the old deaths and arrests of
anyone a new event names) gives exactly what the whole log's index would, and
the post's versions are folded again as `build_versions` folds them
(`post_versions`). Every other post's rows are copied. `tests/test_columnar.py`
holds an extended index equal to one built from the whole log.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from chronos.columnar._build import REPLACEMENT, Claims, roster_order
from chronos.columnar._events import LogEvents
from chronos.columnar._extend import forward
from chronos.columnar._tables import Tables, load
from chronos.columnar._versions import V, post_versions
from chronos.entities import Catalogue
from chronos.events import Corrected, DeclaredComplete, Dissolved, Event, Founded
from chronos.projections import EventIndex, Policy
from chronos.projections.index import ends_whom, persons_named, posts_filed

__all__ = ["earlier_versions", "extend_versions", "splice"]

Array = npt.NDArray[Any]


def extend_versions(
    v: Tables,
    new: Sequence[Event],
    *,
    base: int,
    decode: Callable[[int], Event],
    catalogue: Catalogue,
    post_ids: Sequence[str],
    number: dict[str, int],
    policy: Policy,
) -> tuple[Tables, list[int]]:
    """``v`` (the index of a log's first ``base`` events) with ``new`` appended; and the posts refolded.

    ``decode`` gives the log's event at a position; posts are numbered in
    roster order (``post_ids``) and entities by ``number``, as `build_versions`
    numbers them. `forward` must hold for ``new``.
    """
    a = v.arrays
    seq = {post: k for k, post in enumerate(post_ids)}
    touched = sorted(_touched(v, new, catalogue, post_ids, seq, number))
    # The events the touched posts had, the old deaths and arrests of whoever the new events name.
    positions: set[int] = set()
    for k in touched:
        positions.update(a["vevents"][int(a["vevents_off"][k]) : int(a["vevents_off"][k + 1])].tolist())
    for event in new:
        for person in persons_named(event):
            n = number.get(person)
            if n is not None:
                positions.update(
                    a["venders"][int(a["venders_off"][n]) : int(a["venders_off"][n + 1])].tolist()
                )
    at = {p: decode(p) for p in sorted(positions)}
    at.update((base + n, event) for n, event in enumerate(new))
    refs: dict[int, tuple[int, int]] = {}
    for p, event in at.items():
        refs[id(event)] = (p, 0)
        if isinstance(event, Corrected):
            refs[id(event.replacement)] = (p, REPLACEMENT)
    subset = list(at.values())
    index = EventIndex(subset, catalogue)
    causes = {cause: n for n, cause in enumerate(v.meta["causes"])}
    claims = Claims(refs, causes)
    blocks: dict[int, tuple[list[list[int]], list[int], list[int]]] = {}
    possibly_at = np.array(a["possibly_at"], np.bool_)
    for k in touched:
        relevant = index.for_posts([post_ids[k]])
        rows, possibly_at[k] = post_versions(k, post_ids[k], relevant, catalogue, policy, number, claims)
        people = sorted(number.get(p, -1) for p in index.people_at(post_ids[k]))
        blocks[k] = (rows, sorted(refs[id(e)][0] for e in relevant), people)
    _claim_off, claim_rows = claims.arrays()
    if len(claim_rows) and bool(np.any(claim_rows[:, 3] >= 0)):
        raise AssertionError("an identified claim in a log without identifications")
    arrays = dict(a)
    arrays["possibly_at"] = possibly_at
    _splice_versions(arrays, a, touched, blocks, claims)
    for name, part in (("vevents", 1), ("vpeople", 2)):
        arrays[f"{name}_off"], arrays[name] = splice(
            a[f"{name}_off"], a[name], {k: np.array(b[part], np.int64) for k, b in blocks.items()}
        )
    enders: dict[int, list[int]] = {}
    for n, event in enumerate(new):
        for person in ends_whom(event):
            got = number.get(person)
            if got is not None:
                if got not in enders:
                    enders[got] = a["venders"][
                        int(a["venders_off"][got]) : int(a["venders_off"][got + 1])
                    ].tolist()
                enders[got].append(base + n)
    arrays["venders_off"], arrays["venders"] = splice(
        a["venders_off"], a["venders"], {n: np.array(x, np.int64) for n, x in enders.items()}
    )
    ranged = [(int(e.known.first), int(e.known.last)) for e in new if e.known.first < e.known.last]
    if ranged:
        arrays["ranged_known"] = np.concatenate(
            (a["ranged_known"], np.array(ranged, np.int64).reshape(-1, 2))
        )
    meta = dict(v.meta)
    meta["causes"] = sorted(claims.causes, key=claims.causes.__getitem__)
    return Tables(arrays, meta), touched


def splice(off: Array, rows: Array, replaced: dict[int, Array]) -> tuple[Array, Array]:
    """The lists ``off``/``rows`` (as `csr` lays them out), those numbered in ``replaced`` replaced."""
    counts = np.diff(off)
    pieces: list[Array] = []
    done = 0
    for k in sorted(replaced):
        pieces += [rows[int(off[done]) : int(off[k])], replaced[k].reshape((-1, *rows.shape[1:]))]
        counts[k] = len(replaced[k])
        done = k + 1
    pieces.append(rows[int(off[done]) :])
    new_off = np.zeros(len(off), np.int64)
    new_off[1:] = np.cumsum(counts)
    return new_off, np.concatenate(pieces).astype(rows.dtype)


def _splice_versions(
    arrays: dict[str, Array],
    a: dict[str, Array],
    touched: list[int],
    blocks: dict[int, tuple[list[list[int]], list[int], list[int]]],
    claims: Claims,
) -> None:
    """The version rows and their claims, the touched posts' replaced by their refolded ones."""
    first, claim_off = a["versions_first"], a["vclaims_off"]
    new_off, new_claims = claims.arrays()
    # Each touched post's refolded rows, and their claims (a run of ``claims``' owners, in order).
    owner = 0
    rows: dict[int, Array] = {}
    lengths: dict[int, Array] = {}
    claim_runs: dict[int, Array] = {}
    for k in touched:
        block = np.array(blocks[k][0], np.int64).reshape(-1, V.WIDTH)
        rows[k] = block
        run = new_off[owner : owner + len(block) + 1]
        lengths[k] = np.diff(run)
        claim_runs[k] = new_claims[int(run[0]) : int(run[-1])]
        owner += len(block)
    arrays["versions_first"], arrays["versions"] = splice(first, a["versions"], rows)
    old_lengths = np.diff(claim_off)
    _, lengths_all = splice(first, old_lengths, lengths)
    # Claims by post: where each post's first row's claims start.
    _, arrays["vclaims"] = splice(claim_off[first], a["vclaims"], claim_runs)
    arrays["vclaims_off"] = np.concatenate(([0], np.cumsum(lengths_all))).astype(np.int64)


def _touched(
    v: Tables,
    new: Sequence[Event],
    catalogue: Catalogue,
    post_ids: Sequence[str],
    seq: dict[str, int],
    number: dict[str, int],
) -> set[int]:
    """The posts (roster order) whose events can change with ``new`` (see the module's docstring)."""
    a = v.arrays
    owners = np.repeat(np.arange(len(post_ids), dtype=np.int64), np.diff(a["vpeople_off"]))
    out: set[int] = set()
    for event in new:
        out.update(seq[p] for p in posts_filed(event) if p in seq)
        for person in ends_whom(event):
            n = number.get(person)
            if n is not None:
                out.update(owners[a["vpeople"] == n].tolist())
        if isinstance(event, Founded | Dissolved | DeclaredComplete):
            out.update(k for k, post in enumerate(post_ids) if event.org in catalogue.above(post))
    return out


def earlier_versions(
    folder: Path,
    tables: Tables,
    events: LogEvents,
    catalogue: Catalogue,
    policy: Policy,
) -> Tables | None:
    """The index of the projection ``tables``, extended from one kept for an earlier head; None if none fits.

    One fits when it was kept in ``folder`` beside a projection of this log
    (the same catalogue text, policy and chronos version) for an earlier head
    that this log's records still link to, with its posts' events recorded,
    and when what was appended since only adds to history (`forward`). The
    result notes the posts it refolded (``meta["refolded"]``) and the log it
    was extended from (``meta["extended_from"]``, its number of events, and
    ``meta["extended_head"]``, its head hash).
    """
    meta = tables.meta
    count = int(meta["events"])
    found: list[tuple[int, Tables, Tables]] = []
    with contextlib.suppress(OSError):
        for path in folder.iterdir():
            if not path.is_dir() or path.name.startswith(".") or not (path / "versions").is_dir():
                continue
            base = load(path)
            if base is None or not 0 < int(base.meta["events"]) < count:
                continue
            if any(base.meta.get(k) != meta.get(k) for k in ("catalogue", "policy", "version")):
                continue
            v = load(path / "versions")
            if v is not None and "vevents" in v.arrays:
                found.append((int(base.meta["events"]), base, v))
    if not found:
        return None
    start, base, v = max(found, key=lambda f: f[0])
    first = events.record(start)
    if first is None:
        first = next(iter(events.log.records(after=start)), None)
    if first is None or first.prev != base.meta.get("head"):
        return None
    new = [events.event(p) for p in range(start, count)]
    if not forward(base, new):
        return None
    ids = list(catalogue)
    number = {entity_id: n for n, entity_id in enumerate(ids)}
    post_ids = [ids[n] for n in roster_order(catalogue, number)]
    extended, touched = extend_versions(
        v,
        new,
        base=start,
        decode=events.event,
        catalogue=catalogue,
        post_ids=post_ids,
        number=number,
        policy=policy,
    )
    extended.meta.update(refolded=touched, extended_from=start, extended_head=base.meta.get("head"))
    return extended
