"""The command's frame: argument types, the parser, plumbing shared by the commands, and `main`.

Errors are one line on stderr (``chronos: error: ...``) with exit status 1 for
data problems and 2 for usage; ``--debug`` shows the traceback instead. Long
operations show a transient progress bar when stderr is a terminal.

Each group of commands lives in its own module with a ``register(app)``
function; `COMMAND_MODULES` lists them in the order ``--help`` shows them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final, NoReturn, Protocol, TypeVar

from rich.console import Console, RenderableType
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from chronos import __version__
from chronos._fast.gc import paused_gc
from chronos.chronology import Chronology, as_day
from chronos.dates import Day, FuzzyDate, parse_date
from chronos.entities import Entity
from chronos.errors import (
    AmbiguousName,
    ChronosError,
    IntegrityWarning,
    LookupFailed,
    StoreError,
    UsageError,
    shown,
)
from chronos.events import Event
from chronos.log import EventLog
from chronos.output import render
from chronos.projections import Policy

__all__ = ["MAX_PROBLEMS", "PROGRESS_MIN", "App", "build_parser", "main", "outside_log"]

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

The log is given by --log, else $CHRONOS_LOG, else ./events: a directory of
JSON Lines files, a SQLite file (sqlite:///FILE.db) or postgresql://USER@HOST/DB.
Names may be ids, names or any alias, in any case or transliteration. Dates are
ISO days (2022-01-05) or coarser (2022-01, 2016); a coarse date answers
"possible" where it leaves the answer open.

exit status: 0 ok, 1 a data problem (or `check` found errors), 2 a usage error
(including a reversed date range or a policy naming a source the log does not cite).
"""


# Argument types ---------------------------------------------------------------------------------


def _argument(parse: Callable[[str], T]) -> Callable[[str], T]:
    """Wrap a parser so that its `ChronosError` becomes a usage error naming the argument."""

    def convert(text: str) -> T:
        try:
            return parse(text)
        except ChronosError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return convert


date_arg = _argument(parse_date)
_known_at = _argument(lambda text: as_day(parse_date(text)))
_policy = _argument(Policy.parse)


def bounded_date(text: str) -> FuzzyDate:
    date = date_arg(text)
    if Day.min in (date.first, date.last) or Day.max in (date.first, date.last):
        raise argparse.ArgumentTypeError(f"{text!r} has an open end; give a day, a month or a year")
    return date


def output_file(text: str) -> Path:
    path = Path(text)
    if path.suffix.lower() not in TIMELINE_SUFFIXES:
        raise argparse.ArgumentTypeError(f"{text!r}: the file name must end in .svg, .png or .html")
    return path


# The parser -----------------------------------------------------------------------------------------

#: A negative number, or a date of a negative (BCE) year: -0044, -0043-03-15, -004X, -0063/-0060.
_NEGATIVE: Final = re.compile(r"^-\d+$|^-\d*\.\d+$|^-[0-9X]{4}")


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, and which takes BCE dates as values."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # argparse reads "-0044-03-15" as an unknown option unless it looks like a negative number
        # (``--at -0044-03-15``, ``diff board -0063-01-01 -0043``). No option of ours starts with a
        # digit or X, so an astronomical year is always a value. (`_negative_number_matcher` is
        # argparse's own hook for this, set in its __init__ in every version since 3.2.)
        self._negative_number_matcher = _NEGATIVE

    def error(self, message: str) -> NoReturn:
        """Print one line and exit with status 2."""
        self.exit(2, f"chronos: error: {message} (see '{self.prog} --help')\n")


class Register(Protocol):
    """A command module's ``register`` function."""

    def __call__(self, app: App) -> None: ...


