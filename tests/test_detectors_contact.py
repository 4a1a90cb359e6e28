"""Phone number and email detectors."""

from __future__ import annotations

from tools.detectors.contact import PHONE_SAMPLE_SIZE, detect_email, detect_phone


def test_uk_phone_numbers_national_and_international() -> None:
    values = ["07400 123456", "+44 7812 345678", "020 7946 0018", "0161 496 0000", "00 44 7400 123456"]
    d = detect_phone(values * 2)
    assert (d.kind, d.matched, d.score) == ("phone", 10, 0.9091)
    assert d.evidence == {
        "sampled": 5,
        "valid_in_sample": 5,
        "types": {"mobile": 6, "other": 4},
        "regions": {"GB": 10},
        "international_format": 4,
    }


def test_phone_numbers_with_brackets_and_trunk_prefixes() -> None:
    d = detect_phone(["+44 (0)20 7946 0018", "(020) 7946 0018", "020-7946-0018"])
    assert (d.matched, d.counter_examples) == (3, [])


def test_phone_numbers_with_too_few_digits_are_invalid() -> None:
    # a digit short of a UK mobile / fixed line; Ofcom's 07700 900xxx drama range is not valid either
    d = detect_phone(["0770090012", "07911 12345", "0161 496 000", "07700 900123"])
    assert (d.matched, d.score) == (0, 0.0)
    assert d.counter_examples == ["0770090012", "07911 12345", "0161 496 000"]


def test_bare_digit_runs_are_not_phone_candidates() -> None:
    # NHS numbers and ids have no 0 / + prefix; they are never handed to libphonenumber
    d = detect_phone(["9434765919", "7911123456", "12345"])
    assert (d.matched, d.evidence["sampled"]) == (0, 0)


def test_phone_validation_is_sampled_and_extrapolated() -> None:
    values = [f"07812 {100000 + i}" for i in range(PHONE_SAMPLE_SIZE + 100)]
    d = detect_phone(values)
    assert d.evidence["sampled"] == PHONE_SAMPLE_SIZE
    assert d.matched == 300  # all sampled were valid, so all candidates count


def test_mostly_invalid_candidates_stop_after_the_first_batch() -> None:
    values = [f"0{i:09d}" for i in range(300)]  # 0000000000 ... never a valid number
    d = detect_phone(values)
    assert d.evidence["sampled"] == 50
    assert d.score == 0.0


def test_emails() -> None:
    values = ["hannah88@powers.com", "J.Smith@police.example.gov.uk", "o'neil+tag@example.co.uk"]
    d = detect_email(values * 3)
    assert (d.kind, d.matched, d.score) == ("email", 9, 0.9)
    assert d.evidence == {"distinct_domains": 3}


def test_email_near_misses() -> None:
    d = detect_email(["hannah88opowersc@m", "matthbw78eallard-mcdonald.net", "a@b", "a b@c.com", "@x.com"])
    assert (d.matched, d.score) == (0, 0.0)
