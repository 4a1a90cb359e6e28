"""Recorded crime: a UTF-8-with-BOM crime extract with Oracle dates, BNG grid references and police.uk categories."""

from __future__ import annotations

import datetime as dt

from evals.case_builders import common as c
from evals.case_builders import schema_kit as s
from evals.case_builders.fakes import HO_OFFENCES, Fakes, grid_to_latlon, is_plain_local, london_rfc3339
from evals.case_builders.model import CaseSpec, SourceLayout
from evals.case_builders.render import forename_first, oracle_date

POLICE_UK = {
    "violent-crime": "Violence and sexual offences", "burglary": "Burglary", "vehicle-crime": "Vehicle crime",
    "shoplifting": "Shoplifting", "other-theft": "Other theft", "criminal-damage-arson": "Criminal damage and arson",
    "drugs": "Drugs", "robbery": "Robbery", "public-order": "Public order", "possession-of-weapons": "Possession of weapons",
}
CATEGORY_OF_CODE = {"105/1": "violent-crime", "8/1": "violent-crime", "28/3": "burglary", "30/1": "burglary",
                    "45/11": "vehicle-crime", "46/1": "shoplifting", "49/1": "other-theft", "58A/1": "criminal-damage-arson",
                    "92A/1": "drugs", "34/1": "robbery", "66/6": "public-order", "105/2": "violent-crime",
                    "8/10": "possession-of-weapons"}
ALL_SLUGS = ["anti-social-behaviour", "bicycle-theft", "burglary", "criminal-damage-arson", "drugs", "other-theft",
             "possession-of-weapons", "public-order", "robbery", "shoplifting", "theft-from-the-person",
             "vehicle-crime", "violent-crime", "other-crime"]
BAD_COMMITTED = {23: "2023-03-26 01:30", 97: "2023-02-30 10:00"}  # clocks went forward; no 30 February


