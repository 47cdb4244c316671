"""The chronos command: parses arguments, asks the library, prints what `chronos.render` makes of it.

Errors are one line on stderr (``chronos: error: ...``) with exit status 1 for
data problems and 2 for usage; ``--debug`` shows the traceback instead. Long
operations show a transient progress bar when stderr is a terminal.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from rich.console import Console, RenderableType
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from chronos import __version__, render
from chronos.checks import check
from chronos.chronology import Chronology, as_day
from chronos.dates import MAX_DAY, MIN_DAY, FuzzyDate, parse_date
from chronos.entities import Entity
from chronos.errors import AmbiguousName, ChronosError, LookupFailed
from chronos.events import Event
from chronos.log import EventLog
from chronos.projections import Policy

__all__ = ["PROGRESS_MIN", "build_parser", "main"]

#: Logs (or batches) smaller than this load too fast to need a progress bar.
PROGRESS_MIN = 500
#: How many bad lines of an append file are listed before the rest are counted.
MAX_PROBLEMS = 20
TIMELINE_SUFFIXES = (".svg", ".png", ".html")

Namespace = argparse.Namespace
Columns = tuple[str, ...]
T = TypeVar("T")

MAIN_EPILOG = """\
examples:
  chronos roster KNB --at 2022-01-05
  chronos roster nsc --at 2016 --format json
  chronos --log events diff nsc 2021-12-31 2022-01-31
  chronos history "Karim Masimov" --known-at 2022-01-07
  chronos timeline nsc --from 2021-12-01 --to 2022-02-28 -o nsc.svg

The log is the directory given by --log, else $CHRONOS_LOG, else ./events.
Names may be ids, names or any alias, in any case or transliteration. Dates are
ISO days (2022-01-05) or coarser (2022-01, 2016); a coarse date answers
"possible" where it leaves the answer open.

