"""``crosswalk link`` and ``crosswalk eval-link``: record linkage over canonical datasets.

Kept out of ``agent/cli.py`` for size; the console script registers these functions as
commands. ``link_decide_command`` (a person's merge or split of two records outside the
review queue, e.g. to undo) can be registered as ``crosswalk link-decide``.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any, Optional

import typer

from agent.console.command_context import command_settings
from agent.console.failures import exit_on_user_error

_settings = command_settings


@exit_on_user_error
def link_command(
    ctx: typer.Context,
    datasets: list[Path] = typer.Argument(..., metavar="DATASET...", help="Canonical JSONL files (crosswalk apply output), one per dataset."),
    name: Optional[list[str]] = typer.Option(None, "--name", help="Dataset names, in order (default: the file names without extension)."),
    target_schema: Optional[Path] = typer.Option(None, "--target-schema", help="Standard the records follow (default: the bundled police standard)."),
    clusters_out: Optional[Path] = typer.Option(None, "--clusters-out", help="Write the cluster table (cluster_id, dataset, row, decided_by, version) as CSV."),
    golden_out: Optional[Path] = typer.Option(None, "--golden-out", help="Write one golden record per cluster (JSONL), each value with its source dataset and row."),
    as_json: bool = typer.Option(False, "--json", help="Print the outcome as JSON."),
) -> None:
    """Link the same person across datasets: merge the certain, queue the grey zone and conflicts for review."""
    from agent.jobs.link_job import link

    outcome = link(_settings(ctx), datasets, names=name or None, target_schema=target_schema,
                   clusters_out=clusters_out, golden_out=golden_out)
    if as_json:
        typer.echo(json.dumps({"run_id": outcome.run_id, "version": outcome.version, "records": outcome.records,
                               "counts": outcome.counts, "review_items": len(outcome.review_item_ids),
                               "label_check": outcome.label_check, "notes": outcome.notes}))
        return
    c = outcome.counts
    typer.echo(f"link run {outcome.run_id}: {outcome.records} person records, {c['scored_pairs']} pairs scored")
    typer.echo(f"auto-merged {c['auto_merge_pairs']} pairs into {c['clusters']} clusters ({c['clustered_records']} records); "
               f"cluster version {outcome.version}")
    typer.echo(f"review: {c['review_pairs']} grey-zone pairs, {c['conflicts']} conflicts -> "
               f"{len(outcome.review_item_ids)} record_merge item(s) (crosswalk review list --run {outcome.run_id})")
    check = outcome.label_check
    if check.get("labels"):
        typer.echo(f"against {check['labels']} supervisor label(s): auto-merge precision {check['auto_precision']} "
                   f"recall {check['auto_recall']}; auto-merge + review precision {check['flagged_precision']} "
                   f"recall {check['flagged_recall']}"
                   + (f" (model retuned from {check['retuned_from']} approved pair(s))" if check["retuned_from"] else ""))
    for note in outcome.notes:
        typer.echo(f"note: {note}")
    for path in (outcome.clusters_path, outcome.golden_path):
        if path is not None:
            typer.echo(f"wrote {path}")


@exit_on_user_error
def eval_link_command(
    ctx: typer.Context,
    people: int = typer.Option(3000, "--people", min=10, help="People in the synthetic population."),
    forces: int = typer.Option(3, "--forces", min=2, max=4, help="How many synthetic forces record them."),
    seed: int = typer.Option(7, "--seed", help="Seed of the synthetic data."),
    forces_dir: Optional[Path] = typer.Option(None, "--forces-dir", help="Use these force files and truth.json instead of generating."),
    work_dir: Optional[Path] = typer.Option(None, "--work-dir", help="Where the eval's own data dir goes (default: a temporary folder)."),
    relink: bool = typer.Option(False, "--relink", help="Link again after the simulated reviews (labels retune the model) and score that run."),
    holdout: Optional[float] = typer.Option(
        None, "--holdout", metavar="FRACTION",
        help="With --relink: share of the simulated decisions kept out of the retune and scored as held-out "
             "(seeded, stratified by decision; default 0.3; 0 retunes from all and scores in-sample)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Link synthetic forces with known truth; print precision/recall/F1 of auto-merges and with simulated reviews."""
    from evals.linkage.evaluate import DEFAULT_HOLDOUT, evaluate_link  # the eval harness, loaded only for this command

    if holdout is not None and not relink and holdout:
        raise typer.BadParameter("only the relink retunes from labels: give --relink too", param_hint="--holdout")
    fraction = (DEFAULT_HOLDOUT if holdout is None else holdout) if relink else 0.0
    if not 0.0 <= fraction < 1.0:
        raise typer.BadParameter(f"a fraction at least 0 and below 1 (got {fraction})", param_hint="--holdout")
    settings = _settings(ctx)
    with tempfile.TemporaryDirectory(prefix="crosswalk-eval-link-") as tmp:
        report = evaluate_link(settings, work_dir or Path(tmp), people=people, forces=forces, seed=seed,
                               forces_dir=forces_dir, relink=relink, holdout=fraction)
    if as_json:
        typer.echo(report.model_dump_json())
        return
    typer.echo(f"records {report.records} of {report.people} people; thresholds: auto-merge "
               f"{report.auto_merge_threshold}, review {report.review_threshold}; {report.seconds}s")
    rows = [("auto-merge", report.auto_merge), ("auto-merge + reviewed", report.with_review)]
    if report.first_edges is not None and report.relinked is not None:
        rows += [("model edges, 1st run", report.first_edges), ("model edges, relinked", report.relinked)]
    for label, s in rows:
        typer.echo(_score_line(label, s))
    c = report.counts
    typer.echo(f"pairs scored {c['scored_pairs']}, auto-merge pairs {c['auto_merge_pairs']}, grey-zone pairs "
               f"{c['review_pairs']}, conflicts {c['conflicts']}, held-back merges {c['held_back_edges']}")
    typer.echo(f"review items {report.review_items} ({report.conflict_items} conflicts); simulated decisions: "
               f"{report.decisions_merge} merge, {report.decisions_apart} apart")
    if report.relink_label_check is not None:
        check = report.relink_label_check
        if not check.get("held_out"):
            typer.echo(f"relink: m retuned from {check['retuned_from']} approved pair(s); against {check['labels']} labels "
                       f"(in-sample): auto-merge precision {check['auto_precision']} recall {check['auto_recall']}")
            return
        total = (report.retune_labels or 0) + check["labels"]
        typer.echo(f"relink: m retuned from {check['retuned_from']} approved pair(s) (retune part: {report.retune_labels} "
                   f"of {total} labels, {(report.retune_labels or 0) / max(total, 1):.0%}); held-out {check['labels']} labels "
                   f"({report.held_out_merge} merge, {report.held_out_apart} apart), never used to retune: "
                   f"auto-merge precision {check['auto_precision']} recall {check['auto_recall']}; auto-merge + review "
                   f"precision {check['flagged_precision']} recall {check['flagged_recall']}")
        for label, held in (("held-out auto-merge", report.held_out_auto), ("held-out auto+review", report.held_out_flagged),
                            ("held-out auto, 1st run", report.held_out_auto_first)):
            if held is not None:
                typer.echo(_score_line(label, held))


