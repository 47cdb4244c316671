r"""Which strings each word is in: an inverted index in two flat arrays, quick to build, keep and load.

`Postings` maps every word (``\w+``) of a list of strings to the positions of
the strings it occurs in, ascending, each once; the words are sorted and found
by bisection. It stands in for a ``dict[str, list[str]]`` built string by
string: at a million strings such a dict takes seconds to build and hundreds
of megabytes of Python objects, while this reads the strings a chunk at a time
with one regular expression, stores positions as 32-bit integers, and is kept
in the cache under the digest of the strings as a memory-mapped file
(`chronos._fast.mapped`), so that the next process opens it without reading
it: a question reads only the words and positions it looks at.
"""

from __future__ import annotations

import json
import re
import sys
from array import array
from bisect import bisect_left
from collections.abc import Sequence
from itertools import accumulate, chain

from chronos._fast import cache, mapped
from chronos._fast.gc import paused_gc

__all__ = ["KEEP_FROM", "Postings"]

#: Lists of at least this many strings have their postings kept in the cache.
KEEP_FROM = 100_000

_WORD = re.compile(r"\w+")
_WORD_OR_LINE = re.compile(r"\w+|\n")
_CHUNK = 50_000
# Positions as unsigned 32-bit integers where the platform has them ("I" is 4 bytes everywhere we run).
_TYPE = "I" if array("I").itemsize == 4 else "L"
_FORMAT = "postings-3"  # words sorted, kept mapped


class Postings:
    """For each word, the positions of the strings it is a word of."""

    def __init__(self, words: Sequence[str], offsets: Sequence[int], positions: Sequence[int]):
        # The words sorted, found by bisection: a dict of a million words would take a second to
        # build on every load, where the sorted list is the file's text split.
        self._words = words
        self._offsets = offsets
        self._positions = positions

    def __len__(self) -> int:
        return len(self._words)

    def _slot(self, word: str) -> int | None:
        at = bisect_left(self._words, word)
        return at if at < len(self._words) and self._words[at] == word else None

    def get(self, word: str) -> Sequence[int]:
        """The positions of the strings ``word`` is a word of, ascending (empty when none)."""
        slot = self._slot(word)
        if slot is None:
            return array(_TYPE)
        return self._positions[self._offsets[slot] : self._offsets[slot + 1]]

    def count(self, word: str) -> int:
        """How many strings ``word`` is a word of."""
        slot = self._slot(word)
        return 0 if slot is None else self._offsets[slot + 1] - self._offsets[slot]

    @classmethod
    def build(cls, strings: Sequence[str]) -> Postings:
        """The postings of ``strings``, read a chunk at a time."""
        found: dict[str, list[int]] = {}
        get = found.get
        with paused_gc():
            for start in range(0, len(strings), _CHUNK):
                chunk = strings[start : start + _CHUNK]
                text = "\n".join(chunk)
                if text.count("\n") != len(chunk) - 1:
                    tokens: list[str] = []
                    for string in chunk:  # a string with a line break: one at a time
                        tokens += _WORD.findall(string)
                        tokens.append("\n")
                else:
                    tokens = _WORD_OR_LINE.findall(text)
                at = start
                for token in tokens:
                    if token == "\n":
                        at += 1
                        continue
                    seen = get(token)
                    if seen is None:
                        found[token] = [at]
                    elif seen[-1] != at:
                        seen.append(at)
            words = sorted(found)
            lists = list(map(found.__getitem__, words))
            offsets = array(_TYPE, [0])
            offsets.extend(accumulate(map(len, lists)))
            positions = array(_TYPE, chain.from_iterable(lists))
        return cls(words, offsets, positions)

    @classmethod
    def of(cls, strings: Sequence[str], *, kind: str = "words", key: str | None = None) -> Postings:
        """The postings of ``strings``: from the cache when these exact strings were indexed before.

        Long lists (`KEEP_FROM`) are kept in the cache once built, under ``kind``
        and ``key``: a digest of whatever the strings are made from, else of the
        strings themselves.
        """
        if len(strings) < KEEP_FROM or cache.cache_dir() is None:
            return cls.build(strings)
        key = cache.digest_of(strings, _FORMAT, sys.version) if key is None else key
        found = cls.kept(kind, key, len(strings))
        if found is None:
            found = cls.build(strings)
            found.keep(kind, key)
        return found

    @classmethod
    def kept(cls, kind: str, key: str, strings: int) -> Postings | None:
        """The postings kept (`keep`) under ``kind`` and ``key`` for ``strings`` strings, or None."""
        file = mapped.kept(kind, f"{key}-{_FORMAT}")
        if file is None:
            return None
        try:
            words = file.strings("words")
            offsets, positions = file.ints("offsets"), file.ints("positions")
        except (KeyError, ValueError, TypeError):
            return None
        count = len(positions)
        if len(offsets) != len(words) + 1 or offsets[0] != 0 or offsets[len(words)] != count:
            return None
        if count and positions[count - 1] >= strings:
            return None
        return cls(words, offsets, positions)

    def keep(self, kind: str, key: str) -> None:
        """Keep these postings in the cache as a mapped file (`kept` opens it)."""
        mapped.keep(
            kind,
            f"{key}-{_FORMAT}",
            {
                "words": self._words,
                "offsets": array(_TYPE, self._offsets),
                "positions": array(_TYPE, self._positions),
            },
        )

    def to_bytes(self) -> bytes:
        """A header line (JSON), the words (a line each), then the two arrays in this machine's order."""
        words = "\n".join(list(self._words)).encode("utf-8", "surrogatepass")
        header = {
            "format": _FORMAT,
            "words": len(self._words),
            "positions": len(self._positions),
            "text": len(words),
            "itemsize": array(_TYPE).itemsize,
            "byteorder": sys.byteorder,
        }
        return b"".join(
            (
                json.dumps(header).encode(),
                b"\n",
                words,
                array(_TYPE, self._offsets).tobytes(),
                array(_TYPE, self._positions).tobytes(),
            )
        )

    @classmethod
    def from_bytes(cls, data: bytes, strings: int) -> Postings | None:
        """The postings `to_bytes` wrote for a list of ``strings`` strings, or None if they do not fit it."""
        try:
            line, _, body = data.partition(b"\n")
            header = json.loads(line)
            size, count, length = header["words"], header["positions"], header["text"]
            if (header["format"], header["itemsize"], header["byteorder"]) != (
                _FORMAT,
                array(_TYPE).itemsize,
                sys.byteorder,
            ):
                return None
            words = body[:length].decode("utf-8", "surrogatepass").split("\n") if size else []
            offsets, positions = array(_TYPE), array(_TYPE)
            itemsize = offsets.itemsize
            offsets.frombytes(body[length : length + (size + 1) * itemsize])
            positions.frombytes(body[length + (size + 1) * itemsize :])
        except (ValueError, KeyError, TypeError):
            return None
        if len(words) != size or len(offsets) != size + 1 or len(positions) != count:
            return None
        # Each position is below ``strings`` as built: the file's name says what it was built from
        # and its SHA-256 that it is whole (a max over millions of positions would cost a second).
        if offsets[0] != 0 or offsets[-1] != count or (count and positions[-1] >= strings):
            return None
        return cls(words, offsets, positions)
