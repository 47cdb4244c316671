"""Build the columnar projection from the object engine's own answers, so the two cannot disagree.

The fold (`chronos.projections.project`) and the policy (`reconcile`) run once,
as they do for `Chronology`; their results are then laid out as typed arrays:

- entities in catalogue order, numbered from 0 (ids, kinds, the top-level
  organisations); posts in roster order (each top-level organisation's posts,
  its units' included, in catalogue order), so each organisation's posts are one run;
- reconciled tenures, one row each, by post in roster order and each post's in
  timeline order (earliest start first): post, person, the four days (`Day`
  numbers, proleptic Gregorian, so BCE too) that say when it surely and
  possibly holds, the running latest end, and disputes;
- each tenure's claims (the position of the event in the log, whether it is a
  start or an end, its cause, the `Identified` events naming its holder), so
  that the objects a row shows are rebuilt exactly (`Columnar` decodes those
  events only then);
- each person's tenures in fold order, spells in custody and death claims;
- the positions of the events that bear on seats besides their holders
  (`EventIndex.for_seats`: foundings, dissolutions, vacancies, declarations),
  which `chronos.columnar._seats` folds with the object engine's own rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from chronos._fast.gc import paused_gc
from chronos.columnar._tables import Tables
from chronos.dates import Day
from chronos.entities import Catalogue, Organisation, Post
from chronos.events import Corrected, Event, Identified
from chronos.projections import EventIndex, Policy, State, project, tenure_of
from chronos.projections.policy import Claim

__all__ = ["KINDS", "Claims", "T", "build", "claim_refs", "latest_known", "roster_order"]

#: The entity kinds by number.
KINDS = ("person", "organisation", "post", "place")


class T:
    """Column numbers of the tenure matrix (``tenures``, int64: days are `Day` numbers)."""

    POST, PERSON, S0, S1, E0, E1, REACH, FLAGS = range(8)
    WIDTH = 8
    #: Flags: the start, the end disputed.
    START_DISPUTED, END_DISPUTED = 1, 2


#: Flags of a claim row (``claims``: position, flags, cause, identifications).
END, REPLACEMENT, CHARGE = 1, 2, 4


def latest_known(events: Sequence[Event]) -> int:
    """The last day anything in ``events`` became known (`EventIndex.latest_known`), as a number."""
    return int(max((e.known.last for e in events), default=Day.min))


def claim_refs(events: Sequence[Event]) -> dict[int, tuple[int, int]]:
    """Where each event object comes from: its position in ``events`` and whether it is a replacement.

    Keyed by object identity: the fold's claims hold the very objects read from
    the log (a correction contributes its ``replacement``).
    """
    refs: dict[int, tuple[int, int]] = {}
    for position, event in enumerate(events):
        refs[id(event)] = (position, 0)
        if isinstance(event, Corrected):
            refs[id(event.replacement)] = (position, REPLACEMENT)
    return refs


class Claims:
    """Claim rows (position, flags, cause code, identifications) with offsets per owner.

    A claim's ``identified_by`` events are a run of (position, flags) pairs in a
    table shared by every `Claims` of one projection (``-1``: none).
    """

    def __init__(
        self,
        refs: dict[int, tuple[int, int]],
        causes: dict[str, int],
        idents: dict[tuple[tuple[int, int], ...], int] | None = None,
    ):
        self.refs = refs
        self.causes = causes
        self.idents: dict[tuple[tuple[int, int], ...], int] = {} if idents is None else idents
        self.rows: list[tuple[int, int, int, int]] = []
        self.offsets = [0]

    def add(self, claims: Sequence[Claim], flag: int) -> None:
        refs = self.refs
        for claim in claims:
            position, replaced = refs[id(claim.event)]
            cause = self.causes.setdefault(claim.cause, len(self.causes))
            ident = -1
            if claim.identified_by:
                key = tuple(refs[id(e)] for e in claim.identified_by)
                ident = self.idents.setdefault(key, len(self.idents))
            self.rows.append((position, flag | replaced, cause, ident))

    def close(self) -> None:
        self.offsets.append(len(self.rows))

    def arrays(self) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        rows = np.array(self.rows, dtype=np.int64).reshape(-1, 4)
        return np.array(self.offsets, dtype=np.int64), rows

    def ident_arrays(self) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """The identifications table: offsets, and (position, flags) rows."""
        runs = sorted(self.idents, key=self.idents.__getitem__)
        offsets = np.zeros(len(runs) + 1, np.int64)
        offsets[1:] = np.cumsum([len(r) for r in runs]) if runs else []
        pairs = [pair for run in runs for pair in run]
        return offsets, np.array(pairs, np.int64).reshape(-1, 2)


def build(
    events: Sequence[Event],
    catalogue: Catalogue,
    policy: Policy,
    *,
    state: State | None = None,
    versions: bool = True,
) -> Tables:
    """The columnar projection of ``events`` under ``policy``, everything known.

    With ``versions``, also every post's tenures as known on any earlier day
    (the bitemporal index, `chronos.columnar._versions`).
    """
    with paused_gc():  # millions of small objects, none in a cycle: collecting meanwhile is wasted work
        return _build(events, catalogue, policy, state=state, versions=versions)


def _build(
    events: Sequence[Event], catalogue: Catalogue, policy: Policy, *, state: State | None, versions: bool
) -> Tables:
    if state is None:
        state = project(events, catalogue)
    refs = claim_refs(events)
    causes: dict[str, int] = {}
    idents: dict[tuple[tuple[int, int], ...], int] = {}
    arrays: dict[str, Any] = {}
    meta: dict[str, Any] = {"policy": str(policy), "events": len(events)}

    # Entities ---------------------------------------------------------------------------
    ids = list(catalogue)
    number = {entity_id: n for n, entity_id in enumerate(ids)}
    entities = [catalogue[i] for i in ids]
    n_entities = len(ids)
    encoded = [i.encode("utf-8") for i in ids]
    arrays["ent_kind"] = np.array(
        [KINDS.index(e.kind) if e.kind in KINDS else 255 for e in entities], np.uint8
    )
    width = max((len(b) for b in encoded), default=1)
    order = sorted(range(n_entities), key=lambda n: encoded[n])
    arrays["ent_sorted"] = np.array([encoded[n] for n in order], dtype=f"S{width}")
    arrays["ent_sorted_no"] = np.array(order, np.int32)
    rank = np.empty(n_entities, np.int32)
    rank[np.array(order, np.int64)] = np.arange(n_entities, dtype=np.int32)
    arrays["ent_rank"] = rank  # the position of each id in sorted order: seat order compares ids
    arrays["ent_ids"], arrays["ent_ids_off"] = _blob(encoded)
    rows = [_entity_row(e) if isinstance(e, Post | Organisation) else b"" for e in entities]
    arrays["ent_rows"], arrays["ent_rows_off"] = _blob(rows)
    top = [number[e.id] for e in entities if isinstance(e, Organisation) and e.parent is None]
    arrays["org_top"] = np.array(top, np.int32)

    # Posts in "roster order": each top-level organisation's posts (its units' included) in
    # catalogue order, so that the posts of any organisation, and their tenures, are one run.
    post_seq = roster_order(catalogue, number)
    seq_of = {n: k for k, n in enumerate(post_seq)}
    arrays["post_seq"] = np.array(post_seq, np.int32)
    arrays["post_seats"] = np.array([entities[n].seats for n in post_seq], np.int32)  # type: ignore[attr-defined]
    org_span = np.zeros((n_entities, 2), np.int32)
    contiguous = True
    for n, entity in enumerate(entities):
        if isinstance(entity, Organisation):
            run = [seq_of[number[p.id]] for p in catalogue.posts(entity.id)]
            if run and run != list(range(run[0], run[0] + len(run))):
                contiguous = False
            org_span[n] = (run[0], run[0] + len(run)) if run else (0, 0)
    arrays["org_span"] = org_span
    meta["contiguous"] = contiguous

    # Tenures, by post in roster order, each post's in timeline order ---------------------
    matrix: list[tuple[int, ...]] = []
    claims = Claims(refs, causes, idents)
    row_of: dict[int, int] = {}  # id(period) -> tenure row
    post_first = np.zeros(len(post_seq) + 1, np.int64)
    for k, post_no in enumerate(post_seq):
        periods = state.tenures_at(ids[post_no])
        tenures = sorted(
            ((tenure_of(state, p, policy), p) for p in periods), key=lambda tp: tp[0].start.first
        )
        post_first[k + 1] = len(tenures)
        reach = int(Day.min)
        for tenure, period in tenures:
            reach = max(reach, int(tenure.end.last))
            flags = (T.START_DISPUTED if tenure.start.disputed else 0) | (
                T.END_DISPUTED if tenure.end.disputed else 0
            )
            row_of[id(period)] = len(matrix)
            matrix.append(
                (
                    k,
                    number.get(tenure.person, -1),
                    int(tenure.start.first),
                    int(tenure.start.last),
                    int(tenure.end.first),
                    int(tenure.end.last),
                    reach,
                    flags,
                )
            )
            claims.add(period.starts, 0)
            claims.add(period.ends, END)
            claims.close()
    arrays["tenures"] = np.array(matrix, np.int64).reshape(-1, T.WIDTH)
    arrays["post_first"] = np.cumsum(post_first)
    arrays["claims_off"], arrays["claims"] = claims.arrays()
    # Tenures the fold made at ids that are no post of the catalogue (a log appended through
    # `EventLog` has none): the engine leaves the questions they touch to the object engine.
    meta["strays"] = sum(1 for p in state.tenures if id(p) not in row_of)
    fold = np.array([row_of.get(id(p), -1) for p in state.tenures], np.int32)
    arrays["state_order"] = fold
    # Each row's place in the fold: an overlay's rows say by it which base rows they replace.
    arrays["state_rank"] = np.full(len(matrix), -1, np.int64)
    arrays["state_rank"][fold[fold >= 0]] = np.flatnonzero(fold >= 0)

    # People: tenures in history order, custody, death ------------------------------------
    person_off = np.zeros(n_entities + 1, np.int64)
    person_rows: list[int] = []
    custody_off = np.zeros(n_entities + 1, np.int64)
    spells = Claims(refs, causes, idents)
    death_off = np.zeros(n_entities + 1, np.int64)
    deaths = Claims(refs, causes, idents)
    for n in range(n_entities):
        # In fold order, as `diff` explains changes; `history` sorts them itself.
        found = [row_of[id(p)] for p in state.tenures_of(ids[n]) if id(p) in row_of]
        person_rows += found
        person_off[n + 1] = len(found)
        entity_id = ids[n]
        spell_list = state.custody_spells(entity_id)
        for spell in spell_list:
            spells.add(spell.starts, 0)
            spells.add(spell.ends, END)
            spells.add(spell.charges, CHARGE)
            spells.close()
        custody_off[n + 1] = len(spell_list)
        death = state.deaths.get(entity_id, ())
        deaths.add(death, 0)
        death_off[n + 1] = len(death)
    arrays["person_off"] = np.cumsum(person_off)
    arrays["person_rows"] = np.array(person_rows, np.int32)
    arrays["custody_off"] = np.cumsum(custody_off)
    arrays["spell_claims_off"], arrays["spell_claims"] = spells.arrays()
    arrays["death_off"] = np.cumsum(death_off)
    arrays["death_claims"] = deaths.arrays()[1]
    arrays["idents_off"], arrays["idents"] = claims.ident_arrays()
    index = EventIndex(events, catalogue)
    arrays["seat_events"] = np.array([refs[id(e)][0] for e in index.for_seats()], np.int64)
    if versions:
        from chronos.columnar._versions import build_versions

        built = build_versions(events, catalogue, policy, index=index)
        arrays.update(built.arrays)
        meta["vcauses"] = built.meta["causes"]
    meta["causes"] = sorted(causes, key=causes.__getitem__)
    meta["latest_known"] = int(index.latest_known)
    from chronos.columnar._extend import last_key

    # What `chronos.columnar._extend` needs to tell whether appended events only add to history.
    meta["last_key"] = last_key(events)
    meta["identified"] = int(any(isinstance(e, Identified) for e in events))
    return Tables(arrays, meta)


def roster_order(catalogue: Catalogue, number: dict[str, int]) -> list[int]:
    """The entity numbers of the posts in roster order (see `build`)."""
    post_seq: list[int] = []
    placed: set[int] = set()
    for entity in catalogue.values():
        if isinstance(entity, Organisation) and entity.parent is None:
            for post in catalogue.posts(entity.id):
                if number[post.id] not in placed:
                    placed.add(number[post.id])
                    post_seq.append(number[post.id])
    post_seq += [
        number[e.id] for e in catalogue.values() if isinstance(e, Post) and number[e.id] not in placed
    ]
    return post_seq


def _blob(items: Sequence[bytes]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Byte strings laid end to end, and where each starts (and the last ends)."""
    offsets = np.zeros(len(items) + 1, np.int64)
    if items:
        offsets[1:] = np.cumsum([len(b) for b in items])
    return np.frombuffer(b"".join(items), np.uint8).copy(), offsets


def _entity_row(entity: Post | Organisation) -> bytes:
    """The arguments that rebuild ``entity`` exactly (as `Catalogue.from_dict` builds it), as JSON."""
    import json

    import attrs

    row = {
        k: (list(v) if isinstance(v, tuple) else v)
        for k, v in attrs.asdict(entity, recurse=False).items()
        if k != "kind"
    }
    return json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
