"""Command and control (CAD) incidents as JSON Lines: epoch milliseconds, BNG grid, grade codes, caller details."""

from __future__ import annotations

import datetime as dt

from evals.case_builders import common as c
from evals.case_builders import schema_kit as s
from evals.case_builders.fakes import UTC, Fakes, grid_to_latlon, london_rfc3339
from evals.case_builders.model import CaseSpec, SourceLayout
from evals.case_builders.render import forename_first, national_phone

GRADES = {"G1": "immediate", "G2": "priority", "G3": "scheduled", "G4": "resolution"}
OPENING = ["ASB - NUISANCE", "DOMESTIC INCIDENT", "CONCERN FOR SAFETY", "SUSPICIOUS CIRCUMSTANCES", "RTC - DAMAGE ONLY",
           "BURGLARY - RESIDENTIAL", "THEFT - SHOPLIFTING", "MISSING PERSON"]
CLOSING = ["CRIME RECORDED", "NO FURTHER ACTION", "ADVICE GIVEN", "ARREST MADE", "DUPLICATE", "REFERRED TO PARTNER"]


def cad_jsonl() -> CaseSpec:
    seed = 801
    f = Fakes(seed)
    rows, expected = [], []
    start = dt.datetime(2023, 3, 20, tzinfo=UTC)
    for i in range(150):
        opened = start + dt.timedelta(seconds=f.rng.randint(0, 14 * 86400))  # spans the March clock change
        closed = opened + dt.timedelta(seconds=f.rng.randint(600, 20000)) if f.chance(0.85) else None
        grade = f.pick(["G1", "G2", "G2", "G3", "G3", "G4"])
        caller = f.person(awkward=0.15, middle=0.05, born=(1940, 2005)) if f.chance(0.85) else None
        phone = f.pick([f.mobile, f.mobile, f.landline])() if caller else None  # type: ignore[operator]
        easting, northing = f.grid_point(f.pick(["Leeds", "Bradford", "Leeds"]))  # type: ignore[arg-type]
        lat, lon = grid_to_latlon(easting, northing)
        ref = f"CAD-{opened.strftime('%y%m%d')}-{i:04d}"
        rows.append({
            "incident_no": ref, "opened_ms": int(opened.timestamp() * 1000),
            "closed_ms": int(closed.timestamp() * 1000) if closed else None, "grade": grade,
            "opening_code": f.pick(OPENING), "closing_code": f.pick(CLOSING) if closed else None,
            "caller": {"name": forename_first(caller) if caller else None, "phone": national_phone(phone) if phone else None},
            "grid": {"e": easting, "n": northing}, "beat": f.pick(["LS6A", "LS6B", "BD7C", "LS9D"]),
            "_rev": f"{f.rng.randint(1, 9)}-{f.rng.getrandbits(32):08x}", "ingested_at": "2024-04-02T03:00:00.000Z",
        })
        expected.append(c.build({
            "/incident/reference": ref, "/incident/opened_at": london_rfc3339(opened),
            "/incident/closed_at": london_rfc3339(closed) if closed else None, "/incident/grade": GRADES[grade],
            "/incident/opening_type": rows[-1]["opening_code"], "/incident/closing_code": rows[-1]["closing_code"],
            "/caller/family_name": caller.family.upper() if caller else None, "/caller/given_name": caller.given if caller else None,
            "/caller/phone": phone, "/location/latitude": lat, "/location/longitude": lon,
        }))
    columns = ["/incident_no", "/opened_ms", "/closed_ms", "/grade", "/opening_code", "/closing_code", "/caller/name",
               "/caller/phone", "/grid/e", "/grid/n", "/beat", "/_rev", "/ingested_at"]
    schema = s.record("cad_incident", "Command and control incident", "A call for service logged in the control room.", {
        "incident": s.obj("Incident", "The log.", {
            "reference": s.text("Incident number", "Control room log number."),
            "opened_at": s.date_time("Opened", "When the log was opened."),
            "closed_at": s.date_time("Closed", "When the log was closed."),
            "grade": s.text("Grade", "Response grade.", enum=list(GRADES.values())),
            "opening_type": s.text("Opening classification", "What the call was first classified as."),
            "closing_code": s.text("Closing code", "How the log was resulted."),
        }, required=["reference", "opened_at"]),
        "caller": s.obj("Caller", "The person who called.", {
            "family_name": s.text("Family name", "Caller's surname."),
            "given_name": s.text("Given name", "Caller's first name(s)."),
            "phone": s.text("Phone", "Caller's number in E.164.", pattern=s.E164),
        }),
        "location": s.obj("Location", "Where the incident is (WGS84).", {
            "latitude": s.number("Latitude", "WGS84 latitude, decimal degrees."),
            "longitude": s.number("Longitude", "WGS84 longitude, decimal degrees."),
            "address": s.text("Address", "Address given by the caller."),
        }),
    }, required=["incident"])
    fields = [
        c.tf("/incident/reference", "/incident_no", c.text()),
        c.tf("/incident/opened_at", "/opened_ms", c.epoch("ms")),
        c.tf("/incident/closed_at", "/closed_ms", c.epoch("ms")),
        c.tf("/incident/grade", "/grade", c.vmap(GRADES)),
        c.tf("/incident/opening_type", "/opening_code", c.text()),
        c.tf("/incident/closing_code", "/closing_code", c.text()),
        c.tf("/caller/family_name", "/caller/name", c.split("forename_first", "family")),
        c.tf("/caller/given_name", "/caller/name", c.split("forename_first", "given")),
        c.tf("/caller/phone", "/caller/phone", c.phone()),
        c.tf("/location/latitude", ["/grid/e", "/grid/n"], c.bng("latitude")),
        c.tf("/location/longitude", ["/grid/e", "/grid/n"], c.bng("longitude")),
    ]
    return CaseSpec(
        name="cad_incidents_jsonl", split="cases", kind="command and control incidents", seed=seed,
        mess=["JSON Lines", "epoch milliseconds across the March clock change", "grade codes G1-G4 onto words",
              "caller name forename-first in one field", "BNG e/n in a nested object with terse names",
              "noise beat, _rev, ingested_at"],
        summary="A control room system's incident log feed.",
        layout=SourceLayout("jsonl"), columns=columns, rows=rows, schema=schema, fields=fields,
        unmapped=["/beat", "/_rev", "/ingested_at"], expected=expected,
    )


def cases() -> list[CaseSpec]:
    return [cad_jsonl()]
