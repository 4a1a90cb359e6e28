"""Both apply engines on the same messy sources must write the same lines.

Valid lines must match byte for byte; rejects must carry the same (row, field, stage)
errors with the same sources and raw values (transform reasons match word for word,
schema reasons may be worded differently). Every source row appears exactly once.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from tools.engines import ApplySummary, apply_mapping
from tools.mapping import parse_mapping
from tools.target_schema import load_target_schema

ENGINES = ("python", "duckdb")

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["record_id"],
    "$defs": {
        "code": {"type": "string", "pattern": "^[A-Z]{2}\\d{2}$"},
        "when": {"type": "string", "format": "date-time"},
    },
    "properties": {
        "record_id": {"type": "string", "pattern": "^P\\d{4,}$", "maxLength": 12},
        "person": {
            "type": "object",
            "additionalProperties": False,
            "required": ["family_name"],
            "properties": {
                "family_name": {"type": "string", "minLength": 2, "maxLength": 20},
                "given_names": {"type": "string"},
                "title_name": {"type": "string", "maxLength": 30},
                "date_of_birth": {"type": "string", "format": "date"},
                "sex": {"type": "string", "enum": ["male", "female", "unknown"]},
                "age": {"type": "integer", "minimum": 0, "exclusiveMaximum": 120},
                "height": {"type": "integer", "minimum": 0.5},
                "phone": {"type": "string", "pattern": "^\\+[1-9]\\d{6,14}$"},
                "flagged": {"type": "boolean"},
                "ethnicity": {"anyOf": [{"$ref": "#/$defs/code"}, {"type": "null"}]},
                "email": {"type": "string", "format": "email"},
            },
        },
        "event": {
            "type": "object",
            "properties": {
                "occurred_at": {"$ref": "#/$defs/when"},
                "reported_at": {"allOf": [{"$ref": "#/$defs/when"}, {"pattern": "T(0[89]|1\\d)"}]},
                "time_of_day": {"type": "string", "pattern": "^([01]\\d|2[0-3]):[0-5]\\d:00$"},
                "zoned_time": {"type": "string", "format": "time"},
                "amount": {"type": "number", "minimum": 0, "maximum": 1000},
                "count": {"type": "integer"},
                "category": {"type": "string", "enum": ["theft", "assault", "other"]},
                "notes": {"type": "string", "maxLength": 40},
            },
        },
        "location": {
            "type": "object",
            "dependentRequired": {"postcode": ["force_area"]},
            "properties": {
                "postcode": {"type": "string", "pattern": "^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$"},
                "force_area": {"type": "string", "minLength": 3},
            },
        },
    },
}

FIELDS: list[dict[str, Any]] = [
    {"target": "/record_id", "sources": ["ID"], "transform": {"op": "text"}},
    {"target": "/person/family_name", "sources": ["FULL NAME"], "transform": {"op": "split_name", "order": "surname_first", "part": "family"}},
    {"target": "/person/given_names", "sources": ["FULL NAME"], "transform": {"op": "split_name", "order": "surname_first", "part": "given"}},
    {"target": "/person/title_name", "sources": ["FORENAME"], "transform": {"op": "text", "case": "title"}},
    {"target": "/person/date_of_birth", "sources": ["DOB"], "transform": {"op": "parse_date", "format": "%d/%m/%Y", "allow_time_suffix": True}},
    {"target": "/person/sex", "sources": ["SEX"], "transform": {"op": "value_map", "mapping": {"M": "male", "F": "female", "U": "unknown", "X": "other"}, "null_values": ["N/K"]}},
    {"target": "/person/age", "sources": ["AGE"], "transform": {"op": "to_integer"}},
    {"target": "/person/height", "sources": ["HEIGHT"], "transform": {"op": "to_number", "decimal_comma": True}},
    {"target": "/person/phone", "sources": ["PHONE"], "transform": {"op": "phone"}},
    {"target": "/person/flagged", "sources": ["FLAG"], "transform": {"op": "to_boolean"}},
    {"target": "/person/ethnicity", "sources": ["ETH"], "transform": {"op": "text", "case": "upper"}},
    {"target": "/person/email", "sources": ["EMAIL"], "transform": {"op": "copy"}},
    {"target": "/event/occurred_at", "sources": ["DATE", "TIME"], "transform": {"op": "combine_date_time", "date_format": "%d/%m/%Y", "time_format": "%H:%M", "on_ambiguous": "earlier"}},
    {"target": "/event/reported_at", "sources": ["REPORTED"], "transform": {"op": "parse_datetime", "format": "%Y-%m-%d %H:%M:%S"}},
    {"target": "/event/time_of_day", "sources": ["TIME"], "transform": {"op": "parse_time", "format": "%H:%M"}},
    {"target": "/event/zoned_time", "sources": ["TZTIME"], "transform": {"op": "copy"}},
    {"target": "/event/amount", "sources": ["AMOUNT"], "transform": {"op": "pipeline", "steps": [{"op": "text"}, {"op": "to_number", "thousands_separator": ","}]}},
    {"target": "/event/count", "sources": ["COUNT"], "transform": {"op": "to_integer", "thousands_separator": ","}},
    {"target": "/event/category", "sources": ["CAT"], "transform": {"op": "value_map", "mapping": {"THEFT": "theft", "ASSAULT": "assault"}, "on_unmapped": "keep"}},
    {"target": "/event/notes", "sources": ["NOTES", "FORENAME"], "transform": {"op": "join", "separator": " / "}},
    {"target": "/location/postcode", "sources": ["POSTCODE"], "transform": {"op": "postcode"}},
    {"target": "/location/force_area", "sources": ["FORCE"], "transform": {"op": "copy"}, "status": "needs_review"},
]
HEADER = ["ID", "FULL NAME", "FORENAME", "DOB", "SEX", "AGE", "HEIGHT", "PHONE", "FLAG", "ETH", "EMAIL", "DATE", "TIME",
          "REPORTED", "AMOUNT", "COUNT", "CAT", "NOTES", "POSTCODE", "FORCE", "TZTIME"]

# Hand-picked rows: each probes an edge (comments say which).
EDGE_ROWS: list[dict[str, str]] = [
    {"ID": "P0001", "FULL NAME": "SMITH, John", "DOB": "01/02/1980", "SEX": "M", "AGE": "40", "DATE": "26/03/2023", "TIME": "00:59"},
    {"ID": "P0002", "FULL NAME": "JONES Mary", "DATE": "26/03/2023", "TIME": "01:30"},  # clocks forward: no such time
    {"ID": "P0003", "FULL NAME": "Brown", "DATE": "29/10/2023", "TIME": "01:30"},  # clocks back: earlier
    {"ID": "P0004", "FULL NAME": "", "SEX": "Z"},  # required family name empty, unmapped code
    {"ID": "X5", "FULL NAME": "O'BRIEN, Seán", "FORENAME": "seán o'brien-smith"},  # pattern violation; non-ASCII title case
    {"ID": "P0006", "FULL NAME": "Li, X", "AGE": "130", "HEIGHT": "0,2"},  # age and height out of range
    {"ID": "P0007", "FULL NAME": "Ng, A", "DOB": "31/02/1980", "AGE": "1e3", "COUNT": "1,234"},  # bad date, exponent
    {"ID": "P0008", "FULL NAME": "Ok, B", "DOB": "05/04/2023 00:00", "REPORTED": "2023-06-01 09:15:00"},
    {"ID": "P0009", "FULL NAME": "Ok, C", "DOB": "05/04/2023 12:30", "REPORTED": "2023-06-01 20:15:00"},  # not midnight; pattern on date-time
    {"ID": "P0010", "FULL NAME": "Ok, D", "POSTCODE": "sw1a1aa"},  # postcode without force area (dependentRequired)
    {"ID": "P0011", "FULL NAME": "Ok, E", "POSTCODE": "sw1a 1aa", "FORCE": "Met"},
    {"ID": "P0012", "FULL NAME": "Ok, F", "PHONE": "07700 900123", "EMAIL": "nobody"},  # email without @
    {"ID": "P0013", "FULL NAME": "Ok, G", "PHONE": "12", "FLAG": "maybe", "ETH": "w1"},
    {"ID": "P0014", "FULL NAME": "Ok, H", "ETH": "white", "CAT": "burglary", "AMOUNT": " 1,000.50 "},  # enum via keep, amount > max
    {"ID": "P0015", "FULL NAME": "Ok, I", "SEX": " n/k ", "TIME": "24:00", "DATE": "01/01/2024"},
    {"ID": "P0016", "FULL NAME": "Ok, J", "DATE": "", "TIME": "12:00"},  # a time without a date
    {"ID": "P0017", "FULL NAME": "Ok, K", "NOTES": "x" * 90, "FORENAME": "bob"},  # long value cut in reasons; notes too long
    {"ID": "P0018", "FULL NAME": "Ok, L", "AGE": "٣", "HEIGHT": "１２"},  # non-ASCII digits
    {"ID": "P0019", "FULL NAME": "Żółć, Ąę", "SEX": "ｍ", "EMAIL": "a@b\u00a0"},
    {"ID": "P0020", "FULL NAME": "Tab\tName, Q", "NOTES": "line\nbreak\u001f", "CAT": "theft", "EMAIL": "a\u0001\u001f@b"},
    {"ID": "P 0021", "FULL NAME": "Ok, M", "AGE": "99999999999999999999"},  # a big but fine integer
    {"ID": "P0022", "FULL NAME": "1234", "COUNT": "12,34"},  # no letters in the name
    {"ID": "P0023", "FULL NAME": "Ok, N", "REPORTED": "2023-10-29 01:30:00"},  # ambiguous with on_ambiguous=error
    {"ID": "P0024", "FULL NAME": "Ok, O", "REPORTED": "2023-03-26 01:30:00", "TIME": "9:5"},
]

GOOD: dict[str, list[str]] = {
    "FULL NAME": ["SMITH, John", "JONES Mary Ann", "o'brien, pat", "DE LA CRUZ, Maria", "  Lee,  Kim  ", "Maria DE LA CRUZ"],
    "FORENAME": ["john", "MARY-ANN", "d'arcy", "", "o'neil  smith"],
    "SEX": ["M", "F", "U", "m", " f ", "", "N/K"],
    "PHONE": ["", "020 7123 4567", "+44 20 7946 0958", "(020) 7946 0000", "0161 496 0000"],
    "FLAG": ["Y", "n", "TRUE", "", "0"],
    "ETH": ["wb12", "AB01", "", " mx99 "],
    "EMAIL": ["", "a@b.c", "x\u0001@y"],
    "TZTIME": ["", "12:00:00Z", "23:59:59+01:00", "07:00:00.5-05:30"],
    "AMOUNT": ["12.50", "1,000", "", "1e2", " 999.999 ", "0"],
    "COUNT": ["1", "1,000", "", "2.0", "-4"],
    "CAT": ["theft", "ASSAULT", " other ", ""],
    "NOTES": ["", "ok", "a" * 20],
    "POSTCODE": ["", "", "sw1a1aa", "M1  1AE", "ls1 4ap", "EC1A1BB"],
}
BAD: dict[str, list[str]] = {
    "ID": ["Q1", "P12345678901234", "P 1"],
    "FULL NAME": ["", "1234", "Brown"],
    "FORENAME": ["x" * 45],
    "DOB": ["31/02/1980", "01/13/2000", "1/1/80", "05/04/2023 01:00", "29/02/1900"],
    "SEX": ["q", "X", "ｍ"],
    "AGE": ["abc", "1e3", "-5", "140", "12.5"],
    "HEIGHT": ["x", "0,25", "2,5"],
    "PHONE": ["555", "12", "07700 900123"],
    "FLAG": ["?", "maybe"],
    "ETH": ["b99", "ZZ9", "white"],
    "EMAIL": ["none"],
    "TZTIME": ["12:00", "25:00:00Z", "12:00:00+24:00"],
    "DATE": ["32/01/2023", "", "2023-01-01"],
    "TIME": ["24:00", "9:60", "", "noon"],
    "REPORTED": ["2023-06-01 07:59:00", "2023-10-29 01:30:00", "2023-03-26 01:30:00", "2023-02-30 10:00:00"],
    "AMOUNT": ["-3", "abc", "1,0000", "2000", "1,234"],
    "COUNT": ["x", "1,00", "1e2"],
    "CAT": ["fraud", "Other"],
    "NOTES": ["b" * 41],
    "POSTCODE": ["bad", "QQ1 1QQ"],
    "FORCE": ["GM"],
}


def _random_row(rng: random.Random, i: int) -> dict[str, str]:
    """A row that is mostly fine, with a bad value in a field now and then."""
    good = {
        "ID": f"P{i:05d}",
        "DOB": f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1930, 2010)}" + rng.choice(["", "", " 00:00"]),
        "AGE": str(rng.randint(0, 119)),
        "HEIGHT": rng.choice(["", "1", "2,0", "3"]),
        "DATE": f"{rng.randint(1, 31 if rng.random() < 0.5 else 28):02d}/{rng.choice(['03', '10', '06', '12'])}/{rng.choice(['2023', '2024', '1996'])}",
        "TIME": f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
        "REPORTED": f"2023-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} {rng.randint(8, 19):02d}:{rng.randint(0, 59):02d}:00",
        "FORCE": rng.choice(["Met", "Kent"]),
    }
    row = {}
    for name in HEADER:
        if name in BAD and rng.random() < 0.02:
            row[name] = rng.choice(BAD[name])
        elif name in GOOD:
            row[name] = rng.choice(GOOD[name])
        else:
            row[name] = good[name]
    return row


def _write_csv(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8") -> None:
    import csv

    with path.open("w", newline="", encoding=encoding) as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for row in rows:
            writer.writerow([row.get(h, "") for h in HEADER])


def _doc(include_needs_review_status: bool = True) -> Any:
    fields = [dict(f, status=f.get("status", "approved"), confidence=0.9) for f in FIELDS]
    return parse_mapping({"fields": fields})


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = tmp_path_factory.mktemp("schema") / "target.schema.json"
    path.write_text(json.dumps(SCHEMA), encoding="utf-8")
    return load_target_schema(path)


def _apply(tmp: Path, source: Path, schema: Any, engine: str, **kwargs: Any) -> tuple[ApplySummary, bytes, list[dict[str, Any]]]:
    out, rej = tmp / f"{engine}.jsonl", tmp / f"{engine}.rejects.jsonl"
    summary = apply_mapping(_doc(), source, schema, out, rej, engine=engine, **kwargs)  # type: ignore[arg-type]
    rejects = [json.loads(line) for line in rej.read_text(encoding="utf-8").splitlines()]
    return summary, out.read_bytes(), rejects


def _error_keys(rejects: list[dict[str, Any]]) -> set[tuple[int, Any, str]]:
    return {(r["row"], e["field"], e["stage"]) for r in rejects for e in r["errors"]}


def _without_schema_reasons(rejects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {**r, "errors": sorted(({**e, "reason": e["reason"] if e["stage"] != "schema" else None} for e in r["errors"]), key=json.dumps)}
        for r in rejects
    ]


def _assert_accounted(valid: bytes, rejects: list[dict[str, Any]], rows: int) -> None:
    valid_rows = [json.loads(line)["row"] for line in valid.decode("utf-8").splitlines()]
    reject_rows = [r["row"] for r in rejects]
    assert valid_rows == sorted(valid_rows) and reject_rows == sorted(reject_rows)
    assert sorted(valid_rows + reject_rows) == list(range(rows))


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
@pytest.mark.parametrize("count", [900, 3000])
def test_engines_agree_on_messy_csv(tmp_path: Path, schema: Any, encoding: str, count: int) -> None:
    # Under 1,000 rows every SQL-capable field runs in SQL; above, fields whose values
    # repeat run through the reference once per distinct value.
    rng = random.Random(7)
    rows = EDGE_ROWS + [_random_row(rng, i) for i in range(len(EDGE_ROWS), count)]
    if encoding == "cp1252":
        rows = [{k: v.encode("cp1252", "replace").decode("cp1252") for k, v in r.items()} for r in rows]
    source = tmp_path / "source.csv"
    _write_csv(source, rows, encoding)
    results = {engine: _apply(tmp_path, source, schema, engine, include_pending=True) for engine in ENGINES}
    (py_sum, py_valid, py_rej), (db_sum, db_valid, db_rej) = results["python"], results["duckdb"]
    assert db_sum.engine == "duckdb", db_sum.engine_reason
    assert py_valid == db_valid
    assert _error_keys(py_rej) == _error_keys(db_rej)
    assert _without_schema_reasons(py_rej) == _without_schema_reasons(db_rej)
    for engine in ENGINES:
        _assert_accounted(results[engine][1], results[engine][2], len(rows))
    assert (py_sum.rows_read, py_sum.rows_valid, py_sum.rows_quarantined) == (db_sum.rows_read, db_sum.rows_valid, db_sum.rows_quarantined)
    assert py_sum.errors_by_field == db_sum.errors_by_field
    assert len(rows) * 0.3 < py_sum.rows_valid < len(rows) - len(EDGE_ROWS) // 2
    per_value = " ".join(note for note in db_sum.notes if "once per distinct value" in note)
    assert "/person/phone" in per_value  # no SQL form at all
    assert ("/person/sex" in per_value) == (count > 1000)


def test_engines_agree_on_the_bundled_police_standard(tmp_path: Path) -> None:
    """$ref, additionalProperties: false and dependentRequired (latitude needs longitude)."""
    from tools.standards import bundled_standard_path

    schema = load_target_schema(bundled_standard_path())
    doc = parse_mapping({"fields": [
        {"target": "/record_id", "sources": ["Crime ID"], "transform": {"op": "text"}},
        {"target": "/event/month", "sources": ["Month"], "transform": {"op": "text"}},
        {"target": "/location/longitude", "sources": ["Longitude"], "transform": {"op": "to_number"}},
        {"target": "/location/latitude", "sources": ["Latitude"], "transform": {"op": "to_number"}},
        {"target": "/location/description", "sources": ["Location"], "transform": {"op": "text", "null_values": ["No location"]}},
        {"target": "/location/postcode", "sources": ["Postcode"], "transform": {"op": "postcode"}},
        {"target": "/event/type", "sources": ["Crime type"], "transform": {"op": "value_map", "mapping": {
            "Anti-social behaviour": "anti_social_behaviour", "Burglary": "crime", "Drugs": "crime"}, "on_unmapped": "keep"}},
    ]})
    rng = random.Random(11)
    source = tmp_path / "street.csv"
    import csv

    with source.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Crime ID", "Month", "Longitude", "Latitude", "Location", "Postcode", "Crime type"])
        for i in range(2500):
            lat = rng.choice(["51.554683", "", "95", "53.4"])
            writer.writerow([rng.choice(["", f"{i:064x}"]), rng.choice(["2026-02", "2026-13", "Feb"]),
                             rng.choice(["-0.196207", ""]) if lat else rng.choice(["", "-0.1"]), lat,
                             rng.choice(["On or near Rose Joan Mews", "No location", ""]), rng.choice(["", "ec1a1bb", "bad"]),
                             rng.choice(["Anti-social behaviour", "Burglary", "Drugs", "Other theft"])])
    results: dict[str, Any] = {}
    for engine in ENGINES:
        out, rej = tmp_path / f"{engine}.jsonl", tmp_path / f"{engine}.rej.jsonl"
        summary = apply_mapping(doc, source, schema, out, rej, engine=engine)  # type: ignore[arg-type]
        results[engine] = (summary, out.read_bytes(), [json.loads(line) for line in rej.read_text(encoding="utf-8").splitlines()])
    assert results["duckdb"][0].engine == "duckdb", results["duckdb"][0].engine_reason
    assert results["python"][1] == results["duckdb"][1]
    assert _error_keys(results["python"][2]) == _error_keys(results["duckdb"][2])
    fields = {e[1] for e in _error_keys(results["python"][2])}
    assert {"/location/longitude", "/location/latitude", "/event/month", "/event/type"} <= fields


def test_quotes_and_sql_in_names_mapping_and_data_are_only_ever_data(tmp_path: Path) -> None:
    """Header names, value-map keys, constants and patterns reach DuckDB only as quoted literals."""
    import csv

    hostile_header = 'NAME"); DROP TABLE x; --'
    code_header = "CODE'S"
    source = tmp_path / "hostile.csv"
    with source.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow([hostile_header, code_header])
        for i in range(1200):
            writer.writerow([f"O'Brien'); SELECT {i}; --", ["it's", "a'b", "'; DROP TABLE t; --", "zz"][i % 4]])
    schema_path = tmp_path / "hostile.schema.json"
    schema_path.write_text(json.dumps({
        "type": "object",
        "properties": {
            "name": {"type": "string", "pattern": "^O'Brien'\\)"},
            "code": {"type": "string", "enum": ["it's", "quote ' inside", "'; DROP TABLE t; --"]},
            "note": {"type": "string"},
        },
    }), encoding="utf-8")
    doc = parse_mapping({"fields": [
        {"target": "/name", "sources": [hostile_header], "transform": {"op": "text"}},
        {"target": "/code", "sources": [code_header], "transform": {"op": "value_map", "on_unmapped": "error", "mapping": {
            "it's": "it's", "a'b": "quote ' inside", "'; DROP TABLE t; --": "'; DROP TABLE t; --"}}},
        {"target": "/note", "sources": [], "transform": {"op": "constant", "value": "'); DROP TABLE y; --"}},
    ]})
    schema = load_target_schema(schema_path)
    results = {}
    for engine in ENGINES:
        out, rej = tmp_path / f"{engine}.jsonl", tmp_path / f"{engine}.rej.jsonl"
        summary = apply_mapping(doc, source, schema, out, rej, engine=engine)  # type: ignore[arg-type]
        results[engine] = (summary, out.read_bytes(), [json.loads(line) for line in rej.read_text(encoding="utf-8").splitlines()])
    (py_sum, py_valid, py_rej), (db_sum, db_valid, db_rej) = results["python"], results["duckdb"]
    assert db_sum.engine == "duckdb", db_sum.engine_reason
    assert py_valid == db_valid
    assert _error_keys(py_rej) == _error_keys(db_rej)
    first = json.loads(py_valid.decode("utf-8").splitlines()[0])
    assert first == {"row": 0, "record": {"name": "O'Brien'); SELECT 0; --", "code": "it's", "note": "'); DROP TABLE y; --"}}
    # every fourth row has the unmapped code 'zz': quarantined, nothing else
    assert (py_sum.rows_valid, py_sum.rows_quarantined) == (900, 300)
    assert {r["row"] % 4 for r in py_rej} == {3}
