"""split_name."""

from __future__ import annotations

from typing import Any

import pytest

from tools.errors import TransformValueError
from tools.transforms import apply_transform, parse_transform


def parts(order: str, value: Any) -> tuple[Any, Any]:
    family = apply_transform(parse_transform({"op": "split_name", "order": order, "part": "family"}), [value])
    given = apply_transform(parse_transform({"op": "split_name", "order": order, "part": "given"}), [value])
    return family, given


@pytest.mark.parametrize("order", ["surname_first", "forename_first"])
class TestEitherOrder:
    def test_comma_means_surname_first(self, order: str) -> None:
        assert parts(order, "SMITH, John Paul") == ("SMITH", "John Paul")
        assert parts(order, "O'BRIEN, Siân") == ("O'BRIEN", "Siân")
        assert parts(order, "  McDONALD ,  Mary-Jane   Ann ") == ("McDONALD", "Mary-Jane Ann")
        assert parts(order, "DE LA CRUZ, Maria") == ("DE LA CRUZ", "Maria")
        assert parts(order, "SMITH, John, Paul") == ("SMITH", "John Paul")

    def test_comma_with_an_empty_side(self, order: str) -> None:
        assert parts(order, "SMITH,") == ("SMITH", None)
        assert parts(order, ", John") == (None, "John")

    def test_one_word_is_a_family_name(self, order: str) -> None:
        assert parts(order, "SMITH") == ("SMITH", None)
        assert parts(order, "  Siân ") == ("Siân", None)

    def test_refuses_values_without_letters(self, order: str) -> None:
        with pytest.raises(TransformValueError) as caught:
            parts(order, "1234")
        assert caught.value.reason == "'1234' has no letters, so it is not a name"
        with pytest.raises(TransformValueError) as caught:
            parts(order, 1234)
        assert caught.value.reason == "1234 is a number, not a name"


class TestForenameFirst:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("John Paul SMITH", ("SMITH", "John Paul")),
            ("Maria DE LA CRUZ", ("DE LA CRUZ", "Maria")),
            ("Siân O'BRIEN", ("O'BRIEN", "Siân")),
            ("John A SMITH", ("SMITH", "John A")),
            ("John P. SMITH-JONES", ("SMITH-JONES", "John P.")),
            ("John Smith", ("Smith", "John")),
            ("JOHN PAUL SMITH", ("SMITH", "JOHN PAUL")),
            ("john   smith", ("smith", "john")),
            ("Ronald McDONALD", ("McDONALD", "Ronald")),
            ("Seán MacAODHA", ("MacAODHA", "Seán")),
            ("Maria de la Cruz", ("de la Cruz", "Maria")),
            ("Dafydd ap Gruffydd", ("ap Gruffydd", "Dafydd")),
            ("Gwenllian Wyn-Jones", ("Wyn-Jones", "Gwenllian")),
            ("José Ramón GARCÍA", ("GARCÍA", "José Ramón")),
        ],
    )
    def test_splits(self, value: str, expected: tuple[str, str]) -> None:
        assert parts("forename_first", value) == expected


class TestSurnameFirst:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("SMITH John Paul", ("SMITH", "John Paul")),
            ("SMITH JOHN PAUL", ("SMITH", "JOHN PAUL")),
            ("Smith John", ("Smith", "John")),
            ("DE LA CRUZ Maria", ("DE LA CRUZ", "Maria")),
            ("O'BRIEN  Siân", ("O'BRIEN", "Siân")),
            ("SMITH J", ("SMITH", "J")),
        ],
    )
    def test_splits(self, value: str, expected: tuple[str, str]) -> None:
        assert parts("surname_first", value) == expected


def test_blank_is_absent() -> None:
    assert parts("surname_first", "   ") == (None, None)
