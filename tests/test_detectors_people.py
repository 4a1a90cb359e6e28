"""Given, family and full name detectors, and sex codes."""

from __future__ import annotations

from tools.detectors.people import detect_family_name, detect_full_name, detect_given_name, detect_sex

FORENAMES = ["John", "Mary", "David", "Sarah", "Zbigniew", "Siân", "Aoife", "Mohammed", "Chloe", "Rhys"]
SURNAMES = ["SMITH", "JONES", "O'BRIEN", "McDONALD", "SMITH-JONES", "NOWAK", "KHAN", "DAVIES", "EVANS", "MACLEOD"]


def test_forename_column_is_given_names_rather_than_family_names() -> None:
    given, family = detect_given_name(FORENAMES), detect_family_name(FORENAMES)
    assert given.matched == 10
    assert given.evidence == {
        "given_lexicon_share": 0.8,
        "family_lexicon_share": 0.0,
        "upper_share": 0.0,
        "single_word_share": 1.0,
    }
    assert given.score == round(10 / 11 * 1.0, 4)
    assert family.score == round(10 / 11 * 0.3, 4)


def test_upper_case_surname_column_is_family_names() -> None:
    family, given = detect_family_name(SURNAMES), detect_given_name(SURNAMES)
    assert family.matched == 10
    assert family.evidence["upper_share"] == 1.0
    assert family.evidence["family_lexicon_share"] == 0.7  # MACLEOD, NOWAK, SMITH-JONES are not listed
    assert family.score == round(10 / 11 * 1.0, 4)
    assert given.score == round(10 / 11 * 0.3, 4)


def test_name_shaped_words_without_known_names_score_low() -> None:
    towns = ["Bolton", "Wigan", "Salford", "Rochdale", "Bury", "Oldham", "Stockport", "Trafford"]
    assert detect_given_name(towns).score == round(8 / 9 * 0.25, 4)
    assert detect_family_name(towns).score == round(8 / 9 * 0.25, 4)


def test_a_few_repeated_words_are_a_code_list_not_names() -> None:
    values = ["White", "Black", "Asian"] * 20  # ethnicity words that are also surnames
    assert detect_family_name(values).score < 0.1


def test_digits_and_long_text_are_not_names() -> None:
    d = detect_given_name(["J0hn", "AB12 CDE", "a long sentence about nothing at all", "Smith & Co"])
    assert d.matched == 0


def test_full_names_surname_first_with_comma() -> None:
    d = detect_full_name(["SMITH, John Paul", "O'BRIEN, Mary", "Jones, Siân", "McDONALD, Aoife"])
    assert (d.kind, d.matched, d.score) == ("full_name", 4, 0.8)
    assert d.evidence == {
        "order": "surname_first",
        "order_shares": {"surname_first": 1.0, "forename_first": 0.0, "unknown": 0.0},
        "signals": {"comma": 4},
    }


def test_full_names_surname_first_by_capitals_and_forename_first() -> None:
    surname_first = detect_full_name(["SMITH John", "NOWAK Zbigniew", "DAVIES Rhys Owen"])
    assert surname_first.evidence["order"] == "surname_first"
    assert surname_first.evidence["signals"] == {"upper_case": 3}
    forename_first = detect_full_name(["John SMITH", "Zbigniew NOWAK", "Mr Rhys DAVIES", "Mary van der BERG"])
    assert forename_first.matched == 4
    assert forename_first.evidence["order"] == "forename_first"


def test_full_names_in_title_case_use_the_lexicon() -> None:
    d = detect_full_name(["John Smith", "Sarah Jones", "Smith John", "Xavier Quill"])
    assert d.matched == 3
    assert d.evidence["order_shares"] == {"surname_first": 0.3333, "forename_first": 0.6667, "unknown": 0.0}
    assert d.evidence["order"] == "mixed"
    assert d.counter_examples == ["Xavier Quill"]


def test_two_word_labels_are_not_full_names() -> None:
    labels = ["Vehicle crime", "Other theft", "Person search", "West LA", "Public order", "On or near Finch Lane"]
    assert detect_full_name(labels).matched == 0


def test_sex_letters_words_and_iso_digits() -> None:
    letters = detect_sex(["M", "F", "U", "X", "m"] * 2)
    assert (letters.matched, letters.score) == (10, 0.9091)
    assert letters.evidence == {
        "forms": {"letters": 10},
        "meanings": {"male": 4, "female": 2, "unknown": 2, "unspecified": 2},
    }
    words = detect_sex(["Male", "Female", "Not known", "FEMALE"])
    assert (words.matched, words.evidence["forms"]) == (4, {"words": 4})
    digits = detect_sex([1, 2, 2, 9, 0])
    assert digits.matched == 5
    assert digits.score == round(5 / 6 * 0.75, 4)
    assert digits.evidence["ambiguous_with"] == "code_list"


def test_small_integers_are_not_sex_digits() -> None:
    assert detect_sex([1, 2, 3, 4, 5]).score == 0.0
    assert detect_sex([0, 1, 0, 1]).score == 0.0  # no 2: booleans, not ISO 5218
    assert detect_sex([1, 9, 1]).score == 0.0


def test_booleans_are_not_sex_codes() -> None:
    assert detect_sex(["Y", "N", "Y"]).score == 0.0
    # F alone (false in a T/F column) matches but scores low: one sex only
    assert detect_sex(["T", "F", "T", "F"]).score == round(2 / 5 * 0.6, 4)
