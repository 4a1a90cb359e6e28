"""The learning eval's direction, and what the memory may and may not do to a proposal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from evals.learning_eval import LearningResult, render, run_learning_eval
from tools.profile import profile_source
from tools.propose import propose, reason_code
from tools.propose.past import PastApproval
from tools.readers import open_source
from tools.target_schema import load_target_schema

NEWLY_AUTO = {"/arrest/offence_code", "/arrest/officer_collar_number", "/detainee/officer_defined_ethnicity"}


@pytest.fixture(scope="module")
def learning(tmp_path_factory: pytest.TempPathFactory) -> tuple[LearningResult, Path]:
    workdir = tmp_path_factory.mktemp("learning")
    return run_learning_eval(workdir), workdir


def test_more_fields_are_auto_accepted_after_approval_and_precision_holds(learning: tuple[LearningResult, Path]) -> None:
    result, _ = learning
    assert (len(result.auto_before), len(result.auto_after)) == (7, 10)
    assert result.after.automation > result.before.automation
    assert result.before.auto_precision == result.after.auto_precision == 1.0
    assert set(result.auto_after) == set(result.auto_before) | NEWLY_AUTO
    assert set(result.explanations) == NEWLY_AUTO
    assert result.explanations["/arrest/offence_code"].startswith(
        "approved before in dataset force_a_custody (Niche RMS) from field OFFENCE_CODE by supervisor.a (similarity ")
    assert result.learned and "learned: more fields auto-accepted, precision not lower" in render(result)


def proposal_b(workdir: Path, past: dict[str, list[PastApproval]]) -> Any:
    folder = workdir / "cases" / "cases" / "learning_force_b"
    with open_source(folder / "source.csv") as reader:
        profile = profile_source(reader, sample_size=5000)
    with open_source(folder / "source.csv") as reader:
        rows = [row.values for row in reader.rows() if row.error is None]
    return propose(profile, rows, load_target_schema(folder / "target.schema.json"), past=past)


def test_a_past_approval_alone_never_auto_accepts(learning: tuple[LearningResult, Path]) -> None:
    # LOCN (suite names) has no name, detector or constraint evidence for /custody/suite: only the memory
    _, workdir = learning
    past = {"LOCN": [PastApproval(target="/custody/suite", similarity=0.98, dataset="force_a", approved_by="alice")]}
    found = proposal_b(workdir, past)
    suite = next(f for f in found.document.fields if f.target == "/custody/suite")
    assert suite.sources == ["LOCN"]
    assert "low_name_evidence" in [reason_code(r) for r in suite.review_reasons]
    evidence = found.evidence["/custody/suite"]
    assert evidence.past_similarity == 0.98
    assert evidence.past_explanation == "approved before in dataset force_a by alice (similarity 0.98)"
    assert "Approved before in dataset force_a by alice (similarity 0.98)." in suite.rationale


def test_a_past_approval_cannot_lift_a_pair_the_values_contradict(learning: tuple[LearningResult, Path]) -> None:
    _, workdir = learning
    past = {"GNDR": [PastApproval(target="/detainee/postcode", similarity=1.0, dataset="force_a", approved_by="alice")]}
    found = proposal_b(workdir, past)
    postcode = next(f for f in found.document.fields if f.target == "/detainee/postcode")
    assert postcode.sources == ["ADDR_PC"] and found.evidence["/detainee/postcode"].past_similarity == 0.0


def test_a_past_approval_below_the_similarity_floor_is_ignored(learning: tuple[LearningResult, Path]) -> None:
    _, workdir = learning
    weak = {"HO_CLASS": [PastApproval(target="/arrest/offence_code", similarity=0.85, dataset="force_a", approved_by="alice")]}
    assert proposal_b(workdir, weak).model_dump() == proposal_b(workdir, {}).model_dump()
