"""The sources registry: what each cited source id is, and the archived text its quotes are checked against.

Every event cites its sources by id (``Source(source="004_a82dc472c30e5f7b.txt",
quote=...)``). The registry, kept in the catalogue as ``[[source]]`` tables,
says what each id is: a `Publication` with its publisher, title, publication
date, URL and language, and optionally the path of an archived copy of its
text and that text's SHA-256. Answers then name a source as people cite it
(`Publication.citation`: "Caspian Institute for Strategic Studies, 16 Feb
2022") rather than by file name, and ``chronos check --quotes`` finds every
quote in the archived text (`normal_text` says what counts as the same words).

A catalogue that *requires* registered sources (every log made by
``chronos init`` or `EventLog.create`) refuses an event citing an id it does
not hold; the error says how to register it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import attrs

from chronos.dates import FuzzyDate, PartialDate
from chronos.errors import CatalogueError
from chronos.events import Corrected, Event, Source

__all__ = ["Publication", "citations", "human_date", "normal_text", "sha256_of"]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_TYPOGRAPHIC = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'"})


def _source_id(_instance: object, _attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str) or not value.strip() or value != value.strip() or _CONTROL.search(value):
        raise CatalogueError(
            f"bad source id {value!r}: the id events cite, with no surrounding spaces or control characters"
        )


def _text(_instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str) or not value.strip() or _CONTROL.search(value):
        raise CatalogueError(f"source {attribute.name} must be non-empty text on one line, not {value!r}")


def _optional_text(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        _text(instance, attribute, value)


def _digest(_instance: object, _attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not (isinstance(value, str) and _SHA256.match(value)):
        raise CatalogueError(f"sha256 must be 64 lowercase hex digits, not {value!r}")


def _publication_date(value: Any) -> FuzzyDate:
    try:
        return FuzzyDate.of(value)
    except (TypeError, AttributeError):
        raise CatalogueError(f"source date must be an EDTF date such as 2022-02-16, not {value!r}") from None


@attrs.frozen(kw_only=True)
class Publication:
    """A registered source: the id events cite, and what it is.

    ``date`` is the publication date, as precise as it is known (an undated
    article is a range: ``2022-01-08/2022-01-09``). ``archive`` is the path of
    an archived copy of the text, relative to the log's folder unless
    absolute, and ``sha256`` that text's digest (`sha256_of`), so a changed
    copy is noticed.
    """

    id: str = attrs.field(validator=_source_id)
    title: str = attrs.field(validator=_text)
    date: FuzzyDate = attrs.field(converter=_publication_date)
    publisher: str | None = attrs.field(default=None, validator=_optional_text)
    url: str | None = attrs.field(default=None, validator=_optional_text)
    language: str | None = attrs.field(default=None, validator=_optional_text)
    archive: str | None = attrs.field(default=None, validator=_optional_text)
    sha256: str | None = attrs.field(default=None, validator=_digest)
    note: str | None = None

    #: The catalogue's table name for sources (``[[source]]``).
    kind: ClassVar[str] = "source"

    @property
    def citation(self) -> str:
        """How the source is named in answers: ``Publisher, 16 Feb 2022`` (the title when no publisher)."""
        return f"{self.publisher or self.title}, {human_date(self.date)}"

    def __repr__(self) -> str:
        return f"Publication({self.id!r}: {self.citation})"

    def archive_path(self, base: str | Path | None) -> Path | None:
        """Where the archived text is: ``archive`` resolved against ``base`` (the log's folder)."""
        if self.archive is None:
            return None
        path = Path(self.archive)
        return path if path.is_absolute() or base is None else Path(base) / path

    def to_row(self) -> dict[str, str]:
        """The TOML table's keys and values (empty fields left out)."""
        row = {
            "id": self.id,
            "publisher": self.publisher,
            "title": self.title,
            "date": str(self.date),
            "url": self.url,
            "language": self.language,
            "archive": self.archive,
            "sha256": self.sha256,
            "note": self.note,
        }
        return {k: v for k, v in row.items() if v is not None}


def citations(events: Iterable[Event]) -> Iterator[tuple[Event, Source]]:
    """Every (event, citation) pair, a correction's replacement's included (under the correction)."""
    for event in events:
        for source in event.sources:
            yield event, source
        if isinstance(event, Corrected):
            for source in event.replacement.sources:
                yield event, source


def sha256_of(path: str | Path) -> str:
    """The SHA-256 of a file's bytes, as lowercase hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def normal_text(text: str) -> str:
    """Text as quotes are compared: typographic quotes made straight, every whitespace run one space."""
    return " ".join(text.translate(_TYPOGRAPHIC).split())


def human_date(date: FuzzyDate) -> str:
    """A date as people write it: ``16 Feb 2022``, ``Feb 2022``, ``2022``, ``8–9 Jan 2022``.

    Anything else (an open end, a set, a qualifier, a season, X digits, a time,
    a year before 1 or after 9999) is its EDTF text.
    """
    if date.qualifier or date.form == "set":
        return str(date)
    lower, upper = date.lower, date.upper
    if not (isinstance(lower, PartialDate) and isinstance(upper, PartialDate)):
        return str(date)
    if not (_plain(lower) and _plain(upper)):
        return str(date)
    if date.form == "single" or lower == upper:
        return _human(lower)
    if lower.day is not None and upper.day is not None and lower.year == upper.year:
        if lower.month == upper.month:
            return f"{lower.day}–{upper.day} {_month(upper)} {upper.year}"
        return f"{lower.day} {_month(lower)} – {_human(upper)}"
    return f"{_human(lower)} – {_human(upper)}"


def _plain(part: PartialDate) -> bool:
    """True for a day, month or year of years 1-9999 written plainly (no X digit, qualifier or time)."""
    return (
        part.precision in ("day", "month", "year")
        and not part.unspecified
        and not part.marks
        and not part.time
        and 1 <= part.year <= 9999
    )


def _month(part: PartialDate) -> str:
    assert part.month is not None
    return _MONTHS[part.month - 1]


def _human(part: PartialDate) -> str:
    if part.day is not None:
        return f"{part.day} {_month(part)} {part.year}"
    if part.month is not None:
        return f"{_month(part)} {part.year}"
    return str(part.year)
