"""Write a CaseSpec as an eval case folder (shared/eval-cases.md) plus truth.mapping.json and README.md."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from evals.case_builders.model import CaseSpec
from evals.case_builders.schema_kit import leaf_pointers
from tools.readers import open_source

FIXED_ZIP_TIME = (2024, 1, 1, 0, 0, 0)
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
_DEFAULT_XLSX_FORMATS = {dt.datetime: "dd/mm/yyyy hh:mm", dt.date: "dd/mm/yyyy", dt.time: "hh:mm"}


class CaseBuildError(Exception):
    """A generated case contradicts itself (a builder bug, never a data problem)."""


def write_case(spec: CaseSpec, root: Path) -> Path:
    """Write the case under ``root/<split>/<name>`` and return the folder."""
    check_spec(spec)
    folder = root / spec.split / spec.name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    source = folder / spec.source_name
    _WRITERS[spec.layout.format](spec, source)
    read = _check_source(spec, source)
    _dump(folder / "target.schema.json", spec.schema)
    truth = {"mappings": [{"target": f.target, "sources": list(f.sources)} for f in spec.fields], "unmapped": list(spec.unmapped)}
    _dump(folder / "truth.json", truth)
    with (folder / "expected.jsonl").open("w", encoding="utf-8", newline="\n") as handle:
        for record in spec.expected:
            handle.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
    _dump(folder / "truth.mapping.json", truth_mapping(spec, read))
    (folder / "README.md").write_text(readme(spec), encoding="utf-8")
    return folder


def check_spec(spec: CaseSpec) -> None:
    """The internal consistency the eval format demands, checked before anything is written."""
    leaves = set(leaf_pointers(spec.schema))
    for f in spec.fields:
        if f.target not in leaves:
            raise CaseBuildError(f"{spec.name}: truth target {f.target} is not a leaf of the schema")
        missing = [s for s in f.sources if s not in spec.columns]
        if missing:
            raise CaseBuildError(f"{spec.name}: truth sources {missing} are not source fields")
    used = {s for f in spec.fields for s in f.sources}
    if used & set(spec.unmapped):
        raise CaseBuildError(f"{spec.name}: {sorted(used & set(spec.unmapped))} are both mapped and unmapped")
    if used | set(spec.unmapped) != set(spec.columns):
        raise CaseBuildError(f"{spec.name}: fields neither mapped nor unmapped: {sorted(set(spec.columns) - used - set(spec.unmapped))}")
    if len(spec.expected) != len(spec.rows):
        raise CaseBuildError(f"{spec.name}: {len(spec.expected)} expected records for {len(spec.rows)} rows")
    targets = [f.target for f in spec.fields]
    if len(set(targets)) != len(targets):
        raise CaseBuildError(f"{spec.name}: a target is mapped twice")


def _dump(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_csv(spec: CaseSpec, path: Path) -> None:
    if spec.raw_source is not None:
        path.write_bytes(spec.raw_source)
        return
    lay = spec.layout
    buffer = io.StringIO(newline="")
    quoting = csv.QUOTE_ALL if lay.quote_all else csv.QUOTE_MINIMAL
    writer = csv.writer(buffer, delimiter=lay.delimiter, quoting=quoting, lineterminator=lay.line_terminator)
    for title in lay.title_rows:
        writer.writerow(title)
    writer.writerow(spec.columns)
    for row in spec.rows:
        writer.writerow(["" if row.get(c) is None else row[c] for c in spec.columns])
    path.write_bytes(buffer.getvalue().encode(lay.encoding))


def _write_xlsx(spec: CaseSpec, path: Path) -> None:
    lay = spec.layout
    book = Workbook()
    sheet = book.active
    sheet.title = lay.sheet
    fixed = dt.datetime(2024, 1, 1)
    book.properties.created = fixed
    book.properties.modified = fixed
    book.properties.creator = "crosswalk eval case builder"
    for title in lay.title_rows:
        sheet.append(title)
    sheet.append(spec.columns)
    first_data = len(lay.title_rows) + 2
    for row in spec.rows:
        sheet.append([row.get(c) for c in spec.columns])
    for col_index, column in enumerate(spec.columns, start=1):
        explicit = lay.number_formats.get(column)
        for row_index in range(first_data, first_data + len(spec.rows)):
            cell = sheet.cell(row=row_index, column=col_index)
            fmt = explicit or _DEFAULT_XLSX_FORMATS.get(type(cell.value))
            if fmt and cell.value is not None and not isinstance(cell.value, str):
                cell.number_format = fmt
    raw = io.BytesIO()
    book.save(raw)
    _rezip_fixed_time(raw.getvalue(), path)


def _rezip_fixed_time(data: bytes, path: Path) -> None:
    """Same workbook, every zip entry stamped with one fixed time, so rebuilds are byte-identical."""
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                data = _MODIFIED.sub(rb"\g<1>2024-01-01T00:00:00Z\g<2>", data)
            dst.writestr(fixed, data)


def _write_json(spec: CaseSpec, path: Path) -> None:
    body = ",\n".join(json.dumps(row, ensure_ascii=False) for row in spec.rows)
    path.write_text("[\n" + body + "\n]\n", encoding="utf-8")


def _write_jsonl(spec: CaseSpec, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for row in spec.rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


_WRITERS = {"csv": _write_csv, "xlsx": _write_xlsx, "json": _write_json, "jsonl": _write_jsonl}


def _check_source(spec: CaseSpec, path: Path) -> dict[str, Any]:
    """Read the file back with crosswalk's reader: same fields, same number of rows."""
    with open_source(path) as reader:
        info = reader.info
        count = sum(1 for _ in reader.rows())
    if list(info.fields) != list(spec.columns):
        raise CaseBuildError(f"{spec.name}: the reader sees fields {info.fields}, the builder wrote {spec.columns}")
    if count != len(spec.rows):
        raise CaseBuildError(f"{spec.name}: the reader sees {count} rows, the builder wrote {len(spec.rows)}")
    return {"format": info.format, "encoding": info.encoding, "delimiter": info.delimiter, "sheet": info.sheet,
            "fields": list(info.fields)}


