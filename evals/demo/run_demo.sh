#!/usr/bin/env bash
# `make demo`: profile the synthetic custody export, let crosswalk propose a mapping onto the
# bundled police standard and apply what it auto-accepted, then apply the hand-approved
# mapping, and verify the audit log. Offline; writes only under out/demo/.
set -euo pipefail
cd "$(dirname "$0")/../.."

CROSSWALK=.venv/bin/crosswalk
DEMO=evals/demo
OUT=out/demo
DATA_DIR="$OUT/.crosswalk"
mkdir -p "$OUT"

echo "== 1/5 crosswalk profile $DEMO/custody_export.csv"
"$CROSSWALK" --data-dir "$DATA_DIR" profile "$DEMO/custody_export.csv"

echo
echo "== 2/5 crosswalk propose (onto the bundled standard, offline)"
"$CROSSWALK" --data-dir "$DATA_DIR" propose "$DEMO/custody_export.csv" --out "$OUT/proposal.json" --offline

echo
echo "== 3/5 crosswalk apply $OUT/proposal.json (its auto-accepted and approved fields)"
"$CROSSWALK" --data-dir "$DATA_DIR" apply "$OUT/proposal.json" "$DEMO/custody_export.csv" \
  --out "$OUT/proposed_records.jsonl" --rejects "$OUT/proposed_rejects.jsonl"

echo
echo "first record from the proposal ($OUT/proposed_records.jsonl):"
head -n 1 "$OUT/proposed_records.jsonl"

echo
echo "== 4/5 crosswalk apply (approved mapping $DEMO/custody_export.mapping.json, bundled standard)"
"$CROSSWALK" --data-dir "$DATA_DIR" apply "$DEMO/custody_export.mapping.json" "$DEMO/custody_export.csv" \
  --out "$OUT/records.jsonl" --rejects "$OUT/rejects.jsonl"

echo
echo "first canonical record ($OUT/records.jsonl):"
head -n 1 "$OUT/records.jsonl"

echo
echo "== 5/5 crosswalk audit verify"
"$CROSSWALK" --data-dir "$DATA_DIR" audit verify
