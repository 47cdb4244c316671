"""Writing the entities an import created into the log's catalogue, keeping what is already there.

`chronos.log.EventLog.add_entities` is the one way a catalogue grows: new
entities (and registered sources) are appended as TOML tables to the existing
text (a hand-written ``catalogue.toml`` keeps its comments, order and layout),
under the store's write lock, and chained in the catalogue's history.
"""

from __future__ import annotations

from collections.abc import Iterable

from chronos.entities import Entity
from chronos.log import EventLog
from chronos.sources import Publication

__all__ = ["append_entities"]


def append_entities(
    log: EventLog, entities: Iterable[Entity | Publication], *, header: str, updates: Iterable[Entity] = ()
) -> None:
    """Add entities (and sources) to the catalogue kept with the log, and what ``updates`` add, chained.

    See `EventLog.add_entities`.
    """
    log.add_entities(entities, header=header, updates=updates)
