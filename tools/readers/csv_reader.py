"""The reference CSV/TSV reader: sniffed encoding and delimiter, header below title rows,
ragged rows kept with an error, values exactly as written (strings, never trimmed)."""

from __future__ import annotations

import codecs
import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Iterator

from tools.errors import SourceError
from tools.readers.base import SourceInfo, SourceRow
from tools.readers.closing import ClosingReader
from tools.readers.file_scan import bom_length, scan_text_file
from tools.readers.header import NoHeaderFound, extra_key, find_header, title_note, unique_names
from tools.readers.sniff import looks_binary, read_head, sniff_delimiter

QUOTECHAR = '"'
# Records read to find the header; title rows plus enough data rows to see the table's width.
HEAD_RECORDS = 150
# Characters read to find the header, so an unterminated quote on line 1 cannot pull in a huge file.
HEAD_CHAR_BUDGET = 8 << 20
# The csv module refuses fields over 128 KiB by default; free-text columns (statements,
# incident narratives) can be longer. This is process-wide, and only ever raised.
csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))

if TYPE_CHECKING:
    from _csv import _reader as CsvRecords


def _reader(lines: IO[str] | Iterator[str], delimiter: str) -> "CsvRecords":
    # strict=False: a stray quote inside an unquoted field is kept as a character.
    return csv.reader(lines, delimiter=delimiter, quotechar=QUOTECHAR, doublequote=True, strict=False)


def open_text(path: Path, encoding: str) -> IO[str]:
    # newline="": the csv module needs the raw line ends to keep \r\n inside quoted values.
    return path.open("r", encoding=encoding, newline="")


@dataclass
class HeadRecords:
    """The first records of a file, with the physical line each starts on and the raw text read."""

    records: list[list[str]] = field(default_factory=list)
    first_lines: list[int] = field(default_factory=list)
    lines_after: list[int] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    def text_through(self, position: int) -> str:
        """The raw text of records 0..position (to find where data starts, in bytes)."""
        return "".join(self.lines[: self.lines_after[position]])


def read_head_records(path: Path, encoding: str, delimiter: str, limit: int = HEAD_RECORDS) -> HeadRecords:
    head = HeadRecords()

    def budgeted(fh: IO[str]) -> Iterator[str]:
        used = 0
        for line in fh:
            head.lines.append(line)
            yield line
            used += len(line)
            if used > HEAD_CHAR_BUDGET:
                return

    with open_text(path, encoding) as fh:
        reader = _reader(budgeted(fh), delimiter)
        line = 0
        for record in reader:
            head.records.append(record)
            head.first_lines.append(line + 1)
            line = reader.line_num
            head.lines_after.append(len(head.lines))
            if len(head.records) >= limit:
                break
    return head


def data_start_offset(info: SourceInfo) -> int:
    """Byte offset of the first record after the header (used by the Arrow fast path)."""
    assert info.encoding is not None and info.delimiter is not None and info.header_row is not None
    path = Path(info.path)
    head = read_head_records(path, info.encoding, info.delimiter, info.header_row + 1)
    consumed = head.text_through(info.header_row)
    plain = "utf-8" if info.encoding == "utf-8-sig" else info.encoding
    return bom_length(info.encoding) + len(consumed.encode(plain))


def _sample(path: Path, encoding: str) -> tuple[str, bool]:
    """The first HEAD_BYTES decoded; True when the file goes on past them."""
    head = read_head(path)
    truncated = path.stat().st_size > len(head)
    decoder = codecs.getincrementaldecoder(encoding)()
    return decoder.decode(head, final=not truncated), truncated


class CsvReader(ClosingReader):
    """Rows of a delimited text file, streamed; see ``open_csv``."""

    def __init__(self, path: Path, info: SourceInfo) -> None:
        super().__init__()
        self._path = path
        self.info = info
        self._blank_lines_noted = False

    def rows(self) -> Iterator[SourceRow]:
        assert self.info.encoding is not None and self.info.delimiter is not None
        fh = self._track(open_text(self._path, self.info.encoding))
        try:
            reader = _reader(fh, self.info.delimiter)
            for _ in range((self.info.header_row or 0) + 1):
                next(reader, None)
            names = self.info.fields
            width = len(names)
            index = 0
            blank = 0
            line = reader.line_num
            try:
                for record in reader:
                    first_line, line = line + 1, reader.line_num
                    if not record:
                        blank += 1  # an empty line is not a data row
                        continue
                    if len(record) == width:
                        yield SourceRow(index, dict(zip(names, record)))
                    else:
                        yield self._ragged(index, record, first_line)
                    index += 1
            except csv.Error as exc:
                raise SourceError(str(self._path), f"cannot parse CSV near line {line + 1}: {exc}", row=index) from None
            self._note_blank_lines(blank)
        finally:
            self._untrack(fh)

    def _ragged(self, index: int, record: list[str], first_line: int) -> SourceRow:
        names = self.info.fields
        values: dict[str, str] = dict(zip(names, record))
        for number, value in enumerate(record[len(names) :], start=1):
            values[extra_key(names, number)] = value
        error = f"row {index} has {len(record)} fields, the header has {len(names)} (line {first_line})"
        return SourceRow(index, values, error)

    def _note_blank_lines(self, blank: int) -> None:
        # Known only after a full pass; recorded once however often rows() runs.
        if blank and not self._blank_lines_noted:
            self.info.notes.append(f"{blank} blank line(s) among the data skipped (not data rows)")
        self._blank_lines_noted = True


def open_csv(path: Path, notes: list[str], *, encoding: str | None, delimiter: str | None) -> CsvReader:
    """Sniff encoding and delimiter, find the header and return a reader.

    ``notes`` are the opener's notes so far (how the format was decided).
    """
    shown = str(path)
    if looks_binary(read_head(path)):
        raise SourceError(shown, "looks like a binary file, not text (it holds NUL or control bytes)")
    scan = scan_text_file(path, encoding)
    assert scan.encoding is not None
    notes = [*notes, *scan.notes]
    sample, truncated = _sample(path, scan.encoding)
    if not sample.strip():
        raise SourceError(shown, "file is empty (it holds only whitespace)")
    if delimiter is None:
        preferred = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
        delimiter, delimiter_note = sniff_delimiter(sample, truncated=truncated, preferred=preferred)
    elif len(delimiter) != 1:
        raise SourceError(shown, f"the delimiter must be one character, not {delimiter!r}")
    else:
        delimiter_note = f"delimiter {delimiter!r} (as requested)"
    notes.append(delimiter_note)

    head = read_head_records(path, scan.encoding, delimiter)
    try:
        position = find_header(head.records)
    except NoHeaderFound as exc:
        where = f"line {head.first_lines[exc.position]}" if exc.position is not None else ""
        raise SourceError(shown, exc.describe(where)) from None
    fields, rename_notes = unique_names(head.records[position])
    if position > 0:
        notes.append(title_note(head.records, position, f"line {head.first_lines[position]}"))
    notes.extend(rename_notes)
    info = SourceInfo(
        path=shown,
        format="csv",
        sha256=scan.sha256,
        size_bytes=scan.size_bytes,
        encoding=scan.encoding,
        delimiter=delimiter,
        quotechar=QUOTECHAR,
        header_row=position,
        fields=fields,
        notes=notes,
    )
    return CsvReader(path, info)


__all__ = ["CsvReader", "data_start_offset", "open_csv", "read_head_records"]
