"""postcode, vrm, nhs_number, ni_number and phone."""

from __future__ import annotations

from typing import Any

import pytest

from tools.errors import TransformValueError
from tools.transforms import apply_transform, parse_transform
from tools.transforms.identifier_ops import nhs_check_digit


def run(raw: dict[str, Any], *values: Any) -> Any:
    return apply_transform(parse_transform(raw), list(values))


def reason(raw: dict[str, Any], *values: Any) -> str:
    with pytest.raises(TransformValueError) as caught:
        run(raw, *values)
    return caught.value.reason


class TestPostcode:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("SW1A 1AA", "SW1A 1AA"),
            ("sw1a1aa", "SW1A 1AA"),
            ("SW1A  1AA", "SW1A 1AA"),
            (" ls1 4ap ", "LS1 4AP"),
            ("M1 1AE", "M1 1AE"),  # A9 9AA
            ("B33 8TH", "B33 8TH"),  # A99 9AA
            ("W1A 0AX", "W1A 0AX"),  # A9A 9AA
            ("CR2 6XH", "CR2 6XH"),  # AA9 9AA
            ("DN55 1PT", "DN55 1PT"),  # AA99 9AA
            ("EC1A 1BB", "EC1A 1BB"),  # AA9A 9AA
            ("gir0aa", "GIR 0AA"),
        ],
    )
    def test_accepted(self, value: str, expected: str) -> None:
        assert run({"op": "postcode"}, value) == expected

    def test_without_space(self) -> None:
        assert run({"op": "postcode", "space": False}, "sw1a 1aa") == "SW1A1AA"

    @pytest.mark.parametrize(
        "value",
        ["SW1A", "1AA SW1", "QA1 1AA", "AI1 1AA", "A1I 1AA", "SW1A 1CA", "SW1A 1A", "SW1A 1AAA", "ZZ99 9ZZZ", "E1-6AN"],
    )
    def test_refused(self, value: str) -> None:
        assert reason({"op": "postcode"}, value) == f"'{value}' is not a valid UK postcode"


class TestVrm:
    @pytest.mark.parametrize(
        ("value", "compact", "spaced"),
        [
            ("AB12 CDE", "AB12CDE", "AB12 CDE"),  # current
            ("ab12cde", "AB12CDE", "AB12 CDE"),
            ("AB-12-CDE", "AB12CDE", "AB12 CDE"),
            ("A123 BCD", "A123BCD", "A123 BCD"),  # prefix
            ("P7 ABC", "P7ABC", "P7 ABC"),
            ("ABC 123D", "ABC123D", "ABC 123D"),  # suffix
            ("ABC 123", "ABC123", "ABC 123"),  # dateless
            ("1234 AB", "1234AB", "1234 AB"),
            ("AXZ 1234", "AXZ1234", "AXZ 1234"),  # Northern Ireland
        ],
    )
    def test_styles(self, value: str, compact: str, spaced: str) -> None:
        assert run({"op": "vrm"}, value) == compact
        assert run({"op": "vrm", "space": True}, value) == spaced

    @pytest.mark.parametrize("value", ["AB12 CD", "ABCD 123", "12345", "AB123CDE", "A1B2C3"])
    def test_refused(self, value: str) -> None:
        assert reason({"op": "vrm"}, value) == (
            f"'{value}' is not a UK vehicle registration mark (current, prefix, suffix or dateless style)"
        )


class TestNhsNumber:
    def test_valid(self) -> None:
        assert run({"op": "nhs_number"}, "9434765919") == "9434765919"
        assert run({"op": "nhs_number"}, "943 476 5919") == "9434765919"
        assert run({"op": "nhs_number"}, "943-476-5919") == "9434765919"
        assert run({"op": "nhs_number"}, 9434765919) == "9434765919"
        assert run({"op": "nhs_number", "style": "spaced"}, "9434765919") == "943 476 5919"

    def test_wrong_check_digit(self) -> None:
        assert reason({"op": "nhs_number"}, "9434765918") == "'9434765918' is not a valid NHS number (check digit should be 9, not 8)"

    def test_check_of_eleven_is_zero(self) -> None:
        # Weighted sum of 401023225 is 99 = 9 * 11, so the check is 11, written as 0.
        assert nhs_check_digit("401023225") == 0
        assert run({"op": "nhs_number"}, "4010232250") == "4010232250"
        assert reason({"op": "nhs_number"}, "4010232251") == "'4010232251' is not a valid NHS number (check digit should be 0, not 1)"

    def test_check_of_ten_is_never_valid(self) -> None:
        # Weighted sum of 100000001 is 10 + 2 = 12; 11 - 12 % 11 = 10.
        assert nhs_check_digit("100000001") is None
        assert reason({"op": "nhs_number"}, "1000000010") == (
            "'1000000010' is not a valid NHS number (no check digit is possible for its first nine digits)"
        )

    @pytest.mark.parametrize("value", ["943476591", "94347659190", "94347659l9", "943 476 591 9x"])
    def test_not_ten_digits(self, value: str) -> None:
        assert reason({"op": "nhs_number"}, value) == f"'{value}' is not a 10-digit NHS number"


class TestNiNumber:
    def test_valid(self) -> None:
        assert run({"op": "ni_number"}, "AB 12 34 56 C") == "AB123456C"
        assert run({"op": "ni_number"}, " ab123456c ") == "AB123456C"
        assert run({"op": "ni_number", "space": True}, "AB123456C") == "AB 12 34 56 C"
        assert run({"op": "ni_number"}, "ZY123456D") == "ZY123456D"

    @pytest.mark.parametrize("prefix", ["DA", "FA", "IA", "QQ", "UA", "VA", "AD", "AF", "AI", "AO", "AQ", "AU", "AV", "BG", "GB", "KN", "NK", "NT", "TN", "ZZ"])
    def test_prefixes_never_issued(self, prefix: str) -> None:
        value = f"{prefix}123456C"
        assert reason({"op": "ni_number"}, value) == f"'{value}' has the National Insurance prefix {prefix}, which is never issued"

    @pytest.mark.parametrize("value", ["AB123456E", "AB12345C", "AB123456", "A1234567C", "AB 12 34 56 C D"])
    def test_bad_shape(self, value: str) -> None:
        assert reason({"op": "ni_number"}, value) == (
            f"'{value}' is not a National Insurance number (two letters, six digits, a final letter A-D)"
        )


class TestPhone:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("07911 123456", "+447911123456"),
            ("+44 7911 123456", "+447911123456"),
            ("0044 7911 123456", "+447911123456"),
            ("(0161) 496 0000", "+441614960000"),
            ("020 7946 0018", "+442079460018"),
            (7911123456, "+447911123456"),
        ],
    )
    def test_e164(self, value: Any, expected: str) -> None:
        assert run({"op": "phone"}, value) == expected

    def test_other_default_region(self) -> None:
        assert run({"op": "phone", "default_region": "IE"}, "087 123 4567") == "+353871234567"
        assert run({"op": "phone", "default_region": "IE"}, "+44 7911 123456") == "+447911123456"

    @pytest.mark.parametrize("value", ["12345", "not a number", "07911 12345", "+44 12"])
    def test_refused(self, value: str) -> None:
        assert reason({"op": "phone"}, value) == f"'{value}' is not a valid phone number (read in region GB)"
