"""Who led Kazakhstan's National Security Committee on 5 January and on 16 February 2022, and what changed.

Prints the two rosters side by side (every seat held, vacant or unknown, and
why each answer that is not certain is only possible), what changed in between
(with the events and sources behind each change, and the dates the sources
dispute), then the report's own lists of those two days (source 004) checked
against the events: where they disagree, chronos says so and shows why.

Run from the repository root: ``python examples/nsc_roster.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from itertools import zip_longest

from _show import (
    cited,
    claim_text,
    console,
    heading,
    name,
    open_chronology,
    post_label,
    table,
    unique_sources,
    when,
)
from rich.console import Console

from chronos import Change, Chronology, Event, RosterReported, Seat, SnapshotRow, Tenure

ORG = "nsc"
BEFORE = "2022-01-05"
AFTER = "2022-02-16"
MARK = {"certain": "", "possible": " ?"}


# The two rosters ------------------------------------------------------------------------


def pair_seats(before: Sequence[Seat], after: Sequence[Seat]) -> list[tuple[str, Seat | None, Seat | None]]:
    """Rows of (post id, seat before, seat after): a person who stays sits on one row."""
    rows: list[tuple[str, Seat | None, Seat | None]] = []
    posts = dict.fromkeys(s.post.id for s in (*before, *after))
    for post in posts:
        left = [s for s in before if s.post.id == post]
        right = [s for s in after if s.post.id == post]
        staying = [s.person for s in left if s.person and s.person in {r.person for r in right}]
        for person in staying:
            rows.append((post, _take(left, person), _take(right, person)))
        for seat_a, seat_b in zip_longest(left, right):
            rows.append((post, seat_a, seat_b))
    return rows


def _take(seats: list[Seat], person: str) -> Seat:
    seat = next(s for s in seats if s.person == person)
    seats.remove(seat)
    return seat


def holder(chronology: Chronology, seat: Seat | None) -> tuple[str, str]:
    """A seat as (holder, vacant or unknown, with certainty mark; since)."""
    if seat is None:
        return "", ""
    if seat.person is None:
        return seat.state + MARK[seat.certainty if seat.vacant else "certain"], ""
    return name(chronology, seat.person) + MARK[seat.certainty], when(seat.since)


def print_rosters(out: Console, chronology: Chronology) -> None:
    """The leadership on both dates, one row per seat."""
    before = chronology.roster(ORG, at=BEFORE)
    after = chronology.roster(ORG, at=AFTER)
    grid = table("Post", f"{BEFORE}", "since", f"{AFTER}", "since")
    grid.columns[0].ratio = 1
    for column in grid.columns[1:]:
        column.no_wrap = True
    previous = None
    for post, seat_a, seat_b in pair_seats(before, after):
        label = post_label(chronology, post, ORG) if post != previous else ""
        grid.add_row(label, *holder(chronology, seat_a), *holder(chronology, seat_b))
        previous = post
    heading(out, f"{name(chronology, ORG)}: the leadership on {BEFORE} and {AFTER}")
    out.print("? = possible: the sources' dates leave it open (policy: cautious).   ≤ = on or before.")
    out.print(
        "vacant = a source says the seat was empty.   unknown = no holder recorded, nothing says empty."
    )
    out.print(grid)
    print_reasons(out, chronology, {BEFORE: before, AFTER: after})
    print_evidence(out, chronology, [*before, *after])


def print_reasons(out: Console, chronology: Chronology, rosters: dict[str, Sequence[Seat]]) -> None:
    """Why each answer that is not certain is possible, and what makes the vacant seats vacant."""
    out.print("Why: each seat not certainly held, and what the record says of it", style="bold")
    grid = table("Date", "Post", "Seat", "Why")
    grid.columns[1].ratio = 1
    for day, seats in rosters.items():
        for seat in dict.fromkeys(s for s in seats if s.certainty == "possible" or s.vacant):
            count = sum(s == seat for s in seats)
            who, _ = holder(chronology, seat)
            label = f"{who} ×{count}" if count > 1 else who
            grid.add_row(day, post_label(chronology, seat.post.id, ORG), label, ", ".join(seat.why))
    out.print(grid)
    for seat in dict.fromkeys(s for seats in rosters.values() for s in seats if s.vacant):
        out.print(cited(f"  {post_label(chronology, seat.post.id, ORG)} vacant: ", seat.sources))


def print_evidence(out: Console, chronology: Chronology, seats: Sequence[Seat]) -> None:
    """For each holder, the source dating the start of the tenure (the end, when nothing dates the start)."""
    out.print("Sources: what dates each start (or the end, when nothing dates the start)", style="bold")
    seen: set[tuple[str, str]] = set()
    for seat in seats:
        if seat.tenure is None or seat.person is None:
            continue
        part = seat.tenure.start if seat.tenure.start.chosen else seat.tenure.end
        # The claim that gives the date shown, when one does; the others only bound it.
        claims = [c for c in part.chosen if c.date == part.date] or part.chosen
        first = unique_sources(c.event for c in claims)[0]
        if (seat.person, first.quote) in seen:
            continue
        seen.add((seat.person, first.quote))
        out.print(cited(f"  {name(chronology, seat.person):<19} ", [first]))


# What changed ------------------------------------------------------------------------------


def change_lines(chronology: Chronology, change: Change) -> list[str]:
    """One change in words: who, which post(s), how and when."""
    who = name(chronology, change.person)
    before = change.before.tenure if change.before is not None else None
    after = change.after.tenure if change.after is not None else None
    if change.kind == "changed" and change.before is not None and change.after is not None:
        post = post_label(chronology, change.after.post, ORG)
        return [f"{who}, {post}: {change.before.certainty} → {change.after.certainty}"]
    lines = []
    if before is not None:
        lines.append(_ends(chronology, before))
    if after is not None:
        lines.append(_starts(chronology, after))
    return [f"{who}: {lines[0]}", *(f"{' ' * len(who)}  and {line}" for line in lines[1:])]


STARTS = {"appointed": "appointed", "moved": "moved to"}
ENDS = {"dismissed": "dismissed from", "resigned": "resigned from", "moved": "moved from", "left": "left"}


def _starts(chronology: Chronology, tenure: Tenure) -> str:
    how = STARTS.get(tenure.start.cause or "", "started as")
    return f"{how} {post_label(chronology, tenure.post, ORG)} {when(tenure.start.date)}"


def _ends(chronology: Chronology, tenure: Tenure) -> str:
    how = ENDS.get(tenure.end.cause or "", f"{tenure.end.cause} from")
    disputed = " (disputed)" if tenure.end.disputed else ""
    return f"{how} {post_label(chronology, tenure.post, ORG)} {when(tenure.end.date)}{disputed}"


def disputed(tenure: Tenure | None, event: Event) -> str:
    """For an event claiming a disputed end: what the other sources say (``4 sources say 2022-01-05``)."""
    if tenure is None or not tenure.end.disputed or event not in {c.event for c in tenure.end.claims}:
        return ""
    mine = {str(c.date) for c in tenure.end.claims if c.event == event}
    others: dict[str, set[str]] = {}
    for claim in tenure.end.claims:
        if str(claim.date) not in mine:
            others.setdefault(when(claim.date), set()).update(s.source for s in claim.sources)
    said = [
        f"{len(files)} source{'s say' if len(files) > 1 else ' says'} {day}" for day, files in others.items()
    ]
    return f"  (disputed: {'; '.join(said)})"


def print_diff(out: Console, chronology: Chronology) -> None:
    """Who left, arrived, moved or became certain between the two dates, with events and sources."""
    diff = chronology.diff(ORG, BEFORE, AFTER)
    heading(out, f"What changed between {BEFORE} and {AFTER}")
    for title, changes in (
        ("Left", diff.left),
        ("Arrived", diff.joined),
        ("Moved", diff.moved),
        ("Now certain", diff.changed),
    ):
        if not changes:
            continue
        out.print(f"{title} ({len(changes)})", style="bold")
        for change in changes:
            for line in change_lines(chronology, change):
                out.print(f"  {line}")
            before = change.before.tenure if change.before is not None else None
            for event in change.events:
                out.print(cited(f"      {event.type} {when(event.occurred)}: ", unique_sources([event])))
                if disputed(before, event):
                    out.print(f"      {disputed(before, event).strip()}")


# The report's own lists -----------------------------------------------------------------------


def events_say(chronology: Chronology, row: SnapshotRow, rows: Sequence[SnapshotRow]) -> str:
    """What the events say for one entry of the list."""
    marks = dict(row.projection)
    if row.person is not None and row.person in marks:
        return name(chronology, row.person) + MARK[marks[row.person]]
    if row.source_says is None:
        return "a free seat" if row.verdict == "agrees" else "no free seat"
    # The source names someone the events do not have: show the holders the list leaves out.
    listed = {r.person for r in rows if r.post == row.post and r.source_says is not None}
    unlisted = [name(chronology, p) + MARK[c] for p, c in row.projection if p not in listed]
    return ", ".join(unlisted) or "nobody else"


def print_snapshot(out: Console, chronology: Chronology, snapshot: RosterReported) -> None:
    """One of the source's lists, entry by entry, against the projection on its date."""
    rows = chronology.compare(snapshot)
    day = when(snapshot.occurred)
    heading(out, f"{snapshot.sources[0].source[:3]}'s own list for {day}, checked against the events")
    out.print(cited("", snapshot.sources))
    grid = table("Post", "the source says", "the events say", "verdict")
    grid.columns[0].ratio = 1
    grid.columns[3].no_wrap = True
    for row in rows:
        says = row.source_says or ("(not listed)" if row.verdict == "missing" else "vacant")
        label = post_label(chronology, row.post, ORG)
        grid.add_row(label, says, events_say(chronology, row, rows), row.verdict)
    out.print(grid)
    agreeing = sum(r.verdict in ("agrees", "agrees-possibly") for r in rows)
    listed = sum(r.verdict != "missing" for r in rows)
    out.print(f"{agreeing} of the list's {listed} entries agree with the events.")
    for unknown in dict.fromkeys(r.source_says for r in rows if r.verdict == "unknown-person"):
        if unknown is not None:
            explain_unknown(out, chronology, snapshot, unknown, rows)


