"""`Columnar`: the questions of `Chronology`, answered from the columnar projection's arrays.

The arrays (`chronos.columnar._build`) hold every reconciled tenure of the log
under one policy. A question finds its rows in them (a slice for one
organisation, a vectorised scan for all of them: `chronos.columnar._rows`,
`chronos.columnar._table`), applies the seat rules of
`chronos.projections.seating` (`chronos.columnar._seats`), and builds Python
objects only for the rows it returns; events are decoded from the log by
position only when a returned tenure needs its claims. Anything the arrays do
not hold (another policy, names, events) is asked of the object engine
(`Chronology`), built on first need.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

from chronos.chronology import Chronology, DateLike, as_day, as_when
from chronos.columnar._build import CHARGE, END, KINDS, REPLACEMENT, T
from chronos.columnar._events import EventSource
from chronos.columnar._overlay import View
from chronos.columnar._rows import Held, Rows, holders, rows_of_seats
from chronos.columnar._seats import Rules, SeatRules, rows, seats
from chronos.columnar._table import RosterTable, table
from chronos.columnar._tables import Tables
from chronos.columnar._versions import known_holders
from chronos.dates import check_order
from chronos.entities import KINDS as ENTITY_CLASSES
from chronos.entities import Catalogue, Entity, Post
from chronos.errors import AmbiguousName, LookupFailed
from chronos.events import Corrected, Event
from chronos.projections import Diff, History, Period, Policy, Roster, Seat, Tenure, When, reconcile, span
from chronos.projections.diff import changes
from chronos.projections.history import history_of
from chronos.projections.policy import Claim
from chronos.projections.state import Custody

__all__ = ["Columnar", "RosterTable"]

Array = npt.NDArray[Any]


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
        #: The tenure rows, claims and people, of an overlay and its base read as one.
        self.view = View(tables)
        #: The base's tenure rows (an overlay's are `view`'s besides).
        self.tenure_matrix = self._tenures = self.view.tenures
        self._ent_sorted = a["ent_sorted"]
        self._ent_sorted_no = a["ent_sorted_no"]
        self._ent_kind = a["ent_kind"]
        self._org_span = a["org_span"]
        self._post_seq = a["post_seq"]
        self.post_seats = self._post_seats = a["post_seats"]
        self.n_posts = len(self._post_seats)
        #: The place of each entity's id in sorted order: seat order compares ids.
        self.rank = a["ent_rank"]
        self._causes: list[str] = list(tables.meta["causes"])
        self._latest_known: int = tables.meta["latest_known"]
        self._ids: dict[int, str] = {}
        #: Numbers by (name asked, kind): a name seen once is not searched for again.
        self._numbers: dict[tuple[str, str | None], int] = {}
        self._top_orgs: tuple[tuple[str, ...], Array] | None = None
        #: The last organisations' seat layout (`chronos.columnar._table.layout`).
        self.layout_cache: tuple[bytes, tuple[Array, ...]] | None = None
        #: Every seat's post in roster order, and where each post's seats start (`_seats.seat_layout`).
        self.seat_layout: tuple[Array, Array] | None = None
        self._posts: dict[int, Post] = {}
        self._tenure_cache: dict[int, Tenure] = {}
        # One roster's rows come from a single slice: only when every organisation's posts are one run.
        self._fast = bool(tables.meta["contiguous"]) and tables.meta["strays"] == 0
        # The bitemporal index keeps who held what, not when an `Identified` became known: a log
        # with identifications answers earlier knowledge dates through `Chronology`.
        self._identified = bool(tables.meta.get("identified", 1))
        self._n_tenures = self.view.n_rows
        self._versions_loader = versions
        self._versions: Tables | None = tables if "versions" in a else None
        self._vcauses: list[str] = list(tables.meta.get("vcauses", ()))
        positions = self.view.seat_events().tolist()
        self.rules = SeatRules(
            self,
            lambda: [self.source.event(p) for p in positions],
            lambda: self.catalogue,
            self.policy,
            self._latest_known,
            empty=not positions,
        )

    def close(self) -> None:
        """Close what the engine reads events from (a database connection, mapped segments)."""
        getattr(self.source, "close", lambda: None)()

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
        return cls(
            tables, ListEvents(chronology.events), catalogue=lambda: catalogue, chronology=lambda: chronology
        )

    def __repr__(self) -> str:
        return f"Columnar({self.tables.meta['events']} events, {self._n_tenures} tenures, {self.policy})"

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
        return self.number(self.lookup(name, kind=kind).id)

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

    def post_id(self, seq: int) -> str:
        """The id of the post at ``seq`` in roster order."""
        return self.entity_id(int(self._post_seq[seq]))

    def seat_counts(self, first: int, stop: int) -> list[int]:
        """The seat counts of the posts ``first`` to ``stop`` in roster order."""
        found: list[int] = self._post_seats[first:stop].tolist()
        return found

    def org_spans(self, numbers: Array) -> Array:
        """Where each organisation's posts lie in roster order: ``[first, stop)`` rows."""
        return np.asarray(self._org_span[numbers], np.int64)

    def event(self, position: int, flags: int) -> Event:
        """The event a claim row names (a correction's replacement when flagged)."""
        event = self.source.event(position)
        if flags & REPLACEMENT:
            assert isinstance(event, Corrected)
            return event.replacement
        return event

    def _claims(self, rows: Array, version: bool = False) -> list[tuple[int, Claim]]:
        """Claim rows as claims (each with its flags): the events decoded, identifications included."""
        table = self.versions if version else self.tables
        names = self._vcauses if version else self._causes
        prefix = "v" if version else ""
        idents_off, idents = table[f"{prefix}idents_off"], table[f"{prefix}idents"]
        out = []
        for position, flags, cause, ident in rows.tolist():
            event = self.event(position, flags)
            named: tuple[Event, ...] = ()
            if ident >= 0:
                pairs = idents[int(idents_off[ident]) : int(idents_off[ident + 1])].tolist()
                named = tuple(self.event(p, f) for p, f in pairs)
            out.append((flags, Claim(event, event.occurred, names[cause], named)))
        return out

    def period(self, row: int) -> Period:
        """The fold's period behind tenure ``row`` (a version's, after the tenures): its claims, decoded."""
        version = row >= self._n_tenures
        if version:
            row -= self._n_tenures
            v = self.versions
            off = v["vclaims_off"]
            claims = self._claims(v["vclaims"][int(off[row]) : int(off[row + 1])], version)
            line = v["versions"][row]
        else:
            claims, line = self._claims(self.view.claims(row)), self.view.row(row)
        post_seq, person = (int(x) for x in line[: T.PERSON + 1])
        return Period(
            self.entity_id(person),
            self.post_id(post_seq),
            tuple(c for f, c in claims if not f & END),
            tuple(c for f, c in claims if f & END),
        )

    def tenure(self, row: int) -> Tenure:
        """Tenure ``row``, reconciled exactly as the object engine reconciles it."""
        found = self._tenure_cache.get(row)
        if found is None:
            found = self._tenure_cache[row] = reconcile(self.period(row), self.policy)
        return found

    # When the columns answer ------------------------------------------------------------

    def _answers(
        self, known_at: DateLike | None, policy: Policy | str | None, *, earlier: bool = False
    ) -> bool:
        """True when the arrays hold the answer: this policy, and everything known on ``known_at``.

        With ``earlier``, any knowledge date will do (from the bitemporal index).
        """
        if policy is not None and Policy.parse(policy) != self.policy:
            return False
        if not self._fast:
            return False
        day = as_day(known_at)
        if day is None or day >= self._latest_known:
            return True
        return (
            earlier
            and not self._identified
            and (self._versions is not None or self._versions_loader is not None)
        )

    def _known(self, known_at: DateLike | None) -> int | None:
        """A knowledge date as a day number, None when everything in the log was known by then."""
        day = as_day(known_at)
        return None if day is None or day >= self._latest_known else int(day)

    @property
    def versions(self) -> Tables:
        """The bitemporal index (`chronos.columnar._versions`), loaded or built on first use."""
        if self._versions is None:
            assert self._versions_loader is not None
            self._versions = self._versions_loader()
            self._vcauses = list(self._versions.meta["causes"])
        return self._versions

    # Holders, rows and seats of one organisation ------------------------------------------------

    def _held(self, org: int, lo: int, hi: int, day: int | None) -> tuple[int, int, Held]:
        """The posts ``[first, stop)`` of ``org`` and who holds them on ``[lo, hi]`` as known on ``day``."""
        first, stop = self._org_span[org].tolist()
        if first == stop:
            return first, stop, {}
        if day is None:
            return first, stop, holders(*self.view.holding(first, stop, lo, hi), lo, hi)
        return first, stop, known_holders(self.versions, self._n_tenures, first, stop, lo, hi, day)

    def rows_of(self, org: int, lo: int, hi: int, rules: Rules, day: int | None = None) -> Rows:
        """The roster of organisation ``org`` on ``[lo, hi]`` as `Rows`."""
        first, stop, held = self._held(org, lo, hi, day)
        return rows(self, first, stop, held, lo, hi, rules)

    def seats_of(self, org: int, lo: int, hi: int, day: int | None = None) -> tuple[Seat, ...]:
        """The roster of organisation ``org`` on ``[lo, hi]`` as known on ``day``, as `Seat` objects."""
        first, stop, held = self._held(org, lo, hi, day)
        return tuple(seats(self, first, stop, held, lo, hi, self.rules.at(day)))

    # Questions --------------------------------------------------------------------------

    def roster_rows(self, org: str, *, at: DateLike, known_at: DateLike | None = None) -> Rows:
        """One organisation's roster as `Rows` (post in roster order, person or -1, certain, row, state).

        With ``known_at`` before the last knowledge date, from the bitemporal
        index (tenure rows of versions are numbered after the others).
        """
        if not self._answers(known_at, None, earlier=True):
            seats = self.chronology.roster(org, at=at, known_at=known_at)
            seq_of = {int(n): i for i, n in enumerate(self._post_seq.tolist())}
            return rows_of_seats(seats, seq_of, self.number)
        number = self.number(org, "organisation")
        low, high = span(as_when(at))
        day = self._known(known_at)
        return self.rows_of(number, int(low), int(high), self.rules.at(day), day)

    def roster(
        self,
        org: str,
        *,
        at: DateLike,
        known_at: DateLike | None = None,
        policy: Policy | str | None = None,
    ) -> Roster:
        """As `Chronology.roster` (of an organisation; a post asked directly goes to `Chronology`)."""
        if not self._answers(known_at, policy, earlier=True):
            return self.chronology.roster(org, at=at, known_at=known_at, policy=policy)
        try:
            number = self.number(org, "organisation")
        except LookupFailed:  # a post, or no such organisation: as `Chronology` answers or refuses
            return self.chronology.roster(org, at=at, known_at=known_at, policy=policy)
        low, high = span(as_when(at))
        found = self.seats_of(number, int(low), int(high), self._known(known_at))
        return Roster(found, org=self.entity_id(number), at=at, known_at=known_at, catalogue=self.catalogue)

    def roster_table(self, orgs: Iterable[str] | None = None, *, at: DateLike) -> RosterTable:
        """Many organisations' rosters as one `RosterTable` (every top-level one unless ``orgs`` is given)."""
        if orgs is None:
            names, numbers = self._top()
        else:
            numbers = np.array([self.number(o, "organisation") for o in orgs], np.int64)
            names = tuple(self.entity_id(int(n)) for n in numbers)
        low, high = span(as_when(at))
        return table(self, names, numbers, int(low), int(high), self.rules.at(None))

    def _top(self) -> tuple[tuple[str, ...], Array]:
        """The top-level organisations' ids and numbers (looked up once)."""
        if self._top_orgs is None:
            numbers = np.asarray(self.tables["org_top"], np.int64)
            self._top_orgs = (tuple(self.entity_id(int(n)) for n in numbers.tolist()), numbers)
        return self._top_orgs

    def rosters(
        self,
        orgs: Iterable[str] | None = None,
        *,
        at: DateLike,
        known_at: DateLike | None = None,
        policy: Policy | str | None = None,
    ) -> dict[str, Roster]:
        """As `Chronology.rosters`."""
        if not self._answers(known_at, policy, earlier=True):
            return self.chronology.rosters(orgs, at=at, known_at=known_at, policy=policy)
        if orgs is None:
            wanted = [int(n) for n in self.tables["org_top"]]
        else:
            wanted = [self.number(o, "organisation") for o in orgs]
        low, high = span(as_when(at))
        day = self._known(known_at)
        return {
            self.entity_id(n): Roster(
                self.seats_of(n, int(low), int(high), day),
                org=self.entity_id(n),
                at=at,
                known_at=known_at,
                catalogue=self.catalogue,
            )
            for n in wanted
        }

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
        when_a, when_b = as_when(a), as_when(b)
        check_order(when_a, when_b, names=("the first date", "the second date"))
        number = self.number(org, "organisation")
        first, stop = (int(x) for x in self._org_span[number])
        return changes(
            self.entity_id(number),
            when_a,
            when_b,
            self._holding(number, when_a),
            self._holding(number, when_b),
            self._periods_of,
            [self.post_id(k) for k in range(first, stop)],
            catalogue=self.catalogue,
        )

    def _holding(self, org: int, at: When) -> dict[str, list[Seat]]:
        """The holders of ``org``'s posts on ``at`` by post id, as `holders_on` gives them."""
        low, high = span(at)
        return {
            post: list(found) for post, found in _by_post(self.seats_of(org, int(low), int(high))).items()
        }

    def _person_rows(self, number: int) -> list[int]:
        return self.view.person_rows(number)

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
        spells: list[Custody] = []
        for spell in self.view.spells(number):
            claims = self._claims(spell)
            spells.append(
                Custody(
                    self.entity_id(number),
                    tuple(c for f, c in claims if not f & (END | CHARGE)),
                    tuple(c for f, c in claims if f & END),
                    tuple(c for f, c in claims if f & CHARGE),
                )
            )
        deaths = self._claims(self.view.deaths(number))
        return history_of(
            self.entity_id(number),
            (self.tenure(row) for row in self._person_rows(number)),
            spells,
            tuple(c for _f, c in deaths),
            self.policy,
            catalogue=self.catalogue,
        )

    def tenures(
        self, *, known_at: DateLike | None = None, policy: Policy | str | None = None
    ) -> tuple[Tenure, ...]:
        """As `Chronology.tenures`."""
        if not self._answers(known_at, policy):
            return self.chronology.tenures(known_at=known_at, policy=policy)
        return tuple(self.tenure(row) for row in self.view.state_order().tolist())

    def lookup(self, name: str, *, kind: str | tuple[str, ...] | None = None) -> Entity:
        """As `Chronology.lookup` (which reads the log only for a name the catalogue lacks: a renamed one)."""
        try:
            return self.catalogue.lookup(name, kind=kind)
        except AmbiguousName:
            raise
        except LookupFailed:
            return self.chronology.lookup(name, kind=kind)

    def __getattr__(self, name: str) -> Any:
        # Every other question (names, snapshots, events, disputes...) is the object engine's.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.chronology, name)


def _by_post(found: Iterable[Seat]) -> dict[str, list[Seat]]:
    """The held seats of a roster, by post id, in roster order."""
    out: dict[str, list[Seat]] = {}
    for seat in found:
        if seat.person is not None:
            out.setdefault(seat.post.id, []).append(seat)
    return out
