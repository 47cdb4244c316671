"""The exceptions chronos raises, all under one root.

    ChronosError                    anything chronos raises on purpose
    ├── UsageError                  a question that makes no sense as asked (a reversed
    │   │                           range, an unknown policy, format or source)
    │   └── DateError               a date that does not parse or is impossible
    ├── LookupFailed                a name or id matching no entity (with suggestions)
    │   └── AmbiguousName           a name matching several entities
    ├── CatalogueError              a bad entity catalogue (duplicate id, bad reference)
    ├── RecordError                 a bad stored or submitted record
    │   ├── InvalidEvent            an event whose fields break its type's rules
    │   ├── UnknownEventType        a type tag with no event class
    │   └── UnknownReference        an event naming an entity or event that does not exist
    ├── StoreError                  a store that cannot be opened, reached or written
    ├── MissingDependency           an optional extra that is not installed (also ImportError)
    ├── ConcurrencyError            an append whose expected position is stale
    └── IntegrityError              a log that fails verification (edited, removed,
                                    reordered or truncated records)

    IntegrityWarning (a UserWarning) what a reader should know but need not stop for: bytes
                                    after the head, stray files, a log without HEAD

Callers catch a leaf (or a branch) and never parse messages. `did_you_mean` is the
one place near-match hints are worded.

Every message names the offending value and, for data, where it came from
(``file:line``), so the command line can print it as one line.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "AmbiguousName",
    "CatalogueError",
    "ChronosError",
    "ConcurrencyError",
    "DateError",
    "IntegrityError",
    "IntegrityWarning",
    "InvalidEvent",
    "LookupFailed",
    "MissingDependency",
    "RecordError",
    "StoreError",
    "UnknownEventType",
    "UnknownReference",
    "UsageError",
    "did_you_mean",
    "shown",
]


def did_you_mean(near: Iterable[str]) -> str:
    """The hint appended to an error naming an unknown value: `` (did you mean 'a', 'b'?)``, or ``""``."""
    names = list(near)
    return f" (did you mean {', '.join(repr(n) for n in names)}?)" if names else ""


def shown(value: object, limit: int = 80) -> str:
    """``repr(value)``, cut to about ``limit`` characters: error messages never echo a huge value."""
    text = repr(value)
    if len(text) <= limit:
        return text
    return f"{text[: limit - 20]}...{text[-12:]} ({len(text):,} characters)"


class ChronosError(Exception):
    """Root of every error chronos raises on purpose."""


class UsageError(ChronosError, ValueError):
    """A question or argument that makes no sense as asked (a reversed range, an unknown option)."""


class DateError(UsageError):
    """A date that does not parse, or names an impossible day."""


class LookupFailed(ChronosError, KeyError):
    """No entity has this id, name or alias.

    ``suggestions`` holds the nearest known names, best first.
    """

    def __init__(self, message: str, *, query: str = "", suggestions: tuple[str, ...] = ()):
        super().__init__(message)
        self.query = query
        self.suggestions = suggestions

    def __str__(self) -> str:
        # KeyError quotes its argument; we want the plain sentence.
        return str(self.args[0])


class AmbiguousName(LookupFailed):
    """A name that several entities share; ``suggestions`` lists their ids."""


class CatalogueError(ChronosError, ValueError):
    """An entity catalogue that is inconsistent or malformed."""


class RecordError(ChronosError, ValueError):
    """A stored or submitted record that cannot be read or accepted."""


class InvalidEvent(RecordError):
    """An event whose fields break its type's rules (a wrong type, an empty required text)."""


class UnknownEventType(RecordError):
    """A record whose type tag names no known event class."""


class UnknownReference(RecordError):
    """An event naming an entity, or targeting an event, that does not exist."""


class StoreError(ChronosError):
    """A store that cannot be opened, reached or written (the data in it may be fine)."""


class MissingDependency(ChronosError, ImportError):
    """An optional extra that is not installed; the message says what to install."""


class ConcurrencyError(ChronosError):
    """An append whose ``expected_position`` is not the log's position; nothing was written."""

    def __init__(self, message: str, *, expected: int, actual: int):
        super().__init__(message)
        self.expected = expected
        self.actual = actual


class IntegrityError(ChronosError):
    """A log whose records fail verification; ``position`` is the first bad record, when known."""

    def __init__(self, message: str, *, position: int | None = None):
        super().__init__(message)
        self.position = position


class IntegrityWarning(UserWarning):
    """Something about a log that a reader should know but that does not stop it being read.

    Bytes after the acknowledged head (an interrupted append), files named
    like segments that are not the log's, a directory without ``HEAD``. The
    command line prints each as one ``chronos: warning: ...`` line; ``chronos
    verify`` fails on the ones that matter.
    """
