"""Demo data for `make run`: offices, institutions and one login per role. Idempotent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from accounts.models import Role, RoleAssignment, User
from partners.models import Institution
from regions.models import Office, OfficeArea


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    role: str
    scope: str


# (code, name, parent kanwil code, regencies served)
BRANCHES = [
    ("kc-serang", "Kantor Cabang Serang", "kanwil-banten", ["36.73", "36.04"]),
    ("kc-ambon", "Kantor Cabang Ambon", "kanwil-sulawesi-maluku", ["81.71", "81.01"]),
]

# (key, name, kind, level, province, regency, parent key, office code)
INSTITUTIONS = [
    (
        "kanwil-kemenag-banten",
        "Kanwil Kemenag Provinsi Banten",
        "kanwil_kemenag",
        "provinsi",
        "36",
        None,
        None,
        "kanwil-banten",
    ),
    (
        "kemenag-kota-serang",
        "Kantor Kemenag Kota Serang",
        "kemenag_kabkota",
        "kabkota",
        "36",
        "36.73",
        "kanwil-kemenag-banten",
        "kc-serang",
    ),
    (
        "kemenag-kab-serang",
        "Kantor Kemenag Kabupaten Serang",
        "kemenag_kabkota",
        "kabkota",
        "36",
        "36.04",
        "kanwil-kemenag-banten",
        "kc-serang",
    ),
    (
        "pemprov-banten",
        "Pemerintah Provinsi Banten",
        "pemprov",
        "provinsi",
        "36",
        None,
        None,
        "kanwil-banten",
    ),
    (
        "kejari-serang",
        "Kejaksaan Negeri Serang",
        "kejari",
        "kabkota",
        "36",
        "36.73",
        None,
        "kc-serang",
    ),
    (
        "kanwil-kemenag-maluku",
        "Kanwil Kemenag Provinsi Maluku",
        "kanwil_kemenag",
        "provinsi",
        "81",
        None,
        None,
        "kc-ambon",
    ),
    (
        "kemenag-kota-ambon",
        "Kantor Kemenag Kota Ambon",
        "kemenag_kabkota",
        "kabkota",
        "81",
        "81.71",
        "kanwil-kemenag-maluku",
        "kc-ambon",
    ),
]

# (username, full name, position, role, office code, institution key)
USERS = [
    (
        "admin",
        "Administrator Nasional",
        "Deputi Bidang Kepesertaan",
        Role.NATIONAL_ADMIN,
        None,
        None,
    ),
    (
        "petugas.kanwil",
        "Rina Marlina",
        "Penata Madya Kepesertaan, Kanwil Banten",
        Role.REGIONAL_OFFICER,
        "kanwil-banten",
        None,
    ),
    (
        "petugas.serang",
        "Ahmad Fauzi",
        "Kepala Bidang Kepesertaan, KC Serang",
        Role.REGIONAL_OFFICER,
        "kc-serang",
        None,
    ),
    ("manajer", "Dewi Lestari", "Asisten Deputi Monitoring Kepesertaan", Role.MANAGER, None, None),
    (
        "mitra.banten",
        "Hasan Basri",
        "Operator Kanwil Kemenag Banten",
        Role.PARTNER_ADMIN,
        None,
        "kanwil-kemenag-banten",
    ),
    (
        "mitra.serang",
        "Siti Aminah",
        "Operator Kemenag Kota Serang",
        Role.PARTNER_ADMIN,
        None,
        "kemenag-kota-serang",
    ),
    (
        "mitra.maluku",
        "Johanis Latuconsina",
        "Operator Kanwil Kemenag Maluku",
        Role.PARTNER_ADMIN,
        None,
        "kanwil-kemenag-maluku",
    ),
]


@transaction.atomic
def demo_seed() -> list[DemoLogin]:
    """Create what is missing; leave what exists as it is (a second run changes nothing)."""
    offices = {o.code: o for o in Office.objects.all()}
    for code, name, parent_code, regencies in BRANCHES:
        office, created = Office.objects.get_or_create(
            code=code,
            defaults={"name": name, "kind": Office.Kind.BRANCH, "parent": offices[parent_code]},
        )
        offices[code] = office
        if created:
            OfficeArea.objects.bulk_create(
                OfficeArea(office=office, regency_id=r, valid_from=dt.date(2015, 7, 1))
                for r in regencies
            )
    institutions: dict[str, Institution] = {}
    for key, name, kind, level, province, regency, parent, office in INSTITUTIONS:
        institutions[key], _created = Institution.objects.get_or_create(
            name=name,
            province_id=province,
            defaults={
                "kind": kind,
                "level": level,
                "regency_id": regency,
                "parent": institutions.get(parent) if parent else None,
                "office": offices[office],
            },
        )
    logins = []
    for username, full_name, position, role, office, institution in USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "full_name": full_name,
                "position": position,
                "email": f"{username}@demo.sinergi.invalid",
            },
        )
        if created:
            user.set_password(settings.DEMO_PASSWORD)
            if role == Role.NATIONAL_ADMIN:
                user.is_staff = user.is_superuser = True
            user.save()
        RoleAssignment.objects.get_or_create(
            user=user,
            role=role,
            office=offices[office] if office else None,
            institution=institutions[institution] if institution else None,
        )
        scope = (
            offices[office].name
            if office
            else institutions[institution].name
            if institution
            else "Nasional"
        )
        logins.append(DemoLogin(username, full_name, Role(role).label, scope))
    return logins
