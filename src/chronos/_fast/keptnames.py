"""A catalogue's name index as a previous process kept it: answers from mapped files, nothing rebuilt.

`NameIndex` folds every name and builds a dictionary of millions of keys:
seconds at a million persons, in every process. Once built, it keeps the
table of keys as a memory-mapped file (`chronos._fast.mapped`): the distinct
keys, their sorted order, and the entities of each (positions in catalogue
order). `KeptNames` answers the same questions from that file: a key by
bisection over the sorted order (about 22 strings read for 2 million keys),
a word by the kept `Postings` of the keys, near-match candidates by the kept
forms. What was never kept (the candidates of a kind nobody asked about) is
built by a full `NameIndex`, made only then.

The files are named by `chronos._fast.nameindex.digest_of_text` (the
catalogue's text's SHA-256, the folding rules, Python's version), so a
catalogue read from the same text finds them without listing its names.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from chronos._fast import mapped
from chronos._fast.nameindex import NameIndex, forms_key, kept_forms
from chronos._fast.postings import Postings

__all__ = ["KeptNames"]


class KeptNames:
    """The questions `NameIndex` answers, from the files it kept.

    ``ids`` are the catalogue's ids in its order; ``built`` makes the full
    index, for what the files do not hold.
    """

    def __init__(self, file: mapped.Mapped, ids: Sequence[str], digest: str, built: Callable[[], NameIndex]):
        self.ids = ids
        self.digest = digest
        self._keys = file.strings("keys")
        self._order = file.ints("order")
        self._offsets = file.ints("owner_offsets")
        self._owners = file.ints("owners")
        self._built = built
        self._index: NameIndex | None = None
        self._words: Postings | None = None
        count = len(self._keys)
        if not (
            len(self._order) == count
            and len(self._offsets) == count + 1
            and self._offsets[0] == 0
            and self._offsets[count] == len(self._owners)
        ):
            raise ValueError("the kept name index does not hold together")

    @classmethod
    def open(cls, digest: str, ids: Sequence[str], built: Callable[[], NameIndex]) -> KeptNames | None:
        """The kept index named ``digest``, or None when there is none (or it is damaged)."""
        file = mapped.kept("names", digest)
        if file is None:
            return None
        try:
            return cls(file, ids, digest, built)
        except (KeyError, ValueError, TypeError):
            return None

    def owners_of(self, key: str) -> set[str]:
        """The ids of the entities one of whose names has this key."""
        keys, order = self._keys, self._order
        low, high = 0, len(order)
        while low < high:
            middle = (low + high) // 2
            if keys[order[middle]] < key:
                low = middle + 1
            else:
                high = middle
        if low == len(order) or keys[order[low]] != key:
            return set()
        at = order[low]
        ids = self.ids
        return {ids[p] for p in self._owners[self._offsets[at] : self._offsets[at + 1]]}

    def keys_with(self, word: str) -> list[str]:
        """The distinct keys ``word`` is a word of."""
        keys = self._keys
        return [keys[p] for p in self._postings.get(word)]

    def count_with(self, word: str) -> int:
        """How many distinct keys ``word`` is a word of."""
        return self._postings.count(word)

    @property
    def _postings(self) -> Postings:
        if self._words is None:
            kept = Postings.kept("keywords", f"{self.digest}-keys", len(self._keys))
            if kept is None:
                kept = Postings.of(self._keys.listed(), kind="keywords", key=f"{self.digest}-keys")
            self._words = kept
        return self._words

    def forms(self, kind: str | None = None) -> tuple[Sequence[str], Sequence[int]]:
        """The near-match candidates of the entities of ``kind`` and whose each is (`NameIndex.forms`)."""
        kept = kept_forms(forms_key(self.digest, kind))
        if kept is not None:
            return kept
        return self.index.forms(kind)

    @property
    def index(self) -> NameIndex:
        """The full index, built now (for what the files do not hold)."""
        if self._index is None:
            self._index = self._built()
        return self._index
