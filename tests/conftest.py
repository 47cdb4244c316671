"""Hypothesis profiles: ``ci`` (thorough; the default when ``$CI`` is set), ``dev`` (the default), ``fast``.

Choose one with ``HYPOTHESIS_PROFILE=fast pytest``.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from tests.shared import require

#: The PostgreSQL server the store tests start for themselves.
pytest_plugins = ["tests.pg"]

# 150 examples a property in CI: the whole suite (with coverage) must stay within CI's 15 minutes
# on a 2-core machine, and 300 took it to the edge once the columnar engine's properties came.
settings.register_profile(
    "ci",
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile(
    "dev",
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "fast",
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests (and the commands they run) never touch the user's cache: they get their own."""
    os.environ["CHRONOS_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(autouse=True, scope="session")
def _no_terminal_size() -> None:
    """Tables are as wide as they are without a terminal: pytest-xdist's workers set COLUMNS=80 and LINES.

    The tests that are about the width set COLUMNS themselves (monkeypatch).
    """
    for name in ("COLUMNS", "LINES"):
        os.environ.pop(name, None)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "shared(*parts): needs ../shared/PARTS (tests/shared.py): skipped without it, failed under CI",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test marked ``shared`` is skipped (or failed, under CI) when what it names is absent."""
    for marker in item.iter_markers("shared"):
        require(*marker.args)
