"""Names in any script: the key that two spellings of one name share, and part-name matching.

`name_key` transliterates to Latin (anyascii: Cyrillic, Kazakh, Greek,
accented Latin), then folds the spelling variants of Russian and Kazakh names
in English, and sorts the words. `covers` says whether a name's words include
a query's words and initials ("John F. Kennedy" for John Fitzgerald Kennedy).
"""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

__all__ = ["PATRONYMIC", "covers", "latin", "name_key"]

# Transliteration variants, applied in order to a lowercased, Latin, accent-free name.
# Kazakh and Russian names reach English through several systems: an initial "ye" or
# plain "e" (Yerzhan, Erzhan: Ержан), "yo" or "e" (Fyodor, Fedor: Фёдор, Федор), shch or
# sch (Щ), q/k, zh/j, kh/h, gh/g (Ғ), double consonants, a "y" glide between vowels
# (Tokayev/Toqaev), "iy"/"i" endings, y or i (Aysina, Aisina: Айсина), and a soft sign
# written as "y" or not at all (Vasilyevna, Vasilevna: Васильевна).
_C = "bcdfghjklmnpqrstvwxz"
#: The rules, in order, as `name_key` applies them (str.replace where a rule needs no context:
#: names are folded by the million, and a regular expression per rule costs ten times more).
_SPELLINGS = (("shch", "sh"), ("chsh", "sh"), ("sch", "sh"), ("dzh", "j"), ("zh", "j"), ("dj", "j"))
_SPELLINGS_2 = (("kh", "h"), ("gh", "g"))
_YO = re.compile(rf"(?<=[{_C}])yo")
_LETTERS = str.maketrans({"q": "k", "x": "ks", "w": "v"})
_GLIDES = re.compile(r"(?<=[aeiou])y(?=[aeiou])|iy\b|yi\b")
_Y = str.maketrans({"y": "i"})
_SOFT_E = re.compile(rf"(?<=[{_C}])ie")
_DOUBLES = re.compile(r"([a-z])\1+")


def _glide(match: re.Match[str]) -> str:
    return "" if match[0] == "y" else "i"


#: Patronymics as `name_key` folds them: Russian -ovich/-evna, Kazakh -uly/-qyzy (folded -uli, -kizi).
PATRONYMIC = re.compile(r"(?:vich|vna|ichna|uli|kizi)$")

# Apostrophes join what they separate: transliteration writes the soft sign (ь) as one.
_APOSTROPHES = re.compile(r"['\u2019\u02bc\u02b9`]")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def latin(name: str) -> str:
    """``name`` in lowercase ASCII: any script transliterated (anyascii), accents dropped.

    Cyrillic (Russian and Kazakh: Мәсімов is masimov), Greek, and accented
    Latin all come out as plain letters; ASCII text is only lowercased.
    """
    if name.isascii():
        return name.lower()
    # NFKC first: anyascii maps composed letters (ӘБДІРАЙЫМ, é) one by one.
    return anyascii(unicodedata.normalize("NFKC", name)).lower()


def name_key(name: str) -> str:
    """The form two spellings of one name share.

    Transliterates to Latin (`latin`), lowercases, drops accents and
    punctuation, applies the transliteration variants above, and sorts the
    words so that "Massimov Karim" matches "Karim Masimov" and "Масимов Карим".
    """
    text = latin(name)
    if "'" in text or "`" in text:
        text = _APOSTROPHES.sub("", text)
    text = " " + " ".join(_NOT_WORD.sub(" ", text).split())
    if "y" in text:
        text = text.replace(" ye", " e")
        if "yo" in text:
            text = _YO.sub("e", text)
    if "h" in text or "dj" in text:
        for old, new in _SPELLINGS:
            text = text.replace(old, new)
        for old, new in _SPELLINGS_2:
            text = text.replace(old, new)
    text = text.translate(_LETTERS)
    if "y" in text:
        text = _GLIDES.sub(_glide, text).translate(_Y)
    if "ie" in text:
        text = _SOFT_E.sub("e", text)
    text = _DOUBLES.sub(r"\1", text)
    return " ".join(sorted(text.split()))


def covers(name: list[str], full: list[str], initials: list[str]) -> bool:
    """Whether a name's words include every full word, and other words for each initial."""
    rest = list(name)
    for word in full:
        if word not in rest:
            return False
        rest.remove(word)
    for letter in initials:
        match = next((w for w in rest if w.startswith(letter)), None)
        if match is None:
            return False
        rest.remove(match)
    return True
