"""The fields chronos reads from Popolo JSON, and the readers of one field each.

`chronos.interop.popolo` walks a file's sections with these; they say which
fields are kept (any other is counted in the import report as left out) and
turn one value into chronos's own types, naming the JSON path when it cannot.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

import attrs

from chronos.codec import Codec
from chronos.dates import FuzzyDate, parse_date
from chronos.errors import ChronosError, RecordError
from chronos.events import Event
from chronos.interop._model import EntityKind, LifeSpec, claims_from_json, edtf
from chronos.sources import Publication

KINDS: Final[tuple[tuple[str, EntityKind], ...]] = (
    ("persons", "person"),
    ("organizations", "organisation"),
    ("areas", "place"),
    ("posts", "post"),
)

#: The placeholder date of an undated claim; the planner makes it ``../KNOWN``.
UNDATED: Final = parse_date("../9999-12-31")

OPAQUE: Final = re.compile(r"^(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$", re.I)

#: The fields read from each section; any other is counted in the report as left out.
USED: Final[dict[str, frozenset[str]]] = {
    "persons": frozenset({"id", "name", "other_names", "identifiers", "birth_date", "death_date", "chronos"}),
    "organizations": frozenset(
        {
            "id",
            "name",
            "other_names",
            "identifiers",
            "parent_id",
            "founding_date",
            "dissolution_date",
            "seats",
            "chronos",
        }
    ),
    "areas": frozenset({"id", "name", "other_names", "identifiers", "chronos"}),
    "posts": frozenset({"id", "label", "other_label", "organization_id", "area_id", "chronos"}),
    "memberships": frozenset(
        {
            "id",
            "person_id",
            "organization_id",
            "post_id",
            "role",
            "label",
            "area_id",
            "on_behalf_of_id",
            "legislative_period_id",
            "start_date",
            "end_date",
            "chronos",
        }
    ),
}
SECTIONS: Final = ("persons", "organizations", "areas", "posts", "events", "memberships")


def listed(data: Mapping[str, Any], key: str, where: str) -> list[Any]:
    value = data.get(key, [])
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordError(f"{where}: {key!r} must be a list")
    return value


def text_of(item: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str | None:
    value = item.get(key)
    if isinstance(value, str):
        value = value.strip()
    if value is None or value == "":
        if required:
            raise RecordError(f"{where}: missing {key!r}")
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise RecordError(f"{where}: {key} must be a string, not {value!r}")
    return str(value)


def extension(item: Mapping[str, Any]) -> Mapping[str, Any]:
    ext = item.get("chronos")
    return ext if isinstance(ext, Mapping) else {}


@attrs.frozen
class Period:
    """A legislative period: its dates, as the memberships that name it inherit them."""

    key: str
    name: str
    start: FuzzyDate | None
    end: FuzzyDate | None


_CODEC = Codec()


def lives(item: Mapping[str, Any], key: str, fields: Mapping[str, str], where: str) -> list[LifeSpec]:
    ext = extension(item)
    out: list[LifeSpec] = []
    for field, cause in fields.items():
        claims = ext.get(cause)
        if claims is not None:
            for claim in claims_from_json(claims, f"{where}.chronos.{cause}"):
                out.append(LifeSpec(cause, key, claim.date, claim.known, claim.sources, claim.note))  # type: ignore[arg-type]
            continue
        date = edtf(item.get(field), f"{where}.{field}")
        if date is not None:
            out.append(LifeSpec(cause, key, date, quote=str(item.get(field))))  # type: ignore[arg-type]
    return out


def history_of(data: Any, where: str) -> list[Event]:
    """The events an entity's ``chronos.history`` keeps, in the codec's JSON form."""
    if not isinstance(data, list):
        raise RecordError(f"{where}: must be a list of events")
    out = []
    for index, item in enumerate(data):
        try:
            out.append(_CODEC.from_dict(item))
        except ChronosError as exc:
            raise RecordError(f"{where}[{index}]: {exc}") from None
    return out


def publications_of(data: Mapping[str, Any], where: str) -> tuple[Publication, ...]:
    """The sources registry a file chronos wrote keeps in its top-level ``chronos.sources``."""
    rows = extension(data).get("sources", [])
    if not isinstance(rows, list):
        raise RecordError(f"{where}: chronos.sources must be a list")
    out = []
    for index, row in enumerate(rows):
        here = f"{where}: chronos.sources[{index}]"
        if not isinstance(row, Mapping):
            raise RecordError(f"{here}: a source must be an object")
        try:
            out.append(Publication(**row))
        except TypeError as exc:
            raise RecordError(f"{here}: {exc}") from None
        except ChronosError as exc:
            raise RecordError(f"{here}: {exc}") from None
    return tuple(out)
