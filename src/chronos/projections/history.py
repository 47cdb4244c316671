"""The history question: a person's tenures, spells in custody and death."""

from __future__ import annotations

import attrs

from chronos.projections.answers import DEFAULT_POLICY, Certainty, Tenure, When, holds, tenure_of
from chronos.projections.policy import OPEN_END, OPEN_START, Claim, Policy, Resolved
from chronos.projections.state import Custody, State

__all__ = ["History", "Spell", "history"]


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
    tenures = sorted(
        (tenure_of(state, p, policy) for p in state.tenures_of(person)),
        key=lambda t: (t.start.first, t.end.first, t.post),
    )
    spells = tuple(_spell(c, policy) for c in state.custody_spells(person))
    deaths = state.deaths.get(person, ())
    death = policy.resolve(deaths, empty=OPEN_END) if deaths else None
    return History(person, tuple(tenures), spells, death)


def _spell(custody: Custody, policy: Policy) -> Spell:
    return Spell(
        custody.person,
        policy.resolve(custody.starts, empty=OPEN_START),
        policy.resolve(custody.ends, empty=OPEN_END),
        custody.charges,
    )
