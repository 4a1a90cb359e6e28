"""Replay a logged propose run from its recorded inputs and compare with its recorded mapping version.

``replay_run`` reads the run's audit events (``agent.replay.recorded_inputs``), refuses
a source or schema whose bytes changed, and runs the same graph again on a throwaway
in-memory checkpointer: the settings in force at the run, the memory's recorded answers,
LLM answers played back from the log by request hash (``recorded_llm``: nothing is
sent), and the people's decisions re-applied in order (``decisions``). The replayed
document is compared field by field with the recorded version (``compare``).

``live=True`` asks today instead: today's settings, matchers and memory, and the live
LLM when one is configured and the run was not offline (answers not cached), so the
report says what would change today. Either way the only write is one ``run_replayed``
audit event: nothing goes to the checkpoint store, the review queue, the mapping
versions, the memory or the LLM cache.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.types import Command

from agent.audit import record_event
from agent.graph import GraphContext, build_graph, initial_state, strict_serde, thread_config
from agent.graph.resources import SampleCache, SchemaCache
from agent.jobs.memory_job import open_memory
from agent.jobs.propose_job import INTERRUPT_KEY, propose_settings
from agent.llm import LlmAssist, LlmClient, llm_configured, make_openai
from agent.replay.compare import ReplayReport, compare
from agent.replay.decisions import ReplayedItem, reapply, restore_reasons
from agent.replay.recorded_inputs import RecordedRun, check_inputs, load_recorded_run
from agent.replay.recorded_llm import RecordedLlmClient, recorded_assist
from agent.replay.run_settings import reference_date, restored_settings, settings_record
from agent.settings import Settings
from agent.store import MappingVersion, open_session
from tools.mapping import MappingDocument

REPLAYED_ACTION = "run_replayed"


@dataclass
class ListedAudit:
    """The replayed graph's audit events, kept in memory: a replay writes no graph events to the log."""

    events: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = field(default_factory=list)

    def record(self, action: str, subject: str, inputs: dict[str, Any], outputs: dict[str, Any]) -> None:
        self.events.append((action, subject, inputs, outputs))


@dataclass
class RecordedRecall:
    """The retrieval memory as the run found it: the logged recall, whatever today's memory holds."""

    recalled: dict[str, list[dict[str, Any]]]

    def recall_many(self, profiles: list[Any], top_k: int = 5, *, schema: str | None = None) -> dict[str, list[Any]]:
        return {name: [_Recalled(m) for m in matches] for name, matches in self.recalled.items()}


@dataclass(frozen=True)
class _Recalled:
    data: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return dict(self.data)


@dataclass
class ReplayQueue:
    """Review items kept in memory under the run's own item ids, so re-applied decisions find them."""

    run_actor: str
    item_ids: dict[str, str]
    items: dict[str, ReplayedItem] = field(default_factory=dict)

    def queue(self, run_id: str, make_items: Any) -> tuple[list[dict[str, Any]], bool]:
        if not self.items:
            for number, made in enumerate(make_items(), start=1):
                target = made["target"]
                self.items[target] = ReplayedItem(item_id=self.item_ids.get(target, f"replay-{number}"), target=target,
                                                  kind=made["kind"], field=made["proposal"]["field"], proposed_by=self.run_actor)
        return [{"id": i.item_id, "kind": i.kind, "target": i.target, "version": 1} for i in self.items.values()], True


def replay_run(settings: Settings, run_id: str, *, live: bool = False) -> ReplayReport:
    """Replay ``run_id`` (recorded inputs, or today's with ``live``) and record one ``run_replayed`` event."""
    with open_session(settings) as session:
        recorded = load_recorded_run(session, run_id)
        row = session.get(MappingVersion, recorded.recorded_version) if recorded.recorded_version else None
        recorded_doc = MappingDocument.model_validate(row.document) if row is not None else None
    check_inputs(recorded)
    notes = list(recorded.notes)
    if recorded.recorded_version and recorded_doc is None:
        notes.append(f"recorded mapping version {recorded.recorded_version} is not stored; every field counts as changed")
    # reasons are not part of the mapping outcome; a masked one is restored from the recorded version when it matches
    notes.extend(restore_reasons(recorded.decisions, recorded_doc.model_dump(mode="json")["fields"] if recorded_doc else []))
    replayed, counts = _replay(settings, recorded, live, notes)
    report = compare(run_id, recorded_doc, recorded.recorded_version, replayed, live=live, notes=notes, **counts)
    with open_session(settings) as session:
        record_event(session, settings.actor(), REPLAYED_ACTION, f"run:{run_id}",
                     {"live": live, "source_sha256": recorded.source_sha256, "schema_sha256": recorded.schema_sha256},
                     report.log_summary(), run_id)
    return report


