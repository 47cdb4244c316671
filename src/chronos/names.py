"""Names in any script: the key that two spellings of one name share, and part-name matching.

`name_key` transliterates to Latin (anyascii: Cyrillic, Kazakh, Greek,
accented Latin), then folds the spelling variants of Russian and Kazakh names
in English, and sorts the words; `name_keys` does the same for many names at
once. `covers` says whether a name's words include a query's words and
initials ("John F. Kennedy" for John Fitzgerald Kennedy).
"""

from __future__ import annotations

import hashlib
import re
import sys
import unicodedata
from collections.abc import Sequence
from functools import cache
from itertools import islice, product
from pathlib import Path

import anyascii as _anyascii
from anyascii import anyascii

__all__ = [
    "PATRONYMIC",
    "VARIANTS",
    "covers",
    "fingerprint",
    "kazakh_variants",
    "latin",
    "name_key",
    "name_keys",
]

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
# The letters first and what precedes them checked after: a regular expression that starts with a
# literal searches for it at C speed, where one that starts with a look-behind tries every position.
_YO = re.compile(rf"yo(?<=[{_C}]yo)")
_LETTERS = str.maketrans({"q": "k", "x": "ks", "w": "v"})
_GLIDES = re.compile(r"y(?<=[aeiou]y)(?=[aeiou])|iy\b|yi\b")
_Y = str.maketrans({"y": "i"})
_SOFT_E = re.compile(rf"ie(?<=[{_C}]ie)")
#: A letter the same letter follows (removed: a run of one letter becomes one).
_DOUBLES = re.compile(r"([a-z])(?=\1)")


def _glide(match: re.Match[str]) -> str:
    return "" if match[0] == "y" else "i"


#: Patronymics as `name_key` folds them: Russian -ovich/-evna, Kazakh -uly/-qyzy (folded -uli, -kizi).
PATRONYMIC = re.compile(r"(?:vich|vna|ichna|uli|kizi)$")

# Apostrophes join what they separate: transliteration writes the soft sign (ь) as one.
_APOSTROPHES = re.compile(r"['\u2019\u02bc\u02b9`]")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_NOT_WORD_OR_LINE = re.compile(r"[^a-z0-9\n]+")
#: Lowercase ASCII as `name_keys` folds it: apostrophes dropped, letters, digits and line breaks kept,
#: anything else a space.
_ASCII_WORDS = str.maketrans(
    {
        chr(c): None
        if chr(c) in "'`"
        else chr(c)
        if chr(c) in "abcdefghijklmnopqrstuvwxyz0123456789\n"
        else " "
        for c in range(128)
    }
)


def latin(name: str) -> str:
    """``name`` in lowercase ASCII: any script transliterated (anyascii), accents dropped.

    Cyrillic (Russian and Kazakh: Мәсімов is masimov), Greek, and accented
    Latin all come out as plain letters; ASCII text is only lowercased. In a
    word that mixes Cyrillic and Latin letters, the Latin ones that look like
    Cyrillic ones are read as those ("Cерік" typed with a Latin C is Серік).
    """
    if name.isascii():
        return name.lower()
    if _CYRILLIC.search(name) and _LATIN.search(name):
        name = _WORD.sub(_as_cyrillic, name)
    # NFKC first: anyascii maps composed letters (ӘБДІРАЙЫМ, é) one by one.
    return anyascii(unicodedata.normalize("NFKC", name)).lower()


_CYRILLIC = re.compile("[\u0400-\u04ff]")
_LATIN = re.compile("[A-Za-z]")
_WORD = re.compile(r"\w+")
#: Latin letters that look like Cyrillic ones, and those Cyrillic ones.
_LOOK_ALIKE = str.maketrans("AaBCcEeHKMOoPpTXxYy", "АаВСсЕеНКМОоРрТХхУу")


def _as_cyrillic(match: re.Match[str]) -> str:
    word = match[0]
    return word.translate(_LOOK_ALIKE) if _CYRILLIC.search(word) and _LATIN.search(word) else word


