"""Projections: pure folds of the events into state, and the questions asked of it.

    state       the fold: events known at a date -> tenures, custody, deaths, names
    policy      how disagreeing claims are reconciled (cautious, earliest, latest, prefer)
    answers     tenures, seats, certainty and its reasons: what every answer is made of
    seating     what bears on seats besides holders: lives of organisations, vacancies, horizon
    timelines   one post's tenures by date; sweep: every post's at once
    roster      who held each post of an organisation on a date
    diff        who joined, left or moved between two dates, and why
    history     a person's tenures, custody and death; a post's succession
    names       what an entity was called on a date
    snapshots   a source's own roster against the projection
    index       which events bear on an entity (to fold only those)
    display     answers as rows, notebook tables and DataFrames; short reprs

This package is for chronos's own layers; users ask `chronos.Chronology`.
"""

from chronos.projections.answers import (
    DEFAULT_POLICY,
    REASONS,
    Certainty,
    Seat,
    SeatState,
    Tenure,
    When,
    holds,
    reconcile,
    span,
    tenure_of,
)
from chronos.projections.diff import Change, Diff, diff
from chronos.projections.display import Roster, Tabular
from chronos.projections.history import History, Spell, Succession, history, succession
from chronos.projections.index import EventIndex
from chronos.projections.names import NameAnswer, name_at
from chronos.projections.policy import OPEN_END, OPEN_START, Claim, Policy, Resolved
from chronos.projections.roster import prepare, roster, rosters
from chronos.projections.snapshots import SnapshotRow, compare_snapshot
from chronos.projections.state import Custody, Period, State, project, sort_key, visible

__all__ = [
    "DEFAULT_POLICY",
    "OPEN_END",
    "OPEN_START",
    "REASONS",
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
    "Roster",
    "Seat",
    "SeatState",
    "SnapshotRow",
    "Spell",
    "State",
    "Succession",
    "Tabular",
    "Tenure",
    "When",
    "compare_snapshot",
    "diff",
    "history",
    "holds",
    "name_at",
    "prepare",
    "project",
    "reconcile",
    "roster",
    "rosters",
    "sort_key",
    "span",
    "succession",
    "tenure_of",
    "visible",
]
