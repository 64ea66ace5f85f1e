"""Realistic rosters in the template's columns, for benchmarks, tests and demos.

Each NIK agrees with its row: the district is a real one, the birth date and sex (day + 40 for
women) are the row's. NIKs are unique within a file without remembering the file: the serial is
the block of 10.000 rows a row falls in, and within a block the prefixes are kept distinct.
`error_rate` makes that share of rows wrong in the ways real rosters are wrong.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterator, Sequence
from pathlib import Path

from enrolment.imports import COLUMNS

BLOCK = 10_000  # rows per NIK serial; serials go up to 9999, so up to 99.990.000 rows
FIRST_BIRTH = dt.date(1965, 1, 1).toordinal()
LAST_BIRTH = dt.date(2003, 12, 31).toordinal()
FIRST_START = dt.date(2005, 1, 1).toordinal()
LAST_START = dt.date(2025, 12, 31).toordinal()
DATE_COLUMNS = ("TANGGAL_LAHIR", "TGL_MULAI_BEKERJA")

ERROR_KINDS = (
    "nik_length",
    "nik_excel_number",
    "nik_duplicate",
    "name_missing",
    "date_us_order",
    "category_unknown",
    "wage_invalid",
)

MALE_NAMES = """
Ahmad Muhammad Abdul Agus Budi Dedi Eko Fajar Hendra Irfan Joko Kurniawan Luthfi Rizki Rudi
Slamet Taufik Wahyu Yusuf Zainal Arif Bambang Dani Fikri Gilang Hasan Ilham Imam Khoirul
Maulana Nur Rahmat Ridwan Syaiful Teguh Umar Yoga Zaki Asep Dadang Ujang Komarudin Ikhsan
Hidayat Mukhlis Sholeh Anwar Hamdan
""".split()  # noqa: SIM905 - a word list reads better as text
FEMALE_NAMES = """
Siti Nur Dewi Sri Ani Rina Yuni Fitri Lestari Ratna Wati Indah Aisyah Fatimah Khadijah Rohmah
Nurul Dian Eka Lina Maya Nia Putri Rani Sari Tuti Umi Wulan Yanti Zahra Aminah Halimah Iis
Euis Neneng Imas Laila Maryam Mutiara Nabila Rahma Salsabila Annisa Hani Ika Kartika Mega Novi
Puji
""".split()  # noqa: SIM905 - a word list reads better as text
FAMILY_NAMES = """
Hidayat Saputra Setiawan Kurniawan Wijaya Pratama Nugroho Santoso Susanto Rahman Hakim Maulana
Ramadhan Firmansyah Syahputra Gunawan Hermawan Permana Purnama Sulaiman Hasanah Rahmawati
Lestari Wulandari Handayani Kusuma Suryani Fauziah Aminah Nurhayati Mulyani Sulastri Sumarni
Rosita Yulianti Fitriani Rohayati Kartini Saleh Ismail Yusuf Ibrahim Ahmad Abdullah Hasan
Husein Mansur Syarif Efendi Harahap Nasution Siregar Lubis Simanjuntak Sitompul Pane Daulay
Tanjung Piliang Chaniago Koto Sinaga Lumban Manurung Pasaribu Sembiring Ginting Tarigan Pohan
Batubara Rangkuti Hutagalung Panjaitan Rusdi Subagyo Sutrisno Supriyadi Wibowo Prasetyo Utomo
Hartono Haryanto Budiman Sugiarto Mahmud Zakaria Fadillah Rizal Anshori Bahri Baihaki
Damanhuri Fauzi Hamzah Jamaluddin Nawawi Syamsudin Thohir Zulkifli Arifin Basri Muslih
""".split()  # noqa: SIM905 - a word list reads better as text
UNIT_KINDS = ("MDT", "MI", "MTs", "MA", "RA", "TPQ", "Pondok Pesantren", "KUA Kecamatan")
UNIT_NAMES = (
    "Al-Hidayah",
    "Al-Ikhlas",
    "Nurul Huda",
    "Miftahul Ulum",
    "Darussalam",
    "Al-Falah",
    "Nurul Iman",
    "Al-Muhajirin",
    "Raudhatul Jannah",
    "Al-Amin",
    "Hidayatullah",
    "Baitussalam",
    "Al-Hikmah",
    "Mathlaul Anwar",
    "Nurul Falah",
    "Al-Furqon",
    "Darul Ulum",
    "Al-Khairiyah",
    "Manbaul Ulum",
    "Riyadhus Sholihin",
)
MOBILE_PREFIXES = ("0811", "0812", "0813", "0821", "0822", "0852", "0853", "0857", "0878", "0896")
STREETS = ("Jl. Masjid", "Jl. Raya", "Jl. Pesantren", "Jl. Merdeka", "Jl. Pahlawan", "Gg. Mawar")
UNKNOWN_CATEGORIES = ("Guru Ngaji Kampung", "Marbot", "Sukarelawan")
BAD_WAGES = ("dua juta", "2jt", "Rp -")


def load_choices() -> tuple[list[tuple[str, str]], list[str]]:
    """(district code, birthplace) pairs and the active category names, read once."""
    from enrolment.models import WorkerCategory
    from regions.models import District

    districts = [
        (code, regency.removeprefix("Kabupaten ").removeprefix("Kota "))
        for code, regency in District.objects.values_list("code", "regency__name")
    ]
    categories = list(WorkerCategory.objects.filter(is_active=True).values_list("name", flat=True))
    return districts, categories


def generate_rows(
    n: int,
    *,
    seed: int | None = None,
    error_rate: float = 0.0,
    districts: Sequence[tuple[str, str]],
    categories: Sequence[str],
) -> Iterator[list[object]]:
    """n rows in COLUMNS order: NIK and codes as str, dates as dt.date, wages as int.

    A bad row carries one of ERROR_KINDS; its bad cell is a str (or, for an Excel-number NIK, a
    float), as a person's spreadsheet would hold it.
    """
    if n > BLOCK * 9999:
        raise ValueError(f"at most {BLOCK * 9999} rows")
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    random_ = rng.random
    randint = rng.randint
    choice = rng.choice
    prefixes = [(code.replace(".", ""), code[:5], place) for code, place in districts]
    block_niks: set[str] = set()
    previous: list[object] | None = None
    for i in range(n):
        if i % BLOCK == 0:
            block_niks.clear()
        serial = i // BLOCK + 1
        female = random_() < 0.5
        while True:
            district, regency, place = choice(prefixes)
            birth = dt.date.fromordinal(randint(FIRST_BIRTH, LAST_BIRTH))
            day = birth.day + 40 if female else birth.day
            nik = f"{district}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"
            if nik not in block_niks:
                block_niks.add(nik)
                break
        adult = birth.toordinal() + 6575  # 18 years and a few days
        start = dt.date.fromordinal(randint(max(adult, FIRST_START), LAST_START))
        first = choice(FEMALE_NAMES if female else MALE_NAMES)
        name = f"{first} {choice(FAMILY_NAMES)}"
        row: list[object] = [
            nik,
            name,
            birth,
            "P" if female else "L",
            f"{choice(UNIT_KINDS)} {choice(UNIT_NAMES)} {randint(1, 40)}",
            choice(categories),
            start,
            randint(1000, 3500) * 1000,
            place,
            f"{choice(MOBILE_PREFIXES)}{randint(1_000_000, 99_999_999):08d}",
            f"{choice(STREETS)} No. {randint(1, 120)}, RT {randint(1, 15):03d}/RW {randint(1, 9):03d}",
            regency,
            f"{randint(10_000_000_000, 99_999_999_999)}" if random_() < 0.1 else "",
            f"{randint(1_000_000_000_000_000, 9_999_999_999_999_999)}" if random_() < 0.3 else "",
            "JKK,JKM" if random_() < 0.3 else "",
            "",  # TGL_BERHENTI: every generated worker still works there
            "",  # ALASAN_BERHENTI
        ]
        if error_rate and random_() < error_rate:
            _spoil(row, choice(ERROR_KINDS), previous, rng)
        else:
            previous = row
        yield row


def _spoil(row: list[object], kind: str, previous: list[object] | None, rng: random.Random) -> None:
    nik = str(row[0])
    if kind == "nik_duplicate" and previous is not None:
        # The same person listed twice, perhaps in a second unit.
        row[0:4] = previous[0:4]
    elif kind in ("nik_duplicate", "nik_length"):
        row[0] = nik[:15] if rng.random() < 0.5 else nik + "1"
    elif kind == "nik_excel_number":
        row[0] = float(nik[:15] + "0")  # Excel keeps 15 significant digits
    elif kind == "name_missing":
        row[1] = ""
    elif kind == "date_us_order":
        start = row[6]
        if isinstance(start, dt.date):  # month first, and a day over 12 so it cannot be read
            row[6] = f"{start.month:02d}/{rng.randint(13, 28):02d}/{start.year}"
    elif kind == "category_unknown":
        row[5] = rng.choice(UNKNOWN_CATEGORIES)
    elif kind == "wage_invalid":
        row[7] = rng.choice(BAD_WAGES)


def _csv_cell(value: object) -> object:
    if isinstance(value, dt.date):
        return f"{value.day:02d}-{value.month:02d}-{value.year}"
    if isinstance(value, float):
        # What Excel writes for a 16-digit number in a General cell, Indonesian decimal comma.
        return f"{value:.5E}".replace(".", ",")
    return value


def write_csv(rows: Iterator[list[object]], path: Path) -> int:
    """UTF-8 with BOM, `;`, streamed; returns the number of data rows."""
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream, delimiter=";", lineterminator="\r\n")
        writer.writerow(COLUMNS)
        # Only these cells can hold a date or a float; converting just them is 2 s faster per 1M.
        typed = [COLUMNS.index(column) for column in ("NIK", *DATE_COLUMNS)]
        for row in rows:
            for position in typed:
                row[position] = _csv_cell(row[position])
            writer.writerow(row)
            count += 1
    return count


def write_xlsx(rows: Iterator[list[object]], path: Path) -> int:
    """openpyxl write-only: NIK and codes as text cells, dates as date cells, wages as numbers."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Data")
    sheet.append(COLUMNS)
    date_positions = [COLUMNS.index(column) for column in DATE_COLUMNS]
    count = 0
    for row in rows:
        row = [None if value == "" else value for value in row]  # an empty cell, as in Excel
        for position in date_positions:
            value = row[position]
            if isinstance(value, dt.date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "DD-MM-YYYY"
                row[position] = cell
        sheet.append(row)
        count += 1
    workbook.save(path)
    return count
