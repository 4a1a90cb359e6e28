"""Benchmark of ``propose``: a 60-column, 500,000-row CSV, proposed end to end offline.

    python -m evals.bench_propose [--rows 500000] [--regenerate]

Generates (or reuses) ``evals/bench_data/propose_60x<rows>.csv`` (git-ignored): a wide
force export with varied, realistic columns (references, names, dates in three shapes,
times, epoch stamps, postcodes with messy spacing, NHS/NI numbers, phones, emails, VRMs, LSOA codes,
coordinates, BNG eastings/northings, code lists, flags, amounts, free text, audit
columns). Then times ``crosswalk propose`` twice: the job in process (what the CLI calls,
after imports) with a per-step breakdown from the audit log, and the CLI as a subprocess
(interpreter start and imports included). The proposer profiles a sample (5,000 rows by
default); only the streamed SHA-256 / encoding scan of the reader touches the whole file.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "bench_data"
TARGET_SECONDS = 10.0
POOL = 20_000  # distinct values per varied column

SURNAMES = ["SMITH", "JONES", "TAYLOR", "BROWN", "O'BRIEN", "WILLIAMS", "DE LA CRUZ", "NGUYEN", "PATEL", "McDONALD",
            "EVANS", "KOWALSKI", "HUSSAIN", "MURPHY", "WRIGHT"]
FORENAMES = ["John", "mary ann", "AHMED", "Chloe", "olivia", "Jack Lee", "siobhan", "Tom", "Priya", "Wojciech"]
OUTCODES = ["SW1A", "M1", "LS1", "B33", "EC1A", "CF10", "G2", "BS8", "NE1", "L3", "HX1", "S1"]
STREETS = ["High Street", "Station Road", "Church Lane", "Park Avenue", "Mill Road", "Victoria Street"]
TOWNS = ["Leeds", "Halifax", "Bradford", "Wakefield", "Huddersfield", "York"]
OFFENCES = ["THEFT", "ASSAULT", "BURGLARY", "CRIMINAL DAMAGE", "DRUGS", "PUBLIC ORDER", "FRAUD", "ROBBERY"]
CATEGORIES = ["anti-social-behaviour", "burglary", "criminal-damage-arson", "drugs", "other-theft", "public-order",
              "shoplifting", "vehicle-crime", "violent-crime"]
OUTCOMES = ["Charged", "Released under investigation", "No further action", "Bail", "Caution", "Community resolution"]
NOTES = ["", "", "Detained after a short foot chase.", "Complained of injury; seen by HCP.", "No further comments",
         "Interpreter required (Polish).", "Refused to give details at first", "Vulnerable adult; AA called."]
LETTERS = "ABCDEFGHJKLMNPRSTUVWXY"

Column = Callable[[random.Random, int], str]  # (rng, row index) -> value


def _nhs(rng: random.Random) -> str:
    while True:
        digits = [rng.randint(0, 9) for _ in range(9)]
        check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1))) % 11
        check = 0 if check == 11 else check
        if check != 10:
            text = "".join(map(str, digits)) + str(check)
            return rng.choice([text, f"{text[:3]} {text[3:6]} {text[6:]}"])


def _postcode(rng: random.Random) -> str:
    code = f"{rng.choice(OUTCODES)} {rng.randint(0, 9)}{rng.choice(LETTERS)}{rng.choice(LETTERS)}"
    return rng.choice([code, code.lower(), code.replace(" ", ""), code])


def _date(rng: random.Random, start: int, end: int) -> dt.date:
    return dt.date(start, 1, 1) + dt.timedelta(days=rng.randint(0, (end - start) * 365))


def _when(rng: random.Random) -> dt.datetime:
    return dt.datetime.combine(_date(rng, 2019, 2024), dt.time(rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)))


def pools(rng: random.Random) -> dict[str, Callable[[random.Random], str]]:
    """Value makers of the varied columns (drawn from a pool of distinct values each)."""
    return {
        "SURNAME": lambda r: r.choice(SURNAMES), "FORENAMES": lambda r: r.choice(FORENAMES),
        "FULL_NAME": lambda r: f"{r.choice(SURNAMES)}, {r.choice(FORENAMES)}",
        "DOB": lambda r: _date(r, 1940, 2008).strftime("%d/%m/%Y"),
        "SEX": lambda r: r.choice(["M", "F", "M", "F", "U", "m", "f"]),
        "GENDER_DESC": lambda r: r.choice(["Male", "Female", "Not known"]),
        "ETH_CODE": lambda r: f"IC{r.randint(1, 6)}", "SDE_CODE": lambda r: r.choice(["W1", "W2", "A1", "B2", "M3", "O9"]),
        "PNC_ID": lambda r: f"{r.randint(0, 99):02d}/{r.randint(1, 999999)}{r.choice(LETTERS)}",
        "CRO_NO": lambda r: f"{r.randint(1, 999999):06d}/{r.randint(0, 99):02d}{r.choice(LETTERS)}",
        "NHS_NO": _nhs,
        "NI_NO": lambda r: f"{r.choice('ABCEGHJKLMNPRSTWXYZ')}{r.choice('ABCEGHJKLMNPRSTWXYZ')}{r.randint(0, 999999):06d}{r.choice('ABCD')}",
        "HOME_PCODE": _postcode, "OFFENCE_PCODE": _postcode,
        "ADDRESS_1": lambda r: f"{r.randint(1, 300)} {r.choice(STREETS)}", "TOWN": lambda r: r.choice(TOWNS),
        "TEL_NO": lambda r: r.choice(["07", "+447", "01", "0113 "]) + "".join(str(r.randint(0, 9)) for _ in range(9)),
        "EMAIL_ADDR": lambda r: f"{r.choice(FORENAMES).split()[0].lower()}.{r.choice(SURNAMES).lower().replace(' ', '')}{r.randint(1, 99)}@example.org",
        "ARREST_DATE": lambda r: _date(r, 2019, 2024).strftime("%d/%m/%Y"),
        "ARREST_TIME": lambda r: f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}",
        "DETAINED_DTTM": lambda r: _when(r).strftime("%Y-%m-%d %H:%M:%S"),
        "RELEASED_DTTM": lambda r: _when(r).strftime("%d/%m/%Y %H:%M"),
        "REVIEW_DATE": lambda r: _date(r, 2019, 2024).isoformat(),
        "BAIL_DATE": lambda r: _date(r, 2020, 2025).strftime("%Y%m%d"),
        "BOOKED_EPOCH": lambda r: str(int(_when(r).replace(tzinfo=dt.timezone.utc).timestamp())),
        "OFFENCE": lambda r: r.choice(OFFENCES), "OFFENCE_CODE": lambda r: f"{r.randint(1, 199)}/{r.randint(1, 99)}",
        "CRIME_CATEGORY": lambda r: r.choice(CATEGORIES), "OUTCOME": lambda r: r.choice(OUTCOMES),
        "OIC_COLLAR": lambda r: str(r.randint(1000, 99999)), "OIC_SURNAME": lambda r: r.choice(SURNAMES),
        "VEH_REG": lambda r: f"{r.choice(LETTERS)}{r.choice(LETTERS)}{r.randint(10, 72)} {r.choice(LETTERS)}{r.choice(LETTERS)}{r.choice(LETTERS)}",
        "VEH_MAKE": lambda r: r.choice(["FORD", "VAUXHALL", "BMW", "TOYOTA", "VW"]),
        "LSOA_CODE": lambda r: f"E0100{r.randint(1000, 9999)}", "MSOA_CODE": lambda r: f"E0200{r.randint(1000, 6999)}",
        "WARD_CODE": lambda r: f"E0500{r.randint(1000, 9999)}",
        "LATITUDE": lambda r: f"{r.uniform(53.6, 53.9):.6f}", "LONGITUDE": lambda r: f"{r.uniform(-1.9, -1.3):.6f}",
        "EASTING": lambda r: str(r.randint(400000, 450000)), "NORTHING": lambda r: str(r.randint(420000, 450000)),
        "AGE": lambda r: str(r.randint(10, 95)), "HEIGHT_CM": lambda r: str(r.randint(140, 205)),
        "PROPERTY_VALUE": lambda r: f"{r.randint(0, 250000):,}", "FINE_AMOUNT": lambda r: f"{r.uniform(0, 2500):.2f}",
        "INTOX_YN": lambda r: r.choice(["Y", "N", "N"]), "JUVENILE": lambda r: r.choice(["Yes", "No"]),
        "INJURED_FLAG": lambda r: r.choice(["0", "1"]), "INTERPRETER": lambda r: r.choice(["TRUE", "FALSE"]),
        "SUITE_CODE": lambda r: r.choice(["LDS1", "HFX2", "BFD1", "WKF3"]), "FORCE_CODE": lambda r: r.choice(["01", "13", "43", "MPS"]),
        "NOTES": lambda r: r.choice(NOTES), "RISK_LEVEL": lambda r: r.choice(["LOW", "MEDIUM", "HIGH"]),
        "STOP_REASON": lambda r: r.choice(["Drugs", "Stolen goods", "Offensive weapons", "Articles for use in criminal damage"]),
        "SEARCH_TYPE": lambda r: r.choice(["Person search", "Vehicle search", "Person and Vehicle search"]),
        "OCCUPATION": lambda r: r.choice(["Unemployed", "Student", "Builder", "Nurse", "Driver", ""]),
        "LAST_UPDATED_BY": lambda r: r.choice(["jbloggs", "asmith", "sys_batch"]),
        "EXTRACT_DT": lambda r: "01/06/2024",
    }


def sequential() -> dict[str, Column]:
    """Columns that differ on every row."""
    return {
        "CUSTODY_REF": lambda r, i: f"CU/{2019 + i % 6}/{i:06d}",
        "URN": lambda r, i: f"{13 + i % 3:02d}{r.choice(LETTERS)}{r.choice(LETTERS)}{i:07d}",
        "ROWVER": lambda r, i: str(1000 + i * 3),
    }


def generate(path: Path, rows: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    makers = pools(rng)
    per_row = sequential()
    names = list(per_row) + list(makers)
    assert len(names) == 60, len(names)
    columns: list[list[str]] = []
    for name in names:
        if name in per_row:
            columns.append([per_row[name](rng, i) for i in range(rows)])
        else:
            pool = [makers[name](rng) for _ in range(POOL)]
            columns.append(rng.choices(pool, k=rows))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(names)
        writer.writerows(zip(*columns))
    tmp.replace(path)


def step_times(settings: object, run_id: str, started: dt.datetime) -> list[tuple[str, float]]:
    """Seconds between consecutive audit events of the run (how long each step took), from ``started``."""
    from agent.audit import list_events
    from agent.store import open_session

    with open_session(settings) as session:  # type: ignore[arg-type]
        events = list_events(session, run_id=run_id)
    stamps = [("start", started)] + [(e.action, dt.datetime.fromisoformat(e.time.replace("Z", "+00:00"))) for e in events]
    return [(action, (t - t0).total_seconds()) for (_, t0), (action, t) in zip(stamps, stamps[1:])]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.bench_propose", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--regenerate", action="store_true", help="write the CSV again even if it exists")
    args = parser.parse_args(argv)
    source = DATA_DIR / f"propose_60x{args.rows}.csv"
    if args.regenerate or not source.is_file():
        started = time.perf_counter()
        generate(source, args.rows)
        print(f"generated {source.name} in {time.perf_counter() - started:.1f} s")
    shown = source.relative_to(Path.cwd()) if source.is_relative_to(Path.cwd()) else source
    print(f"source: {shown} ({source.stat().st_size / 1e6:,.0f} MB, {args.rows:,} rows, 60 columns)")

    from agent.jobs.propose_job import ProposeRequest, run_propose_job
    from agent.settings import Settings
    from agent.store import dispose_engines

    with tempfile.TemporaryDirectory(prefix="crosswalk-bench-") as scratch:
        settings = Settings(data_dir=Path(scratch) / "data", user="bench")
        started, wall_start = time.perf_counter(), dt.datetime.now(dt.timezone.utc)
        outcome = run_propose_job(settings, ProposeRequest(out_path=Path(scratch) / "proposal.json", source_path=source, offline=True))
        in_process = time.perf_counter() - started
        statuses = [f.status for f in outcome.document.fields]
        print(f"propose (job, in process): {in_process:.2f} s; {len(statuses)} fields proposed, "
              f"{statuses.count('auto_accepted')} auto-accepted, {len(outcome.document.unmapped_sources)} sources unmapped")
        # run_started follows the source scan (streamed SHA-256 + encoding check) and the sample read
        for action, seconds in step_times(settings, outcome.run_id, wall_start):
            print(f"  {action:<18} {seconds:6.2f} s")
        dispose_engines()
        cli = Path(sys.executable).with_name("crosswalk")
        command = [str(cli), "--data-dir", str(Path(scratch) / "cli"), "propose", str(source),
                   "--out", str(Path(scratch) / "cli_proposal.json"), "--offline"]
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - started
    verdict = "within" if wall < TARGET_SECONDS else "OVER"
    print(f"crosswalk propose (CLI, wall time incl. start-up): {wall:.2f} s ({verdict} the {TARGET_SECONDS:.0f} s target)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
