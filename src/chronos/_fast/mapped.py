"""Indexes kept in the cache as memory-mapped files: opened in microseconds, read only where asked.

A kept index (`chronos._fast.cache`) read as bytes costs its whole size on
every process: at a million persons, tens of megabytes read, checked and
split into Python strings before the first answer. A mapped file is instead
a header line of JSON naming its sections (offset, length, item type), then
the sections, each starting on an 8-byte boundary: flat arrays of integers
(`memoryview.cast`, no copy) and lists of strings (`Strings`: the UTF-8
text and the offsets of each string), all read through ``mmap``, so that a
lookup touches only the pages it needs.

Files are written atomically (a reader sees the old file, none, or the whole
new one) and named by a digest of what they were built from, as the other
cache files are. A file is used only when its header says this format, this
machine's byte order and item sizes, and sections that lie inside the file
(its size is in the header): a file cut short or of another build is passed
over. Its bytes are not hashed on opening (that would read them all, the
cost this avoids); every section is checked against its neighbours' bounds.
"""

from __future__ import annotations

import contextlib
import json
import mmap
import os
import sys
import tempfile
from array import array
from collections.abc import Iterator, Mapping, Sequence
from itertools import accumulate, repeat
from operator import add
from typing import overload

from chronos._fast import cache

__all__ = ["Mapped", "Strings", "keep", "kept", "strings_section"]

_FORMAT = "chronos-mapped-1"
_ALIGN = 8
#: Item types of the integer sections.
OFFSETS = "Q"
POSITIONS = "I" if array("I").itemsize == 4 else "L"


class Strings(Sequence[str]):
    """A list of strings over UTF-8 text and the offset where each starts (and the last ends)."""

    def __init__(self, text: memoryview | bytes, offsets: Sequence[int], *, lines: bool):
        self._text = text
        self._offsets = offsets
        #: Whether no string holds a line break (the text is then the strings a line each).
        self._lines = lines
        self._all: list[str] | None = None

    def __len__(self) -> int:
        return len(self._offsets) - 1

    @overload
    def __getitem__(self, at: int) -> str: ...

    @overload
    def __getitem__(self, at: slice) -> list[str]: ...

    def __getitem__(self, at: int | slice) -> str | list[str]:
        if isinstance(at, slice):
            return [self[i] for i in range(*at.indices(len(self)))]
        if self._all is not None:
            return self._all[at]
        if at < 0:
            at += len(self)
        if not 0 <= at < len(self):
            raise IndexError(at)
        # Each string is followed by a line break, which is not part of it.
        end = self._offsets[at + 1] - 1
        return bytes(self._text[self._offsets[at] : end]).decode("utf-8", "surrogatepass")

    def __iter__(self) -> Iterator[str]:
        return iter(self.listed())

    def listed(self) -> list[str]:
        """Every string as a list (made once, in one decoding when no string holds a line break)."""
        if self._all is None:
            if self._lines and len(self):
                end = self._offsets[len(self)]
                text = bytes(self._text[: max(0, end - 1)]).decode("utf-8", "surrogatepass")
                self._all = text.split("\n")
            else:
                self._all = [self[i] for i in range(len(self))]
        return self._all


def strings_section(strings: Sequence[str]) -> tuple[bytes, array[int], bool]:
    """The text, offsets and line flag `Strings` reads: each string followed by a line break."""
    if not strings:
        return b"", array(OFFSETS, [0]), True
    text = "\n".join(strings)
    lines = text.count("\n") == len(strings) - 1
    data = (text + "\n").encode("utf-8", "surrogatepass")
    # Each string's length in bytes, and one for its line break: by C loops when the text is ASCII.
    sizes = (
        map(len, strings) if data.isascii() else (len(s.encode("utf-8", "surrogatepass")) for s in strings)
    )
    offsets = array(OFFSETS, accumulate(map(add, sizes, repeat(1)), initial=0))
    return data, offsets, lines


