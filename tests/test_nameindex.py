"""The catalogue's name index: the same answers as folding and scanning name by name, kept between runs."""

from __future__ import annotations

import tempfile
from array import array
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chronos import Catalogue, LookupFailed, Person
from chronos._fast import cache, nameindex, nearest, postings
from chronos._fast.postings import Postings
from chronos.names import name_key, name_keys
from tests.strategies import NAME_WORDS, alike_catalogues

words = st.text(st.sampled_from("ab c-\n"), max_size=8)


def plain_keys(catalogue: Catalogue) -> dict[str, set[str]]:
    """Every id, name and alias by `name_key`, entity by entity (the index as it was first written)."""
    keys: dict[str, set[str]] = {}
    for entity in catalogue.values():
        for name in (entity.id, *entity.names):
            keys.setdefault(name_key(name), set()).add(entity.id)
    return keys


def plain_forms(catalogue: Catalogue, kind: str | None) -> dict[str, str]:
    """The near-match candidates, entity by entity: the id, then each name's key and casefold."""
    candidates: dict[str, str] = {}
    for entity in catalogue.values():
        if kind is None or entity.kind == kind:
            candidates.setdefault(entity.id, entity.id)
            for name in entity.names:
                candidates.setdefault(name_key(name), entity.id)
                candidates.setdefault(name.casefold(), entity.id)
    return candidates


class TestIndex:
    """The index answers as the plain fold of every name does."""

    @given(alike_catalogues())
    def test_keys_name_the_same_entities(self, catalogue: Catalogue) -> None:
        index = catalogue._name_index
        expected = plain_keys(catalogue)
        for key, owners in expected.items():
            assert index.owners_of(key) == owners
        assert index.owners_of("no such key") == set()

    @given(alike_catalogues(), st.sampled_from([None, "person", "organisation"]))
    def test_near_match_forms_are_the_plain_ones(self, catalogue: Catalogue, kind: str | None) -> None:
        index = catalogue._name_index
        forms, owners = index.forms(kind)
        assert len(set(forms)) == len(forms)
        assert dict(zip(forms, (index.ids[o] for o in owners), strict=True)) == plain_forms(catalogue, kind)

    @given(alike_catalogues(), st.sampled_from(["karim", "masimov", "nur", "toqaev", "12", "zzz"]))
    def test_keys_with_a_word(self, catalogue: Catalogue, word: str) -> None:
        index = catalogue._name_index
        expected = {k for k in plain_keys(catalogue) if word in k.split()}
        found = index.keys_with(word)
        assert len(found) == len(expected) == index.count_with(word)
        assert set(found) == expected


