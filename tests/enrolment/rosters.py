"""Rosters built in code for the import tests: valid NIKs that agree with the other columns."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from enrolment.imports import REQUIRED_COLUMNS

HEADER = REQUIRED_COLUMNS


def nik(serial: int, *, district: str = "367301", born=dt.date(1990, 5, 12), sex: str = "P") -> str:
    day = born.day + (40 if sex == "P" else 0)
    return f"{district}{day:02d}{born:%m%y}{serial:04d}"


def row(serial: int, **values: str) -> dict[str, str]:
    born = dt.date(1985, 1, 1) + dt.timedelta(days=serial * 37 % 5000)
    sex = "P" if serial % 2 else "L"
    base = {
        "NIK": nik(serial, born=born, sex=sex),
        "NAMA_LENGKAP": f"Pekerja Uji {serial}",
        "TANGGAL_LAHIR": born.strftime("%d-%m-%Y"),
        "JENIS_KELAMIN": sex,
        "UNIT_KERJA": "MDT Al-Hidayah",
        "KATEGORI": "GURU_MADIN",
        "TGL_MULAI_BEKERJA": "01-07-2015",
        "UPAH": "2.000.000",
    }
    base.update(values)
    return base


def csv_bytes(rows: list[dict[str, str]], *, header: list[str] | None = None) -> bytes:
    columns = header or list(dict.fromkeys(HEADER + [k for r in rows for k in r]))
    lines = [";".join(columns)] + [";".join(r.get(c, "") for c in columns) for r in rows]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def roster_file(
    rows: list[dict[str, str]], name: str = "daftar.csv", **kwargs
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, csv_bytes(rows, **kwargs), content_type="text/csv")
