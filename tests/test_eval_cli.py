"""``crosswalk eval``: the offline graph on a tiny generated case, as JSON and as tables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from agent.cli import app
from tests.propose_data import FORENAMES, SURNAMES, leaf_schema, write_csv, write_schema

WIDE = {"COLUMNS": "200", "TERMINAL_WIDTH": "200"}
CASE_KEYS = {"name", "precision", "recall", "f1", "auto_precision", "automation", "value_accuracy", "rows_accounted",
             "propose_seconds", "seconds", "error"}
SUMMARY_KEYS = {"cases", "precision", "recall", "f1", "auto_precision", "min_auto_precision", "automation", "value_accuracy",
                "rows_accounted", "all_rows_accounted", "errors", "propose_seconds", "seconds"}


pytestmark = pytest.mark.usefixtures("clean_crosswalk_env")


def write_case(folder: Path, rows: int = 40) -> Path:
    """A small person extract: surname, forename, day-first dates of birth, M/F codes and a row version."""
    folder.mkdir(parents=True)
    source, expected = [], []
    for i in range(rows):
        day, month, year = 1 + (i * 7) % 28, 1 + (i * 5) % 12, 1950 + i
        sex = "MF"[i % 2]
        source.append({"SURNAME": SURNAMES[i % len(SURNAMES)], "FORENAME": FORENAMES[i % len(FORENAMES)],
                       "DOB": f"{day:02d}/{month:02d}/{year}", "SEX": sex, "ROWVER": str(1000 + i)})
        expected.append({"family_name": SURNAMES[i % len(SURNAMES)], "given_name": FORENAMES[i % len(FORENAMES)],
                         "date_of_birth": f"{year}-{month:02d}-{day:02d}", "sex": {"M": "male", "F": "female"}[sex]})
    write_csv(folder / "source.csv", source)
    write_schema(folder / "target.schema.json", leaf_schema({
        "family_name": {"type": "string", "description": "Surname."},
        "given_name": {"type": "string", "description": "Forename."},
        "date_of_birth": {"type": "string", "format": "date"},
        "sex": {"type": "string", "enum": ["male", "female"]},
    }))
    truth = {"mappings": [{"target": f"/{t}", "sources": [s]} for t, s in
                          (("family_name", "SURNAME"), ("given_name", "FORENAME"), ("date_of_birth", "DOB"), ("sex", "SEX"))],
             "unmapped": ["ROWVER"]}
    (folder / "truth.json").write_text(json.dumps(truth), encoding="utf-8")
    (folder / "expected.jsonl").write_text("".join(json.dumps(r) + "\n" for r in expected), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("eval")
    write_case(root / "cases" / "persons")
    return root / "cases"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], env=WIDE)


def test_eval_json_scores_the_offline_graph(cases: Path, tmp_path: Path) -> None:
    result = run("--data-dir", tmp_path / "data", "eval", cases, "--offline", "--json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    (suite,) = json.loads(result.stdout)["suites"]
    assert (suite["label"], suite["cases_dir"]) == ("crosswalk offline", str(cases))
    (case,) = suite["cases"]
    assert CASE_KEYS <= set(case) and SUMMARY_KEYS <= set(suite["summary"])
    # every true field found, ROWVER left out: the truth exactly, and every expected cell reproduced
    assert (case["name"], case["error"], case["precision"], case["recall"], case["f1"]) == ("persons", None, 1.0, 1.0, 1.0)
    assert case["rows_accounted"] is True and case["value_accuracy"] == 1.0 and case["auto_precision"] == 1.0
    assert suite["summary"]["cases"] == 1 and suite["summary"]["all_rows_accounted"] is True
    assert not (tmp_path / "data").exists()  # eval runs leave the user's data dir alone


def test_eval_tables_compare_with_the_name_only_baseline(cases: Path) -> None:
    result = run("eval", cases, "--baseline", "name-only")
    assert result.exit_code == 0, result.output
    assert result.stderr == "crosswalk: note: LLM not configured; evaluating the deterministic proposer (as with --offline)\n"
    out = result.stdout
    assert f"crosswalk offline on {cases} (1 cases)" in out and f"name-only on {cases} (1 cases)" in out
    for column in ("P", "R", "F1", "autoP", "autom", "values", "rows", "propose s"):
        assert f" {column} " in out
    comparison = out[out.index("suite "):].splitlines()
    assert comparison[2].startswith(f"crosswalk offline [{cases}]") and comparison[3].startswith(f"name-only [{cases}]")


def test_eval_on_a_folder_without_cases_is_one_line(tmp_path: Path) -> None:
    result = run("eval", tmp_path / "nowhere", "--offline")
    assert result.exit_code == 2
    assert result.stderr == f"crosswalk: error: {tmp_path / 'nowhere'}: not a folder\n"


def test_eval_help_names_its_options() -> None:
    result = run("eval", "--help")
    assert result.exit_code == 0 and "Evaluate the proposer on eval cases" in result.stdout
    for option in ("--offline", "--json", "--baseline"):
        assert option in result.stdout
