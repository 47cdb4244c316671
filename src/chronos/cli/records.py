"""The record itself: ``check``, ``verify``, ``head`` and ``append``."""

from __future__ import annotations

import json
import sys
from functools import partial
from pathlib import Path
from typing import Any

from chronos.checks import check
from chronos.cli._app import (
    MAX_PROBLEMS,
    App,
    Namespace,
    asked,
    emit,
    error,
    load,
    open_log,
    outside_log,
    progress,
)
from chronos.codec import loads_strict
from chronos.errors import ChronosError, RecordError, StoreError
from chronos.events import Corrected, Event, Retracted
from chronos.log import EventLog
from chronos.output import render, tables
from chronos.stores.checkpoint import Checkpoint, read_checkpoint_file, read_checkpoints
from chronos.stores.records import Head

EPILOG_CHECK = (
    "example:\n  chronos check --format json > findings.json\n"
    "  chronos check --quotes\n\n"
    "Exits 1 if any finding is an error. --quotes also finds every quote in its source's\n"
    "archived text (chronos add source ... --archive FILE), ignoring whitespace and curly quotes."
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
EPILOG_CHECKPOINT = """example:
  chronos checkpoint heads.jsonl
  recorded position 133, head 833dcd8ee76a (2026-12-01T10:15:00Z) in heads.jsonl; the log still
  holds the 2 earlier
  chronos verify --checkpoint heads.jsonl

Verifies the log, and that it still holds every checkpoint FILE has, then appends
the head it verified to FILE as one JSON line (the form `chronos head --format json`
prints), creating FILE. Nothing is written for a log that does not verify. Keep FILE
outside the log (it is refused inside it), and publish or sign it: a log that later
loses records, or is rewritten with its chain computed again, no longer holds it."""
EPILOG_APPEND = (
    "example:\n  chronos append new-events.jsonl\n  cat new-events.jsonl | chronos append -\n"
    "  chronos --log old events --format jsonl | chronos --log new append -\n\n"
    "Each line is one event in the codec's form, e.g.\n"
    '  {"type":"Appointed","person":"karim-massimov","post":"nsc/chairman","occurred":"2016",\n'
    '   "known":"2022-01-08","sources":[{"source":"003.txt","quote":"..."}]}\n'
    'A JSON array of them, or what chronos events --format json prints, is read too. An "id" field,\n'
    "as chronos events writes it, must match the event's content. Every event is checked\n"
    "first; one bad event and nothing is written."
)


def register(app: App) -> None:
    """Add check, verify, head, checkpoint and append."""
    sub = app.command("check", "integrity checks over the whole log", _check, epilog=EPILOG_CHECK)
    sub.add_argument("--quotes", action="store_true", help="find every quote in its source's archived text")
    sub.add_argument(
        "--archives",
        type=Path,
        metavar="DIR",
        help="with --quotes: find the archived texts in DIR by file name, not where the registry says",
    )
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
        "checkpoint", "verify the log, then record its head in a file", _checkpoint, epilog=EPILOG_CHECKPOINT
    )
    sub.add_argument("file", metavar="FILE", help="the file of checkpoints to check and add to (JSON Lines)")

    sub = app.command(
        "append", "append events from a JSON Lines file (all or nothing)", _append, epilog=EPILOG_APPEND
    )
    sub.add_argument(
        "file", metavar="FILE", help="a .jsonl file, one event per line, or - for standard input"
    )


def _check(args: Namespace) -> int:
    log, chronology = load(args)
    if args.archives is not None and not args.quotes:
        args.parser.error("--archives goes with --quotes")
    with progress("checking", size=len(chronology.events)):
        findings = check(chronology, store=log.store, quotes=args.quotes, archives=args.archives)
    data = render.findings_json(findings)
    draw = partial(tables.check_table, data, title=f"Check of {len(chronology.events)} events")
    emit(args, data, draw, data, render.CHECK_COLUMNS, asked(args, chronology, "check"))
    return 1 if any(f.severity == "error" for f in findings) else 0


def _verify(args: Namespace) -> int:
    checkpoints = []
    if args.checkpoint is not None:
        label, text = _read_text(args.checkpoint)
        lines = text.splitlines()
        checkpoints = read_checkpoints(lines, origin=label)
    log = open_log(args)
    with progress("verifying", size=log.position):
        verified = log.verify(checkpoints=checkpoints)
    held = ""
    if checkpoints:
        last = max(checkpoints, key=lambda c: c.position)
        count = f"the {len(checkpoints)} checkpoints" if len(checkpoints) > 1 else "the checkpoint"
        held = f"; holds {count} of {label} (the latest: position {last.position}, {last.time_text})"
    print(f"{verified}{held}")
    return 0


def _head(args: Namespace) -> int:
    log = open_log(args)
    checkpoint = log.checkpoint()
    print(checkpoint.to_json() if args.format == "json" else checkpoint.to_text())
    return 0


def _checkpoint(args: Namespace) -> int:
    log = open_log(args)
    path = outside_log(log, args.file)
    earlier = (
        read_checkpoint_file(path) if path.is_file() and path.read_text(encoding="utf-8").strip() else []
    )
    with progress("verifying", size=log.position):
        verified = log.verify(checkpoints=earlier)
    # The head that was verified, not the store's head now: an append meanwhile is not vouched for.
    checkpoint = Checkpoint.of(Head(verified.count, verified.head), store=log.checkpoint().store)
    try:
        with path.open("a", encoding="utf-8") as out:
            out.write(checkpoint.to_json() + "\n")
    except OSError as exc:
        raise StoreError(f"{args.file}: cannot write: {exc.strerror}") from None
    held = f"; the log still holds the {len(earlier)} earlier" if earlier else ""
    print(
        f"recorded position {checkpoint.position}, head {checkpoint.hash[:12]} ({checkpoint.time_text}) "
        f"in {args.file}{held}"
    )
    return 0


