"""Apply an accepted mapping to a whole source file, with a run record and audit events.

Order of work: load and check everything the user gave (mapping, schema, source) before
anything is stored, so a typo leaves no half-made run; then register the dataset, store
the mapping version, open the run, apply, and close the run with its summary.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from agent.audit import record_event
from agent.minimisation import apply_summary
from agent.jobs.source_access import ReadOptions, require_file
from agent.settings import Settings
from agent.store import (
    close_run, file_sha256, load_mapping_version, open_run, open_session, register_dataset, store_mapping_version,
)
from agent.audit.approved_versions import resolve_mapping_ref
from tools.engines import apply_mapping
from tools.errors import CrosswalkError
from tools.engines.summary import ApplySummary
from tools.mapping import MappingDocument, load_mapping
from tools.readers import open_source
from tools.standards import bundled_standard_path
from tools.target_schema import load_target_schema

SchemaOrigin = Literal["option", "mapping", "bundled"]


class ApplyRequestError(CrosswalkError):
    """The apply request names no mapping, or two."""


@dataclass(frozen=True)
class ApplyRequest:
    """Everything ``crosswalk apply`` was asked to do."""

    mapping_path: Path | None  # None: the stored mapping version ``mapping_version_id``
    source_path: Path
    out_path: Path
    rejects_path: Path
    target_schema_path: Path | None = None
    include_pending: bool = False
    engine: str | None = None
    read_options: ReadOptions | None = None
    mapping_version_id: str | None = None  # apply a stored (e.g. reviewed and approved) version instead of a file


@dataclass(frozen=True)
class ApplyOutcome:
    run_id: str
    dataset_id: str
    mapping_version_id: str
    schema_path: Path
    schema_origin: SchemaOrigin
    summary: ApplySummary


def resolve_schema_path(
    doc: MappingDocument, mapping_path: Path, explicit: Path | None
) -> tuple[Path, SchemaOrigin]:
    """The target schema to validate against, and where that choice came from.

    An explicit ``--target-schema`` wins; then the mapping's ``target_schema.path``
    if that file exists (relative paths are tried against the mapping's folder first,
    then the working directory); otherwise the bundled police standard.
    """
    if explicit is not None:
        return explicit, "option"
    named = doc.target_schema.path if doc.target_schema else None
    if named:
        candidate = Path(named)
        tries = [candidate] if candidate.is_absolute() else [mapping_path.parent / candidate, candidate]
        for path in tries:
            if path.is_file():
                return path, "mapping"
    return bundled_standard_path(), "bundled"


def _requested_mapping(settings: Settings, request: ApplyRequest) -> MappingDocument:
    """The mapping file, or the stored version (a unique id prefix of 8+ characters will do)."""
    if (request.mapping_path is None) == (request.mapping_version_id is None):
        raise ApplyRequestError("give either a mapping file or --mapping-version ID, not both or neither")
    if request.mapping_path is not None:
        return load_mapping(request.mapping_path)
    with open_session(settings) as session:
        return load_mapping_version(session, resolve_mapping_ref(session, request.mapping_version_id or ""))


def _mapping_read_options(doc: MappingDocument) -> dict[str, str]:
    """The encoding, delimiter and sheet the mapping recorded for its source, where set."""
    if doc.source is None:
        return {}
    found = {"encoding": doc.source.encoding, "delimiter": doc.source.delimiter, "sheet": doc.source.sheet}
    return {k: v for k, v in found.items() if v is not None}


def _file_facts(path: Path) -> dict[str, Any]:
    """Size and hash of an output file, so an auditor can tell it was not changed later."""
    return {"path": str(path), "sha256": file_sha256(path), "size_bytes": path.stat().st_size}


def run_apply_job(
    settings: Settings,
    request: ApplyRequest,
    *,
    progress: Callable[[int], None] | None = None,
) -> ApplyOutcome:
    """Run ``tools.engines.apply_mapping`` for ``request`` inside a logged run."""
    doc = _requested_mapping(settings, request)
    # a stored version has no folder of its own: relative schema paths resolve from the working directory
    schema_path, schema_origin = resolve_schema_path(doc, request.mapping_path or Path("mapping-version"), request.target_schema_path)
    schema = load_target_schema(schema_path)
    require_file(request.source_path)
    options = request.read_options or ReadOptions()
    # Read the source the way the engine will: options given now, else the mapping's own.
    read_kwargs = options.given() or _mapping_read_options(doc)
    with open_source(request.source_path, **read_kwargs) as reader:
        info = reader.info
    engine = request.engine or settings.engine
    for path in (request.out_path, request.rejects_path):
        path.parent.mkdir(parents=True, exist_ok=True)

    actor = settings.actor()
    with open_session(settings) as session:
        dataset = register_dataset(
            session, request.source_path, sha256=info.sha256, format=info.format, size_bytes=info.size_bytes
        )
        version = store_mapping_version(session, doc, created_by=actor)
        run = open_run(session, "apply", actor=actor, dataset_id=dataset.id, mapping_version_id=version.id)
        record_event(
            session, actor, "run_started", f"run:{run.id}",
            {"kind": "apply", "engine": engine, "include_pending": request.include_pending},
            {}, run.id,
        )
        record_event(
            session, actor, "dataset_read", f"dataset:{dataset.id}",
            {"path": str(request.source_path), "read_options": read_kwargs},
            {"sha256": info.sha256, "size_bytes": info.size_bytes, "format": info.format,
             "encoding": info.encoding, "delimiter": info.delimiter, "fields": list(info.fields)},
            run.id,
        )
        applied = doc.applied_fields(request.include_pending)
        record_event(
            session, actor, "mapping_version_used", f"mapping_version:{version.id}",
            {"path": str(request.mapping_path) if request.mapping_path else None, "requested_version": request.mapping_version_id,
             "target_schema": str(schema_path), "schema_origin": schema_origin},
            {"fields_applied": [f.target for f in applied], "fields_in_document": len(doc.fields)},
            run.id,
        )
        try:
            summary = apply_mapping(
                doc, request.source_path, schema, request.out_path, request.rejects_path,
                include_pending=request.include_pending, engine=engine,
                read_options=read_kwargs, progress=progress,
            )
        except BaseException as exc:
            # Close the run as failed even on Ctrl-C, so no run is left 'running' forever.
            message = f"{type(exc).__name__}: {exc}"
            close_run(session, run, error=message)
            record_event(session, actor, "apply_failed", f"run:{run.id}", {}, {"error": message}, run.id)
            raise
        summary_json = summary.model_dump(mode="json")
        outputs = {
            "summary": apply_summary(summary_json, raw=settings.audit_raw_values),  # error examples quote source values
            "records": _file_facts(request.out_path),
            "rejects": _file_facts(request.rejects_path),
        }
        record_event(session, actor, "apply_finished", f"run:{run.id}", {}, outputs, run.id)
        close_run(session, run, summary=summary_json)
        return ApplyOutcome(
            run_id=run.id, dataset_id=dataset.id, mapping_version_id=version.id,
            schema_path=schema_path, schema_origin=schema_origin, summary=summary,
        )