def truth_mapping(spec: CaseSpec, read: dict[str, Any]) -> dict[str, Any]:
    """The truth as an approved crosswalk mapping document."""
    source = {k: v for k, v in read.items() if v is not None}
    source["path"] = spec.source_name
    return {
        "document_version": "1",
        "description": f"True mapping of eval case {spec.name} ({spec.kind}), written by its case builder.",
        "source": source,
        "target_schema": {"path": "target.schema.json", "id": spec.schema.get("$id")},
        "timezone": "Europe/London",
        "fields": [
            {"target": f.target, "sources": list(f.sources), "transform": f.transform, "confidence": 1.0,
             "status": "approved", "rationale": f.rationale}
            for f in spec.fields
        ],
        "unmapped_sources": list(spec.unmapped),
        "unmapped_reasons": {k: spec.unmapped_reasons.get(k, "no home in the target") for k in spec.unmapped},
    }


def readme(spec: CaseSpec) -> str:
    """A short human description of the case."""
    unfilled = sorted(set(leaf_pointers(spec.schema)) - {f.target for f in spec.fields})
    lines = [
        f"# {spec.name}",
        "",
        spec.summary,
        "",
        f"- **Kind**: {spec.kind}",
        f"- **Source**: `{spec.source_name}` ({_layout_text(spec)}), {len(spec.rows)} rows, {len(spec.columns)} fields",
        f"- **Mess**: {'; '.join(spec.mess)}",
        f"- **Target**: {spec.schema.get('title')} ({len(leaf_pointers(spec.schema))} leaves, {len(spec.fields)} filled)",
        f"- **Unmapped source fields**: {', '.join(f'`{u}`' for u in spec.unmapped) or 'none'}",
        f"- **Target fields with no source**: {', '.join(f'`{u}`' for u in unfilled) or 'none'}",
    ]
    if spec.seed is not None:
        lines.append(f"- **Generated** by `evals/case_builders` with seed {spec.seed}; rebuild with `python -m evals.case_builders`.")
    if spec.provenance:
        lines += ["", "## Provenance", "", spec.provenance]
    return "\n".join(lines) + "\n"


def _layout_text(spec: CaseSpec) -> str:
    lay = spec.layout
    if lay.format == "csv":
        names = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
        extra = f", {len(lay.title_rows)} title rows" if lay.title_rows else ""
        return f"CSV, {lay.encoding}, {names.get(lay.delimiter, lay.delimiter)}-delimited{extra}"
    if lay.format == "xlsx":
        return f"XLSX sheet '{lay.sheet}', {len(lay.title_rows)} title rows"
    return "JSON array" if lay.format == "json" else "JSON Lines"
