"""Vehicle seizures with Excel serial dates in a CSV, and missing person reports from a US-dated vendor system."""

from __future__ import annotations

import datetime as dt

from evals.case_builders import common as c
from evals.case_builders import schema_kit as s
from evals.case_builders.fakes import Fakes, excel_serial, is_plain_local, london_rfc3339
from evals.case_builders.model import CaseSpec, SourceLayout
from evals.case_builders.render import forename_first, hhmm, messy_postcode, messy_vrm, national_phone, us_date

MODELS = {"FORD": ["FIESTA", "FOCUS", "TRANSIT"], "VAUXHALL": ["CORSA", "ASTRA"], "BMW": ["320D", "X5"],
          "AUDI": ["A3", "Q5"], "VOLKSWAGEN": ["GOLF", "POLO"], "TOYOTA": ["YARIS", "PRIUS"], "NISSAN": ["QASHQAI", "MICRA"]}
REASONS = ["No insurance (s165A RTA 1988)", "No driving licence (s165A RTA 1988)", "Anti-social use (s59 PRA 2002)",
           "Abandoned vehicle", "Evidence"]


def seizures_serials() -> CaseSpec:
    seed = 901
    f = Fakes(seed)
    columns = ["Seizure Ref", "Seized", "VRM", "Make", "Model", "Colour", "Keeper", "Keeper Postcode", "Seizure Reason",
               "Released", "Release Date", "Storage Fee", "ROWVER", "EXTRACT_DT", "SYS_GUID"]
    rows, expected = [], []
    for i in range(130):
        seized = f.local_datetime(dt.date(2023, 1, 1), dt.date(2023, 12, 31))
        released = f.chance(0.6)
        release_day = seized.date() + dt.timedelta(days=f.rng.randint(1, 28)) if released else None
        make = f.pick(sorted(MODELS))
        keeper = f.person(awkward=0.15, middle=0.1, born=(1950, 2004)) if f.chance(0.85) else None
        pc = f.postcode() if keeper else None
        vrm = f.vrm()
        fee = round(150 + 20 * f.rng.randint(0, 14), 2) if released else None
        ref = f"VS{23000 + i * 5}"
        rows.append({
            "Seizure Ref": ref, "Seized": repr(excel_serial(seized)), "VRM": messy_vrm(f.rng, vrm), "Make": make,
            "Model": f.pick(MODELS[make]), "Colour": f.pick(["BLACK", "SILVER", "WHITE", "BLUE", "RED"]),  # type: ignore[index]
            "Keeper": f"{keeper.given} {keeper.family}" if keeper else "", "Keeper Postcode": messy_postcode(f.rng, pc) if pc else "",
            "Seizure Reason": f.pick(REASONS), "Released": "Y" if released else "N",
            "Release Date": str(excel_serial(release_day)) if release_day else "", "Storage Fee": f"{fee:.2f}" if fee else "",
            "ROWVER": str(f.rng.randint(1, 20)), "EXTRACT_DT": "45352",
            "SYS_GUID": "{%08X-%04X-%04X}" % (f.rng.getrandbits(32), f.rng.getrandbits(16), f.rng.getrandbits(16)),
        })
        expected.append(c.build({
            "/seizure/reference": ref, "/seizure/seized_at": london_rfc3339(seized), "/seizure/reason": rows[-1]["Seizure Reason"],
            "/seizure/released": released, "/seizure/released_on": release_day.isoformat() if release_day else None,
            "/seizure/storage_fee_gbp": fee, "/vehicle/vrm": vrm.replace(" ", ""), "/vehicle/make": make,
            "/vehicle/model": rows[-1]["Model"], "/vehicle/colour": rows[-1]["Colour"],
            "/keeper/family_name": keeper.family if keeper else None, "/keeper/given_names": keeper.given if keeper else None,
            "/keeper/postcode": pc,
        }))
    schema = s.record("vehicle_seizure", "Vehicle seizure", "A vehicle seized by police and its release.", {
        "seizure": s.obj("Seizure", "The seizure.", {
            "reference": s.text("Seizure reference", "Pound reference."),
            "seized_at": s.date_time("Seized at", "When the vehicle was seized."),
            "reason": s.text("Reason", "Power or reason for the seizure."),
            "officer": s.text("Seizing officer", "Collar number of the seizing officer."),
            "released": s.boolean("Released", "Whether the vehicle has been released."),
            "released_on": s.date("Released on", "Date of release from the pound."),
            "storage_fee_gbp": s.number("Storage fee", "Fee paid on release, pounds sterling.", minimum=0),
        }, required=["reference"]),
        "vehicle": s.obj("Vehicle", "The vehicle.", {
            "vrm": s.text("VRM", "Registration mark, no spaces.", pattern=s.VRM_COMPACT),
            "make": s.text("Make", "Manufacturer."),
            "model": s.text("Model", "Model."),
            "colour": s.text("Colour", "Colour."),
            "vin": s.text("VIN", "Vehicle identification number.", pattern=r"^[A-HJ-NPR-Z0-9]{17}$"),
        }),
        "keeper": s.obj("Registered keeper", "The keeper per DVLA.", {
            "family_name": s.text("Family name", "Keeper's surname."),
            "given_names": s.text("Given names", "Keeper's forenames."),
            "postcode": s.text("Postcode", "Keeper's postcode.", pattern=s.POSTCODE_SPACED),
        }),
    }, required=["seizure"])
    fields = [
        c.tf("/seizure/reference", "Seizure Ref", c.text()),
        c.tf("/seizure/seized_at", "Seized", c.excel("datetime"), "Excel serial day numbers with a time fraction."),
        c.tf("/seizure/reason", "Seizure Reason", c.text()),
        c.tf("/seizure/released", "Released", c.boolean(["Y"], ["N"])),
        c.tf("/seizure/released_on", "Release Date", c.excel("date")),
        c.tf("/seizure/storage_fee_gbp", "Storage Fee", c.number()),
        c.tf("/vehicle/vrm", "VRM", c.vrm(space=False)),
        c.tf("/vehicle/make", "Make", c.text()),
        c.tf("/vehicle/model", "Model", c.text()),
        c.tf("/vehicle/colour", "Colour", c.text()),
        c.tf("/keeper/family_name", "Keeper", c.split("forename_first", "family")),
        c.tf("/keeper/given_names", "Keeper", c.split("forename_first", "given")),
        c.tf("/keeper/postcode", "Keeper Postcode", c.postcode()),
    ]
    return CaseSpec(
        name="vehicle_seizures_serials", split="cases", kind="vehicle seizures", seed=seed,
        mess=["Excel serial date-times (45012.604166) and dates (45020) as text in a CSV",
              "mixed-case forename-first keeper name 'John Smith'", "VRMs with and without spaces, lower case",
              "messy postcodes", "Y/N flag", "noise ROWVER, EXTRACT_DT (itself a serial), SYS_GUID"],
        summary="A vehicle recovery pound's seizure log, exported from a spreadsheet-based system.",
        layout=SourceLayout("csv"), columns=columns, rows=rows, schema=schema, fields=fields,
        unmapped=["ROWVER", "EXTRACT_DT", "SYS_GUID"], expected=expected,
    )


