"""Conflicts: a strong identifier shared with different dates or names; a merge that would bridge two people."""

from __future__ import annotations

from tools.linkage import LinkSettings, LinkTable, connected_components, link_schema
from tools.linkage.conflicts import bridge_conflicts, identifier_conflicts, jaro_winkler
from tools.linkage.records import column_names, flatten_person, record_key
from tools.standards import bundled_standard_path
from tools.target_schema import load_target_schema


def _table(people: list[tuple[str, dict]]) -> tuple[LinkTable, object]:
    schema = link_schema(load_target_schema(bundled_standard_path()))
    table = LinkTable(columns={c: [] for c in column_names(schema)})
    for i, (dataset, person) in enumerate(people):
        values = flatten_person({"person": person}, schema)
        values.update(unique_id=record_key(dataset, i), source_dataset=dataset, row=i)
        for column in table.columns:
            table.columns[column].append(values.get(column))
    return table, schema


def test_same_pnc_different_birth_dates_or_names_conflict() -> None:
    table, schema = _table([
        ("a", {"family_name": "SMITH", "given_names": "John", "date_of_birth": "1980-01-02", "pnc_id": "2004/0123456L"}),
        ("b", {"family_name": "Smith", "given_names": "John", "date_of_birth": "1980-02-01", "pnc_id": "04/123456L"}),
        ("a", {"family_name": "JONES", "given_names": "Mary", "date_of_birth": "1990-05-05", "nhs_number": "9434765919"}),
        ("b", {"family_name": "Patel", "given_names": "Ravi", "date_of_birth": "1990-05-05", "nhs_number": "9434765919"}),
        ("a", {"family_name": "TAYLOR", "given_names": "Anne", "date_of_birth": "1970-03-03", "pnc_id": "99/1L"}),
        ("b", {"family_name": "Taylr", "given_names": "Anne", "date_of_birth": "1970-03-03", "pnc_id": "1999/0000001L"}),
    ])
    found = identifier_conflicts(table, schema, LinkSettings())
    by_id = {tuple(c.identifier.items())[0]: c for c in found}
    assert set(by_id) == {("pnc_id", "04/0123456L"), ("nhs_number", "9434765919")}  # a typo is no conflict
    assert "dates of birth differ" in by_id[("pnc_id", "04/0123456L")].reason
    assert "family name differs: JONES / PATEL" in by_id[("nhs_number", "9434765919")].reason
    assert by_id[("nhs_number", "9434765919")].keys == ["a:2", "b:3"]


def test_conflicting_dates_are_listed_in_the_order_the_pair_is_shown() -> None:
    table, schema = _table([
        ("a", {"family_name": "WELLS", "given_names": "Paula", "date_of_birth": "1952-02-26", "pnc_id": "21/6836246O"}),
        ("b", {"family_name": "Wells", "given_names": "Paula", "date_of_birth": "1952-02-16", "pnc_id": "21/6836246O"}),
    ])
    [conflict] = identifier_conflicts(table, schema, LinkSettings())
    assert conflict.keys == ["a:0", "b:1"]
    # left record's date first, as the review item shows the pair, not sorted
    assert "dates of birth differ: 1952-02-26, 1952-02-16" in conflict.reason


def test_a_merge_across_a_known_difference_becomes_a_bridge_conflict() -> None:
    clustering = connected_components([("a:1", "b:1", 0.9999), ("a:1", "b:2", 0.9992)], cannot=[("b:1", "b:2")])
    conflicts = bridge_conflicts(clustering.held_back)
    assert [(c.kind, c.keys) for c in conflicts] == [("bridge", ["a:1", "b:2"])]


def test_jaro_winkler_matches_the_usual_values() -> None:
    assert round(jaro_winkler("MARTHA", "MARHTA"), 3) == 0.961
    assert round(jaro_winkler("DIXON", "DICKSONX"), 3) == 0.813
    assert jaro_winkler("", "A") == 0.0 and jaro_winkler("A", "A") == 1.0
