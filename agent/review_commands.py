"""``crosswalk review ...``: list, show and decide review items from the command line.

A sub-app of the console script, kept out of ``agent/cli.py`` for size; only that module
imports it. The web app (``review_ui/``) offers the same decisions over the same jobs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

import typer

from agent.console.command_context import command_settings
from agent.console.failures import exit_on_user_error, fail

review_app = typer.Typer(help="The review queue: fields the agent did not auto-accept, waiting for a person.",
                         no_args_is_help=True)


# ``--as`` names the acting person (else CROSSWALK_USER, else the OS login).
_settings = command_settings


def _sample_text(sample: dict[str, Any]) -> str:
    inputs = " | ".join("" if v is None else str(v) for v in sample["inputs"])
    result = f"error: {sample['error']}" if "error" in sample else json.dumps(sample.get("output"), ensure_ascii=False)
    return f"  {inputs!r} -> {result}  ({sample['rows']} row(s))"


@review_app.command("list")
@exit_on_user_error
def review_list(
    ctx: typer.Context,
    run: Optional[str] = typer.Option(None, "--run", help="Only the items of this run id."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per item."),
) -> None:
    """List the undecided items (open or edited), oldest run first."""
    from agent.store import open_session
    from agent.store.review import open_items

    with open_session(_settings(ctx)) as session:
        items = open_items(session, run)
    for item in items:
        field = item.proposal["field"] or {"confidence": item.confidence, "sources": []}  # record merges have no field
        if as_json:
            typer.echo(json.dumps({"id": item.id, "run_id": item.run_id, "kind": item.kind, "target": item.target,
                                   "state": item.state, "version": item.version, "confidence": field.get("confidence"),
                                   "proposed_by": item.proposed_by}))
            continue
        if item.kind == "record_merge":
            from agent.console.link_view import merge_item_line

            typer.echo(merge_item_line(item))
            continue
        typer.echo(f"{item.id}  {item.kind:<13} {item.target}  <- {' + '.join(field['sources'])}  "
                   f"confidence {field.get('confidence', 0):.2f}  {item.state} (v{item.version})  run {item.run_id}")
    if not as_json:
        typer.echo(f"{len(items)} item(s) waiting for review")


@review_app.command("show")
@exit_on_user_error
def review_show(ctx: typer.Context, item_id: str = typer.Argument(..., metavar="ITEM", help="Review item id.")) -> None:
    """Show an item: the proposed field, why it needs review, sample values before and after, validation."""
    from agent.store import open_session
    from agent.store.review import get_item

    with open_session(_settings(ctx)) as session:
        item = get_item(session, item_id)
    if item.kind == "record_merge":
        from agent.console.link_view import merge_item_lines

        typer.echo("\n".join(merge_item_lines(item)))
        if item.decided_by:
            typer.echo(f"decided by {item.decided_by} at {item.decided_at}: {item.reason}")
        return
    field = item.proposal["field"]
    preview = item.proposal.get("preview") or {}
    typer.echo(f"item {item.id} ({item.kind}, {item.state}, version {item.version}) of run {item.run_id}")
    typer.echo(f"target: {item.target}")
    typer.echo(f"sources: {' + '.join(field['sources'])}")
    typer.echo(f"transform: {json.dumps(field['transform'], ensure_ascii=False)}")
    typer.echo(f"confidence: {field.get('confidence', 0):.2f}; proposed by {item.proposed_by}")
    typer.echo(f"rationale: {field.get('rationale', '')}")
    for reason in field.get("review_reasons") or []:
        typer.echo(f"needs review: {reason}")
    typer.echo("sample values (source -> transformed):")
    for sample in preview.get("samples") or []:
        typer.echo(_sample_text(sample))
    check = preview.get("validation") or {}
    if "pass_rate" in check:
        typer.echo(f"validation: {check['rows_passed']} of {check['rows_checked']} sampled rows valid ({check['pass_rate']:.1%})")
    if item.decided_by:
        typer.echo(f"decided by {item.decided_by} at {item.decided_at}: {item.reason}")


@review_app.command("versions")
@exit_on_user_error
def review_versions(
    ctx: typer.Context,
    dataset: str = typer.Argument(..., metavar="DATASET", help="Dataset id, stored path or file name."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per version."),
) -> None:
    """List a dataset's approved mapping versions, numbered for `apply --mapping-version DATASET@N`."""
    from agent.audit.approved_versions import approved_versions
    from agent.store import open_session

    with open_session(_settings(ctx)) as session:
        versions = approved_versions(session, dataset)
    if not versions:
        fail(f"no approved mapping version for a dataset named {dataset}")
    for v in versions:
        if as_json:
            typer.echo(v.model_dump_json())
            continue
        typer.echo(f"{v.dataset_name}@{v.number}  {v.version_id[:16]}  approved {v.approved_at} by {v.approved_by}  "
                   f"run {v.run_id}")
    if not as_json:
        typer.echo(f"latest: {versions[-1].dataset_name}@{versions[-1].number} "
                   f"(crosswalk apply --mapping-version {dataset} applies it)")


