"""Mapping versions: the list, one version's fields and JSON, and the diff between two versions.

Versions are immutable and content-addressed (the id is the document's SHA-256), so
the JSON download is exactly what ``crosswalk apply --mapping-version ID`` applies.
Ids in URLs may be a unique prefix of 8+ characters, as on the command line.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from agent.audit.approved_versions import approvals_of
from agent.store import MappingVersion
from agent.store.mapping_versions import load_mapping_version, resolve_version_id
from agent.store.run_queries import child_versions, list_versions, runs_of_versions, status_counts
from review_ui.deps import WebUser, db_session, require
from review_ui.json_view import pretty_json
from review_ui.rendering import render
from tools.errors import MappingError, StoreError
from tools.mapping_diff import diff_documents

router = APIRouter()

VERSIONS_PER_PAGE = 25
SHORT_ID = 12


def _version(session: Session, given: str) -> MappingVersion:
    """The stored version named by an id or prefix, or a 404 page."""
    try:
        found = session.get(MappingVersion, resolve_version_id(session, given.strip()))
    except StoreError:
        found = None
    if found is None:
        raise HTTPException(status_code=404, detail=f"No mapping version {given}.")
    return found


@router.get("/versions", response_class=HTMLResponse)
def versions_page(request: Request, page: int = 1, user: WebUser = Depends(require("view")),
                  session: Session = Depends(db_session)) -> HTMLResponse:
    """Every mapping version, newest first."""
    rows, info = list_versions(session, page, VERSIONS_PER_PAGE)
    return render(request, "versions.html", {"rows": rows, "page": info})


# Registered before /versions/{version_id}: that pattern would also match "ID.json".
@router.get("/versions/{version_id}.json")
def version_json(version_id: str, user: WebUser = Depends(require("view")),
                 session: Session = Depends(db_session)) -> Response:
    """The version's document as a file download (what ``apply --mapping-version`` uses)."""
    version = _version(session, version_id)
    body = json.dumps(version.document, indent=2, ensure_ascii=False) + "\n"
    return Response(body, media_type="application/json",
                    headers={"content-disposition": f'attachment; filename="mapping-{version.id[:SHORT_ID]}.json"'})


def _field_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"target": f["target"], "sources": f.get("sources") or [], "op": (f.get("transform") or {}).get("op", ""),
             "transform": pretty_json(f.get("transform")), "status": f.get("status", ""),
             "confidence": f.get("confidence"), "review_reasons": f.get("review_reasons") or []}
            for f in document.get("fields") or []]


@router.get("/versions/{version_id}", response_class=HTMLResponse)
def version_page(request: Request, version_id: str, user: WebUser = Depends(require("view")),
                 session: Session = Depends(db_session)) -> Response:
    """One version: its fields, unmapped sources, lineage, and how to apply it."""
    version = _version(session, version_id)
    if version.id != version_id:  # a prefix: show the canonical address
        return RedirectResponse(f"/versions/{version.id}", status_code=303)
    document = version.document
    reasons = document.get("unmapped_reasons") or {}
    context = {
        "version": version,
        "fields": _field_rows(document),
        "counts": status_counts(document),
        "unmapped": [(name, reasons.get(name, "")) for name in document.get("unmapped_sources") or []],
        "source": document.get("source") or {},
        "target_schema": document.get("target_schema") or {},
        "run_ids": runs_of_versions(session, [version.id]).get(version.id, []),
        "children": child_versions(session, version.id),
        "approvals": approvals_of(session, version.id),
    }
    return render(request, "version.html", context)


def _part_text(part: str, value: Any) -> str:
    """A diffed part as text: transforms as pretty JSON, sources joined, confidence as a number."""
    if value is None:
        return "\u2014"
    if part == "sources" and isinstance(value, list):
        return " + ".join(str(v) for v in value) or "(none)"
    if part == "confidence" and isinstance(value, (int, float)):
        return f"{value:.4f}"
    return pretty_json(value) if isinstance(value, (dict, list)) else str(value)


@router.get("/versions/{version_id}/diff", response_class=HTMLResponse)
def version_diff(request: Request, version_id: str, against: str | None = None, user: WebUser = Depends(require("view")),
                 session: Session = Depends(db_session)) -> HTMLResponse:
    """Field by field, what changed from ``against`` (default: the parent) to this version."""
    version = _version(session, version_id)
    other = _version(session, against) if against else (
        session.get(MappingVersion, version.parent_version) if version.parent_version else None)
    context: dict[str, Any] = {"version": version, "other": other, "diff": None, "changes": []}
    if other is not None:
        try:
            diff = diff_documents(load_mapping_version(session, other.id), load_mapping_version(session, version.id))
        except (StoreError, MappingError) as exc:
            raise HTTPException(status_code=400, detail=exc.one_line()) from None
        context["diff"] = diff
        context["changes"] = [
            {"target": c.target, "kind": c.kind,
             "parts": [{"part": p.part, "before": _part_text(p.part, p.before), "after": _part_text(p.part, p.after)}
                       for p in c.parts],
             "summary": _part_text("transform", c.after if c.kind == "added" else c.before)}
            for c in diff.fields]
    return render(request, "version_diff.html", context)
