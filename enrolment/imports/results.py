"""Files that come back from BPJS's core system: registration results and contribution payments.

They go through the roster import's machinery (the file kept and guarded, rows streamed and
checked, valid rows staged with COPY, one transaction to apply), with their own columns and
checks:

- registration results read back the registration desk's file (enrolment.registration.LAYOUT):
  NIK → KPJ and TGL_TERDAFTAR, or ALASAN_TOLAK when the registration was refused;
- payments: KPJ or NIK → BULAN_LUNAS (the last month paid) per PROGRAM, or for every program when
  PROGRAM is empty.

What needs the database (is the worker known, employed at this institution, is the KPJ someone
else's) is checked set-based after staging, in enrolment.imports.settle.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from enrolment.imports import Issue
from enrolment.imports.columns import HeaderMap, map_headers, normalise
from enrolment.imports.staging import _copy, _text
from enrolment.imports.validation import (
    ERROR,
    WARNING,
    RowValidator,
    _blank,
    _collapsed,
    _issue,
    _parse_date_cell,
    _parse_date_text,
    _shown,
    mask_nik,
)
from enrolment.imports.validation import _text as _cell_text
from enrolment.registration import HEADERS as REGISTRATION_HEADERS

REGISTRATION, PAYMENT = "registration", "payment"
PREPAID_MONTHS_MAX = 12  # contributions can be paid this many months ahead, not more
REASON_MAX = 300


@dataclass(frozen=True)
class Layout:
    """The columns a kind of file has: which are known, required, or needed one of."""

    columns: tuple[str, ...]
    required: tuple[str, ...]
    one_of: tuple[str, ...] = ()
    aliases: dict[str, tuple[str, ...]] | None = None
    described_as: str = ""

    def known(self) -> dict[str, str]:
        names = {normalise(column): column for column in self.columns}
        for column, aliases in (self.aliases or {}).items():
            names.update({normalise(alias): column for alias in aliases})
        return names


LAYOUTS = {
    REGISTRATION: Layout(
        columns=tuple(REGISTRATION_HEADERS),
        required=("NIK", "KPJ", "TGL_TERDAFTAR"),
        aliases={
            "NIK": ("NO KTP", "NOMOR KTP"),
            "NAMA_LENGKAP": ("NAMA", "NAMA PESERTA"),
            "KPJ": ("NO KPJ", "NOMOR KPJ", "NO PESERTA"),
            "TGL_TERDAFTAR": (
                "TANGGAL TERDAFTAR",
                "TGL DAFTAR",
                "TANGGAL DAFTAR",
                "TGL KEPESERTAAN",
                "TMT KEPESERTAAN",
            ),
            "ALASAN_TOLAK": ("ALASAN DITOLAK", "ALASAN PENOLAKAN", "KETERANGAN TOLAK"),
        },
        described_as="berkas pendaftaran yang diunduh dari Sinergi",
    ),
    PAYMENT: Layout(
        columns=("KPJ", "NIK", "NAMA_LENGKAP", "PROGRAM", "BULAN_LUNAS"),
        required=("BULAN_LUNAS",),
        one_of=("KPJ", "NIK"),
        aliases={
            "KPJ": ("NO KPJ", "NOMOR KPJ", "NO PESERTA"),
            "NIK": ("NO KTP", "NOMOR KTP"),
            "NAMA_LENGKAP": ("NAMA", "NAMA PESERTA"),
            "PROGRAM": ("PROGRAM BPJS",),
            "BULAN_LUNAS": (
                "LUNAS SAMPAI",
                "DIBAYAR SAMPAI",
                "IURAN SAMPAI",
                "BULAN IURAN TERAKHIR",
                "PERIODE LUNAS",
                "BLTH LUNAS",
            ),
        },
        described_as="berkas pembayaran iuran (kolom KPJ atau NIK, PROGRAM, BULAN_LUNAS)",
    ),
}


def map_result_headers(headers: list[str], kind: str) -> HeaderMap:
    """The roster's header mapping with the columns of `kind`."""
    layout = LAYOUTS[kind]
    return map_headers(
        headers,
        known=layout.known(),
        required=layout.required,
        one_of=layout.one_of,
        described_as=layout.described_as,
    )


