"""The careers of Karim Massimov, Murat Nurtleu and Ermek Sagimbayev, as the sources give them.

For each person: every post with its start and end and how it ended, every
spell in custody with the charges, each claim with its source. Where sources
disagree the cautious policy keeps every claim and says so.

Run from the repository root: ``python examples/careers.py``.
"""

from __future__ import annotations

from _show import cited, claim_text, console, heading, name, open_chronology, when
from rich.console import Console

from chronos import Charged, Chronology, Claim, Resolved, Spell, Tenure

PEOPLE = ("Massimov", "Nurtleu", "Sagimbayev")


def span(start: Resolved, end: Resolved, *, ongoing: str) -> str:
    """``2016 → dismissed 2022-01-04/06 (disputed)``."""
    first = when(start.date, missing="start undated")
    if not end.chosen:
        return f"{first} → {ongoing}"
    disputed = " (disputed)" if end.disputed else ""
    return f"{first} → {end.cause} {when(end.date)}{disputed}"


def print_claims(out: Console, claims: tuple[Claim, ...]) -> None:
    """What each claim says, then every source that makes it."""
    for claim in claims:
        out.print(f"      {claim_text(claim)}")
        for source in claim.sources:
            out.print(cited("          ", [source]))


def print_tenure(out: Console, chronology: Chronology, tenure: Tenure) -> None:
    """A post held, with the claims behind its start and end."""
    out.print(f"  {name(chronology, tenure.post)}", style="bold")
    out.print(f"    {span(tenure.start, tenure.end, ongoing='still in post as far as the sources go')}")
    print_claims(out, (*tenure.start.claims, *tenure.end.claims))


def print_spell(out: Console, spell: Spell) -> None:
    """A spell in custody with its charges."""
    out.print("  In custody", style="bold")
    out.print(f"    {span(spell.start, spell.end, ongoing='no release recorded')}")
    print_claims(out, (*spell.start.claims, *spell.end.claims))
    for charge in spell.charges:
        what = charge.event.charge if isinstance(charge.event, Charged) else charge.cause
        out.print(f"      charged with {what}, {when(charge.date)}")
        for source in charge.sources:
            out.print(cited("          ", [source]))


def print_career(out: Console, chronology: Chronology, who: str) -> None:
    """One person's posts and custody, oldest first."""
    record = chronology.history(who)
    heading(out, name(chronology, record.person))
    for tenure in record.tenures:
        print_tenure(out, chronology, tenure)
    for spell in record.custody:
        print_spell(out, spell)
    if record.death is not None:
        out.print(f"  Died {when(record.death.date)}")


def main() -> None:
    out = console()
    chronology = open_chronology()
    for who in PEOPLE:
        print_career(out, chronology, who)


if __name__ == "__main__":
    main()
