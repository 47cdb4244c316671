import pytest

from chronos import (
    AmbiguousName,
    Catalogue,
    CatalogueError,
    LookupFailed,
    Organisation,
    Person,
    Post,
    name_key,
)
from tests.strategies import small_catalogue


def kazakh() -> Catalogue:
    return Catalogue(
        [
            Organisation(
                id="nsc",
                name="National Security Committee",
                aliases=["NSC", "KNB", "Committee for National Security"],
            ),
            Person(id="karim-massimov", name="Karim Massimov", aliases=["Karim Masimov"]),
            Person(
                id="kassym-jomart-tokayev", name="Kassym-Jomart Tokayev", aliases=["Qasym-Zhomart Toqaev"]
            ),
            Person(id="nursultan-nazarbayev", name="Nursultan Nazarbayev", aliases=["Nursultan Nazarbaev"]),
            Person(id="anuar-sadykulov", name="Anuar Sadykulov"),
            Person(id="berik-kunanbayev", name="Berik Kunanbayev"),
        ]
    )


class TestNameKey:
    """Spellings of one name share a key."""

    @pytest.mark.parametrize(
        ("a", "b"),
        [
            ("Masimov", "Massimov"),
            ("Toqaev", "Tokayev"),
            ("Nazarbaev", "Nazarbayev"),
            ("Qasym-Zhomart", "Kassym-Jomart"),
            ("Karim Massimov", "MASSIMOV, Karim"),
            ("Érmek", "Ermek"),
        ],
    )
    def test_same(self, a: str, b: str) -> None:
        assert name_key(a) == name_key(b)

    def test_different(self) -> None:
        assert name_key("Sadykulov") != name_key("Kunanbayev")


class TestLookup:
    """Any id, name, alias or spelling finds the entity; a miss suggests."""

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("karim-massimov", "karim-massimov"),
            ("Masimov", "karim-massimov"),
            ("karim masimov", "karim-massimov"),
            ("Toqaev", "kassym-jomart-tokayev"),
            ("KNB", "nsc"),
            ("nsc", "nsc"),
            ("committee for national security", "nsc"),
            ("Nazarbaev", "nursultan-nazarbayev"),
        ],
    )
    def test_finds(self, query: str, expected: str) -> None:
        assert kazakh().lookup(query).id == expected

    def test_unknown_suggests(self) -> None:
        with pytest.raises(LookupFailed, match=r"'Anuar Kunanbayev'.*did you mean") as info:
            kazakh().lookup("Anuar Kunanbayev")
        assert {"anuar-sadykulov", "berik-kunanbayev"} <= set(info.value.suggestions)

    def test_kind_filter(self) -> None:
        with pytest.raises(LookupFailed, match="unknown person"):
            kazakh().lookup("KNB", kind="person")

    def test_ambiguous(self) -> None:
        catalogue = Catalogue(
            [Person(id="a-smith", name="Ann Smith"), Person(id="b-smith", name="Bob Smith")]
        )
        with pytest.raises(AmbiguousName, match=r"a-smith.*b-smith"):
            catalogue.lookup("Smith")


class TestCatalogue:
    """The catalogue checks itself and reads TOML."""

    def test_structure(self) -> None:
        catalogue = small_catalogue()
        assert catalogue.units("org") == ("org", "org/unit")
        assert [p.id for p in catalogue.posts("org")] == ["org/chair", "org/deputy", "org/unit/head"]
        assert [p.id for p in catalogue.posts("org", recursive=False)] == ["org/chair", "org/deputy"]
        assert catalogue.above("org/unit/head") == ("org/unit", "org")
        assert catalogue.above("org/chair") == ("org",)
        assert catalogue.above("org/unit") == ("org",)
        assert catalogue.above("org") == ()
        assert catalogue.above("ann-abel") == ()
        assert catalogue.above("nobody") == ()
        # Every organisation above a post shows it in its roster.
        for post in catalogue.of_kind("post"):
            for org in catalogue.above(post.id):
                assert post in catalogue.posts(org)

    def test_duplicate_id(self) -> None:
        with pytest.raises(CatalogueError, match="duplicate id 'x'"):
            Catalogue([Person(id="x", name="X"), Person(id="x", name="Y")])

    def test_bad_slug(self) -> None:
        with pytest.raises(CatalogueError, match="bad id 'Karim'"):
            Person(id="Karim", name="Karim")

    def test_bad_reference_suggests(self) -> None:
        with pytest.raises(CatalogueError, match=r"'nsc/chair' has org 'nsx'.*'nsc'"):
            Catalogue([Organisation(id="nsc", name="NSC"), Post(id="nsc/chair", name="Chair", org="nsx")])

    def test_bad_seats(self) -> None:
        with pytest.raises(CatalogueError, match="seats"):
            Post(id="p", name="P", org="o", seats=0)

    def test_toml_round_trip(self, tmp_path: object) -> None:
        from pathlib import Path

        path = Path(str(tmp_path)) / "catalogue.toml"
        path.write_text(
            '[[organisation]]\nid = "org"\nname = "Org"\naliases = ["O"]\n\n'
            '[[post]]\nid = "org/chair"\nname = "Chair"\norg = "org"\nseats = 1\n\n'
            '[[person]]\nid = "ann"\nname = "Ann"\n',
            encoding="utf-8",
        )
        catalogue = Catalogue.load(path)
        assert catalogue.lookup("O").id == "org"
        assert Catalogue.from_dict(catalogue.to_dict()) == catalogue

    def test_toml_errors_name_the_file(self, tmp_path: object) -> None:
        from pathlib import Path

        path = Path(str(tmp_path)) / "catalogue.toml"
        path.write_text('[[persn]]\nid = "ann"\nname = "Ann"\n', encoding="utf-8")
        with pytest.raises(CatalogueError, match=r"catalogue.toml: unknown entity kind 'persn'.*'person'"):
            Catalogue.load(path)


class TestTomlWriter:
    """A catalogue written as TOML reads back equal, including awkward names."""

    def test_round_trip(self, tmp_path: object) -> None:
        from pathlib import Path

        catalogue = Catalogue(
            [
                Organisation(
                    id="org", name='The "Org"\\ \u00e9', aliases=["O", "Ö 2"], note="a note\n\twith a tab"
                ),
                Post(id="org/chair", name="Chair", org="org", seats=3),
                Person(id="ann", name="Ann"),
            ]
        )
        path = Path(str(tmp_path)) / "catalogue.toml"
        catalogue.save(path)
        assert Catalogue.load(path) == catalogue
