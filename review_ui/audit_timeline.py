"""The auditor's timeline: a run's audit events grouped by step, each with its evidence readable.

Consecutive events of the same step (read, profile, retrieve, propose, ...) form one
group, so the order of the log is kept (validate, repair, validate again stay in
sequence). LLM requests get their own view (model, prompt template and hash, tokens,
latency, the messages and raw answers). Everything here is plain text: the templates
escape it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from agent.store import AuditEvent
from review_ui.json_view import Entry, entries, pretty_json, scalar_text

# action -> (step key, step label). Unknown actions fall in "other".
STEPS: dict[str, tuple[str, str]] = {
    "run_started": ("run", "Run"), "run_resumed": ("run", "Run"), "run_released": ("run", "Run"),
    "run_waiting_for_review": ("run", "Run"), "propose_failed": ("run", "Run"),
    "review_resume_failed": ("run", "Run"), "source_uploaded": ("run", "Run"),
    "graph_read": ("read", "Read the source"), "dataset_read": ("read", "Read the source"),
    "graph_profile": ("profile", "Profile"), "profile_computed": ("profile", "Profile"),
    "profile_failed": ("profile", "Profile"), "graph_retrieve": ("retrieve", "Retrieve from memory"),
    "graph_propose": ("propose", "Propose"), "graph_rerank": ("rerank", "Rerank with the LLM"),
    "llm_request": ("llm_request", "LLM request"),
    "graph_validate": ("validate", "Validate and repair"), "graph_repair": ("validate", "Validate and repair"),
    "graph_route": ("route", "Route"),
    "review_queued": ("review_queued", "Queued for review"), "graph_review": ("review_queued", "Queued for review"),
    "proposal_written": ("version", "Mapping version stored"),
    "review_approved": ("review", "Review decisions"), "review_rejected": ("review", "Review decisions"),
    "review_edited": ("review", "Review decisions"), "review_open": ("review", "Review decisions"),
    "mapping_approved": ("mapping_approved", "Mapping approved"),
    "mapping_version_used": ("apply", "Apply"), "apply_finished": ("apply", "Apply"), "apply_failed": ("apply", "Apply"),
    "memory_remembered": ("memory", "Memory"), "run_replayed": ("replay", "Replay"),
    # record linkage runs
    "link_started": ("link", "Link records"), "link_model_retuned": ("link", "Link records"),
    "link_review_queued": ("review_queued", "Queued for review"),
    "link_merge": ("review", "Review decisions"), "link_split": ("review", "Review decisions"),
    "link_clusters_version": ("clusters", "Cluster version stored"),
}
OTHER_STEP = ("other", "Other events")
MESSAGE_PREVIEW = 160


@dataclass(frozen=True)
class LlmMessage:
    role: str
    content: str


@dataclass(frozen=True)
class LlmExchange:
    """One request sent (or answered from the cache) and what came back."""

    request_hash: str
    mode: str
    outcome: str
    response: str
    error: str
    prompt_tokens: int | None
    completion_tokens: int | None


@dataclass(frozen=True)
class LlmView:
    """An ``llm_request`` event as an auditor reads it."""

    model: str
    template: str
    template_sha256: str
    mode: str
    request_hash: str
    fields: list[str]
    answered: list[str]
    prompt_tokens: int | None
    completion_tokens: int | None
    latency_s: float | None
    requests: int | None
    cached: bool
    error: str
    messages: list[LlmMessage]
    exchanges: list[LlmExchange]


@dataclass(frozen=True)
class EventView:
    """One event: its row, its evidence as key/value lists, a one-line summary, and the LLM view if any."""

    event: AuditEvent
    inputs: list[Entry]
    outputs: list[Entry]
    summary: str = ""
    role: str | None = None
    role_recorded: bool = False  # True: the event itself names the role; else the account's role today
    llm: LlmView | None = None


@dataclass
class StepGroup:
    """Consecutive events of one step."""

    key: str
    label: str
    events: list[EventView] = field(default_factory=list)

    @property
    def first_seq(self) -> int:
        return self.events[0].event.seq


def step_of(action: str, inputs: dict[str, Any] | None = None) -> tuple[str, str]:
    """The step an action belongs to (an apply run's ``run_started`` counts as apply)."""
    if action == "run_started" and (inputs or {}).get("kind") == "apply":
        return ("apply", "Apply")
    return STEPS.get(action, OTHER_STEP)


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else pretty_json(value)


def _answer(value: Any) -> str:
    """A raw answer as recorded; JSON answers indented so they can be read."""
    if isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
        try:
            return pretty_json(json.loads(value))
        except ValueError:
            return value
    return _text(value)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def llm_view(event: AuditEvent) -> LlmView:
    """The model, prompt template, tokens, latency, messages and raw answers of an ``llm_request`` event."""
    inputs, outputs = event.inputs or {}, event.outputs or {}
    messages = [LlmMessage(str(m.get("role", "?")), _text(m.get("content"))) if isinstance(m, dict)
                else LlmMessage("?", _text(m)) for m in inputs.get("messages") or []]
    exchanges = [LlmExchange(str(x.get("request_hash") or ""), str(x.get("mode") or ""), str(x.get("outcome") or ""),
                             _answer(x.get("response")), _text(x.get("error")), _int(x.get("prompt_tokens")),
                             _int(x.get("completion_tokens")))
                 for x in outputs.get("exchanges") or [] if isinstance(x, dict)]
    latency = outputs.get("latency_s")
    return LlmView(
        model=str(inputs.get("model") or ""), template=str(inputs.get("template") or outputs.get("template") or ""),
        template_sha256=str(inputs.get("template_sha256") or outputs.get("template_sha256") or ""),
        mode=str(outputs.get("mode") or inputs.get("mode") or ""),
        request_hash=str(inputs.get("request_hash") or outputs.get("request_hash") or ""),
        fields=[str(f) for f in inputs.get("fields") or []], answered=[str(f) for f in outputs.get("answered") or []],
        prompt_tokens=_int(outputs.get("prompt_tokens")), completion_tokens=_int(outputs.get("completion_tokens")),
        latency_s=float(latency) if isinstance(latency, (int, float)) else None, requests=_int(outputs.get("requests")),
        cached=bool(outputs.get("cached")), error=_text(outputs.get("error")), messages=messages, exchanges=exchanges,
    )


def _count(value: Any) -> str:
    return str(len(value)) if isinstance(value, (list, dict)) else scalar_text(value)


def summary_of(event: AuditEvent) -> str:
    """A one-line account of the event for the timeline (empty when the evidence says it better)."""
    i, o, action = event.inputs or {}, event.outputs or {}, event.action
    if action == "run_started":
        return f"{i.get('kind', 'propose')} run started" + (" offline" if i.get("offline") else "")
    if action in ("graph_read", "dataset_read"):
        return f"read {i.get('path', '?')}: {_count(o.get('fields'))} fields, {o.get('format', '?')}"
    if action == "graph_profile":
        return f"{o.get('rows_sampled', '?')} rows profiled, {_count(o.get('types'))} columns typed"
    if action == "graph_propose":
        return f"{_count(o.get('fields'))} fields proposed ({i.get('mode', '?')})"
    if action == "graph_route":
        return f"{_count(o.get('auto_accepted'))} auto-accepted, the rest to review"
    if action.startswith("review_") and "decision" in i:
        reason = f": “{i.get('reason')}”" if i.get("reason") else ""
        return f"{i.get('decision')} {i.get('target', '')}{reason}"
    if action == "mapping_approved":
        return f"{_count(o.get('approved'))} approved, {_count(o.get('rejected'))} rejected"
    if action == "run_replayed":
        outcome = "reproduced" if o.get("reproduced") else "not reproduced"
        return f"{'live ' if i.get('live') else ''}replay: {outcome}"
    if action == "llm_request":
        return f"{i.get('model', '?')} · {i.get('template', '?')} · {_count(i.get('fields'))} field(s)"
    if "error" in o:
        return scalar_text(o.get("error"))
    return ""


def event_view(event: AuditEvent, roles: dict[str, str] | None = None) -> EventView:
    """An event ready for the template; ``roles`` maps actors to their account's role today, when known."""
    recorded = next((str(part[k]) for part in (event.inputs or {}, event.outputs or {})
                     for k in ("role", "actor_role", "decided_by_role") if part.get(k)), None)
    return EventView(event, entries(event.inputs), entries(event.outputs), summary_of(event),
                     recorded or (roles or {}).get(event.actor), recorded is not None,
                     llm_view(event) if event.action == "llm_request" else None)


def grouped(events: list[AuditEvent], roles: dict[str, str] | None = None) -> list[StepGroup]:
    """Events in chain order, consecutive ones of the same step grouped together."""
    groups: list[StepGroup] = []
    for event in events:
        key, label = step_of(event.action, event.inputs)
        if not groups or groups[-1].key != key:
            groups.append(StepGroup(key, label))
        groups[-1].events.append(event_view(event, roles))
    return groups
