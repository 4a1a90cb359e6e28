"""Inputs that cannot be read give one SourceError naming the file (and the row where known)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from tools.errors import SourceError
from tools.readers import open_source


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def workbook_bytes(*rows: list[object]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def error_for(path: Path, **options: str) -> SourceError:
    with pytest.raises(SourceError) as caught:
        open_source(path, **options)
    assert caught.value.path == str(path)
    return caught.value


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.csv"
    assert str(error_for(path)) == f"{path}: file not found"


def test_directory(tmp_path: Path) -> None:
    assert str(error_for(tmp_path)) == f"{tmp_path}: is a directory, not a file"


def test_zero_byte_file(tmp_path: Path) -> None:
    path = write(tmp_path, "empty.csv", b"")
    assert str(error_for(path)) == f"{path}: file is empty (0 bytes)"


@pytest.mark.parametrize("name", ["blank.csv", "blank.json", "blank.jsonl"])
def test_whitespace_only_file(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, name, b"\xef\xbb\xbf \r\n\t\n\n")
    assert str(error_for(path)) == f"{path}: file is empty (it holds only whitespace)"


def test_whitespace_only_file_with_a_requested_format(tmp_path: Path) -> None:
    path = write(tmp_path, "blank.dat", b"\n\n")
    assert str(error_for(path, format="csv")) == f"{path}: file is empty (it holds only whitespace)"


def test_no_header_first_row_all_numeric(tmp_path: Path) -> None:
    path = write(tmp_path, "nohead.csv", b"1,2,3\n4,5,6\n")
    assert str(error_for(path)) == f"{path}: no header row: line 1 looks like data ('1', '2', '3'), not column names"


def test_no_header_below_a_title_row(tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", b"Monthly export\n\n01/02/2024,17,3.5\n02/02/2024,18,4.5\n")
    assert str(error_for(path)) == f"{path}: no header row: line 3 looks like data ('01/02/2024', '17', '3.5'), not column names"


def test_blank_headers_throughout(tmp_path: Path) -> None:
    path = write(tmp_path, "commas.csv", b",,\n,,\n , ,\n")
    assert str(error_for(path)) == f"{path}: no header row: the first 3 rows are all empty"


def test_xlsx_without_a_header(tmp_path: Path) -> None:
    path = write(tmp_path, "n.xlsx", workbook_bytes([1, 2, 3], [4, 5, 6]))
    assert str(error_for(path)) == f"{path}: sheet 'Sheet': no header row: sheet row 1 looks like data (1, 2, 3), not column names"


def test_unknown_extension_with_binary_content(tmp_path: Path) -> None:
    path = write(tmp_path, "report.pdf", b"%PDF-1.4\n\x00\x01\x02\x03binary")
    assert str(error_for(path)) == (
        f"{path}: unknown format ('.pdf'): it looks like a binary file, not text; expected CSV/TSV, XLSX, JSON or JSONL"
    )


def test_unknown_requested_format(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", b"A\n1\n")
    assert str(error_for(path, format="parquet")) == f"{path}: unknown format 'parquet'; expected one of csv, xlsx, json, jsonl"


def test_binary_garbage_named_csv(tmp_path: Path) -> None:
    path = write(tmp_path, "garbage.csv", bytes(range(256)) * 4)
    assert str(error_for(path)) == f"{path}: is named .csv but looks like a binary file, not text (it holds NUL or control bytes)"


def test_binary_garbage_read_as_csv_on_request(tmp_path: Path) -> None:
    path = write(tmp_path, "garbage.bin", b"A,B\n\x00\x00\x00\x00")
    assert str(error_for(path, format="csv")) == f"{path}: looks like a binary file, not text (it holds NUL or control bytes)"


def test_xlsx_named_csv(tmp_path: Path) -> None:
    path = write(tmp_path, "export.csv", workbook_bytes(["A"], [1]))
    assert str(error_for(path)) == f"{path}: looks like an XLSX workbook but is named .csv"


@pytest.mark.parametrize(
    ("name", "content", "looks_like"),
    [
        ("export.csv", b'[\n  {"a": 1}\n]', "a JSON array"),
        ("export.csv", b'{"a": 1}\n{"a": 2}\n', "JSON Lines (one object per line)"),
        ("events.jsonl", b'[{"a": 1}]', "a JSON array"),
    ],
)
def test_json_named_as_another_format(tmp_path: Path, name: str, content: bytes, looks_like: str) -> None:
    path = write(tmp_path, name, content)
    suffix = name.rsplit(".", 1)[1]
    assert str(error_for(path)) == f"{path}: looks like {looks_like} but is named .{suffix}"


def test_text_named_xlsx(tmp_path: Path) -> None:
    path = write(tmp_path, "book.xlsx", b"A,B\n1,2\n")
    assert str(error_for(path)) == f"{path}: is named .xlsx but is not an XLSX workbook (it looks like delimited text (CSV))"


def test_legacy_xls_named_xlsx(tmp_path: Path) -> None:
    path = write(tmp_path, "old.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)
    assert str(error_for(path)) == (
        f"{path}: is named .xlsx but is not an XLSX workbook "
        "(it looks like a legacy Excel .xls workbook, which is not supported: save it as .xlsx or CSV)"
    )


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "data.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert str(error_for(path)) == f"{path}: is named .xlsx but is not an XLSX workbook (it looks like a ZIP archive that is not an XLSX workbook)"


def test_text_read_as_xlsx_on_request(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", b"A,B\n1,2\n")
    assert str(error_for(path, format="xlsx")).startswith(f"{path}: is not a readable XLSX workbook (")


def test_single_json_object(tmp_path: Path) -> None:
    path = write(tmp_path, "one.json", b'{\n  "records": [{"a": 1}]\n}\n')
    assert str(error_for(path)) == f"{path}: holds a single JSON object; a JSON source must be an array of objects ([{{...}}, ...])"


def test_json_file_that_is_not_json(tmp_path: Path) -> None:
    path = write(tmp_path, "x.json", b"A,B\n1,2\n")
    assert str(error_for(path)) == f"{path}: holds no JSON array; a JSON source must be an array of objects ([{{...}}, ...])"


def test_jsonl_whose_first_line_is_not_an_object(tmp_path: Path) -> None:
    path = write(tmp_path, "x.jsonl", b'{\n  "a": 1\n}\n')
    assert str(error_for(path)) == f"{path}: is named .jsonl but its first line is not a complete JSON object"


def test_requested_encoding_that_does_not_decode(tmp_path: Path) -> None:
    path = write(tmp_path, "w.csv", "A,B\n1,Siân\n".encode("cp1252"))
    assert str(error_for(path, encoding="utf-8")) == (
        f"{path}: cannot be decoded as utf-8 near byte 8 (line 2); pass another encoding (for example cp1252)"
    )


def test_unknown_encoding_name(tmp_path: Path) -> None:
    path = write(tmp_path, "w.csv", b"A\n1\n")
    assert str(error_for(path, encoding="klingon")) == f"{path}: unknown encoding 'klingon'"


def test_delimiter_must_be_one_character(tmp_path: Path) -> None:
    path = write(tmp_path, "w.csv", b"A\n1\n")
    assert str(error_for(path, delimiter="||")) == f"{path}: the delimiter must be one character, not '||'"


def test_error_is_one_line_for_the_cli(tmp_path: Path) -> None:
    path = write(tmp_path, "nohead.csv", b"1,2\n3,4\n")
    assert "\n" not in error_for(path).one_line()
