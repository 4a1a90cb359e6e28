"""The item page: evidence for one review item, and the forms to decide or edit it.

Two forms, so that pressing Enter never approves anything: the decision form (reason,
Approve, Reject) and the edit form (sources, transform, reason, Preview, Save edit).
Decisions go through ``agent.jobs.review_job.decide_item`` as the signed-in person, then
Post/Redirect/Get back to the item with a flash message. A refused decision re-renders
the page with everything the person typed, so nothing is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from agent.jobs.propose_job import REVIEW_STATUS
from agent.jobs.review_job import RESUMING_STATUS, DecideOutcome, decide_item, preview_edit
from agent.store import Dataset, Run
from agent.store.models import ReviewItem
from agent.store.review import UNDECIDED, FourEyesError, ReviewConflict, ReviewError, get_item, open_items
from agent.store.review_queue import dataset_name
from review_ui.deps import WebUser, actor_settings, app_settings, db_session, require
from review_ui.errors import Forbidden, WebError
from review_ui.item_view import field_profiles, review_reasons, run_profile, source_fields
from review_ui.merge_view import MERGE_KIND, MERGE_LABELS, applied_decision, merge_context
from review_ui.json_view import scalar_text
from review_ui.rendering import flash, render
from review_ui.roles import PERMISSION_PHRASES
from review_ui.routes.queue import KIND_LABELS
from review_ui.transform_form import all_fieldsets, parse_form
from tools.errors import CrosswalkError

router = APIRouter()

MIN_SOURCE_SLOTS = 3  # empty slots let a reviewer add a source without JavaScript
DECISIONS: dict[str, str] = {"approve": "decide", "reject": "decide", "edit": "edit"}


class NotFound(WebError):
    status_code = 404
    title = "Review item not found"


@dataclass
class EditDraft:
    """The edit form's content: from the stored proposal, or as the person last submitted it."""

    sources: list[str]
    op: str
    typed: dict[str, str] | None = None  # submitted parameter inputs (None: fill from the stored transform)
    reason: str = ""


@dataclass
class Alert:
    """A message shown at the top of the re-rendered page (a refused decision, a bad edit)."""

    level: str
    title: str
    text: str


def _item_or_404(session: Session, item_id: str) -> ReviewItem:
    try:
        return get_item(session, item_id)
    except ReviewError:
        raise NotFound(f"There is no review item {item_id}. It may have been mistyped.") from None


def _form_text(form: Any) -> dict[str, str]:
    """The submitted fields as text (first value of each; uploads ignored)."""
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _seen_version(form: dict[str, str]) -> int:
    try:
        return int(form.get("version", ""))
    except ValueError:
        raise WebError("The form lacks the item version you looked at; reload the item and try again.") from None


def _draft_from(form: dict[str, str]) -> EditDraft:
    slots = sorted((k for k in form if k.startswith("source_") and k[7:].isdigit()), key=lambda k: int(k[7:]))
    sources = list(dict.fromkeys(form[k].strip() for k in slots if form[k].strip()))  # order kept, repeats dropped
    # an op outside the vocabulary stays as sent: parse_form names it, no fieldset matches it
    return EditDraft(sources=sources, op=form.get("op", ""), typed=form, reason=form.get("reason", ""))


def _edit_of(draft: EditDraft) -> tuple[dict[str, Any] | None, list[str]]:
    """The edit ``{"sources", "transform"}`` the draft describes, or what is wrong with it."""
    result = parse_form(draft.typed or {}, draft.op)
    if result.transform is None:
        return None, result.errors
    return {"sources": draft.sources, "transform": result.transform}, []


def _permissions(user: WebUser, item: ReviewItem, run: Run | None) -> dict[str, Any]:
    """Which buttons to show, and why a hidden one is hidden (the server checks again regardless)."""
    undecided = item.state in UNDECIDED
    started = run is not None and run.actor == user.username
    own = item.proposed_by == user.username
    notes: list[str] = []
    if undecided and user.can("decide"):
        if started:
            notes.append(f"You started run {item.run_id[:8]}: another supervisor must decide its items. You may still propose an edit.")
        elif own:
            notes.append("You proposed or edited this item: another supervisor must approve it.")
    editable = item.kind != MERGE_KIND  # a record pair has nothing to edit: it is one person or two
    if notes and started and not editable:
        notes = [f"You ran link run {item.run_id[:8]}: another supervisor must decide its record merges."]
    return {"can_approve": undecided and user.can("decide") and not started and not own,
            "can_reject": undecided and user.can("decide") and not started,
            "can_edit": editable and undecided and user.can("edit"), "four_eyes_notes": notes}


