"""The catalogue's chained history: every change to the entities is a hashed entry, so `verify` covers it.

The catalogue (``catalogue.toml`` of a directory, or its text in a database)
stays what people read and edit: a TOML file with comments, in any order. Its
history is kept beside it (``catalogue-history.jsonl``, or a table), one JSON
entry per change, each holding the entities it added, the entities it changed
(whole, as they became), the ids it removed, the SHA-256 of the catalogue
text before and after, and its own hash over all of that and the previous
entry's hash::

    {"n": 2, "prev": "...", "before": "...", "after": "...", "header": "added by chronos import ...",
     "added": [{"kind": "person", "id": "ann", "name": "Ann"}], "changed": [], "removed": [],
     "hash": "..."}

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
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import attrs

from chronos.entities import KINDS, Catalogue, Entity, entities_toml
from chronos.errors import IntegrityError
from chronos.sources import Publication
from chronos.stores.records import GENESIS

__all__ = [
    "Entry",
    "differences",
    "digest",
    "entities_of",
    "entity_row",
    "joined",
    "make_entry",
    "replay",
    "rows_of",
]

#: Differences named in one error; the rest are counted.
SHOWN: Final = 5


def digest(text: str | None) -> str | None:
    """The SHA-256 of a catalogue's text (UTF-8), or None for no catalogue."""
    return None if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()


def entity_row(entity: Entity) -> dict[str, Any]:
    """An entity as plain JSON data: its kind and every field that is not empty (as the TOML writes it)."""
    row: dict[str, Any] = {"kind": entity.kind}
    for key, value in attrs.asdict(entity, recurse=False).items():
        if key != "kind" and value not in (None, ()):
            row[key] = value
    normal: dict[str, Any] = json.loads(json.dumps(row, ensure_ascii=False))  # tuples become lists
    return normal


def entities_of(rows: Iterable[Mapping[str, Any]]) -> list[Entity]:
    """The entities that `entity_row` rows describe, in their order."""
    out: list[Entity] = []
    for row in rows:
        fields = {k: v for k, v in row.items() if k != "kind"}
        made = KINDS[row["kind"]](**fields)
        if isinstance(made, Entity):  # entries list entities; registered sources are not in them
            out.append(made)
    return out


def rows_of(catalogue: Catalogue) -> dict[str, dict[str, Any]]:
    """Every entity of a catalogue as `entity_row`, by id."""
    return {entity_id: entity_row(entity) for entity_id, entity in catalogue.items()}


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

    def content(self) -> dict[str, Any]:
        """Everything the hash covers."""
        return {
            "n": self.n,
            "prev": self.prev,
            "before": self.before,
            "after": self.after,
            "header": self.header,
            "added": list(self.added),
            "changed": list(self.changed),
            "removed": list(self.removed),
        }

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
            entry = cls(
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
    header: str | None = None,
) -> Entry:
    """The entry after ``previous`` (None: the first), hashed."""
    entry = Entry(
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


def replay(lines: Sequence[str], origin: str) -> tuple[dict[str, dict[str, Any]], list[Entry]]:
    """The entities the history says the catalogue holds (rows by id), and its entries.

    Raises `IntegrityError` naming the first entry that is not the valid
    continuation of the ones before it (edited, removed, reordered), or that
    adds an id already there or changes or removes one that is not.
    """
    entities: dict[str, dict[str, Any]] = {}
    entries: list[Entry] = []
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
            if row["id"] in entities:
                raise IntegrityError(f"{where}: adds {row['kind']} {row['id']!r}, which is already there")
            entities[row["id"]] = row
        for row in entry.changed:
            if row["id"] not in entities:
                raise IntegrityError(f"{where}: changes {row['kind']} {row['id']!r}, which is not there")
            entities[row["id"]] = row
        for entity_id in entry.removed:
            if entities.pop(entity_id, None) is None:
                raise IntegrityError(f"{where}: removes {entity_id!r}, which is not there")
        prev = entry.hash
        entries.append(entry)
    return entities, entries


def changes(
    recorded: Mapping[str, Mapping[str, Any]], catalogue: Catalogue
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]:
    """What ``catalogue`` added, changed and removed relative to the ``recorded`` rows, in catalogue order."""
    now = rows_of(catalogue)
    added = [row for entity_id, row in now.items() if entity_id not in recorded]
    changed = [row for entity_id, row in now.items() if entity_id in recorded and recorded[entity_id] != row]
    removed = [entity_id for entity_id in recorded if entity_id not in now]
    return added, changed, removed


def differences(recorded: Mapping[str, Mapping[str, Any]], catalogue: Catalogue, origin: str) -> list[str]:
    """One line per entity of ``catalogue`` that differs from the history's ``recorded`` rows."""
    added, changed, removed = changes(recorded, catalogue)
    lines = [
        f"{row['kind']} {row['id']!r} is not in the catalogue's history (added outside chronos)"
        for row in added
    ]
    for row in changed:
        before = recorded[row["id"]]
        fields = sorted(k for k in {*row, *before} if row.get(k) != before.get(k))
        lines.append(
            f"{row['kind']} {row['id']!r} differs from its history in {', '.join(fields)} "
            "(edited outside chronos)"
        )
    lines += [
        f"{recorded[entity_id]['kind']} {entity_id!r} is in the catalogue's history but not in {origin} "
        "(removed outside chronos)"
        for entity_id in removed
    ]
    return lines


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
