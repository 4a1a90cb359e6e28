"""Splink comparisons and blocking rules built from the person fields of the target standard.

Columns are those of the linkage table (``tools.linkage.records``); which of them exist
depends on the roles the schema holds, so a standard without NHS numbers simply gets no
NHS comparison. Every comparison has a null level first: a missing value is no evidence.
"""

from __future__ import annotations

from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on
from splink.blocking_rule_library import CustomRule

from tools.linkage.models import LinkSchema

# The Jaro-Winkler levels of a name, strictest first (after exact and nickname matches).
NAME_JW_HIGH = 0.92
NAME_JW_LOW = 0.80
# Given-name levels at or below this (phonetic only, Jaro-Winkler >= 0.8, else) are too weak for
# an automatic merge without a strong identifier: ELLIE / ELLIOT twins live there. See _given_name.
GIVEN_WEAK_LEVEL = 2


def _given_name() -> Any:
    return cl.CustomComparison(
        output_column_name="given_name",
        comparison_description="First given name: exact, nickname, fuzzy, phonetic",
        comparison_levels=[
            cll.NullLevel("given_name"),
            cll.ExactMatchLevel("given_name").configure(tf_adjustment_column="given_name"),
            cll.ExactMatchLevel("given_name_canonical").configure(label_for_charts="Same name after nicknames (BILL = WILLIAM)"),
            cll.JaroWinklerLevel("given_name", NAME_JW_HIGH),
            cll.DamerauLevenshteinLevel("given_name", 1),
            cll.ExactMatchLevel("given_phonetic").configure(label_for_charts="Same phonetic key"),
            cll.JaroWinklerLevel("given_name", NAME_JW_LOW),
            cll.ElseLevel(),
        ],
    )


def _family_name() -> Any:
    return cl.CustomComparison(
        output_column_name="family_name",
        comparison_description="Family name: exact, fuzzy, phonetic, swapped with the given name",
        comparison_levels=[
            cll.NullLevel("family_name"),
            cll.ExactMatchLevel("family_name").configure(tf_adjustment_column="family_name"),
            cll.JaroWinklerLevel("family_name", NAME_JW_HIGH),
            cll.DamerauLevenshteinLevel("family_name", 1),
            cll.ExactMatchLevel("family_phonetic").configure(label_for_charts="Same phonetic key"),
            cll.ColumnsReversedLevel("given_name", "family_name").configure(label_for_charts="Given and family names swapped"),
            cll.JaroWinklerLevel("family_name", NAME_JW_LOW),
            cll.ElseLevel(),
        ],
    )


def _date_of_birth() -> Any:
    # substr() is the same in DuckDB and Spark SQL; the dates are ISO strings by now.
    swapped = ("substr(dob_l, 1, 4) = substr(dob_r, 1, 4) AND substr(dob_l, 6, 2) = substr(dob_r, 9, 2) "
               "AND substr(dob_l, 9, 2) = substr(dob_r, 6, 2)")
    return cl.CustomComparison(
        output_column_name="dob",
        comparison_description="Date of birth: exact, day and month swapped, one-character typo, same year",
        comparison_levels=[
            cll.NullLevel("dob"),
            cll.ExactMatchLevel("dob"),
            cll.CustomLevel(swapped, label_for_charts="Day and month transposed"),
            cll.DamerauLevenshteinLevel("dob", 1).configure(label_for_charts="One character apart"),
            cll.AbsoluteDateDifferenceLevel("dob", input_is_string=True, threshold=1, metric="year")
            .configure(label_for_charts="Within a year"),
            cll.ElseLevel(),
        ],
    )


def _postcode() -> Any:
    return cl.CustomComparison(
        output_column_name="postcode",
        comparison_description="Postcode: full, sector, district",
        comparison_levels=[
            cll.NullLevel("postcode"),
            cll.ExactMatchLevel("postcode").configure(tf_adjustment_column="postcode"),
            cll.ExactMatchLevel("postcode_sector").configure(label_for_charts="Same sector"),
            cll.ExactMatchLevel("postcode_district").configure(label_for_charts="Same district"),
            cll.ElseLevel(),
        ],
    )


def _strong_id(column: str, title: str | None) -> Any:
    return cl.CustomComparison(
        output_column_name=column,
        comparison_description=f"{title or column}: a national identifier, strong evidence either way",
        comparison_levels=[cll.NullLevel(column), cll.ExactMatchLevel(column), cll.ElseLevel()],
    )


