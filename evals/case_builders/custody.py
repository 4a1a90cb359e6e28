"""Custody exports: a Niche-style cp1252 semicolon extract and an Athena-style tab-separated one."""

from __future__ import annotations

import datetime as dt

from evals.case_builders import common as c
from evals.case_builders import schema_kit as s
from evals.case_builders.fakes import HO_OFFENCES, IC_CODES, SELF_DEFINED, Fakes, is_plain_local, london_rfc3339
from evals.case_builders.model import CaseSpec, SourceLayout
from evals.case_builders.render import forename_first, hhmm, messy_postcode, oracle_date, surname_first, uk_date

SUITES = ["Elland Road", "Stainbeck", "Trafalgar House", "Havertop", "Wakefield Central"]
EVENTS = (dt.date(2023, 1, 2), dt.date(2023, 12, 20))
BAD_DOBS = ["31/02/1988", "29/02/1990", "31/04/1979"]


def _later(moment: dt.datetime, minutes: int) -> dt.datetime:
    later = moment + dt.timedelta(minutes=minutes)
    while not is_plain_local(later):
        later += dt.timedelta(minutes=61)
    return later


def niche_cp1252(seed: int = 101) -> CaseSpec:
    """Custody extract from a records system: cp1252, semicolons, surname-first names, split date and time.

    ``seed`` draws other people and events from the same system (the learning eval's second force).
    """
    f = Fakes(seed)
    columns = ["CUSTODY_NO", "DETAINEE_NAME", "DOB", "SEX", "ETH_IC", "HOME_PCODE", "PNC_ID", "ARR_DATE", "ARR_TIME",
               "ARRIVAL_DTTM", "OFFENCE_CODE", "OIC_NO", "SUITE", "ROWVER", "LAST_UPDATED_BY", "EXTRACT_DT"]
    rows, expected = [], []
    bad_rows = {17: 0, 88: 1, 141: 2}
    for i in range(160):
        p = f.person(accents=True, sexes="MMMF")
        sex = "U" if f.chance(0.03) else p.sex
        arrest = f.local_datetime(*EVENTS)
        arrival = _later(arrest, f.rng.randint(15, 95))
        code, _ = f.pick(HO_OFFENCES)  # type: ignore[misc]
        pc = f.postcode() if f.chance(0.9) else None
        pnc = f.pnc_id() if f.chance(0.8) else None
        ic = f.pick(IC_CODES)
        ref = f"CU/2023/{4000 + i * 7:06d}"
        dob_cell = BAD_DOBS[bad_rows[i]] if i in bad_rows else uk_date(p.dob)
        rows.append({
            "CUSTODY_NO": ref, "DETAINEE_NAME": surname_first(p), "DOB": dob_cell, "SEX": sex, "ETH_IC": ic,
            "HOME_PCODE": messy_postcode(f.rng, pc) if pc else "", "PNC_ID": pnc or "",
            "ARR_DATE": uk_date(arrest.date()), "ARR_TIME": hhmm(arrest),
            "ARRIVAL_DTTM": f"{uk_date(arrival.date())} {hhmm(arrival)}", "OFFENCE_CODE": code,
            "OIC_NO": f.collar(), "SUITE": f.pick(SUITES), "ROWVER": str(f.rng.randint(1, 14)),
            "LAST_UPDATED_BY": f.pick(["SVC_NICHE", "jbloggs01", "CUSTODY_MI", "akhan22"]),
            "EXTRACT_DT": "03/06/2024 06:15",
        })
        expected.append(c.build({
            "/custody/reference": ref, "/custody/suite": rows[-1]["SUITE"], "/custody/arrival_at": london_rfc3339(arrival),
            "/detainee/family_name": p.family.upper(), "/detainee/given_names": p.given,
            "/detainee/date_of_birth": None if i in bad_rows else p.dob.isoformat(), "/detainee/sex": sex,
            "/detainee/officer_defined_ethnicity": ic, "/detainee/postcode": pc, "/detainee/pnc_id": pnc,
            "/arrest/arrested_at": london_rfc3339(arrest), "/arrest/offence_code": code,
            "/arrest/officer_collar_number": rows[-1]["OIC_NO"],
        }))
    schema = s.record("custody_niche", "Custody record", "One detention in police custody: the detainee, the arrest and the custody episode.", {
        "custody": s.obj("Custody episode", "The detention at a custody suite.", {
            "reference": s.text("Custody record number", "The custody record reference, CU/yyyy/nnnnnn.", pattern=r"^CU/[0-9]{4}/[0-9]{6}$"),
            "suite": s.text("Custody suite", "Name of the custody suite where the detainee was booked in."),
            "arrival_at": s.date_time("Arrival at custody", "When the detainee arrived at the custody suite."),
            "released_at": s.date_time("Released", "When the detainee left custody."),
        }, required=["reference"]),
        "detainee": s.obj("Detainee", "The person detained.", {
            "family_name": s.text("Family name", "Surname of the detainee, as recorded."),
            "given_names": s.text("Given names", "Forenames of the detainee, space separated."),
            "date_of_birth": s.date("Date of birth", "Detainee's date of birth."),
            "sex": s.text("Sex", "Sex of the detainee: M male, F female, U not known.", enum=["M", "F", "U"]),
            "officer_defined_ethnicity": s.text("Officer-defined ethnicity", "Ethnic appearance as judged by the officer, IC code.",
                                                enum=["IC1", "IC2", "IC3", "IC4", "IC5", "IC6", "IC9"]),
            "postcode": s.text("Home postcode", "Postcode of the detainee's home address, upper case with one space.", pattern=s.POSTCODE_SPACED),
            "pnc_id": s.text("PNC ID", "Police National Computer identifier (yyyy/nnnnnnnA).", pattern=s.PNC_ID),
            "nationality": s.text("Nationality", "Stated nationality."),
        }),
        "arrest": s.obj("Arrest", "The arrest that led to the detention.", {
            "arrested_at": s.date_time("Arrest time", "When the person was arrested."),
            "offence_code": s.text("Offence code", "Home Office offence classification code (class/subclass).", pattern=s.HO_OFFENCE),
            "officer_collar_number": s.text("Arresting officer collar number", "Shoulder number of the officer in the case.", pattern=r"^[0-9]{3,6}$"),
            "reason": s.text("Reason for arrest", "Grounds for the arrest as stated."),
        }),
    }, required=["custody"])
    fields = [
        c.tf("/custody/reference", "CUSTODY_NO", c.text(), "Custody number in the CU/yyyy/nnnnnn shape."),
        c.tf("/custody/suite", "SUITE", c.text(), "Custody suite name."),
        c.tf("/custody/arrival_at", "ARRIVAL_DTTM", c.date_time("%d/%m/%Y %H:%M"), "Arrival date-time, dd/mm/yyyy HH:MM, UK local time."),
        c.tf("/detainee/family_name", "DETAINEE_NAME", c.split("surname_first", "family"), "'SURNAME, Forenames' full name: the part before the comma."),
        c.tf("/detainee/given_names", "DETAINEE_NAME", c.split("surname_first", "given"), "'SURNAME, Forenames' full name: the part after the comma."),
        c.tf("/detainee/date_of_birth", "DOB", c.date("%d/%m/%Y"), "Date of birth, dd/mm/yyyy."),
        c.tf("/detainee/sex", "SEX", c.vmap({"M": "M", "F": "F", "U": "U"}), "Sex letters already in the target's code list."),
        c.tf("/detainee/officer_defined_ethnicity", "ETH_IC", c.text("upper"), "IC codes."),
        c.tf("/detainee/postcode", "HOME_PCODE", c.postcode(), "Home postcode, spacing repaired."),
        c.tf("/detainee/pnc_id", "PNC_ID", c.text(), "PNC ID, four-digit year form."),
        c.tf("/arrest/arrested_at", ["ARR_DATE", "ARR_TIME"], c.combine("%d/%m/%Y", "%H:%M"), "Arrest date and time held in two columns."),
        c.tf("/arrest/offence_code", "OFFENCE_CODE", c.text(), "Home Office offence code."),
        c.tf("/arrest/officer_collar_number", "OIC_NO", c.text(), "Officer in the case: collar number."),
    ]
    return CaseSpec(
        name="custody_niche_cp1252", split="cases", kind="custody", seed=seed,
        mess=["cp1252 encoding with accented names", "semicolon delimiter", "surname-first full name 'SMITH, John'",
              "dd/mm/yyyy dates", "arrest date and HH:MM time in separate columns", "postcodes with messy spacing and case",
              "noise columns ROWVER, LAST_UPDATED_BY, EXTRACT_DT", "three impossible dates of birth (quarantined)"],
        summary="A custody system's nightly extract: one row per detention, with the detainee's details and the arrest.",
        layout=SourceLayout("csv", encoding="cp1252", delimiter=";"), columns=columns, rows=rows, schema=schema,
        fields=fields, unmapped=["ROWVER", "LAST_UPDATED_BY", "EXTRACT_DT"], expected=expected,
        unmapped_reasons={"ROWVER": "row version counter of the source database", "LAST_UPDATED_BY": "audit column: last editor",
                          "EXTRACT_DT": "when the extract was produced, the same on every row"},
    )


