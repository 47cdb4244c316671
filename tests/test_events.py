import attrs
import pytest

from chronos import Appointed, Corrected, Dismissed, RosterEntry, RosterReported, Source


def make(**changes: object) -> Appointed:
    fields: dict[str, object] = {
        "person": "ann-abel",
        "post": "org/chair",
        "occurred": "2016",
        "known": "2022-01-08",
        "sources": [Source(source="a.txt", quote="q")],
    }
    fields.update(changes)
    return Appointed(**fields)  # type: ignore[arg-type]


class TestIds:
    """Ids derive from content: the same claim twice has one id, any change gives another."""

    def test_same_content_same_id(self) -> None:
        assert make().id == make().id

    @pytest.mark.parametrize(
        "change",
        [
            {"person": "ben-berg"},
            {"occurred": "2016-01"},
            {"known": "2022-01-09"},
            {"sources": [Source(source="b.txt", quote="q")]},
            {"note": "a note"},
        ],
    )
    def test_any_change_changes_id(self, change: dict[str, object]) -> None:
        assert make(**change).id != make().id

    def test_type_is_part_of_the_id(self) -> None:
        dismissed = Dismissed(
            person="ann-abel", post="org/chair", occurred="2016", known="2022-01-08", sources=make().sources
        )
        assert dismissed.id != make().id


class TestImmutability:
    """Events are frozen values."""

    def test_frozen(self) -> None:
        event = make()
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            event.person = "ben-berg"  # type: ignore[misc]

    def test_sources_required(self) -> None:
        with pytest.raises(ValueError, match="sources must not be empty"):
            make(sources=[])

    def test_quote_required(self) -> None:
        with pytest.raises(ValueError, match="quote"):
            Source(source="a.txt", quote="  ")


class TestAbout:
    """`about` lists the entities an event concerns."""

    def test_appointed(self) -> None:
        assert make().about() == ("ann-abel", "org/chair")

    def test_corrected_is_about_its_replacement(self) -> None:
        corrected = Corrected(
            target="x" * 24, replacement=make(), occurred="2022", known="2022", sources=make().sources
        )
        assert corrected.about() == ("ann-abel", "org/chair")

    def test_roster(self) -> None:
        roster = RosterReported(
            org="org",
            entries=[RosterEntry(post="org/chair", person="ann-abel"), {"post": "org/deputy"}],
            occurred="2022",
            known="2022",
            sources=make().sources,
        )
        assert roster.about() == ("org", "org/chair", "ann-abel", "org/deputy")
