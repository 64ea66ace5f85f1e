"""Every page and file that shows people names them in the access log, with what it showed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import AccessLog, PersonalField
from enrolment import services
from enrolment.models import Enrolment, Worker
from tests.enrolment.rosters import roster_file, row

SERANG = "Kantor Kemenag Kota Serang"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def person(serial: int) -> Worker:
    return Worker.objects.get(nik=row(serial)["NIK"])


def _checked(by, institution, rows):
    roster_import = services.roster_upload(
        by=by, institution=institution, upload=roster_file(rows), enqueue=False
    )
    return services.roster_validate(import_id=roster_import.pk)


@pytest.fixture
def serang(serang_partner_admin, institution):
    """Three workers of Kemenag Kota Serang, applied from a roster."""
    serang = institution(SERANG)
    checked = _checked(serang_partner_admin, serang, [row(1), row(2), row(3)])
    services.roster_confirm(by=serang_partner_admin, roster_import=checked, enqueue=False)
    services.roster_apply(import_id=checked.pk)
    return serang


def test_the_persons_page_names_them_and_every_field_it_shows(client, serang, branch_officer):
    client.force_login(branch_officer)

    client.get(reverse("enrolment:worker_detail", args=[person(1).pk]), REMOTE_ADDR="10.3.3.3")

    log = AccessLog.objects.get(user=branch_officer)
    assert (log.action, log.worker, log.workers, log.ip) == ("view", person(1), [], "10.3.3.3")
    assert {PersonalField.NIK, PersonalField.BIRTH_DATE, PersonalField.WAGE} <= set(log.fields)


def test_the_worker_list_export_names_each_person_once_in_one_row(client, serang, branch_officer):
    client.force_login(branch_officer)

    client.get(reverse("enrolment:worker_export", args=["xlsx"]))

    log = AccessLog.objects.get(user=branch_officer)
    assert log.action == "export" and log.worker is None
    assert log.workers == sorted(person(n).pk for n in (1, 2, 3)) and log.rows == 3
    assert log.fields == ["nik", "full_name", "employment", "wage", "enrolment"]


def test_the_desk_file_names_the_people_it_holds(client, serang, branch_officer):
    client.force_login(branch_officer)

    client.get(reverse("enrolment:pending_registrations_export", args=[serang.pk]))

    log = AccessLog.objects.get(user=branch_officer)
    assert log.workers == sorted(person(n).pk for n in (1, 2, 3))
    assert PersonalField.BIRTH_DATE in log.fields


def test_a_page_of_the_bill_names_the_people_on_it(
    client, serang, serang_partner_admin, branch_officer
):
    for enrolment in Enrolment.objects.filter(worker=person(1)):  # billed once registered
        services.enrolment_register(
            enrolment=enrolment,
            kpj="26040000001",
            registered_on=dt.date(2026, 1, 5),
            by=branch_officer,
        )
    client.force_login(serang_partner_admin)

    client.get(reverse("enrolment:contribution_bill", args=[serang.pk]), {"bulan": "2026-02"})

    log = AccessLog.objects.get(user=serang_partner_admin)
    assert log.action == "view" and log.workers == [person(1).pk]
    assert PersonalField.NIK not in log.fields  # the bill masks it


def test_the_failed_rows_name_the_people_sinergi_already_holds(
    client, serang, serang_partner_admin, institution
):
    # Person 2 again with a wrong birth date, and a newcomer with one: both rows fail.
    checked = _checked(
        serang_partner_admin,
        institution(SERANG),
        [row(2, TANGGAL_LAHIR="31-02-1990"), row(40, TANGGAL_LAHIR="31-02-1990"), row(41)],
    )
    client.force_login(serang_partner_admin)

    response = client.get(reverse("enrolment:roster_failed_rows", args=[checked.pk]))

    assert response.status_code == 200
    log = AccessLog.objects.get(user=serang_partner_admin, what__startswith="baris gagal")
    assert log.workers == [person(2).pk] and log.rows == 2
    assert PersonalField.PHONE in log.fields
