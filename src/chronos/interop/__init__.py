"""Import and export: Popolo, membership lists, FollowTheMoney, a tenure CSV, Wikidata (in), and pandas.

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
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Final

import attrs

from chronos.chronology import Chronology, DateLike, as_day
from chronos.dates import FuzzyDate, parse_date
from chronos.entities import Entity
from chronos.errors import ConcurrencyError, RecordError, UsageError
from chronos.events import DeclaredComplete, Event
from chronos.interop._batch import plan_parts
from chronos.interop._catalogue import append_entities
from chronos.interop._complete import on_file_date
from chronos.interop._ftm_read import declared_dataset, read_ftm
from chronos.interop._model import Dataset, Skipped, slugify
from chronos.interop._plan import Plan, plan_import
from chronos.interop.ftm import write_ftm
from chronos.interop.membership import read_memberships, write_memberships
from chronos.interop.popolo import read_popolo, write_popolo
from chronos.interop.tabular import COLUMNS, read_csv, tenures_frame, write_csv
from chronos.interop.wikidata import wikidata_parts
from chronos.log import EntityClash, EventLog
from chronos.sources import Publication, citations

__all__ = [
    "COLUMNS",
    "FORMATS",
    "IMPORT_FORMATS",
    "ImportReport",
    "NothingImported",
    "Skipped",
    "export",
    "import_file",
    "import_text",
    "import_wikidata",
    "read_dataset",
    "slugify",
    "tenures_frame",
]

#: The formats chronos reads and writes, by the name the command takes.
FORMATS: Final = ("popolo", "memberships", "ftm", "csv")
#: The formats chronos reads: those it writes, and Wikidata's entity JSON.
IMPORT_FORMATS: Final = (*FORMATS, "wikidata")
#: How many times an import plans again when other writers keep appending before it.
IMPORT_ATTEMPTS: Final = 50


@attrs.frozen
class ImportReport:
    """What one import did: records read and imported, what changed, what was left out, the log now.

    ``records`` counts the records imported and ``read`` those read (imported
    or left out); ``dropped`` says what was left out and why (a record, one
    date of a record, or an entity the reader does not use). ``skipped``
    counts events the log already had. ``declared`` counts the `DeclaredComplete`
    events the import planned (``complete=True``), each organisation over a period.
    """

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
    read: int = attrs.field(default=attrs.Factory(lambda self: self.records, takes_self=True))
    dropped: tuple[Skipped, ...] = ()
    declared: int = 0
    #: Entities already in the catalogue given new names, identifiers or languages by the file.
    updated: int = 0

    def __str__(self) -> str:
        text = (
            f"imported {self.label} (known {self.known}): {self.records} records: {self.new} new, "
            f"{self.closed} closed, {self.corrected} corrected, {self.retracted} retracted, "
            f"{self.unchanged} unchanged; {self.entities} entities and {self.appended} events added"
            + (f", {self.updated} entities given new names or identifiers" if self.updated else "")
            + f" (now {self.position} records)"
        )
        if self.declared:
            text += f"; declared complete over {self.declared} period{'s' if self.declared != 1 else ''}"
        return text + (f"; {self.summary}" if self.dropped else "")

    @property
    def summary(self) -> str:
        """What was left out, counted by reason: ``2 of 5 records skipped: no post (2); ...``."""
        return _summary(self.read, self.dropped)


def _summary(read: int, dropped: tuple[Skipped, ...]) -> str:
    parts = []
    for kind, heading in (
        ("record", f"{{n}} of {read} records skipped"),
        ("claim", "{n} dates left out"),
        ("entity", "{n} entities not read"),
        ("field", "{n} fields not kept"),
    ):
        reasons: dict[str, int] = {}
        for item in dropped:
            if item.kind == kind:
                reasons[item.reason] = reasons.get(item.reason, 0) + 1
        if reasons:
            listed = ", ".join(f"{reason} ({count})" for reason, count in reasons.items())
            parts.append(f"{heading.format(n=sum(reasons.values()))}: {listed}")
    return "; ".join(parts)


class NothingImported(RecordError):
    """An import in which no record could be used: nothing was written; ``report`` says why."""

    def __init__(self, message: str, *, report: ImportReport):
        super().__init__(message)
        self.report = report


def _json(text: str, origin: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError(f"{origin}:{exc.lineno}: not JSON: {exc.msg}") from None
    except RecursionError:
        raise RecordError(f"{origin}: not JSON chronos reads: nested too deeply") from None
    except ValueError as exc:  # an integer of thousands of digits
        raise RecordError(f"{origin}: not JSON chronos reads: {str(exc)[:120]}") from None


def read_dataset(fmt: str, text: str, origin: str, *, complete: bool = False) -> Dataset:
    """Parse the text of a file in one of the `FORMATS`; errors name ``origin``.

    ``complete``: the file is the full membership of the organisations it lists
    (`Dataset.complete`; see `chronos.interop._complete` for the periods).
    """
    if fmt == "popolo":
        return read_popolo(_json(text, origin), origin, complete=complete)
    if fmt == "memberships":
        parsed = read_memberships(_json(text, origin), origin)
    elif fmt == "ftm":
        parsed = read_ftm(text.splitlines(), origin)
    elif fmt == "csv":
        parsed = read_csv(text, origin)
    else:
        raise UsageError(f"unknown format {fmt!r} (use {', '.join(FORMATS)})")
    if not complete:
        return parsed
    return attrs.evolve(parsed, complete=on_file_date(parsed, posts=fmt == "ftm"))


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
    complete: bool = False,
) -> ImportReport:
    """Import a file's text; ``label`` (``dataset/file``) is what the events cite.

    ``dataset`` (default: the part of ``label`` before its last ``/``) names the
    dataset whose earlier versions this one updates. ``known_at`` (default: the
    date the file gives for itself, such as the last ``last_seen`` of an
    OpenSanctions export, else today) is when this version became public.
    ``complete=True`` says the file is the full membership of the organisations
    it lists, so their seats nobody holds are vacant, not unknown: a
    `DeclaredComplete` of each, citing the file, over the legislative periods
    Popolo memberships name, else on the file's date (`chronos.interop._complete`);
    it needs that date (``known_at``, or one the file gives).
    Raises `RecordError` naming the file and the record for bad data, and
    `NothingImported` when no record could be used; on any error nothing is written.
    """
    if fmt == "wikidata":
        raise UsageError("wikidata imports read files: use import_wikidata(log, paths)")
    name = dataset or (label.rsplit("/", 1)[0] if "/" in label else label)
    parsed = read_dataset(fmt, text, label, complete=complete)
    if complete and known_at is None and parsed.known is None:
        raise UsageError(
            f"{label}: a file declared complete needs the date it was complete on: "
            "give known_at (--known-at DATE); today is not what the file says"
        )
    known = _known(known_at if known_at is not None or parsed.known is None else parsed.known)
    empty = not (parsed.records or parsed.entities or parsed.names or parsed.lives)

    def attempt() -> ImportReport:
        plan = plan_import(
            parsed, catalogue=log.catalogue, events=log.events(), label=label, dataset_name=name, known=known
        )
        return _apply(
            log, plan, parsed.skipped, label=label, known=known, empty=empty, publications=parsed.publications
        )

    return _retrying(log, attempt)


def _retrying(log: EventLog, attempt: Callable[[], ImportReport]) -> ImportReport:
    """``attempt()``, planned again when another writer appended, or added the same entity, meanwhile."""
    for number in range(1, IMPORT_ATTEMPTS + 1):
        if number > 1:
            log.refresh_catalogue()  # what other writers added meanwhile
        try:
            return attempt()
        except (ConcurrencyError, EntityClash):
            if number == IMPORT_ATTEMPTS:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _apply(
    log: EventLog,
    plan: Plan,
    left_out: Sequence[Skipped],
    *,
    label: str,
    known: FuzzyDate,
    empty: bool,
    publications: Sequence[Publication] = (),
) -> ImportReport:
    """Write a plan's entities and events, and say what was done; nothing when no record was usable."""
    position = log.position
    read = plan.records + sum(1 for s in left_out if s.kind == "record")
    report = ImportReport(
        label=label,
        known=known,
        records=plan.records,
        new=plan.new,
        closed=plan.closed,
        corrected=plan.corrected,
        retracted=plan.retracted,
        unchanged=plan.unchanged,
        entities=len(plan.entities),
        updated=len(plan.updates),
        appended=0,
        skipped=0,
        position=position,
        read=read,
        dropped=tuple(left_out),
        declared=sum(1 for e in plan.events if isinstance(e, DeclaredComplete)),
    )
    if (read and not plan.records) or (empty and not read and not plan.events):
        why = _summary(read, report.dropped) if report.dropped else "the file holds no record chronos reads"
        raise NothingImported(f"{label}: nothing imported: {why}", report=report)
    # Entities first: the events refer to them, and an unused entity harms nothing. A log that wants
    # every cited source registered gets the imported files registered: importing one says what it is.
    # The registry a file carries is registered too; a source the log already registers keeps its entry.
    carried = [p for p in publications if p.id not in log.catalogue.sources]
    added: list[Entity | Publication] = [*plan.entities, *carried]
    added += [p for p in _unregistered(log, plan.events, known) if p.id not in {c.id for c in carried}]
    append_entities(
        log, added, header=f"added by chronos import {label} (known {known})", updates=plan.updates
    )
    result = log.append(plan.events, expected_position=position)
    return attrs.evolve(
        report, appended=len(result.appended), skipped=len(result.skipped), position=result.position
    )


