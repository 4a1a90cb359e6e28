"""Text views of ``record_merge`` review items: the two records side by side and the evidence."""

from __future__ import annotations

from typing import Any


def _flat(person: dict[str, Any] | None, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in (person or {}).items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{name}/"))
        else:
            out[f"{prefix}{name}"] = value
    return out


def merge_item_line(item: Any) -> str:
    """One line of ``review list`` for a record_merge item."""
    p = item.proposal
    probability = p.get("match_probability")
    shown = f"p={probability:.4f}" if isinstance(probability, (int, float)) else "p=n/a"
    kind = f"conflict ({p.get('conflict_kind')})" if p.get("conflict") else "grey zone"
    return f"{item.id}  {item.kind:<13} {item.target}  {kind}  {shown}  {item.state} (v{item.version})  run {item.run_id}"


def merge_item_lines(item: Any) -> list[str]:
    """``review show`` for a record_merge item: both records side by side, per-comparison levels and weights."""
    p = item.proposal
    left, right = p["left"], p["right"]
    lines = [f"item {item.id} ({item.kind}, {item.state}, version {item.version}) of run {item.run_id}",
             f"pair: {left['key']}  |  {right['key']}", f"why: {p.get('reason', '')}"]
    if p.get("match_probability") is not None:
        lines.append(f"match probability {p['match_probability']:.6f}, match weight {p['match_weight']:.2f}")
    a, b = _flat(left.get("person")), _flat(right.get("person"))
    width = max((len(k) for k in {*a, *b}), default=5)
    for name in sorted({*a, *b}):
        lines.append(f"  {name:<{width}}  {str(a.get(name, '')):<30}  {b.get(name, '')}")
    for c in p.get("comparisons") or []:
        lines.append(f"  {c['name']:<14} level {c['level']:>2}  {c.get('label') or '':<45} weight {c.get('match_weight')}")
    for other in p.get("others") or []:
        lines.append(f"also sharing the identifier: {other['key']}")
    lines.append("approve = one person (merge), reject = two people (kept apart)")
    return lines
