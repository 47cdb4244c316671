"""Properties of the projections: order independence, the prefix law, a reference fold, diffs, knowledge."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chronos import Chronology, Event, Policy
from chronos.dates import Day
from chronos.projections import Seat, project, roster
from tests import reference
from tests.strategies import EPOCH, History, histories, small_catalogue


def days_of(history: History, count: int = 12) -> list[dt.date]:
    """Query days spread over the history, and every day something happened."""
    spread = [EPOCH + dt.timedelta(days=round(i * history.horizon / count)) for i in range(count + 1)]
    exact = sorted({EPOCH + dt.timedelta(days=n) for n in history.truth.values()})
    return sorted(set(spread + exact))


def holders(seats: tuple[Seat, ...], certainty: str | None = None) -> set[tuple[str, str]]:
    return {
        (s.post.id, s.person) for s in seats if s.person and (certainty is None or s.certainty == certainty)
    }


def full(seats: tuple[Seat, ...]) -> set[tuple[str, str, str]]:
    return {(s.post.id, s.person, s.certainty) for s in seats if s.person}


def chronology(events: object) -> Chronology:
    return Chronology(events, small_catalogue())  # type: ignore[arg-type]


def horizon_of(events: Iterable[Event], known_at: dt.date | None = None) -> dt.date:
    """The record's horizon: ``known_at`` or the last day any of ``events`` became known, the earlier."""
    latest = max((e.known.latest for e in events), default=dt.date.min)
    return latest if known_at is None else min(known_at, latest)