def athena_tsv() -> CaseSpec:
    """Held out: tab-separated custody export with forename-first names, Oracle dates and HHMM times."""
    seed = 102
    f = Fakes(seed)
    columns = ["Custody Record", "Person Name", "Date Of Birth", "Gender", "Ethnic Appearance", "Self Defined Ethnicity",
               "Arrest Date", "Arrest Time", "Booked In", "Released", "Arrest Offence", "Arresting Officer",
               "Custody Suite", "Risk Flag", "RecordVersion", "UpdatedBy", "ExtractTimestamp"]
    gender_words = {"M": "Male", "F": "Female", "U": "Unknown"}
    gender_target = {"M": "male", "F": "female", "U": "unknown"}
    rows, expected = [], []
    for i in range(120):
        p = f.person(accents=False, awkward=0.25, sexes="MMF")
        sex = "U" if f.chance(0.04) else p.sex
        arrest = f.local_datetime(*EVENTS)
        booked = _later(arrest, f.rng.randint(20, 120))
        released = _later(booked, f.rng.randint(180, 2000)) if f.chance(0.8) else None
        _, offence = f.pick(HO_OFFENCES)  # type: ignore[misc]
        ic = f.pick(IC_CODES)
        sde = f.pick(SELF_DEFINED) if f.chance(0.85) else ""
        ref = f"{23000 + i * 13}/23"
        risk = f.chance(0.3)
        rows.append({
            "Custody Record": ref, "Person Name": forename_first(p), "Date Of Birth": oracle_date(p.dob, four_digit_year=True),
            "Gender": gender_words[sex], "Ethnic Appearance": ic, "Self Defined Ethnicity": sde,
            "Arrest Date": oracle_date(arrest.date()), "Arrest Time": hhmm(arrest, colon=False),
            "Booked In": booked.strftime("%Y-%m-%dT%H:%M:%S"), "Released": released.strftime("%Y-%m-%dT%H:%M:%S") if released else "",
            "Arrest Offence": offence, "Arresting Officer": f.collar(), "Custody Suite": f.pick(SUITES),
            "Risk Flag": "Y" if risk else "N", "RecordVersion": str(f.rng.randint(1, 9)),
            "UpdatedBy": f.pick(["athena.sync", "CUST_ADMIN", "r.patel"]), "ExtractTimestamp": "2024-02-01T02:00:00",
        })
        expected.append(c.build({
            "custodyReference": ref, "personSurname": p.family.upper(), "personForenames": p.given,
            "personDateOfBirth": p.dob.isoformat(), "personGender": gender_target[sex], "personEthnicAppearance": ic,
            "personSelfDefinedEthnicity": sde or None, "arrestDateTime": london_rfc3339(arrest),
            "bookedInDateTime": london_rfc3339(booked), "releasedDateTime": london_rfc3339(released) if released else None,
            "arrestOffence": offence, "arrestingOfficerNumber": rows[-1]["Arresting Officer"],
            "custodySuite": rows[-1]["Custody Suite"], "riskFlag": risk,
        }))
    schema = s.record("custody_athena", "Custody detention (flat)", "A custody detention in a flat record with prefixed names.", {
        "custodyReference": s.text("Custody reference", "Custody record number, nnnnn/yy."),
        "personSurname": s.text("Surname", "Detained person's surname."),
        "personForenames": s.text("Forenames", "Detained person's forenames."),
        "personDateOfBirth": s.date("Date of birth", "Detained person's date of birth."),
        "personGender": s.text("Gender", "Gender of the detained person.", enum=["male", "female", "unknown"]),
        "personEthnicAppearance": s.text("Ethnic appearance", "Officer-observed ethnicity, IC1-IC6 or IC9 (not known).", pattern=r"^IC[0-9]$"),
        "personSelfDefinedEthnicity": s.text("Self-defined ethnicity", "Ethnicity in the person's own words (census categories)."),
        "personPncId": s.text("PNC ID", "Police National Computer ID.", pattern=s.PNC_ID),
        "arrestDateTime": s.date_time("Arrest date-time", "When the arrest was made."),
        "bookedInDateTime": s.date_time("Booked in", "When the person was booked into custody."),
        "releasedDateTime": s.date_time("Released", "When the person was released from custody."),
        "arrestOffence": s.text("Arrest offence", "Offence the person was arrested for, as text."),
        "arrestingOfficerNumber": s.text("Arresting officer", "Collar number of the arresting officer.", pattern=r"^[0-9]{3,6}$"),
        "custodySuite": s.text("Custody suite", "Custody suite name."),
        "riskFlag": s.boolean("Risk flag", "True when the detainee was flagged as at risk."),
    }, required=["custodyReference"])
    fields = [
        c.tf("/custodyReference", "Custody Record", c.text()),
        c.tf("/personSurname", "Person Name", c.split("forename_first", "family"), "Forename-first name with the surname in capitals."),
        c.tf("/personForenames", "Person Name", c.split("forename_first", "given")),
        c.tf("/personDateOfBirth", "Date Of Birth", c.date("%d-%b-%Y"), "Oracle dd-MON-yyyy."),
        c.tf("/personGender", "Gender", c.vmap({"Male": "male", "Female": "female", "Unknown": "unknown"})),
        c.tf("/personEthnicAppearance", "Ethnic Appearance", c.text("upper")),
        c.tf("/personSelfDefinedEthnicity", "Self Defined Ethnicity", c.text()),
        c.tf("/arrestDateTime", ["Arrest Date", "Arrest Time"], c.combine("%d-%b-%y", "%H%M"), "Oracle date plus HHMM time."),
        c.tf("/bookedInDateTime", "Booked In", c.date_time("%Y-%m-%dT%H:%M:%S"), "Naive ISO local time."),
        c.tf("/releasedDateTime", "Released", c.date_time("%Y-%m-%dT%H:%M:%S")),
        c.tf("/arrestOffence", "Arrest Offence", c.text()),
        c.tf("/arrestingOfficerNumber", "Arresting Officer", c.text()),
        c.tf("/custodySuite", "Custody Suite", c.text()),
        c.tf("/riskFlag", "Risk Flag", c.boolean(["Y"], ["N"])),
    ]
    return CaseSpec(
        name="custody_athena_tsv", split="heldout", kind="custody", seed=seed,
        mess=["tab-separated", "forename-first full name 'John SMITH'", "Oracle dd-MON-yyyy and dd-MON-yy dates",
              "HHMM times without a colon", "naive ISO date-times", "gender words onto lower-case enum", "Y/N flag",
              "noise columns RecordVersion, UpdatedBy, ExtractTimestamp"],
        summary="A custody export from a second vendor, tab separated, with a flat prefixed target.",
        layout=SourceLayout("csv", delimiter="\t"), columns=columns, rows=rows, schema=schema, fields=fields,
        unmapped=["RecordVersion", "UpdatedBy", "ExtractTimestamp"], expected=expected,
    )


def cases() -> list[CaseSpec]:
    return [niche_cp1252(), athena_tsv()]
