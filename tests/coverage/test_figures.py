"""Coverage figures: where each worker counts, the refresh after imports, the potential and its
source, the snapshots across a month boundary, and a reconciliation on generated data."""

from __future__ import annotations

import datetime as dt
import random

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from coverage import selectors, services
from coverage.models import (
    CoverageFigure,
    PrimaryEmployment,
    RegistrationFigure,
    SnapshotRun,
    WorkforceFigure,
)
from coverage.selectors import INSTITUTION, KANWIL, NATIONAL, PROVINCE, REGENCY
from enrolment.imports.generate import generate_rows, load_choices, write_csv
from enrolment.models import Employment, Enrolment, Program, Worker, WorkerCategory
from partners.models import Agreement, Institution
from regions.models import Office
from tests.enrolment.rosters import roster_file, row
from tests.enrolment.test_result_imports import run

SERANG, KAB_SERANG, AMBON = (
    "Kantor Kemenag Kota Serang",
    "Kantor Kemenag Kabupaten Serang",
    "Kantor Kemenag Kota Ambon",
)


@pytest.fixture
def places(reference_data, settings, tmp_path) -> dict[str, Institution]:
    settings.MEDIA_ROOT = tmp_path
    return {name: Institution.objects.get(name=name) for name in (SERANG, KAB_SERANG, AMBON)}


def area(user, level: str, key: str = "id"):
    return selectors.area_get(user=user, level=level, key=key)


def test_a_worker_of_two_institutions_counts_once_at_the_first_employer(
    places, serang_partner_admin, branch_officer, national_admin
):
    run(branch_officer, places[KAB_SERANG], roster_file([row(1, TGL_MULAI_BEKERJA="01-01-2016")]))
    run(serang_partner_admin, places[SERANG], roster_file([row(1), row(2)]))  # row(1) from 2015

    services.coverage_refresh()

    primary = dict(PrimaryEmployment.objects.values_list("worker__nik", "institution__name"))
    assert primary == {row(1)["NIK"]: SERANG, row(2)["NIK"]: SERANG}
    people = {
        f.institution.name: f.rostered
        for f in WorkforceFigure.objects.select_related("institution")
    }
    assert people == {SERANG: 2}
    banten = selectors.dashboard(user=national_admin, area=area(national_admin, PROVINCE, "36"))
    assert banten.total.rostered == 2


def test_ending_the_first_employment_moves_the_worker_to_the_other_institution(
    places, serang_partner_admin, branch_officer
):
    run(branch_officer, places[KAB_SERANG], roster_file([row(1, TGL_MULAI_BEKERJA="01-01-2016")]))
    run(serang_partner_admin, places[SERANG], roster_file([row(1)]))
    services.coverage_refresh()

    run(
        serang_partner_admin,
        places[SERANG],
        roster_file([row(1, TGL_BERHENTI="31-01-2025", ALASAN_BERHENTI="pensiun")], name="b.csv"),
    )
    services.coverage_refresh(institution_ids=[places[SERANG].pk])  # widened to Kab. Serang

    assert PrimaryEmployment.objects.get().institution == places[KAB_SERANG]
    assert list(WorkforceFigure.objects.values_list("institution__name", "rostered")) == [
        (KAB_SERANG, 1)
    ]
    # the enrolments ended with the first employment only when no other one keeps them
    assert set(Enrolment.objects.values_list("status", flat=True)) == {"pending"}


