"""The closed, declarative transform vocabulary.

A transform is data, never code: each op is a pydantic model with parameters, and the
engines (the per-row Python reference in ``tools.transforms.apply`` and the vectorised
DuckDB engine) interpret it. Nothing here is ever passed to ``eval``/``exec``.

Shared semantics, which every engine must honour:

* Inputs are the values of the field's ``sources`` in order (strings from CSV; numbers,
  booleans, lists or dates from JSON/XLSX).
* A value is *blank* when it is ``None``, a string that is empty after stripping white
  space, or (after stripping, case-insensitively) one of the spec's ``null_values``.
* When every input is blank the output is ``None`` (the target is left absent), except for
  ``constant``. A transform that cannot handle a value raises ``TransformValueError`` with
  a reason naming the value; the row is then quarantined.
* Every op has a static output JSON type (``output_type``) so schema type checks can be
  decided before any row is read.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

OutputType = Literal["string", "integer", "number", "boolean", "any"]


def _known_zone(name: str) -> str:
    """Refuse an unknown IANA zone when the spec is read, not on every row."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (use an IANA name such as 'Europe/London')") from None
    return name


TimeZoneName = Annotated[str, AfterValidator(_known_zone)]


class _Op(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    null_values: tuple[str, ...] = Field(
        default=(),
        description="Source values (compared trimmed, case-insensitively) that mean 'no value', such as 'N/A' or 'UNKNOWN'.",
    )

    @property
    def arity(self) -> tuple[int, int | None]:
        """(minimum, maximum) number of source fields this op takes; None = unbounded."""
        return (1, 1)

    @property
    def output_type(self) -> OutputType:
        return "string"


class Copy(_Op):
    """The value as it is (strings unchanged, JSON numbers stay numbers; XLSX dates become ISO text)."""

    op: Literal["copy"] = "copy"

    @property
    def output_type(self) -> OutputType:
        return "any"


class Text(_Op):
    """Clean a text value: trim, collapse inner white space, change case.

    ``title`` is name-aware: "o'brien-smith" -> "O'Brien-Smith", "john's" -> "John's"."""

    op: Literal["text"] = "text"
    trim: bool = True
    collapse_spaces: bool = True
    case: Literal["keep", "upper", "lower", "title"] = "keep"


class ToInteger(_Op):
    """Whole number. Accepts an optional sign, '12.0', and a thousands separator if given
    (then in groups of three). Refuses '12.5', '1e3' (exponents are usually long codes
    mangled by a spreadsheet), booleans, 'nan'/'inf'."""

    op: Literal["to_integer"] = "to_integer"
    thousands_separator: str | None = None

    @property
    def output_type(self) -> OutputType:
        return "integer"


class ToNumber(_Op):
    """Decimal number (a float). ``decimal_comma`` reads '12,5' as 12.5. Accepts '.5' and
    '1.5e3'; refuses booleans and 'nan'/'inf'."""

    op: Literal["to_number"] = "to_number"
    decimal_comma: bool = False
    thousands_separator: str | None = None

    @property
    def output_type(self) -> OutputType:
        return "number"


DEFAULT_TRUE = ("y", "yes", "true", "t", "1")
DEFAULT_FALSE = ("n", "no", "false", "f", "0")


class ToBoolean(_Op):
    """True/False from words or letters, compared trimmed and case-insensitively."""

    op: Literal["to_boolean"] = "to_boolean"
    true_values: tuple[str, ...] = DEFAULT_TRUE
    false_values: tuple[str, ...] = DEFAULT_FALSE

    @property
    def output_type(self) -> OutputType:
        return "boolean"


class ParseDate(_Op):
    """A calendar date from an explicit strptime ``format``; emitted as ``YYYY-MM-DD``.

    Two-digit years (``%y``) use ``century_pivot``: yy < pivot -> 20yy, else 19yy. The
    proposer sets the pivot from the field's meaning (a date of birth is in the past).
    A value with a time part after the date (``05/04/2023 00:00``) is accepted only if
    ``allow_time_suffix`` is true and the time is midnight.
    """

    op: Literal["parse_date"] = "parse_date"
    format: str
    century_pivot: int = Field(default=69, ge=0, le=100)
    allow_time_suffix: bool = False


Ambiguity = Literal["error", "earlier", "later"]


class ParseDateTime(_Op):
    """A date-time from an explicit strptime ``format``; emitted as RFC 3339 with offset.

    Naive values are local time in ``timezone`` (Europe/London: GMT in winter, BST in
    summer). A local time that does not exist (clocks went forward) is an error; one that
    happens twice (clocks went back) follows ``on_ambiguous``. Values carrying their own
    offset (``%z``) keep their instant. Output is rendered in ``timezone``'s local time
    with its offset, seconds always shown, microseconds only when non-zero.
    """

    op: Literal["parse_datetime"] = "parse_datetime"
    format: str
    timezone: TimeZoneName = "Europe/London"
    on_ambiguous: Ambiguity = "error"
    century_pivot: int = Field(default=69, ge=0, le=100)


class ParseTime(_Op):
    """A time of day from ``format`` (``%H:%M``, ``%H%M`` ...); emitted as ``HH:MM:SS``
    (``.ffffff`` only when non-zero). With ``%H%M``/``%H%M%S`` short digit strings are
    zero-padded first ('32' -> 00:32): spreadsheets drop those leading zeros."""

    op: Literal["parse_time"] = "parse_time"
    format: str


class CombineDateTime(_Op):
    """Two sources, a date and a time, into one RFC 3339 date-time (see ParseDateTime)."""

    op: Literal["combine_date_time"] = "combine_date_time"
    date_format: str
    time_format: str
    timezone: TimeZoneName = "Europe/London"
    on_ambiguous: Ambiguity = "error"
    century_pivot: int = Field(default=69, ge=0, le=100)
    missing_time: Literal["error", "midnight"] = "error"

    @property
    def arity(self) -> tuple[int, int | None]:
        return (2, 2)


class EpochToDateTime(_Op):
    """Seconds or milliseconds since 1970-01-01T00:00Z, rendered in ``timezone``."""

    op: Literal["epoch_to_datetime"] = "epoch_to_datetime"
    unit: Literal["s", "ms"] = "s"
    timezone: TimeZoneName = "Europe/London"


class ExcelSerialDate(_Op):
    """Excel serial day numbers (1900 system). ``output`` date -> YYYY-MM-DD; datetime -> RFC 3339.
    1 is 1900-01-01; 60 (the fake 1900-02-29) is refused. The fraction is the time of day
    (to the millisecond); for ``output`` date a non-zero fraction is refused."""

    op: Literal["excel_serial_date"] = "excel_serial_date"
    output: Literal["date", "datetime"] = "date"
    timezone: TimeZoneName = "Europe/London"
    on_ambiguous: Ambiguity = "error"


class SplitName(_Op):
    """One part of a full name held in one column.

    ``surname_first``: 'SMITH, John Paul' or 'SMITH John Paul' -> family 'SMITH',
    given 'John Paul'. ``forename_first``: 'John Paul SMITH' -> family 'SMITH'; when the
    name ends in a run of upper-case words after mixed-case ones ('Maria DE LA CRUZ') the
    whole run is the family name. Any value containing a comma is read surname-first
    whatever ``order`` says. A one-word name is a family name with no given name.
    Upper-case words have 2+ letters (not initials). Surname-first, a leading upper-case
    run before mixed-case words is the family name ('DE LA CRUZ Maria'). Forename-first
    without a run, lower-case particles before the last word join it ('de la Cruz'; see
    name_ops.FAMILY_PARTICLES). Case is never changed; white space is collapsed.
    """

    op: Literal["split_name"] = "split_name"
    order: Literal["surname_first", "forename_first"]
    part: Literal["family", "given"]


class Join(_Op):
    """Several sources joined with ``separator``; each is trimmed and blank inputs are skipped."""

    op: Literal["join"] = "join"
    separator: str = " "

    @property
    def arity(self) -> tuple[int, int | None]:
        return (1, None)


class ValueMap(_Op):
    """Code list mapping: source value (trimmed; case-insensitive unless told) -> target value.
    Case-insensitive means ``lower()`` on both sides; ``keep`` returns the trimmed source text."""

    op: Literal["value_map"] = "value_map"
    mapping: dict[str, Any]
    case_insensitive: bool = True
    on_unmapped: Literal["error", "null", "keep"] = "error"

    @property
    def output_type(self) -> OutputType:
        kinds = {type(v) for v in self.mapping.values() if v is not None}
        if self.on_unmapped == "keep" and kinds != {str}:
            return "any"  # kept values are source text, whatever the mapped ones are
        if kinds == {bool}:
            return "boolean"
        if kinds == {int}:
            return "integer"
        if kinds and kinds <= {int, float}:
            return "number"
        if kinds == {str}:
            return "string"
        return "any"

    @model_validator(mode="after")
    def _no_conflicting_keys_after_folding(self) -> "ValueMap":
        # Keys that fold together ('M' and 'm' when case-insensitive) must agree, or
        # which one wins would depend on dict order.
        seen: dict[str, str] = {}
        for key, target in self.mapping.items():
            folded = key.strip().lower() if self.case_insensitive else key.strip()
            earlier = self.mapping[seen[folded]] if folded in seen else None
            if folded in seen and (earlier != target or type(earlier) is not type(target)):
                how = "trimming and ignoring case" if self.case_insensitive else "trimming"
                raise ValueError(f"value_map keys {seen[folded]!r} and {key!r} are the same after {how} but map to different values")
            seen.setdefault(folded, key)
        return self


class Postcode(_Op):
    """UK postcode: upper case, one space before the inward code ('sw1a1aa' -> 'SW1A 1AA')."""

    op: Literal["postcode"] = "postcode"
    space: bool = True


class Vrm(_Op):
    """UK vehicle registration mark, upper case, current/prefix/suffix/dateless styles checked."""

    op: Literal["vrm"] = "vrm"
    space: bool = False


class Phone(_Op):
    """Phone number to E.164 ('+447700900123'), read in ``default_region`` when national."""

    op: Literal["phone"] = "phone"
    default_region: str = "GB"


class NhsNumber(_Op):
    """NHS number with its modulus-11 check digit verified; ``digits`` or ``spaced`` (3 3 4)."""

    op: Literal["nhs_number"] = "nhs_number"
    style: Literal["digits", "spaced"] = "digits"


class NiNumber(_Op):
    """National Insurance number, prefixes never issued refused; no spaces unless ``space``."""

    op: Literal["ni_number"] = "ni_number"
    space: bool = False


class BngToWgs84(_Op):
    """British National Grid easting + northing (EPSG:27700) -> WGS84 latitude or longitude.

    Uses pyproj's datum transformation (no network grids), rounded to ``decimals``.
    """

    op: Literal["bng_to_wgs84"] = "bng_to_wgs84"
    output: Literal["latitude", "longitude"]
    decimals: int = Field(default=6, ge=0, le=9)

    @property
    def arity(self) -> tuple[int, int | None]:
        return (2, 2)

    @property
    def output_type(self) -> OutputType:
        return "number"


class Constant(_Op):
    """A fixed value for every row (sources are ignored and may be empty)."""

    op: Literal["constant"] = "constant"
    value: Any

    @property
    def arity(self) -> tuple[int, int | None]:
        return (0, None)

    @property
    def output_type(self) -> OutputType:
        if isinstance(self.value, bool):
            return "boolean"
        if isinstance(self.value, int):
            return "integer"
        if isinstance(self.value, float):
            return "number"
        if isinstance(self.value, str):
            return "string"
        return "any"


StepSpec = Annotated[
    Union[
        Copy, Text, ToInteger, ToNumber, ToBoolean, ParseDate, ParseDateTime, ParseTime,
        CombineDateTime, EpochToDateTime, ExcelSerialDate, SplitName, Join, ValueMap,
        Postcode, Vrm, Phone, NhsNumber, NiNumber, BngToWgs84, Constant,
    ],
    Field(discriminator="op"),
]


class Pipeline(_Op):
    """Steps in order: the first takes the sources, each later step the previous output."""

    op: Literal["pipeline"] = "pipeline"
    steps: tuple[StepSpec, ...] = Field(min_length=1)

    @property
    def arity(self) -> tuple[int, int | None]:
        return self.steps[0].arity

    @property
    def output_type(self) -> OutputType:
        return self.steps[-1].output_type

    @field_validator("steps")
    @classmethod
    def _later_steps_take_one_value(cls, steps: tuple[Any, ...]) -> tuple[Any, ...]:
        for step in steps[1:]:
            low, high = step.arity
            if not (low <= 1 and (high is None or high >= 1)):
                raise ValueError(f"pipeline step {step.op!r} needs {low} inputs; only the first step may take several")
        return steps


TransformSpec = Annotated[
    Union[
        Copy, Text, ToInteger, ToNumber, ToBoolean, ParseDate, ParseDateTime, ParseTime,
        CombineDateTime, EpochToDateTime, ExcelSerialDate, SplitName, Join, ValueMap,
        Postcode, Vrm, Phone, NhsNumber, NiNumber, BngToWgs84, Constant, Pipeline,
    ],
    Field(discriminator="op"),
]

ALL_OPS: tuple[str, ...] = (
    "copy", "text", "to_integer", "to_number", "to_boolean", "parse_date", "parse_datetime",
    "parse_time", "combine_date_time", "epoch_to_datetime", "excel_serial_date", "split_name",
    "join", "value_map", "postcode", "vrm", "phone", "nhs_number", "ni_number", "bng_to_wgs84",
    "constant", "pipeline",
)
