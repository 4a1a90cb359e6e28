"""Generated data for the proposer tests: a messy custody export and a small target schema.

Column names are deliberately unlike the schema's property names, and the values carry
the usual mess (lower-case postcodes without spaces, spaced NHS numbers, Y/N flags).
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import Any

SURNAMES = ["SMITH", "JONES", "WILLIAMS", "TAYLOR", "BROWN", "DAVIES", "EVANS", "WILSON", "THOMAS", "JOHNSON",
            "ROBERTS", "ROBINSON", "THOMPSON", "WRIGHT", "WALKER", "WHITE", "EDWARDS", "HUGHES", "GREEN", "HALL"]
FORENAMES = ["John", "David", "Michael", "Sarah", "Emma", "James", "Robert", "Laura", "Daniel", "Sophie",
             "Thomas", "Rachel", "Paul", "Helen", "Mark", "Claire", "Peter", "Karen", "Andrew", "Lucy"]
POSTCODES = ["M1 1AE", "SW1A 1AA", "B33 8TH", "CR2 6XH", "DN55 1PT", "LS1 4AP", "NE1 7RU", "CF10 1EP", "BS1 5TR", "L1 8JQ"]
VRMS = ["AB12 CDE", "XY65 ZTR", "LM19 ABC", "KP70 WQE", "GH21 JKL"]


def nhs_number(rng: random.Random) -> str:
    """A random NHS number with a valid modulus-11 check digit, written 3-3-4."""
    while True:
        digits = [rng.randint(0, 9) for _ in range(9)]
        check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1))) % 11
        if check == 11:
            check = 0
        if check != 10:
            text = "".join(map(str, digits)) + str(check)
            return f"{text[:3]} {text[3:6]} {text[6:]}"


def custody_rows(n: int = 120, seed: int = 7) -> list[dict[str, str]]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        day, month = rng.randint(1, 28), rng.randint(1, 12)
        sex = rng.choice(["M", "F", "M", "F", "U"])
        postcode = rng.choice(POSTCODES)
        postcode = rng.choice([postcode, postcode.lower(), postcode.replace(" ", "")])
        rows.append({
            "CUST_NO": f"CU/2023/{i + 1:06d}",
            "SNAME": rng.choice(SURNAMES),
            "FNAMES": rng.choice(FORENAMES),
            "D.O.B": f"{day:02d}/{month:02d}/{rng.randint(1950, 2005)}",
            "SEX": sex,
            "ETH_CODE": f"IC{rng.randint(1, 6)}",
            "HOME_PCODE": postcode,
            "NHS_NO": nhs_number(rng),
            "ARREST DATE": f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2023",
            "ARREST TIME": f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
            "OIC_COLLAR": str(rng.randint(1000, 9999)),
            "VEH_REG": rng.choice(VRMS),
            "INTOX_YN": rng.choice(["Y", "N", "N"]),
            "ROWVER": str(1000 + i * 3),
            "LAST_UPDATED_BY": rng.choice(["jbloggs", "asmith", "sys_batch"]),
            "EXTRACT_DT": "01/02/2024",
        })
    # one row whose day is above 12 settles the date order of D.O.B for certain
    rows[0]["D.O.B"] = "23/04/1981"
    rows[1]["ARREST DATE"] = "19/11/2023"
    return rows


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def custody_schema() -> dict[str, Any]:
    """A small custody standard, written independently of the export's column names."""
    text = {"type": "string", "minLength": 1}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {
            "custody_number": {**text, "title": "Custody record number", "description": "The custody record reference."},
            "detainee": {
                "type": "object",
                "description": "The person detained.",
                "properties": {
                    "family_name": {**text, "description": "Surname of the detainee."},
                    "given_name": {**text, "description": "Forenames of the detainee."},
                    "birth_date": {"type": "string", "format": "date", "description": "Date of birth."},
                    "gender": {"type": "string", "enum": ["male", "female", "unknown"]},
                    "ic_code": {"type": "string", "pattern": "^IC[0-9]$", "description": "Officer-observed ethnicity code."},
                    "home_postcode": {"type": "string", "pattern": "^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2}$"},
                    "nhs_number": {"type": "string", "pattern": "^[0-9]{10}$"},
                },
                "required": ["family_name"],
            },
            "arrest": {
                "type": "object",
                "properties": {
                    "arrested_at": {"type": "string", "format": "date-time", "title": "Date and time of arrest"},
                    "officer_collar": {"type": "string", "pattern": "^[0-9]{3,6}$", "title": "Arresting officer collar number"},
                    "intoxicated": {"type": "boolean", "description": "Whether the detainee was intoxicated."},
                },
            },
            "vehicle": {
                "type": "object",
                "properties": {"registration": {"type": "string", "pattern": "^[A-Z0-9]{2,7}$", "title": "Vehicle registration mark"}},
            },
        },
    }


def write_schema(path: Path, schema: dict[str, Any]) -> Path:
    path.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    return path


def leaf_schema(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    """A draft 2020-12 schema of one object with the given (possibly nested) properties."""
    schema: dict[str, Any] = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def columns_to_rows(columns: dict[str, list[str]]) -> list[dict[str, str]]:
    length = len(next(iter(columns.values())))
    return [{name: values[i] for name, values in columns.items()} for i in range(length)]


def run_proposer(tmp_path: Path, columns: dict[str, list[str]], schema: dict[str, Any], **kwargs: Any) -> Any:
    """Write the columns as a CSV and the schema as a file, then read -> profile -> propose.

    Returns (proposal, sample rows, loaded schema).
    """
    from tools.profile import profile_source
    from tools.propose import propose
    from tools.readers import open_source
    from tools.target_schema import load_target_schema

    source = write_csv(tmp_path / "source.csv", columns_to_rows(columns))
    loaded = load_target_schema(write_schema(tmp_path / "target.schema.json", schema))
    with open_source(source) as reader:
        profile = profile_source(reader)
        rows = [row.values for row in reader.rows() if row.error is None]
    return propose(profile, rows, loaded, **kwargs), rows, loaded
