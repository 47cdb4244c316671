"""chronos: event-sourced chronologies of who held which post when, and what was known when.

Re-exports only: these names are the public API (tests/test_api.py pins them). The layers,
lowest first, each importing only from those below it (tests/test_api.py checks that too):

    errors                      the exception tree
    dates, events, entities     the model: imprecise dates, immutable events, the catalogue
    codec                       events <-> dicts and JSON, type tags, schema versions
    stores/                     where records live: memory, JSON Lines, SQLite, PostgreSQL
    log                         the append-only, hash-chained log over a store
    projections/                pure folds of events into state, and the questions on it
    chronology                  the API users ask: roster, diff, history, name, tenures
    checks, live                integrity checks; following a log as it grows
    interop/, output/           import and export; tables, JSON and charts
    cli/                        the `chronos` command
    testing                     the store contract, for anyone writing a store

Private ``_fast`` modules hold speed-only machinery checked against the readable path.
"""

from chronos.checks import Finding, check
from chronos.chronology import Chronology
from chronos.codec import SCHEMA_VERSION, Codec, make_converter
from chronos.dates import End, FuzzyDate, PartialDate, parse_date
from chronos.entities import Catalogue, Entity, Organisation, Person, Place, Post, name_key
from chronos.errors import (
    AmbiguousName,
    CatalogueError,
    ChronosError,
    ConcurrencyError,
    DateError,
    IntegrityError,
    InvalidEvent,
    LookupFailed,
    MissingDependency,
    RecordError,
    StoreError,
    UnknownEventType,
    UnknownReference,
    UsageError,
)
from chronos.events import (
    EVENT_TYPES,
    Appointed,
    Arrested,
    Born,
    Charged,
    Corrected,
    Died,
    Dismissed,
    Dissolved,
    Event,
    Founded,
    Left,
    Moved,
    Released,
    Renamed,
    Resigned,
    Retracted,
    RosterEntry,
    RosterReported,
    Source,
    TenureEnded,
    register_event,
)
from chronos.live import Follower
from chronos.log import AppendResult, EventLog, Recorded, Verified
from chronos.output.explorer import explore
from chronos.projections import (
    Change,
    Claim,
    Diff,
    History,
    NameAnswer,
    Policy,
    Resolved,
    Seat,
    SnapshotRow,
    Spell,
    Tenure,
)
from chronos.stores import JsonlStore, MemoryStore, PostgresStore, SqliteStore, Store, copy_store, open_store
from chronos.stores.checkpoint import Checkpoint

__version__ = "0.1.0"

__all__ = [
    "EVENT_TYPES",
    "SCHEMA_VERSION",
    "AmbiguousName",
    "AppendResult",
    "Appointed",
    "Arrested",
    "Born",
    "Catalogue",
    "CatalogueError",
    "Change",
    "Charged",
    "Checkpoint",
    "Chronology",
    "ChronosError",
    "Claim",
    "Codec",
    "ConcurrencyError",
    "Corrected",
    "DateError",
    "Died",
    "Diff",
    "Dismissed",
    "Dissolved",
    "End",
    "Entity",
    "Event",
    "EventLog",
    "Finding",
    "Follower",
    "Founded",
    "FuzzyDate",
    "History",
    "IntegrityError",
    "InvalidEvent",
    "JsonlStore",
    "Left",
    "LookupFailed",
    "MemoryStore",
    "MissingDependency",
    "Moved",
    "NameAnswer",
    "Organisation",
    "PartialDate",
    "Person",
    "Place",
    "Policy",
    "Post",
    "PostgresStore",
    "RecordError",
    "Recorded",
    "Released",
    "Renamed",
    "Resigned",
    "Resolved",
    "Retracted",
    "RosterEntry",
    "RosterReported",
    "Seat",
    "SnapshotRow",
    "Source",
    "Spell",
    "SqliteStore",
    "Store",
    "StoreError",
    "Tenure",
    "TenureEnded",
    "UnknownEventType",
    "UnknownReference",
    "UsageError",
    "Verified",
    "check",
    "copy_store",
    "explore",
    "make_converter",
    "name_key",
    "open_store",
    "parse_date",
    "register_event",
]
