"""Every Hypothesis strategy of the test suite (attrs' rule: a new event type is added here)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import attrs
from hypothesis import assume
from hypothesis import strategies as st

from chronos import (
    Appointed,
    Arrested,
    Born,
    Catalogue,
    Charged,
    Corrected,
    DateError,
    Day,
    DeclaredComplete,
    Died,
    Dismissed,
    Dissolved,
    End,
    Event,
    Founded,
    FuzzyDate,
    Identified,
    Left,
    Moved,
    Organisation,
    PartialDate,
    Person,
    Place,
    Post,
    Publication,
    Released,
    Renamed,
    Resigned,
    Retracted,
    RosterEntry,
    RosterReported,
    Source,
    Span,
)

# A small world the generated events refer to. --------------------------------------------

PERSONS = ("ann-abel", "ben-berg", "cem-cay", "dia-dorn", "eva-ek")
POSTS = {"org/chair": 1, "org/deputy": 2, "org/unit/head": 1}


def small_catalogue() -> Catalogue:
    """Five persons, an organisation with a unit, posts of one and two seats, a place."""
    return Catalogue(
        [
            Organisation(id="org", name="The Organisation", aliases=["ORG", "Org Committee"]),
            Organisation(id="org/unit", name="The Unit", parent="org"),
            Post(id="org/chair", name="Chair", org="org", seats=1),
            Post(id="org/deputy", name="Deputy", org="org", seats=2),
            Post(id="org/unit/head", name="Head of the Unit", org="org/unit", seats=1),
            *(Person(id=p, name=p.replace("-", " ").title()) for p in PERSONS),
            Place(id="town", name="Newtown", aliases=["Oldtown"]),
        ]
    )


# Dates ------------------------------------------------------------------------------------

days = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))
MAX_YEAR = Day.max.year - 1
#: Years the event strategies use: every bound fits `datetime.date`.
modern_years = st.integers(1900, 2100)
#: Years of every kind: BCE, year 0, and beyond four digits (written Y12345).
any_years = st.integers(-9999, 9999) | st.integers(-1200, 2200) | st.integers(-MAX_YEAR, MAX_YEAR)
#: Day numbers across every year a date can name, and around year 0 and the datetime range.
day_numbers = st.builds(
    Day,
    st.integers(Day.min + 1, Day.max - 1)
    | st.integers(Day.of(-500).__index__(), Day.of(500).__index__())
    | st.integers(Day.of(9990).__index__(), Day.of(10010).__index__()),
)
_MARK = st.sampled_from(["", "", "", "", "?", "~", "%"])
_SEASONS = st.integers(21, 41)


def _with_x(draw: st.DrawFn, digits: str, chance: st.SearchStrategy[bool]) -> str:
    """Some of ``digits`` replaced by X: trailing ones mostly (a decade, a century), any now and then."""
    if draw(st.booleans()):
        count = draw(st.integers(0, len(digits)))
        return digits[: len(digits) - count] + "X" * count
    return "".join("X" if draw(chance) else c for c in digits)


@st.composite
def partial_dates(
    draw: st.DrawFn,
    years: st.SearchStrategy[int] = modern_years,
    *,
    edtf: bool = True,
    time: bool = False,
    fits: bool = True,
) -> PartialDate:
    """One date: a day, month or year; with ``edtf``, also seasons, X digits and qualifier marks.

    ``time`` allows a time of day (only single dates may have one); ``fits`` keeps to dates whose
    days all fall in the years 1-9999 a `datetime.date` can hold.
    """
    part = draw(_partial_dates(years, edtf=edtf, time=time))
    if fits:
        assume(part.first.year >= 1 and part.last.year <= 9999)
    return part


@st.composite
def _partial_dates(draw: st.DrawFn, years: st.SearchStrategy[int], *, edtf: bool, time: bool) -> PartialDate:
    year = draw(years)
    if abs(year) > 9999:
        return PartialDate(year)
    kinds = ["day", "month", "year"] + (["season", "x"] * 2 if edtf else [])
    kind = draw(st.sampled_from(kinds))
    day = draw(st.dates(dt.date(2000, 1, 1), dt.date(2000, 12, 31)))  # 2000: a leap year, every day
    month, number = day.month, day.day
    if number > 28:
        number = draw(st.integers(1, 28))
    if kind == "year":
        return PartialDate(year, marks=_marks(draw, 1) if edtf else ())
    if kind == "month":
        return PartialDate(year, month, marks=_marks(draw, 2) if edtf else ())
    if kind == "season":
        return PartialDate(year, draw(_SEASONS), marks=_marks(draw, 2))
    if kind == "x":
        return _unspecified(draw, year, month, number)
    clock = ""
    if time and draw(st.booleans()):
        hour, minute, second = draw(st.tuples(st.integers(0, 23), st.integers(0, 59), st.integers(0, 59)))
        zone = draw(st.sampled_from(["", "Z", "+04", "-05:30", "+14:00"]))
        clock = f"T{hour:02d}:{minute:02d}:{second:02d}{zone}"
    marks = _marks(draw, 3) if edtf and not clock else ()
    return PartialDate(year, month, number, marks=marks, time=clock)


def _marks(draw: st.DrawFn, components: int) -> tuple[str, ...]:
    if draw(st.integers(0, 3)) != 0:
        return ()
    return tuple(draw(_MARK) if i < 2 * components else "" for i in range(6))


def _unspecified(draw: st.DrawFn, year: int, month: int, day: int) -> PartialDate:
    size = draw(st.integers(1, 3))
    chance = st.integers(0, 4).map(lambda n: n == 0)
    pieces = [_with_x(draw, f"{abs(year):04d}", chance), f"{month:02d}", f"{day:02d}"][:size]
    if size > 1 and draw(st.booleans()):
        pieces[1:] = [_with_x(draw, p, chance) for p in pieces[1:]]
    written = ("-" if year < 0 else "") + "-".join(pieces)
    if "X" not in written:
        written = ("-" if year < 0 else "") + "X" + written.lstrip("-")[1:]
    try:
        part = PartialDate.parse(written)
    except DateError:  # X1-02-29, 2X month: no date has those digits
        assume(False)
        raise
    return attrs.evolve(part, marks=_marks(draw, size))


@st.composite
def fuzzy_dates(
    draw: st.DrawFn,
    years: st.SearchStrategy[int] = modern_years,
    *,
    edtf: bool = True,
    fits: bool = True,
    forms: tuple[str, ...] = (),
) -> FuzzyDate:
    """Every form: single (with a time now and then), interval (open or unknown ends), set (one of, all of).

    ``edtf`` adds level 1 and 2 forms (seasons, X digits, marks, runs and all-of sets) to the plain
    days, months, years and qualifiers; ``fits`` keeps every bound in `datetime.date`'s years;
    ``forms`` chooses among some forms only.
    """
    form = draw(st.sampled_from(forms or ["single", "interval", "set"] + (["all"] if edtf else [])))
    qualifier = draw(st.sampled_from(["", "", "?", "~", "%"]))
    parts = partial_dates(years, edtf=edtf, fits=fits)
    if form == "single":
        part = draw(partial_dates(years, edtf=edtf, time=edtf, fits=fits))
        return FuzzyDate(part, part, "single", (), "" if part.time or _last_mark(part) else qualifier)
    if form in ("set", "all"):
        members: list[Any] = draw(st.lists(parts, min_size=1, max_size=4, unique=True))
        if edtf and draw(st.booleans()):
            members = _runs(draw, members)
        if len(members) == 1 and isinstance(members[0], PartialDate):
            members.append(draw(parts.filter(lambda p: p != members[0])))
        lower, upper = _extremes(members)
        return FuzzyDate(lower, upper, "set" if form == "set" else "all", tuple(members), qualifier)
    a, b = sorted([draw(parts), draw(parts)], key=lambda p: (p.first, p.last))
    if a.first > b.last:
        a, b = b, a
    ends: list[Any] = [End.OPEN, End.UNKNOWN]
    lower = draw(st.sampled_from([a, a, *ends]))
    upper = draw(st.sampled_from([b, b, *ends]) if not isinstance(lower, End) else st.just(b))
    if isinstance(lower, PartialDate) and isinstance(upper, PartialDate) and lower.first > upper.last:
        lower, upper = upper, lower
    return FuzzyDate(lower, upper, "interval", (), "" if _last_mark(upper) else qualifier)


def _last_mark(part: PartialDate | End) -> str:
    """The qualifier written after a date's last component (with another after it, the text has two)."""
    if isinstance(part, End) or not part.marks:
        return ""
    return part.marks[1 + 2 * ((part.month is not None) + (part.day is not None))]


