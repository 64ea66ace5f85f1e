"""`make bench`'s floor: the rows an import wrote, copied three times, and nothing left behind."""

from __future__ import annotations

from django.db import connection

from audit.models import Event
from enrolment.imports.floor import PREFIX, TABLES, write_floor
from enrolment.models import Employment, Enrolment, Worker
from tests.enrolment.rosters import row
from tests.enrolment.test_roster_pipeline import SERANG, check_and_apply, upload


def test_the_floor_copies_what_an_import_wrote_and_leaves_no_table_and_no_trail(
    serang_partner_admin, institution
):
    roster_import = upload(serang_partner_admin, institution(SERANG), [row(n) for n in range(1, 4)])
    check_and_apply(serang_partner_admin, roster_import)
    events = Event.objects.count()

    floor = write_floor(roster_import_id=roster_import.pk)

    assert (
        floor.rows
        == {
            "enrolment_worker": Worker.objects.count(),
            "enrolment_employment": Employment.objects.count(),
            "enrolment_enrolment": Enrolment.objects.count(),
        }
        == {"enrolment_worker": 3, "enrolment_employment": 3, "enrolment_enrolment": 9}
    )  # JKK, JKM and JHT each
    for copy in (floor.indexes, floor.keys, floor.trail):
        assert list(copy) == list(TABLES)
        assert all(seconds > 0 for seconds in copy.values())
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_class WHERE relname LIKE %s", [f"{PREFIX}%"])
        assert cursor.fetchone()[0] == 0
    assert Event.objects.count() == events


def test_the_copies_keys_name_the_copied_workers_and_the_real_reference_tables(
    serang_partner_admin, institution
):
    roster_import = upload(serang_partner_admin, institution(SERANG), [row(1)])
    check_and_apply(serang_partner_admin, roster_import)

    floor = write_floor(roster_import_id=roster_import.pk)

    keys = set(floor.foreign_keys)
    assert {
        "floor_enrolment_employment FOREIGN KEY (worker_id) "
        "REFERENCES floor_enrolment_worker(id) DEFERRABLE INITIALLY DEFERRED",
        "floor_enrolment_enrolment FOREIGN KEY (worker_id) "
        "REFERENCES floor_enrolment_worker(id) DEFERRABLE INITIALLY DEFERRED",
        "floor_enrolment_enrolment FOREIGN KEY (program_id) "
        "REFERENCES enrolment_program(id) DEFERRABLE INITIALLY DEFERRED",
        "floor_enrolment_worker FOREIGN KEY (regency_id) "
        "REFERENCES regions_regency(code) DEFERRABLE INITIALLY DEFERRED",
    } <= keys
    assert len(keys) == 9  # every key the three tables have: 1 + 4 + 4
