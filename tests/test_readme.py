"""Every Python and console block of the README runs, and prints what the README says it prints.

A Python block ends with ``# `` lines: what it prints. A console block holds
``$ `` commands, each followed by its output; a ``...`` line stands for any
lines, and a heredoc (``<<'EOF'``) belongs to its command. Console blocks run
in a fresh empty folder (the tutorial starts from nothing) holding a copy of
the repository's ``events/`` and a link to ``examples/``, with ``chronos`` and ``python``
meaning this interpreter and ``$COLUMNS`` set to `WIDTH`. Blocks that read
``../shared`` are skipped without it (and fail under CI, `tests.shared`).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

from tests import shared

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def fenced(language: str) -> list[str]:
    """The README's blocks fenced as ``language``, an indented one (in a list item) dedented."""
    found = re.findall(rf"^( *)```{language}\n(.*?)^\1```", README, re.S | re.M)
    return [textwrap.dedent("".join(f"{line}\n" for line in body.splitlines())) for _, body in found]


BLOCKS = fenced("python")
CONSOLE = fenced("console")
#: The width console blocks' tables are drawn at.
WIDTH = 100


def expected_output(block: str) -> list[str]:
    """The lines after ``# `` that close each example: what it prints."""
    return [line[2:] for line in block.splitlines() if line.startswith("# ")]


def _shared(block: str) -> tuple[str, ...]:
    """The folder under ../shared a block reads (``../shared/fixtures/x/...`` -> fixtures, x), if any."""
    found = re.search(r"\.\./shared/([\w.-]+)/([\w.-]+)/", block)
    if found:
        return found.groups()
    return ("fixtures", "sp-ministers") if "sp-ministers/" in block else ()


def _params(blocks: list[str], name: str) -> list[object]:
    return [
        pytest.param(b, marks=[pytest.mark.shared(*_shared(b))] if _shared(b) else [], id=f"{name}{i}")
        for i, b in enumerate(blocks)
    ]


def steps(block: str) -> list[tuple[str, list[str]]]:
    """The block's commands, each with the lines it should print."""
    found: list[tuple[str, list[str]]] = []
    lines = block.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.startswith("$ "):
            assert found, f"output before any command: {line!r}"
            found[-1][1].append(line)
            continue
        command = line[2:]
        heredoc = re.search(r"<<'(\w+)'", command)
        if heredoc:
            while lines[i] != heredoc.group(1):
                command += "\n" + lines[i]
                i += 1
            command += "\n" + lines[i]
            i += 1
        found.append((command, []))
    return found


def matches(expected: list[str], actual: list[str]) -> bool:
    """True when ``actual`` is ``expected``, a ``...`` line standing for any lines; trailing spaces aside."""
    want = [line.rstrip() for line in expected]
    got = [line.rstrip() for line in actual]
    if not want:
        return not got
    if want[0] == "...":
        return any(matches(want[1:], got[k:]) for k in range(len(got) + 1))
    return bool(got) and got[0] == want[0] and matches(want[1:], got[1:])


def run_console(block: str, folder: Path) -> list[tuple[str, list[str], list[str]]]:
    """Run the block's commands in one shell in ``folder``: each command, what it should print, and did."""
    # A copy of the dataset, so that no example can change the repository's log.
    shutil.copytree(ROOT / "events", folder / "events")
    (folder / "examples").symlink_to(ROOT / "examples")
    fixtures = shared.path("fixtures", "sp-ministers")
    if fixtures.is_dir():
        (folder / "sp-ministers").symlink_to(fixtures)
    marker = f"--- step {uuid.uuid4().hex} ---"
    script = ['chronos() { "$PY" -m chronos "$@"; }', 'python() { "$PY" "$@"; }']
    done = steps(block)
    for command, _ in done:
        script += [f"echo '{marker}'", f"{{\n{command}\n}} 2>&1"]
    paths = [str(Path(p).resolve()) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    env = {
        **os.environ,
        "PY": sys.executable,
        "COLUMNS": str(WIDTH),
        "PYTHONPATH": os.pathsep.join(paths),
        "CHRONOS_LOG": "",
    }
    result = subprocess.run(
        ["bash", "-c", "\n".join(script)], cwd=folder, env=env, capture_output=True, text=True, timeout=300
    )
    outputs = result.stdout.split(marker + "\n")[1:]
    assert len(outputs) == len(done), result.stdout + result.stderr
    return [(command, want, got.splitlines()) for (command, want), got in zip(done, outputs, strict=True)]


class TestReadme:
    """Every Python and console block in the README is a working, checked example."""

    def test_there_are_examples(self) -> None:
        assert len(BLOCKS) >= 8
        assert len(CONSOLE) >= 3

    @pytest.mark.parametrize("block", _params(BLOCKS, "python"))
    def test_block(self, block: str) -> None:
        # The README assumes ../shared beside the clone; $CHRONOS_SHARED may put it elsewhere.
        code = block.replace("../shared/", f"{shared.SHARED}/")
        result = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False, timeout=120
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines() == expected_output(block)

    @pytest.mark.parametrize("block", _params(CONSOLE, "console"))
    def test_console(self, block: str, tmp_path: Path) -> None:
        for command, want, got in run_console(block, tmp_path):
            assert matches(want, got), f"$ {command}\n" + "\n".join(got)

    def test_the_matcher_can_fail(self) -> None:
        assert matches(["a", "...", "d"], ["a", "b", "c", "d"])
        assert not matches(["a", "...", "d"], ["a", "b"])
        assert not matches(["a"], ["a", "b"])
        assert steps("$ cat > x <<'EOF'\nhi\nEOF\n$ echo x\nx\n") == [
            ("cat > x <<'EOF'\nhi\nEOF", []),
            ("echo x", ["x"]),
        ]

    def test_the_contents_list_every_section(self) -> None:
        contents = README.split("## Contents\n", 1)[1].split("\n## ", 1)[0]
        headings = re.findall(r"^##(#?) (.+)$", README, re.M)
        listed = re.findall(r"^ *- \[(.+?)\]\(#", contents, re.M)
        assert listed == [
            title.replace("`", "") if "`" not in title else title
            for _, title in headings
            if title != "Contents"
        ]

    def test_the_quick_start_runs_what_ci_runs(self) -> None:
        ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        command = ci[ci.index("# The README's test command, verbatim:") + 1]
        assert f"    {command}\n" in README
        assert "    pip install chronos-history " in README
