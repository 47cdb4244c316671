"""Which strings share the most three-byte pieces with a query: a shortlist for near matches, not a scan.

Every string is padded with a space at each end, written in UTF-8, and cut
into its overlapping three-byte pieces (q-grams: ``" ab"``, ``"abc"``,
``"bc "`` for ``"abc"``). `Grams` is an inverted index of them in flat
arrays: the distinct pieces, sorted, and for each the positions of the
strings that hold it, ascending, each once; and for each string how many
distinct pieces it has. A question adds up, in C (numpy), for every string,
how many of the query's pieces it holds, and keeps the ``limit`` strings
with the greatest share of pieces in common (shared pieces over the pieces
of either, Jaccard's index), plus every string with exactly the query's
pieces, so that a query equal to a string always finds it.

This is a heuristic: a near match by difflib's ratio usually shares many
pieces (a one-letter typo changes at most three), but nothing guarantees
that the best one is among the ``limit`` kept. It is used only where
comparing the query with every string would cost too much
(`chronos._fast.nearest.SCAN_LIMIT`), and is measured against a full scan
in BENCHMARKS.md ("Near-match hints from a q-gram shortlist").

Large indexes are kept in the cache as a memory-mapped file
(`chronos._fast.mapped`), under the same key as the word postings of the
same strings, so the next process opens it without reading it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from chronos._fast import cache, mapped, postings
from chronos._fast.gc import paused_gc

__all__ = ["Grams", "grams_of"]

_FORMAT = "grams-1"
_CHUNK = 200_000
#: A piece held by at most one string in this many is always counted (`Grams.shortlist`).
RARE = 16
_U32 = np.dtype(np.uint32)
_U64 = np.dtype(np.uint64)

Array = np.ndarray[Any, Any]


def _codes(data: bytes, lengths: Array) -> tuple[Array, Array]:
    """The pieces of strings written one after the other as ``" s "`` in ``data``, and whose each is.

    ``lengths`` are the strings' lengths in bytes: string k takes
    ``lengths[k] + 2`` bytes and has ``lengths[k]`` pieces, the first at its
    first byte (its leading space).
    """
    count = int(lengths.sum())
    if count == 0:
        return np.zeros(0, _U32), np.zeros(0, np.int64)
    owners = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    # String k starts 2k bytes later in ``data`` than its first piece does among all the pieces.
    at = np.arange(count, dtype=np.int64) + 2 * owners
    byte = np.frombuffer(data, np.uint8).astype(_U32)
    return (byte[at] << 16) | (byte[at + 1] << 8) | byte[at + 2], owners


def _encoded(strings: Sequence[str]) -> tuple[bytes, Array]:
    data = (" " + "  ".join(strings) + " ").encode("utf-8", "surrogatepass")
    if data.isascii():
        lengths = np.fromiter(map(len, strings), np.int64, len(strings))
    else:
        sizes = (len(s.encode("utf-8", "surrogatepass")) for s in strings)
        lengths = np.fromiter(sizes, np.int64, len(strings))
    return data, lengths


def grams_of(query: str) -> Array:
    """The distinct pieces of ``query``, sorted (as numbers: three bytes, the first the highest)."""
    data, lengths = _encoded([query])
    codes, _ = _codes(data, lengths)
    return np.unique(codes)


class Grams:
    """For each three-byte piece, the positions of the strings holding it; for each string, its pieces."""

    def __init__(self, grams: Array, offsets: Array, positions: Array, sizes: Array):
        self.grams = grams  # distinct pieces, ascending (uint32)
        self.offsets = offsets  # where each piece's positions start, and the last end (uint64)
        self.positions = positions  # string positions, ascending within each piece (uint32)
        self.sizes = sizes  # how many distinct pieces each string has (uint32)

    def __len__(self) -> int:
        """How many strings are indexed."""
        return len(self.sizes)

    def shortlist(self, query: str, limit: int) -> list[int]:
        """The positions of the (about) ``limit`` strings sharing most pieces with ``query``, ascending.

        Every string whose distinct pieces are exactly the query's (the query
        itself among them) is in, even beyond ``limit``; no other string sharing
        no piece with it is.
        """
        wanted = grams_of(query)
        at = np.searchsorted(self.grams, wanted)
        inside = at < len(self.grams)
        at = at[inside]
        at = at[self.grams[at] == wanted[inside]]
        # Only a string holding every piece of the query can be the query: none when one is unknown.
        whole = len(at) == len(wanted)
        # Pieces most strings hold narrow little and cost the most to count: only the rarer half of the
        # query's are counted, and any other held by at most a `RARE` share of the strings.
        held = (self.offsets[at + 1] - self.offsets[at]).astype(np.int64)
        used = max((len(at) + 1) // 2, int(np.count_nonzero(held * RARE <= len(self))))
        at = at[np.argsort(held, kind="stable")[:used]]
        lists = [self.positions[int(self.offsets[a]) : int(self.offsets[a + 1])] for a in at]
        if not lists:  # an empty query is like an empty string only; unknown pieces, like nothing
            return np.flatnonzero(self.sizes == 0).tolist() if whole else []
        # A kept file damaged in place could name a string past the end: cut, never fail.
        shared = np.bincount(np.concatenate(lists), minlength=len(self))[: len(self)]
        found = np.flatnonzero(shared)
        common = shared[found]
        mine = len(wanted)
        # Every string with the query's pieces, and perhaps a few with only those counted of them.
        exact = found[(common == len(at)) & (self.sizes[found] == mine)] if whole else found[:0]
        if len(found) > limit:
            share = common / (mine + self.sizes[found] - common)
            found = found[np.argpartition(-share, limit - 1)[:limit]] if limit > 0 else found[:0]
        return sorted(set(found.tolist()) | set(exact.tolist()))

    @classmethod
    def build(cls, strings: Sequence[str]) -> Grams:
        """The pieces of ``strings``, read a chunk at a time."""
        parts: list[Array] = []
        with paused_gc():
            for start in range(0, len(strings), _CHUNK):
                chunk = list(strings[start : start + _CHUNK])
                codes, owners = _codes(*_encoded(chunk))
                parts.append((codes.astype(_U64) << np.uint64(32)) | (owners + start).astype(_U64))
            keys = np.concatenate(parts) if parts else np.zeros(0, _U64)
            keys.sort()
            if len(keys):
                keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
            codes = (keys >> np.uint64(32)).astype(_U32)
            positions = (keys & np.uint64(0xFFFFFFFF)).astype(_U32)
            del keys
            # Where each piece's positions start: at the first code, and wherever the code changes.
            starts: Array = np.flatnonzero(np.concatenate(([len(codes) > 0], codes[1:] != codes[:-1])))
            grams = codes[starts]
            offsets = np.append(starts, len(codes)).astype(_U64)
            sizes = np.bincount(positions, minlength=len(strings)).astype(_U32)
        return cls(grams, offsets, positions, sizes)

    @classmethod
    def of(cls, strings: Sequence[str], *, key: str | None = None) -> Grams:
        """The index of ``strings``: from the cache when kept under ``key`` (else their digest) before.

        Lists of at least `chronos._fast.postings.KEEP_FROM` strings are kept once built.
        """
        if len(strings) < postings.KEEP_FROM or cache.cache_dir() is None:
            return cls.build(strings)
        key = cache.digest_of(strings, _FORMAT, sys.version) if key is None else key
        found = cls.kept(key, len(strings))
        if found is None:
            found = cls.build(strings)
            found.keep(key)
        return found

    @classmethod
    def kept(cls, key: str, strings: int) -> Grams | None:
        """The index kept (`keep`) under ``key`` for ``strings`` strings, or None (none, or not whole)."""
        file = mapped.kept("grams", f"{key}-{_FORMAT}")
        if file is None:
            return None
        try:
            grams = np.frombuffer(file.raw("grams"), _U32)
            offsets = np.frombuffer(file.raw("offsets"), _U64)
            positions = np.frombuffer(file.raw("positions"), _U32)
            sizes = np.frombuffer(file.raw("sizes"), _U32)
        except (KeyError, ValueError, TypeError):
            return None
        count = len(positions)
        if len(offsets) != len(grams) + 1 or len(sizes) != strings:
            return None
        if int(offsets[0]) != 0 or int(offsets[-1]) != count:
            return None
        return cls(grams, offsets, positions, sizes)

    def keep(self, key: str) -> None:
        """Keep the index in the cache as a mapped file (`kept` opens it)."""
        sections = {"grams": self.grams, "offsets": self.offsets, "positions": self.positions}
        sections["sizes"] = self.sizes
        mapped.keep("grams", f"{key}-{_FORMAT}", {k: v.tobytes() for k, v in sections.items()})
