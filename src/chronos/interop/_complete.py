"""Completeness an import carries: the file is the full membership of what it lists, as its importer says.

chronos never assumes a record complete: a seat nobody is recorded in is
``unknown``, not vacant. Whoever imports a file may declare it complete
(``import_file(..., complete=True)``, ``chronos import FORMAT FILE --complete``);
the import then appends one `DeclaredComplete` per organisation whose
memberships the file lists, over a period, citing the file:

- a Popolo membership naming a legislative period (Popolo's model of a
  legislature's term: an event of classification "legislative period", with
  its start and end dates) makes its organisation complete over that period,
  from its start to its end, or to the file's date when the period has no end
  or ends after it (a file cannot vouch for what happened after it was
  published); a period starting after the file's date declares nothing;
- any other record (a Popolo membership with no period, a row of a membership
  list, of a tenure CSV or an FtM occupancy) makes its organisation complete
  on the file's date alone (the import's knowledge date): a list of who holds
  what says who held everything that day, not before;
- the parties Popolo memberships are on behalf of are never declared: the
  file lists a party's members of the legislature, not the party's members.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from chronos.dates import FuzzyDate
from chronos.events import DeclaredComplete, Source
from chronos.interop._model import Completeness, Dataset

__all__ = ["declarations", "on_file_date"]

#: What a declaration's locator ends with: it is about the file, not one of its records.
LOCATOR_SUFFIX = "#complete"


def on_file_date(dataset: Dataset) -> tuple[Completeness, ...]:
    """The organisations whose posts the dataset's records hold, each complete on the file's date."""
    posts = {e.key: e for e in dataset.entities if e.kind == "post"}
    orgs = {e.key: e for e in dataset.entities if e.kind == "organisation"}
    out: dict[str, Completeness] = {}
    for record in dataset.records:
        post = posts.get(record.post)
        if post is None or post.org is None or post.org in out:
            continue
        org = orgs.get(post.org)
        out[post.org] = Completeness(
            post.org, None, None, org.name if org is not None else post.org, post.org + LOCATOR_SUFFIX
        )
    return tuple(out.values())


def declarations(
    specs: Iterable[Completeness], org_id: Callable[[str], str], *, label: str, known: FuzzyDate
) -> list[DeclaredComplete]:
    """The `DeclaredComplete` events of ``specs`` for a file cited as ``label``, known on ``known``.

    ``org_id`` gives the chronos id of a foreign organisation key.
    """
    out: list[DeclaredComplete] = []
    for spec in specs:
        start = spec.start if spec.start is not None else known
        if start.first > known.last:
            continue  # a period that began after the file was published: it vouches for none of it
        end = spec.end if spec.start is not None else known
        if end is None or end.last > known.last:
            end = known
        org = org_id(spec.org)
        over = "on the file's date" if spec.start is None else f"over {spec.quote}"
        out.append(
            DeclaredComplete(
                org=org,
                occurred=start,
                until=end,
                known=known,
                sources=(Source(source=label, quote=spec.quote, locator=spec.locator),),
                note=spec.note
                or f"the import declared the file the full membership of {org} {over} (--complete)",
            )
        )
    return out
