"""Propose a mapping for a source: run the graph inside a logged run, write the document.

A new run: check the inputs (source, schema) before anything is stored, read the
source's sample once, register the dataset, open the run, then invoke the graph with
``thread_id = run id`` so every step is checkpointed. A crash leaves the run ``failed``
with its checkpoints; ``resume_run_id`` continues it from the last completed step (the
steps already done do not run again), checking that source and schema are unchanged.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlmodel import Session

from agent.audit import list_events, record_event
from agent.graph import FaultHook, GraphContext, StoreAuditSink, StoreReviewQueue, build_graph, open_checkpointer, thread_config
from agent.graph.resources import SampleCache
from agent.graph.state import ProposeState, initial_state
from agent.jobs.memory_job import open_memory
from agent.jobs.source_access import ReadOptions, require_file
from agent.llm import LlmAssist, llm_configured
from agent.replay.run_settings import reference_date, settings_record
from agent.settings import Settings
from agent.store import Dataset, Run, close_run, file_sha256, open_run, open_session, register_dataset, store_mapping_version
from tools.errors import CrosswalkError, SourceError
from tools.mapping import MappingDocument
from tools.propose import ProposeSettings
from tools.standards import bundled_standard_path
from tools.target_schema import load_target_schema

SchemaOrigin = Literal["option", "bundled", "run"]
REVIEW_STATUS = "review"  # a run paused at the review node's interrupt, waiting for people
INTERRUPT_KEY = "__interrupt__"  # where invoke() reports the interrupts that paused the run


class ProposeError(CrosswalkError):
    """The propose request itself is incomplete."""


class ResumeError(ProposeError):
    """A run cannot be resumed (unknown, finished, or its inputs changed)."""


@dataclass(frozen=True)
class ProposeRequest:
    """Everything ``crosswalk propose`` was asked to do."""

    out_path: Path
    source_path: Path | None = None
    target_schema_path: Path | None = None
    read_options: ReadOptions = field(default_factory=ReadOptions)
    offline: bool = False
    resume_run_id: str | None = None
    require_llm: bool = False  # --llm: refuse to run without a configured LLM rather than fall back silently
    send_samples: bool | None = None  # --llm-send-samples (None: the setting decides)


@dataclass(frozen=True)
class ProposeOutcome:
    run_id: str
    dataset_id: str | None
    mapping_version_id: str
    document: MappingDocument
    out_path: Path
    schema_path: Path
    schema_origin: SchemaOrigin
    resumed: bool
    source_notes: list[str]
    llm_usage: dict[str, Any] | None = None  # requests, tokens, latency of the run's LLM calls (None: no LLM ran)
    review_items: int = 0  # items queued for people: the run waits (status "review") until they are decided


def propose_settings(settings: Settings, today: dt.date | None = None) -> ProposeSettings:
    """The proposer's thresholds from the one settings object (env overrides included).

    ``today`` fixes the date two-digit years pivot on (a replay passes the run's own).
    """
    return ProposeSettings(
        auto_accept_threshold=settings.auto_accept_threshold,
        min_pass_rate=settings.min_pass_rate,
        review_threshold=settings.review_threshold,
        reference_date=today,
    )


def llm_assist(settings: Settings, request: ProposeRequest, *, offline: bool) -> LlmAssist | None:
    """The LLM the run may use: None offline or when none is configured (an error if --llm asked for one)."""
    if offline:
        return None
    if not llm_configured(settings):
        if request.require_llm:
            raise ProposeError("--llm needs an endpoint: set CROSSWALK_LLM_BASE_URL and CROSSWALK_LLM_MODEL")
        return None
    if request.send_samples is not None:
        settings = settings.model_copy(update={"llm_send_samples": request.send_samples})
    return LlmAssist.from_settings(settings)


def run_propose_job(settings: Settings, request: ProposeRequest, *, fault: FaultHook | None = None) -> ProposeOutcome:
    """Run (or resume) the propose graph and write the proposal document to ``request.out_path``."""
    if request.resume_run_id is not None:
        return _resume(settings, request, fault)
    if request.source_path is None:
        raise ProposeError("a SOURCE file is needed unless --resume RUN_ID is given")
    require_file(request.source_path)
    explicit = request.target_schema_path
    schema_path, origin = (explicit, "option") if explicit is not None else (bundled_standard_path(), "bundled")
    schema = load_target_schema(schema_path)
    samples = SampleCache()
    # absolute paths in the state: a crashed run can be resumed from any working directory
    source = str(request.source_path.resolve())
    schema_path = schema_path.resolve()
    options = request.read_options.given()
    try:
        sample = samples.load(source, options, settings.sample_size)  # the graph's read node finds it here
    except SourceError as exc:  # name the file as the user did, not by its resolved path
        raise SourceError(str(request.source_path), exc.message, row=exc.row, field=exc.field) from None
    actor = settings.actor()
    with open_session(settings) as session:
        info = sample.info
        dataset = register_dataset(session, request.source_path, sha256=info.sha256, format=info.format, size_bytes=info.size_bytes)
        run = open_run(session, "propose", actor=actor, dataset_id=dataset.id)
        assist = llm_assist(settings, request, offline=request.offline)
        today = dt.date.today()
        in_force = settings if request.send_samples is None else settings.model_copy(update={"llm_send_samples": request.send_samples})
        # everything a replay needs to run the graph again: inputs with their hashes, and the settings in force
        record_event(session, actor, "run_started", f"run:{run.id}",
                     {"kind": "propose", "offline": request.offline,
                      "llm": assist.client.model if assist else "not configured",
                      "llm_send_samples": assist.send_samples if assist else False,
                      "source": source, "source_sha256": info.sha256, "read_options": options,
                      "target_schema": str(schema_path), "schema_sha256": schema.sha256, "schema_origin": origin,
                      "settings": settings_record(in_force, today)},
                     {}, run.id)
        state = initial_state(run_id=run.id, source_path=source, schema_path=str(schema_path), schema_sha256=schema.sha256,
                              read_options=options, timezone=settings.timezone, sample_size=settings.sample_size,
                              offline=request.offline)
        context = GraphContext(audit=StoreAuditSink(settings, actor, run.id), settings=propose_settings(settings, today),
                               samples=samples, fault=fault, max_repair_rounds=settings.repair_rounds,
                               memory=open_memory(settings), memory_top_k=settings.memory_top_k, llm=assist,
                               review=StoreReviewQueue(settings, actor))
        final = _invoke(settings, session, run, state, context, actor)
        return _finish(session, run, final, request, actor, Path(schema_path), origin, resumed=False, notes=list(info.notes))


def _resume(settings: Settings, request: ProposeRequest, fault: FaultHook | None) -> ProposeOutcome:
    run_id = request.resume_run_id
    assert run_id is not None
    actor = settings.actor()
    with open_session(settings) as session:
        run = session.get(Run, run_id)
        if run is None or run.kind != "propose":
            raise ResumeError(f"no propose run {run_id} in {settings.data_dir}")
        if run.status == "succeeded":
            raise ResumeError(f"run {run_id} already finished; nothing to resume")
        if run.status == REVIEW_STATUS:
            raise ResumeError(f"run {run_id} is waiting for review; it resumes when its last item is decided (crosswalk review list --run {run_id})")
        with open_checkpointer(settings.data_dir) as saver:
            snapshot = build_graph(saver).get_state(thread_config(run_id))
        state = dict(snapshot.values)
        if not state:
            raise ResumeError(f"run {run_id} has no checkpoint to resume from")
        _check_same_inputs(request, state)
        samples = _checked_sample(session, run, state)
        run.status, run.finished_at, run.error = "running", None, None
        session.add(run)
        session.commit()
        record_event(session, actor, "run_resumed", f"run:{run.id}",
                     {"checkpoint_id": snapshot.config["configurable"].get("checkpoint_id"), "next": list(snapshot.next)},
                     {}, run.id)
        context = GraphContext(audit=StoreAuditSink(settings, actor, run.id), settings=propose_settings(settings, _run_today(session, run.id)),
                               samples=samples, fault=fault, max_repair_rounds=settings.repair_rounds,
                               memory=open_memory(settings), memory_top_k=settings.memory_top_k,
                               llm=llm_assist(settings, request, offline=bool(state.get("offline"))),
                               review=StoreReviewQueue(settings, run.actor))
        final = _invoke(settings, session, run, None, context, actor)
        notes = list((final.get("source_info") or {}).get("notes") or [])
        return _finish(session, run, final, request, actor, Path(final["schema_path"]), "run", resumed=True, notes=notes)


def _run_today(session: Session, run_id: str) -> dt.date | None:
    """The 'today' the run started with, so a run resumed on another day pivots two-digit years as it began."""
    started = next((e for e in list_events(session, run_id=run_id) if e.action == "run_started"), None)
    return reference_date(started.inputs.get("settings") or {}) if started is not None else None


def _check_same_inputs(request: ProposeRequest, state: dict[str, Any]) -> None:
    """A resumed run continues with its own inputs; options that say otherwise are refused, not ignored."""
    run_id = state["run_id"]
    given = request.source_path
    if given is not None and given.resolve() != Path(state["source_path"]).resolve():
        raise ResumeError(f"run {run_id} proposes for {state['source_path']}, not {given}")
    schema = request.target_schema_path
    if schema is not None and schema.resolve() != Path(state["schema_path"]).resolve():
        raise ResumeError(f"run {run_id} proposes onto {state['schema_path']}, not {schema}")
    options = request.read_options.given()
    if options and options != (state.get("read_options") or {}):
        raise ResumeError(f"run {run_id} reads its source with {state.get('read_options') or 'sniffed options'}, not {options}")


def _checked_sample(session: Session, run: Run, state: dict[str, Any]) -> SampleCache:
    """Read the run's source again and refuse it if its bytes are not those the run registered."""
    samples = SampleCache()
    require_file(Path(state["source_path"]))
    sample = samples.load(state["source_path"], state.get("read_options") or {}, state["sample_size"])
    dataset = session.get(Dataset, run.dataset_id) if run.dataset_id else None
    if dataset is not None and dataset.sha256 != sample.info.sha256:
        raise ResumeError(f"{state['source_path']} changed since run {run.id} started; start a new run")
    return samples


def _invoke(settings: Settings, session: Session, run: Run, state: ProposeState | None,
            context: GraphContext, actor: str) -> dict[str, Any]:
    """Run the graph from ``state`` (or from its last checkpoint when None); a failure closes the run."""
    try:
        with open_checkpointer(settings.data_dir) as saver:
            # durability "sync": each step's checkpoint is on disk before the next step starts
            final = build_graph(saver).invoke(state, thread_config(run.id), context=context, durability="sync")
    except BaseException as exc:
        message = f"{type(exc).__name__}: {exc}"
        close_run(session, run, error=message)
        record_event(session, actor, "propose_failed", f"run:{run.id}", {}, {"error": message, "resumable": True}, run.id)
        raise
    return dict(final)


def _finish(session: Session, run: Run, final: dict[str, Any], request: ProposeRequest, actor: str,
            schema_path: Path, origin: SchemaOrigin, *, resumed: bool, notes: list[str]) -> ProposeOutcome:
    document = MappingDocument.model_validate(final["document"])
    request.out_path.parent.mkdir(parents=True, exist_ok=True)
    request.out_path.write_text(json.dumps(final["document"], indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    version = store_mapping_version(session, document, created_by=actor)
    counts = _counts(document)
    record_event(session, actor, "proposal_written", f"mapping_version:{version.id}",
                 {"target_schema": str(schema_path)},
                 {"path": str(request.out_path), "sha256": file_sha256(request.out_path), **counts}, run.id)
    run.mapping_version_id = version.id
    waiting = _queued_items(final)
    if waiting:
        # paused, not finished: the review job resumes the thread when the last item is decided
        run.status, run.summary = REVIEW_STATUS, {**counts, "review_items": waiting}
        session.add(run)
        session.commit()
        record_event(session, actor, "run_waiting_for_review", f"run:{run.id}", {}, {"review_items": waiting}, run.id)
    else:
        close_run(session, run, summary=counts)
    return ProposeOutcome(review_items=waiting, run_id=run.id, dataset_id=run.dataset_id, mapping_version_id=version.id, document=document,
                          out_path=request.out_path, schema_path=schema_path, schema_origin=origin, resumed=resumed,
                          source_notes=notes, llm_usage=final.get("llm_usage"))


def _queued_items(final: dict[str, Any]) -> int:
    """How many review items the interrupt that paused the run is waiting for (0: it finished)."""
    interrupts = final.get(INTERRUPT_KEY) or ()
    return sum(len((i.value or {}).get("items") or []) for i in interrupts)


def _counts(document: MappingDocument) -> dict[str, Any]:
    statuses = [f.status for f in document.fields]
    return {"fields": len(statuses), "auto_accepted": statuses.count("auto_accepted"),
            "needs_review": statuses.count("needs_review"), "unmapped_sources": len(document.unmapped_sources)}
