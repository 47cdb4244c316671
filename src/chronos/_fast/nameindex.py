"""The names of a catalogue folded once for every lookup: which entities each `name_key` names.

A catalogue of a million people has two or three million names (ids count as
names). `NameIndex` folds them all in one pass (`chronos.names.name_keys`),
builds the key-to-entity dictionary with C loops (`dict(zip(...))`, then a
pass that only finds the keys several entities share), and keeps the folded
keys in the cache under the digest of the names and of the folding rules
(`chronos.names.fingerprint`), so the next process reads them instead of
folding again. The words of the distinct keys (for part-name lookups) are a
`Postings`, built on the first lookup that needs them and kept in the cache the
same way.
"""

from __future__ import annotations

import contextlib
import json
from itertools import accumulate, chain, compress, repeat

from chronos._fast import cache
from chronos._fast.gc import paused_gc
from chronos._fast.postings import KEEP_FROM, Postings
from chronos.names import fingerprint, name_keys

__all__ = ["NameIndex"]


class NameIndex:
    """Names, the entity each belongs to, their keys, and the entities each key names.

    ``names`` lists each entity's id, name and aliases, one entity after the
    other; ``sizes`` says how many names each entity has there.
    """

    def __init__(self, names: list[str], sizes: list[int]):
        self.names = names
        self.sizes = sizes
        with paused_gc():
            #: Where each entity's names start (its id).
            self.starts = list(accumulate(sizes, initial=0))[:-1]
            ids = list(map(names.__getitem__, self.starts))
            self.owners = list(chain.from_iterable(map(repeat, ids, sizes)))
            self.keys, self._several = _folded(names, sizes, self.owners)
            # The last entity named by each key (and in `_several`, all of them, where they are several).
            self._one = dict(zip(self.keys, self.owners, strict=True))
        self._words: Postings | None = None
        self._distinct: list[str] = []

    def owners_of(self, key: str) -> set[str]:
        """The ids of the entities one of whose names has this key."""
        several = self._several.get(key)
        if several is not None:
            return several
        one = self._one.get(key)
        return set() if one is None else {one}

    def keys_with(self, word: str) -> list[str]:
        """The distinct keys ``word`` is a word of."""
        positions = self._postings.get(word)
        return list(map(self._distinct.__getitem__, positions))

    def count_with(self, word: str) -> int:
        """How many distinct keys ``word`` is a word of."""
        return self._postings.count(word)

    @property
    def _postings(self) -> Postings:
        if self._words is None:
            self._distinct = list(self._one)
            self._words = Postings.of(self._distinct, kind="keywords")
        return self._words

    def forms(self, chosen: list[bool] | None = None) -> dict[str, str]:
        """Every form of the names of the chosen entities (all by default), with the entity it is of.

        The forms, entity after entity: its id as written (a slug already: folded,
        its words say less), then each name's key and its `str.casefold`. A form
        two entities share is the first one's. ``chosen`` has a flag per entity.
        """
        names = self.names
        with paused_gc():
            keys = list(self.keys)
            text = "\n".join(names).casefold()
            lower = text.split("\n") if text.count("\n") == len(names) - 1 else [n.casefold() for n in names]
            for at in self.starts:
                keys[at] = lower[at] = names[at]
            forms = list(chain.from_iterable(zip(keys, lower, strict=True)))
            owners = list(chain.from_iterable(zip(self.owners, self.owners, strict=True)))
            if chosen is not None:
                flags = list(chain.from_iterable(map(repeat, chosen, (2 * s for s in self.sizes))))
                forms = list(compress(forms, flags))
                owners = list(compress(owners, flags))
            # Reversed, so that the first entity's is the one a form is left with.
            return dict(zip(reversed(forms), reversed(owners), strict=True))


def _shared(keys: list[str], owners: list[str]) -> dict[str, set[str]]:
    """The keys that name several entities, with their ids."""
    last = dict(zip(keys, owners, strict=True))
    several: dict[str, set[str]] = {}
    if len(last) < len(keys):  # some key is there twice, perhaps of one entity
        for key, owner in zip(keys, owners, strict=True):
            if last[key] != owner:
                several.setdefault(key, {last[key]}).add(owner)
    return several


def _folded(names: list[str], sizes: list[int], owners: list[str]) -> tuple[list[str], dict[str, set[str]]]:
    """`name_keys` of the names, and `_shared`: from the cache when these names were folded before.

    A line of JSON (how many keys, and the shared ones), then the keys, a line each
    (lowercase ASCII words and spaces). The digest covers the names, how they
    group into entities, and the folding rules (`chronos.names.fingerprint`).
    """
    if len(names) < KEEP_FROM:
        keys = name_keys(names)
        return keys, _shared(keys, owners)
    key = cache.digest_of(names, "name_keys", fingerprint(), numbers=sizes)
    blob = cache.load_blob("keys", key)
    if blob is not None:
        head, _, body = blob.partition(b"\n")
        with contextlib.suppress(ValueError, TypeError, AttributeError):
            header = json.loads(head)
            keys = body.decode("ascii").split("\n")
            if len(keys) == header["keys"] == len(names):
                return keys, {k: set(ids) for k, ids in header["several"].items()}
    keys = name_keys(names)
    several = _shared(keys, owners)
    header = {"keys": len(keys), "several": {k: sorted(ids) for k, ids in several.items()}}
    cache.keep_blob("keys", key, json.dumps(header).encode() + b"\n" + "\n".join(keys).encode("ascii"))
    return keys, several
