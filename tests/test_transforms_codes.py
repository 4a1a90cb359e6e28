"""value_map and to_boolean."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from tools.errors import TransformValueError
from tools.transforms import ValueMap, apply_transform, parse_transform


def run(raw: dict[str, Any], *values: Any) -> Any:
    return apply_transform(parse_transform(raw), list(values))


def reason(raw: dict[str, Any], *values: Any) -> str:
    with pytest.raises(TransformValueError) as caught:
        run(raw, *values)
    return caught.value.reason


SEX = {"op": "value_map", "mapping": {"M": "male", "F": "female", "U": "unknown"}}


class TestValueMap:
    def test_trims_and_folds_case(self) -> None:
        assert run(SEX, " m ") == "male"
        assert run(SEX, "F") == "female"

    def test_keys_are_trimmed_too(self) -> None:
        assert run({"op": "value_map", "mapping": {" IC1 ": "White"}}, "ic1") == "White"

    def test_case_sensitive(self) -> None:
        spec = {"op": "value_map", "mapping": {"M": "male"}, "case_insensitive": False}
        assert run(spec, "M") == "male"
        assert reason(spec, "m") == "'m' is not in the value map (known values: 'M')"

    def test_unmapped_error_lists_the_value_and_known_values(self) -> None:
        assert reason(SEX, "X") == "'X' is not in the value map (known values: 'F', 'M', 'U')"

    def test_long_known_lists_are_cut(self) -> None:
        spec = {"op": "value_map", "mapping": {f"K{i:02d}": i for i in range(12)}}
        assert reason(spec, "Z") == (
            "'Z' is not in the value map (known values: 'K00', 'K01', 'K02', 'K03', 'K04', "
            "'K05', 'K06', 'K07', 'K08', 'K09', ... (12 in all))"
        )

    def test_unmapped_null_and_keep(self) -> None:
        assert run({**SEX, "on_unmapped": "null"}, "X") is None
        assert run({**SEX, "on_unmapped": "keep"}, "  Other ") == "Other"

    def test_numbers_are_looked_up_by_their_text(self) -> None:
        spec = {"op": "value_map", "mapping": {"1": "male", "2": "female", "9": "not applicable"}}
        assert run(spec, 1) == "male"
        assert run(spec, 2.0) == "female"

    def test_mapped_values_keep_their_json_type(self) -> None:
        spec = {"op": "value_map", "mapping": {"Y": True, "N": False, "?": None}}
        assert run(spec, "y") is True
        assert run(spec, "?") is None

    def test_keys_that_fold_together_must_agree(self) -> None:
        assert ValueMap(mapping={"M": "male", "m": "male"}).mapping == {"M": "male", "m": "male"}
        with pytest.raises(ValidationError, match="same after trimming and ignoring case"):
            ValueMap(mapping={"M": "male", "m": "man"})
        assert ValueMap(mapping={"M": "male", "m": "man"}, case_insensitive=False).mapping["m"] == "man"

    def test_output_type_with_keep_is_any_unless_all_strings(self) -> None:
        assert ValueMap(mapping={"Y": True}).output_type == "boolean"
        assert ValueMap(mapping={"Y": True}, on_unmapped="keep").output_type == "any"
        assert ValueMap(mapping={"Y": "yes"}, on_unmapped="keep").output_type == "string"


class TestToBoolean:
    @pytest.mark.parametrize("value", ["Y", " yes ", "TRUE", "t", "1", 1, 1.0, True])
    def test_true(self, value: Any) -> None:
        assert run({"op": "to_boolean"}, value) is True

    @pytest.mark.parametrize("value", ["n", "No", "false", "F", "0", 0, False])
    def test_false(self, value: Any) -> None:
        assert run({"op": "to_boolean"}, value) is False

    def test_custom_lists(self) -> None:
        spec = {"op": "to_boolean", "true_values": ["Arrested"], "false_values": ["No further action"]}
        assert run(spec, "arrested") is True
        assert run(spec, "NO FURTHER ACTION") is False

    def test_refusal_lists_accepted_words(self) -> None:
        assert reason({"op": "to_boolean"}, "maybe") == (
            "'maybe' is not one of the true values (y, yes, true, t, 1) or false values (n, no, false, f, 0)"
        )
        assert reason({"op": "to_boolean"}, 2) == (
            "2 is not one of the true values (y, yes, true, t, 1) or false values (n, no, false, f, 0)"
        )
