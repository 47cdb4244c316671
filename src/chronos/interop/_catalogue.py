"""Writing the entities an import created into the log's catalogue, keeping what is already there.

New entities are appended as TOML tables to the existing text, so a
hand-written ``catalogue.toml`` keeps its comments, order and layout (TOML
lets the entries of ``[[person]]`` arrays appear anywhere in a file).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from chronos.entities import Entity
from chronos.errors import CatalogueError
from chronos.log import CATALOGUE_FILE, EventLog

__all__ = ["append_entities", "entities_toml"]


def _value(value: object) -> str:
    # A JSON string is a valid TOML basic string (same escapes); integers and lists print alike.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise CatalogueError(f"cannot write {value!r} to TOML")


def _row(entity: Entity) -> dict[str, Any]:
    return {
        k: v
        for k, v in attrs.asdict(entity, recurse=False).items()
        if k != "kind" and v not in (None, ()) and not (k == "seats" and v == 1)
    }


def entities_toml(entities: Iterable[Entity]) -> str:
    """Entities as ``[[kind]]`` TOML tables, in the order given."""
    lines: list[str] = []
    for entity in entities:
        lines.append(f"[[{entity.kind}]]")
        lines.extend(f"{key} = {_value(value)}" for key, value in _row(entity).items())
        lines.append("")
    return "\n".join(lines)


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
