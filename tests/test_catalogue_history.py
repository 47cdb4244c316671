"""The catalogue's chained history covers registered sources and settings, and repair completes such writes.

An import into a log that requires registered sources adds `Publication`s
beside its entities. Killed between the history entry and the catalogue's
text, it must be completed by ``chronos repair`` (the entry lists the
sources, so the text can be rebuilt), and `verify` must name a source or
a setting edited by hand as it names an entity. Histories written before
sources were listed (version-1 entries) still verify, and are taken over
by one entry the first time chronos writes them.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chronos import Catalogue, EventLog, IntegrityError, Person, Publication, cli
from chronos import catalogue_history as history
from chronos.entities import entities_toml
from chronos.stores import _jsonl_catalogue
from chronos.stores.records import GENESIS
from tests.strategies import publications
from tests.workers import import_csv

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "events"


class Killed(BaseException):
    """The process died here: nothing after it runs, no handler cleans up (not an `Exception`)."""


class _DyingOs:
    """``os`` as the catalogue writer sees it, dying at the rename that makes the new text count."""

    def __getattr__(self, name: str) -> Any:
        import os

        if name == "replace":

            def replace(*_args: Any) -> None:
                raise Killed

            return replace
        return getattr(os, name)


@contextmanager
def killed_before_the_text_lands() -> Iterator[None]:
    """Kill a catalogue write after its history entry is on disk and before its text replaces the old."""
    import os

    setattr(_jsonl_catalogue, "os", _DyingOs())  # noqa: B010 -- the module's own name for os, for the test
    try:
        with pytest.raises(Killed):
            yield
    finally:
        setattr(_jsonl_catalogue, "os", os)  # noqa: B010


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def s(tmp_path: Path) -> Path:
    """A copy of events/, which requires registered sources."""
    copy = tmp_path / "s"
    shutil.copytree(EVENTS, copy)
    return copy


class TestAKilledImportThatRegistersSources:
    """``chronos import`` killed mid-write, then ``chronos repair``: its entities and sources land."""

    def test_through_the_command_line(
        self, s: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert EventLog.open(s).catalogue.require_sources
        path = tmp_path / "trap" / "people.csv"
        path.parent.mkdir()
        path.write_text(import_csv("trap"), encoding="utf-8")
        before = (s / "catalogue.toml").read_text(encoding="utf-8")
        with killed_before_the_text_lands():
            cli.main(["--log", str(s), "import", "csv", str(path), "--known-at", "2020"])
        capsys.readouterr()
        assert (s / "catalogue.toml").read_text(encoding="utf-8") == before
        code, _, err = run(capsys, "--log", str(s), "verify")
        assert code == 1
        assert "7 entities and 1 source added) was interrupted" in err
        assert "run `chronos repair`" in err
        code, out, err = run(capsys, "--log", str(s), "repair")
        assert code == 0, err
        assert "completed the interrupted catalogue change" in out
        assert "7 entities and 1 source)" in out
        code, out, err = run(capsys, "--log", str(s), "verify")
        assert code == 0, err
        catalogue = EventLog.open(s).catalogue
        assert "trap/people.csv" in catalogue.sources
        assert catalogue.lookup("Person trap 0").id in catalogue
        # The import's events never landed (it died first); running it again now completes it.
        code, out, err = run(capsys, "--log", str(s), "import", "csv", str(path), "--known-at", "2020")
        assert code == 0, err
        assert run(capsys, "--log", str(s), "verify")[0] == 0

    def test_through_add_entities(self, s: Path) -> None:
        log = EventLog.open(s)
        wanted: list[Person | Publication] = [
            Person(id="new-person", name="New Person"),
            Publication(id="new.txt", title="A new source", date="2024-05", publisher="Someone"),
        ]
        with killed_before_the_text_lands():
            log.add_entities(wanted, header="a test")
        with pytest.raises(IntegrityError, match="1 entity and 1 source added"):
            EventLog.open(s).verify()
        assert EventLog.open(s).repair() is not None
        log = EventLog.open(s)
        log.verify()
        assert log.catalogue.sources["new.txt"] == wanted[1]
        assert log.catalogue["new-person"] == wanted[0]


@given(st.lists(publications, min_size=1, max_size=4, unique_by=lambda p: p.id), st.booleans())
def test_repair_writes_the_text_the_write_would_have(found: list[Publication], person: bool) -> None:
    """Whatever a killed write adds, repair leaves the very text an unkilled one writes."""
    added: list[Person | Publication] = [*([Person(id="p", name="P")] if person else []), *found]
    with tempfile.TemporaryDirectory() as folder:
        whole, torn = Path(folder) / "whole", Path(folder) / "torn"
        EventLog.create(whole).add_entities(added, header="the test")
        log = EventLog.create(torn)
        with killed_before_the_text_lands():
            log.add_entities(added, header="the test")
        EventLog.open(torn).repair()
        assert (torn / "catalogue.toml").read_bytes() == (whole / "catalogue.toml").read_bytes()
        assert (torn / "catalogue-history.jsonl").read_bytes() == (
            whole / "catalogue-history.jsonl"
        ).read_bytes()
        EventLog.open(torn).verify()


class TestVerifyCoversSourcesAndSettings:
    """A source or a setting edited by hand is named by verify, and recorded by record-catalogue."""

    def test_a_source_edited_by_hand(self, s: Path, capsys: pytest.CaptureFixture[str]) -> None:
        text = (s / "catalogue.toml").read_text(encoding="utf-8")
        source = next(iter(EventLog.open(s).catalogue.sources.values()))
        edited = text.replace(f'title = "{source.title}"', 'title = "Another title"', 1)
        assert edited != text
        (s / "catalogue.toml").write_text(edited, encoding="utf-8")
        code, _, err = run(capsys, "--log", str(s), "verify")
        assert code == 1
        assert f"source {source.id!r} differs from its history in title (edited outside chronos)" in err
        code, out, _ = run(capsys, "--log", str(s), "record-catalogue")
        assert code == 0
        assert "0 added, 1 changed, 0 removed" in out
        assert run(capsys, "--log", str(s), "verify")[0] == 0

    def test_a_source_removed_by_hand(self, s: Path, capsys: pytest.CaptureFixture[str]) -> None:
        log = EventLog.open(s)
        catalogue = Catalogue(
            list(log.catalogue.values()), require_sources=False, origin=log.catalogue.origin
        )
        gone = next(iter(log.catalogue.sources))
        kept = [p for p in log.catalogue.sources.values() if p.id != gone]
        (s / "catalogue.toml").write_text(entities_toml([*catalogue.values(), *kept]), encoding="utf-8")
        code, _, err = run(capsys, "--log", str(s), "verify")
        assert code == 1
        assert f"source {gone!r} is in the catalogue's history but not in" in err
        assert "require_registered_sources is false in" in err

    def test_the_requirement_turned_off_by_hand(self, s: Path, capsys: pytest.CaptureFixture[str]) -> None:
        text = (s / "catalogue.toml").read_text(encoding="utf-8")
        edited = text.replace("require_registered_sources = true", "require_registered_sources = false")
        assert edited != text
        (s / "catalogue.toml").write_text(edited, encoding="utf-8")
        code, _, err = run(capsys, "--log", str(s), "verify")
        assert code == 1
        assert "require_registered_sources is false in" in err
        assert "true in its history (edited outside chronos)" in err
        code, out, _ = run(capsys, "--log", str(s), "record-catalogue")
        assert code == 0
        assert out.rstrip().endswith("0 removed; require_registered_sources = false")
        assert run(capsys, "--log", str(s), "verify")[0] == 0


def _version_1(directory: Path, catalogue: Catalogue) -> None:
    """Give a log ``catalogue`` with a history as chronos wrote it before sources were listed."""
    text = entities_toml([*catalogue.values(), *catalogue.sources.values()])
    (directory / "catalogue.toml").write_text(text, encoding="utf-8")
    old = history.Entry(
        n=1,
        prev=GENESIS,
        before=history.digest(text),
        after=history.digest(text),
        header="the catalogue as it was when its history began",
        added=tuple(history.rows_of(catalogue, sources=False).values()),
    )
    old = history.Entry(**{**old.content(), "hash": old.expected_hash()})
    assert '"v"' not in old.to_json()
    (directory / "catalogue-history.jsonl").write_text(old.to_json() + "\n", encoding="utf-8")
    _jsonl_catalogue._count_history(EventLog.open(directory).store)  # type: ignore[arg-type]


class TestAHistoryOfVersion1Entries:
    """Histories that listed entities only still verify; the first write takes their sources in."""

    @pytest.fixture
    def old(self, tmp_path: Path) -> Path:
        directory = tmp_path / "old"
        EventLog.create(directory)
        catalogue = Catalogue([Person(id="ann", name="Ann"), Publication(id="a.txt", title="A", date="2020")])
        _version_1(directory, catalogue)
        return directory

    def test_it_verifies_as_before(self, old: Path) -> None:
        verified = EventLog.open(old).verify()
        assert verified.history == 1

    def test_a_write_adopts_the_sources(self, old: Path) -> None:
        log = EventLog.open(old)
        log.add_entities([Publication(id="b.txt", title="B", date="2021")])
        entries = history.replay(log.store.read_catalogue_history(), "h").entries
        assert [e.v for e in entries] == [1, 2, 2]
        assert entries[1].header == history.ADOPTED
        assert [row["id"] for row in entries[1].added] == ["a.txt"]
        assert EventLog.open(old).verify().history == 3
        text = (old / "catalogue.toml").read_text(encoding="utf-8")
        (old / "catalogue.toml").write_text(text.replace('title = "A"', 'title = "Z"'), encoding="utf-8")
        with pytest.raises(IntegrityError, match=r"source 'a\.txt' differs from its history in title"):
            EventLog.open(old).verify()

    def test_record_catalogue_adopts_them_first(self, old: Path, capsys: pytest.CaptureFixture[str]) -> None:
        text = (old / "catalogue.toml").read_text(encoding="utf-8")
        (old / "catalogue.toml").write_text(text + '\n[[person]]\nid = "bo"\nname = "Bo"\n', encoding="utf-8")
        code, out, _ = run(capsys, "--log", str(old), "record-catalogue")
        assert code == 0
        assert "history entry 3: 1 added, 0 changed, 0 removed" in out
        assert EventLog.open(old).verify().history == 3
