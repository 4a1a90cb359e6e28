"""Benchmark of ``crosswalk audit verify`` on a large audit log.

    python -m evals.bench_audit [--events 1000000] [--hmac] [--keep DIR]

Builds a log of N chained events with realistic payloads (dataset reads with field
lists, LLM exchanges, review decisions, apply summaries; ~0.5 KiB each) in a temporary
SQLite database, writing precomputed rows with ``executemany``, then runs
``crosswalk audit verify`` in its own process and prints events, seconds, events/s and
that process's peak RSS. ``--hmac`` signs every event and verifies with the key.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from agent.audit import GENESIS_HASH, AuditKey, event_hash
from agent.settings import Settings
from agent.store import dispose_engines, get_engine
from agent.store.canonical import canonical_json

BENCH_KEY = "bench-audit-key-0123456789"
CHUNK = 10_000
FIELDS = ["CUSTODY_REF", "SURNAME", "FORENAME(S)", "DOB", "SEX", "ETHNICITY (IC)", "ADDRESS POSTCODE", "ARREST DATE",
          "ARREST TIME", "OFFENCE CODE", "OIC COLLAR NO", "PNC ID", "NHS NO", "ROWVER", "EXTRACT_DT"]
TARGETS = ["/person/family_name", "/person/given_names", "/person/date_of_birth", "/person/sex", "/person/ethnicity",
           "/custody/reference", "/arrest/date_time", "/offence/code"]
ACTORS = ["alice", "bob", "carol", "crosswalk-agent"]


def _payload(rng: random.Random, n: int, run_id: str) -> tuple[str, str, dict[str, Any], dict[str, Any]]:
    """(action, subject, inputs, outputs) of one event, cycling through the kinds a real run writes."""
    kind = n % 5
    if kind == 0:
        return ("dataset_read", f"dataset:{run_id}",
                {"path": f"/data/exports/custody_{n % 97}.csv", "read_options": {"encoding": "cp1252", "delimiter": ";"}},
                {"sha256": f"{rng.getrandbits(256):064x}", "size_bytes": rng.randint(10_000, 90_000_000),
                 "format": "csv", "fields": FIELDS})
    if kind == 1:
        return ("llm_response", f"run:{run_id}",
                {"model": "qwen2.5-7b-instruct", "prompt": "rerank", "prompt_sha256": f"{rng.getrandbits(256):064x}",
                 "fields": rng.sample(TARGETS, 3)},
                {"tokens": {"prompt": rng.randint(500, 4000), "completion": rng.randint(50, 400)},
                 "latency_ms": rng.randint(200, 9000), "choices": [{"source": s, "score": round(rng.random(), 3)} for s in FIELDS[:4]]})
    if kind == 2:
        target = rng.choice(TARGETS)
        return ("review_approved", f"review_item:{rng.getrandbits(64):016x}",
                {"target": target, "kind": "mapping_field", "decision": "approve", "seen_version": 1,
                 "reason": "matches the force data dictionary, checked sample values"},
                {"state": "approved", "version": 2, "proposed_by": "crosswalk-agent", "validation": {"pass_rate": 0.995}})
    if kind == 3:
        return ("proposal_written", f"mapping_version:{rng.getrandbits(256):064x}",
                {"fields": rng.sample(TARGETS, 5)},
                {"auto_accepted": rng.randint(0, 8), "review": rng.randint(0, 5), "unmapped": ["ROWVER", "EXTRACT_DT"]})
    return ("apply_finished", f"run:{run_id}", {},
            {"summary": {"rows_read": 250_000, "rows_valid": 249_120, "rows_quarantined": 880},
             "records": {"path": "/data/out/records.jsonl", "sha256": f"{rng.getrandbits(256):064x}"}})


def _rows(events: int, key: AuditKey | None, seed: int = 7) -> Iterator[list[tuple[Any, ...]]]:
    """Chained rows in chunks, stored exactly as crosswalk stores them (payloads as canonical JSON)."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    prev = GENESIS_HASH
    chunk: list[tuple[Any, ...]] = []
    run_id = f"{rng.getrandbits(128):032x}"
    for seq in range(1, events + 1):
        if seq % 40 == 1:
            run_id = f"{rng.getrandbits(128):032x}"
        when = (start + timedelta(milliseconds=seq * 37)).isoformat(timespec="microseconds").replace("+00:00", "Z")
        actor = ACTORS[seq % len(ACTORS)]
        action, subject, inputs, outputs = _payload(rng, seq, run_id)
        digest = event_hash(seq=seq, time=when, actor=actor, action=action, subject=subject,
                            inputs=inputs, outputs=outputs, run_id=run_id, prev_hash=prev)
        mac = key.event_hmac(digest) if key is not None else None
        chunk.append((seq, when, actor, action, subject, canonical_json(inputs), canonical_json(outputs), run_id, prev, digest, mac))
        prev = digest
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def build_log(data_dir: Path, events: int, key: AuditKey | None) -> float:
    """Create the database (tables, indexes, triggers as crosswalk makes them) and fill it; returns seconds."""
    started = time.perf_counter()
    get_engine(Settings(data_dir=data_dir))
    dispose_engines()
    db = sqlite3.connect(data_dir / "crosswalk.db")
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = OFF")
    for chunk in _rows(events, key):
        db.executemany("INSERT INTO audit_event (seq, time, actor, action, subject, inputs, outputs, run_id, prev_hash, "
                       "hash, hmac) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", chunk)
        db.commit()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return time.perf_counter() - started


def time_verify(data_dir: Path, key: AuditKey | None) -> tuple[float, int, str]:
    """Run ``crosswalk audit verify`` in a child process: (seconds, peak RSS in KiB, its output)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSWALK_")}
    if key is not None:
        env["CROSSWALK_AUDIT_HMAC_KEY"] = key.secret.decode()
    command = [sys.executable, "-c", "from agent.cli import app; app()", "--data-dir", str(data_dir), "audit", "verify"]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if done.returncode != 0:
        raise SystemExit(f"verify failed ({done.returncode}): {done.stdout}{done.stderr}")
    return seconds, peak_kib, done.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.bench_audit", description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the log (default 1,000,000)")
    parser.add_argument("--hmac", action="store_true", help="sign every event and verify the HMACs too")
    parser.add_argument("--keep", type=Path, default=None, help="build the log in this folder and keep it")
    args = parser.parse_args(argv)
    key = AuditKey(BENCH_KEY.encode()) if args.hmac else None
    with tempfile.TemporaryDirectory(prefix="bench_audit_") as scratch:
        data_dir = args.keep or Path(scratch)
        data_dir.mkdir(parents=True, exist_ok=True)
        built = build_log(data_dir, args.events, key)
        size_mib = (data_dir / "crosswalk.db").stat().st_size / 2**20
        print(f"built {args.events:,} events ({size_mib:,.0f} MiB database) in {built:.1f} s")
        seconds, peak_kib, output = time_verify(data_dir, key)
        print(output)
        print(f"verify: {args.events:,} events in {seconds:.1f} s ({args.events / seconds:,.0f} events/s), "
              f"peak RSS {peak_kib / 1024:,.0f} MiB, HMAC {'on' if key else 'off'}; {os.cpu_count()} CPU(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
