"""What a case builder produces: the source layout, rows, target schema, truth and expected records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

CaseFormat = Literal["csv", "xlsx", "json", "jsonl"]
Split = Literal["cases", "heldout"]


@dataclass
class SourceLayout:
    """How the source file is written: format, encoding, delimiter and any title rows."""

    format: CaseFormat
    encoding: str = "utf-8"  # csv only: utf-8, utf-8-sig (BOM) or cp1252
    delimiter: str = ","
    title_rows: list[list[Any]] = field(default_factory=list)  # csv lines / sheet rows above the header
    sheet: str = "Sheet1"
    quote_all: bool = False
    line_terminator: str = "\r\n"
    number_formats: dict[str, str] = field(default_factory=dict)  # xlsx: column -> Excel number format


@dataclass
class TrueField:
    """One entry of the truth: the target leaf, its sources and the transform that fills it."""

    target: str
    sources: list[str]
    transform: dict[str, Any]
    rationale: str = ""


@dataclass
class CaseSpec:
    """Everything needed to write one eval case folder."""

    name: str
    split: Split
    kind: str
    mess: list[str]
    summary: str
    layout: SourceLayout
    columns: list[str]  # source field names in order (JSON Pointers for nested JSON)
    rows: list[Any]  # csv/xlsx: dict column -> cell; json/jsonl: the objects as exported
    schema: dict[str, Any]
    fields: list[TrueField]
    unmapped: list[str]
    expected: list[dict[str, Any]]
    unmapped_reasons: dict[str, str] = field(default_factory=dict)
    provenance: str | None = None  # README text for cases written from real data
    raw_source: bytes | None = None  # real data: the exact bytes to write (rows then only describe them)
    seed: int | None = None

    @property
    def source_name(self) -> str:
        return f"source.{self.layout.format}"
