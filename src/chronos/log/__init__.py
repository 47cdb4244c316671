"""The append-only event log: validated appends with optimistic concurrency, reads, verification.

Events are appended in the order they were learned, which is not the order in
which they happened; projections sort by valid time. Nothing is ever updated
or deleted: there is no such method. Each record carries the hash of the one
before it, and `EventLog.verify` names the first record that breaks the chain.
"""

from chronos.log.eventlog import (
    CATALOGUE_HEADER,
    AppendResult,
    EntityClash,
    EventLog,
    Recorded,
    Verified,
)

__all__ = ["CATALOGUE_HEADER", "AppendResult", "EntityClash", "EventLog", "Recorded", "Verified"]
