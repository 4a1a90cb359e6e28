"""Value maps onto a target enum and yes/no maps, from a column's distinct values."""

from __future__ import annotations

from pathlib import Path

from tests.propose_data import leaf_schema, run_proposer
from tools.propose import reason_code
from tools.propose.value_maps import build_boolean_map, build_value_map, normalise

SEX_ENUM = ["male", "female", "unknown"]


def counted(*values: str) -> list[tuple[str, int]]:
    return [(v, 1) for v in values]


class TestNormalise:
    def test_case_punctuation_and_underscores(self) -> None:
        assert normalise("Anti-social behaviour") == "anti social behaviour"
        assert normalise("person_and_vehicle") == "person and vehicle"
        assert normalise("  Criminal damage & arson ") == "criminal damage and arson"


class TestSexCodes:
    def test_letters(self) -> None:
        result = build_value_map(counted("M", "F", "U"), SEX_ENUM)
        assert result.mapping == {"M": "male", "F": "female", "U": "unknown"}
        assert result.how == {"M": "synonym", "F": "synonym", "U": "synonym"}
        assert result.domain == "sex"
        assert result.unplaced == []

    def test_words_in_any_case(self) -> None:
        result = build_value_map(counted("Male", "FEMALE", "Not known"), SEX_ENUM)
        assert result.mapping == {"Male": "male", "FEMALE": "female", "Not known": "unknown"}
        assert result.how["Male"] == "exact"

    def test_iso_5218_digits_when_every_value_is_a_sex_code(self) -> None:
        result = build_value_map(counted("1", "2", "0"), SEX_ENUM)
        assert result.mapping == {"1": "male", "2": "female", "0": "unknown"}
        assert set(result.how.values()) == {"code"}

    def test_digits_are_not_read_as_sex_beside_other_values(self) -> None:
        result = build_value_map(counted("1", "2", "7"), SEX_ENUM)
        assert result.mapping == {}
        assert result.unplaced == ["1", "2", "7"]

    def test_words_onto_an_iso_digit_enum(self) -> None:
        result = build_value_map(counted("Male", "Female", "Unknown"), ["0", "1", "2", "9"])
        assert result.mapping == {"Male": "1", "Female": "2", "Unknown": "0"}

    def test_unplaceable_values_are_listed_by_rows(self) -> None:
        result = build_value_map([("M", 6), ("F", 3), ("Q", 1)], SEX_ENUM)
        assert result.unplaced == ["Q"]
        assert result.placed_share == 0.9

    def test_null_like_values_become_null_values(self) -> None:
        result = build_value_map([("M", 5), ("N/A", 2)], ["male", "female"])
        assert result.null_values == ["N/A"]
        assert result.placed_share == 1.0


class TestOtherCodeLists:
    def test_words_every_value_carries_are_dropped(self) -> None:
        result = build_value_map(counted("Person search", "Vehicle search", "Person and Vehicle search"),
                                 ["person", "vehicle", "person_and_vehicle"])
        assert result.mapping == {"Person search": "person", "Vehicle search": "vehicle",
                                  "Person and Vehicle search": "person_and_vehicle"}
        assert set(result.how.values()) == {"shared_words"}

    def test_police_uk_labels_onto_slugs(self) -> None:
        result = build_value_map(counted("Violence and sexual offences", "Criminal damage and arson", "Other theft"),
                                 ["violent-crime", "criminal-damage-arson", "other-theft", "drugs"])
        assert result.mapping == {"Violence and sexual offences": "violent-crime",
                                  "Criminal damage and arson": "criminal-damage-arson", "Other theft": "other-theft"}
        assert result.how == {"Violence and sexual offences": "synonym", "Criminal damage and arson": "words",
                              "Other theft": "exact"}

    def test_initials_spell_one_enum_value(self) -> None:
        result = build_value_map(counted("NFA", "RUI", "Charged"), ["charged", "no_further_action", "released_under_investigation"])
        assert result.mapping == {"NFA": "no_further_action", "RUI": "released_under_investigation", "Charged": "charged"}
        assert result.how["NFA"] == "initials"

    def test_first_word_is_a_guess(self) -> None:
        result = build_value_map(counted("Mixed/Multiple ethnic groups - Other", "White"), ["White", "Black", "Mixed"])
        assert result.mapping["Mixed/Multiple ethnic groups - Other"] == "Mixed"
        assert result.guessed() == ["Mixed/Multiple ethnic groups - Other"]

    def test_ic_codes_onto_broad_groups(self) -> None:
        result = build_value_map(counted("IC1", "IC3", "IC4", "IC6"), ["White", "Black", "Asian", "Mixed", "Other"])
        assert result.mapping == {"IC1": "White", "IC3": "Black", "IC4": "Asian", "IC6": "Other"}

    def test_non_string_enum_values_keep_their_type(self) -> None:
        result = build_value_map(counted("1", "2"), [1, 2, 3])
        assert result.mapping == {"1": 1, "2": 2}


class TestBooleans:
    def test_yes_no_letters_folded_once(self) -> None:
        result = build_boolean_map(counted("Y", "y", "N"))
        assert (result.true_values, result.false_values, result.unplaced) == (["y"], ["n"], [])

    def test_one_zero_only_in_a_column_of_flags(self) -> None:
        assert build_boolean_map(counted("1", "0")).true_values == ["1"]
        mixed = build_boolean_map(counted("1", "0", "5"))
        assert mixed.true_values == [] and mixed.unplaced == ["1", "0", "5"]

    def test_placeholders_and_unknown_words(self) -> None:
        result = build_boolean_map(counted("True", "False", "N/A", "maybe"))
        assert result.null_values == ["N/A"]
        assert result.unplaced == ["maybe"]


class TestProposedValueMaps:
    def test_sex_letters_proposed_as_a_value_map(self, tmp_path: Path) -> None:
        proposal, _, _ = run_proposer(tmp_path, {"GENDER": ["M", "F", "U", "M", "F", "M"] * 3},
                                      leaf_schema({"sex": {"type": "string", "enum": SEX_ENUM}}))
        (field,) = proposal.document.fields
        assert field.transform.model_dump() == {"op": "value_map", "null_values": (), "on_unmapped": "error",
                                                "case_insensitive": True,
                                                "mapping": {"M": "male", "F": "female", "U": "unknown"}}
        assert field.review_reasons == []

    def test_unplaced_values_send_the_field_to_review(self, tmp_path: Path) -> None:
        proposal, _, _ = run_proposer(tmp_path, {"SEX": ["Male", "Female", "Alien", "Male"] * 5},
                                      leaf_schema({"sex": {"type": "string", "enum": SEX_ENUM}}))
        (field,) = proposal.document.fields
        assert field.transform.mapping == {"Male": "male", "Female": "female"}
        assert [reason_code(r) for r in field.review_reasons] == ["unplaced_values"]
        assert "'Alien'" in field.review_reasons[0] and "25% of rows" in field.review_reasons[0]

    def test_a_code_list_mostly_outside_the_enum_is_vetoed(self, tmp_path: Path) -> None:
        proposal, _, _ = run_proposer(tmp_path, {"SEX": ["X1", "X2", "X3", "M"] * 5},
                                      leaf_schema({"sex": {"type": "string", "enum": SEX_ENUM}}))
        assert proposal.document.fields == []
        assert "only 25% of sampled rows" in proposal.unmapped_reasons["SEX"]
