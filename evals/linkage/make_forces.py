"""Synthetic "forces": canonical person records of the same people, recorded differently, with the truth.

Seeded and deterministic. Each person may appear in each force (and now and then twice
in one force); each appearance is recorded with the errors real force data has: typos,
nicknames, day and month swapped, relatives at one address (twins too), missing fields, upper-case or mixed-case names, a
full name instead of split names, postcodes without a space or in lower case, moved
house, PNC IDs with two- or four-digit years, and now and then somebody else's PNC ID.

    python -m evals.linkage.make_forces OUT_DIR --people 2000 --forces 3
"""

from __future__ import annotations

import argparse
import json
import random
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.detectors.name_lexicon import FAMILY_NAMES, GIVEN_NAMES
from tools.linkage.normalise import nicknames
from tools.linkage.records import record_key

SEED_NAMES = Path(__file__).resolve().parent / "data" / "seed_names.json"
AREAS = ("M", "B", "LS", "L", "S", "BS", "CF", "NE", "SW", "SE", "N", "E", "W", "NW", "G", "EH", "CH", "OL", "BL", "WA")
FORCE_NAMES = ("force_a", "force_b", "force_c", "force_d")


@dataclass
class Forces:
    """Records per force (canonical JSONL lines) and the truth: record key -> person id."""

    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    truth: dict[str, int] = field(default_factory=dict)

    def write(self, folder: Path) -> list[Path]:
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for name, lines in self.records.items():
            path = folder / f"{name}.jsonl"
            with path.open("w", encoding="utf-8") as out:
                for line in lines:
                    out.write(json.dumps(line, separators=(",", ":")) + "\n")
            paths.append(path)
        (folder / "truth.json").write_text(json.dumps(self.truth, separators=(",", ":")), encoding="utf-8")
        return paths


def _names() -> tuple[list[str], list[str]]:
    seeds = json.loads(SEED_NAMES.read_text(encoding="utf-8"))
    given = sorted({n.upper() for n in GIVEN_NAMES} | set(seeds["given"]))
    family = sorted({n.upper().replace("'", "") for n in FAMILY_NAMES} | set(seeds["family"]))
    return given, family


def _nhs(rng: random.Random) -> str:
    while True:
        digits = [rng.randint(0, 9) for _ in range(9)]
        check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1))) % 11
        if check == 11:
            check = 0
        if check != 10:
            return "".join(map(str, digits)) + str(check)


def _postcode(rng: random.Random) -> str:
    area = rng.choice(AREAS)
    return f"{area}{rng.randint(1, 40)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"


def _person(rng: random.Random, given: list[str], family: list[str]) -> dict[str, Any]:
    year = rng.randint(1940, 2007)
    person = {
        "given": rng.choice(given), "middle": rng.choice(given) if rng.random() < 0.3 else None,
        "family": rng.choice(family), "dob": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "sex": rng.choice(("male", "female")), "postcode": _postcode(rng),
        "pnc": f"{rng.randint(1995, 2023)}/{rng.randint(1, 9_999_999):07d}{rng.choice(string.ascii_uppercase)}"
        if rng.random() < 0.4 else None,
        "nhs": _nhs(rng) if rng.random() < 0.6 else None,
    }
    return person


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    i = rng.randint(1, len(word) - 2)
    kind = rng.random()
    if kind < 0.33:
        return word[:i] + word[i + 1:]
    if kind < 0.66:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word[:i] + rng.choice(string.ascii_uppercase) + word[i + 1:]