class TestOrderIndependence:
    """Shuffling the append order changes no answer."""

    @given(histories(disputes=True, fuzzy=True), st.randoms(use_true_random=False))
    def test_rosters_diffs_histories(self, history: History, rnd: random.Random) -> None:
        shuffled = list(history.events)
        rnd.shuffle(shuffled)
        a, b = chronology(history.events), chronology(shuffled)
        known = [None, EPOCH + dt.timedelta(days=history.horizon // 2)]
        for known_at in known:
            for day in days_of(history, 6):
                assert a.roster("org", at=day, known_at=known_at) == b.roster(
                    "org", at=day, known_at=known_at
                )
            first, last = EPOCH, EPOCH + dt.timedelta(days=history.horizon)
            assert a.diff("org", first, last, known_at=known_at) == b.diff(
                "org", first, last, known_at=known_at
            )
            for person in ("ann-abel", "ben-berg", "cem-cay"):
                assert a.history(person, known_at=known_at) == b.history(person, known_at=known_at)


class TestReference:
    """Exact-day histories: the projection agrees with the naive replay."""

    @given(histories())
    def test_everything_known(self, history: History) -> None:
        ours = chronology(history.events)
        horizon = horizon_of(history.events)
        for day in days_of(history):
            seats = ours.roster("org", at=day)
            assert holders(seats) == reference.holders(history.events, at=day)
            held = [s for s in seats if s.state == "held"]
            if day <= horizon:
                assert all(s.certainty == "certain" and s.reasons == ("dated",) for s in held)
            else:
                # Past the last knowledge date the record says nothing: a forecast, never certain.
                assert all(s.certainty == "possible" and s.reasons == ("after-record",) for s in held)
            # Nothing says a seat was empty: the seats nobody holds are unknown, never vacant.
            assert all(s.state == "unknown" and s.certainty == "possible" for s in seats if s.person is None)

    @given(histories(), st.integers(0, 400))
    def test_as_known_on_a_date(self, history: History, offset: int) -> None:
        known_at = EPOCH + dt.timedelta(days=offset)
        ours = chronology(history.events)
        for day in days_of(history):
            seats = ours.roster("org", at=day, known_at=known_at)
            expected = reference.holders(history.events, at=day, known_at=known_at)
            # What is known on K may be incomplete: an appointment not yet public
            # leaves a later dismissal with an open start, and an end not yet
            # public makes a re-appointment read as a second claim of the first
            # appointment. Both only ever turn a certain answer into a possible one.
            assert holders(seats, "certain") <= expected <= holders(seats)
            for seat in seats:
                if seat.certainty == "possible" and seat.person is not None:
                    assert seat.tenure is not None
                    late = day > horizon_of(history.events, known_at)
                    assert seat.tenure.open_start or seat.tenure.disputed or late
                    assert {"open-start", "disputed", "after-record"} & set(seat.reasons)


class TestPrefixLaw:
    """The roster at D equals the fold of exactly the events valid at D (and known at K)."""

    @given(histories(), st.integers(0, 400) | st.none())
    def test_prefix(self, history: History, offset: int | None) -> None:
        known_at = None if offset is None else EPOCH + dt.timedelta(days=offset)
        everything = chronology(history.events)
        for day in days_of(history):
            prefix = [e for e in history.events if e.occurred.earliest <= day or e.type == "Retracted"]
            ours = everything.roster("org", at=day, known_at=known_at)
            folded = chronology(prefix).roster("org", at=day, known_at=known_at)
            # The prefix's record may end earlier (its last knowledge date): past it, nothing is certain.
            covered = day <= horizon_of(prefix, known_at)
            if known_at is None:
                # Every start known: no open starts, no merged claims, so nothing later can matter.
                if covered:
                    assert full(ours) == full(folded)
                assert holders(ours) == holders(folded)
            else:
                # Later claims can only cast doubt on (never create) a certain answer at D:
                # a later dismissal with no known start, or a later appointment read as a
                # second claim of an earlier one.
                if covered:
                    assert holders(ours, "certain") <= holders(folded, "certain")
                assert holders(folded) <= holders(ours)


class TestDisputes:
    """Two claims for one end: each policy answers like the reference replaying the claims it picks."""

    @given(histories(disputes=True, retractions=False))
    def test_policies(self, history: History) -> None:
        ours = chronology(history.events)
        seconds = set(history.disputes)
        firsts = set(history.disputes.values())
        by_first = [e for e in history.events if e.id not in seconds]
        by_second = [e for e in history.events if e.id not in firsts]
        horizon = horizon_of(history.events)
        for day in days_of(history):
            early = reference.holders(by_first, at=day)
            late = reference.holders(by_second, at=day)
            assert holders(ours.roster("org", at=day, policy="earliest")) == early
            assert holders(ours.roster("org", at=day, policy="latest")) == late
            cautious = ours.roster("org", at=day)
            assert holders(cautious, "certain") == (early & late if day <= horizon else set())
            assert holders(cautious) == early | late
            if history.disputes:  # else no event cites alt.txt, and preferring it is refused
                assert holders(ours.roster("org", at=day, policy="prefer:alt")) == late

    def test_disputed_answer_names_both_claims(self) -> None:
        from chronos import Appointed, Dismissed, Source

        a = Source(source="001.txt", quote="on Jan. 5")
        b = Source(source="004.txt", quote="January 6")
        events = [
            Appointed(person="ann-abel", post="org/chair", occurred="2016", known="2022-01-08", sources=[a]),
            Dismissed(
                person="ann-abel", post="org/chair", occurred="2022-01-05", known="2022-01-08", sources=[a]
            ),
            Dismissed(
                person="ann-abel", post="org/chair", occurred="2022-01-06", known="2022-02-16", sources=[b]
            ),
        ]
        ours = chronology(events)
        (seat, *_) = ours.roster("org", at="2022-01-05")
        assert (seat.person, seat.certainty) == ("ann-abel", "possible")
        assert seat.tenure is not None
        assert str(seat.tenure.end.date) == "[2022-01-05,2022-01-06]"
        assert {s.source for s in seat.sources} == {"001.txt", "004.txt"}
        assert ours.roster("org", at="2022-01-04")[0].certainty == "certain"
        assert ours.roster("org", at="2022-01-06")[0].person is None
        # Known on 2022-01-10, only the first claim existed: no dispute yet.
        assert ours.roster("org", at="2022-01-05", known_at="2022-01-10")[0].person is None
        assert ours.roster("org", at="2022-01-05", policy="prefer:004")[0].certainty == "certain"


class TestImpreciseKnowledge:
    """An event that may, but need not, have been public on K makes what it changes possible."""

    def test_report_of_uncertain_date(self) -> None:
        from chronos import Appointed, Dismissed, Source

        s = [Source(source="s", quote="q")]
        events = [
            Appointed(
                person="ann-abel", post="org/chair", occurred="2020-01-01", known="2020-01-01", sources=s
            ),
            Dismissed(
                person="ann-abel",
                post="org/chair",
                occurred="2020-03-01",
                known="2020-03-01/2020-03-10",
                sources=s,
            ),
        ]
        ours = chronology(events)
        assert ours.roster("org", at="2020-02-28", known_at="2020-02-28")[0].certainty == "certain"
        # As known on 2020-02-28 the record ends that day: 2020-03-05 is a forecast.
        assert str(ours.horizon("2020-02-28")) == "2020-02-28"
        after = ours.roster("org", at="2020-03-05", known_at="2020-02-28")[0]
        assert (after.certainty, after.reasons) == ("possible", ("after-record",))
        # A report that may already be public on 2020-03-05 would end the tenure.
        pending = ours.roster("org", at="2020-03-05", known_at="2020-03-05")[0]
        assert (pending.certainty, pending.reasons) == ("possible", ("pending-report",))
        assert ours.roster("org", at="2020-03-05", known_at="2020-03-10")[0].person is None
        assert [e.type for e in ours.pending("ann-abel", known_at="2020-03-05")] == ["Dismissed"]
        assert ours.pending("ann-abel", known_at="2020-03-10") == ()


class TestOneSeatPerPerson:
    """A person with two tenures of one post that may overlap holds one seat: the surer one."""

    def test_certain_second_tenure_beats_possible_first(self) -> None:
        from chronos import Appointed, Dismissed, Source

        s = [Source(source="s", quote="q")]
        events = [
            Appointed(
                person="ann-abel", post="org/chair", occurred="2019-01-01", known="2019-01-01", sources=s
            ),
            # Dismissed some day in 2020, and appointed again on 1 March: on 1 June the
            # first tenure may still run, the second certainly does.
            Dismissed(person="ann-abel", post="org/chair", occurred="2020", known="2020-12-31", sources=s),
            Appointed(
                person="ann-abel", post="org/chair", occurred="2020-03-01", known="2020-03-01", sources=s
            ),
        ]
        ours = chronology(events)
        for seats in (ours.roster("org", at="2020-06-01"), ours.rosters(at="2020-06-01")["org"]):
            held = [seat for seat in seats if seat.person == "ann-abel"]
            assert [(seat.certainty, str(seat.since)) for seat in held] == [("certain", "2020-03-01")]


class TestNames:
    """Names follow their renames, with certainty."""

    def test_rename(self) -> None:
        from chronos import Renamed, Source

        s = [Source(source="s", quote="q")]
        events = [
            Renamed(
                entity="town",
                name="Newtown",
                former="Oldtown",
                occurred="2019-03-19/2019",
                known="2022-01-08",
                sources=s,
            )
        ]
        ours = chronology(events)
        assert (ours.name("Oldtown", at="2018").name, ours.name("town", at="2018").certainty) == (
            "Oldtown",
            "certain",
        )
        assert ours.name("town", at="2019-06-01").certainty == "possible"
        assert ours.name("town", at="2019-06-01").alternatives == ("Newtown",)
        assert ours.name("town", at="2020").name == "Newtown"
        # Before the rename was public, the catalogue's name is all there is, and only possibly right.
        assert ours.name("town", at="2018", known_at="2022-01-07").certainty == "possible"


class TestImpreciseDates:
    """Fuzzy dates: certain answers are true for the real day, possible ones cover it."""

    @given(histories(fuzzy=True, retractions=False))
    def test_soundness(self, history: History) -> None:
        exact = [_at_truth(e, history) for e in history.events]
        ours = chronology(history.events)
        for day in days_of(history):
            truth = reference.holders(exact, at=day)
            seats = ours.roster("org", at=day)
            assert holders(seats, "certain") <= truth <= holders(seats)

    def test_year_precision(self) -> None:
        from chronos import Appointed, Source

        events = [
            Appointed(
                person="ann-abel",
                post="org/chair",
                occurred="2016",
                known="2022",
                sources=[Source(source="s", quote="since 2016")],
            )
        ]
        ours = chronology(events)
        assert ours.roster("org", at="2015-12-31")[0].person is None
        assert ours.roster("org", at="2016-06-01")[0].certainty == "possible"
        assert ours.roster("org", at="2017-01-01")[0].certainty == "certain"
        assert ours.roster("org", at="2016")[0].certainty == "possible"
        assert ours.roster("org", at="2017")[0].certainty == "certain"
        assert str(ours.roster("org", at="2017")[0].since) == "2016"


def _at_truth(event: object, history: History) -> Event:
    import attrs

    assert isinstance(event, Event)
    if event.id not in history.truth:
        return event
    day = EPOCH + dt.timedelta(days=history.truth[event.id])
    return attrs.evolve(event, occurred=day)


class TestDiff:
    """diff(a, b) applied to roster(a) gives roster(b)."""

    @given(histories(disputes=True, fuzzy=True), st.data())
    def test_apply(self, history: History, data: st.DataObject) -> None:
        ours = chronology(history.events)
        days = days_of(history, 8)
        a, b = sorted([data.draw(st.sampled_from(days)), data.draw(st.sampled_from(days))])
        change = ours.diff("org", a, b)
        assert change.apply(ours.roster("org", at=a)) == full(ours.roster("org", at=b))

    def test_explains_with_events(self) -> None:
        from chronos import Appointed, Moved, Source

        s = [Source(source="s", quote="q")]
        events = [
            Appointed(
                person="ann-abel", post="org/deputy", occurred="2020-01-01", known="2020-01-01", sources=s
            ),
            Appointed(
                person="ben-berg", post="org/chair", occurred="2020-01-01", known="2020-01-01", sources=s
            ),
            Moved(
                person="ann-abel",
                from_post="org/deputy",
                to_post="org/unit/head",
                occurred="2020-02-01",
                known="2020-02-01",
                sources=s,
            ),
            Appointed(
                person="cem-cay", post="org/deputy", occurred="2020-03-01", known="2020-03-01", sources=s
            ),
        ]
        change = chronology(events).diff("ORG", "2020-01-15", "2020-03-15")
        assert [(c.person, c.kind) for c in change.moved] == [("ann-abel", "moved")]
        assert [c.person for c in change.joined] == ["cem-cay"]
        assert change.left == ()
        assert [e.type for e in change.moved[0].events] == ["Moved"]


class TestKnowledge:
    """Adding events known after K never changes an answer as known on K."""

    @given(histories(disputes=True), st.integers(0, 400))
    def test_monotonic(self, history: History, offset: int) -> None:
        known_at = EPOCH + dt.timedelta(days=offset)
        early = [e for e in history.events if e.known.latest <= known_at]
        a, b = chronology(history.events), chronology(early)
        # Only the record's horizon may move: without the later events the log's knowledge ends
        # earlier, and what lies between is a forecast in the smaller log (see the next test).
        horizon = horizon_of(early, known_at)
        for day in days_of(history, 6):
            ours = a.roster("org", at=day, known_at=known_at)
            theirs = b.roster("org", at=day, known_at=known_at)
            if day <= horizon:
                assert ours == theirs
            assert holders(ours) == holders(theirs)
        for person in ("ann-abel", "ben-berg"):
            assert a.history(person, known_at=known_at) == b.history(person, known_at=known_at)

    @given(histories(disputes=True, evidence=True), st.integers(0, 400))
    def test_monotonic_with_one_horizon(self, history: History, offset: int) -> None:
        """With the horizon fixed, events known after K change nothing as known on K, vacancies included."""
        known_at = EPOCH + dt.timedelta(days=offset)
        early = [e for e in history.events if e.known.latest <= known_at]
        catalogue = small_catalogue()
        horizon = Day.from_date(known_at)
        a = project(history.events, catalogue, known_at=known_at, horizon=horizon)
        b = project(early, catalogue, known_at=known_at, horizon=horizon)
        for day in days_of(history, 6):
            assert roster(a, catalogue, "org", at=day) == roster(b, catalogue, "org", at=day)


class TestKeptStates:
    """`Chronology.state` keeps everything known and the last few knowledge dates, and answers alike."""

    @given(histories(disputes=True))
    def test_bounded_and_equal(self, history: History) -> None:
        ours = chronology(history.events)
        whole = ours.state()
        days = [EPOCH + dt.timedelta(days=n) for n in range(0, 70, 7)]
        first = {day: ours.state(day) for day in days}
        assert len(ours._states) == Chronology.KEPT_STATES + 1
        assert ours.state() is whole
        assert ours.state(days[-1]) is first[days[-1]]
        for day in days:
            assert ours.state(day) == first[day]


class TestPolicy:
    """Policies parse and print."""

    @pytest.mark.parametrize("text", ["cautious", "earliest", "latest", "prefer:004,001"])
    def test_round_trip(self, text: str) -> None:
        assert str(Policy.parse(text)) == text

    @pytest.mark.parametrize("text", ["newest", "prefer:", "earliest:x"])
    def test_rejects(self, text: str) -> None:
        from chronos import ChronosError

        with pytest.raises(ChronosError, match="policy"):
            Policy.parse(text)


class TestPausedGc:
    """Pausing the collector leaves it as it was, and what was built counts as old."""

    def test_resumes_with_the_built_objects_old(self) -> None:
        import gc

        from chronos._fast.gc import paused_gc

        assert gc.isenabled()
        with paused_gc():
            assert not gc.isenabled()
            built = [[n] for n in range(60_000)]
        assert gc.isenabled()
        old = {id(o) for o in gc.get_objects(generation=2)}
        assert all(id(item) in old for item in built)

    def test_small_builds_never_count_the_frozen_heap(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """After `Chronology.prepare` froze a large heap, counting it would cost each question dearly."""
        import gc

        from chronos._fast.gc import paused_gc

        def walks_the_frozen_heap() -> int:
            raise AssertionError("gc.get_freeze_count walks every frozen object")

        monkeypatch.setattr(gc, "get_freeze_count", walks_the_frozen_heap)
        with paused_gc():
            _ = [[n] for n in range(1000)]
        assert gc.isenabled()

    def test_stays_off_when_it_was_off(self) -> None:
        import gc

        from chronos._fast.gc import paused_gc

        gc.disable()
        try:
            with paused_gc():
                pass
            assert not gc.isenabled()
        finally:
            gc.enable()

    def test_leaves_a_frozen_heap_frozen(self) -> None:
        import gc

        from chronos._fast.gc import paused_gc

        gc.freeze()
        try:
            frozen = gc.get_freeze_count()
            with paused_gc():
                _ = [[n] for n in range(100)]
            assert gc.get_freeze_count() == frozen
        finally:
            gc.unfreeze()


class TestPostsAskedDirectly:
    """A post's roster is its organisation's roster cut to that post; its succession is its tenures."""

    @given(histories(disputes=True, fuzzy=True), st.integers(0, 400), st.integers(0, 400) | st.none())
    def test_roster_of_a_post(self, history: History, offset: int, known: int | None) -> None:
        ours = chronology(history.events)
        at = EPOCH + dt.timedelta(days=offset)
        known_at = None if known is None else EPOCH + dt.timedelta(days=known)
        whole = ours.roster("org", at=at, known_at=known_at)
        for post in ("org/chair", "org/deputy", "org/unit/head"):
            assert ours.roster(post, at=at, known_at=known_at) == tuple(s for s in whole if s.post.id == post)

    @given(histories(disputes=True, fuzzy=True), st.integers(0, 400) | st.none())
    def test_succession_is_every_tenure_of_the_post_in_order(
        self, history: History, known: int | None
    ) -> None:
        ours = chronology(history.events)
        known_at = None if known is None else EPOCH + dt.timedelta(days=known)
        everything = ours.tenures(known_at=known_at)
        for post in ("org/chair", "org/deputy", "org/unit/head"):
            tenures = ours.succession(post, known_at=known_at).tenures
            assert sorted(tenures, key=repr) == sorted((t for t in everything if t.post == post), key=repr)
            starts = [(t.start.earliest, t.start.latest) for t in tenures]
            assert starts == sorted(starts)

    def test_a_post_is_found_by_name(self) -> None:
        ours = chronology([])
        assert [s.post.id for s in ours.roster("Head of the Unit", at="2020")] == ["org/unit/head"]
        with pytest.raises(LookupError, match=r"unknown organisation or post 'Zzyzx Bureau'"):
            ours.roster("Zzyzx Bureau", at="2020")


class TestRenamedNames:
    """A name given or taken away by a rename finds the entity; titles use the name of the date."""

    @staticmethod
    def renamed(entity: str, name: str, former: str | None, occurred: str) -> Event:
        from chronos import Renamed, Source

        return Renamed(
            entity=entity,
            name=name,
            former=former,
            occurred=occurred,
            known="2022-01-08",
            sources=[Source(source="s", quote="q")],
        )

    def test_the_new_name_is_a_lookup_key(self) -> None:
        ours = chronology([self.renamed("org", "Central Bureau", "The Organisation", "2019-03-19")])
        assert ours.lookup("Central Bureau").id == "org"
        assert ours.lookup("bureau central", kind="organisation").id == "org"
        assert ours.roster("Central Bureau", at="2020") == ours.roster("org", at="2020")
        with pytest.raises(LookupError, match="unknown person 'Central Bureau'"):
            ours.lookup("Central Bureau", kind="person")

    def test_a_name_two_entities_took_is_ambiguous(self) -> None:
        from chronos import AmbiguousName

        ours = chronology(
            [
                self.renamed("org", "Bureau", None, "2019"),
                self.renamed("org/unit", "Bureau", None, "2020"),
            ]
        )
        listed = r"'Bureau' could be any of: org \(The Organisation\), org/unit \(The Unit\)"
        with pytest.raises(AmbiguousName, match=listed):
            ours.lookup("Bureau")

    def test_titles_use_the_name_in_force(self) -> None:
        ours = chronology([self.renamed("org", "Central Bureau", "The Organisation", "2019-03-19/2019")])
        assert ours.called("org", at="2018") == "The Organisation"
        assert ours.called("org", at="2019-06") == "The Organisation (or Central Bureau)"
        assert ours.called("org", at="2020") == "Central Bureau"
        assert ours.called("org") == "Central Bureau"
        # Before the rename was public the catalogue's name is all a title can give.
        assert ours.called("org", at="2020", known_at="2022-01-01") == "The Organisation"
        assert ours.called_between("org", "2018", "2021") == "The Organisation → Central Bureau"
        assert ours.called_between("org", "2020", "2021") == "Central Bureau"
