"""What was Kazakhstan's capital called on a few dates between 2018 and 2022, and how sure can we be.

The capital is looked up by its old name, "Astana". A date before the rename
answers with the old name, a date after it with the new one; a date the rename
may fall on (a year that contains it, say) answers ``possible`` with both.

Run from the repository root: ``python examples/capital_names.py``.
"""

from __future__ import annotations

import textwrap

from _show import WIDTH, cited, console, heading, name, open_chronology, table, unique_sources, when
from rich.console import Console

from chronos import Chronology, FuzzyDate, Renamed

CITY = "Astana"
DATES = ("2018-06-01", "2019", "2019-03-01", "2020-01-01", "2022-01-08")


def renames(chronology: Chronology, entity: str) -> list[Renamed]:
    """The entity's renames in date order."""
    found = [e for e in chronology.events_about(entity, kind="Renamed") if isinstance(e, Renamed)]
    return sorted(found, key=lambda r: (r.occurred.earliest, r.occurred.latest))


def reason(at: str, found: list[Renamed]) -> str:
    """Where the date falls relative to each rename."""
    date = FuzzyDate.of(at)
    parts = []
    for rename in found:
        low, high = rename.occurred.earliest, rename.occurred.latest
        to = f"the rename to {rename.name}"
        if high <= date.earliest:
            parts.append(f"after {to}")
        elif low > date.latest:
            parts.append(f"before {to}")
        elif date.earliest <= low and high <= date.latest:
            parts.append(f"{to} falls within {at}")
        else:
            parts.append(f"{to} may fall on {at}")
    return "; ".join(parts) or "no rename recorded"


def print_rename_record(out: Console, chronology: Chronology, found: list[Renamed]) -> None:
    """The renames the answers rest on, with their sources."""
    out.print("The record:", style="bold")
    for rename in found:
        former = rename.former or "?"
        low, high = rename.occurred.earliest, rename.occurred.latest
        day = when(rename.occurred) if low == high else f"some day from {low} to {high}"
        out.print(f"  Renamed {former} → {rename.name}, {day}")
        if rename.note:
            out.print(
                textwrap.fill(
                    f"note: {rename.note}",
                    WIDTH,
                    initial_indent="    ",
                    subsequent_indent="    ",
                    break_on_hyphens=False,
                )
            )
        for source in unique_sources([rename]):
            out.print(cited("    ", [source]))


def main() -> None:
    out = console()
    chronology = open_chronology()
    entity = chronology.lookup(CITY).id
    found = renames(chronology, entity)
    heading(out, f"What was {CITY} ({name(chronology, entity)} in the catalogue) called?")
    grid = table("on", "name", "certainty", "why")
    grid.columns[0].no_wrap = True
    for at in DATES:
        answer = chronology.name(entity, at=at)
        names = " or ".join((answer.name, *answer.alternatives))
        grid.add_row(at, names, answer.certainty, reason(at, found))
    out.print(grid)
    print_rename_record(out, chronology, found)


if __name__ == "__main__":
    main()