def explain_unknown(
    out: Console,
    chronology: Chronology,
    snapshot: RosterReported,
    unknown: str,
    rows: Sequence[SnapshotRow],
) -> None:
    """Why a name in the list matches nobody: the people of those posts who share a part of it."""
    out.print()
    out.print(f"Contradiction: the list names “{unknown}”, who is no known person.", style="bold")
    near = chronology.catalogue.suggest(unknown, kind="person")
    if near:
        out.print(f"  Nearest known names: {', '.join(name(chronology, p) for p in near)}.")
    found: dict[str, set[str]] = {}
    cited_by: set[str] = set()
    for post in dict.fromkeys(r.post for r in rows if r.source_says == unknown):
        out.print(f"  What the events say about {post_label(chronology, post, ORG)}:")
        for tenure, shared in namesakes(chronology, post, unknown, snapshot.occurred.earliest):
            found.setdefault(tenure.person, set()).update(shared)
            out.print(f"    {name(chronology, tenure.person)}: {_span(tenure)}")
            for claim in (*tenure.start.chosen, *tenure.end.chosen):
                out.print(cited(f"        {claim_text(claim)}: ", claim.sources))
                cited_by.update(source.source for source in claim.sources)
    own = cited_by == {source.source for source in snapshot.sources}
    for line in conclusion(chronology, unknown, found, snapshot.occurred.latest, own=own):
        out.print(f"  {line}")