def crime_bom() -> CaseSpec:
    seed = 201
    f = Fakes(seed)
    columns = ["Crime Reference", "Date Reported", "Committed From", "Committed To", "HO Code", "Offence",
               "Crime Category", "Easting", "Northing", "Beat", "Victim Name", "Victim Age", "Status",
               "RECORD_ID", "LAST_UPDATED_BY", "ROWVER"]
    rows, expected = [], []
    for i in range(150):
        code, offence = f.pick(HO_OFFENCES)  # type: ignore[misc]
        slug = CATEGORY_OF_CODE[code]
        start = f.local_datetime(dt.date(2023, 1, 1), dt.date(2023, 11, 30))
        end = start + dt.timedelta(minutes=f.rng.randint(10, 600)) if f.chance(0.6) else None
        if end is not None and not is_plain_local(end):
            end = None
        reported = (end or start).date() + dt.timedelta(days=f.rng.choice([0, 0, 0, 1, 1, 2, 5, 12]))
        easting, northing = f.grid_point()
        lat, lon = grid_to_latlon(easting, northing)
        has_victim = slug not in ("shoplifting", "drugs", "possession-of-weapons") and f.chance(0.9)
        victim = f.person(awkward=0.2, born=(1940, 2006)) if has_victim else None
        age = (reported - victim.dob).days // 365 if victim and f.chance(0.85) else None
        status = f.pick(["OPEN", "OPEN", "CLOSED"])
        ref = f"13/{40000 + i * 37}/23"
        committed = BAD_COMMITTED.get(i, start.strftime("%Y-%m-%d %H:%M"))
        rows.append({
            "Crime Reference": ref, "Date Reported": oracle_date(reported), "Committed From": committed,
            "Committed To": end.strftime("%Y-%m-%d %H:%M") if end else "", "HO Code": code, "Offence": offence,
            "Crime Category": POLICE_UK[slug], "Easting": str(easting), "Northing": str(northing),
            "Beat": f.pick(["LS6A", "LS6B", "M14C", "BD7A", "S1D", "B15F"]),
            "Victim Name": forename_first(victim) if victim else "", "Victim Age": str(age) if age is not None else "",
            "Status": status, "RECORD_ID": str(884000 + i * 3), "LAST_UPDATED_BY": f.pick(["CRIME_BATCH", "lmoss", "ATHENA"]),
            "ROWVER": str(f.rng.randint(1, 30)),
        })
        expected.append(c.build({
            "/crime/reference": ref, "/crime/reportedDate": reported.isoformat(),
            "/crime/committedFrom": None if i in BAD_COMMITTED else london_rfc3339(start),
            "/crime/committedTo": london_rfc3339(end) if end else None, "/crime/status": status.lower(),
            "/offence/homeOfficeCode": code, "/offence/description": offence, "/offence/category": slug,
            "/location/latitude": lat, "/location/longitude": lon,
            "/victim/firstName": victim.given if victim else None, "/victim/lastName": victim.family.upper() if victim else None,
            "/victim/age": age,
        }))
    schema = s.record("crime_record", "Crime record", "A recorded crime with its offence, place and victim.", {
        "crime": s.obj("Crime", "The crime report.", {
            "reference": s.text("Crime reference", "Force crime reference number."),
            "reportedDate": s.date("Date reported", "Date the crime was reported to police."),
            "committedFrom": s.date_time("Committed from", "Earliest time the offence may have been committed."),
            "committedTo": s.date_time("Committed to", "Latest time the offence may have been committed."),
            "status": s.text("Status", "Whether the investigation is open or closed.", enum=["open", "closed"]),
        }, required=["reference"]),
        "offence": s.obj("Offence", "What was done.", {
            "homeOfficeCode": s.text("Home Office offence code", "Home Office counting rules classification, class/subclass.", pattern=s.HO_OFFENCE),
            "description": s.text("Offence description", "Offence wording."),
            "category": s.text("Crime category", "data.police.uk crime category slug.", enum=ALL_SLUGS),
        }),
        "location": s.obj("Location", "Where the crime happened (WGS84).", {
            "latitude": s.number("Latitude", "WGS84 latitude in decimal degrees.", minimum=-90, maximum=90),
            "longitude": s.number("Longitude", "WGS84 longitude in decimal degrees.", minimum=-180, maximum=180),
            "lsoaCode": s.text("LSOA code", "Lower layer super output area.", pattern=s.LSOA),
            "postcode": s.text("Postcode", "Nearest postcode.", pattern=s.POSTCODE_SPACED),
        }),
        "victim": s.obj("Victim", "The named victim, if any.", {
            "firstName": s.text("First name", "Victim's first name(s)."),
            "lastName": s.text("Last name", "Victim's last name."),
            "age": s.integer("Age", "Victim's age in years when the crime was reported.", minimum=0, maximum=120),
            "dateOfBirth": s.date("Date of birth", "Victim's date of birth."),
        }),
    }, required=["crime"])
    category_map = {words: slug for slug, words in POLICE_UK.items()}
    fields = [
        c.tf("/crime/reference", "Crime Reference", c.text()),
        c.tf("/crime/reportedDate", "Date Reported", c.date("%d-%b-%y"), "Oracle dd-MON-yy."),
        c.tf("/crime/committedFrom", "Committed From", c.date_time("%Y-%m-%d %H:%M")),
        c.tf("/crime/committedTo", "Committed To", c.date_time("%Y-%m-%d %H:%M")),
        c.tf("/crime/status", "Status", c.vmap({"OPEN": "open", "CLOSED": "closed"})),
        c.tf("/offence/homeOfficeCode", "HO Code", c.text()),
        c.tf("/offence/description", "Offence", c.text()),
        c.tf("/offence/category", "Crime Category", c.vmap(category_map), "police.uk category names onto their slugs."),
        c.tf("/location/latitude", ["Easting", "Northing"], c.bng("latitude"), "British National Grid to WGS84."),
        c.tf("/location/longitude", ["Easting", "Northing"], c.bng("longitude"), "British National Grid to WGS84."),
        c.tf("/victim/firstName", "Victim Name", c.split("forename_first", "given")),
        c.tf("/victim/lastName", "Victim Name", c.split("forename_first", "family")),
        c.tf("/victim/age", "Victim Age", c.integer()),
    ]
    return CaseSpec(
        name="crime_records_bom", split="cases", kind="crime", seed=seed,
        mess=["UTF-8 with BOM", "Oracle dd-MON-yy report dates", "naive yyyy-mm-dd HH:MM date-times in GMT and BST",
              "BNG easting/northing needing latitude/longitude", "police.uk category words onto slugs",
              "forename-first victim name 'Sarah WOOD'", "noise RECORD_ID, LAST_UPDATED_BY, ROWVER",
              "one local time in the spring-forward gap and one 30 February (quarantined)"],
        summary="A crime recording system's extract, one row per crime, written by a Windows tool with a byte-order mark.",
        layout=SourceLayout("csv", encoding="utf-8-sig"), columns=columns, rows=rows, schema=schema, fields=fields,
        unmapped=["Beat", "RECORD_ID", "LAST_UPDATED_BY", "ROWVER"], expected=expected,
        unmapped_reasons={"Beat": "the target has no beat or sector field", "RECORD_ID": "internal row id of the source system"},
    )


def cases() -> list[CaseSpec]:
    return [crime_bom()]
