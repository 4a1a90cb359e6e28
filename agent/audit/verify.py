"""``audit verify``: stream the whole chain and report where it breaks.

The rows are read with raw SQL in batches (no ORM objects), so a million events verify
in seconds. Checks per event: the sequence has no gap, ``prev_hash`` is the previous
event's hash, the content still hashes to ``hash``, and, with an audit key, the HMAC.
Checkpoints kept outside the database add truncation and rewrite detection.
"""

from __future__ import annotations

import hashlib
import hmac as hmac_lib
import json
import time as clock
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from collections.abc import Iterator, Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import Connection, text

from agent.audit.chain import GENESIS_HASH
from agent.audit.checkpoints import Checkpoint
from agent.audit.keys import AuditKey, split_hmac
from agent.store.canonical import canonical_json

try:  # a transitive dependency; parses 4x faster than json (the hash is still taken over json's encoding)
    import orjson
except ImportError:  # pragma: no cover - the json module alone is correct, just slower
    orjson = None  # type: ignore[assignment]

ProblemKind = Literal[
    "sequence_gap", "prev_hash", "reordered", "content_hash", "hmac_mismatch", "hmac_missing", "hmac_other_key",
    "truncated", "rewritten", "checkpoint_signature",
]
MAX_PROBLEMS_KEPT = 1000
MAX_REORDER_LOOKUPS = 100  # each costs one indexed query; enough to explain the first breaks
BATCH_ROWS = 20_000
# CAST: PostgreSQL drivers would hand JSON columns back parsed; the stored text is what the fast path hashes.
_ROWS_SQL = ("SELECT seq, time, actor, action, subject, CAST(inputs AS TEXT), CAST(outputs AS TEXT), run_id, "
             "prev_hash, hash, hmac FROM audit_event ORDER BY seq")
LEGACY_RETRY_EVERY = 1000  # after a row stored in the old (non-canonical) form, try the fast path this seldom


class Problem(BaseModel):
    """One failed check: where, what, and the two values that differ."""

    seq: int | None
    kind: ProblemKind
    message: str  # "event N: ..." - one line, stable wording
    expected: str | None = None
    found: str | None = None


SignatureStatus = Literal["valid", "invalid", "not_checked", "unsigned"]
ChainStatus = Literal["matched", "truncated", "rewritten"]


class CheckpointResult(BaseModel):
    """How one checkpoint file compared: its signature, and the log against the head it names."""

    source: str
    seq: int
    signature: SignatureStatus
    chain: ChainStatus = "matched"


class VerifyReport(BaseModel):
    """The outcome of verifying the whole log."""

    intact: bool
    events: int
    head_seq: int | None = None
    head_hash: str | None = None
    problem_count: int = 0
    first_problem: Problem | None = None
    problems: list[Problem] = Field(default_factory=list)  # the first MAX_PROBLEMS_KEPT
    key_id: str | None = None
    hmac_checked: int = 0  # events whose HMAC matched the key
    hmac_absent: int = 0  # events written before a key was set (covered by the chain only)
    hmac_not_checked: int = 0  # events with an HMAC but no key given to check it
    checkpoints: list[CheckpointResult] = Field(default_factory=list)
    seconds: float = 0.0


class _Collector:
    def __init__(self) -> None:
        self.count = 0
        self.kept: list[Problem] = []

    def add(self, problem: Problem) -> None:
        self.count += 1
        if len(self.kept) < MAX_PROBLEMS_KEPT:
            self.kept.append(problem)


def _later_event_with_hash(conn: Connection, digest: str, seq: int) -> int | None:
    """The seq of the event whose hash is ``digest`` if it comes at or after ``seq`` (a sign of reordering)."""
    found = conn.execute(text("SELECT seq FROM audit_event WHERE hash = :h"), {"h": digest}).scalar()
    return int(found) if found is not None and int(found) >= seq else None


def _check_signatures(
    checkpoints: Sequence[tuple[str, Checkpoint]], key: AuditKey | None, problems: _Collector,
) -> dict[str, str]:
    """Signature status per checkpoint source; forged or foreign-key checkpoints are problems."""
    status: dict[str, str] = {}
    for source, cp in checkpoints:
        if cp.signature is None:
            status[source] = "unsigned"
        elif key is None:
            status[source] = "not_checked"
        elif not cp.signature_valid(key):
            status[source] = "invalid"
            why = f"signed with key {cp.key_id}, not the given key {key.key_id}" if cp.key_id != key.key_id else "signature does not match"
            problems.add(Problem(seq=cp.seq, kind="checkpoint_signature", message=f"checkpoint {source}: {why}",
                                 expected=key.key_id, found=cp.key_id))
        else:
            status[source] = "valid"
    return status


