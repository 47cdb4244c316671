"""A later version of a dataset adds to the entities an earlier one made: names, languages, identifiers.

The rule (`chronos.interop._entities`): what a later version says of an
entity already in the catalogue is added (a new spelling or a name in
another script becomes an alias, with its language; a new identifier is
kept unless the entity has another of that scheme; the file's new id becomes
an alias), nothing is removed and the canonical name stays. The change is a
chained ``changed`` entry of the catalogue's history, so ``verify`` passes
and ``repair`` completes it when interrupted.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from chronos import AmbiguousName, EventLog, Person
from chronos import catalogue_history as history
from chronos.interop import import_file, import_wikidata
from tests import shared
from tests.test_catalogue_history import killed_before_the_text_lands

KZ = ("everypolitician-kazakhstan/014e6c4f", "everypolitician-kazakhstan/379106e8")
KZ_KNOWN = ("2016-01-10", "2016-05-01")


def _popolo(folder: str) -> Path:
    return shared.need(shared.FIXTURES / folder / "ep-popolo-v1.0.json")


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Any], int]:
    """A log with both versions imported, the reports, and how many persons the first one made."""
    directory = tmp_path_factory.mktemp("kz") / "log"
    log = EventLog.create(directory)
    first = import_file(log, "popolo", _popolo(KZ[0]), known_at=KZ_KNOWN[0])
    persons = len(log.catalogue.of_kind("person"))
    second = import_file(log, "popolo", _popolo(KZ[1]), known_at=KZ_KNOWN[1])
    return directory, [first, second], persons


class TestEveryPoliticianKazakhstan:
    """The second version gives 43 of the first version's 107 persons their Kazakh and Russian names."""

    def test_no_person_twice_and_the_log_verifies(self, both: tuple[Path, list[Any], int]) -> None:
        directory, (first, second), persons = both
        old, new = _load(_popolo(KZ[0])), _load(_popolo(KZ[1]))
        assert persons == len(old["persons"])
        log = EventLog.open(directory)
        assert len(log.catalogue.of_kind("person")) == len(new["persons"])
        assert first.updated == 0
        assert second.updated > 0
        assert f"{second.updated} entities given new names or identifiers" in str(second)
        log.verify()

    def test_the_new_names_are_found(self, both: tuple[Path, list[Any], int]) -> None:
        directory, _, _ = both
        catalogue = EventLog.open(directory).catalogue
        old = {p["name"].strip(): p for p in _load(_popolo(KZ[0]))["persons"]}
        grown = 0
        for person in _load(_popolo(KZ[1]))["persons"]:
            before = old.get(person["name"].strip())
            if before is None or not person.get("other_names"):
                continue
            (entity,) = [e for e in catalogue.of_kind("person") if e.name == before["name"].strip()]
            for other in person["other_names"]:
                assert catalogue.lookup(other["name"]).id == entity.id
                assert any(n.casefold() == other["name"].casefold() for n in entity.aliases)
                assert other["lang"] in entity.language_of(other["name"]) or any(
                    t.casefold() == f"{other['lang']}:{other['name']}".casefold() for t in entity.languages
                )
            assert catalogue.lookup(person["id"]).id == entity.id  # the new version's id
            grown += 1
        assert grown == 43  # persons of the first version given other_names by the second

    def test_the_history_records_the_changes(self, both: tuple[Path, list[Any], int]) -> None:
        directory, (_, second), _ = both
        log = EventLog.open(directory)
        last = history.replay(log.store.read_catalogue_history(), "h").entries[-1]
        assert len(last.changed) == second.updated
        earlier = {
            row["id"]: row
            for row in history.replay(log.store.read_catalogue_history()[:-1], "h").rows.values()
        }
        for row in last.changed:
            before = earlier[row["id"]]
            assert row["name"] == before["name"]  # the canonical name stays
            assert set(before.get("aliases", ())) <= set(row["aliases"])  # nothing removed

    def test_an_update_killed_mid_write_is_completed_by_repair(self, tmp_path: Path) -> None:
        log = EventLog.create(tmp_path / "log")
        import_file(log, "popolo", _popolo(KZ[0]), known_at=KZ_KNOWN[0])
        with killed_before_the_text_lands():
            import_file(log, "popolo", _popolo(KZ[1]), known_at=KZ_KNOWN[1])
        assert EventLog.open(tmp_path / "log").repair() is not None
        log = EventLog.open(tmp_path / "log")
        log.verify()
        assert log.catalogue.lookup("Мурадов Ахмет Сейдарахманович").name == "MURADOV Ahmet Seydarahmanovich"


class TestWikidataRevisions:
    """A newer revision of an item that adds labels and aliases adds them to the person."""

    def test_labels_and_aliases_of_the_newer_revision(self, tmp_path: Path) -> None:
        newer = shared.need(shared.FIXTURES / "wikidata" / "Q264766.json")
        data = _load(newer)
        item = next(iter(data["entities"].values()))
        older_item = copy.deepcopy(item)
        dropped = [a["value"] for a in older_item.pop("aliases")["en"]]
        older_item["aliases"] = {}
        older_item["modified"] = "2015-06-01T00:00:00Z"
        older_item["lastrevid"] = item["lastrevid"] - 1
        older = tmp_path / "older" / "Q264766.json"
        older.parent.mkdir()
        older.write_text(json.dumps({"entities": {item["id"]: older_item}}), encoding="utf-8")
        log = EventLog.create(tmp_path / "log")
        import_wikidata(log, [older])
        (person,) = log.catalogue.of_kind("person")
        assert not set(dropped) & set(person.aliases)
        report = import_wikidata(log, [newer])
        assert report.updated == 1
        log = EventLog.open(tmp_path / "log")
        (again,) = log.catalogue.of_kind("person")
        assert (again.id, again.name) == (person.id, person.name)
        for alias in dropped:
            assert alias in again.aliases
            assert log.catalogue.lookup(alias).id == person.id
        log.verify()


class TestTheRule:
    """What an update may add, and what it never does."""

    def test_additive_keeps_everything_and_adds_only(self) -> None:
        old = Person(id="a", name="Ann", aliases=["Anne"], identifiers=["wikidata:Q1"])
        new = Person(id="a", name="ANN B", aliases=["Anne", "Анна"], identifiers=["wikidata:Q1", "x:2"])
        grown = history.additive(old, new)
        assert grown.name == "Ann"
        assert grown.aliases == ("Anne", "ANN B", "Анна")
        assert grown.identifiers == ("wikidata:Q1", "x:2")
        assert history.additive(grown, new) == grown

    def test_a_conflicting_identifier_is_not_taken(self, tmp_path: Path) -> None:
        log = EventLog.create(tmp_path / "log", require_sources=False)
        log.add_entities([Person(id="ann", name="Ann Abel", identifiers=["wikidata:Q1"])])
        text = "person,post,org,start,end,person_wikidata\nann,Chair,Club,2000,2001,Q2\n"
        (tmp_path / "p.csv").write_text(text, encoding="utf-8")
        import_file(log, "csv", tmp_path / "p.csv", known_at="2020")
        assert EventLog.open(tmp_path / "log").catalogue["ann"].identifiers == ("wikidata:Q1",)

    def test_a_name_shared_by_two_stays_ambiguous(self, tmp_path: Path) -> None:
        log = EventLog.create(tmp_path / "log", require_sources=False)
        log.add_entities([Person(id="a", name="Ann"), Person(id="b", name="Bo", aliases=["Ann"])])
        with pytest.raises(AmbiguousName):
            log.catalogue.lookup("Ann")
