"""The README's Python examples run, and print what the README says they print."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests import shared

ROOT = Path(__file__).resolve().parent.parent
BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)


def expected_output(block: str) -> list[str]:
    """The lines after ``# `` that close each example: what it prints."""
    return [line[2:] for line in block.splitlines() if line.startswith("# ")]


def _shared(block: str) -> tuple[str, ...]:
    """The folder under ../shared a block reads (``../shared/fixtures/x/...`` -> fixtures, x), if any."""
    found = re.search(r"\.\./shared/([\w.-]+)/([\w.-]+)/", block)
    return found.groups() if found else ()


class TestReadme:
    """Every Python block in the README is a working, checked example."""

    def test_there_are_examples(self) -> None:
        assert len(BLOCKS) >= 8

    @pytest.mark.parametrize(
        "block",
        [
            pytest.param(b, marks=[pytest.mark.shared(*_shared(b))] if _shared(b) else [], id=f"block{i}")
            for i, b in enumerate(BLOCKS)
        ],
    )
    def test_block(self, block: str) -> None:
        # The README assumes ../shared beside the clone; $CHRONOS_SHARED may put it elsewhere.
        code = block.replace("../shared/", f"{shared.SHARED}/")
        result = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False, timeout=120
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines() == expected_output(block)