def _samples_view(preview: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Preview samples with their inputs as display text (None shown as a dash)."""
    return [{**s, "inputs_text": [scalar_text(v) for v in s.get("inputs") or []],
             "output_text": scalar_text(s.get("output")) if "error" not in s else ""}
            for s in (preview or {}).get("samples") or []]


def item_page(request: Request, session: Session, item: ReviewItem, user: WebUser, *, status_code: int = 200,
              draft: EditDraft | None = None, preview: dict[str, Any] | None = None, edit_errors: list[str] | None = None,
              alert: Alert | None = None, decision_reason: str = "") -> HTMLResponse:
    """The item page, optionally with an edit preview, form errors or an alert."""
    run = session.get(Run, item.run_id)
    if item.kind == MERGE_KIND:
        context = {"item": item, "run": run, "kind_label": KIND_LABELS.get(item.kind, item.kind), "alert": alert,
                   "decision_reason": decision_reason, "draft": draft, "undecided": item.state in UNDECIDED,
                   "decision_labels": MERGE_LABELS, **merge_context(session, item), **_permissions(user, item, run)}
        return render(request, "merge_item.html", context, status_code=status_code)
    dataset = session.get(Dataset, run.dataset_id) if run is not None and run.dataset_id else None
    field = item.proposal.get("field") or {}
    transform = field.get("transform") or {}
    profile = run_profile(app_settings(request), session, run)
    draft = draft or EditDraft(sources=list(field.get("sources") or []), op=str(transform.get("op", "copy")))
    stored_preview = item.proposal.get("preview") or {}
    slots = max(MIN_SOURCE_SLOTS, len(draft.sources) + 1)
    context: dict[str, Any] = {
        "item": item, "run": run, "dataset": dataset, "dataset_name": dataset_name(dataset.path) if dataset else None,
        "field": field, "transform": transform, "evidence": item.proposal.get("evidence") or {},
        "kind_label": KIND_LABELS.get(item.kind, item.kind), "reasons": review_reasons(field),
        "samples": _samples_view(stored_preview), "validation": stored_preview.get("validation") or field.get("validation") or {},
        "profiles": field_profiles(profile, list(field.get("sources") or [])),
        "edits": list(reversed(item.proposal.get("edits") or [])), "undecided": item.state in UNDECIDED,
        "draft": draft, "source_choices": source_fields(profile, item),
        "source_slots": [draft.sources[i] if i < len(draft.sources) else "" for i in range(slots)],
        "fieldsets": all_fieldsets(transform, draft.op, draft.typed),
        "preview": preview, "preview_samples": _samples_view(preview), "edit_errors": edit_errors or [],
        "alert": alert, "decision_reason": decision_reason,
        "decision_labels": {"approve": "Approve", "reject": "Reject", "hint": f"Rejecting leaves {item.target} unmapped."},
        "run_finished": run is not None and run.status == "succeeded" and item.state not in UNDECIDED,
        "run_stalled": _run_stalled(session, run, item),
        **_permissions(user, item, run),
    }
    return render(request, "item.html", context, status_code=status_code)


def _run_stalled(session: Session, run: Run | None, item: ReviewItem) -> str | None:
    """Why a fully decided run has not finished yet ("resuming", "review": resuming failed), else None."""
    if run is None or item.state in UNDECIDED or run.status not in (REVIEW_STATUS, RESUMING_STATUS):
        return None
    if run.status == REVIEW_STATUS and open_items(session, run.id):
        return None  # other items still wait: nothing is stalled
    return run.status


@router.get("/items/{item_id}", response_class=HTMLResponse)
def show_item(request: Request, item_id: str, user: WebUser = Depends(require("view")),
              session: Session = Depends(db_session)) -> HTMLResponse:
    """One item with its evidence and, for those allowed, the decision and edit forms."""
    return item_page(request, session, _item_or_404(session, item_id), user)


@router.post("/items/{item_id}/preview", response_class=HTMLResponse)
async def preview_item(request: Request, item_id: str, user: WebUser = Depends(require("edit")),
                       session: Session = Depends(db_session)) -> HTMLResponse:
    """The edit applied to the run's sample rows, shown on the item page; nothing is stored."""
    form = _form_text(await request.form())
    item = _item_or_404(session, item_id)
    draft = _draft_from(form)
    if item.kind == MERGE_KIND:
        raise WebError("A record merge has nothing to edit or preview: decide whether the two records are one person.")
    if form.get("action") == "change_op":  # the no-JavaScript way to switch the operation's inputs
        return item_page(request, session, item, user, draft=draft)
    if item.state not in UNDECIDED:
        alert = Alert("warning", "This item is decided", f"It was {item.state} by {item.decided_by}; there is nothing left to edit.")
        return item_page(request, session, item, user, status_code=409, draft=draft, alert=alert)
    edit, errors = _edit_of(draft)
    if edit is None:
        return item_page(request, session, item, user, status_code=400, draft=draft, edit_errors=errors)
    try:
        preview = preview_edit(item, edit)
    except CrosswalkError as exc:
        return item_page(request, session, item, user, status_code=400, draft=draft, edit_errors=[exc.one_line()])
    return item_page(request, session, item, user, draft=draft, preview=preview)


@router.post("/items/{item_id}/decide")
async def decide(request: Request, item_id: str, user: WebUser = Depends(require("view")),
                 session: Session = Depends(db_session)) -> Response:
    """Approve, reject or save an edit; Post/Redirect/Get to the item page on success."""
    form = _form_text(await request.form())
    item = _item_or_404(session, item_id)
    decision = form.get("decision", "")
    needed = DECISIONS.get(decision)
    if needed is None:
        raise WebError("Choose Approve, Reject or Save edit.")
    if not user.can(needed):  # type: ignore[arg-type]
        raise Forbidden(f"Your role ({user.role_label}) cannot {PERMISSION_PHRASES[needed]}.")
    if decision == "edit" and item.kind == MERGE_KIND:
        raise WebError("A record merge cannot be edited: merge the two records or keep them apart.")
    seen = _seen_version(form)
    reason = form.get("reason", "").strip()
    draft = _draft_from(form) if decision == "edit" else None
    typed = form.get("reason", "")

    def again(status: int, alert: Alert | None = None, errors: list[str] | None = None) -> HTMLResponse:
        fresh = _item_or_404(session, item.id)
        return item_page(request, session, fresh, user, status_code=status, draft=draft, alert=alert, edit_errors=errors,
                         decision_reason="" if draft else typed)

    edit = None
    if draft is not None:
        edit, errors = _edit_of(draft)
        if edit is None:
            return again(400, errors=errors)
    if not reason:
        return again(400, Alert("error", "A reason is needed", "Say why you decide this way; it is kept with the decision and in the audit log."))
    try:
        outcome = decide_item(actor_settings(request, user), item.id, decision, reason, seen_version=seen, edit=edit)  # type: ignore[arg-type]
    except ReviewConflict:
        return again(409, _conflict_alert(_item_or_404(session, item.id)))
    except FourEyesError as exc:
        return again(403, Alert("error", "Four-eyes rule", exc.one_line()))
    except CrosswalkError as exc:
        stored = _item_or_404(session, item.id)
        if stored.version == seen + 1 and user.username in (stored.decided_by, stored.proposed_by):
            # the decision was stored; what failed came after it (resuming the run)
            flash(request, "warning", f"Your decision was stored, but resuming the run failed: {exc.one_line()}")
            return RedirectResponse(f"/items/{item.id}", status_code=303)
        return again(400, Alert("error", "The decision could not be stored", exc.one_line()))
    _flash_outcome(request, outcome, session)
    return RedirectResponse(f"/items/{item.id}", status_code=303)


def _conflict_alert(item: ReviewItem) -> Alert:
    who = item.decided_by or item.proposed_by
    return Alert("error", "Someone else decided or edited this item first",
                 f"It is now {item.state} (version {item.version}, by {who}). Nothing of yours was stored; "
                 "what you typed is kept below. Look at the item as it is now and decide again.")


def _flash_outcome(request: Request, outcome: DecideOutcome, session: Session) -> None:
    item = outcome.item
    if item.kind == MERGE_KIND:
        applied = applied_decision(session, item)
        done = "merged as one person" if item.state == "approved" else "kept apart as different people"
        version = f": cluster version {applied.version}" if applied is not None and applied.version else ""
        flash(request, "success", f"{item.target.replace(' ~ ', ' ↔ ')}: {done}{version}.")
        if outcome.open_left:
            flash(request, "info", f"{outcome.open_left} record merge(s) of this run still wait for a decision.")
        return
    done = {"approved": "approved", "rejected": "rejected", "edited": "saved as your proposal; another supervisor must approve it"}
    flash(request, "success", f"{item.target}: {done.get(item.state, item.state)}.")
    resumed = outcome.resumed
    if resumed is not None:
        flash(request, "success", f"Every item of run {resumed.run_id[:8]} is decided: the run resumed and stored "
                                  f"mapping version {resumed.mapping_version_id[:12]} ({len(resumed.approved)} approved, "
                                  f"{len(resumed.rejected)} rejected).")
        if resumed.memory_error:
            flash(request, "warning", f"The approved fields were not written to the memory: {resumed.memory_error}")
    elif outcome.open_left:
        flash(request, "info", f"{outcome.open_left} item(s) of this run still wait for a decision.")
