"""What ``crosswalk propose`` prints: the proposed fields with their routing, and what was left out."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from agent.jobs.propose_job import ProposeOutcome
from tools.mapping import FieldMapping

PARAMS_SHOWN = 3
VALUE_TEXT_MAX = 24
SCHEMA_ORIGIN_TEXT = {"option": "--target-schema", "bundled": "the bundled police standard", "run": "as the run started"}


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= VALUE_TEXT_MAX else text[: VALUE_TEXT_MAX - 3] + "..."


def transform_text(spec: Any) -> str:
    """A transform in a few words: 'parse_date %d/%m/%Y', 'value_map (4 values)', 'postcode space=True'."""
    op = str(spec.op)
    if op == "pipeline":
        return " -> ".join(transform_text(step) for step in spec.steps)
    params = spec.model_dump(mode="json", exclude_defaults=True, exclude={"op", "null_values"})
    if op == "value_map":
        mapping = params.pop("mapping", {})
        extra = f", unmapped {params['on_unmapped']}" if "on_unmapped" in params else ""
        return f"value_map ({len(mapping)} values{extra})"
    if op == "to_boolean":
        return f"to_boolean (true {', '.join(spec.true_values)}; false {', '.join(spec.false_values)})"
    formats = [params.pop(key) for key in ("format", "date_format", "time_format") if key in params]
    words = [op, *formats]
    words += [f"{key}={_short(value)}" for key, value in list(params.items())[:PARAMS_SHOWN]]
    if spec.null_values:
        words.append(f"(nulls: {', '.join(spec.null_values[:3])}{' ...' if len(spec.null_values) > 3 else ''})")
    return " ".join(words)


def reason_text(field: FieldMapping) -> str:
    """Why the field was routed as it was: every review reason, or what made it safe."""
    if field.review_reasons:
        return "\n".join(field.review_reasons)
    if field.status == "auto_accepted":
        check = (field.model_extra or {}).get("validation") or {}
        rows = check.get("rows_checked")
        proven = f"; {check.get('pass_rate', 0):.0%} of {rows:,} sampled rows valid" if rows else ""
        return f"confident and validated{proven}"
    return field.status.replace("_", " ")


def llm_usage_text(usage: dict[str, Any]) -> str:
    """What the LLM cost: hard fields and batches (one request each, at most one per batch_size
    hard fields), then every extra request (retries of invalid answers, structured-mode probes),
    cache hits, tokens, latency, and whether raw samples went."""
    samples = "raw samples sent" if usage.get("send_samples") else "no raw samples"
    failed = f", {usage['failed']} without a valid answer" if usage.get("failed") else ""
    extra = f"{usage.get('retries', 0)} retr{'y' if usage.get('retries', 0) == 1 else 'ies'}, {usage.get('mode_probes', 0)} mode probe(s)"
    return (f"mode: LLM {usage.get('model', '?')} ({usage.get('mode', '?')}, {samples}): "
            f"{usage.get('hard_fields', 0)} hard field(s) in {usage.get('batches', 0)} batch(es) of up to {usage.get('batch_size', '?')}; "
            f"{usage.get('requests', 0)} request(s) ({extra}), {usage.get('cached', 0)} cached{failed}; tokens {usage.get('prompt_tokens', 0)} in + "
            f"{usage.get('completion_tokens', 0)} out = {usage.get('total_tokens', 0)}; latency {usage.get('latency_s', 0.0):.2f}s")


def print_proposal(console: Console, outcome: ProposeOutcome, *, offline: bool) -> None:
    """Header, fields table, unmapped sources, document-level review items, then where it went."""
    doc = outcome.document
    usage = outcome.llm_usage
    if offline:
        console.print("mode: offline (deterministic proposer, no LLM, no network)")
    elif usage:
        console.print(llm_usage_text(usage))
    else:
        console.print("mode: LLM not configured; used the deterministic proposer (as with --offline)")
    source = doc.source
    if source is not None:
        read_as = [source.format or "?"] + [f"{k} {v!r}" for k, v in
                                            (("encoding", source.encoding), ("delimiter", source.delimiter), ("sheet", source.sheet)) if v]
        console.print(f"source: {source.path} ({', '.join(read_as)})")
    target = doc.target_schema
    sha = f"; sha256 {target.sha256[:16]}..." if target is not None and target.sha256 else ""
    console.print(f"target schema: {outcome.schema_path} ({SCHEMA_ORIGIN_TEXT[outcome.schema_origin]}{sha})")
    for note in outcome.source_notes:
        console.print(f"note: {note}")
    # the table takes the whole width, shared by ratio: reasons are the longest cells
    table = Table(title=f"{len(doc.fields)} proposed fields", title_justify="left", expand=True)
    table.add_column("target", overflow="fold", ratio=4)
    table.add_column("sources", overflow="fold", ratio=3)
    table.add_column("transform", overflow="fold", ratio=3)
    table.add_column("confidence", justify="right", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("reason", overflow="fold", ratio=6)
    for field in doc.fields:
        table.add_row(field.target, " + ".join(field.sources), transform_text(field.transform), f"{field.confidence:.2f}",
                      field.status, reason_text(field))
    console.print(table)
    if doc.unmapped_sources:
        left = Table(title=f"{len(doc.unmapped_sources)} unmapped source fields", title_justify="left")
        left.add_column("source", overflow="fold")
        left.add_column("reason", overflow="fold")
        for name in doc.unmapped_sources:
            left.add_row(name, doc.unmapped_reasons.get(name, ""))
        console.print(left)
    for item in (doc.model_extra or {}).get("review_items") or []:
        console.print(f"review: {item.get('reason', item)}")
    statuses = [f.status for f in doc.fields]
    console.print(f"{statuses.count('auto_accepted')} auto-accepted, {statuses.count('needs_review')} need review, "
                  f"{len(doc.unmapped_sources)} source field(s) unmapped")
    resumed = " (resumed from its checkpoint)" if outcome.resumed else ""
    console.print(f"proposal: {outcome.out_path}")
    console.print(f"run: {outcome.run_id}{resumed}; mapping version: {outcome.mapping_version_id[:16]}")
    if outcome.review_items:
        console.print(f"{outcome.review_items} item(s) waiting for review, run {outcome.run_id}")
