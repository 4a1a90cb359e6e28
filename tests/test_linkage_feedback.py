"""Labels feed back into the model; linkage rows are append-only; cluster writes survive two writers."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from typer.testing import CliRunner

from agent.audit import list_events
from agent.jobs import link_feedback
from agent.jobs.link_feedback import UnknownRecordError, check_record_keys, decide_pair
from agent.jobs.link_job import link
from agent.settings import Settings
from agent.store import open_session
from agent.store.database import dispose_engines
from agent.store.linkage import (ClusterMembership, ClusterVersionRow, LinkDecision, LinkEdge, LinkRun, cluster_table,
                                 current_cluster)
from evals.linkage.make_forces import make_forces
from tools.errors import StoreError
from tests.cli_apps import command_app
from tests.concurrency import run_together


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("feedback")
    forces = make_forces(300, forces=2, seed=9)
    paths = forces.write(work / "forces")
    settings = Settings(data_dir=work / "data", user="lee")
    outcome = link(settings, paths)
    yield settings, outcome, forces, paths
    dispose_engines()


def _true_pairs(truth: dict[str, int], count: int) -> list[tuple[str, str]]:
    by_person: dict[int, list[str]] = {}
    for key, person in sorted(truth.items()):
        by_person.setdefault(person, []).append(key)
    return [(keys[0], keys[1]) for keys in by_person.values() if len(keys) > 1][:count]


def test_enough_labels_retune_the_model_and_too_few_do_not(linked) -> None:
    settings, _, forces, paths = linked
    with open_session(settings) as session:
        for a, b in _true_pairs(forces.truth, 6):
            decide_pair(session, a, b, match=True, actor="kim", reason="same person (simulated)")
    few = link(settings.model_copy(update={"link_min_labels_to_retune": 50}), paths)
    assert few.label_check["labels"] >= 6 and few.label_check["retuned_from"] == 0
    retuned = link(settings.model_copy(update={"link_min_labels_to_retune": 5}), paths)
    check = retuned.label_check
    assert check["retuned_from"] == 6 and any("retuned from 6" in n for n in retuned.notes)
    assert check["auto_recall"] is not None and 0.0 <= check["auto_recall"] <= 1.0
    assert check["flagged_recall"] is not None and check["flagged_recall"] >= check["auto_recall"]
    with open_session(settings) as session:
        events = {run: [e for e in list_events(session, run) if e.action == "link_model_retuned"]
                  for run in (few.run_id, retuned.run_id)}
    assert events[few.run_id] == []
    [event] = events[retuned.run_id]
    assert event.inputs["labels"] == 6 and event.outputs["method"] == "estimate_m_from_pairwise_labels"


@pytest.mark.parametrize("model", [LinkDecision, ClusterMembership, ClusterVersionRow, LinkEdge, LinkRun])
def test_linkage_rows_are_append_only(linked, model) -> None:
    settings, _, _, _ = linked
    table = model.__tablename__
    with open_session(settings) as session:
        row = session.exec(select(model)).first()
        assert row is not None
        with pytest.raises(StoreError, match="append-only"):
            session.delete(row)
            session.flush()
        session.rollback()
    with open_session(settings) as session:
        for statement in (f"UPDATE {table} SET rowid = rowid", f"DELETE FROM {table}"):
            with pytest.raises(IntegrityError, match="append-only"):
                session.execute(text(statement))
            session.rollback()


def test_undo_is_a_later_decision_and_the_earlier_version_stays_readable(linked) -> None:
    settings, _, forces, _ = linked
    with open_session(settings) as session:  # a pair the model left apart, so the merge is a change
        a, b = next(p for p in _true_pairs(forces.truth, 10_000)[10:]
                    if current_cluster(session, p[0]) != current_cluster(session, p[1]))
        merged = decide_pair(session, a, b, match=True, actor="kim", reason="one person")
        split = decide_pair(session, a, b, match=False, actor="sam", reason="undo: twins")
        decisions = session.exec(select(LinkDecision).where(LinkDecision.unique_id_l == min(a, b),
                                                            LinkDecision.unique_id_r == max(a, b))).all()
        table = cluster_table(session)
        apart = current_cluster(session, a) != current_cluster(session, b)
    assert merged.changed and split.version == merged.version + 1 and split.changed and apart
    assert [(d.clerical_match_score, d.version) for d in decisions][-2:] == [(1.0, merged.version), (0.0, split.version)]
    assert table.cluster_of(a, merged.version) == table.cluster_of(b, merged.version)


def test_a_version_collision_is_retried(linked, monkeypatch: pytest.MonkeyPatch) -> None:
    settings, _, forces, _ = linked
    a, b = _true_pairs(forces.truth, 60)[-1]
    real = link_feedback.cluster_table
    calls = {"n": 0}

    def stale_once(session, keys=None):  # another writer took the version between our read and write
        table = real(session, keys)
        calls["n"] += 1
        if calls["n"] == 1:
            table.version -= 1
        return table

    monkeypatch.setattr(link_feedback, "cluster_table", stale_once)
    with open_session(settings) as session:
        before = cluster_table(session).version
        written = decide_pair(session, a, b, match=False, actor="kim", reason="two people")
        rows = session.exec(select(LinkDecision).where(LinkDecision.reason == "two people")).all()
    assert calls["n"] == 2 and written.version == before + 1 and len(rows) == 1


def test_two_writers_at_once_both_get_a_version(linked) -> None:
    settings, _, forces, _ = linked
    with open_session(settings) as session:  # two pairs the model merged: splitting each is a change
        merged = [p for p in _true_pairs(forces.truth, 10_000)[100:]
                  if current_cluster(session, p[0]) == current_cluster(session, p[1])]
    pairs = merged[:2]
    def decide(pair: tuple[str, str]) -> int:
        with open_session(settings) as session:
            return decide_pair(session, *pair, match=False, actor="kim", reason="apart").version

    versions, errors = run_together(*(lambda p=p: decide(p) for p in pairs))
    assert not errors and len(set(versions)) == 2


def test_link_decide_names_an_unknown_record(linked, tmp_path: Path) -> None:
    from agent.link_commands import link_decide_command

    settings, _, forces, _ = linked
    known = sorted(forces.truth)[0]
    with open_session(settings) as session:
        check_record_keys(session, known)
        for key, why in (("force_z:1", "no link run has linked a dataset 'force_z'"), ("force_a:999999", "has no row 999999"),
                         ("nocolon", "dataset:row")):
            with pytest.raises(UnknownRecordError, match=why) as raised:
                check_record_keys(session, known, key)
            assert raised.value.key == key
    app = command_app("link-decide", link_decide_command, settings)
    result = CliRunner().invoke(app, ["link-decide", known, "force_a:999999", "--merge", "--reason", "x"])
    assert result.exit_code == 2 and "unknown record 'force_a:999999'" in result.output


# Held-out evaluation of the label retune (`crosswalk eval-link --relink --holdout`).

def _decisions(merges: int, aparts: int) -> list[tuple[str, str, bool]]:
    return ([(f"force_a:{i}", f"force_b:{i}", True) for i in range(merges)]
            + [(f"force_a:{i}", f"force_b:{i + 1}", False) for i in range(aparts)])


def test_the_holdout_split_is_seeded_stratified_disjoint_and_complete() -> None:
    from evals.linkage.evaluate import split_decisions

    decisions = _decisions(40, 21)
    retune, held = split_decisions(decisions, 0.3, seed=7)
    assert split_decisions(list(reversed(decisions)), 0.3, seed=7) == (retune, held)  # input order does not matter
    assert split_decisions(decisions, 0.3, seed=8) != (retune, held)  # the seed does
    assert not set(retune) & set(held) and sorted(retune + held) == sorted(decisions)
    assert sum(s for *_, s in held) == 12 and sum(not s for *_, s in held) == 6  # round(0.3 * n) of each decision
    assert split_decisions(decisions, 0.0, seed=7) == (sorted(decisions), [])
    # A small stratum still lands in both parts; a pair decided twice counts once, by its last decision.
    retune, held = split_decisions(_decisions(3, 2) + [("force_a:0", "force_b:0", False)], 0.1, seed=7)
    assert [s for *_, s in held].count(True) == 1 and [s for *_, s in retune].count(True) == 1
    assert [s for *_, s in held].count(False) == 1 and [s for *_, s in retune].count(False) == 2
    assert ("force_a:0", "force_b:0", False) in retune + held
    with pytest.raises(ValueError, match="below 1"):
        split_decisions(decisions, 1.0, seed=7)


def test_held_out_labels_do_not_retune_and_are_the_only_ones_checked(linked, monkeypatch: pytest.MonkeyPatch) -> None:
    from tools.linkage import pipeline

    settings, _, forces, paths = linked
    pairs = [tuple(sorted(p)) for p in _true_pairs(forces.truth, 80)[70:80]]
    assert len(pairs) == 10
    with open_session(settings) as session:
        for a, b in pairs:
            decide_pair(session, a, b, match=True, actor="kim", reason="same person (held-out test)")
        _, _, labels = link_feedback.constraints(session, set(forces.truth))
    given: list[list[tuple[str, str, float]]] = []
    real = pipeline.retune_from_labels

    def spy(linker, db_api, labels, settings, notes):  # what the retune is given
        given.append(list(labels))
        return real(linker, db_api, labels, settings, notes)

    monkeypatch.setattr(pipeline, "retune_from_labels", spy)
    held = pairs[:4]
    outcome = link(settings.model_copy(update={"link_min_labels_to_retune": 3}), paths, held_out=held)
    [retune] = given
    assert {(a, b) for a, b, _ in retune} == {(a, b) for a, b, _ in labels} - set(held)
    check = outcome.label_check
    assert check["held_out"] is True and check["labels"] == 4 and set(outcome.label_routes) == set(held)
    assert check["retuned_from"] == sum(s >= 0.5 for *_, s in retune) > 0
    assert check["match_auto"] + check["match_review"] + check["match_apart"] == 4


def test_eval_link_relink_reports_the_held_out_labels(tmp_path: Path) -> None:
    import re

    from agent.link_commands import eval_link_command

    settings = Settings(data_dir=tmp_path / "unused", link_min_labels_to_retune=5)
    app = command_app("eval-link", eval_link_command, settings)
    runner = CliRunner()
    refused = runner.invoke(app, ["eval-link", "--holdout", "0.3"])
    assert refused.exit_code == 2 and "--relink" in refused.output
    result = runner.invoke(app, ["eval-link", "--people", "250", "--relink", "--holdout", "0.3", "--work-dir",
                                 str(tmp_path / "eval")])
    assert result.exit_code == 0, result.output
    merges, aparts = map(int, re.search(r"simulated decisions: (\d+) merge, (\d+) apart", result.output).groups())
    found = re.search(r"relink: m retuned from (\d+) approved pair\(s\) \(retune part: (\d+) of (\d+) labels, \d+%\); "
                      r"held-out (\d+) labels \((\d+) merge, (\d+) apart\), never used to retune: auto-merge precision",
                      result.output)
    assert found, result.output
    retuned, retune_part, total, held, held_merges, held_aparts = map(int, found.groups())
    assert total == merges + aparts == retune_part + held and held == held_merges + held_aparts
    assert held_merges == round(0.3 * merges) and held_aparts >= 1 and aparts >= 2
    assert retuned == merges - held_merges > 0  # only the retune part's approved pairs retuned m
    assert "(in-sample)" not in result.output
    for row in ("held-out auto-merge ", "held-out auto+review ", "held-out auto, 1st run "):
        assert re.search(rf"^{re.escape(row)}\s*precision [\d.]+  recall [\d.]+  F1 [\d.]+", result.output, re.M), row
