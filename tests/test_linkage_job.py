"""The link job end to end on small synthetic forces: clusters, record_merge items, decisions fed back."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from agent.audit import list_events
from agent.jobs.link_feedback import apply_link_decisions, decide_pair
from agent.jobs.link_job import LinkRequestError, link
from agent.jobs.review_job import decide_item
from agent.settings import Settings
from agent.store import open_session
from agent.store.database import dispose_engines
from agent.store.linkage import ClusterMembership, LinkDecision, LinkRun, cluster_table, current_cluster, labels_table
from agent.store.models import ReviewItem
from evals.linkage.make_forces import make_forces
from evals.linkage.metrics import pair_scores
from tools.linkage import singleton_id
from tests.cli_apps import command_app


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("link")
    forces = make_forces(400, forces=2, seed=5)
    paths = forces.write(work / "forces")
    settings = Settings(data_dir=work / "data", user="lee")
    outcome = link(settings, paths, clusters_out=work / "clusters.csv", golden_out=work / "golden.jsonl")
    yield settings, outcome, forces, work
    dispose_engines()


def test_link_run_stores_a_cluster_version_and_queues_record_merges(linked) -> None:
    settings, outcome, forces, work = linked
    assert outcome.records == len(forces.truth)
    assert outcome.version == 1 and outcome.counts["clusters"] > 100
    with open_session(settings) as session:
        run = session.get(LinkRun, outcome.run_id)
        assert run is not None and run.model["comparisons"]
        items = session.exec(select(ReviewItem).where(ReviewItem.run_id == outcome.run_id)).all()
        state = cluster_table(session).at()
        actions = {e.action for e in list_events(session, outcome.run_id)}
    assert items and {i.kind for i in items} == {"record_merge"}
    assert all(i.confidence == i.proposal["match_probability"] for i in items)  # the queue sorts on it
    sample = items[0].proposal
    assert sample["field"] is None and {"left", "right", "comparisons", "match_probability", "conflict"} <= set(sample)
    assert sample["left"]["person"] and sample["left"]["dataset"] in forces.records
    conflicts = [i for i in items if i.proposal["conflict"]]
    assert conflicts and all(i.proposal["reason"] for i in conflicts)
    grey = [i for i in items if not i.proposal["conflict"]]
    for item in grey:
        assert {"name", "level", "label", "match_weight"} <= set(item.proposal["comparisons"][0])
    assert {"link_started", "link_clusters_version", "link_review_queued"} <= actions
    components: dict[str, list[str]] = {}
    for key, member in state.items():
        components.setdefault(member.cluster_id, []).append(key)
    scores = pair_scores([c for c in components.values() if len(c) > 1], forces.truth)
    assert scores.precision >= 0.99 and scores.recall > 0.8
    header = (work / "clusters.csv").read_text().splitlines()[0]
    assert header == "cluster_id,dataset,row,decided_by,version"
    golden = (work / "golden.jsonl").read_text().splitlines()[0]
    assert '"dataset"' in golden and '"rule"' in golden


def test_decisions_become_labels_and_new_versions_and_can_be_undone(linked) -> None:
    settings, outcome, forces, _ = linked
    with open_session(settings) as session:
        items = session.exec(select(ReviewItem).where(ReviewItem.run_id == outcome.run_id)).all()
    item = next(i for i in items if forces.truth[i.proposal["left"]["key"]] == forces.truth[i.proposal["right"]["key"]])
    left, right = item.proposal["left"]["key"], item.proposal["right"]["key"]
    reviewer = settings.model_copy(update={"user": "kim"})  # not the person who ran the link
    decide_item(reviewer, item.id, "approve", "same person: PNC and name agree")  # applies the decision too
    assert apply_link_decisions(settings) == []  # applied once only
    with open_session(settings) as session:
        applied = session.exec(select(LinkDecision).where(LinkDecision.review_item_id == item.id)).one()
        assert applied.actor == "kim" and applied.clerical_match_score == 1.0
        assert current_cluster(session, left) == current_cluster(session, right)
        labels = labels_table(session)
        assert {"unique_id_l": min(left, right), "unique_id_r": max(left, right), "clerical_match_score": 1.0} in labels
        merged_version = cluster_table(session).version
        # undo: a later decision splits them again; the merge stays in the history
        split = decide_pair(session, left, right, match=False, actor="kim", reason="undo: twins")
        assert split.version == merged_version + 1
        assert current_cluster(session, left) != current_cluster(session, right)
        table = cluster_table(session)
        assert table.cluster_of(left, merged_version) == table.cluster_of(right, merged_version)
        decisions = session.exec(select(LinkDecision)).all()
        assert [d.clerical_match_score for d in decisions] == [1.0, 0.0]
        assert labels_table(session)[0]["clerical_match_score"] == 0.0
        rows = session.exec(select(ClusterMembership).where(ClusterMembership.version > 1)).all()
        assert rows and {r.decided_by for r in rows} == {"kim"}, [(r.version, r.record_key, r.decided_by) for r in rows]
        actions = [e.action for e in list_events(session)]
    assert "link_merge" in actions and "link_split" in actions


def test_a_second_run_keeps_person_decisions(linked) -> None:
    settings, outcome, forces, work = linked
    with open_session(settings) as session:
        decision = session.exec(select(LinkDecision).order_by(LinkDecision.created_at.desc())).first()  # type: ignore[union-attr]
    again = link(settings, sorted((work / "forces").glob("*.jsonl")))
    assert again.label_check["labels"] >= 1
    with open_session(settings) as session:
        assert current_cluster(session, decision.unique_id_l) != current_cluster(session, decision.unique_id_r)
        items = session.exec(select(ReviewItem).where(ReviewItem.run_id == again.run_id)).all()
    targets = {i.target for i in items}
    assert f"{decision.unique_id_l} ~ {decision.unique_id_r}" not in targets or decision.unique_id_l == decision.unique_id_r


def test_dataset_names_must_differ(tmp_path: Path) -> None:
    for name in ("x", "y"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "records.jsonl").write_text("")
    with pytest.raises(LinkRequestError, match="must differ"):
        link(Settings(data_dir=tmp_path / "d"), [tmp_path / "x" / "records.jsonl", tmp_path / "y" / "records.jsonl"])
    with pytest.raises(LinkRequestError, match="nothing to link"):
        link(Settings(data_dir=tmp_path / "d"), [tmp_path / "x" / "records.jsonl", tmp_path / "y" / "records.jsonl"],
             names=["x", "y"])


def test_commands_print_the_outcome(linked, tmp_path: Path) -> None:
    from agent.link_commands import link_command

    settings, _, _, work = linked
    app = command_app("link", link_command, settings)
    result = CliRunner().invoke(app, ["link", *map(str, sorted((work / "forces").glob("*.jsonl")))])
    assert result.exit_code == 0, result.output
    assert "auto-merged" in result.output and "record_merge item(s)" in result.output
    assert singleton_id("x:1").startswith("c")


def test_review_list_and_show_handle_record_merges(linked) -> None:
    from agent.review_commands import review_app

    settings, outcome, _, _ = linked
    listed = CliRunner().invoke(review_app, ["list", "--run", outcome.run_id], obj=settings)
    assert listed.exit_code == 0, listed.output
    assert "record_merge" in listed.output and "p=" in listed.output
    item_id = listed.output.split()[0]
    shown = CliRunner().invoke(review_app, ["show", item_id], obj=settings)
    assert shown.exit_code == 0, shown.output
    assert "pair:" in shown.output and "approve = one person" in shown.output


def test_the_spark_session_size_comes_from_the_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from pydantic import ValidationError

    from agent.jobs.link_job import spark_options

    monkeypatch.setenv("CROSSWALK_LINK_SPARK_MASTER", "local[8]")
    monkeypatch.setenv("CROSSWALK_LINK_SPARK_DRIVER_MEMORY", "16g")
    monkeypatch.setenv("CROSSWALK_LINK_SPARK_SHUFFLE_PARTITIONS", "64")
    options = spark_options(Settings(data_dir=tmp_path))
    assert (options.master, options.driver_memory, options.shuffle_partitions) == ("local[8]", "16g", 64)
    monkeypatch.setenv("CROSSWALK_LINK_SPARK_DRIVER_MEMORY", "lots")
    with pytest.raises(ValidationError, match="link_spark_driver_memory"):
        Settings(data_dir=tmp_path)


def test_the_spark_backend_without_pyspark_says_how_to_get_it() -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("pyspark is installed here (.venv-spark)")
    from tools.linkage.backend import LinkBackendError, database_api

    with pytest.raises(LinkBackendError, match="pyspark is not installed .*evals/spark/setup.sh"):
        database_api("spark")