def _runs(draw: st.DrawFn, members: list[Any]) -> list[Any]:
    """Join some neighbouring members into runs (``a..b``); open the first or last one now and then."""
    members = sorted(members, key=lambda p: (p.first, p.last))
    out: list[Any] = []
    index = 0
    while index < len(members):
        if (
            index + 1 < len(members)
            and draw(st.booleans())
            and members[index].first <= members[index + 1].last
        ):
            out.append(Span(members[index], members[index + 1]))
            index += 2
        else:
            out.append(members[index])
            index += 1
    if draw(st.booleans()):
        head = out[0]
        out[0] = Span(None, head if isinstance(head, PartialDate) else head.upper)
    if draw(st.booleans()) and (len(out) > 1 or isinstance(out[0], PartialDate)):
        tail = out[-1]
        out[-1] = Span(tail if isinstance(tail, PartialDate) else tail.lower, None)
    return out


def _extremes(members: list[Any]) -> tuple[Any, Any]:
    """A set's bounds, the plain way: the member whose first day is lowest, and whose last is highest.

    Ties go as the parser breaks them (the narrower member below, the wider above), so that a date
    built here is the one its own text reads back as: what an event holds must read back equal.
    """
    low = min(members, key=lambda m: (m.first, m.last))
    high = max(members, key=lambda m: (m.last, m.first))
    lower = low if isinstance(low, PartialDate) else (low.lower or End.OPEN)
    upper = high if isinstance(high, PartialDate) else (high.upper or End.OPEN)
    return lower, upper


# Events -------------------------------------------------------------------------------------

texts = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=30).filter(
    lambda s: s.strip()
)
sources = st.builds(
    Source,
    source=st.sampled_from(["000_a.txt", "004_b.txt", "report.pdf"]),
    quote=texts,
    locator=st.none() | st.just("line 3"),
)
persons = st.sampled_from(PERSONS)
posts = st.sampled_from(sorted(POSTS))

# The sources registry ---------------------------------------------------------------------------

