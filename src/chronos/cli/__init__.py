"""The chronos command: parses arguments, asks the library, prints what `chronos.output.render` makes of it.

`chronos.cli._app` holds the frame (parser, plumbing, `main`); each other module
adds a group of commands through its ``register(app)``.
"""

from __future__ import annotations

from chronos.cli import catalogue, charts, init, interop, queries, records, reference, stores, tables
from chronos.cli._app import MAX_PROBLEMS, PROGRESS_MIN, App, build_parser, main

__all__ = ["COMMAND_MODULES", "MAX_PROBLEMS", "PROGRESS_MIN", "App", "build_parser", "main"]

#: The modules whose commands the parser offers, in ``--help`` order.
COMMAND_MODULES = (queries, records, init, catalogue, charts, stores, tables, interop, reference)
