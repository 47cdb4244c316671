"""docs/cli.md is the command's parser written out, and the JSON the command prints has its declared types."""

from __future__ import annotations

import json
import subprocess
import sys
import types
import typing
from pathlib import Path
from typing import Any

import pytest

from chronos import cli
from chronos.cli.reference import SHELLS, reference
from chronos.output import render

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "cli.md"
DATASET = ROOT / "events"


def conforms(value: Any, hint: Any, where: str = "$") -> list[str]:
    """Where ``value`` breaks the type ``hint`` (TypedDicts exactly: no key missing, none extra)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is type(None):
        return [] if value is None else [f"{where}: {value!r} is not null"]
    if origin is typing.Literal:
        return [] if value in args else [f"{where}: {value!r} is not one of {args}"]
    if origin in (types.UnionType, typing.Union):
        failures = [conforms(value, a, where) for a in args]
        return [] if any(not f for f in failures) else [f for fs in failures for f in fs]
    if origin is list:
        if not isinstance(value, list):
            return [f"{where}: {value!r} is not a list"]
        return [p for i, item in enumerate(value) for p in conforms(item, args[0], f"{where}[{i}]")]
    if isinstance(hint, type) and typing.is_typeddict(hint):
        if not isinstance(value, dict):
            return [f"{where}: not an object"]
        fields = typing.get_type_hints(hint)
        if set(value) != set(fields):
            return [f"{where}: keys {sorted(set(value) ^ set(fields))} differ from {hint.__name__}"]
        return [p for k, t in fields.items() for p in conforms(value[k], t, f"{where}.{k}")]
    if hint is int:
        return [] if type(value) is int else [f"{where}: {value!r} is not an int"]
    return [] if isinstance(value, hint) else [f"{where}: {value!r} is not {hint.__name__}"]


class TestReference:
    """The reference in docs/ is what the parser says, so it cannot fall behind."""

    def test_docs_cli_md_is_current(self) -> None:
        assert DOCS.read_text(encoding="utf-8") == reference(), (
            "docs/cli.md is out of date: run `chronos reference > docs/cli.md`"
        )

    def test_every_command_and_option_is_there(self) -> None:
        text = reference()
        for command in ("roster", "add person", "add source", "sources", "completion", "import", "check"):
            assert f"### `chronos {command}`" in text
        for option in ("`--known-at DATE`", "`--format FORMAT`", "`--quotes`", "`--archive FILE`"):
            assert option in text
        assert "### SeatJson" in text

    def test_the_command_prints_it(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert cli.main(["reference"]) == 0
        assert capsys.readouterr().out == reference()


class TestCompletion:
    """``chronos completion SHELL`` prints a script that knows the commands."""

    @pytest.mark.parametrize("shell", SHELLS)
    def test_scripts(self, capsys: pytest.CaptureFixture[str], shell: str) -> None:
        assert cli.main(["completion", shell]) == 0
        script = capsys.readouterr().out
        for word in ("roster", "sources", "known-at"):
            assert word in script

    def test_bash_accepts_the_script(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        cli.main(["completion", "bash"])
        script = tmp_path / "chronos.bash"
        script.write_text(capsys.readouterr().out, encoding="utf-8")
        result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stderr


#: (arguments, the declared type of what --format json prints)
OUTPUTS: list[tuple[tuple[str, ...], Any]] = [
    (("roster", "nsc", "--at", "2022-01-05"), list[render.SeatJson]),
    (("roster", "nsc", "--at", "2016", "--policy", "earliest"), list[render.SeatJson]),
    (("diff", "nsc", "2021-12-31", "2022-02-16"), render.DiffJson),
    (("history", "Massimov"), render.HistoryJson),
    (("history", "nsc/chairman"), render.SuccessionJson),
    (("name", "nur-sultan", "--at", "2019"), render.NameJson),
    (("check",), list[render.FindingJson]),
    (("sources",), list[render.RegisteredJson]),
]


class TestDeclaredTypes:
    """What ``--format json`` prints on the shipped dataset has exactly the declared types."""

    @pytest.mark.parametrize(("argv", "hint"), OUTPUTS, ids=[" ".join(a[:2]) for a, _ in OUTPUTS])
    def test_output_conforms(
        self, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], hint: Any
    ) -> None:
        assert cli.main(["--log", str(DATASET), *argv, "--format", "json"]) in (0, 1)
        envelope = json.loads(capsys.readouterr().out)
        assert set(envelope) == {"question", "answer", "notes"}
        assert conforms(envelope["answer"], hint) == []

    def test_the_checker_can_fail(self) -> None:
        seat = {"org_id": "nsc"}
        assert conforms(seat, render.SeatJson)
        assert conforms(
            {"part": "middle", "date": "", "cause": "", "event": "", "chosen": True}, render.AlternativeJson
        )
        assert conforms([1], list[str]) == ["$[0]: 1 is not str"]

    def test_every_declared_type_is_documented(self) -> None:
        text = reference()
        declared = {t.__name__ for ts in render.SCHEMA.values() for t in ts}
        assert {name for name in declared if f"### {name}" in text} == declared
        assert sys.modules["chronos.output.render"] is render