def comparisons(schema: LinkSchema) -> list[Any]:
    """One Splink comparison per person role the schema has."""
    found: list[Any] = []
    if schema.of_role("given_names") or schema.of_role("full_name"):
        found.append(_given_name())
    if schema.of_role("family_name") or schema.of_role("full_name"):
        found.append(_family_name())
    if schema.of_role("date_of_birth"):
        found.append(_date_of_birth())
    if schema.of_role("postcode"):
        found.append(_postcode())
    if schema.of_role("sex"):
        found.append(cl.ExactMatch("sex"))
    found.extend(_strong_id(f.column, f.title) for f in schema.strong_ids())
    return found


def blocking_rules(schema: LinkSchema) -> list[Any]:
    """Rules that decide which pairs are scored at all: strong ids, then name and date combinations.

    Together they must admit every likely match (a typo, a nickname, a swapped date, a
    missing date) while keeping the pairs to score near-linear in the records.
    """
    rules: list[Any] = [block_on(f.column) for f in schema.strong_ids()]
    has_dob = bool(schema.of_role("date_of_birth"))
    if has_dob:
        rules += [
            block_on("dob", "family_phonetic"),
            block_on("dob", "given_name_canonical"),
            block_on("given_phonetic", "family_phonetic", "dob_year"),  # swapped day/month, typo in the date
        ]
    if schema.of_role("postcode"):
        rules.append(block_on("family_phonetic", "given_phonetic", "postcode_district"))  # date missing
        rules.append(block_on("family_phonetic", "postcode"))  # a typo in the given name and in the date
    if not has_dob:
        rules.append(block_on("family_phonetic", "given_phonetic"))
    return rules


def deterministic_rules(schema: LinkSchema) -> list[Any]:
    """Rules that admit almost no false match, for the prior probability that two records match."""
    rules: list[Any] = [block_on(f.column) for f in schema.strong_ids()]
    if schema.of_role("date_of_birth"):
        rules.append(CustomRule("l.given_name = r.given_name AND l.family_name = r.family_name AND l.dob = r.dob"))
    return rules


def training_rules(schema: LinkSchema) -> list[Any]:
    """Blocking rules for EM: each leaves the comparisons it does not block on free to be estimated.

    Pairs sharing a strong identifier are almost all true matches, so they teach the name,
    date and postcode m values without the look-alikes a date-of-birth block is full of
    (twins and relatives share a birthday, a surname and an address). Only without
    strong identifiers does the date of birth block train the names.
    """
    rules: list[Any] = [block_on(f.column) for f in schema.strong_ids()]
    if not rules and schema.of_role("date_of_birth"):
        rules.append(block_on("dob"))
    rules.append(block_on("family_name", "given_name_canonical"))
    return rules


def auto_merge_guard(schema: LinkSchema) -> str:
    """SQL over a prediction row: true when the pair may not merge without a person, whatever its score.

    The model treats fields as independent, but relatives are not: twins share a family
    name, a birthday and an address, and score high with entirely different first names.
    A pair whose family names disagree outright, or whose given names agree no better than
    by sound or a loose Jaro-Winkler, goes to review unless a strong identifier agrees.
    """
    names = [f"gamma_{c} between 0 and {weak}" for c, weak, roles in (
                 ("given_name", GIVEN_WEAK_LEVEL, ("given_names", "full_name")),
                 ("family_name", 0, ("family_name", "full_name")))
             if any(schema.of_role(r) for r in roles)]  # type: ignore[arg-type]
    if not names:
        return "false"
    ids = [f"gamma_{f.column} = 1" for f in schema.strong_ids()]
    guard = f"({' or '.join(names)})"
    return f"({guard} and not ({' or '.join(ids)}))" if ids else guard


def splink_settings(schema: LinkSchema, *, prior: float = 1e-4) -> SettingsCreator:
    """The Splink settings of a dedupe over the concatenated datasets (ids are ``dataset:row``)."""
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=comparisons(schema),
        blocking_rules_to_generate_predictions=blocking_rules(schema),
        probability_two_random_records_match=prior,
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
        additional_columns_to_retain=["source_dataset"],
        max_iterations=20,
    )
