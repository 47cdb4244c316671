"""The names of a catalogue folded once for every lookup: which entities each `name_key` names.

A catalogue of a million people has two or three million names (ids count as
names). `NameIndex` folds them all in one pass (`chronos.names.name_keys`),
builds the key-to-entity dictionary with C loops (`dict(zip(...))`, then a
pass that only finds the keys several entities share), and works out the
near-match candidates of each kind of entity the same way. What it derives
from a large catalogue (`KEEP_FROM` names) is kept in the cache directory
(`chronos._fast.cache`) under one digest of the names, how they group into
entities, the entities' kinds and the folding rules
(`chronos.names.fingerprint`): the folded keys, the candidates, and the
`Postings` of the words the part-name and near-match lookups search, each
made on the first lookup that needs it. The next process reads them instead:
the key-to-entity table itself is kept as a memory-mapped file
(`chronos._fast.keptnames`), so that a later process answers without
listing, folding or hashing a single name.
"""

from __future__ import annotations

import contextlib
import json
import sys
from array import array
from collections.abc import Sequence
from itertools import accumulate, chain, compress, repeat

from chronos._fast import cache, mapped
from chronos._fast.gc import paused_gc
from chronos._fast.postings import KEEP_FROM, Postings
from chronos.names import fingerprint, name_keys

__all__ = ["NameIndex"]

# Entity positions as unsigned 32-bit integers (as `Postings` keeps string positions).
_TYPE = "I" if array("I").itemsize == 4 else "L"


class NameIndex:
    """Names, the entity each belongs to, their keys, and the entities each key names.

    ``names`` lists each entity's id, name and aliases, one entity after the
    other; ``sizes`` says how many names each entity has there, and ``kinds``
    what kind of entity it is.
    """

    def __init__(self, names: list[str], sizes: list[int], kinds: list[str], *, digest: str | None = None):
        self.names = names
        self.sizes = sizes
        self.kinds = kinds
        #: What the kept files are named by (None: too small to keep, or the cache is off).
        self.digest: str | None = None
        if len(names) >= KEEP_FROM and cache.cache_dir() is not None:
            self.digest = digest or digest_of_names(names, sizes, kinds)
        with paused_gc():
            #: Where each entity's names start (its id), and the ids, in catalogue order.
            self.starts = list(accumulate(sizes, initial=0))[:-1]
            self.ids = list(map(names.__getitem__, self.starts))
            self.owners = list(chain.from_iterable(map(repeat, self.ids, sizes)))
            self.keys, self._several = self._folded()
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
            key = None if self.digest is None else f"{self.digest}-keys"
            self._words = Postings.of(self._distinct, kind="keywords", key=key)
        return self._words

    def forms(self, kind: str | None = None) -> tuple[Sequence[str], Sequence[int]]:
        """The near-match candidates of the entities of ``kind`` (all by default), and whose each is.

        The forms, entity after entity: its id as written (a slug already: folded,
        its words say less), then each name's key and its `str.casefold`; each
        form once, as the first entity that has it has it. Returned with, for
        each form, the position of that entity in the catalogue (`ids`).
        """
        key = None if self.digest is None else forms_key(self.digest, kind)
        kept = None if key is None else kept_forms(key)
        if kept is not None:
            return kept
        names = self.names
        with paused_gc():
            keys = list(self.keys)
            text = "\n".join(names).casefold()
            lower = text.split("\n") if text.count("\n") == len(names) - 1 else [n.casefold() for n in names]
            for at in self.starts:
                keys[at] = lower[at] = names[at]
            entity = list(chain.from_iterable(map(repeat, range(len(self.sizes)), self.sizes)))
            every = list(chain.from_iterable(zip(keys, lower, strict=True)))
            whose = list(chain.from_iterable(zip(entity, entity, strict=True)))
            if kind is not None:
                chosen = [k == kind for k in self.kinds]
                flags = list(chain.from_iterable(map(repeat, chosen, (2 * s for s in self.sizes))))
                every = list(compress(every, flags))
                whose = list(compress(whose, flags))
            # Reversed, so that the first entity's is the one a form is left with.
            first = dict(zip(reversed(every), reversed(whose), strict=True))
            forms = list(first)
            owners = list(first.values())
        if key is not None:
            mapped.keep("forms", key, {"forms": forms, "owners": array(_TYPE, owners)})
        return forms, owners

    def keep(self) -> None:
        """Keep the key-to-entity table as a mapped file (`chronos._fast.keptnames` reads it)."""
        if self.digest is None:
            return
        with paused_gc():
            distinct = list(self._one)
            order = array(_TYPE, sorted(range(len(distinct)), key=distinct.__getitem__))
            at = {entity_id: n for n, entity_id in enumerate(self.ids)}
            offsets = array("Q", [0])
            owners = array(_TYPE)
            several = self._several
            for key in distinct:
                found = several.get(key)
                if found is None:
                    owners.append(at[self._one[key]])
                else:
                    owners.extend(sorted(map(at.__getitem__, found)))
                offsets.append(len(owners))
        mapped.keep(
            "names",
            self.digest,
            {"keys": distinct, "order": order, "owner_offsets": offsets, "owners": owners},
        )

    def _folded(self) -> tuple[list[str], dict[str, set[str]]]:
        """`name_keys` of the names, and `_shared`: kept in the cache for a large catalogue.

        A line of JSON (how many keys, and the shared ones), then the keys, a
        line each (lowercase ASCII words and spaces).
        """
        blob = None if self.digest is None else cache.load_blob("keys", self.digest)
        if blob is not None:
            head, _, body = blob.partition(b"\n")
            with contextlib.suppress(ValueError, TypeError, AttributeError, KeyError):
                header = json.loads(head)
                keys = body.decode("ascii").split("\n")
                if len(keys) == header["keys"] == len(self.names):
                    return keys, {k: set(ids) for k, ids in header["several"].items()}
        keys = name_keys(self.names)
        several = _shared(keys, self.owners)
        if self.digest is not None:
            header = {"keys": len(keys), "several": {k: sorted(ids) for k, ids in several.items()}}
            body = "\n".join(keys).encode("ascii")
            cache.keep_blob("keys", self.digest, json.dumps(header).encode() + b"\n" + body)
        return keys, several


