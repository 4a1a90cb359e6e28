"""What every reader gives: a description of the source and its rows, streamed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Literal, Protocol

from pydantic import BaseModel, Field

SourceFormat = Literal["csv", "xlsx", "json", "jsonl"]


class SourceInfo(BaseModel):
    """How a source was read. Stored with datasets and in mapping documents."""

    path: str
    format: SourceFormat
    sha256: str
    size_bytes: int
    encoding: str | None = None
    delimiter: str | None = None
    quotechar: str | None = None
    sheet: str | None = None
    header_row: int | None = Field(default=None, description="0-based physical row of the header (CSV line record / sheet row)")
    fields: list[str] = Field(default_factory=list, description="Field names in source order, made unique")
    notes: list[str] = Field(default_factory=list, description="What the reader decided or repaired (renamed headers, chosen sheet ...)")


@dataclass(slots=True)
class SourceRow:
    """One data row. ``index`` is the 0-based data row number used in records and rejects.

    ``error`` is set when the row itself is broken (ragged, undecodable); such a row
    goes to the quarantine with this reason and whatever ``values`` could be read.
    """

    index: int
    values: dict[str, Any]
    error: str | None = None


class SourceReader(Protocol):
    info: SourceInfo

    def rows(self) -> Iterator[SourceRow]:
        """Stream the rows in source order. Calling it again starts from the first row."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> "SourceReader": ...

    def __exit__(self, *exc: object) -> None: ...
