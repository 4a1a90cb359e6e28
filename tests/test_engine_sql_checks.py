"""Schema checks in SQL must fail exactly where jsonschema fails (format, pattern, bounds ...)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from tools.engines import apply_mapping
from tools.mapping import parse_mapping
from tools.target_schema import load_target_schema

SCHEMA = {
    "type": "object",
    "properties": {
        "day": {"type": "string", "format": "date"},
        "moment": {"type": "string", "format": "date-time"},
        "clock": {"type": "string", "format": "time"},
        "mail": {"type": "string", "format": "email", "maxLength": 6},
        "code": {"type": "string", "pattern": "^\\d{2}\\w?$", "minLength": 2},
        "word": {"type": "string", "pattern": "[^\\s]x$"},
        "whole": {"type": "integer", "minimum": -2.5, "exclusiveMaximum": 10},
        "ratio": {"type": "number", "exclusiveMinimum": 0, "maximum": 1.5},
        "flag": {"type": "boolean", "enum": [True]},
        "kind": {"type": ["string", "null"], "enum": ["a", "b", None]},
        "count": {"type": "integer", "enum": [1, 2.0, 3]},
    },
}
COLUMNS = {
    "DAY": ("day", {"op": "copy"}),
    "MOMENT": ("moment", {"op": "copy"}),
    "CLOCK": ("clock", {"op": "copy"}),
    "MAIL": ("mail", {"op": "copy"}),
    "CODE": ("code", {"op": "copy"}),
    "WORD": ("word", {"op": "copy"}),
    "WHOLE": ("whole", {"op": "to_number"}),
    "RATIO": ("ratio", {"op": "to_number"}),
    "FLAG": ("flag", {"op": "to_boolean"}),
    "KIND": ("kind", {"op": "copy"}),
    "COUNT": ("count", {"op": "to_integer"}),
}
VALUES = {
    "DAY": ["2020-02-29", "2019-02-29", "0000-01-01", "2020-1-01", "2020-01-01x", "٢٠٢٠-01-01", "2020-13-01", "9999-12-31", "2020-01-01\n"],
    "MOMENT": ["2020-01-01T00:00:00Z", "2020-01-01t00:00:00z", "2020-01-01T24:00:00Z", "2020-01-01T00:00:00+24:00", "2020-01-01T00:00:00",
               "2020-02-30T00:00:00Z", "2020-01-01T00:00:00.123456-05:30", "2020-01-01T00:00:00Z\n", "0000-01-01T00:00:00Z", "2020-01-01 00:00:00Z"],
    "CLOCK": ["12:00:00Z", "12:00:00", "23:59:59+01:00", "24:00:00Z", "12:00:00.5z", "12:00Z"],
    "MAIL": ["a@b", "ab", "@", "aé@bcd", "a@bcdef"],
    "CODE": ["12", "12a", "1", "١٢", "12_", "12\n", "12\n\n", "12é", "123"],
    "WORD": ["ax", " x", "x", "éx", "\u00a0x", "ax\n"],
    "WHOLE": ["-2", "-3", "9", "10", "9.0", "9.5", "-2.5"],
    "RATIO": ["0", "0.1", "1.5", "1.5000001", "-1"],
    "FLAG": ["y", "n"],
    "KIND": ["a", "c", "A"],
    "COUNT": ["1", "2", "4", "-0"],
}


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = tmp_path_factory.mktemp("schema") / "target.schema.json"
    path.write_text(json.dumps(SCHEMA), encoding="utf-8")
    return load_target_schema(path)


def test_sql_checks_fail_where_jsonschema_fails(tmp_path: Path, schema: Any) -> None:
    longest = max(len(v) for v in VALUES.values())
    source = tmp_path / "s.csv"
    with source.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(list(VALUES))
        for i in range(longest):
            writer.writerow([VALUES[c][i % len(VALUES[c])] for c in VALUES])
    doc = parse_mapping({"fields": [{"target": "/" + t, "sources": [c], "transform": spec} for c, (t, spec) in COLUMNS.items()]})
    found = {}
    for engine in ("python", "duckdb"):
        out, rej = tmp_path / f"{engine}.jsonl", tmp_path / f"{engine}.rej.jsonl"
        summary = apply_mapping(doc, source, schema, out, rej, engine=engine)
        found[engine] = (summary, out.read_bytes(), [json.loads(line) for line in rej.read_text(encoding="utf-8").splitlines()])
    assert found["duckdb"][0].engine == "duckdb", found["duckdb"][0].engine_reason
    assert found["python"][1] == found["duckdb"][1]

    def errors(rejects: list[dict[str, Any]]) -> list[tuple[int, str, str, Any]]:
        return sorted((r["row"], e["field"], e["stage"], e["value"]) for r in rejects for e in r["errors"])

    assert errors(found["python"][2]) == errors(found["duckdb"][2])
    assert found["python"][0].errors_by_field == found["duckdb"][0].errors_by_field
    assert len(found["python"][2]) == longest  # every row breaks something
