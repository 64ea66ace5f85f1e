"""The data-subject report: by NIK, everything Sinergi holds about one person, and nobody else."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from accounts.models import AccessLog, PersonalField
from audit.models import Event
from enrolment import services
from enrolment.models import Employment, Enrolment, Worker
from privacy.selectors import subject_report
from tests.enrolment.rosters import roster_file, row

SERANG = "Kantor Kemenag Kota Serang"
MALUKU = "Kanwil Kemenag Provinsi Maluku"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _import(by, institution, rows, name="daftar.csv"):
    roster_import = services.roster_upload(
        by=by, institution=institution, upload=roster_file(rows, name=name), enqueue=False
    )
    checked = services.roster_validate(import_id=roster_import.pk)
    services.roster_confirm(by=by, roster_import=checked, enqueue=False)
    return services.roster_apply(import_id=roster_import.pk)


def person(serial: int) -> Worker:
    return Worker.objects.get(nik=row(serial)["NIK"])


def report_url(worker: Worker, fmt: str = "") -> str:
    if fmt:
        return reverse("privacy:subject_report_download", args=[worker.pk, fmt])
    return reverse("privacy:subject_report", args=[worker.pk])


@pytest.fixture
def history(client, serang_partner_admin, branch_officer, institution):
    """Two people of Kemenag Kota Serang, imported, renamed by a second file; the first one's
    employment ended by the branch officer, who also read the first one's page, the second
    one's page, and exported the list of both."""
    serang = institution(SERANG)
    first = _import(serang_partner_admin, serang, [row(1), row(2)], name="januari.csv")
    second = _import(
        serang_partner_admin,
        serang,
        [row(1, NAMA_LENGKAP="Siti Aminah"), row(2, NAMA_LENGKAP="Budi Santoso")],
        name="februari.csv",
    )
    client.force_login(branch_officer)
    employment = Employment.objects.get(worker=person(1))
    client.post(
        reverse("enrolment:employment_end", args=[person(1).pk, employment.pk]),
        {"ended_on": "31-10-2026", "reason": "resigned"},
        REMOTE_ADDR="10.20.30.40",
    )
    client.get(reverse("enrolment:worker_detail", args=[person(1).pk]), REMOTE_ADDR="10.20.30.41")
    client.get(reverse("enrolment:worker_detail", args=[person(2).pk]), REMOTE_ADDR="10.20.30.42")
    client.get(reverse("enrolment:worker_export", args=["xlsx"]), REMOTE_ADDR="10.20.30.43")
    client.logout()
    return {"first": first, "second": second}


def test_the_report_lists_exactly_the_persons_changes_and_accesses(history, branch_officer):
    subject, other = person(1), person(2)

    report = subject_report(worker=subject)

    # Every trail event of the person, their employment and their three enrolments; no other's.
    own = (
        Event.objects.filter(table_name="enrolment_worker", row_id=subject.pk).count()
        + Event.objects.filter(
            table_name="enrolment_employment",
            row_id__in=Employment.objects.filter(worker=subject).values("pk"),
        ).count()
        + Event.objects.filter(
            table_name="enrolment_enrolment",
            row_id__in=Enrolment.objects.filter(worker=subject).values("pk"),
        ).count()
    )
    assert len(report.changes) == own == 1 + 1 + 3 + 1 + 1 + 3  # made, renamed, ended
    renamed = [
        c
        for c in report.changes
        if ("Nama lengkap", "Pekerja Uji 1", "Siti Aminah")
        in {(f.label, f.before, f.after) for f in c.fields}
    ]
    assert len(renamed) == 1 and history["second"].pk == renamed[0].roster_import_id
    ended = [c for c in report.changes if c.ip == "10.20.30.40"]
    assert {c.subject for c in ended} == {
        _("Employment at %(place)s") % {"place": f"{SERANG} — MDT Al-Hidayah"},
        *[_("Enrolment %(program)s") % {"program": code} for code in ("JKK", "JKM", "JHT")],
    }
    assert all(str(branch_officer) in c.by for c in ended)
    everything = str([(c.subject, [(f.before, f.after) for f in c.fields]) for c in report.changes])
    assert "Budi Santoso" not in everything and "Pekerja Uji 2" not in everything

    # Their page and the list they were in; not the other person's page.
    assert [(a.action, a.what, a.ip) for a in report.accesses] == [
        ("Diekspor", "daftar pekerja", "10.20.30.43"),
        ("Dilihat", f"halaman pekerja #{subject.pk}", "10.20.30.41"),
    ]
    assert all(a.user == branch_officer for a in report.accesses)
    assert f"halaman pekerja #{other.pk}" not in str([a.what for a in report.accesses])

    # The files it came from, with who uploaded them.
    assert [(i.original_name, i.uploaded_by_id) for i in report.imports] == [
        ("januari.csv", history["first"].uploaded_by_id),
        ("februari.csv", history["second"].uploaded_by_id),
    ]


