"""The file side of the roster import: refusals before any row is read, then the rows as Excel
numbers them, the same whatever the file format."""

import csv
import datetime as dt
import io
import re
import zipfile

import pytest
from openpyxl import Workbook

from enrolment.imports import COLUMNS, FileRefused, files, sheet_extent
from enrolment.imports.columns import map_headers
from enrolment.imports.files import inspect_upload, open_rows
from enrolment.imports.fuzz import SHARED_STRINGS, shared_strings_xlsx, xlsx_with

MB = 1024 * 1024

HEADERS = ["NIK", "Nama Lengkap", "TGL LAHIR", "L/P", "Unit Kerja", "Kategori", "TMT", "Upah"]
ROWS = [
    [
        "3673015205900001",
        "Siti Aminah",
        "12-05-1990",
        "P",
        "MDT Al-Hidayah 12",
        "Guru Madrasah Diniyah",
        "15-07-2015",
        "2000000",
    ],
    [
        "3604011708850002",
        "Ahmad Ma’ruf",  # ’ is in cp1252 (0x92), so the cp1252 file carries it too
        "17-08-1985",
        "L",
        "MI Nurul Huda, Ciruas",  # a comma inside a cell: quoted in the comma-separated file
        "PPNPN",
        "01-01-2010",
        "1500000",
    ],
]


def write_csv(path, rows, *, delimiter=";", encoding="utf-8-sig"):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path, rows, *, sheets_before=(), formats=None):
    """Text cells only, as a person types into the template's Text-formatted columns (unless a
    cell is given a number format)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title in sheets_before:
        workbook.create_sheet(title).append(["Isi data di lembar Data."])
    sheet = workbook.create_sheet("Data")
    for row in rows:
        sheet.append(row)
    for cell, number_format in (formats or {}).items():
        sheet[cell].number_format = number_format
    workbook.save(path)
    return path


def refusal(path, **limits) -> FileRefused:
    with pytest.raises(FileRefused) as caught:
        inspect_upload(path, **{"max_bytes": 50 * MB, **limits})
    return caught.value


def read_all(path, fmt, **options):
    with open_rows(path, fmt, **options) as source:
        header_map = map_headers(source.headers)
        return [(number, header_map.row_values(values)) for number, values in source]


# --- refusals before reading -------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_with_its_size_and_the_limit(tmp_path):
    path = write_csv(tmp_path / "roster.csv", [HEADERS, *ROWS * 20_000])
    error = refusal(path, max_bytes=2 * MB)
    assert error.code == "file_too_large"
    size = f"{path.stat().st_size / MB:.1f}".replace(".", ",")
    assert f"({size} MB)" in error.message
    assert "batasnya 2 MB" in error.message


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        (
            "laporan.csv",
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >>\nendobj\n",
            "PDF",
        ),
        ("roster.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096), ".xls"),
        ("roster.csv", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(512), "EXE"),
        ("foto.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "PNG"),
        ("roster.csv", "NIK\tNAMA\r\n".encode("utf-16"), "UTF-16"),
        ("roster.csv", b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com">', "XML"),
    ],
)
def test_a_file_is_judged_by_its_content_not_its_name(tmp_path, name, content, says):
    path = tmp_path / name
    path.write_bytes(content)
    error = refusal(path)
    assert error.code == "file_type_unsupported"
    assert says in error.message
    assert "Excel Workbook (*.xlsx) atau CSV (*.csv)" in error.message


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "roster.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    assert refusal(path).code == "file_type_unsupported"


def test_a_workbook_named_csv_is_read_as_xlsx(tmp_path):
    path = write_xlsx(tmp_path / "roster.csv", [HEADERS, *ROWS])
    assert inspect_upload(path, max_bytes=MB) == "xlsx"


def zip_bomb(path, *, megabytes):
    """A workbook-looking zip whose sheet inflates to `megabytes` of zeros, written in chunks."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as entry:
            chunk = bytes(MB)
            for _ in range(megabytes):
                entry.write(chunk)
    return path


