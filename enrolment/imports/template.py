"""The roster template a partner downloads: XLSX with a "Data" and a "Petunjuk" sheet, or CSV.

The NIK-like columns are formatted as Text for the whole column, because Excel keeps only 15
significant digits of a number and so destroys a 16-digit NIK typed into a Number cell.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from enrolment.imports import COLUMNS, REQUIRED_COLUMNS
from enrolment.imports.columns import ALIASES
from enrolment.imports.validation import END_REASON_WORDS
from enrolment.models import WorkerCategory

TEXT_COLUMNS = ("NIK", "KPJ", "NOMOR_INDUK", "NO_HP")
DATE_COLUMNS = ("TANGGAL_LAHIR", "TGL_MULAI_BEKERJA", "TGL_BERHENTI")
DATE_FORMAT = "DD-MM-YYYY"
LAST_ROW = 1_048_576  # Excel's last row: validations and formats cover the whole column

# A valid example: 36.73.01 is Kecamatan Serang (Kota Serang, Banten); day 52 = 12 + 40, a woman
# born 12-05-1990; serial 0001.
EXAMPLE_CATEGORY = "Guru Madrasah Diniyah"
EXAMPLE = {
    "NIK": "3673015205900001",
    "NAMA_LENGKAP": "Siti Aminah",
    "TANGGAL_LAHIR": dt.date(1990, 5, 12),
    "JENIS_KELAMIN": "P",
    "UNIT_KERJA": "MDT Al-Hidayah 12",
    "KATEGORI": EXAMPLE_CATEGORY,
    "TGL_MULAI_BEKERJA": dt.date(2015, 7, 15),
    "UPAH": 2000000,
    "TEMPAT_LAHIR": "Serang",
    "NO_HP": "081234567890",
    "ALAMAT": "Jl. Ki Mas Jong No. 5, Kaligandu, Serang",
    "KODE_WILAYAH": "36.73",
    "KPJ": "",
    "NOMOR_INDUK": "",
    "PROGRAM": "JKK,JKM",
    "TGL_BERHENTI": "",  # the example worker still works there
    "ALASAN_BERHENTI": "",
}
# The drop-down of ALASAN_BERHENTI: one word for each reason (the validator knows the others).
END_REASON_CHOICES = [words[0].capitalize() for words in END_REASON_WORDS.values()]

# Column -> (format, what to write).
COLUMN_HELP = {
    "NIK": "16 digit angka, sel berformat Teks. Sesuai KTP.",
    "NAMA_LENGKAP": "Nama lengkap sesuai KTP.",
    "TANGGAL_LAHIR": "Tanggal lahir, hari-bulan-tahun (DD-MM-YYYY).",
    "JENIS_KELAMIN": "L (laki-laki) atau P (perempuan).",
    "UNIT_KERJA": "Nama madrasah, lembaga atau satuan kerja tempat bekerja.",
    "KATEGORI": "Kategori pekerja, pilih dari daftar di sel (lihat daftar di bawah).",
    "TGL_MULAI_BEKERJA": "Tanggal mulai bekerja (TMT), hari-bulan-tahun (DD-MM-YYYY).",
    "UPAH": "Upah sebulan dalam rupiah, angka saja tanpa Rp dan tanpa titik.",
    "TEMPAT_LAHIR": "Kota atau kabupaten tempat lahir.",
    "NO_HP": "Nomor HP diawali 08, sel berformat Teks.",
    "ALAMAT": "Alamat tempat tinggal.",
    "KODE_WILAYAH": "Kode Kemendagri kabupaten/kota tempat bekerja, mis. 36.73 (Kota Serang).",
    "KPJ": "Nomor peserta BPJS Ketenagakerjaan (KPJ) bila sudah terdaftar; sel berformat Teks.",
    "NOMOR_INDUK": "NIP atau NUPTK bila ada; sel berformat Teks.",
    "PROGRAM": "Kode program dipisah koma, mis. JKK,JKM atau JKK,JKM,JHT.",
    "TGL_BERHENTI": (
        "Hanya untuk pekerja yang sudah berhenti bekerja di unit kerja ini: tanggal berhenti, "
        "hari-bulan-tahun (DD-MM-YYYY). Kosongkan bila masih bekerja."
    ),
    "ALASAN_BERHENTI": (
        "Wajib bila TGL_BERHENTI diisi, pilih dari daftar di sel: "
        + ", ".join(END_REASON_CHOICES).lower()
        + "."
    ),
}

NOTES = [
    "Isi data di lembar Data mulai baris 2, satu baris untuk satu pekerja. Jangan ubah judul "
    "kolom di baris 1. Kolom tambahan yang tidak dikenal diabaikan.",
    "NIK: kolom NIK sudah berformat Teks. Jika NIK diketik atau ditempel ke sel berformat Angka, "
    "Excel hanya menyimpan 15 digit: digit terakhir menjadi 0 dan tampil seperti 3,67301E+15. "
    "Baris seperti itu ditolak. Perbaiki dengan memformat kolom sebagai Teks (klik kanan > Format "
    "Cells > Text), lalu ketik ulang NIK.",
    "Tanggal: tulis hari-bulan-tahun, mis. 12-05-1990 atau 12/05/1990, atau gunakan sel tanggal "
    "Excel. Urutan bulan/hari/tahun ala Amerika (mis. 05/12/1990 untuk 12 Mei) tidak dipakai: "
    "tanggal seperti 04/13/1990 ditolak, bukan ditukar diam-diam.",
    "Nomor baris pada laporan kesalahan sama dengan nomor baris di Excel: judul kolom di baris 1, "
    "pekerja pertama di baris 2. Baris kosong dilewati, tetapi tetap dihitung.",
    "Simpan sebagai Excel Workbook (.xlsx) atau CSV (.csv, pemisah titik koma atau koma). Berkas "
    ".xls lama, PDF atau gambar tidak dapat diproses.",
    "Baris 2 pada lembar Data adalah contoh: hapus atau timpa dengan data Anda sebelum mengunggah.",
    "Pekerja yang berhenti: isi TGL_BERHENTI dan ALASAN_BERHENTI pada barisnya. Hubungan kerja "
    "pekerja itu di lembaga dan unit kerja ini diakhiri, dan kepesertaan program BPJS "
    "Ketenagakerjaannya ikut berakhir, kecuali ia masih bekerja di lembaga atau unit kerja lain. "
    "Pekerja yang masih bekerja: biarkan kedua kolom kosong.",
]


def _categories() -> list[str]:
    return list(WorkerCategory.objects.filter(is_active=True).values_list("name", flat=True))


def _example(categories: list[str]) -> dict[str, object]:
    example = dict(EXAMPLE)
    if categories and EXAMPLE_CATEGORY not in categories:
        example["KATEGORI"] = categories[0]
    return example


def roster_template_xlsx() -> bytes:
    categories = _categories()
    example = _example(categories)
    workbook = Workbook()
    data = workbook.active
    data.title = "Data"
    bold = Font(bold=True)
    for position, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(position)
        header = data.cell(row=1, column=position, value=column)
        header.font = bold
        header.number_format = "General"
        dimension = data.column_dimensions[letter]
        dimension.width = max(len(column), len(str(example[column]))) + 4
        cell = data.cell(row=2, column=position, value=example[column] or None)
        if column in TEXT_COLUMNS:
            dimension.number_format = "@"
            cell.number_format = "@"
        elif column in DATE_COLUMNS:
            dimension.number_format = DATE_FORMAT
            cell.number_format = DATE_FORMAT
        elif column == "UPAH":
            dimension.number_format = "#,##0"
            cell.number_format = "#,##0"
    data.freeze_panes = "A2"

    lists = workbook.create_sheet("Daftar")
    for row, name in enumerate(categories, start=1):
        lists.cell(row=row, column=1, value=name).data_type = "s"
    lists.sheet_state = "hidden"

    def column_range(column: str) -> str:
        letter = get_column_letter(COLUMNS.index(column) + 1)
        return f"{letter}2:{letter}{LAST_ROW}"

    sex = DataValidation(
        type="list",
        formula1='"L,P"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="JENIS_KELAMIN",
        error="Isi L (laki-laki) atau P (perempuan).",
    )
    sex.add(column_range("JENIS_KELAMIN"))
    data.add_data_validation(sex)
    if categories:
        category = DataValidation(
            type="list",
            formula1=f"{quote_sheetname(lists.title)}!$A$1:$A${len(categories)}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="KATEGORI",
            error="Pilih kategori dari daftar.",
        )
        category.add(column_range("KATEGORI"))
        data.add_data_validation(category)
    program = DataValidation(
        allow_blank=True,
        showInputMessage=True,
        promptTitle="PROGRAM",
        prompt="Opsional. Kode program dipisah koma, mis. JKK,JKM atau JKK,JKM,JHT.",
    )
    program.add(column_range("PROGRAM"))
    data.add_data_validation(program)
    end_reason = DataValidation(
        type="list",
        formula1=f'"{",".join(END_REASON_CHOICES)}"',
        allow_blank=True,
        showInputMessage=True,
        promptTitle="ALASAN_BERHENTI",
        prompt="Hanya untuk pekerja yang berhenti, bersama TGL_BERHENTI.",
        showErrorMessage=True,
        errorTitle="ALASAN_BERHENTI",
        error="Pilih alasan dari daftar: " + ", ".join(END_REASON_CHOICES) + ".",
    )
    end_reason.add(column_range("ALASAN_BERHENTI"))
    data.add_data_validation(end_reason)

    _instructions(workbook.create_sheet("Petunjuk", index=1), example, categories)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _instructions(sheet, example_row: dict[str, object], categories: list[str]) -> None:
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    sheet.append(["Petunjuk pengisian roster pekerja Sinergi"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    for number, note in enumerate(NOTES, start=1):
        sheet.append([f"{number}.", note])
        sheet.cell(row=sheet.max_row, column=2).alignment = wrap
    sheet.append([])
    sheet.append(["Kolom", "Wajib", "Isi dan format", "Contoh", "Judul lain yang dikenali"])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for column in COLUMNS:
        example = example_row[column]
        if isinstance(example, dt.date):
            example = f"{example:%d-%m-%Y}"
        sheet.append(
            [
                column,
                "Wajib" if column in REQUIRED_COLUMNS else "Opsional",
                COLUMN_HELP[column],
                str(example),
                ", ".join(ALIASES[column]),
            ]
        )
        for cell in sheet[sheet.max_row]:
            cell.alignment = wrap
    sheet.append([])
    sheet.append(["Kategori", "", ", ".join(categories)])
    sheet.cell(row=sheet.max_row, column=1).font = bold
    sheet.cell(row=sheet.max_row, column=3).alignment = wrap
    for letter, width in zip("ABCDE", (22, 10, 70, 22, 40), strict=True):
        sheet.column_dimensions[letter].width = width


def roster_template_csv() -> bytes:
    """UTF-8 with a BOM and `;`: what Excel on Indonesian Windows opens as columns."""
    example = _example(_categories())
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow(
        [
            f"{value:%d-%m-%Y}" if isinstance(value, dt.date) else value
            for value in (example[column] for column in COLUMNS)
        ]
    )
    return buffer.getvalue().encode("utf-8")
