"""Near matches among many strings, for "did you mean ...?" hints: difflib's answer, fast.

The answer is `difflib.get_close_matches`'s: candidates whose
``SequenceMatcher.ratio`` with the query is at least 0.6, best first. difflib
alone compares the query with every candidate in Python, seconds for a
million names. rapidfuzz first keeps, in C, the candidates whose `similarity`
(``2 * LCS / total length``) reaches the cutoff: difflib's matching blocks are
a common subsequence, so its ratio is never higher, and no answer is lost.
difflib then ranks that shortlist. Above `SCAN_LIMIT` candidates, `Nearest`
first narrows them to those sharing a word with the query (ignoring words so
common that they narrow nothing, like "person" or "ministry"); when no word
is shared, to the `SHORTLIST` candidates sharing the most three-byte pieces
with the query (`chronos._fast.grams`), where it once compared the query with
every candidate. Which candidates hold which word, and which piece, are kept
in the cache for the next process. Above `SCAN_LIMIT` the hints are thus
difflib's over a shortlist, not over every candidate: how often they differ
is measured in BENCHMARKS.md.
"""

from __future__ import annotations

import difflib
import heapq
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from chronos._fast.postings import Postings

if TYPE_CHECKING:
    from chronos._fast.grams import Grams

__all__ = ["CUTOFF", "SCAN_LIMIT", "SHORTLIST", "Nearest", "close_matches", "similarity"]

#: Up to this many candidates, every one is compared with the query.
SCAN_LIMIT = 100_000
#: A word shared by more candidates than this does not narrow the search.
COMMON = 2_000
#: Above `SCAN_LIMIT`, a query sharing no such word is compared with this many candidates.
SHORTLIST = 2_000
#: The least similarity (0 to 1) of a suggestion.
CUTOFF = 0.6

_WORD = re.compile(r"\w+")


def similarity(a: str, b: str) -> float:
    """How alike two strings are, from 0 to 1: ``2 * LCS / (len(a) + len(b))`` (1 for two empty ones)."""
    return fuzz.ratio(a, b) / 100


def _ranked(query: str, shortlist: list[tuple[str, float, int]], n: int) -> list[str]:
    """`difflib.get_close_matches` over the shortlist, reading it best bound first and stopping early.

    A candidate's `similarity` (its score here) is never below its difflib
    ratio, so once it falls below the ratio of the n-th best found, no later
    candidate can enter the answer: a shortlist of 60,000 alike names needs
    a few hundred ratios, not 60,000. Ties are broken as difflib breaks them
    (the greater string first), so the answer is exactly difflib's.
    """
    if n <= 0:
        return []
    best: list[tuple[float, str]] = []  # a heap of the n greatest (ratio, candidate)
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(query)
    seen: set[str] = set()
    for candidate, score, _ in sorted(shortlist, key=lambda found: -found[1]):
        if len(best) == n and score / 100 < best[0][0] - 1e-9:
            break
        if candidate in seen:
            continue
        seen.add(candidate)
        matcher.set_seq1(candidate)
        if matcher.real_quick_ratio() >= CUTOFF and matcher.quick_ratio() >= CUTOFF:
            ratio = matcher.ratio()
            if ratio >= CUTOFF:
                if len(best) < n:
                    heapq.heappush(best, (ratio, candidate))
                elif (ratio, candidate) > best[0]:
                    heapq.heapreplace(best, (ratio, candidate))
    return [candidate for _, candidate in sorted(best, reverse=True)]


def close_matches(query: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """The candidates nearest to ``query``, best first (`Nearest` once, for a single question)."""
    return Nearest(candidates).close(query, n)


class Nearest:
    """Candidate strings, and the words they are made of once there are many.

    ``distinct`` says the candidates are distinct already (no dict to make them so);
    ``key`` names the word index in the cache (`Postings.of`).
    """

    def __init__(self, candidates: Iterable[str], *, distinct: bool = False, key: str | None = None):
        # At millions of candidates, a dict to drop repeats costs seconds: skipped when there are none,
        # and a sequence (a kept file's strings) is read only where a question looks.
        if distinct and isinstance(candidates, Sequence):
            self.candidates: Sequence[str] = candidates
        else:
            self.candidates = list(candidates) if distinct else list(dict.fromkeys(candidates))
        self._key = key
        self._words: Postings | None = None
        self._grams: Grams | None = None

    def close(self, query: str, n: int = 3) -> list[str]:
        """Up to ``n`` candidates at least 60% similar to ``query`` (difflib's ratio), best first."""
        return [self.candidates[i] for i in self.close_at(query, n)]

    def close_at(self, query: str, n: int = 3) -> list[int]:
        """The positions among the candidates of what `close` answers."""
        narrowed: list[int] | None = None  # None: every candidate
        pool: Sequence[str]
        if len(self.candidates) > SCAN_LIMIT:
            narrowed = self._sharing_a_word(query) or self._sharing_pieces(query)
            pool = list(map(self.candidates.__getitem__, narrowed))
        else:
            pool = self._listed()
        shortlist = process.extract(
            query, pool, scorer=fuzz.ratio, limit=None, score_cutoff=CUTOFF * 100 - 1e-6
        )
        at = {match: i if narrowed is None else narrowed[i] for match, _, i in shortlist}
        return [at[m] for m in _ranked(query, shortlist, n)]

    def _listed(self) -> Sequence[str]:
        listed = getattr(self.candidates, "listed", None)
        return listed() if listed is not None else self.candidates

    def _sharing_a_word(self, query: str) -> list[int]:
        """The positions of the candidates that share with ``query`` a word not too common to narrow."""
        if self._words is None:
            kept = None if self._key is None else Postings.kept("words", self._key, len(self.candidates))
            self._words = kept if kept is not None else Postings.of(self._listed(), key=self._key)
        found: dict[int, None] = {}
        for word in _WORD.findall(query):
            if self._words.count(word) <= COMMON:
                found.update(dict.fromkeys(self._words.get(word)))
        return list(found)

    def _sharing_pieces(self, query: str) -> list[int]:
        """The positions of the `SHORTLIST` candidates sharing the most three-byte pieces with ``query``."""
        if self._grams is None:
            # numpy, imported only for a large set: a small catalogue's process never loads it.
            from chronos._fast.grams import Grams

            kept = None if self._key is None else Grams.kept(self._key, len(self.candidates))
            self._grams = kept if kept is not None else Grams.of(self._listed(), key=self._key)
        return self._grams.shortlist(query, SHORTLIST)
