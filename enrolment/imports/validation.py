"""Row validation of the roster import: one row in, a CleanRow or Issues (in Indonesian) out.

A million rows must validate in seconds, so the hot path avoids per-row work that repeats: values
that recur across rows (dates, wages, categories, sexes, programs, the DDMMYY part of NIKs) are parsed
once and cached in bounded dicts, regexes are compiled once, and nothing touches the database or the
log per row. One validator per file: it remembers the first row of each NIK to report duplicates.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from enrolment.imports import Issue, Severity

ERROR, WARNING = Severity.ERROR, Severity.WARNING

# Why an employment ends (enrolment.EndReason), as a roster may write it: the code or the words
# people use, compared without case or extra spaces. The first word of each is the one the
# template's drop-down offers.
END_REASON_WORDS: dict[str, tuple[str, ...]] = {
    "resigned": ("mengundurkan diri", "resign", "keluar"),
    "contract_ended": ("kontrak berakhir", "habis kontrak", "kontrak habis"),
    "retired": ("pensiun",),
    "died": ("meninggal dunia", "meninggal", "wafat"),
}
ACCEPTED_END_REASONS = (
    "mengundurkan diri (resign, keluar), kontrak berakhir (habis kontrak, kontrak habis), "
    "pensiun atau meninggal dunia (meninggal, wafat)"
)

# Every message a person can read, in one place. A key "code:variant" is a second wording of the
# code before the colon. Messages never carry more of a NIK than its mask shows.
MESSAGES: dict[str, str] = {
    "nik_missing": "NIK kosong. Isi NIK 16 digit sesuai KTP atau Kartu Keluarga.",
    "nik_format": "NIK harus 16 digit angka. Periksa kembali NIK pada baris ini.",
    "nik_format:region_zero": (
        "Kode kabupaten/kota atau kecamatan pada NIK (digit 3–6) tidak boleh 00. "
        "Periksa kembali NIK sesuai KTP atau Kartu Keluarga."
    ),
    "nik_numeric_cell": (
        "Kolom NIK berformat Angka sehingga digit terakhir hilang ({shown}). Format kolom NIK "
        "sebagai Teks di Excel, ketik ulang NIK, lalu unggah ulang."
    ),
    "nik_province_unknown": (
        "Kode provinsi pada NIK ({province}) tidak dikenal. Periksa kembali dua digit pertama NIK "
        "sesuai KTP atau Kartu Keluarga."
    ),
    "nik_date_invalid": (
        "Tanggal lahir pada NIK (digit 7–12) bukan tanggal yang benar. Periksa kembali NIK sesuai "
        "KTP atau Kartu Keluarga."
    ),
    "nik_serial_zero": (
        "Nomor urut pada NIK (4 digit terakhir) tidak boleh 0000. Periksa kembali NIK sesuai KTP "
        "atau Kartu Keluarga."
    ),
    "nik_duplicate_in_file": "NIK ini sudah ada di baris {first_row}. Hapus salah satu baris.",
    "nik_region_unknown": (
        "Kode kabupaten/kota pada NIK ({regency}) tidak ada dalam daftar wilayah saat ini, mungkin "
        "kode sebelum pemekaran. Baris tetap diproses; periksa NIK bila ragu."
    ),
    "nik_region_unknown:district": (
        "Kode kecamatan pada NIK (digit 5–6) tidak ada dalam daftar wilayah saat ini, mungkin kode "
        "sebelum pemekaran. Baris tetap diproses; periksa NIK bila ragu."
    ),
    "nik_birth_date_mismatch": (
        "Tanggal lahir pada NIK berbeda dengan TANGGAL_LAHIR. Baris tetap diproses; periksa "
        "kembali tanggal lahir dan NIK."
    ),
    "nik_gender_mismatch": (
        "Menurut NIK pekerja ini {nik_sex}, tetapi JENIS_KELAMIN berisi {sex}. Baris tetap "
        "diproses; periksa kembali jenis kelamin dan NIK."
    ),
    "name_missing": "NAMA_LENGKAP kosong. Isi nama lengkap sesuai KTP.",
    "birth_date_missing": (
        "TANGGAL_LAHIR kosong. Isi tanggal lahir dengan format DD-MM-YYYY, misalnya 13-04-1990."
    ),
    "birth_date_invalid": (
        "TANGGAL_LAHIR bukan tanggal yang benar. Gunakan format DD-MM-YYYY (hari, bulan, tahun), "
        "misalnya 13-04-1990."
    ),
    "birth_date_future": "TANGGAL_LAHIR ada di masa depan. Periksa kembali tanggal lahir.",
    "age_implausible": (
        "Umur pada tanggal mulai bekerja {age} tahun, di luar kewajaran (15–80 tahun). Baris tetap "
        "diproses; periksa TANGGAL_LAHIR dan TGL_MULAI_BEKERJA."
    ),
    "gender_invalid": "JENIS_KELAMIN harus L (laki-laki) atau P (perempuan). Perbaiki isian ini.",
    "category_unknown": (
        "KATEGORI tidak dikenal. Gunakan kode atau nama kategori seperti pada templat, misalnya "
        "GURU_MADIN."
    ),
    "work_unit_missing": "UNIT_KERJA kosong. Isi nama unit kerja, misalnya nama madrasah atau kantor.",
    "start_date_invalid": (
        "TGL_MULAI_BEKERJA bukan tanggal yang benar. Gunakan format DD-MM-YYYY (hari, bulan, "
        "tahun), misalnya 02-01-2024."
    ),
    "start_date_invalid:missing": (
        "TGL_MULAI_BEKERJA kosong. Isi tanggal mulai bekerja dengan format DD-MM-YYYY, misalnya "
        "02-01-2024."
    ),
    "wage_invalid": (
        "UPAH harus jumlah Rupiah bulat lebih dari 0, misalnya 2500000 atau 2.500.000. "
        "Perbaiki isian UPAH."
    ),
    "region_unknown": (
        "KODE_WILAYAH bukan kode kabupaten/kota Kemendagri yang dikenal. Gunakan format 36.73 atau "
        "kosongkan kolom ini."
    ),
    "kpj_format": (
        "KPJ biasanya 11 digit angka, jadi nomor ini tidak disimpan. Baris tetap diproses; "
        "periksa kembali nomor KPJ."
    ),
    "program_unknown": (
        "PROGRAM berisi {unknown} yang tidak dikenal. Tulis JKK, JKM atau JHT dipisah koma, "
        "misalnya JKK,JKM, atau kosongkan untuk memakai program perjanjian."
    ),
    "text_too_long": (
        "{name} terlalu panjang ({length} karakter, paling banyak {limit}). Persingkat isian ini."
    ),
    "program_not_allowed": (
        "Program {programs} tidak berlaku untuk pekerja non-ASN pemerintah. Gunakan JKK, JKM "
        "dan/atau JHT."
    ),
    "end_date_invalid": (
        "TGL_BERHENTI bukan tanggal yang benar. Gunakan format DD-MM-YYYY (hari, bulan, tahun), "
        "misalnya 31-12-2024, atau kosongkan bila pekerja masih bekerja."
    ),
    "end_date_future": (
        "TGL_BERHENTI ada di masa depan. Roster mencatat yang sudah terjadi: isi tanggal berhenti "
        "setelah pekerja benar-benar berhenti, atau kosongkan kolom ini."
    ),
    "end_before_start": (
        "TGL_BERHENTI lebih awal dari TGL_MULAI_BEKERJA. Periksa kembali kedua tanggal."
    ),
    "end_reason_missing": (
        f"TGL_BERHENTI diisi tetapi ALASAN_BERHENTI kosong. Isi alasan berhenti: "
        f"{ACCEPTED_END_REASONS}."
    ),
    "end_reason_unknown": (
        f"ALASAN_BERHENTI tidak dikenal. Tulis salah satu: {ACCEPTED_END_REASONS}."
    ),
    "end_reason_without_date": (
        "ALASAN_BERHENTI diisi tetapi TGL_BERHENTI kosong. Isi tanggal berhenti (DD-MM-YYYY), "
        "atau kosongkan ALASAN_BERHENTI bila pekerja masih bekerja."
    ),
    # Written by a set-based check after staging (services and settle), not by RowValidator:
    # whether a worker is restricted is known only to the database.
    "worker_restricted": (
        "Pemrosesan data pribadi pekerja ini sedang dibatasi (UU 27/2022), jadi baris ini tidak "
        "diproses. Hapus baris ini dari berkas dan hubungi petugas BPJS Ketenagakerjaan di kantor "
        "cabang atau kantor wilayah Anda; data pekerja ini dapat diunggah lagi setelah "
        "pembatasannya dicabut."
    ),
}

SEVERITY: dict[str, str] = {
    "nik_region_unknown": WARNING,
    "nik_birth_date_mismatch": WARNING,
    "nik_gender_mismatch": WARNING,
    "age_implausible": WARNING,
    "kpj_format": WARNING,
}  # every other code is an error

# Non-ASN government workers: JP and JKP are not theirs (DOMAIN.md, "Programs and contributions").
NON_ASN_PROGRAMS = frozenset({"JKK", "JKM", "JHT"})

EXCEL_EPOCH = dt.date(1899, 12, 30)  # the 1900 date system as Excel and calamine count it
EXCEL_SERIAL_MAX = 60_000  # 2064-04-08
DATE_MIN = dt.date(1900, 1, 1)  # 13-04-0990 is a typing slip, not a birth date
WAGE_MAX = 1_000_000_000  # Rp1 miliar a month: anything above is a typing slip, not a wage
AGE_MIN, AGE_MAX = 15, 80
SHOWN_MAX = 100  # characters of a cell kept in Issue.value (RowIssue.value)
# The longest text the staging table and the worker tables take (StagedRow; a test keeps them equal).
TEXT_LIMITS = {
    "NAMA_LENGKAP": 150,
    "UNIT_KERJA": 200,
    "TEMPAT_LAHIR": 100,
    "NO_HP": 30,
    "ALAMAT": 300,
    "NOMOR_INDUK": 30,
}
_CACHE_MAX = 65_536  # entries per cache; a cache that grows past it starts again

_DMY = re.compile(r"(\d{1,2})([-/])(\d{1,2})\2(\d{4})", re.ASCII)
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T][0-9:.]+)?", re.ASCII)
_SERIAL = re.compile(r"\d{1,5}", re.ASCII)
_SCIENTIFIC = re.compile(r"\d(?:[.,]\d+)?E\+?\d+", re.ASCII | re.IGNORECASE)
_DECIMAL_ZERO = re.compile(r"\d+[.,]0+", re.ASCII)
_SPACES_DOTS = re.compile(r"[\s.]+")
_WAGE_PLAIN = re.compile(r"(\d{1,15})(?:[.,]0{1,2})?", re.ASCII)
_WAGE_GROUPED = re.compile(r"(\d{1,3}(?:\.\d{3}){1,4})(?:,0{1,2})?", re.ASCII)
_REGENCY = re.compile(r"(\d{2})\.?(\d{2})", re.ASCII)
_KPJ = re.compile(r"\d{11}", re.ASCII)
_KPJ_SEPARATORS = re.compile(r"[\s.-]+")
_PROGRAM_SEPARATORS = re.compile(r"[,;/+\s]+")

_SEX_SPELLINGS = {"l": "L", "p": "P", "laki-laki": "L", "laki laki": "L", "perempuan": "P"}
_SEX_WORDS = {"L": "laki-laki", "P": "perempuan"}

_MISSING = object()


@dataclass(slots=True)
class CleanRow:
    row: int
    nik: str  # 16 digits
    full_name: str  # whitespace collapsed, as given otherwise
    birth_date: dt.date
    sex: str  # "L" or "P"
    work_unit: str
    category_id: int  # enrolment.WorkerCategory pk
    start_date: dt.date
    wage: int  # whole Rupiah
    birth_place: str = ""
    phone: str = ""
    address: str = ""
    regency_code: str = ""  # "36.73" or ""
    kpj: str = ""
    nomor_induk: str = ""
    programs: tuple[str, ...] = ()  # e.g. ("JKK", "JKM"); empty = the agreement's programs
    ended_on: dt.date | None = None  # TGL_BERHENTI: the employment ends on this day
    end_reason: str = ""  # an EndReason code, given exactly when ended_on is
    warnings: int = 0  # number of warning issues on the row


def mask_nik(value: str) -> str:
    """3601********0001 for a 16-digit NIK; anything else keeps at most its first 4 characters."""
    text = str(value).strip()
    compact = _SPACES_DOTS.sub("", text)
    if len(compact) == 16 and compact.isdigit() and compact.isascii():
        return f"{compact[:4]}********{compact[12:]}"
    return f"{text[:4]}***" if text else ""


def nik_facts(nik: str, *, today: dt.date | None = None) -> tuple[dt.date | None, str]:
    """The birth date a NIK implies (None if DDMMYY is not a real date) and its sex, "L" or "P".

    Two-digit years after today's are of the 1900s. Anything but 16 digits (spaces and dots
    ignored) gives (None, "").
    """
    compact = _SPACES_DOTS.sub("", str(nik))
    if len(compact) != 16 or not (compact.isdigit() and compact.isascii()):
        return None, ""
    return _nik_date(compact[6:12], (today or dt.date.today()).year % 100)


def _nik_date(ddmmyy: str, pivot: int) -> tuple[dt.date | None, str]:
    day, month, year = int(ddmmyy[:2]), int(ddmmyy[2:4]), int(ddmmyy[4:])
    sex = "L"
    if day > 40:  # women: day of birth + 40
        day -= 40
        sex = "P"
    year += 1900 if year > pivot else 2000
    try:
        return dt.date(year, month, day), sex
    except ValueError:
        return None, sex


def _normalise(text: str) -> str:
    """Category keys: case, spaces and underscores do not matter ("guru madin" = "GURU_MADIN")."""
    return " ".join(text.replace("_", " ").split()).casefold()


_END_REASONS = {
    _normalise(name): code for code, words in END_REASON_WORDS.items() for name in (code, *words)
}


def _text(value: object) -> str:
    """A cell as text: stripped; whole numbers without ".0"; dates as YYYY-MM-DD."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if type(value) is float and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def _collapsed(value: object) -> str:
    if type(value) is str:
        return " ".join(value.split())
    return " ".join(_text(value).split())


