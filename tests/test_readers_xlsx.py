"""XLSX: sheet choice, header below title rows, dates, numbers, empty and ragged rows."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from openpyxl import Workbook

from tools.errors import SourceError
from tools.readers import SourceRow, open_source


def custody_workbook(path: Path) -> Path:
    """Two sheets; the first has two title rows, dates, date-times, numbers and an empty row."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Custody"
    sheet.append(["Custody records export"])
    sheet.append(["Generated 01/02/2024"])
    sheet.append(["CUSTODY_REF", "SURNAME", "DOB", "ARRIVAL", "AGE", "BAIL"])
    sheet.append(["CU/2023/004512", "O'Brien", dt.datetime(1990, 2, 1), dt.datetime(2024, 1, 2, 14, 30), 33.0, 150.5])
    sheet.append([])
    sheet.append(["CU/2023/004513", "Siân", dt.datetime(2001, 12, 31), dt.datetime(2024, 1, 3), 22, None])
    sheet.append(["CU/2023/004514", None, None, None, None, None])
    for row in (4, 6):
        sheet.cell(row, 3).number_format = "dd/mm/yyyy"
        sheet.cell(row, 4).number_format = "dd/mm/yyyy hh:mm"
    notes = workbook.create_sheet("Officers")
    notes.append(["COLLAR", "NAME"])
    notes.append(["PC 123", "Zoë Evans"])
    workbook.save(path)
    return path


def read_all(path: Path, **options: str) -> tuple[object, list[SourceRow]]:
    with open_source(path, **options) as reader:
        return reader.info, list(reader.rows())


def test_first_sheet_header_below_two_title_rows_with_typed_cells(tmp_path: Path) -> None:
    path = custody_workbook(tmp_path / "custody.xlsx")
    info, rows = read_all(path)
    assert info.format == "xlsx"
    assert info.sheet == "Custody"
    assert info.header_row == 2
    assert info.fields == ["CUSTODY_REF", "SURNAME", "DOB", "ARRIVAL", "AGE", "BAIL"]
    assert info.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert info.size_bytes == path.stat().st_size
    assert info.notes == [
        "sheet 'Custody' read: the first sheet with data (the workbook's sheets: 'Custody', 'Officers')",
        "header found on sheet row 3; 2 row(s) above it skipped (titles: 'Custody records export'; 'Generated 01/02/2024')",
    ]
    assert rows == [
        SourceRow(
            0,
            {
                "CUSTODY_REF": "CU/2023/004512",
                "SURNAME": "O'Brien",
                "DOB": dt.date(1990, 2, 1),
                "ARRIVAL": dt.datetime(2024, 1, 2, 14, 30),
                "AGE": 33,
                "BAIL": 150.5,
            },
        ),
        SourceRow(
            1,
            {
                "CUSTODY_REF": "CU/2023/004513",
                "SURNAME": "Siân",
                "DOB": dt.date(2001, 12, 31),
                "ARRIVAL": dt.datetime(2024, 1, 3, 0, 0),  # a date-time format keeps midnight a datetime
                "AGE": 22,
                "BAIL": None,
            },
        ),
        SourceRow(2, {"CUSTODY_REF": "CU/2023/004514", "SURNAME": None, "DOB": None, "ARRIVAL": None, "AGE": None, "BAIL": None}),
    ]
    assert type(rows[0].values["AGE"]) is int
    assert type(rows[0].values["DOB"]) is dt.date


def test_sheet_by_name(tmp_path: Path) -> None:
    info, rows = read_all(custody_workbook(tmp_path / "c.xlsx"), sheet="Officers")
    assert info.sheet == "Officers"
    assert info.header_row == 0
    assert "sheet 'Officers' (as requested)" in info.notes
    assert rows == [SourceRow(0, {"COLLAR": "PC 123", "NAME": "Zoë Evans"})]


def test_missing_sheet_lists_the_available_ones(tmp_path: Path) -> None:
    path = custody_workbook(tmp_path / "c.xlsx")
    with pytest.raises(SourceError) as caught:
        open_source(path, sheet="Arrests")
    assert str(caught.value) == f"{path}: has no sheet named 'Arrests'; its sheets are: 'Custody', 'Officers'"


def test_empty_first_sheet_is_passed_over(tmp_path: Path) -> None:
    workbook = Workbook()
    workbook.active.title = "Cover"
    data = workbook.create_sheet("Data")
    data.append(["ID", "NAME"])
    data.append([1, "a"])
    path = tmp_path / "w.xlsx"
    workbook.save(path)
    info, rows = read_all(path)
    assert info.sheet == "Data"
    assert info.notes[0] == "sheet 'Data' read: the first sheet with data (the workbook's sheets: 'Cover', 'Data')"
    assert rows == [SourceRow(0, {"ID": 1, "NAME": "a"})]


def test_workbook_without_data_is_an_error(tmp_path: Path) -> None:
    workbook = Workbook()
    workbook.create_sheet("Second")
    path = tmp_path / "blank.xlsx"
    workbook.save(path)
    with pytest.raises(SourceError) as caught:
        open_source(path)
    assert str(caught.value) == f"{path}: has no data in any sheet (sheets: 'Sheet', 'Second')"


def test_values_past_the_header_make_a_ragged_row(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["ID", "NAME", "NAME", None])
    sheet.append([1, "a", "b", None, "stray note"])
    sheet.append([2, "c", None, None, None, None])
    path = tmp_path / "r.xlsx"
    workbook.save(path)
    info, rows = read_all(path)
    assert info.fields == ["ID", "NAME", "NAME_2"]
    assert rows == [
        SourceRow(
            0,
            {"ID": 1, "NAME": "a", "NAME_2": "b", "_extra_1": None, "_extra_2": "stray note"},
            "row 0 has values in 5 columns, the header has 3 (sheet row 2)",
        ),
        SourceRow(1, {"ID": 2, "NAME": "c", "NAME_2": None}),
    ]


def test_numeric_header_cells_become_text_names(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["FORCE", "Y2023", 2024])
    sheet.append(["Kent", 10, 12])
    path = tmp_path / "n.xlsx"
    workbook.save(path)
    info, rows = read_all(path)
    assert info.fields == ["FORCE", "Y2023", "2024"]
    assert rows == [SourceRow(0, {"FORCE": "Kent", "Y2023": 10, "2024": 12})]


def test_rows_restart_from_the_first_row(tmp_path: Path) -> None:
    with open_source(custody_workbook(tmp_path / "c.xlsx")) as reader:
        first = [row.index for row in reader.rows()]
        second = [row.index for row in reader.rows()]
    assert first == second == [0, 1, 2]


def test_sheet_option_is_ignored_for_csv_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"A,B\n1,2\n")
    info, _ = read_all(path, sheet="Data")
    assert "option sheet='Data' ignored: it does not apply to a csv source" in info.notes
