"""The reference CSV/TSV reader: encodings, delimiters, headers, ragged and multi-line rows."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tools.readers import SourceRow, open_source


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def read_all(path: Path, **options: str) -> tuple[object, list[SourceRow]]:
    with open_source(path, **options) as reader:
        rows = list(reader.rows())
        return reader.info, rows


def test_cp1252_semicolon_file_keeps_welsh_irish_and_euro_characters(tmp_path: Path) -> None:
    text = "ID;SURNAME;FORENAME;FINE\r\n1;O'Brien;Siân;€50\r\n2;Brontë;Zoë;\r\n"
    path = write(tmp_path, "custody.csv", text.encode("cp1252"))
    info, rows = read_all(path)
    assert info.encoding == "cp1252"
    assert info.delimiter == ";"
    assert info.fields == ["ID", "SURNAME", "FORENAME", "FINE"]
    assert "encoding cp1252 (Windows-1252): the file is not valid UTF-8" in info.notes
    assert rows == [
        SourceRow(0, {"ID": "1", "SURNAME": "O'Brien", "FORENAME": "Siân", "FINE": "€50"}),
        SourceRow(1, {"ID": "2", "SURNAME": "Brontë", "FORENAME": "Zoë", "FINE": ""}),
    ]


def test_bytes_undefined_in_cp1252_fall_back_to_latin1(tmp_path: Path) -> None:
    path = write(tmp_path, "odd.csv", b"ID,NAME\n1,Sia\xeen\x81\n")
    info, rows = read_all(path)
    assert info.encoding == "latin-1"
    assert rows[0].values["NAME"] == "Siaîn\x81"


def test_valid_utf8_is_utf8_even_with_accents(tmp_path: Path) -> None:
    path = write(tmp_path, "u.csv", "ID,NAME\n1,Siân\n".encode("utf-8"))
    info, rows = read_all(path)
    assert info.encoding == "utf-8"
    assert info.notes[0] == "encoding UTF-8 (the whole file is valid UTF-8)"
    assert rows[0].values == {"ID": "1", "NAME": "Siân"}


def test_utf8_bom_is_stripped_from_the_first_header(tmp_path: Path) -> None:
    path = write(tmp_path, "bom.csv", b"\xef\xbb\xbfCRIME_ID,MONTH\r\nA1,2024-01\r\n")
    info, rows = read_all(path)
    assert info.encoding == "utf-8-sig"
    assert info.fields == ["CRIME_ID", "MONTH"]
    assert rows == [SourceRow(0, {"CRIME_ID": "A1", "MONTH": "2024-01"})]


def test_utf16_with_bom_tab_file_as_excel_unicode_text_writes_it(tmp_path: Path) -> None:
    path = write(tmp_path, "export.txt", "ID\tNAME\r\n1\tZoë\r\n".encode("utf-16"))
    info, rows = read_all(path)
    assert (info.encoding, info.delimiter) == ("utf-16", "\t")
    assert rows == [SourceRow(0, {"ID": "1", "NAME": "Zoë"})]


def test_tab_file(tmp_path: Path) -> None:
    path = write(tmp_path, "stops.tsv", b"Type\tDate\tOutcome\nPerson search\t2019-05-31\tArrest, charged\n")
    info, rows = read_all(path)
    assert info.delimiter == "\t"
    assert info.notes[1] == "delimiter tab '\\t' (sniffed: 2 sampled rows have 3 fields)"
    assert rows[0].values == {"Type": "Person search", "Date": "2019-05-31", "Outcome": "Arrest, charged"}


def test_pipe_file_with_commas_in_values(tmp_path: Path) -> None:
    path = write(tmp_path, "p.txt", b"REF|NAME|ADDRESS\n4623/23|SMITH, John|1 High St, Leeds\n")
    info, rows = read_all(path)
    assert info.delimiter == "|"
    assert rows[0].values == {"REF": "4623/23", "NAME": "SMITH, John", "ADDRESS": "1 High St, Leeds"}


def test_semicolon_file_with_decimal_commas_is_not_sniffed_as_comma(tmp_path: Path) -> None:
    data = b"fecha;longitud;latitud\n2019-04-23;-75,569;6,257\n2019-05-12;-75,610;6,222\n"
    info, rows = read_all(write(tmp_path, "m.csv", data))
    assert info.delimiter == ";"
    assert rows[1].values == {"fecha": "2019-05-12", "longitud": "-75,610", "latitud": "6,222"}


def test_quoted_delimiters_do_not_confuse_the_sniffer(tmp_path: Path) -> None:
    data = b'A;B;C\n"x;y";"1,2,3,4";z\n"p";"q,r,s,t";u\n'
    info, rows = read_all(write(tmp_path, "q.csv", data))
    assert info.delimiter == ";"
    assert rows[0].values == {"A": "x;y", "B": "1,2,3,4", "C": "z"}


def test_requested_delimiter_and_encoding_are_used(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", "A:B\n1:Siân\n".encode("cp1252"))
    info, rows = read_all(path, delimiter=":", encoding="cp1252")
    assert (info.delimiter, info.encoding) == (":", "cp1252")
    assert "delimiter ':' (as requested)" in info.notes
    assert "encoding cp1252 (as requested)" in info.notes
    assert rows[0].values == {"A": "1", "B": "Siân"}


def test_quoted_embedded_newlines_make_one_row(tmp_path: Path) -> None:
    data = b'ID,NOTE,OFFICER\r\n1,"first line\r\nsecond line",PC 123\r\n2,"a ""quoted"" word",PC 7\r\n3,plain,PC 9\r\n'
    info, rows = read_all(write(tmp_path, "n.csv", data))
    assert rows == [
        SourceRow(0, {"ID": "1", "NOTE": "first line\r\nsecond line", "OFFICER": "PC 123"}),
        SourceRow(1, {"ID": "2", "NOTE": 'a "quoted" word', "OFFICER": "PC 7"}),
        SourceRow(2, {"ID": "3", "NOTE": "plain", "OFFICER": "PC 9"}),
    ]


def test_values_are_exact_strings_never_trimmed(tmp_path: Path) -> None:
    data = b"ID,NAME,POSTCODE\n 007 ,  Julia ,sw1a  1aa \n"
    _, rows = read_all(write(tmp_path, "t.csv", data))
    assert rows[0].values == {"ID": " 007 ", "NAME": "  Julia ", "POSTCODE": "sw1a  1aa "}


def test_duplicate_and_blank_headers_are_made_unique(tmp_path: Path) -> None:
    data = b'"",NAME,NAME,,Name,DOB\n1,a,b,c,d,e\n'
    info, rows = read_all(write(tmp_path, "d.csv", data))
    assert info.fields == ["column_1", "NAME", "NAME_2", "column_4", "Name_3", "DOB"]
    assert info.notes[2:] == [
        "column 1 has no header name; named 'column_1'",
        "duplicate header 'NAME' in column 3 renamed 'NAME_2'",
        "column 4 has no header name; named 'column_4'",
        "duplicate header 'Name' in column 5 renamed 'Name_3'",
    ]
    assert rows[0].values == {"column_1": "1", "NAME": "a", "NAME_2": "b", "column_4": "c", "Name_3": "d", "DOB": "e"}


def test_ragged_rows_are_kept_with_an_error(tmp_path: Path) -> None:
    data = b"A,B,C\n1,2,3\n4,5,6,7,8\n9\n10,11,12\n"
    _, rows = read_all(write(tmp_path, "rag.csv", data))
    assert rows == [
        SourceRow(0, {"A": "1", "B": "2", "C": "3"}),
        SourceRow(1, {"A": "4", "B": "5", "C": "6", "_extra_1": "7", "_extra_2": "8"}, "row 1 has 5 fields, the header has 3 (line 3)"),
        SourceRow(2, {"A": "9"}, "row 2 has 1 fields, the header has 3 (line 4)"),
        SourceRow(3, {"A": "10", "B": "11", "C": "12"}),
    ]


def test_ragged_row_line_counts_physical_lines_of_multiline_records(tmp_path: Path) -> None:
    data = b'A,B\n"x\ny\nz",1\n\nonly\n'
    _, rows = read_all(write(tmp_path, "ml.csv", data))
    assert rows[1] == SourceRow(1, {"A": "only"}, "row 1 has 1 fields, the header has 2 (line 6)")


def test_blank_lines_are_skipped_and_counted_once(tmp_path: Path) -> None:
    data = b"A,B\r\n1,2\r\n\r\n\r\n3,4\r\n\r\n"
    path = write(tmp_path, "b.csv", data)
    with open_source(path) as reader:
        first = list(reader.rows())
        second = list(reader.rows())
        assert first == second == [SourceRow(0, {"A": "1", "B": "2"}), SourceRow(1, {"A": "3", "B": "4"})]
        assert reader.info.notes.count("3 blank line(s) among the data skipped (not data rows)") == 1


def test_header_names_are_trimmed_but_values_are_not(tmp_path: Path) -> None:
    info, rows = read_all(write(tmp_path, "febrl.csv", b"rec_id, given_name, surname\nrec-1, , waller\n"))
    assert info.fields == ["rec_id", "given_name", "surname"]
    assert "2 header name(s) trimmed of surrounding spaces: ' given_name', ' surname'" in info.notes
    assert rows == [SourceRow(0, {"rec_id": "rec-1", "given_name": " ", "surname": " waller"})]


def test_a_row_of_empty_values_is_a_data_row(tmp_path: Path) -> None:
    _, rows = read_all(write(tmp_path, "e.csv", b"A,B\n,\n1,2\n"))
    assert rows == [SourceRow(0, {"A": "", "B": ""}), SourceRow(1, {"A": "1", "B": "2"})]


def test_title_rows_above_the_header_are_skipped(tmp_path: Path) -> None:
    data = (
        b"Custody records export\r\n"
        b"Generated 01/02/2024\r\n"
        b"\r\n"
        b"CUSTODY_REF,SURNAME,FORENAME,ARRIVAL\r\n"
        b"CU/2023/004512,SMITH,John,01/02/2024 10:15\r\n"
    )
    info, rows = read_all(write(tmp_path, "titled.csv", data))
    assert info.header_row == 3
    assert info.fields == ["CUSTODY_REF", "SURNAME", "FORENAME", "ARRIVAL"]
    assert (
        "header found on line 4; 3 row(s) above it skipped (titles: 'Custody records export'; 'Generated 01/02/2024')"
        in info.notes
    )
    assert rows == [
        SourceRow(0, {"CUSTODY_REF": "CU/2023/004512", "SURNAME": "SMITH", "FORENAME": "John", "ARRIVAL": "01/02/2024 10:15"})
    ]


def test_excel_padded_title_rows_are_skipped(tmp_path: Path) -> None:
    data = b"Stop and search,,,\nForce:,Kent,,\nID,TYPE,DATE,OUTCOME\n1,Person,2024-01-01,Arrest\n2,Vehicle,2024-01-02,\n"
    info, rows = read_all(write(tmp_path, "padded.csv", data))
    assert info.header_row == 2
    assert info.fields == ["ID", "TYPE", "DATE", "OUTCOME"]
    assert [row.index for row in rows] == [0, 1]
    assert rows[1].error is None


def test_header_over_mostly_ragged_rows_is_still_the_header(tmp_path: Path) -> None:
    data = b"A,B,C\n1,2,3,\n4,5,6,\n"
    info, rows = read_all(write(tmp_path, "trail.csv", data))
    assert info.header_row == 0
    assert rows[0] == SourceRow(0, {"A": "1", "B": "2", "C": "3", "_extra_1": ""}, "row 0 has 4 fields, the header has 3 (line 2)")


def test_header_only_file_has_fields_and_no_rows(tmp_path: Path) -> None:
    info, rows = read_all(write(tmp_path, "h.csv", b"A,B,C\n"))
    assert info.fields == ["A", "B", "C"]
    assert rows == []


def test_single_column_file(tmp_path: Path) -> None:
    info, rows = read_all(write(tmp_path, "one.csv", b"PNC_ID\n2004/0123456L\n\n04/123L\n"))
    assert info.delimiter == ","
    assert info.notes[1] == "delimiter comma ',' assumed: no candidate splits the rows (one column)"
    assert rows == [SourceRow(0, {"PNC_ID": "2004/0123456L"}), SourceRow(1, {"PNC_ID": "04/123L"})]


def test_info_has_sha256_and_size_of_the_file(tmp_path: Path) -> None:
    data = b"A,B\n" + b"1,2\n" * 300_000  # over one hashing chunk
    path = write(tmp_path, "big.csv", data)
    with open_source(path) as reader:
        assert reader.info.sha256 == hashlib.sha256(data).hexdigest()
        assert reader.info.size_bytes == len(data)
        assert reader.info.path == str(path)
        assert reader.info.format == "csv"
        assert sum(1 for _ in reader.rows()) == 300_000


def test_cp1252_byte_after_the_first_megabyte_still_decides_the_encoding(tmp_path: Path) -> None:
    data = b"A,B\n" + b"1,2\n" * 300_000 + "3,Siân\n".encode("cp1252")
    info, rows = read_all(write(tmp_path, "late.csv", data))
    assert info.encoding == "cp1252"
    assert rows[-1].values == {"A": "3", "B": "Siân"}


def test_rows_can_be_abandoned_and_restarted(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", b"A\n1\n2\n3\n")
    with open_source(path) as reader:
        partial = reader.rows()
        assert next(partial) == SourceRow(0, {"A": "1"})
        assert [row.index for row in reader.rows()] == [0, 1, 2]


@pytest.mark.parametrize("name", ["x.csv", "x.CSV", "x.txt", "x.dat"])
def test_text_with_other_extensions_reads_as_csv(tmp_path: Path, name: str) -> None:
    info, rows = read_all(write(tmp_path, name, b"A,B\n1,2\n"))
    assert info.format == "csv"
    assert rows == [SourceRow(0, {"A": "1", "B": "2"})]
