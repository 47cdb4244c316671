"""Writing files so that a crash never leaves half of a change: unique temporaries, fsync, rename.

The JSON Lines store writes everything it keeps through these: a whole file is
replaced atomically (`replace_file`), appended bytes are written in full
(`write_all`) and fsynced, and the directory is fsynced after a rename.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path
from typing import Final

from chronos.errors import StoreError

#: The process's umask, read once (setting it is the only way to read it).
_UMASK: Final = os.umask(0o022)
os.umask(_UMASK)


def write_failed(name: str, exc: OSError, *, what: str = "appended") -> StoreError:
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        reason = f"{reason} (the disk is full)"
    elif exc.errno == errno.EFBIG:
        reason = f"{reason} (a file-size limit)"
    return StoreError(f"{name}: cannot write: {reason}; nothing was {what}, the log is as it was")


def temporary_file(directory: Path, name: str, data: bytes) -> str:
    """Write ``data`` to a new, uniquely named file beside ``name`` and fsync it; return its path.

    The file gets the mode of the one it will replace, or the usual one for a new file (mkstemp's
    own is private to the owner). Raises `OSError`, leaving nothing behind.
    """
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".tmp")
    try:
        try:
            mode = (directory / name).stat().st_mode & 0o777
        except FileNotFoundError:
            mode = 0o666 & ~_UMASK
        os.fchmod(fd, mode)
        write_all(fd, data)
        os.fsync(fd)
    except OSError:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    os.close(fd)
    return temporary


def replace_file(directory: Path, name: str, data: bytes) -> None:
    """Replace ``directory / name`` by ``data`` atomically: a unique temporary file, fsync, rename, fsync.

    Raises `OSError` (the temporary file removed) for the caller to undo what came before it.
    """
    temporary = temporary_file(directory, name, data)
    try:
        os.replace(temporary, directory / name)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    fsync_path(directory)


def line_before(path: Path, size: int) -> tuple[bytes | None, int]:
    """The complete line ending at byte ``size`` of ``path`` (None when ``size`` is not a line's end).

    Reads backwards in growing chunks, so it costs one small read for the usual line.
    """
    with path.open("rb") as handle:
        chunk = 4096
        while True:
            start = max(0, size - chunk)
            handle.seek(start)
            data = handle.read(size - start)
            if not data.endswith(b"\n"):
                return None, 0
            cut = data.rfind(b"\n", 0, len(data) - 1)
            if cut >= 0:
                return data[cut + 1 :], 0
            if start == 0:
                return data, 1
            chunk *= 4


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
