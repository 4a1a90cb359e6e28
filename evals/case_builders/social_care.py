"""Social care safeguarding: children's referrals (CSV, ISO 5218 sex digits) and adult concerns (XLSX, held out)."""

from __future__ import annotations

import datetime as dt

from evals.case_builders import common as c
from evals.case_builders import schema_kit as s
from evals.case_builders.fakes import Fakes, london_rfc3339
from evals.case_builders.model import CaseSpec, SourceLayout
from evals.case_builders.render import hhmm, messy_postcode, national_phone, spaced_nhs, uk_date

DFE_ETHNICITY = ["WBRI", "WBRI", "WBRI", "WIRI", "WOTH", "MWBC", "MWBA", "AIND", "APKN", "ABAN", "BCRB", "BAFR",
                 "CHNE", "OOTH", "REFU", "NOBT"]
AGENCIES = {"Police": "police", "School": "school", "Health": "health", "Family member": "family", "Other": "other"}
CONCERNS = {"Neglect": "neglect", "Physical abuse": "physical_abuse", "Emotional abuse": "emotional_abuse",
            "Sexual abuse": "sexual_abuse"}
ISO5218 = {"0": "not_known", "1": "male", "2": "female", "9": "not_applicable"}


def _bad_check(nhs: str) -> str:
    return nhs[:9] + str((int(nhs[9]) + 3) % 10)


def children_referrals() -> CaseSpec:
    seed = 501
    f = Fakes(seed)
    columns = ["Referral ID", "Date Received", "Time Received", "Child Forename", "Child Surname", "Child DOB", "Gender",
               "NHS Number", "Ethnicity", "Referrer Agency", "Referrer Phone", "Primary Concern", "Consent Obtained",
               "Home Postcode", "LA_CHILD_ID", "CREATED_BY", "ROWVER"]
    bad_nhs = {31, 118}
    rows, expected = [], []
    for i in range(140):
        child = f.person(awkward=0.12, middle=0.1, born=(2007, 2022))
        digit = "0" if f.chance(0.05) else ("1" if child.sex == "M" else "2")
        received = f.local_datetime(dt.date(2023, 1, 3), dt.date(2023, 12, 22))
        nhs = f.nhs_number() if f.chance(0.9) else None
        agency = f.pick(list(AGENCIES))
        phone = f.pick([f.mobile, f.landline, f.landline])() if f.chance(0.9) else None  # type: ignore[operator]
        concern = f.pick(list(CONCERNS))
        consent = f.chance(0.7)
        pc = f.postcode()
        ref = f"CSC-{230000 + i * 17}"
        nhs_cell = "" if nhs is None else spaced_nhs(_bad_check(nhs) if i in bad_nhs else nhs)
        rows.append({
            "Referral ID": ref, "Date Received": uk_date(received.date()), "Time Received": hhmm(received),
            "Child Forename": child.given, "Child Surname": child.family, "Child DOB": uk_date(child.dob), "Gender": digit,
            "NHS Number": nhs_cell, "Ethnicity": f.pick(DFE_ETHNICITY), "Referrer Agency": agency,
            "Referrer Phone": national_phone(phone) if phone else "", "Primary Concern": concern,
            "Consent Obtained": "Y" if consent else "N", "Home Postcode": messy_postcode(f.rng, pc),
            "LA_CHILD_ID": str(700000 + f.rng.randint(0, 99999)), "CREATED_BY": f.pick(["mosaic_etl", "k.hughes", "FRONTDOOR"]),
            "ROWVER": str(f.rng.randint(1, 6)),
        })
        expected.append(c.build({
            "/referral/reference": ref, "/referral/received_at": london_rfc3339(received),
            "/referral/source_agency": AGENCIES[agency], "/referral/referrer_phone": phone,
            "/referral/primary_concern": CONCERNS[concern], "/referral/consent_given": consent,
            "/child/forename": child.given, "/child/surname": child.family, "/child/date_of_birth": child.dob.isoformat(),
            "/child/sex": ISO5218[digit], "/child/nhs_number": None if i in bad_nhs else nhs,
            "/child/ethnicity_code": rows[-1]["Ethnicity"], "/child/postcode": pc,
        }))
    schema = s.record("childrens_referral", "Children's safeguarding referral", "A referral to children's social care (the front door).", {
        "referral": s.obj("Referral", "The referral itself.", {
            "reference": s.text("Referral reference", "Case management system referral number."),
            "received_at": s.date_time("Received", "When the referral was received."),
            "source_agency": s.text("Referral source", "Who made the referral.", enum=list(AGENCIES.values())),
            "referrer_phone": s.text("Referrer telephone", "Referrer's telephone in E.164 form.", pattern=s.E164),
            "primary_concern": s.text("Primary concern", "Main category of need.", enum=list(CONCERNS.values())),
            "consent_given": s.boolean("Consent given", "Whether the family consented to the referral."),
            "outcome": s.text("Outcome", "Decision on the referral."),
        }, required=["reference"]),
        "child": s.obj("Child", "The child referred.", {
            "forename": s.text("Forename", "Child's first name(s)."),
            "surname": s.text("Surname", "Child's family name."),
            "date_of_birth": s.date("Date of birth", "Child's date of birth."),
            "sex": s.text("Sex", "Sex of the child.", enum=["male", "female", "not_known", "not_applicable"]),
            "nhs_number": s.text("NHS number", "Ten digit NHS number without spaces.", pattern=s.NHS_DIGITS),
            "ethnicity_code": s.text("Ethnicity code", "DfE ethnicity code (e.g. WBRI, APKN).", pattern=r"^[A-Z]{4}$"),
            "postcode": s.text("Postcode", "Home postcode.", pattern=s.POSTCODE_SPACED),
            "school": s.text("School", "School the child attends."),
        }),
    }, required=["referral"])
    fields = [
        c.tf("/referral/reference", "Referral ID", c.text()),
        c.tf("/referral/received_at", ["Date Received", "Time Received"], c.combine("%d/%m/%Y", "%H:%M")),
        c.tf("/referral/source_agency", "Referrer Agency", c.vmap(AGENCIES)),
        c.tf("/referral/referrer_phone", "Referrer Phone", c.phone()),
        c.tf("/referral/primary_concern", "Primary Concern", c.vmap(CONCERNS)),
        c.tf("/referral/consent_given", "Consent Obtained", c.boolean(["Y"], ["N"])),
        c.tf("/child/forename", "Child Forename", c.text()),
        c.tf("/child/surname", "Child Surname", c.text()),
        c.tf("/child/date_of_birth", "Child DOB", c.date("%d/%m/%Y")),
        c.tf("/child/sex", "Gender", c.vmap(ISO5218), "ISO/IEC 5218 digits."),
        c.tf("/child/nhs_number", "NHS Number", c.nhs("digits")),
        c.tf("/child/ethnicity_code", "Ethnicity", c.text("upper")),
        c.tf("/child/postcode", "Home Postcode", c.postcode()),
    ]
    return CaseSpec(
        name="social_care_referrals", split="cases", kind="social care safeguarding referral", seed=seed,
        mess=["sex as ISO 5218 digits (0/1/2/9)", "NHS numbers spaced 3-3-4", "date and time received in two columns",
              "national-format phone numbers", "agency and concern words onto snake_case enums", "Y/N consent",
              "noise LA_CHILD_ID, CREATED_BY, ROWVER", "two NHS numbers with a wrong check digit (quarantined)"],
        summary="Children's social care front-door referrals shared with the police safeguarding hub.",
        layout=SourceLayout("csv"), columns=columns, rows=rows, schema=schema, fields=fields,
        unmapped=["LA_CHILD_ID", "CREATED_BY", "ROWVER"], expected=expected,
    )


