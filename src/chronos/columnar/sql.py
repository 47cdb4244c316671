"""Keeping the ``chronos_tenures`` table of a SQLite or PostgreSQL log current (`chronos.stores._tenures`).

`refresh_tenures` brings the table to the log's head. When the table reflects
an earlier head of the same log, and what was appended since only adds to
history (`chronos.columnar._extend.forward`) and became known no earlier than
anything before it, the new events are folded onto the projection kept for
that earlier head, one knowledge day at a time: each day closes the rows of
the (person, post) pairs its events touch and inserts their refolded rows,
known from that day. Anything else rebuilds the table from the bitemporal
index (every post's tenures for every knowledge date at which they change,
`chronos.columnar._versions`). `keep_tenures` refreshes after every append
through the store.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from chronos.columnar import Columnar, columns_dir, open_columnar
from chronos.columnar._build import T
from chronos.columnar._events import LogEvents
from chronos.columnar._extend import forward, last_key, refold, touched_pairs
from chronos.columnar._tables import Tables, load
from chronos.columnar._versions import FOREVER, V
from chronos.dates import Day
from chronos.entities import Catalogue
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
    head = store.head().position
    found = store.derived_query(_tenures.READ_HEAD)
    if not found:
        return TenuresTable(head)
    rows = store.derived_query("SELECT count(*) FROM {t}")
    return TenuresTable(head, int(found[0][0]), str(found[0][2]), int(rows[0][0]))


def drop_tenures(location: str | Path) -> bool:
    """Stop keeping the log's ``chronos_tenures`` table (drop it); whether there was one."""
    store = _derived_store(location, open_store(location, create=False))
    there = store.holds_derived()
    store.derived([(sql, [()]) for sql in _tenures.DROP])
    return bool(there)


def refresh_tenures(location: str | Path, *, policy: Policy | str | None = None, store: Any = None) -> str:
    """Bring the log's ``chronos_tenures`` table to its head: ``current``, ``extended`` or ``rebuilt``.

    Without ``policy``, the table keeps the policy it was built under (the
    default policy for a new table). Every write checks, in its transaction,
    that the table still reflects the head it was computed from; when another
    writer moved it meanwhile, the refresh starts again from the new head.
    """
    store = _derived_store(location, store or open_store(location, create=False))
    for _ in range(ATTEMPTS):
        try:
            return _refresh(location, policy, store)
        except ConcurrencyError:
            continue
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
    seen = (int(found[0][0]), str(found[0][1])) if found else None
    if found:
        position, digest, named, latest, key = found[0]
        if (position, digest, named) == (head.position, head.hash, str(chosen)):
            return "current"
        if named == str(chosen) and position < head.position:
            steps = _steps(location, store, position, digest, int(latest), json.loads(key), chosen)
            if steps is not None:
                store.derived(steps, expect=seen)
                _keep_projection(location, chosen)
                return "extended"
    engine = open_columnar(location, policy=chosen)
    meta = engine.tables.meta
    if meta["events"] != head.position:
        # An append landed between reading the head and the records: start again from the new head.
        raise ConcurrencyError("the log grew during the build", expected=head.position, actual=meta["events"])
    statements = _tenures.statements(
        clear=True,
        rows=_version_rows(engine),
        head=(head.position, head.hash, str(chosen), meta["latest_known"], json.dumps(meta["last_key"])),
    )
    store.derived(statements, expect=seen)
    return "rebuilt"


def _keep_projection(location: str | Path, policy: Policy) -> None:
    """Keep the columnar projection of the log's head, from which the next refresh extends."""
    open_columnar(location, policy=policy)
    for thread in threading.enumerate():
        if thread.name == "chronos-columns-save":
            thread.join()


def _steps(
    location: str | Path, store: Any, position: int, digest: str, latest: int, key: list[Any], policy: Policy
) -> list[tuple[str, Sequence[Sequence[Any]]]] | None:
    """The statements that fold what was appended after ``position`` onto the table; None: rebuild."""
    base = _kept(location, position, digest, str(policy))
    if base is None:
        return None
    log = EventLog(store, Catalogue())
    records = list(log.records(after=position))
    if not records or records[0].prev != digest:
        return None
    source = LogEvents(log)
    new = [source.decoded(r) for r in records]
    if any(int(e.known.last) < latest for e in new) or not forward(base, new):
        return None
    text = store.read_catalogue()

    def catalogue() -> Catalogue:
        return Catalogue() if text is None else Catalogue.from_toml(text, origin=store.catalogue_origin)

    out: list[tuple[str, Sequence[Sequence[Any]]]] = []
    engine = Columnar(base, source, catalogue=catalogue)
    # The log as known on each day something new became known: the old log and what was new by
    # then. Each day refolds only the posts touched so far (no projection laid out per day), and
    # closes and re-inserts the rows of the pairs touched that day.
    for day in sorted({int(e.known.last) for e in new}):
        known = [e for e in new if int(e.known.last) <= day]
        blocks = refold(
            base, known, catalogue=catalogue, number=engine.number, decode=engine.event, policy=policy
        ).blocks
        batch = [e for e in new if int(e.known.last) == day]
        pairs = sorted(touched_pairs(base, batch, catalogue=catalogue, number=engine.number)[0])
        close = [(day, engine.entity_id(p), engine.post_id(k)) for p, k in pairs]
        rows = [
            _row(engine, k, person, line[T.S0 : T.E1 + 1], (day, None))
            for person, k in pairs
            for line in blocks[k][0].tolist()
            if line[T.PERSON] == person
        ]
        out += [(_tenures.CLOSE, close), (_tenures.INSERT, rows)] if rows else [(_tenures.CLOSE, close)]
    meta = {
        "latest_known": max(int(base.meta["latest_known"]), *(int(e.known.last) for e in new)),
        "last_key": last_key(new) or base.meta["last_key"],
    }
    return [
        *((sql, [()]) for sql in _tenures.CREATE),
        ("DELETE FROM {h}", [()]),
        *out,
        (_tenures.SET_HEAD, [_head_row(Head(records[-1].seq, records[-1].hash), policy, meta)]),
    ]


def _kept(location: str | Path, position: int, digest: str, policy: str) -> Tables | None:
    """The columnar projection kept for this log at ``position`` (head ``digest``), if any."""
    folder = columns_dir(location)
    if folder is None or not folder.is_dir():
        return None
    for path in folder.iterdir():
        found = load(path) if path.is_dir() and not path.name.startswith(".") else None
        if found is not None and (
            found.meta.get("events"),
            found.meta.get("head"),
            found.meta.get("policy"),
        ) == (
            position,
            digest,
            policy,
        ):
            return found
    return None


def _head_row(head: Head, policy: Policy, meta: dict[str, Any]) -> tuple[Any, ...]:
    """The head row: the log's head, the policy, what `_steps` needs to tell whether it can extend."""
    return (head.position, head.hash, str(policy), meta["latest_known"], json.dumps(meta["last_key"]))


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


def _version_rows(engine: Columnar) -> list[tuple[Any, ...]]:
    """Every row of the bitemporal index as known for certain (not the possibly-known variants)."""
    versions = engine.versions["versions"]
    sure = versions[versions[:, V.POSSIBLY] == 0]
    out = []
    for row in sure.tolist():
        until = None if row[V.K1] == FOREVER else row[V.K1]
        out.append(_row(engine, row[V.POST], row[V.PERSON], row[V.S0 : V.E1 + 1], (row[V.K0], until)))
    return out
