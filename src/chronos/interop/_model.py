"""What every reader produces and every writer consumes: foreign entities, records and their claims.

A reader turns a file into a `Dataset`: the entities it names under their
foreign ids, and its records (one membership, occupancy or row each), every
record with the claims it makes about when a tenure started and ended. The
planner (`chronos.interop._plan`) turns a dataset into catalogue entities and
events. Nothing here reads files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final, Literal

import attrs

from chronos.dates import FuzzyDate, parse_date
from chronos.entities import latin
from chronos.errors import ChronosError, RecordError
from chronos.events import Event, Source
from chronos.sources import Publication

__all__ = [
    "ClaimSpec",
    "Completeness",
    "Dataset",
    "ForeignEntity",
    "LifeSpec",
    "NameSpec",
    "Skipped",
    "TenureRecord",
    "claims_from_json",
    "edtf",
    "format_sources",
    "is_slug",
    "parse_sources",
    "role_post_key",
    "slugify",
    "source_dict",
    "source_from_dict",
]

EntityKind = Literal["person", "organisation", "post", "place"]


_SLUG: Final = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*)*$")


def is_slug(text: str) -> bool:
    """True when ``text`` is already a valid chronos id."""
    return bool(_SLUG.match(text))


def _segment(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", latin(text)).strip("-")


def slugify(foreign_id: str, *, keep_slashes: bool = False) -> str:
    """A chronos id for a foreign id or a name: the same input always gives the same id.

    Lowercase ASCII words joined by ``-``, any script transliterated
    (``Ак жол`` becomes ``ak-zhol``); with ``keep_slashes`` the ``/`` between
    units is kept (``nsc/Special Service A`` becomes ``nsc/special-service-a``).
    A text with no letter or digit that transliterates gets ``id-`` and a short
    hash of it.
    """
    parts = foreign_id.split("/") if keep_slashes else [foreign_id]
    segments = [s for s in (_segment(p) for p in parts) if s]
    if not segments:
        return "id-" + hashlib.sha256(foreign_id.encode()).hexdigest()[:10]
    return "/".join(segments)


def role_post_key(org: str, role: str) -> str:
    """The foreign key of a post a file names only by its role in an organisation."""
    return f"{org}\0{role}"


#: An ISO 8601 date and time (Popolo allows them): the day is kept, the time is finer than chronos goes.
_DATETIME: Final = re.compile(
    r"^(?P<day>\d{4}-\d{2}-\d{2})[T ]\d{2}(?::\d{2}(?::\d{2}(?:\.\d+)?)?)?(?P<zone>Z|[+-]\d{2}(?::?\d{2})?)?$"
)


def edtf(value: Any, where: str) -> FuzzyDate | None:
    """An EDTF date from a field (None for a missing or empty one); errors name ``where``.

    An ISO date and time (``2016-03-25T00:00:00``, ``2016-03-25T23:30:00-05:00``) is
    its calendar day as written, at day precision: chronos keeps no times.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise RecordError(f"{where}: not a date: {value!r}")
    text = value.strip()
    timed = _DATETIME.match(text)
    if timed is not None:
        text = timed["day"]
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            raise RecordError(f"{where}: bad date {value!r}: no such day") from None
    try:
        return parse_date(text)
    except ChronosError as exc:
        raise RecordError(f"{where}: {exc}") from None


@attrs.frozen
class ForeignEntity:
    """An entity as a file names it: its foreign id (``key``), names, and links by foreign id."""

    kind: EntityKind
    key: str
    name: str
    aliases: tuple[str, ...] = ()
    parent: str | None = None
    org: str | None = None
    seats: int | None = None
    note: str | None = None
    slug: str | None = None  # the chronos id to give it, when the file says (our own exports)
    identifiers: tuple[str, ...] = ()  # ``scheme:value``, matched across files and versions
    languages: tuple[str, ...] = ()  # ``code:name`` for the names whose language the file gives
    #: The file's id is opaque (a UUID, a number): the chronos id is made from the name instead.
    opaque: bool = False
    area: str | None = None  # a post for one area: the foreign id of the place