RISK = {"High": "high", "Medium": "medium", "Low": "low"}
GENDER = {"Male": "M", "Female": "F", "Unknown": "U"}


def missing_us_dates() -> CaseSpec:
    seed = 902
    f = Fakes(seed)
    columns = ["Report Number", "Full Name", "Date of Birth", "Last Seen Date", "Last Seen Time", "Risk Level",
               "Height (cm)", "Gender", "Home Postcode", "Contact Number", "NHS No", "Found", "Found Date",
               "Record Version", "Modified Date"]
    rows, expected = [], []
    for i in range(120):
        p = f.person(awkward=0.15, middle=0.1, born=(1935, 2012))
        gender = "Unknown" if f.chance(0.03) else ("Male" if p.sex == "M" else "Female")
        seen = f.local_datetime(dt.date(2023, 1, 1), dt.date(2023, 12, 20))
        found = f.chance(0.8)
        found_on = seen.date() + dt.timedelta(days=f.rng.randint(0, 6)) if found else None
        height = f.rng.randint(120, 198) if f.chance(0.9) else None
        phone = f.pick([f.mobile, f.landline])() if f.chance(0.85) else None  # type: ignore[operator]
        nhs = f.nhs_number() if f.chance(0.7) else None
        pc = f.postcode()
        ref = f"MP/{23}/{400 + i * 3:05d}"
        rows.append({
            "Report Number": ref, "Full Name": forename_first(p), "Date of Birth": us_date(p.dob),
            "Last Seen Date": us_date(seen.date(), pad=False), "Last Seen Time": hhmm(seen), "Risk Level": f.pick(list(RISK)),
            "Height (cm)": str(height) if height else "", "Gender": gender, "Home Postcode": messy_postcode(f.rng, pc),
            "Contact Number": national_phone(phone) if phone else "", "NHS No": nhs or "", "Found": "Y" if found else "N",
            "Found Date": us_date(found_on) if found_on else "", "Record Version": str(f.rng.randint(1, 12)),
            "Modified Date": f"2024-01-{f.rng.randint(2, 9):02d} {f.rng.randint(8, 17):02d}:{f.rng.randint(0, 59):02d}:11",
        })
        expected.append(c.build({
            "/report/number": ref, "/report/risk": RISK[rows[-1]["Risk Level"]], "/report/last_seen_at": london_rfc3339(seen),
            "/report/found": found, "/report/found_on": found_on.isoformat() if found_on else None,
            "/person/family_name": p.family.upper(), "/person/given_names": p.given, "/person/date_of_birth": p.dob.isoformat(),
            "/person/sex": GENDER[gender], "/person/height_cm": height, "/person/nhs_number": f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}" if nhs else None,
            "/person/home_postcode": pc, "/person/contact_phone": phone,
        }))
    assert all(is_plain_local(dt.datetime.fromisoformat(r["report"]["last_seen_at"]).replace(tzinfo=None)) for r in expected)
    schema = s.record("missing_person", "Missing person report", "A missing person investigation record.", {
        "report": s.obj("Report", "The missing person report.", {
            "number": s.text("Report number", "Missing person report reference."),
            "risk": s.text("Risk grading", "Assessed risk.", enum=["high", "medium", "low"]),
            "last_seen_at": s.date_time("Last seen", "When the person was last seen."),
            "circumstances": s.text("Circumstances", "Circumstances of going missing."),
            "found": s.boolean("Found", "Whether the person has been traced."),
            "found_on": s.date("Found on", "Date the person was traced."),
        }, required=["number"]),
        "person": s.obj("Missing person", "The person reported missing.", {
            "family_name": s.text("Family name", "Surname."),
            "given_names": s.text("Given names", "Forenames."),
            "date_of_birth": s.date("Date of birth", "Date of birth."),
            "sex": s.text("Sex", "M, F or U.", enum=["M", "F", "U"]),
            "height_cm": s.integer("Height (cm)", "Height in centimetres.", minimum=30, maximum=250),
            "nhs_number": s.text("NHS number", "NHS number, 3-3-4 spaced.", pattern=s.NHS_SPACED),
            "home_postcode": s.text("Home postcode", "Postcode of the home address.", pattern=s.POSTCODE_SPACED),
            "contact_phone": s.text("Contact phone", "Contact number for the family, E.164.", pattern=s.E164),
            "photo_url": s.text("Photo", "Link to a recent photograph.", fmt="uri"),
        }),
    }, required=["report"])
    fields = [
        c.tf("/report/number", "Report Number", c.text()),
        c.tf("/report/risk", "Risk Level", c.vmap(RISK)),
        c.tf("/report/last_seen_at", ["Last Seen Date", "Last Seen Time"], c.combine("%m/%d/%Y", "%H:%M")),
        c.tf("/report/found", "Found", c.boolean(["Y"], ["N"])),
        c.tf("/report/found_on", "Found Date", c.date("%m/%d/%Y")),
        c.tf("/person/family_name", "Full Name", c.split("forename_first", "family")),
        c.tf("/person/given_names", "Full Name", c.split("forename_first", "given")),
        c.tf("/person/date_of_birth", "Date of Birth", c.date("%m/%d/%Y")),
        c.tf("/person/sex", "Gender", c.vmap(GENDER)),
        c.tf("/person/height_cm", "Height (cm)", c.integer()),
        c.tf("/person/nhs_number", "NHS No", c.nhs("spaced")),
        c.tf("/person/home_postcode", "Home Postcode", c.postcode()),
        c.tf("/person/contact_phone", "Contact Number", c.phone()),
    ]
    return CaseSpec(
        name="missing_persons_us_dates", split="cases", kind="missing persons", seed=seed,
        mess=["US mm/dd/yyyy dates from a vendor system (padded and unpadded)", "last-seen date and time in two columns",
              "forename-first full name", "gender words onto M/F/U", "NHS numbers unspaced, target spaced",
              "national phone numbers", "noise Record Version, Modified Date"],
        summary="Missing person reports exported from a case management product built for the US market.",
        layout=SourceLayout("csv"), columns=columns, rows=rows, schema=schema, fields=fields,
        unmapped=["Record Version", "Modified Date"], expected=expected,
    )


def cases() -> list[CaseSpec]:
    return [seizures_serials(), missing_us_dates()]