def _replay(settings: Settings, recorded: RecordedRun, live: bool, notes: list[str]) -> tuple[MappingDocument, dict[str, int]]:
    """Run the graph in memory, re-apply the decisions, and return the final document with the counts."""
    in_force = settings if live else restored_settings(settings, recorded.settings)
    today = None if live else reference_date(recorded.settings)
    if live:
        notes.extend(_settings_changed(settings, recorded.settings))
    llm, recorded_client = _llm(in_force, recorded, live, notes)
    queue = ReplayQueue(recorded.actor, dict(recorded.queued))
    context = GraphContext(audit=ListedAudit(), settings=propose_settings(in_force, today), samples=SampleCache(),
                           schemas=SchemaCache(), max_repair_rounds=in_force.repair_rounds, memory=_memory(in_force, recorded, live),
                           memory_top_k=in_force.memory_top_k, llm=llm, review=queue)
    state = initial_state(run_id=recorded.run_id, source_path=recorded.source_path, schema_path=recorded.schema_path,
                          schema_sha256=recorded.schema_sha256, read_options=recorded.read_options,
                          timezone=in_force.timezone, sample_size=in_force.sample_size, offline=recorded.offline)
    conn = sqlite3.connect(":memory:", check_same_thread=False)  # a throwaway checkpointer: nothing reaches the real one
    try:
        graph = build_graph(SqliteSaver(conn, serde=strict_serde()))
        config = thread_config(recorded.run_id)
        final = dict(graph.invoke(state, config, context=context, durability="sync"))
        applied = 0
        if final.get(INTERRUPT_KEY):
            final, applied = _resume(graph, config, context, final, queue, recorded, notes)
    finally:
        conn.close()
    counts = {"llm_answers": recorded_client.answered if recorded_client else 0,
              "llm_missing": len(recorded_client.missing) if recorded_client else 0, "decisions": applied}
    if recorded_client is not None and recorded_client.missing:
        notes.append(f"{len(recorded_client.missing)} LLM request(s) not in the log; those fields kept their offline result")
    return MappingDocument.model_validate(final["document"]), counts


def _resume(graph: Any, config: dict[str, Any], context: GraphContext, paused: dict[str, Any], queue: ReplayQueue,
            recorded: RecordedRun, notes: list[str]) -> tuple[dict[str, Any], int]:
    """Re-apply the logged decisions and resume the paused graph, as the review job does when the last is decided."""
    sample = context.samples.get(paused)
    result = reapply(queue.items, recorded.decisions, sample.values, context.schemas.get(paused))
    notes.extend(result.notes)
    if result.undecided:
        if recorded.reviewed_version is not None:
            notes.append(f"no logged decision settles {', '.join(result.undecided)}; compared before review")
        return paused, result.applied  # the run is (or would be) still waiting for people
    final = graph.invoke(Command(resume={"decisions": result.decisions}), config, context=context, durability="sync")
    return dict(final), result.applied


def _memory(settings: Settings, recorded: RecordedRun, live: bool) -> Any:
    """Today's memory (live), else the recall the run logged (None when the run had no memory)."""
    if live:
        return open_memory(settings)
    if not recorded.memory_configured:
        return None
    return RecordedRecall(recorded.recalled or {})


def _llm(settings: Settings, recorded: RecordedRun, live: bool,
         notes: list[str]) -> tuple[LlmAssist | None, RecordedLlmClient | None]:
    """The run's LLM answering from the log; live: today's endpoint (uncached) when configured and the run was not offline."""
    if not live:
        found = recorded_assist(recorded, settings.llm_max_tokens_per_run)
        if found is None:
            return None, None
        _note_templates(recorded, notes)
        return found
    if recorded.offline or not llm_configured(settings):
        if not recorded.offline and recorded.llm_model:
            notes.append("the run asked an LLM; no LLM is configured today, so the live replay is deterministic")
        return None, None
    # no response cache: a live replay must not write the data dir's LLM cache
    client = LlmClient(make_openai(settings), model=settings.llm_model or "", mode=settings.llm_structured_mode, cache=None,
                       endpoint=settings.llm_base_url or "", max_tokens_per_run=settings.llm_max_tokens_per_run)
    return LlmAssist(client, batch_size=settings.llm_batch_size, send_samples=settings.llm_send_samples), None


def _note_templates(recorded: RecordedRun, notes: list[str]) -> None:
    """A prompt template changed since the run: its requests hash differently and cannot be matched."""
    from prompts import load_prompt

    for name, sha in sorted({(c.get("template"), c.get("template_sha256")) for c in recorded.llm_calls if c.get("template")}):
        try:
            current = load_prompt(str(name)).sha256
        except Exception as exc:  # noqa: BLE001 - a template gone since the run is a note, not a failed replay
            notes.append(f"prompt template {name} cannot be loaded today ({type(exc).__name__})")
            continue
        if current != sha:
            notes.append(f"prompt template {name} changed since the run (sha256 {str(sha)[:16]}... then, {current[:16]}... now)")


def _settings_changed(settings: Settings, recorded: dict[str, Any]) -> list[str]:
    """Live: the recorded settings that differ today (URLs compared without credentials)."""
    if not recorded:
        return []
    today = settings_record(settings, reference_date(recorded) or dt.date.today())
    return [f"setting {k} was {recorded[k]!r} at the run, {today[k]!r} today"
            for k in sorted(recorded) if k in today and k != "reference_date" and today[k] != recorded[k]]