def _shared(keys: list[str], owners: list[str]) -> dict[str, set[str]]:
    """The keys that name several entities, with their ids."""
    last = dict(zip(keys, owners, strict=True))
    several: dict[str, set[str]] = {}
    if len(last) < len(keys):  # some key is there twice, perhaps of one entity
        for key, owner in zip(keys, owners, strict=True):
            if last[key] != owner:
                several.setdefault(key, {last[key]}).add(owner)
    return several


def digest_of_names(names: list[str], sizes: list[int], kinds: list[str]) -> str:
    """What a catalogue's kept name files are named by when its text is not known: its names, read whole."""
    return cache.digest_of([*names, *kinds], "names", fingerprint(), sys.version, numbers=sizes)


def digest_of_text(text_digest: str) -> str:
    """What a catalogue's kept name files are named by: its text's SHA-256 (which fixes every name)."""
    return cache.digest_of([text_digest], "catalogue names", fingerprint(), sys.version)


def forms_key(digest: str, kind: str | None) -> str:
    """What the near-match candidates of ``kind`` of the names ``digest`` stands for are kept as."""
    return cache.digest_of([digest, str(kind)], "forms")


def kept_forms(key: str) -> tuple[Sequence[str], Sequence[int]] | None:
    """The near-match candidates kept under ``key`` and the entity of each, or None."""
    file = mapped.kept("forms", key)
    if file is None:
        return None
    with contextlib.suppress(KeyError, ValueError, TypeError):
        forms, owners = file.strings("forms"), file.ints("owners")
        if len(forms) == len(owners):
            return forms, owners
    return None
