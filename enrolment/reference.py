"""Reference figures (DOMAIN.md), loaded once as rows an administrator can correct.

Marked needs_verification where only one weak source was found ([check] in DOMAIN.md).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

PROGRAMS = [
    ("JKK", "Jaminan Kecelakaan Kerja", "Work accident insurance."),
    ("JKM", "Jaminan Kematian", "Death benefit."),
    ("JHT", "Jaminan Hari Tua", "Old-age savings."),
    ("JP", "Jaminan Pensiun", "Pension; wage capped at the JP ceiling."),
    ("JKP", "Jaminan Kehilangan Pekerjaan", "Job-loss insurance; private employers' wage earners."),
]

WORKER_CATEGORIES = [
    ("GURU_MADIN", "Guru Madrasah Diniyah"),
    ("GURU_MADRASAH", "Guru RA/MI/MTs/MA non-ASN"),
    ("GURU_TPQ", "Guru TPQ"),
    ("PENYULUH_AGAMA", "Penyuluh Agama non-PNS"),
    ("TENAGA_KEPENDIDIKAN", "Tenaga Kependidikan"),
    ("PPNPN", "PPNPN"),
    ("HONORER_PEMDA", "Tenaga Honorer Pemda"),
    ("PERANGKAT_DESA", "Perangkat Desa"),
    ("LAINNYA", "Lainnya"),
]

PP44 = "PP 44/2015"
PP46 = "PP 46/2015"
PP45 = "PP 45/2015"
PP49_2020 = "PP 49/2020 (relaksasi iuran masa pandemi)"
START = dt.date(2015, 7, 1)
RELIEF_FROM, RELIEF_TO = dt.date(2020, 8, 1), dt.date(2021, 1, 31)
JKK_CLASSES = {1: "0.24", 2: "0.54", 3: "0.89", 4: "1.27", 5: "1.74"}


def _rate(
    program,
    segment,
    payer,
    *,
    percent=None,
    flat=None,
    risk_class=None,
    valid_from=START,
    valid_to=None,
    legal_basis,
    note="",
    check=False,
) -> dict:
    return {
        "program": program,
        "segment": segment,
        "payer": payer,
        "risk_class": risk_class,
        "percent": Decimal(percent) if percent is not None else None,
        "flat_amount": Decimal(flat) if flat is not None else None,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "legal_basis": legal_basis,
        "note": note,
        "needs_verification": check,
    }


def _with_2020_relief(program: str, percent: str, *, risk_class: int | None = None) -> list[dict]:
    """The PP 44/2015 rate, cut by 99 % from August 2020 to January 2021 (PP 49/2020)."""
    relief = str(Decimal(percent) / 100)
    before, after = RELIEF_FROM - dt.timedelta(days=1), RELIEF_TO + dt.timedelta(days=1)
    return [
        _rate(
            program,
            "PU",
            "employer",
            percent=percent,
            risk_class=risk_class,
            valid_to=before,
            legal_basis=PP44,
        ),
        _rate(
            program,
            "PU",
            "employer",
            percent=relief,
            risk_class=risk_class,
            valid_from=RELIEF_FROM,
            valid_to=RELIEF_TO,
            legal_basis=PP49_2020,
            note="99 % relief",
        ),
        _rate(
            program,
            "PU",
            "employer",
            percent=percent,
            risk_class=risk_class,
            valid_from=after,
            legal_basis=PP44,
        ),
    ]


def contribution_rates() -> list[dict]:
    # Wage earners (PU).
    rates = []
    for risk_class, percent in JKK_CLASSES.items():
        rates += _with_2020_relief("JKK", percent, risk_class=risk_class)
    rates += _with_2020_relief("JKM", "0.30")
    rates += [
        _rate("JHT", "PU", "employer", percent="3.7", legal_basis=PP46),
        _rate("JHT", "PU", "worker", percent="2.0", legal_basis=PP46),
        _rate(
            "JP",
            "PU",
            "employer",
            percent="2.0",
            legal_basis=PP45,
            note="on wage capped at the JP ceiling",
        ),
        _rate(
            "JP",
            "PU",
            "worker",
            percent="1.0",
            legal_basis=PP45,
            note="on wage capped at the JP ceiling",
        ),
        _rate(
            "JKP",
            "PU",
            "government",
            percent="0.22",
            valid_from=dt.date(2021, 2, 2),
            legal_basis="PP 37/2021",
            check=True,
            note="plus recomposition of JKK and JKM; private employers' wage earners only",
        ),
        # Informal workers (BPU): JKK 1 % of a declared income bracket, JKM flat, JHT optional 2 %.
        _rate(
            "JKK",
            "BPU",
            "worker",
            percent="1.0",
            legal_basis=PP44,
            note="of the declared income bracket",
        ),
        _rate("JKM", "BPU", "worker", flat="6800", legal_basis=PP44, note="flat per month"),
        _rate(
            "JHT",
            "BPU",
            "worker",
            percent="2.0",
            legal_basis=PP46,
            note="optional; of the declared income",
        ),
    ]
    return rates


# The JP ceiling, raised every 1 March by last year's GDP growth.
JP_CEILINGS = [
    (Decimal("10042300"), dt.date(2024, 3, 1), dt.date(2025, 2, 28)),
    (Decimal("10547400"), dt.date(2025, 3, 1), None),
]
JP_CEILING_BASIS = "PP 45/2015; Surat BPJS Ketenagakerjaan (penyesuaian batas upah JP tahunan)"
