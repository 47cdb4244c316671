"""Questions: ``roster``, ``diff``, ``history``, ``name`` and ``events``."""

from __future__ import annotations

from functools import partial

from chronos.chronology import Chronology, DateLike
from chronos.cli._app import App, Namespace, asked, date_arg, emit, load, lookup, qualifiers
from chronos.entities import Post
from chronos.output import render, tables

EPILOG_ROSTER = (
    "example:\n  chronos roster KNB --at 2022-01-05 --known-at 2022-01-06\n"
    "  chronos roster nsc --at 2016 --format csv > roster.csv\n"
    "  chronos roster nsc/chairman --at 2022-01-10"
)
EPILOG_DIFF = "example:\n  chronos diff nsc 2021-12-31 2022-01-31 --format json"
EPILOG_HISTORY = (
    'example:\n  chronos history "Massimov" --policy earliest\n'
    "  chronos history nsc/chairman\n\n"
    "A person's posts, custody and death; a post's holders in turn (its succession)."
)
EPILOG_NAME = "example:\n  chronos name nur-sultan --at 2019"
EPILOG_EVENTS = "example:\n  chronos events --about massimov --from 2022-01 --to 2022-02 --kind Dismissed"


def register(app: App) -> None:
    """Add roster, diff, history, name and events."""
    summary = "who held each post of an organisation (and its units) on a date"
    sub = app.command("roster", summary, _roster, epilog=EPILOG_ROSTER)
    sub.add_argument("org", metavar="ORG", help="organisation or post: id, name or alias")
    sub.add_argument("--at", type=date_arg, required=True, metavar="DATE", help="the date asked about")
    app.options(sub)

    sub = app.command(
        "diff", "who joined, left or moved in an organisation between two dates", _diff, epilog=EPILOG_DIFF
    )
    sub.add_argument("org", metavar="ORG", help="organisation: id, name or alias")
    sub.add_argument("a", type=date_arg, metavar="DATE_A", help="the earlier date")
    sub.add_argument("b", type=date_arg, metavar="DATE_B", help="the later date")
    app.options(sub)

    summary = "a person's posts, custody and death; or a post's holders in turn"
    sub = app.command("history", summary, _history, epilog=EPILOG_HISTORY)
    sub.add_argument("person", metavar="PERSON|POST", help="person or post: id, name or alias")
    app.options(sub)

    sub = app.command(
        "name", "what an organisation, post or place was called on a date", _name, epilog=EPILOG_NAME
    )
    sub.add_argument("entity", metavar="ENTITY", help="entity: id, name or alias")
    sub.add_argument("--at", type=date_arg, required=True, metavar="DATE", help="the date asked about")
    app.options(sub, policy=False, jsonl=False)

    sub = app.command("events", "the events, in the order they happened", _events, epilog=EPILOG_EVENTS)
    sub.add_argument("--about", metavar="ID", help="only events about this entity (id, name or alias)")
    sub.add_argument(
        "--from", dest="start", type=date_arg, metavar="DATE", help="only events that can fall on or after it"
    )
    sub.add_argument(
        "--to", dest="end", type=date_arg, metavar="DATE", help="only events that can fall on or before it"
    )
    sub.add_argument("--kind", metavar="K", help="only events of this type (Appointed, Dismissed, ...)")
    app.options(sub, known=False, policy=False)


def _roster(args: Namespace) -> int:
    _, chronology = load(args)
    entity = lookup(chronology, args.org, ("organisation", "post"))
    seats = chronology.roster(entity.id, at=args.at, known_at=args.known_at, policy=args.policy)
    rows = render.roster_json(seats, chronology.catalogue)
    org = chronology.catalogue[entity.org] if isinstance(entity, Post) else entity
    question = asked(args, chronology, "roster", org=entity.id, at=args.at)
    horizon = chronology.horizon(args.known_at)
    # Titles and notes name things as they were called on the date asked, as known then.
    if isinstance(entity, Post):
        name = _post_title(chronology, entity, at=args.at, known_at=args.known_at)
    else:
        name = chronology.called(entity.id, at=args.at, known_at=args.known_at)
    notes = render.roster_notes(
        chronology.called(org.id, at=args.at, known_at=args.known_at),
        args.at,
        chronology.existence(org.id, at=args.at, known_at=args.known_at, policy=args.policy),
        horizon=horizon,
        late=args.at.last > horizon,
        known_at=args.known_at,
    )
    title = f"{name} on {args.at}{qualifiers(args)}"
    draw = partial(tables.roster_table, rows, chronology.catalogue, title=title, notes=notes)
    emit(args, rows, draw, rows, render.ROSTER_COLUMNS, question, notes)
    return 0