def _score_line(label: str, s: Any) -> str:
    """One row of pairwise scores (``PairScores``) under ``label``."""
    return (f"{label:<22} precision {s.precision:.4f}  recall {s.recall:.4f}  F1 {s.f1:.4f}  "
            f"(pairs: predicted {s.predicted_pairs}, correct {s.correct_pairs}, true {s.true_pairs})")


@exit_on_user_error
def link_decide_command(
    ctx: typer.Context,
    record_a: str = typer.Argument(..., metavar="RECORD_A", help="Record key dataset:row."),
    record_b: str = typer.Argument(..., metavar="RECORD_B", help="Record key dataset:row."),
    merge: bool = typer.Option(..., "--merge/--split", help="One person (merge) or two people (split)."),
    reason: str = typer.Option(..., "--reason", help="Why; written to the audit log."),
) -> None:
    """A person's decision on two records: a new cluster version (undo an earlier one with the opposite decision)."""
    from agent.jobs.link_feedback import check_record_keys, decide_pair, record_values
    from agent.reason_masking import schema_codes
    from agent.store import open_session

    settings = _settings(ctx)
    with open_session(settings) as session:
        check_record_keys(session, record_a, record_b)
        # the reason is masked in the audit log where it quotes the two records (unless audit_raw_values)
        version = decide_pair(session, record_a, record_b, match=merge, actor=settings.actor(), reason=reason,
                              evidence=record_values(session, record_a, record_b), codes=schema_codes(),
                              audit_raw_values=settings.audit_raw_values)
    typer.echo(f"cluster version {version.version}: {len(version.changed)} record(s) changed cluster")
