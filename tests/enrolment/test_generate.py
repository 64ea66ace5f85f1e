import datetime as dt
import io
from collections import Counter

import pytest
from django.core.management import call_command

from enrolment.imports import COLUMNS
from enrolment.imports.columns import map_headers
from enrolment.imports.files import inspect_upload, open_rows
from enrolment.imports.generate import BLOCK, generate_rows, load_choices
from enrolment.models import WorkerCategory
from regions.models import District

pytestmark = pytest.mark.django_db

C = {column: position for position, column in enumerate(COLUMNS)}


@pytest.fixture
def choices(reference_data):
    return load_choices()


def rows(n, choices, **options):
    districts, categories = choices
    return list(generate_rows(n, districts=districts, categories=categories, **options))


def nik_problem(row, district_codes) -> str:
    """Why a row's NIK is wrong or disagrees with the row, in plain code; "" when it is right."""
    nik = row[C["NIK"]]
    if not isinstance(nik, str) or len(nik) != 16 or not nik.isdigit():
        return "shape"
    if f"{nik[0:2]}.{nik[2:4]}.{nik[4:6]}" not in district_codes:
        return "district"
    day, sex = int(nik[6:8]), "L"
    if day > 40:
        day, sex = day - 40, "P"
    birth = row[C["TANGGAL_LAHIR"]]
    if (day, int(nik[8:10]), int(nik[10:12])) != (birth.day, birth.month, birth.year % 100):
        return "birth date"
    if sex != row[C["JENIS_KELAMIN"]]:
        return "sex"
    if nik[12:] == "0000":
        return "serial"
    if row[C["KODE_WILAYAH"]] != f"{nik[0:2]}.{nik[2:4]}":
        return "regency"
    return ""


def test_generated_niks_are_valid_unique_and_agree_with_the_row(choices):
    generated = rows(2 * BLOCK + 500, choices, seed=7)  # crosses two serial blocks
    district_codes = set(District.objects.values_list("code", flat=True))
    assert [row for row in generated if nik_problem(row, district_codes)] == []
    niks = [row[C["NIK"]] for row in generated]
    assert len(set(niks)) == len(niks)
    assert {nik[12:] for nik in niks} == {"0001", "0002", "0003"}
    assert Counter(row[C["JENIS_KELAMIN"]] for row in generated).keys() == {"L", "P"}


def test_generated_rows_are_plausible_workers(choices):
    categories = set(WorkerCategory.objects.values_list("name", flat=True))
    for row in rows(3000, choices, seed=1):
        birth, start = row[C["TANGGAL_LAHIR"]], row[C["TGL_MULAI_BEKERJA"]]
        assert dt.date(1965, 1, 1) <= birth <= dt.date(2003, 12, 31)
        assert dt.date(2005, 1, 1) <= start <= dt.date(2025, 12, 31)
        assert start >= dt.date(birth.year + 18, birth.month, 1)
        assert 1_000_000 <= row[C["UPAH"]] <= 3_500_000 and row[C["UPAH"]] % 1000 == 0
        assert row[C["KATEGORI"]] in categories
        assert len(row[C["NAMA_LENGKAP"]].split()) == 2
        assert row[C["UNIT_KERJA"]].split()[-1].isdigit()
        assert row[C["PROGRAM"]] in ("", "JKK,JKM")
        assert row[C["NO_HP"]].startswith("08") and len(row[C["NO_HP"]]) == 12


def test_the_same_seed_gives_the_same_roster(choices):
    assert rows(200, choices, seed=3, error_rate=0.1) == rows(200, choices, seed=3, error_rate=0.1)
    assert rows(200, choices, seed=3) != rows(200, choices, seed=4)


def test_the_error_rate_spoils_that_share_of_rows_in_varied_ways(choices):
    districts, categories = choices
    district_codes = {code for code, _place in districts}
    generated = rows(5000, choices, seed=11, error_rate=0.2)
    seen_niks: set[str] = set()
    kinds = Counter()
    for row in generated:
        nik = row[C["NIK"]]
        if isinstance(nik, float):
            kinds["nik_excel_number"] += 1
        elif nik_problem(row, district_codes) == "shape":
            kinds["nik_length"] += 1
        elif nik in seen_niks:
            kinds["nik_duplicate"] += 1
        elif row[C["NAMA_LENGKAP"]] == "":
            kinds["name_missing"] += 1
        elif isinstance(row[C["TGL_MULAI_BEKERJA"]], str):
            assert int(row[C["TGL_MULAI_BEKERJA"]].split("/")[1]) > 12  # cannot be day/month
            kinds["date_us_order"] += 1
        elif row[C["KATEGORI"]] not in categories:
            kinds["category_unknown"] += 1
        elif not isinstance(row[C["UPAH"]], int):
            kinds["wage_invalid"] += 1
        else:
            assert nik_problem(row, district_codes) == ""
        if isinstance(nik, str):
            seen_niks.add(nik)
    assert len(kinds) == 7
    assert 800 <= sum(kinds.values()) <= 1200  # 20 % of 5000, give or take


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_command_writes_a_roster_the_importer_reads(reference_data, tmp_path, fmt):
    path, output = tmp_path / f"roster.{fmt}", io.StringIO()
    call_command(
        "generate_roster",
        "--rows=300",
        f"--format={fmt}",
        f"--output={path}",
        "--error-rate=0.1",
        "--seed=5",
        stdout=output,
    )
    assert output.getvalue().startswith(f"300 rows written to {path}")
    assert inspect_upload(path, max_bytes=10 * 1024 * 1024) == fmt
    with open_rows(path, fmt) as source:
        header_map = map_headers(source.headers)
        read = list(source)
    assert source.headers == COLUMNS and header_map.unknown == []
    assert [number for number, _values in read] == list(range(2, 302))
    expected = rows(300, load_choices(), seed=5, error_rate=0.1)
    first = header_map.row_values(read[0][1])
    assert first["NIK"] == expected[0][C["NIK"]]
    if fmt == "csv":
        assert first["TANGGAL_LAHIR"] == f"{expected[0][C['TANGGAL_LAHIR']]:%d-%m-%Y}"
        excel_numbers = [v[C["NIK"]] for _n, v in read if "E+" in v[C["NIK"]]]
        assert all("," in nik for nik in excel_numbers)  # 3,67301E+15, as Indonesian Excel writes
    else:
        assert first["TANGGAL_LAHIR"] == expected[0][C["TANGGAL_LAHIR"]]
        assert isinstance(first["NIK"], str)
