"""tools.target_schema: loading, flattening, validators and the per-leaf engine check."""

from __future__ import annotations

import hashlib
import json
import socket
import urllib.request
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import referencing.exceptions

from tools.errors import SchemaError
from tools.target_schema import TargetSchema, load_target_schema, make_validator, unsupported_for_sql

CUSTODY: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://example.org/custody.schema.json",
    "title": "Custody record",
    "type": "object",
    "required": ["custody_ref", "detainee"],
    "$defs": {
        "person": {
            "type": "object",
            "title": "Person",
            "description": "A person in the record",
            "required": ["family_name"],
            "properties": {
                "family_name": {"type": "string", "title": "Family name", "minLength": 1, "maxLength": 35},
                "given_name": {"type": ["string", "null"]},
                "date_of_birth": {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]},
                "sex": {"enum": ["M", "F", "U", None]},
            },
        },
        "custody_ref": {"type": "string", "pattern": "^CU/[0-9]{4}/[0-9]{6}$", "description": "Shared ref text"},
    },
    "properties": {
        "custody_ref": {"$ref": "#/$defs/custody_ref", "description": "Custody reference"},
        "detainee": {"$ref": "#/$defs/person"},
        "officer": {"allOf": [{"$ref": "#/$defs/person"}], "title": "Arresting officer"},
        "arrested_at": {"type": "string", "format": "date-time"},
        "age": {"type": "integer", "minimum": 0, "exclusiveMaximum": 130},
        "flags": {"type": "array", "items": {"type": "string", "enum": ["violent", "self-harm"]}},
    },
}


