"""combine_date_time per distinct date and per distinct time, joined in Arrow.

A date column and a time column each hold few distinct values (a few thousand days,
1,440 minutes) while their pairs are nearly all different. So the reference parses each
distinct date and each distinct time once (``parse_date`` / ``parse_time`` give the same
values and reasons as ``combine_date_time`` does for its two halves), zoneinfo gives the
UTC offset of each date, and Arrow assembles every row. Dates within a day of a clock
change (and other edge cases) are left to the reference row by row.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any, Callable
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc

from tools.errors import TransformValueError
from tools.transforms import apply_transform, is_blank, reasons
from tools.transforms.spec import CombineDateTime, ParseDate, ParseTime

_MEMO_LIMIT = 100_000


class CombineParts:
    """Per-distinct-value results for one combine_date_time field, kept across batches."""

    def __init__(self, spec: CombineDateTime) -> None:
        self.spec = spec
        self.date_spec = ParseDate(format=spec.date_format, century_pivot=spec.century_pivot)
        self.time_spec = ParseTime(format=spec.time_format)
        self.dates: dict[Any, tuple[bool, str | None, str | None, str | None]] = {}
        self.times: dict[Any, tuple[bool, str | None, str | None, str]] = {}

    def date_info(self, raw: Any) -> tuple[bool, str | None, str | None, str | None]:
        """(blank, 'YYYY-MM-DDT' + offset marker or None, reason, offset text or None)."""
        if is_blank(raw, self.spec.null_values):
            return True, None, None, None
        try:
            day = apply_transform(self.date_spec, [raw])
        except TransformValueError as exc:
            return False, None, exc.reason, None
        return False, day + "T", None, steady_offset(self.spec.timezone, day)

    def time_info(self, raw: Any) -> tuple[bool, str | None, str | None, str]:
        """(blank, 'HH:MM:SS' or None, reason, the reason if the date were missing)."""
        missing_date = reasons.MISSING_DATE.format(value=reasons.show(raw))
        if is_blank(raw, self.spec.null_values):
            return True, None, None, missing_date
        try:
            return False, apply_transform(self.time_spec, [raw]), None, missing_date
        except TransformValueError as exc:
            return False, None, exc.reason, missing_date

    def columns(self, dates: pa.Array, times: pa.Array) -> tuple[pa.Array, pa.Array, list[int]] | None:
        """(values, reasons, rows left to the reference), or None when not worth it here."""
        d_enc = pc.dictionary_encode(dates, null_encoding="encode")
        t_enc = pc.dictionary_encode(times, null_encoding="encode")
        n = len(dates)
        if len(d_enc.dictionary) + len(t_enc.dictionary) > 0.8 * n:
            return None
        d_rows = [_memo(self.dates, v, self.date_info) for v in d_enc.dictionary.to_pylist()]
        t_rows = [_memo(self.times, v, self.time_info) for v in t_enc.dictionary.to_pylist()]
        di, ti = d_enc.indices, t_enc.indices

        def per_date(k: int) -> pa.Array:
            return pa.array([r[k] for r in d_rows], pa.string() if k else pa.bool_()).take(di)

        def per_time(k: int) -> pa.Array:
            return pa.array([r[k] for r in t_rows], pa.string() if k else pa.bool_()).take(ti)

        d_text, d_offset, t_text = per_date(1), per_date(3), per_time(1)
        date_ok = pc.is_valid(d_text)
        clean = all(r[1] is not None for r in d_rows) and all(r[1] is not None for r in t_rows)
        if clean:
            reason = pa.nulls(n, pa.string())  # the usual batch: every date and time read, none missing
        else:
            d_blank, d_reason, t_blank, t_reason, missing_date = per_date(0), per_date(2), per_time(0), per_time(2), per_time(3)
            if self.spec.missing_time == "midnight":
                t_text = pc.if_else(t_blank, pa.scalar("00:00:00"), t_text)
                missing_time = pa.nulls(n, pa.string())
            else:
                missing_time = pa.array([None if r[1] is None else reasons.MISSING_TIME.format(value=reasons.show(v))
                                         for v, r in zip(d_enc.dictionary.to_pylist(), d_rows)], pa.string()).take(di)
            reason = self.reasons(d_blank, t_blank, date_ok, d_reason, t_reason, missing_date, missing_time, pa.nulls(n, pa.string()))
        value = pc.binary_join_element_wise(d_text, t_text, d_offset, "")
        # A valid date and time whose date has no steady offset: the reference decides.
        left = pc.and_(pc.and_(date_ok, pc.is_valid(t_text)), pc.is_null(d_offset))
        return value, reason, pc.indices_nonzero(left).to_pylist()

    @staticmethod
    def reasons(d_blank: pa.Array, t_blank: pa.Array, date_ok: pa.Array, d_reason: pa.Array, t_reason: pa.Array,
                missing_date: pa.Array, missing_time: pa.Array, none: pa.Array) -> pa.Array:
        """The first failure in combine_date_time's order: date missing, date bad, time missing, time bad."""
        return pc.coalesce(
            pc.if_else(pc.and_(d_blank, pc.invert(t_blank)), missing_date, none),
            d_reason,
            pc.if_else(pc.and_(t_blank, date_ok), missing_time, none),
            pc.if_else(date_ok, t_reason, none),
        )


def _memo(store: dict[Any, Any], key: Any, make: Callable[[Any], Any]) -> Any:
    found = store.get(key)
    if found is None:
        if len(store) > _MEMO_LIMIT:
            store.clear()
        found = store[key] = make(key)
    return found


@lru_cache(maxsize=65536)
def steady_offset(zone_name: str, day_text: str) -> str | None:
    """'+01:00' when every wall time of the day has that one offset (no clock change in it).

    The offsets at the day's start and the next day's start, either side of any fold,
    and at noon must all agree. None on a day with a clock change, for offsets with
    seconds (written in UTC by the reference) and at the ends of the calendar.
    """
    day = dt.date.fromisoformat(day_text)
    if not dt.date(1, 1, 3) <= day <= dt.date(9999, 12, 29):
        return None
    zone = ZoneInfo(zone_name)
    offsets = set()
    for shift in (0, 1):
        moment = dt.datetime.combine(day + dt.timedelta(days=shift), dt.time(0, 0))
        for fold in (0, 1):
            offsets.add(moment.replace(tzinfo=zone, fold=fold).utcoffset())
        offsets.add(moment.replace(hour=12, tzinfo=zone).utcoffset())
    if len(offsets) != 1:
        return None
    offset = offsets.pop() or dt.timedelta(0)
    if offset.seconds % 60 or offset.microseconds:
        return None
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{mins:02d}"
