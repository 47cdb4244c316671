"""The columnar projection's arrays, written atomically to a directory and memory-mapped back.

A `Tables` is a set of named NumPy arrays and a small JSON manifest (string
tables, counts, the key it was built for). On disk it is a directory holding
``manifest.json`` and one ``NAME.npy`` per array; `save` writes it under a
temporary name and renames it into place, so a reader sees the whole
directory or none of it. `load` maps every array read-only (``mmap_mode="r"``):
opening costs a few system calls per array, and only the pages a question
touches are ever read from disk.
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

__all__ = ["FORMAT", "Tables", "load", "save"]

#: The layout's version: a cache written by another layout is never read.
FORMAT = 2  # 2: Day numbers as int64, claims with identifications, seat events

Array = npt.NDArray[Any]


@attrs.define
class Tables:
    """Named arrays and the manifest that describes them."""

    arrays: dict[str, Array]
    meta: dict[str, Any]

    def __getitem__(self, name: str) -> Array:
        return self.arrays[name]


def save(tables: Tables, directory: Path) -> None:
    """Write ``tables`` as ``directory``, atomically; an existing directory of that name is kept."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(dir=directory.parent, prefix=".tmp-"))
    try:
        for name, array in tables.arrays.items():
            np.save(temporary / f"{name}.npy", np.ascontiguousarray(array), allow_pickle=False)
        manifest = {**tables.meta, "format": FORMAT, "arrays": sorted(tables.arrays)}
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


def load(directory: Path) -> Tables | None:
    """The tables in ``directory``, memory-mapped; None when missing, partial or of another format."""
    try:
        meta = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            return None
        arrays = {
            # Plain views of the maps: slicing a `numpy.memmap` costs a Python call per slice.
            name: np.asarray(np.load(directory / f"{name}.npy", mmap_mode="r", allow_pickle=False))
            for name in meta["arrays"]
        }
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return Tables(arrays, meta)
