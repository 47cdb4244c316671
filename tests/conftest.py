"""Hypothesis profiles: ``ci`` (thorough; the default when ``$CI`` is set), ``dev`` (the default), ``fast``.

Choose one with ``HYPOTHESIS_PROFILE=fast pytest``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

#: The PostgreSQL server the store tests start for themselves.
pytest_plugins = ["tests.pg"]

settings.register_profile(
    "ci",
    max_examples=300,
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
