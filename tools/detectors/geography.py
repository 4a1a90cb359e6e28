"""Location detectors: postcodes, statistical geography codes, WGS84 and British National Grid."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from tools.detectors.model import ColumnLike, Detection, as_column, make_detection, sample_score, shape_of, text_of
from tools.detectors.numeric import median, numeric_view
from tools.uk_identifiers import POSTCODE_COMPACT

# --- postcodes -----------------------------------------------------------------------
# Compact (no space, upper case) shapes a postcode can take: A9 9AA ... AA9A 9AA.
_POSTCODE_SHAPE = re.compile(r"A[A9]?9[A9]?9AA|AAA9AA")
_SPACES = re.compile(r"\s+")


def detect_postcode(values: ColumnLike) -> Detection:
    """Full UK postcodes; lower case and missing or doubled spaces are allowed."""
    column = as_column(values)
    matched: set[str] = set()
    spacing: Counter[str] = Counter()
    lower = 0
    for text in column.texts_shaped(_POSTCODE_SHAPE, compact=True):
        compact = _SPACES.sub("", text).upper()
        if not POSTCODE_COMPACT.fullmatch(compact):
            continue
        matched.add(text)
        weight = column.counts[text]
        if text.upper() == f"{compact[:-3]} {compact[-3:]}":
            spacing["single_space"] += weight
        elif text.upper() == compact:
            spacing["no_space"] += weight
        else:
            spacing["irregular_space"] += weight
        if text != text.upper():
            lower += weight
    evidence = {"spacing": dict(spacing), "lower_case": lower}
    return make_detection("postcode", column, matched, evidence=evidence)


# --- ONS statistical geography --------------------------------------------------------
_ONS_CODES: dict[str, re.Pattern[str]] = {
    "lsoa_code": re.compile(r"[EW]01\d{6}"),
    "msoa_code": re.compile(r"[EW]02\d{6}"),
    "ward_code": re.compile(r"[EW]05\d{6}"),
}
_ONS_SHAPE = re.compile(r"A9{8}")
# data.police.uk "LSOA name": local authority name + 3-digit MSOA number + letter.
_LSOA_NAME = re.compile(r"[A-Z][A-Za-z'.,&() -]*[a-z)] \d{3}[A-Z]")


def _ons_code(kind: str, values: ColumnLike) -> Detection:
    column = as_column(values)
    pattern = _ONS_CODES[kind]
    matched = {t for t in column.texts_shaped(_ONS_SHAPE) if pattern.fullmatch(t)}
    countries: Counter[str] = Counter()
    for text in sorted(matched):
        countries[text[0]] += column.counts[text]
    return make_detection(kind, column, matched, evidence={"countries": dict(countries)})


def detect_lsoa_code(values: ColumnLike) -> Detection:
    """2011/2021 LSOA codes, E01 (England) or W01 (Wales) and six digits."""
    return _ons_code("lsoa_code", values)


def detect_msoa_code(values: ColumnLike) -> Detection:
    """MSOA codes, E02 / W02 and six digits."""
    return _ons_code("msoa_code", values)


def detect_ward_code(values: ColumnLike) -> Detection:
    """Electoral ward codes, E05 / W05 and six digits."""
    return _ons_code("ward_code", values)


def detect_lsoa_name(values: ColumnLike) -> Detection:
    """data.police.uk LSOA names such as ``Camden 005E``."""
    column = as_column(values)
    texts = column.texts_where(lambda shape: shape.endswith(" 999A") and len(shape) <= 60)
    matched = {t for t in texts if _LSOA_NAME.fullmatch(t)}
    return make_detection("lsoa_name", column, matched)


# --- WGS84 latitude / longitude --------------------------------------------------------
# Great Britain and Northern Ireland with a small margin (Scilly to Shetland, Lough Erne to Lowestoft).
UK_LATITUDE = (49.8, 60.95)
UK_LONGITUDE = (-8.7, 1.8)
# Coordinates from a GPS or geocoder carry several decimal places; ages and years do not.
_MIN_COORDINATE_DECIMALS = 3
# One force's or city's records span a degree or two; numbers spread over tens of degrees
# are more likely amounts or scores than positions.
_MAX_LOCAL_SPREAD = 10.0


def _coordinate(kind: str, values: ColumnLike, limit: float, uk_range: tuple[float, float]) -> Detection:
    column = as_column(values)
    view = numeric_view(column)
    matched = {t for t, v in view.values.items() if -limit <= v <= limit and view.decimals[t] > 0}
    if not matched:
        return make_detection(kind, column, matched)
    weights = [(view.values[t], view.decimals[t], column.counts[t]) for t in matched]
    n = sum(w for _, _, w in weights)
    uk_share = sum(w for v, _, w in weights if uk_range[0] <= v <= uk_range[1]) / n
    decimals = median([float(d) for _, d, _ in weights])
    low, high = min(v for v, _, _ in weights), max(v for v, _, _ in weights)
    # An in-range number outside the UK box is weaker evidence (most decimals between -90
    # and 90 are not latitudes), and the box is what tells UK latitudes from longitudes.
    factor = 0.5 + 0.5 * uk_share
    if decimals < _MIN_COORDINATE_DECIMALS:
        factor *= 0.4
    if high - low > _MAX_LOCAL_SPREAD:
        factor *= 0.6
    evidence = {
        "uk_share": round(uk_share, 4),
        "median_decimals": decimals,
        "min": low,
        "max": high,
        "decimal_comma": view.decimal_comma,
    }
    return make_detection(kind, column, matched, factor=factor, evidence=evidence)


def detect_latitude(values: ColumnLike) -> Detection:
    """WGS84 latitude in decimal degrees (-90..90); UK values score higher."""
    return _coordinate("latitude", values, 90.0, UK_LATITUDE)


def detect_longitude(values: ColumnLike) -> Detection:
    """WGS84 longitude in decimal degrees (-180..180); UK values score higher."""
    return _coordinate("longitude", values, 180.0, UK_LONGITUDE)


# --- British National Grid ---------------------------------------------------------------
BNG_EASTING_MAX = 700_000
BNG_NORTHING_MAX = 1_300_000
# Where GB land actually lies, so numbers that merely fit the range score lower.
_EASTING_BAND = (60_000, 660_000)
_NORTHING_BAND = (10_000, 1_220_000)
# A lone column in range is weak evidence (so are row ids); the pair check is the strong one.
_SINGLE_AXIS_FACTOR = 0.5


def _grid_axis(kind: str, values: ColumnLike, upper: int, band: tuple[int, int]) -> Detection:
    column = as_column(values)
    view = numeric_view(column)
    matched = {t for t, v in view.values.items() if 0 <= v <= upper}
    if not matched:
        return make_detection(kind, column, matched)
    n = column.weight(matched)
    in_band = sum(column.counts[t] for t in matched if band[0] <= view.values[t] <= band[1])
    band_share = in_band / n
    evidence = {"band_share": round(band_share, 4), "min": min(view.values[t] for t in matched),
                "max": max(view.values[t] for t in matched)}
    return make_detection(kind, column, matched, factor=_SINGLE_AXIS_FACTOR * band_share, evidence=evidence)


def detect_bng_easting(values: ColumnLike) -> Detection:
    """British National Grid eastings in metres (0..700000)."""
    return _grid_axis("bng_easting", values, BNG_EASTING_MAX, _EASTING_BAND)


def detect_bng_northing(values: ColumnLike) -> Detection:
    """British National Grid northings in metres (0..1300000)."""
    return _grid_axis("bng_northing", values, BNG_NORTHING_MAX, _NORTHING_BAND)


# 100 km grid squares that contain some land of Great Britain (the Isle of Man, SC, too).
GB_LAND_SQUARES = frozenset(
    "HP HT HU HW HX HY HZ NA NB NC ND NF NG NH NJ NK NL NM NN NO NR NS NT NU NW NX NY NZ OV "
    "SC SD SE TA SH SJ SK TF TG SM SN SO SP TL TM SR SS ST SU TQ TR SV SW SX SY SZ TV".split()
)
_GRID_LETTERS = "ABCDEFGHJKLMNOPQRSTUVWXYZ"  # 5 x 5, no I, lettered from the north-west corner


def grid_square(easting: float, northing: float) -> str | None:
    """The two-letter 100 km square of a BNG coordinate, or None outside the grid."""
    if not (0 <= easting < BNG_EASTING_MAX and 0 <= northing < BNG_NORTHING_MAX):
        return None
    e100, n100 = int(easting // 100_000), int(northing // 100_000)
    # The first letter names the 500 km square, counted from a false origin 1000 km west
    # and 500 km south of the grid's origin (S is the square holding 0,0).
    e500, n500 = e100 // 5 + 2, n100 // 5 + 1
    first = _GRID_LETTERS[(4 - n500) * 5 + e500]
    second = _GRID_LETTERS[(4 - n100 % 5) * 5 + e100 % 5]
    return first + second


def _land_count(pairs: list[tuple[float, float]]) -> tuple[int, Counter[str]]:
    squares: Counter[str] = Counter()
    on_land = 0
    for e, n in pairs:
        square = grid_square(e, n)
        if square is not None:
            squares[square] += 1
            on_land += square in GB_LAND_SQUARES
    return on_land, squares


def detect_bng_pair(eastings: Sequence[Any], northings: Sequence[Any]) -> Detection:
    """Whether two aligned columns are BNG easting and northing that land in Great Britain.

    ``matched`` counts rows whose point falls in a 100 km square holding GB land; rows
    where either value is blank or not a number are left out of ``total``.
    """
    east_view, north_view = numeric_view(as_column(eastings)), numeric_view(as_column(northings))
    pairs: list[tuple[float, float]] = []
    raw_pairs: list[str] = []
    for e_raw, n_raw in zip(eastings, northings):
        e_col, n_col = text_of(e_raw), text_of(n_raw)
        if e_col is None or n_col is None:
            continue
        e, n = east_view.values.get(e_col), north_view.values.get(n_col)
        if e is None or n is None:
            continue
        pairs.append((e, n))
        raw_pairs.append(f"{e_col},{n_col}")
    on_land, squares = _land_count(pairs)
    swapped_land, _ = _land_count([(n, e) for e, n in pairs])
    total = len(pairs)
    misses = [raw for raw, (e, n) in zip(raw_pairs, pairs) if grid_square(e, n) not in GB_LAND_SQUARES][:3]
    evidence: dict[str, Any] = {
        "pairs": total,
        "land_share": round(on_land / total, 4) if total else 0.0,
        "swapped_land_share": round(swapped_land / total, 4) if total else 0.0,
        "grid_squares": dict(squares.most_common(5)),
    }
    factor = 1.0
    if pairs:
        xs, ys = [e for e, _ in pairs], [n for _, n in pairs]
        evidence["extent_km"] = [round((max(xs) - min(xs)) / 1000, 1), round((max(ys) - min(ys)) / 1000, 1)]
        if swapped_land > on_land:
            evidence["likely_swapped"] = True
            factor = 0.5
    return Detection(
        kind="bng_coordinates",
        score=sample_score(on_land, total, factor),
        matched=on_land,
        total=total,
        counter_examples=misses,
        counter_example_shapes=[shape_of(m) for m in misses],
        evidence=evidence,
    )
