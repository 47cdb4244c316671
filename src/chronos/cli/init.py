"""Making a log: ``init`` creates an empty log of any kind, and shares a PostgreSQL one by roles.

A new log gets its catalogue and sources registry (`EventLog.initialise`): every
source its events cite must then be registered first (``chronos add source``).
"""

from __future__ import annotations

from pathlib import Path

from chronos.cli._app import App, Namespace
from chronos.errors import IntegrityError, UsageError
from chronos.log import EventLog
from chronos.stores import SQLITE_SUFFIXES, JsonlStore, PostgresStore, SqliteStore, Store, display, open_store
from chronos.stores.jsonl import CATALOGUE_FILE, HEAD_FILE

EPILOG_INIT = """\
examples:
  chronos init events
  chronos init sqlite:///nsc.db
  chronos init 'postgresql://admin@db.example.org/history?schema=nsc' \\
      --writer nsc_writer --reader nsc_reader

Creates an empty log: a directory (JSON Lines), a SQLite file or the tables of
a PostgreSQL schema, with the triggers that refuse UPDATE and DELETE, and its
catalogue and sources registry (fill them with chronos add). On a log that
exists already it changes nothing but the roles it is given.

--writer and --reader (PostgreSQL only) let a role append and read, or only
read; a role that does not exist is created without LOGIN, as a group to grant
to the people who log in (GRANT nsc_reader TO alice). Run init as the role that
is to own the schema and tables: neither the writer nor the reader may be it."""


def register(app: App) -> None:
    """Add init."""
    sub = app.command(
        "init", "create an empty log (and share a PostgreSQL one by roles)", _init, epilog=EPILOG_INIT
    )
    sub.add_argument(
        "location",
        metavar="LOG",
        help="a directory, sqlite:///FILE.db or postgresql://USER@HOST/DB?schema=NAME",
    )
    sub.add_argument(
        "--writer", metavar="ROLE", help="PostgreSQL: a role that may read and append, nothing more"
    )
    sub.add_argument("--reader", metavar="ROLE", help="PostgreSQL: a role that may only read")


def _init(args: Namespace) -> int:
    location: str = args.location
    if location == ":memory:":
        raise UsageError(":memory: lives and dies with one process; give a directory or a URL")
    roles = args.writer is not None or args.reader is not None
    if roles and not location.lower().startswith(("postgresql://", "postgres://")):
        args.parser.error(f"--writer and --reader are for PostgreSQL logs, not {display(location)}")
    store, created = _create(location)
    try:
        if created:
            EventLog.initialise(store)  # its catalogue and sources registry
            print(f"created an empty log at {display(location)}{_kind(store)}")
        else:
            print(f"{display(location)} holds a log already ({store.head().position} records); left as it is")
        if isinstance(store, PostgresStore) and roles:
            for line in store.grant(writer=args.writer, reader=args.reader):
                print(line)
        unguarded = getattr(store, "unguarded", None)
        problem = unguarded() if unguarded is not None else None
        if problem is not None:
            raise IntegrityError(problem)
    finally:
        store.close()
    return 0


def _create(location: str) -> tuple[Store, bool]:
    """The store at ``location`` and whether this made it; a directory holding other files is refused."""
    if "://" in location or Path(location).suffix.lower() in SQLITE_SUFFIXES:
        store = open_store(location)
        return store, bool(getattr(store, "created", False))
    directory = Path(location)
    names = {path.name for path in directory.iterdir()} if directory.is_dir() else set()
    is_log = bool({HEAD_FILE, CATALOGUE_FILE} & names) or any(name.startswith("log-") for name in names)
    if names and not is_log:
        raise UsageError(
            f"{directory}: not empty and not a log ({len(names)} other files); give a new or empty directory"
        )
    return JsonlStore(directory), not is_log


def _kind(store: Store) -> str:
    if isinstance(store, PostgresStore):
        return f" (schema {store.schema!r}, owned by role {store.role()!r})"
    if isinstance(store, SqliteStore):
        return " (a SQLite file)"
    return " (a directory of JSON Lines)"
