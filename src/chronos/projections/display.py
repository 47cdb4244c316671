"""Answers in a notebook or a DataFrame: rows, ``_repr_html_``, ``to_frame()``, and reprs that fit one line.

`Roster` is the tuple of seats a roster question returns, with what was asked;
`Tabular` gives it, `Diff`, `History` and `Succession` their rows (plain dicts
of ids, names and EDTF dates), an HTML table for Jupyter and the like, and a
pandas DataFrame (the optional ``pandas`` extra). Names come from the
catalogue the answer carries, ids where it carries none.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from chronos.dates import FuzzyDate
from chronos.entities import Catalogue
from chronos.errors import MissingDependency
from chronos.projections.answers import Seat

__all__ = ["Roster", "Row", "Tabular", "named", "text"]

Row = dict[str, Any]

#: Rows an HTML table shows before it says how many more there are.
HTML_ROWS = 60


def text(date: FuzzyDate | None) -> str | None:
    """A date as EDTF text (None for none)."""
    return None if date is None else str(date)


def named(catalogue: Catalogue | None, entity_id: str | None) -> str | None:
    """The name of an entity, or its id when there is no catalogue or it is not in it."""
    if entity_id is None:
        return None
    entity = catalogue.get(entity_id) if catalogue is not None else None
    return entity.name if entity is not None else entity_id


class Tabular:
    """Rows, an HTML table and a DataFrame for an answer; subclasses say what the rows are."""

    __slots__ = ()

    def rows(self) -> list[Row]:
        """The answer as plain rows, one dict each (what `to_frame` and the HTML table show)."""
        raise NotImplementedError

    def caption(self) -> str:
        """What the answer is, in a few words."""
        raise NotImplementedError

    def to_frame(self) -> Any:
        """The rows as a pandas DataFrame (the ``pandas`` extra)."""
        try:
            import pandas  # type: ignore[import-untyped,unused-ignore]
        except ImportError:
            raise MissingDependency("to_frame needs pandas: pip install 'chronos-history[pandas]'") from None
        return pandas.DataFrame(self.rows())

    def _repr_html_(self) -> str:
        """An HTML table, for notebooks (the first `HTML_ROWS` rows, and how many more)."""
        rows = self.rows()
        columns = list(dict.fromkeys(key for row in rows for key in row))
        head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{_cell(row.get(c))}</td>" for c in columns) + "</tr>"
            for row in rows[:HTML_ROWS]
        )
        more = f"<p>and {len(rows) - HTML_ROWS} more rows</p>" if len(rows) > HTML_ROWS else ""
        caption = html.escape(self.caption())
        table = (
            f"<table><caption>{caption}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        )
        return table + more


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    return html.escape(str(value))


class Roster(tuple[Seat, ...], Tabular):
    """The seats of a roster question, with what was asked: equal to the plain tuple of its seats."""

    org: str
    at: object
    known_at: object
    catalogue: Catalogue | None

    def __new__(
        cls,
        seats: Iterable[Seat],
        *,
        org: str,
        at: object,
        known_at: object = None,
        catalogue: Catalogue | None = None,
    ) -> Roster:
        """The seats, and what was asked: of which organisation (or post), on which date, as known when."""
        roster = super().__new__(cls, seats)
        roster.org, roster.at, roster.known_at, roster.catalogue = org, at, known_at, catalogue
        return roster

    def __reduce__(self) -> tuple[Any, ...]:
        return (_roster, (tuple(self), self.org, self.at, self.known_at, self.catalogue))

    def __repr__(self) -> str:
        held = sum(1 for seat in self if seat.person is not None)
        return f"Roster({self.org!r} on {self.at}: {len(self)} seats, {held} held)"

    def caption(self) -> str:
        """What the roster is of, and when."""
        known = f", as known on {self.known_at}" if self.known_at is not None else ""
        return f"{named(self.catalogue, self.org)} on {self.at}{known}"

    def rows(self) -> list[Row]:
        """One row per seat: unit, post, holder, certainty, since, until, disputed."""
        return [
            {
                "org_id": seat.post.org,
                "org": named(self.catalogue, seat.post.org),
                "post_id": seat.post.id,
                "post": seat.post.name,
                "person_id": seat.person,
                "person": named(self.catalogue, seat.person),
                "certainty": None if seat.vacant else seat.certainty,
                "since": text(seat.since),
                "until": text(seat.tenure.end.date) if seat.tenure is not None else None,
                "disputed": seat.tenure.disputed if seat.tenure is not None else False,
            }
            for seat in self
        ]


def _roster(
    seats: tuple[Seat, ...], org: str, at: object, known_at: object, catalogue: Catalogue | None
) -> Roster:
    """A `Roster` from its pickled parts."""
    return Roster(seats, org=org, at=at, known_at=known_at, catalogue=catalogue)
