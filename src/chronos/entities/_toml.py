"""The catalogue's TOML form: ``[[person]]``, ``[[organisation]]``, ``[[post]]``, ``[[source]]`` ...

`Catalogue.load`, `from_toml`, `from_dict`, `to_toml`, `save` and `to_dict` are these functions.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from chronos._fast import cache as _cache
from chronos.entities.kinds import KINDS, Entity, near_hint
from chronos.errors import CatalogueError, ChronosError, shown
from chronos.sources import Publication

if TYPE_CHECKING:
    from chronos.entities.catalogue import Catalogue

#: The catalogue's top-level key saying that every cited source must be registered.
REQUIRE_SOURCES = "require_registered_sources"


def load(cls: type[Catalogue], path: str | Path) -> Catalogue:
    """Read a catalogue from TOML.

    The file holds arrays of tables ``[[person]]``, ``[[organisation]]``,
    ``[[post]]`` and ``[[place]]``.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogueError(f"{path}: cannot read: {exc.strerror}") from None
    return from_toml(cls, text, origin=str(path))


def from_toml(
    cls: type[Catalogue], text: str, *, origin: str = "<catalogue>", cache: bool = True
) -> Catalogue:
    """A catalogue from its TOML text; errors name ``origin``.

    A large text's parsed form is kept in the user's cache (`chronos._fast.cache`),
    unless ``cache`` is False (`chronos verify` reads the text itself).
    """
    digest = _cache.text_digest(text) if cache and len(text) >= _cache.MIN_CACHED else None
    try:
        data = (
            _cache.parsed("catalogue", text, tomllib.loads, digest=digest) if cache else tomllib.loads(text)
        )
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{origin}: {exc}") from None
    except RecursionError:
        raise CatalogueError(f"{origin}: not TOML: nested too deeply") from None
    catalogue = from_dict(cls, data, origin=origin)
    # A large text names the name index an earlier process kept for it (`Catalogue._name_index`).
    catalogue._text_digest = digest
    return catalogue


def from_dict(cls: type[Catalogue], data: Mapping[str, Any], *, origin: str = "<catalogue>") -> Catalogue:
    """Build a catalogue from the parsed TOML structure."""
    entities: list[Entity | Publication] = []
    if not isinstance(data, Mapping):
        raise CatalogueError(f"{origin}: not a catalogue (tables of [[person]], [[post]] ...)")
    require = data.get(REQUIRE_SOURCES, False)
    if not isinstance(require, bool):
        raise CatalogueError(f"{origin}: {REQUIRE_SOURCES} must be true or false, not {shown(require)}")
    for kind, rows in data.items():
        if kind == REQUIRE_SOURCES:
            continue
        entity_class = KINDS.get(kind)
        if entity_class is None:
            raise CatalogueError(
                f"{origin}: unknown entity kind {shown(kind)}"
                + near_hint(str(kind), [*KINDS, REQUIRE_SOURCES])
            )
        if not isinstance(rows, list):
            raise CatalogueError(f"{origin}: {kind} must be an array of tables ([[{kind}]])")
        for index, row in enumerate(rows, start=1):
            try:
                if not isinstance(row, Mapping):
                    raise TypeError(f"not a table: {shown(row)}")
                entities.append(entity_class(**row))
            except TypeError as exc:
                raise CatalogueError(f"{origin}: {kind} #{index}: {exc}") from None
            except ChronosError as exc:
                raise CatalogueError(f"{origin}: {kind} #{index}: {exc}") from None
    return cls(entities, origin=origin, require_sources=require)


def to_toml(catalogue: Catalogue) -> str:
    """The catalogue as TOML text that `Catalogue.load` reads back."""
    head = f"{REQUIRE_SOURCES} = true\n\n" if catalogue.require_sources else ""
    return head + entities_toml([*catalogue.values(), *catalogue.sources.values()])


def save(catalogue: Catalogue, path: str | Path) -> None:
    """Write the catalogue to ``path`` as TOML, atomically (a unique temporary file renamed over it).

    For a log's own catalogue use `chronos.log.EventLog.add_entities`, which also chains the change.
    """
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(to_toml(catalogue))
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def to_dict(catalogue: Catalogue) -> dict[str, Any]:
    """The TOML-shaped structure `from_dict` reads."""
    out: dict[str, Any] = {REQUIRE_SOURCES: True} if catalogue.require_sources else {}
    for entity in catalogue.values():
        row = {
            k: (list(v) if isinstance(v, tuple) else v)
            for k, v in attrs.asdict(entity, recurse=False).items()
            if k != "kind" and v not in (None, ())
        }
        out.setdefault(entity.kind, []).append(row)
    for source in catalogue.sources.values():
        out.setdefault(Publication.kind, []).append(source.to_row())
    return out


def entities_toml(entities: Iterable[Entity | Publication]) -> str:
    """Entities and sources as ``[[kind]]`` TOML tables, in the order given (what `Catalogue.load` reads)."""
    lines: list[str] = []
    for entity in entities:
        lines.append(f"[[{entity.kind}]]")
        lines.extend(f"{key} = {toml_value(value)}" for key, value in toml_row(entity).items())
        lines.append("")
    return "\n".join(lines)


def toml_row(entity: Entity | Publication) -> dict[str, Any]:
    if isinstance(entity, Publication):
        return entity.to_row()
    # Leave out what is empty or the default, so a hand-written file and a written one look alike.
    return {
        k: v
        for k, v in attrs.asdict(entity, recurse=False).items()
        if k != "kind" and v not in (None, ()) and not (k == "seats" and v == 1)
    }


def toml_value(value: object) -> str:
    # JSON strings are valid TOML basic strings; lists and integers print alike.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        # TOML's basic strings need DEL escaped too, which JSON leaves as it is.
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007F")
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise CatalogueError(f"cannot write {shown(value)} to TOML")
