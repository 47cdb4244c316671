"""Projections: pure folds of the events into state, and the questions asked of it."""

from chronos.projections.index import EventIndex
from chronos.projections.policy import Claim, Policy, Resolved
from chronos.projections.queries import (
    Certainty,
    Change,
    Diff,
    History,
    NameAnswer,
    Seat,
    SnapshotRow,
    Spell,
    Tenure,
    compare_snapshot,
    diff,
    history,
    holds,
    name_at,
    resolve,
    roster,
)
from chronos.projections.state import Custody, Period, State, paused_gc, project, sort_key, visible

__all__ = [
    "Certainty",
    "Change",
    "Claim",
    "Custody",
    "Diff",
    "EventIndex",
    "History",
    "NameAnswer",
    "Period",
    "Policy",
    "Resolved",
    "Seat",
    "SnapshotRow",
    "Spell",
    "State",
    "Tenure",
    "compare_snapshot",
    "diff",
    "history",
    "holds",
    "name_at",
    "paused_gc",
    "project",
    "resolve",
    "roster",
    "sort_key",
    "visible",
]