@attrs.frozen
class ClaimSpec:
    """One claim about a start or an end: the cause, the date, and optionally when known and who says so.

    ``known`` None means the import's knowledge date; empty ``sources`` means
    the record's own citation (the file, the record's quote and id).
    """

    cause: str
    date: FuzzyDate
    known: FuzzyDate | None = None
    sources: tuple[Source, ...] = ()
    note: str | None = None
    #: The file gives no date: ``date`` says only "on or before the file was published".
    undated: bool = False
    #: The move this claim is a side of, as the file names it (the CSV's move columns): the two
    #: sides of a move are then paired by it, not by their dates and sources.
    move: str | None = None


@attrs.frozen
class TenureRecord:
    """One record of a tenure: who (None: the file names nobody), which post, and its claims.

    ``key`` identifies the record across versions of a dataset (its id, or what
    stands for one); ``quote`` is the short excerpt the record's citation quotes.
    With ``scope`` (a foreign organisation id), the file gives the record no
    id and ``key`` only tells this holder's records in that organisation apart
    (a role and a legislative period): the planner prefixes the chronos ids of
    the person and the organisation, so the record keeps its key when a new
    version renumbers its people.
    """

    key: str
    person: str | None
    post: str
    starts: tuple[ClaimSpec, ...]
    ends: tuple[ClaimSpec, ...]
    quote: str
    scope: str | None = None


@attrs.frozen
class NameSpec:
    """A dated name: ``entity`` (foreign key) was called ``name`` from ``date`` (a `Renamed`)."""

    entity: str
    kind: EntityKind
    name: str
    former: str | None
    date: FuzzyDate
    known: FuzzyDate | None = None
    sources: tuple[Source, ...] = ()
    note: str | None = None
    quote: str = ""


@attrs.frozen
class LifeSpec:
    """A birth or death (of a person), a founding or dissolution (of an organisation)."""

    cause: Literal["born", "died", "founded", "dissolved"]
    entity: str
    date: FuzzyDate
    known: FuzzyDate | None = None
    sources: tuple[Source, ...] = ()
    note: str | None = None
    quote: str = ""


@attrs.frozen
class Completeness:
    """A file is the full membership of an organisation (foreign key ``org``) over a period, as declared.

    ``start`` and ``end`` are the period (a legislative period's dates); None
    for both means the file's own date, the import's knowledge date. ``quote``
    and ``locator`` are what the declaration cites in the file. With ``post``,
    ``org`` is the foreign key of a post, declared complete alone.
    """

    org: str
    start: FuzzyDate | None
    end: FuzzyDate | None
    quote: str
    locator: str
    note: str | None = None
    post: bool = False


@attrs.frozen
class Skipped:
    """What a reader could not use, where it is, and why.

    ``kind`` is ``record`` (a tenure record left out), ``claim`` (one date of a
    record that was kept), ``entity`` (an entity the reader does not use) or
    ``field`` (a field of an item that was read, which chronos has no place for).
    """

    where: str
    reason: str
    kind: Literal["record", "claim", "entity", "field"] = "record"


