"""What the nodes are given besides the state: audit sink, settings, caches, fault hook.

The context is passed to ``graph.invoke(..., context=...)`` and is never checkpointed
(the graph declares no context schema, so nothing here widens the msgpack allowlist).
Tests pass their own audit sink and fault hook; the job passes ``StoreAuditSink``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from agent.audit import record_event
from agent.graph.resources import SampleCache, SchemaCache
from agent.settings import Settings
from agent.store import open_session
from agent.store.review import create_items, items_of_run
from tools.profile import FieldProfile
from tools.propose import ProposeSettings

if TYPE_CHECKING:  # openai loads only for a run that uses the LLM
    from agent.llm import LlmAssist

FaultHook = Callable[[str], None]
"""Called with the node's name as each node starts; tests make it raise to simulate a crash."""

DEFAULT_REPAIR_ROUNDS = 2
DEFAULT_MEMORY_TOP_K = 5


class PastRecall(Protocol):
    """The retrieval memory as the retrieve node uses it (``tools.memory.store.MappingMemory``)."""

    def recall_many(self, profiles: list[FieldProfile], top_k: int = 5, *, schema: str | None = None) -> dict[str, list[Any]]: ...


class AuditSink(Protocol):
    """Where nodes write their audit events."""

    def record(self, action: str, subject: str, inputs: dict[str, Any], outputs: dict[str, Any]) -> None: ...


class ReviewQueue(Protocol):
    """Where the review node queues items: returns them as plain data, and whether they are new."""

    def queue(self, run_id: str, make_items: Callable[[], list[dict[str, Any]]]) -> tuple[list[dict[str, Any]], bool]: ...


@dataclass
class StoreReviewQueue:
    """Review items in the application database, proposed by the actor who started the run."""

    settings: Settings
    actor: str

    def queue(self, run_id: str, make_items: Callable[[], list[dict[str, Any]]]) -> tuple[list[dict[str, Any]], bool]:
        # make_items reads the sample: called only the first time, not when the resumed node runs again
        with open_session(self.settings) as session:
            rows = items_of_run(session, run_id)
            created = not rows
            if created:
                rows = create_items(session, run_id, make_items(), proposed_by=self.actor)
            return [{"id": r.id, "kind": r.kind, "target": r.target, "version": r.version} for r in rows], created


@dataclass
class StoreAuditSink:
    """Audit events of one run, appended to the hash-chained log in the application database."""

    settings: Settings
    actor: str
    run_id: str

    def record(self, action: str, subject: str, inputs: dict[str, Any], outputs: dict[str, Any]) -> None:
        # a session per event: every event is committed before the next node starts
        with open_session(self.settings) as session:
            record_event(session, self.actor, action, subject, inputs, outputs, self.run_id)


@dataclass
class GraphContext:
    """Per-run dependencies of the nodes."""

    audit: AuditSink
    settings: ProposeSettings = field(default_factory=ProposeSettings)
    max_repair_rounds: int = DEFAULT_REPAIR_ROUNDS
    samples: SampleCache = field(default_factory=SampleCache)
    schemas: SchemaCache = field(default_factory=SchemaCache)
    fault: FaultHook | None = None
    memory: PastRecall | None = None  # None: no memory yet (nothing approved), retrieve recalls nothing
    memory_top_k: int = DEFAULT_MEMORY_TOP_K
    llm: LlmAssist | None = None  # None: no LLM configured (or --offline); the rerank node does nothing
    review: ReviewQueue | None = None  # None: no people in the loop (evals, tests); the review node does nothing

    def enter(self, node: str) -> None:
        """Mark the start of a node (the only place a test's fault hook can fire)."""
        if self.fault is not None:
            self.fault(node)
