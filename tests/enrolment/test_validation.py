import datetime as dt
import re

import pytest

from enrolment.imports.validation import (
    END_REASON_WORDS,
    MESSAGES,
    TEXT_LIMITS,
    CleanRow,
    RowValidator,
    mask_nik,
    nik_facts,
)
from enrolment.models import EndReason, RowIssue, StagedRow, WorkerCategory

TODAY = dt.date(2025, 6, 1)
# Kota Serang, district Serang; born 13 April 1990; a man; serial 0001.
NIK = "3673011304900001"


def validator(**overrides) -> RowValidator:
    sets = {
        "today": TODAY,
        "provinces": {"11", "31", "36", "91", "93"},
        "regencies": {"36.01", "36.73", "93.01"},
        "districts": {"36.01.01", "36.73.01", "36.73.02", "93.01.01"},
        "categories": {"GURU_MADIN": 1, "Guru Madrasah Diniyah": 1, "LAINNYA": 9},
        "programs": {"JKK", "JKM", "JHT", "JP", "JKP"},
        "allowed_programs": {"JKK", "JKM", "JHT"},
    }
    return RowValidator(**(sets | overrides))


def roster_row(**cells) -> dict[str, object]:
    values = {
        "NIK": NIK,
        "NAMA_LENGKAP": "Ahmad Fauzi",
        "TANGGAL_LAHIR": "13-04-1990",
        "JENIS_KELAMIN": "L",
        "UNIT_KERJA": "MDA Nurul Huda",
        "KATEGORI": "GURU_MADIN",
        "TGL_MULAI_BEKERJA": "02-01-2024",
        "UPAH": "2000000",
    }
    return values | cells


def check(**cells):
    return validator().validate(2, roster_row(**cells))


def codes(issues) -> list[str]:
    return [issue.code for issue in issues]


def the_issue(**cells):
    """The single issue of a row that differs from a valid one by the given cells."""
    clean, issues = check(**cells)
    assert len(issues) == 1, issues
    return clean, issues[0]


# --- a valid row ---------------------------------------------------------------------------------


def test_a_complete_row_becomes_a_clean_row_with_normalised_values():
    values = roster_row(
        NIK=" 3673011304900001 ",
        NAMA_LENGKAP="  Ahmad   Fauzi\n",
        UNIT_KERJA=" MDA  Nurul Huda ",
        TEMPAT_LAHIR=" Serang ",
        NO_HP=" 081234567890 ",
        ALAMAT="Jl. Raya   Serang No. 1",
        KODE_WILAYAH="3673",
        KPJ="12345678901",
        NOMOR_INDUK=" 1234567890 ",
        PROGRAM="jkk; JKM",
    )
    clean, issues = validator().validate(2, values)
    assert issues == []
    assert clean == CleanRow(
        row=2,
        nik=NIK,
        full_name="Ahmad Fauzi",
        birth_date=dt.date(1990, 4, 13),
        sex="L",
        work_unit="MDA Nurul Huda",
        category_id=1,
        start_date=dt.date(2024, 1, 2),
        wage=2000000,
        birth_place="Serang",
        phone="081234567890",
        address="Jl. Raya Serang No. 1",
        regency_code="36.73",
        kpj="12345678901",
        nomor_induk="1234567890",
        programs=("JKK", "JKM"),
        warnings=0,
    )


def test_a_row_without_optional_columns_leaves_them_empty_and_uses_the_agreements_programs():
    clean, issues = check()
    assert issues == []
    assert (clean.birth_place, clean.regency_code, clean.kpj, clean.programs) == ("", "", "", ())
    assert (clean.ended_on, clean.end_reason) == (None, "")


def test_a_row_with_an_error_gives_no_clean_row_but_keeps_its_warnings_too():
    clean, issues = check(NAMA_LENGKAP="", KPJ="123")
    assert clean is None
    assert codes(issues) == ["name_missing", "kpj_format"]
    assert [issue.severity for issue in issues] == ["error", "warning"]


def test_every_code_has_an_indonesian_message_that_says_what_to_do():
    for key, message in MESSAGES.items():
        assert message.endswith("."), key
        assert re.search(
            r"\b(isi|periksa|gunakan|format|hapus|perbaiki|tulis|persingkat)\b", message, re.I
        ), key


# --- NIK -----------------------------------------------------------------------------------------


