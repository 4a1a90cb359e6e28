"""Normal forms: the same value written two ways compares equal."""

from __future__ import annotations

from tools.linkage import normalise as norm
from tools.linkage.phonetic import phonetic_key


def test_postcodes_identifiers_and_dates() -> None:
    assert norm.postcode(" sw1a1aa ") == "SW1A 1AA" == norm.postcode("SW1A  1AA")
    assert norm.postcode("not a postcode") is None
    assert norm.postcode_parts("M1 1AE") == ("M1 1", "M1")
    assert norm.identifier("pnc_id", "2004/0123456L") == norm.identifier("pnc_id", "04/123456L") == "04/0123456L"
    assert norm.identifier("nhs_number", "943 476 5919") == "9434765919"
    assert norm.iso_date("1984-02-30") is None and norm.iso_date("1984-02-03T00:00:00Z") == "1984-02-03"


def test_names_nicknames_and_phonetics() -> None:
    assert norm.name("O'Brien-Smith") == "OBRIEN SMITH"
    assert norm.canonical_given("BILL") == "WILLIAM" and norm.canonical_given("KATE") == "CATHERINE"
    assert norm.split_full_name("SMITH, John Paul") == ("John Paul", "SMITH")
    assert norm.split_full_name("John Paul SMITH") == ("John Paul", "SMITH")
    assert phonetic_key("STEPHEN") == phonetic_key("STEVEN") == "S315"
    assert phonetic_key("SMITH") == phonetic_key("SMYTHE") == phonetic_key("Smith-") == "S530"
    assert phonetic_key("PHILLIPS") == phonetic_key("PHILIPS")
    assert phonetic_key("JONES") != phonetic_key("JOHNSON")
    assert phonetic_key("O'BRIEN SMITH") == phonetic_key("OBRIENSMITH")
    assert phonetic_key(None) is None and phonetic_key("---") is None
