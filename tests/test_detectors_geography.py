"""Postcode, ONS code, WGS84 and British National Grid detectors."""

from __future__ import annotations

import random

import pytest

from tools.detectors.geography import (
    detect_bng_easting,
    detect_bng_northing,
    detect_bng_pair,
    detect_latitude,
    detect_longitude,
    detect_lsoa_code,
    detect_lsoa_name,
    detect_msoa_code,
    detect_postcode,
    detect_ward_code,
    grid_square,
)

# --- postcodes -------------------------------------------------------------------------------


def test_postcodes_with_messy_spacing_and_case() -> None:
    values = ["SW1A 1AA", "m1 1ae", "EC1A1BB", "B33  8TH", "CR2 6XH", "GIR 0AA", "DN55 1PT", "W1A 0AX"]
    d = detect_postcode(values * 2)
    assert (d.kind, d.matched, d.score) == ("postcode", 16, 0.9412)
    assert d.evidence == {
        "spacing": {"single_space": 12, "no_space": 2, "irregular_space": 2},
        "lower_case": 2,
    }


def test_vrms_and_grammar_breaking_codes_are_not_postcodes() -> None:
    # VRMs; Q/V/X first letter; I/J/Z second; inward letters C I K M O V; outward only
    values = ["AB12 CDE", "A123 BCD", "QA1 1AA", "VA1 1AA", "AI1 1AA", "SW1A 1AC", "M1 1AI", "SW1A", "12345"]
    d = detect_postcode(values)
    assert (d.matched, d.score) == (0, 0.0)


# --- ONS codes ---------------------------------------------------------------------------------


def test_lsoa_msoa_and_ward_codes_are_told_apart() -> None:
    lsoa = ["E01032739", "W01000001", "E01000877"]
    assert detect_lsoa_code(lsoa).score == 0.75
    assert detect_lsoa_code(lsoa).evidence == {"countries": {"E": 2, "W": 1}}
    assert detect_msoa_code(lsoa).score == 0.0
    assert detect_msoa_code(["E02000001", "W02000002"]).score == 0.6667
    assert detect_ward_code(["E05000001", "W05000002"]).score == 0.6667
    assert detect_lsoa_code(["E05000001"]).score == 0.0


@pytest.mark.parametrize("value", ["S01000001", "E00000001", "E0100000", "E010000012", "e01000001", "E01 000001"])
def test_lsoa_code_near_misses(value: str) -> None:
    assert detect_lsoa_code([value]).matched == 0


def test_lsoa_names() -> None:
    d = detect_lsoa_name(["Camden 005E", "Barking and Dagenham 013E", "City of London 001F", "Camden 005"])
    assert (d.matched, d.counter_examples) == (3, ["Camden 005"])


# --- latitude / longitude -------------------------------------------------------------------


UK_LATITUDES = ["51.513631", "53.407704", "52.042187", "51.53597", "55.9533"]
UK_LONGITUDES = ["-0.086019", "-2.162284", "0.73808", "0.151096", "-3.1883"]


def test_uk_latitudes_score_full_and_are_weaker_as_longitudes() -> None:
    lat = detect_latitude(UK_LATITUDES * 2)
    assert (lat.kind, lat.matched, lat.score) == ("latitude", 10, 0.9091)
    assert lat.evidence["uk_share"] == 1.0
    as_longitude = detect_longitude(UK_LATITUDES * 2)
    assert as_longitude.evidence["uk_share"] == 0.0
    assert as_longitude.score == round(10 / 11 * 0.5, 4)


def test_uk_longitudes_score_full_and_are_weaker_as_latitudes() -> None:
    assert detect_longitude(UK_LONGITUDES * 2).score == 0.9091
    assert detect_latitude(UK_LONGITUDES * 2).score == round(10 / 11 * 0.5, 4)


def test_latitudes_with_decimal_commas_outside_the_uk() -> None:
    d = detect_latitude(["6,25722555000", "6,22280611000", "6,26238217000"])
    assert d.matched == 3
    assert d.evidence["decimal_comma"] is True
    assert d.score == round(3 / 4 * 0.5, 4)


def test_integer_years_and_ages_in_range_are_not_latitudes() -> None:
    assert detect_latitude([19, 20, 21, 22, 45, 67]).score == 0.0
    assert detect_longitude(["1998", "2004", "56", "73"]).score == 0.0


def test_short_decimals_spread_widely_score_low_as_coordinates() -> None:
    rng = random.Random(3)
    values = [f"{rng.uniform(0, 90):.2f}" for _ in range(200)]  # amounts, not positions
    d = detect_latitude(values)
    assert d.matched == 200
    assert d.score < 0.15


# --- British National Grid --------------------------------------------------------------------


def test_grid_squares() -> None:
    assert grid_square(0, 0) == "SV"
    assert grid_square(530_000, 180_000) == "TQ"  # London
    assert grid_square(325_000, 673_000) == "NT"  # Edinburgh
    assert grid_square(446_000, 1_150_000) == "HU"  # Lerwick
    assert grid_square(700_000, 0) is None


def test_single_grid_axes_are_weak_evidence() -> None:
    east = detect_bng_easting([530123, 383456, 325000, 446000])
    assert east.score == round(4 / 5 * 0.5, 4)
    assert detect_bng_easting([750000, 12, 45]).matched == 2  # 12 and 45 are in range ...
    assert detect_bng_easting([750000, 12, 45]).score == 0.0  # ... but no grid position is that small
    assert detect_bng_northing([1_150_000, 180_000]).evidence["band_share"] == 1.0
    assert detect_bng_easting([1_150_000]).matched == 0


def test_bng_pair_on_land() -> None:
    eastings = [530123, 383456, 325000, "446000", "", 412000.5]
    northings = [180456, 398765, 673000, "1150000", "1", 290000.5]
    d = detect_bng_pair(eastings, northings)
    assert (d.kind, d.matched, d.total, d.score) == ("bng_coordinates", 5, 5, 0.8333)
    assert d.evidence["land_share"] == 1.0
    assert d.evidence["grid_squares"] == {"TQ": 1, "SJ": 1, "NT": 1, "HU": 1, "SP": 1}
    assert "likely_swapped" not in d.evidence


def test_bng_pair_at_sea_or_swapped_scores_low() -> None:
    at_sea = detect_bng_pair([650000, 690000, 50000], [1250000, 900000, 1250000])
    assert (at_sea.matched, at_sea.score) == (0, 0.0)
    assert at_sea.counter_examples == ["650000,1250000", "690000,900000", "50000,1250000"]
    # columns the wrong way round: off the grid as given, Shetland (HU) when swapped
    swapped = detect_bng_pair([1150000, 1100000], [446000, 440000])
    assert swapped.matched == 0
    assert swapped.evidence["likely_swapped"] is True
