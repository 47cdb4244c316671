"""Import and export: Popolo, membership lists, FollowTheMoney, a tenure CSV, and pandas.

    >>> from chronos import EventLog
    >>> from chronos.interop import import_file, export
    >>> log = EventLog.open(":memory:")
    >>> report = import_file(log, "memberships", "sp-ministers/2015-09-18_3485c0c0.json",
    ...                      known_at="2015-09-18")                       # doctest: +SKIP

Imports are idempotent and incremental: importing a newer version of a
dataset adds only what changed, as new events, corrections and retractions
(see `chronos.interop._plan`). Exports write what a chronology says, as known
on any date, with EDTF dates.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Final

import attrs

from chronos.chronology import Chronology, DateLike, as_day
from chronos.dates import FuzzyDate
from chronos.entities import Entity
from chronos.errors import RecordError, UsageError
from chronos.interop._catalogue import append_entities
from chronos.interop._model import Dataset, slugify
from chronos.interop._plan import Plan, plan_import
from chronos.interop.ftm import read_ftm, write_ftm
from chronos.interop.membership import read_memberships, write_memberships
from chronos.interop.popolo import read_popolo, write_popolo
from chronos.interop.tabular import COLUMNS, read_csv, tenures_frame, write_csv
from chronos.log import EventLog
from chronos.sources import Publication

__all__ = [
    "COLUMNS",
    "FORMATS",
    "ImportReport",
    "export",
    "import_file",
    "import_text",
    "read_dataset",
    "slugify",
    "tenures_frame",
]

#: The formats chronos reads and writes, by the name the command takes.
FORMATS: Final = ("popolo", "memberships", "ftm", "csv")


@attrs.frozen
class ImportReport:
    """What one import did: records seen, what changed, and what the log holds now."""

    label: str
    known: FuzzyDate
    records: int
    new: int
    closed: int
    corrected: int
    retracted: int
    unchanged: int
    entities: int
    appended: int
    skipped: int
    position: int

    def __str__(self) -> str:
        return (
            f"imported {self.label} (known {self.known}): {self.records} records: {self.new} new, "
            f"{self.closed} closed, {self.corrected} corrected, {self.retracted} retracted, "
            f"{self.unchanged} unchanged; {self.entities} entities and {self.appended} events added "
            f"(now {self.position} records)"
        )


def _json(text: str, origin: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError(f"{origin}:{exc.lineno}: not JSON: {exc.msg}") from None


def read_dataset(fmt: str, text: str, origin: str) -> Dataset:
    """Parse the text of a file in one of the `FORMATS`; errors name ``origin``."""
    if fmt == "popolo":
        return read_popolo(_json(text, origin), origin)
    if fmt == "memberships":
        return read_memberships(_json(text, origin), origin)
    if fmt == "ftm":
        return read_ftm(text.splitlines(), origin)
    if fmt == "csv":
        return read_csv(text, origin)
    raise UsageError(f"unknown format {fmt!r} (use {', '.join(FORMATS)})")


def _known(known_at: DateLike | None) -> FuzzyDate:
    if known_at is None:
        return FuzzyDate.of(dt.date.today())
    date = FuzzyDate.of(known_at)
    as_day(date)  # refuses a knowledge date with no end
    return date


def import_text(
    log: EventLog,
    fmt: str,
    text: str,
    *,
    label: str,
    known_at: DateLike | None = None,
    dataset: str | None = None,
) -> ImportReport:
    """Import a file's text; ``label`` (``dataset/file``) is what the events cite.

    ``dataset`` (default: the part of ``label`` before its last ``/``) names the
    dataset whose earlier versions this one updates. ``known_at`` (default:
    today) is when this version became public. Raises `RecordError` naming the
    file and the record for bad data; on any error nothing is written.
    """
    known = _known(known_at)
    name = dataset or (label.rsplit("/", 1)[0] if "/" in label else label)
    parsed = read_dataset(fmt, text, label)
    position = log.position
    plan: Plan = plan_import(
        parsed, catalogue=log.catalogue, events=log.events(), label=label, dataset_name=name, known=known
    )
    # Entities first: the events refer to them, and an unused entity harms nothing. A log that
    # wants every cited source registered gets the imported file registered: importing it says what it is.
    added: list[Entity | Publication] = list(plan.entities)
    if log.catalogue.require_sources and label not in log.catalogue.sources:
        title = label.rsplit("/", 1)[-1]
        added.append(Publication(id=label, title=title, date=known, note="the file chronos import read"))
    append_entities(log, added, header=f"added by chronos import {label} (known {known})")
    result = log.append(plan.events, expected_position=position)
    return ImportReport(
        label=label,
        known=known,
        records=plan.records,
        new=plan.new,
        closed=plan.closed,
        corrected=plan.corrected,
        retracted=plan.retracted,
        unchanged=plan.unchanged,
        entities=len(plan.entities),
        appended=len(result.appended),
        skipped=len(result.skipped),
        position=result.position,
    )


def import_file(
    log: EventLog,
    fmt: str,
    path: str | Path,
    *,
    known_at: DateLike | None = None,
    dataset: str | None = None,
) -> ImportReport:
    """Import a file into ``log``: its events cite ``DATASET/FILE_NAME``.

    ``dataset`` defaults to the name of the file's directory (so the versions
    ``sp-ministers/2015-09-18_3485c0c0.json``, ... form one dataset).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RecordError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    name = dataset or slugify(path.resolve().parent.name) or "import"
    return import_text(log, fmt, text, label=f"{name}/{path.name}", known_at=known_at, dataset=name)


def export(chronology: Chronology, fmt: str, *, known_at: DateLike | None = None) -> str:
    """The chronology (as known on ``known_at``; everything when None) as text in one of the `FORMATS`."""
    if fmt == "popolo":
        return json.dumps(write_popolo(chronology, known_at=known_at), indent=2, ensure_ascii=False) + "\n"
    if fmt == "memberships":
        return (
            json.dumps(write_memberships(chronology, known_at=known_at), indent=2, ensure_ascii=False) + "\n"
        )
    if fmt == "ftm":
        entities = write_ftm(chronology, known_at=known_at)
        return "".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in entities)
    if fmt == "csv":
        return write_csv(chronology, known_at=known_at)
    raise UsageError(f"unknown format {fmt!r} (use {', '.join(FORMATS)})")
