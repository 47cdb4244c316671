"""Making a log: ``init`` creates an empty log with its catalogue and sources registry.

A stand-in until the ``init`` of issue 19 (PostgreSQL roles, guarded tables)
lands: that one makes the store, and `EventLog.initialise` is the one call it
needs to give a new store its catalogue and registry, as this one does.
"""

from __future__ import annotations

from chronos.cli._app import App, Namespace
from chronos.errors import StoreError, UsageError
from chronos.log import EventLog
from chronos.stores import display

EPILOG_INIT = """\
examples:
  chronos init mylog
  chronos init sqlite:///mylog.db

Creates an empty log: a directory (JSON Lines) or a SQLite file, with an empty
catalogue (persons, organisations, posts, places) and sources registry. Every
source an event cites must then be registered first (chronos add source). On a
log that exists already it changes nothing."""


def register(app: App) -> None:
    """Add init."""
    sub = app.command(
        "init", "create an empty log with its catalogue and sources registry", _init, epilog=EPILOG_INIT
    )
    sub.add_argument("location", metavar="LOG", help="a new or empty directory, or sqlite:///FILE.db")


def _init(args: Namespace) -> int:
    location: str = args.location
    if location == ":memory:":
        raise UsageError(":memory: lives and dies with one process; give a directory or a URL")
    try:
        log = EventLog.open(location)
    except StoreError:  # no log there: make one
        log = EventLog.create(location)
        print(f"created an empty log at {display(location)}, its catalogue in {log.store.catalogue_origin}")
    else:
        print(f"{display(location)} holds a log already ({log.position} records); left as it is")
    log.store.close()
    return 0
