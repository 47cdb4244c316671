"""The catalogue's chained history: every change to the entities is a hashed entry, so `verify` covers it.

The catalogue (``catalogue.toml`` of a directory, or its text in a database)
stays what people read and edit: a TOML file with comments, in any order. Its
history is kept beside it (``catalogue-history.jsonl``, or a table), one JSON
entry per change, each holding the entities and registered sources it added,
those it changed (whole, as they became), the ids it removed, the catalogue's
settings after it (``require_registered_sources``), the SHA-256 of the
catalogue text before and after, and its own hash over all of that and the
previous entry's hash::

    {"v": 2, "n": 2, "prev": "...", "before": "...", "after": "...", "header": "added by chronos import ...",
     "added": [{"kind": "person", "id": "ann", "name": "Ann"}, {"kind": "source", "id": "a.csv", ...}],
     "changed": [], "removed": [], "removed_sources": [], "settings": {"require_registered_sources": true},
     "hash": "..."}

Entries written before registered sources were chained (no ``"v"``: version 1)
list entities only, and are read and hashed as they were written; the first
version-2 entry of such a history adopts the sources and settings the
catalogue holds then, and from there on `verify` covers them too.

Replaying the entries gives the entities the catalogue must hold. `chronos
verify` replays them and compares with the catalogue's text, naming every
entity added, changed or removed outside chronos, and checks that every
entity an event names is there. chronos writes entries when it changes the
catalogue itself (`EventLog.add_entities`, which imports use) and when asked
to record edits made by hand (`EventLog.record_catalogue`, ``chronos
record-catalogue``), which refuses to record the removal of an entity any
event names: a referenced entity can never vanish unnoticed. A catalogue
without a history (a log from before, or written by hand) gets one, starting
with every entity it holds, the first time chronos writes or records it.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import attrs

from chronos.entities import KINDS, REQUIRE_SOURCES, Catalogue, Entity, entities_toml
from chronos.errors import IntegrityError
from chronos.sources import Publication
from chronos.stores.records import GENESIS

__all__ = [
    "Entry",
    "History",
    "differences",
    "digest",
    "entities_of",
    "entity_row",
    "joined",
    "make_entry",
    "replay",
    "rows_of",
    "settings_of",
]

#: Differences named in one error; the rest are counted.
SHOWN: Final = 5
#: The version of the entries chronos writes (1: entities only; 2: sources and settings too).
VERSION: Final = 2
#: The header of the entry that takes the sources and settings into a history of version-1 entries.
ADOPTED: Final = "the registered sources and settings, as they were when the history began to list them"
#: Rows of registered sources are kept under this prefix and their id: ids never hold control characters.
_SOURCE_KEY: Final = "source\x1f"


def digest(text: str | None) -> str | None:
    """The SHA-256 of a catalogue's text (UTF-8), or None for no catalogue."""
    return None if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()


def entity_row(entity: Entity | Publication) -> dict[str, Any]:
    """An entity or a registered source as plain JSON data: its kind and every field that is not empty."""
    if isinstance(entity, Publication):
        return {"kind": Publication.kind, **entity.to_row()}
    row: dict[str, Any] = {"kind": entity.kind}
    for key, value in attrs.asdict(entity, recurse=False).items():
        if key != "kind" and value not in (None, ()):
            row[key] = value
    normal: dict[str, Any] = json.loads(json.dumps(row, ensure_ascii=False))  # tuples become lists
    return normal


def entities_of(rows: Iterable[Mapping[str, Any]]) -> list[Entity | Publication]:
    """The entities and registered sources that `entity_row` rows describe, in their order."""
    out: list[Entity | Publication] = []
    for row in rows:
        fields = {k: v for k, v in row.items() if k != "kind"}
        out.append(KINDS[row["kind"]](**fields))
    return out


def counted(rows: Sequence[Mapping[str, Any]]) -> str:
    """How many entities and registered sources some rows hold, in words: ``3 entities and 1 source``."""
    sources = sum(row["kind"] == Publication.kind for row in rows)
    entities = len(rows) - sources
    said = f"{entities} entit{'ies' if entities != 1 else 'y'}"
    return said + (f" and {sources} source{'s' if sources != 1 else ''}" if sources else "")