def _diff(args: Namespace) -> int:
    _, chronology = load(args)
    org = lookup(chronology, args.org, "organisation")
    result = chronology.diff(org.id, args.a, args.b, known_at=args.known_at, policy=args.policy)
    data = render.diff_json(result, chronology.catalogue)
    question = asked(args, chronology, "diff", org=org.id, a=args.a, b=args.b)
    name = chronology.called_between(org.id, args.a, args.b, known_at=args.known_at)
    title = f"{name}: {args.a} to {args.b}{qualifiers(args)}"
    draw = partial(tables.diff_table, data, chronology.catalogue, title=title)
    rows = render.diff_rows(data)
    emit(args, data, draw, rows, render.DIFF_COLUMNS, question, items=rows)
    return 0


def _history(args: Namespace) -> int:
    _, chronology = load(args)
    entity = lookup(chronology, args.person, ("person", "post"))
    if isinstance(entity, Post):
        return _succession(args, chronology, entity)
    result = chronology.history(entity.id, known_at=args.known_at, policy=args.policy)
    data = render.history_json(result, chronology.catalogue)
    question = asked(args, chronology, "history", person=entity.id)
    name = chronology.called(entity.id, known_at=args.known_at)
    draw = partial(tables.history_table, data, title=f"{name}{qualifiers(args)}")
    rows = render.history_rows(data)
    emit(args, data, draw, rows, render.HISTORY_COLUMNS, question, items=rows)
    return 0


def _succession(args: Namespace, chronology: Chronology, post: Post) -> int:
    result = chronology.succession(post.id, known_at=args.known_at, policy=args.policy)
    data = render.succession_json(result, chronology.catalogue)
    name = _post_title(chronology, post, at=None, known_at=args.known_at)
    draw = partial(tables.succession_table, data, title=f"{name}: its holders in turn{qualifiers(args)}")
    rows = render.succession_rows(data)
    question = asked(args, chronology, "history", post=post.id)
    emit(args, data, draw, rows, render.SUCCESSION_COLUMNS, question, items=rows)
    return 0


def _post_title(chronology: Chronology, post: Post, *, at: DateLike | None, known_at: DateLike | None) -> str:
    """A post as a title names it on ``at``: "Chairman of the NSC", or "Minister, Ministry of Truth"."""
    name = chronology.called(post.id, at=at, known_at=known_at)
    org = chronology.called(post.org, at=at, known_at=known_at)
    return name if org.casefold() in name.casefold() else f"{name}, {org}"


def _name(args: Namespace) -> int:
    _, chronology = load(args)
    entity = lookup(chronology, args.entity, None)
    answer = chronology.name(entity.id, at=args.at, known_at=args.known_at)
    data = render.name_json(answer, chronology.catalogue, args.at)
    question = asked(args, chronology, "name", entity=entity.id, at=args.at)
    title = (
        f"{chronology.called(entity.id, at=args.at, known_at=args.known_at)} on {args.at}{qualifiers(args)}"
    )
    draw = partial(tables.name_table, data, title=title)
    emit(args, data, draw, [data], render.NAME_COLUMNS, question)
    return 0


def _events(args: Namespace) -> int:
    log, chronology = load(args)
    about = lookup(chronology, args.about, None) if args.about else None
    wanted = about.id if about else None
    found = chronology.events_about(wanted, start=args.start, end=args.end, kind=args.kind)
    data = render.events_json(found, log.codec)
    question = asked(args, chronology, "events", about=wanted, start=args.start, end=args.end, kind=args.kind)
    limits = [f"about {about.name}" if about else "", f"from {args.start}" if args.start else ""]
    limits += [f"to {args.end}" if args.end else "", f"of kind {args.kind}" if args.kind else ""]
    draw = partial(
        tables.events_table, data, chronology.catalogue, title=" ".join(["Events", *filter(None, limits)])
    )
    emit(args, data, draw, render.events_rows(data, chronology.catalogue), render.EVENT_COLUMNS, question)
    return 0