def write(tmp_path: Path, schema: Any, name: str = "target.schema.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(schema), encoding="utf-8")
    return path


def load(tmp_path: Path, schema: Any) -> TargetSchema:
    return load_target_schema(write(tmp_path, schema))


def person_object(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties}


# --- loading and flattening -------------------------------------------------------------

def test_nested_2020_12_schema_with_defs_and_refs(tmp_path: Path) -> None:
    path = write(tmp_path, CUSTODY)
    schema = load_target_schema(path)
    assert schema.dialect == "2020-12"
    assert schema.id == "https://example.org/custody.schema.json"
    assert schema.title == "Custody record"
    assert schema.path == str(path)
    assert schema.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert schema.raw == CUSTODY
    assert [f.pointer for f in schema.fields] == [
        "/custody_ref",
        "/detainee/family_name", "/detainee/given_name", "/detainee/date_of_birth", "/detainee/sex",
        "/officer/family_name", "/officer/given_name", "/officer/date_of_birth", "/officer/sex",
        "/arrested_at", "/age", "/flags",
    ]
    assert schema.object_pointers == {"": ["custody_ref", "detainee"], "/detainee": ["family_name"], "/officer": ["family_name"]}
    assert schema.notes == []

    family = schema.field("/detainee/family_name")
    assert family is not None
    assert family.model_dump() == {
        "pointer": "/detainee/family_name", "path": ["detainee", "family_name"], "name": "family_name",
        "types": ["string"], "nullable": False, "format": None, "pattern": None, "enum": None,
        "title": "Family name", "description": None, "examples": None,
        "required": True, "required_path": True,
        "minimum": None, "maximum": None, "exclusive_minimum": None, "exclusive_maximum": None,
        "min_length": 1, "max_length": 35,
        "parent_titles": ["Person"], "parent_descriptions": ["A person in the record"],
        "is_array": False, "item_types": None, "item_format": None, "item_enum": None, "recursive": False,
    }
    officer_family = schema.field("/officer/family_name")
    assert officer_family is not None
    # required in its parent, but the officer object itself is optional
    assert (officer_family.required, officer_family.required_path) == (True, False)
    # the outer title wins over the title of the definition the allOf refers to
    assert officer_family.parent_titles == ["Arresting officer"]
    assert schema.field("/nope") is None
    assert schema.field("/detainee") is None


def test_ref_siblings_override_annotations_but_keep_constraints(tmp_path: Path) -> None:
    ref = load(tmp_path, CUSTODY).field("/custody_ref")
    assert ref is not None
    assert ref.description == "Custody reference"
    assert ref.pattern == "^CU/[0-9]{4}/[0-9]{6}$"
    assert (ref.types, ref.nullable, ref.required, ref.required_path) == (["string"], False, True, True)


def test_null_unions_and_enums(tmp_path: Path) -> None:
    schema = load(tmp_path, CUSTODY)
    given, dob, sex = (schema.field(f"/detainee/{n}") for n in ("given_name", "date_of_birth", "sex"))
    assert given is not None and dob is not None and sex is not None
    assert (given.types, given.nullable) == (["string"], True)
    assert (dob.types, dob.nullable, dob.format) == (["string"], True, "date")
    # no `type`: the enum tells the type; null in the enum makes the field nullable
    assert (sex.types, sex.nullable, sex.enum) == (["string"], True, ["M", "F", "U"])


def test_oneof_null_union_const_and_enum_without_null(tmp_path: Path) -> None:
    schema = load(tmp_path, person_object({
        "force": {"const": "01"},
        "outcome": {"oneOf": [{"type": "string", "enum": ["charged", "released"]}, {"type": "null"}]},
        "code": {"type": ["string", "null"], "enum": ["A", "B"]},
        "count": {"type": ["integer", "string"]},
        "anything": {},
    }))
    force, outcome, code, count, anything = schema.fields
    assert (force.types, force.enum, force.nullable) == (["string"], ["01"], False)
    assert (outcome.types, outcome.enum, outcome.nullable) == (["string"], ["charged", "released"], True)
    # null is allowed by the type but not by the enum, so a null fails
    assert (code.types, code.enum, code.nullable) == (["string"], ["A", "B"], False)
    assert (count.types, count.nullable) == (["integer", "string"], False)
    assert (anything.types, anything.nullable) == ([], True)


def test_draft_07_with_definitions(tmp_path: Path) -> None:
    schema = load(tmp_path, {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "definitions": {"postcode": {"type": "string", "pattern": "^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$"}},
        "required": ["location"],
        "properties": {
            "location": {
                "type": "object", "title": "Location", "required": ["postcode"],
                "properties": {
                    "postcode": {"$ref": "#/definitions/postcode"},
                    "easting": {"type": "number", "minimum": 0, "maximum": 700000},
                },
            },
        },
    })
    assert schema.dialect == "draft-07"
    postcode, easting = schema.fields
    assert (postcode.pointer, postcode.types, postcode.required_path) == ("/location/postcode", ["string"], True)
    assert postcode.pattern == "^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$"
    assert (easting.minimum, easting.maximum, easting.required_path) == (0, 700000, False)
    assert isinstance(make_validator(schema), jsonschema.Draft7Validator)


def test_schema_without_dollar_schema_is_2020_12(tmp_path: Path) -> None:
    schema = load(tmp_path, person_object({"a": {"type": "string"}}))
    assert schema.dialect == "2020-12"
    assert isinstance(make_validator(schema), jsonschema.Draft202012Validator)


def test_allof_merges_constraints(tmp_path: Path) -> None:
    schema = load(tmp_path, {
        "type": "object",
        "$defs": {"base": {"type": "object", "required": ["id"], "properties": {"id": {"type": "number", "minimum": 0}}}},
        "allOf": [
            {"$ref": "#/$defs/base"},
            {"properties": {"id": {"type": "integer", "minimum": 5, "maximum": 10}, "name": {"type": "string"}}},
        ],
    })
    id_field, name = schema.fields
    assert (id_field.pointer, id_field.types, id_field.minimum, id_field.maximum) == ("/id", ["integer"], 5, 10)
    assert (id_field.required, name.pointer) == (True, "/name")
    assert schema.object_pointers == {"": ["id"]}


def test_array_leaf_records_item_type(tmp_path: Path) -> None:
    flags = load(tmp_path, CUSTODY).field("/flags")
    assert flags is not None
    assert (flags.types, flags.is_array, flags.item_types, flags.item_enum) == (["array"], True, ["string"], ["violent", "self-harm"])


def test_free_form_object_is_a_leaf(tmp_path: Path) -> None:
    schema = load(tmp_path, person_object({"extra": {"type": "object"}, "a": {"type": "string"}}))
    assert [(f.pointer, f.types) for f in schema.fields] == [("/extra", ["object"]), ("/a", ["string"])]


# --- refusals ---------------------------------------------------------------------------

@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)


@pytest.mark.parametrize("ref", [
    "https://example.org/person.schema.json",
    "http://example.org/defs.json#/$defs/person",
    "file:///etc/person.json",
    "person.schema.json",
    "./defs.json#/person",
])
def test_remote_ref_is_refused_without_fetching(tmp_path: Path, no_network: None, ref: str) -> None:
    schema = person_object({"detainee": {"$ref": ref}})
    with pytest.raises(SchemaError) as caught:
        load(tmp_path, schema)
    assert f"remote $ref {ref!r} at /properties/detainee refused" in str(caught.value)


