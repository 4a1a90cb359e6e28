"""Guessing how a file is written from its first bytes: its format and its CSV delimiter."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import zipfile
from collections import Counter
from pathlib import Path
from typing import Literal

from tools.errors import SourceError
from tools.readers.base import SourceFormat

HEAD_BYTES = 64 * 1024
FORMATS: tuple[SourceFormat, ...] = ("csv", "xlsx", "json", "jsonl")
EXTENSION_FORMATS: dict[str, SourceFormat] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".tab": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}

ContentKind = Literal["xlsx", "xls", "zip", "json", "json-object", "jsonl", "text", "binary", "empty"]
KIND_DESCRIPTIONS: dict[str, str] = {
    "xlsx": "an XLSX workbook",
    "xls": "a legacy Excel .xls workbook, which is not supported: save it as .xlsx or CSV",
    "zip": "a ZIP archive that is not an XLSX workbook",
    "json": "a JSON array",
    "json-object": "a single JSON object",
    "jsonl": "JSON Lines (one object per line)",
    "text": "delimited text (CSV)",
    "binary": "a binary file, not text",
}
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_JSON_ARRAY_START = re.compile(r"\[\s*[{\]]")
# Control bytes other than tab, newlines, form feed and the DOS end-of-file mark.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13, 26))


def read_head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(HEAD_BYTES)


def head_text(head: bytes) -> str:
    """The head decoded well enough to look at its structure (BOM removed)."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            return head[len(bom) :].decode(encoding, errors="ignore")
    return head.decode("utf-8", errors="ignore") if _is_utf8_prefix(head) else head.decode("latin-1")


def _is_utf8_prefix(data: bytes) -> bool:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=False)
    except UnicodeDecodeError:
        return False
    return True


def looks_binary(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls * 10 > len(head)


def content_kind(path: Path, head: bytes) -> ContentKind:
    """What the first bytes say the file is, whatever its name."""
    if head.startswith(_ZIP_MAGIC):
        return "xlsx" if _is_xlsx_zip(path) else "zip"
    if head.startswith(_OLE_MAGIC):
        return "xls"
    if looks_binary(head):
        return "binary"
    text = head_text(head).lstrip()
    if not text:
        return "empty"
    if _JSON_ARRAY_START.match(text):
        return "json"
    if text.startswith("{"):
        first_line, newline, _ = text.partition("\n")
        if not newline and len(head) == HEAD_BYTES:
            return "jsonl"  # one very long first line: cannot tell more from the head
        try:
            return "jsonl" if isinstance(json.loads(first_line), dict) else "json-object"
        except ValueError:
            return "json-object"
    return "text"


def _is_xlsx_zip(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def decide_format(path: Path, head: bytes, requested: str | None) -> tuple[SourceFormat, list[str]]:
    """The format to read ``path`` as, from ``requested``, the extension and the content."""
    if requested is not None and requested not in FORMATS:
        raise SourceError(str(path), f"unknown format {requested!r}; expected one of {', '.join(FORMATS)}")
    kind = content_kind(path, head)
    if kind == "empty":
        raise SourceError(str(path), "file is empty (it holds only whitespace)")
    if requested is not None:
        return requested, [f"format {requested} (as requested)"]  # type: ignore[return-value]
    suffix = path.suffix.lower()
    declared = EXTENSION_FORMATS.get(suffix)
    if declared is None:
        return _format_from_content(path, kind, suffix)
    named = f"is named {suffix}"
    if declared == "csv" and kind in ("text", "json-object"):
        return "csv", []
    if declared == "xlsx" and kind == "xlsx":
        return "xlsx", []
    if declared == "json" and kind == "json":
        return "json", []
    if declared == "jsonl" and kind == "jsonl":
        return "jsonl", []
    if declared == "json" and kind == "jsonl":
        return "jsonl", [f"the file {named} but holds JSON Lines (one object per line); read as JSONL"]
    if declared == "json" and kind in ("json-object", "text"):
        what = "a single JSON object" if kind == "json-object" else "no JSON array"
        raise SourceError(str(path), f"holds {what}; a JSON source must be an array of objects ([{{...}}, ...])")
    if declared == "jsonl" and kind in ("json-object", "text"):
        raise SourceError(str(path), f"{named} but its first line is not a complete JSON object")
    if kind == "binary" and declared == "csv":
        raise SourceError(str(path), f"{named} but looks like a binary file, not text (it holds NUL or control bytes)")
    if declared == "xlsx":
        raise SourceError(str(path), f"{named} but is not an XLSX workbook (it looks like {KIND_DESCRIPTIONS[kind]})")
    raise SourceError(str(path), f"looks like {KIND_DESCRIPTIONS[kind]} but {named}")


def _format_from_content(path: Path, kind: ContentKind, suffix: str) -> tuple[SourceFormat, list[str]]:
    shown = repr(suffix) if suffix else "no extension"
    if kind in ("xlsx", "json", "jsonl"):
        return kind, [f"format {kind} decided from the content ({shown})"]  # type: ignore[return-value]
    if kind == "text":
        return "csv", [f"format csv decided from the content ({shown}): it looks like delimited text"]
    raise SourceError(
        str(path),
        f"unknown format ({shown}): it looks like {KIND_DESCRIPTIONS[kind]}; expected CSV/TSV, XLSX, JSON or JSONL",
    )


def sniff_delimiter(sample: str, *, truncated: bool, preferred: str = ",") -> tuple[str, str]:
    """Pick the delimiter that splits the most records into the same number (>= 2) of fields.

    ``sample`` is the start of the file; when ``truncated`` its last record may be cut
    and is ignored. Quotes are respected (each candidate is parsed with the csv module).
    Ties go to more fields, then to ``preferred``. Returns the delimiter and a note.
    """
    best: tuple[int, int, bool] | None = None
    chosen = preferred
    for delimiter in DELIMITERS:
        records = [record for record in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter) if record]
        if truncated and len(records) > 1:
            records = records[:-1]
        counts = Counter(len(record) for record in records)
        if not counts:
            continue
        width, frequency = max(counts.items(), key=lambda item: (item[1], item[0]))
        if width < 2:
            continue
        score = (frequency, width, delimiter == preferred)
        if best is None or score > best:
            best, chosen = score, delimiter
    name = DELIMITER_NAMES[chosen]
    if best is None:
        return chosen, f"delimiter {name} {chosen!r} assumed: no candidate splits the rows (one column)"
    return chosen, f"delimiter {name} {chosen!r} (sniffed: {best[0]} sampled rows have {best[1]} fields)"
