"""Generate the synthetic custody export used by ``make demo`` (deterministic, seeded).

The file imitates a force records-system extract: cp1252 bytes, semicolons, CRLF line
ends, two title lines above the header, upper-case surnames next to mixed-case ones,
accented and apostrophised names, dd/mm/yyyy dates, times written ``1432`` (``932``
when a spreadsheet step ate the zero) and now and then ``14:32`` (typed by hand; the
mapping reads ``%H%M``, so those rows are quarantined), postcodes in lower case or
without/with doubled spaces, IC codes. A few rows are broken on
purpose (``BAD_ROWS``) so the quarantine has something real to show. Every person is
invented; identifiers are generated with valid check characters except where noted.

Regenerate with ``.venv/bin/python -m evals.demo.make_demo_data``.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
from datetime import date, datetime, timedelta
from pathlib import Path

SEED = 20240603
ROW_COUNT = 2000
ENCODING = "cp1252"
DEMO_DIR = Path(__file__).resolve().parent
DEFAULT_OUT = DEMO_DIR / "custody_export.csv"

TITLE_LINES = (
    "NORTHSHIRE CONSTABULARY - CUSTODY RECORDS EXTRACT",
    "OFFICIAL-SENSITIVE - produced 03/06/2024 06:15 by CUSTODY_MI",
)
HEADER = (
    "CUSTODY_REF", "SURNAME", "FORENAME(S)", "DOB", "SEX", "ETHNICITY (IC)", "ADDRESS POSTCODE",
    "ARREST DATE", "ARREST TIME", "OFFENCE CODE", "OIC COLLAR NO", "PNC ID", "NHS NO", "ROWVER",
    "EXTRACT_DT",
)

# Data-row index (0-based, as in records and rejects) -> (what is wrong, target field that fails).
# A target of None means the row itself is broken (ragged), not one value.
BAD_ROWS: dict[int, tuple[str, str | None]] = {
    77: ("arrest time typed as 14:32 where the system writes 1432", "/custody/arrested_at"),
    137: ("impossible date of birth 31/02/1990", "/person/date_of_birth"),
    512: ("unknown sex code Q", "/person/sex"),
    1024: ("NHS number with a wrong check digit", "/person/nhs_number"),
    1500: ("ragged row: the last three fields are missing", None),
    1777: ("arrest time typed as 14:32 where the system writes 1432", "/custody/arrested_at"),
}

SURNAMES = (
    "SMITH", "JONES", "WILLIAMS", "TAYLOR", "BROWN", "DAVIES", "EVANS", "WILSON", "THOMAS", "JOHNSON",
    "ROBERTS", "ROBINSON", "WRIGHT", "WALKER", "HUGHES", "GREEN", "O'BRIEN", "MCDONALD", "MACDONALD",
    "D'SOUZA", "HUGHES-PRICE", "NÚÑEZ", "BRONTË", "KOWALSKI", "AHMED", "KHAN", "PATEL", "NGUYEN",
    "OKAFOR", "DE LA CRUZ", "FFRENCH", "LLEWELYN", "O'Brien", "McDonald", "Doyle", "Ó Súilleabháin",
)
FORENAMES = (
    "John", "John Paul", "David", "Michael", "James", "Daniel", "Thomas", "Mohammed", "Wei", "Olumide",
    "Dafydd", "Seán", "José", "Piotr", "Sarah", "Emma", "Siân", "Zoë", "Chloë", "Renée", "Aoife",
    "Rhiannon", "Mary-Jane", "Priya", "Agnieszka", "Fatima", "Jessica", "Lauren", "Nia", "Amélie",
)
OUTWARD_CODES = ("LS1", "LS6", "LS11", "BD7", "BD3", "HX1", "WF1", "HD1", "S1", "S10", "M14", "M1", "SK4", "YO1")
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
OFFENCE_CODES = ("105/1", "8/1", "92A/1", "28/3", "30/1", "49/1", "58/1", "66/6", "8/20", "105A/1", "149/1")
IC_CODES = ("IC1",) * 10 + ("IC2", "IC3", "IC3", "IC3", "IC4", "IC4", "IC4", "IC5", "IC6", "IC9", "")
PNC_CHECK = "ZABCDEFGHJKLMNPQRTUVWXY"
EXTRACT_DT = "03/06/2024 06:15:00"


def nhs_check_digit(first_nine: str) -> int | None:
    """Modulus-11 check digit of an NHS number; None when no valid number has this stem."""
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1)))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def make_nhs_number(rng: random.Random) -> str:
    while True:
        stem = "".join(rng.choice("0123456789") for _ in range(9))
        check = nhs_check_digit(stem)
        if check is not None and stem[0] != "0":
            return stem + str(check)


def make_nhs_field(rng: random.Random) -> str:
    """Blank for 30% of people; otherwise digits, half of them spaced 3-3-4 as health systems show them."""
    if rng.random() >= 0.7:
        return ""
    number = make_nhs_number(rng)
    return f"{number[:3]} {number[3:6]} {number[6:]}" if rng.random() < 0.5 else number


def make_pnc_id(rng: random.Random, arrest_year: int) -> str:
    year = rng.randint(1990, arrest_year)
    serial = rng.randint(1, 999999)
    letter = PNC_CHECK[int(f"{year % 100:02d}{serial:07d}") % 23]
    if rng.random() < 0.5:
        return f"{year}/{serial:07d}{letter}"
    return f"{year % 100:02d}/{serial}{letter}"


def make_postcode(rng: random.Random) -> str:
    code = f"{rng.choice(OUTWARD_CODES)} {rng.randint(0, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
    mess = rng.random()
    if mess < 0.10:
        return code.lower()
    if mess < 0.20:
        return code.replace(" ", "")
    if mess < 0.25:
        return code.replace(" ", "  ")
    if mess < 0.30:
        return ""
    return code


def _last_sunday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def make_arrest(rng: random.Random) -> datetime:
    start = datetime(2023, 1, 1)
    moment = start + timedelta(minutes=rng.randint(0, 520 * 24 * 60))
    # 01:00-01:59 on the day clocks go forward never happened in UK local time.
    if moment.hour == 1 and moment.date() == _last_sunday(moment.year, 3):
        moment += timedelta(hours=2)
    return moment


def make_row(rng: random.Random, index: int) -> list[str]:
    arrested = make_arrest(rng)
    dob = date(1950, 1, 1) + timedelta(days=rng.randint(0, 57 * 365))
    sex = rng.choices(("M", "F", "U", "m", "f"), weights=(58, 33, 5, 2, 2))[0]
    time_text = arrested.strftime("%H%M")
    if time_text.startswith("0") and rng.random() < 0.5:
        # A spreadsheet step upstream read the time as a number: 0932 -> 932, 0045 -> 45.
        time_text = str(int(time_text))
    return [
        f"CU/{arrested.year}/{index + 1:06d}",
        rng.choice(SURNAMES),
        rng.choice(FORENAMES),
        dob.strftime("%d/%m/%Y"),
        sex,
        rng.choice(IC_CODES),
        make_postcode(rng),
        arrested.strftime("%d/%m/%Y"),
        time_text,
        rng.choice(OFFENCE_CODES),
        str(rng.randint(100, 9999)),
        make_pnc_id(rng, arrested.year) if rng.random() < 0.6 else "",
        make_nhs_field(rng),
        str(rng.randint(1, 12)),
        EXTRACT_DT,
    ]


def break_row(row: list[str], index: int) -> list[str]:
    """Apply the deliberate fault planned for ``index`` (see BAD_ROWS)."""
    if index in (77, 1777):
        row[8] = f"{row[8].zfill(4)[:2]}:{row[8].zfill(4)[2:]}"
    elif index == 137:
        row[3] = "31/02/1990"
    elif index == 512:
        row[4] = "Q"
    elif index == 1024:
        digits = (row[12] or "9434765919").replace(" ", "")
        row[12] = digits[:9] + str((int(digits[9]) + 1) % 10)
    elif index == 1500:
        row = row[:-3]
    return row


def render(rows: int = ROW_COUNT, seed: int = SEED) -> bytes:
    """The whole export file as cp1252 bytes."""
    rng = random.Random(seed)
    buffer = io.StringIO(newline="")
    for title in TITLE_LINES:
        buffer.write(title + "\r\n")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(HEADER)
    for index in range(rows):
        row = make_row(rng, index)
        writer.writerow(break_row(row, index) if index in BAD_ROWS else row)
    return buffer.getvalue().encode(ENCODING)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--rows", type=int, default=ROW_COUNT)
    args = parser.parse_args()
    args.out.write_bytes(render(args.rows))
    print(f"wrote {args.rows} rows to {args.out}")


if __name__ == "__main__":
    main()