@pytest.fixture(scope="module")
def bomb_300_mb(tmp_path_factory):
    return zip_bomb(tmp_path_factory.mktemp("bomb") / "roster.xlsx", megabytes=300)


def forbid_opening_entries(monkeypatch):
    """From here on, inflating any zip entry fails the test: the directory alone must decide."""

    def refuse_to_open(*args, **kwargs):
        raise AssertionError("a zip entry was opened")

    monkeypatch.setattr(zipfile.ZipFile, "open", refuse_to_open)


def test_a_zip_bomb_is_refused_from_the_zip_directory_without_unpacking(bomb_300_mb, monkeypatch):
    assert bomb_300_mb.stat().st_size < MB  # 300 MB of zeros deflate to about 300 KB
    forbid_opening_entries(monkeypatch)
    error = refusal(bomb_300_mb)
    assert error.code == "xlsx_uncompressed_too_large"
    assert "300 MB" in error.message and "batasnya 200 MB" in error.message


def test_an_entry_inflating_more_than_100_times_is_refused_even_under_the_total_limit(
    tmp_path, monkeypatch
):
    path = zip_bomb(tmp_path / "roster.xlsx", megabytes=5)
    forbid_opening_entries(monkeypatch)
    error = refusal(path)
    assert error.code == "xlsx_uncompressed_too_large"
    assert "lebih dari 100 kali" in error.message


def test_a_workbook_with_too_many_entries_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "roster.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for number in range(1000):
            archive.writestr(f"xl/media/image{number}.png", b"x")
    forbid_opening_entries(monkeypatch)
    error = refusal(path)
    assert error.code == "xlsx_uncompressed_too_large"
    assert "1002 bagian; batasnya 1000" in error.message