exit status: 0 ok, 1 a data problem (or `check` found errors), 2 a usage error.
"""

EPILOGS = {
    "roster": "example:\n  chronos roster KNB --at 2022-01-05 --known-at 2022-01-06\n"
    "  chronos roster nsc --at 2016 --format csv > roster.csv",
    "diff": "example:\n  chronos diff nsc 2021-12-31 2022-01-31 --format json",
    "history": 'example:\n  chronos history "Massimov" --policy earliest',
    "name": "example:\n  chronos name nur-sultan --at 2019",
    "events": "example:\n  chronos events --about massimov --from 2022-01 --to 2022-02 --kind Dismissed",
    "check": "example:\n  chronos check --format json > findings.json\n\nExits 1 if any finding is an error.",
    "verify": "example:\n  chronos --log events verify\n  ok: 214 records, head 3f1c9a0b2d4e",
    "append": "example:\n  chronos append new-events.jsonl\n  cat new-events.jsonl | chronos append -\n\n"
    "Each line is one event in the codec's form, e.g.\n"
    '  {"type":"Appointed","person":"karim-massimov","post":"nsc/chairman","occurred":"2016",\n'
    '   "known":"2022-01-08","sources":[{"source":"003.txt","quote":"..."}]}\n'
    "Every line is checked first; one bad line and nothing is written.",
    "timeline": "example:\n  chronos timeline nsc --from 2021-12-01 --to 2022-02-28 -o nsc.svg\n"
    "  chronos timeline KNB --from 2016 --to 2022 -o knb.html\n\n"
    "The output format follows the extension: .svg, .png or .html (standalone, no network).",
}


# Argument types ---------------------------------------------------------------------------------


def _argument(parse: Callable[[str], T]) -> Callable[[str], T]:
    """Wrap a parser so that its `ChronosError` becomes a usage error naming the argument."""

    def convert(text: str) -> T:
        try:
            return parse(text)
        except ChronosError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return convert


_date = _argument(parse_date)
_known_at = _argument(lambda text: as_day(parse_date(text)))
_policy = _argument(Policy.parse)


def _bounded_date(text: str) -> FuzzyDate:
    date = _date(text)
    if MIN_DAY in (date.earliest, date.latest) or MAX_DAY in (date.earliest, date.latest):
        raise argparse.ArgumentTypeError(f"{text!r} has an open end; give a day, a month or a year")
    return date


def _output(text: str) -> Path:
    path = Path(text)
    if path.suffix.lower() not in TIMELINE_SUFFIXES:
        raise argparse.ArgumentTypeError(f"{text!r}: the file name must end in .svg, .png or .html")
    return path


# The parser -----------------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line."""

    def error(self, message: str) -> NoReturn:
        """Print one line and exit with status 2."""
        self.exit(2, f"chronos: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    """Build the parser of the chronos command and its subcommands."""
    raw = argparse.RawDescriptionHelpFormatter
    parser = _Parser(
        prog="chronos",
        description="Who held which post when, and what was known when: ask an event log.",
        epilog=MAIN_EPILOG,
        formatter_class=raw,
    )
    parser.add_argument(
        "--log", metavar="PATH", help="the log directory (default: $CHRONOS_LOG, else ./events)"
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks instead of one-line errors")
    parser.add_argument("--version", action="version", version=f"chronos {__version__}")
    # The global options are accepted after the command too (chronos roster nsc --at 2016 --log x).
    common = _Parser(add_help=False)
    common.add_argument("--log", metavar="PATH", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, summary: str, run: Callable[[Namespace], int]) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name,
            help=summary,
            description=summary,
            epilog=EPILOGS[name],
            formatter_class=raw,
            parents=[common],
        )
        sub.set_defaults(run=run, parser=sub)
        return sub

    def options(
        sub: argparse.ArgumentParser, *, known: bool = True, policy: bool = True, fmt: bool = True
    ) -> None:
        if known:
            sub.add_argument("--known-at", type=_known_at, metavar="DATE", help="as the record stood on DATE")
        if policy:
            sub.add_argument(
                "--policy",
                type=_policy,
                metavar="P",
                help="reconcile disagreeing sources: cautious (default), earliest, latest, prefer:SOURCE",
            )
        if fmt:
            sub.add_argument(
                "--format", choices=("table", "json", "csv"), default="table", help="output format"
            )

    sub = command("roster", "who held each post of an organisation (and its units) on a date", _roster)
    sub.add_argument("org", metavar="ORG", help="organisation: id, name or alias")
    sub.add_argument("--at", type=_date, required=True, metavar="DATE", help="the date asked about")
    options(sub)

    sub = command("diff", "who joined, left or moved in an organisation between two dates", _diff)
    sub.add_argument("org", metavar="ORG", help="organisation: id, name or alias")
    sub.add_argument("a", type=_date, metavar="DATE_A", help="the earlier date")
    sub.add_argument("b", type=_date, metavar="DATE_B", help="the later date")
    options(sub)

    sub = command("history", "a person's posts, custody and death", _history)
    sub.add_argument("person", metavar="PERSON", help="person: id, name or alias")
    options(sub)

    sub = command("name", "what an organisation, post or place was called on a date", _name)
    sub.add_argument("entity", metavar="ENTITY", help="entity: id, name or alias")
    sub.add_argument("--at", type=_date, required=True, metavar="DATE", help="the date asked about")
    options(sub, policy=False)

    sub = command("events", "the events, in the order they happened", _events)
    sub.add_argument("--about", metavar="ID", help="only events about this entity (id, name or alias)")
    sub.add_argument(
        "--from", dest="start", type=_date, metavar="DATE", help="only events that can fall on or after DATE"
    )
    sub.add_argument(
        "--to", dest="end", type=_date, metavar="DATE", help="only events that can fall on or before DATE"
    )
    sub.add_argument("--kind", metavar="K", help="only events of this type (Appointed, Dismissed, ...)")
    options(sub, known=False, policy=False)

    sub = command("check", "integrity checks over the whole log", _check)
    options(sub, known=False, policy=False)

    command("verify", "verify the log's hash chain", _verify)

    sub = command("append", "append events from a JSON Lines file (all or nothing)", _append)
    sub.add_argument(
        "file", metavar="FILE", help="a .jsonl file, one event per line, or - for standard input"
    )

    sub = command("timeline", "draw a Gantt chart of an organisation's posts", _timeline)
    sub.add_argument("org", metavar="ORG", help="organisation: id, name or alias")
    sub.add_argument(
        "--from", dest="start", type=_bounded_date, required=True, metavar="DATE", help="first day"
    )
    sub.add_argument("--to", dest="end", type=_bounded_date, required=True, metavar="DATE", help="last day")
    sub.add_argument(
        "-o", "--output", type=_output, required=True, metavar="FILE", help="FILE.svg, .png or .html"
    )
    options(sub, fmt=False)
    return parser


# Plumbing -----------------------------------------------------------------------------------------------


def _progress_console() -> Console | None:
    """Return a console on stderr for progress bars, or None when stderr is not a terminal."""
    return Console(file=sys.stderr) if sys.stderr.isatty() else None


@contextmanager
def _progress(description: str, *, size: int, total: int | None = None) -> Iterator[Callable[[], None]]:
    """Show a transient progress bar (a spinner without ``total``) for work on ``size`` items."""
    console = _progress_console() if size >= PROGRESS_MIN else None
    if console is None:
        yield lambda: None
        return
    columns = [SpinnerColumn(), TextColumn("{task.description}")]
    if total is not None:
        columns += [BarColumn(), MofNCompleteColumn()]
    with Progress(*columns, TimeElapsedColumn(), console=console, transient=True) as progress:
        task = progress.add_task(description, total=total)
        yield lambda: progress.advance(task)


def _open_log(args: Namespace) -> EventLog:
    path = Path(args.log or os.environ.get("CHRONOS_LOG") or "events")
    if not path.is_dir():
        raise ChronosError(f"{path}: no such log directory (give --log PATH or set CHRONOS_LOG)")
    return EventLog.open(path)


def _load(args: Namespace) -> tuple[EventLog, Chronology]:
    log = _open_log(args)
    position = log.position
    events: list[Event] = []
    with _progress("reading the log", size=position, total=position) as advance:
        for recorded in log.read():
            events.append(recorded.event)
            advance()
    return log, Chronology(events, log.catalogue)


def _lookup(chronology: Chronology, name: str, kind: str | None) -> Entity:
    """Find an entity, or raise a `LookupFailed` whose message names the nearest known names."""
    try:
        return chronology.lookup(name, kind=kind)
    except AmbiguousName:
        raise
    except LookupFailed as exc:
        names = ", ".join(f"{chronology.catalogue[s].name} ({s})" for s in exc.suggestions)
        hint = f"; nearest known: {names}" if names else "; no known name is close"
        raise LookupFailed(f"unknown {kind or 'entity'} {name!r}{hint}", query=name) from None


def _console() -> Console:
    console = Console(file=sys.stdout, highlight=False, markup=False, emoji=False)
    if not console.is_terminal:
        console.width = 120
    return console


def _emit(
    args: Namespace, data: Any, table: Callable[[], RenderableType], rows: Any, columns: Columns
) -> None:
    """Print ``data`` as JSON, ``rows`` as CSV, or the table drawn by ``table``, as ``--format`` asks."""
    if args.format == "json":
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    elif args.format == "csv":
        sys.stdout.write(render.csv_text(rows, columns))
    else:
        _console().print(table())


def _qualifiers(args: Namespace) -> str:
    parts = []
    if getattr(args, "known_at", None) is not None:
        parts.append(f"as known on {args.known_at}")
    if getattr(args, "policy", None) is not None:
        parts.append(f"policy {args.policy}")
    return f" ({', '.join(parts)})" if parts else ""


# Commands --------------------------------------------------------------------------------------------------


def _roster(args: Namespace) -> int:
    _, chronology = _load(args)
    org = _lookup(chronology, args.org, "organisation")
    seats = chronology.roster(org.id, at=args.at, known_at=args.known_at, policy=args.policy)
    rows = render.roster_json(seats, chronology.catalogue)
    title = f"{org.name} on {args.at}{_qualifiers(args)}"
    draw = partial(render.roster_table, rows, chronology.catalogue, title=title)
    _emit(args, rows, draw, rows, render.ROSTER_COLUMNS)
    return 0


def _diff(args: Namespace) -> int:
    _, chronology = _load(args)
    org = _lookup(chronology, args.org, "organisation")
    result = chronology.diff(org.id, args.a, args.b, known_at=args.known_at, policy=args.policy)
    data = render.diff_json(result, chronology.catalogue)
    title = f"{org.name}: {args.a} to {args.b}{_qualifiers(args)}"
    draw = partial(render.diff_table, data, chronology.catalogue, title=title)
    _emit(args, data, draw, render.diff_rows(data), render.DIFF_COLUMNS)
    return 0


def _history(args: Namespace) -> int:
    _, chronology = _load(args)
    person = _lookup(chronology, args.person, "person")
    result = chronology.history(person.id, known_at=args.known_at, policy=args.policy)
    data = render.history_json(result, chronology.catalogue)
    draw = partial(render.history_table, data, title=f"{person.name}{_qualifiers(args)}")
    _emit(args, data, draw, render.history_rows(data), render.HISTORY_COLUMNS)
    return 0


def _name(args: Namespace) -> int:
    _, chronology = _load(args)
    entity = _lookup(chronology, args.entity, None)
    answer = chronology.name(entity.id, at=args.at, known_at=args.known_at)
    data = render.name_json(answer, chronology.catalogue, args.at)
    draw = partial(render.name_table, data, title=f"{entity.name} on {args.at}{_qualifiers(args)}")
    _emit(args, data, draw, [data], render.NAME_COLUMNS)
    return 0


def _events(args: Namespace) -> int:
    log, chronology = _load(args)
    about = _lookup(chronology, args.about, None) if args.about else None
    wanted = about.id if about else None
    found = chronology.events_about(wanted, start=args.start, end=args.end, kind=args.kind)
    data = render.events_json(found, log.codec)
    limits = [f"about {about.name}" if about else "", f"from {args.start}" if args.start else ""]
    limits += [f"to {args.end}" if args.end else "", f"of kind {args.kind}" if args.kind else ""]
    draw = partial(
        render.events_table, data, chronology.catalogue, title=" ".join(["Events", *filter(None, limits)])
    )
    _emit(args, data, draw, render.events_rows(data, chronology.catalogue), render.EVENT_COLUMNS)
    return 0


def _check(args: Namespace) -> int:
    _, chronology = _load(args)
    with _progress("checking", size=len(chronology.events)):
        findings = check(chronology)
    data = render.findings_json(findings)
    draw = partial(render.check_table, data, title=f"Check of {len(chronology.events)} events")
    _emit(args, data, draw, data, render.CHECK_COLUMNS)
    return 1 if any(f.severity == "error" for f in findings) else 0


def _verify(args: Namespace) -> int:
    log = _open_log(args)
    with _progress("verifying", size=log.position):
        verified = log.verify()
    print(f"ok: {verified.count} records, head {verified.head[:12]}")
    return 0


def _read_lines(name: str) -> tuple[str, list[str]]:
    if name == "-":
        return "<stdin>", sys.stdin.read().splitlines()
    try:
        return name, Path(name).read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise ChronosError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _append(args: Namespace) -> int:
    log = _open_log(args)
    label, lines = _read_lines(args.file)
    position = log.position
    known = {record.id for record in log.store.read()}
    events: list[Event] = []
    problems: list[str] = []
    # Check every line before writing anything, so each problem names its line.
    with _progress("checking events", size=len(lines), total=len(lines)) as advance:
        for number, line in enumerate(lines, start=1):
            advance()
            if not line.strip():
                continue
            try:
                event = log.codec.loads(line)
                log.validate(event, known_ids=known)
            except ChronosError as exc:
                problems.append(f"{label}:{number}: {exc}")
                continue
            known.add(event.id)
            events.append(event)
    if problems:
        for problem in problems[:MAX_PROBLEMS]:
            _error(problem)
        if len(problems) > MAX_PROBLEMS:
            _error(f"{label}: {len(problems) - MAX_PROBLEMS} more bad lines")
        _error(f"{label}: nothing appended")
        return 1
    with _progress("appending", size=len(events)):
        result = log.append(events, expected_position=position)
    print(
        f"appended {len(result.appended)} events, skipped {len(result.skipped)} already in the log "
        f"(now {result.position} records)"
    )
    return 0


def _timeline(args: Namespace) -> int:
    from chronos import timeline  # matplotlib is slow to import: only this command pays for it

    start, end = args.start.earliest, args.end.latest
    if end < start:
        args.parser.error(f"--from {args.start} is after --to {args.end}")
    _, chronology = _load(args)
    org = _lookup(chronology, args.org, "organisation")
    chart = timeline.build(
        chronology, org.id, start=start, end=end, known_at=args.known_at, policy=args.policy
    )
    timeline.write(chart, args.output)
    bars = sum(len(lane.bars) for lane in chart.lanes)
    print(f"wrote {args.output}: {len(chart.lanes)} lanes, {bars} tenures")
    return 0


# Entry point ------------------------------------------------------------------------------------------


def _error(message: str) -> None:
    print(f"chronos: error: {' '.join(message.split())}", file=sys.stderr)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ChronosError):
        return str(exc)
    if isinstance(exc, OSError):
        reason = exc.strerror or str(exc)
        return f"{exc.filename}: {reason}" if exc.filename else reason
    return f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)"


def _status(exit: SystemExit) -> int:
    return exit.code if isinstance(exit.code, int) else int(exit.code is not None)


def main(argv: list[str] | None = None) -> int:
    """Run the chronos command with ``argv`` (default: the process arguments); return the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        return _status(exc)
    run: Callable[[Namespace], int] = args.run
    try:
        return run(args)
    except SystemExit as exc:  # a usage error found once the arguments were parsed
        return _status(exc)
    except BrokenPipeError:
        # The reader went away (chronos events | head): stop quietly, and keep Python
        # from complaining about the unflushed stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        if args.debug:
            raise
        _error("interrupted")
        return 130
    except Exception as exc:
        if args.debug:
            raise
        _error(_describe(exc))
        return 1


if __name__ == "__main__":
    sys.exit(main())
