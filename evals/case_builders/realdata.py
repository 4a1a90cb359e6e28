"""Cases written from the real public samples in ``../shared/realdata`` (see each folder's PROVENANCE.md).

The first rows of each sample are copied byte for byte into ``source.csv``. The truth is
written here by hand against target schemas written for each case, and the expected
records are computed from the rows with plain Python (``csv``, ``datetime``), not with
crosswalk's transforms, so that applying the true mapping is an independent check.
When the samples are not present the cases are left as they are on disk.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
from pathlib import Path
from typing import Any, Callable

from evals.case_builders import common as c
from evals.case_builders import schema_kit as s
from evals.case_builders.fakes import london_rfc3339
from evals.case_builders.model import CaseSpec, SourceLayout

REALDATA = Path(__file__).resolve().parents[3] / "shared" / "realdata"
ROWS = 150
POLICE_UK_SLUGS = {
    "Anti-social behaviour": "anti-social-behaviour", "Bicycle theft": "bicycle-theft", "Burglary": "burglary",
    "Criminal damage and arson": "criminal-damage-arson", "Drugs": "drugs", "Other theft": "other-theft",
    "Possession of weapons": "possession-of-weapons", "Public order": "public-order", "Robbery": "robbery",
    "Shoplifting": "shoplifting", "Theft from the person": "theft-from-the-person", "Vehicle crime": "vehicle-crime",
    "Violence and sexual offences": "violent-crime", "Other crime": "other-crime",
}
AGE_RANGES = ["under 10", "10-17", "18-24", "25-34", "over 34"]


class Sample:
    """The first ``ROWS`` records of one real-data file: raw bytes, parsed rows and the provenance text."""

    def __init__(self, folder: str, filename: str, delimiter: str = ",") -> None:
        path = REALDATA / folder / filename
        lines = path.read_bytes().splitlines(keepends=True)[: ROWS + 1]
        self.raw = b"".join(lines)
        reader = csv.reader(io.StringIO(self.raw.decode("utf-8"), newline=""), delimiter=delimiter)
        records = list(reader)
        self.header = records[0]
        self.rows = [dict(zip(self.header, r)) for r in records[1:]]
        self.provenance = (REALDATA / folder / "PROVENANCE.md").read_text(encoding="utf-8")
        self.folder = folder

    def readme(self, note: str) -> str:
        return (f"Rows: the header and the first {len(self.rows)} data rows of the sample in "
                f"`shared/realdata/{self.folder}/`, copied byte for byte. {note}\n\n"
                "The sample's PROVENANCE.md, as recorded when the sample was taken:\n\n"
                + "\n".join("> " + line if line else ">" for line in self.provenance.strip().splitlines()))


def _blank(value: str, nulls: tuple[str, ...] = ()) -> str | None:
    text = value.strip()
    return None if not text or text in nulls else text


def _number(value: str, decimal_comma: bool = False) -> float | None:
    text = _blank(value)
    if text is None:
        return None
    return float(text.replace(",", ".") if decimal_comma else text)


def _instant(value: str) -> str | None:
    text = _blank(value)
    if text is None:
        return None
    return london_rfc3339(dt.datetime.fromisoformat(text.replace("Z", "+00:00")))


def _bool(value: str) -> bool | None:
    text = _blank(value)
    return None if text is None else {"true": True, "false": False}[text.lower()]


def gmp_stop_search() -> CaseSpec:
    sample = Sample("uk_stop_search_gmp", "2019-06-greater-manchester-stop-and-search.head300.csv")
    types = {"Person search": "person", "Vehicle search": "vehicle", "Person and Vehicle search": "person_and_vehicle"}
    genders = {"Male": "male", "Female": "female", "Other": "other"}
    ode = {"White": "white", "Black": "black", "Asian": "asian", "Mixed": "mixed", "Other": "other"}
    expected = []
    for r in sample.rows:
        expected.append(c.build({
            "/search/type": types[r["Type"]], "/search/occurred_at": _instant(r["Date"]),
            "/search/part_of_operation": _bool(r["Part of a policing operation"]),
            "/search/operation_name": _blank(r["Policing operation"]), "/search/legislation": _blank(r["Legislation"]),
            "/search/object_of_search": _blank(r["Object of search"]), "/search/outcome": _blank(r["Outcome"]),
            "/search/outcome_linked": _bool(r["Outcome linked to object of search"]),
            "/search/outer_clothing_removed": _bool(r["Removal of more than just outer clothing"]),
            "/location/latitude": _number(r["Latitude"]), "/location/longitude": _number(r["Longitude"]),
            "/subject/gender": genders.get(r["Gender"]) if r["Gender"] else None,
            "/subject/age_range": _blank(r["Age range"]), "/subject/self_defined_ethnicity": _blank(r["Self-defined ethnicity"]),
            "/subject/officer_defined_ethnicity": ode[r["Officer-defined ethnicity"]] if r["Officer-defined ethnicity"] else None,
        }))
    schema = s.record("realdata_stop_search", "Stop and search record", "A stop and search as published to data.police.uk, held by a force.", {
        "search": s.obj("Search", "The search.", {
            "type": s.text("Search type", "Whether a person, a vehicle or both were searched.", enum=list(types.values())),
            "occurred_at": s.date_time("Date and time", "When the search took place."),
            "part_of_operation": s.boolean("Part of a policing operation", "True when the search was part of an operation."),
            "operation_name": s.text("Operation name", "Name of the policing operation, if any."),
            "legislation": s.text("Legislation", "Act and section under which the search was made."),
            "object_of_search": s.text("Object of search", "What the officer was searching for."),
            "outcome": s.text("Outcome", "Outcome of the search."),
            "outcome_linked": s.boolean("Outcome linked to object", "Whether the outcome was linked to the object of the search."),
            "outer_clothing_removed": s.boolean("More than outer clothing removed", "Whether more than outer clothing was removed."),
            "officer_collar": s.text("Officer collar number", "Collar number of the searching officer."),
        }, required=["type"]),
        "location": s.obj("Location", "Approximate location (WGS84).", {
            "latitude": s.number("Latitude", "WGS84 latitude."),
            "longitude": s.number("Longitude", "WGS84 longitude."),
            "force": s.text("Force", "Force that made the search."),
        }),
        "subject": s.obj("Person searched", "The person searched.", {
            "gender": s.text("Gender", "Gender of the person searched.", enum=["male", "female", "other"]),
            "age_range": s.text("Age range", "Age band of the person searched.", enum=AGE_RANGES),
            "self_defined_ethnicity": s.text("Self-defined ethnicity", "Ethnicity in the person's own words (census 18+1)."),
            "officer_defined_ethnicity": s.text("Officer-defined ethnicity", "Broad ethnic group as perceived by the officer.", enum=list(ode.values())),
        }),
    }, required=["search"])
    fields = [
        c.tf("/search/type", "Type", c.vmap(types)),
        c.tf("/search/occurred_at", "Date", c.date_time("%Y-%m-%dT%H:%M:%S%z"), "ISO 8601 with +00:00."),
        c.tf("/search/part_of_operation", "Part of a policing operation", c.boolean(["True"], ["False"])),
        c.tf("/search/operation_name", "Policing operation", c.text(), "Empty in this sample, but this is its home."),
        c.tf("/search/legislation", "Legislation", c.text()),
        c.tf("/search/object_of_search", "Object of search", c.text()),
        c.tf("/search/outcome", "Outcome", c.text()),
        c.tf("/search/outcome_linked", "Outcome linked to object of search", c.boolean(["True"], ["False"])),
        c.tf("/search/outer_clothing_removed", "Removal of more than just outer clothing", c.boolean(["True"], ["False"])),
        c.tf("/location/latitude", "Latitude", c.number()),
        c.tf("/location/longitude", "Longitude", c.number()),
        c.tf("/subject/gender", "Gender", c.vmap(genders)),
        c.tf("/subject/age_range", "Age range", c.vmap({a: a for a in AGE_RANGES})),
        c.tf("/subject/self_defined_ethnicity", "Self-defined ethnicity", c.text()),
        c.tf("/subject/officer_defined_ethnicity", "Officer-defined ethnicity", c.vmap(ode)),
    ]
    return CaseSpec(
        name="realdata_gmp_stop_search", split="cases", kind="stop and search (real data.police.uk)",
        mess=["real data", "ISO date-times with +00:00 to render in UK local time", "True/False text flags with blanks",
              "a column that is empty in every row", "words onto lower-case enums", "blank coordinates"],
        summary="Greater Manchester Police stop and search, June 2019, as published on data.police.uk.",
        layout=SourceLayout("csv"), columns=sample.header, rows=sample.rows, schema=schema, fields=fields, unmapped=[],
        expected=expected, raw_source=sample.raw, provenance=sample.readme("Licence: Open Government Licence v3.0."),
    )


def _street_fields(col: Callable[[str], str], prefix: Callable[[str], str], nulls: tuple[str, ...]) -> list[Any]:
    extra: dict[str, Any] = {"null_values": list(nulls)} if nulls else {}
    return [
        c.tf(prefix("month"), col("month"), {**c.text(), **extra}),
        c.tf(prefix("longitude"), col("longitude"), {**c.number(), **extra}),
        c.tf(prefix("latitude"), col("latitude"), {**c.number(), **extra}),
        c.tf(prefix("location"), col("location"), {**c.text(), **extra}),
        c.tf(prefix("lsoa_code"), col("lsoa_code"), {**c.text(), **extra}),
        c.tf(prefix("lsoa_name"), col("lsoa_name"), {**c.text(), **extra}),
        c.tf(prefix("crime_type"), col("crime_type"), {**c.vmap(POLICE_UK_SLUGS), **extra}),
        c.tf(prefix("last_outcome_category"), col("last_outcome_category"), {**c.text(), **extra}),
    ]


def essex_street() -> CaseSpec:
    sample = Sample("uk_street_essex_snakecase", "2018-01-essex-street.head300.csv")
    targets = {"crime_id": "/crime/police_uk_id", "month": "/crime/month", "reported_by": "/crime/reported_by",
               "falls_within": "/crime/force_area", "longitude": "/location/longitude", "latitude": "/location/latitude",
               "location": "/location/description", "lsoa_code": "/location/lsoa_code", "lsoa_name": "/location/lsoa_name",
               "crime_type": "/crime/category", "last_outcome_category": "/crime/last_outcome", "context": "/crime/context"}
    expected = []
    for r in sample.rows:
        values: dict[str, Any] = {}
        for column, target in targets.items():
            if column in ("longitude", "latitude"):
                values[target] = _number(r[column])
            elif column == "crime_type":
                values[target] = POLICE_UK_SLUGS[r[column]]
            else:
                values[target] = _blank(r[column])
        expected.append(c.build(values))
    schema = s.record("realdata_street_crime", "Street-level crime", "A crime or ASB incident as published on data.police.uk.", {
        "crime": s.obj("Crime", "The crime or incident.", {
            "police_uk_id": s.text("Crime ID", "data.police.uk persistent crime identifier (64 hex digits); absent for ASB.", pattern=r"^[0-9a-f]{64}$"),
            "month": s.text("Month", "Month of the crime, YYYY-MM.", pattern=s.YEAR_MONTH),
            "reported_by": s.text("Reported by", "Force that provided the data."),
            "force_area": s.text("Falls within", "Force area the crime falls within."),
            "category": s.text("Crime category", "data.police.uk category slug.", enum=sorted(set(POLICE_UK_SLUGS.values()))),
            "last_outcome": s.text("Last outcome", "Latest outcome category."),
            "context": s.text("Context", "Extra context supplied by the force."),
        }, required=["month", "category"]),
        "location": s.obj("Location", "Anonymised location.", {
            "longitude": s.number("Longitude", "WGS84 longitude of the snap point."),
            "latitude": s.number("Latitude", "WGS84 latitude of the snap point."),
            "description": s.text("Location description", "'On or near ...' description of the snap point."),
            "lsoa_code": s.text("LSOA code", "2011 lower layer super output area code.", pattern=s.LSOA),
            "lsoa_name": s.text("LSOA name", "LSOA name."),
            "postcode": s.text("Postcode", "Nearest postcode.", pattern=s.POSTCODE_SPACED),
        }),
    })
    col = {v: k for k, v in targets.items()}
    fields = [
        c.tf("/crime/police_uk_id", "crime_id", c.text()),
        c.tf("/crime/reported_by", "reported_by", c.text()),
        c.tf("/crime/force_area", "falls_within", c.text()),
        c.tf("/crime/context", "context", c.text(), "Empty in this sample, but this is its home."),
    ] + _street_fields(lambda name: name, lambda name: targets[name], ())
    assert {f.target for f in fields} == set(col)
    return CaseSpec(
        name="realdata_essex_street", split="cases", kind="street-level crime (real data.police.uk)",
        mess=["real data", "header renamed to snake_case by a third party", "ASB rows with an empty crime_id",
              "police.uk category names onto slugs", "a column that is empty in every row"],
        summary="Essex Police street-level crime and ASB, January 2018, from data.police.uk (snake_case copy).",
        layout=SourceLayout("csv"), columns=sample.header, rows=sample.rows, schema=schema, fields=fields, unmapped=[],
        expected=expected, raw_source=sample.raw, provenance=sample.readme("Licence: Open Government Licence v3.0 (data.police.uk)."),
    )


def merseyside_processed() -> CaseSpec:
    """Held out: an R-processed copy: index columns, quoted strings, NA for missing values."""
    sample = Sample("uk_street_merseyside_processed", "merseyside_shoplifting.head300.csv")
    names = {"month": "/month", "longitude": "/geo/lon", "latitude": "/geo/lat", "location": "/geo/description",
             "lsoa_code": "/geo/lsoaCode", "lsoa_name": "/geo/lsoaName", "crime_type": "/crimeCategory",
             "last_outcome_category": "/lastOutcome"}
    expected = []
    for r in sample.rows:
        values: dict[str, Any] = {"/crimeId": _blank(r["crime_id"], ("NA",)), "/force": _blank(r["reported_by"], ("NA",)),
                                  "/forceArea": _blank(r["falls_within"], ("NA",))}
        for column, target in names.items():
            if column in ("longitude", "latitude"):
                values[target] = _number(r[column]) if _blank(r[column], ("NA",)) else None
            elif column == "crime_type":
                values[target] = POLICE_UK_SLUGS[r[column]]
            else:
                values[target] = _blank(r[column], ("NA",))
        expected.append(c.build(values))
    schema = s.record("realdata_street_crime_camel", "Recorded crime (open data)", "A data.police.uk street-level record.", {
        "crimeId": s.text("Crime ID", "Persistent data.police.uk crime id.", pattern=r"^[0-9a-f]{64}$"),
        "month": s.text("Month", "Month, YYYY-MM.", pattern=s.YEAR_MONTH),
        "force": s.text("Reporting force", "Force that supplied the record."),
        "forceArea": s.text("Force area", "Force area the record falls within."),
        "crimeCategory": s.text("Category", "police.uk crime category slug.", enum=sorted(set(POLICE_UK_SLUGS.values()))),
        "lastOutcome": s.text("Last outcome", "Most recent outcome category."),
        "geo": s.obj("Geography", "Where.", {
            "lat": s.number("Latitude", "WGS84 latitude."),
            "lon": s.number("Longitude", "WGS84 longitude."),
            "description": s.text("Description", "Location description."),
            "lsoaCode": s.text("LSOA code", "LSOA code.", pattern=s.LSOA),
            "lsoaName": s.text("LSOA name", "LSOA name."),
            "wardCode": s.text("Ward code", "Electoral ward code.", pattern=s.WARD),
        }),
        "reportedAt": s.date_time("Reported at", "When the crime was reported."),
    }, required=["month"])
    header = ["column_1", "...1"] + sample.header[2:]  # the reader names the unnamed first column 'column_1'
    fields = [
        c.tf("/crimeId", "crime_id", {**c.text(), "null_values": ["NA"]}),
        c.tf("/force", "reported_by", {**c.text(), "null_values": ["NA"]}),
        c.tf("/forceArea", "falls_within", {**c.text(), "null_values": ["NA"]}),
    ] + _street_fields(lambda name: name, lambda name: names[name], ("NA",))
    return CaseSpec(
        name="realdata_merseyside_shoplifting", split="heldout", kind="street-level crime (real, R-processed)",
        mess=["real data", "two leading R index columns, one with an empty header", "every string quoted",
              "NA for missing values", "camelCase target with a nested geo object"],
        summary="Merseyside Police shoplifting records, 2019, exported from R by a textbook.",
        layout=SourceLayout("csv"), columns=header, rows=sample.rows, schema=schema, fields=fields,
        unmapped=["column_1", "...1", "context"], expected=expected, raw_source=sample.raw,
        unmapped_reasons={"column_1": "R row names", "...1": "R index of the original file", "context": "always NA; no home in the target"},
        provenance=sample.readme("Licence: CC0 repository; data.police.uk data under the Open Government Licence v3.0."),
    )


def febrl_persons() -> CaseSpec:
    sample = Sample("febrl1_synthetic_persons", "febrl_dataset1.head300.csv")
    expected = []
    for r in sample.rows:
        dob = _blank(r[" date_of_birth"])
        try:
            dob_iso = dt.datetime.strptime(dob, "%Y%m%d").date().isoformat() if dob else None
        except ValueError:
            dob_iso = None  # two corrupted dates (e.g. 19371233): quarantined
        number = _blank(r[" street_number"])
        expected.append(c.build({
            "/person/record_id": _blank(r["rec_id"]), "/person/given_name": _blank(r[" given_name"]),
            "/person/family_name": _blank(r[" surname"]), "/person/date_of_birth": dob_iso,
            "/person/social_security_id": _blank(r[" soc_sec_id"]),
            "/address/street_number": int(number) if number else None, "/address/street": _blank(r[" address_1"]),
            "/address/locality": _blank(r[" address_2"]), "/address/suburb": _blank(r[" suburb"]),
            "/address/postcode": _blank(r[" postcode"]), "/address/state": _blank(r[" state"]),
        }))
    schema = s.record("realdata_person_index", "Person index entry", "A person with a postal address (Australian format).", {
        "person": s.obj("Person", "The person.", {
            "record_id": s.text("Record ID", "Identifier of the record in the source index."),
            "given_name": s.text("Given name", "First name."),
            "family_name": s.text("Family name", "Surname."),
            "date_of_birth": s.date("Date of birth", "Date of birth."),
            "sex": s.text("Sex", "Sex of the person.", enum=["male", "female", "unknown"]),
            "social_security_id": s.text("Social security number", "Government social security identifier."),
        }, required=["record_id"]),
        "address": s.obj("Address", "Postal address.", {
            "street_number": s.integer("Street number", "House number on the street.", minimum=0),
            "street": s.text("Street", "Street name and type."),
            "locality": s.text("Address line 2", "Property or locality name."),
            "suburb": s.text("Suburb", "Suburb or town."),
            "postcode": s.text("Postcode", "Four-digit Australian postcode.", pattern=r"^[0-9]{4}$"),
            "state": s.text("State", "State or territory abbreviation as recorded."),
        }),
    }, required=["person"])
    fields = [
        c.tf("/person/record_id", "rec_id", c.text()),
        c.tf("/person/given_name", "given_name", c.text()),
        c.tf("/person/family_name", "surname", c.text()),
        c.tf("/person/date_of_birth", "date_of_birth", c.date("%Y%m%d")),
        c.tf("/person/social_security_id", "soc_sec_id", c.text()),
        c.tf("/address/street_number", "street_number", c.integer()),
        c.tf("/address/street", "address_1", c.text()),
        c.tf("/address/locality", "address_2", c.text()),
        c.tf("/address/suburb", "suburb", c.text()),
        c.tf("/address/postcode", "postcode", c.text()),
        c.tf("/address/state", "state", c.text()),
    ]
    header = [h.strip() for h in sample.header]  # the reader trims the spaces after each comma
    return CaseSpec(
        name="realdata_febrl_persons", split="cases", kind="person index (real synthetic benchmark)",
        mess=["real benchmark data", "a space after every comma (headers and values)", "lower-case names",
              "yyyymmdd dates of birth, two of them impossible (quarantined)", "blank cells as a single space",
              "non-UK postcodes and states"],
        summary="FEBRL synthetic person records (record linkage benchmark), with corrupted duplicates.",
        layout=SourceLayout("csv"), columns=header, rows=sample.rows, schema=schema, fields=fields, unmapped=[],
        expected=expected, raw_source=sample.raw, provenance=sample.readme("Licence: BSD-3-Clause repository; synthetic data."),
    )


def medellin_homicides() -> CaseSpec:
    sample = Sample("medellin_homicides_es", "medellin_homicides.head300.csv", delimiter=";")
    sexes = {"Hombre": "male", "Mujer": "female"}
    expected = [c.build({
        "/homicide/occurred_at": _instant(r["fecha_hecho"]), "/homicide/method": _blank(r["modalidad"]),
        "/location/latitude": _number(r["latitud"], decimal_comma=True),
        "/location/longitude": _number(r["longitud"], decimal_comma=True),
        "/victim/sex": sexes[r["sexo"]], "/victim/age": int(r["edad"]) if _blank(r["edad"]) else None,
    }) for r in sample.rows]
    schema = s.record("realdata_homicide", "Homicide victim", "One victim of a homicide.", {
        "homicide": s.obj("Homicide", "The killing.", {
            "reference": s.text("Case reference", "Investigation reference."),
            "occurred_at": s.date_time("Occurred at", "Date and time of the incident."),
            "method": s.text("Method", "How the victim was killed (weapon or mechanism)."),
        }),
        "location": s.obj("Location", "Where it happened (WGS84).", {
            "latitude": s.number("Latitude", "WGS84 latitude.", minimum=-90, maximum=90),
            "longitude": s.number("Longitude", "WGS84 longitude.", minimum=-180, maximum=180),
            "neighbourhood": s.text("Neighbourhood", "Neighbourhood or district."),
        }),
        "victim": s.obj("Victim", "The victim.", {
            "sex": s.text("Sex", "Victim's sex.", enum=["male", "female", "unknown"]),
            "age": s.integer("Age", "Victim's age in years.", minimum=0, maximum=120),
            "name": s.text("Name", "Victim's name."),
        }),
    })
    fields = [
        c.tf("/homicide/occurred_at", "fecha_hecho", c.date_time("%Y-%m-%dT%H:%M:%S%z"), "UTC instant with Z."),
        c.tf("/homicide/method", "modalidad", c.text()),
        c.tf("/location/latitude", "latitud", c.number(decimal_comma=True)),
        c.tf("/location/longitude", "longitud", c.number(decimal_comma=True)),
        c.tf("/victim/sex", "sexo", c.vmap(sexes)),
        c.tf("/victim/age", "edad", c.integer()),
    ]
    return CaseSpec(
        name="realdata_medellin_homicides", split="cases", kind="homicides (real open data, Spanish)",
        mess=["real data", "Spanish column names (fecha_hecho, latitud, sexo, edad)", "semicolon delimiter",
              "decimal commas in coordinates", "Hombre/Mujer onto male/female", "UTC instants with Z"],
        summary="Homicides in Medellín, Colombia (MEData open data), as kept by an R teaching package.",
        layout=SourceLayout("csv", delimiter=";"), columns=sample.header, rows=sample.rows, schema=schema, fields=fields,
        unmapped=[], expected=expected, raw_source=sample.raw,
        provenance=sample.readme("Licence: Creative Commons Attribution Share-Alike (dataset); MIT (package)."),
    )


def splink_persons() -> CaseSpec:
    """Held out: synthetic person records with trailing spaces and a linkage label column."""
    sample = Sample("splink_fake_1000", "fake_1000_from_splink_demos.head300.csv")
    expected = [c.build({
        "/person/id": _blank(r["unique_id"]), "/person/first_name": _blank(r["first_name"]),
        "/person/last_name": _blank(r["surname"]), "/person/date_of_birth": _blank(r["dob"]),
        "/address/town": _blank(r["city"]),
        "/contact/email": _blank(r["email"]) if "@" in r["email"] else None,  # two typed without '@' fail the format
    }) for r in sample.rows]
    schema = s.record("realdata_person_contact", "Person with contact details", "A person, their town and email address.", {
        "person": s.obj("Person", "The person.", {
            "id": s.text("Source ID", "Identifier of the row in the source system."),
            "first_name": s.text("First name", "Given name."),
            "last_name": s.text("Last name", "Family name."),
            "date_of_birth": s.date("Date of birth", "Date of birth."),
            "nhs_number": s.text("NHS number", "NHS number.", pattern=s.NHS_DIGITS),
        }, required=["id"]),
        "address": s.obj("Address", "Home address.", {
            "town": s.text("Town", "Town or city."),
            "postcode": s.text("Postcode", "Postcode.", pattern=s.POSTCODE_SPACED),
        }),
        "contact": s.obj("Contact", "How to reach the person.", {
            "email": s.text("Email", "Email address.", fmt="email"),
            "phone": s.text("Phone", "Telephone, E.164.", pattern=s.E164),
        }),
    }, required=["person"])
    fields = [
        c.tf("/person/id", "unique_id", c.text()),
        c.tf("/person/first_name", "first_name", c.text()),
        c.tf("/person/last_name", "surname", c.text()),
        c.tf("/person/date_of_birth", "dob", c.date("%Y-%m-%d")),
        c.tf("/address/town", "city", c.text()),
        c.tf("/contact/email", "email", c.text()),
    ]
    return CaseSpec(
        name="realdata_splink_persons", split="heldout", kind="person records (real synthetic benchmark)",
        mess=["real benchmark data", "trailing spaces in names", "blank names and emails", "ISO dates",
              "a linkage label column (cluster) with no home"],
        summary="Splink's fake_1000 demo person records (UK Ministry of Justice).",
        layout=SourceLayout("csv"), columns=sample.header, rows=sample.rows, schema=schema, fields=fields,
        unmapped=["cluster"], unmapped_reasons={"cluster": "true entity id of the benchmark, not a property of the person"},
        expected=expected, raw_source=sample.raw, provenance=sample.readme("Licence: MIT (Copyright (c) 2020 Ministry of Justice)."),
    )


BUILDERS = [gmp_stop_search, essex_street, febrl_persons, medellin_homicides, merseyside_processed, splink_persons]


def cases() -> list[CaseSpec]:
    if not REALDATA.is_dir():
        print(f"note: {REALDATA} not found; the real-data cases on disk are left as they are", file=sys.stderr)
        return []
    return [build() for build in BUILDERS]
