"""Field-by-field differences between mapping documents."""

from tools.mapping import parse_mapping
from tools.mapping_diff import diff_documents


def _doc(fields, unmapped=(), tz="Europe/London"):
    return parse_mapping({"fields": fields, "unmapped_sources": list(unmapped), "timezone": tz})


SEX = {"target": "/person/sex", "sources": ["SEX"], "transform": {"op": "value_map", "mapping": {"M": "male"}}}
NAME = {"target": "/person/family_name", "sources": ["SURNAME"], "transform": {"op": "copy"}}


def test_identical_documents() -> None:
    assert diff_documents(_doc([SEX, NAME]), _doc([NAME, SEX])).identical


def test_changed_added_removed_fields() -> None:
    before = _doc([SEX, NAME], unmapped=["ROWVER"])
    edited = {**SEX, "transform": {"op": "value_map", "mapping": {"M": "male", "F": "female"}}, "status": "needs_review"}
    dob = {"target": "/person/date_of_birth", "sources": ["DOB"], "transform": {"op": "copy"}}
    after = _doc([edited, dob], unmapped=["EXTRACT_DT"], tz="UTC")
    diff = diff_documents(before, after)
    by_target = {c.target: c for c in diff.fields}
    assert by_target["/person/sex"].kind == "changed"
    assert [p.part for p in by_target["/person/sex"].parts] == ["transform", "status"]
    assert by_target["/person/sex"].parts[0].after["mapping"] == {"M": "male", "F": "female"}
    assert by_target["/person/family_name"].kind == "removed"
    assert by_target["/person/date_of_birth"].kind == "added"
    assert diff.unmapped_added == ["EXTRACT_DT"] and diff.unmapped_removed == ["ROWVER"]
    assert [o.part for o in diff.other] == ["timezone"]
    assert not diff.identical
