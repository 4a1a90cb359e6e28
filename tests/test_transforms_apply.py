"""The reference engine itself: blanks, null_values, constant, pipeline, dispatch."""

from __future__ import annotations

import datetime as dt
import typing
from typing import Any

import pytest

from tools.errors import TransformValueError
from tools.transforms import ALL_OPS, Pipeline, TransformSpec, apply_transform, is_blank, parse_transform
from tools.transforms.apply import _SEVERAL, _SINGLE


def run(raw: dict[str, Any], *values: Any) -> Any:
    return apply_transform(parse_transform(raw), list(values))


class TestIsBlank:
    @pytest.mark.parametrize("value", [None, "", "   ", "\t\n"])
    def test_blank(self, value: Any) -> None:
        assert is_blank(value, ()) is True

    @pytest.mark.parametrize("value", ["x", " 0 ", 0, 0.0, False, [], {}, dt.date(2023, 1, 1)])
    def test_not_blank(self, value: Any) -> None:
        assert is_blank(value, ()) is False

    def test_null_values_are_trimmed_and_case_insensitive(self) -> None:
        nulls = ("N/A", " unknown ")
        assert is_blank(" n/a ", nulls) is True
        assert is_blank("UNKNOWN", nulls) is True
        assert is_blank("NA", nulls) is False

    def test_numbers_and_booleans_compare_by_text(self) -> None:
        assert is_blank(-1, ("-1",)) is True
        assert is_blank(-1.0, ("-1",)) is True
        assert is_blank(False, ("FALSE",)) is True
        assert is_blank(1, ("-1",)) is False


class TestBlankInputs:
    @pytest.mark.parametrize("op", [op for op in ALL_OPS if op not in ("constant", "pipeline")])
    def test_every_op_leaves_all_blank_inputs_absent(self, op: str) -> None:
        spec = parse_transform(_minimal(op))
        low, _high = spec.arity
        assert apply_transform(spec, [" "] * max(low, 1)) is None

    def test_null_values_are_checked_before_the_op(self) -> None:
        spec = {"op": "to_integer", "null_values": ["N/K", "-"]}
        assert run(spec, "n/k") is None
        assert run(spec, " - ") is None
        assert run(spec, "12") == 12

    def test_null_values_on_each_input_of_a_several_input_op(self) -> None:
        spec = {"op": "combine_date_time", "date_format": "%d/%m/%Y", "time_format": "%H:%M",
                "missing_time": "midnight", "null_values": ["99:99"]}
        assert run(spec, "01/12/2023", "99:99") == "2023-12-01T00:00:00+00:00"


class TestConstant:
    def test_whatever_the_inputs(self) -> None:
        assert run({"op": "constant", "value": "Example Constabulary"}) == "Example Constabulary"
        assert run({"op": "constant", "value": 3}, "", None) == 3
        assert run({"op": "constant", "value": None}, "x") is None
        assert run({"op": "constant", "value": {"a": [1]}}, "x") == {"a": [1]}


class TestPipeline:
    def test_each_step_takes_the_previous_output(self) -> None:
        spec = {"op": "pipeline", "steps": [
            {"op": "text", "case": "upper"},
            {"op": "value_map", "mapping": {"IC1": "White", "IC3": "Black"}},
        ]}
        assert run(spec, " ic1 ") == "White"

    def test_first_step_takes_all_inputs(self) -> None:
        spec = {"op": "pipeline", "steps": [
            {"op": "join", "separator": ""},
            {"op": "to_integer"},
        ]}
        assert run(spec, "12", "34") == 1234

    def test_none_stops_the_pipeline(self) -> None:
        spec = {"op": "pipeline", "steps": [
            {"op": "value_map", "mapping": {"X": None}, "on_unmapped": "error"},
            {"op": "constant", "value": "never"},
        ]}
        assert run(spec, "x") is None

    def test_typed_outputs_flow_into_text_steps(self) -> None:
        spec = {"op": "pipeline", "steps": [{"op": "to_integer"}, {"op": "value_map", "mapping": {"1": "male", "2": "female"}}]}
        assert run(spec, "2.0") == "female"

    def test_pipeline_and_step_null_values(self) -> None:
        spec = {"op": "pipeline", "null_values": ["N/A"], "steps": [
            {"op": "text", "case": "upper", "null_values": ["UNKNOWN"]},
            {"op": "value_map", "mapping": {"M": "male"}, "null_values": ["Z"]},
        ]}
        assert run(spec, "n/a") is None
        assert run(spec, "unknown") is None
        assert run(spec, "z") is None
        assert run(spec, "m") == "male"

    def test_errors_from_a_step_surface(self) -> None:
        spec = {"op": "pipeline", "steps": [{"op": "text"}, {"op": "to_integer"}]}
        with pytest.raises(TransformValueError, match="'12.5' is not a whole number"):
            run(spec, " 12.5 ")

    def test_a_later_step_must_take_one_value(self) -> None:
        with pytest.raises(Exception, match="only the first step may take several"):
            Pipeline.model_validate({"steps": [{"op": "text"}, {"op": "bng_to_wgs84", "output": "latitude"}]})


class TestDispatch:
    def test_every_op_has_an_implementation(self) -> None:
        spec_classes = typing.get_args(typing.get_args(TransformSpec)[0])
        handled = set(_SINGLE) | set(_SEVERAL)
        for cls in spec_classes:
            if cls.__name__ in ("Constant", "Pipeline"):
                continue
            assert cls in handled, cls.__name__

    def test_wrong_number_of_values_is_a_type_error(self) -> None:
        with pytest.raises(TypeError, match="transform 'bng_to_wgs84' takes 2 value"):
            run({"op": "bng_to_wgs84", "output": "latitude"}, "1")
        with pytest.raises(TypeError, match="transform 'text' takes 1 value"):
            run({"op": "text"}, "a", "b")


def _minimal(op: str) -> dict[str, Any]:
    extra: dict[str, dict[str, Any]] = {
        "parse_date": {"format": "%Y"},
        "parse_datetime": {"format": "%Y"},
        "parse_time": {"format": "%H"},
        "combine_date_time": {"date_format": "%Y", "time_format": "%H"},
        "split_name": {"order": "surname_first", "part": "family"},
        "value_map": {"mapping": {}},
        "bng_to_wgs84": {"output": "latitude"},
    }
    return {"op": op, **extra.get(op, {})}
