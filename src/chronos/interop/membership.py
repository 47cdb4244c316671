"""The membership-list JSON of parliamentary data projects (parlparse, EveryPolitician), in and out.

The file is a JSON array (or ``{"memberships": [...]}``) of records::

    {"id": "scot.parliament.data/membergovernmentroles/1", "role": "First Minister",
     "person_id": ["uk.org.publicwhip/person/14012"], "organization_id": "scottish-parliament",
     "start_date": "2014-11-20", "end_date": "2016-05-17"}

Each record is one tenure of the post named by ``role`` in ``organization_id``
(or ``post_id`` when given), from ``start_date`` to ``end_date`` (EDTF; none: an
open end). ``person_id`` is a string or a list; an empty one means the record
names nobody, and the tenure is held by a placeholder person
(``unnamed/<record id>``) that ``chronos check`` reports. Optional ``name`` or
``person_name`` and ``organization_name`` give names; otherwise the foreign id
is the name. Each claim cites the file, quotes the record's role and is located
by the record's ``id``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chronos.chronology import Chronology, DateLike
from chronos.entities import UNNAMED_PREFIX
from chronos.errors import RecordError
from chronos.interop._model import ClaimSpec, Dataset, ForeignEntity, TenureRecord, edtf, role_post_key
from chronos.interop._rows import tenure_rows

__all__ = ["read_memberships", "write_memberships"]


def _string(record: Mapping[str, Any], key: str, where: str) -> str | None:
    value = record.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str | int):
        raise RecordError(f"{where}: {key} must be a string, not {value!r}")
    return str(value)


def _people(record: Mapping[str, Any], where: str) -> list[str]:
    value = record.get("person_id")
    if value is None or value == "":
        return []
    if isinstance(value, str | int):
        return [str(value)]
    if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
        return [str(v) for v in value if v != ""]
    raise RecordError(f"{where}: person_id must be a string or a list of strings, not {value!r}")


def read_memberships(data: Any, origin: str) -> Dataset:
    """A dataset from a parsed membership list; errors name ``origin`` and the record."""
    records = data.get("memberships") if isinstance(data, Mapping) else data
    if not isinstance(records, list):
        raise RecordError(f"{origin}: a membership list is a JSON array of records")
    entities: dict[tuple[str, str], ForeignEntity] = {}
    out: list[TenureRecord] = []
    for index, record in enumerate(records):
        where = f"{origin}: [{index}]"
        if not isinstance(record, Mapping):
            raise RecordError(f"{where}: a record must be an object, not {record!r}")
        key = _string(record, "id", where)
        where = f"{origin}: record {key}" if key else where
        org = _string(record, "organization_id", where)
        role = _string(record, "role", where)
        post = _string(record, "post_id", where)
        if org is None:
            raise RecordError(f"{where}: missing organization_id")
        if role is None and post is None:
            raise RecordError(f"{where}: needs a role or a post_id")
        org_name = _string(record, "organization_name", where) or org
        entities.setdefault(("organisation", org), ForeignEntity(kind="organisation", key=org, name=org_name))
        post_key = post if post is not None else role_post_key(org, str(role))
        entities.setdefault(
            ("post", post_key), ForeignEntity(kind="post", key=post_key, name=role or post_key, org=org)
        )
        start = edtf(record.get("start_date"), f"{where}: start_date")
        end = edtf(record.get("end_date"), f"{where}: end_date")
        people = _people(record, where)
        name = _string(record, "person_name", where) or _string(record, "name", where)
        for person in people:
            entities.setdefault(
                ("person", person), ForeignEntity(kind="person", key=person, name=name or person)
            )
        record_key = key or f"{'+'.join(people) or '-'}|{org}|{role or post_key}|{start or ''}"
        holders: list[str | None] = [*people] or [None]
        for n, holder in enumerate(holders):
            out.append(
                TenureRecord(
                    key=record_key if n == 0 else f"{record_key}#{n + 1}",
                    person=holder,
                    post=post_key,
                    starts=(ClaimSpec("appointed", start),) if start is not None else (),
                    ends=(ClaimSpec("left", end),) if end is not None else (),
                    quote=role or post_key,
                )
            )
    return Dataset(tuple(entities.values()), tuple(out))


def write_memberships(chronology: Chronology, *, known_at: DateLike | None = None) -> list[dict[str, Any]]:
    """Every tenure as a membership-list record (dates as EDTF; placeholder holders as no person)."""
    catalogue = chronology.catalogue
    out: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    for row in tenure_rows(chronology, known_at=known_at):
        base = f"{row.post}/{row.person}"
        counts[base] = counts.get(base, 0) + 1
        person = catalogue[row.person]
        unnamed = row.person.startswith(UNNAMED_PREFIX)
        record: dict[str, Any] = {
            "id": base if counts[base] == 1 else f"{base}/{counts[base]}",
            "role": catalogue[row.post].name,
            "post_id": row.post,
            "person_id": [] if unnamed else [row.person],
            "organization_id": row.org,
            "organization_name": catalogue[row.org].name,
        }
        if not unnamed:
            record["person_name"] = person.name
        if row.start.date is not None:
            record["start_date"] = str(row.start.date)
        if row.end.date is not None:
            record["end_date"] = str(row.end.date)
        out.append(record)
    return out
