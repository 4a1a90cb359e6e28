"""``audit verify``: stream the whole chain and report where it breaks.

The rows are read with raw SQL in batches (no ORM objects), so a million events verify
in seconds. Checks per event: the sequence has no gap, ``prev_hash`` is the previous
event's hash, the content still hashes to ``hash``, and, with an audit key, the HMAC.
Checkpoints kept outside the database add truncation and rewrite detection.

After a key rotation the keyring also holds retired keys: events and checkpoints they
signed still verify, but a retired key may not sign anything after the current key was
first used (whoever still holds an old key could otherwise keep appending).
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
from agent.audit.keys import AuditKey, AuditKeyring, split_hmac
from agent.store.canonical import canonical_json

try:  # a transitive dependency; parses 4x faster than json (the hash is still taken over json's encoding)
    import orjson
except ImportError:  # pragma: no cover - the json module alone is correct, just slower
    orjson = None  # type: ignore[assignment]

ProblemKind = Literal[
    "sequence_gap", "prev_hash", "reordered", "content_hash", "hmac_mismatch", "hmac_missing", "hmac_other_key",
    "hmac_retired_key_reused", "truncated", "rewritten", "checkpoint_signature",
]
# The two values a problem carries, labelled for the check that failed (CLI and web app).
PROBLEM_LABELS: dict[str, tuple[str, str]] = {
    "content_hash": ("hash recomputed from the content", "hash stored with the event"),
    "prev_hash": ("expected prev_hash (hash of the event before)", "stored prev_hash"),
    "reordered": ("expected prev_hash (hash of the event before)", "stored prev_hash"),
    "sequence_gap": ("expected sequence number", "found"),
    "hmac_other_key": ("expected key id", "found"),
    "hmac_retired_key_reused": ("current key id", "retired key id that signed"),
    "checkpoint_signature": ("expected key id", "found"),
    "truncated": ("checkpoint sequence number", "log head"),
    "rewritten": ("checkpoint hash", "stored"),
}
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
    key_id: str | None = None  # the current key
    retired_key_ids: list[str] = Field(default_factory=list)  # retired keys given to verify with
    hmac_checked: int = 0  # events whose HMAC matched a given key (current or retired)
    hmac_by_key: dict[str, int] = Field(default_factory=dict)  # hmac_checked per key id, the current key first
    hmac_absent: int = 0  # events written before a key was set (covered by the chain only)
    hmac_not_checked: int = 0  # events with an HMAC but no key given to check it
    checkpoints: list[CheckpointResult] = Field(default_factory=list)
    seconds: float = 0.0

    def hmac_summary(self) -> str | None:
        """Which keys checked how many events, e.g. "HMAC: 1,200 event(s) checked with the current key ab12cd34,
        800 with retired key 9f00aa11"; None when no key was given."""
        labels = ([(self.key_id, f"the current key {self.key_id}")] if self.key_id else []) + [
            (key_id, f"retired key {key_id}") for key_id in self.retired_key_ids]
        if not labels:
            return None
        parts = [f"{self.hmac_by_key.get(key_id, 0):,}" + (" event(s) checked" if i == 0 else "") + f" with {label}"
                 for i, (key_id, label) in enumerate(labels)]
        return "HMAC: " + ", ".join(parts)


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


def _given_keys(ring: AuditKeyring) -> str:
    """How messages name the keys given: "the given key X" (plus ", or a retired key (Y, Z)")."""
    given = f"the given key {ring.current_id}" if ring.current is not None else "a given key"
    return given + (f" or a retired key ({', '.join(ring.retired_ids)})" if ring.retired else "")


def _check_signatures(
    checkpoints: Sequence[tuple[str, Checkpoint]], ring: AuditKeyring, problems: _Collector,
) -> tuple[dict[str, str], dict[str, str]]:
    """Signature status per checkpoint source, and the retired key id of those a retired key signed.

    Forged or foreign-key checkpoints are problems.
    """
    status: dict[str, str] = {}
    by_retired: dict[str, str] = {}
    for source, cp in checkpoints:
        if cp.signature is None:
            status[source] = "unsigned"
        elif not ring:
            status[source] = "not_checked"
        elif (signer := cp.signed_by(ring)) is None:
            status[source] = "invalid"
            why = (f"signed with key {cp.key_id}, not {_given_keys(ring)}" if ring.find(cp.key_id) is None
                   else "signature does not match")
            problems.add(Problem(seq=cp.seq, kind="checkpoint_signature", message=f"checkpoint {source}: {why}",
                                 expected=ring.current_id, found=cp.key_id))
        else:
            status[source] = "valid"
            if ring.is_retired(signer.key_id):
                by_retired[source] = signer.key_id
    return status, by_retired