def key(row: Mapping[str, Any]) -> str:
    """Where a row is kept in a replayed history: entities by id, sources apart (their ids are their own)."""
    return _SOURCE_KEY + row["id"] if row["kind"] == Publication.kind else str(row["id"])


def source_id(row_key: str) -> str | None:
    """The source id a `key` stands for, or None for an entity's."""
    return row_key[len(_SOURCE_KEY) :] if row_key.startswith(_SOURCE_KEY) else None


def rows_of(catalogue: Catalogue, *, sources: bool = True) -> dict[str, dict[str, Any]]:
    """Every entity and (unless ``sources`` is False) registered source of a catalogue, by `key`."""
    rows = {entity_id: entity_row(entity) for entity_id, entity in catalogue.items()}
    if sources:
        rows.update((_SOURCE_KEY + s.id, entity_row(s)) for s in catalogue.sources.values())
    return rows


def settings_of(catalogue: Catalogue) -> dict[str, Any]:
    """The catalogue's settings as a version-2 entry records them."""
    return {REQUIRE_SOURCES: catalogue.require_sources}


def joined(old: str | None, added: Sequence[Entity | Publication], header: str) -> str:
    """The catalogue text ``old`` with ``added`` appended as TOML tables under a comment ``header``.

    Appending keeps a hand-written file's comments, order and layout (TOML lets
    the entries of ``[[person]]`` arrays appear anywhere in a file).
    """
    text = old or ""
    if text and not text.endswith("\n"):
        text += "\n"
    body = entities_toml(added)
    return f"{text}\n# {header}\n\n{body}" if text else f"# {header}\n\n{body}"


def additive(old: Entity, new: Entity) -> Entity:
    """``old`` with what ``new`` says besides: its names as aliases, its identifiers and languages.

    Nothing ``old`` says is removed or changed (its canonical name stays); a
    later version of a dataset can only add.
    """
    names = set(old.names)
    aliases = (*old.aliases, *(a for a in dict.fromkeys(new.names) if a not in names))
    identifiers = (*old.identifiers, *(i for i in dict.fromkeys(new.identifiers) if i not in old.identifiers))
    languages = (*old.languages, *(t for t in dict.fromkeys(new.languages) if t not in old.languages))
    if set(old.languages) <= set(new.languages):
        languages = tuple(dict.fromkeys(new.languages))  # the order ``new`` gives them (sorted, by imports)
    return attrs.evolve(old, aliases=aliases, identifiers=identifiers, languages=languages)


_TABLE = re.compile(r"^[ \t]*\[\[?[ \t]*([\w.-]+)[ \t]*\]\]?[ \t]*(#.*)?$")
_QUIET = re.compile(r"^[ \t]*(#.*)?$")


def replaced(text: str, entity: Entity) -> str:
    """The catalogue text with ``entity``'s table written anew in its place (the rest kept as it is).

    The table is the ``[[kind]]`` whose ``id`` is the entity's, up to the next
    table, less the comments and blank lines that lead to it. Raises
    `IntegrityError` when there is no such table.
    """
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if _TABLE.match(line)]
    for at, start in enumerate(starts):
        match = _TABLE.match(lines[start])
        if match is None or match.group(1) != entity.kind or not lines[start].lstrip().startswith("[["):
            continue
        end = starts[at + 1] if at + 1 < len(starts) else len(lines)
        while end > start + 1 and _QUIET.match(lines[end - 1]):
            end -= 1
        block = "".join(lines[start:end])
        try:
            found = tomllib.loads(block.split("]]", 1)[1])
        except (tomllib.TOMLDecodeError, IndexError):
            continue
        if found.get("id") == entity.id:
            body = entities_toml([entity])
            return "".join(lines[:start]) + body + "".join(lines[end:])
    raise IntegrityError(f"no [[{entity.kind}]] table with id {entity.id!r} to write anew")


def written(
    text: str | None, added: Sequence[Entity | Publication], changed: Sequence[Entity], header: str
) -> str:
    """The catalogue text after one chained change: ``changed`` tables written anew, ``added`` appended."""
    out = text or ""
    for entity in changed:
        out = replaced(out, entity)
    return joined(out, added, header) if added else out


