"""The q-gram shortlist: the index a plain loop over every string builds, kept and read back unchanged."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chronos._fast import grams as _grams
from chronos._fast import postings
from chronos._fast.grams import Grams, grams_of

texts = st.text(st.sampled_from("ab cé\nЖ"), max_size=7)


def pieces(text: str) -> set[int]:
    """The distinct three-byte pieces of ``" text "`` in UTF-8, as numbers, the plain way."""
    data = f" {text} ".encode("utf-8", "surrogatepass")
    return {int.from_bytes(data[i : i + 3], "big") for i in range(len(data) - 2)}


def counted(strings: list[str], query: str) -> set[int]:
    """The query's pieces `Grams.shortlist` counts: the rarer half, and any held by few strings."""
    held = {p: sum(p in pieces(t) for t in strings) for p in pieces(query)}
    present = sorted((n, p) for p, n in held.items() if n)
    used = max((len(present) + 1) // 2, sum(n * _grams.RARE <= len(strings) for n, _ in present))
    return {p for _, p in present[:used]}


def share(query: str, text: str, counting: set[int]) -> float:
    common = len(counting & pieces(text))
    return common / (len(pieces(query)) + len(pieces(text)) - common)


class TestBuilt:
    """`Grams.build` and `grams_of` give what a loop over every string and byte gives."""

    @given(texts)
    def test_pieces_of_a_query(self, text: str) -> None:
        assert grams_of(text).tolist() == sorted(pieces(text))

    @given(st.lists(texts, max_size=12))
    def test_the_index_of_a_plain_scan(self, strings: list[str]) -> None:
        index = Grams.build(strings)
        plain: dict[int, list[int]] = {}
        for at, text in enumerate(strings):
            for piece in sorted(pieces(text)):
                plain.setdefault(piece, []).append(at)
        assert index.grams.tolist() == sorted(plain)
        found = {
            int(g): index.positions[int(index.offsets[i]) : int(index.offsets[i + 1])].tolist()
            for i, g in enumerate(index.grams)
        }
        assert found == plain
        assert index.sizes.tolist() == [len(pieces(t)) for t in strings]

    def test_chunks(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Strings read a chunk at a time are indexed at their place in the whole list."""
        strings = [f"name {n}" for n in range(50)]
        monkeypatch.setattr(_grams, "_CHUNK", 7)
        chunked = Grams.build(strings)
        monkeypatch.setattr(_grams, "_CHUNK", 1000)
        whole = Grams.build(strings)
        assert chunked.positions.tolist() == whole.positions.tolist()
        assert chunked.grams.tolist() == whole.grams.tolist()


class TestShortlist:
    """The shortlist holds the strings sharing the greatest share of pieces, and always the query itself."""

    @given(st.lists(texts, max_size=20), texts, st.integers(0, 6))
    def test_the_most_alike_and_every_exact_one(self, strings: list[str], query: str, limit: int) -> None:
        found = Grams.build(strings).shortlist(query, limit)
        assert found == sorted(set(found))
        exact = {at for at, text in enumerate(strings) if pieces(text) == pieces(query)}
        assert exact <= set(found)
        counting = counted(strings, query)
        sharing = {at for at, text in enumerate(strings) if pieces(text) & counting}
        # Beyond the exact ones, only strings of the query's length in pieces holding every counted piece.
        extra = {
            at
            for at, text in enumerate(strings)
            if counting <= pieces(text) and len(pieces(text)) == len(pieces(query))
        }
        assert set(found) <= sharing | exact | extra
        if len(sharing) <= limit:
            assert sharing <= set(found)
        else:
            assert len(set(found) - exact - extra) <= limit
        left = sharing - set(found)
        kept = set(found) - exact - extra
        if left and kept:
            # Nothing left out shares a greater share of pieces than what was kept (rounding aside).
            assert (
                max(share(query, strings[at], counting) for at in left)
                <= min(share(query, strings[at], counting) for at in kept) + 1e-9
            )

    @given(st.lists(texts, min_size=1, max_size=20), st.data())
    def test_a_string_finds_itself(self, strings: list[str], data: st.DataObject) -> None:
        at = data.draw(st.integers(0, len(strings) - 1))
        assert at in Grams.build(strings).shortlist(strings[at], 1)

    def test_unknown_pieces_and_the_empty_query(self) -> None:
        """A query none of whose pieces any string holds finds nothing (not every string of its size)."""
        index = Grams.build(["abcd", "wxyz", "", "ab"])
        assert index.shortlist("qrst", 5) == []  # as many pieces as "abcd" and "wxyz"
        assert index.shortlist("abqq", 5) == [0, 3]
        assert index.shortlist("", 5) == [2]


class TestKept:
    """What `Grams.kept` reads is what was built; a file that does not fit is passed over."""

    @given(st.lists(texts, max_size=12), texts)
    def test_kept_equals_built(self, strings: list[str], query: str) -> None:
        with tempfile.TemporaryDirectory() as where, pytest.MonkeyPatch.context() as patch:
            patch.setenv("CHRONOS_CACHE_DIR", where)
            patch.setattr(postings, "KEEP_FROM", 0)
            built = Grams.of(strings, key="k")
            kept = Grams.kept("k", len(strings))
            assert kept is not None
            for name in ("grams", "offsets", "positions", "sizes"):
                assert np.array_equal(getattr(kept, name), getattr(built, name))
            assert kept.shortlist(query, 3) == built.shortlist(query, 3)
            assert Grams.of(strings, key="k").grams.tolist() == built.grams.tolist()

    def test_another_count_or_a_file_cut_short(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("CHRONOS_CACHE_DIR", str(tmp_path))
        Grams.build(["karim massimov", "abish samat"]).keep("k")
        assert Grams.kept("k", 2) is not None
        assert Grams.kept("k", 3) is None
        assert Grams.kept("other", 2) is None
        for path in tmp_path.glob("grams-*.map"):
            path.write_bytes(path.read_bytes()[:-8])
        assert Grams.kept("k", 2) is None
