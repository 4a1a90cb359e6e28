"""Stop and search: a tab-separated force export with a date column, an HHMM time column and Y/N flags."""

from __future__ import annotations

import datetime as dt

from evals.case_builders import common as c
from evals.case_builders import schema_kit as s
from evals.case_builders.fakes import SELF_DEFINED, Fakes, grid_to_latlon, london_rfc3339
from evals.case_builders.model import CaseSpec, SourceLayout
from evals.case_builders.render import hhmm, messy_vrm

POWERS = [("Misuse of Drugs Act 1971 (section 23)", "Controlled drugs"),
          ("Police and Criminal Evidence Act 1984 (section 1)", "Offensive weapons"),
          ("Police and Criminal Evidence Act 1984 (section 1)", "Stolen goods"),
          ("Police and Criminal Evidence Act 1984 (section 1)", "Article for use in theft"),
          ("Criminal Justice and Public Order Act 1994 (section 60)", "Offensive weapons"),
          ("Firearms Act 1968 (section 47)", "Firearms")]
OUTCOMES = ["A no further action disposal"] * 6 + ["Arrest", "Arrest", "Community resolution", "Khat or Cannabis warning",
                                                  "Penalty Notice for Disorder", "Summons / charged by post"]
AGE_RANGES = ["under 10", "10-17", "18-24", "25-34", "over 34"]
ODE = {"IC1": "White", "IC2": "White", "IC3": "Black", "IC4": "Asian", "IC5": "Asian", "IC6": "Other"}


