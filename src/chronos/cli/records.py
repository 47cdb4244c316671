"""The record itself: ``check``, ``verify`` and ``append``."""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path

from chronos.checks import check
from chronos.cli._app import MAX_PROBLEMS, App, Namespace, emit, error, load, open_log, progress
from chronos.errors import ChronosError, RecordError
from chronos.events import Event
from chronos.output import render, tables

EPILOG_CHECK = (
    "example:\n  chronos check --format json > findings.json\n\nExits 1 if any finding is an error."
)
EPILOG_VERIFY = "example:\n  chronos --log events verify\n  ok: 214 records, head 3f1c9a0b2d4e"
EPILOG_APPEND = (
    "example:\n  chronos append new-events.jsonl\n  cat new-events.jsonl | chronos append -\n\n"
    "Each line is one event in the codec's form, e.g.\n"
    '  {"type":"Appointed","person":"karim-massimov","post":"nsc/chairman","occurred":"2016",\n'
    '   "known":"2022-01-08","sources":[{"source":"003.txt","quote":"..."}]}\n'
    "Every line is checked first; one bad line and nothing is written."
)


def register(app: App) -> None:
    """Add check, verify and append."""
    sub = app.command("check", "integrity checks over the whole log", _check, epilog=EPILOG_CHECK)
    app.options(sub, known=False, policy=False)

    app.command("verify", "verify the log's hash chain", _verify, epilog=EPILOG_VERIFY)

    sub = app.command(
        "append", "append events from a JSON Lines file (all or nothing)", _append, epilog=EPILOG_APPEND
    )
    sub.add_argument(
        "file", metavar="FILE", help="a .jsonl file, one event per line, or - for standard input"
    )


def _check(args: Namespace) -> int:
    _, chronology = load(args)
    with progress("checking", size=len(chronology.events)):
        findings = check(chronology)
    data = render.findings_json(findings)
    draw = partial(tables.check_table, data, title=f"Check of {len(chronology.events)} events")
    emit(args, data, draw, data, render.CHECK_COLUMNS)
    return 1 if any(f.severity == "error" for f in findings) else 0


def _verify(args: Namespace) -> int:
    log = open_log(args)
    with progress("verifying", size=log.position):
        verified = log.verify()
    print(verified)
    return 0


def _read_lines(name: str) -> tuple[str, list[str]]:
    label = "<stdin>" if name == "-" else name
    try:
        if name != "-":
            return label, Path(name).read_bytes().decode("utf-8").splitlines()
        # Bytes, decoded strictly: standard input's own decoding would let surrogates through.
        stream = getattr(sys.stdin, "buffer", None)
        if stream is not None:
            return label, stream.read().decode("utf-8").splitlines()
        text = sys.stdin.read()
        text.encode("utf-8")
        return label, text.splitlines()
    except (UnicodeDecodeError, UnicodeEncodeError) as exc:
        raise RecordError(f"{label}: not UTF-8 text ({exc.reason} at position {exc.start})") from None


def _append(args: Namespace) -> int:
    log = open_log(args)
    label, lines = _read_lines(args.file)
    position = log.position
    known = {record.id for record in log.store.read()}
    events: list[Event] = []
    problems: list[str] = []
    # Check every line before writing anything, so each problem names its line.
    with progress("checking events", size=len(lines), total=len(lines)) as advance:
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
            error(problem)
        if len(problems) > MAX_PROBLEMS:
            error(f"{label}: {len(problems) - MAX_PROBLEMS} more bad lines")
        error(f"{label}: nothing appended")
        return 1
    with progress("appending", size=len(events)):
        result = log.append(events, expected_position=position)
    print(
        f"appended {len(result.appended)} events, skipped {len(result.skipped)} already in the log "
        f"(now {result.position} records)"
    )
    return 0
