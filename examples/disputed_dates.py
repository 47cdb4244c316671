"""Which dates do the sources dispute, who says what, and how does each policy answer despite it.

Lists every tenure whose start or end the sources date differently, every
spell in custody whose start they date differently, and every ending the
sources agree on the date of but not on how it happened. Then asks two
questions under each reconciliation policy (cautious, earliest, latest,
prefer:004): who chaired the NSC on 5 January 2022, and when did Askar
Mamin's government end?

Run from the repository root: ``python examples/disputed_dates.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

from _show import cited, claim_text, console, heading, name, open_chronology, short, table, when
from rich.console import Console

from chronos import Arrested, Chronology, Claim, Resolved, Tenure

POLICIES = ("cautious", "earliest", "latest", "prefer:004")
CHAIR, CHAIR_DAY = "nsc/chairman", "2022-01-05"
PM, PM_HOLDER = "government/prime-minister", "Mamin"


def print_claims(out: Console, claims: Sequence[Claim]) -> None:
    """Each claim with every source that makes it."""
    for claim in claims:
        prefix = f"    {claim_text(claim):<27} "
        for source in claim.sources:
            out.print(cited(prefix, [source]))
            prefix = " " * len(prefix)


def print_disputed_tenures(out: Console, chronology: Chronology) -> None:
    """Tenures whose start or end the sources date differently."""
    heading(out, "Tenures the sources date differently")
    for tenure in chronology.disputes():
        for part, resolved in (("start", tenure.start), ("end", tenure.end)):
            if resolved.disputed:
                who = name(chronology, tenure.person)
                out.print(f"  {who}, {name(chronology, tenure.post)}: the {part}", style="bold")
                print_claims(out, resolved.claims)


def print_disputed_custody(out: Console, chronology: Chronology) -> None:
    """Spells in custody whose start the sources date differently."""
    heading(out, "Arrests the sources date differently")
    people = dict.fromkeys(e.person for e in chronology.events if isinstance(e, Arrested))
    for person in people:
        for spell in chronology.history(person).custody:
            if spell.start.disputed:
                out.print(f"  {name(chronology, person)}: arrested", style="bold")
                print_claims(out, spell.start.claims)


def print_contested_causes(out: Console, chronology: Chronology) -> None:
    """Endings whose claims disagree on how the tenure ended (dismissed or resigned)."""
    heading(out, "Endings the sources tell differently")
    for tenure in chronology.tenures():
        causes = {c.cause for c in tenure.end.claims}
        if len(causes) > 1:
            who = name(chronology, tenure.person)
            out.print(
                f"  {who}, {name(chronology, tenure.post)}: {' or '.join(sorted(causes))}?", style="bold"
            )
            print_claims(out, tenure.end.claims)


# The same questions under each policy ---------------------------------------------------------


def chosen(resolved: Resolved) -> str:
    """The claims a policy kept, as short source references."""
    refs = dict.fromkeys(short(s) for c in resolved.chosen for s in c.sources)
    return ", ".join(refs)


def verdict(resolved: Resolved) -> str:
    """A reconciled date, flagged when the sources conflict."""
    return when(resolved.date) + (" (sources conflict)" if resolved.disputed else "")


def who_chaired(chronology: Chronology, policy: str) -> tuple[str, str]:
    """Who held the NSC chair on the day, and the end claims the policy kept for them."""
    seats = [s for s in chronology.roster("nsc", at=CHAIR_DAY, policy=policy) if s.post.id == CHAIR]
    holders = [f"{name(chronology, s.person)} ({s.certainty})" for s in seats if s.person is not None]
    empty = [s for s in seats if s.person is None]
    # Empty is not vacant: only a source (or a declared-complete record) says a seat was vacant.
    answer = ", ".join(holders) or ("vacant" if empty and empty[0].vacant else "no holder recorded")
    # The people the widest reading puts in the chair, whatever this policy says.
    candidates = [s.person for s in chronology.roster("nsc", at=CHAIR_DAY) if s.post.id == CHAIR and s.person]
    tenures = [t for t in chronology.tenures(policy=policy) if t.post == CHAIR and t.person in candidates]
    because = "; ".join(_ended(chronology, t) for t in tenures)
    return answer, because


def _ended(chronology: Chronology, tenure: Tenure) -> str:
    return (
        f"{name(chronology, tenure.person)} {tenure.end.cause} {when(tenure.end.date)} ({chosen(tenure.end)})"
    )


def mamin_ended(chronology: Chronology, policy: str) -> tuple[str, str]:
    """When Mamin's government ended under the policy, and the claims it kept."""
    tenures = [t for t in chronology.history(PM_HOLDER, policy=policy).tenures if t.post == PM]
    answers = [f"{t.end.cause} {verdict(t.end)}" for t in tenures]
    return "; ".join(answers) or "no end recorded", "; ".join(chosen(t.end) for t in tenures)


def print_policies(out: Console, chronology: Chronology) -> None:
    """Both questions under every policy."""
    questions = (
        (f"Who chaired the NSC on {CHAIR_DAY}?", who_chaired),
        (f"When did {name(chronology, chronology.lookup(PM_HOLDER).id)}'s government end?", mamin_ended),
    )
    for question, ask in questions:
        heading(out, question)
        grid = table("policy", "answer", "because of (claims kept)")
        grid.columns[0].no_wrap = True
        for policy in POLICIES:
            grid.add_row(policy, *ask(chronology, policy))
        out.print(grid)
    out.print()
    out.print("cautious: every claim counts; conflicting dates leave the answer open ('possible').")
    out.print("earliest / latest: the claim dated first / last.  prefer:004: source 004's claims first.")


def main() -> None:
    out = console()
    chronology = open_chronology()
    print_disputed_tenures(out, chronology)
    print_disputed_custody(out, chronology)
    print_contested_causes(out, chronology)
    print_policies(out, chronology)


if __name__ == "__main__":
    main()
