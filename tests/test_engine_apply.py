"""apply_mapping: the file contract, engine choice and fallbacks, the summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tools.engines import apply_mapping
from tools.errors import MappingError
from tools.mapping import parse_mapping
from tools.target_schema import load_target_schema

ENGINES = ("python", "duckdb")

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["id"],
    "properties": {
        "id": {"type": "string", "pattern": "^P\\d+$"},
        "person": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "maxLength": 10},
                "sex": {"enum": ["male", "female"]},
                "age": {"type": "integer", "maximum": 120},
                "ni": {"type": "string", "pattern": "^(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\\d{6}[A-D]$"},
            },
        },
        "at": {"type": "string", "format": "date-time"},
    },
}


def _doc(*fields: dict[str, Any], pointers: bool = False) -> Any:
    """A mapping of ``fields``; with ``pointers`` the sources are JSON Pointers (JSON sources)."""
    if pointers:
        fields = tuple(dict(f, sources=["/" + s for s in f["sources"]]) for f in fields)
    return parse_mapping({"fields": [dict({"status": "approved"}, **f) for f in fields]})


BASE = (
    {"target": "/id", "sources": ["ID"], "transform": {"op": "text"}},
    {"target": "/person/name", "sources": ["NAME"], "transform": {"op": "text", "case": "upper"}},
    {"target": "/person/sex", "sources": ["SEX"], "transform": {"op": "value_map", "mapping": {"M": "male", "F": "female"}}},
    {"target": "/person/age", "sources": ["AGE"], "transform": {"op": "to_integer"}},
)


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = tmp_path_factory.mktemp("schema") / "target.schema.json"
    path.write_text(json.dumps(SCHEMA), encoding="utf-8")
    return load_target_schema(path)


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _run(tmp: Path, doc: Any, source: Path, schema: Any, engine: str, **kwargs: Any) -> tuple[Any, str, str]:
    out, rej = tmp / f"{engine}.out.jsonl", tmp / f"{engine}.rej.jsonl"
    summary = apply_mapping(doc, source, schema, out, rej, engine=engine, **kwargs)
    return summary, out.read_text(encoding="utf-8"), rej.read_text(encoding="utf-8")


@pytest.mark.parametrize("engine", ENGINES)
def test_lines_follow_the_contract_exactly(tmp_path: Path, schema: Any, engine: str) -> None:
    source = _write(tmp_path / "s.csv", "ID,NAME,SEX,AGE\nP1,ann,F,40\nX2,bob,Q,\nP3,,M,x\n")
    summary, out, rej = _run(tmp_path, _doc(*BASE), source, schema, engine)
    assert summary.engine == engine
    assert out == '{"row":0,"record":{"id":"P1","person":{"name":"ANN","sex":"female","age":40}}}\n'
    lines = [json.loads(line) for line in rej.splitlines()]
    assert [line["row"] for line in lines] == [1, 2]
    assert list(lines[0]) == ["row", "record", "errors", "source"]
    assert lines[0]["record"] == {"id": "X2", "person": {"name": "BOB"}}
    assert lines[0]["source"] == {"ID": "X2", "NAME": "bob", "SEX": "Q", "AGE": ""}
    first = lines[0]["errors"]
    assert first[0] == {"field": "/person/sex", "sources": ["SEX"], "value": "Q", "stage": "transform",
                        "reason": "'Q' is not in the value map (known values: 'F', 'M')"}
    assert [(e["field"], e["stage"], e["sources"], e["value"]) for e in first[1:]] == [("/id", "schema", ["ID"], "X2")]
    second = lines[1]["errors"]
    assert [(e["field"], e["stage"]) for e in second] == [("/person/age", "transform"), ("/person/name", "schema")]
    assert second[0]["reason"] == "'x' is not a whole number"
    assert second[1]["value"] == "" and second[1]["sources"] == ["NAME"]
    assert (summary.rows_read, summary.rows_valid, summary.rows_quarantined) == (3, 1, 2)
    assert summary.errors_by_field == {
        "/id": {"does not match the pattern": 1},
        "/person/age": {"is not a whole number": 1},
        "/person/name": {"required but missing": 1},
        "/person/sex": {"is not in the value map": 1},
    }
    assert summary.top_errors[0].count == 1 and summary.top_errors[0].first_row in (1, 2)


@pytest.mark.parametrize("engine", ENGINES)
def test_missing_source_column_is_a_mapping_error_before_any_output(tmp_path: Path, schema: Any, engine: str) -> None:
    source = _write(tmp_path / "s.csv", "ID,NAME\nP1,ann\n")
    doc = _doc(*BASE[:2], {"target": "/person/age", "sources": ["AGE_YEARS"], "transform": {"op": "to_integer"}})
    with pytest.raises(MappingError) as raised:
        apply_mapping(doc, source, schema, tmp_path / "o.jsonl", tmp_path / "r.jsonl", engine=engine)
    assert raised.value.target == "/person/age"
    assert "AGE_YEARS" in str(raised.value)
    assert not (tmp_path / "o.jsonl").exists() and not (tmp_path / "r.jsonl").exists()


@pytest.mark.parametrize("engine", ENGINES)
def test_pending_fields_apply_only_when_asked(tmp_path: Path, schema: Any, engine: str) -> None:
    source = _write(tmp_path / "s.csv", "ID,NAME,SEX,AGE\nP1,ann,F,40\n")
    fields = [dict(f) for f in BASE]
    fields[3]["status"] = "needs_review"
    fields.append({"target": "/person/sex", "sources": ["SEX"], "transform": {"op": "copy"}, "status": "rejected"})
    doc = parse_mapping({"fields": fields})
    summary, out, _ = _run(tmp_path, doc, source, schema, engine)
    assert json.loads(out)["record"]["person"] == {"name": "ANN", "sex": "female"}
    assert summary.fields_applied == ["/id", "/person/name", "/person/sex"]
    summary, out, _ = _run(tmp_path, doc, source, schema, engine, include_pending=True)
    assert json.loads(out)["record"]["person"] == {"name": "ANN", "sex": "female", "age": 40}
    assert summary.include_pending and "/person/age" in summary.fields_applied


def test_ragged_rows_go_to_the_reference_reader_and_lose_nothing(tmp_path: Path, schema: Any) -> None:
    rows = "".join(f"P{i},n{i},M,{i % 90}\n" for i in range(3000))
    source = _write(tmp_path / "s.csv", "ID,NAME,SEX,AGE\n" + rows + "P9,too,M,1,extra\n\nP10,ok,F,2\n")
    results = {engine: _run(tmp_path, _doc(*BASE), source, schema, engine) for engine in ENGINES}
    fast = results["duckdb"][0]
    # The ragged row is in the fast path's first block, so the reference reads the file from the start.
    assert fast.engine == "python" and "the fast path cannot read this source (a row has 5 fields" in fast.engine_reason
    assert results["python"][1:] == results["duckdb"][1:]
    rejects = [json.loads(line) for line in results["python"][2].splitlines()]
    assert [(r["row"], r["errors"][0]["stage"], r["errors"][0]["field"]) for r in rejects] == [(3000, "read", None)]
    assert rejects[0]["record"] == {} and rejects[0]["source"]["ID"] == "P9"
    assert fast.rows_read == 3002 and fast.errors_by_field[""] == {"row 3000 has 5 fields, the header has 4": 1}


def test_auto_engine_choice(tmp_path: Path, schema: Any) -> None:
    csv_source = _write(tmp_path / "s.csv", "ID,NAME,SEX,AGE\nP1,ann,F,40\n")
    summary, _, _ = _run(tmp_path, _doc(*BASE), csv_source, schema, "auto")
    assert summary.engine == "duckdb" and summary.engine_requested == "auto"
    jsonl = _write(tmp_path / "s.jsonl", '{"ID": "P1", "NAME": "ann", "SEX": "F", "AGE": "40"}\n')
    summary, _, _ = _run(tmp_path, _doc(*BASE, pointers=True), jsonl, schema, "auto")
    assert summary.engine == "python" and "CSV" in summary.engine_reason


def test_duckdb_reads_other_formats_through_rows(tmp_path: Path, schema: Any) -> None:
    text = "".join(json.dumps({"ID": f"P{i}", "NAME": "ann" if i % 3 else "", "SEX": "FMQ"[i % 3], "AGE": str(i)}) + "\n" for i in range(50))
    source = _write(tmp_path / "s.jsonl", text + "not json\n")
    results = {engine: _run(tmp_path, _doc(*BASE, pointers=True), source, schema, engine) for engine in ENGINES}
    assert results["duckdb"][0].engine == "duckdb", results["duckdb"][0].engine_reason
    assert results["python"][1:] == results["duckdb"][1:]
    assert '"stage":"read"' in results["python"][2]
    numbers = _write(tmp_path / "n.jsonl", '{"ID": "P1", "NAME": "ann", "SEX": "F", "AGE": 40}\n')
    summary, out, _ = _run(tmp_path, _doc(*BASE, pointers=True), numbers, schema, "duckdb")
    assert summary.engine == "python" and "not text" in summary.engine_reason
    assert json.loads(out)["record"]["person"]["age"] == 40


def test_schema_the_sql_checks_cannot_cover_goes_to_the_reference(tmp_path: Path) -> None:
    raw = json.loads(json.dumps(SCHEMA))
    raw["properties"]["person"]["if"] = {"required": ["sex"]}
    raw["properties"]["person"]["then"] = {"required": ["age"]}
    raw["properties"]["other"] = {"type": "object", "properties": {"x": {"type": "integer", "multipleOf": 2}}}
    path = tmp_path / "target.schema.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    schema = load_target_schema(path)
    source = _write(tmp_path / "s.csv", "ID,NAME,SEX,AGE\nP1,ann,F,\n")
    summary, _, rej = _run(tmp_path, _doc(*BASE), source, schema, "duckdb")
    assert summary.engine == "python" and "if, then" in summary.engine_reason
    assert json.loads(rej)["errors"][0]["field"] == "/person/age"
    del raw["properties"]["person"]["if"], raw["properties"]["person"]["then"]
    path.write_text(json.dumps(raw), encoding="utf-8")
    summary, _, _ = _run(tmp_path, _doc(*BASE), source, load_target_schema(path), "duckdb")
    assert summary.engine == "duckdb"  # multipleOf sits where nothing is mapped


def test_values_sql_cannot_hold_restart_with_the_reference(tmp_path: Path, schema: Any) -> None:
    big = "9" * 45
    rows = "".join(f"P{i},ann,F,{i % 100}\n" for i in range(2000)) + f"P9,bob,M,{big}\n"
    source = _write(tmp_path / "s.csv", "ID,NAME,SEX,AGE\n" + rows)
    results = {engine: _run(tmp_path, _doc(*BASE), source, schema, engine) for engine in ENGINES}
    assert results["duckdb"][0].engine == "python" and "restarted" in results["duckdb"][0].engine_reason
    assert results["python"][1:] == results["duckdb"][1:]
    assert f'"age":{big}' in results["python"][2]


def test_patterns_re2_cannot_run_are_checked_in_python_where_python_makes_the_values(tmp_path: Path, schema: Any) -> None:
    # 2,000 rows with few distinct NI numbers: the reference makes those values (per distinct
    # value), so the schema's look-ahead pattern is checked in Python, not given up on.
    ni = {"target": "/person/ni", "sources": ["NI"], "transform": {"op": "text", "case": "upper"}}
    codes = ["AB123456C", "gb123456a", "QQ123456A", "xx", " ab123456d "]
    rows = "".join(f"P{i},ann,{codes[i % len(codes)]}\n" for i in range(2000))
    source = _write(tmp_path / "s.csv", "ID,NAME,NI\n" + rows)
    results = {engine: _run(tmp_path, _doc(*BASE[:2], ni), source, schema, engine) for engine in ENGINES}
    assert results["duckdb"][0].engine == "duckdb", results["duckdb"][0].engine_reason
    assert results["python"][1] == results["duckdb"][1]
    rejects = {engine: [json.loads(line) for line in results[engine][2].splitlines()] for engine in ENGINES}
    keys = {engine: [(r["row"], e["field"], e["stage"]) for r in rejects[engine] for e in r["errors"]] for engine in ENGINES}
    assert keys["python"] == keys["duckdb"]
    assert (1, "/person/ni", "schema") in keys["python"]  # GB: refused by the look-ahead only
    assert results["python"][0].rows_valid == 800


def test_patterns_re2_cannot_run_on_sql_values_need_the_reference_validator(tmp_path: Path, schema: Any) -> None:
    ni = {"target": "/person/ni", "sources": ["NI"], "transform": {"op": "copy"}}
    source = _write(tmp_path / "s.csv", "ID,NAME,NI\nP1,ann,AB123456C\nP2,bob,GB123456A\n")
    summary, _, rej = _run(tmp_path, _doc(*BASE[:2], ni), source, schema, "duckdb")
    assert summary.engine == "python" and "no exact SQL form" in summary.engine_reason
    assert json.loads(rej)["errors"][0]["field"] == "/person/ni"


@pytest.mark.parametrize("engine", ENGINES)
def test_progress_and_speed_are_reported(tmp_path: Path, schema: Any, engine: str) -> None:
    source = _write(tmp_path / "s.csv", "ID,NAME,SEX,AGE\n" + "".join(f"P{i},n,M,{i % 99}\n" for i in range(25_000)))
    seen: list[int] = []
    summary, _, _ = _run(tmp_path, _doc(*BASE), source, schema, engine, progress=seen.append)
    assert seen and seen[-1] == 25_000 and seen == sorted(seen)
    assert summary.rows_valid == 25_000 and summary.duration_s > 0 and summary.rows_per_s > 0


@pytest.mark.parametrize("engine", ENGINES)
def test_read_options_come_from_the_mapping_document_unless_given(tmp_path: Path, schema: Any, engine: str) -> None:
    doc = parse_mapping({"fields": [dict(f, status="approved") for f in BASE], "source": {"encoding": "cp1252", "delimiter": ";"}})
    semicolons = _write(tmp_path / "a.csv", "ID;NAME;SEX;AGE\nP1;Zoë;F;40\n", encoding="cp1252")
    summary, out, _ = _run(tmp_path, doc, semicolons, schema, engine)
    assert json.loads(out)["record"]["person"]["name"] == "ZOË"
    commas = _write(tmp_path / "b.csv", "ID,NAME,SEX,AGE\nP1,Zoë,F,40\n", encoding="utf-8")
    summary, out, _ = _run(tmp_path, doc, commas, schema, engine, read_options={"encoding": "utf-8", "delimiter": ","})
    assert json.loads(out)["record"]["person"]["name"] == "ZOË"


@pytest.mark.parametrize("engine", ENGINES)
def test_a_source_with_no_rows_gives_two_empty_files(tmp_path: Path, schema: Any, engine: str) -> None:
    source = _write(tmp_path / "s.csv", "ID,NAME,SEX,AGE\n")
    summary, out, rej = _run(tmp_path, _doc(*BASE), source, schema, engine)
    assert (out, rej, summary.rows_read, summary.engine) == ("", "", 0, engine)


def test_json_fields_named_like_engine_columns(tmp_path: Path, schema: Any) -> None:
    text = "".join(json.dumps({"__row": f"P{i}", "__source": "ann", "SEX": "M", "AGE": "1"}) + "\n" for i in range(30))
    source = _write(tmp_path / "s.jsonl", text)
    doc = _doc({"target": "/id", "sources": ["__row"], "transform": {"op": "text"}},
               {"target": "/person/name", "sources": ["__source"], "transform": {"op": "text"}}, pointers=True)
    results = {engine: _run(tmp_path, doc, source, schema, engine) for engine in ENGINES}
    assert results["duckdb"][0].engine == "duckdb"
    assert results["python"][1:] == results["duckdb"][1:]
    assert json.loads(results["python"][1].splitlines()[3])["record"] == {"id": "P3", "person": {"name": "ann"}}


def test_targets_the_schema_does_not_allow(tmp_path: Path, schema: Any) -> None:
    extra = {"target": "/nickname", "sources": ["NAME"], "transform": {"op": "text"}}
    source = _write(tmp_path / "s.csv", "ID,NAME,SEX,AGE\nP1,ann,F,40\nP2,,M,1\n")
    results = {engine: _run(tmp_path, _doc(*BASE, extra), source, schema, engine) for engine in ENGINES}
    assert results["duckdb"][0].engine == "duckdb", results["duckdb"][0].engine_reason
    keys = {e: [(r["row"], x["field"], x["stage"]) for r in map(json.loads, results[e][2].splitlines()) for x in r["errors"]]
            for e in ENGINES}
    assert keys["python"] == keys["duckdb"] == [(0, "/nickname", "schema"), (1, "/person/name", "schema")]
