"""The thesaurus data file, its model, its extension files and how names are read with it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from tools.names.concepts import LITERAL, Unit, analyse_name
from tools.names.thesaurus import DEFAULT_PATH, ThesaurusError, default_thesaurus, load_thesaurus
from tools.names.thesaurus_file import ThesaurusFile
from tools.names.tokenise import tokenise


def _units(name: str, th=None) -> tuple[Unit, ...]:
    return analyse_name(name, th or default_thesaurus())


def _labels(name: str, th=None) -> list[str]:
    return [unit.label for unit in _units(name, th)]


def _strength(unit: Unit, concept: str) -> float:
    return dict(unit.concepts).get(concept, 0.0)


# --- the shipped file -------------------------------------------------------------


def test_shipped_file_fits_the_model() -> None:
    raw = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    model = ThesaurusFile.model_validate(raw)
    assert model.version == 1


def test_shipped_file_size() -> None:
    size = default_thesaurus().size()
    assert size["abbreviations"] >= 120
    assert size["groups"] >= 120
    assert size["terms"] >= 450


def test_group_weights_are_strong_or_weak() -> None:
    weights = {group.weight for group in default_thesaurus().file.groups}
    assert weights == {1.0, 0.6}


def test_terms_are_plain_vocabulary() -> None:
    """General words only: no pointers, paths or schema-style identifiers."""
    for group in default_thesaurus().file.groups:
        for term in group.terms:
            assert term == term.lower() and "/" not in term and "_" not in term, term
            assert " ".join(tokenise(term)) == term, term


# --- abbreviations ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "labels"),
    [
        ("DOB", ["date_of_birth"]),
        ("ARREST_DTTM", ["arrest", "datetime"]),
        ("ARREST_DT", ["arrest", "date"]),
        ("ARREST_DTE", ["arrest", "date"]),
        ("ARREST_TM", ["arrest", "time"]),
        ("PCODE", ["postcode"]),
        ("POSTCD", ["postcode"]),
        ("VRM", ["vrm"]),
        ("VRN", ["vrm"]),
        ("REG NO", ["vrm"]),
        ("REGNO", ["vrm"]),
        ("OIC", ["officer"]),
        ("SNAME", ["surname"]),
        ("FNAME", ["forename"]),
        ("CASE NO", ["case_reference"]),
        ("CASE NUM", ["case_reference"]),
        ("CASE NBR", ["case_reference"]),
        ("Case #", ["case_reference"]),
        ("CRIME REF", ["crime_reference"]),
        ("ADDR", ["address"]),
        ("LAT", ["latitude"]),
        ("LON", ["longitude"]),
        ("LNG", ["longitude"]),
        ("LONG", ["longitude"]),
        ("EAST", ["easting"]),
        ("NORTH", ["northing"]),
        ("ETH", ["ethnicity"]),
        ("ETHNIC", ["ethnicity"]),
        ("NHS NO", ["nhs_number"]),
        ("NINO", ["ni_number"]),
        ("PNC", ["pnc_id"]),
        ("PNCID", ["pnc_id"]),
        ("CRO", ["cro_number"]),
        ("LSOA", ["lsoa"]),
        ("MSOA", ["msoa"]),
        ("Crm Cd", ["offence_code"]),
        ("OFNS_DESC", ["offence", "description"]),
    ],
)
def test_abbreviations_are_read_as_concepts(name: str, labels: list[str]) -> None:
    assert _labels(name) == labels


def test_expansion_is_shown_as_read() -> None:
    (unit,) = _units("DOB")
    assert (unit.surface, unit.reading) == ("DOB", "date of birth")
    officer, collar = _units("OIC COLLAR NO")
    assert (officer.surface, officer.reading, officer.label) == ("OIC", "officer in case", "officer")
    assert (collar.surface, collar.reading, collar.label) == ("COLLAR NO", "collar number", "collar_number")


def test_ambiguous_abbreviations_weigh_less() -> None:
    (gen,) = _units("GEN")
    (gender,) = _units("GENDER")
    assert 0.0 < _strength(gen, "sex") < _strength(gender, "sex")
    assert gen.role is None


def test_abbreviation_with_several_readings_keeps_them_all() -> None:
    (off,) = _units("OFF")
    assert off.reading == "offence | officer"
    assert _strength(off, "offence") == pytest.approx(_strength(off, "officer"))
    assert _strength(off, "offence") < _strength(_units("OFFENCE")[0], "offence")


def test_a_phrase_settles_an_ambiguous_abbreviation() -> None:
    (unit,) = _units("X_COORD")
    assert unit.label == "easting"  # 'x coordinate', not the bare X (easting or longitude)


# --- synonym groups ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("names", "concept"),
    [
        (["surname", "last name", "family name", "LASTNAME", "FamilyName"], "surname"),
        (["forename", "first name", "given name", "christian name", "FIRSTNAME", "Forenames"], "forename"),
        (["sex", "gender"], "sex"),
        (["date of birth", "birth date", "dob", "DateOfBirth", "BIRTHDATE"], "date_of_birth"),
        (["postcode", "post code", "postal code"], "postcode"),
        (["offence", "crime", "offense"], "offence"),
        (["occurred", "committed", "occurrence"], "occurred"),
        (["officer", "oic", "arresting officer", "officer in case"], "officer"),
        (["custody", "detention"], "custody"),
        (["latitude", "lat"], "latitude"),
    ],
)
def test_synonyms_name_one_concept(names: list[str], concept: str) -> None:
    for name in names:
        (unit,) = _units(name)
        assert _strength(unit, concept) > 0.9, name


@pytest.mark.parametrize(
    ("name", "concept"),
    [
        ("zip", "postcode"),
        ("detention", "arrest"),
        ("charge", "offence"),
        ("id", "reference"),
        ("number", "reference"),
        ("race", "ethnicity"),
    ],
)
def test_weak_synonyms_count_less(name: str, concept: str) -> None:
    (unit,) = _units(name)
    assert 0.5 < _strength(unit, concept) < 0.7


def test_broader_concepts_carry_half_weight() -> None:
    (unit,) = _units("surname")
    assert _strength(unit, "name") == pytest.approx(0.5 * _strength(unit, "surname"))
    assert "name" in unit.broader


def test_literal_stems_are_kept_beside_concepts() -> None:
    (unit,) = _units("Family Name")
    assert _strength(unit, LITERAL + "family nam") == 1.0


def test_generic_words_are_less_important() -> None:
    importance = {unit.label: unit.importance for unit in _units("birth date name number code postcode surname")}
    assert importance["date_of_birth"] == 1.0
    assert importance["postcode"] == importance["surname"] == 1.0
    assert importance["name"] < 0.5 and importance["number"] < 0.5 and importance["code"] < 0.5


def test_parties_are_marked() -> None:
    roles = {unit.label: unit.role for unit in _units("officer victim suspect detainee person postcode")}
    assert roles == {
        "officer": "entity", "victim": "entity", "suspect": "subject",
        "detainee": "subject", "person": "subject", "postcode": None,
    }


def test_misspelt_words_are_read_as_the_word_they_resemble() -> None:
    (unit,) = _units("SURNMAE")
    assert unit.label == "surname" and unit.respelt
    assert unit.reading == "surname (spelling 0.86)"
    assert _strength(unit, "surname") < 0.8  # a guess, not the word itself
    assert [u.label for u in _units("linked")] == ["linked"]  # a different word, left alone


# --- the model refuses bad files --------------------------------------------------


def _file(**overrides: object) -> dict:
    base: dict = {
        "version": 1,
        "stopwords": ["of"],
        "abbreviations": [{"abbr": "dob", "expansions": ["date of birth"]}],
        "groups": [{"concept": "date_of_birth", "terms": ["date of birth"]}],
    }
    base.update(overrides)
    return base


@pytest.mark.parametrize(
    "overrides",
    [
        {"abbreviations": [{"abbr": "dob", "expansions": ["a"]}, {"abbr": "dob", "expansions": ["b"]}]},
        {"abbreviations": [{"abbr": "off", "expansions": ["offence", "officer"]}]},  # not marked ambiguous
        {"abbreviations": [{"abbr": "DOB", "expansions": ["date of birth"]}]},  # upper case
        {"abbreviations": [{"abbr": "reg no", "expansions": ["registration number"]}]},  # two words
        {"abbreviations": [{"abbr": "dob", "expansions": []}]},
        {"groups": [{"concept": "Date Of Birth", "terms": ["dob"]}]},  # not a concept id
        {"groups": [{"concept": "dob", "terms": ["dob"], "weight": 1.5}]},
        {"groups": [{"concept": "dob", "terms": []}]},
        {"groups": [{"concept": "dob", "terms": ["of"]}]},  # only stopwords
        {"groups": [{"concept": "surname", "terms": ["surname"], "broader": ["name"]}]},  # unknown broader
        {"groups": [{"concept": "officer", "terms": ["officer"], "kind": "entity"},
                    {"concept": "officer", "terms": ["oic"], "kind": "subject"}]},
        {"groups": [{"concept": "x", "terms": ["x"], "kind": "party"}]},
        {"importance": {"date": 0.0}},
        {"stopwords": ["Of"]},
        {"unknown_key": 1},
    ],
)
def test_model_refuses(overrides: dict) -> None:
    with pytest.raises(ValidationError):
        ThesaurusFile.model_validate(_file(**overrides))


# --- extension files --------------------------------------------------------------


def test_force_extension_adds_words_and_replaces_abbreviations(tmp_path: Path) -> None:
    extension = tmp_path / "force.json"
    extension.write_text(json.dumps({
        "abbreviations": [
            {"abbr": "cstno", "expansions": ["custody number"]},
            {"abbr": "reg", "expansions": ["region"], "note": "this force's REG is a region"},
        ],
        "groups": [{"concept": "area", "terms": ["region"]}],
        "stopwords": ["xx"],
    }), encoding="utf-8")
    th = load_thesaurus(extension)
    assert _labels("CSTNO", th) == ["custody_reference"]
    assert _labels("REG", th) == ["area"]
    assert _labels("XX SURNAME", th) == ["surname"]
    # The shipped thesaurus is untouched.
    assert _labels("CSTNO") == ["cstno"]
    assert _labels("REG") == ["vrm"]


def test_unreadable_or_invalid_files_raise_thesaurus_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(ThesaurusError, match="cannot read"):
        load_thesaurus(broken)
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"groups": [{"concept": "x", "terms": ["x"], "weight": 2}]}), encoding="utf-8")
    with pytest.raises(ThesaurusError, match="invalid thesaurus"):
        load_thesaurus(wrong)
    with pytest.raises(ThesaurusError):
        load_thesaurus(tmp_path / "missing.json")


def test_an_empty_base_is_allowed(tmp_path: Path) -> None:
    own = tmp_path / "own.json"
    own.write_text(json.dumps(_file()), encoding="utf-8")
    th = load_thesaurus(own, base=None)
    assert th.size()["groups"] == 1
    assert _labels("DOB", th) == ["date_of_birth"]
    assert _labels("SNAME", th) == ["sname"]
