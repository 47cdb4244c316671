"""What the public record said about Massimov, Sadykulov, Yergozhin and Abish on 7, 9 and 14 January 2022.

Every answer comes from the events whose knowledge date (``known``) had passed
on the day asked, with the retractions known by then applied: the same
questions, asked of the record as it stood on 7, 9 and 14 January 2022 and as
it stands now.

Run from the repository root: ``python examples/what_was_known.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

from _show import cited, console, heading, name, open_chronology, post_label, table, unique_sources, when
from rich.console import Console

from chronos import Charged, Chronology, Corrected, Event, FuzzyDate, History, Retracted, Tenure

ORG = "nsc"
PEOPLE = ("Massimov", "Sadykulov", "Yergozhin", "Abish")
KNOWN_AT: tuple[str | None, ...] = ("2022-01-07", "2022-01-09", "2022-01-14", None)
NOTHING = "—"
#: A claim, and the retraction or correction that withdrew it.
Withdrawal = tuple[Event, Retracted | Corrected]


def label(known_at: str | None) -> str:
    """A column title for a knowledge date."""
    return known_at or "everything"


# What the record said on one day ----------------------------------------------------------


def nsc_tenures(chronology: Chronology, record: History) -> list[Tenure]:
    """The person's tenures of posts of the NSC and its units."""
    posts = {p.id for p in chronology.catalogue.posts(ORG)}
    return [t for t in record.tenures if t.post in posts]


def held(chronology: Chronology, record: History) -> str:
    """Which NSC posts the record gives the person, and since when."""
    lines = []
    for tenure in nsc_tenures(chronology, record):
        since = f"since {when(tenure.start.date)}" if tenure.start.chosen else "start undated"
        lines.append(f"{post_label(chronology, tenure.post, ORG)}, {since}")
    return "\n".join(lines) or NOTHING


def removed(chronology: Chronology, record: History) -> str:
    """How and when the record says the person left those posts."""
    lines = []
    for tenure in nsc_tenures(chronology, record):
        if tenure.end.chosen:
            disputed = ", disputed" if tenure.end.disputed else ""
            lines.append(f"{tenure.end.cause} {when(tenure.end.date)}{disputed}")
        else:
            lines.append("no")
    return "\n".join(dict.fromkeys(lines)) or NOTHING


def arrested(record: History) -> str:
    """When the record says the person was taken into custody."""
    lines = []
    for spell in record.custody:
        if spell.start.chosen:
            disputed = ", disputed" if spell.start.disputed else ""
            lines.append(f"{when(spell.start.date)}{disputed}")
    return "\n".join(lines) or NOTHING


def charged(record: History) -> str:
    """The charges the record gives."""
    charges = [c.event.charge for s in record.custody for c in s.charges if isinstance(c.event, Charged)]
    return "\n".join(dict.fromkeys(charges)) or NOTHING


def withdrawn(chronology: Chronology, person: str, known_at: str | None) -> list[Withdrawal]:
    """Claims about the person known by then but withdrawn by then, each with what withdrew it."""
    state = chronology.state(known_at)
    standing = {e.id for e in state.events}
    limit = state.known_at
    known = [e for e in chronology.events if limit is None or e.known.last <= limit]
    found: list[Withdrawal] = []
    for event in known:
        if person not in event.about() or event.id in standing or isinstance(event, Retracted | Corrected):
            continue
        for other in known:
            if isinstance(other, Retracted | Corrected) and other.target == event.id:
                found.append((event, other))
    return found


def withdrawn_text(pairs: Sequence[Withdrawal]) -> str:
    """Withdrawn claims as ``dismissed 2022-01-05 (retracted 2022-01-08)``."""
    lines = []
    for event, by in pairs:
        how = "retracted" if isinstance(by, Retracted) else "corrected"
        lines.append(f"{event.type.lower()} {when(event.occurred)},\n{how} {when(by.occurred)}")
    return "\n".join(lines) or NOTHING


# One person ---------------------------------------------------------------------------------


def print_person(out: Console, chronology: Chronology, who: str) -> None:
    """One person's answers on each knowledge date, then the sources behind them."""
    person = chronology.lookup(who, kind="person").id
    grid = table("as known on", *(label(k) for k in KNOWN_AT))
    rows: dict[str, list[str]] = {q: [] for q in ("NSC post", "left it", "arrested", "charged", "withdrawn")}
    behind: dict[str, Event] = {}
    for known_at in KNOWN_AT:
        record = chronology.history(person, known_at=known_at)
        pairs = withdrawn(chronology, person, known_at)
        rows["NSC post"].append(held(chronology, record))
        rows["left it"].append(removed(chronology, record))
        rows["arrested"].append(arrested(record))
        rows["charged"].append(charged(record))
        rows["withdrawn"].append(withdrawn_text(pairs))
        for event in evidence(chronology, record, pairs):
            behind.setdefault(event.id, event)
    for question, cells in rows.items():
        grid.add_row(question, *cells)
    heading(out, name(chronology, person))
    out.print(grid)
    print_sources(out, chronology, list(behind.values()))


def print_sources(out: Console, chronology: Chronology, events: Sequence[Event]) -> None:
    """The events behind the answers by the day they became public, and those a column could not count yet."""
    out.print("Sources, by the day they became public:", style="bold")
    shown: set[tuple[str, str]] = set()
    for event in sorted(events, key=lambda e: (e.known.earliest, e.known.latest)):
        sources = unique_sources([event])
        if (event.type, sources[0].quote) not in shown:
            shown.add((event.type, sources[0].quote))
            out.print(cited(f"  {when(event.known):<14} {event.type:<10} ", sources))
    for known_at in filter(None, KNOWN_AT):
        day = FuzzyDate.of(known_at).earliest
        # A claim already withdrawn or replaced by then could not change that day's answers.
        superseded = {
            e.target
            for e in chronology.events
            if isinstance(e, Retracted | Corrected) and e.known.latest <= day
        }
        pending = [e for e in events if e.known.earliest <= day < e.known.latest and e.id not in superseded]
        for event in pending:
            out.print(
                f"  Not counted on {known_at}: {event.type} {when(event.occurred)}, "
                f"public {when(event.known)}, perhaps only later."
            )


def evidence(chronology: Chronology, record: History, pairs: Sequence[Withdrawal]) -> list[Event]:
    """The events behind one column's answers."""
    events = [e for t in nsc_tenures(chronology, record) for e in t.events]
    for spell in record.custody:
        events.extend(c.event for c in (*spell.start.claims, *spell.end.claims, *spell.charges))
    events.extend(e for pair in pairs for e in pair)
    return events


def main() -> None:
    out = console()
    chronology = open_chronology()
    out.print("Each column answers from the events public by that day (their `known` date had passed),")
    out.print(f"with the retractions public by then applied. {NOTHING} = nothing on record.")
    for who in PEOPLE:
        print_person(out, chronology, who)


if __name__ == "__main__":
    main()
