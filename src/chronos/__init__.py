"""chronos: event-sourced chronologies of who held which post when, and what was known when.

Re-exports only: these names are the public API (tests/test_api.py pins them). The layers,
lowest first, each importing only from those below it (tests/test_api.py checks that too):

    errors                      the exception tree
    dates, events, entities     the model: imprecise dates, immutable events, the catalogue
    sources                     the sources registry: what each cited source id is
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
from chronos.dates import Day, End, FuzzyDate, PartialDate, Span, parse_date, wikidata_date
from chronos.entities import Catalogue, Entity, Organisation, Person, Place, Post, name_key
from chronos.errors import (
    AmbiguousName,
    CatalogueError,
    ChronosError,
    ConcurrencyError,
    DateError,
    IntegrityError,
    IntegrityWarning,
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
    DeclaredComplete,
    Died,
    Dismissed,
    Dissolved,
    Event,
    Founded,
    Identified,
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
    Roster,
    Seat,
    SnapshotRow,
    Spell,
    Succession,
    Tenure,
)
from chronos.sources import Publication
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
    "Day",
    "DeclaredComplete",
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
    "Identified",
    "IntegrityError",
    "IntegrityWarning",
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
    "Publication",
    "RecordError",
    "Recorded",
    "Released",
    "Renamed",
    "Resigned",
    "Resolved",
    "Retracted",
    "Roster",
    "RosterEntry",
    "RosterReported",
    "Seat",
    "SnapshotRow",
    "Source",
    "Span",
    "Spell",
    "SqliteStore",
    "Store",
    "StoreError",
    "Succession",
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
    "wikidata_date",
]
