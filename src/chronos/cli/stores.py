"""Where the log lives: ``copy``, ``repair`` (torn writes, dropped triggers) and ``record-catalogue``."""

from __future__ import annotations

from pathlib import Path

from chronos import catalogue_history as history
from chronos.cli._app import App, Namespace, open_log, progress
from chronos.errors import IntegrityError, UsageError
from chronos.log import EventLog
from chronos.stores import JsonlStore, Store, copy_store, display, open_store

EPILOG_COPY = """\
examples:
  chronos copy events sqlite:///nsc.db
  chronos copy sqlite:///nsc.db postgresql://chronos@db.example.org/chronos
  chronos copy postgresql://chronos@db.example.org/chronos?schema=nsc backup/

Copies the catalogue and every record, exactly, then verifies the copy: it has
the same hash chain, so the same head. DST must be empty, or an earlier copy of
SRC (an interrupted copy goes on where it stopped). SRC and DST are directories
(JSON Lines), sqlite:///FILE.db (or a path ending .db) or postgresql:// URLs."""

EPILOG_REPAIR = """\
examples:
  chronos --log events repair
  cut 212 bytes after position 78 (an interrupted append, never acknowledged);
  saved them to events/log-000001.jsonl.torn-20260105T101500
  chronos --log sqlite:///nsc.db repair
  reinstated chronos_records_no_delete (noted in chronos_meta); head 79 eaf260f9c01d

A writer killed in the middle of an append to a JSON Lines log leaves bytes after
the last acknowledged record; `verify` reports them and appends are refused until
`repair` settles them. In a JSON Lines log it adopts a whole batch (complete
records that end with their batch mark: HEAD moves forward to them) or cuts a
torn one after a backup; it rewrites a HEAD that is missing or does not match the
records, and completes an interrupted catalogue change. Anything else (an edited
record, lines from a git merge, removed records) is refused with the reason, and
nothing is changed. SQLite and PostgreSQL roll interrupted appends back
themselves; there, repair puts back the triggers that refuse UPDATE and DELETE if
someone dropped or altered them (PostgreSQL: as the owner of the tables), and
notes it in the log's chronos_meta table. It never removes a record from a
database."""

EPILOG_RECORD = """\
example:
  chronos --log events record-catalogue
  recorded the catalogue's hand edits as history entry 2: 1 added, 1 changed, 0 removed

The catalogue (catalogue.toml) is yours to edit by hand; its chained history is
how `verify` tells your edits from damage. After editing, record the edits: every
entity added, changed or removed since the history's last entry becomes one new
entry. The removal of an entity that an event names is refused."""


def register(app: App) -> None:
    """Add copy and repair."""
    sub = app.command("copy", "copy a whole log to another store, verified", _copy, epilog=EPILOG_COPY)
    sub.add_argument("source", metavar="SRC", help="the log to copy: a directory or a URL")
    sub.add_argument("target", metavar="DST", help="where to copy it: a directory or a URL")
    sub.add_argument(
        "--batch", type=_positive, default=1000, metavar="N", help="records per transaction (default 1000)"
    )
    app.command(
        "repair",
        "mend an interrupted write (removing only torn bytes); put back dropped triggers",
        _repair,
        epilog=EPILOG_REPAIR,
    )
    app.command(
        "record-catalogue",
        "record hand edits of the catalogue in its chained history",
        _record,
        epilog=EPILOG_RECORD,
    )


def _positive(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return value


def _same(a: str, b: str) -> bool:
    if "://" in a or "://" in b:
        return a == b
    return Path(a).resolve() == Path(b).resolve()


def _copy(args: Namespace) -> int:
    source_name, target_name = args.source, args.target
    if _same(source_name, target_name):
        raise UsageError(f"{display(source_name)}: SRC and DST are the same log")
    source = EventLog.open(source_name, create=False)
    target: Store = open_store(target_name)
    try:
        total = source.position
        with progress("copying", size=total, total=total) as advance:
            done = 0

            def step(copied: int) -> None:
                nonlocal done
                for _ in range(copied - done):
                    advance()
                done = copied

            copied = copy_store(source.store, target, batch=args.batch, progress=step)
        with progress("verifying the copy", size=total):
            verified = EventLog(target).verify()
        expected = source.head()
        if (verified.count, verified.head) != (expected.position, expected.hash):
            raise IntegrityError(
                f"{display(target_name)}: the copy ends at {verified.count} records, head "
                f"{verified.head[:12]}; the source at {expected.position}, head {expected.hash[:12]}"
            )
    finally:
        target.close()
        source.store.close()
    print(
        f"copied {copied} records from {display(source_name)} to {display(target_name)} "
        f"(now {verified.count}); verified, head {verified.head[:12]} as in the source"
    )
    return 0


def _repair(args: Namespace) -> int:
    log = open_log(args)
    try:
        store = log.store
        if not isinstance(store, JsonlStore):
            reinstate = getattr(store, "reinstate", None)
            names = reinstate() if reinstate is not None else []
            if names:
                head = store.head()
                print(
                    f"reinstated {', '.join(names)} (noted in chronos_meta); "
                    f"head {head.position} {head.hash[:12]}"
                )
                return 0
        done = log.repair()
        if done is None:
            if isinstance(store, JsonlStore):
                print(f"nothing to repair: {store.directory} ends with its last acknowledged append")
            else:
                print(f"nothing to repair: {store!r} rolls back an interrupted append itself")
            return 0
        print(done)
        return 0
    finally:
        log.store.close()


def _record(args: Namespace) -> int:
    log = open_log(args)
    try:
        entry = log.record_catalogue()
        if entry is None:
            print(f"nothing to record: {log.store.catalogue_origin} is as its history says")
            return 0
        if entry.n == 1 and not entry.changed and not entry.removed:
            print(f"started the catalogue's history: {history.counted(entry.added)} as entry 1")
        elif entry.header == history.ADOPTED:
            print(
                f"recorded the registered sources ({len(entry.added)}) and settings in the catalogue's "
                f"history as entry {entry.n}"
            )
        else:
            before = history.replay(log.store.read_catalogue_history()[: entry.n - 1], "history").settings
            settings = [
                f"{name} = {'true' if value else 'false'}"
                for name, value in (entry.settings or {}).items()
                if before is None or before.get(name) != value
            ]
            print(
                f"recorded the catalogue's hand edits as history entry {entry.n}: {len(entry.added)} added, "
                f"{len(entry.changed)} changed, {len(entry.removed) + len(entry.removed_sources)} removed"
                + (f"; {', '.join(settings)}" if settings else "")
            )
        return 0
    finally:
        log.store.close()
