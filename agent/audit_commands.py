"""``crosswalk audit ...``: verify, read, search, export, checkpoint and replay the audit log.

A sub-app of the console script, kept out of ``agent/cli.py`` for size; only that module
imports it. Exit codes: 0 intact / reproduced, 1 broken / differs, 2 user error.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from agent.audit import (
    AuditError, SearchQuery, audit_key, list_events, load_checkpoint, make_checkpoint, resolve_run, search_events,
    settings_keyring, verify_log, write_events,
)
from agent.console.audit_view import event_json, print_events, print_timeline, verify_lines
from agent.console.command_context import command_settings, stdout_console
from agent.console.failures import exit_on_user_error
from agent.store import open_session
from agent.store.models import AuditEvent, Dataset

AUDIT_BROKEN_EXIT = 1
REPLAY_DIFFERS_EXIT = 1

audit_app = typer.Typer(help="Verify and read the hash-chained audit log.", no_args_is_help=True)


class ExportChoice(str, Enum):
    jsonl = "jsonl"
    csv = "csv"


_settings = command_settings
_out = stdout_console


@audit_app.command("verify")
@exit_on_user_error
def audit_verify(
    ctx: typer.Context,
    checkpoint: Optional[list[Path]] = typer.Option(
        None, "--checkpoint", help="A checkpoint file from `audit checkpoint`; detects truncation and rewrites. Repeatable.",
        exists=True, dir_okay=False,
    ),
    require_hmac: bool = typer.Option(False, "--require-hmac", help="Every event must carry an HMAC by the audit key."),
    as_json: bool = typer.Option(False, "--json", help="Print the full report as JSON."),
) -> None:
    """Recompute the audit log's hash chain; exit 1 and list the problems if it was altered.

    Checks every event's sequence number, link to the event before, content hash and,
    when CROSSWALK_AUDIT_HMAC_KEY is set, its HMAC (events and checkpoints signed before
    a key rotation with the keys in CROSSWALK_AUDIT_HMAC_RETIRED_KEYS). The first broken
    link is shown with the values that differ.
    """
    settings = _settings(ctx)
    ring = settings_keyring(settings)
    if require_hmac and ring.current is None:
        raise AuditError("--require-hmac needs the audit key (CROSSWALK_AUDIT_HMAC_KEY)")
    checkpoints = [(path.name, load_checkpoint(path)) for path in checkpoint or []]
    with open_session(settings) as session:
        report = verify_log(session.connection(), keyring=ring, checkpoints=checkpoints, require_hmac=require_hmac)
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
    else:
        out, err = verify_lines(report)
        for line in out:
            typer.echo(line)
        for line in err:
            typer.echo(line, err=True)
    if not report.intact:
        raise typer.Exit(AUDIT_BROKEN_EXIT)


def _print_events(events: list[AuditEvent], as_json: bool) -> None:
    """Events as a table, or as JSON lines with every field (for auditors' own tools)."""
    if as_json:
        for event in events:
            typer.echo(event_json(event))
        return
    print_events(_out(), events)


@audit_app.command("log")
@exit_on_user_error
def audit_log(
    ctx: typer.Context,
    run: Optional[str] = typer.Option(None, "--run", help="Only the events of this run id."),
    as_json: bool = typer.Option(False, "--json", help="Print every event in full, one JSON object per line."),
) -> None:
    """Print audit events in order (all, or those of one run)."""
    with open_session(_settings(ctx)) as session:
        events = list_events(session, run_id=run)
    _print_events(events, as_json)


@audit_app.command("show")
@exit_on_user_error
def audit_show(
    ctx: typer.Context,
    run_id: str = typer.Argument(..., metavar="RUN_ID", help="A run id, a unique prefix of one, or 'latest'."),
    as_json: bool = typer.Option(False, "--json", help="Print the run and all its events (every field) as JSON."),
) -> None:
    """Show a run's timeline: when, who, what, on which subject, with inputs and outputs summarised."""
    with open_session(_settings(ctx)) as session:
        run = resolve_run(session, run_id)
        dataset = session.get(Dataset, run.dataset_id) if run.dataset_id else None
        events = list_events(session, run_id=run.id)
    if as_json:
        document = {
            "run": run.model_dump(mode="json"),
            "dataset": dataset.model_dump(mode="json", exclude={"profile"}) if dataset is not None else None,
            "events": [json.loads(event_json(e)) for e in events],
        }
        typer.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    print_timeline(_out(), run, dataset, events)


def _query(dataset: str | None, actor: str | None, field: str | None, action: str | None,
           since: str | None, until: str | None, run: str | None, limit: int | None = None) -> SearchQuery:
    return SearchQuery(dataset=dataset, actor=actor, field=field, action=action, since=since, until=until, run=run, limit=limit)


_DATASET = typer.Option(None, "--dataset", help="Events of runs on this dataset (id, stored path or file name).")
_ACTOR = typer.Option(None, "--actor", help="Events by this actor (person or agent).")
_FIELD = typer.Option(None, "--field", help="Events whose subject, inputs or outputs name this target field, e.g. /person/sex.")
_ACTION = typer.Option(None, "--action", help="Events of this action, e.g. review_approved.")
_SINCE = typer.Option(None, "--since", help="From this date (YYYY-MM-DD, UTC) or RFC 3339 time.")
_UNTIL = typer.Option(None, "--until", help="Up to this date (the whole day) or RFC 3339 time.")
_RUN = typer.Option(None, "--run", help="Events of this run id.")


@audit_app.command("search")
@exit_on_user_error
def audit_search(
    ctx: typer.Context,
    dataset: Optional[str] = _DATASET,
    actor: Optional[str] = _ACTOR,
    field: Optional[str] = _FIELD,
    action: Optional[str] = _ACTION,
    since: Optional[str] = _SINCE,
    until: Optional[str] = _UNTIL,
    run: Optional[str] = _RUN,
    limit: Optional[int] = typer.Option(None, "--limit", min=1, help="At most this many events."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per event, every field."),
) -> None:
    """Find events by dataset, actor, target field, action, run and date range (all filters must match)."""
    query = _query(dataset, actor, field, action, since, until, run, limit)
    with open_session(_settings(ctx)) as session:
        events = list(search_events(session, query))
    _print_events(events, as_json)


@audit_app.command("export")
@exit_on_user_error
def audit_export(
    ctx: typer.Context,
    fmt: ExportChoice = typer.Option(ExportChoice.jsonl, "--format", help="jsonl (every field, re-verifiable) or csv (spreadsheet-safe)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write to this file instead of standard output.", dir_okay=False),
    dataset: Optional[str] = _DATASET,
    actor: Optional[str] = _ACTOR,
    field: Optional[str] = _FIELD,
    action: Optional[str] = _ACTION,
    since: Optional[str] = _SINCE,
    until: Optional[str] = _UNTIL,
    run: Optional[str] = _RUN,
) -> None:
    """Export events as JSON Lines or CSV (cells that a spreadsheet would run as formulas are neutralised)."""
    query = _query(dataset, actor, field, action, since, until, run)
    with open_session(_settings(ctx)) as session:
        if out is None:
            write_events(sys.stdout, search_events(session, query), fmt.value)
            return
        out.parent.mkdir(parents=True, exist_ok=True)
        # newline="" so the CSV writer's CRLF row ends are kept as they are
        with out.open("w", encoding="utf-8", newline="") as handle:
            count = write_events(handle, search_events(session, query), fmt.value)
    typer.echo(f"exported {count} event(s) to {out}", err=True)


@audit_app.command("checkpoint")
@exit_on_user_error
def audit_checkpoint(
    ctx: typer.Context,
    out: Optional[Path] = typer.Option(None, "--out", help="Write the checkpoint to this file (default: standard output).", dir_okay=False),
    unsigned: bool = typer.Option(False, "--unsigned", help="Record the head without a signature (no audit key set)."),
) -> None:
    """Export the chain head (seq, hash, count) signed with the audit key; keep it outside the database.

    `audit verify --checkpoint FILE` later shows whether the log was truncated or
    rewritten since. The checkpoint is also recorded as an audit event.
    """
    settings = _settings(ctx)
    key = audit_key(settings.audit_hmac_key)
    if key is None and not unsigned:
        raise AuditError("no audit key to sign the checkpoint: set CROSSWALK_AUDIT_HMAC_KEY, or pass --unsigned "
                         "(an unsigned checkpoint detects truncation but not a forged checkpoint file)")
    with open_session(settings) as session:
        checkpoint = make_checkpoint(session, settings.actor(), key, out=out)
    text = checkpoint.model_dump_json(indent=2) + "\n"
    if out is None:
        typer.echo(text, nl=False)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    signed = f"signed with key {checkpoint.key_id}" if checkpoint.signature else "unsigned"
    typer.echo(f"checkpoint of event {checkpoint.seq} (hash {checkpoint.hash[:16]}…, {signed}) written to {out}")


@audit_app.command("replay")
@exit_on_user_error
def audit_replay(
    ctx: typer.Context,
    run_id: str = typer.Argument(..., metavar="RUN_ID", help="The run to replay: its id, a unique prefix of one, or 'latest'."),
    live: bool = typer.Option(False, "--live", help="Re-ask today's matchers and LLM instead of the recorded answers."),
    as_json: bool = typer.Option(False, "--json", help="Print the replay report as JSON."),
) -> None:
    """Re-run a run's graph from its recorded inputs and compare with the recorded mapping version.

    Exit 0 when the run is reproduced, 1 when the result differs (a field-by-field diff is shown).
    """
    from agent.console.replay_view import print_replay
    from agent.jobs.replay_job import replay_run

    settings = _settings(ctx)
    with open_session(settings) as session:
        resolved = resolve_run(session, run_id).id
    report = replay_run(settings, resolved, live=live)
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
    else:
        print_replay(_out(), report)
    if not report.reproduced:
        raise typer.Exit(REPLAY_DIFFERS_EXIT)