MESSAGES: dict[str, str] = {
    "kpj_format": (
        "KPJ harus 11 digit angka. Periksa nomor KPJ; bila kolom KPJ berformat Angka di Excel, "
        "ubah menjadi Teks agar angka nol di depan tidak hilang."
    ),
    "kpj_duplicate_in_file": (
        "KPJ ini sudah dipakai NIK lain di baris {first_row}. Satu KPJ hanya untuk satu orang; "
        "periksa kedua baris."
    ),
    "result_empty": (
        "KPJ dan ALASAN_TOLAK kosong: pendaftaran pekerja ini belum diproses, baris dilewati. "
        "Isi KPJ dan TGL_TERDAFTAR, atau ALASAN_TOLAK, lalu unggah ulang bila perlu."
    ),
    "result_ambiguous": (
        "Baris ini berisi KPJ sekaligus ALASAN_TOLAK. Isi KPJ bila pendaftaran diterima, atau "
        "ALASAN_TOLAK bila ditolak, tidak keduanya."
    ),
    "registered_on_missing": (
        "TGL_TERDAFTAR kosong. Isi tanggal terdaftar dengan format DD-MM-YYYY, misalnya 15-03-2026."
    ),
    "registered_on_invalid": (
        "TGL_TERDAFTAR bukan tanggal yang benar. Gunakan format DD-MM-YYYY, misalnya 15-03-2026."
    ),
    "registered_on_future": "TGL_TERDAFTAR ada di masa depan. Periksa kembali tanggal terdaftar.",
    "reason_too_long": (
        "ALASAN_TOLAK terlalu panjang ({length} karakter, paling banyak {limit}). Persingkat."
    ),
    "nik_duplicate_in_file": (
        "NIK ini sudah ada di baris {first_row} dengan hasil yang berbeda. Hapus salah satu baris."
    ),
    "nik_repeated": (
        "NIK ini sudah ada di baris {first_row} dengan hasil yang sama; baris ini dilewati."
    ),
    "worker_missing": "KPJ dan NIK kosong. Isi KPJ atau NIK pekerja.",
    "paid_through_missing": (
        "BULAN_LUNAS kosong. Isi bulan terakhir yang sudah dibayar, misalnya 03-2026."
    ),
    "paid_through_invalid": (
        "BULAN_LUNAS bukan bulan yang benar. Gunakan format MM-YYYY (misalnya 03-2026), "
        "YYYY-MM, nama bulan (Maret 2026) atau sebuah tanggal."
    ),
    "paid_through_future": (
        "BULAN_LUNAS lebih dari {months} bulan ke depan. Periksa kembali bulan yang dibayar."
    ),
}
SEVERITY = {"nik_repeated": WARNING}


def _result_issue(row: int, column: str, code: str, value: object, **details: object) -> Issue:
    if code not in MESSAGES:
        return _issue(row, column, code, value, **details)
    shown = mask_nik(_cell_text(value)) if column == "NIK" and not _blank(value) else _shown(value)
    return Issue(
        row=row,
        column=column,
        code=code,
        severity=SEVERITY.get(code, ERROR),
        message=MESSAGES[code].format(**details),
        value=shown,
    )


@dataclass(slots=True)
class CleanResult:
    row: int
    nik: str = ""  # 16 digits, or "" when a payment names the worker by KPJ only
    kpj: str = ""
    programs: tuple[str, ...] = ()  # empty: every program of the worker
    registered_on: dt.date | None = None
    rejected_reason: str = ""
    paid_through: dt.date | None = None  # the first day of the last month paid


_KPJ = re.compile(r"\d{11}", re.ASCII)
_KPJ_SEPARATORS = re.compile(r"[\s.\-']+")
_MONTH_YEAR = re.compile(r"(\d{1,2})[-/.](\d{4})", re.ASCII)
_YEAR_MONTH = re.compile(r"(\d{4})[-/.](\d{1,2})", re.ASCII)
_NAMED_MONTH = re.compile(r"([a-z]+)[\s\-/.]+(\d{4})")
MONTH_NAMES = {
    name: number
    for number, names in enumerate(
        [
            ("januari", "jan", "january"),
            ("februari", "feb", "pebruari", "february"),
            ("maret", "mar", "march"),
            ("april", "apr"),
            ("mei", "may"),
            ("juni", "jun", "june"),
            ("juli", "jul", "july"),
            ("agustus", "agu", "agt", "aug", "august"),
            ("september", "sep", "sept"),
            ("oktober", "okt", "oct", "october"),
            ("november", "nov", "nop", "nopember"),
            ("desember", "des", "dec", "december"),
        ],
        start=1,
    )
    for name in names
}


