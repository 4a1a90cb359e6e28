"""Turn a match score into a calibrated probability that the proposed field is right.

The match score ranks candidates well but is not a probability. Calibration maps it
through a monotone piecewise-linear curve whose points are (score, observed precision):
fitted with isotonic regression (pool adjacent violators) on proposals whose rightness
is known, i.e. eval cases with a truth file. ``fit_calibration`` does the fitting; the
result goes into ``ProposeSettings.calibration``.
"""

from __future__ import annotations

from collections.abc import Sequence


def calibrate(score: float, points: Sequence[tuple[float, float]]) -> float:
    """Linear interpolation between the calibration points (clamped at both ends)."""
    if not points:
        return score
    if score <= points[0][0]:
        return points[0][1]
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        if score <= x1:
            return y0 if x1 == x0 else round(y0 + (y1 - y0) * (score - x0) / (x1 - x0), 4)
    return points[-1][1]


def fit_calibration(samples: Sequence[tuple[float, bool]], *, min_bin: int = 5,
                    floor: float = 0.0, ceiling: float = 0.99) -> tuple[tuple[float, float], ...]:
    """Isotonic fit of rightness on score: (mean score, precision) per pooled block.

    Blocks hold at least ``min_bin`` samples so one lucky proposal cannot claim certainty;
    precision is capped at ``ceiling`` because no sample proves a field is always right.
    """
    by_score: dict[float, list[float]] = {}
    for score, right in samples:  # equal scores are one observation group, never split
        block = by_score.setdefault(score, [0.0, 0.0, 0.0])
        block[0] += score
        block[1] += float(right)
        block[2] += 1.0
    blocks: list[list[float]] = []  # [sum of scores, rights, count]
    for score in sorted(by_score):
        blocks.append(by_score[score])
        _pool(blocks, min_bin)
    while len(blocks) > 1 and blocks[-1][2] < min_bin:  # the last block may be short
        tail = blocks.pop()
        blocks[-1] = [blocks[-1][0] + tail[0], blocks[-1][1] + tail[1], blocks[-1][2] + tail[2]]
        _pool(blocks, 1)
    points = [(round(s / n, 4), round(min(ceiling, max(floor, r / n)), 4)) for s, r, n in blocks]
    if not points:
        return ((0.0, floor), (1.0, ceiling))
    return _compact(((0.0, floor), *points, (1.0, points[-1][1])))


def _compact(points: tuple[tuple[float, float], ...]) -> tuple[tuple[float, float], ...]:
    """Drop points that add nothing: repeated scores, and the middle of runs of equal precision."""
    kept: list[tuple[float, float]] = []
    for point in points:
        if kept and point[0] == kept[-1][0]:
            kept[-1] = (point[0], max(point[1], kept[-1][1]))
        elif len(kept) >= 2 and kept[-1][1] == kept[-2][1] == point[1]:
            kept[-1] = point
        else:
            kept.append(point)
    return tuple(kept)


def _pool(blocks: list[list[float]], min_bin: int) -> None:
    """Merge the last block backwards while it breaks monotonicity or the one before is short."""
    while len(blocks) > 1:
        prev, last = blocks[-2], blocks[-1]
        short = prev[2] < min_bin
        if not short and prev[1] / prev[2] <= last[1] / last[2]:
            return
        blocks[-2:] = [[prev[0] + last[0], prev[1] + last[1], prev[2] + last[2]]]