class Mapped:
    """An open mapped file: its sections by name."""

    def __init__(self, memory: mmap.mmap, header: Mapping[str, object], body: int):
        self._memory = memory
        self._view = memoryview(memory)
        self._header = header
        self._body = body

    def ints(self, name: str) -> memoryview:
        """An integer section (`OFFSETS` or `POSITIONS` items), without copying."""
        start, length, code = self._where(name)
        ints: memoryview = self._view[start : start + length].cast(code)  # type: ignore[call-overload]
        return ints

    def raw(self, name: str) -> memoryview:
        """A section's bytes, without copying."""
        start, length, _ = self._where(name)
        return self._view[start : start + length]

    def strings(self, name: str) -> Strings:
        """A `Strings` section (kept by `keep` from a list of strings)."""
        offsets = self.ints(f"{name}.offsets")
        text = self.raw(name)
        if len(offsets) == 0 or offsets[0] != 0 or offsets[len(offsets) - 1] != len(text):
            raise ValueError(f"section {name}: offsets past its text")
        lines = self._header.get("lines", {})
        return Strings(text, offsets, lines=bool(isinstance(lines, dict) and lines.get(name)))

    def _where(self, name: str) -> tuple[int, int, str]:
        sections = self._header["sections"]
        assert isinstance(sections, dict)
        start, length, code = sections[name]
        return self._body + start, length, code


def keep(kind: str, key: str, sections: Mapping[str, bytes | array[int] | Sequence[str]]) -> None:
    """Write a mapped file of ``sections`` under ``kind`` and ``key`` (passed over on errors).

    Bytes and integer arrays are kept as they are; a list of strings becomes
    a `Strings` section (its text, and ``NAME.offsets``).
    """
    where = cache.cache_dir()
    if where is None:
        return
    parts: list[tuple[str, bytes, str]] = []
    lines: dict[str, bool] = {}
    for name, value in sections.items():
        if isinstance(value, bytes):
            parts.append((name, value, "B"))
        elif isinstance(value, array):
            parts.append((name, value.tobytes(), value.typecode))
        else:
            text, offsets, lines[name] = strings_section(value)
            parts += [(name, text, "B"), (f"{name}.offsets", offsets.tobytes(), OFFSETS)]
    table: dict[str, list[object]] = {}
    at = 0
    for name, data, code in parts:
        table[name] = [at, len(data), code]
        at += len(data) + (-len(data)) % _ALIGN
    header = {
        "format": _FORMAT,
        "byteorder": sys.byteorder,
        "sizes": _sizes(),
        "sections": table,
        "lines": lines,
        "size": at,
    }
    head = json.dumps(header).encode()
    head += b" " * ((-len(head) - 1) % _ALIGN) + b"\n"
    path = where / f"{kind}-{key}.map"
    with contextlib.suppress(OSError):
        where.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=where, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(head)
                for _name, data, _code in parts:
                    out.write(data)
                    out.write(b"\0" * ((-len(data)) % _ALIGN))
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        files = sorted(where.glob(f"{kind}-*.map"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[cache.KEEP_BLOBS :]:
            if old != path:
                with contextlib.suppress(OSError):
                    old.unlink()


def kept(kind: str, key: str) -> Mapped | None:
    """The mapped file kept under ``kind`` and ``key``, or None (none, another build's, or cut short)."""
    where = cache.cache_dir()
    if where is None:
        return None
    try:
        with open(where / f"{kind}-{key}.map", "rb") as file:
            size = os.fstat(file.fileno()).st_size
            if size == 0:
                return None
            memory = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        return None
    try:
        line_end = memory.find(b"\n", 0, 1 << 16)
        header = json.loads(memory[:line_end]) if line_end > 0 else None
        body = line_end + 1
        if not _fits(header, size - body) or not isinstance(header, dict):
            memory.close()
            return None
    except (ValueError, TypeError, KeyError):
        memory.close()
        return None
    return Mapped(memory, header, body)


def _sizes() -> dict[str, int]:
    return {code: array(code).itemsize for code in (OFFSETS, POSITIONS, "B")}


def _fits(header: object, room: int) -> bool:
    """Whether a header is this format's, for this machine, with every section inside ``room`` bytes."""
    if not isinstance(header, dict):
        return False
    if (header.get("format"), header.get("byteorder"), header.get("sizes")) != (
        _FORMAT,
        sys.byteorder,
        _sizes(),
    ):
        return False
    if header.get("size") != room or not isinstance(header.get("sections"), dict):
        return False
    for value in header["sections"].values():
        if not (isinstance(value, list) and len(value) == 3):
            return False
        start, length, code = value
        if not (isinstance(start, int) and isinstance(length, int) and code in _sizes()):
            return False
        if start < 0 or length < 0 or start + length > room or length % _sizes()[code]:
            return False
    return True