class App:
    """The parser being built: command modules add their commands through it."""

    def __init__(self, commands: Any, common: argparse.ArgumentParser):
        self._commands = commands
        self._common = common

    def command(
        self, name: str, summary: str, run: Callable[[Namespace], int], *, epilog: str
    ) -> argparse.ArgumentParser:
        """Add a subcommand whose help shows ``epilog`` (an example) and which runs ``run``."""
        return self.subcommand(self._commands, name, summary, run, epilog=epilog)

    def group(self, parent: argparse.ArgumentParser, *, dest: str) -> Any:
        """Subcommands under ``parent`` (``chronos add person``); add each with `subcommand`."""
        return parent.add_subparsers(dest=dest, metavar=dest.upper(), required=True)

    def subcommand(
        self, group: Any, name: str, summary: str, run: Callable[[Namespace], int], *, epilog: str
    ) -> argparse.ArgumentParser:
        """Add a subcommand to a `group`, as `command` adds one to the top level."""
        sub: argparse.ArgumentParser = group.add_parser(
            name,
            help=summary,
            description=summary,
            epilog=epilog,
            formatter_class=argparse.RawDescriptionHelpFormatter,
            parents=[self._common],
        )
        sub.set_defaults(run=run, parser=sub)
        return sub

    @staticmethod
    def options(
        sub: argparse.ArgumentParser,
        *,
        known: bool = True,
        policy: bool = True,
        fmt: bool = True,
        jsonl: bool = True,
    ) -> None:
        """Add the shared ``--known-at``, ``--policy`` and ``--format`` options.

        ``jsonl`` offers ``--format jsonl`` (one JSON object a line), for answers that are lists.
        """
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
            formats = ("table", "json", "jsonl", "csv") if jsonl else ("table", "json", "csv")
            sub.add_argument("--format", choices=formats, default="table", help="output format")


