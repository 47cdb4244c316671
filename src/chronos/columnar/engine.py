"""`Columnar`: the questions of `Chronology`, answered from the columnar projection's arrays.

The arrays (`chronos.columnar._build`) hold every reconciled tenure of the log
under one policy. A question finds its rows in them (a slice for one
organisation, a vectorised scan for all of them) and builds Python objects only
for the rows it returns; events are decoded from the log by position only
when a returned tenure needs its claims. Anything the arrays do not hold (a
knowledge date before the last one, another policy, names, events) is asked
of the object engine (`Chronology`), built on first need.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import orjson

from chronos.chronology import Chronology, DateLike, as_day, as_when
from chronos.columnar._build import CHARGE, END, KINDS, REPLACEMENT, T
from chronos.columnar._events import EventSource
from chronos.columnar._tables import Tables
from chronos.columnar._versions import V
from chronos.entities import KINDS as ENTITY_CLASSES
from chronos.entities import Catalogue, Entity, Post
from chronos.events import Corrected, Event
from chronos.projections import Certainty, Diff, History, Period, Policy, Seat, Tenure, When, reconcile, span
from chronos.projections.diff import changes
from chronos.projections.history import history_of
from chronos.projections.policy import Claim
from chronos.projections.state import Custody

__all__ = ["Columnar", "RosterTable"]

Array = npt.NDArray[Any]
#: A roster as rows: posts (roster order), persons (-1: vacant), certain, tenure rows (-1: vacant).
Rows = tuple[list[int], list[int], list[bool], list[int]]
#: Holders by post and person: (certain, earliest start, tenure row).
Held = dict[int, dict[int, tuple[bool, int, int]]]


@attrs.frozen(eq=False)
class RosterTable:
    """Rosters as columns: one row per seat, organisations in the order asked, vacant seats included.

    ``org`` indexes ``orgs``; ``post`` and ``person`` are entity numbers
    (``person`` -1 for a vacant seat); ``tenure`` is the tenure row (-1 when
    vacant). `seats` and `as_dict` build the `Seat` objects `Chronology.rosters` returns.
    """

    orgs: tuple[str, ...]
    org: Array
    post: Array
    person: Array
    certain: Array
    tenure: Array
    engine: Columnar = attrs.field(repr=False)

    def __len__(self) -> int:
        return len(self.org)

    def seats(self, org: str) -> tuple[Seat, ...]:
        """The seats of one organisation asked for."""
        which = self.orgs.index(org)
        rows = np.flatnonzero(self.org == which)
        return self.engine._seats(
            self.post[rows].tolist(),
            self.person[rows].tolist(),
            self.certain[rows].tolist(),
            self.tenure[rows].tolist(),
        )

    def as_dict(self) -> dict[str, tuple[Seat, ...]]:
        """Every roster, by organisation id, as `Chronology.rosters` gives them."""
        bounds = np.searchsorted(self.org, np.arange(len(self.orgs) + 1))
        post, person, certain, tenure = (
            a.tolist() for a in (self.post, self.person, self.certain, self.tenure)
        )
        out: dict[str, tuple[Seat, ...]] = {}
        for which, org in enumerate(self.orgs):
            a, b = int(bounds[which]), int(bounds[which + 1])
            out[org] = self.engine._seats(post[a:b], person[a:b], certain[a:b], tenure[a:b])
        return out


class Columnar:
    """The questions of `Chronology` over the columnar projection of one log under one policy.

    Build one with `chronos.columnar.open_columnar` (persisted beside the log)
    or `Columnar.build` (in memory, from events).
    """

    def __init__(
        self,
        tables: Tables,
        events: EventSource,
        *,
        catalogue: Callable[[], Catalogue],
        chronology: Callable[[], Chronology] | None = None,
        versions: Callable[[], Tables] | None = None,
    ):
        self.tables = tables
        self.source = events
        self.policy = Policy.parse(tables.meta["policy"])
        self._catalogue_loader = catalogue
        self._catalogue: Catalogue | None = None
        self._chronology_loader = chronology
        self._chronology: Chronology | None = None
        a = tables.arrays
        self._tenures = a["tenures"]
        self._ent_sorted = a["ent_sorted"]
        self._ent_sorted_no = a["ent_sorted_no"]
        self._ent_kind = a["ent_kind"]
        self._org_span = a["org_span"]
        self._post_seq = a["post_seq"]
        self._post_first = a["post_first"]
        self._post_seats = a["post_seats"]
        self._rank = a["ent_rank"]
        self._causes: list[str] = list(tables.meta["causes"])
        self._latest_known: int = tables.meta["latest_known"]
        self._ids: dict[int, str] = {}
        #: Numbers by (name asked, kind): a name seen once is not searched for again.
        self._numbers: dict[tuple[str, str | None], int] = {}
        self._top_orgs: tuple[tuple[str, ...], Array] | None = None
        self._layout_cache: tuple[bytes, tuple[Array, Array, Array, Array, Array]] | None = None
        self._posts: dict[int, Post] = {}
        self._tenure_cache: dict[int, Tenure] = {}
        self._vacant: dict[int, Seat] = {}
        # One roster's rows come from a single slice: only when every organisation's posts are one run.
        self._fast = bool(tables.meta["contiguous"]) and tables.meta["strays"] == 0
        self._n_tenures = len(self._tenures)
        self._versions_loader = versions
        self._versions: Tables | None = tables if "versions" in a else None
        self._vcauses = self._causes

    @classmethod
    def build(
        cls, events: Sequence[Event], catalogue: Catalogue, *, policy: Policy | str | None = None
    ) -> Columnar:
        """The columnar projection of ``events``, built in memory (nothing is written)."""
        from chronos.columnar._build import build
        from chronos.columnar._events import ListEvents

        chosen = Policy.parse(policy)
        chronology = Chronology(events, catalogue, policy=chosen)
        tables = build(chronology.events, catalogue, chosen, state=chronology.state())
        tables.meta["latest_known"] = latest_known(chronology.events)
        return cls(
            tables, ListEvents(chronology.events), catalogue=lambda: catalogue, chronology=lambda: chronology
        )

    def __repr__(self) -> str:
        return f"Columnar({self.tables.meta['events']} events, {len(self._tenures)} tenures, {self.policy})"

    # Objects, built only for what an answer returns -------------------------------------------

    @property
    def catalogue(self) -> Catalogue:
        """The log's catalogue (parsed on first use: the questions by id do not need it)."""
        if self._catalogue is None:
            self._catalogue = self._catalogue_loader()
        return self._catalogue

    @property
    def chronology(self) -> Chronology:
        """The object engine over the same log, built on first use, for what the columns do not hold."""
        if self._chronology is None:
            if self._chronology_loader is not None:
                self._chronology = self._chronology_loader()
            else:
                self._chronology = Chronology(self.source.all(), self.catalogue, policy=self.policy)
        return self._chronology

    def entity_id(self, number: int) -> str:
        """The id of entity ``number``."""
        found = self._ids.get(number)
        if found is None:
            off = self.tables["ent_ids_off"]
            raw = self.tables["ent_ids"][int(off[number]) : int(off[number + 1])]
            found = self._ids[number] = raw.tobytes().decode("utf-8")
        return found

    def number(self, name: str, kind: str | None = None) -> int:
        """The entity number of an id; names, aliases and near misses go to `Catalogue.lookup`."""
        found = self._numbers.get((name, kind))
        if found is not None:
            return found
        found = self._numbers[(name, kind)] = self._look_up(name, kind)
        return found

    def _look_up(self, name: str, kind: str | None) -> int:
        key = name.encode("utf-8")
        sorted_ids = self._ent_sorted
        where = int(np.searchsorted(sorted_ids, key))
        if where < len(sorted_ids) and sorted_ids[where] == key:
            number = int(self._ent_sorted_no[where])
            if kind is None or KINDS[self._ent_kind[number]] == kind:
                return number
        entity = self.catalogue.lookup(name, kind=kind)  # raises the error `Chronology` raises
        return self.number(entity.id)

    def post(self, seq: int) -> Post:
        """The post at ``seq`` in roster order, as the catalogue has it."""
        found = self._posts.get(seq)
        if found is None:
            number = int(self._post_seq[seq])
            off = self.tables["ent_rows_off"]
            row = orjson.loads(self.tables["ent_rows"][int(off[number]) : int(off[number + 1])].tobytes())
            post = ENTITY_CLASSES["post"](**row)
            assert isinstance(post, Post)
            found = self._posts[seq] = post
        return found

    def event(self, position: int, flags: int) -> Event:
        """The event a claim row names (a correction's replacement when flagged)."""
        event = self.source.event(position)
        if flags & REPLACEMENT:
            assert isinstance(event, Corrected)
            return event.replacement
        return event

    def _claims(self, rows: Array, causes: Sequence[str] | None = None) -> list[tuple[int, Claim]]:
        names = self._causes if causes is None else causes
        out = []
        for position, flags, cause in rows.tolist():
            event = self.event(position, flags)
            out.append((flags, Claim(event, event.occurred, names[cause])))
        return out

    def period(self, row: int) -> Period:
        """The fold's period behind tenure ``row`` (a version's, after the tenures): its claims, decoded."""
        causes = self._causes
        if row >= self._n_tenures:
            row -= self._n_tenures
            v = self.versions
            off, rows, matrix, causes = v["vclaims_off"], v["vclaims"], v["versions"], self._vcauses
        else:
            off, rows, matrix = self.tables["claims_off"], self.tables["claims"], self._tenures
        claims = self._claims(rows[int(off[row]) : int(off[row + 1])], causes)
        post_seq, person = (int(x) for x in matrix[row, : T.PERSON + 1])
        return Period(
            self.entity_id(person),
            self.entity_id(int(self._post_seq[post_seq])),
            tuple(c for f, c in claims if not f & END),
            tuple(c for f, c in claims if f & END),
        )

    def tenure(self, row: int) -> Tenure:
        """Tenure ``row``, reconciled exactly as the object engine reconciles it."""
        found = self._tenure_cache.get(row)
        if found is None:
            found = self._tenure_cache[row] = reconcile(self.period(row), self.policy)
        return found

    def _seats(
        self, posts: Sequence[int], persons: Sequence[int], certain: Sequence[bool], rows: Sequence[int]
    ) -> tuple[Seat, ...]:
        out: list[Seat] = []
        for post, person, sure, row in zip(posts, persons, certain, rows, strict=True):
            if person < 0:
                vacant = self._vacant.get(post)
                if vacant is None:
                    vacant = self._vacant[post] = Seat(self.post(post), None, "certain")
                out.append(vacant)
            else:
                certainty: Certainty = "certain" if sure else "possible"
                out.append(Seat(self.post(post), self.entity_id(person), certainty, self.tenure(row)))
        return tuple(out)

    # When the columns answer ------------------------------------------------------------

    def _answers(
        self, known_at: DateLike | None, policy: Policy | str | None, *, earlier: bool = False
    ) -> bool:
        """True when the arrays hold the answer: this policy, and everything known on ``known_at``.

        With ``earlier``, any knowledge date will do when the bitemporal index was built.
        """
        if policy is not None and Policy.parse(policy) != self.policy:
            return False
        if not self._fast:
            return False
        day = as_day(known_at)
        if day is None or day.toordinal() >= self._latest_known:
            return True
        return earlier and (self._versions is not None or self._versions_loader is not None)

    @property
    def versions(self) -> Tables:
        """The bitemporal index (`chronos.columnar._versions`), loaded or built on first use."""
        if self._versions is None:
            assert self._versions_loader is not None
            self._versions = self._versions_loader()
            self._vcauses = list(self._versions.meta["causes"])
        return self._versions

    # Questions --------------------------------------------------------------------------

    def roster_rows(self, org: str, *, at: DateLike, known_at: DateLike | None = None) -> Rows:
        """One organisation's roster as `Rows` (post in roster order, person or -1, certain, tenure row).

        With ``known_at`` before the last knowledge date, from the bitemporal
        index (tenure rows of versions are numbered after the others).
        """
        number = self.number(org, "organisation")
        low, high = span(as_when(at))
        day = as_day(known_at)
        if day is None or day.toordinal() >= self._latest_known:
            return self._org_rows(number, low.toordinal(), high.toordinal())
        return self._known_rows(number, low.toordinal(), high.toordinal(), day.toordinal())

    def _org_rows(self, org: int, lo: int, hi: int) -> Rows:
        first, stop = self._org_span[org].tolist()
        if first == stop:
            return [], [], [], []
        t0, t1 = self._post_first[first].item(), self._post_first[stop].item()
        block = self._tenures[t0:t1, : T.E1 + 1].tolist()
        return self._assemble(first, stop, _holders(block, range(t0, t1), lo, hi))

    def _known_rows(self, org: int, lo: int, hi: int, day: int) -> Rows:
        """`_org_rows` as known on ``day``: the versions standing then, merged with what may have been."""
        first, stop = (int(x) for x in self._org_span[org])
        if first == stop:
            return [], [], [], []
        v = self.versions
        versions, ranged, base = v["versions"], v["ranged_known"], self._n_tenures
        v0, v1 = int(v["versions_first"][first]), int(v["versions_first"][stop])
        block = versions[v0:v1]
        standing = (block[:, V.K0] <= day) & (block[:, V.K1] > day)

        def holders(possibly: int) -> Held:
            # The rows standing on ``day``, each post's in its timeline order then.
            found = np.flatnonzero(standing & (block[:, V.POSSIBLY] == possibly))
            found = found[np.lexsort((block[found, V.ORDER], block[found, V.POST]))]
            return _holders(block[found, : V.E1 + 1].tolist(), (found + v0 + base).tolist(), lo, hi)

        held = holders(0)
        if len(ranged) and bool(np.any((ranged[:, 0] <= day) & (ranged[:, 1] > day))):
            maybe = holders(1)
            possibly_at = v["possibly_at"]
            for post, here in held.items():
                if not possibly_at[post]:  # no event of this post has a knowledge range: the same
                    maybe[post] = here
            held = _merge(held, maybe)
        return self._assemble(first, stop, held)

    def _assemble(self, first: int, stop: int, held: Held) -> Rows:
        """Every seat of the posts ``first`` to ``stop``: holders in seat order, then the vacant seats."""
        posts_out: list[int] = []
        persons: list[int] = []
        certain: list[bool] = []
        rows_out: list[int] = []
        seats = self._post_seats[first:stop].tolist()
        rank = self._rank
        for post in range(first, stop):
            found = held.get(post)
            count = 0
            if found:
                holders = list(found.items())
                if len(holders) > 1:
                    # `seat_order`: certain holders first, then by start, then by id.
                    holders.sort(key=lambda item: (not item[1][0], item[1][1], rank[item[0]].item()))
                for person, (sure, _s0, row) in holders:
                    posts_out.append(post)
                    persons.append(person)
                    certain.append(sure)
                    rows_out.append(row)
                count = len(holders)
            vacant = seats[post - first] - count
            if vacant > 0:
                posts_out += [post] * vacant
                persons += [-1] * vacant
                certain += [True] * vacant
                rows_out += [-1] * vacant
        return posts_out, persons, certain, rows_out

    def roster(
        self,
        org: str,
        *,
        at: DateLike,
        known_at: DateLike | None = None,
        policy: Policy | str | None = None,
    ) -> tuple[Seat, ...]:
        """As `Chronology.roster`."""
        if not self._answers(known_at, policy, earlier=True):
            return self.chronology.roster(org, at=at, known_at=known_at, policy=policy)
        return self._seats(*self.roster_rows(org, at=at, known_at=known_at))

    def roster_table(self, orgs: Iterable[str] | None = None, *, at: DateLike) -> RosterTable:
        """Many organisations' rosters as one `RosterTable` (every top-level one unless ``orgs`` is given)."""
        if orgs is None:
            names, numbers = self._top()
        else:
            numbers = np.array([self.number(o, "organisation") for o in orgs], np.int64)
            names = tuple(self.entity_id(int(n)) for n in numbers)
        low, high = span(as_when(at))
        return self._table(names, numbers, low.toordinal(), high.toordinal())

    def _top(self) -> tuple[tuple[str, ...], Array]:
        """The top-level organisations' ids and numbers (looked up once)."""
        if self._top_orgs is None:
            numbers = np.asarray(self.tables["org_top"], np.int64)
            self._top_orgs = (tuple(self.entity_id(int(n)) for n in numbers.tolist()), numbers)
        return self._top_orgs

    def _layout(self, numbers: Array) -> tuple[Array, Array, Array, Array, Array]:
        """Every (organisation asked, post) pair in roster order, and one row per seat of each.

        Returns the pairs' organisations and posts, and per seat row its pair and
        its place among the post's seats: the same for every date (kept for the
        last organisations asked).
        """
        key = numbers.tobytes()
        if self._layout_cache is not None and self._layout_cache[0] == key:
            return self._layout_cache[1]
        spans = self._org_span[numbers]
        lengths = (spans[:, 1] - spans[:, 0]).astype(np.int64)
        pair_org = np.repeat(np.arange(len(numbers)), lengths)
        starts = np.repeat(
            spans[:, 0].astype(np.int64) - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths
        )
        pair_post = np.arange(len(pair_org)) + starts
        seats = self._post_seats[pair_post].astype(np.int64)
        pair_of_row = np.repeat(np.arange(len(pair_post)), seats)
        within = np.arange(int(seats.sum())) - np.repeat(np.cumsum(seats) - seats, seats)
        layout = (pair_org, pair_post, seats, pair_of_row, within)
        self._layout_cache = (key, layout)
        return layout

    def _table(self, names: tuple[str, ...], numbers: Array, lo: int, hi: int) -> RosterTable:
        tenures = self._tenures
        hits = np.flatnonzero((tenures[:, T.S0] <= hi) & (tenures[:, T.E1] > lo))
        rows = tenures[hits]
        post, person = rows[:, T.POST], rows[:, T.PERSON]
        sure = (rows[:, T.S1] <= lo) & (rows[:, T.E0] > hi)
        # One seat per person at a post (`take_seat`): the first certain tenure, else the first.
        order = _order(post, person + 1, ~sure, hits)
        post, person, sure, hits, s0 = post[order], person[order], sure[order], hits[order], rows[order, T.S0]
        first = np.ones(len(order), bool)
        first[1:] = (post[1:] != post[:-1]) | (person[1:] != person[:-1])
        post, person, sure, hits, s0 = post[first], person[first], sure[first], hits[first], s0[first]
        # Seat order within a post: certain first, then by start, then by id.
        order = _order(post, ~sure, s0, self._rank[person])
        post, person, sure, hits = post[order], person[order], sure[order], hits[order]
        n_posts = len(self._post_seats)
        held = np.bincount(post, minlength=n_posts)
        held_at = np.concatenate(([0], np.cumsum(held)))
        # Every (organisation asked, post) pair, in roster order, and its rows: holders then vacancies.
        pair_org, pair_post, seats, pair_of_row, within = self._layout(numbers)
        per_pair = held[pair_post]
        if bool(np.any(per_pair > seats)):  # a post over its seat count shows everyone: lay it out anew
            per_pair = np.maximum(seats, per_pair)
            pair_of_row = np.repeat(np.arange(len(pair_post)), per_pair)
            within = np.arange(int(per_pair.sum())) - np.repeat(np.cumsum(per_pair) - per_pair, per_pair)
        row_post = pair_post[pair_of_row]
        is_held = within < held[row_post]
        source = np.where(is_held, held_at[row_post] + within, 0)
        return RosterTable(
            names,
            pair_org[pair_of_row],
            row_post,
            np.where(is_held, person[source] if len(person) else -1, -1),
            np.where(is_held, sure[source] if len(sure) else True, True),
            np.where(is_held, hits[source] if len(hits) else -1, -1),
            self,
        )

    def rosters(
        self,
        orgs: Iterable[str] | None = None,
        *,
        at: DateLike,
        known_at: DateLike | None = None,
        policy: Policy | str | None = None,
    ) -> dict[str, tuple[Seat, ...]]:
        """As `Chronology.rosters`."""
        if not self._answers(known_at, policy, earlier=True):
            return self.chronology.rosters(orgs, at=at, known_at=known_at, policy=policy)
        day = as_day(known_at)
        if day is None or day.toordinal() >= self._latest_known:
            return self.roster_table(orgs, at=at).as_dict()
        if orgs is None:
            wanted = [int(n) for n in self.tables["org_top"]]
        else:
            wanted = [self.number(o, "organisation") for o in orgs]
        low, high = span(as_when(at))
        lo, hi = low.toordinal(), high.toordinal()
        return {self.entity_id(n): self._seats(*self._known_rows(n, lo, hi, day.toordinal())) for n in wanted}

    def diff(
        self,
        org: str,
        a: DateLike,
        b: DateLike,
        *,
        known_at: DateLike | None = None,
        policy: Policy | str | None = None,
    ) -> Diff:
        """As `Chronology.diff`."""
        if not self._answers(known_at, policy):
            return self.chronology.diff(org, a, b, known_at=known_at, policy=policy)
        number = self.number(org, "organisation")
        when_a, when_b = as_when(a), as_when(b)
        first, stop = (int(x) for x in self._org_span[number])
        return changes(
            self.entity_id(number),
            when_a,
            when_b,
            self._held(number, when_a),
            self._held(number, when_b),
            self._periods_of,
            [self.post(k).id for k in range(first, stop)],
        )

    def _held(self, org: int, at: When) -> dict[str, list[Seat]]:
        low, high = span(at)
        posts, persons, certain, rows = self._org_rows(org, low.toordinal(), high.toordinal())
        held: dict[str, list[Seat]] = {}
        for post, person, sure, row in zip(posts, persons, certain, rows, strict=True):
            if person >= 0:
                seat = Seat(
                    self.post(post),
                    self.entity_id(person),
                    "certain" if sure else "possible",
                    self.tenure(row),
                )
                held.setdefault(seat.post.id, []).append(seat)
        return held

    def _person_rows(self, number: int) -> list[int]:
        off = self.tables["person_off"]
        return [int(r) for r in self.tables["person_rows"][int(off[number]) : int(off[number + 1])]]

    def _periods_of(self, person: str) -> list[Period]:
        return [self.period(row) for row in self._person_rows(self.number(person))]

    def history(
        self,
        person: str,
        *,
        known_at: DateLike | None = None,
        policy: Policy | str | None = None,
    ) -> History:
        """As `Chronology.history`."""
        if not self._answers(known_at, policy):
            return self.chronology.history(person, known_at=known_at, policy=policy)
        number = self.number(person, "person")
        a = self.tables.arrays
        spells: list[Custody] = []
        off = a["custody_off"]
        claim_off = a["spell_claims_off"]
        for spell in range(int(off[number]), int(off[number + 1])):
            claims = self._claims(a["spell_claims"][int(claim_off[spell]) : int(claim_off[spell + 1])])
            spells.append(
                Custody(
                    self.entity_id(number),
                    tuple(c for f, c in claims if not f & (END | CHARGE)),
                    tuple(c for f, c in claims if f & END),
                    tuple(c for f, c in claims if f & CHARGE),
                )
            )
        deaths = self._claims(
            a["death_claims"][int(a["death_off"][number]) : int(a["death_off"][number + 1])]
        )
        return history_of(
            self.entity_id(number),
            (self.tenure(row) for row in self._person_rows(number)),
            spells,
            tuple(c for _f, c in deaths),
            self.policy,
        )

    def tenures(
        self, *, known_at: DateLike | None = None, policy: Policy | str | None = None
    ) -> tuple[Tenure, ...]:
        """As `Chronology.tenures`."""
        if not self._answers(known_at, policy):
            return self.chronology.tenures(known_at=known_at, policy=policy)
        return tuple(self.tenure(int(row)) for row in self.tables["state_order"])

    def lookup(self, name: str, *, kind: str | None = None) -> Entity:
        """As `Chronology.lookup`."""
        return self.catalogue.lookup(name, kind=kind)

    def __getattr__(self, name: str) -> Any:
        # Every other question (names, snapshots, events, disputes...) is the object engine's.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.chronology, name)