def _read_text(name: str) -> tuple[str, str]:
    """The text of a file, or of standard input for ``-``, decoded strictly as UTF-8."""
    label = "<stdin>" if name == "-" else name
    try:
        if name != "-":
            return label, Path(name).read_bytes().decode("utf-8")
        # Bytes, decoded strictly: standard input's own decoding would let surrogates through.
        stream = getattr(sys.stdin, "buffer", None)
        if stream is not None:
            return label, stream.read().decode("utf-8")
        text = sys.stdin.read()
        text.encode("utf-8")
        return label, text
    except (UnicodeDecodeError, UnicodeEncodeError) as exc:
        raise RecordError(f"{label}: not UTF-8 text ({exc.reason} at position {exc.start})") from None


def _lines(text: str) -> list[str]:
    """The lines of a JSON Lines text: split at newlines only (a JSON string may hold U+2028 or U+0085)."""
    lines = text.split("\n")
    if lines and not lines[-1]:
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def _items(label: str, text: str) -> list[tuple[str, Any]]:
    """The events' JSON objects, each with where it is (``FILE:LINE``, or ``FILE: event #N`` in an array).

    Read: JSON Lines, a JSON array, or what ``chronos events --format json`` prints
    (``{"question", "answer", "notes"}``, the events in ``answer``).
    """
    if text.lstrip().startswith("{") and "\n" in text.strip():
        try:
            whole = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            whole = None  # JSON Lines: one object a line (read strictly below)
        if isinstance(whole, dict) and isinstance(whole.get("answer"), list):
            return [(f"{label}: event #{n}", item) for n, item in enumerate(whole["answer"], start=1)]
    if text.lstrip().startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise RecordError(
                f"{label}:{exc.lineno}: malformed JSON: {exc.msg} at column {exc.colno}"
            ) from None
        except RecursionError:
            raise RecordError(f"{label}: malformed JSON: nested too deeply") from None
        if not isinstance(data, list):
            raise RecordError(f"{label}: expected a JSON array of events")
        return [(f"{label}: event #{n}", item) for n, item in enumerate(data, start=1)]
    items: list[tuple[str, Any]] = []
    for number, line in enumerate(_lines(text), start=1):
        if not line.strip():
            continue
        try:
            # Strictly: duplicate keys, lone surrogates, huge numbers and deep nesting are refused.
            items.append((f"{label}:{number}", loads_strict(line)))
        except RecordError as exc:
            items.append((f"{label}:{number}", exc))
    return items


def _decode(log: EventLog, item: Any) -> Event:
    """The event an object describes; an ``"id"`` (as `chronos events` writes) must match its content."""
    if isinstance(item, RecordError):
        raise item
    given = item.pop("id", None) if isinstance(item, dict) else None
    event = log.codec.from_dict(item)
    if given is not None and given != event.id:
        raise RecordError(f"id {given!r} does not match the event's content ({event.id!r}): was it edited?")
    return event


def _targets_first(events: list[Event]) -> list[Event]:
    """The events in their order, except that each retraction or correction follows the event it targets."""
    pending = {e.id for e in events}
    done: list[Event] = []
    waiting: dict[str, list[Event]] = {}

    def place(event: Event) -> None:
        done.append(event)
        pending.discard(event.id)
        for follower in waiting.pop(event.id, ()):
            place(follower)

    for event in events:
        target = getattr(event, "target", None)
        if isinstance(event, Retracted | Corrected) and target in pending and target != event.id:
            waiting.setdefault(target, []).append(event)
        else:
            place(event)
    return done


def _append(args: Namespace) -> int:
    log = open_log(args)
    label, text = _read_text(args.file)
    items = _items(label, text)
    position = log.position
    decoded: list[tuple[str, Event]] = []
    problems: list[str] = []
    for where, item in items:
        try:
            decoded.append((where, _decode(log, item)))
        except ChronosError as exc:
            problems.append(f"{where}: {exc}")
    # A retraction or correction may target an event later in the file (`chronos events` lists them
    # by when they happened): it is checked against, and appended after, everything in the file.
    known = {record.id for record in log.store.read()} | {event.id for _, event in decoded}
    events: list[Event] = []
    # Check every event before writing anything, so each problem names its line.
    with progress("checking events", size=len(decoded), total=len(decoded)) as advance:
        for where, event in decoded:
            advance()
            try:
                log.validate(event, known_ids=known)
            except ChronosError as exc:
                problems.append(f"{where}: {exc}")
                continue
            events.append(event)
    if problems:
        for problem in problems[:MAX_PROBLEMS]:
            error(problem)
        if len(problems) > MAX_PROBLEMS:
            error(f"{label}: {len(problems) - MAX_PROBLEMS} more bad lines")
        error(f"{label}: nothing appended")
        return 1
    with progress("appending", size=len(events)):
        result = log.append(_targets_first(events), expected_position=position)
    print(
        f"appended {len(result.appended)} events, skipped {len(result.skipped)} already in the log "
        f"(now {result.position} records)"
    )
    return 0
