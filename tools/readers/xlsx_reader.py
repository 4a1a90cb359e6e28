"""XLSX workbooks (openpyxl, read-only, cached formula values): one sheet, header below title rows."""

from __future__ import annotations

import datetime as dt
import warnings
import zipfile
from itertools import islice
from pathlib import Path
from typing import Any, Iterator, Sequence

from openpyxl import load_workbook
from openpyxl.styles.numbers import is_datetime
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from tools.errors import SourceError
from tools.readers.base import SourceInfo, SourceRow
from tools.readers.closing import ClosingReader
from tools.readers.file_scan import hash_file
from tools.readers.header import (
    NoHeaderFound,
    extra_key,
    find_header,
    header_text,
    title_note,
    unique_names,
)

# Rows read to find the header: title rows plus enough data rows to see the table's width.
HEAD_ROWS = 150


def cell_value(cell: Any) -> Any:
    """A cell as a Python value: date-only cells -> date, integral floats -> int."""
    value = cell.value
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and is_datetime(getattr(cell, "number_format", None)) == "date":
            return value.date()
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _width(values: Sequence[Any]) -> int:
    """A row's real width: trailing empty cells do not count."""
    end = len(values)
    while end and (values[end - 1] is None or values[end - 1] == ""):
        end -= 1
    return end


def _sheet_rows(sheet: ReadOnlyWorksheet) -> Iterator[list[Any]]:
    # Each call re-reads the sheet's XML from the start: rows() is restartable.
    for cells in sheet.iter_rows():
        yield [cell_value(cell) for cell in cells]


class XlsxReader(ClosingReader):
    """Rows of one worksheet, streamed; see ``open_xlsx``."""

    def __init__(self, workbook: Workbook, sheet: ReadOnlyWorksheet, info: SourceInfo) -> None:
        super().__init__()
        self._track(workbook)
        self._sheet = sheet
        self.info = info

    def rows(self) -> Iterator[SourceRow]:
        names = self.info.fields
        width = len(names)
        header_row = self.info.header_row or 0
        index = 0
        for sheet_row, values in enumerate(_sheet_rows(self._sheet)):
            used = _width(values)
            if sheet_row <= header_row or not used:
                continue  # title rows, the header, and fully empty rows
            row = dict(zip(names, values))
            for name in names[len(values) :]:
                row[name] = None  # every header field is present; a missing cell is empty
            if used <= width:
                yield SourceRow(index, row)
            else:
                for number, value in enumerate(values[width:used], start=1):
                    row[extra_key(names, number)] = value
                error = f"row {index} has values in {used} columns, the header has {width} (sheet row {sheet_row + 1})"
                yield SourceRow(index, row, error)
            index += 1


def _load(path: Path) -> Workbook:
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it ignores; they do not affect values.
            warnings.simplefilter("ignore")
            return load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise SourceError(str(path), f"is not a readable XLSX workbook ({exc})") from None


def _head(sheet: ReadOnlyWorksheet) -> list[list[Any]]:
    sheet.reset_dimensions()  # stored dimensions are often wrong; read the cells that exist
    return [values[: _width(values)] for values in islice(_sheet_rows(sheet), HEAD_ROWS)]


def _choose_sheet(
    path: Path, workbook: Workbook, requested: str | None
) -> tuple[ReadOnlyWorksheet, list[list[Any]], int, str]:
    """The sheet to read, its head rows, the header position and a note on the choice."""
    available = ", ".join(repr(name) for name in workbook.sheetnames)
    if requested is not None:
        if requested not in workbook.sheetnames:
            raise SourceError(str(path), f"has no sheet named {requested!r}; its sheets are: {available}")
        sheet = workbook[requested]
        if not isinstance(sheet, ReadOnlyWorksheet):
            raise SourceError(str(path), f"sheet {requested!r} is a chart, not a worksheet; its sheets are: {available}")
        head = _head(sheet)
        if not any(head):
            raise SourceError(str(path), f"sheet {requested!r} has no data; the workbook's sheets are: {available}")
        return sheet, head, _header(path, sheet.title, head), f"sheet {requested!r} (as requested)"
    for sheet in workbook.worksheets:
        head = _head(sheet)  # type: ignore[arg-type]
        if any(head):
            note = f"sheet {sheet.title!r} read: the first sheet with data (the workbook's sheets: {available})"
            return sheet, head, _header(path, sheet.title, head), note  # type: ignore[return-value]
    raise SourceError(str(path), f"has no data in any sheet (sheets: {available})")


def _header(path: Path, title: str, head: list[list[Any]]) -> int:
    try:
        return find_header(head)
    except NoHeaderFound as exc:
        where = f"sheet row {exc.position + 1}" if exc.position is not None else ""
        raise SourceError(str(path), f"sheet {title!r}: " + exc.describe(where)) from None


def open_xlsx(path: Path, notes: list[str], *, sheet: str | None) -> XlsxReader:
    """Open the workbook, choose the sheet, find the header and return a reader."""
    scan = hash_file(path)
    workbook = _load(path)
    try:
        worksheet, head, position, sheet_note = _choose_sheet(path, workbook, sheet)
    except BaseException:
        workbook.close()
        raise
    fields, rename_notes = unique_names([header_text(cell) for cell in head[position]])
    notes = [*notes, sheet_note]
    if position > 0:
        notes.append(title_note(head, position, f"sheet row {position + 1}"))
    notes.extend(rename_notes)
    info = SourceInfo(
        path=str(path),
        format="xlsx",
        sha256=scan.sha256,
        size_bytes=scan.size_bytes,
        sheet=worksheet.title,
        header_row=position,
        fields=fields,
        notes=notes,
    )
    return XlsxReader(workbook, worksheet, info)
