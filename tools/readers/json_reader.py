"""JSON arrays of objects and JSON Lines. Nested objects become JSON Pointer field names."""

from __future__ import annotations

import json
from itertools import islice
from pathlib import Path
from typing import Any, Iterator

from tools.errors import SourceError
from tools.json_pointer import escape_token
from tools.readers.base import SourceFormat, SourceInfo, SourceRow
from tools.readers.closing import ClosingReader
from tools.readers.file_scan import scan_text_file
from tools.readers.json_stream import iter_array

# info.fields is the union of the pointers in this many first records.
SAMPLE_RECORDS = 1000
# A field first seen after the sample gets a note; past this many, one summary note.
MAX_LATE_FIELD_NOTES = 20


def flatten(obj: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": 1}, "c": [1]}`` -> ``{"/a/b": 1, "/c": [1]}``.

    Arrays are values, not flattened. An empty object stays a value (``{}``) so that
    nothing in the record is lost.
    """
    flat: dict[str, Any] = {}
    for key, value in obj.items():
        pointer = f"{prefix}/{escape_token(key)}"
        if isinstance(value, dict) and value:
            flat.update(flatten(value, pointer))
        else:
            flat[pointer] = value
    return flat


def json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    return "a number"


class _FlatteningReader(ClosingReader):
    """Turns parsed objects into rows and notes fields that the sample did not show."""

    def __init__(self, path: Path, info: SourceInfo) -> None:
        super().__init__()
        self._path = path
        self.info = info
        self._known = set(info.fields)
        self._late_notes = 0

    def _row(self, index: int, obj: dict[str, Any]) -> SourceRow:
        values = flatten(obj)
        for pointer in values:
            if pointer not in self._known:
                self._note_late_field(pointer, index)
        return SourceRow(index, values)

    def _note_late_field(self, pointer: str, index: int) -> None:
        self._known.add(pointer)  # note each field once, however often rows() runs
        self._late_notes += 1
        if self._late_notes <= MAX_LATE_FIELD_NOTES:
            self.info.notes.append(
                f"field {pointer} first appears in row {index}, after the {SAMPLE_RECORDS}-record sample: "
                "it is not in the fields list but its values are kept in the rows"
            )
        elif self._late_notes == MAX_LATE_FIELD_NOTES + 1:
            self.info.notes.append("more fields appear after the sample; only the first ones are noted")

    def _open(self) -> Any:
        assert self.info.encoding is not None
        return self._track(self._path.open("r", encoding=self.info.encoding))


class JsonArrayReader(_FlatteningReader):
    """The objects of a top-level JSON array, streamed."""

    def rows(self) -> Iterator[SourceRow]:
        fh = self._open()
        try:
            for index, element in iter_objects(fh, str(self._path)):
                yield self._row(index, element)
        finally:
            self._untrack(fh)


def iter_objects(fh: Any, path: str) -> Iterator[tuple[int, dict[str, Any]]]:
    for index, element in iter_array(fh, path):
        if not isinstance(element, dict):
            raise SourceError(
                path, f"element {index} is {json_kind(element)}, not an object; a JSON source must be an array of objects", row=index
            )
        yield index, element


class JsonLinesReader(_FlatteningReader):
    """One object per line, streamed. A bad line becomes a row with an error, never an exception."""

    def rows(self) -> Iterator[SourceRow]:
        fh = self._open()
        try:
            for index, (line_number, text) in enumerate(_nonblank_lines(fh)):
                try:
                    value = json.loads(text)
                except json.JSONDecodeError as exc:
                    yield SourceRow(index, {}, f"row {index}: invalid JSON ({exc.msg} at column {exc.colno}; line {line_number})")
                    continue
                if isinstance(value, dict):
                    yield self._row(index, value)
                else:
                    yield SourceRow(index, {}, f"row {index}: {json_kind(value)}, not a JSON object (line {line_number})")
        finally:
            self._untrack(fh)


def _nonblank_lines(fh: Any) -> Iterator[tuple[int, str]]:
    """(1-based line number, text) of each line that is not blank."""
    for line_number, line in enumerate(fh, start=1):
        if line.strip():
            yield line_number, line


def _sample_objects(path: Path, encoding: str, format: SourceFormat) -> Iterator[dict[str, Any]]:
    with path.open("r", encoding=encoding) as fh:
        if format == "json":
            yield from (element for _, element in islice(iter_objects(fh, str(path)), SAMPLE_RECORDS))
            return
        for _, text in islice(_nonblank_lines(fh), SAMPLE_RECORDS):
            try:
                value = json.loads(text)
            except json.JSONDecodeError:
                continue  # reported as a row error when the rows are read
            if isinstance(value, dict):
                yield value


def _sampled_fields(path: Path, encoding: str, format: SourceFormat) -> tuple[list[str], int]:
    """Union of the pointers in the first records, in first-seen order, and how many records."""
    seen: dict[str, None] = {}
    count = 0
    for obj in _sample_objects(path, encoding, format):
        count += 1
        for pointer in flatten(obj):
            seen.setdefault(pointer, None)
    return list(seen), count


def open_json(path: Path, notes: list[str], *, format: SourceFormat, encoding: str | None) -> JsonArrayReader | JsonLinesReader:
    """Sample the fields and return a reader for a JSON array (``json``) or JSON Lines (``jsonl``)."""
    scan = scan_text_file(path, encoding)
    assert scan.encoding is not None
    fields, sampled = _sampled_fields(path, scan.encoding, format)
    if sampled == 0:
        if format == "json":
            raise SourceError(str(path), "holds an empty JSON array: there are no records to read")
        raise SourceError(str(path), f"no line in the first {SAMPLE_RECORDS} non-blank lines is a JSON object")
    info = SourceInfo(
        path=str(path),
        format=format,
        sha256=scan.sha256,
        size_bytes=scan.size_bytes,
        encoding=scan.encoding,
        fields=fields,
        notes=[*notes, *scan.notes, f"fields are the JSON Pointers found in the first {sampled} record(s)"],
    )
    reader_class = JsonArrayReader if format == "json" else JsonLinesReader
    return reader_class(path, info)
