"""Demo data for `make run`: offices, institutions, one login per role, agreements, and (only
from `manage.py seed_demo`, never for the tests) workers with registrations and payments.
Idempotent."""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import random
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import Role, RoleAssignment, User
from coverage.models import WorkforceFigure
from coverage.services import coverage_refresh, coverage_snapshot
from enrolment.imports import COLUMNS
from enrolment.imports.generate import generate_rows, load_choices, write_csv
from enrolment.models import Program, RosterImport, Worker, WorkerCategory
from enrolment.services import roster_apply, roster_confirm, roster_upload, roster_validate
from partners.models import Agreement, AgreementEvent, FollowUp, Institution, Signatory
from partners.services import (
    agreement_change_status,
    agreement_create,
    agreement_derive_initial,
    event_save,
    follow_up_save,
    institution_update,
    party_add,
    signatory_add,
    target_save,
)
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
    (
        "kanwil-kemenag-bengkulu",
        "Kanwil Kemenag Provinsi Bengkulu",
        "kanwil_kemenag",
        "provinsi",
        "17",
        None,
        None,
        "kanwil-sumbagsel",
    ),
    (
        "pemprov-kalteng",
        "Pemerintah Provinsi Kalimantan Tengah",
        "pemprov",
        "provinsi",
        "62",
        None,
        None,
        "kanwil-kalimantan",
    ),
    (
        "dpmptsp-kalteng",
        "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Provinsi Kalimantan Tengah",
        "dpmptsp",
        "provinsi",
        "62",
        None,
        "pemprov-kalteng",
        "kanwil-kalimantan",
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
                "code": key,
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
                "email": f"{username}@sinergi.test",
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
    users = {u.username: u for u in User.objects.filter(username__in=[row[0] for row in USERS])}
    _seed_agreements(users=users, institutions=institutions, offices=offices)
    return logins


# --- agreements --------------------------------------------------------------------------------
# Recorded through the partners services, so each record's history reads as an officer's work.
# Each agreement is looked up by its title: one that exists is left as it is.

BANTEN_MOU = (
    "Nota Kesepahaman Perlindungan Jaminan Sosial Ketenagakerjaan Pegawai Non-ASN Kemenag Banten"
)
BANTEN_PKS = "PKS Perlindungan Guru Madrasah Diniyah dan Penyuluh Agama Non-PNS Provinsi Banten"
KOTA_SERANG_PKS = "PKS Kantor Kemenag Kota Serang"
KAB_SERANG_PKS = "PKS Kantor Kemenag Kabupaten Serang"
KEJARI_PKS = "PKS Kejaksaan Negeri Serang Bidang Perdata dan Tata Usaha Negara"
MALUKU_DRAFT = "PKS Perlindungan Pegawai Non-ASN Kanwil Kemenag Provinsi Maluku"
BENGKULU_MOU = "Nota Kesepahaman Kanwil Kemenag Provinsi Bengkulu"
KALTENG_PKS = "PKS Integrasi Layanan Perizinan (PTSP) Pemerintah Provinsi Kalimantan Tengah"

D = dt.date
S = Agreement.Scope


def _programs(*codes: str) -> list[Program]:
    return list(Program.objects.filter(code__in=codes))


def _activate(agreement: Agreement, *, by: User) -> Agreement:
    for status in (Agreement.Status.IN_REVIEW, Agreement.Status.SIGNED, Agreement.Status.ACTIVE):
        agreement = agreement_change_status(agreement=agreement, to=status, by=by)
    return agreement


def _sign(agreement: Agreement, *, by: User, people: list[tuple]) -> None:
    """people: (institution or office, name, position, NIP, role)."""
    parties = {(p.institution_id, p.office_id): p for p in agreement.parties.all()}
    for side, name, position, nip, role in people:
        key = (side.pk, None) if isinstance(side, Institution) else (None, side.pk)
        signatory_add(
            agreement=agreement,
            by=by,
            party=parties[key],
            name=name,
            position=position,
            nip=nip,
            role=role,
        )


def _target(agreement: Agreement, *, by: User, code: str, **numbers) -> None:
    target_save(
        agreement=agreement, by=by, category=WorkerCategory.objects.get(code=code), **numbers
    )


def _seed_agreements(
    *, users: dict[str, User], institutions: dict[str, Institution], offices: dict[str, Office]
) -> None:
    today = timezone.localdate()
    existing = set(Agreement.objects.values_list("title", flat=True))
    admin, kanwil, serang = users["admin"], users["petugas.kanwil"], users["petugas.serang"]
    SIGNATORY, WITNESS = Signatory.Role.SIGNATORY, Signatory.Role.WITNESS

    # Banten: the provincial MoU, its PKS with targets, and two PKS derived for Kemenag Kab/Kota.
    kemenag_banten = institutions["kanwil-kemenag-banten"]
    kanwil_banten = offices["kanwil-banten"]
    if BANTEN_MOU not in existing:
        mou = agreement_create(
            by=kanwil,
            kind=Agreement.Kind.MOU,
            title=BANTEN_MOU,
            institution=kemenag_banten,
            office=kanwil_banten,
            institution_number="B-0157/Kw.28/HM.01/01/2025",
            office_number="MOU/3/012025",
            place_signed="Serang",
            signed_on=D(2025, 1, 15),
            effective_from=D(2025, 1, 15),
            expires_on=D(2027, 1, 14),
            scopes=[S.COVERAGE, S.DATA_EXCHANGE, S.SOCIALISATION],
            programs=_programs("JKK", "JKM", "JHT"),
            funding_source=Agreement.Funding.APBN,
            flat_wage=2_000_000,
            responsible=kanwil,
        )
        _sign(
            mou,
            by=kanwil,
            people=[
                (
                    kemenag_banten,
                    "H. Muhammad Rizal, M.Ag.",
                    "Kepala Kantor Wilayah Kementerian Agama Provinsi Banten",
                    "196905121994031003",
                    SIGNATORY,
                ),
                (
                    kanwil_banten,
                    "Eko Prasetyo",
                    "Kepala Kantor Wilayah BPJS Ketenagakerjaan Banten",
                    "",
                    SIGNATORY,
                ),
                (
                    kemenag_banten,
                    "Drs. Ujang Suherman",
                    "Kepala Bagian Tata Usaha Kanwil Kemenag Provinsi Banten",
                    "197208151998031002",
                    WITNESS,
                ),
                (
                    kanwil_banten,
                    "Rina Marlina",
                    "Penata Madya Kepesertaan Kantor Wilayah Banten",
                    "",
                    WITNESS,
                ),
            ],
        )
        _activate(mou, by=kanwil)
    mou = Agreement.objects.get(title=BANTEN_MOU)

    if BANTEN_PKS not in existing:
        initial = agreement_derive_initial(mou=mou)
        initial.update(
            title=BANTEN_PKS,
            institution=kemenag_banten,
            institution_number="B-0412/Kw.28/HM.01/03/2025",
            office_number="PKS/15/032025",
            place_signed="Serang",
            signed_on=D(2025, 3, 10),
            effective_from=D(2025, 3, 10),
            scopes=[S.COVERAGE, S.DATA_EXCHANGE],
        )
        pks = agreement_create(by=kanwil, **initial)
        _sign(
            pks,
            by=kanwil,
            people=[
                (
                    kemenag_banten,
                    "H. Muhammad Rizal, M.Ag.",
                    "Kepala Kantor Wilayah Kementerian Agama Provinsi Banten",
                    "196905121994031003",
                    SIGNATORY,
                ),
                (
                    kanwil_banten,
                    "Eko Prasetyo",
                    "Kepala Kantor Wilayah BPJS Ketenagakerjaan Banten",
                    "",
                    SIGNATORY,
                ),
            ],
        )
        pks = _activate(pks, by=kanwil)
        _target(pks, by=kanwil, code="GURU_MADIN", potential=24_201, baseline=24_201, target=24_201)
        _target(
            pks,
            by=kanwil,
            code="PENYULUH_AGAMA",
            potential=1_094,
            baseline=0,
            target=1_094,
            deadline=D(today.year, 12, 31),
        )
        _target(
            pks,
            by=kanwil,
            code="GURU_MADRASAH",
            potential=5_000,
            baseline=0,
            target=5_000,
            deadline=D(today.year + 1, 12, 31),
        )
        follow_up_save(
            agreement=pks,
            by=kanwil,
            action="Kirim data guru madrasah diniyah tahap 1",
            person_in_charge="Kasubbag TU Kanwil Kemenag Banten",
            due_on=D(2025, 4, 30),
            status=FollowUp.Status.DONE,
            done_on=D(2025, 4, 28),
            evidence="Surat B-0520/Kw.28/HM.01/04/2025 dengan data 24.201 guru",
        )
        follow_up_save(
            agreement=pks,
            by=kanwil,
            action="Kirim data guru madrasah diniyah tahap 2",
            person_in_charge="Kasubbag TU Kanwil Kemenag Banten",
            due_on=today - dt.timedelta(days=10),
        )
        follow_up_save(
            agreement=pks,
            by=kanwil,
            action="Sosialisasi pendaftaran penyuluh agama non-PNS di Kantor Kemenag Kab/Kota",
            person_in_charge="Kabid Penerangan Agama Islam Kanwil Kemenag Banten",
            due_on=today + dt.timedelta(days=21),
        )
        event_save(
            agreement=pks,
            by=kanwil,
            kind=AgreementEvent.Kind.SIGNING,
            held_on=D(2025, 3, 10),
            place="Aula Kanwil Kemenag Provinsi Banten, Serang",
            participants="Kepala Kanwil Kemenag Provinsi Banten; Kepala Kantor Wilayah "
            "BPJS Ketenagakerjaan Banten; kepala Kantor Kemenag Kab/Kota se-Banten",
            notes="Penandatanganan bersamaan dengan rapat koordinasi kepala Kantor Kemenag "
            "Kab/Kota.",
        )

    kc_serang = offices["kc-serang"]
    for title, key, number, office_number in [
        (KOTA_SERANG_PKS, "kemenag-kota-serang", "B-0321/Kk.28.08/HM.01/04/2025", "PKS/21/042025"),
        (KAB_SERANG_PKS, "kemenag-kab-serang", "B-0298/Kk.28.04/HM.01/04/2025", "PKS/22/042025"),
    ]:
        if title in existing:
            continue
        initial = agreement_derive_initial(mou=mou)
        initial.update(
            title=title,
            institution=institutions[key],
            office=kc_serang,
            institution_number=number,
            office_number=office_number,
            place_signed="Serang",
            signed_on=D(2025, 4, 14),
            effective_from=D(2025, 4, 14),
            responsible=serang,
        )
        _activate(agreement_create(by=kanwil, **initial), by=kanwil)

    # Kejari Serang pursues employers in arrears; its PKS ends next month.
    if KEJARI_PKS not in existing:
        expires = today + dt.timedelta(days=30)
        starts = expires - dt.timedelta(days=364)
        kejari = agreement_create(
            by=serang,
            kind=Agreement.Kind.PKS,
            title=KEJARI_PKS,
            institution=institutions["kejari-serang"],
            office=kc_serang,
            institution_number=f"B-1120/M.6.10/Gp.2/{starts:%m/%Y}",
            office_number=f"PKS/7/{starts:%m%Y}",
            place_signed="Serang",
            signed_on=starts,
            effective_from=starts,
            expires_on=expires,
            scopes=[S.COMPLIANCE],
            responsible=serang,
            notes="Jaksa Pengacara Negara menagih iuran badan usaha yang menunggak di Kota dan "
            "Kabupaten Serang atas surat kuasa khusus dari Kantor Cabang Serang.",
        )
        _activate(kejari, by=serang)

    # Maluku: still being negotiated.
    if MALUKU_DRAFT not in existing:
        agreement_create(
            by=admin,
            kind=Agreement.Kind.PKS,
            title=MALUKU_DRAFT,
            institution=institutions["kanwil-kemenag-maluku"],
            office=offices["kc-ambon"],
            scopes=[S.COVERAGE, S.DATA_EXCHANGE],
            programs=_programs("JKK", "JKM"),
            funding_source=Agreement.Funding.APBN,
            flat_wage=2_000_000,
            notes="Draf kedua dikirim ke Bagian Hukum Kanwil Kemenag Provinsi Maluku; "
            "menunggu tanggapan.",
        )

    # Bengkulu: an MoU whose cards were handed over symbolically.
    if BENGKULU_MOU not in existing:
        kemenag_bengkulu = institutions["kanwil-kemenag-bengkulu"]
        bengkulu = agreement_create(
            by=admin,
            kind=Agreement.Kind.MOU,
            title=BENGKULU_MOU,
            institution=kemenag_bengkulu,
            office=offices["kanwil-sumbagsel"],
            institution_number="B-0731/Kw.07/HM.01/08/2025",
            office_number="MOU/9/082025",
            place_signed="Bengkulu",
            signed_on=D(2025, 8, 20),
            effective_from=D(2025, 8, 20),
            expires_on=D(2027, 8, 19),
            scopes=[S.COVERAGE, S.SOCIALISATION],
            programs=_programs("JKK", "JKM"),
            funding_source=Agreement.Funding.APBN,
            flat_wage=2_000_000,
        )
        bengkulu = _activate(bengkulu, by=admin)
        event_save(
            agreement=bengkulu,
            by=admin,
            kind=AgreementEvent.Kind.CARD_HANDOVER,
            held_on=D(2025, 9, 25),
            place="Aula Kanwil Kemenag Provinsi Bengkulu, Kota Bengkulu",
            participants="Kepala Kanwil Kemenag Provinsi Bengkulu; Kepala Kantor Wilayah "
            "BPJS Ketenagakerjaan Sumbagsel; 50 guru madrasah diniyah dan penyuluh agama",
            notes="Penyerahan kartu peserta secara simbolis kepada 10 guru madrasah diniyah; "
            "kartu lainnya dibagikan melalui Kantor Kemenag Kab/Kota.",
        )

    # Kalimantan Tengah: a business permit is issued only with proof of BPJS registration.
    if KALTENG_PKS not in existing:
        pemprov = institutions["pemprov-kalteng"]
        kalteng = agreement_create(
            by=admin,
            kind=Agreement.Kind.PKS,
            title=KALTENG_PKS,
            institution=pemprov,
            office=offices["kanwil-kalimantan"],
            institution_number="000.1.5/123/DPMPTSP/2025",
            office_number="PKS/40/052025",
            place_signed="Palangka Raya",
            signed_on=D(2025, 5, 27),
            effective_from=D(2025, 6, 1),
            expires_on=D(2027, 5, 31),
            scopes=[S.PERMIT_INTEGRATION, S.COVERAGE],
            programs=_programs("JKK", "JKM"),
            funding_source=Agreement.Funding.APBD,
        )
        party_add(
            agreement=kalteng,
            by=admin,
            institution=institutions["dpmptsp-kalteng"],
            document_number="503/45/DPMPTSP/V/2025",
        )
        kalteng = _activate(kalteng, by=admin)
        _target(
            kalteng,
            by=admin,
            code="HONORER_PEMDA",
            potential=9_850,
            baseline=2_460,
            target=9_850,
            deadline=D(2027, 5, 31),
        )


# --- workers ------------------------------------------------------------------------------------
# Rosters, registration results and payments of three Kemenag Kab/Kota, through the import
# services the browser and the Celery tasks use (run here synchronously), so the coverage
# dashboards have figures and a trend. Only `manage.py seed_demo` calls it: the tests' demo cast
# stays without workers.


@dataclass(frozen=True)
class DemoWorkforce:
    institution: str
    workers: int
    regency: str  # Kemendagri code without the dot: the NIKs' districts start with it
    uploader: str  # sends the roster
    officer: str  # imports the files from BPJS's core system
    registered: tuple[int, int, int]  # per batch: two months ago, last month, this month
    refused: int  # registrations refused, with a reason (they stay pending)


WORKFORCES = [
    DemoWorkforce(
        institution="Kantor Kemenag Kota Serang",
        workers=400,
        regency="3673",
        uploader="mitra.serang",
        officer="petugas.serang",
        registered=(110, 80, 50),  # 60 %
        refused=6,
    ),
    DemoWorkforce(
        institution="Kantor Kemenag Kabupaten Serang",
        workers=250,
        regency="3604",
        uploader="mitra.banten",
        officer="petugas.serang",
        registered=(45, 35, 20),  # 40 %
        refused=4,
    ),
    DemoWorkforce(
        institution="Kantor Kemenag Kota Ambon",
        workers=150,
        regency="8171",
        uploader="mitra.maluku",
        officer="admin",  # no demo officer of KC Ambon
        registered=(50, 35, 20),  # 70 %
        refused=3,
    ),
]
AMBON_DECLARED = 600  # Kemenag Kota Ambon declared its potential: no agreement target covers it
# Weighted: a Kemenag office's non-ASN workers are mostly madrasah teachers.
DEMO_CATEGORIES = [
    "GURU_MADIN",
    "GURU_MADIN",
    "GURU_MADIN",
    "GURU_MADRASAH",
    "GURU_MADRASAH",
    "GURU_TPQ",
    "PENYULUH_AGAMA",
    "TENAGA_KEPENDIDIKAN",
]
REFUSAL_REASONS = [
    "NIK tidak ditemukan di Dukcapil",
    "Tanggal lahir tidak sesuai dengan data Dukcapil",
    "Nama tidak sesuai KTP; mohon perbaiki data pekerja",
]
PAID_SHARE = 2 / 3  # of the registered of each batch, a payment is recorded
ARREARS_SHARE = 0.15  # of those, paid only through the month they were registered
KPJ_COLUMN = COLUMNS.index("KPJ")  # left empty in the rosters: the registration results bring it


class DemoError(Exception):
    """An import of the demo did not end as expected (a bug, not a demo choice)."""


def _month(today: dt.date, back: int) -> dt.date:
    index = today.year * 12 + today.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def _month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def _import(*, by: User, institution: Institution, path: Path, kind: str) -> RosterImport:
    """Upload, check, confirm and apply one file, as the Celery tasks would, here and now."""
    with path.open("rb") as handle:
        uploaded = roster_upload(
            by=by,
            institution=institution,
            upload=File(handle, name=path.name),
            kind=kind,
            enqueue=False,
        )
    checked = roster_validate(import_id=uploaded.pk)
    if checked is None or checked.status != RosterImport.Status.VALIDATED or checked.rows_error:
        raise DemoError(f"{path.name}: {checked and checked.status} {checked and checked.message}")
    roster_confirm(by=by, roster_import=checked, enqueue=False)
    applied = roster_apply(import_id=uploaded.pk)
    if applied is None or applied.status != RosterImport.Status.APPLIED:
        raise DemoError(f"{path.name}: {applied and applied.status} {applied and applied.message}")
    return applied


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream, delimiter=";", lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


@transaction.atomic
def demo_seed_workers(*, today: dt.date | None = None) -> str:
    """Workers at three Kemenag Kab/Kota, registered and paid in three monthly batches, with
    the coverage snapshots of the two months before this one. Does nothing when any worker
    exists. Returns a line to print."""
    if Worker.objects.exists():
        return "Pekerja demo: sudah ada pekerja, tidak ada yang ditambahkan."
    today = today or timezone.localdate()
    users = {u.username: u for u in User.objects.filter(username__in=[row[0] for row in USERS])}
    institutions = {
        i.name: i for i in Institution.objects.filter(name__in=[w.institution for w in WORKFORCES])
    }
    ambon = institutions["Kantor Kemenag Kota Ambon"]
    institution_update(
        institution=ambon,
        by=users["admin"],
        declared_potential=AMBON_DECLARED,
        declared_potential_on=_month(today, 3),
    )
    districts, _categories = load_choices()
    names = dict(WorkerCategory.objects.values_list("code", "name"))
    categories = [names[code] for code in DEMO_CATEGORIES]
    months = [_month(today, 2), _month(today, 1), _month(today, 0)]
    batches: dict[str, list[list[str]]] = {}  # institution → the NIKs registered in each batch
    refused: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory(prefix="sinergi-demo-") as folder:
        work = Path(folder)
        for number, force in enumerate(WORKFORCES, start=1):
            local = [d for d in districts if d[0].replace(".", "").startswith(force.regency)]
            rows = list(
                generate_rows(force.workers, seed=number, districts=local, categories=categories)
            )
            for row in rows:
                row[KPJ_COLUMN] = ""
            path = work / f"daftar-pekerja-{institutions[force.institution].code}.csv"
            write_csv(iter(rows), path)
            _import(
                by=users[force.uploader],
                institution=institutions[force.institution],
                path=path,
                kind=RosterImport.Kind.ROSTER,
            )
            niks = [str(row[0]) for row in rows]
            random.Random(number).shuffle(niks)  # noqa: S311 - demo data, not secrets
            start, batches[force.institution] = 0, []
            for count in force.registered:
                batches[force.institution].append(niks[start : start + count])
                start += count
            refused[force.institution] = niks[start : start + force.refused]

        kpj = 26_000_000_000
        for batch, month in enumerate(months):
            last_day = min(_month_end(month), today)
            for number, force in enumerate(WORKFORCES, start=1):
                institution = institutions[force.institution]
                officer = users[force.officer]
                rng = random.Random(number * 100 + batch)  # noqa: S311 - demo data
                results, paid = [], []
                for nik in batches[force.institution][batch]:
                    kpj += 1
                    on = month.replace(day=rng.randint(1, last_day.day))
                    results.append([nik, str(kpj), f"{on:%d-%m-%Y}", ""])
                    if rng.random() < PAID_SHARE:
                        # Most are paid ahead through this month (the APBN pays in advance).
                        arrears = month < months[-1] and rng.random() < ARREARS_SHARE
                        through = month if arrears else months[-1]
                        paid.append([str(kpj), f"{through:%m-%Y}"])
                if batch == 1:
                    results += [
                        [nik, "", "", REFUSAL_REASONS[i % len(REFUSAL_REASONS)]]
                        for i, nik in enumerate(refused[force.institution])
                    ]
                header = ["NIK", "KPJ", "TGL_TERDAFTAR", "ALASAN_TOLAK"]
                path = _write(work / f"hasil-{institution.code}-{month:%Y-%m}.csv", header, results)
                _import(
                    by=officer,
                    institution=institution,
                    path=path,
                    kind=RosterImport.Kind.REGISTRATION,
                )
                if paid:
                    path = _write(
                        work / f"iuran-{institution.code}-{month:%Y-%m}.csv",
                        ["KPJ", "BULAN_LUNAS"],
                        paid,
                    )
                    _import(
                        by=officer,
                        institution=institution,
                        path=path,
                        kind=RosterImport.Kind.PAYMENT,
                    )
            if month < months[-1]:
                # As the monthly task does on the 1st: the month frozen as it stood at its end.
                coverage_refresh(today=_month_end(month))
                coverage_snapshot(month=month)
    coverage_refresh(today=today)
    return _workers_summary(institutions)


def _workers_summary(institutions: dict[str, Institution]) -> str:
    """People rostered, registered and active per institution, as the dashboards count them."""
    figures = {
        line["institution_id"]: line
        for line in WorkforceFigure.objects.filter(institution__in=institutions.values())
        .values("institution_id")
        .annotate(rostered=Sum("rostered"), registered=Sum("registered"), active=Sum("active"))
    }
    parts = []
    for force in WORKFORCES:
        line = figures.get(institutions[force.institution].pk, {})
        parts.append(
            f"{force.institution} {line.get('rostered', 0)} ({line.get('registered', 0)} "
            f"terdaftar, {line.get('active', 0)} aktif)"
        )
    return "Pekerja demo: " + "; ".join(parts) + "."