def parse_month(value: object) -> dt.date | None:
    """The first day of the month a cell names: 03-2026, 3/2026, 2026-03, Maret 2026, a date
    (any day of the month) or an Excel date; None otherwise."""
    if type(value) is not str:
        parsed = _parse_date_cell(value)
        return parsed.replace(day=1) if parsed else None
    text = " ".join(value.split()).casefold()
    month = year = None
    if match := _MONTH_YEAR.fullmatch(text):
        month, year = int(match[1]), int(match[2])
    elif match := _YEAR_MONTH.fullmatch(text):
        year, month = int(match[1]), int(match[2])
    elif match := _NAMED_MONTH.fullmatch(text):
        month, year = MONTH_NAMES.get(match[1]), int(match[2])
    elif text.isdigit():  # "2026" or "032026": not a month anyone can be sure of
        return None
    else:
        parsed = _parse_date_text(text)
        return parsed.replace(day=1) if parsed else None
    if month is None or not 1 <= month <= 12 or year < 1990:
        return None
    return dt.date(year, month, 1)


def _add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


class ResultValidator(RowValidator):
    """One row of a registration-results or payments file in, a CleanResult or issues out."""

    kind: str = REGISTRATION

    @classmethod
    def for_kind(cls, kind: str, *, today: dt.date) -> ResultValidator:
        validator = cls.from_database(today=today)
        validator.kind = kind
        validator._first_row_of_kpj: dict[str, tuple[int, str]] = {}
        validator._results_of_nik: dict[tuple, tuple[int, tuple]] = {}
        return validator

    def validate(self, row: int, values: dict[str, object]) -> tuple[CleanResult | None, list]:
        if self.kind == REGISTRATION:
            return self._registration(row, values)
        return self._payment(row, values)

    # --- registration results ---

    def _registration(self, row: int, values: dict[str, object]):
        issues: list[Issue] = []
        get = values.get
        nik = self._nik(row, get("NIK"), issues)
        raw_kpj, raw_reason = get("KPJ"), get("ALASAN_TOLAK")
        reason = _collapsed(raw_reason) if not _blank(raw_reason) else ""
        kpj, registered_on = "", None
        if _blank(raw_kpj) and not reason:
            issues.append(_result_issue(row, "KPJ", "result_empty", raw_kpj))
        elif not _blank(raw_kpj) and reason:
            issues.append(_result_issue(row, "ALASAN_TOLAK", "result_ambiguous", raw_reason))
        elif reason:
            if len(reason) > REASON_MAX:
                details = {"length": len(reason), "limit": REASON_MAX}
                issues.append(_result_issue(row, "ALASAN_TOLAK", "reason_too_long", "", **details))
        else:
            kpj = self._result_kpj(row, raw_kpj, nik, issues)
            raw = get("TGL_TERDAFTAR")
            registered_on = None if _blank(raw) else self._date(raw)
            if _blank(raw):
                issues.append(_result_issue(row, "TGL_TERDAFTAR", "registered_on_missing", raw))
            elif registered_on is None:
                issues.append(_result_issue(row, "TGL_TERDAFTAR", "registered_on_invalid", raw))
            elif registered_on > self.today:
                issues.append(_result_issue(row, "TGL_TERDAFTAR", "registered_on_future", raw))
        programs = self._listed_programs(row, get("PROGRAM"), issues)
        if any(issue.severity == ERROR for issue in issues):
            return None, issues
        result = CleanResult(
            row=row,
            nik=nik,
            kpj=kpj,
            programs=programs,
            registered_on=registered_on,
            rejected_reason=reason,
        )
        if not self._first_result_of_nik(row, result, get("NIK"), issues):
            return None, issues
        return result, issues

    def _first_result_of_nik(self, row: int, result: CleanResult, raw: object, issues) -> bool:
        """A worker employed at two institutions is two rows of the desk's file, with one
        result: the repeat is skipped. Two different results for one NIK are an error."""
        # A payments file may give each program its own row.
        key = (result.nik or result.kpj, result.programs if result.paid_through else ())
        outcome = (result.kpj, result.registered_on, result.rejected_reason, result.programs)
        if result.paid_through is not None:
            outcome = (result.paid_through, result.programs)
        first = self._results_of_nik.setdefault(key, (row, outcome))
        if first[0] == row:
            return True
        column = "NIK" if result.nik else "KPJ"
        code = "nik_repeated" if first[1] == outcome else "nik_duplicate_in_file"
        issues.append(_result_issue(row, column, code, raw, first_row=first[0]))
        return False

    # --- payments ---

    def _payment(self, row: int, values: dict[str, object]):
        issues: list[Issue] = []
        get = values.get
        raw_nik, raw_kpj = get("NIK"), get("KPJ")
        nik = kpj = ""
        if _blank(raw_nik) and _blank(raw_kpj):
            issues.append(_result_issue(row, "KPJ", "worker_missing", raw_kpj))
        if not _blank(raw_nik):
            nik = self._nik(row, raw_nik, issues)
        if not _blank(raw_kpj):
            kpj = self._result_kpj(row, raw_kpj, nik, issues)
        raw = get("BULAN_LUNAS")
        paid_through = None if _blank(raw) else parse_month(raw)
        if _blank(raw):
            issues.append(_result_issue(row, "BULAN_LUNAS", "paid_through_missing", raw))
        elif paid_through is None:
            issues.append(_result_issue(row, "BULAN_LUNAS", "paid_through_invalid", raw))
        elif paid_through > _add_months(self.today.replace(day=1), PREPAID_MONTHS_MAX):
            details = {"months": PREPAID_MONTHS_MAX}
            issues.append(_result_issue(row, "BULAN_LUNAS", "paid_through_future", raw, **details))
        programs = self._listed_programs(row, get("PROGRAM"), issues)
        if any(issue.severity == ERROR for issue in issues):
            return None, issues
        result = CleanResult(row=row, nik=nik, kpj=kpj, programs=programs)
        result.paid_through = paid_through
        if not self._first_result_of_nik(row, result, raw_nik if nik else raw_kpj, issues):
            return None, issues
        return result, issues

    # --- cells both kinds have ---

    def _nik(self, row: int, raw: object, issues: list[Issue]) -> str:
        nik = raw.strip() if type(raw) is str else ""
        if len(nik) == 16 and nik.isdigit() and nik.isascii():
            return nik
        return self._unusual_nik(row, raw, issues)

    def _result_kpj(self, row: int, raw: object, nik: str, issues: list[Issue]) -> str:
        kpj = _KPJ_SEPARATORS.sub("", _cell_text(raw))
        if not _KPJ.fullmatch(kpj):
            issues.append(_result_issue(row, "KPJ", "kpj_format", raw))
            return ""
        first = self._first_row_of_kpj.setdefault(kpj, (row, nik))
        if nik and first[1] and first[1] != nik:
            issues.append(
                _result_issue(row, "KPJ", "kpj_duplicate_in_file", raw, first_row=first[0])
            )
        return kpj

    def _listed_programs(self, row: int, raw: object, issues: list[Issue]) -> tuple[str, ...]:
        if _blank(raw):
            return ()
        return self._check_programs(row, raw, issues)


RESULT_COLUMNS = (
    "roster_import_id",
    "row",
    "nik",
    "kpj",
    "programs",
    "registered_on",
    "rejected_reason",
    "paid_through",
)


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value is not None else "\\N"


def copy_results(import_id: int, results: list[CleanResult]) -> None:
    lines = [
        f"{import_id}\t{r.row}\t{r.nik}\t{r.kpj}\t{{{','.join(r.programs)}}}\t"
        f"{_day(r.registered_on)}\t{_text(r.rejected_reason)}\t{_day(r.paid_through)}\n"
        for r in results
    ]
    _copy(f"COPY enrolment_stagedresult ({', '.join(RESULT_COLUMNS)}) FROM STDIN", lines)
