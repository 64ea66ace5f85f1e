"""Which file column is which template column: the template's names and the names people use.

Headers are compared without case, spaces, underscores, dots or hyphens, so "Tgl. Lahir",
"TGL_LAHIR" and "tgl lahir" are one name. A header nobody recognises is ignored and never written:
a column called `id` or `institution` cannot reach another row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from enrolment.imports import COLUMNS, REQUIRED_COLUMNS, FileRefused

ALIASES = {
    "NIK": ["NO KTP", "NOMOR KTP"],
    "NAMA_LENGKAP": ["NAMA", "NAMA LENGKAP", "NAMA PEGAWAI"],
    "TANGGAL_LAHIR": ["TGL LAHIR", "TANGGAL LAHIR", "TGL_LHR"],
    "JENIS_KELAMIN": ["JK", "L/P", "JENIS KELAMIN", "KELAMIN"],
    "UNIT_KERJA": ["UNIT", "UNIT KERJA", "SATKER", "NAMA LEMBAGA", "MADRASAH"],
    "KATEGORI": ["JABATAN", "JENIS PEGAWAI"],
    "TGL_MULAI_BEKERJA": ["TMT", "TGL MULAI", "TANGGAL MULAI BEKERJA", "TMT KERJA"],
    "UPAH": ["GAJI", "HONOR", "UPAH (RP)"],
    "TEMPAT_LAHIR": ["TEMPAT LAHIR", "TMP LAHIR"],
    "NO_HP": ["HP", "NO TELEPON", "TELEPON"],
    "ALAMAT": [],
    "KODE_WILAYAH": ["KODE KAB/KOTA"],
    "KPJ": ["NO KPJ", "NOMOR KPJ"],
    "NOMOR_INDUK": ["NIP", "NUPTK"],
    "PROGRAM": ["PROGRAM BPJS"],
    "TGL_BERHENTI": ["TANGGAL BERHENTI", "TGL KELUAR", "TANGGAL KELUAR", "TMT BERHENTI"],
    "ALASAN_BERHENTI": ["ALASAN KELUAR", "ALASAN"],
}
FOUND_LISTED = 30  # a file with hundreds of columns should not make a page-long message

_IGNORED = re.compile(r"[\s_.\-]+")


def normalise(header: str) -> str:
    return _IGNORED.sub("", str(header)).upper()


_KNOWN = {normalise(name): column for column in COLUMNS for name in [column, *ALIASES[column]]}


@dataclass
class HeaderMap:
    index: dict[str, int]  # canonical column -> position in the row
    unknown: list[str] = field(default_factory=list)

    def row_values(self, values: list) -> dict[str, object]:
        """Canonical column -> cell; a cell missing at the end of a short row is ""."""
        width = len(values)
        return {
            column: values[position] if position < width else ""
            for column, position in self.index.items()
        }


def map_headers(
    headers: list[str],
    *,
    known: dict[str, str] = _KNOWN,
    required: Sequence[str] = REQUIRED_COLUMNS,
    one_of: Sequence[str] = (),
    described_as: str = "templat roster (baris 1)",
) -> HeaderMap:
    """The roster's columns by default; the files from BPJS pass their own (imports.results).
    Refused with what is missing and what was found; `one_of`: at least one of these."""
    index: dict[str, int] = {}
    unknown: list[str] = []
    for position, header in enumerate(headers):
        if not header.strip():
            continue
        column = known.get(normalise(header))
        if column is None or column in index:
            unknown.append(header)
        else:
            index[column] = position
    missing = [column for column in required if column not in index]
    if one_of and not any(column in index for column in one_of):
        missing.append(" atau ".join(one_of))
    if missing:
        found = [header for header in headers if header.strip()]
        listed = ", ".join(found[:FOUND_LISTED]) + (", …" if len(found) > FOUND_LISTED else "")
        raise FileRefused(
            "missing_columns",
            f"Kolom wajib tidak ditemukan: {', '.join(missing)}. Kolom di berkas: "
            f"{listed or '(tidak ada)'}. Gunakan judul kolom seperti di {described_as}, "
            "lalu unggah ulang.",
        )
    return HeaderMap(index=index, unknown=unknown)