#: How Russian writes each letter proper to Kazakh, and so the Latin made from Russian: Жақыпов is
#: Жакупов (Jakupov), Бақытжан Бахытжан (Bahytzhan), Өтемісов Утемисов, Пішембаев Пшембаев,
#: Қарақұсова Карагусова. ы and о are Russian too, but in a Kazakh name Russian may write у for them
#: (Қоныров, Конуров; Тасболатов, Тасбулатов; Қабиболла, Кабибулла).
_AS_RUSSIAN = {
    "ә": ("а", "е"),
    "ғ": ("г",),
    "қ": ("к", "х", "г"),
    "ң": ("н",),
    "ө": ("о", "у", "е"),
    "ұ": ("у", "о"),
    "ү": ("у", "ю"),
    "һ": ("х",),
    "і": ("и", ""),
    "ы": ("ы", "у"),
    "о": ("о", "у"),
}
_KAZAKH = re.compile("[әғқңөұүһі]")
#: At most this many spellings of one name are tried.
VARIANTS = 512


def kazakh_variants(name: str) -> list[str]:
    """The ways Russian may write a name written in Kazakh (lowercased), or none if it has no Kazakh letter.

    Each letter proper to Kazakh (ә ғ қ ң ө ұ ү һ і, and then ы and о) is replaced by
    each of its Russian renderings, at most `VARIANTS` combinations, in order.
    """
    text = name.lower()
    if not _KAZAKH.search(text):
        return []
    parts = [_AS_RUSSIAN.get(c, (c,)) for c in text]
    return ["".join(letters) for letters in islice(product(*parts), VARIANTS)]


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
    return " ".join(sorted(_variants(text).split()))


def name_keys(names: Sequence[str]) -> list[str]:
    """``[name_key(name) for name in names]``, two to three times faster on many names.

    The names are folded together, one a line: every rule is one pass of
    `str.replace` or of a regular expression over the whole text, and the rules
    look only within words (and at the space before one), so each line folds as
    its name would alone. tests/test_entities.py holds the two equal on any text.
    """
    if not names:
        return []
    latins = [name if name.isascii() else latin(name) for name in names]
    text = "\n".join(latins)
    apart: list[int] = []
    if text.count("\n") != len(names) - 1:
        # A name with a line break (or transliterated to one) is folded on its own.
        apart = [i for i, name in enumerate(latins) if "\n" in name]
        for i in apart:
            latins[i] = ""
        text = "\n".join(latins)
    text = text.lower()
    if text.isascii():  # always, after `latin`: one C pass drops apostrophes, spaces out the rest
        text = text.translate(_ASCII_WORDS)
    else:
        text = _NOT_WORD_OR_LINE.sub(" ", text.replace("'", "").replace("`", ""))
    # Each word after a space, as in a lone name (a run of spaces changes no rule).
    text = " " + text.replace("\n", "\n ")
    keys = [" ".join(sorted(line.split())) for line in _variants(text).split("\n")]
    for i in apart:
        keys[i] = name_key(names[i])
    return keys


def _variants(text: str) -> str:
    """The transliteration variants folded, on a lowercase ASCII text whose every word follows a space.

    The rules look within words and at the space before one, so a text of many
    names (one per line) folds as each of them would alone. Each test below
    only skips rules that would change nothing.
    """
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
    return _DOUBLES.sub("", text)


@cache
def fingerprint() -> str:
    """A digest of everything a key depends on besides the name: these rules, anyascii, Unicode's tables.

    Keys kept on disk (`chronos._fast.names`) are reused only under the same fingerprint.
    """
    try:
        source = Path(__file__).read_bytes()
    except OSError:  # installed without its source: the code and the rules themselves
        functions = (latin, name_key, name_keys, _variants, kazakh_variants)
        source = repr(([f.__code__.co_code for f in functions], _SPELLINGS, _AS_RUSSIAN)).encode()
    parts = (source, _anyascii.__version__, unicodedata.unidata_version, sys.version)
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


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