ABUSE = {"Financial": "financial", "Physical": "physical", "Neglect": "neglect", "Self-neglect": "self_neglect",
         "Psychological": "psychological", "Sexual": "sexual"}
SETTINGS = {"Own home": "own_home", "Care home": "care_home", "Hospital": "hospital", "Community": "community"}
SEX_DIGITS = {1: "M", 2: "F", 0: "U"}


def adult_concerns_xlsx() -> CaseSpec:
    """Held out: adult safeguarding concerns workbook; date-time cells, digit sex, NHS numbers as numbers."""
    seed = 502
    f = Fakes(seed)
    columns = ["Concern No", "Received", "Adult's Name", "DOB", "Sex", "NHS No", "Type of Abuse", "Location of Risk",
               "Raised By", "Contact Tel", "Postcode", "Section 42 Enquiry", "Row ID", "Modified"]
    rows, expected = [], []
    for i in range(100):
        adult = f.person(awkward=0.1, middle=0.3, born=(1925, 1990))
        digit = 0 if f.chance(0.04) else (1 if adult.sex == "M" else 2)
        received = f.local_datetime(dt.date(2023, 2, 1), dt.date(2024, 2, 28))
        nhs = f.nhs_number() if f.chance(0.92) else None
        phone = f.pick([f.mobile, f.landline])() if f.chance(0.85) else None  # type: ignore[operator]
        pc = f.postcode()
        s42 = f.chance(0.35)
        ref = f"ASC{2023_0000 + i * 9}"
        rows.append({
            "Concern No": ref, "Received": received, "Adult's Name": f"{adult.family}, {adult.given}",
            "DOB": uk_date(adult.dob, "."), "Sex": digit, "NHS No": int(nhs) if nhs else None,
            "Type of Abuse": f.pick(list(ABUSE)), "Location of Risk": f.pick(list(SETTINGS)),
            "Raised By": f.pick(["GP surgery", "Ambulance service", "Care provider", "Neighbour", "Police"]),
            "Contact Tel": national_phone(phone) if phone else None, "Postcode": messy_postcode(f.rng, pc),
            "Section 42 Enquiry": "Yes" if s42 else "No", "Row ID": 9000 + i, "Modified": dt.datetime(2024, 3, 1, 6, 30),
        })
        expected.append(c.build({
            "concern/reference": ref, "concern/receivedAt": london_rfc3339(received),
            "concern/abuseType": ABUSE[rows[-1]["Type of Abuse"]], "concern/setting": SETTINGS[rows[-1]["Location of Risk"]],
            "concern/raisedBy": rows[-1]["Raised By"], "concern/contactPhone": phone, "concern/section42": s42,
            "adult/lastName": adult.family, "adult/firstNames": adult.given, "adult/dateOfBirth": adult.dob.isoformat(),
            "adult/sex": SEX_DIGITS[digit], "adult/nhsNumber": spaced_nhs(nhs) if nhs else None, "adult/postcode": pc,
        }))
    schema = s.record("adult_concern", "Adult safeguarding concern", "A safeguarding concern about an adult with care and support needs.", {
        "concern": s.obj("Concern", "The concern raised.", {
            "reference": s.text("Concern reference", "Adult social care concern number."),
            "receivedAt": s.date_time("Received at", "When the concern was received."),
            "abuseType": s.text("Type of abuse", "Main category of abuse or neglect (Care Act 2014).", enum=list(ABUSE.values())),
            "setting": s.text("Setting", "Where the risk is.", enum=list(SETTINGS.values())),
            "raisedBy": s.text("Raised by", "Organisation or person raising the concern."),
            "contactPhone": s.text("Contact telephone", "Contact number in E.164.", pattern=s.E164),
            "section42": s.boolean("Section 42 enquiry", "Whether a Care Act s42 enquiry was opened."),
        }, required=["reference"]),
        "adult": s.obj("Adult", "The adult at risk.", {
            "lastName": s.text("Last name", "Family name of the adult."),
            "firstNames": s.text("First names", "Given names of the adult."),
            "dateOfBirth": s.date("Date of birth", "Adult's date of birth."),
            "sex": s.text("Sex", "M, F or U (unknown).", enum=["M", "F", "U"]),
            "nhsNumber": s.text("NHS number", "NHS number in the 3-3-4 display format.", pattern=s.NHS_SPACED),
            "postcode": s.text("Postcode", "Postcode of the adult's home.", pattern=s.POSTCODE_SPACED),
            "gpPractice": s.text("GP practice", "Registered GP practice."),
        }),
    }, required=["concern"])
    fields = [
        c.tf("/concern/reference", "Concern No", c.text()),
        c.tf("/concern/receivedAt", "Received", c.date_time("%d/%m/%Y %H:%M"), "Excel date-time cells."),
        c.tf("/concern/abuseType", "Type of Abuse", c.vmap(ABUSE)),
        c.tf("/concern/setting", "Location of Risk", c.vmap(SETTINGS)),
        c.tf("/concern/raisedBy", "Raised By", c.text()),
        c.tf("/concern/contactPhone", "Contact Tel", c.phone()),
        c.tf("/concern/section42", "Section 42 Enquiry", c.boolean(["Yes"], ["No"])),
        c.tf("/adult/lastName", "Adult's Name", c.split("surname_first", "family")),
        c.tf("/adult/firstNames", "Adult's Name", c.split("surname_first", "given")),
        c.tf("/adult/dateOfBirth", "DOB", c.date("%d.%m.%Y")),
        c.tf("/adult/sex", "Sex", c.vmap({"1": "M", "2": "F", "0": "U"})),
        c.tf("/adult/nhsNumber", "NHS No", c.nhs("spaced")),
        c.tf("/adult/postcode", "Postcode", c.postcode()),
    ]
    return CaseSpec(
        name="adult_safeguarding_xlsx", split="heldout", kind="social care safeguarding concern", seed=seed,
        mess=["XLSX with title rows", "Excel date-time cells", "mixed-case surname-first name 'Smith, Margaret'",
              "dd.mm.yyyy text dates", "sex as numeric ISO 5218 cells", "NHS numbers stored as numbers, target spaced",
              "Yes/No flag", "noise Row ID, Modified"],
        summary="An adult social care team's safeguarding concerns workbook.",
        layout=SourceLayout("xlsx", sheet="Concerns", title_rows=[["Adult Social Care - Safeguarding Concerns"], ["Period: Feb 2023 to Feb 2024"]]),
        columns=columns, rows=rows, schema=schema, fields=fields, unmapped=["Row ID", "Modified"], expected=expected,
    )


def cases() -> list[CaseSpec]:
    return [children_referrals(), adult_concerns_xlsx()]
