"""The ``crosswalk`` console script (Typer). The top of the import graph: nothing imports it.

Commands stay thin: parse options, call a job or a tool, print. User errors
(``tools.errors.CrosswalkError``) end as one line on stderr with exit code 2.
"""

from __future__ import annotations

import os

# Before anything imports langgraph: checkpoints are read with strict msgpack, so a
# tampered checkpoint file cannot make a resumed run import and call arbitrary code.
os.environ["LANGGRAPH_STRICT_MSGPACK"] = "true"

import json  # noqa: E402
from enum import Enum  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Optional  # noqa: E402

import typer  # noqa: E402
from pydantic import ValidationError  # noqa: E402

from agent.audit_commands import audit_app  # noqa: E402
from agent.console.apply_view import print_apply_summary  # noqa: E402
from agent.console.command_context import command_settings, stdout_console  # noqa: E402
from agent.console.failures import exit_on_user_error, fail, settings_error_message  # noqa: E402
from agent.console.profile_view import print_profile  # noqa: E402
from agent.console.progress import apply_progress  # noqa: E402
from agent.console.schema_view import fields_as_json, print_fields  # noqa: E402
from agent.db_commands import db_app  # noqa: E402
from agent.jobs.apply_job import ApplyRequest, run_apply_job  # noqa: E402
from agent.jobs.profile_job import run_profile_job  # noqa: E402
from agent.jobs.source_access import ReadOptions  # noqa: E402
from agent.link_commands import eval_link_command, link_command, link_decide_command  # noqa: E402
from agent.review_commands import review_app  # noqa: E402
from agent.user_commands import users_app  # noqa: E402
from agent.settings import Settings  # noqa: E402
from agent.store import open_session  # noqa: E402
from tools.mapping import mapping_json_schema  # noqa: E402
from tools.standards import bundled_standard_path  # noqa: E402
from tools.target_schema import load_target_schema  # noqa: E402

NO_VALID_ROWS_EXIT = 1