def test_applying_a_roster_queues_a_refresh_of_its_institution(
    places, serang_partner_admin, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(
        "config.celery.app.send_task", lambda name, args, **kw: sent.append((name, args))
    )
    with django_capture_on_commit_callbacks(execute=True):
        run(serang_partner_admin, places[SERANG], roster_file([row(1)]))

    assert ("coverage.tasks.refresh_coverage", [[places[SERANG].pk]]) in sent


def test_the_potential_says_where_it_comes_from(
    places, serang_partner_admin, maluku_partner_admin, national_admin
):
    run(serang_partner_admin, places[SERANG], roster_file([row(1), row(2)]))
    run(maluku_partner_admin, places[AMBON], roster_file([row(3)]))
    Institution.objects.filter(pk=places[AMBON].pk).update(
        declared_potential=800, declared_potential_on=dt.date(2026, 3, 1)
    )
    services.coverage_refresh()

    country = selectors.dashboard(user=national_admin, area=area(national_admin, NATIONAL))
    banten = selectors.dashboard(user=national_admin, area=area(national_admin, PROVINCE, "36"))
    serang = selectors.dashboard(
        user=national_admin, area=area(national_admin, INSTITUTION, str(places[SERANG].pk))
    )
    ambon = selectors.dashboard(
        user=national_admin, area=area(national_admin, INSTITUTION, str(places[AMBON].pk))
    )

    # Banten: the PKS targets of Kanwil Kemenag Banten (24.201 + 1.094 + 5.000) cover the guru
    # madrasah diniyah of Kemenag Kota Serang, who are not counted again.
    assert (banten.total.potential, banten.total.sources) == (30_295, {"target"})
    # Seen on its own, Kemenag Kota Serang has its roster.
    assert (serang.total.potential, serang.total.sources) == (2, {"roster"})
    assert (ambon.total.potential, ambon.total.sources) == (800, {"declared"})
    assert country.total.potential == 30_295 + 800 + 9_850  # and Bengkulu's MoU target
    guru = WorkerCategory.objects.get(code="GURU_MADIN")
    by_category = selectors.dashboard(
        user=national_admin,
        area=area(national_admin, INSTITUTION, str(places[AMBON].pk)),
        category=guru,
    )
    assert by_category.total.potential == 1  # a declared potential has no category: its roster


def test_a_target_below_a_target_of_the_same_category_counts_only_on_its_own(
    places, serang_partner_admin, national_admin, kanwil_officer
):
    from partners import services as partner_services

    derived = Agreement.objects.get(title="PKS Kantor Kemenag Kota Serang")
    partner_services.target_save(
        agreement=derived,
        by=kanwil_officer,
        category=WorkerCategory.objects.get(code="GURU_MADIN"),
        potential=900,
        target=900,
        baseline=0,
    )
    run(serang_partner_admin, places[SERANG], roster_file([row(1), row(2)]))
    services.coverage_refresh()

    banten = selectors.dashboard(user=national_admin, area=area(national_admin, PROVINCE, "36"))
    serang = selectors.dashboard(
        user=national_admin, area=area(national_admin, INSTITUTION, str(places[SERANG].pk))
    )

    assert banten.total.potential == 24_201 + 1_094 + 5_000
    assert (serang.total.potential, serang.total.sources) == (900, {"target"})


def test_a_target_counts_those_registered_since_the_signing_on_top_of_its_baseline(
    client, places, serang_partner_admin, kanwil_officer, national_admin
):
    from partners import services as partner_services

    pks = Agreement.objects.get(title="PKS Kantor Kemenag Kota Serang")
    assert pks.signed_on == dt.date(2025, 4, 14)
    partner_services.target_save(
        agreement=pks,
        by=kanwil_officer,
        category=WorkerCategory.objects.get(code="GURU_MADIN"),
        potential=10,
        target=10,
        baseline=1,  # one guru was registered when the target was set...
    )
    run(serang_partner_admin, places[SERANG], roster_file([row(1), row(2), row(3)]))
    for number, registered_on in ((1, dt.date(2025, 3, 31)), (2, dt.date(2025, 4, 2))):
        Enrolment.objects.filter(worker__nik=row(number)["NIK"]).update(
            status="registered", registered_on=registered_on
        )  # ...row 1, registered the month before the signing; row 2 in its month; row 3 pending
    services.coverage_refresh()

    months = RegistrationFigure.objects.filter(institution=places[SERANG])
    assert dict(months.values_list("month", "registered")) == {
        dt.date(2025, 3, 1): 1,
        dt.date(2025, 4, 1): 1,
    }
    serang = area(national_admin, INSTITUTION, str(places[SERANG].pk))
    (progress,) = selectors.target_progress(area=serang)
    assert (progress.baseline, progress.registered, progress.reached) == (1, 1, 2)
    assert progress.share_of_target == 20
    client.force_login(national_admin)
    page = client.get(reverse("coverage:area", args=["lembaga", places[SERANG].pk]))
    targets = page.content.decode().split('data-testid="targets"')[1].split("</table>")[0]
    assert "Terdaftar sejak penandatanganan" in targets and "sejak April 2025" in targets


def test_a_month_is_frozen_and_the_next_one_compares_with_it(
    places, serang_partner_admin, branch_officer, national_admin
):
    with time_machine.travel(dt.datetime(2026, 10, 20, 10, tzinfo=dt.UTC), tick=False):
        run(serang_partner_admin, places[SERANG], roster_file([row(1), row(2), row(3)]))
        services.coverage_refresh()
    with time_machine.travel(dt.datetime(2026, 10, 31, 17, 30, tzinfo=dt.UTC), tick=False):
        # 1 November 00:30 in Jakarta: the beat task freezes October
        from coverage.tasks import monthly_snapshot

        assert monthly_snapshot() == "2026-10"
    Enrolment.objects.filter(worker__nik=row(1)["NIK"]).update(
        status="registered", registered_on=dt.date(2026, 11, 3)
    )
    with time_machine.travel(dt.datetime(2026, 11, 10, 3, tzinfo=dt.UTC), tick=False):
        services.coverage_refresh()
        serang = selectors.dashboard(
            user=national_admin,
            area=area(national_admin, INSTITUTION, str(places[SERANG].pk)),
        )

    assert SnapshotRun.objects.get().month == dt.date(2026, 10, 1)
    assert serang.previous_month == dt.date(2026, 10, 1)
    assert (serang.total.registered, serang.total.change) == (1, 1)
    assert serang.trend == [(dt.date(2026, 10, 1), {"registered": 0, "active": 0, "potential": 3})]


# --- reconciliation on generated data ---------------------------------------------------------

REGISTERED_SQL = "coalesce(bool_or(n.status IN ('registered','active','inactive')), false)"
ACTIVE_SQL = "coalesce(bool_or(n.status = 'active'), false)"
STATUS_SQL = {
    "pending": f"NOT {REGISTERED_SQL}",
    "registered": REGISTERED_SQL,
    "active": ACTIVE_SQL,
    "inactive": f"{REGISTERED_SQL} AND NOT {ACTIVE_SQL}",
}


def independent_count(institution_ids: list[int], status: str, program: str | None) -> int:
    """Counted from the base tables, without the summary or the selectors."""
    program_filter = "AND p.code = %(program)s" if program else ""
    sql = f"""
        WITH primary_job AS (
          SELECT DISTINCT ON (e.worker_id) e.worker_id, e.institution_id
          FROM enrolment_employment e
          WHERE e.start_date <= CURRENT_DATE AND (e.ended_on IS NULL OR e.ended_on >= CURRENT_DATE)
          ORDER BY e.worker_id, e.start_date, e.id
        )
        SELECT count(*) FROM (
          SELECT j.worker_id FROM primary_job j
          LEFT JOIN enrolment_enrolment n ON n.worker_id = j.worker_id AND n.status <> 'ended'
          LEFT JOIN enrolment_program p ON p.id = n.program_id
          WHERE j.institution_id = ANY(%(ids)s) {program_filter}
          GROUP BY j.worker_id
          HAVING {STATUS_SQL[status]}
        ) people
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"ids": institution_ids, "program": program})
        return cursor.fetchone()[0]


@pytest.fixture
def generated(places, serang_partner_admin, branch_officer, maluku_partner_admin, tmp_path):
    """Workers from the roster generator at three institutions (some at two), with statuses
    spread at random, and the figures refreshed."""
    districts, categories = load_choices()
    rows = list(generate_rows(120, seed=7, districts=districts, categories=categories))
    path = tmp_path / "generated.csv"
    write_csv(iter(rows[:70]), path)
    run(serang_partner_admin, places[SERANG], SimpleUploadedFile("a.csv", path.read_bytes()))
    write_csv(iter(rows[50:100]), path)  # 20 of them also at Kab. Serang
    run(branch_officer, places[KAB_SERANG], SimpleUploadedFile("b.csv", path.read_bytes()))
    write_csv(iter(rows[100:]), path)
    run(maluku_partner_admin, places[AMBON], SimpleUploadedFile("c.csv", path.read_bytes()))
    rng = random.Random(11)
    month = timezone.localdate().replace(day=1)
    for enrolment in Enrolment.objects.all():
        status = rng.choice(["pending", "pending", "registered", "active", "inactive", "ended"])
        fields = {"status": status}
        if status != "pending":
            fields["registered_on"] = dt.date(2026, 1, 5)
        if status == "active":
            fields["paid_through"] = month
        if status == "ended":
            fields.update(ended_on=dt.date(2026, 2, 1), end_reason="resigned")
        Enrolment.objects.filter(pk=enrolment.pk).update(**fields)
    services.coverage_refresh()
    assert (Worker.objects.count(), Employment.objects.count()) == (120, 140)


@pytest.mark.parametrize("program", [None, "JKK", "JHT"])
def test_every_figure_equals_its_list_and_an_independent_count(
    generated, places, national_admin, program
):
    kanwil = Office.objects.get(name="Kantor Wilayah Banten")
    areas = {
        (NATIONAL, "id"): list(Institution.objects.values_list("pk", flat=True)),
        (KANWIL, str(kanwil.pk)): [places[SERANG].pk, places[KAB_SERANG].pk],
        (PROVINCE, "36"): [places[SERANG].pk, places[KAB_SERANG].pk],
        (REGENCY, "36.73"): [places[SERANG].pk],
        (INSTITUTION, str(places[AMBON].pk)): [places[AMBON].pk],
    }
    chosen = Program.objects.get(code=program) if program else None
    for (level, key), ids in areas.items():
        where = area(national_admin, level, key)
        total = selectors.dashboard(user=national_admin, area=where, program=chosen).total
        for status in ("pending", "registered", "active", "inactive"):
            listed = selectors.workers_behind(
                area=where, status=status, program=chosen, category=None
            ).count()
            counted = independent_count(ids, status, program)
            assert getattr(total, status) == listed == counted, (level, status, program)
        assert (
            sum(
                row.figures.registered
                for row in selectors.dashboard(user=national_admin, area=where, program=chosen).rows
            )
            == total.registered
        )
    assert CoverageFigure.objects.exists()
