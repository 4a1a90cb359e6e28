"""Council anti-social behaviour case logs: an XLSX workbook with title rows (dev) and a JSONL licensing feed (held out)."""

from __future__ import annotations

import datetime as dt

from evals.case_builders import common as c
from evals.case_builders import schema_kit as s
from evals.case_builders.fakes import Fakes, london_rfc3339
from evals.case_builders.model import CaseSpec, SourceLayout
from evals.case_builders.render import messy_postcode, national_phone

WARDS = [("Headingley & Hyde Park", "E05011402"), ("Little London & Woodhouse", "E05011410"),
         ("Burmantofts & Richmond Hill", "E05011396"), ("Armley", "E05011391"), ("Harehills", "E05011400"),
         ("Beeston & Holbeck", "E05011393")]
ASB = {"Personal": ["Verbal abuse towards neighbour", "Harassment by group of youths", "Threats made on doorstep"],
       "Nuisance": ["Loud music late at night", "Youths congregating and shouting", "Off-road bikes on the estate",
                    "Drinking in the street"],
       "Environmental": ["Fly-tipping in back alley", "Graffiti on bus shelter", "Abandoned car left for weeks"]}


def asb_workbook() -> CaseSpec:
    seed = 401
    f = Fakes(seed)
    columns = ["Case Ref", "Date Reported", "Incident Date", "Incident Time", "ASB Category", "Description", "Address",
               "Postcode", "Ward", "Ward Code", "Reporter Name", "Reporter Phone", "Police Notified", "Repeat Victim",
               "Case Officer", "Internal ID", "Last Modified By"]
    rows, expected = [], []
    for i in range(110):
        when = f.local_datetime(dt.date(2023, 4, 1), dt.date(2024, 1, 31))
        reported = when.date() + dt.timedelta(days=f.rng.choice([0, 0, 1, 2, 3, 7]))
        category = f.pick(list(ASB))
        description = f.pick(ASB[category])  # type: ignore[index]
        ward, ward_code = f.pick(WARDS)  # type: ignore[misc]
        pc = f.postcode()
        reporter = f.person(awkward=0.1, middle=0.0, born=(1940, 2000))
        anonymous = f.chance(0.12)
        phone = f.pick([f.mobile, f.landline])() if not anonymous and f.chance(0.85) else None  # type: ignore[operator]
        notified, repeat = f.chance(0.4), f.chance(0.25)
        ref = f"ASB-{when.year}-{120 + i * 3:05d}"
        rows.append({
            "Case Ref": ref, "Date Reported": reported, "Incident Date": when.date(),
            "Incident Time": dt.time(when.hour, when.minute), "ASB Category": category, "Description": description,
            "Address": f.street_address(), "Postcode": messy_postcode(f.rng, pc), "Ward": ward, "Ward Code": ward_code,
            "Reporter Name": None if anonymous else f"{reporter.given} {reporter.family}",
            "Reporter Phone": national_phone(phone) if phone else None,
            "Police Notified": "Yes" if notified else "No", "Repeat Victim": "Y" if repeat else "N",
            "Case Officer": f.pick(["J. Barker", "S. Iqbal", "M. Reid", "T. Okoro"]), "Internal ID": 50210 + i,
            "Last Modified By": f.pick(["flare.sync", "csadmin", "sbrown"]),
        })
        expected.append(c.build({
            "/case/reference": ref, "/case/reported_on": reported.isoformat(), "/case/officer": rows[-1]["Case Officer"],
            "/incident/occurred_at": london_rfc3339(when), "/incident/category": category.lower(),
            "/incident/description": description, "/location/address": rows[-1]["Address"], "/location/postcode": pc,
            "/location/ward_name": ward, "/location/ward_code": ward_code, "/reporter/name": rows[-1]["Reporter Name"],
            "/reporter/phone": phone, "/flags/police_notified": notified, "/flags/repeat_victim": repeat,
        }))
    schema = s.record("council_asb", "Anti-social behaviour case", "A council community safety ASB case.", {
        "case": s.obj("Case", "The council's case record.", {
            "reference": s.text("Case reference", "Council ASB case number, ASB-yyyy-nnnnn.", pattern=r"^ASB-[0-9]{4}-[0-9]{5}$"),
            "reported_on": s.date("Reported on", "Date the complaint reached the council."),
            "officer": s.text("Case officer", "Council officer handling the case."),
            "closed_on": s.date("Closed on", "Date the case was closed."),
        }, required=["reference"]),
        "incident": s.obj("Incident", "What happened.", {
            "occurred_at": s.date_time("Occurred at", "When the behaviour happened."),
            "category": s.text("ASB category", "National ASB category.", enum=["personal", "nuisance", "environmental"]),
            "description": s.text("Description", "What was reported."),
        }),
        "location": s.obj("Location", "Where it happened.", {
            "address": s.text("Address", "Street address."),
            "postcode": s.text("Postcode", "Royal Mail postcode with one space.", pattern=s.POSTCODE_SPACED),
            "ward_name": s.text("Ward name", "Electoral ward name."),
            "ward_code": s.text("Ward code", "ONS electoral ward code (E05).", pattern=s.WARD),
            "latitude": s.number("Latitude", "WGS84 latitude."),
            "longitude": s.number("Longitude", "WGS84 longitude."),
        }),
        "reporter": s.obj("Reporter", "The person who reported it.", {
            "name": s.text("Reporter name", "Full name of the reporting person."),
            "phone": s.text("Reporter phone", "Contact telephone in E.164 form.", pattern=s.E164),
        }),
        "flags": s.obj("Flags", "Case markers.", {
            "police_notified": s.boolean("Police notified", "True when the police were informed."),
            "repeat_victim": s.boolean("Repeat victim", "True when the reporter has reported ASB before."),
        }),
    }, required=["case"])
    fields = [
        c.tf("/case/reference", "Case Ref", c.text()),
        c.tf("/case/reported_on", "Date Reported", c.date("%d/%m/%Y"), "Excel date cells."),
        c.tf("/case/officer", "Case Officer", c.text()),
        c.tf("/incident/occurred_at", ["Incident Date", "Incident Time"], c.combine("%d/%m/%Y", "%H:%M"), "Excel date cell plus time cell."),
        c.tf("/incident/category", "ASB Category", c.vmap({"Personal": "personal", "Nuisance": "nuisance", "Environmental": "environmental"})),
        c.tf("/incident/description", "Description", c.text()),
        c.tf("/location/address", "Address", c.text()),
        c.tf("/location/postcode", "Postcode", c.postcode()),
        c.tf("/location/ward_name", "Ward", c.text()),
        c.tf("/location/ward_code", "Ward Code", c.text()),
        c.tf("/reporter/name", "Reporter Name", c.text()),
        c.tf("/reporter/phone", "Reporter Phone", c.phone()),
        c.tf("/flags/police_notified", "Police Notified", c.boolean(["Yes"], ["No"])),
        c.tf("/flags/repeat_victim", "Repeat Victim", c.boolean(["Y"], ["N"])),
    ]
    return CaseSpec(
        name="council_asb_workbook", split="cases", kind="council ASB", seed=seed,
        mess=["XLSX with three title rows and a blank row above the header", "Excel date cells and time cells",
              "incident date and time in separate columns", "category words onto lower-case enum", "Yes/No and Y/N flags",
              "national-format phone numbers to E.164", "postcodes with messy spacing",
              "noise Internal ID and Last Modified By"],
        summary="A borough council's ASB case log workbook shared with the police.",
        layout=SourceLayout("xlsx", sheet="ASB Cases", title_rows=[["Anytown Borough Council"],
                                                                   ["Community Safety Team - ASB case log"],
                                                                   ["Run date: 01/02/2024"], []]),
        columns=columns, rows=rows, schema=schema, fields=fields,
        unmapped=["Internal ID", "Last Modified By"], expected=expected,
    )