def test_an_empty_nik_is_missing():
    for empty in ("", "   ", None):
        clean, issue = the_issue(NIK=empty)
        assert clean is None
        assert (issue.row, issue.column, issue.code, issue.severity) == (
            2,
            "NIK",
            "nik_missing",
            "error",
        )


def test_a_nik_of_fifteen_digits_or_with_letters_must_be_sixteen_digits():
    _, issue = the_issue(NIK="367301130490001")
    assert issue.code == "nik_format"
    assert issue.message == "NIK harus 16 digit angka. Periksa kembali NIK pada baris ini."
    assert issue.value == "3673***"
    assert the_issue(NIK="36730113049000O1")[1].code == "nik_format"
    assert the_issue(NIK="3673-0113-0490-0001")[1].code == "nik_format"


def test_spaces_and_dots_in_a_nik_are_ignored():
    for spelled in ("3673 0113 0490 0001", "36.73.01.130490.0001", "'3673011304900001"):
        clean, issues = check(NIK=spelled)
        assert issues == []
        assert clean.nik == NIK


def test_a_nik_typed_into_a_number_cell_says_to_format_the_column_as_text():
    clean, issue = the_issue(NIK=3.60101e15)
    assert clean is None
    assert issue.code == "nik_numeric_cell"
    assert issue.message == (
        "Kolom NIK berformat Angka sehingga digit terakhir hilang (3,60101E+15). Format kolom NIK "
        "sebagai Teks di Excel, ketik ulang NIK, lalu unggah ulang."
    )
    assert issue.value == "3601********0000"


def test_a_whole_number_nik_cell_is_a_number_cell_too():
    _, issue = the_issue(NIK=3673011304900001)
    assert issue.code == "nik_numeric_cell"
    assert "(3,67301E+15)" in issue.message
    assert issue.value == "3673********0001"


def test_a_nik_that_went_through_a_number_on_its_way_to_the_csv_says_the_same():
    for text in ("3,60101E+15", "3.60101E+15", "3.60101e15"):
        _, issue = the_issue(NIK=text)
        assert issue.code == "nik_numeric_cell"
        assert "(3,60101E+15)" in issue.message
        assert "Format kolom NIK sebagai Teks" in issue.message
    _, issue = the_issue(NIK="3,60101E+15")
    assert issue.value == "3,60***"
    _, issue = the_issue(NIK="3673011304900000.0")
    assert issue.code == "nik_numeric_cell"
    assert issue.value == "3673***"


def test_a_nik_from_a_province_that_does_not_exist_is_refused():
    _, issue = the_issue(NIK="9973011304900001")
    assert issue.code == "nik_province_unknown"
    assert "(99)" in issue.message


def test_the_2022_papua_provinces_are_provinces():
    clean, issues = check(NIK="9301011304900001")
    assert issues == []
    assert clean.nik == "9301011304900001"


def test_a_nik_with_regency_or_district_00_is_a_format_error_that_says_so():
    for nik in ("3600011304900001", "3673001304900001"):
        _, issue = the_issue(NIK=nik)
        assert issue.code == "nik_format"
        assert issue.severity == "error"
        assert "tidak boleh 00" in issue.message


def test_a_nik_whose_ddmmyy_is_not_a_real_date_is_refused():
    for ddmmyy in ("320490", "001390", "310490", "130090", "000490", "720490"):
        clean, issues = check(NIK=f"367301{ddmmyy}0001")
        assert clean is None
        assert "nik_date_invalid" in codes(issues), ddmmyy
    _, issue = the_issue(NIK="3673013204900001")
    assert issue.message.startswith("Tanggal lahir pada NIK (digit 7–12) bukan tanggal yang benar.")


def test_a_womans_nik_carries_her_day_of_birth_plus_forty():
    clean, issues = check(NIK="3673015304900002", JENIS_KELAMIN="P")
    assert issues == []
    assert (clean.birth_date, clean.sex) == (dt.date(1990, 4, 13), "P")
    clean, issues = check(NIK="3673017104900002", TANGGAL_LAHIR="31-04-1990")
    assert "nik_date_invalid" in codes(issues)  # 71 - 40 = 31 April


