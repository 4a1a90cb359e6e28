"""PNC ID, CRO number, NHS number, NI number, VRM and reference-number detectors."""

from __future__ import annotations

import random

from tools.detectors.identifiers import (
    detect_cro_number,
    detect_nhs_number,
    detect_ni_number,
    detect_pnc_id,
    detect_reference_number,
    detect_vrm,
    nhs_check_digit_ok,
)

# --- PNC ID ----------------------------------------------------------------------------------


def test_pnc_ids_with_valid_check_letters_score_full() -> None:
    # check letter = "ZABCDEFGHJKLMNPQRTUVWXY"[int(yy + serial padded to 7) % 23]
    values = ["2004/0123456B", "04/123456B", "2019/0000042J", "1999/1234567B"] * 5
    d = detect_pnc_id(values)
    assert (d.kind, d.matched, d.total, d.score) == ("pnc_id", 20, 20, 0.9524)
    assert d.evidence == {"forms": {"four_digit_year": 15, "two_digit_year": 5}, "check_letter_valid": 20}


def test_pnc_ids_with_wrong_check_letters_still_match_but_score_lower() -> None:
    d = detect_pnc_id(["2004/0123456L", "04/123456L"] * 10)
    assert d.matched == 20
    assert d.evidence["check_letter_valid"] == 0
    assert d.score == round(20 / 21 * 0.85, 4)


def test_pnc_near_misses_do_not_match() -> None:
    # CRO order, a reference number, no check letter, a year outside 19xx/20xx, 8 digits
    d = detect_pnc_id(["123456/04X", "4623/23", "2004/0123456", "3004/0123456B", "2004/01234567B"])
    assert (d.matched, d.score) == (0, 0.0)
    assert d.counter_examples == ["123456/04X", "4623/23", "2004/0123456"]


# --- CRO number ------------------------------------------------------------------------------


def test_cro_numbers_standard_and_sf_forms() -> None:
    d = detect_cro_number(["123456/04R", "42/98J", "SF04/1234R"] * 4)
    assert (d.kind, d.matched, d.score) == ("cro_number", 12, 0.9231)
    assert d.evidence == {"forms": {"standard": 8, "sf": 4}, "check_letter_valid": 12}


def test_cro_near_misses() -> None:
    d = detect_cro_number(["1234567/04R", "123456/2004R", "123456/04", "04/123456B"])
    assert d.matched == 0


# --- NHS number ------------------------------------------------------------------------------


def test_nhs_check_digit() -> None:
    assert nhs_check_digit_ok("9434765919")
    assert not nhs_check_digit_ok("9434765918")
    assert not nhs_check_digit_ok("0000000000")  # passes the sum, never issued


def test_nhs_numbers_plain_spaced_hyphenated_and_integers() -> None:
    values = ["943 476 5919", "9434765919", "943-476-5919", 2914177763, "3740681241"]
    d = detect_nhs_number(values * 4)
    assert (d.kind, d.matched, d.score) == ("nhs_number", 20, 0.9524)
    assert d.evidence == {"formats": {"spaced": 4, "plain": 12, "hyphenated": 4}, "check_digit_failures": 0}


def test_random_ten_digit_numbers_score_low() -> None:
    rng = random.Random(11)
    values = [str(rng.randint(10**9, 10**10 - 1)) for _ in range(2000)]
    d = detect_nhs_number(values)
    # about 1 in 11 pass the check by chance; so many failures halve the score again
    assert 0.02 < d.score < 0.06
    assert d.evidence["check_digit_failures"] > 1700


def test_nhs_number_with_bad_check_digits_does_not_match() -> None:
    d = detect_nhs_number(["9434765918", "943 476 5910", "94347659190"])
    assert (d.matched, d.score) == (0, 0.0)
    assert d.evidence["check_digit_failures"] == 2


# --- National Insurance number ---------------------------------------------------------------


def test_ni_numbers_spaced_and_compact() -> None:
    d = detect_ni_number(["AB123456C", "ab 12 34 56 d", "JK 654321 A", "QQ 12 34 56 C"] * 3)
    assert (d.kind, d.matched, d.score) == ("ni_number", 12, 0.9231)
    assert d.evidence == {"example_prefix_qq": 3, "spaced": 9}


def test_ni_never_issued_prefixes_and_bad_letters_do_not_match() -> None:
    values = ["BG123456C", "GB123456A", "ZZ123456A", "DA123456A", "AO123456A", "AB123456E", "AB12345C"]
    d = detect_ni_number(values)
    assert (d.matched, d.score) == (0, 0.0)


# --- VRM -------------------------------------------------------------------------------------


def test_vrm_styles() -> None:
    values = ["AB12 CDE", "xy51abc", "A123 BCD", "ABC 123D", "ABZ 1234"]
    d = detect_vrm(values * 2)
    assert (d.kind, d.matched, d.score) == ("vrm", 10, 0.9091)
    assert d.evidence == {
        "styles": {"current": 4, "prefix": 2, "suffix": 2, "northern_ireland": 2},
        "with_space": 8,
    }


def test_postcodes_are_not_vrms() -> None:
    d = detect_vrm(["SW1A 1AA", "M1 1AE", "B33 8TH", "CR2 6XH", "EC1A 1BB", "DN55 1PT"])
    assert (d.matched, d.score) == (0, 0.0)


def test_vrm_near_misses_bad_age_identifier_and_i_q_letters() -> None:
    # age identifier 00 / 50 never issued; I and Q never in the random letters
    d = detect_vrm(["AB00 CDE", "AB50 CDE", "AB12 CDI", "QB12 CDE"])
    assert d.matched == 0


# --- reference numbers -----------------------------------------------------------------------


def test_structured_unique_references() -> None:
    values = [f"CU/2023/{i:06d}" for i in range(30)]
    d = detect_reference_number(values)
    assert (d.kind, d.matched, d.score) == ("reference_number", 30, 0.9677)
    assert d.evidence == {"distinct_ratio": 1.0, "length_consistency": 1.0, "dominant_shapes": {"AA/9999/999999": 1.0}}


def test_serial_slash_year_references() -> None:
    d = detect_reference_number([f"{i}/23" for i in range(4600, 4630)])
    assert d.score == 0.9677


def test_repeated_codes_and_plain_numbers_are_not_references() -> None:
    assert detect_reference_number(["A1", "B2"] * 20).score == 0.0  # too short
    assert detect_reference_number(["ABC-1"] * 40).score < 0.01  # not unique
    assert detect_reference_number(["51.5074", "-0.1278"]).matched == 0  # decimals
    assert detect_reference_number(["12", "13", "14"]).matched == 0  # row numbers
    assert detect_reference_number(["no digits here", "Smith"]).matched == 0
