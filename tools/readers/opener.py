"""open_source: check the file, decide its format and hand it to the right reader."""

from __future__ import annotations

import os
from pathlib import Path

from tools.errors import SourceError
from tools.readers.base import SourceReader
from tools.readers.csv_reader import open_csv
from tools.readers.json_reader import open_json
from tools.readers.sniff import decide_format, read_head
from tools.readers.xlsx_reader import open_xlsx


def _checked_path(path: str | os.PathLike[str]) -> Path:
    resolved = Path(path)
    if not resolved.exists():
        raise SourceError(str(path), "file not found")
    if resolved.is_dir():
        raise SourceError(str(path), "is a directory, not a file")
    if resolved.stat().st_size == 0:
        raise SourceError(str(path), "file is empty (0 bytes)")
    return resolved


def open_source(
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> SourceReader:
    """Open a CSV/TSV, XLSX, JSON array or JSON Lines file for streaming its rows.

    The format comes from ``format`` if given, else from the extension checked against
    the content. ``sheet`` applies to XLSX, ``delimiter`` to CSV, ``encoding`` to the
    text formats; an option that does not apply is ignored with a note. Every problem
    that stops the file being read raises SourceError naming the file.
    """
    checked = _checked_path(path)
    try:
        chosen, notes = decide_format(checked, read_head(checked), format)
        notes.extend(_ignored_options(chosen, sheet=sheet, encoding=encoding, delimiter=delimiter))
        if chosen == "csv":
            return open_csv(checked, notes, encoding=encoding, delimiter=delimiter)
        if chosen == "xlsx":
            return open_xlsx(checked, notes, sheet=sheet)
        return open_json(checked, notes, format=chosen, encoding=encoding)
    except PermissionError:
        raise SourceError(str(path), "cannot be read (permission denied)") from None


def _ignored_options(format: str, *, sheet: str | None, encoding: str | None, delimiter: str | None) -> list[str]:
    applies = {"sheet": format == "xlsx", "encoding": format != "xlsx", "delimiter": format == "csv"}
    given = {"sheet": sheet, "encoding": encoding, "delimiter": delimiter}
    return [
        f"option {name}={value!r} ignored: it does not apply to a {format} source"
        for name, value in given.items()
        if value is not None and not applies[name]
    ]