def test_the_29th_of_february_is_a_nik_date_only_in_leap_years():
    clean, issues = check(NIK="3673012902960001", TANGGAL_LAHIR="29-02-1996")
    assert issues == []
    assert clean.birth_date == dt.date(1996, 2, 29)
    _, issue = the_issue(NIK="3673012902970001", TANGGAL_LAHIR="28-02-1997")
    assert issue.code == "nik_date_invalid"
    clean, issues = check(NIK="3673016902000002", TANGGAL_LAHIR="29-02-2000", JENIS_KELAMIN="P")
    assert issues == []  # 00 is 2000, a leap year


def test_a_nik_with_serial_0000_is_refused():
    _, issue = the_issue(NIK="3673011304900000")
    assert issue.code == "nik_serial_zero"
    assert "0000" in issue.message


def test_a_nik_seen_on_an_earlier_row_names_that_row():
    rows = validator()
    assert rows.validate(2, roster_row())[1] == []
    assert rows.validate(3, roster_row(NIK="3673011304900002"))[1] == []
    clean, issues = rows.validate(7, roster_row(NIK="3673 0113 0490 0001"))
    assert clean is None
    assert codes(issues) == ["nik_duplicate_in_file"]
    assert issues[0].message == "NIK ini sudah ada di baris 2. Hapus salah satu baris."
    assert issues[0].value == "3673********0001"
    assert rows.validate(9, roster_row())[1][0].message.startswith("NIK ini sudah ada di baris 2.")


def test_a_new_validator_starts_a_new_file():
    validator().validate(2, roster_row())
    assert validator().validate(2, roster_row())[1] == []


def test_a_nik_from_a_regency_or_district_not_in_todays_list_is_only_a_warning():
    clean, issues = check(NIK="9101011304900001")  # old Merauke, now 93.01
    assert clean is not None and clean.warnings == 1
    assert codes(issues) == ["nik_region_unknown"]
    assert issues[0].severity == "warning"
    assert "(91.01)" in issues[0].message
    clean, issues = check(NIK="3673091304900001")
    assert clean is not None and clean.warnings == 1
    assert codes(issues) == ["nik_region_unknown"]
    assert "kecamatan" in issues[0].message


def test_a_birth_date_that_differs_from_the_niks_is_only_a_warning():
    clean, issues = check(TANGGAL_LAHIR="14-04-1990")
    assert codes(issues) == ["nik_birth_date_mismatch"]
    assert issues[0].column == "TANGGAL_LAHIR"
    assert issues[0].severity == "warning"
    assert clean.birth_date == dt.date(1990, 4, 14)  # the roster's date is kept
    assert check(TANGGAL_LAHIR="13-04-1991")[1][0].code == "nik_birth_date_mismatch"


def test_the_nik_compares_only_the_two_digits_of_the_year_it_carries():
    # 13-04-25 is read as 2025 (not after today's 25), but 1925 is the same NIK date.
    clean, issues = check(NIK="3673011304250001", TANGGAL_LAHIR="13-04-1925")
    assert "nik_birth_date_mismatch" not in codes(issues)
    assert codes(issues) == ["age_implausible"]


def test_a_sex_that_differs_from_the_niks_is_only_a_warning():
    clean, issues = check(JENIS_KELAMIN="P")
    assert codes(issues) == ["nik_gender_mismatch"]
    assert issues[0].severity == "warning"
    assert "Menurut NIK pekerja ini laki-laki, tetapi JENIS_KELAMIN berisi perempuan" in (
        issues[0].message
    )
    assert clean.sex == "P"


# --- the other columns ---------------------------------------------------------------------------


def test_an_empty_name_is_missing_and_spaces_inside_a_name_are_collapsed():
    _, issue = the_issue(NAMA_LENGKAP="  ")
    assert (issue.column, issue.code) == ("NAMA_LENGKAP", "name_missing")
    clean, _ = check(NAMA_LENGKAP="Siti\t Nur  Aisyah ")
    assert clean.full_name == "Siti Nur Aisyah"


def test_an_empty_birth_date_is_missing():
    _, issue = the_issue(TANGGAL_LAHIR="")
    assert issue.code == "birth_date_missing"
    assert the_issue(TANGGAL_LAHIR=None)[1].code == "birth_date_missing"


def test_birth_dates_are_read_day_first_or_iso_or_from_excel():
    for cell in (
        "13-04-1990",
        "13/04/1990",
        "1990-04-13",
        "1990-04-13 00:00:00",
        dt.date(1990, 4, 13),
        dt.datetime(1990, 4, 13, 0, 0),
    ):
        clean, issues = check(TANGGAL_LAHIR=cell)
        assert issues == [], cell
        assert clean.birth_date == dt.date(1990, 4, 13)


