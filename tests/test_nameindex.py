"""The catalogue's name index: the same answers as folding and scanning name by name, kept between runs."""

from __future__ import annotations

import tempfile
from array import array
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chronos import AmbiguousName, Catalogue, LookupFailed, Person
from chronos._fast import cache, mapped, nameindex, nearest, postings
from chronos._fast.keptnames import KeptNames
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
        assert {p.name.split("-")[0] for p in where.glob("*.bin")} == {"keys"}
        assert {p.name.split("-")[0] for p in where.glob("*.map")} == {"keywords", "forms", "words"}

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
                        [index.owners_of(k) for k in plain_keys(catalogue)],
                        index.keys_with(name_key(word)),
                        list(forms),
                        list(owners),
                        again.suggest(word, kind=kind),
                    )
                )
            assert answers[0] == answers[1]


def _answer(catalogue: Catalogue, query: str, kind: str | None) -> object:
    """What a lookup answers: the id found, or the error's kind and the ids it offers."""
    try:
        return catalogue.lookup(query, kind=kind).id
    except (LookupFailed, AmbiguousName) as exc:
        return type(exc).__name__, exc.suggestions


class TestKeptNames:
    """A catalogue read again from the same text answers from the kept files exactly as the built index."""

    @given(
        alike_catalogues(),
        st.lists(st.lists(st.sampled_from(NAME_WORDS), min_size=1, max_size=3).map(" ".join), max_size=6),
        st.sampled_from([None, "person", "organisation"]),
    )
    def test_the_same_answers(self, catalogue: Catalogue, queries: list[str], kind: str | None) -> None:
        text = catalogue.to_toml()
        with tempfile.TemporaryDirectory() as where, pytest.MonkeyPatch.context() as patch:
            patch.setenv("CHRONOS_CACHE_DIR", where)
            patch.setattr(cache, "MIN_CACHED", 1)
            patch.setattr(postings, "KEEP_FROM", 1)
            patch.setattr(nameindex, "KEEP_FROM", 1)
            patch.setattr(nearest, "SCAN_LIMIT", 1)
            first = Catalogue.from_toml(text)
            built = first._name_index
            assert isinstance(built, nameindex.NameIndex)
            questions = [*queries, *(e.name for e in catalogue.values()), "Nobody Knownhere"]
            answers = [_answer(first, q, kind) for q in questions]
            again = Catalogue.from_toml(text)
            kept = again._name_index
            assert isinstance(kept, KeptNames)
            for key in plain_keys(catalogue):
                assert kept.owners_of(key) == built.owners_of(key)
            for word in {w for k in plain_keys(catalogue) for w in k.split()}:
                assert kept.keys_with(word) == built.keys_with(word)
            assert [_answer(again, q, kind) for q in questions] == answers
            forms, owners = kept.forms(kind)
            assert (list(forms), list(owners)) == (list(built.forms(kind)[0]), list(built.forms(kind)[1]))

    def test_another_text_or_a_grown_catalogue_is_not_answered_from_them(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("CHRONOS_CACHE_DIR", str(tmp_path))
        monkeypatch.setattr(cache, "MIN_CACHED", 1)
        monkeypatch.setattr(nameindex, "KEEP_FROM", 1)
        text = Catalogue(TestKept.people()).to_toml()
        assert Catalogue.from_toml(text).lookup("Masimov Karim").id == "karim-massimov"
        assert isinstance(Catalogue.from_toml(text)._name_index, KeptNames)
        other = Catalogue.from_toml(text + '\n[[person]]\nid = "ann"\nname = "Ann"\n')
        assert isinstance(other._name_index, nameindex.NameIndex)
        grown = Catalogue.from_toml(text)
        grown.extend([Person(id="bo", name="Bo Abel")])
        assert isinstance(grown._name_index, nameindex.NameIndex)
        assert grown.lookup("Bo Abel").id == "bo"

    def test_a_file_cut_short_is_passed_over(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("CHRONOS_CACHE_DIR", str(tmp_path))
        monkeypatch.setattr(cache, "MIN_CACHED", 1)
        monkeypatch.setattr(nameindex, "KEEP_FROM", 1)
        text = Catalogue(TestKept.people()).to_toml()
        Catalogue.from_toml(text).lookup("Masimov Karim")
        for path in tmp_path.glob("names-*.map"):
            path.write_bytes(path.read_bytes()[:-8])
        again = Catalogue.from_toml(text)
        assert isinstance(again._name_index, nameindex.NameIndex)
        assert again.lookup("Masimov Karim").id == "karim-massimov"


class TestMapped:
    """Mapped files give back the strings and integers kept, and refuse what does not hold together."""

    @given(st.lists(st.text(max_size=6), max_size=8), st.lists(st.integers(0, 2**32 - 1), max_size=8))
    def test_round_trip(self, strings: list[str], numbers: list[int]) -> None:
        with tempfile.TemporaryDirectory() as where, pytest.MonkeyPatch.context() as patch:
            patch.setenv("CHRONOS_CACHE_DIR", where)
            mapped.keep("t", "k", {"s": strings, "n": array(mapped.POSITIONS, numbers)})
            file = mapped.kept("t", "k")
            assert file is not None
            assert list(file.strings("s")) == strings
            assert [file.strings("s")[i] for i in range(len(strings))] == strings
            assert list(file.ints("n")) == numbers
