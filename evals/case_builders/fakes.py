"""Seeded fake UK policing values: people, dates, places, identifiers.

Every generator returns the *canonical* value (what the target should hold); the
``render`` module turns canonical values into the messy cells a force would export.
"""

from __future__ import annotations

import datetime as dt
import random
import string
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import phonenumbers
from pyproj import Transformer

LONDON = ZoneInfo("Europe/London")
UTC = dt.timezone.utc

MALE_GIVEN = ["John", "David", "Michael", "James", "Mohammed", "Daniel", "Thomas", "Ryan", "Liam", "Kwame",
              "Oliver", "Harry", "Jack", "Connor", "Adam", "Tomasz", "Callum", "Rhys", "Dylan", "Ibrahim",
              "Aaron", "Joseph", "Kieran", "Jamal", "Samuel"]
FEMALE_GIVEN = ["Sarah", "Emma", "Jessica", "Amelia", "Olivia", "Aisha", "Chloe", "Sophie", "Megan", "Priya",
                "Hannah", "Laura", "Charlotte", "Grace", "Niamh", "Fatima", "Zara", "Lauren", "Bethan", "Ellie",
                "Katie", "Leah", "Rebecca", "Abigail", "Mia"]
ACCENTED_GIVEN = {"M": ["Seán", "José", "Björn", "Ciarán", "André"], "F": ["Zoë", "Chloé", "Renée", "Siân", "Inés"]}
FAMILY = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Robinson",
          "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson",
          "Khan", "Hussain", "Ahmed", "Begum", "Clarke", "Nowak", "Kowalski", "Okafor", "Mensah", "Nguyen",
          "Hughes", "Edwards", "Lewis", "Harris", "Martin", "Cooper", "Ward", "Morris", "Bennett", "Shaw"]
AWKWARD_FAMILY = ["O'Brien", "McDonald", "Smith-Jones", "D'Souza", "MacLeod", "O'Neill", "Ap-Rhys", "McCarthy",
                  "Hart-Davis", "O'Connor"]
ACCENTED_FAMILY = ["Müller", "Gómez", "Søren", "Brontë", "Núñez"]

STREETS = ["High Street", "Station Road", "Church Lane", "Victoria Road", "Park Avenue", "Mill Lane", "Queen Street",
           "Grange Road", "Manor Way", "Cemetery Road", "Hyde Park Road", "Otley Road", "Wilmslow Road",
           "Stratford Road", "Gloucester Road", "Cowley Road"]
OUTWARD = ["LS6", "LS11", "LS9", "M14", "M1", "M13", "B15", "B11", "BS3", "BS5", "SW1A", "E1", "N7", "CF10",
           "NE1", "L8", "BD7", "S1", "NG7", "LE1", "EC1A", "SE15", "WF1", "HD1", "OX4"]
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
VRM_LETTERS = "ABCDEFGHJKLMNOPRSTUVWXY"
PNC_CHECK = "ZABCDEFGHJKLMNPQRTUVWXY"

# Places as British National Grid metres (EPSG:27700).
GRID_CENTRES = {"Leeds": (430000, 433500), "Manchester": (384000, 398000), "Bradford": (416000, 433000),
                "Sheffield": (435000, 387000), "Birmingham": (407000, 287000), "Bristol": (359000, 173000)}

