"""Conflicting versions of the same person, each becoming a review item of its own.

- identifier: records sharing a strong identifier (PNC ID, NHS number ...) that disagree
  on the date of birth, or on a name beyond a typo. One of them holds a wrong identifier
  or a wrong date, and merging on the identifier alone would hide that.
- bridge: a record whose auto-merge would join two clusters that hold records known to
  be different people (scored apart, or a supervisor rejected their merge).
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

from tools.linkage.models import Conflict, LinkSchema, LinkSettings
from tools.linkage.records import LinkTable

MAX_GROUP = 20  # an identifier shared by more records than this is a placeholder value, not a person


def jaro_winkler(a: str, b: str) -> float:
    """Jaro-Winkler similarity (0..1) of two strings."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    window = max(max(len(a), len(b)) // 2 - 1, 0)
    used = [False] * len(b)
    matched_a: list[str] = []
    for i, ch in enumerate(a):
        for j in range(max(0, i - window), min(len(b), i + window + 1)):
            if not used[j] and b[j] == ch:
                used[j] = True
                matched_a.append(ch)
                break
    if not matched_a:
        return 0.0
    matched_b = [b[j] for j in range(len(b)) if used[j]]
    transpositions = sum(x != y for x, y in zip(matched_a, matched_b)) / 2
    m = len(matched_a)
    jaro = (m / len(a) + m / len(b) + (m - transpositions) / m) / 3
    prefix = 0
    for x, y in zip(a[:4], b[:4]):
        if x != y:
            break
        prefix += 1
    return jaro + prefix * 0.1 * (1 - jaro)


def _names_differ(x: str | None, y: str | None, floor: float) -> bool:
    return x is not None and y is not None and jaro_winkler(x, y) < floor


def identifier_conflicts(table: LinkTable, schema: LinkSchema, settings: LinkSettings) -> list[Conflict]:
    """Groups of records that share a strong identifier but not a date of birth or a name."""
    cols = table.columns
    keys = cols["unique_id"]
    found: list[Conflict] = []
    for id_field in schema.strong_ids():
        groups: dict[str, list[int]] = defaultdict(list)
        for i, value in enumerate(cols.get(id_field.column, [])):
            if value is not None:
                groups[value].append(i)
        for value, rows in sorted(groups.items()):
            if len(rows) < 2 or len(rows) > MAX_GROUP:
                continue
            reasons: list[str] = []
            worst: tuple[int, int] | None = None
            dated = [i for i in rows if cols["dob"][i]]
            if len({cols["dob"][i] for i in dated}) > 1:
                worst = next((a, b) for a, b in combinations(dated, 2) if cols["dob"][a] != cols["dob"][b])
                # In the order of the pair the review item shows left and right, then the rest.
                in_order = [*worst, *(i for i in dated if i not in worst)]
                reasons.append(f"dates of birth differ: {', '.join(dict.fromkeys(cols['dob'][i] for i in in_order))}")
            for a, b in combinations(rows, 2):
                for column in ("family_name", "given_name_canonical"):
                    if _names_differ(cols[column][a], cols[column][b], settings.name_conflict_similarity):
                        reasons.append(f"{column.replace('_canonical', '').replace('_', ' ')} differs: "
                                       f"{cols[column][a]} / {cols[column][b]}")
                        worst = worst or (a, b)
            if not reasons:
                continue
            first, second = worst or (rows[0], rows[1])
            ordered = [keys[first], keys[second], *(keys[i] for i in rows if i not in (first, second))]
            found.append(Conflict(kind="identifier", keys=ordered, identifier={id_field.column: value},
                                  reason=f"same {id_field.title or id_field.column} {value}: " + "; ".join(dict.fromkeys(reasons))))
    return found


def bridge_conflicts(held_back: list[tuple[str, str, float]]) -> list[Conflict]:
    """Model merges held back because they would join records known to be different people."""
    return [Conflict(kind="bridge", keys=[a, b],
                     reason=(f"{a} and {b} scored {p:.4f}, but merging them would put into one cluster records "
                             "that were scored or decided as different people"))
            for a, b, p in held_back]