def stop_search_tsv() -> CaseSpec:
    seed = 301
    f = Fakes(seed)
    columns = ["Search Ref", "Search Date", "Search Time", "Search Type", "Gender", "Age Range", "Self Defined Ethnicity",
               "Officer Defined Ethnicity", "Legislation", "Object Of Search", "Outcome", "Outcome Linked",
               "Clothing Removed", "VRM", "Lat", "Long", "Officer", "SYS_ID", "EXTRACT_DT"]
    types = {"Person search": "person", "Vehicle search": "vehicle", "Person and Vehicle search": "person_and_vehicle"}
    genders = {"Male": "male", "Female": "female", "Other": "other", "Not Stated": "unknown"}
    rows, expected = [], []
    for i in range(140):
        when = f.local_datetime(dt.date(2023, 1, 1), dt.date(2023, 12, 31))
        kind = f.pick(["Person search"] * 7 + ["Vehicle search", "Person and Vehicle search", "Person and Vehicle search"])
        person = kind != "Vehicle search"
        gender = f.pick(["Male"] * 8 + ["Female", "Other", "Not Stated"]) if person else ""
        age = f.pick(AGE_RANGES[1:] * 3 + AGE_RANGES[:1]) if person and f.chance(0.9) else ""
        sde = f.pick(SELF_DEFINED) if person and f.chance(0.8) else ""
        ode = ODE[f.pick(list(ODE))] if person and f.chance(0.9) else ""  # type: ignore[index]
        law, obj = f.pick(POWERS)  # type: ignore[misc]
        outcome = f.pick(OUTCOMES)
        linked = None if outcome == "A no further action disposal" else f.chance(0.7)
        clothing = f.chance(0.05)
        vrm = f.vrm() if kind != "Person search" else None
        lat, lon = grid_to_latlon(*f.grid_point())
        located = f.chance(0.93)
        ref = f"SS-2023-{1000 + i * 3:05d}"
        rows.append({
            "Search Ref": ref, "Search Date": when.date().isoformat(), "Search Time": hhmm(when, colon=False, drop_zeros=True),
            "Search Type": kind, "Gender": gender, "Age Range": age, "Self Defined Ethnicity": sde,
            "Officer Defined Ethnicity": ode, "Legislation": law, "Object Of Search": obj, "Outcome": outcome,
            "Outcome Linked": "" if linked is None else ("Y" if linked else "N"), "Clothing Removed": "Y" if clothing else "N",
            "VRM": messy_vrm(f.rng, vrm) if vrm else "", "Lat": f"{lat:.6f}" if located else "",
            "Long": f"{lon:.6f}" if located else "", "Officer": f.collar(),
            "SYS_ID": "%08x-%04x-4%03x" % (f.rng.getrandbits(32), f.rng.getrandbits(16), f.rng.getrandbits(12)),
            "EXTRACT_DT": "2024-01-05",
        })
        expected.append(c.build({
            "searchReference": ref, "searchDateTime": london_rfc3339(when), "searchType": types[kind],
            "subjectGender": genders[gender] if gender else None, "subjectAgeRange": age or None,
            "subjectSelfDefinedEthnicity": sde or None, "officerDefinedEthnicity": ode or None, "legislation": law,
            "objectOfSearch": obj, "outcome": outcome, "outcomeLinkedToObject": linked,
            "moreThanOuterClothingRemoved": clothing, "vehicleRegistration": vrm.replace(" ", "") if vrm else None,
            "latitude": lat if located else None, "longitude": lon if located else None,
            "officerCollarNumber": rows[-1]["Officer"],
        }))
    schema = s.record("stop_search_flat", "Stop and search", "One stop and search encounter, in a flat record.", {
        "searchReference": s.text("Search reference", "Force reference for the search record."),
        "searchDateTime": s.date_time("Date and time of search", "When the search started."),
        "searchType": s.text("Search type", "What was searched.", enum=["person", "vehicle", "person_and_vehicle"]),
        "subjectGender": s.text("Gender", "Gender of the person searched.", enum=["male", "female", "other", "unknown"]),
        "subjectAgeRange": s.text("Age range", "Age band of the person searched.", enum=AGE_RANGES),
        "subjectSelfDefinedEthnicity": s.text("Self-defined ethnicity", "Ethnicity as stated by the person searched."),
        "officerDefinedEthnicity": s.text("Officer-defined ethnicity", "Ethnicity as perceived by the officer.", enum=["White", "Black", "Asian", "Mixed", "Other"]),
        "legislation": s.text("Legislation", "Power used for the search."),
        "objectOfSearch": s.text("Object of search", "What the officer was looking for."),
        "outcome": s.text("Outcome", "Result of the search."),
        "outcomeLinkedToObject": s.boolean("Outcome linked to object of search", "True when the outcome relates to what was searched for."),
        "moreThanOuterClothingRemoved": s.boolean("More than outer clothing removed", "Whether the search went beyond outer clothing."),
        "vehicleRegistration": s.text("Vehicle registration", "VRM of the vehicle searched, upper case without spaces.", pattern=s.VRM_COMPACT),
        "latitude": s.number("Latitude", "WGS84 latitude of the search."),
        "longitude": s.number("Longitude", "WGS84 longitude of the search."),
        "officerCollarNumber": s.text("Officer collar number", "Collar number of the searching officer.", pattern=r"^[0-9]{3,6}$"),
        "policingOperation": s.text("Policing operation", "Name of the operation the search was part of."),
    }, required=["searchReference", "searchDateTime"])
    fields = [
        c.tf("/searchReference", "Search Ref", c.text()),
        c.tf("/searchDateTime", ["Search Date", "Search Time"], c.combine("%Y-%m-%d", "%H%M"), "ISO date plus HHMM time (leading zeros dropped)."),
        c.tf("/searchType", "Search Type", c.vmap(types)),
        c.tf("/subjectGender", "Gender", c.vmap(genders)),
        c.tf("/subjectAgeRange", "Age Range", c.vmap({a: a for a in AGE_RANGES})),
        c.tf("/subjectSelfDefinedEthnicity", "Self Defined Ethnicity", c.text()),
        c.tf("/officerDefinedEthnicity", "Officer Defined Ethnicity", c.vmap({w: w for w in ["White", "Black", "Asian", "Mixed", "Other"]})),
        c.tf("/legislation", "Legislation", c.text()),
        c.tf("/objectOfSearch", "Object Of Search", c.text()),
        c.tf("/outcome", "Outcome", c.text()),
        c.tf("/outcomeLinkedToObject", "Outcome Linked", c.boolean(["Y"], ["N"])),
        c.tf("/moreThanOuterClothingRemoved", "Clothing Removed", c.boolean(["Y"], ["N"])),
        c.tf("/vehicleRegistration", "VRM", c.vrm(space=False)),
        c.tf("/latitude", "Lat", c.number()),
        c.tf("/longitude", "Long", c.number()),
        c.tf("/officerCollarNumber", "Officer", c.text()),
    ]
    return CaseSpec(
        name="stop_search_tsv", split="cases", kind="stop and search", seed=seed,
        mess=["tab-separated", "ISO date and HHMM time in separate columns, leading zeros dropped ('932')",
              "search type and gender words onto enum codes", "Y/N flags", "VRMs with and without spaces, some lower case",
              "noise SYS_ID (GUID) and EXTRACT_DT"],
        summary="A force's stop and search export, one row per search.",
        layout=SourceLayout("csv", delimiter="\t"), columns=columns, rows=rows, schema=schema, fields=fields,
        unmapped=["SYS_ID", "EXTRACT_DT"], expected=expected,
    )


def cases() -> list[CaseSpec]:
    return [stop_search_tsv()]
