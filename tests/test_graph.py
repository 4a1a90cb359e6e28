"""The propose graph: node order, one audit event per node, repair, and plain-data state."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from langgraph.checkpoint.sqlite import SqliteSaver

from agent.graph import NODE_NAMES, GraphContext, ProposeState, build_graph, initial_state, strict_serde, thread_config
from agent.graph.nodes import validate
from agent.graph.nodes.repair import REPAIRED, attempts_for, next_attempt
from agent.graph.resources import SampleCache
from tests.propose_data import custody_rows, custody_schema, leaf_schema, write_csv, write_schema
from tests.test_propose_end_to_end import EXPECTED_SOURCES
from tools.errors import SourceError
from tools.mapping import FieldMapping, MappingDocument
from tools.propose import Proposal, reason_code
from tools.propose.model import Alternative, FieldEvidence
from tools.target_schema import load_target_schema


class ListSink:
    """Audit events kept in a list: (action, subject, inputs, outputs)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = []

    def record(self, action: str, subject: str, inputs: dict[str, Any], outputs: dict[str, Any]) -> None:
        self.events.append((action, subject, inputs, outputs))

    def actions(self) -> list[str]:
        return [event[0] for event in self.events]

    def named(self, action: str) -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
        return [event for event in self.events if event[0] == action]


def run_graph(source: Path, schema: Path, sink: ListSink, *, run_id: str = "run-1", **context: Any) -> tuple[dict[str, Any], Any]:
    """Run the graph on an in-memory checkpointer; returns the final state and the compiled graph."""
    graph = build_graph(SqliteSaver(sqlite3.connect(":memory:", check_same_thread=False), serde=strict_serde()))
    state = initial_state(run_id=run_id, source_path=str(source), schema_path=str(schema),
                          schema_sha256=load_target_schema(schema).sha256)
    final = graph.invoke(state, thread_config(run_id), context=GraphContext(audit=sink, **context), durability="sync")
    return dict(final), graph


STRAIGHT = ["graph_read", "graph_profile", "graph_retrieve", "graph_propose", "graph_rerank", "graph_validate", "graph_route"]


