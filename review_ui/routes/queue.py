"""The review queue page and its CSV export.

The filter is a GET form (bookmarkable, works without JavaScript); the query itself
lives in ``agent.store.review_queue`` so the page and the export agree on every row.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from agent.audit import record_event
from agent.store.review_queue import DEFAULT_PER_PAGE, KINDS, STATES, QueueFilter, QueueRow, queue_page, queue_rows
from review_ui.deps import WebUser, db_session, require
from review_ui.errors import WebError
from review_ui.rendering import render
from tools.csv_safe import safe_csv_text

router = APIRouter()

KIND_LABELS: dict[str, str] = {
    "mapping_field": "Field mapping",
    "field_merge": "Field merge",
    "value_map": "Value map",
    "record_merge": "Record merge",
}
STATE_LABELS: dict[str, str] = {
    "undecided": "Undecided (open or edited)",
    "open": "Open",
    "edited": "Edited (waiting for approval)",
    "approved": "Approved",
    "rejected": "Rejected",
    "all": "Any state",
}
SORT_LABELS: dict[str, str] = {
    "confidence": "Lowest confidence first",
    "-confidence": "Highest confidence first",
    "created": "Oldest first",
    "-created": "Newest first",
}
CSV_HEADER: tuple[str, ...] = ("item_id", "target", "sources", "kind", "confidence", "state", "version", "run_id",
                               "dataset", "proposed_by", "decided_by", "decided_at", "reason", "created_at")


def age(created_at: str, now: datetime | None = None) -> str:
    """How long ago an RFC 3339 time was, in the largest sensible unit ("3 days")."""
    try:
        then = datetime.fromisoformat(created_at.replace("Z", "+00:00"))
    except ValueError:
        return ""
    seconds = max(0, int(((now or datetime.now(timezone.utc)) - then).total_seconds()))
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return "just now"


def read_filter(request: Request) -> QueueFilter:
    """The filter from the query string; a value the form never offers is a 400 page, not a guess."""
    given = {key: request.query_params.get(key) for key in QueueFilter.model_fields if key in request.query_params}
    if "run" in request.query_params and "run_id" not in given:  # /queue?run=ID, as the runs pages link it
        given["run_id"] = request.query_params.get("run")
    try:
        return QueueFilter.model_validate(given)
    except ValidationError as exc:
        names = sorted({str(e["loc"][0]) for e in exc.errors() if e.get("loc")})
        raise WebError(f"The queue filter has a value that is not allowed ({', '.join(names)}); "
                       "choose it from the form instead.") from None


@router.get("/queue", response_class=HTMLResponse)
def queue(request: Request, user: WebUser = Depends(require("view")),
          session: Session = Depends(db_session)) -> HTMLResponse:
    """The queue: filter form, one page of items, pagination."""
    query = read_filter(request)
    page = queue_page(session, query)
    now = datetime.now(timezone.utc)
    rows = [{"item": row, "age": age(row.created_at, now)} for row in page.items]
    export_args = query.query_args(page=1, per_page=DEFAULT_PER_PAGE)  # the export takes every page
    context: dict[str, Any] = {
        "page": page, "rows": rows, "query": query, "kinds": KINDS, "states": STATES,
        "kind_labels": KIND_LABELS, "state_labels": STATE_LABELS, "sort_labels": SORT_LABELS,
        "page_links": _page_links(query, page.pages), "export_args": export_args,
        "filtered": bool(query.dataset or query.kind or query.run_id or query.state != "undecided"),
    }
    return render(request, "queue.html", context)


def _page_links(query: QueueFilter, pages: int) -> list[dict[str, Any]]:
    """Links to the first, last and nearby pages (None as a gap marker), for a long queue."""
    shown = sorted({1, pages, *range(max(1, query.page - 2), min(pages, query.page + 2) + 1)})
    links: list[dict[str, Any]] = []
    previous = 0
    for number in shown:
        if number - previous > 1:
            links.append({"gap": True})
        links.append({"gap": False, "number": number, "args": query.query_args(page=number),
                      "current": number == query.page})
        previous = number
    return links


def _csv_row(row: QueueRow) -> list[Any]:
    sources = " ↔ ".join(row.pair) if row.pair else " + ".join(row.sources)
    return [row.id, row.target, sources, row.kind, row.confidence, row.state, row.version, row.run_id,
            row.dataset_name, row.proposed_by, row.decided_by, row.decided_at, row.reason, row.created_at]


@router.get("/queue.csv")
def queue_csv(request: Request, user: WebUser = Depends(require("export")),
              session: Session = Depends(db_session)) -> Response:
    """Every item matching the filter (all pages) as CSV, safe to open in a spreadsheet."""
    query = read_filter(request)
    rows = [_csv_row(row) for row in queue_rows(session, query)]
    text = safe_csv_text(CSV_HEADER, rows)
    record_event(session, user.username, "queue_exported", "review_queue",
                 {"filter": query.model_dump(exclude={"page", "per_page"})}, {"rows": len(rows)})
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%MZ")
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="review-queue-{stamp}.csv"',
                             "Cache-Control": "no-store"})
