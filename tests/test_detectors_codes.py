"""Ethnicity, offence code and data.police.uk category detectors."""

from __future__ import annotations

from tools.detectors.codes import (
    detect_crime_category,
    detect_ic_code,
    detect_offence_code,
    detect_officer_defined_ethnicity,
    detect_outcome_category,
    detect_self_defined_ethnicity,
)


def test_ic_codes() -> None:
    d = detect_ic_code(["IC1", "ic3", "IC 4", "IC0", "IC9", "IC1"])
    assert (d.kind, d.matched, d.score) == ("ic_code", 6, 0.8571)
    assert d.evidence == {"codes": {"IC0": 1, "IC1": 2, "IC3": 1, "IC4": 1, "IC9": 1}}


def test_ic_code_near_misses() -> None:
    assert detect_ic_code(["IC10", "IC", "I1", "1", "ICA"]).matched == 0


def test_officer_defined_ethnicity_words() -> None:
    d = detect_officer_defined_ethnicity(["White", "Black", "Asian", "Other", "mixed", "WHITE"])
    assert (d.matched, d.score) == (6, 0.8571)
    assert d.evidence == {"values": {"white": 2, "black": 1, "asian": 1, "other": 1, "mixed": 1}}


def test_one_ethnicity_word_alone_is_weak() -> None:
    d = detect_officer_defined_ethnicity(["Other", "Other", "Something else"])
    assert (d.matched, d.score) == (2, round(2 / 4 * 0.5, 4))


def test_self_defined_ethnicity_census_text() -> None:
    values = [
        "White - English/Welsh/Scottish/Northern Irish/British",
        "Asian/Asian British - Pakistani",
        "Black/African/Caribbean/Black British - Any other Black/African/Caribbean background",
        "Mixed/Multiple ethnic groups - White and Black Caribbean",
        "Other ethnic group - Arab",
        "Black, Black British, Black Welsh, Caribbean or African: African",
        "Not stated",
    ]
    d = detect_self_defined_ethnicity(values)
    assert (d.matched, d.evidence["forms"]) == (7, {"text": 7})
    assert d.score == 0.875


def test_self_defined_ethnicity_codes() -> None:
    d = detect_self_defined_ethnicity(["W1", "W2", "A1", "B1", "M1", "O9", "NS", "W9"])
    assert (d.matched, d.score) == (8, round(8 / 9, 4))
    assert d.evidence["distinct_codes"] == ["A1", "B1", "M1", "NS", "O9", "W1", "W2", "W9"]


def test_grid_like_codes_are_weak_self_defined_ethnicity() -> None:
    d = detect_self_defined_ethnicity(["A1", "B2", "M3", "A4", "B5"])  # no W group: seat numbers?
    assert d.matched == 5
    assert d.score == round(5 / 6 * 0.3, 4)


def test_self_defined_ethnicity_near_misses() -> None:
    values = ["White", "Asian", "W10", "Whitechapel - Station", "X1", "White -"]
    assert detect_self_defined_ethnicity(values).matched == 0


def test_home_office_offence_codes() -> None:
    d = detect_offence_code(["105/1", "8/1", "92A/1", "008/01", "8/1", "105/1"])
    assert (d.kind, d.matched, d.score) == ("offence_code", 6, 0.8571)
    assert d.evidence == {"distinct_classes": 3, "distinct_ratio": 0.6667}


def test_offence_code_near_misses() -> None:
    # serial/year references, dates, long subclasses, zero class
    assert detect_offence_code(["4623/23", "12/05/2023", "105/123", "0/1", "92AB/1"]).matched == 0


def test_unique_class_slash_values_are_references_not_offence_codes() -> None:
    d = detect_offence_code([f"{i}/{j}" for i in range(100, 110) for j in range(1, 4)])
    assert d.matched == 30
    assert d.score == round(30 / 31 * 0.6, 4)


def test_crime_categories_labels_and_slugs() -> None:
    labels = ["Violence and sexual offences", "Anti-social behaviour", "Vehicle crime", "Burglary", "Other theft"]
    d = detect_crime_category(labels + ["violent-crime", "criminal-damage-arson"])
    assert (d.matched, d.score) == (7, 0.875)
    assert d.evidence == {"forms": {"label": 5, "slug": 2}, "distinct_categories": 7}


def test_a_lone_category_word_is_weak() -> None:
    d = detect_crime_category(["Burglary", "Burglary at a house", "Burgled shed", "Theft"])
    assert (d.matched, d.score) == (1, round(1 / 5 * 0.7, 4))


def test_outcome_categories() -> None:
    values = ["Investigation complete; no suspect identified", "Unable to prosecute suspect",
              "Offender given a caution", "local-resolution", "Status update unavailable"]
    d = detect_outcome_category(values)
    assert (d.matched, d.score) == (5, 0.8333)
    assert d.evidence == {"forms": {"label": 4, "slug": 1}, "distinct_outcomes": 5}


def test_outcome_near_misses() -> None:
    assert detect_outcome_category(["Arrest", "Community resolution", "Unable to prosecute"]).matched == 0
