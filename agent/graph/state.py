"""The state of the propose graph: plain JSON-able data only.

Everything here is written into the SQLite checkpoint after every step, and checkpoints
are read back with strict msgpack, so the state holds only dicts, lists, strings,
numbers, booleans and None: no pydantic models, dates or paths. Sample rows are kept
out on purpose (an XLSX sample holds datetimes, and rows are personal data the
checkpoint need not copy): nodes re-read the sample from ``source_path`` when a
resumed run needs it (``agent.graph.sample``).
"""

from __future__ import annotations

from typing import Any, TypedDict


class ProposeState(TypedDict, total=False):
    """What the nodes read and write; each key is written by one node (see ``nodes``)."""

    # Inputs, set by the job when the run starts.
    run_id: str
    source_path: str
    read_options: dict[str, str]  # sheet / encoding / delimiter the user gave
    schema_path: str
    schema_sha256: str  # the schema the run started with; a changed file is refused on resume
    timezone: str
    sample_size: int
    offline: bool
    # read: how the source was read (tools.readers.SourceInfo as JSON).
    source_info: dict[str, Any]
    # profile: tools.profile.SourceProfile as JSON. (Keys may not share a node's name.)
    source_profile: dict[str, Any]
    # retrieve: source field -> recalled past approvals (tools.memory.PastMatch as JSON), best first.
    past_matches: dict[str, list[dict[str, Any]]]
    # propose, then repair: tools.propose.Proposal as JSON (document + evidence + reasons).
    proposal: dict[str, Any]
    # rerank: the run's LLM usage (requests, tokens, latency, mode); absent when no LLM ran.
    llm_usage: dict[str, Any]
    # validate: target pointer -> tools.propose.FieldValidation as JSON.
    validations: dict[str, dict[str, Any]]
    # validate: the failing fields the repair step should try again ([] = go to route).
    to_repair: list[str]
    # repair: targets it changed (validate re-checks only these); None = validate all.
    revised: list[str] | None
    repair_round: int
    repairs: list[dict[str, Any]]  # every repair attempt: round, target, what was tried, result
    # route: the final mapping document (tools.mapping.MappingDocument as JSON).
    document: dict[str, Any]


def initial_state(*, run_id: str, source_path: str, schema_path: str, schema_sha256: str,
                  read_options: dict[str, str] | None = None, timezone: str = "Europe/London",
                  sample_size: int = 5000, offline: bool = True) -> ProposeState:
    """The inputs a new run starts from (the nodes fill in the rest)."""
    return ProposeState(run_id=run_id, source_path=source_path, read_options=dict(read_options or {}),
                        schema_path=schema_path, schema_sha256=schema_sha256, timezone=timezone,
                        sample_size=sample_size, offline=offline)