class TestPostings:
    """Postings hold, for each word, the strings it is a word of, and survive bytes."""

    @given(st.lists(words, max_size=12))
    def test_as_a_plain_scan(self, strings: list[str]) -> None:
        import re

        found = Postings.build(strings)
        every = {w for s in strings for w in re.findall(r"\w+", s)}
        assert len(found) == len(every)
        for word in every | {"zz"}:
            expected = [i for i, s in enumerate(strings) if word in re.findall(r"\w+", s)]
            assert list(found.get(word)) == expected
            assert found.count(word) == len(expected)

    @given(st.lists(words, max_size=12))
    def test_bytes_round_trip(self, strings: list[str]) -> None:
        found = Postings.build(strings)
        back = Postings.from_bytes(found.to_bytes(), len(strings))
        assert back is not None
        assert back.to_bytes() == found.to_bytes()

    def test_bytes_that_do_not_fit_are_refused(self) -> None:
        data = Postings.build(["a b", "b c"]).to_bytes()
        assert Postings.from_bytes(data, 1) is None  # a position past the strings
        assert Postings.from_bytes(data[:-1], 2) is None
        assert Postings.from_bytes(b"not json\n", 2) is None
        assert Postings.from_bytes(b'{"format": "other"}\n', 2) is None

    def test_chunks_and_line_breaks(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(postings, "_CHUNK", 2)
        found = Postings.build(["a", "b\na", "a c", "c", "x"])
        assert list(found.get("a")) == [0, 1, 2]
        assert list(found.get("c")) == [2, 3]


class TestKept:
    """Large indexes are kept in the cache and read back by the next catalogue with the same names."""

    @pytest.fixture
    def where(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
        monkeypatch.setenv("CHRONOS_CACHE_DIR", str(tmp_path / "cache"))
        monkeypatch.setattr(postings, "KEEP_FROM", 1)
        monkeypatch.setattr(nameindex, "KEEP_FROM", 1)
        monkeypatch.setattr(nearest, "SCAN_LIMIT", 1)  # hints narrowed by words, with their postings
        return tmp_path / "cache"

    @staticmethod
    def people() -> list[Person]:
        return [
            Person(id="karim-massimov", name="Karim Massimov", aliases=["Масимов Карим"]),
            Person(id="p2", name="Nurlan Abel"),
        ]

    def test_keys_come_back_from_the_cache(self, where: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        assert Catalogue(self.people()).lookup("Masimov Karim").id == "karim-massimov"
        assert len(list(where.glob("keys-*.bin"))) == 1
        calls: list[list[str]] = []

        def counted(names: list[str]) -> list[str]:
            calls.append(names)
            return name_keys(names)

        monkeypatch.setattr(nameindex, "name_keys", counted)
        again = Catalogue(self.people())
        assert again.lookup("Масимов").id == "karim-massimov"
        assert again.lookup("Abel").id == "p2"
        assert calls == []

    def test_other_names_or_rules_fold_afresh(self, where: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        Catalogue(self.people()).lookup("Masimov Karim")
        Catalogue([*self.people(), Person(id="p3", name="Ann")]).lookup("Ann")
        assert len(list(where.glob("keys-*.bin"))) == 2
        monkeypatch.setattr(nameindex, "fingerprint", lambda: "other rules")
        Catalogue(self.people()).lookup("Masimov Karim")
        assert len(list(where.glob("keys-*.bin"))) == 3

    def test_a_damaged_file_is_ignored(self, where: Path) -> None:
        Catalogue(self.people()).lookup("Masimov Karim")
        for path in where.glob("*.bin"):
            path.write_bytes(path.read_bytes()[:-3] + b"zzz")
        assert cache.load_blob("keys", "anything") is None
        catalogue = Catalogue(self.people())
        assert catalogue.lookup("Masimov Karim").id == "karim-massimov"
        assert catalogue.lookup("Abel").id == "p2"

    def test_hints_and_part_names_from_kept_postings(self, where: Path) -> None:
        for _ in range(2):
            catalogue = Catalogue(self.people())
            assert catalogue.lookup("Massimov").id == "karim-massimov"
            with pytest.raises(LookupFailed, match="did you mean 'karim-massimov'"):
                catalogue.lookup("Karim Masimoz")
        assert {p.name.split("-")[0] for p in where.glob("*.bin")} == {"keys", "keywords", "forms", "words"}

    def test_off(self, where: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("CHRONOS_CACHE_DIR", "off")
        assert Catalogue(self.people()).lookup("Massimov").id == "karim-massimov"
        assert not where.exists()


class TestKeptEqualsBuilt:
    """What a second catalogue reads from the cache is what the first one built."""

    @given(alike_catalogues(), st.sampled_from([None, "person", "organisation"]), st.sampled_from(NAME_WORDS))
    def test_keys_forms_and_postings(self, catalogue: Catalogue, kind: str | None, word: str) -> None:
        with tempfile.TemporaryDirectory() as where, pytest.MonkeyPatch.context() as patch:
            patch.setenv("CHRONOS_CACHE_DIR", where)
            patch.setattr(postings, "KEEP_FROM", 1)
            patch.setattr(nameindex, "KEEP_FROM", 1)
            patch.setattr(nearest, "SCAN_LIMIT", 1)
            answers = []
            for _ in range(2):
                again = Catalogue(catalogue.values())
                index = again._name_index
                forms, owners = index.forms(kind)
                answers.append(
                    (
                        [index.owners_of(k) for k in index.keys],
                        index.keys_with(name_key(word)),
                        forms,
                        list(owners),
                        again.suggest(word, kind=kind),
                    )
                )
            assert answers[0] == answers[1]
            back = nameindex._forms_from(nameindex._forms_to(forms, owners))
            assert back is not None
            assert (back[0], list(back[1])) == (forms, list(owners))

    def test_forms_with_a_line_break_are_not_read_back(self) -> None:
        assert nameindex._forms_from(nameindex._forms_to(["a\nb"], [0])) is None
        assert nameindex._forms_from(nameindex._forms_to([], [])) == ([], array("I"))
