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
  list or of a tenure CSV) makes its organisation complete on the file's date
  alone (the import's knowledge date): a list of who holds what says who held
  everything that day, not before;
- an FtM occupancy makes its post (the Position) complete on the file's date:
  FtM Positions often name no organisation (chronos files them under their
  country), and a list of one Position's holders says nothing of the others;
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


def on_file_date(dataset: Dataset, *, posts: bool = False) -> tuple[Completeness, ...]:
    """The organisations whose posts the records hold (or those posts), complete on the file's date."""
    found = {e.key: e for e in dataset.entities if e.kind == "post"}
    orgs = {e.key: e for e in dataset.entities if e.kind == "organisation"}
    out: dict[str, Completeness] = {}
    for record in dataset.records:
        post = found.get(record.post)
        if post is None or (post.org is None and not posts):
            continue
        key = post.key if posts else post.org
        if key is None or key in out:
            continue
        subject = post if posts else orgs.get(key)
        name = subject.name if subject is not None else key
        out[key] = Completeness(key, None, None, name, key + LOCATOR_SUFFIX, post=posts)
    return tuple(out.values())


def declarations(
    specs: Iterable[Completeness],
    org_id: Callable[[str], str],
    post_id: Callable[[str], str],
    *,
    label: str,
    known: FuzzyDate,
) -> list[DeclaredComplete]:
    """The `DeclaredComplete` events of ``specs`` for a file cited as ``label``, known on ``known``.

    ``org_id`` and ``post_id`` give the chronos id of a foreign organisation or post key.
    """
    out: list[DeclaredComplete] = []
    for spec in specs:
        start = spec.start if spec.start is not None else known
        if start.first > known.last:
            continue  # a period that began after the file was published: it vouches for none of it
        end = spec.end if spec.start is not None else known
        if end is None or end.last > known.last:
            end = known
        subject = post_id(spec.org) if spec.post else org_id(spec.org)
        over = "on the file's date" if spec.start is None else f"over {spec.quote}"
        what = f"the full membership of {spec.quote} ({subject}) {over}"
        out.append(
            DeclaredComplete(
                org=None if spec.post else subject,
                post=subject if spec.post else None,
                occurred=start,
                until=end,
                known=known,
                sources=(Source(source=label, quote=spec.quote, locator=spec.locator),),
                note=spec.note or f"the import declared the file {what} (--complete)",
            )
        )
    return out