def build_parser() -> argparse.ArgumentParser:
    """Build the parser of the chronos command and its subcommands."""
    from chronos.cli import COMMAND_MODULES

    parser = _Parser(
        prog="chronos",
        description="Who held which post when, and what was known when: ask an event log.",
        epilog=MAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--log",
        metavar="PATH",
        help="the log: a directory, sqlite:///FILE.db or postgresql://... (default: $CHRONOS_LOG, ./events)",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks instead of one-line errors")
    parser.add_argument("--version", action="version", version=f"chronos {__version__}")
    # The global options are accepted after the command too (chronos roster nsc --at 2016 --log x).
    common = _Parser(add_help=False)
    common.add_argument("--log", metavar="PATH", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    app = App(parser.add_subparsers(dest="command", metavar="COMMAND", required=True), common)
    for module in COMMAND_MODULES:
        module.register(app)
    return parser


# Plumbing -----------------------------------------------------------------------------------------------


def progress_console() -> Console | None:
    """Return a console on stderr for progress bars, or None when stderr is not a terminal."""
    return Console(file=sys.stderr) if sys.stderr.isatty() else None


@contextmanager
def progress(description: str, *, size: int, total: int | None = None) -> Iterator[Callable[[], None]]:
    """Show a transient progress bar (a spinner without ``total``) for work on ``size`` items."""
    console = progress_console() if size >= PROGRESS_MIN else None
    if console is None:
        yield lambda: None
        return
    columns = [SpinnerColumn(), TextColumn("{task.description}")]
    if total is not None:
        columns += [BarColumn(), MofNCompleteColumn()]
    with Progress(*columns, TimeElapsedColumn(), console=console, transient=True) as progress:
        task = progress.add_task(description, total=total)
        yield lambda: progress.advance(task)


def open_log(args: Namespace) -> EventLog:
    """The log named by ``--log``, else ``$CHRONOS_LOG``, else ``./events``: a directory or a URL."""
    location = log_location(args)
    if "://" not in location and location != ":memory:" and not Path(location).exists():
        raise StoreError(
            f"{location}: no such log directory or file (give --log PATH or URL, or set CHRONOS_LOG; "
            f"chronos init {shlex.quote(location)} makes one)"
        )
    return EventLog.open(location)


def log_location(args: Namespace) -> str:
    """Where the log is: ``--log``, else ``$CHRONOS_LOG``, else ``./events``."""
    return str(args.log or os.environ.get("CHRONOS_LOG") or "events")


def load(args: Namespace) -> tuple[EventLog, Chronology]:
    """The log and everything in it up to its head, which is kept as ``args.head`` (see `asked`)."""
    log = open_log(args)
    head = args.head = log.head()
    position = head.position
    events: list[Event] = []
    # As Chronology.from_log does: the collector would rescan the growing heap for nothing.
    with progress("reading the log", size=position, total=position) as advance, paused_gc():
        for recorded in log.read(until=position):
            events.append(recorded.event)
            advance()
    log.check_references(events)
    return log, Chronology(events, log.catalogue, home=log.directory)


def outside_log(log: EventLog, output: str | Path) -> Path:
    """``output`` as a path, refused (`UsageError`) when writing it would overwrite part of the log."""
    path = Path(output).resolve()
    directory = getattr(log.store, "directory", None)
    database = getattr(log.store, "path", None)
    if isinstance(directory, Path) and path.is_relative_to(directory.resolve()):
        raise UsageError(f"{output}: inside the log {directory}; write it somewhere else")
    if isinstance(database, Path):
        base = database.resolve()
        if path in (base, *(base.with_name(base.name + end) for end in ("-wal", "-shm", "-journal"))):
            raise UsageError(f"{output}: that is the log's own database file; write it somewhere else")
    return path


def asked(args: Namespace, chronology: Chronology, command: str, **fields: Any) -> render.Json:
    """The question an answer answers, for JSON and CSV output (see `render.question_json`)."""
    known_at = getattr(args, "known_at", None)
    policy = chronology.policy if getattr(args, "policy", None) is None else args.policy
    return render.question_json(
        command,
        fields,
        known_at=known_at,
        horizon=chronology.horizon(known_at),
        policy=str(policy),
        head=args.head,
    )


def lookup(chronology: Chronology, name: str, kind: str | tuple[str, ...] | None) -> Entity:
    """Find an entity, or raise a `LookupFailed` whose message names the nearest known names."""
    try:
        return chronology.lookup(name, kind=kind)
    except AmbiguousName:
        raise
    except LookupFailed as exc:
        names = ", ".join(f"{chronology.catalogue[s].name} ({s})" for s in exc.suggestions)
        hint = f"; nearest known: {names}" if names else "; no known name is close"
        what = " or ".join((kind,) if isinstance(kind, str) else kind) if kind else "entity"
        raise LookupFailed(f"unknown {what} {shown(name)}{hint}", query=name) from None


#: How wide tables are drawn when the output is not a terminal and $COLUMNS does not say.
PIPED_WIDTH = 120


def console() -> Console:
    """A console on stdout: a terminal's width, else ``$COLUMNS``, else `PIPED_WIDTH`; plain when piped."""
    console = Console(file=sys.stdout, highlight=False, markup=False, emoji=False)
    if not console.is_terminal and not os.environ.get("COLUMNS", "").strip().isdigit():
        console.width = PIPED_WIDTH
    return console


def emit(
    args: Namespace,
    data: Any,
    table: Callable[[], RenderableType],
    rows: Any,
    columns: Columns,
    question: render.Json,
    notes: Sequence[str] = (),
    *,
    items: Any = None,
) -> None:
    """Print ``data`` as JSON, ``items`` (default: ``data``) as JSON Lines, ``rows`` as CSV, or the table.

    ``--format`` chooses. JSON is ``{"question": ..., "answer": data, "notes": [...]}``;
    CSV rows carry the question in ``question_*`` columns; so a saved answer says what
    it answers. JSON Lines is one compact object a line, the items alone (what
    ``append -`` and ``import -`` read back), for answers that are lists.
    """
    if args.format == "json":
        envelope = {"question": question, "answer": data, "notes": list(notes)}
        sys.stdout.write(json.dumps(envelope, indent=2, ensure_ascii=False) + "\n")
    elif args.format == "jsonl":
        sys.stdout.write(render.jsonl_text(data if items is None else items))
    elif args.format == "csv":
        sys.stdout.write(render.csv_text(rows, columns, question=question))
    else:
        console().print(table())


def qualifiers(args: Namespace) -> str:
    parts = []
    if getattr(args, "known_at", None) is not None:
        parts.append(f"as known on {args.known_at}")
    if getattr(args, "policy", None) is not None:
        parts.append(f"policy {args.policy}")
    return f" ({', '.join(parts)})" if parts else ""


# Entry point ------------------------------------------------------------------------------------------


def error(message: str) -> None:
    print(f"chronos: error: {' '.join(message.split())}", file=sys.stderr)


def _warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    """Print a warning as one line, as errors are printed."""
    print(f"chronos: warning: {' '.join(str(message).split())}", file=sys.stderr)


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
    with warnings.catch_warnings():
        # What a reader should know (bytes after the head, stray files) is said, once, in one line.
        warnings.simplefilter("default", IntegrityWarning)
        warnings.showwarning = _warning
        return _run(run, args)


def _run(run: Callable[[Namespace], int], args: Namespace) -> int:
    try:
        return run(args)
    except SystemExit as exc:  # a usage error found once the arguments were parsed
        return _status(exc)
    except UsageError as exc:  # a question that makes no sense as asked (a reversed range, a policy)
        if args.debug:
            raise
        error(str(exc))
        return 2
    except BrokenPipeError:
        # The reader went away (chronos events | head): stop quietly, and keep Python
        # from complaining about the unflushed stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        if args.debug:
            raise
        error("interrupted")
        return 130
    except Exception as exc:
        if args.debug:
            raise
        error(_describe(exc))
        return 1
