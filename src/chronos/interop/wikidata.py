"""Wikidata's "position held" (P39) statements as tenures: entity JSON in, one dataset per item.

Files hold Wikibase entity JSON in any of the forms Wikidata publishes: a
``wbgetentities`` response (``{"entities": {"Q1": {...}}}``), a bare entity,
a JSON array of entities, or dump lines (one entity per line, with or without
the dump's ``[``, ``]`` and trailing commas), gzip-compressed or not.

Every P39 statement of an item is one tenure record, keyed by the statement's
id, of the position it names:

- ``P580`` (start time) is an ``appointed`` claim and ``P582`` (end time) an
  end, dated as `chronos.interop._wikibase.time_date` reads them (day, month,
  year; decades and centuries as year ranges; Julian dates converted). An
  unknown value ("some value") leaves the start open, or ends the tenure on a
  day between its start and the revision; an end cause without an end time
  does the same. A statement with no date at all started on or before the
  revision it was read from (``../REVISION-DAY``), and says so in its note.
- ``P1534`` (end cause) says how it ended: death (`Died`), resignation,
  dismissal or removal, or else ``left`` (a term that ended, a cause chronos
  does not know), read from the cause's item id or, when the files hold that
  item, its English label.
- ``P642`` (of), ``P2389`` (organisation directed by the office) or ``P108``
  (employer), the first one given, is the organisation of the post; without
  one the post belongs to the organisation ``wikidata``. Every qualifier, with
  ``P768`` (electoral district), ``P1365``/``P1366`` (replaces, replaced by) and
  the rank, is kept in the claims' note.
- The rank: normal and preferred statements are claims; a deprecated one is a
  claim withdrawn at once (a `Retracted` with the reason Wikidata gives, P2241).
- References become sources beside the item's own citation: the URL (P854),
  else what it is stated in (P248) or imported from (P143), retrieved on (P813).

Each item is its own dataset (``wikidata/Q42``) whose claims cite
``wikidata/Q42/revision-N`` and are known from the item's ``modified`` day:
importing an older and then a newer revision of an item adds only what changed
(corrections and retractions, no second person). The person is named by the
item's label (English first) with every other label and alias in every
language as aliases; positions and organisations are named by their labels
when the files hold those items (a ``wbgetentities`` of labels, or a dump),
else by their ids, which stay aliases.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Final

import attrs

from chronos.dates import Day, End, FuzzyDate, PartialDate
from chronos.errors import RecordError
from chronos.events import Source
from chronos.interop._batch import Part
from chronos.interop._model import ClaimSpec, Dataset, ForeignEntity, Skipped, TenureRecord, role_post_key
from chronos.interop._wikibase import (
    SOME_VALUE,
    UnusableDate,
    entity_names,
    item_id,
    label,
    snak_value,
    time_date,
    value_text,
)

__all__ = ["END_CAUSES", "ORG_QUALIFIERS", "UMBRELLA", "read_entities", "wikidata_parts"]

#: The organisation of posts whose statements name none.
UMBRELLA: Final = "wikidata"
#: Qualifiers naming the organisation a position is in, in the order they are looked for.
ORG_QUALIFIERS: Final = ("P642", "P2389", "P108")
#: End causes (P1534) by item id, where the id alone says it.
END_CAUSES: Final = {
    "Q4": "died",  # death
    "Q5247364": "died",  # death in office
    "Q796919": "resigned",  # resignation
}
#: Words of an end cause's English label, and the cause they mean.
_CAUSE_WORDS: Final = (
    (("death", "died", "assassinat", "killed", "murder"), "died"),
    (("resign", "abdicat"), "resigned"),
    (
        ("dismiss", "remov", "impeach", "recall", "depos", "ousted", "coup", "no confidence", "sacked"),
        "dismissed",
    ),
)
_NAMES: Final = {
    "P580": "start time",
    "P582": "end time",
    "P642": "of",
    "P2389": "organisation directed by the office",
    "P108": "employer",
    "P768": "electoral district",
    "P1365": "replaces",
    "P1366": "replaced by",
    "P1534": "end cause",
    "P2241": "reason for deprecated rank",
}


# Reading files ----------------------------------------------------------------------------------------


def _text(path: Path) -> str:
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise RecordError(f"{path}: a damaged gzip file ({exc})") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RecordError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _entities_of(data: Any) -> list[Any] | None:
    if isinstance(data, Mapping) and isinstance(data.get("entities"), Mapping):
        return list(data["entities"].values())
    if isinstance(data, Mapping) and "id" in data:
        return [data]
    if isinstance(data, list):
        return data
    return None


def read_entities(text: str, origin: str) -> tuple[list[tuple[str, Mapping[str, Any]]], list[Skipped]]:
    """The entities of one file with where each is (``FILE:LINE`` for dump lines), and lines left out."""
    stripped = text.strip()
    if not stripped:
        raise RecordError(f"{origin}: empty file (expected Wikibase entity JSON)")
    try:
        whole = json.loads(stripped)
    except (ValueError, RecursionError):
        whole = None
    found = _entities_of(whole) if whole is not None else None
    if found is not None:
        return [
            (f"{origin}: {_id(e) or f'[{i}]'}", e) for i, e in enumerate(found) if isinstance(e, Mapping)
        ], [
            Skipped(f"{origin}: [{i}]", "not an entity object", "entity")
            for i, e in enumerate(found)
            if not isinstance(e, Mapping)
        ]
    if whole is not None:
        raise RecordError(f"{origin}: not Wikibase entity JSON (no 'entities', no 'id', not a list)")
    out: list[tuple[str, Mapping[str, Any]]] = []
    skipped: list[Skipped] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip().rstrip(",")
        if line in ("", "[", "]"):
            continue
        try:
            entity = json.loads(line)
        except (ValueError, RecursionError) as exc:  # a number or nesting too large too
            skipped.append(
                Skipped(f"{origin}:{number}", f"not JSON: {getattr(exc, 'msg', 'too large')}", "entity")
            )
            continue
        if not isinstance(entity, Mapping):
            skipped.append(Skipped(f"{origin}:{number}", "not an entity object", "entity"))
            continue
        out.append((f"{origin}:{number}", entity))
    if not out:
        raise RecordError(f"{origin}: no Wikibase entity JSON (neither a JSON document nor dump lines)")
    return out, skipped


def _id(entity: Mapping[str, Any]) -> str | None:
    value = entity.get("id")
    return value.upper() if isinstance(value, str) and value else None


# Statements -----------------------------------------------------------------------------------------


@attrs.frozen
class _Item:
    """One revision of one item: where it was read, its id, what its claims cite, when it was known."""

    where: str
    qid: str
    label: str
    known: FuzzyDate
    entity: Mapping[str, Any]


def _snaks(container: Any, prop: str) -> list[Any]:
    snaks = container.get(prop, []) if isinstance(container, Mapping) else []
    return [snak_value(s) for s in snaks] if isinstance(snaks, list) else []


def _end_cause(cause: str | None, labels: Mapping[str, str]) -> str:
    if cause is None:
        return "left"
    if cause in END_CAUSES:
        return END_CAUSES[cause]
    words = labels.get(cause, "").casefold()
    for stems, meaning in _CAUSE_WORDS:
        if any(stem in words for stem in stems):
            return meaning
    return "left"


def _qualifier_note(statement: Mapping[str, Any], labels: Mapping[str, str]) -> str:
    parts = []
    qualifiers = statement.get("qualifiers")
    if isinstance(qualifiers, Mapping):
        order = statement.get("qualifiers-order") or sorted(qualifiers)
        for prop in [p for p in order if p in qualifiers] + sorted(set(qualifiers) - set(order)):
            if prop in ("P580", "P582"):
                continue
            values = ", ".join(value_text(v, labels) for v in _snaks(qualifiers, prop) if v is not None)
            name = _NAMES.get(prop)
            parts.append(f"{prop}{f' ({name})' if name else ''}: {values or 'no value'}")
    return "; ".join(parts)


def _references(statement: Mapping[str, Any], quote: str, labels: Mapping[str, str]) -> list[Source]:
    out = []
    for reference in statement.get("references") or ():
        snaks = reference.get("snaks") if isinstance(reference, Mapping) else None
        if not isinstance(snaks, Mapping):
            continue
        url = next((v for v in _snaks(snaks, "P854") if isinstance(v, str) and v.strip()), None)
        stated = next((item_id(v) for v in _snaks(snaks, "P248") if item_id(v)), None)
        imported = next((item_id(v) for v in _snaks(snaks, "P143") if item_id(v)), None)
        title = next(
            (v["text"] for v in _snaks(snaks, "P1476") if isinstance(v, Mapping) and v.get("text")), None
        )
        retrieved = next((v for v in _snaks(snaks, "P813") if isinstance(v, Mapping)), None)
        where = []
        if url is not None and stated is not None:
            where.append(f"stated in {value_text({'id': stated}, labels)}")
        if retrieved is not None:
            try:
                where.append(f"retrieved {time_date(retrieved)[0]}")
            except UnusableDate:
                where.append(f"retrieved {retrieved.get('time')}")
        if url is not None:
            source = url.strip()
        elif stated is not None:
            source = f"stated in {value_text({'id': stated}, labels)}"
        elif imported is not None:
            source = f"imported from {value_text({'id': imported}, labels)}"
        else:
            continue
        out.append(Source(source=source, quote=str(title or quote), locator="; ".join(where) or None))
    return list(dict.fromkeys(out))


@attrs.frozen
class _Statement:
    """What one P39 statement says, before it becomes a record."""

    key: str
    position: str
    org: str | None
    rank: str
    note: str
    sources: tuple[Source, ...]
    quote: str


def _dates(
    values: list[Any], where: str, role: str, skipped: list[Skipped]
) -> tuple[list[tuple[FuzzyDate, str | None]], bool]:
    """The usable dates of a P580 or P582, and whether one is an unknown value ("some value")."""
    dates = []
    unknown = False
    for value in values:
        if value is SOME_VALUE:
            unknown = True
            continue
        if value is None:
            continue
        try:
            dates.append(time_date(value))
        except UnusableDate as exc:
            skipped.append(Skipped(where, f"{role} not usable: {exc}", "claim"))
    return dates, unknown


def _joined(*notes: str | None) -> str | None:
    text = "; ".join(n for n in notes if n)
    return text or None


def _record(
    item: _Item, statement: _Statement, qualifiers: Any, labels: Mapping[str, str], skipped: list[Skipped]
) -> TenureRecord | None:
    """The tenure record of one statement; None (with a `Skipped` saying why) when no date is usable."""
    where = f"{item.where}: P39 {statement.key}"
    before = len(skipped)
    starts, _ = _dates(_snaks(qualifiers, "P580"), where, "start time (P580)", skipped)
    ends, end_unknown = _dates(_snaks(qualifiers, "P582"), where, "end time (P582)", skipped)
    unusable = len(skipped) > before
    causes = [c for c in (item_id(v) for v in _snaks(qualifiers, "P1534")) if c]
    cause = _end_cause(causes[0] if causes else None, labels)
    day = PartialDate.from_day(item.known.last)

    def claim(cause: str, date: FuzzyDate, said: str | None) -> ClaimSpec:
        return ClaimSpec(cause, date, sources=statement.sources, note=_joined(statement.note, said))

    start_claims = [claim("appointed", date, said) for date, said in starts]
    # A death alone is a claim about the person, which no tenure without a start would show:
    # say also that the post was left.
    ended = "died/left" if cause == "died" and not start_claims else cause
    end_claims = [claim(ended, date, said) for date, said in ends]
    if not end_claims and (end_unknown or causes):
        # It ended, and Wikidata does not say when: on a day between its start and the revision.
        # A death known only as a cause ends this tenure, not every tenure as a dated `Died` would.
        low = min((d.first for d, _ in starts if d.first != Day.min), default=None)
        date = (
            FuzzyDate(PartialDate.from_day(low), day, "interval")
            if low is not None and low < item.known.last
            else FuzzyDate.of(f"../{day}")
        )
        said = "Wikidata gives an end (an unknown end time or an end cause) but no end date"
        end_claims.append(claim("left" if cause == "died" else cause, date, said))
    if not start_claims and not end_claims:
        if unusable:
            skipped.append(Skipped(where, "no usable date"))
            return None
        said = f"Wikidata gives no start or end date: held on or before the revision of {day}"
        start_claims.append(claim("appointed", FuzzyDate.of(f"../{day}"), said))
    post = role_post_key(statement.org or UMBRELLA, statement.position)
    return TenureRecord(
        statement.key, item.qid, post, tuple(start_claims), tuple(end_claims), statement.quote
    )


def _statement(
    item: _Item, index: int, raw: Mapping[str, Any], labels: Mapping[str, str], skipped: list[Skipped]
) -> _Statement | None:
    key = str(raw.get("id") or f"{item.qid}$P39-{index}")
    position = item_id(snak_value(raw.get("mainsnak")))
    if position is None:
        skipped.append(Skipped(f"{item.where}: P39 {key}", "names no position (no value or an unknown one)"))
        return None
    qualifiers = raw.get("qualifiers")
    org = next(
        (
            found
            for prop in ORG_QUALIFIERS
            for found in (item_id(v) for v in _snaks(qualifiers, prop))
            if found
        ),
        None,
    )
    rank = str(raw.get("rank") or "normal")
    quote = f"position held: {value_text({'id': position}, labels)}"
    rest = _qualifier_note(raw, labels)
    note = f"Wikidata {item.qid} statement {key}, {rank} rank" + (f"; {rest}" if rest else "")
    own = Source(source=item.label, quote=quote, locator=key)
    sources = (own, *_references(raw, quote, labels))
    return _Statement(key, position, org, rank, note, tuple(dict.fromkeys(sources)), quote)


def _dataset(item: _Item, labels: Mapping[str, str]) -> tuple[Dataset, dict[str, str], frozenset[str]]:
    """One item's person, positions and P39 records, its deprecated records (with why) and undated ones."""
    skipped: list[Skipped] = []
    name, aliases = entity_names(item.entity)
    entities: dict[tuple[str, str], ForeignEntity] = {
        ("person", item.qid): ForeignEntity("person", item.qid, name or item.qid, aliases)
    }
    records: list[TenureRecord] = []
    withdrawn: dict[str, str] = {}
    undated: set[str] = set()
    claims = item.entity.get("claims")
    statements = claims.get("P39", []) if isinstance(claims, Mapping) else []
    for index, raw in enumerate(statements if isinstance(statements, list) else []):
        if not isinstance(raw, Mapping):
            skipped.append(Skipped(f"{item.where}: P39 [{index}]", "not a statement object"))
            continue
        statement = _statement(item, index, raw, labels, skipped)
        if statement is None:
            continue
        record = _record(item, statement, raw.get("qualifiers"), labels, skipped)
        if record is None:
            continue
        records.append(record)
        if record.starts and record.starts[0].date.lower is End.OPEN and not record.ends:
            undated.add(record.key)
        org = statement.org or UMBRELLA
        if statement.org is None:
            entities.setdefault(
                ("organisation", UMBRELLA),
                ForeignEntity(
                    "organisation",
                    UMBRELLA,
                    "Wikidata",
                    note="positions Wikidata names with no organisation (no P642, P2389 or P108 qualifier)",
                ),
            )
        else:
            entities.setdefault(
                ("organisation", org), ForeignEntity("organisation", org, labels.get(org, org))
            )
        entities.setdefault(
            ("post", record.post),
            ForeignEntity(
                "post",
                record.post,
                labels.get(statement.position, statement.position),
                (statement.position,),
                org=org,
            ),
        )
        if statement.rank == "deprecated":
            reasons = [value_text(v, labels) for v in _snaks(raw.get("qualifiers"), "P2241") if v is not None]
            withdrawn[record.key] = "deprecated rank on Wikidata" + (
                f" (reason: {', '.join(reasons)})" if reasons else ""
            )
    return (
        Dataset(tuple(entities.values()), tuple(records), skipped=tuple(skipped)),
        withdrawn,
        frozenset(undated),
    )


