"""Tokenising column names and JSON Pointers, and the stemmer behind word comparison."""

from __future__ import annotations

import pytest

from tools.names.stem import stem
from tools.names.tokenise import split_words, tokenise, tokenise_pointer


@pytest.mark.parametrize(
    ("name", "tokens"),
    [
        ("arrest_date_time", ["arrest", "date", "time"]),  # snake_case
        ("arrest-date-time", ["arrest", "date", "time"]),  # kebab
        ("Arrest Date Time", ["arrest", "date", "time"]),  # spaces
        ("person.family_name", ["person", "family", "name"]),  # dots
        ("custody/arrested_at", ["custody", "arrested", "at"]),  # slashes
        ("arrestDateTime", ["arrest", "date", "time"]),  # camelCase
        ("ArrestDTTM", ["arrest", "dttm"]),  # PascalCase ending in an acronym
        ("ARREST_DTTM", ["arrest", "dttm"]),  # ALLCAPS with underscores
        ("NHSNumber", ["nhs", "number"]),  # acronym then a word
        ("ADDRESS_LINE1", ["address", "line", "1"]),  # digits split off
        ("line2Address", ["line", "2", "address"]),
        ("Part 1-2", ["part", "1", "2"]),
        ("FORENAME(S)", ["forename"]),  # plural marker dropped
        ("ADDRESS(ES)", ["address"]),
        ("ETHNICITY (IC)", ["ethnicity", "ic"]),  # brackets dropped, content kept
        ("OIC COLLAR NO", ["oic", "collar", "no"]),
        ("Officer's number", ["officer", "number"]),  # possessive dropped
        ("Case #", ["case", "#"]),  # '#' kept: it means number
        ("IDs", ["ids"]),  # a plural acronym stays whole
        ("Self-defined ethnicity", ["self", "defined", "ethnicity"]),
        ("  Crime   type  ", ["crime", "type"]),
        ("Date of Birth:", ["date", "of", "birth"]),
        ("", []),
        ("___", []),
    ],
)
def test_tokenise(name: str, tokens: list[str]) -> None:
    assert tokenise(name) == tokens


def test_split_words_keeps_the_written_case() -> None:
    assert split_words("ArrestDTTM") == ("Arrest", "DTTM")
    assert split_words("OIC COLLAR NO") == ("OIC", "COLLAR", "NO")


def test_accented_letters_are_letters() -> None:
    assert tokenise("ÉtatCivil") == ["état", "civil"]
    assert tokenise("Año_Hecho") == ["año", "hecho"]


@pytest.mark.parametrize(
    ("pointer", "segments"),
    [
        ("/person/family_name", [["person"], ["family", "name"]]),
        ("/custody/arrestedAt", [["custody"], ["arrested", "at"]]),
        ("/person/address/line1", [["person"], ["address"], ["line", "1"]]),
        ("/a~1b/c~0d", [["a", "b"], ["c", "d"]]),  # RFC 6901 escapes
        ("/aliases/*/family_name", [["aliases"], ["family", "name"]]),  # array marker dropped
        ("/aliases/-/family_name", [["aliases"], ["family", "name"]]),
        ("", []),
    ],
)
def test_tokenise_pointer(pointer: str, segments: list[list[str]]) -> None:
    assert tokenise_pointer(pointer) == segments


def test_tokenise_pointer_refuses_a_plain_name() -> None:
    with pytest.raises(ValueError):
        tokenise_pointer("person/family_name")


@pytest.mark.parametrize(
    "words",
    [
        ("arrest", "arrested", "arresting", "arrests"),
        ("offence", "offences"),
        ("date", "dated", "dates"),
        ("code", "codes", "coded"),
        ("update", "updated", "updates"),
        ("occur", "occurred", "occurring"),
        ("address", "addresses"),
        ("forename", "forenames"),
        ("ethnicity", "ethnicities"),
        ("id", "ids"),
    ],
)
def test_inflections_share_a_stem(words: tuple[str, ...]) -> None:
    assert len({stem(word) for word in words}) == 1


@pytest.mark.parametrize("word", ["status", "alias", "sex", "analysis", "1", "no"])
def test_words_that_only_look_inflected_keep_their_stem(word: str) -> None:
    assert stem(word) == word


def test_different_words_keep_different_stems() -> None:
    assert stem("surname") != stem("forename")
    assert stem("called") != stem("cal")