def test_a_bare_number_in_a_date_column_is_an_excel_serial_day():
    for serial in (32976, 32976.0, "32976"):
        clean, issues = check(TANGGAL_LAHIR=serial)
        assert issues == [], serial
        assert clean.birth_date == dt.date(1990, 4, 13)
    assert the_issue(TANGGAL_LAHIR=60001)[1].code == "birth_date_invalid"
    assert the_issue(TANGGAL_LAHIR=0)[1].code == "birth_date_invalid"


def test_a_us_date_with_month_13_is_invalid_never_swapped():
    _, issue = the_issue(TANGGAL_LAHIR="04/13/1990")
    assert issue.code == "birth_date_invalid"
    assert issue.value == "04/13/1990"
    assert "DD-MM-YYYY" in issue.message


def test_other_spellings_of_a_birth_date_are_invalid():
    for cell in (
        "31-02-1990",
        "13.04.1990",
        "13-04-90",
        "13 April 1990",
        "1990/04/13",
        "13-04-0990",
    ):
        assert the_issue(TANGGAL_LAHIR=cell)[1].code == "birth_date_invalid", cell
    for cell in (dt.time(8, 0), dt.date(990, 4, 13), True):
        assert the_issue(TANGGAL_LAHIR=cell)[1].code == "birth_date_invalid", cell


def test_a_birth_date_after_today_is_refused():
    _, issue = the_issue(TANGGAL_LAHIR="02-06-2025")
    assert issue.code == "birth_date_future"
    assert "birth_date_future" not in codes(check(TANGGAL_LAHIR="01-06-2025")[1])


def test_an_age_under_15_or_over_80_at_the_start_date_is_only_a_warning():
    # Born 13-04-2010, starts 12-04-2025: 14 years old.
    clean, issue = the_issue(
        NIK="3673011304100001", TANGGAL_LAHIR="13-04-2010", TGL_MULAI_BEKERJA="12-04-2025"
    )
    assert (issue.code, issue.severity) == ("age_implausible", "warning")
    assert "14 tahun" in issue.message
    assert clean.warnings == 1
    _, issues = check(
        NIK="3673011304100001", TANGGAL_LAHIR="13-04-2010", TGL_MULAI_BEKERJA="13-04-2025"
    )
    assert issues == []  # 15 on the day
    _, issue = the_issue(
        NIK="3673011304400001", TANGGAL_LAHIR="13-04-1940", TGL_MULAI_BEKERJA="13-04-2021"
    )
    assert "81 tahun" in issue.message
    _, issues = check(
        NIK="3673011304400001", TANGGAL_LAHIR="13-04-1940", TGL_MULAI_BEKERJA="12-04-2021"
    )
    assert issues == []  # still 80


@pytest.mark.parametrize(
    ("cell", "sex"),
    [
        ("L", "L"),
        ("l", "L"),
        (" P ", "P"),
        ("Laki-laki", "L"),
        ("LAKI-LAKI", "L"),
        ("Laki Laki", "L"),
        ("perempuan", "P"),
        ("PEREMPUAN", "P"),
    ],
)
def test_sex_is_l_or_p_in_any_usual_spelling(cell, sex):
    nik = NIK if sex == "L" else "3673015304900002"
    clean, issues = check(NIK=nik, JENIS_KELAMIN=cell)
    assert issues == []
    assert clean.sex == sex


def test_any_other_sex_is_invalid():
    for cell in ("", "X", "Pria", "1", None):
        _, issue = the_issue(JENIS_KELAMIN=cell)
        assert (issue.column, issue.code) == ("JENIS_KELAMIN", "gender_invalid")


def test_a_category_is_found_by_code_or_name_whatever_the_case_spaces_or_underscores():
    for cell in ("GURU_MADIN", "guru madin", " Guru_Madin ", "GURU MADRASAH  DINIYAH", "lainnya"):
        clean, issues = check(KATEGORI=cell)
        assert issues == [], cell
        assert clean.category_id == (9 if cell == "lainnya" else 1)


