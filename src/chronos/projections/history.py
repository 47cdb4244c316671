"""The history questions: a person's tenures, spells in custody and death; a post's succession."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

from chronos.dates import Day
from chronos.entities import Catalogue
from chronos.projections.answers import DEFAULT_POLICY, Certainty, Tenure, When, holds, tenure_of
from chronos.projections.display import Row, Tabular, named, text
from chronos.projections.policy import OPEN_END, OPEN_START, Claim, Policy, Resolved
from chronos.projections.state import Custody, State

__all__ = ["History", "Spell", "Succession", "history", "history_of", "history_order", "succession"]


@attrs.frozen
class Spell:
    """A spell in custody with its charges, reconciled by a policy."""

    person: str
    start: Resolved
    end: Resolved
    charges: tuple[Claim, ...]

    def __repr__(self) -> str:
        start, end = text(self.start.date) or "?", text(self.end.date) or "..."
        return f"Spell({self.person!r} in custody {start} -> {end})"

    def holds(self, at: When) -> Certainty | None:
        """Whether the person is in custody on ``at``."""
        return holds(self.start, self.end, at)


@attrs.frozen
class History(Tabular):
    """A person's tenures and spells in custody, in date order, and their death if recorded."""

    person: str
    tenures: tuple[Tenure, ...]
    custody: tuple[Spell, ...]
    death: Resolved | None
    #: Where `rows` and the notebook display find names (ids without one).
    catalogue: Catalogue | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)

    def __repr__(self) -> str:
        death = f"died {text(self.death.date)}" if self.death is not None else "no death recorded"
        spells = len(self.custody)
        return (
            f"History({self.person!r}: {len(self.tenures)} tenures, "
            f"{spells} spell{'s' if spells != 1 else ''} in custody, {death})"
        )

    def caption(self) -> str:
        """Whose history."""
        return f"{named(self.catalogue, self.person)}: tenures, custody and death"

    def rows(self) -> list[Row]:
        """One row per tenure, spell in custody and death: record, post, start, end, how it ended."""
        rows: list[Row] = [
            {
                "record": "tenure",
                "post_id": t.post,
                "post": named(self.catalogue, t.post),
                "start": text(t.start.date),
                "end": text(t.end.date),
                "end_cause": t.end.cause,
                "disputed": t.disputed,
            }
            for t in self.tenures
        ]
        rows += [
            {
                "record": "custody",
                "post_id": None,
                "post": None,
                "start": text(s.start.date),
                "end": text(s.end.date),
                "end_cause": s.end.cause,
                "disputed": s.start.disputed or s.end.disputed,
            }
            for s in self.custody
        ]
        if self.death is not None:
            rows.append(
                {
                    "record": "death",
                    "post_id": None,
                    "post": None,
                    "start": text(self.death.date),
                    "end": None,
                    "end_cause": None,
                    "disputed": self.death.disputed,
                }
            )
        return rows


@attrs.frozen
class Succession(Tabular):
    """Everyone who held a post, in the order their tenures began (as reconciled by a policy)."""

    post: str
    tenures: tuple[Tenure, ...]
    #: Where `rows` and the notebook display find names (ids without one).
    catalogue: Catalogue | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)

    def __repr__(self) -> str:
        return f"Succession({self.post!r}: {len(self.tenures)} tenures)"

    def caption(self) -> str:
        """Whose succession."""
        return f"{named(self.catalogue, self.post)}: its holders in turn"

    def rows(self) -> list[Row]:
        """One row per tenure: holder, start, end, how it ended."""
        return [
            {
                "person_id": t.person,
                "person": named(self.catalogue, t.person),
                "start": text(t.start.date),
                "end": text(t.end.date),
                "end_cause": t.end.cause,
                "disputed": t.disputed,
            }
            for t in self.tenures
        ]


def succession(state: State, post: str, *, policy: Policy | None = None) -> Succession:
    """A post's tenures, earliest start first (ties: earliest end, then the holder's id)."""
    policy = policy or DEFAULT_POLICY
    tenures = sorted(
        (tenure_of(state, p, policy) for p in state.tenures_at(post)),
        key=lambda t: (t.start.earliest, t.start.latest, t.end.earliest, t.person),
    )
    return Succession(post, tuple(tenures))


def history(state: State, person: str, *, policy: Policy | None = None) -> History:
    """A person's tenures (with how each ended), custody and death."""
    policy = policy or DEFAULT_POLICY
    tenures = (tenure_of(state, p, policy) for p in state.tenures_of(person))
    return history_of(person, tenures, state.custody_spells(person), state.deaths.get(person, ()), policy)


def history_of(
    person: str,
    tenures: Iterable[Tenure],
    custody: Iterable[Custody],
    deaths: Sequence[Claim],
    policy: Policy,
    *,
    catalogue: Catalogue | None = None,
) -> History:
    """A `History` from a person's reconciled tenures (any order), spells in custody and death claims."""
    ordered = sorted(tenures, key=history_order)
    spells = tuple(_spell(c, policy) for c in custody)
    death = policy.resolve(deaths, empty=OPEN_END) if deaths else None
    return History(person, tuple(ordered), spells, death, catalogue=catalogue)


def history_order(tenure: Tenure) -> tuple[Day, Day, str]:
    """The order of a person's tenures in a `History`: by start, then end, then post."""
    return (tenure.start.first, tenure.end.first, tenure.post)


def _spell(custody: Custody, policy: Policy) -> Spell:
    return Spell(
        custody.person,
        policy.resolve(custody.starts, empty=OPEN_START),
        policy.resolve(custody.ends, empty=OPEN_END),
        custody.charges,
    )
