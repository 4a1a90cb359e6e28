"""What a propose run recorded in the audit log, read back as the inputs of its replay.

A run's events name its source and target schema with their SHA-256, the settings in
force, what the retrieval memory recalled, every LLM exchange (request hash, raw
answer, tokens), the review items queued and each decision taken on them. Runs logged
before some of these were recorded fall back to what their other events and the
stores say; the replay report notes each fallback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlmodel import Session

from agent.audit import list_events
from agent.store import Run, file_sha256
from agent.store.models import AuditEvent
from tools.errors import CrosswalkError

DecisionKind = Literal["approve", "reject", "edit"]
SUBJECT_ITEM = "review_item:"
SUBJECT_VERSION = "mapping_version:"


class ReplayError(CrosswalkError):
    """A run cannot be replayed (unknown, not a propose run, or nothing recorded to replay from)."""


class InputChangedError(CrosswalkError):
    """A recorded input file is gone or its bytes differ from what the run read."""

    def __init__(self, what: str, path: str, recorded: str, current: str | None) -> None:
        self.what, self.path, self.recorded, self.current = what, path, recorded, current
        now = "the file is gone" if current is None else f"sha256 now {current}"
        super().__init__(f"{what} {path} is not the file the run read: sha256 then {recorded}, {now}; "
                         f"a replay needs the same bytes (restore the file, or replay is not possible)")


class RecordedDecision(BaseModel):
    """One decision on a review item, in log order."""

    seq: int
    item_id: str
    target: str
    decision: DecisionKind
    state: str
    actor: str
    time: str
    reason: str = ""
    reason_masked: bool = False  # the log holds the reason with quoted values masked (agent.reason_masking)
    reason_sha256: str | None = None  # digest of the reason as typed, when masked
    edit: dict[str, Any] | None = None
    decided_at: str | None = None  # None: logged before the decision time was recorded
    proposed_by: str | None = None


class RecordedRun(BaseModel):
    """The recorded inputs of one propose run."""

    run_id: str
    actor: str
    status: str
    source_path: str
    source_sha256: str
    read_options: dict[str, str] = Field(default_factory=dict)
    schema_path: str
    schema_sha256: str
    offline: bool = True
    settings: dict[str, Any] = Field(default_factory=dict)  # empty: logged before settings were recorded
    memory_configured: bool = False
    recalled: dict[str, list[dict[str, Any]]] | None = None  # None: the recall itself was not logged
    llm_model: str | None = None  # None: no LLM took part
    llm_batch_size: int = 10
    llm_send_samples: bool = False
    llm_first_mode: str | None = None
    llm_calls: list[dict[str, Any]] = Field(default_factory=list)  # inputs + outputs of each llm_request event
    queued: dict[str, str] = Field(default_factory=dict)  # target -> review item id
    decisions: list[RecordedDecision] = Field(default_factory=list)
    proposal_version: str | None = None
    reviewed_version: str | None = None
    notes: list[str] = Field(default_factory=list)

    @property
    def recorded_version(self) -> str | None:
        """The run's final mapping version: reviewed if people decided it, else the proposal."""
        return self.reviewed_version or self.proposal_version

    def exchanges(self) -> list[dict[str, Any]]:
        """Every recorded LLM exchange (request or cache hit), in order."""
        return [e for call in self.llm_calls for e in call.get("exchanges") or []]


def _last(events: list[AuditEvent], action: str) -> AuditEvent | None:
    return next((e for e in reversed(events) if e.action == action), None)


