"""The page officers import BPJS's files on, and the import page of such a file."""

from __future__ import annotations

import pytest
from django.urls import reverse

from enrolment import services
from enrolment.models import RosterImport
from partners.models import Institution
from tests.enrolment.rosters import roster_file, row
from tests.enrolment.test_result_imports import KPJ, results


@pytest.fixture
def serang(reference_data, settings, tmp_path) -> Institution:
    settings.MEDIA_ROOT = tmp_path
    return Institution.objects.get(name="Kantor Kemenag Kota Serang")


@pytest.fixture
def rostered(serang, serang_partner_admin):
    uploaded = services.roster_upload(
        by=serang_partner_admin, institution=serang, upload=roster_file([row(1)]), enqueue=False
    )
    services.roster_validate(import_id=uploaded.pk)
    services.roster_confirm(
        by=serang_partner_admin,
        roster_import=RosterImport.objects.get(pk=uploaded.pk),
        enqueue=False,
    )
    services.roster_apply(import_id=uploaded.pk)


def upload(client, serang, kind="registration", lines=((1, KPJ[1], "02-11-2026", ""),)):
    return client.post(
        reverse("enrolment:result_upload"),
        {"kind": kind, "institution": serang.pk, "file": results(*lines)},
    )


def test_an_officer_uploads_results_and_follows_them_on_the_import_page(
    client, rostered, serang, branch_officer
):
    client.force_login(branch_officer)
    page = client.get(reverse("enrolment:result_upload") + f"?institution={serang.pk}")
    assert page.status_code == 200
    assert b'data-testid="registration-columns"' in page.content
    assert b'data-testid="payment-columns"' in page.content

    response = upload(client, serang)

    result_import = RosterImport.objects.get(kind="registration")
    assert response.status_code == 302
    assert response.url == reverse("enrolment:roster_detail", args=[result_import.pk])
    services.roster_validate(import_id=result_import.pk)
    detail = client.get(response.url)
    text = detail.content.decode()
    assert 'data-testid="kind"' in text
    assert reverse("enrolment:result_upload") in text  # the breadcrumb leads back here
    assert reverse("enrolment:roster_confirm", args=[result_import.pk]) in text
    assert reverse("enrolment:roster_reject", args=[result_import.pk]) not in text
    assert detail.context["unchanged_rows"] == 0
    assert result_import.pk in [
        record.pk for record in client.get(reverse("enrolment:result_upload")).context["table"].data
    ]
    assert result_import.pk not in [
        record.pk for record in client.get(reverse("enrolment:roster_upload")).context["table"].data
    ]


def test_the_same_file_twice_is_refused_with_a_link(client, rostered, serang, branch_officer):
    client.force_login(branch_officer)
    upload(client, serang)

    response = upload(client, serang)

    assert response.status_code == 200
    assert b'data-testid="upload-error"' in response.content


def test_a_partner_admin_reads_the_results_of_their_institution_but_cannot_apply_them(
    client, rostered, serang, branch_officer, serang_partner_admin
):
    client.force_login(branch_officer)
    upload(client, serang)
    result_import = RosterImport.objects.get(kind="registration")
    services.roster_validate(import_id=result_import.pk)
    client.force_login(serang_partner_admin)

    page = client.get(reverse("enrolment:roster_detail", args=[result_import.pk]))
    confirm = client.post(reverse("enrolment:roster_confirm", args=[result_import.pk]))
    upload_page = client.get(reverse("enrolment:result_upload"))

    assert page.status_code == 200
    assert reverse("enrolment:roster_confirm", args=[result_import.pk]) not in page.content.decode()
    assert confirm.status_code == 403
    assert upload_page.context["form"] is None
    assert upload(client, serang).status_code == 403


def test_the_import_histories_export_without_personal_data(
    client, rostered, serang, branch_officer
):
    client.force_login(branch_officer)
    upload(client, serang)

    rosters = client.get(reverse("enrolment:import_export", args=["csv"]))
    files = client.get(reverse("enrolment:import_export", args=["csv"]) + "?jenis=bpjs")

    roster_lines = rosters.content.decode("utf-8-sig").splitlines()
    file_lines = files.content.decode("utf-8-sig").splitlines()
    assert len(roster_lines) == len(file_lines) == 2
    assert "Daftar pekerja" in roster_lines[1] or "Worker roster" in roster_lines[1]
    assert "hasil.csv" in file_lines[1]
    assert row(1)["NIK"] not in rosters.content.decode() + files.content.decode()
