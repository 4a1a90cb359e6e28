"""Use of force forms: an officer and a subject with the same name fields, two-digit-year event dates, HH:MM:SS times."""

from __future__ import annotations

import datetime as dt

from evals.case_builders import common as c
from evals.case_builders import schema_kit as s
from evals.case_builders.fakes import Fakes, london_rfc3339
from evals.case_builders.model import CaseSpec, SourceLayout
from evals.case_builders.render import messy_postcode, uk_date

RANKS = {"PC": "constable", "PS": "sergeant", "Insp": "inspector", "DC": "constable", "DS": "sergeant"}
TACTICS = ["Handcuffing - compliant", "Handcuffing - non-compliant", "Unarmed skills - restraint", "Taser - drawn",
           "Taser - red dot", "Irritant spray - used", "Limb restraints", "Baton - drawn"]
PLACES = {"Street/Highway": "street", "Dwelling": "dwelling", "Custody": "custody", "Licensed premises": "licensed_premises",
          "Retail premises": "retail"}


def use_of_force() -> CaseSpec:
    seed = 1101
    f = Fakes(seed)
    columns = ["Incident Date", "Incident Time", "Officer Surname", "Officer Forename", "Officer Collar No", "Officer Rank",
               "Subject Surname", "Subject Forename", "Subject DOB", "Subject Gender", "Subject Age", "Tactic",
               "Subject Injured", "Officer Injured", "Location Type", "Postcode", "FormVersion", "SubmittedBy"]
    rows, expected = [], []
    officers = [(f.person(middle=0.0, born=(1965, 2001)), f.collar(), f.pick(list(RANKS))) for _ in range(25)]
    for i in range(125):
        when = f.local_datetime(dt.date(2023, 1, 1), dt.date(2023, 12, 31))
        officer, collar, rank = f.pick(officers)  # type: ignore[misc]
        subject = f.person(awkward=0.2, middle=0.1, born=(1955, 2009))
        known_dob = f.chance(0.8)
        age = (when.date() - subject.dob).days // 365
        gender = "U" if f.chance(0.03) else subject.sex
        pc = f.postcode() if f.chance(0.85) else None
        subject_hurt, officer_hurt = f.chance(0.12), f.chance(0.08)
        rows.append({
            "Incident Date": f"{when.day:02d}/{when.month:02d}/{when.year % 100:02d}", "Incident Time": when.strftime("%H:%M:%S"),
            "Officer Surname": officer.family, "Officer Forename": officer.given, "Officer Collar No": collar, "Officer Rank": rank,
            "Subject Surname": subject.family, "Subject Forename": subject.given,
            "Subject DOB": uk_date(subject.dob) if known_dob else "", "Subject Gender": gender, "Subject Age": str(age),
            "Tactic": f.pick(TACTICS), "Subject Injured": "Yes" if subject_hurt else "No",
            "Officer Injured": "Yes" if officer_hurt else "No", "Location Type": f.pick(list(PLACES)),
            "Postcode": messy_postcode(f.rng, pc) if pc else "", "FormVersion": "UoF v2.3", "SubmittedBy": f"u{collar}",
        })
        expected.append(c.build({
            "/incident/occurred_at": london_rfc3339(when), "/incident/tactic": rows[-1]["Tactic"],
            "/incident/location_type": PLACES[rows[-1]["Location Type"]], "/incident/postcode": pc,
            "/officer/family_name": officer.family, "/officer/given_name": officer.given, "/officer/collar_number": collar,
            "/officer/rank": RANKS[rank], "/subject/family_name": subject.family, "/subject/given_name": subject.given,
            "/subject/date_of_birth": subject.dob.isoformat() if known_dob else None, "/subject/sex": gender, "/subject/age": age,
            "/injuries/subject_injured": subject_hurt, "/injuries/officer_injured": officer_hurt,
        }))
    schema = s.record("use_of_force", "Use of force report", "An officer's use of force on a subject (Home Office return).", {
        "incident": s.obj("Incident", "The encounter.", {
            "occurred_at": s.date_time("Occurred at", "When force was used."),
            "tactic": s.text("Tactic", "Tactic or equipment used."),
            "location_type": s.text("Location type", "Kind of place.", enum=list(PLACES.values())),
            "postcode": s.text("Postcode", "Postcode of the location.", pattern=s.POSTCODE_SPACED),
        }, required=["occurred_at"]),
        "officer": s.obj("Officer", "The officer who used force.", {
            "family_name": s.text("Family name", "Officer's surname."),
            "given_name": s.text("Given name", "Officer's first name."),
            "collar_number": s.text("Collar number", "Officer's shoulder number.", pattern=r"^[0-9]{3,6}$"),
            "rank": s.text("Rank", "Officer's rank (detectives share their uniformed rank).", enum=["constable", "sergeant", "inspector"]),
            "force_code": s.text("Force code", "Home Office force code."),
        }),
        "subject": s.obj("Subject", "The person force was used on.", {
            "family_name": s.text("Family name", "Subject's surname."),
            "given_name": s.text("Given name", "Subject's first name(s)."),
            "date_of_birth": s.date("Date of birth", "Subject's date of birth."),
            "sex": s.text("Sex", "M, F or U.", enum=["M", "F", "U"]),
            "age": s.integer("Age", "Subject's age in years at the time.", minimum=0, maximum=120),
            "ethnicity": s.text("Perceived ethnicity", "Officer-perceived ethnicity."),
        }),
        "injuries": s.obj("Injuries", "Injuries sustained.", {
            "subject_injured": s.boolean("Subject injured", "Whether the subject was injured."),
            "officer_injured": s.boolean("Officer injured", "Whether the officer was injured."),
        }),
    }, required=["incident"])
    fields = [
        c.tf("/incident/occurred_at", ["Incident Date", "Incident Time"], c.combine("%d/%m/%y", "%H:%M:%S"), "dd/mm/yy date plus HH:MM:SS."),
        c.tf("/incident/tactic", "Tactic", c.text()),
        c.tf("/incident/location_type", "Location Type", c.vmap(PLACES)),
        c.tf("/incident/postcode", "Postcode", c.postcode()),
        c.tf("/officer/family_name", "Officer Surname", c.text()),
        c.tf("/officer/given_name", "Officer Forename", c.text()),
        c.tf("/officer/collar_number", "Officer Collar No", c.text()),
        c.tf("/officer/rank", "Officer Rank", c.vmap(RANKS)),
        c.tf("/subject/family_name", "Subject Surname", c.text()),
        c.tf("/subject/given_name", "Subject Forename", c.text()),
        c.tf("/subject/date_of_birth", "Subject DOB", c.date("%d/%m/%Y")),
        c.tf("/subject/sex", "Subject Gender", c.vmap({"M": "M", "F": "F", "U": "U"})),
        c.tf("/subject/age", "Subject Age", c.integer()),
        c.tf("/injuries/subject_injured", "Subject Injured", c.boolean(["Yes"], ["No"])),
        c.tf("/injuries/officer_injured", "Officer Injured", c.boolean(["Yes"], ["No"])),
    ]
    return CaseSpec(
        name="use_of_force_csv_titles", split="cases", kind="use of force", seed=seed,
        mess=["CSV with two title lines and a blank line above the header", "officer and subject with the same name fields",
              "dd/mm/yy event dates and HH:MM:SS times in two columns", "rank abbreviations onto words", "Yes/No flags",
              "noise FormVersion, SubmittedBy"],
        summary="Use of force forms exported for the Home Office annual data requirement.",
        layout=SourceLayout("csv", title_rows=[["USE OF FORCE RETURNS - ALL DIVISIONS"], ["Produced 05/01/2024 by UoF app"], []]),
        columns=columns, rows=rows, schema=schema, fields=fields, unmapped=["FormVersion", "SubmittedBy"], expected=expected,
    )


def cases() -> list[CaseSpec]:
    return [use_of_force()]