def load_recorded_run(session: Session, run_id: str) -> RecordedRun:
    """The run's recorded inputs, from its audit events (and the run row for what events lack)."""
    run = session.get(Run, run_id)
    if run is None:
        raise ReplayError(f"no run {run_id} in the application database")
    if run.kind != "propose":
        raise ReplayError(f"run {run_id} is a {run.kind} run; only propose runs can be replayed")
    events = list_events(session, run_id=run_id)
    started, read = _last(events, "run_started"), _last(events, "graph_read")
    propose = _last(events, "graph_propose")
    if started is None or read is None or propose is None:
        raise ReplayError(f"run {run_id} logged no proposal (it failed before proposing); nothing to replay")
    notes: list[str] = []
    inputs = started.inputs
    settings = dict(inputs.get("settings") or {})
    if not settings:
        notes.append("the run logged no settings; today's settings stood in for them")
    found = RecordedRun(
        run_id=run_id, actor=run.actor, status=run.status,
        source_path=str(inputs.get("source") or read.inputs["path"]),
        source_sha256=str(inputs.get("source_sha256") or read.outputs["sha256"]),
        read_options=dict(inputs.get("read_options") or read.inputs.get("read_options") or {}),
        schema_path=str(inputs.get("target_schema") or propose.inputs["schema_path"]),
        schema_sha256=str(inputs.get("schema_sha256") or propose.inputs["schema_sha256"]),
        offline=bool(inputs.get("offline", True)), settings=settings, notes=notes,
    )
    _read_memory(found, _last(events, "graph_retrieve"))
    _read_llm(found, events)
    _read_review(found, events)
    _read_versions(found, events, run)
    return found


def _read_memory(found: RecordedRun, retrieve: AuditEvent | None) -> None:
    if retrieve is None:
        return
    found.memory_configured = retrieve.inputs.get("memory") == "configured"
    recalled = retrieve.outputs.get("recalled")
    if recalled is not None:
        found.recalled = {k: list(v) for k, v in recalled.items()}
    elif found.memory_configured and retrieve.outputs.get("fields_with_matches"):
        found.notes.append("the run did not log what the memory recalled; replayed without past approvals")


def _read_llm(found: RecordedRun, events: list[AuditEvent]) -> None:
    rerank = next((e for e in reversed(events) if e.action == "graph_rerank" and not e.outputs.get("skipped")), None)
    if rerank is None:
        return
    found.llm_model = str(rerank.inputs.get("llm") or "")
    found.llm_batch_size = int(rerank.inputs.get("batch_size") or 10)
    found.llm_send_samples = bool(rerank.inputs.get("send_samples"))
    found.llm_calls = [{**e.inputs, **e.outputs} for e in events if e.action == "llm_request"]
    first = next((c.get("first_mode") for c in found.llm_calls if c.get("first_mode")), None)
    found.llm_first_mode = first
    if found.llm_calls and not found.exchanges():
        found.notes.append("the run's LLM exchanges were not logged; its LLM answers cannot be replayed")


def _read_review(found: RecordedRun, events: list[AuditEvent]) -> None:
    queued = _last(events, "review_queued")
    if queued is not None:
        found.queued = {i["target"]: i["id"] for i in queued.outputs.get("items") or []}
    for event in events:
        if not event.subject.startswith(SUBJECT_ITEM) or "decision" not in event.inputs:
            continue
        found.decisions.append(RecordedDecision(
            seq=event.seq, item_id=event.subject[len(SUBJECT_ITEM):], target=event.inputs["target"],
            decision=event.inputs["decision"], state=event.outputs.get("state", ""), actor=event.actor, time=event.time,
            reason=event.inputs.get("reason") or "", reason_masked=bool(event.inputs.get("reason_masked")),
            reason_sha256=event.inputs.get("reason_sha256"), edit=event.inputs.get("edit"),
            decided_at=event.outputs.get("decided_at"), proposed_by=event.outputs.get("proposed_by")))


def _read_versions(found: RecordedRun, events: list[AuditEvent], run: Run) -> None:
    written, approved = _last(events, "proposal_written"), _last(events, "mapping_approved")
    if written is not None and written.subject.startswith(SUBJECT_VERSION):
        found.proposal_version = written.subject[len(SUBJECT_VERSION):]
    if approved is not None and approved.subject.startswith(SUBJECT_VERSION):
        found.reviewed_version = approved.subject[len(SUBJECT_VERSION):]
    if found.recorded_version is None and run.mapping_version_id:
        found.proposal_version = run.mapping_version_id


def check_inputs(recorded: RecordedRun) -> None:
    """Refuse a replay whose source or schema file is gone or changed (typed error naming both hashes)."""
    for what, path, expected in (("source file", recorded.source_path, recorded.source_sha256),
                                 ("target schema", recorded.schema_path, recorded.schema_sha256)):
        current = file_sha256(path) if Path(path).is_file() else None
        if current != expected:
            raise InputChangedError(what, path, expected, current)
