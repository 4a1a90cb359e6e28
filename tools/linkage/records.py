"""Canonical records (``crosswalk apply`` output) flattened into one linkage table.

Every line of a canonical JSONL file is ``{"row": N, "record": {...}}``. A record with no
person section is skipped: there is nobody to link. The table is held column-wise
(``LinkTable``) since a million small dicts cost several times the memory.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.errors import SourceError
from tools.json_pointer import get_at, parse_pointer
from tools.linkage import normalise as norm
from tools.linkage.models import LinkSchema
from tools.linkage.phonetic import phonetic_key

KEY_SEPARATOR = ":"
ROW_PREFIX = re.compile(r'\s*\{\s*"row"\s*:\s*(\d+)\s*,')
NAME_COLUMNS = ("given_name", "given_name_canonical", "middle_names", "family_name", "given_phonetic", "family_phonetic")
DERIVED_COLUMNS = ("dob", "dob_year", "postcode", "postcode_sector", "postcode_district", "sex", "record_date")


def record_key(dataset: str, row: int) -> str:
    """The stable id of one record across runs: ``dataset:row``."""
    return f"{dataset}{KEY_SEPARATOR}{row}"


def split_key(key: str) -> tuple[str, int]:
    dataset, _, row = key.rpartition(KEY_SEPARATOR)
    return dataset, int(row)


@dataclass
class LinkTable:
    """The linkage table, column by column; ``unique_id`` is the record key."""

    columns: dict[str, list[Any]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.columns.get("unique_id", []))

    def rows(self) -> Iterator[dict[str, Any]]:
        names = list(self.columns)
        for values in zip(*(self.columns[n] for n in names)):
            yield dict(zip(names, values))

    def to_arrow(self) -> Any:
        import pyarrow as pa  # deferred: only the backends need it

        return pa.table({name: pa.array(values, type=pa.string() if name != "row" else pa.int64())
                         for name, values in self.columns.items()})


def column_names(schema: LinkSchema) -> list[str]:
    """Every column of the linkage table for ``schema``."""
    ids = [f.column for f in schema.strong_ids()]
    return ["unique_id", "source_dataset", "row", *NAME_COLUMNS, *DERIVED_COLUMNS, *ids]


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def parsed_pointers(schema: LinkSchema) -> list[tuple[str, list[str]]]:
    """(column, parsed pointer) of every role field, parsed once per file rather than per record."""
    return [(f.column, parse_pointer(f.pointer)) for f in schema.fields]


def flatten_person(record: dict[str, Any], schema: LinkSchema,
                   pointers: list[tuple[str, list[str]]] | None = None) -> dict[str, Any] | None:
    """The linkage columns of one canonical record, or None when it holds no person."""
    person = get_at(record, parse_pointer(schema.person_pointer))
    if not isinstance(person, dict) or not person:
        return None
    values: dict[str, Any] = {}
    raw = {column: _text(get_at(record, parts)) for column, parts in (pointers or parsed_pointers(schema))}
    given, family = raw.get("given_name"), raw.get("family_name")
    if (given is None or family is None) and raw.get("full_name"):
        split_given, split_family = norm.split_full_name(raw["full_name"] or "")
        given, family = given or split_given, family or split_family
    given_words = (norm.name(given) or "").split()
    first = given_words[0] if given_words else None
    values["given_name"] = first
    values["given_name_canonical"] = norm.canonical_given(first)
    values["middle_names"] = " ".join(given_words[1:]) or None
    values["family_name"] = norm.name(family)
    values["given_phonetic"] = phonetic_key(values["given_name_canonical"])
    values["family_phonetic"] = phonetic_key(values["family_name"])
    values["dob"] = norm.iso_date(raw.get("dob"))
    values["dob_year"] = values["dob"][:4] if values["dob"] else None
    values["postcode"] = norm.postcode(raw.get("postcode"))
    values["postcode_sector"], values["postcode_district"] = norm.postcode_parts(values["postcode"])
    values["sex"] = raw.get("sex") if raw.get("sex") in ("male", "female") else None
    values["record_date"] = raw.get("record_date")
    for f in schema.strong_ids():
        values[f.column] = norm.identifier(f.column, raw.get(f.column))
    return values


def read_canonical(path: Path, dataset: str, schema: LinkSchema, table: LinkTable) -> int:
    """Append the person records of one canonical JSONL file to ``table``; how many were added."""
    names = column_names(schema)
    pointers = parsed_pointers(schema)
    for name in names:
        table.columns.setdefault(name, [])
    added = 0
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise SourceError(str(path), f"cannot read the canonical records: {exc.strerror or exc}") from None
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                row, record = int(item["row"]), item["record"]
            except (ValueError, KeyError, TypeError):
                raise SourceError(str(path), 'not a canonical record line ({"row": N, "record": {...}})', row=number) from None
            values = flatten_person(record, schema, pointers)
            if values is None:
                continue
            values.update(unique_id=record_key(dataset, row), source_dataset=dataset, row=row)
            for name in names:
                table.columns[name].append(values.get(name))
            added += 1
    return added


def read_person_sections(path: Path, rows: set[int], schema: LinkSchema) -> dict[int, dict[str, Any]]:
    """The person sections of the given rows of one canonical file (for review items and golden records)."""
    found: dict[int, dict[str, Any]] = {}
    pointer = parse_pointer(schema.person_pointer)
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            lead = ROW_PREFIX.match(line)
            if lead is not None and int(lead.group(1)) not in rows:
                continue  # skip the JSON parse of the rows not asked for (most of a big file)
            item = json.loads(line)
            if item.get("row") in rows:
                person = get_at(item["record"], pointer)
                found[int(item["row"])] = {"person": person, "record_date": _record_date(item["record"], schema)}
                if len(found) == len(rows):
                    break
    return found


def _record_date(record: dict[str, Any], schema: LinkSchema) -> str | None:
    for f in schema.of_role("record_date"):
        return _text(get_at(record, parse_pointer(f.pointer)))
    return None
