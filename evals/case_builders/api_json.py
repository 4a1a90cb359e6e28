"""Nested JSON API exports: a vendor incident API (US dates, epoch milliseconds) and held-out ANPR reads."""

from __future__ import annotations

import datetime as dt

from evals.case_builders import common as c
from evals.case_builders import schema_kit as s
from evals.case_builders.fakes import UTC, Fakes, epoch_ms, grid_to_latlon, london_rfc3339
from evals.case_builders.model import CaseSpec, SourceLayout
from evals.case_builders.render import messy_postcode, messy_vrm, national_phone, us_date

MAKES = ["FORD", "VAUXHALL", "VOLKSWAGEN", "BMW", "TOYOTA", "NISSAN", "AUDI", "KIA", "PEUGEOT"]
COLOURS = ["BLACK", "SILVER", "WHITE", "BLUE", "RED", "GREY"]


def vendor_incidents() -> CaseSpec:
    seed = 701
    f = Fakes(seed)
    genders = {"MALE": "male", "FEMALE": "female", "UNKNOWN": "unknown"}
    rows, expected = [], []
    for i in range(120):
        p = f.person(awkward=0.15, middle=0.1, born=(1950, 2006))
        gender = "UNKNOWN" if f.chance(0.05) else ("MALE" if p.sex == "M" else "FEMALE")
        occurred = f.local_datetime(dt.date(2023, 1, 1), dt.date(2023, 12, 31))
        reported = occurred + dt.timedelta(minutes=f.rng.randint(5, 900))
        phone = f.mobile() if f.chance(0.75) else None
        email = f"{p.given.split()[0].lower()}{f.rng.randint(1, 99)}@example.com" if f.chance(0.5) else None
        pc = f.postcode()
        lat, lon = grid_to_latlon(*f.grid_point())
        has_vehicle = f.chance(0.4)
        vrm = f.vrm() if has_vehicle else None
        ref = f"INC-2023-{100 + i * 41:06d}"
        rows.append({
            "id": "%08x-%04x-%04x-%04x-%012x" % (f.rng.getrandbits(32), f.rng.getrandbits(16), f.rng.getrandbits(16),
                                                 f.rng.getrandbits(16), f.rng.getrandbits(48)),
            "reference": ref,
            "subject": {"name": {"first": p.given, "last": p.family}, "dob": us_date(p.dob), "gender": gender,
                        "contact": {"phone": national_phone(phone) if phone else None, "email": email}},
            "event": {"occurredAt": epoch_ms(occurred), "reportedAt": epoch_ms(reported)},
            "location": {"postcode": messy_postcode(f.rng, pc), "lat": lat, "lng": lon},
            "vehicle": {"vrm": messy_vrm(f.rng, vrm) if vrm else None, "make": f.pick(MAKES) if has_vehicle else None,
                        "colour": f.pick(COLOURS) if has_vehicle else None},
            "meta": {"etag": "W/\"%x\"" % f.rng.getrandbits(40), "version": f.rng.randint(1, 7), "updatedBy": "svc-sync"},
            "tags": f.rng.sample(["domestic", "repeat", "vulnerable", "hate", "youth"], f.rng.randint(0, 2)),
        })
        expected.append(c.build({
            "/incident/reference": ref, "/incident/occurredAt": london_rfc3339(occurred),
            "/incident/reportedAt": None,  # set below from the epoch instant
            "/subject/firstName": p.given, "/subject/lastName": p.family, "/subject/dateOfBirth": p.dob.isoformat(),
            "/subject/sex": genders[gender], "/subject/phone": phone, "/subject/email": email,
            "/location/postcode": pc, "/location/latitude": lat, "/location/longitude": lon,
            "/vehicle/registration": vrm, "/vehicle/make": rows[-1]["vehicle"]["make"], "/vehicle/colour": rows[-1]["vehicle"]["colour"],
        }))
    # reported may fall in a clock change: render the instant, not the wall time.
    for row, record in zip(rows, expected):
        instant = dt.datetime.fromtimestamp(row["event"]["reportedAt"] / 1000, UTC)
        record["incident"] = {**record["incident"], "reportedAt": london_rfc3339(instant)}
    columns = ["/id", "/reference", "/subject/name/first", "/subject/name/last", "/subject/dob", "/subject/gender",
               "/subject/contact/phone", "/subject/contact/email", "/event/occurredAt", "/event/reportedAt",
               "/location/postcode", "/location/lat", "/location/lng", "/vehicle/vrm", "/vehicle/make", "/vehicle/colour",
               "/meta/etag", "/meta/version", "/meta/updatedBy", "/tags"]
    schema = s.record("vendor_incident", "Incident", "An incident with its subject, place and vehicle.", {
        "incident": s.obj("Incident", "The incident.", {
            "reference": s.text("Incident reference", "Force incident number."),
            "occurredAt": s.date_time("Occurred at", "When it happened."),
            "reportedAt": s.date_time("Reported at", "When it was reported."),
            "summary": s.text("Summary", "Short narrative."),
        }, required=["reference"]),
        "subject": s.obj("Subject", "The person involved.", {
            "firstName": s.text("First name", "Given name(s)."),
            "lastName": s.text("Last name", "Family name."),
            "dateOfBirth": s.date("Date of birth", "Subject's date of birth."),
            "sex": s.text("Sex", "Subject's sex.", enum=["male", "female", "unknown"]),
            "phone": s.text("Phone", "Phone number, E.164.", pattern=s.E164),
            "email": s.text("Email", "Email address.", fmt="email"),
            "pncId": s.text("PNC ID", "Police National Computer ID.", pattern=s.PNC_ID),
        }),
        "location": s.obj("Location", "Where it happened.", {
            "postcode": s.text("Postcode", "Postcode, upper case with a space.", pattern=s.POSTCODE_SPACED),
            "latitude": s.number("Latitude", "WGS84 latitude."),
            "longitude": s.number("Longitude", "WGS84 longitude."),
        }),
        "vehicle": s.obj("Vehicle", "Vehicle involved.", {
            "registration": s.text("Registration", "VRM in the current style with its space, e.g. AB12 CDE.", pattern=s.VRM_SPACED),
            "make": s.text("Make", "Manufacturer."),
            "colour": s.text("Colour", "Main colour."),
        }),
    }, required=["incident"])
    fields = [
        c.tf("/incident/reference", "/reference", c.text()),
        c.tf("/incident/occurredAt", "/event/occurredAt", c.epoch("ms")),
        c.tf("/incident/reportedAt", "/event/reportedAt", c.epoch("ms")),
        c.tf("/subject/firstName", "/subject/name/first", c.text()),
        c.tf("/subject/lastName", "/subject/name/last", c.text()),
        c.tf("/subject/dateOfBirth", "/subject/dob", c.date("%m/%d/%Y"), "US month-first dates (days above 12 settle it)."),
        c.tf("/subject/sex", "/subject/gender", c.vmap(genders)),
        c.tf("/subject/phone", "/subject/contact/phone", c.phone()),
        c.tf("/subject/email", "/subject/contact/email", c.text()),
        c.tf("/location/postcode", "/location/postcode", c.postcode()),
        c.tf("/location/latitude", "/location/lat", c.number()),
        c.tf("/location/longitude", "/location/lng", c.number()),
        c.tf("/vehicle/registration", "/vehicle/vrm", c.vrm(space=True)),
        c.tf("/vehicle/make", "/vehicle/make", c.text()),
        c.tf("/vehicle/colour", "/vehicle/colour", c.text()),
    ]
    return CaseSpec(
        name="vendor_api_json", split="cases", kind="incident (vendor API)", seed=seed,
        mess=["nested JSON array (JSON Pointer fields)", "US mm/dd/yyyy dates of birth", "epoch milliseconds",
              "gender words in capitals onto lower-case enum", "national phone numbers", "VRMs to the spaced style",
              "noise id, meta/*, tags (an array)"],
        summary="Incidents pulled from a vendor's REST API, one JSON object per incident.",
        layout=SourceLayout("json"), columns=columns, rows=rows, schema=schema, fields=fields,
        unmapped=["/id", "/meta/etag", "/meta/version", "/meta/updatedBy", "/tags"], expected=expected,
    )


