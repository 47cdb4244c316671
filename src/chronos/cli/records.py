"""The record itself: ``check``, ``verify``, ``head`` and ``append``."""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path

from chronos.checks import check
from chronos.cli._app import MAX_PROBLEMS, App, Namespace, emit, error, load, open_log, progress
from chronos.errors import ChronosError, RecordError
from chronos.events import Event
from chronos.output import render, tables
from chronos.stores.checkpoint import read_checkpoints

EPILOG_CHECK = (
    "example:\n  chronos check --format json > findings.json\n\nExits 1 if any finding is an error."
)
EPILOG_VERIFY = """\
examples:
  chronos --log events verify
  ok: 214 records, head 3f1c9a0b2d4e
  chronos verify --checkpoint heads.jsonl
  ok: 214 records, head 3f1c9a0b2d4e; holds the 3 checkpoints of heads.jsonl
  (the latest: position 214, 2026-01-05T10:15:00Z)

Checks every record's hash and the chain, the head, and (SQLite, PostgreSQL) the
triggers that refuse UPDATE and DELETE. With --checkpoint, also that the log still
holds each head published earlier (`chronos head`): a history rewritten since,
even with the whole chain computed again, fails. Exits 1 on any failure."""
EPILOG_HEAD = """\
examples:
  chronos head
  79 eaf260f9c01d...(64 hex digits) 2026-01-05T10:15:00Z
  chronos head --format json >> heads.jsonl
  ssh-keygen -Y sign -f ~/.ssh/id_ed25519 -n chronos heads.jsonl

Prints the log's position, head hash and the time (UTC) as one line to publish or
sign; --format json gives the checkpoint form that `verify --checkpoint` reads
(see chronos.stores.checkpoint). Run `chronos verify` first: a head is only worth
publishing for a log that verifies."""
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

    sub = app.command("verify", "verify the log's hash chain", _verify, epilog=EPILOG_VERIFY)
    sub.add_argument(
        "--checkpoint",
        metavar="FILE",
        help="also check against the heads published earlier in FILE (one per line; - for stdin)",
    )

    sub = app.command("head", "print the log's head, to publish or sign", _head, epilog=EPILOG_HEAD)
    sub.add_argument("--format", choices=("text", "json"), default="text", help="output format")

    sub = app.command(
        "append", "append events from a JSON Lines file (all or nothing)", _append, epilog=EPILOG_APPEND
    )
    sub.add_argument(
        "file", metavar="FILE", help="a .jsonl file, one event per line, or - for standard input"
    )


def _check(args: Namespace) -> int:
    log, chronology = load(args)
    with progress("checking", size=len(chronology.events)):
        findings = check(chronology, store=log.store)
    data = render.findings_json(findings)
    draw = partial(tables.check_table, data, title=f"Check of {len(chronology.events)} events")
    emit(args, data, draw, data, render.CHECK_COLUMNS)
    return 1 if any(f.severity == "error" for f in findings) else 0


def _verify(args: Namespace) -> int:
    checkpoints = []
    if args.checkpoint is not None:
        label, lines = _read_lines(args.checkpoint)
        checkpoints = read_checkpoints(lines, origin=label)
    log = open_log(args)
    with progress("verifying", size=log.position):
        verified = log.verify(checkpoints=checkpoints)
    held = ""
    if checkpoints:
        last = max(checkpoints, key=lambda c: c.position)
        count = f"the {len(checkpoints)} checkpoints" if len(checkpoints) > 1 else "the checkpoint"
        held = f"; holds {count} of {label} (the latest: position {last.position}, {last.time_text})"
    print(f"ok: {verified.count} records, head {verified.head[:12]}{held}")
    return 0


def _head(args: Namespace) -> int:
    log = open_log(args)
    checkpoint = log.checkpoint()
    print(checkpoint.to_json() if args.format == "json" else checkpoint.to_text())
    return 0


def _read_lines(name: str) -> tuple[str, list[str]]:
    if name == "-":
        return "<stdin>", sys.stdin.read().splitlines()
    try:
        return name, Path(name).read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise RecordError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


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