def _check_retired_checkpoints(
    checkpoints: Sequence[tuple[str, Checkpoint]], by_retired: dict[str, str], ring: AuditKeyring,
    first_current_seq: int | None, problems: _Collector, signatures: dict[str, str],
) -> None:
    """A checkpoint signed by a retired key may only name an event from before the current key's first event."""
    if first_current_seq is None:
        return
    for source, cp in checkpoints:
        retired_id = by_retired.get(source)
        if retired_id is None or cp.seq < first_current_seq:
            continue
        signatures[source] = "invalid"
        problems.add(Problem(
            seq=cp.seq, kind="hmac_retired_key_reused", expected=ring.current_id, found=retired_id,
            message=f"checkpoint {source}: signed with retired key {retired_id} after the current key "
                    f"{ring.current_id} was in use (from event {first_current_seq}): a retired key must not sign "
                    "new checkpoints"))


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
    keyring: AuditKeyring | None = None,
    checkpoints: Sequence[tuple[str, Checkpoint]] = (),
    require_hmac: bool = False,
) -> VerifyReport:
    """Verify every event in chain order; ``checkpoints`` are (source name, checkpoint) pairs.

    HMACs are checked with ``keyring`` (current and retired keys) or, the older form,
    with the single current ``key``; not both.
    """
    if key is not None and keyring is not None:
        raise ValueError("verify_log takes key or keyring, not both")
    ring = keyring if keyring is not None else AuditKeyring.of(key)
    started = clock.perf_counter()
    problems = _Collector()
    signatures, by_retired = _check_signatures(checkpoints, ring, problems)
    cp_status: dict[str, str] = {source: "matched" for source, _ in checkpoints}
    by_seq: dict[int, list[tuple[str, Checkpoint]]] = {}
    for source, cp in checkpoints:
        by_seq.setdefault(cp.seq, []).append((source, cp))
    seen_checkpoints: set[str] = set()

    loads = _json_loader()
    sha256 = hashlib.sha256
    secrets = {k.key_id: k.secret for k in ring.keys}  # lookup by the key id stored with each HMAC
    key_id, retired_ids = ring.current_id, frozenset(ring.retired_ids)
    per_key = dict.fromkeys(secrets, 0)
    first_current_seq: int | None = None  # the first event the current key signed (validly)
    # Keys sign in eras: once a key takes over from another, the one replaced may never sign
    # again, whatever order the retired keys are listed in.
    signing_key: str | None = None
    replaced_at: dict[str, int] = {}  # key id -> seq of the first event its successor signed
    expected_prev, expected_seq, events = GENESIS_HASH, 1, 0
    hmac_absent = hmac_not_checked = 0
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
                if secrets and (seen_hmac or require_hmac):
                    problems.add(Problem(seq=seq, kind="hmac_missing", message=f"event {seq}: has no HMAC although "
                                         + ("one is required" if require_hmac else "earlier events have one (HMAC stripped)")))
                else:
                    hmac_absent += 1
            elif not secrets:
                hmac_not_checked += 1
            else:
                seen_hmac = True
                mac_key, digest = split_hmac(mac)
                secret = secrets.get(mac_key)
                if secret is None:
                    problems.add(Problem(seq=seq, kind="hmac_other_key", expected=key_id, found=mac_key,
                                         message=f"event {seq}: HMAC made with key {mac_key}, not {_given_keys(ring)}"))
                elif not hmac_lib.compare_digest(hmac_lib.digest(secret, stored.encode("utf-8"), "sha256").hex(), digest):
                    problems.add(Problem(seq=seq, kind="hmac_mismatch", message=f"event {seq}: HMAC does not match "
                                         "(the event was rewritten without the audit key)"))
                elif first_current_seq is not None and mac_key in retired_ids:
                    # Only the current key signs new events: a later retired-key HMAC is someone
                    # appending with an old (perhaps leaked) key.
                    problems.add(Problem(
                        seq=seq, kind="hmac_retired_key_reused", expected=key_id, found=mac_key,
                        message=f"event {seq}: signed with retired key {mac_key} after the current key {key_id} "
                                "was in use: a retired key must not sign new events"))
                elif mac_key in replaced_at:
                    problems.add(Problem(
                        seq=seq, kind="hmac_retired_key_reused", expected=signing_key, found=mac_key,
                        message=f"event {seq}: signed with key {mac_key} after key {signing_key} replaced it (from event "
                                f"{replaced_at[mac_key]}): a replaced key must not sign new events"))
                else:
                    per_key[mac_key] += 1
                    if first_current_seq is None and mac_key == key_id:
                        first_current_seq = seq
                    if signing_key is not None and mac_key != signing_key:
                        replaced_at[signing_key] = seq
                    signing_key = mac_key
            if seq in by_seq:
                _check_against(seq, stored, by_seq[seq], problems, seen_checkpoints, cp_status)
            expected_prev, expected_seq, head_seq = stored, seq + 1, seq
    _check_retired_checkpoints(checkpoints, by_retired, ring, first_current_seq, problems, signatures)
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
        retired_key_ids=list(ring.retired_ids), hmac_checked=sum(per_key.values()), hmac_by_key=per_key,
        hmac_absent=hmac_absent, hmac_not_checked=hmac_not_checked,
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
