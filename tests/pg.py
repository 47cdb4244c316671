"""A PostgreSQL server for the tests, started by the tests themselves (a pytest plugin; see conftest).

The first test that needs PostgreSQL starts one server for the whole session,
and every test gets a fresh schema in it (`fresh_url`). Where the server comes from,
by ``$CHRONOS_TEST_POSTGRES``:

- unset or ``auto``: the ``pgserver`` package (PyPI, in the ``test`` extra), which
  ships PostgreSQL's binaries and starts a server in a temporary directory in
  about a second; failing that, the system's PostgreSQL (Debian's ``postgresql``
  package: ``initdb`` and ``pg_ctl`` on ``$PATH`` or in ``/usr/lib/postgresql/*/bin``),
  initialised in a temporary directory, run as ``nobody`` when we are root;
- ``pgserver`` or ``system``: only that one;
- a ``postgresql://`` URL: a server you run yourself (its tables go in throwaway schemas).

When no server starts, the PostgreSQL tests fail under CI (``$CI`` set) and
are skipped elsewhere, naming the reason.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

__all__ = ["fresh_url", "server_url"]

_started: dict[str, str] = {}
_failed: list[str] = []
_stops: list[Callable[[], None]] = []


def server_url() -> str:
    """The URL of the session's server, started on first use; fails (CI) or skips the test without one."""
    if not _started and not _failed:
        try:
            _started["url"] = _start()
        except Exception as exc:
            _failed.append(f"no PostgreSQL server for the tests: {exc}")
    if _failed:
        if os.environ.get("CI"):
            pytest.fail(_failed[0], pytrace=False)
        pytest.skip(_failed[0])
    return _started["url"]


def fresh_url() -> str:
    """The server's URL with a new, empty schema of its own (``?schema=t_...``)."""
    url = server_url()
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}schema=t_{uuid.uuid4().hex[:16]}"


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop the server at the end of the session."""
    while _stops:
        _stops.pop()()


def _start() -> str:
    choice = os.environ.get("CHRONOS_TEST_POSTGRES", "auto")
    if "://" in choice:
        return choice
    errors: list[str] = []
    starters = {"pgserver": _start_pgserver, "system": _start_system}
    for name in ("pgserver", "system") if choice == "auto" else (choice,):
        if name not in starters:
            raise ValueError(f"$CHRONOS_TEST_POSTGRES={choice!r}: give auto, pgserver, system or a URL")
        try:
            return starters[name]()
        except Exception as exc:
            errors.append(f"{name}: {' '.join(str(exc).split())[:300]}")
    raise RuntimeError("; ".join(errors))


def _start_pgserver() -> str:
    directory = tempfile.mkdtemp(prefix="chronos-pg-")
    with warnings.catch_warnings():
        # platformdirs warns that $XDG_RUNTIME_DIR is unset (and falls back to /tmp).
        warnings.simplefilter("ignore")
        import pgserver

        server = pgserver.get_server(directory, cleanup_mode="delete")  # type: ignore[attr-defined]
    _stops.append(server.cleanup)
    return str(server.get_uri())


def _binaries() -> Path:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not candidates:
        raise FileNotFoundError(
            "no initdb on $PATH or in /usr/lib/postgresql/*/bin (apt-get install postgresql)"
        )
    return Path(candidates[-1]).parent


def _start_system() -> str:
    bin_dir = _binaries()
    root = Path(tempfile.mkdtemp(prefix="chronos-pg-"))
    user: str | None = None
    if os.geteuid() == 0:
        # PostgreSQL refuses to run as root.
        user = "nobody"
        entry = pwd.getpwnam(user)
        os.chown(root, entry.pw_uid, entry.pw_gid)

    def run(*argv: str) -> None:
        result = subprocess.run(argv, user=user, capture_output=True, text=True, timeout=120, check=False)
        if result.returncode != 0:
            raise RuntimeError(
                f"{Path(argv[0]).name} failed: {result.stderr.strip() or result.stdout.strip()}"
            )

    data = root / "data"
    run(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
    options = f"-c listen_addresses='' -k {root} -c fsync=off"
    run(
        str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"), "-w", "-o", options, "start"
    )

    def stop() -> None:
        subprocess.run(
            [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            user=user,
            capture_output=True,
            check=False,
            timeout=60,
        )
        shutil.rmtree(root, ignore_errors=True)

    _stops.append(stop)
    return f"postgresql://postgres@/postgres?host={root}"