_one_line = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=30
).filter(lambda s: s.strip())
publications = st.builds(
    Publication,
    id=_one_line.map(str.strip).filter(bool),
    title=_one_line,
    date=st.deferred(lambda: fuzzy_dates()),
    publisher=st.none() | _one_line,
    url=st.none() | st.just("https://example.org/a?b=1"),
    language=st.none() | st.sampled_from(["en", "ru", "kk"]),
    archive=st.none() | st.just("texts/a.txt"),
    sha256=st.none() | st.text("0123456789abcdef", min_size=64, max_size=64),
    note=st.none() | texts,
)
ids = st.text("0123456789abcdef", min_size=24, max_size=24)


def _common() -> dict[str, Any]:
    return {
        # Every EDTF form of every year: events only carry dates (the projections have their own
        # strategies), so codecs, decoders and records meet BCE and long years too.
        "occurred": fuzzy_dates(any_years, fits=False),
        "known": fuzzy_dates(any_years, fits=False),
        "sources": st.lists(sources, min_size=1, max_size=3).map(tuple),
        "note": st.none() | texts,
    }


_BUILT: list[type[Event]] = []


def _kind(cls: type[Event], **fields: Any) -> st.SearchStrategy[Event]:
    _BUILT.append(cls)
    return st.builds(cls, **_common(), **fields)


simple_events: st.SearchStrategy[Event] = st.one_of(
    _kind(Appointed, person=persons, post=posts),
    _kind(Dismissed, person=persons, post=posts),
    _kind(Resigned, person=persons, post=posts),
    _kind(Left, person=persons, post=posts),
    _kind(Moved, person=persons, from_post=posts, to_post=posts),
    _kind(Arrested, person=persons, vacates=st.booleans()),
    _kind(Released, person=persons),
    _kind(Charged, person=persons, charge=texts),
    _kind(Born, person=persons),
    _kind(Died, person=persons),
    _kind(Founded, org=st.sampled_from(["org", "org/unit"])),
    _kind(Dissolved, org=st.sampled_from(["org", "org/unit"])),
    _kind(Renamed, entity=st.sampled_from(["town", "org"]), name=texts, former=st.none() | texts),
    _kind(Retracted, target=ids, reason=st.none() | texts),
    _kind(
        RosterReported,
        org=st.just("org"),
        entries=st.lists(
            st.builds(RosterEntry, post=posts, person=st.none() | persons, name=st.none() | texts),
            min_size=1,
            max_size=4,
        ).map(tuple),
    ),
    _kind(DeclaredComplete, org=st.just("org"), until=st.none() | fuzzy_dates()),
    _kind(DeclaredComplete, post=posts, until=st.none() | fuzzy_dates()),
    _kind(Identified, placeholder=persons, person=persons),
)

#: One strategy per event type, including `Corrected` wrapping any other event.
any_events: st.SearchStrategy[Event] = simple_events | _kind(Corrected, target=ids, replacement=simple_events)

#: Every event class a strategy above builds (filled in by `_kind`), to check none is forgotten.
COVERED = tuple(_BUILT)


# Histories: plausible chronologies with a known truth ------------------------------------------------

EPOCH = dt.date(2020, 1, 1)
SRC = (Source(source="gen.txt", quote="generated"),)
ALT = (Source(source="alt.txt", quote="a second source"),)


def day(n: int) -> FuzzyDate:
    """Day ``n`` after the epoch, as a day-precision date."""
    return FuzzyDate.of(EPOCH + dt.timedelta(days=n))


@attrs.frozen
class History:
    """Generated events, and for each the exact day it happened (the truth the claims describe)."""

    events: tuple[Event, ...]
    truth: dict[str, int]  # event id -> day it really happened
    disputes: dict[str, str]  # id of a second claim -> id of the claim it disputes
    horizon: int


