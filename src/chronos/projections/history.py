"""The history questions: a person's tenures, spells in custody and death; a post's succession."""

from __future__ import annotations

import attrs

from chronos.projections.answers import DEFAULT_POLICY, Certainty, Tenure, When, holds, tenure_of
from chronos.projections.policy import OPEN_END, OPEN_START, Claim, Policy, Resolved
from chronos.projections.state import Custody, State

__all__ = ["History", "Spell", "Succession", "history", "succession"]


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


@attrs.frozen
class Succession:
    """Everyone who held a post, in the order their tenures began (as reconciled by a policy)."""

    post: str
    tenures: tuple[Tenure, ...]


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
    tenures = sorted(
        (tenure_of(state, p, policy) for p in state.tenures_of(person)),
        key=lambda t: (t.start.earliest, t.end.earliest, t.post),
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
