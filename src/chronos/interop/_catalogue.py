"""Writing the entities an import created into the log's catalogue, keeping what is already there.

New entities are appended as TOML tables to the existing text, so a
hand-written ``catalogue.toml`` keeps its comments, order and layout (TOML
lets the entries of ``[[person]]`` arrays appear anywhere in a file).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from chronos.entities import Entity, entities_toml
from chronos.log import EventLog
from chronos.stores.jsonl import CATALOGUE_FILE

__all__ = ["append_entities"]


def append_entities(log: EventLog, entities: Iterable[Entity], *, header: str) -> None:
    """Add entities to the catalogue kept with the log (``catalogue.toml`` for a directory).

    A log in memory keeps its catalogue only in ``log.catalogue``.
    """
    added = list(entities)
    log.catalogue = log.catalogue.with_entities(added)
    if not added:
        return
    store: Any = log.store
    read = getattr(store, "read_catalogue", None)
    write = getattr(store, "write_catalogue", None)
    directory = getattr(store, "directory", None)
    if read is not None and write is not None:
        old = read()
        write(_joined(old, added, header))
    elif isinstance(directory, Path):
        path = directory / CATALOGUE_FILE
        old_text = path.read_text(encoding="utf-8") if path.exists() else None
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(_joined(old_text, added, header), encoding="utf-8")
        os.replace(temporary, path)


def _joined(old: str | None, added: list[Entity], header: str) -> str:
    text = old or ""
    if text and not text.endswith("\n"):
        text += "\n"
    return (
        f"{text}\n# {header}\n\n{entities_toml(added)}" if text else f"# {header}\n\n{entities_toml(added)}"
    )