@st.composite
def histories(
    draw: st.DrawFn,
    *,
    max_steps: int = 25,
    disputes: bool = False,
    fuzzy: bool = False,
    retractions: bool = True,
    evidence: bool = False,
) -> History:
    """A chronology simulated day by day so that its truth is known.

    Appointments respect seat counts; each event is known some days after it
    happened (sometimes much later). With ``disputes``, some ends get a second
    claim a few days off; with ``fuzzy``, some dates are widened to a range that
    contains the true day; with ``retractions``, some false dismissals are
    recorded and later retracted. With ``evidence``, what bears on seats
    besides their holders is added too (the truth then no longer describes
    every holder): sources' rosters with empty seats, declarations of
    completeness, foundings and dissolutions (often imprecise), scheduled ends
    and identified placeholders.
    """
    holders: dict[str, set[str]] = {p: set() for p in POSTS}
    dead: set[str] = set()
    events: list[Event] = []
    truth: dict[str, int] = {}
    alternatives: dict[str, str] = {}
    today = 0
    steps = draw(st.integers(0, max_steps))

    def widen(n: int) -> FuzzyDate:
        if fuzzy and draw(st.integers(0, 4)) == 0:
            before, after = draw(st.integers(0, 5)), draw(st.integers(0, 5))
            low, high = EPOCH + dt.timedelta(days=n - before), EPOCH + dt.timedelta(days=n + after)
            return FuzzyDate(PartialDate.from_date(low), PartialDate.from_date(high), "interval")
        return day(n)

    def record(make: Callable[..., Event], n: int, **fields: Any) -> Event:
        lag = draw(st.sampled_from([0, 0, 1, 2, 5, 40]))
        event = make(occurred=widen(n), known=day(n + lag), sources=SRC, **fields)
        events.append(event)
        truth[event.id] = n
        return event

    # Fuzzy dates widen by up to 5 days each way; a gap of 11 or more keeps the
    # ranges of successive events apart, so the claims stay unambiguous.
    gap = 11 if fuzzy else 1
    for _ in range(steps):
        today += draw(st.integers(gap, gap + 19))
        living = [p for p in PERSONS if p not in dead]
        holding = [(post, p) for post, ps in holders.items() for p in ps]
        action = draw(st.sampled_from(["appoint", "appoint", "end", "end", "move", "die", "false"]))
        if action == "appoint" and living:
            post = draw(st.sampled_from(sorted(POSTS)))
            free = [p for p in living if p not in holders[post]]
            if len(holders[post]) < POSTS[post] and free:
                person = draw(st.sampled_from(free))
                record(Appointed, today, person=person, post=post)
                holders[post].add(person)
        elif action == "end" and holding:
            post, person = draw(st.sampled_from(sorted(holding)))
            cls = draw(st.sampled_from([Dismissed, Resigned, Left]))
            first = record(cls, today, person=person, post=post)
            holders[post].discard(person)
            if disputes and draw(st.booleans()):
                shift = draw(st.integers(1, 3))
                second = cls(
                    person=person,
                    post=post,
                    occurred=day(today + shift),
                    known=day(today + shift + 3),
                    sources=ALT,
                )
                events.append(second)
                truth[second.id] = today
                alternatives[second.id] = first.id
                today += shift
        elif action == "move" and holding:
            post, person = draw(st.sampled_from(sorted(holding)))
            targets = [
                p
                for p in sorted(POSTS)
                if p != post and len(holders[p]) < POSTS[p] and person not in holders[p]
            ]
            if targets:
                target = draw(st.sampled_from(targets))
                record(Moved, today, person=person, from_post=post, to_post=target)
                holders[post].discard(person)
                holders[target].add(person)
        elif action == "die" and living:
            person = draw(st.sampled_from(living))
            record(Died, today, person=person)
            dead.add(person)
            for ps in holders.values():
                ps.discard(person)
        elif action == "false" and holding and retractions:
            post, person = draw(st.sampled_from(sorted(holding)))
            wrong = Dismissed(
                person=person,
                post=post,
                occurred=day(today),
                known=day(today),
                sources=(Source(source="rumour.txt", quote="sacked"),),
            )
            events.append(wrong)
            retraction = Retracted(
                target=wrong.id, occurred=day(today + 2), known=day(today + 2), sources=SRC, reason="denied"
            )
            events.append(retraction)
    if evidence:
        events.extend(draw(_evidence(today + 60)))
    return History(tuple(events), truth, alternatives, today + 60)


@st.composite
def _evidence(draw: st.DrawFn, horizon: int) -> list[Event]:
    """Events about seats besides their holders, on days up to ``horizon`` (see `histories`)."""
    some_day = st.integers(0, horizon)

    def when(n: int) -> FuzzyDate:
        if draw(st.integers(0, 3)) == 0:
            return FuzzyDate(
                PartialDate.from_date(EPOCH + dt.timedelta(days=n)),
                PartialDate.from_date(EPOCH + dt.timedelta(days=n + draw(st.integers(1, 20)))),
                "interval",
            )
        return day(n)

    def known(n: int) -> FuzzyDate:
        return day(n + draw(st.sampled_from([0, 0, 3, 40])))

    events: list[Event] = []
    for _ in range(draw(st.integers(0, 3))):
        n = draw(some_day)
        empty = draw(st.lists(posts, min_size=1, max_size=3))
        entries = [RosterEntry(post=p) for p in empty]
        events.append(
            RosterReported(org="org", entries=entries, occurred=when(n), known=known(n), sources=ALT)
        )
    for _ in range(draw(st.integers(0, 2))):
        n = draw(some_day)
        subject = draw(st.sampled_from([{"org": "org"}, {"org": "org/unit"}, {"post": "org/deputy"}]))
        until = draw(st.none() | st.integers(n, horizon + 30).map(day))
        events.append(DeclaredComplete(**subject, until=until, occurred=when(n), known=known(n), sources=ALT))
    for cls in (Founded, Dissolved):
        if draw(st.integers(0, 2)) == 0:
            n = draw(st.integers(-30, horizon))
            org = draw(st.sampled_from(["org", "org/unit"]))
            events.append(cls(org=org, occurred=when(n), known=known(max(n, 0)), sources=ALT))
    if draw(st.booleans()):
        # A term scheduled to end: the end is dated after the day it was known.
        n = draw(some_day)
        post = draw(posts)
        person = draw(st.sampled_from(PERSONS))
        events.append(Left(person=person, post=post, occurred=day(n + 30), known=day(n), sources=ALT))
    if draw(st.booleans()):
        events.append(
            Identified(
                placeholder=draw(st.sampled_from(PERSONS)),
                person=draw(st.sampled_from(PERSONS)),
                occurred=day(0),
                known=known(draw(some_day)),
                sources=ALT,
            )
        )
    return events


# JSON, and event dicts as they may be found in a log ------------------------------------------------

