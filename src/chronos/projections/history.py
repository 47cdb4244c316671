"""The history question: a person's tenures, spells in custody and death."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import attrs

from chronos.projections.answers import DEFAULT_POLICY, Certainty, Tenure, When, holds, tenure_of
from chronos.projections.policy import OPEN_END, OPEN_START, Claim, Policy, Resolved
from chronos.projections.state import Custody, State

__all__ = ["History", "Spell", "history", "history_of", "history_order"]


@attrs.frozen
class Spell:
    """A spell in custody with its charges, reconciled by a policy."""

    person: str
    start: Resolved
    end: Resolved
    charges: tuple[Claim, ...]

    def holds(self, at: When) -> Certainty | None:
        """Whether the person is in custody on ``at``."""
        return holds(self.start, self.end, at)


@attrs.frozen
class History:
    """A person's tenures and spells in custody, in date order, and their death if recorded."""

    person: str
    tenures: tuple[Tenure, ...]
    custody: tuple[Spell, ...]
    death: Resolved | None


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
) -> History:
    """A `History` from a person's reconciled tenures (any order), spells in custody and death claims."""
    ordered = sorted(tenures, key=history_order)
    spells = tuple(_spell(c, policy) for c in custody)
    death = policy.resolve(deaths, empty=OPEN_END) if deaths else None
    return History(person, tuple(ordered), spells, death)


def history_order(tenure: Tenure) -> tuple[dt.date, dt.date, str]:
    """The order of a person's tenures in a `History`: by start, then end, then post."""
    return (tenure.start.earliest, tenure.end.earliest, tenure.post)


def _spell(custody: Custody, policy: Policy) -> Spell:
    return Spell(
        custody.person,
        policy.resolve(custody.starts, empty=OPEN_START),
        policy.resolve(custody.ends, empty=OPEN_END),
        custody.charges,
    )