# Files to parts ------------------------------------------------------------------------------------------


def _items(
    found: Iterable[tuple[str, Mapping[str, Any]]], known_at: FuzzyDate, skipped: list[Skipped]
) -> Iterator[tuple[str, Mapping[str, Any], FuzzyDate, str]]:
    for where, entity in found:
        qid = _id(entity)
        if qid is None or "missing" in entity:
            skipped.append(Skipped(where, "a missing entity, or one with no id", "entity"))
            continue
        modified = entity.get("modified")
        known = known_at
        if isinstance(modified, str) and modified[:10]:
            try:
                known = FuzzyDate.of(modified[:10])
            except ValueError:
                skipped.append(Skipped(where, f"modified {modified!r} is not a date", "entity"))
                continue
        revision = entity.get("lastrevid")
        yield where, entity, known, f"revision-{revision}" if revision else f"modified-{known}"


def wikidata_parts(
    paths: Iterable[Path], *, known_at: FuzzyDate, dataset: str = "wikidata"
) -> tuple[list[Part], list[Skipped]]:
    """The parts (one per item revision, in id and date order) of some files.

    Every entity of the files lends its label to the positions, organisations
    and end causes the others name. ``known_at`` dates items with no
    ``modified``. Also returns the entities and lines left out.
    """
    found: list[tuple[str, Mapping[str, Any]]] = []
    skipped: list[Skipped] = []
    for path in paths:
        entities, bad = read_entities(_text(path), str(path))
        found.extend(entities)
        skipped.extend(bad)
    labels = {qid: text for _, e in found if (qid := _id(e)) and (text := label(e))}
    items: dict[tuple[str, str], _Item] = {}
    for where, entity, known, revision in _items(found, known_at, skipped):
        qid = _id(entity)
        assert qid is not None
        items.setdefault((qid, revision), _Item(where, qid, f"{dataset}/{qid}/{revision}", known, entity))
    ordered = sorted(items.values(), key=lambda i: (i.qid, i.known.last, _revision_number(i.label)))
    parts = []
    for item in ordered:
        claims = item.entity.get("claims")
        if not isinstance(claims, Mapping) or not claims.get("P39"):
            # An item lending its labels, or a person with no position (any more): it adds
            # nothing, and retracts what an earlier revision of it said.
            parts.append(Part(Dataset(), f"{dataset}/{item.qid}", item.label, item.known))
            continue
        data, withdrawn, undated = _dataset(item, labels)
        parts.append(Part(data, f"{dataset}/{item.qid}", item.label, item.known, withdrawn, undated))
    return parts, skipped


def _revision_number(revision: str) -> int:
    number = revision.rsplit("-", 1)[-1]
    return int(number) if number.isdigit() else 0