def test_an_unknown_category_is_refused():
    _, issue = the_issue(KATEGORI="Guru Ngaji")
    assert (issue.column, issue.code, issue.value) == ("KATEGORI", "category_unknown", "Guru Ngaji")
    assert the_issue(KATEGORI="")[1].code == "category_unknown"


def test_an_empty_work_unit_is_missing():
    _, issue = the_issue(UNIT_KERJA=" ")
    assert (issue.column, issue.code) == ("UNIT_KERJA", "work_unit_missing")


def test_a_missing_or_wrong_start_date_is_invalid():
    _, issue = the_issue(TGL_MULAI_BEKERJA="")
    assert (issue.column, issue.code) == ("TGL_MULAI_BEKERJA", "start_date_invalid")
    assert issue.message.startswith("TGL_MULAI_BEKERJA kosong.")
    _, issue = the_issue(TGL_MULAI_BEKERJA="01/13/2024")
    assert issue.code == "start_date_invalid"
    assert issue.message.startswith("TGL_MULAI_BEKERJA bukan tanggal yang benar.")
    clean, _ = check(TGL_MULAI_BEKERJA=dt.datetime(2024, 1, 2, 0, 0))
    assert clean.start_date == dt.date(2024, 1, 2)


@pytest.mark.parametrize(
    "cell",
    ["2500000", "2.500.000", "Rp 2.500.000", "Rp2.500.000,00", "Rp. 2.500.000", 2500000, 2500000.0],
)
def test_a_wage_is_read_from_the_usual_rupiah_spellings(cell):
    clean, issues = check(UPAH=cell)
    assert issues == []
    assert clean.wage == 2500000


@pytest.mark.parametrize(
    "cell", ["2,5 juta", "2,500,000", "0", 0, "-2500000", -2500000, 2500000.5, "", None, True]
)
def test_a_wage_that_is_not_a_positive_whole_rupiah_amount_is_invalid(cell):
    _, issue = the_issue(UPAH=cell)
    assert (issue.column, issue.code) == ("UPAH", "wage_invalid")


def test_a_regency_code_is_read_dotted_or_not():
    for cell in ("36.73", "3673", 3673, 36.73):
        clean, issues = check(KODE_WILAYAH=cell)
        assert issues == [], cell
        assert clean.regency_code == "36.73"
    assert check(KODE_WILAYAH=36.01)[0].regency_code == "36.01"
    assert check(KODE_WILAYAH="  ")[0].regency_code == ""


def test_an_unknown_regency_code_is_refused():
    for cell in ("36.99", "36.73.01", "Serang"):
        _, issue = the_issue(KODE_WILAYAH=cell)
        assert (issue.column, issue.code) == ("KODE_WILAYAH", "region_unknown")


def test_a_kpj_that_is_not_11_digits_is_only_a_warning_and_is_not_stored():
    for cell in ("1234567890", "1234567890123"):
        clean, issue = the_issue(KPJ=cell)
        assert (issue.column, issue.code, issue.severity) == ("KPJ", "kpj_format", "warning")
        assert "tidak disimpan" in issue.message
        assert clean.kpj == ""
    assert check(KPJ=12345678901)[0].kpj == "12345678901"
    assert check(KPJ="123 4567 8901")[0].kpj == "12345678901"


def test_programs_are_split_on_commas_semicolons_slashes_spaces_and_plus():
    for cell in ("JKK,JKM,JHT", "JKK; JKM; JHT", "jkk/jkm/jht", "JKK JKM JHT", "JKK+JKM+JHT,JKK"):
        clean, issues = check(PROGRAM=cell)
        assert issues == [], cell
        assert clean.programs == ("JKK", "JKM", "JHT")


def test_an_unknown_program_is_refused():
    _, issue = the_issue(PROGRAM="JKK,BPJS Kesehatan")
    assert (issue.column, issue.code) == ("PROGRAM", "program_unknown")
    assert "BPJS, KESEHATAN" in issue.message


def test_jp_and_jkp_are_not_allowed_for_non_asn_workers():
    _, issue = the_issue(PROGRAM="JKK,JKM,JP,JKP")
    assert (issue.column, issue.code) == ("PROGRAM", "program_not_allowed")
    assert "JP, JKP" in issue.message