def _record(rng: random.Random, p: dict[str, Any], style: int, nick_of: dict[str, list[str]], pnc_pool: list[str]) -> dict[str, Any]:
    given, family = p["given"], p["family"]
    if rng.random() < 0.10 and nick_of.get(given):
        given = rng.choice(nick_of[given])
    if rng.random() < 0.06:
        given = _typo(rng, given)
    if rng.random() < 0.08:
        family = _typo(rng, family)
    dob: str | None = p["dob"]
    year, month, day = p["dob"].split("-")
    roll = rng.random()
    if roll < 0.05 and int(day) <= 12:
        dob = f"{year}-{day}-{month}"
    elif roll < 0.08:
        dob = f"{year}-{month}-{min(28, max(1, int(day) + rng.choice((-1, 1, 10)))):02d}"
    elif roll < 0.13:
        dob = None
    postcode: str | None = p["postcode"]
    roll = rng.random()
    if roll < 0.15:
        postcode = _postcode(rng)  # moved house
    elif roll < 0.25:
        postcode = None
    sex = p["sex"] if rng.random() < 0.99 else ("female" if p["sex"] == "male" else "male")  # mis-recorded now and then
    person: dict[str, Any] = {"sex": sex} if rng.random() < 0.9 else {}
    shown_given = " ".join(x for x in (given, p["middle"] if rng.random() < 0.5 else None) if x)
    if style == 0:
        person.update(family_name=family, given_names=shown_given.title())
    elif style == 1:
        person.update(family_name=family.title(), given_names=shown_given.title())
    else:
        person["full_name"] = f"{family}, {shown_given.title()}" if rng.random() < 0.5 else f"{shown_given.title()} {family}"
    if dob:
        person["date_of_birth"] = dob
    if postcode:
        person["address"] = {"postcode": postcode}
    if p["pnc"] and rng.random() < 0.7:
        pnc = p["pnc"]
        if rng.random() < 0.3:
            y, serial = pnc.split("/")
            pnc = f"{y[2:]}/{int(serial[:-1])}{serial[-1]}"
        person["pnc_id"] = pnc
    elif pnc_pool and rng.random() < 0.004:
        person["pnc_id"] = rng.choice(pnc_pool)  # somebody else's PNC ID: a conflict to catch
    if p["nhs"] and rng.random() < 0.6:
        person["nhs_number"] = p["nhs"]
    occurred = f"20{rng.randint(15, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T12:00:00+00:00"
    return {"person": person, "event": {"occurred_at": occurred}}


def make_forces(people: int, *, forces: int = 3, seed: int = 7, presence: float = 0.6,
                duplicate_rate: float = 0.03, relative_rate: float = 0.12) -> Forces:
    """``people`` people, each in each force with probability ``presence`` (at least one force)."""
    rng = random.Random(seed)
    given, family = _names()
    nick_of: dict[str, list[str]] = {}
    for short, canonical in nicknames().items():
        nick_of.setdefault(canonical, []).append(short)
    names = FORCE_NAMES[:forces]
    out = Forces(records={name: [] for name in names})
    pnc_pool: list[str] = []
    previous: dict[str, Any] | None = None
    for pid in range(people):
        p = _person(rng, given, family)
        if previous is not None and rng.random() < relative_rate:
            # A relative: same family name and home, another given name; now and then a twin.
            p.update(family=previous["family"], postcode=previous["postcode"])
            while p["given"] == previous["given"]:  # parents do not give twins one name
                p["given"] = rng.choice(given)
            if rng.random() < 0.2:
                p["dob"] = previous["dob"]
        previous = p
        if p["pnc"]:
            pnc_pool.append(p["pnc"])
        chosen = [n for n in names if rng.random() < presence] or [rng.choice(names)]
        for index, name in enumerate(names):
            if name not in chosen:
                continue
            copies = 2 if rng.random() < duplicate_rate else 1
            for _ in range(copies):
                lines = out.records[name]
                row = len(lines)
                lines.append({"row": row, "record": _record(rng, p, index % 3, nick_of, pnc_pool[-5000:])})
                out.truth[record_key(name, row)] = pid
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--forces", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    paths = make_forces(args.people, forces=args.forces, seed=args.seed).write(args.out)
    print("\n".join(str(p) for p in paths))


if __name__ == "__main__":
    main()
