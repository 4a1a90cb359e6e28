"""The Arrow fast path gives exactly the reference reader's rows, or FastPathUnavailable."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from tools.readers import FastPathUnavailable, SourceInfo, csv_arrow, iter_csv_arrow_batches, open_source


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def reference(path: Path, **options: str) -> tuple[SourceInfo, list[dict[str, Any]], bool]:
    """The info, the rows as the fast path shapes them, and whether any row had an error."""
    with open_source(path, **options) as reader:
        rows = list(reader.rows())
        return reader.info, [{**row.values, "__row": row.index} for row in rows], any(row.error for row in rows)


def fast(info: SourceInfo, batch_rows: int = 65536) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for batch in iter_csv_arrow_batches(info, batch_rows):
        assert batch.schema.names == [*info.fields, "__row"]
        assert all(field.type == pa.string() for field in batch.schema if field.name != "__row")
        assert batch.schema.field("__row").type == pa.int64()
        assert batch.num_rows <= batch_rows
        out.extend(batch.to_pylist())
    return out


MESSY_FILES: dict[str, bytes] = {
    "cp1252_semicolon.csv": "ID;NAME;NOTE\r\n1;Siân;€5\r\n2;O'Brien;\"a; b\"\r\n3;Zoë;\r\n".encode("cp1252"),
    "bom_titles.csv": (
        b"\xef\xbb\xbfCustody records export\r\nGenerated 01/02/2024\r\n\r\nREF,NAME,NAME\r\n"
        b'CU/1,"multi\r\nline",x\r\n\r\nCU/2,"""quoted""",\r\n'
    ),
    "blank_lines.tsv": b"A\tB\n\n1\t2\n\n\n3\t\n\n",
    "one_column.csv": b"NAME\n  spaced  \n\n\"\"\nlast",
    "empty_values.csv": b'A,B,C\n,,\n"",,""\n1,"",3\n',
    "stray_quotes.csv": b'A,B\nab"c,"d"e\n"x""y",z\n',
    "latin1.csv": b"A,B\n1,\x81\xe9\n",
    "cr_only.csv": b"A,B\r1,2\r3,4\r",
}


@pytest.mark.parametrize("name", sorted(MESSY_FILES))
def test_fast_path_equals_reference_on_messy_files(tmp_path: Path, name: str) -> None:
    info, expected, has_errors = reference(write(tmp_path, name, MESSY_FILES[name]))
    assert not has_errors
    assert fast(info) == expected
    assert fast(info, batch_rows=1) == expected


def test_fast_path_values_on_a_cp1252_file(tmp_path: Path) -> None:
    info, _, _ = reference(write(tmp_path, "w.csv", MESSY_FILES["cp1252_semicolon.csv"]))
    assert fast(info) == [
        {"ID": "1", "NAME": "Siân", "NOTE": "€5", "__row": 0},
        {"ID": "2", "NAME": "O'Brien", "NOTE": "a; b", "__row": 1},
        {"ID": "3", "NAME": "Zoë", "NOTE": "", "__row": 2},
    ]


def test_row_numbers_continue_across_batches_and_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_arrow, "MIN_BLOCK_BYTES", 4096)  # many pyarrow blocks
    body = b"".join(b'%d,"name %d\nsecond line",%s\n' % (i, i, b"" if i % 3 else b"x") for i in range(5000))
    info, expected, _ = reference(write(tmp_path, "big.csv", b"ID,NAME,FLAG\n" + body))
    batches = list(iter_csv_arrow_batches(info, 1000))
    assert [batch.num_rows for batch in batches[:3]] == [1000, 1000, 1000] or all(b.num_rows <= 1000 for b in batches)
    assert sum(batch.num_rows for batch in batches) == 5000
    assert [value for batch in batches for value in batch.column("__row").to_pylist()] == list(range(5000))
    assert fast(info, 1000) == expected


def test_header_only_file_gives_no_batches(tmp_path: Path) -> None:
    info, _, _ = reference(write(tmp_path, "h.csv", b"A,B"))
    assert list(iter_csv_arrow_batches(info)) == []


def test_ragged_file_is_refused(tmp_path: Path) -> None:
    info, _, has_errors = reference(write(tmp_path, "r.csv", b"A,B,C\n1,2,3\n4,5\n"))
    assert has_errors
    with pytest.raises(FastPathUnavailable, match=r"a row has 2 fields, the header has 3: '4,5'"):
        fast(info)


def test_ragged_row_deep_in_the_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_arrow, "MIN_BLOCK_BYTES", 4096)  # the bad row is many blocks in
    data = b"A,B\n" + b"1,2\n" * 20000 + b"3,4,5\n"
    info, _, _ = reference(write(tmp_path, "deep.csv", data))
    with pytest.raises(FastPathUnavailable, match="a row has 3 fields, the header has 2: '3,4,5'"):
        list(iter_csv_arrow_batches(info, 1000))


def test_whitespace_only_line_is_refused_as_the_reference_reports_it_ragged(tmp_path: Path) -> None:
    info, _, has_errors = reference(write(tmp_path, "ws.csv", b"A,B\n1,2\n   \n3,4\n"))
    assert has_errors
    with pytest.raises(FastPathUnavailable):
        fast(info)


def test_only_csv_has_a_fast_path(tmp_path: Path) -> None:
    with open_source(write(tmp_path, "a.jsonl", b'{"a": 1}\n')) as reader:
        with pytest.raises(FastPathUnavailable, match="the fast path reads CSV only, not jsonl"):
            list(iter_csv_arrow_batches(reader.info))


def test_utf16_is_refused(tmp_path: Path) -> None:
    info, _, _ = reference(write(tmp_path, "u.txt", "A\tB\n1\t2\n".encode("utf-16")))
    with pytest.raises(FastPathUnavailable, match="encoding utf-16 is not supported by the fast path"):
        fast(info)


def test_a_column_named_like_the_row_column_is_refused(tmp_path: Path) -> None:
    info, _, _ = reference(write(tmp_path, "r.csv", b"__ROW,B\n1,2\n"))
    with pytest.raises(FastPathUnavailable, match="a source column is named '__row'"):
        fast(info)


def test_changed_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", b"A,B\n1,2\n")
    info, _, _ = reference(path)
    path.write_bytes(b"A,B\n1,2\n3,4\n")
    with pytest.raises(FastPathUnavailable, match="the file changed since it was opened"):
        fast(info)


FUZZ_TOKENS = ["a", "b", "é", ",", ",", '"', '""', " ", "\n", "\n", "\r\n", "\r", "\t"]
QUOTED_PARTS = ["a", "é", ",", "\n", "\r\n", "\r", '""', " ", "\t"]
PLAIN_FIELDS = ["", "a", " é ", "b c", 'x"y', "1.5", "\t"]
LINE_ENDS = ["\n", "\r\n", "\r"]


def fuzz_field(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return rng.choice(PLAIN_FIELDS)
    return '"' + "".join(rng.choice(QUOTED_PARTS) for _ in range(rng.randint(0, 6))) + '"' + rng.choice(["", "", "z"])


def fuzz_body(rng: random.Random) -> str:
    """A few rows of three messy fields, now and then a blank line or a run of raw junk."""
    lines = []
    for _ in range(rng.randint(1, 6)):
        roll = rng.random()
        if roll < 0.15:
            lines.append("".join(rng.choice(FUZZ_TOKENS) for _ in range(rng.randint(1, 12))))
        elif roll < 0.25:
            lines.append("")
        else:
            lines.append(",".join(fuzz_field(rng) for _ in range(3)))
    return "".join(line + rng.choice(LINE_ENDS) for line in lines)


@pytest.mark.parametrize("seed", range(4))
def test_fuzzed_files_either_match_the_reference_or_are_refused(tmp_path: Path, seed: int) -> None:
    """Messy rows between well-formed ones: wherever the reference reader finds no broken
    row, the fast path must give the same rows; where it finds one, the fast path must
    refuse. (The good rows keep the header where it is.)"""
    rng = random.Random(seed)
    good = "1,2,3\n" * 20
    matched = 0
    for case in range(150):
        junk = fuzz_body(rng)
        path = write(tmp_path, f"f{seed}_{case}.csv", ("ID,NAME,NOTE\n" + good + junk + good).encode("utf-8"))
        info, expected, has_errors = reference(path, delimiter=",")
        assert info.fields == ["ID", "NAME", "NOTE"], junk
        if has_errors:
            with pytest.raises(FastPathUnavailable):
                fast(info)
        else:
            assert fast(info, batch_rows=7) == expected, junk
            matched += 1
    assert matched >= 30  # the generator must keep exercising the equal-rows branch
