"""Parsed catalogues kept in the user's cache directory, keyed by the hash of their text.

Python parses TOML in pure Python: a catalogue of 370,000 entities (a
million-event log) takes over five seconds, on every open. Its JSON form
reads about seven times faster with the standard library, so the first open
of a large catalogue writes the parsed data as JSON under the cache
directory, named by the SHA-256 of the TOML text, and later opens of the same
text read that instead. The name is the check: a changed catalogue has
another hash and is parsed afresh. JSON holds only data, so a cache file can
never run code; one that does not parse is ignored and rewritten.

The directory is ``$CHRONOS_CACHE_DIR``, else ``$XDG_CACHE_HOME/chronos``,
else ``~/.cache/chronos``; ``CHRONOS_CACHE_DIR=off`` turns the cache off.
Small texts are not cached (parsing them costs less than reading a file).

Indexes derived from many strings (the folded names of a catalogue, the words
of its near-match candidates) are kept the same way as bytes (`load_blob`,
`keep_blob`), named by `digest_of` the strings they were built from.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from array import array
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["MIN_CACHED", "cache_dir", "digest_of", "keep_blob", "load_blob", "parsed", "text_digest"]

#: Texts shorter than this (in characters) are parsed every time.
MIN_CACHED = 1_000_000
#: Cache files kept per kind; older ones are removed when a new one is written.
KEEP = 4


def cache_dir() -> Path | None:
    """Where cache files go, or None when the cache is off."""
    configured = os.environ.get("CHRONOS_CACHE_DIR")
    if configured is not None:
        return None if configured.strip().lower() in ("", "off", "0", "no") else Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "chronos"


def text_digest(text: str) -> str:
    """The SHA-256 of a text (UTF-8), which names what the cache keeps for it."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def parsed(kind: str, text: str, parse: Callable[[str], Any], *, digest: str | None = None) -> Any:
    """``parse(text)``, read from the cache when this exact text was parsed before.

    ``digest`` is the text's `text_digest`, when the caller has it already.
    Errors from ``parse`` propagate untouched (nothing is cached). A cache that
    cannot be read or written is passed over silently: it only saves time.
    """
    where = cache_dir()
    if where is None or len(text) < MIN_CACHED:
        return parse(text)
    digest = digest or hashlib.sha256(text.encode("utf-8")).hexdigest()
    path = where / f"{kind}-{digest}.json"
    with contextlib.suppress(OSError, ValueError, RecursionError):
        found = _read(path, digest)
        if found is not _DAMAGED:
            return found
    data = parse(text)
    with contextlib.suppress(OSError, TypeError, ValueError, RecursionError):
        _write(path, data, digest)
        _prune(where, kind, keep=path)
    return data


_DAMAGED: Any = object()


def _read(path: Path, digest: str) -> Any:
    """The data a cache file holds, or `_DAMAGED` when its check line does not match what follows."""
    raw = path.read_bytes()
    header, _, body = raw.partition(b"\n")
    check = json.loads(header)
    if not isinstance(check, dict) or check.get("text") != digest:
        return _DAMAGED
    if check.get("data") != hashlib.sha256(body).hexdigest():
        return _DAMAGED
    return json.loads(body)


def _write(path: Path, data: Any, digest: str) -> None:
    """Write atomically: a reader sees the old file, no file, or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    header = json.dumps({"text": digest, "data": hashlib.sha256(body).hexdigest()}).encode()
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(header + b"\n" + body)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _prune(where: Path, kind: str, *, keep: Path) -> None:
    """Remove all but the `KEEP` most recently written cache files of ``kind``."""
    files = sorted(where.glob(f"{kind}-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[KEEP:]:
        if old != keep:
            with contextlib.suppress(OSError):
                old.unlink()


def digest_of(strings: Sequence[str], *salt: str, numbers: Sequence[int] = ()) -> str:
    """The SHA-256 of a list of strings (their lengths, then their text), of ``salt`` and of ``numbers``.

    Two lists have the same digest only if they are equal: the lengths say where
    each string ends, whatever characters the strings hold.
    """
    digest = hashlib.sha256(repr((salt, len(strings), len(numbers))).encode())
    digest.update(array("Q", numbers).tobytes())
    digest.update(array("Q", map(len, strings)).tobytes())
    digest.update("".join(strings).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def load_blob(kind: str, key: str) -> bytes | None:
    """The bytes `keep_blob` kept under ``kind`` and ``key``, or None (none, damaged, or the cache off)."""
    where = cache_dir()
    if where is None:
        return None
    try:
        raw = (where / f"{kind}-{key}.bin").read_bytes()
    except OSError:
        return None
    check, _, body = raw.partition(b"\n")
    return body if check == hashlib.sha256(body).hexdigest().encode() else None


def keep_blob(kind: str, key: str, data: bytes) -> None:
    """Keep ``data`` under ``kind`` and ``key``, after a line holding its SHA-256 (passed over on errors).

    Written atomically, and the `KEEP_BLOBS` most recent files of a kind are kept.
    """
    where = cache_dir()
    if where is None:
        return
    path = where / f"{kind}-{key}.bin"
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(hashlib.sha256(data).hexdigest().encode() + b"\n")
                out.write(data)
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        files = sorted(where.glob(f"{kind}-*.bin"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[KEEP_BLOBS:]:
            if old != path:
                with contextlib.suppress(OSError):
                    old.unlink()


#: Blob files kept per kind: a catalogue has several near-match indexes (one per kind of entity).
KEEP_BLOBS = 12