@review_app.command("decide")
@exit_on_user_error
def review_decide(
    ctx: typer.Context,
    item_id: str = typer.Argument(..., metavar="ITEM", help="Review item id."),
    approve: bool = typer.Option(False, "--approve", help="Approve the item as it stands (proposed or edited)."),
    reject: bool = typer.Option(False, "--reject", help="Reject it: the target field stays unmapped."),
    edit_json: Optional[Path] = typer.Option(
        None, "--edit-json", metavar="FILE",
        help='Edit it: a JSON file {"sources": [...], "transform": {...}}; previewed on the sample; another person approves.'),
    reason: str = typer.Option(..., "--reason", help="Why (kept with the decision and in the audit log)."),
    as_user: Optional[str] = typer.Option(None, "--as", metavar="USER", help="Who decides (default CROSSWALK_USER or the OS login)."),
    seen_version: Optional[int] = typer.Option(None, "--version", help="The item version you looked at; refused if it changed since."),
) -> None:
    """Approve, reject or edit one item; deciding the run's last item resumes the run and stores the reviewed mapping."""
    from agent.jobs.review_job import decide_item

    chosen = [name for name, on in (("approve", approve), ("reject", reject), ("edit", edit_json is not None)) if on]
    if len(chosen) != 1:
        fail("choose exactly one of --approve, --reject or --edit-json FILE")
    edit = None
    if edit_json is not None:
        try:
            edit = json.loads(edit_json.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            fail(f"{edit_json}: not valid JSON ({exc})")
        if not isinstance(edit, dict):
            fail(f"{edit_json}: an edit is a JSON object with sources and/or transform")
    outcome = decide_item(_settings(ctx, as_user), item_id, chosen[0], reason, seen_version=seen_version, edit=edit)  # type: ignore[arg-type]
    item = outcome.item
    typer.echo(f"item {item.id} {item.target}: {item.state} by {item.decided_by or item.proposed_by} (version {item.version})")
    preview = item.proposal.get("preview") if item.state == "edited" else None
    if preview:
        for sample in preview.get("samples") or []:
            typer.echo(_sample_text(sample))
        check = preview.get("validation") or {}
        if "pass_rate" in check:
            typer.echo(f"validation: {check['rows_passed']} of {check['rows_checked']} sampled rows valid ({check['pass_rate']:.1%})")
    resumed = outcome.resumed
    if resumed is None:
        typer.echo(f"{outcome.open_left} item(s) of run {item.run_id} still waiting for review")
        return
    _print_resumed(resumed)


def _print_resumed(resumed: Any) -> None:
    """What resuming a reviewed run did (``agent.jobs.review_job.ResumeOutcome``)."""
    typer.echo(f"run {resumed.run_id} resumed: {len(resumed.approved)} approved, {len(resumed.rejected)} rejected")
    typer.echo(f"mapping version: {resumed.mapping_version_id} (parent {resumed.parent_version})")
    if resumed.memory_error:
        typer.echo(f"crosswalk: note: approved fields not written to memory: {resumed.memory_error}", err=True)
    else:
        typer.echo(f"remembered {len(resumed.remembered)} approved field(s)")


@review_app.command("resume")
@exit_on_user_error
def review_resume(
    ctx: typer.Context,
    run_id: str = typer.Argument(..., metavar="RUN_ID", help="A run whose items are all decided."),
    as_user: Optional[str] = typer.Option(None, "--as", metavar="USER", help="Who approves the run (not its starter)."),
) -> None:
    """Resume a fully decided run whose automatic resume failed (e.g. the source was moved back since)."""
    from agent.jobs.review_job import resume_run

    _print_resumed(resume_run(_settings(ctx, as_user), run_id))
