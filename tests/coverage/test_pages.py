"""The coverage pages: the dashboard at each level, the lists behind its figures, the
institutions that sent no roster, exports, snapshots on demand, and a constant number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AccessLog
from coverage import services
from coverage.models import SnapshotRun
from partners.models import Institution
from tests.enrolment.rosters import roster_file, row
from tests.enrolment.test_result_imports import KPJ, REGISTRATION, results, run

SERANG = "Kantor Kemenag Kota Serang"


@pytest.fixture
def serang(reference_data, settings, tmp_path) -> Institution:
    settings.MEDIA_ROOT = tmp_path
    return Institution.objects.get(name=SERANG)


@pytest.fixture
def covered(serang, serang_partner_admin, branch_officer):
    """Three workers of Kemenag Kota Serang, one registered."""
    run(serang_partner_admin, serang, roster_file([row(1), row(2), row(3)]))
    run(branch_officer, serang, results((1, KPJ[1], "02-11-2026", "")), REGISTRATION)
    services.coverage_refresh()


def test_the_national_dashboard_leads_down_to_the_people_not_yet_registered(
    client, covered, serang, manager
):
    client.force_login(manager)
    country = client.get(reverse("coverage:dashboard"))
    assert country.status_code == 200
    kanwil = next(r for r in country.context["data"].rows if r.name == "Kantor Wilayah Banten")

    banten = client.get(kanwil.url)  # a Kanwil of one province shows its regencies
    kota = next(r for r in banten.context["data"].rows if r.name == "Kota Serang")
    regency = client.get(kota.url)
    institution = next(r for r in regency.context["data"].rows if r.name == SERANG)
    page = client.get(institution.url)
    listed = client.get(
        reverse("coverage:workers", args=["lembaga", serang.pk]) + "?status=pending"
    )

    assert page.context["data"].total.pending == 2
    assert listed.context["page"].paginator.count == 2
    text = listed.content.decode()
    assert "Pekerja Uji 2" in text and "Pekerja Uji 1" not in text
    assert row(2)["NIK"] not in text  # masked in the list
    svg = page.content.decode()
    assert "<svg" in svg and 'role="img"' in svg


def test_the_dashboard_costs_the_same_queries_for_one_institution_or_many(
    client, covered, serang, manager, maluku_partner_admin
):
    client.force_login(manager)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("coverage:dashboard"))
    run(
        maluku_partner_admin,
        Institution.objects.get(name="Kantor Kemenag Kota Ambon"),
        roster_file([row(n) for n in range(10, 30)], name="ambon.csv"),
    )
    services.coverage_refresh()
    services.coverage_snapshot(month=serang.created_at.date())
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("coverage:dashboard"))

    assert len(many) == len(few)


def test_the_lists_export_full_niks_only_to_those_who_process_people_and_log_it(
    client, covered, serang, branch_officer, manager
):
    url = reverse("coverage:workers_export", args=["lembaga", serang.pk, "csv"])

    client.force_login(branch_officer)
    full = client.get(url + "?status=pending").content.decode("utf-8-sig")
    client.force_login(manager)
    masked = client.get(url + "?status=pending").content.decode("utf-8-sig")

    assert row(2)["NIK"] in full and row(2)["NIK"] not in masked
    assert AccessLog.objects.filter(user=branch_officer, action="export").count() == 1
    assert not AccessLog.objects.filter(user=manager).exists()


def test_an_institution_with_a_live_agreement_and_no_roster_is_on_the_non_submission_list(
    client, serang, serang_partner_admin, manager
):
    client.force_login(manager)
    url = reverse("coverage:missing", args=["provinsi", "36"])
    before = [i.name for i in client.get(url).context["rows"]]

    run(serang_partner_admin, serang, roster_file([row(1)]))
    after = [i.name for i in client.get(url).context["rows"]]
    exported = client.get(reverse("coverage:missing_export", args=["provinsi", "36", "csv"]))

    assert SERANG in before and SERANG not in after
    assert "Kantor Kemenag Kabupaten Serang" in after
    assert "Kantor Kemenag Kabupaten Serang" in exported.content.decode("utf-8-sig")


def test_the_area_table_exports_with_its_total(client, covered, manager):
    client.force_login(manager)
    response = client.get(reverse("coverage:export", args=["provinsi", "36", "csv"]))

    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[-1].startswith(("Jumlah", "Total"))
    assert any(line.startswith("Kota Serang") for line in lines)


def test_a_national_administrator_takes_a_snapshot_on_demand(client, covered, national_admin):
    client.force_login(national_admin)
    response = client.post(reverse("coverage:snapshot"))

    assert response.status_code == 302
    assert SnapshotRun.objects.get().taken_by == national_admin