#: Text with what JSON escapes and encodes specially: quotes, backslashes, controls, non-ASCII, astral.
json_texts = st.text(
    st.sampled_from(
        ['"', "\\", "/", "\n", "\t", "\x00", "\x1f", "\x7f", "é", "ü", "ø", "€", "ʼ", "\u2028", "😀"]
    )
    | st.characters(codec="utf-8"),
    max_size=12,
)
json_numbers = (
    st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.sampled_from([2**63 - 1, 2**63, 2**64 - 1, 2**64, -(2**63), -(2**63) - 1])
    | st.floats(allow_nan=False, allow_infinity=False)
)
json_values: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | json_numbers | json_texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(json_texts, inner, max_size=4),
    max_leaves=12,
)


#: Values that break a field in the ways the decoder checks: blank text, bad dates, other types.
_odd_values: st.SearchStrategy[object] = st.sampled_from(
    ["", " ", "\t", "2016-13", "1992/1993", "x", None, True, 1, [], [{}], {}]
)


@st.composite
def event_dicts(draw: st.DrawFn) -> dict[str, Any]:
    """An event's codec form, often damaged: a field dropped, added or given another value."""
    from chronos import Codec

    data: dict[str, Any] = Codec().to_dict(draw(any_events))
    damage = draw(st.sampled_from(["none", "drop", "add", "change", "source"]))
    keys = sorted(data)
    if damage == "drop":
        del data[draw(st.sampled_from(keys))]
    elif damage == "add":
        data[draw(st.sampled_from(["persn", "note", "vacates", "former", "reason"]))] = draw(
            _odd_values | json_values
        )
    elif damage == "change":
        data[draw(st.sampled_from(keys))] = draw(_odd_values | json_values)
    elif damage == "source":
        source = dict(data["sources"][0])
        key = draw(st.sampled_from(["source", "quote", "locator", "page"]))
        if draw(st.booleans()) and key in source:
            del source[key]
        else:
            source[key] = draw(_odd_values | json_values)
        data["sources"] = [*data["sources"], source] if draw(st.booleans()) else [source]
    return data


@st.composite
def date_texts(draw: st.DrawFn) -> str:
    """Texts shaped like dates, many of them plain days, months and years, valid or not."""
    year = draw(st.integers(0, 9999) | st.sampled_from([1, 1900, 2000, 2016, 2023, 2024]))
    month = draw(st.integers(0, 13))
    day = draw(st.integers(0, 32))
    text = draw(
        st.sampled_from([f"{year:04d}", f"{year:04d}-{month:02d}", f"{year:04d}-{month:02d}-{day:02d}"])
    )
    if draw(st.booleans()):
        text += draw(st.sampled_from(["?", " ", "/..", "~"]))
    return draw(st.just(text) | st.text(st.sampled_from("0123456789-/?~%.[], ٢١"), max_size=12))


# JSON-like values, for the encoders (tests/test_records.py) ---------------------------------------

#: Characters JSON encoders are most likely to disagree on: quotes, backslashes, every control
#: character, DEL, the line and paragraph separators, a byte-order mark, astral characters and
#: a lone surrogate (which UTF-8 cannot hold).
TRICKY_CHARACTERS = '"\\/' + "".join(map(chr, range(0x20))) + "\x7f\x80\xa0\u2028\u2029\ufeff\U0001f600\ud800"

tricky_texts = st.text(st.characters() | st.sampled_from(TRICKY_CHARACTERS), max_size=12)


class _Tag(str):
    """A str subclass (an encoder may treat it as a plain string, or not)."""


class _Count(int):
    """An int subclass."""


#: Integers around every edge an encoder may have: 32, 53, 63 and 64 bits, and beyond.
edge_integers = st.sampled_from(
    [sign * (2**bits + delta) for bits in (31, 53, 63, 64, 80) for delta in (-1, 0, 1) for sign in (1, -1)]
)

#: Leaves that JSON encoders write alike.
plain_scalars = st.none() | st.booleans() | st.integers() | edge_integers | tricky_texts

#: Leaves written differently by different encoders, or accepted by only some.
odd_scalars = (
    st.floats()
    | st.uuids()
    | st.datetimes()
    | st.builds(_Tag, tricky_texts)
    | st.builds(_Count, st.integers())
    | st.just(dt.date(2020, 1, 1))
)

plain_json = st.recursive(
    plain_scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=4).map(tuple)
        | st.dictionaries(tricky_texts, inner, max_size=4)
    ),
    max_leaves=20,
)

#: Anything an event dict might hold when a user puts odd values into fields: keys of other types too.
any_json = st.recursive(
    plain_scalars | odd_scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=4).map(tuple)
        | st.dictionaries(
            tricky_texts | st.builds(_Tag, tricky_texts) | st.integers() | st.none(), inner, max_size=4
        )
    ),
    max_leaves=20,
)

# Events naming entities that may not exist, or are of another kind (tests/test_log.py) -----------------

#: Every id of the small catalogue, of every kind, and some near misses.
loose_ids = st.sampled_from(
    [
        *PERSONS,
        *POSTS,
        "org",
        "org/unit",
        "town",
        "ann-abell",
        "nobody",
        "org/chairman",
        "org/unit/hed",
        "twon",
    ]
)

loose_events: st.SearchStrategy[Event] = st.one_of(
    st.builds(Appointed, **_common(), person=loose_ids, post=loose_ids),
    st.builds(Dismissed, **_common(), person=loose_ids, post=loose_ids),
    st.builds(Moved, **_common(), person=loose_ids, from_post=loose_ids, to_post=loose_ids),
    st.builds(Arrested, **_common(), person=loose_ids, vacates=st.booleans()),
    st.builds(Born, **_common(), person=loose_ids),
    st.builds(Died, **_common(), person=loose_ids),
    st.builds(Founded, **_common(), org=loose_ids),
    st.builds(Renamed, **_common(), entity=loose_ids, name=texts, former=st.none() | texts),
    st.builds(Retracted, **_common(), target=ids),
    st.builds(
        RosterReported,
        **_common(),
        org=loose_ids,
        entries=st.lists(
            st.builds(RosterEntry, post=loose_ids, person=st.none() | loose_ids), min_size=1, max_size=3
        ).map(tuple),
    ),
)