@attrs.frozen
class Dataset:
    """Everything a reader found in one file, and what it had to leave out."""

    entities: tuple[ForeignEntity, ...] = ()
    records: tuple[TenureRecord, ...] = ()
    names: tuple[NameSpec, ...] = ()
    lives: tuple[LifeSpec, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    #: When the file says it was published: the import's knowledge date unless one is given.
    known: FuzzyDate | None = None
    #: Events the file keeps as a log had them (Popolo's ``chronos.history``: what was withdrawn).
    history: tuple[Event, ...] = ()
    #: What the file is the full membership of, when its importer says so (never implied).
    complete: tuple[Completeness, ...] = ()
    #: The sources registry the file carries (a Popolo file chronos wrote), registered on import.
    publications: tuple[Publication, ...] = ()


def claims_from_json(data: Any, where: str) -> tuple[ClaimSpec, ...]:
    """Claims from their JSON form (`chronos.interop._rows.claims_json`); errors name ``where``.

    A claim marked ``"carried"`` is made by an event the file keeps in a
    history (`Dataset.history`), and is left to it.
    """
    if not isinstance(data, list):
        raise RecordError(f"{where}: claims must be a list")
    out = []
    for index, item in enumerate(data):
        here = f"{where}[{index}]"
        if not isinstance(item, Mapping):
            raise RecordError(f"{here}: a claim must be an object")
        if item.get("carried"):
            continue
        date = edtf(item.get("date"), f"{here}.date")
        if date is None:
            raise RecordError(f"{here}: missing 'date'")
        out.append(
            ClaimSpec(
                cause=str(item.get("cause") or ""),
                date=date,
                known=edtf(item.get("known"), f"{here}.known"),
                sources=tuple(
                    source_from_dict(s, f"{here}.sources[{i}]") for i, s in enumerate(item.get("sources", []))
                ),
                note=item.get("note"),
            )
        )
    return tuple(out)


# Sources in the exports ------------------------------------------------------------------


def source_dict(source: Source) -> dict[str, str | None]:
    """A source as JSON: ``{"source", "quote", "locator"}``."""
    return {"source": source.source, "quote": source.quote, "locator": source.locator}


def source_from_dict(data: Any, where: str) -> Source:
    """A source from its JSON form; errors name ``where``."""
    if not isinstance(data, Mapping):
        raise RecordError(f"{where}: a source must be an object, not {data!r}")
    source, quote, locator = data.get("source"), data.get("quote"), data.get("locator")
    if not isinstance(source, str) or not isinstance(quote, str) or not isinstance(locator, str | None):
        raise RecordError(f"{where}: a source needs a source and a quote (strings), not {dict(data)!r}")
    try:
        return Source(source=source, quote=quote, locator=locator)
    except ValueError as exc:
        raise RecordError(f"{where}: bad source: {exc}") from None


def format_sources(sources: Iterable[Source]) -> str:
    """Sources as one text cell: ``FILE (LOCATOR): "QUOTE"``, joined with `` | ``."""
    parts = []
    for source in sources:
        where = f" ({source.locator})" if source.locator else ""
        parts.append(f'{source.source}{where}: "{source.quote}"')
    return " | ".join(parts)


_SOURCE = re.compile(r'\s*(?P<source>[^"|]+?)(?: \((?P<locator>[^()]*(?:\([^()]*\)[^()]*)*)\))?: "')


def parse_sources(text: str, where: str) -> tuple[Source, ...]:
    """Read back what `format_sources` writes (a quote ends at ``"`` before `` | `` or the end)."""
    sources: list[Source] = []
    rest = text.strip()
    while rest:
        match = _SOURCE.match(rest)
        if match is None:
            raise RecordError(
                f'{where}: cannot read sources {rest[:60]!r} (expected FILE (LOCATOR): "QUOTE")'
            )
        body = rest[match.end() :]
        # The quote ends at the first '" | ' that a next source follows, else at the final '"'.
        cut = body.find('" | ')
        while cut >= 0 and _SOURCE.match(body[cut + 4 :]) is None:
            cut = body.find('" | ', cut + 1)
        end = cut if cut >= 0 else len(body.rstrip()) - 1
        if cut < 0 and not body.rstrip().endswith('"'):
            raise RecordError(f"{where}: unterminated quote in sources {rest[:60]!r}")
        sources.append(Source(source=match["source"].strip(), quote=body[:end], locator=match["locator"]))
        rest = body[end + 4 :] if cut >= 0 else ""
    return tuple(sources)
