"""Local wall-clock times to instants, and instants to RFC 3339 text.

Naive source times are local in a named zone. Around a clock change a wall time can be
missing (clocks forward: 01:30 on the last Sunday of March does not happen in London)
or doubled (clocks back: 01:30 on the last Sunday of October happens at +01:00, then at
+00:00). zoneinfo marks the two occurrences with ``fold`` 0 and 1.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

from tools.errors import TransformValueError
from tools.transforms import reasons

UTC = dt.timezone.utc


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """The zone called ``name`` (spec validation has already checked that it exists)."""
    return ZoneInfo(name)


def localize(naive: dt.datetime, zone_name: str, on_ambiguous: str, shown: str) -> dt.datetime:
    """The instant a local wall time in ``zone_name`` stands for.

    ``shown`` is the source value as reasons quote it. A missing wall time is always an
    error; a doubled one follows ``on_ambiguous``: 'earlier' is the first occurrence
    (summer time), 'later' the second.
    """
    tz = zone(zone_name)
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first
    # In a gap both folds give the same *wrong* wall time back; in an overlap fold 0
    # round-trips to itself.
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        raise TransformValueError(reasons.NONEXISTENT_LOCAL.format(value=shown, zone=zone_name))
    if on_ambiguous == "earlier":
        return first
    if on_ambiguous == "later":
        return second
    raise TransformValueError(
        reasons.AMBIGUOUS_LOCAL.format(
            value=shown, zone=zone_name, first=format_offset(first.utcoffset()), second=format_offset(second.utcoffset())
        )
    )


def to_instant(moment: dt.datetime, zone_name: str, on_ambiguous: str, shown: str) -> dt.datetime:
    """An aware datetime: aware input keeps its instant, naive input is local in the zone."""
    if moment.tzinfo is not None and moment.utcoffset() is not None:
        return moment
    return localize(moment.replace(tzinfo=None), zone_name, on_ambiguous, shown)


def rfc3339(instant: dt.datetime, zone_name: str) -> str:
    """``2023-06-01T14:32:00+01:00``: local time in the zone, seconds always, '+00:00' not 'Z'.

    Microseconds appear only when non-zero. Before standard time (London before 1847)
    offsets had seconds, which RFC 3339 cannot write, so such instants are shown in UTC.
    """
    local = instant.astimezone(zone(zone_name))
    offset = local.utcoffset() or dt.timedelta(0)
    if offset.seconds % 60 or offset.microseconds:
        local = instant.astimezone(UTC)
        offset = dt.timedelta(0)
    text = (
        f"{local.year:04d}-{local.month:02d}-{local.day:02d}"
        f"T{local.hour:02d}:{local.minute:02d}:{local.second:02d}"
    )
    if local.microsecond:
        text += f".{local.microsecond:06d}"
    return text + format_offset(offset)


def format_offset(offset: dt.timedelta | None) -> str:
    """'+01:00' / '-05:00' / '+00:00' for a whole-minute UTC offset."""
    minutes = int((offset or dt.timedelta(0)).total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{mins:02d}"