def test_the_report_page_shows_the_whole_record_and_is_itself_logged(
    client, history, kanwil_officer
):
    subject = person(1)
    client.force_login(kanwil_officer)

    response = client.get(report_url(subject), REMOTE_ADDR="10.1.1.1")

    page = response.content.decode()
    assert response.status_code == 200
    assert subject.nik in page and "Siti Aminah" in page
    assert subject.birth_date.strftime("%d-%m-%Y") in page
    assert "januari.csv" in page and "februari.csv" in page
    assert "Budi Santoso" not in page
    assert response["Cache-Control"].startswith("max-age=0")
    log = AccessLog.objects.get(user=kanwil_officer)
    assert (log.action, log.worker, log.ip) == ("view", subject, "10.1.1.1")
    assert log.fields == PersonalField.values
    # The view itself is the newest access the page lists.
    assert response.context["report"].accesses[0].user == kanwil_officer


def test_the_nik_form_finds_the_person_in_the_officers_region(client, history, branch_officer):
    client.force_login(branch_officer)
    url = reverse("privacy:subject_search")

    assert client.get(url).status_code == 200
    found = client.post(url, {"nik": row(1)["NIK"]})

    assert found.status_code == 302 and found.url == report_url(person(1))
    assert not AccessLog.objects.filter(user=branch_officer, what__startswith="laporan").exists()


@pytest.mark.parametrize(
    "nik", ["367301520590000", "36730152059000011", "3673 0152 0590 0001", "36730152059o0001"]
)
def test_the_nik_must_be_exactly_16_digits(client, history, branch_officer, nik):
    client.force_login(branch_officer)

    response = client.post(reverse("privacy:subject_search"), {"nik": nik})

    assert response.status_code == 200
    assert response.context["form"].errors["nik"]


def test_a_nik_outside_the_region_reads_like_one_sinergi_does_not_hold(
    client, history, branch_officer, maluku_partner_admin, institution
):
    _import(maluku_partner_admin, institution(MALUKU), [row(50)])
    client.force_login(branch_officer)

    elsewhere = client.post(reverse("privacy:subject_search"), {"nik": row(50)["NIK"]})
    unknown = client.post(reverse("privacy:subject_search"), {"nik": row(99)["NIK"]})

    assert elsewhere.status_code == unknown.status_code == 200
    assert elsewhere.context["form"].errors == unknown.context["form"].errors
    assert client.get(report_url(person(50))).status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("national_admin", 200),
        ("kanwil_officer", 200),
        ("branch_officer", 200),
        ("manager", 403),
        ("banten_partner_admin", 403),
        ("serang_partner_admin", 403),
        ("maluku_partner_admin", 404),
    ],
)
def test_only_bpjs_officers_of_the_region_and_national_admins_open_it(
    client, history, request, role, status
):
    client.force_login(request.getfixturevalue(role))

    assert client.get(report_url(person(1))).status_code == status
    assert client.get(report_url(person(1), "pdf")).status_code == status
    search = client.post(reverse("privacy:subject_search"), {"nik": row(1)["NIK"]})
    assert search.status_code == (302 if status == 200 else 403)
    if status != 200:
        assert not AccessLog.objects.filter(user__username=request.getfixturevalue(role)).exists()


def test_the_xlsx_download_is_a_real_workbook_and_is_logged(client, history, national_admin):
    subject = person(1)
    client.force_login(national_admin)

    response = client.get(report_url(subject, "xlsx"), REMOTE_ADDR="10.2.2.2")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="laporan-subjek-data-{subject.pk}-'
    )
    workbook = load_workbook(io.BytesIO(response.content))
    titles = ["Personal data", "Employments", "Enrolments", "Files the data came from"]
    titles += ["Restrictions of processing", "Changes", "Accesses"]
    assert workbook.sheetnames == [_(t)[:31] for t in titles]
    person_sheet = [[c.value for c in r] for r in workbook[_("Personal data")].iter_rows()]
    assert ["NIK", subject.nik] in person_sheet
    accesses = [[c.value for c in r] for r in workbook[_("Accesses")].iter_rows(min_row=4)]
    assert accesses[0][3] == f"laporan subjek data pekerja #{subject.pk} (XLSX)"
    log = AccessLog.objects.get(user=national_admin)
    assert (log.action, log.worker, log.ip) == ("export", subject, "10.2.2.2")
    assert log.fields == PersonalField.values


