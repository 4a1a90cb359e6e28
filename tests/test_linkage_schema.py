"""Blocking rules and comparisons are built from the person fields the target schema declares."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools.errors import SchemaError
from tools.linkage import link_schema
from tools.linkage.settings_from_schema import (auto_merge_guard, blocking_rules, comparisons, deterministic_rules,
                                                splink_settings, training_rules)
from tools.standards import bundled_standard_path
from tools.target_schema import load_target_schema


@pytest.fixture(scope="module")
def police():
    return link_schema(load_target_schema(bundled_standard_path()))


def _schema(tmp_path: Path, subject: dict) -> Path:
    path = tmp_path / "s.schema.json"
    path.write_text(json.dumps({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                                "properties": {"subject": {"type": "object", "properties": subject}}}))
    return path


def test_roles_come_from_the_police_standard(police) -> None:
    by_role = {(f.role, f.pointer) for f in police.fields}
    assert police.person_pointer == "/person"
    assert ("family_name", "/person/family_name") in by_role
    assert ("given_names", "/person/given_names") in by_role
    assert ("date_of_birth", "/person/date_of_birth") in by_role
    assert ("postcode", "/person/address/postcode") in by_role
    assert {f.column for f in police.strong_ids()} == {"pnc_id", "nhs_number", "ni_number", "cro_number"}
    assert police.of_role("record_date")[0].pointer.startswith("/event/")


def test_another_standard_links_by_its_own_names(tmp_path: Path) -> None:
    schema = link_schema(load_target_schema(_schema(tmp_path, {
        "surname": {"type": "string"}, "forename": {"type": "string"},
        "birth_date": {"type": "string", "format": "date"},
        "nhs_number": {"type": "string", "pattern": "^[0-9]{10}$"},
        "nickname_code": {"type": "string"}})))
    assert schema.person_pointer == "/subject"
    assert {f.role: f.pointer for f in schema.fields} == {
        "family_name": "/subject/surname", "given_names": "/subject/forename",
        "date_of_birth": "/subject/birth_date", "strong_id": "/subject/nhs_number"}
    names = [c.create_output_column_name() for c in comparisons(schema)]
    assert names == ["given_name", "family_name", "dob", "nhs_number"]  # no postcode comparison: the schema has none
    sqls = [r.get_blocking_rule("duckdb").blocking_rule_sql for r in blocking_rules(schema)]
    assert any("nhs_number" in s for s in sqls) and not any("postcode" in s for s in sqls)


def test_a_schema_without_people_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="family name and a date of birth"):
        link_schema(load_target_schema(_schema(tmp_path, {"colour": {"type": "string"}})))


def test_comparisons_have_null_levels_and_the_expected_evidence(police) -> None:
    settings = splink_settings(police).create_settings_dict("duckdb")
    by_name = {c["output_column_name"]: c for c in settings["comparisons"]}
    for comparison in by_name.values():
        assert comparison["comparison_levels"][0].get("is_null_level")  # a missing value is no evidence
    labels = [lv.get("label_for_charts", "") for lv in by_name["dob"]["comparison_levels"]]
    assert "Day and month transposed" in labels
    family = json.dumps(by_name["family_name"])
    assert "jaro_winkler" in family and "damerau_levenshtein" in family and "family_phonetic" in family
    assert "given_name_canonical" in json.dumps(by_name["given_name"])  # nicknames
    postcode = [lv.get("label_for_charts") for lv in by_name["postcode"]["comparison_levels"]]
    assert postcode[2:4] == ["Same sector", "Same district"]
    assert [len(by_name[c]["comparison_levels"]) for c in ("pnc_id", "nhs_number")] == [3, 3]


def test_strong_identifiers_drive_blocking_prior_and_training(police) -> None:
    rule_sql = [r.get_blocking_rule("duckdb").blocking_rule_sql for r in blocking_rules(police)]
    assert rule_sql[0] == 'l."pnc_id" = r."pnc_id"'
    assert any('"dob"' in s and '"family_phonetic"' in s for s in rule_sql)
    prior = [r.get_blocking_rule("duckdb").blocking_rule_sql for r in deterministic_rules(police)]
    assert any("nhs_number" in s for s in prior)
    training = [r.get_blocking_rule("duckdb").blocking_rule_sql for r in training_rules(police)]
    assert any("pnc_id" in s for s in training) and not any(s == 'l."dob" = r."dob"' for s in training)
    guard = auto_merge_guard(police)
    assert "gamma_given_name between 0 and 2" in guard and "gamma_pnc_id = 1" in guard
