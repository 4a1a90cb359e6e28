"""Writing the two JSONL files: valid records and the quarantine.

Both engines must write byte-identical lines for the same record, so the format is fixed
here: compact separators, UTF-8 (no ASCII escaping), control characters as lower-case
``\\u00xx`` escapes (Python's ``json`` style; DuckDB writes upper-case hex and is fixed
up), keys in the order ``row``, ``record``, ``errors``, ``source``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa

from tools.engines.record_errors import RecordError

_BUFFER = 1 << 20
_UPPER_ESCAPE = re.compile(rb"(\\+)u00([0-9A-F]{2})")
_ESCAPE_START = re.compile(rb"\\u00")


def dumps(value: Any) -> str:
    """Compact JSON as every output line uses it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_plain)


def _plain(value: Any) -> Any:
    """Raw source values JSON has no type for (XLSX dates and times, decimals) as text."""
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    raise TypeError(f"{type(value).__name__} values cannot be written to JSON")


def record_line(row: int, record: dict[str, Any]) -> str:
    return f'{{"row":{row},"record":{dumps(record)}}}\n'


def reject_line(row: int, record: dict[str, Any], errors: list[RecordError], source: Any) -> str:
    errors_json = dumps([e.to_json() for e in errors])
    return f'{{"row":{row},"record":{dumps(record)},"errors":{errors_json},"source":{dumps(source)}}}\n'


def lowercase_escapes(data: bytes) -> bytes:
    """Turn ``\\u001F`` into ``\\u001f`` where the backslash is an escape (odd run)."""
    if b"\\u00" not in data:
        return data

    def fix(found: re.Match[bytes]) -> bytes:
        slashes, hexdigits = found.group(1), found.group(2)
        if len(slashes) % 2 == 0:
            return found.group(0)
        return slashes + b"u00" + hexdigits.lower()

    return _UPPER_ESCAPE.sub(fix, data)


class OutputPair:
    """The records file and the rejects file, opened (and truncated) together."""

    def __init__(self, out_path: str | Path, rejects_path: str | Path) -> None:
        self.out_path = Path(out_path)
        self.rejects_path = Path(rejects_path)
        self.out_path.parent.mkdir(parents=True, exist_ok=True)
        self.rejects_path.parent.mkdir(parents=True, exist_ok=True)
        self.valid: BinaryIO = open(self.out_path, "wb", buffering=_BUFFER)  # noqa: SIM115 - closed in close()
        self.rejects: BinaryIO = open(self.rejects_path, "wb", buffering=_BUFFER)  # noqa: SIM115

    def restart(self) -> None:
        """Empty both files, for a run that starts again with another engine."""
        for handle in (self.valid, self.rejects):
            handle.seek(0)
            handle.truncate()

    def close(self) -> None:
        self.valid.close()
        self.rejects.close()

    def __enter__(self) -> "OutputPair":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_string_array(handle: BinaryIO, lines: pa.Array, skip: list[int] | None = None) -> None:
    """Write a string array whose every value ends in a newline, straight from its buffer.

    The values of an Arrow string array sit back to back in one data buffer, so the bytes
    between two offsets are exactly those lines joined. ``skip`` lists (sorted) indices of
    lines to leave out; the rest is written as the runs between them, without copying.
    """
    if len(lines) == 0:
        return
    if lines.null_count:
        raise ValueError("an output line is null")
    if not pa.types.is_string(lines.type):
        lines = lines.cast(pa.string())
    _, offsets_buffer, data_buffer = lines.buffers()
    if data_buffer is None:
        return
    offsets = pa.Array.from_buffers(pa.int32(), lines.offset + len(lines) + 1, [None, offsets_buffer])
    data = memoryview(data_buffer)
    first = 0
    for stop in [*(skip or []), len(lines)]:
        if stop > first:
            piece = data[offsets[lines.offset + first].as_py():offsets[lines.offset + stop].as_py()]
            # Only a line holding a control character carries a \u00XX escape.
            handle.write(lowercase_escapes(piece.tobytes()) if _ESCAPE_START.search(piece) else piece)
        first = stop + 1
