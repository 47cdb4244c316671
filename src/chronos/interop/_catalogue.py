"""Writing the entities an import created into the log's catalogue, keeping what is already there.

`chronos.log.EventLog.add_entities` does the work: new entities are appended
as TOML tables to the existing text (a hand-written ``catalogue.toml`` keeps
its comments, order and layout), under the store's write lock, and chained in
the catalogue's history.
"""

from __future__ import annotations

from collections.abc import Iterable

from chronos.entities import Entity
from chronos.log import EventLog

__all__ = ["append_entities"]


def append_entities(log: EventLog, entities: Iterable[Entity], *, header: str) -> None:
    """Add entities to the catalogue kept with the log, chained (`EventLog.add_entities`)."""
    log.add_entities(entities, header=header)
