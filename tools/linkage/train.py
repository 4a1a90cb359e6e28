"""Unsupervised training of the Splink model: prior from strong identifiers, u by sampling, m by EM."""

from __future__ import annotations

import logging
from typing import Any

from splink import Linker
from splink.internals.exceptions import SplinkException

from tools.linkage.models import LinkSchema, LinkSettings
from tools.linkage.settings_from_schema import deterministic_rules, splink_settings, training_rules

SPLINK_LOG_LEVEL = logging.ERROR  # Splink's training chatter is for notebooks, not a command line


def new_linker(records: Any, schema: LinkSchema, model: dict[str, Any] | None = None) -> Linker:
    """A linker over registered ``records``: a trained ``model`` (Splink JSON) when given, else fresh settings."""
    settings: Any = model if model is not None else splink_settings(schema)
    return Linker(records, settings, log_level=SPLINK_LOG_LEVEL)


def train(linker: Linker, schema: LinkSchema, settings: LinkSettings) -> list[str]:
    """Estimate the model's parameters in place; the notes say what could not be estimated and why."""
    notes: list[str] = []
    try:
        # Strong identifiers and exact name + date agreements are near-certain matches;
        # their count over all pairs (scaled up by their assumed recall) is the prior.
        linker.training.estimate_probability_two_random_records_match(
            deterministic_rules(schema), recall=settings.deterministic_recall)
    except (ValueError, SplinkException) as exc:
        notes.append(f"prior kept at its default: {' '.join(str(exc).split())[:200]}")
    linker.training.estimate_u_using_random_sampling(max_pairs=settings.max_pairs_u, seed=settings.seed)
    for rule in training_rules(schema):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True)
        except SplinkException as exc:  # too few pairs under this rule (small data): keep the other estimates
            notes.append(f"EM skipped for one rule: {' '.join(str(exc).split())[:200]}")
    return notes


def retune_from_labels(linker: Linker, db_api: Any, labels: list[tuple[str, str, float]], settings: LinkSettings,
                       notes: list[str]) -> int:
    """Re-estimate m from the supervisor-approved pairs when there are enough; how many were used (0: none).

    Splink's ``estimate_m_from_pairwise_labels`` treats every row as a match (it ignores
    ``clerical_match_score``), so only approved pairs go in. Its estimate joins the EM
    ones and each m becomes their median, so a few labels shift the model, never replace it.
    """
    approved = sorted({(min(a, b), max(a, b)) for a, b, score in labels if score >= 0.5})
    if len(approved) < settings.min_labels_to_retune:
        return 0
    from tools.linkage.backend import register_rows  # deferred: backend imports pyarrow

    table = register_rows(db_api, [{"unique_id_l": a, "unique_id_r": b, "clerical_match_score": 1.0}
                                   for a, b in approved], "person_labels")
    try:
        linker.training.estimate_m_from_pairwise_labels(table)
    except (ValueError, SplinkException) as exc:
        notes.append(f"m not retuned from {len(approved)} label(s): {' '.join(str(exc).split())[:200]}")
        return 0
    notes.append(f"m probabilities retuned from {len(approved)} supervisor-approved pair(s)")
    return len(approved)


def model_json(linker: Linker) -> dict[str, Any]:
    """The trained model as Splink's settings JSON (stored with the run, reusable)."""
    return linker.misc.save_model_to_json()
