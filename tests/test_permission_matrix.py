"""Every URL, for every role: who gets the page, who is sent to log in, who gets 403 or 404.

A URL added without a row here fails `test_every_url_has_a_row_in_the_matrix`. Objects outside a
user's scope answer 404, never 403, so their existence does not leak.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import User
from enrolment import services as enrolment_services
from enrolment.models import Employment, RosterImport, WorkerCategory
from partners.models import Agreement, Attachment, FollowUp, Institution, Party, Signatory, Target

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _child(agreement: Agreement, child: str) -> int:
    """The id of one of the agreement's records, made here when the demo has none."""
    party = Party.objects.filter(agreement=agreement).first() or Party.objects.create(
        agreement=agreement, office=agreement.office
    )
    if child == "parties":
        return party.pk
    made = {
        "signatories": lambda: Signatory.objects.create(
            agreement=agreement, party=party, name="Saksi", position="Staf"
        ),
        "targets": lambda: Target.objects.create(
            agreement=agreement,
            category=WorkerCategory.objects.get(code="LAINNYA"),
            potential=10,
            target=5,
        ),
        "follow_ups": lambda: FollowUp.objects.create(
            agreement=agreement, action="Rapat", person_in_charge="Kasubbag", due_on="2026-01-01"
        ),
        "attachments": lambda: _attachment(agreement),
    }
    return made[child]().pk


def _attachment(agreement: Agreement) -> Attachment:
    from django.core.files.base import ContentFile

    attachment = Attachment(
        agreement=agreement,
        kind=Attachment.Kind.SIGNED,
        original_name="pks.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="0" * 64,
        uploaded_by=User.objects.get(username="admin"),
    )
    attachment.file.save("matrix.pdf", ContentFile(PDF), save=False)
    attachment.save()
    return attachment


ROSTER_CSV = (
    b"NIK;NAMA_LENGKAP;TANGGAL_LAHIR;JENIS_KELAMIN;UNIT_KERJA;KATEGORI;TGL_MULAI_BEKERJA;UPAH\r\n"
    b"3673015205900001;Siti Aminah;12-05-1990;P;MDT Al-Hidayah;GURU_MADIN;01-07-2015;2000000\r\n"
)