def _json_loader() -> Any:
    """orjson.loads where it agrees with json (it refuses lone surrogates and huge integers: json then decides)."""
    plain = json.JSONDecoder().decode
    if orjson is None:
        return plain
    fast, refused = orjson.loads, orjson.JSONDecodeError

    def loads(text: str) -> Any:
        try:
            return fast(text)
        except refused:
            return plain(text)

    return loads


def _row_batches(conn: Connection) -> Iterator[Sequence[tuple[Any, ...]]]:
    """All rows in chain order, a batch at a time, as plain tuples.

    SQLite: the DBAPI cursor directly (its rows are already lazy; SQLAlchemy's Row
    wrapping would cost a third of the time). Elsewhere: a server-side cursor.
    """
    if conn.dialect.name == "sqlite":
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(_ROWS_SQL)
            while batch := cursor.fetchmany(BATCH_ROWS):
                yield batch
        finally:
            cursor.close()
        return
    yield from conn.execution_options(stream_results=True).execute(text(_ROWS_SQL)).partitions(BATCH_ROWS)


def _is_object(loads: Any, text: str) -> bool:
    """Whether ``text`` is one whole JSON object (so column boundaries cannot have been shifted)."""
    try:
        return isinstance(loads(text), dict)
    except ValueError:
        return False