def _unregistered(log: EventLog, events: Iterable[Event], known: FuzzyDate) -> list[Publication]:
    """The sources the events cite that a log requiring registered sources lacks, as the import knows them."""
    if not log.catalogue.require_sources:
        return []
    cited = dict.fromkeys(s.source for _, s in citations(events))
    return [
        Publication(id=source, title=source.rsplit("/", 1)[-1], date=known, note="a file chronos import read")
        for source in cited
        if source not in log.catalogue.sources
    ]


def import_wikidata(
    log: EventLog,
    paths: Iterable[str | Path],
    *,
    known_at: DateLike | None = None,
    dataset: str | None = None,
) -> ImportReport:
    """Import the P39 statements of the Wikidata items in some files (see `chronos.interop.wikidata`).

    Each item is its own dataset, ``DATASET/QID`` (``dataset`` defaults to
    ``wikidata``), known from its ``modified`` day (``known_at``, default today,
    for items without one). Every entity of the files lends its labels to the
    positions and organisations the others name.
    """
    files = [Path(p) for p in paths]
    if not files:
        raise UsageError("import_wikidata needs at least one file")
    fallback = _known(known_at)
    parts, dropped = wikidata_parts(files, known_at=fallback, dataset=dataset or "wikidata")
    names = ", ".join(f.name for f in files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
    days = sorted({p.known.last for p in parts}) or [fallback.last]
    known = FuzzyDate.of(days[0]) if len(days) == 1 else parse_date(f"{days[0]}/{days[-1]}")
    items = len({p.name for p in parts})
    label = f"{dataset or 'wikidata'}: {items} item{'s' if items != 1 else ''} from {names}"
    empty = not any(p.dataset.records for p in parts)

    def attempt() -> ImportReport:
        plan, planned_out = plan_parts(parts, catalogue=log.catalogue, events=log.events())
        return _apply(log, plan, (*dropped, *planned_out), label=label, known=known, empty=empty)

    return _retrying(log, attempt)


#: A directory named like a version: a commit (``014e6c4f``), a date (``2016-10-01``), ``v2``.
_VERSION: Final = re.compile(r"^(?:[0-9a-f]{7,40}|\d{4}-\d{2}-\d{2}\S*|v\d+(?:\.\d+)*)$")


def import_file(
    log: EventLog,
    fmt: str,
    path: str | Path,
    *,
    known_at: DateLike | None = None,
    dataset: str | None = None,
    version: str | None = None,
    complete: bool = False,
) -> ImportReport:
    """Import a file into ``log``: its events cite ``DATASET/FILE_NAME`` (or ``DATASET/VERSION/FILE_NAME``).

    ``dataset`` defaults to the name of the file's directory (so the versions
    ``sp-ministers/2015-09-18_3485c0c0.json``, ... form one dataset), or to its
    parent's when the directory names a version (a commit, a date, ``v2``):
    ``everypolitician-kazakhstan/014e6c4f/ep-popolo-v1.0.json`` is the version
    ``014e6c4f`` of ``everypolitician-kazakhstan``, and cites all three;
    ``version`` names the version when the path does not. For an FtM file whose
    entities all name one dataset of their own (``"datasets":
    ["ve_asamblea_nacional"]``, as OpenSanctions exports do), the dataset is that one.
    ``complete=True``: the file is the full membership of what it lists (see `import_text`).
    """
    path = Path(path)
    if fmt == "wikidata":
        if complete:
            raise UsageError(f"{path}: a Wikidata item is no membership list: it cannot be declared complete")
        return import_wikidata(log, [path], known_at=known_at, dataset=dataset)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RecordError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except IsADirectoryError:
        raise RecordError(f"{path}: a directory, not a file to import") from None
    declared = declared_dataset(text) if fmt == "ftm" else None
    directory = path.resolve().parent
    if version is None and declared is None and _VERSION.match(directory.name) and directory.parent.name:
        version = directory.name
        directory = directory.parent
    name = dataset or slugify(declared or directory.name) or "import"
    label = f"{name}/{version}/{path.name}" if version else f"{name}/{path.name}"
    return import_text(log, fmt, text, label=label, known_at=known_at, dataset=name, complete=complete)


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
