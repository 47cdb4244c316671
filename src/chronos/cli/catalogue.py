"""The catalogue and the sources registry: ``add person|org|post|place|source`` and ``sources``."""

from __future__ import annotations

import argparse
import os
from functools import partial
from pathlib import Path

from chronos.cli._app import App, Namespace, asked, date_arg, emit, load, open_log
from chronos.entities import Entity, Organisation, Person, Place, Post
from chronos.errors import UsageError
from chronos.events import Founded, Source
from chronos.interop._model import slugify
from chronos.log import EventLog
from chronos.output import render, tables
from chronos.sources import Publication, sha256_of

EPILOG_ADD = """\
examples:
  chronos add source kz-decree-2022-01-05 --publisher Akorda --title "Decree No. 741" \\
      --date 2022-01-05 --url https://akorda.kz/... --language ru --archive texts/decree-741.txt
  chronos add org "National Security Committee" --id nsc --alias KNB --alias NSC
  chronos add post Chairman --org nsc
  chronos add person "Karim Massimov" --alias Masimov

Entities and sources are only ever added, never changed or removed; the log keeps
them in its catalogue (catalogue.toml of a directory log, a table in a database)."""

EPILOG_PERSON = 'example:\n  chronos add person "Karim Massimov" --alias Masimov --alias "Massimov Karim"'
EPILOG_ORG = """\
examples:
  chronos add org "National Security Committee" --id nsc --alias KNB
  chronos add org "Border Guard Service" --parent nsc
  chronos add org "Security Council" --founded 1993 --source kz-law-1993 --quote "..."

The id is made from the name (the parent's id and '/' first, for a unit) unless --id
gives it. --founded also appends a Founded event, which needs its source and quote."""
EPILOG_POST = """\
examples:
  chronos add post Chairman --org nsc
  chronos add post "Deputy Chairman" --org nsc --seats 5

The id is the organisation's id, '/', and the name made into an id (nsc/chairman)."""
EPILOG_PLACE = 'example:\n  chronos add place Astana --alias "Nur-Sultan" --alias Akmola'
EPILOG_SOURCE = """\
example:
  chronos add source 004_a82dc472c30e5f7b.txt \\
      --publisher "Caspian Institute for Strategic Studies" \\
      --title "National Security Committee of Kazakhstan" --date 2022-02-16 \\
      --language en --archive ../shared/sources/004_a82dc472c30e5f7b.txt

ID is what events cite ("sources": [{"source": ID, "quote": ...}]). --date is the
publication date, as precise as it is known (2022-01-08/2022-01-09 for an undated
article). --archive is a copy of the text: its SHA-256 is kept, and `chronos check
--quotes` finds every quote in it."""
EPILOG_SOURCES = "example:\n  chronos sources\n  chronos sources --format jsonl"


def register(app: App) -> None:
    """Add add (with a subcommand per kind) and sources."""
    add = app.command("add", "add a person, organisation, post, place or source", _help, epilog=EPILOG_ADD)
    kinds = app.group(add, dest="kind")

    sub = app.subcommand(kinds, "person", "add a person", _add_person, epilog=EPILOG_PERSON)
    _entity_arguments(sub)

    sub = app.subcommand(kinds, "org", "add an organisation, or a unit of one", _add_org, epilog=EPILOG_ORG)
    _entity_arguments(sub)
    sub.add_argument("--parent", metavar="ORG", help="the organisation this is a unit of (id, name or alias)")
    sub.add_argument("--founded", type=date_arg, metavar="DATE", help="append a Founded event on DATE")
    sub.add_argument("--source", metavar="ID", help="with --founded: the registered source that says so")
    sub.add_argument("--quote", metavar="TEXT", help="with --founded: the source's words")
    sub.add_argument("--locator", metavar="WHERE", help="with --founded: where in the source (page 3)")
    sub.add_argument(
        "--known",
        type=date_arg,
        metavar="DATE",
        help="with --founded: when it was public (default: the source's date)",
    )

    sub = app.subcommand(kinds, "post", "add a post of an organisation", _add_post, epilog=EPILOG_POST)
    _entity_arguments(sub)
    sub.add_argument("--org", required=True, metavar="ORG", help="its organisation (id, name or alias)")
    sub.add_argument(
        "--seats", type=_seats, default=1, metavar="N", help="how many hold it at once (default 1)"
    )

    sub = app.subcommand(kinds, "place", "add a place", _add_place, epilog=EPILOG_PLACE)
    _entity_arguments(sub)

    sub = app.subcommand(
        kinds, "source", "register a source events may cite", _add_source, epilog=EPILOG_SOURCE
    )
    sub.add_argument("id", metavar="ID", help="the id events cite")
    sub.add_argument("--title", required=True, help="its title")
    sub.add_argument("--date", required=True, type=date_arg, metavar="DATE", help="its publication date")
    sub.add_argument("--publisher", help="who published it")
    sub.add_argument("--url", help="where it was published")
    sub.add_argument("--language", metavar="LANG", help="its language (en, ru, kk, ...)")
    sub.add_argument("--archive", type=Path, metavar="FILE", help="a copy of its text (its SHA-256 is kept)")
    sub.add_argument("--note", help="anything a reader should know")

    sub = app.command(
        "sources", "the registered sources, and how often each is cited", _sources, epilog=EPILOG_SOURCES
    )
    app.options(sub, known=False, policy=False)


