"""The DuckDB engine's shortcuts must not change a byte: per-distinct-value, date/time parts,
non-ASCII rows, SQL-learned values, and a restart after output was already written."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any, Iterator

import pyarrow as pa
import pytest

import tools.engines.runner as runner
from tools.engines import apply_mapping
from tools.engines.sql_learner import SqlLearner
from tools.mapping import parse_mapping
from tools.readers import FastPathUnavailable
from tools.target_schema import load_target_schema

SCHEMA = {
    "type": "object",
    "properties": {
        "at": {"type": "string", "format": "date-time"},
        "dob": {"type": "string", "format": "date"},
        "name": {"type": "string", "maxLength": 12},
        "code": {"type": "string", "enum": ["alpha", "beta"]},
        "n": {"type": "integer", "minimum": 0},
    },
}
FIELDS = [
    {"target": "/at", "sources": ["D", "T"], "transform": {"op": "combine_date_time", "date_format": "%d/%m/%Y", "time_format": "%H:%M",
                                                         "missing_time": "midnight", "on_ambiguous": "later"}},
    {"target": "/dob", "sources": ["DOB"], "transform": {"op": "parse_date", "format": "%d/%m/%y", "century_pivot": 25}},
    {"target": "/name", "sources": ["NAME"], "transform": {"op": "text", "case": "title"}},
    {"target": "/code", "sources": ["CODE"], "transform": {"op": "value_map", "mapping": {"A": "alpha", "B": "beta", "C": "gamma"}}},
    {"target": "/n", "sources": ["N"], "transform": {"op": "to_integer", "thousands_separator": ","}},
]
# Clock changes of 2023 and 2024 in London, the days around them, and ordinary days.
DAYS = ["25/03/2023", "26/03/2023", "27/03/2023", "28/10/2023", "29/10/2023", "30/10/2023", "31/03/2024", "27/10/2024",
        "01/06/2023", "15/01/2024", "31/02/2023", "", "n/a"]
TIMES = ["00:30", "01:00", "01:30", "01:59", "02:00", "12:00", "23:59", "", "24:00", "7:5"]
NAMES = ["o'brien", "JOHN SMITH", "zoë-lee", "ángel", "mary  ann", "x" * 20, ""]


def _rows(count: int, seed: int) -> list[dict[str, str]]:
    rng = random.Random(seed)
    births = [f"{rng.randint(0, 32):02d}/{rng.randint(1, 12):02d}/{rng.randint(0, 99):02d}" for _ in range(900)] + ["٠١/٠١/٩٩"]
    return [
        {"D": rng.choice(DAYS), "T": rng.choice(TIMES), "DOB": rng.choice(births),
         "NAME": rng.choice(NAMES), "CODE": rng.choice("ABCab "), "N": rng.choice(["1", "1,000", "-1", "x", "", "٣"])}
        for _ in range(count)
    ]


def _csv(path: Path, rows: list[dict[str, str]]) -> Path:
    import csv

    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = tmp_path_factory.mktemp("schema") / "target.schema.json"
    path.write_text(json.dumps(SCHEMA), encoding="utf-8")
    return load_target_schema(path)


def _both(tmp: Path, source: Path, schema: Any) -> dict[str, tuple[Any, bytes, bytes]]:
    doc = parse_mapping({"fields": [dict(f, status="approved") for f in FIELDS]})
    found = {}
    for engine in ("python", "duckdb"):
        out, rej = tmp / f"{engine}.jsonl", tmp / f"{engine}.rej.jsonl"
        summary = apply_mapping(doc, source, schema, out, rej, engine=engine)
        found[engine] = (summary, out.read_bytes(), rej.read_bytes())
    return found


def _schema_reasons_blanked(data: bytes) -> list[Any]:
    lines = [json.loads(line) for line in data.decode("utf-8").splitlines()]
    for line in lines:
        for error in line["errors"]:
            if error["stage"] == "schema":
                error["reason"] = None
    return lines


@pytest.mark.parametrize("count", [400, 6000])
def test_shortcuts_give_the_reference_output(tmp_path: Path, schema: Any, count: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # 400 rows: every field in SQL; 6,000 rows: repeating fields per distinct value, the
    # date/time field from its parts, new dates of birth learned through SQL.
    learned: list[int] = []
    real_call = SqlLearner.__call__

    def counting(self: SqlLearner, raw: list[Any]) -> Any:
        learned.append(len(raw))
        return real_call(self, raw)

    monkeypatch.setattr(SqlLearner, "__call__", counting)
    source = _csv(tmp_path / "s.csv", _rows(count, seed=count))
    found = _both(tmp_path, source, schema)
    assert bool(learned) == (count > 1000)
    summary = found["duckdb"][0]
    assert summary.engine == "duckdb", summary.engine_reason
    assert found["python"][1] == found["duckdb"][1]
    assert _schema_reasons_blanked(found["python"][2]) == _schema_reasons_blanked(found["duckdb"][2])
    per_value = [n for n in summary.notes if "once per distinct value" in n]
    assert bool(per_value) == (count > 1000)


def test_a_restart_after_output_was_written_truncates_both_files(tmp_path: Path, schema: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    source = _csv(tmp_path / "s.csv", _rows(3000, seed=5))
    real = runner.iter_csv_arrow_batches

    def failing_later(info: Any, batch_rows: int = 65536) -> Iterator[pa.RecordBatch]:
        for batch in real(info, 1000):
            yield batch
            if batch.column("__row")[0].as_py() >= 1000:
                raise FastPathUnavailable("a ragged row deep in the file")

    monkeypatch.setattr(runner, "iter_csv_arrow_batches", failing_later)
    found = _both(tmp_path, source, schema)
    summary = found["duckdb"][0]
    assert summary.engine == "python"
    assert summary.engine_reason.endswith("restarted with the reference engine: a ragged row deep in the file")
    assert found["python"][1:] == found["duckdb"][1:]
    assert summary.rows_read == 3000
