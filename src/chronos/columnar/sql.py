"""Keeping the ``chronos_tenures`` table of a SQLite or PostgreSQL log current (`chronos.stores._tenures`).

The table is the bitemporal index (every post's tenures for every knowledge
date at which they change, `chronos.columnar._versions`) as rows.
`refresh_tenures` brings it to the log's head. When the table reflects an
earlier head of the same log, and what was appended since only adds to
history (`chronos.columnar._extend.forward`: nothing withdrawn, corrected or
identified, nothing dated before the log's last event; it may have become
known on any day), the index kept for that earlier head is extended
(`chronos.columnar._versions_extend`) and only the posts it refolded are
replaced in the table. Anything else rebuilds the table. After every append to
a log holding the table, its store calls `refresh_store` (the ``chronos.derived``
entry point).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from chronos.columnar import Columnar, open_columnar
from chronos.columnar._versions import FOREVER, V
from chronos.dates import Day
from chronos.errors import ConcurrencyError, UsageError
from chronos.log import EventLog
from chronos.projections import Policy
from chronos.stores import _tenures, open_store
from chronos.stores.records import Head

__all__ = [
    "TenuresTable",
    "drop_tenures",
    "keep_tenures",
    "refresh_store",
    "refresh_tenures",
    "tenures_status",
]


#: How many times a refresh starts again when another writer moved the table under it.
ATTEMPTS = 8


@attrs.frozen
class TenuresTable:
    """Whether a log keeps ``chronos_tenures``, and how current it is (`tenures_status`)."""

    #: The log's head position, and the table's (None: the log keeps no table).
    head: int
    position: int | None = None
    #: The policy the table's tenures follow, and how many rows it holds.
    policy: str | None = None
    rows: int = 0

    @property
    def current(self) -> bool:
        """Whether the table reflects the log's head."""
        return self.position == self.head


def keep_tenures(location: str | Path, *, policy: Policy | str | None = None) -> EventLog:
    """The log at ``location``, its ``chronos_tenures`` table built or brought current now.

    From then on every append to the log, through any program or ``chronos``
    command, keeps the table current (`chronos.stores._tenures.after_append`).
    """
    refresh_tenures(location, policy=policy)
    return EventLog.open(location)


def refresh_store(store: Any) -> str:
    """Bring ``store``'s ``chronos_tenures`` to its head under the table's own policy (the keeper)."""
    return refresh_tenures(store.location, store=store)


def tenures_status(location: str | Path) -> TenuresTable:
    """How current the log's ``chronos_tenures`` table is, changing nothing."""
    store = _derived_store(location, open_store(location, create=False))
    try:
        head = store.head().position
        found = store.derived_query(_tenures.READ_HEAD)
        if not found:
            return TenuresTable(head)
        rows = store.derived_query("SELECT count(*) FROM {t}")
        return TenuresTable(head, int(found[0][0]), str(found[0][2]), int(rows[0][0]))
    finally:
        store.close()


def drop_tenures(location: str | Path) -> bool:
    """Stop keeping the log's ``chronos_tenures`` table (drop it); whether there was one."""
    store = _derived_store(location, open_store(location, create=False))
    try:
        there = store.holds_derived()
        store.derived([(sql, [()]) for sql in _tenures.DROP])
        return bool(there)
    finally:
        store.close()


def refresh_tenures(location: str | Path, *, policy: Policy | str | None = None, store: Any = None) -> str:
    """Bring the log's ``chronos_tenures`` table to its head: ``current``, ``extended`` or ``rebuilt``.

    Without ``policy``, the table keeps the policy it was built under (the
    default policy for a new table). Every write checks, in its transaction,
    that the table still reflects the head it was computed from; when another
    writer moved it meanwhile, the refresh starts again from the new head.
    """
    opened = store is None
    store = _derived_store(location, store or open_store(location, create=False))
    try:
        for _ in range(ATTEMPTS):
            try:
                return _refresh(location, policy, store)
            except ConcurrencyError:
                continue
    finally:
        if opened:
            store.close()
    raise ConcurrencyError(
        f"{store.display}: {_tenures.TABLE} kept moving under {ATTEMPTS} refreshes; try again",
        expected=-1,
        actual=-1,
    )