def anpr_reads() -> CaseSpec:
    """Held out: ANPR camera reads; UTC ISO instants with Z, BNG camera sites, plates in mixed styles."""
    seed = 702
    f = Fakes(seed)
    sites = [(f"CAM-{place[:2].upper()}-{n:04d}", f"{road} ({place})", f.grid_point(place))
             for n, (place, road) in enumerate([("Leeds", "A64 York Road"), ("Leeds", "A660 Otley Road"),
                                                ("Bradford", "A650 Canal Road"), ("Sheffield", "A61 Penistone Road"),
                                                ("Manchester", "A34 Kingsway")], start=40)]
    rows, expected = [], []
    for i in range(150):
        cam, site, (easting, northing) = f.pick(sites)  # type: ignore[misc]
        lat, lon = grid_to_latlon(easting, northing)
        seen = dt.datetime(2023, 10, 28, 12, 0, tzinfo=UTC) + dt.timedelta(seconds=f.rng.randint(0, 2 * 86400))
        vrm = f.vrm()
        hit = f.chance(0.07)
        confidence = round(f.rng.uniform(0.72, 0.995), 3)
        rows.append({
            "readId": 5_000_000 + i * 13, "capturedAt": seen.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "camera": {"id": cam, "site": site, "grid": {"easting": easting, "northing": northing}},
            "plate": {"text": messy_vrm(f.rng, vrm), "confidence": confidence, "country": "GB"},
            "vehicle": {"make": f.pick(MAKES), "colour": f.pick(COLOURS)},
            "hotlist": {"hit": hit, "list": f.pick(["PNC-STOLEN", "NO-INSURANCE", "LOCAL-INTEL"]) if hit else None},
            "system": {"node": f.pick(["anpr-01", "anpr-03"]), "ingestLagMs": f.rng.randint(40, 900)},
        })
        expected.append(c.build({
            "/read/id": rows[-1]["readId"], "/read/captured_at": london_rfc3339(seen), "/read/plate_confidence": confidence,
            "/camera/id": cam, "/camera/site": site, "/location/latitude": lat, "/location/longitude": lon,
            "/vehicle/vrm": vrm.replace(" ", ""), "/vehicle/make": rows[-1]["vehicle"]["make"],
            "/vehicle/colour": rows[-1]["vehicle"]["colour"], "/alert/hotlist_hit": hit,
            "/alert/hotlist_name": rows[-1]["hotlist"]["list"],
        }))
    columns = ["/readId", "/capturedAt", "/camera/id", "/camera/site", "/camera/grid/easting", "/camera/grid/northing",
               "/plate/text", "/plate/confidence", "/plate/country", "/vehicle/make", "/vehicle/colour", "/hotlist/hit",
               "/hotlist/list", "/system/node", "/system/ingestLagMs"]
    schema = s.record("anpr_read", "ANPR read", "One automatic number plate recognition read.", {
        "read": s.obj("Read", "The read event.", {
            "id": s.integer("Read ID", "Identifier of the read in the national ANPR data centre."),
            "captured_at": s.date_time("Captured at", "When the camera saw the plate."),
            "plate_confidence": s.number("Plate confidence", "OCR confidence between 0 and 1.", minimum=0, maximum=1),
        }, required=["id", "captured_at"]),
        "camera": s.obj("Camera", "The camera.", {
            "id": s.text("Camera ID", "Camera identifier."),
            "site": s.text("Site", "Where the camera is."),
        }),
        "location": s.obj("Location", "Camera location, WGS84.", {
            "latitude": s.number("Latitude", "WGS84 latitude."),
            "longitude": s.number("Longitude", "WGS84 longitude."),
        }),
        "vehicle": s.obj("Vehicle", "The vehicle seen.", {
            "vrm": s.text("VRM", "Vehicle registration mark, upper case, no spaces.", pattern=s.VRM_COMPACT),
            "make": s.text("Make", "Vehicle make."),
            "colour": s.text("Colour", "Vehicle colour."),
            "model": s.text("Model", "Vehicle model."),
        }),
        "alert": s.obj("Alert", "Hotlist match.", {
            "hotlist_hit": s.boolean("Hotlist hit", "True when the plate matched a hotlist."),
            "hotlist_name": s.text("Hotlist", "Name of the matching hotlist."),
        }),
    }, required=["read"])
    fields = [
        c.tf("/read/id", "/readId", c.integer()),
        c.tf("/read/captured_at", "/capturedAt", c.date_time("%Y-%m-%dT%H:%M:%S%z")),
        c.tf("/read/plate_confidence", "/plate/confidence", c.number()),
        c.tf("/camera/id", "/camera/id", c.text()),
        c.tf("/camera/site", "/camera/site", c.text()),
        c.tf("/location/latitude", ["/camera/grid/easting", "/camera/grid/northing"], c.bng("latitude")),
        c.tf("/location/longitude", ["/camera/grid/easting", "/camera/grid/northing"], c.bng("longitude")),
        c.tf("/vehicle/vrm", "/plate/text", c.vrm(space=False)),
        c.tf("/vehicle/make", "/vehicle/make", c.text()),
        c.tf("/vehicle/colour", "/vehicle/colour", c.text()),
        c.tf("/alert/hotlist_hit", "/hotlist/hit", c.boolean()),
        c.tf("/alert/hotlist_name", "/hotlist/list", c.text()),
    ]
    return CaseSpec(
        name="anpr_reads_json", split="heldout", kind="ANPR reads (nested JSON)", seed=seed,
        mess=["nested JSON array", "UTC instants with Z across the October clock change", "BNG grid in a nested object",
              "plates with and without spaces, some lower case", "JSON booleans and numbers",
              "noise plate/country, system/*"],
        summary="ANPR reads exported from a back-office system's API.",
        layout=SourceLayout("json"), columns=columns, rows=rows, schema=schema, fields=fields,
        unmapped=["/plate/country", "/system/node", "/system/ingestLagMs"], expected=expected,
    )


def cases() -> list[CaseSpec]:
    return [vendor_incidents(), anpr_reads()]
