"""What questions build from a `State` and keep for the next question, each kind in its own table."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:  # the tables hold the answers' building blocks, which import the state
    from chronos.entities import Catalogue
    from chronos.projections.answers import Tenure
    from chronos.projections.policy import Policy
    from chronos.projections.roster import OrgTimelines
    from chronos.projections.seating import Seating
    from chronos.projections.sweep import Sweep
    from chronos.projections.timelines import Timeline

__all__ = ["Derived"]


@attrs.define(eq=False, repr=False)
class Derived:
    """The reconciled tenures, timelines, sweeps and seatings built from one state, by policy.

    A state never changes once folded, so what is derived from it stays true;
    each table is keyed by what else it depends on (the policy, and for
    timelines of a catalogue's posts, the catalogue itself, checked on use).
    """

    #: Reconciled tenures by (id of the period, policy); the state keeps the period alive.
    tenures: dict[tuple[int, Policy], Tenure] = attrs.field(factory=dict)
    #: One post's timeline by (post id, policy).
    timelines: dict[tuple[str, Policy], Timeline] = attrs.field(factory=dict)
    #: One organisation's timelines by (organisation id, policy).
    organisations: dict[tuple[str, Policy], OrgTimelines] = attrs.field(factory=dict)
    #: The sweep over every post by policy, with the catalogue it was built for.
    sweeps: dict[Policy, tuple[Catalogue, Sweep]] = attrs.field(factory=dict)
    #: What bears on empty seats (lives of organisations, vacancies) by policy; it names its catalogue.
    seatings: dict[Policy, Seating] = attrs.field(factory=dict)
