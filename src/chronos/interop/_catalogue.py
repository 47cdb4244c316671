"""Writing the entities an import created into the log's catalogue, keeping what is already there.

`EventLog.add_entities` is the one way a catalogue grows (so that, whatever
the log does to keep additions, imports get it too): a directory log's
``catalogue.toml`` gets new TOML tables appended, keeping a hand-written
file's comments, order and layout (TOML lets the entries of ``[[person]]``
arrays appear anywhere in a file).
"""

from __future__ import annotations

from collections.abc import Iterable

from chronos.entities import Entity
from chronos.log import EventLog
from chronos.sources import Publication

__all__ = ["append_entities"]


def append_entities(log: EventLog, entities: Iterable[Entity | Publication], *, header: str) -> None:
    """Add entities (and sources) to the catalogue kept with the log, under a ``header`` comment."""
    log.add_entities(entities, header=header)