@attrs.frozen
class Entry:
    """One change to the catalogue, chained to the one before it by ``prev`` and ``hash``."""

    n: int
    prev: str
    before: str | None
    after: str | None
    header: str | None = None
    added: tuple[dict[str, Any], ...] = ()
    changed: tuple[dict[str, Any], ...] = ()
    removed: tuple[str, ...] = ()
    hash: str = ""
    #: 1: entities only (entries written before sources were chained); 2: sources and settings too.
    v: int = 1
    removed_sources: tuple[str, ...] = ()
    #: The catalogue's settings after this entry (version 2; None in version 1).
    settings: dict[str, Any] | None = None

    def content(self) -> dict[str, Any]:
        """Everything the hash covers (a version-1 entry's exactly as it was written)."""
        data: dict[str, Any] = {
            "n": self.n,
            "prev": self.prev,
            "before": self.before,
            "after": self.after,
            "header": self.header,
            "added": list(self.added),
            "changed": list(self.changed),
            "removed": list(self.removed),
        }
        if self.v >= VERSION:
            data.update(v=self.v, removed_sources=list(self.removed_sources), settings=self.settings)
        return data

    def expected_hash(self) -> str:
        """The hash this entry's content should have."""
        text = json.dumps(self.content(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def to_json(self) -> str:
        """The entry as one line of JSON."""
        data = self.content()
        data["hash"] = self.hash
        return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def parse(cls, text: str, where: str) -> Entry:
        """An entry from its JSON line; `IntegrityError` naming ``where`` when it is not one."""
        try:
            data = json.loads(text)
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            version = data.get("v", 1)
            if version not in (1, VERSION) or isinstance(version, bool):
                raise ValueError(f"unknown version {str(version)[:20]}")
            entry = cls(
                v=version,
                removed_sources=tuple(_ids(data, "removed_sources")) if version >= VERSION else (),
                settings=_settings(data) if version >= VERSION else None,
                n=_typed(data, "n", int),
                prev=_typed(data, "prev", str),
                before=_typed(data, "before", str, optional=True),
                after=_typed(data, "after", str, optional=True),
                header=_typed(data, "header", str, optional=True),
                added=tuple(_rows(data, "added")),
                changed=tuple(_rows(data, "changed")),
                removed=tuple(_ids(data, "removed")),
                hash=_typed(data, "hash", str),
            )
        except (ValueError, RecursionError) as exc:
            raise IntegrityError(f"{where}: not a catalogue history entry: {str(exc)[:200]}") from None
        return entry


def make_entry(
    previous: Entry | None,
    *,
    before: str | None,
    after: str | None,
    added: Iterable[Mapping[str, Any]] = (),
    changed: Iterable[Mapping[str, Any]] = (),
    removed: Iterable[str] = (),
    removed_sources: Iterable[str] = (),
    settings: Mapping[str, Any],
    header: str | None = None,
) -> Entry:
    """The entry after ``previous`` (None: the first), hashed; ``settings`` are the catalogue's after it."""
    entry = Entry(
        v=VERSION,
        removed_sources=tuple(removed_sources),
        settings=dict(settings),
        n=1 if previous is None else previous.n + 1,
        prev=GENESIS if previous is None else previous.hash,
        before=before,
        after=after,
        header=header,
        added=tuple(dict(row) for row in added),
        changed=tuple(dict(row) for row in changed),
        removed=tuple(removed),
    )
    return attrs.evolve(entry, hash=entry.expected_hash())


@attrs.frozen
class History:
    """A replayed history: the rows the catalogue must hold (by `key`), its entries, and its settings.

    ``settings`` is None for a history of version-1 entries only: it says
    nothing of sources or settings, and only its entities are checked.
    """

    rows: dict[str, dict[str, Any]]
    entries: list[Entry]
    settings: dict[str, Any] | None

    @property
    def covers_sources(self) -> bool:
        """Whether the history records the registered sources and settings (it has a version-2 entry)."""
        return self.settings is not None


def replay(lines: Sequence[str], origin: str) -> History:
    """The entities (and sources) the history says the catalogue holds, its entries and its settings.

    Raises `IntegrityError` naming the first entry that is not the valid
    continuation of the ones before it (edited, removed, reordered), or that
    adds an id already there or changes or removes one that is not.
    """
    rows: dict[str, dict[str, Any]] = {}
    entries: list[Entry] = []
    settings: dict[str, Any] | None = None
    prev = GENESIS
    for number, line in enumerate(lines, start=1):
        where = f"{origin}:{number}"
        entry = Entry.parse(line, where)
        if entry.n != number:
            raise IntegrityError(
                f"{where}: entry {entry.n} where {number} belongs (removed or reordered entries)"
            )
        if entry.prev != prev:
            raise IntegrityError(
                f"{where}: does not follow the entry before it (removed or reordered entries)"
            )
        if entry.hash != entry.expected_hash():
            raise IntegrityError(f"{where}: content does not match its hash (edited entry)")
        for row in entry.added:
            if key(row) in rows:
                raise IntegrityError(f"{where}: adds {row['kind']} {row['id']!r}, which is already there")
            rows[key(row)] = row
        for row in entry.changed:
            if key(row) not in rows:
                raise IntegrityError(f"{where}: changes {row['kind']} {row['id']!r}, which is not there")
            rows[key(row)] = row
        removed = [*entry.removed, *(_SOURCE_KEY + i for i in entry.removed_sources)]
        for row_key in removed:
            if rows.pop(row_key, None) is None:
                raise IntegrityError(f"{where}: removes {_shown_key(row_key)}, which is not there")
        if entry.settings is not None:
            settings = entry.settings
        prev = entry.hash
        entries.append(entry)
    return History(rows, entries, settings)


def _shown_key(row_key: str) -> str:
    source = source_id(row_key)
    return f"{row_key!r}" if source is None else f"source {source!r}"


def changes(
    recorded: Mapping[str, Mapping[str, Any]], catalogue: Catalogue, *, sources: bool = True
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]:
    """What ``catalogue`` added, changed and removed relative to the ``recorded`` rows, in catalogue order.

    The removed are `key` values (`source_id` tells a source's); ``sources``
    False leaves registered sources out (a history of version-1 entries).
    """
    now = rows_of(catalogue, sources=sources)
    added = [row for row_key, row in now.items() if row_key not in recorded]
    changed = [row for row_key, row in now.items() if row_key in recorded and recorded[row_key] != row]
    removed = [row_key for row_key in recorded if row_key not in now]
    return added, changed, removed


def differences(recorded: History, catalogue: Catalogue, origin: str) -> list[str]:
    """One line per entity (source, setting) of ``catalogue`` that differs from what its history says."""
    added, changed, removed = changes(recorded.rows, catalogue, sources=recorded.covers_sources)
    lines = [
        f"{row['kind']} {row['id']!r} is not in the catalogue's history (added outside chronos)"
        for row in added
    ]
    for row in changed:
        before = recorded.rows[key(row)]
        fields = sorted(k for k in {*row, *before} if row.get(k) != before.get(k))
        lines.append(
            f"{row['kind']} {row['id']!r} differs from its history in {', '.join(fields)} "
            "(edited outside chronos)"
        )
    lines += [
        f"{recorded.rows[row_key]['kind']} {recorded.rows[row_key]['id']!r} is in the catalogue's "
        f"history but not in {origin} (removed outside chronos)"
        for row_key in removed
    ]
    if recorded.settings is not None:
        now = settings_of(catalogue)
        lines += [
            f"{name} is {_toml_bool(now.get(name))} in {origin}, {_toml_bool(value)} in its history "
            "(edited outside chronos)"
            for name, value in recorded.settings.items()
            if now.get(name) != value
        ]
    return lines


def _toml_bool(value: object) -> str:
    return "true" if value is True else "false" if value is False else repr(value)


def _typed(data: Mapping[str, Any], key: str, kind: type, *, optional: bool = False) -> Any:
    value = data.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ValueError(f"field {key!r} missing or not a {kind.__name__}")
    return value


def _rows(data: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    rows = data.get(key)
    if not isinstance(rows, list):
        raise ValueError(f"field {key!r} missing or not a list")
    for row in rows:
        if not (
            isinstance(row, dict) and isinstance(row.get("id"), str) and isinstance(row.get("kind"), str)
        ):
            raise ValueError(f"{key}: an entity without a kind and an id: {str(row)[:80]}")
    return rows


def _ids(data: Mapping[str, Any], key: str) -> list[str]:
    ids = data.get(key)
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise ValueError(f"field {key!r} missing or not a list of ids")
    return ids


def _settings(data: Mapping[str, Any]) -> dict[str, Any]:
    settings = data.get("settings")
    if not isinstance(settings, dict) or not all(isinstance(v, bool) for v in settings.values()):
        raise ValueError("field 'settings' missing or not an object of true/false values")
    return settings
