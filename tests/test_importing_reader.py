"""Reading real exports: encodings, delimiters, quoted line breaks, row numbers."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from silverplatter.importing import ImportFileError
from silverplatter.importing.reader import (
    bad_bytes_column,
    detect_delimiter,
    detect_encoding,
    open_table,
    printable,
)

NAMES = "Email;First name;Last name\r\nanna@nordtek.fi;Anna;Mäkelä\r\nbo@vasa.se;Bo;Öberg\r\n"


def _write(tmp_path: Path, data: bytes, name: str = "people.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _read(path: Path, **options: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    with open_table(path, **options) as table:
        return table.header, list(table.records())


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (codecs.BOM_UTF8 + NAMES.encode("utf-8"), "utf-8-sig"),
        (NAMES.encode("utf-8"), "utf-8"),
        (NAMES.encode("cp1252"), "cp1252"),
        (NAMES.encode("utf-16"), "utf-16"),
        (b"Email;Name\nanna@nordtek.fi;Anna\n", "utf-8"),
    ],
)
def test_encoding_is_detected(tmp_path: Path, data: bytes, encoding: str) -> None:
    path = _write(tmp_path, data)
    assert detect_encoding(path) == encoding
    header, records = _read(path)
    assert header[0] == "Email"
    assert records[0][1][0] == "anna@nordtek.fi"


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF8 + NAMES.encode("utf-8"),
        NAMES.encode("utf-8"),
        NAMES.encode("cp1252"),
        NAMES.encode("utf-16"),
    ],
)
def test_letters_survive_every_encoding(tmp_path: Path, data: bytes) -> None:
    header, records = _read(_write(tmp_path, data))
    assert header == ["Email", "First name", "Last name"]
    assert [values[2] for _line, values in records] == ["Mäkelä", "Öberg"]


def test_a_few_bad_bytes_in_a_utf8_file_mark_only_their_rows(tmp_path: Path) -> None:
    good = "".join(f"p{n}@nordtek.fi,Pääkkö,Jyväskylä\n" for n in range(50)).encode()
    data = b"email,name,city\n" + good + b"bad@nordtek.fi,J\xe4rvinen,Oulu\n" + good
    path = _write(tmp_path, data)
    assert detect_encoding(path) == "utf-8"
    _header, records = _read(path)
    marked = [(line, bad_bytes_column(values)) for line, values in records]
    assert [(line, column) for line, column in marked if column is not None] == [(52, 1)]
    assert printable(records[50][1][1]) == "J\ufffdrvinen"


def test_latin1_without_any_utf8_is_cp1252(tmp_path: Path) -> None:
    path = _write(tmp_path, "name\nJärvinen\nŠtěpán – 5 €\n".encode("cp1252", "replace"))
    assert detect_encoding(path) == "cp1252"
    _header, records = _read(path)
    assert records[0][1] == ["Järvinen"]
    assert records[1][1][0].endswith("– 5 €")


def test_an_encoding_can_be_given(tmp_path: Path) -> None:
    path = _write(tmp_path, "name\nJärvinen\n".encode("latin-1"))
    _header, records = _read(path, encoding="latin-1")
    assert records[0][1] == ["Järvinen"]
    with pytest.raises(ImportFileError, match="unknown encoding 'klingon'"):
        _read(path, encoding="klingon")


@pytest.mark.parametrize(
    ("sample", "delimiter"),
    [
        ("a,b,c\n1,2,3\n4,5,6\n", ","),
        ("a;b;c\n1;2,5;3\n4;5,5;6\n", ";"),
        ("a\tb\tc\n1\t2\t3\n", "\t"),
        ('name,note\n"Acme; Inc","a; b; c"\n"B; C","x; y"\n', ","),
        ("Email;Company\nanna@nordtek.fi;Nordtek, Oy\n", ";"),
        ("email\nanna@nordtek.fi\n", ","),
    ],
)
def test_delimiter_is_detected(sample: str, delimiter: str) -> None:
    assert detect_delimiter(sample) == delimiter


def test_quoted_line_breaks_and_spreadsheet_row_numbers(tmp_path: Path) -> None:
    data = (
        "email,note\r\n"
        'a@x.fi,"first line\r\nsecond line"\r\n'
        "\r\n"
        "b@x.fi,plain\r\n"
        ",\r\n"
        'c@x.fi,"one\ntwo\nthree"\r\n'
        "d@x.fi,last\r\n"
    )
    _header, records = _read(_write(tmp_path, data.encode()))
    assert [(line, values[0]) for line, values in records] == [
        (2, "a@x.fi"),
        (5, "b@x.fi"),
        (7, "c@x.fi"),
        (10, "d@x.fi"),
    ]
    assert records[0][1][1] == "first line\r\nsecond line"


def test_header_after_blank_lines(tmp_path: Path) -> None:
    header, records = _read(_write(tmp_path, b"\n\nemail\nanna@x.fi\n"))
    assert header == ["email"]
    assert records == [(4, ["anna@x.fi"])]


def test_delimiter_can_be_given(tmp_path: Path) -> None:
    path = _write(tmp_path, b"email|name\nanna@x.fi|Anna\n")
    header, _records = _read(path, delimiter="|")
    assert header == ["email", "name"]
    header, _records = _read(_write(tmp_path, b"email\tname\n", "tabs.csv"), delimiter="tab")
    assert header == ["email", "name"]


@pytest.mark.parametrize("data", [b"", b"\n\n", b",,,\n"])
def test_an_empty_file_is_a_whole_file_problem(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(ImportFileError, match="is empty"):
        open_table(_write(tmp_path, data))


def test_a_missing_file_is_a_whole_file_problem(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="does not exist"):
        open_table(tmp_path / "nowhere.csv")


def test_progress_is_measured_in_bytes(tmp_path: Path) -> None:
    path = _write(tmp_path, b"email\n" + b"".join(b"p%d@x.fi\n" % n for n in range(20000)))
    with open_table(path) as table:
        assert table.size == path.stat().st_size
        for _record in table.records():
            pass
        assert table.bytes_read == table.size


def test_excel_sep_hint_line(tmp_path: Path) -> None:
    path = _write(tmp_path, b"sep=;\r\nemail;name\r\nanna@x.fi;Anna, Jr\r\n")
    header, records = _read(path)
    assert header == ["email", "name"]
    assert records == [(3, ["anna@x.fi", "Anna, Jr"])]


def test_an_unreadable_record_names_its_line(tmp_path: Path) -> None:
    huge = b"x" * (16 * 1024 * 1024 + 10)
    path = _write(tmp_path, b'email,note\nanna@x.fi,ok\nbo@x.fi,"' + huge + b'"\n')
    with open_table(path) as table:
        records = table.records()
        assert next(records) == (2, ["anna@x.fi", "ok"])
        with pytest.raises(ImportFileError, match="cannot be read from line 3 on"):
            next(records)
