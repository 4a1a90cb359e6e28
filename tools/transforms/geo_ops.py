"""bng_to_wgs84: British National Grid easting/northing to WGS84 latitude or longitude.

OSGB36 and WGS84 are different datums, so this is a datum transformation, not a
formula. PROJ picks the best transformation it has offline; without the OSTN15 grid
(crosswalk ships none and never downloads one) that is the published 7-parameter
Helmert transformation, good to a few metres, which suits police locations.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import pyproj
from pyproj import Transformer

from tools.errors import TransformValueError
from tools.transforms import reasons
from tools.transforms.number_ops import parse_decimal_text
from tools.transforms.source_values import wrong_kind
from tools.transforms.spec import BngToWgs84

EASTING_RANGE = (0.0, 700000.0)
NORTHING_RANGE = (0.0, 1300000.0)


@lru_cache(maxsize=1)
def bng_transformer() -> Transformer:
    """The EPSG:27700 -> EPSG:4326 transformer, built once (building it reads proj.db).

    Network access is switched off explicitly so that a PROJ_NETWORK=ON in the
    environment cannot make a transform fetch grids from the CDN.
    """
    pyproj.network.set_network_enabled(active=False)
    return Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def bng_to_wgs84(spec: BngToWgs84, values: Sequence[Any]) -> float:
    """Latitude or longitude in degrees, rounded to ``spec.decimals``."""
    easting_value, northing_value = values
    if easting_value is None or northing_value is None:
        present, missing = ("easting", "northing") if northing_value is None else ("northing", "easting")
        shown = easting_value if northing_value is None else northing_value
        raise TransformValueError(reasons.COORDINATE_MISSING.format(present=present, value=reasons.show(shown), missing=missing))
    easting = coordinate(easting_value, "easting", EASTING_RANGE)
    northing = coordinate(northing_value, "northing", NORTHING_RANGE)
    longitude, latitude = bng_transformer().transform(easting, northing)
    result = latitude if spec.output == "latitude" else longitude
    if not math.isfinite(result):
        raise TransformValueError(
            reasons.TRANSFORM_FAILED.format(easting=reasons.show(easting_value), northing=reasons.show(northing_value))
        )
    return round(result, spec.decimals)


def coordinate(value: Any, axis: str, bounds: tuple[float, float]) -> float:
    """A grid coordinate in metres within ``bounds``; text like '530047.5' is read exactly."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise TransformValueError(wrong_kind(value, f"an {axis}"))
    if isinstance(value, str):
        parsed = parse_decimal_text(value)
        if parsed is None:
            raise TransformValueError(reasons.COORDINATE_NOT_NUMBER.format(axis=axis, value=reasons.show(value)))
        number = float(parsed)
    else:
        number = float(value)
    low, high = bounds
    if not (math.isfinite(number) and low <= number <= high):
        raise TransformValueError(
            reasons.COORDINATE_OUT_OF_RANGE.format(axis=axis, value=reasons.show(value), low=int(low), high=int(high))
        )
    return number
