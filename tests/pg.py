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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import pytest

__all__ = ["as_role", "fresh_url", "login_role", "replica", "server_url", "superuser"]

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


def as_role(url: str, role: str) -> str:
    """``url`` with ``role`` as its user, and no password (the test server trusts local connections)."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(
        (parts.scheme, f"{quote(role, safe='')}@{host}", parts.path, parts.query, parts.fragment)
    )


def superuser() -> Any:
    """A new autocommit connection to the server as the superuser that started it (psycopg)."""
    import psycopg

    from chronos.stores._pgurl import split_url as _split

    return psycopg.connect(_split(server_url())[0], autocommit=True)


def login_role(*, member_of: tuple[str, ...] = (), options: str = "") -> str:
    """A new role that may log in, with a unique name, in the roles ``member_of``; its name.

    ``options`` are more role options (``CREATEROLE``). Skips (fails under CI)
    when the server does not let it in without a password.
    """
    import psycopg
    from psycopg import sql

    name = f"u_{uuid.uuid4().hex[:12]}"
    with superuser() as db:
        db.execute(sql.SQL("CREATE ROLE {} LOGIN " + options).format(sql.Identifier(name)))
        for group in member_of:
            db.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), sql.Identifier(name)))
    try:
        psycopg.connect(_conninfo(as_role(server_url(), name))).close()
    except psycopg.OperationalError as exc:
        reason = f"the test server does not let a new role {name!r} in: {' '.join(str(exc).split())[:200]}"
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return name


@contextmanager
def replica() -> Iterator[tuple[str, str]]:
    """A primary server of its own and a hot standby streaming from it: their URLs, then both stopped.

    Made with the ``pgserver`` package's binaries (``pg_basebackup -R``); fails
    under CI and skips elsewhere without it.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from pgserver._commands import POSTGRES_BIN_PATH
            from pgserver.postgres_server import get_server
    except ImportError as exc:
        reason = f"no pgserver to start a primary and a standby: {exc}"
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    primary = get_server(tempfile.mkdtemp(prefix="chronos-primary-"), cleanup_mode="delete")
    standby = None
    try:
        url = str(primary.get_uri())
        data = Path(tempfile.mkdtemp(prefix="chronos-standby-"))
        data.rmdir()
        subprocess.run(
            [
                str(POSTGRES_BIN_PATH / "pg_basebackup"),
                *("-d", _conninfo(url), "-D", str(data)),
                *("-R", "-X", "fetch", "-c", "fast", "-N"),
            ],
            user=primary.system_user,
            capture_output=True,
            check=True,
            timeout=120,
        )
        # The copy took the primary's socket lock, log and process list (pgserver's) along.
        for path in data.iterdir():
            if path.name.endswith(".lock") or path.name in ("log", "postmaster.opts", ".handle_pids.json"):
                path.unlink()
        standby = get_server(data, cleanup_mode="delete")
        yield url, str(standby.get_uri())
    finally:
        if standby is not None:
            standby.cleanup()
        primary.cleanup()


def _conninfo(url: str) -> str:
    from chronos.stores._pgurl import split_url as _split

    return _split(url)[0]


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