def namesakes(
    chronology: Chronology, post: str, unknown: str, since: dt.date
) -> list[tuple[Tenure, set[str]]]:
    """The tenures of ``post`` not over before ``since`` whose holder shares a name with ``unknown``."""
    found = []
    for tenure in chronology.tenures():
        shared = set(unknown.split()) & set(name(chronology, tenure.person).split())
        if tenure.post == post and shared and tenure.end.latest >= since:
            found.append((tenure, shared))
    return found


def _span(tenure: Tenure) -> str:
    start = f"{tenure.start.cause} {when(tenure.start.date)}" if tenure.start.chosen else "start undated"
    end = f"{tenure.end.cause} {when(tenure.end.date)}" if tenure.end.chosen else "still in post"
    return f"{start} → {end}"


def conclusion(
    chronology: Chronology, unknown: str, found: dict[str, set[str]], day: dt.date, *, own: bool
) -> list[str]:
    """Which real people the name's parts come from; ``own`` when the same source says who they are."""
    first, *_, last = unknown.split()
    givers = {
        part: [name(chronology, p) for p, got in found.items() if part in got] for part in (first, last)
    }
    if givers[first] and givers[last] and set(givers[first]).isdisjoint(givers[last]):
        first_from, last_from = " / ".join(givers[first]), " / ".join(givers[last])
        return [
            f"“{unknown}” joins {first_from}'s first name to {last_from}'s surname:",
            f"the source's list for {day} contradicts {'its own timeline' if own else 'the events'}.",
        ]
    return [f"No single person of these posts on {day} carries the name “{unknown}”."]


def main() -> None:
    out = console()
    chronology = open_chronology()
    print_rosters(out, chronology)
    print_diff(out, chronology)
    for snapshot in chronology.snapshots(ORG):
        if str(snapshot.occurred) in (BEFORE, AFTER):
            print_snapshot(out, chronology, snapshot)


if __name__ == "__main__":
    main()