def test_remote_ref_refused_even_if_schema_is_also_invalid(tmp_path: Path, no_network: None) -> None:
    with pytest.raises(SchemaError, match="remote \\$ref"):
        load(tmp_path, {"type": "object", "properties": {"a": {"type": "strin"}, "b": {"$ref": "https://x.org/s.json"}}})


def test_absolute_ref_to_the_document_itself_is_local(tmp_path: Path, no_network: None) -> None:
    schema = load(tmp_path, {
        "$id": "https://example.org/s.json", "type": "object",
        "$defs": {"name": {"type": "string", "maxLength": 10}},
        "properties": {"name": {"$ref": "https://example.org/s.json#/$defs/name"}},
    })
    assert schema.fields[0].max_length == 10


def test_ref_into_an_embedded_resource_is_local(tmp_path: Path, no_network: None) -> None:
    schema = load(tmp_path, {
        "$id": "https://example.org/root.json", "type": "object",
        "$defs": {"names": {"$id": "names.json", "$defs": {"family": {"type": "string", "minLength": 1}}}},
        "properties": {"family": {"$ref": "names.json#/$defs/family"}},
    })
    assert [(f.pointer, f.min_length) for f in schema.fields] == [("/family", 1)]
    assert [e.message for e in make_validator(schema).iter_errors({"family": ""})] == ["'' should be non-empty"]


def test_ref_in_data_keywords_is_not_a_reference(tmp_path: Path) -> None:
    schema = load(tmp_path, person_object({"a": {"type": "object", "default": {"$ref": "https://x.org"}}}))
    assert schema.fields[0].pointer == "/a"


def test_validator_never_retrieves(tmp_path: Path, no_network: None) -> None:
    # bypasses the loader's check to prove the validator's registry refuses on its own
    schema = load(tmp_path, person_object({"a": {"type": "string"}}))
    schema.raw["properties"]["a"] = {"$ref": "https://example.org/remote.json"}
    validator = make_validator(schema)
    with pytest.raises(referencing.exceptions.Unresolvable) as caught:
        validator.validate({"a": "x"})
    causes: list[BaseException] = []
    error: BaseException | None = caught.value
    while error is not None:
        causes.append(error)
        error = error.__cause__ or error.__context__
    assert any(isinstance(c, SchemaError) and "remote $ref 'https://example.org/remote.json' refused" in str(c) for c in causes)


@pytest.mark.parametrize(("content", "message"), [
    ('{"type": "object", "properties": {"a": {"type": "strin"}}}', "not a valid 2020-12 JSON Schema: "),
    ('{"type": "object", "properties": {"a": {"pattern": "(["}}}', "not a valid 2020-12 JSON Schema: "),
    ('{"type": "object", "required": "a"}', "not a valid 2020-12 JSON Schema: 'a' is not of type 'array' (at $.required)"),
    ('{"type": "object", ', "not valid JSON: Expecting property name enclosed in double quotes at line 1 column 20"),
    ("[1, 2]", "a target schema must be a JSON object"),
    ('{"$schema": "http://json-schema.org/draft-04/schema#", "type": "object"}', "unsupported $schema"),
    ('{"type": "string"}', "must describe an object with properties"),
    ('{"type": "object", "properties": {"a": {"$ref": "#/$defs/missing"}}}', "$ref '#/$defs/missing' cannot be resolved"),
])
def test_invalid_schemas_raise_schema_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SchemaError) as caught:
        load_target_schema(path)
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"{path}: ")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="cannot read the schema file"):
        load_target_schema(tmp_path / "absent.json")


# --- recursion --------------------------------------------------------------------------

def test_ref_loop_without_property_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="refers back to itself"):
        load(tmp_path, {
            "type": "object",
            "$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"allOf": [{"$ref": "#/$defs/a"}]}},
            "properties": {"x": {"$ref": "#/$defs/a"}},
        })


def test_recursive_property_is_kept_opaque(tmp_path: Path) -> None:
    schema = load(tmp_path, {
        "type": "object",
        "$defs": {"person": {"type": "object", "properties": {
            "name": {"type": "string"},
            "parent": {"anyOf": [{"$ref": "#/$defs/person"}, {"type": "null"}]},
        }}},
        "properties": {"subject": {"$ref": "#/$defs/person"}, "self": {"$ref": "#"}},
    })
    assert [(f.pointer, f.types, f.recursive, f.nullable) for f in schema.fields] == [
        ("/subject/name", ["string"], False, False),
        ("/subject/parent", ["object"], True, True),
        ("/self", ["object"], True, False),
    ]
    assert schema.notes == [
        "/subject/parent refers back to an enclosing object; it is kept as one opaque object field",
        "/self refers back to an enclosing object; it is kept as one opaque object field",
    ]


