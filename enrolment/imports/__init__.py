"""The roster import pipeline: files (guard, read, map headers), validation, staging and apply.

    upload -> files.inspect_upload (refuse before reading rows)
           -> files.open_rows + columns.map_headers (stream the rows, template names and aliases)
           -> validation.RowValidator (each row: a CleanRow or issues, in Indonesian)
           -> staging (COPY valid rows) -> apply (one transaction of set-based SQL)

Row numbers are the ones a person sees in Excel: the header is row 1, the first data row row 2,
in CSV files too.
"""

from __future__ import annotations

from dataclasses import dataclass

# The template's columns (DOMAIN.md "Roster columns"), in template order.
REQUIRED_COLUMNS = [
    "NIK",
    "NAMA_LENGKAP",
    "TANGGAL_LAHIR",
    "JENIS_KELAMIN",
    "UNIT_KERJA",
    "KATEGORI",
    "TGL_MULAI_BEKERJA",
    "UPAH",
]
OPTIONAL_COLUMNS = [
    "TEMPAT_LAHIR",
    "NO_HP",
    "ALAMAT",
    "KODE_WILAYAH",
    "KPJ",
    "NOMOR_INDUK",
    "PROGRAM",
    # Filled only for a worker who stopped working at this institution and work unit: the row
    # ends that employment (and the programs, unless another employment keeps them).
    "TGL_BERHENTI",
    "ALASAN_BERHENTI",
]
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

# Programs a non-ASN government worker can be enrolled in: JP and JKP are not for them.
ALLOWED_PROGRAMS = frozenset({"JKK", "JKM", "JHT"})


class Severity:
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Issue:
    """One problem of one row (or of the file, with row 0), as the person will read it."""

    row: int
    column: str
    code: str
    severity: str
    message: str
    value: str = ""  # the cell as given, masked where it is personal data (NIK: 3601********0001)


# Why a whole file is refused (RosterImport.file_code): the only exception the reading of any
# bytes may raise (enrolment.imports.fuzz holds the parser to it).
FILE_CODES = frozenset(
    {
        "empty_file",
        "file_too_large",
        "file_type_unsupported",
        "file_unreadable",
        "xlsx_uncompressed_too_large",
        "too_many_rows",
        "missing_columns",
    }
)


class FileRefused(Exception):
    """The whole file is refused before any row is applied; `code` is part of the interface."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message