def _help(args: Namespace) -> int:  # pragma: no cover - argparse requires a kind first
    args.parser.print_help()
    return 2


def _entity_arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("name", metavar="NAME", help="its name")
    sub.add_argument("--id", metavar="ID", help="its id (default: made from the name)")
    sub.add_argument(
        "--alias", action="append", default=[], metavar="NAME", help="another name or spelling (repeatable)"
    )
    sub.add_argument("--note", help="anything a reader should know")


def _seats(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return int(text)


def _added(log: EventLog, entity: Entity | Publication) -> None:
    # The log skips an entity already there field for field (imports rely on it); asked by hand, say so.
    log.catalogue.check_additions([entity])
    log.catalogue.add(entity)
    where = log.store.catalogue_origin
    if isinstance(entity, Publication):
        print(f"registered source {entity.id}: {entity.citation} (in {where})")
    else:
        print(f"added {entity.kind} {entity.id}: {entity.name} (in {where})")


def _add_person(args: Namespace) -> int:
    log = open_log(args)
    _added(log, Person(id=args.id or slugify(args.name), name=args.name, aliases=args.alias, note=args.note))
    return 0


def _add_place(args: Namespace) -> int:
    log = open_log(args)
    _added(log, Place(id=args.id or slugify(args.name), name=args.name, aliases=args.alias, note=args.note))
    return 0


def _add_org(args: Namespace) -> int:
    founding = (args.source, args.quote, args.locator, args.known)
    if args.founded is None and any(v is not None for v in founding):
        args.parser.error("--source, --quote, --locator and --known go with --founded")
    if args.founded is not None and (args.source is None or args.quote is None):
        args.parser.error("--founded needs --source ID and --quote TEXT: a founding is a claim")
    log = open_log(args)
    parent = log.catalogue.lookup(args.parent, kind="organisation").id if args.parent else None
    entity_id = args.id or (f"{parent}/{slugify(args.name)}" if parent else slugify(args.name))
    org = Organisation(id=entity_id, name=args.name, aliases=args.alias, note=args.note, parent=parent)
    event = None
    if args.founded is not None:
        cite = Source(source=args.source, quote=args.quote, locator=args.locator)
        registered = log.catalogue.sources.get(args.source)
        known = args.known or (registered.date if registered is not None else args.founded)
        event = Founded(org=entity_id, occurred=args.founded, known=known, sources=[cite])
        # Checked before the organisation is added, so that a bad source adds neither.
        log.catalogue.check_additions([org])
        log.check_sources(event)
        if registered is None and args.known is None:
            args.parser.error(f"--known DATE: when was it public? ({args.source!r} is not registered)")
    _added(log, org)
    if event is not None:
        result = log.append([event], expected_position=log.position)
        print(f"appended Founded {args.founded} (now {result.position} records)")
    return 0


def _add_post(args: Namespace) -> int:
    log = open_log(args)
    org = log.catalogue.lookup(args.org, kind="organisation")
    entity_id = args.id or f"{org.id}/{slugify(args.name)}"
    post = Post(
        id=entity_id, name=args.name, aliases=args.alias, note=args.note, org=org.id, seats=args.seats
    )
    _added(log, post)
    return 0


def _add_source(args: Namespace) -> int:
    log = open_log(args)
    archive, digest = None, None
    if args.archive is not None:
        path: Path = args.archive
        if not path.is_file():
            raise UsageError(f"{path}: no such file to archive")
        digest = sha256_of(path)
        # Kept relative to the log's folder, so that the log and its texts can move together.
        home = log.directory
        archive = os.path.relpath(path.resolve(), home.resolve()) if home is not None else str(path.resolve())
    publication = Publication(
        id=args.id,
        title=args.title,
        date=args.date,
        publisher=args.publisher,
        url=args.url,
        language=args.language,
        archive=archive,
        sha256=digest,
        note=args.note,
    )
    _added(log, publication)
    return 0


def _sources(args: Namespace) -> int:
    _, chronology = load(args)
    rows = render.sources_json(chronology.catalogue, chronology.events)
    draw = partial(tables.sources_table, rows, title=f"Sources of {len(chronology.events)} events")
    emit(args, rows, draw, rows, render.SOURCE_COLUMNS, asked(args, chronology, "sources"))
    return 0
