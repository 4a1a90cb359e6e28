"""detect_all: every detector over one column, ranked; field names only break ties."""

from __future__ import annotations

import random

import pytest

from tools.detectors import DETECTORS, GENERIC_KINDS, detect_all, hint_matches


def _kinds(values: list[object], field_name: str | None = None) -> list[str]:
    return [d.kind for d in detect_all(values, field_name)]


def test_every_detector_reports_the_kind_it_is_registered_under() -> None:
    for kind, detect in DETECTORS.items():
        assert detect(["x"]).kind == kind
    assert GENERIC_KINDS <= set(DETECTORS)


def test_blank_column_has_no_detections() -> None:
    assert detect_all([]) == []
    assert detect_all(["", "  ", None]) == []


def test_results_are_sorted_and_only_positive() -> None:
    found = detect_all(["SW1A 1AA", "M1 1AE", "EC1A 1BB", "B33 8TH"] * 5)
    assert found[0].kind == "postcode"
    assert all(d.score > 0 for d in found)
    assert [d.score for d in found] == sorted((d.score for d in found), reverse=True)


def test_specific_kinds_rank_before_generic_ones_at_equal_score() -> None:
    assert _kinds(["Y", "N", "Y", "N"])[:2] == ["boolean", "code_list"]
    assert _kinds(["Male", "Female", "Male", "Female"])[:2] == ["sex", "code_list"]


def test_fallback_kinds_are_discounted_when_something_specific_fits() -> None:
    dates = [f"2023-01-{day:02d}" for day in range(1, 29)]  # unique structured codes, but dates
    found = {d.kind: d for d in detect_all(dates)}
    assert found["date"].score == 0.9655
    assert found["reference_number"].score == round(0.9655 * (1 - 0.9655), 4)
    assert found["reference_number"].evidence["discounted_by"] == "date"
    references = [f"CU/2023/{i:06d}" for i in range(28)]
    assert detect_all(references)[0].kind == "reference_number"


def test_free_text_is_kept_when_nothing_specific_fits() -> None:
    narratives = ["Suspect seen running towards the car park", "Victim reports phone taken from bag"]
    found = detect_all(narratives)
    assert [d.kind for d in found] == ["free_text"]
    assert found[0].score == 0.6667
    assert "discounted_by" not in found[0].evidence


def test_field_name_breaks_a_tie_between_time_and_number() -> None:
    rng = random.Random(2)
    hhmm = sorted({rng.randint(0, 23) * 100 + rng.randint(0, 59) for _ in range(40)})
    without = _kinds(hhmm)
    with_hint = _kinds(hhmm, "TIME OCC")
    assert without.index("integer") < without.index("time")
    assert with_hint.index("time") < with_hint.index("integer")
    # the scores themselves never change
    assert {d.kind: d.score for d in detect_all(hhmm)} == {d.kind: d.score for d in detect_all(hhmm, "TIME OCC")}


def test_field_name_cannot_lift_a_clearly_weaker_detection() -> None:
    values = ["SW1A 1AA", "M1 1AE", "EC1A 1BB"] * 4
    assert _kinds(values, "email")[0] == "postcode"


@pytest.mark.parametrize(
    ("kind", "name", "expected"),
    [
        ("time", "TIME OCC", True),
        ("time", "timeOfArrest", True),
        ("latitude", "latitud", True),
        ("latitude", "platform", False),  # short hints match whole words only ...
        ("longitude", "lon", True),
        ("family_name", "SURNAME", True),
        ("date", "DateOfBirth", True),  # ... long hints match word prefixes
        ("bng_easting", "x", True),
        ("bng_easting", "index", False),
        ("sex", None, False),
    ],
)
def test_hint_matching(kind: str, name: str | None, expected: bool) -> None:
    assert hint_matches(kind, name) is expected


def test_near_miss_columns_do_not_lead_with_the_wrong_kind() -> None:
    assert "postcode" not in _kinds(["AB12 CDE", "XY51 ABC", "AB12CDE"] * 3)
    assert "vrm" not in _kinds(["SW1A 1AA", "M1 1AE"] * 3)
    assert "ni_number" not in _kinds(["BG123456C", "GB123456A"])
    assert "sex" not in _kinds([1, 2, 3, 4, 5])
    assert "date" not in _kinds(["1.2.3", "2.0.1", "10.4.1"])
    assert "lsoa_code" not in _kinds(["S01000001", "E00000001"])
    assert "phone" not in _kinds(["0770090012", "07911 12345"])
    assert "boolean" not in _kinds(["M", "F", "M"])


def test_odd_unicode_never_crashes_a_detector() -> None:
    values = ["²³/¹²/2023", "١٢/٠٥/٢٠٢٣", "①②③④", "Straße", "\u200b", "🙂 🙂 🙂 🙂"]
    values += ["０７９１１ １２３４５６", "ΑΒ12 ΓΔΕ"]
    found = detect_all(values * 3)
    assert "date" not in [d.kind for d in found]
