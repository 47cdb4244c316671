"""The command's reference, made from its parser (``docs/cli.md``), and completion scripts for shells.

``chronos reference > docs/cli.md`` writes the reference: every command with
its usage, options and examples, then the declared types of the JSON output
(`chronos.output.render.SCHEMA`). tests/test_reference.py keeps the file equal
to what this writes, so it never falls behind the parser. ``chronos
completion bash`` prints a completion script (made by shtab).
"""

from __future__ import annotations

import argparse
import sys
import types
import typing
from collections.abc import Iterator

from chronos.cli._app import App, Namespace, build_parser
from chronos.errors import MissingDependency
from chronos.output import render

__all__ = ["SHELLS", "reference", "register"]

#: The shells ``chronos completion`` writes scripts for.
SHELLS = ("bash", "zsh", "tcsh")

EPILOG_COMPLETION = """\
examples:
  chronos completion bash > ~/.local/share/bash-completion/completions/chronos
  chronos completion zsh > "${fpath[1]}/_chronos"

Completes commands, options and their choices (formats, kinds, policies are typed by hand)."""

_HEADER = """\
# The `chronos` command

Generated from the command's own parser by `chronos reference > docs/cli.md`;
`tests/test_reference.py` fails when this file and the parser disagree. `chronos COMMAND --help`
shows the same. Shell completion: `chronos completion bash` (or `zsh`, `tcsh`).
"""


EPILOG_REFERENCE = "example:\n  chronos reference > docs/cli.md"


def register(app: App) -> None:
    """Add completion and reference."""
    sub = app.command("completion", "print a shell completion script", _completion, epilog=EPILOG_COMPLETION)
    sub.add_argument("shell", choices=SHELLS, metavar="SHELL", help=f"one of {', '.join(SHELLS)}")
    app.command(
        "reference", "print this reference of every command as Markdown", _reference, epilog=EPILOG_REFERENCE
    )


def _reference(args: Namespace) -> int:
    sys.stdout.write(reference())
    return 0


def _completion(args: Namespace) -> int:
    try:
        import shtab
    except ImportError:  # pragma: no cover - a dependency; only a broken install lacks it
        raise MissingDependency("completion needs shtab: pip install shtab") from None
    sys.stdout.write(shtab.complete(build_parser(), shell=args.shell))
    return 0


# The reference ------------------------------------------------------------------------------------


def reference() -> str:
    """The Markdown reference of every command (and subcommand), then the JSON types."""
    parser = build_parser()
    parts = [_HEADER, _contents(parser), _command(parser, "chronos", level=2)]
    parts += [_command(sub, name, level=3) for name, sub in _commands(parser, "chronos")]
    parts.append(_schema())
    return "\n".join(parts).rstrip() + "\n"


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:  # argparse keeps its subcommands only here
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _commands(parser: argparse.ArgumentParser, prefix: str) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """Every command under ``parser``, depth first: ``chronos roster``, ``chronos add person``, ..."""
    for name, sub in _subparsers(parser).items():
        full = f"{prefix} {name}"
        yield full, sub
        yield from _commands(sub, full)


def _anchor(name: str) -> str:
    return name.replace(" ", "-")


def _contents(parser: argparse.ArgumentParser) -> str:
    lines = ["## Contents", "", "- [Global options](#chronos)"]
    lines += [
        f"- [`{name}`](#{_anchor(name)}): {sub.description}" for name, sub in _commands(parser, "chronos")
    ]
    lines.append("- [JSON output types](#json-output-types)")
    return "\n".join(lines) + "\n"


def _command(parser: argparse.ArgumentParser, name: str, *, level: int) -> str:
    title = "Global options" if name == "chronos" else f"`{name}`"
    lines = [f'{"#" * level} {title} <a id="{_anchor(name)}"></a>', ""]
    if parser.description and name != "chronos":
        lines += [parser.description[0].upper() + parser.description[1:] + ".", ""]
    usage = " ".join(parser.format_usage().split())
    lines += ["```", usage.replace("usage: ", "", 1), "```", ""]
    rows = [_option(action) for action in parser._actions if _shown(action)]
    if rows:
        lines += ["| argument | meaning |", "|---|---|", *rows, ""]
    if parser.epilog:
        lines += ["```", parser.epilog.rstrip(), "```", ""]
    return "\n".join(lines)


def _shown(action: argparse.Action) -> bool:
    return action.help is not argparse.SUPPRESS and not isinstance(
        action, argparse._HelpAction | argparse._SubParsersAction
    )


def _option(action: argparse.Action) -> str:
    if action.option_strings:
        names = ", ".join(action.option_strings)
        takes = action.nargs != 0
        shown = f"{names} {action.metavar or action.dest.upper()}" if takes else names
    else:
        shown = str(action.metavar or action.dest)
    meaning = (action.help or "").replace("|", "\\|")
    if action.choices is not None and not isinstance(action.choices, dict):
        meaning += f" (one of: {', '.join(f'`{c}`' for c in action.choices)})"
    if action.required and action.option_strings:
        meaning += " (required)"
    return f"| `{shown}` | {meaning} |"


# The JSON types -------------------------------------------------------------------------------------


def _schema() -> str:
    lines = [
        '## JSON output types <a id="json-output-types"></a>',
        "",
        '`--format json` prints `{"question": ..., "answer": ..., "notes": [...]}`: what was asked',
        "(with the knowledge date, horizon, policy and the log's head), the answer in one of these",
        "shapes, and sentences about it as a whole. `--format jsonl` prints the answer's items alone, one",
        "a line (`diff` and `history`: the CSV's rows). In Python the shapes are TypedDicts in",
        "`chronos.output.render`.",
        "`null` stands for None; dates are EDTF strings, `*_earliest` and `*_latest` ISO days.",
        "",
        "| command | prints |",
        "|---|---|",
    ]
    lines += [
        f"| `{command}` | {_type_name(types_[0], list_of=command in _LISTS)} |"
        for command, types_ in render.SCHEMA.items()
    ]
    lines.append(
        "| `events` | a list of events in the codec's form (what `append` reads), each with its `id` |"
    )
    lines.append("")
    seen: list[type] = []
    for types_ in render.SCHEMA.values():
        seen += [t for t in types_ if t not in seen]
    for shape in seen:
        lines += _typed_dict(shape)
    return "\n".join(lines)


_LISTS = ("roster", "check", "sources")


def _typed_dict(shape: type) -> list[str]:
    lines = [f"### {shape.__name__}", "", (shape.__doc__ or "").strip(), "", "| field | type |", "|---|---|"]
    for field, hint in typing.get_type_hints(shape).items():
        lines.append(f"| `{field}` | {_type_name(hint)} |")
    return [*lines, ""]


def _type_name(hint: object, *, list_of: bool = False) -> str:
    """A type as the reference writes it: `str`, `null`, ``list of [SeatJson](#seatjson)``, ..."""
    if list_of:
        return f"list of {_type_name(hint)}"
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is type(None):
        return "`null`"
    if origin is typing.Literal:
        return " \\| ".join(f'`"{a}"`' for a in args)
    if origin in (types.UnionType, typing.Union):
        return " \\| ".join(_type_name(a) for a in args)
    if origin is list:
        return f"list of {_type_name(args[0])}"
    if isinstance(hint, type) and typing.is_typeddict(hint):
        return f"[{hint.__name__}](#{hint.__name__.lower()})"
    if isinstance(hint, type):
        return f"`{hint.__name__}`"
    return f"`{hint}`"
