"""Excel workbooks: a custody detention log with date-time cells either side of the clock changes."""

from __future__ import annotations

import datetime as dt

from evals.case_builders import common as c
from evals.case_builders import schema_kit as s
from evals.case_builders.fakes import SELF_DEFINED, Fakes, is_plain_local, london_rfc3339
from evals.case_builders.model import CaseSpec, SourceLayout
from evals.case_builders.render import uk_date

DISPOSALS = {"Charged": "charged", "NFA": "no_further_action", "Released under investigation": "released_under_investigation",
             "Bailed": "bailed", "Cautioned": "cautioned"}
SEX_CODES = {"Male": "1", "Female": "2", "Unknown": "0"}
NATIONALITIES = ["British", "British", "British", "British", "Polish", "Irish", "Romanian", "Pakistani", "Nigerian"]
BAD_DOB_TEXT = {19: "31/09/1984", 63: "00/00/1900"}


def _plus(moment: dt.datetime, minutes: int) -> dt.datetime:
    later = moment + dt.timedelta(minutes=minutes)
    while not is_plain_local(later):
        later += dt.timedelta(minutes=70)
    return later


def custody_log() -> CaseSpec:
    seed = 1001
    f = Fakes(seed)
    columns = ["Custody Number", "Surname", "Forenames", "Date of Birth", "Gender", "Ethnicity (Self Defined)",
               "Nationality", "Arrival", "Detention Authorised", "Released", "Disposal", "Arresting Officer",
               "Extract Date", "Row ID"]
    text_dobs = {5, 41, 77, 102}
    rows, expected = [], []
    for i in range(115):
        p = f.person(accents=True, awkward=0.15, sexes="MMMF", born=(1950, 2007))
        gender = "Unknown" if f.chance(0.04) else ("Male" if p.sex == "M" else "Female")
        arrival = f.local_datetime(dt.date(2023, 3, 1), dt.date(2023, 11, 30))
        authorised = _plus(arrival, f.rng.randint(5, 60))
        released = _plus(authorised, f.rng.randint(120, 1800)) if f.chance(0.85) else None
        disposal = f.pick(list(DISPOSALS)) if released else None
        dob_cell: object = p.dob
        if i in BAD_DOB_TEXT:
            dob_cell = BAD_DOB_TEXT[i]
        elif i in text_dobs:
            dob_cell = uk_date(p.dob)
        sde = f.pick(SELF_DEFINED) if f.chance(0.85) else None
        ref = f"{23}/{f.rng.choice(['LS', 'BD', 'WF'])}/{10000 + i * 19}"
        rows.append({
            "Custody Number": ref, "Surname": p.family.upper(), "Forenames": p.given, "Date of Birth": dob_cell,
            "Gender": gender, "Ethnicity (Self Defined)": sde, "Nationality": f.pick(NATIONALITIES) if f.chance(0.9) else None,
            "Arrival": arrival, "Detention Authorised": authorised, "Released": released, "Disposal": disposal,
            "Arresting Officer": f"PC {f.collar()}", "Extract Date": dt.date(2024, 1, 2), "Row ID": 300 + i,
        })
        expected.append(c.build({
            "/custody/number": ref, "/custody/arrivalTime": london_rfc3339(arrival),
            "/custody/detentionAuthorisedTime": london_rfc3339(authorised),
            "/custody/releaseTime": london_rfc3339(released) if released else None,
            "/custody/disposal": DISPOSALS[disposal] if disposal else None, "/custody/arrestingOfficer": rows[-1]["Arresting Officer"],
            "/subject/lastName": p.family.upper(), "/subject/firstNames": p.given,
            "/subject/dateOfBirth": None if i in BAD_DOB_TEXT else p.dob.isoformat(), "/subject/sex": SEX_CODES[gender],
            "/subject/selfDefinedEthnicity": sde, "/subject/nationality": rows[-1]["Nationality"],
        }))
    schema = s.record("custody_log", "Custody detention", "A detention at a custody suite, with subject details.", {
        "custody": s.obj("Custody", "The detention.", {
            "number": s.text("Custody number", "Custody record number."),
            "suite": s.text("Suite", "Custody suite."),
            "arrivalTime": s.date_time("Arrival time", "Arrival at the custody suite."),
            "detentionAuthorisedTime": s.date_time("Detention authorised", "When the custody officer authorised detention."),
            "releaseTime": s.date_time("Release time", "When the detainee was released."),
            "disposal": s.text("Disposal", "Outcome at release.", enum=list(DISPOSALS.values())),
            "arrestingOfficer": s.text("Arresting officer", "Rank and number of the arresting officer."),
        }, required=["number"]),
        "subject": s.obj("Subject", "The detained person.", {
            "lastName": s.text("Last name", "Family name."),
            "firstNames": s.text("First names", "Given names."),
            "dateOfBirth": s.date("Date of birth", "Subject's date of birth."),
            "sex": s.text("Sex", "ISO/IEC 5218 code: 0 not known, 1 male, 2 female, 9 not applicable.", enum=["0", "1", "2", "9"]),
            "selfDefinedEthnicity": s.text("Self-defined ethnicity", "18+1 census category as stated by the subject."),
            "nationality": s.text("Nationality", "Stated nationality."),
            "pncId": s.text("PNC ID", "Police National Computer identifier.", pattern=s.PNC_ID),
        }),
    }, required=["custody"])
    fields = [
        c.tf("/custody/number", "Custody Number", c.text()),
        c.tf("/custody/arrivalTime", "Arrival", c.date_time("%d/%m/%Y %H:%M"), "Excel date-time cells."),
        c.tf("/custody/detentionAuthorisedTime", "Detention Authorised", c.date_time("%d/%m/%Y %H:%M")),
        c.tf("/custody/releaseTime", "Released", c.date_time("%d/%m/%Y %H:%M")),
        c.tf("/custody/disposal", "Disposal", c.vmap(DISPOSALS)),
        c.tf("/custody/arrestingOfficer", "Arresting Officer", c.text()),
        c.tf("/subject/lastName", "Surname", c.text()),
        c.tf("/subject/firstNames", "Forenames", c.text()),
        c.tf("/subject/dateOfBirth", "Date of Birth", c.date("%d/%m/%Y"), "Date cells, a few typed as dd/mm/yyyy text."),
        c.tf("/subject/sex", "Gender", c.vmap(SEX_CODES), "Words onto ISO 5218 digits."),
        c.tf("/subject/selfDefinedEthnicity", "Ethnicity (Self Defined)", c.text()),
        c.tf("/subject/nationality", "Nationality", c.text()),
    ]
    return CaseSpec(
        name="custody_workbook_cells", split="cases", kind="custody (Excel workbook)", seed=seed,
        mess=["XLSX with two title rows and a blank row", "Excel date-time cells in GMT and BST", "date cells mixed with dd/mm/yyyy text",
              "gender words onto ISO 5218 digit codes", "accented names", "noise Extract Date and Row ID",
              "two impossible typed dates of birth (quarantined)"],
        summary="A custody inspector's detention log kept in Excel.",
        layout=SourceLayout("xlsx", sheet="Detentions", title_rows=[["Detention log"], ["Generated 02/01/2024 07:00 by CustodyMI"], []]),
        columns=columns, rows=rows, schema=schema, fields=fields, unmapped=["Extract Date", "Row ID"], expected=expected,
    )


def cases() -> list[CaseSpec]:
    return [custody_log()]