IC_CODES = ["IC1", "IC1", "IC1", "IC1", "IC2", "IC3", "IC3", "IC4", "IC4", "IC5", "IC6", "IC9"]
SELF_DEFINED = [
    "White - English/Welsh/Scottish/Northern Irish/British",
    "White - English/Welsh/Scottish/Northern Irish/British",
    "White - English/Welsh/Scottish/Northern Irish/British",
    "White - Irish",
    "White - Any other White background",
    "Asian/Asian British - Pakistani",
    "Asian/Asian British - Indian",
    "Asian/Asian British - Bangladeshi",
    "Black/African/Caribbean/Black British - African",
    "Black/African/Caribbean/Black British - Caribbean",
    "Mixed/Multiple ethnic groups - White and Black Caribbean",
    "Other ethnic group - Any other ethnic group",
    "Other ethnic group - Not stated",
]
HO_OFFENCES = [("105/1", "Assault occasioning actual bodily harm"), ("8/1", "Assault with injury"),
               ("28/3", "Burglary - residential"), ("30/1", "Burglary - business and community"),
               ("45/11", "Theft from a motor vehicle"), ("46/1", "Shoplifting"), ("49/1", "Other theft"),
               ("58A/1", "Criminal damage to a dwelling"), ("92A/1", "Possession of controlled drugs (cannabis)"),
               ("34/1", "Robbery of personal property"), ("66/6", "Public fear, alarm or distress"),
               ("105/2", "Assault without injury"), ("8/10", "Possession of article with blade or point")]


@dataclass(frozen=True)
class Person:
    """A generated person: canonical given/family names, sex letter (M/F) and date of birth."""

    given: str
    family: str
    sex: str
    dob: dt.date