# Anything a caller might hand an event's fields (tests/test_boundary.py) --------------------------

#: Values of the wrong type, or of the right type but unfit, for any field.
hostile_values = (
    any_json
    | st.sampled_from(["", " ", "\x00", "\ud800", "2016-13", "٢٠١٦", "２０１６", b"2016", 2016.0, ["2016"]])
    | st.sampled_from([dt.datetime(2020, 1, 1, 12), dt.date(2020, 1, 1), True, False, 0, "no", "x" * 100_001])
    | st.builds(_Tag, st.sampled_from(PERSONS))
)


def _valid_fields(cls: type[Event]) -> dict[str, st.SearchStrategy[Any]]:
    """A strategy per field of ``cls`` giving values its own kind accepts."""
    valid: dict[str, st.SearchStrategy[Any]] = {
        **_common(),
        "person": persons,
        "post": posts,
        "from_post": posts,
        "to_post": posts,
        "org": st.sampled_from(["org", "org/unit"]),
        "entity": st.sampled_from(["town", "org"]),
        "vacates": st.booleans(),
        "charge": texts,
        "name": texts,
        "former": st.none() | texts,
        "target": ids,
        "reason": st.none() | texts,
        "replacement": simple_events,
        "placeholder": persons,
        "until": st.none() | fuzzy_dates(),
        "entries": st.lists(
            st.builds(RosterEntry, post=posts, person=st.none() | persons, name=st.none() | texts),
            min_size=1,
            max_size=3,
        ),
    }
    return {f.name: valid[f.name] for f in attrs.fields(cls) if f.init}


@st.composite
def event_attempts(draw: st.DrawFn) -> tuple[type[Event], dict[str, Any]]:
    """An event class and keyword arguments for it, each field valid or, often, hostile."""
    from chronos import EVENT_TYPES

    cls = draw(st.sampled_from(sorted(EVENT_TYPES.values(), key=lambda c: c.__name__)))
    fields: dict[str, Any] = {}
    for name, valid in _valid_fields(cls).items():
        choice = draw(st.sampled_from(["valid", "valid", "hostile", "missing"]))
        if choice == "missing" and attrs.fields_dict(cls)[name].default is not attrs.NOTHING:
            continue
        fields[name] = draw(hostile_values if choice == "hostile" else valid)
    given = fields.get("sources")
    if draw(st.booleans()) and isinstance(given, tuple) and given and isinstance(given[0], Source):
        bad = draw(st.sampled_from(["source", "quote", "locator"]))
        first = attrs.asdict(fields["sources"][0], recurse=False)
        first[bad] = draw(hostile_values)
        fields["sources"] = [first, *fields["sources"][1:]]
    return cls, fields


# Tampering with a database's tables, for the append-only triggers (tests/test_guards.py) ----------

#: The columns of each table a chronos database keeps, its key first.
LOG_TABLES: dict[str, tuple[str, ...]] = {
    "chronos_records": ("seq", "v", "id", "event", "prev", "hash"),
    "chronos_catalogue": ("version", "text", "written"),
    "chronos_catalogue_history": ("n", "entry"),
    "chronos_meta": ("key", "value"),
}


@attrs.frozen
class Tamper:
    """An edit of one of a log's tables: what kind, of which table, column and existing row.

    ``same`` sets the column to its own value: no change, but still an edit, and refused too.
    """

    kind: str
    table: str
    column: str
    row: int
    same: bool


def tampering(kinds: tuple[str, ...]) -> st.SearchStrategy[Tamper]:
    """Edits of ``kinds`` (``update``, ``update-all``, ``delete``, ``delete-all``, ``replace``, ...)."""
    return st.sampled_from(sorted(LOG_TABLES)).flatmap(
        lambda table: st.builds(
            Tamper,
            kind=st.sampled_from(kinds),
            table=st.just(table),
            column=st.sampled_from(LOG_TABLES[table]),
            row=st.integers(0, 100),
            same=st.booleans(),
        )
    )


# Published heads (tests/test_checkpoint.py) ------------------------------------------------------

hex_hashes = st.text("0123456789abcdef", min_size=64, max_size=64)


@st.composite
def checkpoints(draw: st.DrawFn) -> Any:
    """Any valid `chronos.checkpoint.Checkpoint`: an empty log's, or one with records."""
    from chronos.stores.checkpoint import Checkpoint

    position = draw(st.integers(0, 2**63) | st.integers(0, 5))
    digest = "0" * 64 if position == 0 else draw(hex_hashes)
    time = draw(
        st.datetimes(
            min_value=dt.datetime(1, 1, 2),
            max_value=dt.datetime(9999, 12, 30),
            timezones=st.builds(
                dt.timezone,
                st.timedeltas(min_value=-dt.timedelta(hours=23), max_value=dt.timedelta(hours=23)),
            ),
        )
    )
    store = draw(st.sampled_from(["jsonl", "sqlite", "postgresql", "memory", ""]) | tricky_texts)
    return Checkpoint(position, digest, time, store)


