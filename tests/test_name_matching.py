"""Name similarity: realistic source columns against a police-style target standard."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools.names import NameMatch, TargetText, load_thesaurus, name_similarity, rank_targets

# A target standard in the style of the project's own: persons, officers, events,
# custody, locations, vehicles. Some fields carry titles and descriptions, some do not.
TARGETS: list[TargetText] = [
    TargetText("/record_id", "Record identifier", "The identifier the source gives this record."),
    TargetText("/person/family_name", "Family name", "The subject person's surname."),
    TargetText("/person/given_names", "Given names", "The subject person's forenames."),
    TargetText("/person/full_name"),
    TargetText("/person/date_of_birth", "Date of birth"),
    TargetText("/person/age"),
    TargetText("/person/sex", "Sex / gender"),
    TargetText("/person/officer_defined_ethnicity", "Officer-defined ethnicity"),
    TargetText("/person/self_defined_ethnicity", "Self-defined ethnicity"),
    TargetText("/person/nationality"),
    TargetText("/person/pnc_id", "PNC ID", "Police National Computer identifier."),
    TargetText("/person/cro_number", "CRO number"),
    TargetText("/person/nhs_number", "NHS number"),
    TargetText("/person/ni_number", "National Insurance number"),
    TargetText("/person/phone"),
    TargetText("/person/email"),
    TargetText("/person/address/line1", "Address line 1"),
    TargetText("/person/address/line2", "Address line 2"),
    TargetText("/person/address/town", "Town or city"),
    TargetText("/person/address/postcode", "UK postcode"),
    TargetText("/officer/family_name", "Officer family name", "The officer's surname, not the subject's."),
    TargetText("/officer/given_names", "Officer given names"),
    TargetText("/officer/collar_number", "Officer collar number", "Collar (shoulder) number of the officer."),
    TargetText("/officer/warrant_number", "Officer warrant number"),
    TargetText("/officer/rank"),
    TargetText("/event/crime_reference", "Crime reference", "The force's reference for the crime."),
    TargetText("/event/crime_type", "Crime type"),
    TargetText("/event/offence_type", "Offence type"),
    TargetText("/event/offence_code", "Home Office offence code"),
    TargetText("/event/occurred_at", "Occurred at", "Date and time the offence occurred."),
    TargetText("/event/reported_at", "Reported at", "Date and time the crime was reported."),
    TargetText("/event/outcome"),
    TargetText("/event/description", "Event description"),
    TargetText("/custody/custody_reference", "Custody record number"),
    TargetText("/custody/arrested_at", "Arrested at", "Date and time of arrest"),
    TargetText("/custody/booked_in_at", "Booked in at", "Date and time the detainee was booked into custody."),
    TargetText("/custody/released_at", "Released at"),
    TargetText("/location/latitude", "Latitude (WGS84)"),
    TargetText("/location/longitude", "Longitude (WGS84)"),
    TargetText("/location/easting", "Easting (British National Grid)"),
    TargetText("/location/northing", "Northing (British National Grid)"),
    TargetText("/location/postcode", "Postcode of the event location"),
    TargetText("/location/lsoa_code", "LSOA code"),
    TargetText("/location/lsoa_name", "LSOA name"),
    TargetText("/vehicle/vrm", "Vehicle registration mark"),
    TargetText("/vehicle/make"),
    TargetText("/vehicle/colour"),
]
PERSON_FIELDS = [t for t in TARGETS if t.pointer.startswith("/person/")]


def _best(source: str, targets: list[TargetText] = TARGETS) -> NameMatch:
    return rank_targets(source, targets, top=1)[0]


def _score(source: str, pointer: str) -> float:
    target = next(t for t in TARGETS if t.pointer == pointer)
    return name_similarity(source, target.pointer, target.title, target.description).score


# Column names as different forces, vendors and partners write them.
@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # surname in RMS, CSV, spreadsheet and mainframe styles
        ("SURNAME", "/person/family_name"),
        ("last_name", "/person/family_name"),
        ("Family Name", "/person/family_name"),
        ("SNAME", "/person/family_name"),
        ("LastName", "/person/family_name"),
        ("SURNMAE", "/person/family_name"),  # a typo in a hand-made export
        ("FORENAME(S)", "/person/given_names"),
        ("first_name", "/person/given_names"),
        ("Christian Name", "/person/given_names"),
        ("FNAME", "/person/given_names"),
        ("Full Name", "/person/full_name"),
        ("DOB", "/person/date_of_birth"),
        ("date_of_birth", "/person/date_of_birth"),
        ("BirthDate", "/person/date_of_birth"),
        ("D.O.B.", "/person/date_of_birth"),
        ("Gender", "/person/sex"),
        ("SEX", "/person/sex"),
        ("PERP_SEX", "/person/sex"),  # NYPD: the perpetrator is the record's subject
        ("Age", "/person/age"),
        ("Officer-defined ethnicity", "/person/officer_defined_ethnicity"),  # data.police.uk
        ("ETHNICITY (IC)", "/person/officer_defined_ethnicity"),
        ("Self-defined ethnicity", "/person/self_defined_ethnicity"),
        ("SDE", "/person/self_defined_ethnicity"),
        ("PNCID", "/person/pnc_id"),
        ("PNC_NO", "/person/pnc_id"),
        ("CRO_NO", "/person/cro_number"),
        ("NHS NO", "/person/nhs_number"),
        ("NHSNumber", "/person/nhs_number"),
        ("NINO", "/person/ni_number"),
        ("Telephone", "/person/phone"),
        ("MOB_NO", "/person/phone"),
        ("E-mail Address", "/person/email"),
        ("ADDRESS_LINE1", "/person/address/line1"),
        ("ADDR2", "/person/address/line2"),
        ("City", "/person/address/town"),
        ("PCODE", "/person/address/postcode"),
        ("Post Code", "/person/address/postcode"),
        ("postcode", "/person/address/postcode"),
        # officers
        ("OIC COLLAR NO", "/officer/collar_number"),
        ("ShoulderNumber", "/officer/collar_number"),
        ("OFFICER_SURNAME", "/officer/family_name"),
        ("OIC_SNAME", "/officer/family_name"),
        ("Arresting Officer Forename", "/officer/given_names"),
        ("WARRANT_NO", "/officer/warrant_number"),
        # events
        ("Crime type", "/event/crime_type"),
        ("crime_type", "/event/crime_type"),
        ("Offence Type", "/event/offence_type"),
        ("Crm Cd", "/event/offence_code"),  # LAPD
        ("HO_OFFENCE_CODE", "/event/offence_code"),
        ("CRIME_REF", "/event/crime_reference"),
        ("Crime Number", "/event/crime_reference"),
        ("DATE_COMMITTED", "/event/occurred_at"),
        ("OccurredDateTime", "/event/occurred_at"),
        ("Date Rptd", "/event/reported_at"),  # LAPD
        ("REPORTED_DTTM", "/event/reported_at"),
        ("Last outcome category", "/event/outcome"),
        ("Outcome", "/event/outcome"),
        # custody
        ("ARREST_DTTM", "/custody/arrested_at"),
        ("ArrestDateTime", "/custody/arrested_at"),
        ("ARREST_DATE", "/custody/arrested_at"),
        ("CUSTODY_NO", "/custody/custody_reference"),
        ("Custody Record Number", "/custody/custody_reference"),
        ("DATE_RELEASED", "/custody/released_at"),
        # locations
        ("LAT", "/location/latitude"),
        ("Latitude", "/location/latitude"),
        ("LNG", "/location/longitude"),
        ("longitud", "/location/longitude"),
        ("EASTING", "/location/easting"),
        ("GRID_EAST", "/location/easting"),
        ("X_COORD", "/location/easting"),
        ("NORTH", "/location/northing"),
        ("LSOA code", "/location/lsoa_code"),
        ("lsoa_name", "/location/lsoa_name"),
        # vehicles
        ("VRM", "/vehicle/vrm"),
        ("REG NO", "/vehicle/vrm"),
        ("Vehicle Registration", "/vehicle/vrm"),
        ("NumberPlate", "/vehicle/vrm"),
        ("VEH_MAKE", "/vehicle/make"),
        ("Colour", "/vehicle/colour"),
    ],
)
def test_best_target(source: str, expected: str) -> None:
    best = _best(source)
    assert best.target == expected, best.explanation


def test_nested_source_pointer() -> None:
    assert _best("/subject/name/first").target == "/person/given_names"
    assert _best("/subject/name/last").target == "/person/family_name"
    assert _best("/suspect/dateOfBirth").target == "/person/date_of_birth"


# --- context: whom a field is about ----------------------------------------------


def test_a_named_party_prefers_its_own_parent() -> None:
    assert _score("OFFICER_SURNAME", "/officer/family_name") > _score("OFFICER_SURNAME", "/person/family_name")
    assert _score("OIC_SNAME", "/officer/family_name") > _score("OIC_SNAME", "/person/family_name")


def test_a_bare_name_is_about_the_records_subject() -> None:
    assert _score("SURNAME", "/person/family_name") > _score("SURNAME", "/officer/family_name")
    assert _score("FORENAME", "/person/given_names") > _score("FORENAME", "/officer/given_names")


@pytest.mark.parametrize("parent", ["person", "subject", "detainee", "suspect", "offender", "nominal"])
def test_default_subject_parents(parent: str) -> None:
    subject = name_similarity("SURNAME", f"/{parent}/family_name").score
    assert subject > name_similarity("SURNAME", "/officer/family_name").score
    assert subject > name_similarity("SURNAME", "/victim/family_name").score
    assert subject > name_similarity("SURNAME", "/witness/family_name").score


def test_a_victims_field_is_not_the_subjects() -> None:
    targets = ["/person/sex", "/victim/sex"]
    assert rank_targets("Vict Sex", targets)[0].target == "/victim/sex"  # LAPD
    assert rank_targets("SEX", targets)[0].target == "/person/sex"


# --- negatives --------------------------------------------------------------------


@pytest.mark.parametrize("source", ["ROWVER", "EXTRACT_DT", "LAST_UPDATED_BY", "CREATED_BY", "RecordVersion", "SysGUID"])
def test_system_columns_score_low_against_person_fields(source: str) -> None:
    for target in PERSON_FIELDS:
        match = name_similarity(source, target.pointer, target.title, target.description)
        assert match.score < 0.3, (target.pointer, match.explanation)


def test_unrelated_names_score_near_zero() -> None:
    assert name_similarity("ROWVER", "/person/family_name").score < 0.1
    assert name_similarity("Falls within", "/vehicle/colour").score < 0.1


# --- what the score rewards ---------------------------------------------------------


def test_identical_names_score_one() -> None:
    assert name_similarity("date_of_birth", "/person/date_of_birth").score == pytest.approx(1.0)
    assert name_similarity("family_name", "/family_name").score == pytest.approx(1.0)


def test_strong_synonym_scores_high() -> None:
    assert name_similarity("SURNAME", "/person/family_name").score > 0.75
    assert name_similarity("Gender", "/person/sex").score > 0.75


def test_the_same_word_beats_a_synonym() -> None:
    assert _score("Crime type", "/event/crime_type") > _score("Crime type", "/event/offence_type")
    assert _score("Offence Type", "/event/offence_type") > _score("Offence Type", "/event/crime_type")


def test_strong_synonyms_beat_weak_ones() -> None:
    assert name_similarity("POSTCODE", "/postcode").score > name_similarity("ZIP", "/postcode").score
    assert name_similarity("CUSTODY", "/custody").score > name_similarity("ARREST", "/custody").score


def test_ambiguous_abbreviation_scores_below_the_word() -> None:
    assert name_similarity("GEN", "/person/sex").score < name_similarity("GENDER", "/person/sex").score
    assert name_similarity("GEN", "/person/sex").score > name_similarity("GEN", "/person/email").score


def test_generic_words_count_less_than_telling_ones() -> None:
    # 'birth' carries the meaning, 'date' hardly any: BIRTH_DT shares more with DOB than ARREST_DT.
    assert name_similarity("BIRTH_DT", "/person/date_of_birth").score > 0.7
    assert name_similarity("ARREST_DT", "/person/date_of_birth").score < 0.3


def test_title_and_description_help() -> None:
    bare = name_similarity("ARREST_DTTM", "/custody/arrested_at").score
    titled = name_similarity("ARREST_DTTM", "/custody/arrested_at", "Arrested at", "Date and time of arrest").score
    assert titled > bare
    # A cryptic target name is understood through its title.
    assert name_similarity("SURNAME", "/p/fld_17", "Family name").score > 0.75


def test_scores_are_in_range() -> None:
    for source in ["SURNAME", "", "___", "ROWVER", "X", "Case #"]:
        for target in TARGETS[:10]:
            match = name_similarity(source, target.pointer, target.title, target.description)
            assert 0.0 <= match.score <= 1.0 and 0.0 <= match.concept_score <= 1.0


# --- explanations -----------------------------------------------------------------


def test_explanation_names_the_thesaurus_step() -> None:
    match = name_similarity("SNAME", "/person/family_name")
    assert "SNAME -> surname = family name (thesaurus)" in match.explanation
    assert "'person' taken as the record's subject" in match.explanation
    assert match.matched_concepts == ["surname"]
    assert match.source == "SNAME" and match.target == "/person/family_name"


def test_explanation_of_abbreviations_parents_and_leftovers() -> None:
    match = name_similarity("OIC COLLAR NO", "/officer/collar_number")
    assert "OIC -> officer in case = officer (parent) (thesaurus)" in match.explanation
    assert "COLLAR NO -> collar number = collar number (abbreviation)" in match.explanation
    assert match.matched_concepts == ["officer", "collar_number"]

    match = name_similarity("Gender", "/person/sex")
    assert "Gender = sex (thesaurus)" in match.explanation

    match = name_similarity("OFFICER_SURNAME", "/person/family_name")
    assert "not in target: OFFICER" in match.explanation
    assert "'person' not named in source" in match.explanation

    match = name_similarity("SURNAME", "/officer/family_name")
    assert "'officer' not named in source" in match.explanation


def test_explanation_of_weak_and_spelling_evidence() -> None:
    match = name_similarity("ZIP", "/postcode")
    assert "ZIP = postcode (thesaurus, weak)" in match.explanation
    match = name_similarity("SURNMAE", "/person/family_name")
    assert "SURNMAE -> surname (spelling 0.86) = family name (thesaurus, weak)" in match.explanation
    match = name_similarity("DATE_OF_BIRTH", "/person/dob_date")
    assert match.score > 0.5


# --- ranking API and speed --------------------------------------------------------


def test_a_force_extension_changes_the_matching(tmp_path: Path) -> None:
    extension = tmp_path / "force.json"
    extension.write_text(json.dumps({"abbreviations": [{"abbr": "cstno", "expansions": ["custody number"]}]}))
    assert _best("CSTNO").target != "/custody/custody_reference"
    best = rank_targets("CSTNO", TARGETS, thesaurus=load_thesaurus(extension), top=1)[0]
    assert best.target == "/custody/custody_reference"
    assert "CSTNO -> custody number" in best.explanation


def test_rank_targets_orders_and_cuts() -> None:
    ranked = rank_targets("SURNAME", TARGETS)
    assert len(ranked) == len(TARGETS)
    assert [m.score for m in ranked] == sorted((m.score for m in ranked), reverse=True)
    top = rank_targets("SURNAME", TARGETS, top=3)
    assert [m.target for m in top] == [m.target for m in ranked[:3]]
    assert top[0].explanation == ranked[0].explanation


def test_rank_targets_accepts_plain_pointers_and_agrees_with_name_similarity() -> None:
    ranked = rank_targets("DOB", ["/officer/rank", "/person/date_of_birth"])
    assert [m.target for m in ranked] == ["/person/date_of_birth", "/officer/rank"]
    assert ranked[0] == name_similarity("DOB", "/person/date_of_birth")