@pytest.mark.parametrize("cut", ["garbage", "truncated"])
def test_a_corrupt_zip_is_refused_as_unreadable(tmp_path, cut):
    path = tmp_path / "roster.xlsx"
    if cut == "garbage":
        path.write_bytes(b"PK\x03\x04" + b"not really a zip" * 100)
    else:
        whole = write_xlsx(tmp_path / "whole.xlsx", [HEADERS, *ROWS]).read_bytes()
        path.write_bytes(whole[: len(whole) // 2])
    error = refusal(path)
    assert error.code == "file_unreadable"
    assert "rusak" in error.message


def test_text_in_no_known_encoding_is_refused_as_unreadable(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(b"NIK;NAMA\r\n3673015205900001;Siti \x81\x8d\x8f\r\n")  # undefined in cp1252
    assert refusal(path).code == "file_unreadable"


def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(b"")
    error = refusal(path)
    assert error.code == "empty_file"
    assert "kosong" in error.message


# --- refusals while reading ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_file_with_only_the_header_row_is_refused_as_empty(tmp_path, fmt):
    writer = write_csv if fmt == "csv" else write_xlsx
    path = writer(tmp_path / f"roster.{fmt}", [HEADERS, [""] * len(HEADERS)])
    assert inspect_upload(path, max_bytes=MB) == fmt
    with pytest.raises(FileRefused) as caught:
        read_all(path, fmt)
    assert caught.value.code == "empty_file"
    assert "hanya berisi judul kolom" in caught.value.message


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_rows_over_the_cap_are_refused_while_streaming(tmp_path, fmt):
    writer = write_csv if fmt == "csv" else write_xlsx
    path = writer(tmp_path / f"roster.{fmt}", [HEADERS, *ROWS * 3])
    read = []
    with pytest.raises(FileRefused) as caught, open_rows(path, fmt, max_rows=5) as source:
        for number, _values in source:
            read.append(number)
    assert caught.value.code == "too_many_rows"
    assert "lebih dari 5 baris data" in caught.value.message
    assert read == [2, 3, 4, 5, 6]


def test_xml_entity_tricks_in_a_sheet_are_refused_as_unreadable(tmp_path):
    whole = write_xlsx(tmp_path / "whole.xlsx", [HEADERS, *ROWS])
    laughs = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{n} "{("&lol%s;" % ("" if n == 1 else n - 1)) * 10}">' for n in range(1, 10)
    )
    path = tmp_path / "roster.xlsx"
    with zipfile.ZipFile(whole) as source, zipfile.ZipFile(path, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name.startswith("xl/worksheets/"):
                text = data.decode().replace("<t>NIK</t>", "<t>&lol9;</t>", 1)
                data = f"<!DOCTYPE worksheet [{laughs}]>{text}".encode()
            target.writestr(name, data)
    assert inspect_upload(path, max_bytes=MB) == "xlsx"
    with pytest.raises(FileRefused) as caught:
        read_all(path, "xlsx")
    assert caught.value.code == "file_unreadable"


def with_sheet(path, edit, *, entry="xl/worksheets/sheet1.xml"):
    """The workbook at `path` with its data sheet's XML passed through `edit` (bytes to bytes)."""
    edited = path.with_name(f"edited-{path.name}")
    with (
        zipfile.ZipFile(path) as source,
        zipfile.ZipFile(edited, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for name in source.namelist():
            data = source.read(name)
            target.writestr(name, edit(data) if name == entry else data)
    return edited


def forbid_calamine(monkeypatch):
    """A grid too large for memory makes calamine abort the whole process, not raise: the check
    must refuse the file before calamine opens it."""

    def opened(*args, **kwargs):
        raise AssertionError("calamine opened a file the extent check should have refused")

    monkeypatch.setattr(files.CalamineWorkbook, "from_path", opened)


def far_cell(xml: bytes) -> bytes:
    return xml.replace(b'<c r="B1"', b'<c r="XFD1048576" t="n"><v>7</v></c><c r="B1"', 1)


def test_a_cell_far_outside_the_data_is_refused_before_calamine_builds_its_grid(
    tmp_path, monkeypatch
):
    path = with_sheet(write_xlsx(tmp_path / "roster.xlsx", [HEADERS, *ROWS]), far_cell)
    assert path.stat().st_size < 10_000  # a few kilobytes asking for 512 GB of grid
    forbid_calamine(monkeypatch)
    with pytest.raises(FileRefused) as caught:
        read_all(path, "xlsx")
    assert caught.value.code == "xlsx_uncompressed_too_large"
    assert "sel terisi sampai XFD1048576" in caught.value.message
    assert "1.048.576 baris × 16.384 kolom" in caught.value.message
    assert "batasnya 6.000.000 sel" in caught.value.message
    assert "Hapus baris dan kolom kosong di luar data" in caught.value.message


@pytest.mark.parametrize(
    "written, corner",
    [
        ('<x:c r="XFD1048576"><v>7</v></x:c>', "XFD1048576"),  # a namespace prefix
        ('<c t="n" r="XFD1048576"><v>7</v></c>', "XFD1048576"),  # r not the first attribute
        ('</row><row r="1048576"><c><v>7</v></c>', "H1048576"),  # placed by its row, no r
        ('<c r="XFC400"><v>7</v></c><c><v>8</v></c>', "XFD400"),  # the column after the previous
    ],
)
def test_cells_written_unusually_are_placed_as_calamine_places_them(
    tmp_path, monkeypatch, written, corner
):
    path = with_sheet(
        write_xlsx(tmp_path / "roster.xlsx", [HEADERS, *ROWS]),
        lambda xml: xml.replace(b'<row r="2">', written.encode() + b'<row r="2">', 1),
    )
    forbid_calamine(monkeypatch)
    with pytest.raises(FileRefused) as caught:
        read_all(path, "xlsx")
    assert caught.value.code == "xlsx_uncompressed_too_large"
    assert f"sampai {corner} " in caught.value.message


def test_shared_strings_declaring_billions_of_texts_are_refused_before_calamine(
    tmp_path, monkeypatch
):
    """calamine reserves room for the declared count first: 4.000.000.000 asked for 96 GB."""
    _entries, strings = shared_strings_xlsx()
    declared = strings.replace(b"<sst ", b'<sst uniqueCount="4000000000" ', 1)
    path = tmp_path / "roster.xlsx"
    path.write_bytes(xlsx_with(SHARED_STRINGS, declared))
    forbid_calamine(monkeypatch)
    with pytest.raises(FileRefused) as caught:
        read_all(path, "xlsx")
    assert caught.value.code == "xlsx_uncompressed_too_large"
    assert "menyatakan 4.000.000.000 teks berbeda" in caught.value.message


def test_the_declared_count_of_texts_is_held_to_the_same_limit_as_the_grid(tmp_path):
    _entries, strings = shared_strings_xlsx()
    declared = strings.replace(b"<sst ", b'<sst uniqueCount="25" ', 1)
    path = tmp_path / "roster.xlsx"
    path.write_bytes(xlsx_with(SHARED_STRINGS, declared))
    sheet_extent.check_sheet_extent(path, max_cells=1000)
    with pytest.raises(FileRefused) as caught:
        sheet_extent.check_sheet_extent(path, max_cells=24)
    assert "menyatakan 25 teks berbeda" in caught.value.message


@pytest.mark.parametrize("position", ["XFE1", "A1048577", "A0", "1A", "A-1"])
def test_a_cell_outside_excels_grid_is_refused_as_unreadable(tmp_path, monkeypatch, position):
    path = with_sheet(
        write_xlsx(tmp_path / "roster.xlsx", [HEADERS, *ROWS]),
        lambda xml: xml.replace(
            b'<c r="B1"', b'<c r="%s"><v>7</v></c><c r="B1"' % position.encode()
        ),
    )
    forbid_calamine(monkeypatch)
    with pytest.raises(FileRefused) as caught:
        read_all(path, "xlsx")
    assert caught.value.code == "file_unreadable"
    assert "di luar kolom XFD atau baris 1.048.576" in caught.value.message


def test_a_sheet_in_utf16_is_refused_as_unreadable(tmp_path, monkeypatch):
    path = with_sheet(
        write_xlsx(tmp_path / "roster.xlsx", [HEADERS, *ROWS]),
        lambda xml: far_cell(xml).decode().encode("utf-16"),
    )
    forbid_calamine(monkeypatch)
    with pytest.raises(FileRefused) as caught:
        read_all(path, "xlsx")
    assert caught.value.code == "file_unreadable"


@pytest.mark.parametrize(
    "number_format, value",
    [("yyyy-mm-dd", b"-1e300"), ("[h]:mm:ss", b"1e15")],  # calamine panics; timedelta overflows
)
def test_a_date_cell_beyond_any_date_refuses_the_file_at_its_row(tmp_path, number_format, value):
    """No spreadsheet writes one, so the file is damaged, and the refusal names the row."""
    table = [HEADERS, ROWS[0], [*ROWS[1][:2], dt.date(1985, 8, 17), *ROWS[1][3:]]]
    path = write_xlsx(tmp_path / "roster.xlsx", table, formats={"C3": number_format})
    path = with_sheet(
        path, lambda xml: re.sub(rb'(<c r="C3"[^>]*><v>)[^<]*', rb"\g<1>" + value, xml)
    )
    with pytest.raises(FileRefused) as caught:
        read_all(path, "xlsx")
    assert caught.value.code == "file_unreadable"
    assert caught.value.message.startswith("Baris 3 berisi sel yang tidak dapat dibaca")


def test_the_grid_limit_counts_from_the_first_to_the_last_filled_cell(tmp_path):
    path = write_xlsx(tmp_path / "roster.xlsx", [HEADERS, *ROWS])  # A1:H3, 24 cells
    sheet_extent.check_sheet_extent(path, max_cells=24)
    with pytest.raises(FileRefused) as caught:
        sheet_extent.check_sheet_extent(path, max_cells=23)
    assert "(3 baris × 8 kolom = 24 sel); batasnya 23 sel" in caught.value.message


def test_blank_formatted_cells_and_a_sheet_without_positions_read_as_usual(tmp_path):
    def without_positions(xml: bytes) -> bytes:
        return re.sub(rb' r="[A-Z]+[0-9]+"', b"", xml)

    path = write_xlsx(tmp_path / "roster.xlsx", [HEADERS, *ROWS])
    expected = read_all(path, "xlsx")
    assert read_all(with_sheet(path, without_positions), "xlsx") == expected


# --- rows ---------------------------------------------------------------------------------------


def test_the_same_roster_reads_the_same_from_xlsx_semicolon_csv_and_cp1252_comma_csv(tmp_path):
    table = [HEADERS, ROWS[0], [], ROWS[1]]  # a blank row 3 in the middle
    files = {
        "xlsx": write_xlsx(tmp_path / "roster.xlsx", table),
        "csv-utf8-bom": write_csv(tmp_path / "a.csv", table),
        "csv-cp1252": write_csv(tmp_path / "b.csv", table, delimiter=",", encoding="cp1252"),
    }
    assert files["csv-utf8-bom"].read_bytes().startswith(b"\xef\xbb\xbfNIK;")
    assert "’".encode("cp1252") in files["csv-cp1252"].read_bytes()
    expected = [
        (2, dict(zip(COLUMNS[:8], ROWS[0], strict=True))),
        (4, dict(zip(COLUMNS[:8], ROWS[1], strict=True))),
    ]
    for name, path in files.items():
        fmt = inspect_upload(path, max_bytes=MB)
        assert fmt == ("xlsx" if name == "xlsx" else "csv")
        assert read_all(path, fmt) == expected, name


def test_csv_headers_are_kept_as_written_and_tabs_are_sniffed(tmp_path):
    path = write_csv(tmp_path / "roster.csv", [[" NIK ", "Nama Lengkap", *HEADERS[2:]], ROWS[0]])
    path.write_bytes(path.read_bytes().replace(b";", b"\t"))
    with open_rows(path, "csv") as source:
        assert source.headers == ["NIK", "Nama Lengkap", *HEADERS[2:]]
        assert list(source) == [(2, ROWS[0])]


def test_row_numbers_count_records_and_blank_rows_as_excel_does(tmp_path):
    with_newline = [*ROWS[1][:4], "MI Nurul Huda\nCiruas", *ROWS[1][5:]]
    path = write_csv(tmp_path / "roster.csv", [HEADERS, ROWS[0], [], [], with_newline, ROWS[0]])
    rows = read_all(path, "csv")
    assert [number for number, _ in rows] == [2, 5, 6]
    assert rows[1][1]["UNIT_KERJA"] == "MI Nurul Huda\nCiruas"


def test_the_data_sheet_is_read_when_instructions_come_first(tmp_path):
    path = write_xlsx(tmp_path / "roster.xlsx", [HEADERS, ROWS[0]], sheets_before=["Petunjuk"])
    rows = read_all(path, "xlsx")
    assert rows == [(2, dict(zip(COLUMNS[:8], ROWS[0], strict=True)))]


def test_typed_excel_cells_keep_the_types_calamine_gives(tmp_path):
    import datetime as dt

    workbook = Workbook()
    workbook.active.append(HEADERS)
    workbook.active.append(
        [3673015205900001, "Siti Aminah", dt.date(1990, 5, 12), "P", "MDT", "PPNPN", "", 2000000]
    )
    workbook.save(tmp_path / "roster.xlsx")
    [(number, row)] = read_all(tmp_path / "roster.xlsx", "xlsx")
    assert number == 2
    # A number cell cannot hold 16 digits; the validator reports it, the reader only passes it on.
    assert isinstance(row["NIK"], float)
    assert row["TANGGAL_LAHIR"] == dt.date(1990, 5, 12)
    assert row["UPAH"] == 2000000
    assert row["TGL_MULAI_BEKERJA"] == ""


def test_a_csv_is_cp1252_when_a_non_utf8_byte_comes_after_the_first_64_kb(tmp_path):
    filler = [["3673015205900001", "Siti Aminah", *ROWS[0][2:]]] * 1000
    path = write_csv(tmp_path / "roster.csv", [HEADERS, *filler, ROWS[1]], encoding="cp1252")
    assert path.stat().st_size > 64 * 1024
    assert inspect_upload(path, max_bytes=MB) == "csv"
    rows = read_all(path, "csv")
    assert rows[-1] == (1002, dict(zip(COLUMNS[:8], ROWS[1], strict=True)))
