"""CSV export that a spreadsheet cannot turn into a formula.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run
as a formula by Excel, LibreOffice and Google Sheets (CSV injection). Such cells are
written with a leading apostrophe, which spreadsheets show as text and hide. A value
that is really a number (``-3``, ``+44``) is kept as it is only when it parses as one.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def _is_plain_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text and "e" not in text.lower() and not text.lower().lstrip("+-").startswith(("inf", "nan"))


def safe_cell(value: Any) -> str:
    """The value as CSV cell text, neutralised if a spreadsheet would read it as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    else:
        text = str(value)
    if text.startswith(FORMULA_PREFIXES) and not _is_plain_number(text):
        return "'" + text
    return text


def write_safe_csv(out: TextIO, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write a header and rows with every cell made safe; returns the number of rows written."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    count = 0
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
        count += 1
    return count


def safe_csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """The whole CSV as one string (for small exports and tests)."""
    buffer = io.StringIO()
    write_safe_csv(buffer, header, rows)
    return buffer.getvalue()
