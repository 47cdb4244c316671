"""The catalogue's hash in a projection's key: remembered by the file's identity, only while it holds."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest
from benchmarks.generate import generate, write

from chronos import Chronology, JsonlStore
from chronos.columnar import open_columnar
from chronos.columnar._key import MEMO, digest
from chronos.errors import StoreError
from tests.test_columnar import assert_same

OLD = 1_600_000_000  # a modification time long past (2020)


def settled_log(tmp_path: Path, seed: int) -> Path:
    """A generated log whose catalogue was last modified long ago."""
    where = tmp_path / "log"
    write(generate(600, seed=seed), where)
    os.utime(where / "catalogue.toml", (OLD, OLD))
    return where


class TestRemembered:
    """A settled catalogue is hashed once; any later change to the file is seen."""

    def test_a_settled_catalogue_is_not_read_again(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        where = settled_log(tmp_path, 31)
        open_columnar(where)
        memo = json.loads((where / ".columns" / MEMO).read_text(encoding="utf-8"))
        assert memo["sha256"] == digest((where / "catalogue.toml").read_text(encoding="utf-8"))

        def unread(_store: JsonlStore) -> str:
            raise AssertionError("read a catalogue whose hash was remembered")

        with monkeypatch.context() as patched:
            patched.setattr(JsonlStore, "read_catalogue", unread)
            again = open_columnar(where)
            org = again.entity_id(int(again.tables["org_top"][0]))
            again.roster_rows(org, at="2000-01-01")  # the rows need no catalogue
        world = generate(600, seed=31)
        assert_same(again, Chronology.open(where), world, random.Random(31))  # read, and checked, when needed

    def test_an_edit_that_keeps_size_and_time_is_seen(self, tmp_path: Path) -> None:
        where = settled_log(tmp_path, 32)
        world = generate(600, seed=32)
        org = world.orgs[0]
        open_columnar(where)
        path = where / "catalogue.toml"
        text = path.read_text(encoding="utf-8")
        name = world.catalogue[org].name
        renamed = "Q" * len(name)
        assert len(renamed.encode()) == len(name.encode())
        path.write_text(text.replace(f'name = "{name}"', f'name = "{renamed}"', 1), encoding="utf-8")
        os.utime(path, (OLD, OLD))  # the same size and modification time: the change time still moves
        again = open_columnar(where)
        assert again.lookup(renamed).id == org

    def test_a_fresh_catalogue_is_not_remembered(self, tmp_path: Path) -> None:
        where = tmp_path / "log"
        write(generate(400, seed=33), where)
        open_columnar(where)
        assert not (where / ".columns" / MEMO).exists()

    def test_a_hash_that_does_not_match_the_text_is_an_error(self, tmp_path: Path) -> None:
        where = settled_log(tmp_path, 34)
        open_columnar(where)
        memo_path = where / ".columns" / MEMO
        memo = json.loads(memo_path.read_text(encoding="utf-8"))
        memo["sha256"] = digest("something else")
        memo_path.write_text(json.dumps(memo), encoding="utf-8")
        with pytest.raises(StoreError, match="changed since the log was opened"):
            open_columnar(where)  # no projection for that hash: building it needs the text, which differs
        assert not memo_path.exists()
        assert_same(open_columnar(where), Chronology.open(where), generate(600, seed=34), random.Random(34))
