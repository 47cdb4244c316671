"""The parsed-catalogue cache: used only for the exact text it was made from, and never needed."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from chronos import Catalogue, CatalogueError
from chronos._fast import cache
from chronos.entities import entities_toml
from tests.strategies import small_catalogue


@pytest.fixture
def where(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh cache directory, caching texts of any size."""
    monkeypatch.setenv("CHRONOS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cache, "MIN_CACHED", 0)
    return tmp_path / "cache"


class Counting:
    """tomllib.loads, counting its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, text: str) -> object:
        self.calls += 1
        return tomllib.loads(text)


TEXT = small_catalogue().to_toml()


class TestParsed:
    def test_second_parse_comes_from_the_cache(self, where: Path) -> None:
        parse = Counting()
        first = cache.parsed("catalogue", TEXT, parse)
        second = cache.parsed("catalogue", TEXT, parse)
        assert parse.calls == 1
        assert first == second == tomllib.loads(TEXT)
        assert len(list(where.glob("catalogue-*.json"))) == 1

    def test_catalogue_from_the_cache_equals_the_parsed_one(self, where: Path) -> None:
        Catalogue.from_toml(TEXT)
        assert list(where.glob("catalogue-*.json"))
        assert Catalogue.from_toml(TEXT) == small_catalogue()

    def test_another_text_is_parsed_afresh(self, where: Path) -> None:
        parse = Counting()
        cache.parsed("catalogue", TEXT, parse)
        other = entities_toml([*small_catalogue().values()][:2])
        assert cache.parsed("catalogue", other, parse) == tomllib.loads(other)
        assert parse.calls == 2

    def test_small_texts_are_not_cached(self, where: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(cache, "MIN_CACHED", len(TEXT) + 1)
        parse = Counting()
        cache.parsed("catalogue", TEXT, parse)
        cache.parsed("catalogue", TEXT, parse)
        assert parse.calls == 2
        assert not where.exists()

    def test_off(self, where: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("CHRONOS_CACHE_DIR", "off")
        assert cache.cache_dir() is None
        assert Catalogue.from_toml(TEXT) == small_catalogue()
        assert not where.exists()

    def test_default_directory(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        monkeypatch.delenv("CHRONOS_CACHE_DIR")
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
        assert cache.cache_dir() == tmp_path / "chronos"

    def test_a_damaged_file_is_ignored_and_rewritten(self, where: Path) -> None:
        cache.parsed("catalogue", TEXT, tomllib.loads)
        (path,) = where.glob("catalogue-*.json")
        path.write_text('{"person": [', encoding="utf-8")
        parse = Counting()
        assert cache.parsed("catalogue", TEXT, parse) == tomllib.loads(TEXT)
        assert parse.calls == 1
        assert cache.parsed("catalogue", TEXT, parse) == tomllib.loads(TEXT)
        assert parse.calls == 1

    def test_an_unusable_directory_only_costs_time(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        blocker = tmp_path / "a-file"
        blocker.write_text("not a directory", encoding="utf-8")
        monkeypatch.setenv("CHRONOS_CACHE_DIR", str(blocker / "cache"))
        monkeypatch.setattr(cache, "MIN_CACHED", 0)
        assert Catalogue.from_toml(TEXT) == small_catalogue()

    def test_errors_name_the_origin_and_cache_nothing(self, where: Path) -> None:
        with pytest.raises(CatalogueError, match=r"^cat\.toml: "):
            Catalogue.from_toml("[[person]\nid = 1", origin="cat.toml")
        assert not where.exists()

    def test_old_files_are_pruned(self, where: Path) -> None:
        texts = [entities_toml([*small_catalogue().values()][:n]) for n in range(1, cache.KEEP + 3)]
        for text in texts:
            cache.parsed("catalogue", text, tomllib.loads)
        assert len(list(where.glob("catalogue-*.json"))) == cache.KEEP
