"""Legacy exports: a mainframe nominal-index dump (pipe-delimited, padded, yyyymmdd) and a held-out DASH risk extract."""

from __future__ import annotations

import datetime as dt

from evals.case_builders import common as c
from evals.case_builders import schema_kit as s
from evals.case_builders.fakes import HO_OFFENCES, Fakes, london_rfc3339
from evals.case_builders.model import CaseSpec, SourceLayout
from evals.case_builders.render import compact_date, hhmm, national_phone, oracle_date, surname_first, uk_date


def _pad(value: str, width: int) -> str:
    return value.ljust(width)


def mainframe_pipe() -> CaseSpec:
    seed = 601
    f = Fakes(seed)
    columns = ["REC_TYPE", "NOM_NO", "SNAME", "FNAME1", "FNAME2", "DOB", "SEX", "PCODE", "CRO_NO", "PNC_ID",
               "OFF_DT", "OFF_TM", "OFF_CD", "FILLER", "BATCH_NO", "ROWVER"]
    sex_words = {"M": "male", "F": "female", "U": "unknown"}
    rows, expected = [], []
    bad_dob = {12: "19851301", 77: "19790230"}
    for i in range(170):
        p = f.person(awkward=0.15, middle=0.0, born=(1945, 2005))
        middle = f.pick(["James", "Ann", "Lee", "Marie", "John", "Louise", "Paul"]) if f.chance(0.45) else None
        sex = "U" if f.chance(0.03) else p.sex
        when = f.local_datetime(dt.date(2019, 1, 1), dt.date(2023, 12, 31))
        pc = f.postcode()
        cro = f.cro_number() if f.chance(0.6) else None
        pnc = f.pnc_id(four_digit_year=False) if f.chance(0.75) else None
        code, _ = f.pick(HO_OFFENCES)  # type: ignore[misc]
        nom = f"N{100000 + i * 29:07d}"
        rows.append({
            "REC_TYPE": "N", "NOM_NO": nom, "SNAME": _pad(p.family.upper(), 24), "FNAME1": _pad(p.given.upper(), 16),
            "FNAME2": _pad(middle.upper() if middle else "", 16), "DOB": bad_dob.get(i, compact_date(p.dob)), "SEX": sex,
            "PCODE": pc.replace(" ", ""), "CRO_NO": cro or "", "PNC_ID": pnc or "", "OFF_DT": compact_date(when.date()),
            "OFF_TM": hhmm(when, colon=False, drop_zeros=True), "OFF_CD": code, "FILLER": " " * 6,
            "BATCH_NO": "B0412", "ROWVER": str(f.rng.randint(1, 99)),
        })
        given = f"{p.given.upper()} {middle.upper()}" if middle else p.given.upper()
        expected.append(c.build({
            "nominalNumber": nom, "personSurname": p.family.upper(), "personForenames": given,
            "personDateOfBirth": None if i in bad_dob else p.dob.isoformat(), "personSex": sex_words[sex],
            "personPostcode": pc, "personCroNumber": cro, "personPncId": pnc, "offenceDateTime": london_rfc3339(when),
            "offenceCode": code,
        }))
    schema = s.record("nominal_index", "Nominal index entry", "A nominal (person) record with the offence that created it, flat.", {
        "nominalNumber": s.text("Nominal number", "Force nominal index number."),
        "personSurname": s.text("Surname", "Person's surname as held on the index."),
        "personForenames": s.text("Forenames", "All forenames, space separated."),
        "personDateOfBirth": s.date("Date of birth", "Person's date of birth."),
        "personSex": s.text("Sex", "Person's sex.", enum=["male", "female", "unknown"]),
        "personPostcode": s.text("Postcode", "Last known home postcode, with a space.", pattern=s.POSTCODE_SPACED),
        "personCroNumber": s.text("CRO number", "Criminal Records Office number, serial/yy + check letter.", pattern=s.CRO_NUMBER),
        "personPncId": s.text("PNC ID", "Police National Computer ID.", pattern=s.PNC_ID),
        "personAlias": s.text("Alias", "Other name the person is known by."),
        "offenceDateTime": s.date_time("Offence date-time", "When the offence was committed."),
        "offenceCode": s.text("Offence code", "Home Office offence code.", pattern=s.HO_OFFENCE),
        "courtCode": s.text("Court code", "Court that dealt with the offence."),
    }, required=["nominalNumber"])
    fields = [
        c.tf("/nominalNumber", "NOM_NO", c.text()),
        c.tf("/personSurname", "SNAME", c.text(), "Padded to 24 characters: trimmed."),
        c.tf("/personForenames", ["FNAME1", "FNAME2"], c.join(" "), "First and second forenames joined."),
        c.tf("/personDateOfBirth", "DOB", c.date("%Y%m%d")),
        c.tf("/personSex", "SEX", c.vmap(sex_words)),
        c.tf("/personPostcode", "PCODE", c.postcode()),
        c.tf("/personCroNumber", "CRO_NO", c.text()),
        c.tf("/personPncId", "PNC_ID", c.text()),
        c.tf("/offenceDateTime", ["OFF_DT", "OFF_TM"], c.combine("%Y%m%d", "%H%M")),
        c.tf("/offenceCode", "OFF_CD", c.text()),
    ]
    return CaseSpec(
        name="legacy_mainframe_pipe", split="cases", kind="legacy mainframe export", seed=seed,
        mess=["pipe-delimited", "upper-case names padded with trailing spaces", "two forename columns to join",
              "yyyymmdd dates", "HHMM times with leading zeros dropped", "postcodes without spaces",
              "two-digit-year PNC IDs and CRO numbers", "noise REC_TYPE, FILLER, BATCH_NO, ROWVER",
              "two impossible dates of birth (quarantined)"],
        summary="A nominal index unloaded from a 1990s mainframe, fixed-width fields pipe-separated.",
        layout=SourceLayout("csv", delimiter="|", line_terminator="\n"), columns=columns, rows=rows, schema=schema,
        fields=fields, unmapped=["REC_TYPE", "FILLER", "BATCH_NO", "ROWVER"], expected=expected,
    )