@pytest.fixture(scope="module")
def custody(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("custody")
    return write_csv(folder / "export.csv", custody_rows()), write_schema(folder / "target.schema.json", custody_schema())


@pytest.fixture(scope="module")
def custody_run(custody: tuple[Path, Path]) -> tuple[dict[str, Any], Any, ListSink]:
    sink = ListSink()
    final, graph = run_graph(*custody, sink)
    return final, graph, sink


@pytest.fixture(scope="module")
def counts(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A count column whose 300 commonest values are plain and whose 100 rarest carry thousands separators.

    The proposer tries the 200 commonest distinct values, so it picks to_integer without
    a separator; validation on every sampled row then fails 100 of 1300 rows.
    """
    folder = tmp_path_factory.mktemp("counts")
    rows = [{"OFFENCES_COUNT": str(i + 1), "SURNAME": "SMITH"} for i in range(300) for _ in range(4)]
    rows += [{"OFFENCES_COUNT": f"{1000 + i * 7:,}", "SURNAME": "JONES"} for i in range(100)]
    schema = leaf_schema({"offence_count": {"type": "integer", "title": "Number of offences"}, "family_name": {"type": "string"}})
    return write_csv(folder / "counts.csv", rows), write_schema(folder / "target.schema.json", schema)


def test_the_graph_is_wired_read_profile_retrieve_propose_rerank_validate_repair_route_review() -> None:
    drawn = build_graph().get_graph()
    assert set(drawn.nodes) == {"__start__", *NODE_NAMES, "__end__"}
    edges = {(e.source, e.target, e.conditional) for e in drawn.edges}
    assert edges == {
        ("__start__", "read", False), ("read", "profile", False), ("profile", "retrieve", False), ("retrieve", "propose", False),
        ("propose", "rerank", False), ("rerank", "validate", False), ("validate", "repair", True), ("validate", "route", True),
        ("repair", "validate", False), ("route", "review", False), ("review", "__end__", False),
    }


def test_nodes_run_in_order_and_each_writes_one_audit_event(custody: tuple[Path, Path],
                                                            custody_run: tuple[dict[str, Any], Any, ListSink]) -> None:
    source, _ = custody
    final, _, sink = custody_run
    assert sink.actions() == STRAIGHT  # nothing fails validation here, so no repair round
    read, profiled, retrieved, proposed, reranked, validated, routed = sink.events
    assert reranked[2:] == ({"llm": "offline"}, {"skipped": True, "reason": "offline"})
    assert retrieved[2]["memory"] == "none" and retrieved[3] == {"fields_with_matches": 0, "best": {}}
    assert final["past_matches"] == {}
    assert read[3]["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    assert read[3]["rows_sampled"] == 120 and read[2]["path"] == str(source)
    assert profiled[3]["types"]["OIC_COLLAR"] == "integer" and profiled[3]["exhausted"] is True
    assert {f["target"]: f["sources"] for f in proposed[3]["fields"]} == EXPECTED_SOURCES
    assert all(0.0 < f["match_score"] <= 1.0 for f in proposed[3]["fields"])
    assert set(proposed[3]["unmapped"]) == {"ROWVER", "LAST_UPDATED_BY", "EXTRACT_DT"}
    assert proposed[2]["mode"] == "offline"
    assert validated[3]["pass_rates"] == {target: 1.0 for target in EXPECTED_SOURCES}
    assert validated[3]["to_repair"] == []
    assert "merge" in routed[3]["needs_review"]["/arrest/arrested_at"]
    assert set(routed[3]["auto_accepted"]) | set(routed[3]["needs_review"]) == set(EXPECTED_SOURCES)
    document = MappingDocument.model_validate(final["document"])
    assert [f.status for f in document.fields if f.target in routed[3]["auto_accepted"]] == ["auto_accepted"] * len(routed[3]["auto_accepted"])


def test_the_final_document_carries_validation_evidence_and_the_run(custody_run: tuple[dict[str, Any], Any, ListSink]) -> None:
    final, _, _ = custody_run
    doc = final["document"]
    assert doc["run_id"] == "run-1" and doc["repairs"] == []
    assert doc["proposed_by"] == {"tool": "crosswalk propose", "llm": "not configured", "mode": "offline"}
    assert set(doc["evidence"]) == set(EXPECTED_SOURCES)
    family = next(f for f in doc["fields"] if f["target"] == "/detainee/family_name")
    assert family["validation"] == {"rows_checked": 120, "rows_passed": 120, "pass_rate": 1.0, "failures": []}


def test_every_checkpoint_holds_plain_json_and_no_sample_rows(custody_run: tuple[dict[str, Any], Any, ListSink]) -> None:
    _, graph, _ = custody_run
    history = list(graph.get_state_history({"configurable": {"thread_id": "run-1"}}))
    assert len(history) == len(STRAIGHT) + 3  # the input, one per node, review (nothing to review here), and the end
    for snapshot in history:
        values = dict(snapshot.values)
        assert set(values) <= set(ProposeState.__annotations__)
        assert json.loads(json.dumps(values)) == values  # strict JSON: no dates, tuples or models
    # the sample rows themselves are never checkpointed (the profile keeps only a few examples)
    later_row = custody_rows()[100]
    assert all(later_row["NHS_NO"] not in json.dumps(dict(s.values)) for s in history)


def test_a_failing_field_is_repaired_with_a_transform_chosen_on_the_whole_sample(counts: tuple[Path, Path]) -> None:
    sink = ListSink()
    final, _ = run_graph(*counts, sink)
    assert sink.actions() == ["graph_read", "graph_profile", "graph_retrieve", "graph_propose", "graph_rerank", "graph_validate", "graph_repair",
                              "graph_validate", "graph_route"]
    first, second = sink.named("graph_validate")
    assert first[3]["pass_rates"]["/offence_count"] == pytest.approx(1200 / 1300, abs=1e-4)
    assert first[3]["to_repair"] == ["/offence_count"]
    assert second[2]["fields"] == ["/offence_count"]  # only the repaired field is validated again
    assert second[3]["pass_rates"] == {"/offence_count": 1.0}
    (attempt,) = sink.named("graph_repair")[0][3]["attempts"]
    assert (attempt["kind"], attempt["adopted"], attempt["pass_rate_after"]) == ("full_sample_transform", True, 1.0)
    field = next(f for f in final["document"]["fields"] if f["target"] == "/offence_count")
    assert field["transform"]["op"] == "to_integer" and field["transform"]["thousands_separator"] == ","
    # a repaired field is never auto-accepted: a person looks at it first
    assert field["status"] == "needs_review"
    assert [reason_code(r) for r in field["review_reasons"]][0] == REPAIRED
    assert field["validation"]["pass_rate"] == 1.0


def test_no_repair_round_runs_when_the_bound_is_zero(counts: tuple[Path, Path]) -> None:
    sink = ListSink()
    final, _ = run_graph(*counts, sink, max_repair_rounds=0)
    assert sink.actions() == STRAIGHT
    field = next(f for f in final["document"]["fields"] if f["target"] == "/offence_count")
    assert field["status"] == "needs_review" and field["transform"].get("thousands_separator") is None
    assert "validation_failures" in [reason_code(r) for r in field["review_reasons"]]


def _proposal() -> Proposal:
    text = {"op": "text"}
    doc = MappingDocument(fields=[FieldMapping(target="/a", sources=["A"], transform=text, status="needs_review"),
                                  FieldMapping(target="/b", sources=["B"], transform=text, status="needs_review")])
    alternatives = [Alternative(target="/a", sources=["B"], score=0.7), Alternative(target="/a", sources=["C"], score=0.6),
                    Alternative(target="/a", sources=["C", "D"], score=0.5), Alternative(target="/a", sources=["E"], score=0.4)]
    evidence = {"/a": FieldEvidence(target="/a", sources=["A"], name_score=0.5, match_score=0.8, alternatives=alternatives)}
    return Proposal(document=doc, evidence=evidence)


def test_repair_tries_the_whole_sample_first_then_free_single_source_runners_up() -> None:
    proposal = _proposal()
    found = [(a.kind, a.source, a.score) for a in attempts_for(proposal, "/a")]
    # B is taken by /b and C + D is a merge: neither is tried
    assert found == [("full_sample_transform", "A", None), ("alternative", "C", 0.6), ("alternative", "E", 0.4)]
    tried = {"/a|full_sample_transform|A", "/a|alternative|C"}
    chosen = next_attempt(proposal, "/a", tried)
    assert chosen is not None and chosen.key == "/a|alternative|E"
    assert next_attempt(proposal, "/a", tried | {chosen.key}) is None


def test_validate_asks_for_no_repair_once_the_rounds_are_used(counts: tuple[Path, Path]) -> None:
    sink = ListSink()
    final, _ = run_graph(*counts, sink, max_repair_rounds=0)
    state = {**final, "repair_round": 2, "revised": None, "repairs": []}
    runtime = SimpleNamespace(context=GraphContext(audit=sink, max_repair_rounds=2))
    assert validate(state, runtime)["to_repair"] == []  # type: ignore[arg-type]
    state["repair_round"] = 1
    assert validate(state, runtime)["to_repair"] == ["/offence_count"]  # type: ignore[arg-type]


def test_a_source_changed_after_the_read_step_is_refused(custody: tuple[Path, Path]) -> None:
    source, schema = custody
    state = initial_state(run_id="r", source_path=str(source), schema_path=str(schema), schema_sha256="")
    state["source_info"] = {"sha256": "0" * 64}
    with pytest.raises(SourceError, match="changed since run r read it"):
        SampleCache().get(state)
