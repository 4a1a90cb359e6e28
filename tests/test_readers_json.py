"""JSON arrays and JSON Lines: flattening to JSON Pointers, streaming, bad lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools.errors import SourceError
from tools.readers import SourceRow, json_reader, json_stream, open_source

NESTED = [
    {"id": "A1", "subject": {"name": {"first": "Siân", "last": "O'Brien"}, "aliases": ["Sian"]}, "seen": None},
    {"id": "A2", "subject": {"name": {"first": "Zoë"}, "dob": "2001-12-31"}, "a/b": 1, "t~": True, "empty": {}},
]


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def read_all(path: Path, **options: str) -> tuple[object, list[SourceRow]]:
    with open_source(path, **options) as reader:
        return reader.info, list(reader.rows())


def test_nested_json_array_is_flattened_to_pointers(tmp_path: Path) -> None:
    info, rows = read_all(write(tmp_path, "people.json", json.dumps(NESTED, indent=2).encode()))
    assert info.format == "json"
    assert info.encoding == "utf-8"
    assert info.fields == [
        "/id",
        "/subject/name/first",
        "/subject/name/last",
        "/subject/aliases",
        "/seen",
        "/subject/dob",
        "/a~1b",
        "/t~0",
        "/empty",
    ]
    assert info.notes[-1] == "fields are the JSON Pointers found in the first 2 record(s)"
    assert rows == [
        SourceRow(
            0,
            {"/id": "A1", "/subject/name/first": "Siân", "/subject/name/last": "O'Brien", "/subject/aliases": ["Sian"], "/seen": None},
        ),
        SourceRow(1, {"/id": "A2", "/subject/name/first": "Zoë", "/subject/dob": "2001-12-31", "/a~1b": 1, "/t~0": True, "/empty": {}}),
    ]


def test_json_array_streams_across_small_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    records = [{"n": i, "text": "x" * (i % 17), "deep": {"v": [i, {"w": "é"}]}, "f": 1.25e-3, "b": False} for i in range(300)]
    path = write(tmp_path, "many.json", json.dumps(records).encode())
    monkeypatch.setattr(json_stream, "CHUNK_CHARS", 7)  # force elements, literals and numbers to be cut
    _, rows = read_all(path)
    assert [row.values for row in rows] == [json_reader.flatten(record) for record in records]
    assert [row.index for row in rows] == list(range(300))


def test_json_lines_with_bad_lines_keeps_every_row(tmp_path: Path) -> None:
    data = b'{"id": 1, "subject": {"name": "A"}}\n\n{"id": 2, oops}\n[1, 2]\r\n{"id": 3, "subject": {"name": "C"}}\n'
    info, rows = read_all(write(tmp_path, "events.jsonl", data))
    assert info.format == "jsonl"
    assert info.fields == ["/id", "/subject/name"]
    assert rows == [
        SourceRow(0, {"/id": 1, "/subject/name": "A"}),
        SourceRow(1, {}, "row 1: invalid JSON (Expecting property name enclosed in double quotes at column 11; line 3)"),
        SourceRow(2, {}, "row 2: an array, not a JSON object (line 4)"),
        SourceRow(3, {"/id": 3, "/subject/name": "C"}),
    ]


def test_ndjson_extension_is_json_lines(tmp_path: Path) -> None:
    info, rows = read_all(write(tmp_path, "e.ndjson", b'{"a": 1}\n{"a": 2}\n'))
    assert info.format == "jsonl"
    assert [row.values for row in rows] == [{"/a": 1}, {"/a": 2}]


def test_field_first_seen_after_the_sample_gets_a_note_and_keeps_its_value(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(json_reader, "SAMPLE_RECORDS", 2)
    data = b'{"a": 1}\n{"a": 2}\n{"a": 3, "late": {"x": 4}}\n{"late": {"x": 5}}\n'
    path = write(tmp_path, "late.jsonl", data)
    with open_source(path) as reader:
        assert reader.info.fields == ["/a"]
        rows = list(reader.rows())
        list(reader.rows())  # a second pass adds no second note
        late_notes = [note for note in reader.info.notes if "/late/x" in note]
    assert rows[2] == SourceRow(2, {"/a": 3, "/late/x": 4})
    assert rows[3] == SourceRow(3, {"/late/x": 5})
    assert late_notes == [
        "field /late/x first appears in row 2, after the 2-record sample: it is not in the fields list but its values are kept in the rows"
    ]


def test_json_lines_in_a_dot_json_file_are_read_as_jsonl(tmp_path: Path) -> None:
    info, rows = read_all(write(tmp_path, "x.json", b'{"a": 1}\n{"a": 2}\n'))
    assert info.format == "jsonl"
    assert info.notes[0] == "the file is named .json but holds JSON Lines (one object per line); read as JSONL"
    assert len(rows) == 2


def test_cp1252_json_lines_are_decoded(tmp_path: Path) -> None:
    info, rows = read_all(write(tmp_path, "w.jsonl", '{"name": "Siân €"}\n'.encode("cp1252")))
    assert info.encoding == "cp1252"
    assert rows == [SourceRow(0, {"/name": "Siân €"})]


def test_array_element_that_is_not_an_object(tmp_path: Path) -> None:
    path = write(tmp_path, "mixed.json", b'[{"a": 1}, {"a": 2}, 3]')
    with pytest.raises(SourceError) as caught:
        open_source(path)
    assert caught.value.row == 2
    assert str(caught.value) == f"{path}, row 2: element 2 is a number, not an object; a JSON source must be an array of objects"


def test_invalid_json_inside_the_array_names_the_element_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.json", b'[\n{"a": 1},\n{"a": 2,,}\n]')
    with pytest.raises(SourceError) as caught:
        open_source(path)
    assert str(caught.value) == f"{path}, row 1: invalid JSON in element 1: Expecting property name enclosed in double quotes (line 3)"


def test_invalid_element_after_the_sample_raises_while_reading_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(json_reader, "SAMPLE_RECORDS", 1)
    path = write(tmp_path, "late.json", b'[{"a": 1}, {"a": 2} {"a": 3}]')
    with open_source(path) as reader:
        rows = reader.rows()
        assert next(rows) == SourceRow(0, {"/a": 1})
        assert next(rows) == SourceRow(1, {"/a": 2})
        with pytest.raises(SourceError) as caught:
            next(rows)
    assert str(caught.value) == f"{path}, row 1: invalid JSON after element 1: expected ',' or ']' but found '{{' (line 1)"


def test_trailing_content_after_the_array(tmp_path: Path) -> None:
    path = write(tmp_path, "t.json", b'[{"a": 1}]\n[{"a": 2}]')
    with pytest.raises(SourceError) as caught:
        open_source(path)
    assert str(caught.value) == f"{path}: unexpected content after the end of the JSON array (line 2)"


def test_unclosed_array(tmp_path: Path) -> None:
    path = write(tmp_path, "u.json", b'[{"a": 1},\n')
    with pytest.raises(SourceError) as caught:
        open_source(path)
    assert str(caught.value) == f"{path}, row 1: invalid JSON in element 1: Expecting value (line 2)"


def test_empty_array_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "e.json", b"[ ]\n")
    with pytest.raises(SourceError) as caught:
        open_source(path)
    assert str(caught.value) == f"{path}: holds an empty JSON array: there are no records to read"


def test_json_lines_without_any_object(tmp_path: Path) -> None:
    path = write(tmp_path, "n.jsonl", b'{"a": 1\n')
    with pytest.raises(SourceError) as caught:
        open_source(path, format="jsonl")
    assert str(caught.value) == f"{path}: no line in the first 1000 non-blank lines is a JSON object"