def _shown(value: object) -> str:
    text = _text(value)
    return text if len(text) <= SHOWN_MAX else f"{text[: SHOWN_MAX - 1]}…"


def _blank(value: object) -> bool:
    return value is None or (type(value) is str and not value.strip())


def _excel_serial(number: float) -> dt.date | None:
    if 1 <= number <= EXCEL_SERIAL_MAX:
        return EXCEL_EPOCH + dt.timedelta(days=int(number))
    return None


def _parse_date_text(text: str) -> dt.date | None:
    if match := _DMY.fullmatch(text):
        day, month, year = int(match[1]), int(match[3]), int(match[4])
    elif match := _YMD.fullmatch(text):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    elif _SERIAL.fullmatch(text):  # an Excel date saved to CSV as its serial number
        return _excel_serial(int(text))
    else:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:  # 31-02-1990, or 04/13/1990 in US order: never swapped
        return None


def _parse_date_cell(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if type(value) is int or type(value) is float:  # not bool
        return _excel_serial(value)
    return None


def _parse_wage(value: object) -> int | None:
    if type(value) is int:
        amount = value
    elif type(value) is float:
        if not value.is_integer():
            return None
        amount = int(value)
    elif type(value) is str:
        text = "".join(value.split())  # also the no-break space of Excel's currency format
        if text[:2].upper() == "RP":
            text = text[3:] if text[2:3] == "." else text[2:]
        if match := _WAGE_PLAIN.fullmatch(text):
            amount = int(match[1])
        elif match := _WAGE_GROUPED.fullmatch(text):
            amount = int(match[1].replace(".", ""))
        else:
            return None  # "2,5 juta", "2,500,000", "-2500000"
    else:
        return None
    return amount if 0 < amount <= WAGE_MAX else None


def _parse_sex(value: object) -> str | None:
    return _SEX_SPELLINGS.get(" ".join(_text(value).split()).casefold())


def _remember(cache: dict, key: object, result: object) -> None:
    if type(key) is not str:  # as dict keys 1 == 1.0 == True; numbers are cheap to parse anyway
        return
    if len(cache) >= _CACHE_MAX:
        cache.clear()
    cache[key] = result


class RowValidator:
    def __init__(
        self,
        *,
        today: dt.date,
        provinces: set[str],
        regencies: set[str],
        districts: set[str],
        categories: dict[str, int],
        programs: set[str],
        allowed_programs: set[str],
    ):
        self.today = today
        self._pivot = today.year % 100
        self._provinces = frozenset(provinces)
        self._regencies = frozenset(regencies)
        # NIK digits 1-4 and 1-6 against undotted codes: a slice and a set lookup per row.
        self._regency_digits = frozenset(code.replace(".", "") for code in regencies)
        self._district_digits = frozenset(
            digits
            for digits in (code.replace(".", "") for code in districts)
            if digits[:2] in self._provinces and digits[2:4] != "00" and digits[4:6] != "00"
        )
        self._categories = {_normalise(key): pk for key, pk in categories.items()}
        self._programs = frozenset(code.upper() for code in programs)
        self._allowed_programs = frozenset(allowed_programs)
        self._first_row_of_nik: dict[int, int] = {}
        # Caches of values that recur across rows, keyed by the raw cell.
        self._nik_dates: dict[str, tuple[dt.date | None, str]] = {}
        self._dates: dict[object, dt.date | None] = {}
        self._wages: dict[object, int | None] = {}
        self._sexes: dict[object, str | None] = {}
        self._category_ids: dict[object, int | None] = {}
        self._program_lists: dict[object, tuple] = {}
        self._regency_codes: dict[object, str | None] = {}

    @classmethod
    def from_database(cls, *, today: dt.date) -> RowValidator:
        from enrolment.models import Program, WorkerCategory
        from regions.models import District, Province, Regency

        categories: dict[str, int] = {}
        for pk, code, name in WorkerCategory.objects.filter(is_active=True).values_list(
            "pk", "code", "name"
        ):
            categories[_normalise(name)] = pk
            categories[_normalise(code)] = pk  # a code wins over another category's name
        programs = set(Program.objects.values_list("code", flat=True))
        return cls(
            today=today,
            provinces=set(Province.objects.values_list("code", flat=True)),
            regencies=set(Regency.objects.values_list("code", flat=True)),
            districts=set(District.objects.values_list("code", flat=True)),
            categories=categories,
            programs=programs,
            allowed_programs=set(NON_ASN_PROGRAMS & programs),
        )

    def validate(self, row: int, values: dict[str, object]) -> tuple[CleanRow | None, list[Issue]]:
        # Written for speed: one pass, cached parses, helpers only off the common path.
        issues: list[Issue] = []
        get = values.get

        raw = get("NIK")
        nik = raw.strip() if type(raw) is str else ""
        if len(nik) != 16 or not (nik.isdigit() and nik.isascii()):
            nik = self._unusual_nik(row, raw, issues)
        nik_birth_date, nik_sex = None, ""
        if nik:
            if nik[:6] not in self._district_digits:  # a known district: all regions are fine
                self._check_nik_region(row, nik, raw, issues)
            ddmmyy = nik[6:12]
            facts = self._nik_dates.get(ddmmyy)
            if facts is None:
                facts = _nik_date(ddmmyy, self._pivot)
                _remember(self._nik_dates, ddmmyy, facts)
            nik_birth_date, nik_sex = facts
            if nik_birth_date is None:
                issues.append(_issue(row, "NIK", "nik_date_invalid", raw))
            if nik[12:] == "0000":
                issues.append(_issue(row, "NIK", "nik_serial_zero", raw))
            first_row = self._first_row_of_nik.setdefault(int(nik), row)
            if first_row != row:
                issues.append(_issue(row, "NIK", "nik_duplicate_in_file", raw, first_row=first_row))

        raw = get("NAMA_LENGKAP")
        full_name = " ".join(raw.split()) if type(raw) is str else _collapsed(raw)
        if not full_name:
            issues.append(_issue(row, "NAMA_LENGKAP", "name_missing", raw))

        raw = get("TANGGAL_LAHIR")
        birth_date = self._dates.get(raw, _MISSING)
        if birth_date is _MISSING:
            birth_date = self._date(raw)
        if birth_date is None:
            code = "birth_date_missing" if _blank(raw) else "birth_date_invalid"
            issues.append(_issue(row, "TANGGAL_LAHIR", code, raw))
        elif birth_date > self.today:
            issues.append(_issue(row, "TANGGAL_LAHIR", "birth_date_future", raw))
            birth_date = None

        raw = get("JENIS_KELAMIN")
        sex = self._sexes.get(raw, _MISSING)
        if sex is _MISSING:
            sex = _parse_sex(raw)
            _remember(self._sexes, raw, sex)
        if sex is None:
            issues.append(_issue(row, "JENIS_KELAMIN", "gender_invalid", raw))

        raw = get("UNIT_KERJA")
        work_unit = " ".join(raw.split()) if type(raw) is str else _collapsed(raw)
        if not work_unit:
            issues.append(_issue(row, "UNIT_KERJA", "work_unit_missing", raw))

        raw = get("KATEGORI")
        category_id = self._category_ids.get(raw, _MISSING)
        if category_id is _MISSING:
            category_id = self._categories.get(_normalise(_text(raw)))
            _remember(self._category_ids, raw, category_id)
        if category_id is None:
            issues.append(_issue(row, "KATEGORI", "category_unknown", raw))

        raw = get("TGL_MULAI_BEKERJA")
        start_date = self._dates.get(raw, _MISSING)
        if start_date is _MISSING:
            start_date = self._date(raw)
        if start_date is None:
            variant = "start_date_invalid:missing" if _blank(raw) else "start_date_invalid"
            issues.append(_issue(row, "TGL_MULAI_BEKERJA", variant, raw))

        raw = get("UPAH")
        wage = self._wages.get(raw, _MISSING)
        if wage is _MISSING:
            wage = _parse_wage(raw)
            _remember(self._wages, raw, wage)
        if wage is None:
            issues.append(_issue(row, "UPAH", "wage_invalid", raw))

        regency_code = ""
        raw = get("KODE_WILAYAH")
        if raw is not None and raw != "":
            regency_code = self._regency_code(raw)
            if regency_code is None:
                issues.append(_issue(row, "KODE_WILAYAH", "region_unknown", raw))

        kpj = ""
        raw = get("KPJ")
        if raw is not None and raw != "":
            kpj = self._kpj(row, raw, issues)

        programs: tuple[str, ...] = ()
        raw = get("PROGRAM")
        if raw is not None and raw != "":
            programs = self._check_programs(row, raw, issues)

        # Only a worker who left has these cells: a row without them pays two lookups.
        ended_on, end_reason = None, ""
        end_cell, reason_cell = get("TGL_BERHENTI"), get("ALASAN_BERHENTI")
        if (end_cell is not None and end_cell != "") or (
            reason_cell is not None and reason_cell != ""
        ):
            ended_on, end_reason = self._ending(row, end_cell, reason_cell, start_date, issues)

        # Cross-column checks, on values that are themselves valid.
        if birth_date is not None:
            if nik_birth_date is not None and nik_birth_date != birth_date:
                self._check_birth_date_mismatch(row, nik_birth_date, birth_date, values, issues)
            if start_date is not None:
                years = start_date.year - birth_date.year
                if not AGE_MIN < years <= AGE_MAX:  # otherwise the age is surely in range
                    self._check_age(row, birth_date, start_date, values, issues)
        if nik_sex and sex is not None and nik_sex != sex:
            words = {"nik_sex": _SEX_WORDS[nik_sex], "sex": _SEX_WORDS[sex]}
            raw = get("JENIS_KELAMIN")
            issues.append(_issue(row, "JENIS_KELAMIN", "nik_gender_mismatch", raw, **words))

        raw = get("TEMPAT_LAHIR")
        birth_place = " ".join(raw.split()) if type(raw) is str else _collapsed(raw)
        raw = get("ALAMAT")
        address = " ".join(raw.split()) if type(raw) is str else _collapsed(raw)
        raw = get("NO_HP")
        phone = raw.strip() if type(raw) is str else _text(raw)
        raw = get("NOMOR_INDUK")
        nomor_induk = raw.strip() if type(raw) is str else _text(raw)
        if (
            len(full_name) > 150
            or len(work_unit) > 200
            or len(birth_place) > 100
            or len(phone) > 30
            or len(address) > 300
            or len(nomor_induk) > 30
        ):  # TEXT_LIMITS, spelled out: this runs on every row
            texts = (full_name, work_unit, birth_place, phone, address, nomor_induk)
            self._check_lengths(row, dict(zip(TEXT_LIMITS, texts, strict=True)), values, issues)

        warnings = 0
        if issues:
            warnings = sum(1 for issue in issues if issue.severity == WARNING)
            if warnings != len(issues):
                return None, issues

        # Positional: three times faster than keywords for a slotted dataclass; order as declared.
        clean = CleanRow(
            row,
            nik,
            full_name,
            birth_date,
            sex,
            work_unit,
            category_id,
            start_date,
            wage,
            birth_place,
            phone,
            address,
            regency_code,
            kpj,
            nomor_induk,
            programs,
            ended_on,
            end_reason,
            warnings,
        )
        return clean, issues

    def _ending(
        self,
        row: int,
        end_cell: object,
        reason_cell: object,
        start_date: dt.date | None,
        issues: list[Issue],
    ) -> tuple[dt.date | None, str]:
        """TGL_BERHENTI and ALASAN_BERHENTI: both or neither, a past date, a known reason."""
        ended_on = None
        if not _blank(end_cell):
            ended_on = self._dates.get(end_cell, _MISSING)
            if ended_on is _MISSING:
                ended_on = self._date(end_cell)
            if ended_on is None:
                issues.append(_issue(row, "TGL_BERHENTI", "end_date_invalid", end_cell))
            elif ended_on > self.today:
                issues.append(_issue(row, "TGL_BERHENTI", "end_date_future", end_cell))
                ended_on = None
            elif start_date is not None and ended_on < start_date:
                issues.append(_issue(row, "TGL_BERHENTI", "end_before_start", end_cell))
                ended_on = None
        end_reason = ""
        if _blank(reason_cell):
            if not _blank(end_cell):
                issues.append(_issue(row, "ALASAN_BERHENTI", "end_reason_missing", reason_cell))
        else:
            end_reason = _END_REASONS.get(_normalise(_text(reason_cell)), "")
            if not end_reason:
                issues.append(_issue(row, "ALASAN_BERHENTI", "end_reason_unknown", reason_cell))
            if _blank(end_cell):
                issues.append(_issue(row, "TGL_BERHENTI", "end_reason_without_date", end_cell))
        return ended_on, end_reason

    def _check_nik_region(self, row: int, nik: str, value: object, issues: list[Issue]) -> None:
        province_known = nik[:2] in self._provinces
        if not province_known:
            issues.append(_issue(row, "NIK", "nik_province_unknown", value, province=nik[:2]))
        if nik[2:4] == "00" or nik[4:6] == "00":
            issues.append(_issue(row, "NIK", "nik_format:region_zero", value))
        elif province_known and nik[:4] not in self._regency_digits:
            regency = f"{nik[:2]}.{nik[2:4]}"
            issues.append(_issue(row, "NIK", "nik_region_unknown", value, regency=regency))
        elif province_known:
            issues.append(_issue(row, "NIK", "nik_region_unknown:district", value))

    def _check_birth_date_mismatch(
        self, row: int, nik_date: dt.date, birth_date: dt.date, values: dict, issues: list[Issue]
    ) -> None:
        # The NIK carries two digits of the year: 1990 and 2090 would match, 01-01-1990 and
        # 01-01-1991 would not. Its century is a guess, so compare only what it carries.
        if (nik_date.day, nik_date.month, nik_date.year % 100) != (
            birth_date.day,
            birth_date.month,
            birth_date.year % 100,
        ):
            raw = values.get("TANGGAL_LAHIR")
            issues.append(_issue(row, "TANGGAL_LAHIR", "nik_birth_date_mismatch", raw))

    def _check_age(
        self, row: int, birth_date: dt.date, start_date: dt.date, values: dict, issues: list[Issue]
    ) -> None:
        before_birthday = (start_date.month, start_date.day) < (birth_date.month, birth_date.day)
        age = start_date.year - birth_date.year - before_birthday
        if not AGE_MIN <= age <= AGE_MAX:
            raw = values.get("TANGGAL_LAHIR")
            issues.append(_issue(row, "TANGGAL_LAHIR", "age_implausible", raw, age=age))

    def _kpj(self, row: int, value: object, issues: list[Issue]) -> str:
        """11 digits, or "" (not stored) with a warning: the column holds 11 characters."""
        kpj = _text(value)
        if kpj and not _KPJ.fullmatch(kpj):
            kpj = _KPJ_SEPARATORS.sub("", kpj)
            if not _KPJ.fullmatch(kpj):
                issues.append(_issue(row, "KPJ", "kpj_format", value))
                return ""
        return kpj

    def _check_lengths(
        self, row: int, texts: dict[str, str], values: dict, issues: list[Issue]
    ) -> None:
        for column, text in texts.items():
            limit = TEXT_LIMITS[column]
            if len(text) > limit:
                details = {"name": column, "length": len(text), "limit": limit}
                issues.append(_issue(row, column, "text_too_long", values.get(column), **details))

    def _unusual_nik(self, row: int, value: object, issues: list[Issue]) -> str:
        """A NIK that is not 16 plain digits: missing, mangled by Excel, dotted, or wrong."""
        if _blank(value):
            issues.append(_issue(row, "NIK", "nik_missing", value))
            return ""
        if type(value) is int or type(value) is float:
            shown = f"{float(value):.5E}".replace(".", ",")
            issues.append(_issue(row, "NIK", "nik_numeric_cell", value, shown=shown))
            return ""
        text = _text(value) if type(value) is str else ""
        if text.startswith("'"):  # typed as '3601… to force text, or our own CSV export
            text = text[1:].lstrip()
        if _SCIENTIFIC.fullmatch(text) or _DECIMAL_ZERO.fullmatch(text):
            shown = f"{float(text.replace(',', '.')):.5E}".replace(".", ",")
            issues.append(_issue(row, "NIK", "nik_numeric_cell", value, shown=shown))
            return ""
        compact = _SPACES_DOTS.sub("", text)
        if len(compact) == 16 and compact.isdigit() and compact.isascii():
            return compact
        issues.append(_issue(row, "NIK", "nik_format", value))
        return ""

    def _date(self, value: object) -> dt.date | None:
        """Parse a date cell not yet in the cache, and remember it."""
        parsed = _parse_date_text(value.strip()) if type(value) is str else _parse_date_cell(value)
        if parsed is not None and parsed < DATE_MIN:
            parsed = None
        _remember(self._dates, value, parsed)
        return parsed

    def _regency_code(self, value: object) -> str | None:
        """The dotted code of a known regency, "" for a blank cell, None for anything else."""
        code = self._regency_codes.get(value, _MISSING)
        if code is _MISSING:
            text = f"{value:.2f}" if type(value) is float else "".join(_text(value).split())
            match = _REGENCY.fullmatch(text)
            code = f"{match[1]}.{match[2]}" if match else None
            if not text:
                code = ""
            elif code not in self._regencies:
                code = None
            _remember(self._regency_codes, value, code)
        return code

    def _check_programs(self, row: int, value: object, issues: list[Issue]) -> tuple[str, ...]:
        parsed = self._program_lists.get(value)
        if parsed is None:
            requested = _PROGRAM_SEPARATORS.split(_text(value).upper())
            codes = tuple(dict.fromkeys(code for code in requested if code))
            unknown = [code for code in codes if code not in self._programs]
            refused = [
                code
                for code in codes
                if code in self._programs and code not in self._allowed_programs
            ]
            parsed = (codes, unknown, refused)
            _remember(self._program_lists, value, parsed)
        codes, unknown, refused = parsed
        if unknown:
            listed = ", ".join(code[:10] for code in unknown[:5])
            issues.append(_issue(row, "PROGRAM", "program_unknown", value, unknown=listed))
        if refused:
            listed = ", ".join(refused)
            issues.append(_issue(row, "PROGRAM", "program_not_allowed", value, programs=listed))
        return codes


def _issue(row: int, column: str, key: str, value: object, **details: object) -> Issue:
    """An Issue of MESSAGES[key]; the code is the key without its ":variant"."""
    code = key.partition(":")[0]
    shown = mask_nik(_text(value)) if column == "NIK" and not _blank(value) else _shown(value)
    return Issue(
        row=row,
        column=column,
        code=code,
        severity=SEVERITY.get(code, ERROR),
        message=MESSAGES[key].format(**details),
        value=shown,
    )