class Fakes:
    """All generators draw from one seeded ``random.Random`` so a case is reproducible."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    # --- people -----------------------------------------------------------------------
    def person(self, *, accents: bool = False, awkward: float = 0.15, middle: float = 0.2,
               born: tuple[int, int] = (1950, 2005), sexes: str = "MF") -> Person:
        sex = self.rng.choice(sexes)
        pool = MALE_GIVEN if sex == "M" else FEMALE_GIVEN
        if accents and self.rng.random() < 0.15:
            given = self.rng.choice(ACCENTED_GIVEN[sex])
        else:
            given = self.rng.choice(pool)
        if self.rng.random() < middle:
            second = self.rng.choice(pool)
            if second != given:
                given = f"{given} {second}"
        roll = self.rng.random()
        if roll < awkward:
            family = self.rng.choice(AWKWARD_FAMILY)
        elif accents and roll < awkward + 0.1:
            family = self.rng.choice(ACCENTED_FAMILY)
        else:
            family = self.rng.choice(FAMILY)
        return Person(given, family, sex, self.date_between(dt.date(born[0], 1, 1), dt.date(born[1], 12, 31)))

    # --- dates and times --------------------------------------------------------------
    def date_between(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rng.randint(0, (end - start).days))

    def local_datetime(self, start: dt.date, end: dt.date, *, minutes: bool = True) -> dt.datetime:
        """A naive UK local time that exists and is not ambiguous (avoids the clock changes)."""
        while True:
            day = self.date_between(start, end)
            moment = dt.datetime(day.year, day.month, day.day, self.rng.randint(0, 23),
                                 self.rng.randint(0, 59) if minutes else 0)
            if is_plain_local(moment):
                return moment

    # --- places -----------------------------------------------------------------------
    def postcode(self) -> str:
        inward = f"{self.rng.randint(0, 9)}{self.rng.choice(INWARD_LETTERS)}{self.rng.choice(INWARD_LETTERS)}"
        return f"{self.rng.choice(OUTWARD)} {inward}"

    def street_address(self) -> str:
        return f"{self.rng.randint(1, 240)} {self.rng.choice(STREETS)}"

    def grid_point(self, place: str | None = None) -> tuple[int, int]:
        centre = GRID_CENTRES[place or self.rng.choice(sorted(GRID_CENTRES))]
        return centre[0] + self.rng.randint(-6000, 6000), centre[1] + self.rng.randint(-6000, 6000)

    # --- identifiers ------------------------------------------------------------------
    def nhs_number(self) -> str:
        while True:
            first = str(self.rng.randint(400, 999)) + "".join(self.rng.choice(string.digits) for _ in range(6))
            check = nhs_check(first)
            if check is not None:
                return first + str(check)

    def pnc_id(self, four_digit_year: bool = True) -> str:
        year = self.rng.randint(1995, 2023)
        serial = self.rng.randint(1, 999999)
        letter = PNC_CHECK[int(f"{year % 100:02d}{serial:07d}") % 23]
        return f"{year}/{serial:07d}{letter}" if four_digit_year else f"{year % 100:02d}/{serial}{letter}"

    def cro_number(self) -> str:
        year = self.rng.randint(1990, 2023) % 100
        serial = self.rng.randint(1, 999999)
        letter = PNC_CHECK[int(f"{year:02d}{serial:06d}") % 23]
        return f"{serial:06d}/{year:02d}{letter}"

    def vrm(self) -> str:
        """A current-style registration mark, canonical form with a space: 'AB12 CDE'."""
        area = self.rng.choice(VRM_LETTERS) + self.rng.choice(VRM_LETTERS)
        age = self.rng.choice([f"{n:02d}" for n in list(range(2, 24)) + list(range(51, 74))])
        tail = "".join(self.rng.choice(VRM_LETTERS) for _ in range(3))
        return f"{area}{age} {tail}"

    def mobile(self) -> str:
        """A valid UK mobile number in E.164 ('+447911123456')."""
        while True:
            national = "07" + str(self.rng.choice([4, 5, 7, 8, 9])) + "".join(self.rng.choice(string.digits) for _ in range(8))
            if is_valid_phone(national):
                return "+44" + national[1:]

    def landline(self) -> str:
        """A valid UK geographic number in E.164 (Leeds, Manchester or London codes)."""
        while True:
            code, rest = self.rng.choice([("113", 7), ("161", 7), ("20", 8), ("114", 7)])
            digits = str(self.rng.randint(2, 8)) + "".join(self.rng.choice(string.digits) for _ in range(rest - 1))
            if is_valid_phone("0" + code + digits):
                return "+44" + code + digits

    def collar(self) -> str:
        return str(self.rng.randint(1000, 9999))

    def pick(self, seq: list) -> object:  # type: ignore[type-arg]
        return self.rng.choice(seq)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p


def nhs_check(first_nine: str) -> int | None:
    """Modulus-11 check digit of the first nine digits; None when the number is never issued."""
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1)))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def is_valid_phone(national: str) -> bool:
    return phonenumbers.is_valid_number(phonenumbers.parse(national, "GB"))


def is_plain_local(moment: dt.datetime) -> bool:
    """True when a naive UK local time exists and happens once."""
    early = moment.replace(tzinfo=LONDON, fold=0)
    late = moment.replace(tzinfo=LONDON, fold=1)
    if early.utcoffset() != late.utcoffset():
        return False  # ambiguous or non-existent
    round_trip = early.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None)
    return round_trip == moment


def london_rfc3339(moment: dt.datetime) -> str:
    """RFC 3339 text of a naive UK local time (or an aware instant) in Europe/London."""
    aware = moment.replace(tzinfo=LONDON) if moment.tzinfo is None else moment.astimezone(LONDON)
    return aware.isoformat(timespec="seconds")


def epoch_ms(moment: dt.datetime) -> int:
    aware = moment.replace(tzinfo=LONDON) if moment.tzinfo is None else moment
    return int(aware.timestamp() * 1000)


def excel_serial(value: dt.date | dt.datetime) -> float | int:
    """Excel 1900-system serial: whole days for a date, a day fraction for a date-time."""
    base = dt.datetime(1899, 12, 30)
    if isinstance(value, dt.datetime):
        delta = value - base
        return round(delta.days + delta.seconds / 86400, 10)
    return (value - base.date()).days


@lru_cache(maxsize=1)
def _grid_transformer() -> Transformer:
    return Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def grid_to_latlon(easting: float, northing: float) -> tuple[float, float]:
    """WGS84 latitude and longitude (6 decimals) of a British National Grid point."""
    lon, lat = _grid_transformer().transform(easting, northing)
    return round(lat, 6), round(lon, 6)