def test_text_longer_than_its_column_is_refused_with_the_limit():
    _, issue = the_issue(NAMA_LENGKAP="A" * 151)
    assert (issue.column, issue.code) == ("NAMA_LENGKAP", "text_too_long")
    assert issue.message == (
        "NAMA_LENGKAP terlalu panjang (151 karakter, paling banyak 150). Persingkat isian ini."
    )
    assert len(issue.value) == 100 and issue.value.endswith("…")
    assert check(NAMA_LENGKAP="A" * 150)[1] == []
    assert the_issue(ALAMAT="Jl. " + "x" * 300)[1].column == "ALAMAT"
    assert the_issue(NO_HP="0812" * 8)[1].column == "NO_HP"


def test_the_text_limits_are_those_of_the_staging_table():
    columns = {
        "NAMA_LENGKAP": "full_name",
        "UNIT_KERJA": "work_unit",
        "TEMPAT_LAHIR": "birth_place",
        "NO_HP": "phone",
        "ALAMAT": "address",
        "NOMOR_INDUK": "nomor_induk",
    }
    for column, field in columns.items():
        assert TEXT_LIMITS[column] == StagedRow._meta.get_field(field).max_length, column
    assert StagedRow._meta.get_field("kpj").max_length == 11
    assert RowIssue._meta.get_field("value").max_length == 100


# --- a worker who left: TGL_BERHENTI and ALASAN_BERHENTI ----------------------------------------


def test_a_row_with_an_end_date_and_a_reason_ends_the_employment_on_that_day():
    clean, issues = check(TGL_BERHENTI="31-03-2025", ALASAN_BERHENTI="Mengundurkan diri")
    assert issues == []
    assert (clean.ended_on, clean.end_reason) == (dt.date(2025, 3, 31), "resigned")
    clean, _ = check(TGL_BERHENTI=dt.datetime(2025, 3, 31), ALASAN_BERHENTI="pensiun")
    assert (clean.ended_on, clean.end_reason) == (dt.date(2025, 3, 31), "retired")


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("mengundurkan diri", "resigned"),
        ("  MENGUNDURKAN   DIRI ", "resigned"),
        ("Resign", "resigned"),
        ("keluar", "resigned"),
        ("Kontrak berakhir", "contract_ended"),
        ("habis kontrak", "contract_ended"),
        ("Kontrak Habis", "contract_ended"),
        ("PENSIUN", "retired"),
        ("Meninggal", "died"),
        ("meninggal dunia", "died"),
        ("Wafat", "died"),
        ("contract_ended", "contract_ended"),
        ("DIED", "died"),
    ],
)
def test_an_end_reason_is_read_from_its_code_or_the_indonesian_words_in_any_case(cell, reason):
    clean, issues = check(TGL_BERHENTI="01-02-2025", ALASAN_BERHENTI=cell)
    assert issues == []
    assert clean.end_reason == reason


def test_the_end_reason_words_cover_exactly_the_end_reasons_of_the_model():
    assert set(END_REASON_WORDS) == set(EndReason.values)


def test_empty_end_cells_are_a_worker_who_still_works_there():
    for empty in ("", "  ", None):
        clean, issues = check(TGL_BERHENTI=empty, ALASAN_BERHENTI=empty)
        assert issues == []
        assert (clean.ended_on, clean.end_reason) == (None, "")


def test_an_end_date_that_is_not_a_date_is_invalid():
    for cell in ("31-02-2025", "03/31/2025", "bulan lalu"):
        clean, issue = the_issue(TGL_BERHENTI=cell, ALASAN_BERHENTI="pensiun")
        assert clean is None
        assert (issue.column, issue.code, issue.severity) == (
            "TGL_BERHENTI",
            "end_date_invalid",
            "error",
        )
        assert issue.value == cell


def test_an_end_date_without_a_reason_asks_for_the_reason():
    _, issue = the_issue(TGL_BERHENTI="31-03-2025")
    assert (issue.column, issue.code, issue.severity) == (
        "ALASAN_BERHENTI",
        "end_reason_missing",
        "error",
    )
    assert "mengundurkan diri" in issue.message and "pensiun" in issue.message


def test_an_unknown_end_reason_lists_the_accepted_ones():
    _, issue = the_issue(TGL_BERHENTI="31-03-2025", ALASAN_BERHENTI="dipecat")
    assert (issue.column, issue.code, issue.severity) == (
        "ALASAN_BERHENTI",
        "end_reason_unknown",
        "error",
    )
    assert issue.value == "dipecat"
    for words in END_REASON_WORDS.values():
        for word in words:
            assert word in issue.message, word


