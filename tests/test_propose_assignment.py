"""The global assignment: each target once, each source once (except groups and second views)."""

from __future__ import annotations

from pathlib import Path

from tests.propose_data import leaf_schema, run_proposer
from tools.propose import ProposeSettings
from tools.propose.assignment import assign
from tools.propose.candidates import Candidate, Option
from tools.propose.facts import target_facts
from tools.propose.transform_choice import Choice
from tools.target_schema import TargetField
from tools.transforms import Text, ValueMap


def candidate(source: str, pointer: str, score: float, op: str = "text") -> Candidate:
    field = TargetField(pointer=pointer, path=pointer.strip("/").split("/"), name=pointer.rsplit("/", 1)[-1], types=["string"])
    spec = Text() if op == "text" else ValueMap(mapping={"a": "b"})
    return Candidate(target_facts(field), (source,), Choice(spec=spec), score, "", None, 0.0, score)


def singles(*candidates: Candidate) -> list[Option]:
    return [Option([c], c.score) for c in candidates]


def chosen(options: list[Option], settings: ProposeSettings | None = None) -> set[tuple[str, tuple[str, ...]]]:
    result = assign(options, settings or ProposeSettings())
    return {(m.pointer, m.sources) for m in result.filled.values()}


class TestUniqueness:
    def test_best_pairs_first_then_what_is_left(self) -> None:
        options = singles(candidate("A", "/x", 0.9), candidate("A", "/y", 0.8), candidate("B", "/x", 0.85),
                          candidate("B", "/y", 0.7))
        assert chosen(options) == {("/x", ("A",)), ("/y", ("B",))}

    def test_a_source_is_used_once_and_a_target_filled_once(self) -> None:
        options = singles(candidate("A", "/x", 0.9), candidate("A", "/y", 0.85), candidate("B", "/x", 0.8))
        assert chosen(options) == {("/x", ("A",))}

    def test_candidates_below_the_review_threshold_are_not_taken(self) -> None:
        assert chosen(singles(candidate("A", "/x", 0.39))) == set()

    def test_ties_are_broken_by_pointer(self) -> None:
        options = singles(candidate("A", "/b", 0.9), candidate("A", "/a", 0.9))
        assert chosen(options, ProposeSettings(coherence_bonus=0)) == {("/a", ("A",))}

    def test_a_group_is_taken_whole_or_not_at_all(self) -> None:
        lat, lon = candidate("E", "/lat", 0.8), candidate("E", "/lon", 0.8)
        group = Option([lat, lon], 0.8)
        taken = candidate("X", "/lon", 0.95)
        assert chosen([group, *singles(taken)]) == {("/lon", ("X",))}
        assert chosen([group]) == {("/lat", ("E",)), ("/lon", ("E",))}


class TestSecondViews:
    def test_a_source_feeds_a_second_target_through_another_op(self) -> None:
        options = singles(candidate("Crime type", "/crime_type", 0.95), candidate("Crime type", "/category", 0.9, "value_map"))
        assert chosen(options) == {("/crime_type", ("Crime type",)), ("/category", ("Crime type",))}

    def test_not_through_the_same_op(self) -> None:
        options = singles(candidate("Outcome", "/event/outcome", 0.95), candidate("Outcome", "/search/outcome", 0.9))
        assert chosen(options) == {("/event/outcome", ("Outcome",))}

    def test_not_when_weak(self) -> None:
        options = singles(candidate("A", "/x", 0.95), candidate("A", "/y", 0.7, "value_map"))
        assert chosen(options) == {("/x", ("A",))}


class TestCoherenceAndConflicts:
    def test_near_ties_go_to_the_section_the_other_fields_fill(self) -> None:
        options = singles(candidate("Outcome", "/event/outcome", 0.9), candidate("Outcome", "/search/outcome", 0.9),
                          candidate("Type", "/search/type", 0.95), candidate("Legislation", "/search/power", 0.93))
        assert ("/search/outcome", ("Outcome",)) in chosen(options)

    def test_a_close_rival_on_an_empty_target_is_a_conflict(self) -> None:
        result = assign(singles(candidate("A", "/x", 0.9), candidate("A", "/y", 0.88)), ProposeSettings())
        assert result.conflicts == {"/x": ["A -> /y scored 0.88"]}

    def test_a_rival_satisfied_elsewhere_is_no_conflict(self) -> None:
        options = singles(candidate("A", "/x", 0.9), candidate("B", "/x", 0.88), candidate("B", "/y", 0.95))
        assert assign(options, ProposeSettings()).conflicts == {}

    def test_a_distant_rival_is_no_conflict(self) -> None:
        assert assign(singles(candidate("A", "/x", 0.9), candidate("A", "/y", 0.8)), ProposeSettings()).conflicts == {}


class TestProposedDocument:
    def test_each_target_once_and_each_source_once(self, tmp_path: Path) -> None:
        columns = {"SURNAME": ["SMITH", "JONES", "BROWN"] * 4, "LAST NAME": ["SMITH", "JONES", "BROWN"] * 4,
                   "FORENAME": ["John", "Mary", "Peter"] * 4}
        schema = leaf_schema({"family_name": {"type": "string"}, "given_name": {"type": "string"}})
        proposal, _, _ = run_proposer(tmp_path, columns, schema)
        targets = [f.target for f in proposal.document.fields]
        sources = [s for f in proposal.document.fields for s in f.sources]
        assert sorted(targets) == ["/family_name", "/given_name"]
        assert len(sources) == len(set(sources))
        assert len(proposal.unmapped_sources) == 1
