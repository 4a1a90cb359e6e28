"""The error model: pointers for jsonschema errors, kinds for the summary, the plan's shape."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tools.engines.output import lowercase_escapes, record_line, reject_line
from tools.engines.plan import build_plan
from tools.engines.record_errors import RecordError, read_error, schema_errors, sort_errors, transform_kind
from tools.engines.summary import ErrorTally
from tools.errors import MappingError
from tools.mapping import parse_mapping


def _plan(*fields: tuple[str, list[str]]) -> Any:
    doc = parse_mapping({"fields": [{"target": t, "sources": s, "transform": {"op": "copy" if len(s) == 1 else "join"}} for t, s in fields]})
    return build_plan(doc, ["A", "B", "C"], include_pending=False, origin="m.json")


def test_transform_kinds_drop_the_value_and_the_details() -> None:
    assert transform_kind("'31/02/1980' is not a valid date for format %d/%m/%Y") == "is not a valid date for format %d/%m/%Y"
    assert transform_kind("'Q' is not in the value map (known values: 'F', 'M')") == "is not in the value map"
    assert transform_kind("'O'Brien, x' is not a whole number") == "is not a whole number"
    assert transform_kind("date '01/01/2023' has no time and missing_time is 'error'") == "date has no time and missing_time is 'error'"
    assert transform_kind("'x' happened twice in Europe/London (clocks went back: +01:00 then +00:00) and on_ambiguous is 'error'") == \
        "happened twice in Europe/London"
    assert transform_kind("something new: with detail") == "something new"


def test_schema_errors_name_the_field_they_concern() -> None:
    schema = {
        "type": "object",
        "additionalProperties": False,
        "required": ["id"],
        "properties": {
            "person": {
                "anyOf": [
                    {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "age": {"type": "integer", "maximum": 9}}},
                    {"type": "null"},
                ]
            },
            "place": {"type": "object", "dependentRequired": {"lat": ["lon"]}, "properties": {"lat": {}, "lon": {}}},
        },
    }
    plan = _plan(("/person/age", ["A"]), ("/place/lat", ["B"]), ("/extra", ["C"]))
    record = {"person": {"age": 12}, "place": {"lat": 1}, "extra": "x"}
    errors = schema_errors(Draft202012Validator(schema).iter_errors(record), plan, {"A": "12", "B": "1", "C": "x"}, set())
    got = [(e.field, e.kind, e.sources, e.value) for e in errors]
    # Mapped fields first, in mapping order; pointers nothing maps to after them, by pointer.
    assert got == [
        ("/person/age", "above the maximum", ("A",), "12"),
        ("/extra", "not a field of the target schema", ("C",), "x"),
        ("/id", "required but missing", (), None),
        ("/person/name", "required but missing", (), None),
        ("/place/lon", "required by another field", (), None),
    ]


def test_a_required_error_caused_by_a_failed_transform_is_not_repeated() -> None:
    schema = {"type": "object", "required": ["person"], "properties": {"person": {"type": "object", "required": ["name"]}}}
    plan = _plan(("/person/name", ["A"]))
    validator = Draft202012Validator(schema)
    assert schema_errors(validator.iter_errors({}), plan, {"A": "?"}, {"/person/name"}) == []
    assert [e.field for e in schema_errors(validator.iter_errors({}), plan, {"A": ""}, set())] == ["/person"]


def test_errors_are_ordered_read_transform_schema_then_by_field() -> None:
    plan = _plan(("/a", ["A"]), ("/b", ["B"]))
    errors = [
        RecordError("/b", ("B",), "x", "schema", "r1", "k"),
        RecordError("/b", ("B",), "x", "transform", "r2", "k"),
        RecordError("/a", ("A",), "x", "schema", "r3", "k"),
        read_error("row 3 has 2 fields, the header has 3 (line 5)"),
    ]
    assert [e.reason for e in sort_errors(errors, plan)][1:] == ["r2", "r3", "r1"]
    assert read_error("row 3: invalid JSON (x)").kind == "row 3"


def test_plan_shape_and_conflicts() -> None:
    plan = _plan(("/p/a", ["A"]), ("/q", ["B"]), ("/p/b", ["A", "C"]))
    assert list(plan.root.children) == ["p", "q"]
    assert plan.owner("/p") == (("A", "C"), None)
    assert plan.owner("/p/b")[0] == ("A", "C")
    assert plan.rank("/p") == (0, "/p") and plan.rank("/zz") == (3, "/zz")
    with pytest.raises(MappingError, match="mapped as a value and as an object"):
        _plan(("/p", ["A"]), ("/p/x", ["B"]))
    with pytest.raises(MappingError) as raised:
        build_plan(parse_mapping({"fields": [{"target": "/x", "sources": ["Z"], "transform": {"op": "copy"}}]}), ["A"],
                   include_pending=False, origin="m.json")
    assert raised.value.target == "/x" and "'Z'" in str(raised.value)


def test_line_format() -> None:
    assert record_line(3, {"a": "é\u0001", "n": 1.5}) == '{"row":3,"record":{"a":"é\\u0001","n":1.5}}\n'
    error = RecordError("/a", ("A",), "v", "transform", "bad", "bad")
    assert reject_line(4, {}, [error], {"A": "v"}) == (
        '{"row":4,"record":{},"errors":[{"field":"/a","sources":["A"],"value":"v","stage":"transform","reason":"bad"}],"source":{"A":"v"}}\n'
    )
    assert lowercase_escapes(b'"\\u001F \\\\u001F \\\\\\u001A"') == b'"\\u001f \\\\u001F \\\\\\u001a"'


def test_tally_counts_by_field_and_kind() -> None:
    tally = ErrorTally()
    tally.add_row(0, [])
    tally.add_row(5, [RecordError("/a", (), None, "schema", "r5", "too long"), read_error("row 5 broke")])
    tally.add(None, "read", "row 5 broke", 2, 2, "row 2 broke")
    tally.add("/a", "schema", "too long", 3, 9, "r9")
    assert (tally.rows_read, tally.rows_valid, tally.rows_quarantined) == (2, 1, 1)
    assert tally.errors_by_field() == {"": {"row 5 broke": 3}, "/a": {"too long": 4}}
    top = tally.top_errors()
    assert [(t.field, t.count, t.first_row, t.example_reason) for t in top] == [("/a", 4, 5, "r5"), (None, 3, 2, "row 2 broke")]