def latest_known(events: Iterable[Event]) -> int:
    """The ordinal of the last day anything in ``events`` became known (`EventIndex.latest_known`)."""
    return max((e.known.latest.toordinal() for e in events), default=dt.date.min.toordinal())


def _holders(block: list[list[int]], rows: Sequence[int], lo: int, hi: int) -> Held:
    """Who holds each post on ``[lo, hi]``, from tenure rows in timeline order (post, person, s0, s1, e0, e1).

    A tenure holds when it starts by ``hi`` and possibly ends after ``lo``;
    certainly when every reading of its start and end does (`holds`). One
    seat per person, as `take_seat` gives it: the first tenure found, unless a
    later one is surer.
    """
    held: Held = {}
    for row, (post, person, s0, s1, e0, e1) in zip(rows, block, strict=True):
        if s0 <= hi and e1 > lo:
            sure = s1 <= lo and hi < e0
            here = held.get(post)
            if here is None:
                held[post] = {person: (sure, s0, row)}
                continue
            known = here.get(person)
            if known is None or (sure and not known[0]):
                here[person] = (sure, s0, row)
    return held


def _merge(mine: Held, theirs: Held) -> Held:
    """Holders weighing what may already have been known (`chronos.projections.roster._merge`, on rows).

    Certain only when certain in both; possible when in either.
    """
    merged: Held = {}
    for post in mine.keys() | theirs.keys():
        found = dict(mine.get(post) or {})
        other = theirs.get(post) or {}
        for person, (sure, s0, row) in other.items():
            here = found.get(person)
            if here is None:
                found[person] = (False, s0, row)
            elif here[0] != sure:
                found[person] = (False, here[1], here[2])
        for person, (_sure, s0, row) in found.items():
            if person not in other:
                found[person] = (False, s0, row)
        if found:
            merged[post] = found
    return merged


def _order(*keys: Array) -> Array:
    """The order that sorts rows by ``keys`` (non-negative integers, most significant first).

    One stable argsort of the keys packed into one 64-bit integer when their
    bits fit (a lexsort of many keys costs several times more), else a lexsort.
    """
    widths = [max(int(key.max()), 1).bit_length() if len(key) else 1 for key in keys]
    if sum(widths) > 62:
        return np.lexsort(tuple(reversed(keys)))
    packed = np.zeros(len(keys[0]), np.int64)
    for key, width in zip(keys, widths, strict=True):
        packed = (packed << width) | key.astype(np.int64)
    return np.argsort(packed, kind="stable")