LICENCES = {"PREM": "premises", "PERS": "personal", "TEN": "temporary_event"}


def licensing_jsonl() -> CaseSpec:
    """Held out: a council licensing system's JSONL feed of licence holders, nested objects, yyyymmdd dates."""
    seed = 402
    f = Fakes(seed)
    rows, expected = [], []
    for i in range(90):
        holder = f.person(awkward=0.15, born=(1950, 2002))
        kind = f.pick(list(LICENCES))
        issued = f.date_between(dt.date(2019, 1, 1), dt.date(2023, 12, 31))
        expires = issued.replace(year=issued.year + 5) if not (issued.month == 2 and issued.day == 29) else issued + dt.timedelta(days=1826)
        pc = f.postcode()
        phone = f.mobile() if f.chance(0.8) else None
        email = f"{holder.given.split()[0].lower()}.{holder.family.lower().replace(chr(39), '')}@example.org" if f.chance(0.7) else None
        refused = f.chance(0.08)
        ref = f"LIC/{issued.year}/{3000 + i * 11}"
        row = {
            "licenceNo": ref, "licenceType": kind, "status": "REFUSED" if refused else "GRANTED",
            "dates": {"issued": issued.strftime("%Y%m%d"), "expires": expires.strftime("%Y%m%d")},
            "holder": {"surname": holder.family, "forenames": holder.given, "dob": holder.dob.strftime("%Y%m%d"),
                       "contact": {"mobile": national_phone(phone) if phone else None, "email": email}},
            "premises": {"name": f.pick(["The Red Lion", "Corner Shop Ltd", "Hyde Park Social", "Village Hall"]) if kind != "PERS" else None,
                         "postcode": messy_postcode(f.rng, pc)},
            "_etag": "%016x" % f.rng.getrandbits(64), "_synced": "2024-03-01T04:00:00Z",
        }
        rows.append(row)
        expected.append(c.build({
            "licence/number": ref, "licence/type": LICENCES[kind], "licence/granted": not refused,
            "licence/issued_on": issued.isoformat(), "licence/expires_on": expires.isoformat(),
            "holder/family_name": holder.family, "holder/given_names": holder.given, "holder/date_of_birth": holder.dob.isoformat(),
            "holder/mobile": phone, "holder/email": email, "premises/name": row["premises"]["name"], "premises/postcode": pc,
        }))
    columns = ["/licenceNo", "/licenceType", "/status", "/dates/issued", "/dates/expires", "/holder/surname",
               "/holder/forenames", "/holder/dob", "/holder/contact/mobile", "/holder/contact/email", "/premises/name",
               "/premises/postcode", "/_etag", "/_synced"]
    schema = s.record("licensing", "Licence holder", "A licence granted (or refused) by the licensing authority.", {
        "licence": s.obj("Licence", "The licence.", {
            "number": s.text("Licence number", "Licensing authority reference."),
            "type": s.text("Licence type", "Kind of licence.", enum=list(LICENCES.values())),
            "granted": s.boolean("Granted", "True when granted, false when refused."),
            "issued_on": s.date("Issued on", "Date of issue."),
            "expires_on": s.date("Expires on", "Date the licence expires."),
            "conditions": s.text("Conditions", "Conditions attached to the licence."),
        }, required=["number"]),
        "holder": s.obj("Holder", "The licence holder.", {
            "family_name": s.text("Family name", "Holder's surname."),
            "given_names": s.text("Given names", "Holder's forenames."),
            "date_of_birth": s.date("Date of birth", "Holder's date of birth."),
            "mobile": s.text("Mobile", "Mobile phone, E.164.", pattern=s.E164),
            "email": s.text("Email", "Email address.", fmt="email"),
        }),
        "premises": s.obj("Premises", "The licensed premises.", {
            "name": s.text("Premises name", "Trading name of the premises."),
            "postcode": s.text("Postcode", "Premises postcode.", pattern=s.POSTCODE_SPACED),
            "opening_hours": s.text("Opening hours", "Permitted hours for licensable activities."),
        }),
    }, required=["licence"])
    fields = [
        c.tf("/licence/number", "/licenceNo", c.text()),
        c.tf("/licence/type", "/licenceType", c.vmap(LICENCES)),
        c.tf("/licence/granted", "/status", c.boolean(["GRANTED"], ["REFUSED"])),
        c.tf("/licence/issued_on", "/dates/issued", c.date("%Y%m%d")),
        c.tf("/licence/expires_on", "/dates/expires", c.date("%Y%m%d")),
        c.tf("/holder/family_name", "/holder/surname", c.text()),
        c.tf("/holder/given_names", "/holder/forenames", c.text()),
        c.tf("/holder/date_of_birth", "/holder/dob", c.date("%Y%m%d")),
        c.tf("/holder/mobile", "/holder/contact/mobile", c.phone()),
        c.tf("/holder/email", "/holder/contact/email", c.text()),
        c.tf("/premises/name", "/premises/name", c.text()),
        c.tf("/premises/postcode", "/premises/postcode", c.postcode()),
    ]
    return CaseSpec(
        name="licensing_jsonl", split="heldout", kind="council licensing", seed=seed,
        mess=["JSON Lines with nested objects (JSON Pointer fields)", "yyyymmdd dates", "licence type codes onto words",
              "GRANTED/REFUSED onto a boolean", "national mobile numbers to E.164", "messy postcodes", "noise _etag, _synced"],
        summary="A licensing system's change feed of licences and their holders.",
        layout=SourceLayout("jsonl"), columns=columns, rows=rows, schema=schema, fields=fields,
        unmapped=["/_etag", "/_synced"], expected=expected,
    )


def cases() -> list[CaseSpec]:
    return [asb_workbook(), licensing_jsonl()]
