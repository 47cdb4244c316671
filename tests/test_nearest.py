"""Near-match hints: difflib's answer on small sets, difflib's over a shortlist on large sets.

rapidfuzz shortlists by `similarity`, twice the longest common subsequence over
the total length; `ratio` below computes it the textbook way, and it must never
be below difflib's ratio, or the shortlist could lose an answer.
"""

from __future__ import annotations

import difflib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chronos import AmbiguousName, Catalogue, LookupFailed, Person
from chronos._fast import nearest as _nearest
from chronos._fast.grams import Grams
from chronos._fast.nearest import Nearest
from tests.strategies import NAME_WORDS, alike_catalogues, small_catalogue

words = st.sampled_from(["karim", "masimov", "massimov", "abish", "samat", "person", "12", "123", "1234"])
names = st.lists(words, min_size=1, max_size=3).map(" ".join)


def lcs(a: str, b: str) -> int:
    """The length of the longest common subsequence, by the textbook table."""
    row = [0] * (len(b) + 1)
    for x in a:
        previous = 0
        for j, y in enumerate(b, start=1):
            previous, row[j] = row[j], previous + 1 if x == y else max(row[j], row[j - 1])
    return row[-1]


def ratio(a: str, b: str) -> float:
    return 1.0 if not a and not b else 2 * lcs(a, b) / (len(a) + len(b))


def reference(query: str, candidates: list[str], n: int = 3) -> list[str]:
    return difflib.get_close_matches(query, list(dict.fromkeys(candidates)), n=n, cutoff=0.6)


class TestSmallSets:
    @given(st.lists(names, max_size=30), names)
    def test_same_as_difflib(self, candidates: list[str], query: str) -> None:
        assert Nearest(candidates).close(query, 3) == reference(query, candidates)

    @given(st.lists(st.text("abc ", max_size=6), max_size=60), st.text("abc ", max_size=6), st.integers(1, 8))
    def test_alike_candidates_and_ties_as_difflib(self, candidates: list[str], query: str, n: int) -> None:
        """Candidates as alike as can be: reading the shortlist best bound first stops as difflib would."""
        expected = difflib.get_close_matches(query, list(dict.fromkeys(candidates)), n=n, cutoff=0.6)
        assert Nearest(candidates).close(query, n) == expected

    @given(st.text("abcde /-", max_size=14), st.text("abcde /-", max_size=14))
    def test_similarity_is_the_lcs_ratio_and_never_below_difflib(self, a: str, b: str) -> None:
        assert _nearest.similarity(a, b) == pytest.approx(ratio(a, b))
        assert ratio(a, b) >= difflib.SequenceMatcher(None, a, b).ratio() - 1e-9


class TestLargeSets:
    @pytest.fixture(autouse=True)
    def _small_limits(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(_nearest, "SCAN_LIMIT", 5)
        monkeypatch.setattr(_nearest, "COMMON", 3)
        monkeypatch.setattr(_nearest, "SHORTLIST", _nearest.SHORTLIST)  # the tests set it

    @given(st.lists(names, max_size=30), names, st.integers(1, 4))
    def test_difflib_over_those_sharing_a_word_else_over_the_pieces_shortlist(
        self, candidates: list[str], query: str, shortlist: int
    ) -> None:
        distinct = list(dict.fromkeys(candidates))
        _nearest.SHORTLIST = shortlist
        found = Nearest(candidates).close(query, 3)
        mine = set(query.split())
        usable = {w for w in mine if sum(w in c.split() for c in distinct) <= 3}
        if len(distinct) <= _nearest.SCAN_LIMIT:
            assert found == reference(query, distinct)
        elif any(usable & set(c.split()) for c in distinct):
            assert found == reference(query, [c for c in distinct if usable & set(c.split())])
        else:
            near = Grams.build(distinct).shortlist(query, shortlist)
            assert found == reference(query, [distinct[at] for at in near])

    @given(st.lists(names, max_size=30), names, st.integers(1, 4))
    def test_real_candidates_above_the_cutoff_best_first(
        self, candidates: list[str], query: str, shortlist: int
    ) -> None:
        _nearest.SHORTLIST = shortlist
        found = Nearest(candidates).close(query, 3)
        ratios = [difflib.SequenceMatcher(None, c, query).ratio() for c in found]
        assert set(found) <= set(candidates)
        assert all(r >= 0.6 for r in ratios)
        assert list(zip(ratios, found, strict=True)) == sorted(zip(ratios, found, strict=True), reverse=True)

    @given(st.lists(names, min_size=1, max_size=30), st.data(), st.integers(1, 4))
    def test_a_candidate_finds_itself_first(self, candidates: list[str], data: st.DataObject, n: int) -> None:
        query = data.draw(st.sampled_from(candidates))
        _nearest.SHORTLIST = 1
        assert Nearest(candidates).close(query, n)[0] == query

    def test_a_typo_among_many_ids(self) -> None:
        ids = [f"person-{n}" for n in range(30_000)]
        assert Nearest(ids).close("persn-12345", 3)[0] == "person-12345"

    def test_catalogue_hints(self) -> None:
        catalogue = small_catalogue()
        with pytest.raises(LookupFailed, match=r"did you mean 'ann-abel'"):
            catalogue.get_kind("ann-abell", "person")
        assert catalogue.suggest("Ann Abell", kind="person")[0] == "ann-abel"


def test_a_large_catalogue_suggests_by_shared_words() -> None:
    people = [Person(id=f"person-{n}", name=f"Person {n}") for n in range(25_000)]
    catalogue = Catalogue([*people, Person(id="karim-massimov", name="Karim Massimov")])
    assert catalogue.suggest("Karim Masimov", kind="person")[0] == "karim-massimov"
    assert catalogue.suggest("Persn 12345", kind="person")[0] == "person-12345"
    with pytest.raises(LookupFailed, match=r"did you mean 'person-12345'"):
        catalogue.get_kind("persn-12345", "person")


class TestResolvingAnswersUnchanged:
    """The shortlist changes hints only: a lookup that finds an entity, or several, answers as before."""

    @given(
        alike_catalogues(),
        st.lists(st.lists(st.sampled_from(NAME_WORDS), min_size=1, max_size=3).map(" ".join), max_size=6),
        st.sampled_from([None, "person", "organisation"]),
    )
    def test_hits_and_ambiguity_as_a_full_scan(
        self, catalogue: Catalogue, queries: list[str], kind: str | None
    ) -> None:
        questions = [*queries, *(e.name for e in catalogue.values()), "Nobody Knownhere"]
        scanned = [answer(Catalogue(catalogue.values()), q, kind) for q in questions]
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(_nearest, "SCAN_LIMIT", 1)
            patch.setattr(_nearest, "SHORTLIST", 1)
            shortlisted = [answer(Catalogue(catalogue.values()), q, kind) for q in questions]
        for before, now in zip(scanned, shortlisted, strict=True):
            if before[0] != "LookupFailed":
                assert now == before
            else:  # a miss: hints may differ, but are real entities of the kind asked for
                assert now[0] == "LookupFailed"
                assert all(kind is None or catalogue[i].kind == kind for i in now[1])


def answer(catalogue: Catalogue, query: str, kind: str | None) -> tuple[str, tuple[str, ...]]:
    """What a lookup answers: the id found, or the error's kind and the ids it offers."""
    try:
        return "found", (catalogue.lookup(query, kind=kind).id,)
    except (LookupFailed, AmbiguousName) as exc:
        return type(exc).__name__, exc.suggestions