def _roster_import(institution: str) -> RosterImport:
    """A checked roster of one valid row, uploaded by the national admin for the institution."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    roster_import = enrolment_services.roster_upload(
        by=User.objects.get(username="admin"),
        institution=Institution.objects.get(name=institution),
        upload=SimpleUploadedFile("daftar.csv", ROSTER_CSV, content_type="text/csv"),
        enqueue=False,
    )
    return enrolment_services.roster_validate(import_id=roster_import.pk)


def _worker_args(institution: str, *, employment: bool) -> tuple[int, ...]:
    """A worker (and their employment) at the institution, from a roster applied here."""
    admin = User.objects.get(username="admin")
    roster_import = _roster_import(institution)
    enrolment_services.roster_confirm(by=admin, roster_import=roster_import, enqueue=False)
    enrolment_services.roster_apply(import_id=roster_import.pk)
    found = Employment.objects.get(source_import=roster_import)
    return (found.worker_id, found.pk) if employment else (found.worker_id,)


ROLES = [
    "anonymous",
    "national_admin",
    "kanwil_officer",
    "branch_officer",
    "manager",
    "banten_partner_admin",
    "serang_partner_admin",
    "maluku_partner_admin",
]
OFFICERS = {"national_admin", "kanwil_officer", "branch_officer"}
PARTNERS = {"banten_partner_admin", "serang_partner_admin", "maluku_partner_admin"}
SIGNED_IN = set(ROLES) - {"anonymous"}

LOGIN = "login"  # redirect to the login page
ADMIN_LOGIN = "admin-login"  # redirect to the admin's own login page
HOME = "home"  # redirect to the home page


@dataclass(frozen=True)
class Case:
    url_name: str
    expect: dict[str, int | str]
    institution: str | None = None  # the object the URL points at, by name
    args: tuple = ()
    method: str = "get"
    data: dict = field(default_factory=dict)
    agreement: str | None = None  # the agreement the URL points at, by title
    child: str | None = None  # and one of its records: "targets", "follow_ups", …
    roster_import: str | None = None  # a checked roster import of this institution, by name
    worker: str | None = None  # a worker employed at this institution (by name), from a roster
    employment: bool = False  # and the worker's employment there
    area_institution: str | None = None  # a coverage area: this institution, by name

    def __str__(self) -> str:
        target = (
            self.institution
            or self.agreement
            or (self.roster_import and f"import:{self.roster_import}")
            or (self.worker and f"worker:{self.worker}")
            or (self.area_institution and f"area:{self.area_institution}")
            or "/".join(map(str, self.args))
        )
        if self.child:
            target = f"{target}/{self.child}"
        return f"{self.url_name}[{target}]" if target else self.url_name


def expect(default: int | str, **by_role: int | str) -> dict[str, int | str]:
    table = {role: default for role in SIGNED_IN}
    table["anonymous"] = LOGIN
    table.update(by_role)
    return table


def only(roles: set[str], allowed: int | str, otherwise: int | str) -> dict[str, int | str]:
    table = {role: (allowed if role in roles else otherwise) for role in SIGNED_IN}
    table["anonymous"] = LOGIN
    return table


SERANG_SCOPE = {
    "national_admin",
    "kanwil_officer",
    "branch_officer",
    "banten_partner_admin",
    "serang_partner_admin",
}
MALUKU_SCOPE = {"national_admin", "maluku_partner_admin"}

# Demo agreements (accounts/demo.py): one in Kota Serang, one draft in Maluku.
SERANG_PKS = "PKS Kantor Kemenag Kota Serang"
MALUKU_DRAFT = "PKS Perlindungan Pegawai Non-ASN Kanwil Kemenag Provinsi Maluku"


def reads(scope: set[str]) -> dict[str, int | str]:
    """A page about one agreement: everyone who sees it reads it (managers too)."""
    return only(scope | {"manager"}, 200, 404)


def writes(scope: set[str], ok: int | str = 200) -> dict[str, int | str]:
    """A change to one agreement: officers in scope; others who see it read only (403)."""
    table = only(scope & OFFICERS, ok, 404)
    table.update({role: 403 for role in (scope - OFFICERS) | {"manager"}})
    return table


def uploads(scope: set[str], ok: int | str = 302) -> dict[str, int | str]:
    """A change to one roster import: officers and partner admins in scope; managers read."""
    table = only(scope, ok, 404)
    table["manager"] = 403
    return table


SERANG = "Kantor Kemenag Kota Serang"
MALUKU = "Kanwil Kemenag Provinsi Maluku"


def import_cases(url_name: str, expect_serang, expect_maluku, **kwargs) -> list[Case]:
    return [
        Case(url_name, expect_serang, roster_import=SERANG, **kwargs),
        Case(url_name, expect_maluku, roster_import=MALUKU, **kwargs),
        Case(url_name, expect(404), args=(999_999_999,), **kwargs),
    ]


def coverage_cases(url_name: str, *tail: str) -> list[Case]:
    """An area of the dashboards (Banten, Maluku, an unknown province, one institution each)."""
    banten = only(SERANG_SCOPE | {"manager"}, 200, 404)
    maluku = only(MALUKU_SCOPE | {"manager"}, 200, 404)
    return [
        Case(url_name, expect(200), args=("nasional", "id", *tail)),
        Case(url_name, banten, args=("provinsi", "36", *tail)),
        Case(url_name, maluku, args=("provinsi", "81", *tail)),
        Case(url_name, expect(404), args=("provinsi", "99", *tail)),
        Case(url_name, banten, args=tail, area_institution=SERANG),
        Case(url_name, maluku, args=tail, area_institution=MALUKU),
    ]


def agreement_cases(url_name: str, expect_serang, expect_maluku, **kwargs) -> list[Case]:
    return [
        Case(url_name, expect_serang, agreement=SERANG_PKS, **kwargs),
        Case(url_name, expect_maluku, agreement=MALUKU_DRAFT, **kwargs),
    ]


CASES = [
    Case("home", expect(200)),
    Case("login", expect(HOME, anonymous=200)),
    Case("logout", expect(LOGIN, anonymous=LOGIN), method="post"),
    Case("password_change", expect(200)),
    Case("password_change_done", expect(200)),
    # The second factor; the matrix's signed-in clients have passed it (tests/conftest.py).
    Case("second_factor_verify", expect(HOME)),
    Case("second_factor_setup", expect(302)),  # an app is set up already: to account security
    Case("recovery_codes", expect(302)),  # nothing to show (they are shown once)
    Case("account_security", expect(200)),
    Case("recovery_codes_renew", expect(200), method="post"),  # no password: the form again
    Case("second_factor_reset", only({"national_admin"}, 200, 403), method="post"),
    # Managers read partners nationally; partner admins read their own tree; officers change.
    Case("partners:institution_list", expect(200)),
    Case(
        "partners:institution_detail",
        only(SERANG_SCOPE | {"manager"}, 200, 404),
        institution="Kantor Kemenag Kota Serang",
    ),
    Case(
        "partners:institution_detail",
        only(MALUKU_SCOPE | {"manager"}, 200, 404),
        institution="Kanwil Kemenag Provinsi Maluku",
    ),
    Case("partners:institution_detail", expect(404), args=(999_999_999,)),
    Case("partners:institution_create", only(OFFICERS, 200, 403)),
    Case(
        "partners:institution_update",
        only(OFFICERS, 200, 403),
        institution="Kantor Kemenag Kota Serang",
    ),
    Case(
        "partners:institution_update",
        only(OFFICERS, 404, 403) | {"national_admin": 200},
        institution="Kanwil Kemenag Provinsi Maluku",
    ),
    Case("partners:institution_update", only(OFFICERS, 404, 403), args=(999_999_999,)),
    Case("partners:institution_export", expect(200), args=("xlsx",)),
    Case("partners:institution_export", expect(200), args=("csv",)),
    Case("partners:institution_export", expect(404), args=("pdf",)),
    Case("partners:agreement_export", expect(200), args=("xlsx",)),
    Case("partners:agreement_list", expect(200)),
    Case("partners:agreement_create", only(OFFICERS, 200, 403)),
    *agreement_cases("partners:agreement_detail", reads(SERANG_SCOPE), reads(MALUKU_SCOPE)),
    Case("partners:agreement_detail", expect(404), args=(999_999_999,)),
    *agreement_cases("partners:agreement_update", writes(SERANG_SCOPE), writes(MALUKU_SCOPE)),
    *agreement_cases("partners:agreement_derive", writes(SERANG_SCOPE), writes(MALUKU_SCOPE)),
    *agreement_cases(
        "partners:agreement_status",
        writes(SERANG_SCOPE, 302),
        writes(MALUKU_SCOPE, 302),
        method="post",
    ),
    *agreement_cases("partners:party_add", writes(SERANG_SCOPE), writes(MALUKU_SCOPE)),
    *agreement_cases(
        "partners:party_update", writes(SERANG_SCOPE), writes(MALUKU_SCOPE), child="parties"
    ),
    *agreement_cases(
        "partners:party_remove",
        writes(SERANG_SCOPE, 302),
        writes(MALUKU_SCOPE, 302),
        child="parties",
        method="post",
    ),
    *agreement_cases("partners:signatory_add", writes(SERANG_SCOPE), writes(MALUKU_SCOPE)),
    *agreement_cases(
        "partners:signatory_remove",
        writes(SERANG_SCOPE, 302),
        writes(MALUKU_SCOPE, 302),
        child="signatories",
        method="post",
    ),
    *agreement_cases("partners:target_add", writes(SERANG_SCOPE), writes(MALUKU_SCOPE)),
    *agreement_cases(
        "partners:target_update", writes(SERANG_SCOPE), writes(MALUKU_SCOPE), child="targets"
    ),
    *agreement_cases(
        "partners:target_remove",
        writes(SERANG_SCOPE, 302),
        writes(MALUKU_SCOPE, 302),
        child="targets",
        method="post",
    ),
    *agreement_cases("partners:follow_up_add", writes(SERANG_SCOPE), writes(MALUKU_SCOPE)),
    *agreement_cases(
        "partners:follow_up_update",
        writes(SERANG_SCOPE),
        writes(MALUKU_SCOPE),
        child="follow_ups",
    ),
    *agreement_cases("partners:event_add", writes(SERANG_SCOPE), writes(MALUKU_SCOPE)),
    *agreement_cases("partners:attachment_add", writes(SERANG_SCOPE), writes(MALUKU_SCOPE)),
    *agreement_cases(
        "partners:attachment_download",
        reads(SERANG_SCOPE),
        reads(MALUKU_SCOPE),
        child="attachments",
    ),
    # Roster imports: uploaders (partner admins, officers) change; managers read; 404 outside scope.
    Case("enrolment:roster_upload", expect(200)),
    Case("enrolment:roster_upload", only(OFFICERS | PARTNERS, 200, 403), method="post"),
    Case("enrolment:roster_template", expect(200), args=("xlsx",)),
    Case("enrolment:roster_template", expect(200), args=("csv",)),
    Case("enrolment:roster_template", expect(404), args=("pdf",)),
    *import_cases("enrolment:roster_detail", reads(SERANG_SCOPE), reads(MALUKU_SCOPE)),
    *import_cases("enrolment:roster_progress", reads(SERANG_SCOPE), reads(MALUKU_SCOPE)),
    *import_cases("enrolment:roster_issue_report", reads(SERANG_SCOPE), reads(MALUKU_SCOPE)),
    # Whole rows with NIKs: not for managers, who read figures.
    *import_cases(
        "enrolment:roster_failed_rows",
        only(SERANG_SCOPE, 200, 404) | {"manager": 403},
        only(MALUKU_SCOPE, 200, 404) | {"manager": 403},
    ),
    *import_cases(
        "enrolment:roster_confirm", uploads(SERANG_SCOPE), uploads(MALUKU_SCOPE), method="post"
    ),
    *import_cases(
        "enrolment:roster_cancel", uploads(SERANG_SCOPE), uploads(MALUKU_SCOPE), method="post"
    ),
    *import_cases(
        "enrolment:roster_retry", uploads(SERANG_SCOPE), uploads(MALUKU_SCOPE), method="post"
    ),
    *import_cases(
        "enrolment:roster_reject",
        writes(SERANG_SCOPE, 302),
        writes(MALUKU_SCOPE, 302),
        method="post",
        data={"reason": "NIK belum lengkap"},
    ),
    Case("enrolment:worker_list", expect(200)),
    Case("enrolment:worker_export", expect(200), args=("xlsx",)),
    Case("enrolment:worker_export", expect(200), args=("csv",)),
    Case("enrolment:worker_export", expect(404), args=("pdf",)),
    Case("enrolment:worker_detail", reads(SERANG_SCOPE), worker=SERANG),
    Case("enrolment:worker_detail", reads(MALUKU_SCOPE), worker=MALUKU),
    Case("enrolment:worker_detail", expect(404), args=(999_999_999,)),
    # Restricting the processing of a person's data, and lifting it: officers in scope decide;
    # partner admins and managers who see the worker 403. Lifting what is not restricted is
    # refused with a message (302) like any other refusal.
    *[
        case
        for url_name in ("enrolment:worker_restrict", "enrolment:worker_restriction_lift")
        for case in (
            Case(
                url_name,
                writes(SERANG_SCOPE, 302),
                worker=SERANG,
                method="post",
                data={"reason": "Permintaan subjek data"},
            ),
            Case(
                url_name,
                writes(MALUKU_SCOPE, 302),
                worker=MALUKU,
                method="post",
                data={"reason": "Permintaan subjek data"},
            ),
            Case(url_name, expect(404), args=(999_999_999,), method="post"),
        )
    ],
    # Officers and partner admins of the institution end an employment; managers read.
    Case(
        "enrolment:employment_end",
        uploads(SERANG_SCOPE),
        worker=SERANG,
        employment=True,
        method="post",
        data={"ended_on": "2025-12-31", "reason": "resigned"},
    ),
    Case(
        "enrolment:employment_end",
        uploads(MALUKU_SCOPE),
        worker=MALUKU,
        employment=True,
        method="post",
        data={"ended_on": "2025-12-31", "reason": "resigned"},
    ),
    Case(
        "enrolment:employment_end",
        expect(404),
        args=(999_999_999, 999_999_999),
        method="post",
    ),
    # Participant cards: officers and partner admins in scope print them; managers 403. The
    # matrix's workers have no KPJ yet, so those allowed are sent back with a message (302).
    Case("enrolment:worker_card", uploads(SERANG_SCOPE), worker=SERANG),
    Case("enrolment:worker_card", uploads(MALUKU_SCOPE), worker=MALUKU),
    Case("enrolment:worker_card", expect(404), args=(999_999_999,)),
    Case("enrolment:institution_cards", uploads(SERANG_SCOPE), institution=SERANG),
    Case("enrolment:institution_cards", uploads(MALUKU_SCOPE), institution=MALUKU),
    Case("enrolment:institution_cards", expect(404), args=(999_999_999,)),
    # The monthly contribution bill: whoever reads the institution (managers too); 404 outside.
    *[
        case
        for url_name in ("enrolment:contribution_bill", "enrolment:contribution_bill_export")
        for case in (
            Case(url_name, only(SERANG_SCOPE | {"manager"}, 200, 404), institution=SERANG),
            Case(url_name, only(MALUKU_SCOPE | {"manager"}, 200, 404), institution=MALUKU),
            Case(url_name, expect(404), args=(999_999_999,)),
        )
    ],
    # The registration desk's file (full NIKs, BPJS-side): officers in scope; others who see 403.
    # Files from BPJS's core system: officers import them; every role with a scope follows them.
    Case("enrolment:result_upload", expect(200)),
    Case("enrolment:result_upload", only(OFFICERS, 200, 403), method="post"),
    Case("enrolment:import_export", expect(200), args=("xlsx",)),
    Case("enrolment:import_export", expect(200), args=("csv",)),
    Case("enrolment:import_export", expect(404), args=("pdf",)),
    Case("enrolment:pending_registrations_export", writes(SERANG_SCOPE), institution=SERANG),
    Case("enrolment:pending_registrations_export", writes(MALUKU_SCOPE), institution=MALUKU),
    Case("enrolment:pending_registrations_export", expect(404), args=(999_999_999,)),
    *agreement_cases(
        "enrolment:agreement_pending_registrations_export",
        writes(SERANG_SCOPE),
        writes(MALUKU_SCOPE),
    ),
    Case("enrolment:agreement_pending_registrations_export", expect(404), args=(999_999_999,)),
    Case("regions:province_list", expect(200)),
    Case("regions:province_detail", expect(200), args=("36",)),
    Case("regions:province_detail", expect(404), args=("99",)),
    Case("coverage:dashboard", expect(200)),
    *coverage_cases("coverage:area"),
    *coverage_cases("coverage:export", "xlsx"),
    *coverage_cases("coverage:workers"),
    *coverage_cases("coverage:workers_export", "csv"),
    *coverage_cases("coverage:missing"),
    *coverage_cases("coverage:missing_export", "xlsx"),
    Case("coverage:area", expect(404), args=("planet", "x")),
    Case("coverage:export", expect(404), args=("nasional", "id", "pdf")),
    Case("coverage:snapshot", only({"national_admin"}, 302, 403), method="post"),
    # The data-subject report: BPJS officers of the person's region and national admins; partner
    # admins and managers 403 (after scope: a person they cannot see is 404 to them).
    Case("privacy:subject_search", only(OFFICERS, 200, 403)),
    Case(
        "privacy:subject_search",
        only(OFFICERS, 200, 403),
        method="post",
        data={"nik": "3673015205900099"},  # nobody: the form says so
    ),
    Case("privacy:subject_report", writes(SERANG_SCOPE), worker=SERANG),
    Case("privacy:subject_report", writes(MALUKU_SCOPE), worker=MALUKU),
    Case("privacy:subject_report", expect(404), args=(999_999_999,)),
    Case("privacy:subject_report_download", writes(SERANG_SCOPE), worker=SERANG, args=("pdf",)),
    Case("privacy:subject_report_download", writes(MALUKU_SCOPE), worker=MALUKU, args=("xlsx",)),
    Case("privacy:subject_report_download", expect(404), args=(999_999_999, "pdf")),
    Case("ops:status", only({"national_admin"}, 200, 403)),
    Case("healthz", {role: 200 for role in ROLES}),
    Case("set_language", {role: 302 for role in ROLES}, method="post", data={"language": "en"}),
    Case("admin:index", only({"national_admin"}, 200, ADMIN_LOGIN) | {"anonymous": ADMIN_LOGIN}),
]

# Django's admin has its own permission system (is_staff + model permissions); the matrix
# covers its entry point, and the lockout test covers its login.
EXEMPT_NAMESPACES = {"admin"}


def _named_urls(resolver: URLResolver, namespace: str = "") -> set[str]:
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _named_urls(pattern, inner)
        elif isinstance(pattern, URLPattern):
            names.add(f"{namespace}{pattern.name or f'<unnamed {pattern.pattern}>'}")
    return names


def test_every_url_has_a_row_in_the_matrix():
    covered = {case.url_name for case in CASES}
    missing = {
        name
        for name in _named_urls(get_resolver())
        if name.split(":")[0] not in EXEMPT_NAMESPACES and name not in covered
    }
    assert not missing, f"add these URLs to the permission matrix: {sorted(missing)}"


def test_every_row_names_every_role():
    for case in CASES:
        assert set(case.expect) == set(ROLES), case


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=str)
def test_permission_matrix(
    case: Case, role: str, client, request, reference_data, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path  # roster files of the cases land in the test's own folder
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    args = case.args
    if case.institution:
        args = (Institution.objects.get(name=case.institution).pk,)
    if case.agreement:
        agreement = Agreement.objects.get(title=case.agreement)
        args = (agreement.pk,)
        if case.child == "attachments":
            args = (_child(agreement, case.child),)
        elif case.child:
            args = (agreement.pk, _child(agreement, case.child))
    if case.roster_import:
        args = (_roster_import(case.roster_import).pk,)
    if case.worker:
        args = (*_worker_args(case.worker, employment=case.employment), *case.args)
    if case.area_institution:
        pk = Institution.objects.get(name=case.area_institution).pk
        args = ("lembaga", str(pk), *case.args)
    url = reverse(case.url_name, args=args)
    response = getattr(client, case.method)(url, case.data)

    wanted = case.expect[role]
    if wanted == LOGIN:
        assert response.status_code == 302, (url, role, response.status_code)
        assert response.url.startswith(reverse("login")), response.url
    elif wanted == ADMIN_LOGIN:
        assert response.status_code == 302, (url, role, response.status_code)
        assert response.url.startswith(reverse("admin:login")), response.url
    elif wanted == HOME:
        assert response.status_code == 302, (url, role, response.status_code)
        assert response.url == reverse("home")
    else:
        assert response.status_code == wanted, (url, role, response.status_code)