def _derived_store(location: str | Path, store: Any) -> Any:
    """``store``, or a one-line `UsageError` when it cannot hold a tenures table."""
    if not hasattr(store, "derived"):
        raise UsageError(f"{location}: a tenures table needs a SQLite or PostgreSQL log")
    return store


def _refresh(location: str | Path, policy: Policy | str | None, store: Any) -> str:
    """One attempt of `refresh_tenures`."""
    head = store.head()
    found = store.derived_query(_tenures.READ_HEAD)
    chosen = Policy.parse(policy if policy is not None or not found else found[0][2])
    if found and tuple(found[0][:3]) == (head.position, head.hash, str(chosen)):
        return "current"
    engine = open_columnar(location, policy=chosen)
    try:
        return _write(engine, store, found, chosen, head)
    finally:
        engine.close()


def _write(engine: Columnar, store: Any, found: list[tuple[Any, ...]], chosen: Policy, head: Head) -> str:
    """Bring the table to ``engine``'s projection of the head: replace the posts refolded, or rebuild."""
    seen = (int(found[0][0]), str(found[0][1])) if found else None
    meta = engine.tables.meta
    if meta["events"] != head.position:
        # An append landed between reading the head and the records: start again from the new head.
        raise ConcurrencyError("the log grew during the build", expected=head.position, actual=meta["events"])
    versions = engine.versions
    row = (head.position, head.hash, str(chosen), meta["latest_known"], json.dumps(meta["last_key"]))
    since = (versions.meta.get("extended_from"), versions.meta.get("extended_head"), str(chosen))
    if found and since == tuple(found[0][:3]):
        # The index was extended from the very head the table reflects: replace the posts it refolded.
        posts = [int(k) for k in versions.meta["refolded"]]
        statements: list[tuple[str, Sequence[Sequence[Any]]]] = [
            *((sql, [()]) for sql in _tenures.CREATE),
            ("DELETE FROM {h}", [()]),
        ]
        if posts:
            statements.append((_tenures.DELETE_POST, [(engine.post_id(k),) for k in posts]))
            rows = _version_rows(engine, posts)
            if rows:
                statements.append((_tenures.INSERT, rows))
        statements.append((_tenures.SET_HEAD, [row]))
        store.derived(statements, expect=seen)
        return "extended"
    store.derived(_tenures.statements(clear=True, rows=_version_rows(engine), head=row), expect=seen)
    return "rebuilt"


def _row(
    engine: Columnar, post: int, person: int, days: Sequence[int], known: tuple[int, int | None]
) -> tuple[Any, ...]:
    """One table row: ids, the four days, the ISO dates of a closed start and end, the knowledge interval."""
    s0, s1, e0, e1 = (int(d) for d in days)
    start = Day(s0).isoformat() if s0 == s1 and s0 != Day.min else None
    end = Day(e0).isoformat() if e0 == e1 and e1 != Day.max else None
    return (
        engine.post(post).org,
        engine.post_id(post),
        engine.entity_id(person),
        s0,
        s1,
        e0,
        e1,
        start,
        end,
        *known,
    )


def _version_rows(engine: Columnar, posts: Sequence[int] | None = None) -> list[tuple[Any, ...]]:
    """The rows of the bitemporal index (of ``posts`` only, if given) as known for certain.

    The possibly-known variants (the posts with undated articles) are left out.
    """
    versions = engine.versions["versions"]
    keep = versions[:, V.POSSIBLY] == 0
    if posts is not None:
        keep &= np.isin(versions[:, V.POST], np.array(posts, np.int64))
    out = []
    for row in versions[keep].tolist():
        until = None if row[V.K1] == FOREVER else row[V.K1]
        out.append(_row(engine, row[V.POST], row[V.PERSON], row[V.S0 : V.E1 + 1], (row[V.K0], until)))
    return out
