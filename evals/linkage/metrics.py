"""Pairwise precision, recall and F1 of a clustering against the truth (record key -> person id)."""

from __future__ import annotations

from collections import Counter, defaultdict

from pydantic import BaseModel


class PairScores(BaseModel):
    """Pairwise scores: a pair is right when both records are in one cluster and are one person."""

    predicted_pairs: int
    true_pairs: int
    correct_pairs: int
    precision: float
    recall: float
    f1: float


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pair_scores(components: list[list[str]], truth: dict[str, int]) -> PairScores:
    """Scores of ``components`` (clusters of two or more records; the rest are singletons)."""
    predicted = sum(_pairs(len(c)) for c in components)
    correct = sum(_pairs(n) for c in components for n in Counter(truth[k] for k in c).values())
    groups: dict[int, int] = defaultdict(int)
    for person in truth.values():
        groups[person] += 1
    true_pairs = sum(_pairs(n) for n in groups.values())
    return _scores(predicted, correct, true_pairs)


def route_scores(routes: dict[tuple[str, str], str], truth: dict[str, int], accepted: tuple[str, ...]) -> PairScores:
    """Scores over the labelled pairs only: a pair is predicted one person when its route is in ``accepted``."""
    predicted = [pair for pair, route in routes.items() if route in accepted]
    correct = sum(truth[a] == truth[b] for a, b in predicted)
    true_pairs = sum(truth[a] == truth[b] for a, b in routes)
    return _scores(len(predicted), correct, true_pairs)


def _scores(predicted: int, correct: int, true_pairs: int) -> PairScores:
    precision = correct / predicted if predicted else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairScores(predicted_pairs=predicted, true_pairs=true_pairs, correct_pairs=correct,
                      precision=round(precision, 4), recall=round(recall, 4), f1=round(f1, 4))
