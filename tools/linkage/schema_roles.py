"""Find the person fields of a target standard that linkage uses, by what the schema says of them.

A field's role comes from its name and title (the words a standard uses for a surname,
a date of birth, a postcode, a national identifier), not from a fixed list of pointers:
another standard with ``/subject/surname`` links the same way. The person object is the
one holding both a family-name field and a date-of-birth field.
"""

from __future__ import annotations

import re

from tools.errors import SchemaError
from tools.linkage.models import LinkSchema, Role, RoleField
from tools.target_schema import TargetField, TargetSchema

# Words that give a field its role, tried in this order (a field takes the first that fits).
ROLE_TERMS: tuple[tuple[Role, tuple[str, ...]], ...] = (
    ("strong_id", ("pnc id", "police national computer", "nhs number", "national insurance", "cro number",
                   "criminal records office")),
    ("date_of_birth", ("date of birth", "birth date", "dob")),
    ("family_name", ("family name", "surname", "last name")),
    ("given_names", ("given name", "forename", "first name")),
    ("full_name", ("full name", "whole name")),
    ("postcode", ("postcode", "post code", "postal code", "zip")),
    ("sex", ("sex", "gender")),
)
# A record's own date (for "most recent" in golden records): a date-time outside the person.
RECORD_DATE_TERMS = ("occurred", "occurrence", "reported", "recorded", "event")


def _words(field: TargetField) -> str:
    text = f"{field.name.replace('_', ' ')} {field.title or ''}".lower()
    return " " + re.sub(r"[^a-z0-9]+", " ", text) + " "


def role_of(field: TargetField) -> Role | None:
    """The linkage role of one schema field, or None when linkage does not use it."""
    words = _words(field)
    for role, terms in ROLE_TERMS:
        if any(re.search(rf" {term}s? ", words) for term in terms):
            if role == "strong_id" and not field.pattern:
                continue  # an identifier worth exact-match weight has a checkable shape
            return role
    return None


def _column(role: Role, field: TargetField) -> str:
    if role == "strong_id":
        return re.sub(r"[^a-z0-9]+", "_", field.name.lower()).strip("_")
    return {"given_names": "given_name", "date_of_birth": "dob"}.get(role, role)


def _person_pointer(schema: TargetSchema) -> str:
    family = [f for f in schema.fields if role_of(f) == "family_name"]
    births = {f.pointer.rsplit("/", 1)[0] for f in schema.fields if role_of(f) == "date_of_birth"}
    for field in family:
        parent = field.pointer.rsplit("/", 1)[0]
        if parent in births:
            return parent
    raise SchemaError(schema.path, "no object holds both a family name and a date of birth: nothing to link people on")


def link_schema(schema: TargetSchema) -> LinkSchema:
    """The person fields linkage compares, found in ``schema``."""
    person = _person_pointer(schema)
    fields: list[RoleField] = []
    taken: set[str] = set()
    for field in schema.fields:
        if not field.pointer.startswith(person + "/"):
            continue
        role = role_of(field)
        if role is None:
            continue
        column = _column(role, field)
        if column in taken:  # e.g. a second postcode (work address): the first, the home one, is kept
            continue
        taken.add(column)
        fields.append(RoleField(role=role, pointer=field.pointer, column=column, title=field.title))
    for field in schema.fields:
        words = _words(field)
        if field.format == "date-time" and not field.pointer.startswith(person + "/") and any(
                f" {t} " in words for t in RECORD_DATE_TERMS):
            fields.append(RoleField(role="record_date", pointer=field.pointer, column="record_date", title=field.title))
            break
    if not any(f.role in ("family_name", "full_name") for f in fields):
        raise SchemaError(schema.path, f"the person object {person} has no name field")
    return LinkSchema(person_pointer=person, fields=fields)
