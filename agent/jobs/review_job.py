"""Deciding review items, and resuming a paused run when its last item is decided.

``decide_item`` checks the run-level four-eyes rule (the person who started a run may
propose edits to it but not decide it), previews an edit on the run's sample, records
the decision (``agent.store.review.decide``: optimistic lock, item-level four-eyes) and
an audit event. When that was the run's last undecided item, ``resume_run`` continues
the graph in this process from the durable checkpoint (thread id = run id) with
``Command(resume={"decisions": ...})``, stores the reviewed document as a new immutable
mapping version (parent: the proposal's version), and writes the approved fields to the
retrieval memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langgraph.types import Command
from sqlalchemy import update
from sqlmodel import Session

from agent.audit import record_event
from agent.graph import GraphContext, StoreAuditSink, StoreReviewQueue, build_graph, open_checkpointer, thread_config
from agent.graph.resources import SampleCache
from agent.jobs.memory_job import remember_approved
from agent.jobs.propose_job import REVIEW_STATUS, propose_settings
from agent.jobs.source_access import ReadOptions
from agent.minimisation import preview_evidence
from agent.reason_masking import audit_reason, code_values, evidence_values
from agent.settings import Settings
from agent.store import Run, close_run, open_session, store_mapping_version
from agent.store.models import ReviewItem
from agent.store.review import (Decision, FourEyesError, ReviewConflict, ReviewError, decide, edited_field, get_item,
                                items_of_run, open_items)
from tools.errors import CrosswalkError, SourceError
from tools.mapping import MappingDocument
from tools.propose.preview import preview_field
from tools.target_schema import load_target_schema

RESUMING_STATUS = "resuming"  # claimed by the process that resumes the graph
MEMORY_SYSTEM = "unspecified"  # the source system is not known to a run; memory add --system can name it later


@dataclass(frozen=True)
class ResumeOutcome:
    run_id: str
    mapping_version_id: str
    parent_version: str | None
    approved: list[str]
    rejected: list[str]
    remembered: list[str] = field(default_factory=list)
    memory_error: str | None = None


@dataclass(frozen=True)
class DecideOutcome:
    item: ReviewItem
    open_left: int
    resumed: ResumeOutcome | None = None


def preview_edit(item: ReviewItem, edit: dict[str, Any]) -> dict[str, Any]:
    """The edited field applied to the run's sample rows (read again, as the graph does): values and validation."""
    ref = item.proposal["sample"]
    sample = SampleCache().load(ref["source_path"], ref.get("read_options") or {}, ref["sample_size"])
    if ref.get("source_sha256") and sample.info.sha256 != ref["source_sha256"]:
        raise SourceError(ref["source_path"], f"changed since run {item.run_id} read it; the preview would show other rows")
    field = edited_field(item, edit)
    unknown = [source for source in field.sources if source not in sample.info.fields]
    if unknown:
        raise ReviewError(f"the source has no field {', '.join(map(repr, unknown))} (fields: {', '.join(sample.info.fields)})")
    return preview_field(field, sample.values, load_target_schema(ref["schema_path"]))


NO_ACCOUNT_ROLE = "no account (command line)"


def role_of(session: Session, actor: str) -> str:
    """The actor's role when they decide, for the audit log: roles change later, the log must not."""
    from agent.store.users import AppUser  # late: the users table is the web app's

    account = session.get(AppUser, actor)
    return account.role if account is not None else NO_ACCOUNT_ROLE


def decide_item(settings: Settings, item_id: str, decision: Decision, reason: str, *, seen_version: int | None = None,
                edit: dict[str, Any] | None = None) -> DecideOutcome:
    """Decide one item as ``settings.actor()``; resume the run when it was the last one open.

    ``seen_version`` is the item version the decider looked at (None: the current one,
    for a command line where showing and deciding are one step).
    """
    actor = settings.actor()
    with open_session(settings) as session:
        item = get_item(session, item_id)
        run = session.get(Run, item.run_id)
        if run is None:
            raise ReviewError(f"review item {item.id} belongs to no stored run")
        if decision != "edit" and actor == run.actor:
            raise FourEyesError(f"{actor} started run {run.id}; another person must decide its review items")
        preview = preview_edit(item, edit) if decision == "edit" and edit is not None else None
        seen = item.version if seen_version is None else seen_version
        before = item.proposal["field"] if decision == "edit" else None
        proposal_seen = item.proposal  # decide() refreshes the item: an edit replaces the preview the reason may quote
        decided = decide(session, item.id, decision, actor, reason, seen, edit, preview=preview)
        # the field after the decision and when it was taken: a replay re-applies decisions from the log alone;
        # the preview the decider saw is evidence, masked unless audit_raw_values allows its raw sample values;
        # the reason is masked the same way where it quotes them (the item row keeps it as typed)
        logged_reason = audit_reason(reason, evidence_values(proposal_seen) | evidence_values(decided.proposal),
                                     code_values(proposal_seen) | code_values(decided.proposal), raw=settings.audit_raw_values)
        record_event(session, actor, f"review_{decided.state}", f"review_item:{decided.id}",
                     {"target": decided.target, "kind": decided.kind, "decision": decision, "seen_version": seen,
                      **logged_reason, "edit": edit, "role": role_of(session, actor)},
                     {"state": decided.state, "version": decided.version, "proposed_by": decided.proposed_by,
                      "decided_at": decided.decided_at, "validation": (preview or {}).get("validation"),
                      "field_before": before, "field": decided.proposal["field"],
                      "evidence": preview_evidence(decided.proposal.get("preview"), raw=settings.audit_raw_values)}, run.id)
        left = len(open_items(session, run.id))
        last = left == 0 and run.status == REVIEW_STATUS
    if decided.kind == "record_merge" and decided.state in ("approved", "rejected"):
        from agent.jobs.link_feedback import apply_link_decisions  # a label and a new cluster version, now

        apply_link_decisions(settings)
    resumed = None
    if last:
        try:
            resumed = resume_run(settings, decided.run_id)
        except ReviewConflict:  # a decider of another item got there first; that process resumes the run
            resumed = None
    return DecideOutcome(decided, left, resumed)