# Wikidata entity JSON (chronos.interop.wikidata) ------------------------------------------

WIKIDATA_POSITIONS = ("Q11", "Q12", "Q13")
WIKIDATA_ORGS = ("Q21", "Q22")
WIKIBASE_CALENDARS = {
    "gregorian": "http://www.wikidata.org/entity/Q1985727",
    "julian": "http://www.wikidata.org/entity/Q1985786",
}


def _julian_length(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 else 28
    return 30 if month in (4, 6, 9, 11) else 31


@st.composite
def wikibase_times(
    draw: st.DrawFn, *, precisions: tuple[int, ...] = (7, 8, 9, 10, 11), years: tuple[int, int] = (1000, 2030)
) -> dict[str, Any]:
    """A Wikibase time value: zeros below its precision, in either calendar (a valid day of that calendar)."""
    calendar = draw(st.sampled_from(sorted(WIKIBASE_CALENDARS)))
    precision = draw(st.sampled_from(precisions))
    year = draw(st.integers(*years))
    month = draw(st.integers(1, 12))
    if calendar == "julian":
        last = _julian_length(year, month)
    else:
        last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    day = draw(st.integers(1, last))
    shown_month = month if precision >= 10 else 0
    shown_day = day if precision == 11 else 0
    return {
        "time": f"+{year:04d}-{shown_month:02d}-{shown_day:02d}T00:00:00Z",
        "timezone": 0,
        "before": 0,
        "after": 0,
        "precision": precision,
        "calendarmodel": WIKIBASE_CALENDARS[calendar],
    }


def _snak(prop: str, value: Any) -> dict[str, Any]:
    if value == "somevalue":
        return {"snaktype": "somevalue", "property": prop}
    kind = "time" if isinstance(value, dict) else "wikibase-entityid"
    if kind != "time":
        value = {"entity-type": "item", "numeric-id": int(value[1:]), "id": value}
    return {"snaktype": "value", "property": prop, "datavalue": {"value": value, "type": kind}}


@st.composite
def wikidata_statements(draw: st.DrawFn, key: str) -> dict[str, Any]:
    """One P39 statement with id ``key``: dates (a start before its end), an organisation, a cause, a rank."""
    qualifiers: dict[str, list[dict[str, Any]]] = {}
    dated = draw(st.sampled_from(["both", "start", "end", "none", "unknown start"]))
    first = draw(st.integers(1900, 2000))
    time = wikibase_times(precisions=(9, 10, 11), years=(first, first))
    if dated in ("both", "start"):
        qualifiers["P580"] = [_snak("P580", draw(time))]
    if dated == "unknown start":
        qualifiers["P580"] = [_snak("P580", "somevalue")]
    if dated in ("both", "end"):
        later = draw(st.integers(first + 1, 2020))
        qualifiers["P582"] = [
            _snak("P582", draw(wikibase_times(precisions=(9, 10, 11), years=(later, later))))
        ]
    if draw(st.booleans()):
        qualifiers["P642"] = [_snak("P642", draw(st.sampled_from(WIKIDATA_ORGS)))]
    if "P582" in qualifiers and draw(st.booleans()):
        qualifiers["P1534"] = [_snak("P1534", draw(st.sampled_from(["Q4", "Q796919", "Q99"])))]
    statement: dict[str, Any] = {
        "mainsnak": _snak("P39", draw(st.sampled_from(WIKIDATA_POSITIONS))),
        "type": "statement",
        "id": key,
        "rank": draw(st.sampled_from(["normal", "normal", "preferred", "deprecated"])),
        "qualifiers": qualifiers,
    }
    if draw(st.booleans()):
        statement["references"] = [
            {
                "snaks": {
                    "P854": [
                        {
                            "snaktype": "value",
                            "property": "P854",
                            "datavalue": {"value": "https://x.test/a", "type": "string"},
                        }
                    ]
                }
            }
        ]
    return statement


def wikidata_item(
    qid: str, statements: list[dict[str, Any]], *, modified: str, revision: int
) -> dict[str, Any]:
    """A bare item with an English label and these P39 statements."""
    return {
        "id": qid,
        "type": "item",
        "modified": f"{modified}T00:00:00Z",
        "lastrevid": revision,
        "labels": {"en": {"language": "en", "value": f"Person {qid}"}},
        "aliases": {},
        "claims": {"P39": statements},
    }


@st.composite
def wikidata_revisions(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two revisions of one item: the second keeps, changes, drops and adds statements of the first."""
    count = draw(st.integers(1, 5))
    older = [draw(wikidata_statements(f"Q1$s{i}")) for i in range(count)]
    newer = []
    for statement in older:
        action = draw(st.sampled_from(["keep", "keep", "change", "drop"]))
        if action == "keep":
            newer.append(statement)
        elif action == "change":
            newer.append(draw(wikidata_statements(statement["id"])))
    newer += [draw(wikidata_statements(f"Q1$n{i}")) for i in range(draw(st.integers(0, 2)))]
    first = wikidata_item("Q1", older, modified="2021-03-01", revision=100)
    second = wikidata_item("Q1", newer, modified="2023-09-01", revision=200)
    return first, second


# FollowTheMoney entity lines (chronos.interop._ftm_read) ----------------------------------


@st.composite
def ftm_occupancy_files(draw: st.DrawFn) -> list[dict[str, Any]]:
    """An OpenSanctions-like file: persons, one Position, Occupancies with or without dates, post, status."""
    seen = {
        "first_seen": "2024-01-30T20:02:45",
        "last_seen": "2025-11-18T14:26:02",
        "last_change": "2024-10-11T11:15:28",
    }
    lines: list[dict[str, Any]] = [
        {"id": "pos", "schema": "Position", "properties": {"name": ["Member"], "country": ["xx"]}, **seen}
    ]
    for i in range(draw(st.integers(1, 6))):
        lines.append({"id": f"p{i}", "schema": "Person", "properties": {"name": [f"Person {i}"]}, **seen})
        props: dict[str, list[str]] = {"holder": [f"p{i}"]}
        if draw(st.booleans()):
            props["post"] = ["pos"]
        status = draw(st.sampled_from([None, "current", "ended", "unknown"]))
        if status:
            props["status"] = [status]
        start = draw(st.none() | days.filter(lambda d: d.year < 2020))
        if start is not None:
            props["startDate"] = [start.isoformat()]
            if draw(st.booleans()):
                props["endDate"] = [(start + dt.timedelta(days=draw(st.integers(1, 2000)))).isoformat()]
        meta = seen if draw(st.integers(0, 4)) else {}
        lines.append(
            {"id": f"occ{i}", "schema": "Occupancy", "properties": props, "datasets": ["test"], **meta}
        )
    return lines


# Catalogues whose names look alike (the name index and near-match hints) ----------------------

#: Words that fold together (Masimov, Massimov, Масимов), share words, or differ by a letter.
NAME_WORDS = (
    "Karim",
    "Kärim",
    "Masimov",
    "Massimov",
    "Масимов",
    "Мәсімов",
    "Nur",
    "Nurlan",
    "Нұрлан",
    "Qasym-Zhomart",
    "Kassym-Jomart",
    "Toqaev",
    "Tokayev",
    "Abel",
    "Abell",
    "O'Neil",
    "person",
    "12",
)


@st.composite
def alike_catalogues(draw: st.DrawFn) -> Catalogue:
    """Persons and organisations whose names and aliases share words, keys and whole names."""
    names = st.lists(st.sampled_from(NAME_WORDS), min_size=1, max_size=3).map(" ".join)
    entities: list[Organisation | Person] = []
    for n in range(draw(st.integers(1, 12))):
        kind = draw(st.sampled_from([Person, Organisation]))
        # Ids that are names too, sometimes another entity's.
        entity_id = draw(st.sampled_from([f"e{n}", f"karim-massimov-{n}", f"p{n}"]))
        entities.append(kind(id=entity_id, name=draw(names), aliases=draw(st.lists(names, max_size=3))))
    return Catalogue(entities)


# Membership lists (chronos.interop.membership), declared complete or not ----------------------


@st.composite
def membership_lists(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A parlparse-like list of one organisation ``parl``: roles held by people (or nobody) over days."""
    records: list[dict[str, Any]] = []
    for i in range(draw(st.integers(1, 8))):
        start = draw(st.integers(0, 60))
        end = draw(st.none() | st.integers(start, 80))
        record: dict[str, Any] = {
            "id": f"r/{i}",
            "role": draw(st.sampled_from(["Speaker", "Clerk", "Whip", "Usher"])),
            "person_id": draw(st.sampled_from([[], ["p:ann"], ["p:bob"], ["p:cat"]])),
            "organization_id": "parl",
            "start_date": str(day(start)),
        }
        if end is not None:
            record["end_date"] = str(day(end))
        records.append(record)
    return records


# Appends: events for the two ways of encoding them (tests/test_append.py) ---------------------------


@st.composite
def appendable_events(draw: st.DrawFn) -> list[Event]:
    """Events of every kind a log over `small_catalogue` takes in this order.

    What retracts or corrects an event targets an earlier one of the list.
    """
    out: list[Event] = []
    for event in draw(st.lists(any_events, max_size=24)):
        if isinstance(event, Retracted | Corrected):
            if not out:
                continue
            event = attrs.evolve(event, target=draw(st.sampled_from(out)).id)
        if isinstance(event, Corrected) and isinstance(event.replacement, Retracted):
            retarget = attrs.evolve(event.replacement, target=draw(st.sampled_from(out)).id)
            event = attrs.evolve(event, replacement=retarget)
        out.append(event)
    return out


#: What may be put into an event's field behind its validators' back.
doctoring_values = (
    hostile_values
    | odd_scalars
    | st.builds(_Tag, texts)
    | texts
    | st.none()
    | st.booleans()
    | st.just(())
    | st.lists(sources, max_size=2)
    | st.lists(sources, min_size=1, max_size=2).map(tuple)
    | fuzzy_dates()
)


@st.composite
def doctored_events(draw: st.DrawFn) -> Event:
    """A valid event with one field of it, a citation or a roster entry set to anything, past the validators.

    No caller can make one through the constructor; an encoder must still
    encode it exactly as cattrs does, or leave it to cattrs.
    """
    event = draw(any_events)
    holders: list[Any] = [event, *event.sources]
    if isinstance(event, RosterReported):
        holders += event.entries
    if isinstance(event, Corrected):
        holders += [event.replacement, *event.replacement.sources]
    holder = draw(st.sampled_from(holders))
    field = draw(st.sampled_from([f.name for f in attrs.fields(type(holder))]))
    object.__setattr__(holder, field, draw(doctoring_values))
    return event
