"""Where the tests find the shared third-party fixtures: ``$CHRONOS_SHARED``, else ``../shared``.

A test that needs them calls `need`: it skips with the reason when the folder
is missing, and fails instead when ``$CI`` is set (CI must run every test).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CHRONOS_SHARED") or ROOT.parent / "shared")
FIXTURES = SHARED / "fixtures"


def need(path: Path) -> Path:
    """``path``, or skip (fail under CI) when it does not exist."""
    if not path.exists():
        message = f"{path} is missing: the shared fixtures live in $CHRONOS_SHARED or ../shared"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path
