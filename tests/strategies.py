"""Every Hypothesis strategy of the test suite (attrs' rule: a new event type is added here)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import attrs
from hypothesis import strategies as st

from chronos import (
    Appointed,
    Arrested,
    Born,
    Catalogue,
    Charged,
    Corrected,
    Died,
    Dismissed,
    Dissolved,
    End,
    Event,
    Founded,
    FuzzyDate,
    Left,
    Moved,
    Organisation,
    PartialDate,
    Person,
    Place,
    Post,
    Released,
    Renamed,
    Resigned,
    Retracted,
    RosterEntry,
    RosterReported,
    Source,
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


@st.composite
def partial_dates(draw: st.DrawFn) -> PartialDate:
    day = draw(days)
    precision = draw(st.sampled_from(["day", "month", "year"]))
    if precision == "year":
        return PartialDate(day.year)
    if precision == "month":
        return PartialDate(day.year, day.month)
    return PartialDate.from_date(day)


@st.composite
def fuzzy_dates(draw: st.DrawFn) -> FuzzyDate:
    """Every form: single (day, month, year, qualified), interval (with open or unknown ends), set."""
    form = draw(st.sampled_from(["single", "interval", "set"]))
    qualifier = draw(st.sampled_from(["", "", "?", "~", "%"]))
    if form == "single":
        part = draw(partial_dates())
        return FuzzyDate(part, part, "single", (), qualifier)
    if form == "set":
        members = draw(st.lists(partial_dates(), min_size=2, max_size=4, unique=True))
        members.sort(key=lambda m: (m.earliest, m.latest))
        low = min(members, key=lambda m: m.earliest)
        high = max(members, key=lambda m: m.latest)
        return FuzzyDate(low, high, "set", tuple(members), qualifier)
    a, b = sorted([draw(partial_dates()), draw(partial_dates())], key=lambda p: (p.earliest, p.latest))
    if a.earliest > b.latest:
        a, b = b, a
    ends: list[Any] = [End.OPEN, End.UNKNOWN]
    lower = draw(st.sampled_from([a, a, *ends]))
    upper = draw(st.sampled_from([b, b, *ends]) if not isinstance(lower, End) else st.just(b))
    if isinstance(lower, PartialDate) and isinstance(upper, PartialDate) and lower.earliest > upper.latest:
        lower, upper = upper, lower
    return FuzzyDate(lower, upper, "interval", (), qualifier)


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
ids = st.text("0123456789abcdef", min_size=24, max_size=24)


def _common() -> dict[str, Any]:
    return {
        "occurred": fuzzy_dates(),
        "known": fuzzy_dates(),
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
) -> History:
    """A chronology simulated day by day so that its truth is known.

    Appointments respect seat counts; each event is known some days after it
    happened (sometimes much later). With ``disputes``, some ends get a second
    claim a few days off; with ``fuzzy``, some dates are widened to a range that
    contains the true day; with ``retractions``, some false dismissals are
    recorded and later retracted.
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
    return History(tuple(events), truth, alternatives, today + 60)


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


# Tampering with a database's tables, for the append-only triggers (tests/test_guards.py) ----------

#: The columns of each table a chronos database keeps, its key first.
LOG_TABLES: dict[str, tuple[str, ...]] = {
    "chronos_records": ("seq", "v", "id", "event", "prev", "hash"),
    "chronos_catalogue": ("version", "text", "written"),
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
