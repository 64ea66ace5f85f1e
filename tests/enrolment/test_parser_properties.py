"""Properties of the roster parser and row validator over inputs nobody wrote by hand
(hypothesis), and the inputs the coverage-guided fuzzer (`make fuzz`) found, kept as regressions.

Every example must finish within 2 s: the deadline is the fuzzer's timeout too.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import enrolment.imports
from enrolment.imports import COLUMNS, FILE_CODES, REQUIRED_COLUMNS, FileRefused
from enrolment.imports.fuzz import (
    ROW_CODES,
    SHARED_STRINGS,
    SHEET,
    check_outcome,
    read_roster,
    seeds,
    shaped,
    shared_strings_xlsx,
    validator,
    xlsx_with,
)
from enrolment.imports.validation import DATE_MIN, WAGE_MAX, mask_nik, nik_facts

QUICK = settings(
    max_examples=150,
    deadline=dt.timedelta(seconds=2),
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,  # the same examples on every run: a failure here is a bug, not bad luck
    database=None,
)
NIK = "3673015205900001"  # Kota Serang, a woman born 12-05-1990, serial 0001
VALID = {
    "NIK": NIK,
    "NAMA_LENGKAP": "Siti Aminah",
    "TANGGAL_LAHIR": "12-05-1990",
    "JENIS_KELAMIN": "P",
    "UNIT_KERJA": "MDT Al-Hidayah",
    "KATEGORI": "GURU_MADIN",
    "TGL_MULAI_BEKERJA": "15-07-2015",
    "UPAH": "2.000.000",
}

text_without_nul = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40
)
cells = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.sampled_from(["", " ", "-", "0", "12-05-1990", "1990-05-12", "2.000.000", "L", "P"]),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.timedeltas(),
)
rows_of_cells = st.fixed_dictionaries({}, optional=dict.fromkeys(COLUMNS, cells))


def csv_bytes(rows: list[list[str]], *, delimiter: str, encoding: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def outcome(data: bytes) -> str:
    try:
        read = read_roster(data)
    except FileRefused as refused:
        return refused.code
    return f"{read.format}: {read.rows} rows"


# --- files: read, or refused with a documented code ----------------------------------------------


@QUICK
@given(st.binary(max_size=4096))
@example(b"")
@example(b"PK\x03\x04")
@example(b"\xef\xbb\xbf")
def test_any_bytes_are_read_or_refused_with_a_documented_code(data):
    assert outcome(data)  # read_roster raises anything but a documented refusal as a bug


@QUICK
@given(st.binary(max_size=2048), st.sampled_from([SHEET, SHARED_STRINGS]))
def test_any_sheet_inside_a_real_xlsx_is_read_or_refused_with_a_documented_code(xml, entry):
    assert outcome(xlsx_with(entry, xml))


@QUICK
@given(
    st.lists(st.lists(text_without_nul, min_size=1, max_size=len(COLUMNS)), max_size=8),
    st.sampled_from([";", ",", "\t"]),
)
def test_a_csv_with_the_template_header_reads_every_row_that_is_not_blank(rows, delimiter):
    data = csv_bytes([REQUIRED_COLUMNS, *rows], delimiter=delimiter, encoding="utf-8-sig")
    filled = [r for r in rows if any(cell.strip() for cell in r)]

    result = outcome(data)

    assert result == (f"csv: {len(filled)} rows" if filled else "empty_file")


@QUICK
@given(
    st.lists(st.lists(st.text(max_size=30), max_size=12), max_size=6),
    st.sampled_from([";", ",", "\t"]),
    st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
)
def test_any_csv_text_is_read_or_refused_with_a_documented_code(rows, delimiter, encoding):
    try:
        data = csv_bytes(rows, delimiter=delimiter, encoding=encoding)
    except UnicodeEncodeError:
        data = csv_bytes(rows, delimiter=delimiter, encoding="utf-8")
    assert outcome(data)


# --- rows: the validator answers, with documented codes -----------------------------------------


@QUICK
@given(rows_of_cells)
def test_the_row_validator_never_raises_and_answers_only_with_documented_codes(values):
    clean, issues = validator().validate(2, values)

    check_outcome(2, clean, issues)  # a clean row only without errors, every value stageable
    assert {issue.code for issue in issues} <= ROW_CODES


@QUICK
@given(rows_of_cells, st.lists(rows_of_cells, max_size=5))
def test_what_a_validator_remembers_from_earlier_rows_never_changes_a_rows_answer(row, earlier):
    fresh = validator().validate(9, row)
    seasoned = validator()
    for number, values in enumerate(earlier, start=2):
        seasoned.validate(number, {**values, "NIK": ""})  # no NIK: no duplicate to report

    assert seasoned.validate(9, row) == fresh


@QUICK
@given(rows_of_cells)
def test_a_nik_issue_never_shows_more_than_four_digits_in_a_row(values):
    _clean, issues = validator().validate(2, values)

    for issue in issues:
        if issue.column == "NIK":
            assert not re.search(r"\d{5}", issue.value), issue


# --- NIK, dates and wages ----------------------------------------------------------------------


@QUICK
@given(
    st.lists(st.sampled_from(["", " ", ".", "  ", ". "]), min_size=17, max_size=17),
    st.booleans(),
)
def test_a_nik_with_spaces_or_dots_reads_as_its_16_digits_and_reading_it_again_changes_nothing(
    separators, quoted
):
    written = "".join(sep + digit for sep, digit in zip(separators, NIK, strict=False))
    written += separators[16]
    cell = f"'{written}" if quoted else written

    clean, issues = validator().validate(2, {**VALID, "NIK": cell})
    again, _ = validator().validate(2, {**VALID, "NIK": clean.nik})

    assert clean.nik == again.nik == NIK and issues == []
    assert nik_facts(written) == nik_facts(NIK) == (dt.date(1990, 5, 12), "P")
    assert mask_nik(written) == mask_nik(NIK) == "3673********0001"


@QUICK
@given(st.integers(1, 31), st.integers(1, 31), st.integers(1900, 2099), st.sampled_from("-/"))
def test_a_date_is_always_read_day_first_never_with_day_and_month_swapped(first, second, year, sep):
    written = f"{first:02d}{sep}{second:02d}{sep}{year}"

    clean, issues = validator(today=dt.date(2100, 1, 1)).validate(
        2, {**VALID, "TANGGAL_LAHIR": written, "TGL_MULAI_BEKERJA": "01-01-2100"}
    )

    try:
        expected = dt.date(year, second, first)
    except ValueError:  # 13-31 as a month: invalid, never read as 31 December
        assert clean is None and "birth_date_invalid" in {i.code for i in issues}
    else:
        assert clean.birth_date == expected


@QUICK
@given(st.dates(min_value=DATE_MIN, max_value=dt.date(2099, 12, 31)))
def test_a_date_reads_the_same_written_day_first_iso_or_as_an_excel_cell(day):
    written = [f"{day:%d-%m-%Y}", f"{day:%d/%m/%Y}", day.isoformat(), day]
    written.append(dt.datetime(day.year, day.month, day.day, 8, 30))
    for cell in written:
        clean, issues = validator(today=dt.date(2100, 1, 1)).validate(
            2, {**VALID, "TANGGAL_LAHIR": cell, "TGL_MULAI_BEKERJA": "01-01-2100"}
        )
        assert clean is not None and clean.birth_date == day, (cell, issues)


@QUICK
@given(st.integers(1, WAGE_MAX))
def test_a_whole_rupiah_wage_reads_the_same_however_it_is_written(amount):
    grouped = f"{amount:,}".replace(",", ".")
    written = [str(amount), grouped, f"Rp {grouped}", f"Rp.{amount}", f"{amount},00", amount]
    for cell in written:
        clean, issues = validator().validate(2, {**VALID, "UPAH": cell})
        assert clean is not None and clean.wage == amount, (cell, issues)


@QUICK
@given(st.one_of(st.integers(max_value=0), st.integers(min_value=WAGE_MAX + 1)))
def test_a_wage_of_nothing_below_nothing_or_above_a_billion_is_refused(amount):
    for cell in (str(amount), amount):
        clean, issues = validator().validate(2, {**VALID, "UPAH": cell})
        assert clean is None and [i.code for i in issues] == ["wage_invalid"]


# --- found by the fuzzer: kept as regressions --------------------------------------------------


def test_the_fuzzers_seeds_are_valid_rosters():
    assert [outcome(shaped(seed)) for seed in seeds()] == [
        "csv: 1 rows",
        "csv: 1 rows",
        "xlsx: 2 rows",
        "xlsx: 2 rows",
    ]


def test_a_nul_in_a_shared_string_of_an_xlsx_refuses_the_file_at_its_row():
    # Found by `make fuzz`: the NUL reached a clean row, and PostgreSQL's COPY refused it.
    strings = shared_strings_xlsx()[1].replace(b"MDT Al-Hidayah", b"MDT\x00Al-Hidayah")

    with pytest.raises(FileRefused) as refused:
        read_roster(xlsx_with(SHARED_STRINGS, strings))

    assert refused.value.code == "file_unreadable"
    assert refused.value.message.startswith("Baris 2 berisi karakter kosong (NUL)")


def test_a_nul_after_the_first_64_kb_of_a_csv_refuses_the_file():
    rows = [REQUIRED_COLUMNS] + [list(VALID.values())] * 1_000
    rows.append([*list(VALID.values())[:4], "MDT\x00Al-Hidayah", *list(VALID.values())[5:]])
    data = csv_bytes(rows, delimiter=";", encoding="utf-8")
    assert len(data) > 64 * 1024 and b"\x00" not in data[: 64 * 1024]

    assert outcome(data) == "file_unreadable"


def test_the_documented_file_codes_are_the_ones_the_reader_raises():
    package = Path(enrolment.imports.__file__).parent
    source = "".join((package / f"{name}.py").read_text() for name in ("files", "columns"))
    raised = set(re.findall(r'FileRefused\(\s*"([a-z_]+)"', source))
    raised.add("file_type_unsupported")  # raised through files._unsupported

    assert raised == FILE_CODES