def test_a_name_that_looks_like_a_formula_stays_text_in_the_workbook(
    client, history, national_admin
):
    Worker.objects.filter(pk=person(1).pk).update(full_name='=HYPERLINK("http://x","klik")')
    client.force_login(national_admin)

    workbook = load_workbook(io.BytesIO(client.get(report_url(person(1), "xlsx")).content))

    cells = [c for r in workbook[_("Personal data")].iter_rows() for c in r]
    name = next(c for c in cells if str(c.value).startswith("=HYPERLINK"))
    assert name.data_type == "s"


def test_the_pdf_download_is_a_real_paginated_pdf_and_is_logged(client, history, national_admin):
    subject = person(1)
    # A long history: fifty more accesses push the report onto more pages.
    client.force_login(national_admin)
    for _n in range(50):
        client.get(reverse("enrolment:worker_detail", args=[subject.pk]))

    response = client.get(report_url(subject, "pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert response.content.count(b"/Type /Page\n") + response.content.count(b"/Type /Page ") >= 2
    log = AccessLog.objects.filter(user=national_admin).first()
    assert (log.action, log.worker, log.what) == (
        "export",
        subject,
        f"laporan subjek data pekerja #{subject.pk} (PDF)",
    )


def test_an_unknown_download_format_is_not_found(client, history, national_admin):
    client.force_login(national_admin)

    assert client.get(report_url(person(1), "csv")).status_code == 404
    assert not AccessLog.objects.filter(user=national_admin).exists()


def test_history_written_before_the_trail_began_is_listed_once(history, serang_partner_admin):
    """Worker-change rows and enrolment history from before the trail are the only record of
    those changes; after it began, the trail has them and they are not listed twice."""
    subject = person(1)
    later = subject_report(worker=subject)
    names = [c for c in later.changes if "Siti Aminah" in str([f.after for f in c.fields])]
    assert len(names) == 1  # the trail's; the import's worker-change row is not listed again

    with connection.cursor() as cursor:  # append-only: only its owner empties it
        cursor.execute("TRUNCATE audit_event")  # as if all this had happened before the trail
    before = subject_report(worker=subject)

    renamed = [c for c in before.changes if "Siti Aminah" in str([f.after for f in c.fields])]
    assert len(renamed) == 1 and renamed[0].roster_import_id == history["second"].pk
    ended = _("Employment at %(institution)s ended.") % {"institution": SERANG}
    statuses = [
        c for c in before.changes if c.subject == _("Enrolment %(program)s") % {"program": "JKK"}
    ]
    assert [(f.before, f.after) for c in statuses for f in c.fields] == [
        ("Menunggu pendaftaran", f"Berakhir — {ended}"),  # with the history's note
    ]  # the import's creation of the enrolment is the enrolment's own record, not a history row


def test_the_page_needs_the_same_queries_however_long_the_history(
    client,
    history,
    national_admin,
    serang_partner_admin,
    institution,
    django_assert_max_num_queries,
):
    subject = person(1)
    client.force_login(national_admin)
    client.get(report_url(subject))  # the session and its user are loaded
    with CaptureQueriesContext(connection) as short:
        before = client.get(report_url(subject)).context["report"]
    few = len(short)  # now: the next request empties the connection's query log
    for month in ("maret", "april", "mei"):
        _import(
            serang_partner_admin,
            institution(SERANG),
            [row(1, NAMA_LENGKAP=f"Siti {month}"), row(2)],
            name=f"{month}.csv",
        )
        client.get(reverse("enrolment:worker_detail", args=[subject.pk]))
        client.get(reverse("enrolment:worker_export", args=["csv"]))

    with django_assert_max_num_queries(few):
        response = client.get(report_url(subject))

    after = response.context["report"]
    assert len(after.changes) == len(before.changes) + 3  # renamed three times
    assert len(after.accesses) == len(before.accesses) + 3 + 3 + 1  # pages, lists, this view


def test_the_report_lists_the_restrictions_of_processing_with_who_and_why(
    client, history, branch_officer, kanwil_officer
):
    services.worker_restrict(worker=person(1), reason="Permintaan subjek data", by=branch_officer)
    services.worker_restriction_lift(
        worker=person(1), reason="Data sudah dibetulkan", by=kanwil_officer
    )
    services.worker_restrict(worker=person(2), reason="Orang lain", by=branch_officer)
    client.force_login(kanwil_officer)

    response = client.get(report_url(person(1)))

    restrictions = response.context["report"].restrictions
    assert [(r.reason, r.set_by, r.lift_reason, r.lifted_by) for r in restrictions] == [
        ("Permintaan subjek data", branch_officer, "Data sudah dibetulkan", kanwil_officer)
    ]
    page = response.content.decode()
    assert "Permintaan subjek data" in page and "Orang lain" not in page