def _fast_hash(enc: Any, seq: int, time: str, actor: str, action: str, subject: str, inputs: str, outputs: str,
               run_id: str | None, prev_hash: str) -> str:
    """SHA-256 of the canonical body built from the stored text, without parsing the payloads.

    Equal to ``event_hash`` whenever inputs and outputs are stored as canonical JSON
    (keys here in sorted order). Only trusted once both payloads parse as whole objects:
    text moved from one column into the other would concatenate to the same body.
    """
    body = ('{"action":' + enc(action) + ',"actor":' + enc(actor) + ',"inputs":' + inputs + ',"outputs":' + outputs
            + ',"prev_hash":' + enc(prev_hash) + ',"run_id":' + ("null" if run_id is None else enc(run_id))
            + ',"seq":' + str(seq) + ',"subject":' + enc(subject) + ',"time":' + enc(time) + "}")
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def verify_log(
    conn: Connection,
    *,
    key: AuditKey | None = None,
    checkpoints: Sequence[tuple[str, Checkpoint]] = (),
    require_hmac: bool = False,
) -> VerifyReport:
    """Verify every event in chain order; ``checkpoints`` are (source name, checkpoint) pairs."""
    started = clock.perf_counter()
    problems = _Collector()
    signatures = _check_signatures(checkpoints, key, problems)
    cp_status: dict[str, str] = {source: "matched" for source, _ in checkpoints}
    by_seq: dict[int, list[tuple[str, Checkpoint]]] = {}
    for source, cp in checkpoints:
        by_seq.setdefault(cp.seq, []).append((source, cp))
    seen_checkpoints: set[str] = set()

    loads = _json_loader()
    sha256 = hashlib.sha256
    secret = key.secret if key is not None else None
    key_id = key.key_id if key is not None else None
    expected_prev, expected_seq, events = GENESIS_HASH, 1, 0
    hmac_checked = hmac_absent = hmac_not_checked = 0
    seen_hmac = False
    lookups = 0
    head_seq: int | None = None
    enc = encode_basestring
    fast_misses = 0  # rows since the fast path last failed on an old-format row (0: try every row)
    for batch in _row_batches(conn):
        for seq, time, actor, action, subject, inputs, outputs, run_id, prev_hash, stored, mac in batch:
            events += 1
            if seq != expected_seq:
                problems.add(Problem(seq=seq, kind="sequence_gap", expected=str(expected_seq), found=str(seq),
                                     message=f"event {seq}: expected sequence number {expected_seq} (events missing or reordered)"))
            if prev_hash != expected_prev:
                later = None
                if lookups < MAX_REORDER_LOOKUPS:
                    lookups += 1
                    later = _later_event_with_hash(conn, prev_hash, seq)
                if later is not None:
                    problems.add(Problem(
                        seq=seq, kind="reordered", expected=expected_prev, found=prev_hash,
                        message=f"event {seq}: prev_hash does not match the hash of the event before it "
                                f"(it is the hash of event {later}, which comes later: events reordered)"))
                else:
                    problems.add(Problem(seq=seq, kind="prev_hash", expected=expected_prev, found=prev_hash,
                                         message=f"event {seq}: prev_hash does not match the hash of the event before it"))
            recomputed = None
            if fast_misses == 0 or fast_misses % LEGACY_RETRY_EVERY == 0:
                quick = _fast_hash(enc, seq, time, actor, action, subject, inputs, outputs, run_id, prev_hash)
                if quick == stored and _is_object(loads, inputs) and _is_object(loads, outputs):
                    recomputed, fast_misses = quick, 0
            if recomputed is None:
                # Old-format rows, and every altered one: parse and re-encode canonically.
                fast_misses += 1
                try:
                    body = {"seq": seq, "time": time, "actor": actor, "action": action, "subject": subject,
                            "inputs": loads(inputs), "outputs": loads(outputs), "run_id": run_id, "prev_hash": prev_hash}
                    recomputed = sha256(canonical_json(body).encode("utf-8")).hexdigest()
                except ValueError:
                    recomputed = "(inputs or outputs are not valid JSON)"
            if recomputed != stored:
                problems.add(Problem(seq=seq, kind="content_hash", expected=recomputed, found=stored,
                                     message=f"event {seq}: content does not match its hash (altered after it was written)"))
            if mac is None:
                if secret is not None and (seen_hmac or require_hmac):
                    problems.add(Problem(seq=seq, kind="hmac_missing", message=f"event {seq}: has no HMAC although "
                                         + ("one is required" if require_hmac else "earlier events have one (HMAC stripped)")))
                else:
                    hmac_absent += 1
            elif secret is None:
                hmac_not_checked += 1
            else:
                seen_hmac = True
                mac_key, digest = split_hmac(mac)
                if mac_key != key_id:
                    problems.add(Problem(seq=seq, kind="hmac_other_key", expected=key_id, found=mac_key,
                                         message=f"event {seq}: HMAC made with key {mac_key}, not the given key {key_id}"))
                elif not hmac_lib.compare_digest(hmac_lib.digest(secret, stored.encode("utf-8"), "sha256").hex(), digest):
                    problems.add(Problem(seq=seq, kind="hmac_mismatch", message=f"event {seq}: HMAC does not match "
                                         "(the event was rewritten without the audit key)"))
                else:
                    hmac_checked += 1
            if seq in by_seq:
                _check_against(seq, stored, by_seq[seq], problems, seen_checkpoints, cp_status)
            expected_prev, expected_seq, head_seq = stored, seq + 1, seq
    for source, cp in checkpoints:
        if source in seen_checkpoints:
            continue
        last = head_seq or 0
        if cp.seq > last:
            cp_status[source] = "truncated"
            problems.add(Problem(seq=cp.seq, kind="truncated", expected=str(cp.seq), found=str(last),
                                 message=f"checkpoint {source}: the log ends at event {last} but the checkpoint "
                                         f"names event {cp.seq} (truncated: events removed from the end)"))
        else:
            cp_status[source] = "rewritten"
            problems.add(Problem(seq=cp.seq, kind="rewritten", expected=cp.hash, found=None,
                                 message=f"checkpoint {source}: event {cp.seq} it names is missing from the log"))
    return VerifyReport(
        intact=problems.count == 0, events=events, head_seq=head_seq,
        head_hash=expected_prev if head_seq is not None else None, problem_count=problems.count,
        first_problem=problems.kept[0] if problems.kept else None, problems=problems.kept, key_id=key_id,
        hmac_checked=hmac_checked, hmac_absent=hmac_absent, hmac_not_checked=hmac_not_checked,
        checkpoints=[CheckpointResult(source=s, seq=cp.seq, signature=signatures[s], chain=cp_status[s])  # type: ignore[arg-type]
                     for s, cp in checkpoints],
        seconds=round(clock.perf_counter() - started, 3),
    )


def _check_against(seq: int, stored: str, named: list[tuple[str, Checkpoint]], problems: _Collector,
                   seen: set[str], status: dict[str, Any]) -> None:
    """Compare the event at a checkpoint's seq with the hash the checkpoint recorded."""
    for source, cp in named:
        seen.add(source)
        if cp.hash == stored:
            continue
        status[source] = "rewritten"
        problems.add(Problem(seq=seq, kind="rewritten", expected=cp.hash, found=stored,
                             message=f"event {seq}: hash differs from checkpoint {source} (rewritten since the checkpoint)"))


def verify_problems(conn: Connection) -> list[str]:
    """Every problem's one-line message, in order (the list API of ``verify_chain``)."""
    return [p.message for p in verify_log(conn).problems]