def decisions_of(items: list[ReviewItem]) -> dict[str, dict[str, Any]]:
    """What the review node is resumed with: per target the decision and the field to keep."""
    return {i.target: {"item_id": i.id, "state": i.state, "field": i.proposal["field"], "decided_by": i.decided_by,
                       "decided_at": i.decided_at, "proposed_by": i.proposed_by, "reason": i.reason,
                       "edited": bool(i.proposal.get("edits"))}
            for i in items}


def resume_run(settings: Settings, run_id: str) -> ResumeOutcome:
    """Continue a fully decided run from its checkpoint and store the reviewed mapping as a new version."""
    actor = settings.actor()
    with open_session(settings) as session:
        run = session.get(Run, run_id)
        if run is not None and run.kind == "propose" and run.status in (RESUMING_STATUS, "succeeded"):
            raise ReviewConflict(f"run {run_id} was resumed already ({run.status})")
        if run is None or run.status != REVIEW_STATUS:
            raise ReviewError(f"run {run_id} is not waiting for review")
        items = items_of_run(session, run_id)
        undecided = [i.target for i in items if i.state not in ("approved", "rejected")]
        if undecided:
            raise ReviewError(f"run {run_id} still has {len(undecided)} undecided item(s)")
        if actor == run.actor:
            raise FourEyesError(f"{actor} started run {run_id}; its final approval needs another person")
        _claim(session, run)
        decisions = decisions_of(items)
        record_event(session, actor, "run_resumed", f"run:{run_id}", {"after": "review", "items": len(items)}, {}, run_id)
        context = GraphContext(audit=StoreAuditSink(settings, actor, run_id), settings=propose_settings(settings),
                               samples=SampleCache(), review=StoreReviewQueue(settings, run.actor))
        try:
            with open_checkpointer(settings.data_dir) as saver:
                final = build_graph(saver).invoke(Command(resume={"decisions": decisions}), thread_config(run_id),
                                                  context=context, durability="sync")
        except BaseException as exc:
            run.status = REVIEW_STATUS  # released: ``crosswalk review resume RUN_ID`` can try again
            session.add(run)
            session.commit()
            record_event(session, actor, "review_resume_failed", f"run:{run_id}", {}, {"error": f"{type(exc).__name__}: {exc}"}, run_id)
            raise
        document = MappingDocument.model_validate(final["document"])
        outcome = _store_reviewed(session, run, document, actor, decisions)
    return _remember(settings, outcome, document, final)


def _claim(session: Session, run: Run) -> None:
    """Take the run for resuming, atomically: two people deciding the last two items at once resume it once."""
    result = session.execute(update(Run).where(Run.id == run.id, Run.status == REVIEW_STATUS)  # type: ignore[arg-type]
                             .values(status=RESUMING_STATUS))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise ReviewConflict(f"run {run.id} is being resumed by someone else")
    session.commit()
    session.refresh(run)


def _store_reviewed(session: Session, run: Run, document: MappingDocument, actor: str,
                    decisions: dict[str, dict[str, Any]]) -> ResumeOutcome:
    parent = run.mapping_version_id
    version = store_mapping_version(session, document, created_by=actor, parent_version=parent)
    approved = sorted(t for t, d in decisions.items() if d["state"] == "approved")
    rejected = sorted(t for t, d in decisions.items() if d["state"] == "rejected")
    record_event(session, actor, "mapping_approved", f"mapping_version:{version.id}",
                 {"parent_version": parent, "run": run.id},
                 {"approved": {t: decisions[t]["decided_by"] for t in approved},
                  "rejected": {t: decisions[t]["decided_by"] for t in rejected}}, run.id)
    run.mapping_version_id = version.id
    close_run(session, run, summary={**(run.summary or {}), "approved": len(approved), "rejected": len(rejected),
                                     "reviewed_version": version.id, "proposal_version": parent})
    return ResumeOutcome(run.id, version.id, parent, approved, rejected)


def _remember(settings: Settings, outcome: ResumeOutcome, document: MappingDocument, final: dict[str, Any]) -> ResumeOutcome:
    """Write the approved fields to the retrieval memory; a failure there does not undo the approval."""
    options = final.get("read_options") or {}
    try:
        memory = remember_approved(settings, document, Path(final["source_path"]), system=MEMORY_SYSTEM,
                                   approved_by=settings.actor(), read_options=ReadOptions(**options),
                                   schema_path=Path(final["schema_path"]))
    except CrosswalkError as exc:  # source moved, memory unreachable: the version stands, memory add can follow
        return ResumeOutcome(**{**outcome.__dict__, "memory_error": str(exc)})
    return ResumeOutcome(**{**outcome.__dict__, "remembered": list(memory.stored)})
