"""Persons, organisations, posts and places; their names, aliases and lookup.

Entities live in a catalogue beside the log (``events/catalogue.toml``), not in
the log itself. The catalogue answers *what things are* (an id, a canonical
name, every spelling the sources use, which organisation a post belongs to and
how many seats it has); the log answers *what happened to them and when*. Names
that change over time (Astana became Nur-Sultan) are `Renamed` events in the
log; the catalogue only gathers every spelling so that lookups find the entity.

Lookups take an id, the name or any alias, in any script, and ignore case,
accents, punctuation, word order and the usual transliteration variants of
Kazakh and Russian names (Масимов = Мәсімов = Masimov = Massimov, Тоқаев =
Toqaev = Tokayev, Qasym-Zhomart = Kassym-Jomart), see `name_key`; a name in
Kazakh that finds nothing is tried as Russian may write it (Жақыпов, Jakupov).
A name with initials finds the full one ("John F. Kennedy": "John Fitzgerald
Kennedy").
Entities may carry the identifiers other datasets give them
(``wikidata:Q1247199``) and the language of their aliases (``ru:Ак жол``).
"""

from chronos.entities._toml import REQUIRE_SOURCES, entities_toml
from chronos.entities.catalogue import Catalogue
from chronos.entities.kinds import KINDS, UNNAMED_PREFIX, Entity, Kind, Organisation, Person, Place, Post
from chronos.names import latin, name_key

__all__ = [
    "KINDS",
    "REQUIRE_SOURCES",
    "UNNAMED_PREFIX",
    "Catalogue",
    "Entity",
    "Kind",
    "Organisation",
    "Person",
    "Place",
    "Post",
    "entities_toml",
    "latin",
    "name_key",
]