def test_a_reason_without_an_end_date_asks_for_the_date():
    clean, issue = the_issue(ALASAN_BERHENTI="pensiun")
    assert clean is None
    assert (issue.column, issue.code, issue.severity) == (
        "TGL_BERHENTI",
        "end_reason_without_date",
        "error",
    )


def test_an_end_date_before_the_start_date_is_refused():
    _, issue = the_issue(TGL_BERHENTI="01-01-2024", ALASAN_BERHENTI="pensiun")  # starts 02-01-2024
    assert (issue.column, issue.code, issue.severity) == (
        "TGL_BERHENTI",
        "end_before_start",
        "error",
    )
    clean, issues = check(TGL_BERHENTI="02-01-2024", ALASAN_BERHENTI="pensiun")
    assert issues == [] and clean.ended_on == clean.start_date  # left on the day they started


def test_an_end_date_after_today_is_refused_because_a_roster_reports_what_happened():
    _, issue = the_issue(TGL_BERHENTI="02-06-2025", ALASAN_BERHENTI="kontrak berakhir")
    assert (issue.column, issue.code, issue.severity) == (
        "TGL_BERHENTI",
        "end_date_future",
        "error",
    )
    clean, issues = check(TGL_BERHENTI=TODAY, ALASAN_BERHENTI="kontrak berakhir")
    assert issues == [] and clean.ended_on == TODAY


# --- masks and facts -----------------------------------------------------------------------------


def test_a_nik_is_masked_to_its_first_and_last_four_digits():
    assert mask_nik("3601010101900001") == "3601********0001"
    assert mask_nik(" 3601 0101 0190 0001 ") == "3601********0001"
    assert mask_nik("360101010190001") == "3601***"
    assert mask_nik("ab") == "ab***"
    assert mask_nik("") == ""


def test_no_issue_shows_a_whole_nik():
    rows = validator()
    values = roster_row(
        NIK="3673011304900001", TANGGAL_LAHIR="14-04-1991", JENIS_KELAMIN="P", KPJ="1"
    )
    rows.validate(2, values)
    _, issues = rows.validate(3, values)
    assert codes(issues) == [
        "nik_duplicate_in_file",
        "kpj_format",
        "nik_birth_date_mismatch",
        "nik_gender_mismatch",
    ]
    for issue in issues:
        assert not re.search(r"\d{16}", issue.message + issue.value)
        assert "3673011304900001" not in issue.message.replace(" ", "").replace(".", "")


def test_nik_facts_give_the_birth_date_and_sex_a_nik_implies():
    assert nik_facts("3673011304900001", today=TODAY) == (dt.date(1990, 4, 13), "L")
    assert nik_facts("3673015304050002", today=TODAY) == (dt.date(2005, 4, 13), "P")
    assert nik_facts("3673015304260002", today=TODAY) == (dt.date(1926, 4, 13), "P")
    assert nik_facts("3673013204900001", today=TODAY) == (None, "L")
    assert nik_facts("12345", today=TODAY) == (None, "")


# --- the reference data --------------------------------------------------------------------------


def test_a_validator_from_the_database_knows_the_real_regions_categories_and_programs(
    reference_data,
):
    rows = RowValidator.from_database(today=TODAY)
    clean, issues = rows.validate(
        2, roster_row(KATEGORI="Penyuluh Agama non-PNS", KODE_WILAYAH="36.73", PROGRAM="JKK,JHT")
    )
    assert issues == []
    assert clean.category_id == WorkerCategory.objects.get(code="PENYULUH_AGAMA").pk
    assert rows.validate(3, roster_row(NIK="9301011304900001"))[1] == []  # Papua Selatan
    _, issues = rows.validate(4, roster_row(NIK="9101011304900001"))
    assert codes(issues) == ["nik_region_unknown"]  # old Merauke
    _, issues = rows.validate(5, roster_row(NIK="9901011304900001"))
    assert codes(issues) == ["nik_province_unknown"]
    _, issues = rows.validate(6, roster_row(NIK="3673021304900001", PROGRAM="JKK,JP"))
    assert codes(issues) == ["program_not_allowed"]
    _, issues = rows.validate(7, roster_row(NIK="3673021304900002", KATEGORI="GURU_TPQ"))
    assert issues == []
