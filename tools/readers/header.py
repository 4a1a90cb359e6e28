"""Finding the header row below title rows, and making header names usable as field names.

Shared by the CSV and XLSX readers. A "row" here is a list of cells: strings for CSV,
cell values for XLSX (with trailing empty cells already trimmed by the caller).
"""

from __future__ import annotations

from typing import Any, Sequence

# Title rows above a header are a handful in practice; beyond this many we stop looking.
MAX_ROWS_BEFORE_HEADER = 25
# How many rows after a candidate decide the width of the table below it.
WIDTH_WINDOW = 50


class NoHeaderFound(Exception):
    """No row looks like column names.

    ``position`` is the 0-based position (in the rows given) of the row that settled it,
    if one did; ``describe`` words the reason with the caller's name for that row.
    """

    def __init__(self, reason: str, position: int | None = None) -> None:
        self.reason = reason
        self.position = position
        super().__init__(reason.format(where=f"row {position}"))

    def describe(self, where: str) -> str:
        return self.reason.format(where=where)


def is_blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def filled_count(row: Sequence[Any]) -> int:
    return sum(1 for cell in row if not is_blank(cell))


def looks_like_names(row: Sequence[Any]) -> bool:
    """Most filled cells are text with a letter in them, and they are mostly distinct."""
    filled = [cell for cell in row if not is_blank(cell)]
    if not filled:
        return False
    texts = [cell for cell in filled if isinstance(cell, str) and any(ch.isalpha() for ch in cell)]
    distinct = {str(cell).strip().casefold() for cell in filled}
    return 2 * len(texts) >= len(filled) and 2 * len(distinct) >= len(filled)


def _table_width(following: Sequence[Sequence[Any]]) -> int:
    """The width of the table below a candidate row: the (lower) median width of the rows
    with two or more filled cells. One-cell rows are left out because they are mostly
    title rows; the median, not the mode, because ragged or trimmed rows vary in width."""
    widths = sorted(len(row) for row in following if filled_count(row) >= 2) or sorted(len(row) for row in following)
    return widths[(len(widths) - 1) // 2]


def preview(row: Sequence[Any], limit: int = 5) -> str:
    cells = ", ".join(repr(cell) for cell in row[:limit])
    return cells + (", ..." if len(row) > limit else "")


def find_header(rows: Sequence[Sequence[Any]]) -> int:
    """Return the position of the header row in ``rows``.

    The header is the first non-blank row at least as wide as the table below it, more
    than half filled, with cells that look like names. Rows before it must look like
    titles (at most half as many filled cells as the table is wide). A row that is
    neither a title nor narrower-but-name-like (a header over ragged rows) looks like
    data: the file has no header.
    """
    nonblank = [pos for pos, row in enumerate(rows) if filled_count(row) > 0]
    if not nonblank:
        raise NoHeaderFound(f"no header row: the first {len(rows)} rows are all empty")
    for rank, pos in enumerate(nonblank[: MAX_ROWS_BEFORE_HEADER + 1]):
        row = rows[pos]
        following = [rows[later] for later in nonblank[rank + 1 : rank + 1 + WIDTH_WINDOW]]
        table_width = _table_width(following) if following else len(row)
        filled = filled_count(row)
        if len(row) >= table_width and 2 * filled > len(row) and looks_like_names(row):
            return pos
        if filled <= max(1, table_width // 2):
            continue  # a title row ("Custody records export", "Generated 01/02/2024")
        if filled >= 2 and looks_like_names(row):
            return pos  # the header of a table whose rows are mostly ragged
        # {where} is filled in by the caller ("line 3", "sheet row 3")
        raise NoHeaderFound("no header row: {where} looks like data (" + _braces(preview(row)) + "), not column names", pos)
    raise NoHeaderFound(
        f"no header row: none of the first {MAX_ROWS_BEFORE_HEADER + 1} non-empty rows looks like column names"
    )


def _braces(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def header_text(cell: Any) -> str:
    """A header cell as text (XLSX header cells may be numbers or dates)."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if hasattr(cell, "isoformat"):
        return str(cell.isoformat())
    return str(cell)


def unique_names(raw: Sequence[str]) -> tuple[list[str], list[str]]:
    """Trim header names, name blank ones ``column_<n>`` and suffix duplicates (``NAME_2``).

    Names are identifiers that mappings refer to, so surrounding spaces (``"rec_id,
    given_name"``) are trimmed, unlike values. Duplicates are found ignoring case because
    DuckDB and most SQL stores treat ``Name`` and ``NAME`` as one column. Returns the
    names and one note per kind of change.
    """
    names: list[str] = []
    notes: list[str] = []
    taken: set[str] = set()
    trimmed = [name for name in raw if name.strip() and name != name.strip()]
    if trimmed:
        shown = ", ".join(repr(name) for name in trimmed[:5]) + (", ..." if len(trimmed) > 5 else "")
        notes.append(f"{len(trimmed)} header name(s) trimmed of surrounding spaces: {shown}")
    for position, name in enumerate(raw, start=1):
        base = name.strip()
        if not base:
            base = f"column_{position}"
            notes.append(f"column {position} has no header name; named {base!r}")
        candidate = base
        suffix = 2
        while candidate.casefold() in taken:
            candidate = f"{base}_{suffix}"
            suffix += 1
        if candidate != base:
            notes.append(f"duplicate header {base!r} in column {position} renamed {candidate!r}")
        taken.add(candidate.casefold())
        names.append(candidate)
    return names, notes


def extra_key(names: Sequence[str], number: int) -> str:
    """Key for the ``number``-th value past the header's last column (``_extra_1`` ...)."""
    key = f"_extra_{number}"
    while key in names:
        key = "_" + key  # a real column already has that name; never overwrite it
    return key


def title_note(rows: Sequence[Sequence[Any]], header_pos: int, where: str) -> str:
    """The note recording that rows above the header were skipped."""
    titles = [preview([cell for cell in row if not is_blank(cell)], 2) for row in rows[:header_pos] if filled_count(row)]
    shown = "; ".join(titles[:3]) + ("; ..." if len(titles) > 3 else "")
    text = f"header found on {where}; {header_pos} row(s) above it skipped"
    return text + (f" (titles: {shown})" if shown else "")