def test_shared_mixin_at_two_levels_is_not_recursion(tmp_path: Path) -> None:
    schema = load(tmp_path, {
        "type": "object",
        "$defs": {"audit": {"properties": {"created": {"type": "string", "format": "date-time"}}}},
        "properties": {"case": {"type": "object", "allOf": [{"$ref": "#/$defs/audit"}], "properties": {
            "victim": {"type": "object", "allOf": [{"$ref": "#/$defs/audit"}], "properties": {"name": {"type": "string"}}},
        }}},
    })
    assert [f.pointer for f in schema.fields] == ["/case/victim/name", "/case/victim/created", "/case/created"]
    assert schema.notes == []


# --- validator --------------------------------------------------------------------------

def test_validator_checks_formats(tmp_path: Path) -> None:
    validator = make_validator(load(tmp_path, CUSTODY))
    good = {"custody_ref": "CU/2023/004512", "detainee": {"family_name": "SMITH", "date_of_birth": "1990-02-28"},
            "arrested_at": "2023-06-01T14:32:00+01:00"}
    assert list(validator.iter_errors(good)) == []
    bad_date = {**good, "detainee": {"family_name": "SMITH", "date_of_birth": "2023-02-30"}}
    assert [e.json_path for e in validator.iter_errors(bad_date)] == ["$.detainee.date_of_birth"]
    naive = {**good, "arrested_at": "2023-06-01T14:32:00"}
    assert [e.message for e in validator.iter_errors(naive)] == ["'2023-06-01T14:32:00' is not a 'date-time'"]
    assert {"date", "date-time", "time", "email", "uri"} <= set(validator.format_checker.checkers)  # type: ignore[union-attr]


def test_validator_checks_time_email_uri(tmp_path: Path) -> None:
    validator = make_validator(load(tmp_path, person_object({
        "t": {"type": "string", "format": "time"},
        "e": {"type": "string", "format": "email"},
        "u": {"type": "string", "format": "uri"},
    })))
    assert list(validator.iter_errors({"t": "14:32:00Z", "e": "a@b.uk", "u": "https://police.uk/x"})) == []
    bad = {"t": "25:00:00Z", "e": "no-at-sign", "u": "not a uri"}
    assert sorted(e.json_path for e in validator.iter_errors(bad)) == ["$.e", "$.t", "$.u"]


# --- unsupported_for_sql ----------------------------------------------------------------

def test_plain_schema_is_fully_checked_per_leaf(tmp_path: Path) -> None:
    schema = load(tmp_path, {**CUSTODY, "properties": {k: v for k, v in CUSTODY["properties"].items() if k != "flags"},
                             "additionalProperties": False})
    assert unsupported_for_sql(schema) == []


def test_unsupported_keywords_are_listed(tmp_path: Path) -> None:
    schema = load(tmp_path, {
        "type": "object",
        "$defs": {"unused": {"not": {"type": "string"}}, "ref": {"type": "string", "minLength": 2}},
        "properties": {
            "a": {"type": "string"},
            "b": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
            "c": {"type": "number", "multipleOf": 5},
            "d": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
            "e": {"anyOf": [{"$ref": "#/$defs/ref"}, {"type": "null"}]},
            "f": {"oneOf": [{"type": ["string", "null"]}, {"type": "null"}]},
        },
        "if": {"properties": {"a": {"const": "x"}}},
        "then": {"required": ["c"]},
        "dependentRequired": {"a": ["c"]},
    })
    # `not` only appears in an unused definition; `e` is a null union
    assert unsupported_for_sql(schema) == ["dependentRequired", "if", "items", "multipleOf", "oneOf", "then", "uniqueItems"]


def test_unsupported_keywords_found_through_refs(tmp_path: Path) -> None:
    schema = load(tmp_path, {
        "type": "object",
        "$defs": {"person": {"type": "object", "minProperties": 1, "properties": {"n": {"type": "string"}}}},
        "properties": {"p": {"$ref": "#/$defs/person"}},
    })
    assert unsupported_for_sql(schema) == ["minProperties"]
