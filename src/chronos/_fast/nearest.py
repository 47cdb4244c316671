"""Near matches among many strings, for "did you mean ...?" hints.

`difflib.get_close_matches` compares the query with every candidate: fine for
the thousands of names of a hand-made catalogue, twenty seconds for the
million names of an imported one. Above `SCAN_LIMIT` candidates, `Nearest`
first narrows them to those sharing a word with the query (ignoring words so
common that they narrow nothing, like "person" or "ministry"), and scans
everything only when no word is shared.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

__all__ = ["SCAN_LIMIT", "Nearest", "close_matches"]

#: Up to this many candidates, every one is compared with the query (difflib's own behaviour).
SCAN_LIMIT = 20_000
#: A word shared by more candidates than this does not narrow the search.
COMMON = 2_000
CUTOFF = 0.6

_WORD = re.compile(r"\w+")


def close_matches(query: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """The candidates nearest to ``query``, best first (`Nearest` once, for a single question)."""
    return Nearest(candidates).close(query, n)


class Nearest:
    """Candidate strings, and the words they are made of once there are many."""

    def __init__(self, candidates: Iterable[str]):
        self.candidates = list(dict.fromkeys(candidates))
        self._words: dict[str, list[str]] | None = None

    def close(self, query: str, n: int = 3) -> list[str]:
        """Up to ``n`` candidates at least 60% similar to ``query`` (difflib's ratio), best first."""
        pool = self.candidates
        if len(pool) > SCAN_LIMIT:
            narrowed = self._sharing_a_word(query)
            if narrowed:
                pool = narrowed
        return difflib.get_close_matches(query, pool, n=n, cutoff=CUTOFF)

    def _sharing_a_word(self, query: str) -> list[str]:
        if self._words is None:
            words: dict[str, list[str]] = {}
            for candidate in self.candidates:
                for word in dict.fromkeys(_WORD.findall(candidate)):
                    words.setdefault(word, []).append(candidate)
            self._words = words
        found: dict[str, None] = {}
        for word in _WORD.findall(query):
            sharing = self._words.get(word, ())
            if len(sharing) <= COMMON:
                found.update(dict.fromkeys(sharing))
        return list(found)
