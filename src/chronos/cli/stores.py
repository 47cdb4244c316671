"""Where the log lives: ``copy`` (between any two stores) and ``repair`` (torn appends, dropped triggers)."""

from __future__ import annotations

from pathlib import Path

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
they are cut. SQLite and PostgreSQL roll such appends back themselves; there,
repair puts back the triggers that refuse UPDATE and DELETE if someone dropped
or altered them (PostgreSQL: as the owner of the tables), and notes it in the
log's chronos_meta table. It never removes a record from a database."""


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
        "cut off an interrupted append after a backup; put back dropped triggers",
        _repair,
        epilog=EPILOG_REPAIR,
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
    store = log.store
    try:
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
            print(f"nothing to repair: {store!r} rolls back an interrupted append itself")
            return 0
        backup = store.repair()
        if backup is None:
            print(f"nothing to repair: {store.directory} ends with its last acknowledged append")
            return 0
        position = store.head().position
        print(
            f"cut {backup.stat().st_size} bytes after position {position} "
            f"(an interrupted append, never acknowledged); saved them to {backup}"
        )
        return 0
    finally:
        store.close()
