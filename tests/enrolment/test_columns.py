import pytest

from enrolment.imports import COLUMNS, REQUIRED_COLUMNS, FileRefused
from enrolment.imports.columns import ALIASES, map_headers, normalise


def test_the_template_names_map_to_their_own_positions():
    header_map = map_headers(list(COLUMNS))
    assert header_map.index == {column: position for position, column in enumerate(COLUMNS)}
    assert header_map.unknown == []


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("Nama Pegawai", "NAMA_LENGKAP"),
        ("nama", "NAMA_LENGKAP"),
        ("Tgl. Lahir", "TANGGAL_LAHIR"),
        ("TGL_LHR", "TANGGAL_LAHIR"),
        ("L/P", "JENIS_KELAMIN"),
        ("jk", "JENIS_KELAMIN"),
        ("Madrasah", "UNIT_KERJA"),
        ("Nama Lembaga", "UNIT_KERJA"),
        ("Jenis Pegawai", "KATEGORI"),
        ("TMT Kerja", "TGL_MULAI_BEKERJA"),
        ("Tanggal Mulai Bekerja", "TGL_MULAI_BEKERJA"),
        ("Upah (Rp)", "UPAH"),
        ("Honor", "UPAH"),
        ("Tmp. Lahir", "TEMPAT_LAHIR"),
        ("No. HP", "NO_HP"),
        ("Telepon", "NO_HP"),
        ("Kode Kab/Kota", "KODE_WILAYAH"),
        ("kode-wilayah", "KODE_WILAYAH"),
        ("Nomor KPJ", "KPJ"),
        ("NUPTK", "NOMOR_INDUK"),
        ("Program BPJS", "PROGRAM"),
        ("No. KTP", "NIK"),
        ("  nik  ", "NIK"),
        ("Tanggal Berhenti", "TGL_BERHENTI"),
        ("Tgl. Keluar", "TGL_BERHENTI"),
        ("TMT Berhenti", "TGL_BERHENTI"),
        ("Alasan Keluar", "ALASAN_BERHENTI"),
        ("alasan", "ALASAN_BERHENTI"),
    ],
)
def test_common_header_names_are_recognised(header, column):
    headers = [header if name == column else name for name in COLUMNS]
    assert map_headers(headers).index[column] == COLUMNS.index(column)


def test_the_columns_that_end_an_employment_are_optional_and_come_last():
    assert COLUMNS[-2:] == ["TGL_BERHENTI", "ALASAN_BERHENTI"]
    header_map = map_headers(REQUIRED_COLUMNS)
    assert "TGL_BERHENTI" not in header_map.row_values(["x"] * len(REQUIRED_COLUMNS))


def test_no_alias_belongs_to_two_columns():
    per_column = [{normalise(name) for name in [column, *ALIASES[column]]} for column in COLUMNS]
    names = [name for names in per_column for name in names]
    assert len(names) == len(set(names))


def test_a_missing_required_column_is_named_with_the_columns_found():
    headers = ["No", "NIK", "Nama", "Tgl Lahir", "JK", "Unit Kerja", "Keterangan"]
    with pytest.raises(FileRefused) as caught:
        map_headers(headers)
    assert caught.value.code == "missing_columns"
    assert caught.value.message.startswith(
        "Kolom wajib tidak ditemukan: KATEGORI, TGL_MULAI_BEKERJA, UPAH. "
        "Kolom di berkas: No, NIK, Nama, Tgl Lahir, JK, Unit Kerja, Keterangan."
    )


def test_columns_that_could_reach_other_rows_are_unknown_and_ignored():
    header_map = map_headers(["id", *REQUIRED_COLUMNS, "institution", "institution_id"])
    assert header_map.unknown == ["id", "institution", "institution_id"]
    assert set(header_map.index) == set(REQUIRED_COLUMNS)
    row = header_map.row_values(["99", *["x"] * len(REQUIRED_COLUMNS), "7", "7"])
    assert "id" not in row and "institution" not in row


def test_the_first_of_two_headers_for_one_column_wins_and_the_second_is_unknown():
    header_map = map_headers([*REQUIRED_COLUMNS, "Gaji"])
    assert header_map.index["UPAH"] == REQUIRED_COLUMNS.index("UPAH")
    assert header_map.unknown == ["Gaji"]


def test_row_values_give_empty_text_for_missing_trailing_cells_and_omit_absent_columns():
    header_map = map_headers([*REQUIRED_COLUMNS, "", "ALAMAT"])
    assert header_map.unknown == []
    values = header_map.row_values(["3673015205900001", "Siti Aminah"])
    assert values["NIK"] == "3673015205900001"
    assert values["UPAH"] == ""
    assert values["ALAMAT"] == ""
    assert "KPJ" not in values