app = typer.Typer(
    name="crosswalk",
    help="Bring a police or partner data export onto a JSON Schema standard, with evidence and an audit trail.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
schema_app = typer.Typer(help="Inspect target schemas and the mapping document format.", no_args_is_help=True)
app.add_typer(schema_app, name="schema")
app.add_typer(audit_app, name="audit")
memory_app = typer.Typer(help="The retrieval memory of approved mappings (past approvals become evidence).", no_args_is_help=True)
app.add_typer(memory_app, name="memory")
app.add_typer(review_app, name="review")
app.add_typer(users_app, name="users")
app.add_typer(db_app, name="db")


class EngineChoice(str, Enum):
    auto = "auto"
    python = "python"
    duckdb = "duckdb"


_settings = command_settings
_out = stdout_console


@app.callback()
def _global_options(
    ctx: typer.Context,
    data_dir: Optional[Path] = typer.Option(
        None, "--data-dir", help="Directory for the application database (overrides CROSSWALK_DATA_DIR).",
        file_okay=False, dir_okay=True,
    ),
) -> None:
    """crosswalk: profile a source, propose and apply a mapping, evaluate, inspect schemas, verify the audit log."""
    try:
        settings = Settings()
    except ValidationError as exc:
        fail(settings_error_message(exc))
    if data_dir is not None:
        settings = settings.model_copy(update={"data_dir": data_dir})
    ctx.obj = settings


@app.command()
@exit_on_user_error
def profile(
    ctx: typer.Context,
    source: Path = typer.Argument(..., help="Source file: CSV/TSV, XLSX, JSON array or JSON Lines."),
    sample: Optional[int] = typer.Option(None, "--sample", min=1, help="Rows to profile (default CROSSWALK_SAMPLE_SIZE, 5000)."),
    as_json: bool = typer.Option(False, "--json", help="Print the full profile as JSON instead of a table."),
    sheet: Optional[str] = typer.Option(None, "--sheet", help="XLSX sheet to read (default: the first sheet with data)."),
    encoding: Optional[str] = typer.Option(None, "--encoding", help="Text encoding of a CSV (default: sniffed)."),
    delimiter: Optional[str] = typer.Option(None, "--delimiter", help="CSV delimiter (default: sniffed)."),
) -> None:
    """Profile a source file: per field type, null rate, distinct values, shapes, date formats, code lists.

    The profile is stored with the dataset and the run is written to the audit log. Examples and code values are raw source data: they stay on this machine.
    """
    outcome = run_profile_job(
        _settings(ctx), source, sample_size=sample,
        read_options=ReadOptions(sheet=sheet, encoding=encoding, delimiter=delimiter),
    )
    if as_json:
        typer.echo(outcome.profile.to_json(indent=2))
        return
    print_profile(_out(), outcome.profile)


@app.command()
@exit_on_user_error
def apply(
    ctx: typer.Context,
    proposal: Path = typer.Argument(..., help="Mapping / proposal document (JSON); with --mapping-version, the SOURCE instead."),
    source: Optional[Path] = typer.Argument(None, help="Source file to apply it to."),
    out: Path = typer.Option(..., "--out", help="Valid records, one JSON object per line: {\"row\": N, \"record\": {...}}."),
    rejects: Path = typer.Option(..., "--rejects", help="Quarantined rows, as --out plus \"errors\": [...]."),
    target_schema: Optional[Path] = typer.Option(
        None, "--target-schema",
        help="Schema to validate against (default: the mapping's target_schema.path if that file exists, else the bundled standard).",
    ),
    include_pending: bool = typer.Option(False, "--include-pending", help="Also apply fields with status needs_review (previews, evals)."),
    engine: Optional[EngineChoice] = typer.Option(None, "--engine", help="auto, python or duckdb (default CROSSWALK_ENGINE, auto)."),
    mapping_version: Optional[str] = typer.Option(
        None, "--mapping-version", metavar="ID|DATASET[@N]",
        help="Apply a stored mapping version instead of a file: its id or 8+ character prefix, or a dataset's name "
             "for its latest approved version, DATASET@N for its Nth (`crosswalk review versions DATASET` lists them).",
    ),
) -> None:
    """Apply a mapping to a whole source: every row goes to --out (valid) or --rejects (with its errors).

    Usage: apply PROPOSAL SOURCE, or apply --mapping-version ID|DATASET[@N] SOURCE. Applies fields with status auto_accepted or approved. Prints a summary; exits 1 when no row was valid.
    """
    if mapping_version is not None and source is not None:
        fail("with --mapping-version give only the SOURCE file, not a mapping file too")
    if mapping_version is None and source is None:
        fail("give a mapping file and a SOURCE file (or --mapping-version ID and a SOURCE file)")
    mapping_path, source_path = (None, proposal) if source is None else (proposal, source)
    request = ApplyRequest(
        mapping_path=mapping_path, source_path=source_path, out_path=out, rejects_path=rejects,
        target_schema_path=target_schema, include_pending=include_pending,
        engine=engine.value if engine is not None else None, mapping_version_id=mapping_version,
    )
    with apply_progress(source_path) as progress:
        outcome = run_apply_job(_settings(ctx), request, progress=progress)
    print_apply_summary(_out(), outcome)
    if outcome.summary.rows_valid == 0:
        typer.echo("crosswalk: no row was valid; see the rejects file", err=True)
        raise typer.Exit(NO_VALID_ROWS_EXIT)


@app.command()
@exit_on_user_error
def propose(
    ctx: typer.Context,
    source: Optional[Path] = typer.Argument(None, help="Source file: CSV/TSV, XLSX, JSON array or JSON Lines (optional with --resume)."),
    out: Path = typer.Option(..., "--out", help="Where to write the proposal document (JSON)."),
    target_schema: Optional[Path] = typer.Option(None, "--target-schema", help="Target JSON Schema (default: the bundled police standard)."),
    llm: Optional[bool] = typer.Option(
        None, "--llm/--offline",
        help="--llm: the LLM reranks the hard fields (needs CROSSWALK_LLM_BASE_URL and CROSSWALK_LLM_MODEL). "
             "--offline: no network and no LLM, the deterministic proposer only. Default: the LLM when configured.",
    ),
    send_samples: bool = typer.Option(
        False, "--llm-send-samples",
        help="Also send raw sample values to the LLM (only for a model served inside the force; audited).",
    ),
    sheet: Optional[str] = typer.Option(None, "--sheet", help="XLSX sheet to read (default: the first sheet with data)."),
    encoding: Optional[str] = typer.Option(None, "--encoding", help="Text encoding of a CSV (default: sniffed)."),
    delimiter: Optional[str] = typer.Option(None, "--delimiter", help="CSV delimiter (default: sniffed)."),
    resume: Optional[str] = typer.Option(None, "--resume", metavar="RUN_ID", help="Continue a crashed propose run from its last checkpoint."),
) -> None:
    """Propose a mapping of SOURCE onto the target schema: per target field its sources, transform, confidence and status.

    The proposal is validated on the sampled rows; only confident, validated fields are auto_accepted, the rest need review (the reason is shown). Writes --out and logs the run.
    """
    from agent.console.propose_view import print_proposal  # late: only this command needs langgraph
    from agent.jobs.propose_job import ProposeRequest, run_propose_job

    if source is None and resume is None:
        fail("give a SOURCE file (or --resume RUN_ID to continue a crashed run)")
    request = ProposeRequest(
        out_path=out, source_path=source, target_schema_path=target_schema, offline=llm is False, resume_run_id=resume,
        require_llm=llm is True, send_samples=True if send_samples else None,
        read_options=ReadOptions(sheet=sheet, encoding=encoding, delimiter=delimiter),
    )
    outcome = run_propose_job(_settings(ctx), request)
    print_proposal(_out(), outcome, offline=llm is False)


class BaselineChoice(str, Enum):
    name_only = "name-only"


@app.command("eval")
@exit_on_user_error
def eval_cases(
    ctx: typer.Context,
    cases_dirs: list[Path] = typer.Argument(..., help="Folders of eval cases (e.g. evals/cases evals/heldout), or one case folder."),
    llm: Optional[bool] = typer.Option(
        None, "--llm/--offline",
        help="--llm: run the offline and the LLM path side by side, with tokens and latency (needs CROSSWALK_LLM_BASE_URL "
             "and CROSSWALK_LLM_MODEL). --offline: the deterministic proposer only. Default: side by side when an LLM is configured.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print every score as JSON (for machines)."),
    baseline: Optional[BaselineChoice] = typer.Option(None, "--baseline", help="Also run this peer baseline and compare."),
) -> None:
    """Evaluate the proposer on eval cases: precision, recall, F1, auto-accept precision, automation, value accuracy, rows accounted, time.

    Each case is proposed offline in a temporary data dir, applied with pending fields included, and scored against its truth.
    """
    from agent.jobs.eval_job import graph_proposer  # late: evals and the graph load only for this command
    from evals.baselines import BASELINES
    from evals.case_loader import CaseFormatError
    from evals.harness import run_suite
    from evals.report import render_comparison, render_table, to_json

    from agent.llm import llm_configured

    settings = _settings(ctx)
    configured = llm_configured(settings)
    if llm is True and not configured:
        fail("--llm needs an endpoint: set CROSSWALK_LLM_BASE_URL and CROSSWALK_LLM_MODEL")
    with_llm = llm is not False and configured
    if llm is None and not configured:
        typer.echo("crosswalk: note: LLM not configured; evaluating the deterministic proposer (as with --offline)", err=True)
    label = "crosswalk offline"
    results = []
    try:
        with graph_proposer(settings, offline=True) as propose_fn, graph_proposer(settings, offline=False) as llm_fn:
            for folder in cases_dirs:
                results.append(run_suite(folder, propose_fn, label=label))
                if with_llm:
                    results.append(run_suite(folder, llm_fn, label=f"crosswalk LLM {settings.llm_model}"))
                if baseline is not None:
                    results.append(run_suite(folder, BASELINES[baseline.value], label=baseline.value))
    except CaseFormatError as exc:
        fail(str(exc))
    if as_json:
        typer.echo(to_json(results))
        return
    console = _out()
    width = console.width
    for result in results:
        console.print(render_table(result, width=width), end="", markup=False, highlight=False)
        console.print()
    if len(results) > 1:
        console.print(render_comparison(results), end="", markup=False, highlight=False)


@schema_app.command("fields")
@exit_on_user_error
def schema_fields(
    schema: Optional[Path] = typer.Argument(None, help="Target JSON Schema (default: the bundled police standard)."),
    as_json: bool = typer.Option(False, "--json", help="Print the fields as a JSON array."),
) -> None:
    """List the target fields of a schema: JSON Pointer, type, format, required, enum or pattern."""
    loaded = load_target_schema(schema if schema is not None else bundled_standard_path())
    if as_json:
        typer.echo(json.dumps(fields_as_json(loaded), indent=2, ensure_ascii=False))
        return
    print_fields(_out(), loaded)


@schema_app.command("mapping-doc")
def schema_mapping_doc() -> None:
    """Print the JSON Schema of the mapping / proposal document (checked in as docs/mapping.schema.json)."""
    typer.echo(json.dumps(mapping_json_schema(), indent=2, ensure_ascii=False))


@memory_app.command("add")
@exit_on_user_error
def memory_add(
    ctx: typer.Context,
    mapping: Path = typer.Argument(..., help="An approved mapping document (JSON): its approved and auto_accepted fields are remembered."),
    source: Path = typer.Argument(..., help="The source file the mapping was approved for (profiled; no row is stored)."),
    system: str = typer.Option(..., "--system", help="The source system the export came from (e.g. Niche, Athena)."),
    approved_by: str = typer.Option(..., "--approved-by", help="Who approved the mapping."),
    dataset: Optional[str] = typer.Option(None, "--dataset", help="Name of the dataset in the memory (default: the source file name)."),
    target_schema: Optional[Path] = typer.Option(None, "--target-schema", help="Also remember this standard's field descriptions."),
    sheet: Optional[str] = typer.Option(None, "--sheet", help="XLSX sheet to read (default: the first sheet with data)."),
    encoding: Optional[str] = typer.Option(None, "--encoding", help="Text encoding of a CSV (default: sniffed)."),
    delimiter: Optional[str] = typer.Option(None, "--delimiter", help="CSV delimiter (default: sniffed)."),
) -> None:
    """Remember an approved mapping: later proposals for similar fields get it as evidence (audit-logged)."""
    from agent.jobs.memory_job import remember_approved
    from tools.mapping import load_mapping

    outcome = remember_approved(
        _settings(ctx), load_mapping(mapping), source, system=system, approved_by=approved_by, dataset=dataset,
        read_options=ReadOptions(sheet=sheet, encoding=encoding, delimiter=delimiter), schema_path=target_schema,
    )
    typer.echo(f"remembered {len(outcome.stored)} field(s) of mapping version {outcome.mapping_version_id[:16]} "
               f"as dataset {outcome.dataset}")
    for target, why in outcome.skipped.items():
        typer.echo(f"  not remembered: {target}: {why}")
    typer.echo(f"memory: {outcome.stats['mappings']} mapping(s) from {outcome.stats['datasets']} dataset(s)")


@memory_app.command("stats")
@exit_on_user_error
def memory_stats_command(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the counts as JSON."),
) -> None:
    """How much the retrieval memory holds: mappings, datasets, systems, approvers, target fields."""
    from agent.jobs.memory_job import memory_stats

    stats = memory_stats(_settings(ctx))
    if as_json:
        typer.echo(json.dumps(stats, indent=2))
        return
    typer.echo(f"{stats['mappings']} approved field mapping(s) from {stats['datasets']} dataset(s); "
               f"{stats['target_fields']} target field description(s); embedding {stats['embedding']}")
    if stats["systems"]:
        typer.echo("systems: " + ", ".join(stats["systems"]))
    if stats["approvers"]:
        typer.echo("approved by: " + ", ".join(stats["approvers"]))


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


@app.command()
@exit_on_user_error
def serve(
    ctx: typer.Context,
    host: Optional[str] = typer.Option(None, "--host", help="Address to bind (default CROSSWALK_WEB_HOST, 127.0.0.1)."),
    port: Optional[int] = typer.Option(None, "--port", min=1, max=65535, help="Port (default CROSSWALK_WEB_PORT, 8000)."),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, max=32,
                                          help="Worker processes (default CROSSWALK_WEB_WORKERS, 1); more use more cores."),
    allow_remote: bool = typer.Option(
        False, "--allow-remote",
        help="Allow binding an address other than loopback. Put a TLS-terminating proxy in front: "
             "passwords and session cookies must not cross a network in clear text.",
    ),
) -> None:
    """Start the review web app (sign in, the queue, items, runs, mapping versions, audit trail).

    Uses the application database of --data-dir / CROSSWALK_DATABASE_URL. Create the first user with `crosswalk users add NAME --role admin`.
    """
    import uvicorn

    from review_ui.app import create_app

    settings = _settings(ctx)
    bind = host or settings.web_host
    listen = port or settings.web_port
    if bind not in LOOPBACK_HOSTS and not allow_remote:
        fail(f"refusing to listen on {bind}: only loopback (127.0.0.1) without --allow-remote; "
             "anything reachable from a network needs TLS in front (a reverse proxy)")
    if bind not in LOOPBACK_HOSTS:
        typer.echo(f"crosswalk: warning: listening on {bind}; serve it only behind TLS (a reverse proxy), "
                   "or passwords and session cookies cross the network in clear text", err=True)
    if not settings.web_cookie_secure:
        typer.echo("crosswalk: warning: CROSSWALK_WEB_COOKIE_SECURE is off; session cookies may travel without TLS", err=True)
    with open_session(settings):
        pass  # open the database (and create its tables) now, so a bad data dir fails here in one line
    processes = workers or settings.web_workers
    typer.echo(f"crosswalk review on http://{bind}:{listen}/ (data: {settings.resolved_database_url()}, "
               f"{processes} worker process{'es' if processes != 1 else ''})")
    served = dict(host=bind, port=listen, log_level="info", proxy_headers=True, server_header=False)
    if processes == 1:
        uvicorn.run(create_app(settings), **served)  # type: ignore[arg-type]
        return
    # Worker processes build the app themselves from the environment, so the one
    # command-line override (--data-dir) goes there; everything else already is.
    os.environ["CROSSWALK_DATA_DIR"] = str(settings.data_dir)
    uvicorn.run("review_ui.app:create_app", factory=True, workers=processes, **served)  # type: ignore[arg-type]


# Record linkage (issue 7) lives in its own module; registered last so --help lists it after eval.
app.command("link")(link_command)
app.command("eval-link")(eval_link_command)
app.command("link-decide")(link_decide_command)


def main() -> None:
    """Console-script entry point."""
    app(prog_name="crosswalk")
