"""The columnar projection's arrays, written atomically to a directory and memory-mapped back.

A `Tables` is a set of named NumPy arrays and a small JSON manifest (string
tables, counts, the key it was built for). On disk it is a directory holding
``manifest.json`` and one ``NAME.npy`` per array; `save` writes it under a
temporary name and renames it into place, so a reader sees the whole
directory or none of it. `load` maps every array read-only (``mmap_mode="r"``):
opening costs a few system calls per array, and only the pages a question
touches are ever read from disk.

Tables may be an overlay on a ``base`` (`chronos.columnar._overlay`): then
they hold only the arrays an extension changed, and their manifest names the
base's directory, a sibling, which `load` maps with them (an overlay whose
base is gone is not loaded).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

__all__ = ["CHANGED", "FORMAT", "Tables", "load", "save", "shared"]

#: The layout's version: a cache written by another layout is never read.
FORMAT = 3  # 2: Day numbers as int64, claims with identifications, seat events; 3: fold ranks, overlays

Array = npt.NDArray[Any]


@attrs.define
class Tables:
    """Named arrays and the manifest that describes them (and the tables they overlay, if any)."""

    arrays: dict[str, Array]
    meta: dict[str, Any]
    #: The full tables these extend: ``arrays`` then hold the base's unchanged arrays and the overlay's.
    base: Tables | None = None
    #: Where the tables were loaded from or saved to (an overlay names its base by this folder).
    path: Path | None = None

    def __getitem__(self, name: str) -> Array:
        return self.arrays[name]


def save(tables: Tables, directory: Path) -> None:
    """Write ``tables`` as ``directory``, atomically; an existing directory of that name is kept.

    An overlay is written as its own arrays only, naming its base's folder,
    which must be a saved sibling of ``directory``.
    """
    directory.parent.mkdir(parents=True, exist_ok=True)
    arrays, manifest = tables.arrays, {**tables.meta, "format": FORMAT}
    if tables.base is not None:
        where = tables.base.path
        if where is None or where.parent != directory.parent:
            raise ValueError(f"{directory}: an overlay is kept beside its base, which is not saved there")
        arrays = {k: v for k, v in arrays.items() if k not in tables.base.arrays}
        manifest["base"] = where.name
    manifest["arrays"] = sorted(arrays)
    temporary = Path(tempfile.mkdtemp(dir=directory.parent, prefix=".tmp-"))
    try:
        for name, array in arrays.items():
            np.save(temporary / f"{name}.npy", np.ascontiguousarray(array), allow_pickle=False)
        (temporary / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        for path in temporary.iterdir():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
        try:
            os.rename(temporary, directory)
        except OSError:
            if not (directory / "manifest.json").exists():
                raise
            shutil.rmtree(temporary)  # another process wrote the same key first: theirs is as good
    except BaseException:
        with contextlib.suppress(OSError):
            shutil.rmtree(temporary)
        raise
    tables.path = directory


def load(directory: Path) -> Tables | None:
    """The tables in ``directory``, memory-mapped; None when missing, partial or of another format.

    An overlay comes with its base (`Tables.base`), None when that is missing.
    """
    try:
        meta = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            return None
        base = None
        if "base" in meta:
            base = load(directory.parent / str(meta.pop("base")))
            if base is None or base.base is not None:
                return None
        arrays = {
            # Plain views of the maps: slicing a `numpy.memmap` costs a Python call per slice.
            name: np.asarray(np.load(directory / f"{name}.npy", mmap_mode="r", allow_pickle=False))
            for name in meta["arrays"]
        }
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if base is not None:
        return Tables({**shared(base.arrays), **arrays}, meta, base=base, path=directory)
    return Tables(arrays, meta, path=directory)


#: The arrays an extension changes: an overlay's tables hold none of them (`chronos.columnar._overlay`
#: reads them through the base and the overlay), so that no reader takes the base's for the whole.
CHANGED = frozenset(
    {
        "tenures",
        "post_first",
        "claims_off",
        "claims",
        "state_order",
        "state_rank",
        "person_off",
        "person_rows",
        "custody_off",
        "spell_claims_off",
        "spell_claims",
        "death_off",
        "death_claims",
        "seat_events",
        "ev_offsets",
        *("versions", "versions_first", "possibly_at", "vclaims_off", "vclaims", "ranged_known"),
        *("vidents_off", "vidents"),
    }
)


def shared(arrays: dict[str, Array]) -> dict[str, Array]:
    """The arrays of full tables that an overlay on them shares (every one an extension leaves alone)."""
    return {k: v for k, v in arrays.items() if k not in CHANGED}
