"""Benchmark of ``apply``: naive per-row baseline, the reference engine, the DuckDB engine.

    python -m evals.bench_apply --rows 1000000 [--keep]

Generates (or reuses) a realistic 15-column custody CSV in ``evals/bench_data/`` with a
matching target schema and mapping (~15 transforms), then runs each measurement in its
own subprocess so its peak memory is its own: the naive baseline (csv + per-row
transforms + jsonschema per row) and the reference engine on the first 100,000 rows (they
are slow), and the DuckDB engine on 250,000, 500,000 and the full row count, so flat
memory is visible. ``--keep`` keeps the generated data and outputs.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "bench_data"
SLOW_ROWS = 100_000
HEADER = ["CUSTODY_ID", "SURNAME", "FORENAMES", "DOB", "ARREST_DATE", "ARREST_TIME", "SEX", "POSTCODE", "AGE",
          "ETHNICITY", "OFFENCE", "HEIGHT_M", "FORCE_CODE", "DETAINED", "NOTES"]
SURNAMES = ["SMITH", "JONES", "TAYLOR", "BROWN", "O'BRIEN", "WILLIAMS", "DE LA CRUZ", "NGUYEN", "PATEL", "McDONALD", "EVANS"]
FORENAMES = ["John", "mary ann", "AHMED", "Chloe", "  olivia ", "Jack  Lee", "siobhan", "Tom"]
OUTCODES = ["SW1A", "M1", "LS1", "B33", "EC1A", "CF10", "G2", "BS8", "NE1", "L3"]
OFFENCES = ["THEFT", "ASSAULT", "BURGLARY", "CRIMINAL DAMAGE", "DRUGS", "PUBLIC ORDER", "FRAUD"]
NOTES = ["", "", "Detained after a short foot chase.", "Complained of injury; seen by HCP.", "No further comments",
         "Interpreter required (Polish).", "Refused to give details at first"]

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["custody_reference"],
    "properties": {
        "custody_reference": {"type": "string", "pattern": "^CU/\\d{4}/\\d{6}$"},
        "detainee": {
            "type": "object",
            "additionalProperties": False,
            "required": ["family_name"],
            "properties": {
                "family_name": {"type": "string", "minLength": 1, "maxLength": 100},
                "given_names": {"type": "string", "maxLength": 150},
                "date_of_birth": {"type": "string", "format": "date"},
                "sex": {"type": "string", "enum": ["male", "female", "unknown"]},
                "age": {"type": "integer", "minimum": 10, "maximum": 110},
                "ethnicity": {"type": "string", "pattern": "^[A-Z]\\d$"},
                "height_m": {"type": "number", "minimum": 0.5, "maximum": 2.5},
                "postcode": {"type": "string", "pattern": "^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$"},
            },
        },
        "arrest": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "arrested_at": {"type": "string", "format": "date-time"},
                "arrest_date": {"type": "string", "format": "date"},
                "offence": {"type": "string", "enum": ["theft", "assault", "burglary", "criminal_damage", "drugs", "public_order", "fraud"]},
                "force": {"type": "string", "minLength": 2, "maxLength": 4},
                "detained": {"type": "boolean"},
                "notes": {"type": "string", "maxLength": 500},
            },
        },
    },
}

MAPPING: dict[str, Any] = {
    "fields": [
        {"target": "/custody_reference", "sources": ["CUSTODY_ID"], "transform": {"op": "text", "case": "upper"}},
        {"target": "/detainee/family_name", "sources": ["SURNAME"], "transform": {"op": "text"}},
        {"target": "/detainee/given_names", "sources": ["FORENAMES"], "transform": {"op": "text", "case": "title"}},
        {"target": "/detainee/date_of_birth", "sources": ["DOB"], "transform": {"op": "parse_date", "format": "%d/%m/%Y", "century_pivot": 30}},
        {"target": "/detainee/sex", "sources": ["SEX"], "transform": {"op": "value_map", "mapping": {"M": "male", "F": "female", "U": "unknown", "X": "unknown"}, "null_values": ["N/K"]}},
        {"target": "/detainee/age", "sources": ["AGE"], "transform": {"op": "to_integer"}},
        {"target": "/detainee/ethnicity", "sources": ["ETHNICITY"], "transform": {"op": "text", "case": "upper"}},
        {"target": "/detainee/height_m", "sources": ["HEIGHT_M"], "transform": {"op": "to_number"}},
        {"target": "/detainee/postcode", "sources": ["POSTCODE"], "transform": {"op": "postcode"}},
        {"target": "/arrest/arrested_at", "sources": ["ARREST_DATE", "ARREST_TIME"], "transform": {"op": "combine_date_time", "date_format": "%d/%m/%Y", "time_format": "%H:%M", "on_ambiguous": "earlier"}},
        {"target": "/arrest/arrest_date", "sources": ["ARREST_DATE"], "transform": {"op": "parse_date", "format": "%d/%m/%Y"}},
        {"target": "/arrest/offence", "sources": ["OFFENCE"], "transform": {"op": "value_map", "mapping": {o: o.lower().replace(" ", "_") for o in OFFENCES}}},
        {"target": "/arrest/force", "sources": ["FORCE_CODE"], "transform": {"op": "copy"}},
        {"target": "/arrest/detained", "sources": ["DETAINED"], "transform": {"op": "to_boolean"}},
        {"target": "/arrest/notes", "sources": ["NOTES"], "transform": {"op": "text"}},
    ]
}


def generate(path: Path, rows: int, seed: int = 20240601) -> None:
    """Write ``rows`` custody rows; about 1 in 50 has a problem somewhere."""
    rng = random.Random(seed)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for i in range(rows):
            day, month = rng.randint(1, 28), rng.randint(1, 12)
            spacing = rng.choice(["", " ", "  ", " "])
            outcode = rng.choice(OUTCODES)
            postcode = f"{outcode}{spacing}{rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRSTU')}"
            writer.writerow([
                f"cu/{2020 + i % 5}/{i % 1_000_000:06d}",
                rng.choice(SURNAMES),
                rng.choice(FORENAMES),
                f"{day:02d}/{month:02d}/{rng.randint(1940, 2008)}" if rng.random() > 0.01 else "31/02/1990",
                f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.choice([2022, 2023, 2024])}",
                f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
                rng.choice(["M", "F", "M", "F", "U", "N/K", "m", "f"]) if rng.random() > 0.005 else "Q",
                postcode.lower() if rng.random() < 0.3 else postcode,
                str(rng.randint(15, 80)) if rng.random() > 0.003 else "unknown",
                f"{rng.choice('WABMO')}{rng.randint(1, 9)}",
                rng.choice(OFFENCES),
                f"{rng.uniform(1.45, 2.05):.2f}",
                rng.choice(["01", "20", "43", "MPS"]),
                rng.choice(["Y", "N", "yes", "no", ""]),
                rng.choice(NOTES),
            ])
    tmp.replace(path)


def prefix(source: Path, path: Path, rows: int) -> None:
    """The header and first ``rows`` data lines of ``source`` (rows hold no line breaks)."""
    with source.open("rb") as src, path.open("wb") as out:
        for i, line in enumerate(src):
            if i > rows:
                break
            out.write(line)


def ensure_data(rows: int) -> dict[str, Path]:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    (DATA_DIR / "target.schema.json").write_text(json.dumps(SCHEMA, indent=1), encoding="utf-8")
    (DATA_DIR / "mapping.json").write_text(json.dumps(MAPPING, indent=1), encoding="utf-8")
    full = DATA_DIR / f"custody_{rows}.csv"
    if not full.exists():
        print(f"generating {rows:,} rows into {full} ...", flush=True)
        generate(full, rows)
    files = {"full": full}
    for size in sorted({SLOW_ROWS, 250_000, 500_000}):
        if size < rows:
            path = DATA_DIR / f"custody_{rows}_head{size}.csv"
            if not path.exists():
                prefix(full, path, size)
            files[str(size)] = path
    return files


def naive(source: Path, out: Path) -> int:
    """The baseline: csv module, per-row transforms, jsonschema per row, json.dumps."""
    from jsonschema import Draft202012Validator

    from tools.errors import TransformValueError
    from tools.json_pointer import parse_pointer, set_at
    from tools.mapping import parse_mapping
    from tools.transforms import apply_transform

    doc = parse_mapping(MAPPING)
    validator = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
    fields = [(parse_pointer(f.target), f.sources, f.transform) for f in doc.fields]
    count = 0
    with source.open(newline="", encoding="utf-8") as fh, out.open("w", encoding="utf-8") as good, out.with_suffix(".rej").open("w", encoding="utf-8") as bad:
        for index, row in enumerate(csv.DictReader(fh)):
            record: dict[str, Any] = {}
            errors = []
            for parts, sources, spec in fields:
                try:
                    value = apply_transform(spec, [row[s] for s in sources])
                except TransformValueError as exc:
                    errors.append(exc.reason)
                    continue
                if value is not None:
                    set_at(record, parts, value)
            errors += [e.message for e in validator.iter_errors(record)]
            line = json.dumps({"row": index, "record": record, **({"errors": errors} if errors else {})}, ensure_ascii=False)
            (bad if errors else good).write(line + "\n")
            count += 1
    return count


def engine_run(engine: str, source: Path, out: Path) -> dict[str, Any]:
    from tools.engines import apply_mapping
    from tools.mapping import parse_mapping
    from tools.target_schema import load_target_schema

    summary = apply_mapping(parse_mapping(MAPPING), source, load_target_schema(DATA_DIR / "target.schema.json"),
                            out, out.with_suffix(".rej.jsonl"), engine=engine)  # type: ignore[arg-type]
    return {"rows": summary.rows_read, "valid": summary.rows_valid, "engine": summary.engine,
            "reason": summary.engine_reason, "seconds": summary.duration_s}


def child(kind: str, source: Path, out: Path) -> None:
    """One measurement, run in its own process; prints one JSON line.

    Timing starts after the imports (about a second for jsonschema, duckdb and pyarrow),
    which every run pays alike; reading, transforming, validating and writing are timed.
    """
    import tools.engines  # noqa: F401 - imported before the clock starts, see above
    import tools.transforms  # noqa: F401

    started = time.perf_counter()
    info: dict[str, Any] = {"rows": naive(source, out)} if kind == "naive" else engine_run(kind, source, out)
    info.setdefault("seconds", time.perf_counter() - started)
    seconds = info["seconds"]
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    print(json.dumps({**info, "seconds": seconds, "peak_mib": peak_mib}))


def measure(kind: str, source: Path, out: Path) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "evals.bench_apply", "--child", kind, "--source", str(source), "--out", str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1], check=False)
    if done.returncode != 0:
        raise SystemExit(f"{kind} on {source.name} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the outputs in evals/bench_data")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--source", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, Path(args.source), Path(args.out))
        return
    files = ensure_data(args.rows)
    slow = files.get(str(SLOW_ROWS), files["full"])
    plan = [("naive baseline (csv + transforms + jsonschema per row)", "naive", slow),
            ("reference engine (python)", "python", slow)]
    plan += [("DuckDB engine", "duckdb", files[k]) for k in ("250000", "500000") if k in files]
    plan.append(("DuckDB engine", "duckdb", files["full"]))
    results = []
    for label, kind, source in plan:
        out = DATA_DIR / f"out_{kind}_{source.stem}.jsonl"
        result = measure(kind, source, out)
        results.append((label, result))
        print(f"  done: {label} on {result['rows']:,} rows in {result['seconds']:.1f} s", flush=True)
        if not args.keep:
            for path in DATA_DIR.glob(f"out_{kind}_{source.stem}*"):
                path.unlink()
    print()
    print(f"{'run':<58} {'rows':>10} {'seconds':>8} {'rows/s':>10} {'peak MiB':>9}")
    for label, r in results:
        engine = f" [{r['engine']}]" if "engine" in r and r["engine"] not in label.lower() else ""
        print(f"{label + engine:<58} {r['rows']:>10,} {r['seconds']:>8.2f} {r['rows'] / r['seconds']:>10,.0f} {r['peak_mib']:>9.0f}")
    print(f"\nnaive and reference runs use the first {SLOW_ROWS:,} rows only (they are slow); every row is validated in every run.")
    print(f"{os.cpu_count()} CPU(s); seconds exclude the ~1 s of imports every process pays; peak MiB is each run's own process.")


if __name__ == "__main__":
    main()
