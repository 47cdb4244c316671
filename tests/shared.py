"""Where the third-party texts and fixtures live, and what a test does without them: one home for the rule.

The articles the shipped dataset cites and the published datasets some tests
import are kept outside the repository, in ``../shared`` beside it
(``sources/``, ``fixtures/``), or wherever ``$CHRONOS_SHARED`` points. A test
that needs them says so with ``@pytest.mark.shared("fixtures/sp-ministers")``
(or calls `require`): without them it is skipped, naming what is missing, so a
bare clone passes; under CI (``$CI`` set) it fails instead, so nothing goes
untested there.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

__all__ = ["FIXTURES", "ROOT", "SHARED", "need", "path", "require"]

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CHRONOS_SHARED") or ROOT.parent / "shared")
FIXTURES = SHARED / "fixtures"


def path(*parts: str) -> Path:
    """The path under the shared folder, whether or not it exists (for parametrizing at import)."""
    return SHARED.joinpath(*parts)


def require(*parts: str) -> Path:
    """The path under the shared folder; skips the test without it, or fails it under CI."""
    return need(path(*parts))


def need(found: Path) -> Path:
    """``found``, which must exist: the test is skipped without it, or failed under CI."""
    if not found.exists():
        reason = (
            f"needs {found}, which is missing: the shared sources and fixtures are not beside the "
            "repository (set CHRONOS_SHARED to the folder that holds sources/ and fixtures/)"
        )
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return found
