"""The coverage pages: the dashboard at each level, the lists behind its figures, the
institutions that sent no roster, exports, snapshots on demand, and a constant number of queries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog
from coverage import services, views
from coverage.models import SnapshotRun
from enrolment.models import WorkerCategory
from partners.models import Agreement, Institution
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


def test_a_dashboard_read_again_is_served_as_drawn_until_its_figures_change(
    client, covered, serang, serang_partner_admin, manager
):
    client.force_login(manager)
    url = reverse("coverage:area", args=["provinsi", "36"])
    with CaptureQueriesContext(connection) as drawn:
        first = client.get(url)
    with CaptureQueriesContext(connection) as kept:
        again = client.get(url)

    assert _without_csrf(again) == _without_csrf(first)
    assert len(kept) < len(drawn) // 2  # scope, what it is drawn from, the session
    assert first.context["data"].total.rostered == 3

    run(serang_partner_admin, serang, roster_file([row(4)], name="tambahan.csv"))
    services.coverage_refresh()
    changed = client.get(url)

    assert changed.context["data"].total.rostered == 4
    assert 'data-testid="kpi-registered">1<' in changed.content.decode()


def test_a_target_set_on_an_agreement_is_on_the_dashboard_at_once(
    client, covered, serang, manager, kanwil_officer
):
    from partners import services as partner_services

    client.force_login(manager)
    url = reverse("coverage:area", args=["lembaga", serang.pk])
    before = client.get(url).context["data"].total
    partner_services.target_save(
        agreement=Agreement.objects.get(title="PKS Kantor Kemenag Kota Serang"),
        by=kanwil_officer,
        category=WorkerCategory.objects.get(code="GURU_MADIN"),
        potential=900,
        target=900,
        baseline=0,
    )
    after = client.get(url).context["data"].total

    assert (before.potential, before.sources) == (3, {"roster"})
    assert (after.potential, after.sources) == (900, {"target"})


def test_a_month_frozen_since_the_last_read_is_compared_with_at_once(client, covered, manager):
    client.force_login(manager)
    url = reverse("coverage:area", args=["provinsi", "36"])
    before = client.get(url).context["data"]
    last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    services.coverage_snapshot(month=last_month)
    after = client.get(url).context["data"]

    assert (before.previous_month, before.total.change) == (None, None)
    assert (after.previous_month, after.total.change) == (last_month, 0)
    assert after.trend[-1][0] == last_month and after.trend[-1][1]["registered"] == 1


def _without_csrf(response) -> str:
    """The page without what changes with every response: the CSRF token and the CSP nonce."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return re.sub(r'nonce="[^"]+"', "", page)


def test_a_dashboard_drawn_for_one_scope_is_not_shown_to_another(
    client, covered, serang_partner_admin, manager
):
    url = reverse("coverage:area", args=["provinsi", "36"])
    client.force_login(manager)
    banten = client.get(url).context["data"]
    client.force_login(serang_partner_admin)
    own = client.get(url).context["data"]

    # The manager's Banten counts the Kanwil Kemenag's targets; the partner admin of Kemenag
    # Kota Serang sees only that institution, whose potential is its roster.
    assert banten.total.potential > 3 and {r.name for r in banten.rows} > {"Kota Serang"}
    assert own.total.potential == 3 and [r.name for r in own.rows] == ["Kota Serang"]


def test_a_long_list_takes_its_count_from_the_figure_it_explains(
    client, covered, serang, branch_officer, manager, monkeypatch
):
    """Counting 100.000 people not yet registered costs half a second a page: past the cap the
    list says what the dashboard's figure says; under it, it counts its people as they are."""
    run(branch_officer, serang, results((2, KPJ[2], "03-11-2026", "")), REGISTRATION)
    client.force_login(manager)  # no refresh since: the figure still says 2 not yet registered
    url = reverse("coverage:workers", args=["lembaga", serang.pk]) + "?status=pending"

    counted = client.get(url).context["page"].paginator
    monkeypatch.setattr(views.FigurePaginator, "cap", 0)
    with CaptureQueriesContext(connection) as queries:
        figure = client.get(url).context["page"].paginator

    assert counted.count == 1  # Pekerja Uji 3, as the enrolments are now
    assert figure.count == 2  # the summary's, as the dashboard shows it until the next refresh
    assert any("COUNT(" in q["sql"] and "LIMIT 1" in q["sql"] for q in queries)


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