RISK = {"STANDARD": "standard", "MEDIUM": "medium", "HIGH": "high"}


def dash_extract() -> CaseSpec:
    """Dev: domestic abuse DASH risk assessments; victim surname-first, dd.mm.yyyy, two-digit-year Oracle DOBs."""
    seed = 602
    f = Fakes(seed)
    columns = ["DASH Ref", "Assessment Date", "Victim", "Victim DOB", "Victim Sex", "Perpetrator Surname",
               "Perpetrator Forename", "Perp DOB", "Relationship", "Risk Level", "Children In Household",
               "MARAC Referral", "Victim Phone", "CreatedBy", "AuditStamp"]
    sexes = {"F": "female", "M": "male"}
    rows, expected = [], []
    for i in range(130):
        victim = f.person(awkward=0.15, sexes="FFFFM", born=(1946, 1999))
        perp = f.person(awkward=0.1, middle=0.0, sexes="MMMMF" if victim.sex == "F" else "FMMM", born=(1950, 2003))
        assessed = f.date_between(dt.date(2023, 1, 1), dt.date(2024, 3, 31))
        risk = f.pick(["STANDARD", "STANDARD", "MEDIUM", "MEDIUM", "HIGH"])
        marac = risk == "HIGH" or f.chance(0.05)
        kids = f.chance(0.45)
        phone = f.mobile() if f.chance(0.8) else None
        ref = f"DA/{assessed.year}/{1500 + i * 7}"
        rows.append({
            "DASH Ref": ref, "Assessment Date": uk_date(assessed, "."), "Victim": surname_first(victim),
            "Victim DOB": oracle_date(victim.dob), "Victim Sex": victim.sex, "Perpetrator Surname": perp.family,
            "Perpetrator Forename": perp.given, "Perp DOB": uk_date(perp.dob) if f.chance(0.85) else "",
            "Relationship": f.pick(["Partner", "Ex-partner", "Ex-partner", "Son", "Other family member"]),
            "Risk Level": risk, "Children In Household": "Y" if kids else "N", "MARAC Referral": "Y" if marac else "N",
            "Victim Phone": national_phone(phone) if phone else "", "CreatedBy": f.pick(["dv.unit", "pc4412", "SAFELIVES"]),
            "AuditStamp": f"{uk_date(assessed)} 23:59:59",
        })
        expected.append(c.build({
            "/assessment/reference": ref, "/assessment/date": assessed.isoformat(), "/assessment/risk_level": RISK[risk],
            "/assessment/children_in_household": kids, "/assessment/marac_referral": marac,
            "/assessment/relationship": rows[-1]["Relationship"],
            "/victim/surname": victim.family.upper(), "/victim/forenames": victim.given,
            "/victim/date_of_birth": victim.dob.isoformat(), "/victim/sex": sexes[victim.sex], "/victim/phone": phone,
            "/perpetrator/surname": perp.family, "/perpetrator/forenames": perp.given,
            "/perpetrator/date_of_birth": perp.dob.isoformat() if rows[-1]["Perp DOB"] else None,
        }))
    schema = s.record("dash_assessment", "Domestic abuse risk assessment", "A DASH risk identification checklist outcome.", {
        "assessment": s.obj("Assessment", "The DASH assessment.", {
            "reference": s.text("Reference", "Domestic abuse case reference."),
            "date": s.date("Assessment date", "Date the DASH was completed."),
            "risk_level": s.text("Risk level", "Graded risk.", enum=["standard", "medium", "high"]),
            "relationship": s.text("Relationship", "Relationship of perpetrator to victim."),
            "children_in_household": s.boolean("Children in household", "Children live in the household."),
            "marac_referral": s.boolean("MARAC referral", "Referred to the multi-agency risk assessment conference."),
        }, required=["reference"]),
        "victim": s.obj("Victim", "The person at risk.", {
            "surname": s.text("Surname", "Victim's surname."),
            "forenames": s.text("Forenames", "Victim's forenames."),
            "date_of_birth": s.date("Date of birth", "Victim's date of birth."),
            "sex": s.text("Sex", "Victim's sex.", enum=["female", "male", "unknown"]),
            "phone": s.text("Phone", "Safe contact number, E.164.", pattern=s.E164),
        }),
        "perpetrator": s.obj("Perpetrator", "The person causing harm.", {
            "surname": s.text("Surname", "Perpetrator's surname."),
            "forenames": s.text("Forenames", "Perpetrator's forenames."),
            "date_of_birth": s.date("Date of birth", "Perpetrator's date of birth."),
            "pnc_id": s.text("PNC ID", "Perpetrator's PNC ID.", pattern=s.PNC_ID),
        }),
    }, required=["assessment"])
    fields = [
        c.tf("/assessment/reference", "DASH Ref", c.text()),
        c.tf("/assessment/date", "Assessment Date", c.date("%d.%m.%Y")),
        c.tf("/assessment/risk_level", "Risk Level", c.vmap(RISK)),
        c.tf("/assessment/relationship", "Relationship", c.text()),
        c.tf("/assessment/children_in_household", "Children In Household", c.boolean(["Y"], ["N"])),
        c.tf("/assessment/marac_referral", "MARAC Referral", c.boolean(["Y"], ["N"])),
        c.tf("/victim/surname", "Victim", c.split("surname_first", "family")),
        c.tf("/victim/forenames", "Victim", c.split("surname_first", "given")),
        c.tf("/victim/date_of_birth", "Victim DOB", c.date("%d-%b-%y", pivot=30), "Two-digit years: a birth date is in the past."),
        c.tf("/victim/sex", "Victim Sex", c.vmap({"F": "female", "M": "male", "U": "unknown"})),
        c.tf("/victim/phone", "Victim Phone", c.phone()),
        c.tf("/perpetrator/surname", "Perpetrator Surname", c.text()),
        c.tf("/perpetrator/forenames", "Perpetrator Forename", c.text()),
        c.tf("/perpetrator/date_of_birth", "Perp DOB", c.date("%d/%m/%Y")),
    ]
    return CaseSpec(
        name="domestic_abuse_dash", split="cases", kind="domestic abuse risk assessment", seed=seed,
        mess=["dd.mm.yyyy dates", "two-digit-year Oracle dates of birth (need a past-date pivot)",
              "victim name surname-first in one column, perpetrator in two", "two people with the same field names (victim vs perpetrator)",
              "STANDARD/MEDIUM/HIGH onto lower-case enum", "Y/N flags", "noise CreatedBy and AuditStamp"],
        summary="A domestic abuse unit's DASH risk assessment extract.",
        layout=SourceLayout("csv"), columns=columns, rows=rows, schema=schema, fields=fields,
        unmapped=["CreatedBy", "AuditStamp"], expected=expected,
    )


def cases() -> list[CaseSpec]:
    return [mainframe_pipe(), dash_extract()]
