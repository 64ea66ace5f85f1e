"""The worker registry as officers, partner admins and managers use it: search by NIK or name,
filter, open a person's page (full NIK only for those who process people, and logged), see their
employments, enrolments and history, end an employment.

Data comes in the way it does in production: tiny rosters uploaded, checked and applied through
the services (no Celery worker; the tests call what the tasks would call).
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AccessLog
from enrolment import selectors, services
from enrolment.imports.validation import mask_nik
from enrolment.models import Employment, Enrolment, Program, RosterImport, Worker, WorkerCategory
from enrolment.tables import CappedPaginator, WorkerTable
from enrolment.views.workers import OPTIONS
from partners.models import Institution
from tests.enrolment.rosters import roster_file, row

SERANG = "Kantor Kemenag Kota Serang"
KEJARI = "Kejaksaan Negeri Serang"
MALUKU = "Kanwil Kemenag Provinsi Maluku"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def checked(by, institution, rows, name: str = "daftar.csv") -> RosterImport:
    roster_import = services.roster_upload(
        by=by, institution=institution, upload=roster_file(rows, name=name), enqueue=False
    )
    return services.roster_validate(import_id=roster_import.pk)


def applied(by, institution, rows, name: str = "daftar.csv") -> RosterImport:
    roster_import = checked(by, institution, rows, name)
    services.roster_confirm(by=by, roster_import=roster_import, enqueue=False)
    return services.roster_apply(import_id=roster_import.pk)


def worker(serial: int) -> Worker:
    return Worker.objects.get(nik=row(serial)["NIK"])


def listed(client, **params) -> list[str]:
    response = client.get(reverse("enrolment:worker_list"), params)
    assert response.status_code == 200
    return [w.full_name for w in response.context["table"].data]


def detail_url(person: Worker) -> str:
    return reverse("enrolment:worker_detail", args=[person.pk])


@pytest.fixture
def people(national_admin, institution):
    """Three people at Kota Serang (two imports), one at Maluku."""
    serang, maluku = institution(SERANG), institution(MALUKU)
    first = applied(
        national_admin,
        serang,
        [
            row(1, NAMA_LENGKAP="Siti Aminah"),
            row(2, NAMA_LENGKAP="Budi Santoso", KATEGORI="GURU_TPQ", UNIT_KERJA="TPQ Nurul Iman"),
        ],
        name="pertama.csv",
    )
    second = applied(national_admin, serang, [row(3, NAMA_LENGKAP="Siti Rahma")], name="dua.csv")
    ambon = applied(national_admin, maluku, [row(4, NAMA_LENGKAP="Yohana Latuconsina")])
    return {"first": first, "second": second, "maluku": ambon}


# --- the list ----------------------------------------------------------------------------------


def test_a_whole_nik_finds_its_person_and_part_of_a_name_finds_every_match(
    client, people, branch_officer
):
    client.force_login(branch_officer)
    budi = row(2)["NIK"]

    assert listed(client, q=budi) == ["Budi Santoso"]
    assert listed(client, q=f"{budi[:6]}.{budi[6:12]}.{budi[12:]}") == ["Budi Santoso"]
    assert listed(client, q=budi[:12]) == []  # part of a NIK finds nobody
    assert listed(client, q="siti") == ["Siti Aminah", "Siti Rahma"]
    assert listed(client, q="AMINA") == ["Siti Aminah"]
    assert listed(client, q="Yohana") == []  # Maluku is outside the Serang branch


def test_percent_and_underscore_in_a_search_are_letters_not_wildcards(
    client, people, branch_officer
):
    client.force_login(branch_officer)

    assert listed(client, q="%") == []
    assert listed(client, q="Siti_") == []
    assert listed(client, q="s_ti") == []
    assert listed(client, q="siti") == ["Siti Aminah", "Siti Rahma"]


def test_a_name_search_is_one_the_trigram_index_can_answer(people, branch_officer):
    """On a million workers a search that reads every row takes seconds (`make bench`): the
    name must be matched with ILIKE on the column itself, which `worker_name_trgm` serves, not
    with Django's UPPER(full_name) LIKE, which no index has."""
    workers = selectors.worker_list(user=branch_officer, query="amin")
    sql, _params = workers.query.sql_with_params()
    assert '"enrolment_worker"."full_name" ILIKE %s' in sql
    assert [w.full_name for w in workers] == ["Siti Aminah"]

    named = Worker.objects.filter(selectors.ILike(F("full_name"), "%amin%"))
    sql, params = named.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a table of four would be read whole
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "worker_name_trgm" in plan, plan


@pytest.mark.parametrize("sort", ["updated_at", "-updated_at"])
def test_the_list_by_last_change_is_read_in_index_order_not_sorted_whole(people, sort):
    """A million workers sorted for one page of 25 took 300 ms (`make bench`)."""
    table = WorkerTable(Worker.objects.all(), order_by=sort)
    sql, params = table.data.data[:25].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a table of four would be read whole
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "worker_changed_order" in plan and "Sort" not in plan, plan


def test_each_filter_narrows_the_list(client, people, national_admin, institution):
    siti = worker(1)
    jkk = Program.objects.get(code="JKK")
    services.enrolment_register(
        enrolment=Enrolment.objects.get(worker=siti, program=jkk),
        kpj="12345678901",
        registered_on=dt.date(2025, 1, 6),
        by=national_admin,
    )
    client.force_login(national_admin)
    serang, maluku = institution(SERANG), institution(MALUKU)
    everyone = ["Budi Santoso", "Siti Aminah", "Siti Rahma", "Yohana Latuconsina"]

    assert listed(client) == everyone
    assert listed(client, institution=serang.pk) == everyone[:3]
    assert listed(client, province=maluku.province_id) == ["Yohana Latuconsina"]
    assert listed(client, province=serang.province_id) == everyone[:3]
    tpq = WorkerCategory.objects.get(code="GURU_TPQ")
    assert listed(client, category=tpq.pk) == ["Budi Santoso"]
    assert listed(client, program=jkk.pk, status="registered") == ["Siti Aminah"]
    assert listed(client, status="registered") == ["Siti Aminah"]
    assert listed(client, program=jkk.pk, status="pending") == [everyone[0], *everyone[2:]]
    assert listed(client, roster_import=people["second"].pk) == ["Siti Rahma"]
    assert listed(client, roster_import=people["first"].pk, q="siti") == ["Siti Aminah"]
    # filters hold together: Maluku's import with Kota Serang finds nobody
    assert listed(client, roster_import=people["maluku"].pk, institution=serang.pk) == []


def test_a_partner_admin_cannot_filter_by_another_institutions_import(
    client, people, serang_partner_admin
):
    client.force_login(serang_partner_admin)
    response = client.get(reverse("enrolment:worker_list"), {"roster_import": people["maluku"].pk})

    assert list(response.context["table"].data) == []
    assert "roster_import" in response.context["form"].errors
    assert listed(client, roster_import=people["first"].pk) == ["Budi Santoso", "Siti Aminah"]


def test_the_list_masks_every_nik_and_links_each_person_to_their_page(
    client, people, national_admin
):
    client.force_login(national_admin)
    page = client.get(reverse("enrolment:worker_list")).content.decode()

    for serial in (1, 2, 3, 4):
        nik = row(serial)["NIK"]
        assert nik not in page and mask_nik(nik) in page
        assert f'href="{detail_url(worker(serial))}"' in page
    assert not AccessLog.objects.exists()  # masked lists are not a view of personal data


def test_the_list_is_sorted_by_name_either_way(client, people, branch_officer):
    client.force_login(branch_officer)
    assert listed(client, sort="-full_name") == ["Siti Rahma", "Siti Aminah", "Budi Santoso"]


def test_each_row_shows_the_persons_institution_unit_category_and_enrolments(
    client, people, branch_officer
):
    client.force_login(branch_officer)
    response = client.get(reverse("enrolment:worker_list"), {"q": "budi"})
    page = response.content.decode()

    jkk = Program.objects.get(code="JKK")
    assert f"<div>{SERANG}</div>" in page
    assert "<div>TPQ Nurul Iman</div>" in page
    assert f"<div>{WorkerCategory.objects.get(code='GURU_TPQ').name}</div>" in page
    badge = (
        f'<span class="badge enrolment-pending me-1" title="{jkk.name}">JKK: Menunggu pendaftaran'
    )
    assert badge in page


def test_what_a_roster_wrote_is_shown_as_text_never_as_markup(client, national_admin, institution):
    unit = 'TPQ <b onclick="x()">Al-Ikhlas</b> & Co'
    applied(national_admin, institution(SERANG), [row(5, UNIT_KERJA=unit)])
    client.force_login(national_admin)
    page = client.get(reverse("enrolment:worker_list")).content.decode()

    assert "<div>TPQ &lt;b onclick=&quot;x()&quot;&gt;Al-Ikhlas&lt;/b&gt; &amp; Co</div>" in page
    assert "<b onclick" not in page


def test_the_filters_offer_what_is_in_scope_and_keep_what_was_chosen(
    client, people, branch_officer, institution
):
    client.force_login(branch_officer)
    serang = institution(SERANG)
    tpq = WorkerCategory.objects.get(code="GURU_TPQ")
    params = {"institution": serang.pk, "category": tpq.pk, "status": "pending"}
    page = client.get(reverse("enrolment:worker_list"), params).content.decode()

    assert '<select name="institution" class="form-select" id="id_institution">' in page
    assert f'<option value="{serang.pk}" selected>{SERANG}</option>' in page
    assert f'<option value="{tpq.pk}" selected>{tpq.name}</option>' in page
    assert '<option value="pending" selected>Menunggu pendaftaran</option>' in page
    assert '<option value="" selected>Semua provinsi</option>' in page
    assert KEJARI in page and MALUKU not in page  # the Serang branch's institutions only


def test_the_list_sorts_by_its_headers_and_pages_keep_the_search(
    client, people, national_admin, monkeypatch
):
    client.force_login(national_admin)
    monkeypatch.setattr("enrolment.views.workers.PER_PAGE", 1)
    page = client.get(reverse("enrolment:worker_list"), {"q": "siti", "page": 2}).content.decode()

    by_name = (
        '<th class="asc orderable" scope="col"><a href="?q=siti&amp;page=2&amp;sort=-full_name">'
    )
    assert by_name in page  # sorted by name, the header turns it round
    assert '<a href="?q=siti&amp;page=2&amp;sort=updated_at">' in page
    assert '<a class="page-link" href="?q=siti&amp;page=1">1</a>' in page  # still searched
    assert "Siti Rahma" in page and "Siti Aminah" not in page


def test_the_count_stops_at_the_cap_and_the_pages_with_it(
    client, people, national_admin, monkeypatch
):
    """A million workers are not counted for each page: past the cap the list says there are
    more, and its pages go as far as the cap."""
    client.force_login(national_admin)
    monkeypatch.setattr(CappedPaginator, "cap", 2)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("enrolment:worker_list"), {"per_page": 1, "page": 9})

    paginator = response.context["table"].paginator
    assert (paginator.count, paginator.capped, paginator.num_pages) == (2, True, 2)
    assert response.context["table"].page.number == 2  # a page past the cap shows the last one
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"]]
    assert len(counts) == 1 and "LIMIT 3" in counts[0]

    monkeypatch.setattr(CappedPaginator, "cap", 4)
    paginator = client.get(reverse("enrolment:worker_list")).context["table"].paginator
    assert (paginator.count, paginator.capped) == (4, False)  # four people: counted exactly


def test_more_than_the_cap_is_remembered_a_minute_and_a_smaller_count_never(
    client, people, national_admin, institution, monkeypatch
):
    """Paging through 20.000 people named Hidayat, each page counted the first 501 of them."""

    def counts(**params) -> tuple[int, bool, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("enrolment:worker_list"), params)
        paginator = response.context["table"].paginator
        counted = sum("COUNT(" in q["sql"] for q in queries)
        return paginator.count, paginator.capped, counted

    client.force_login(national_admin)
    monkeypatch.setattr(CappedPaginator, "cap", 2)
    with time_machine.travel(dt.datetime.now(tz=dt.UTC), tick=False) as clock:
        assert counts(q="siti") == (2, False, 1)
        assert counts(q="siti") == (2, False, 1)  # under the cap: counted on every page
        assert counts() == (2, True, 1)
        assert counts(page=2) == (2, True, 0)  # more than the cap: known for a minute
        assert counts(q="siti") == (2, False, 1)  # another search is counted for itself
        clock.shift(61)
        assert counts() == (2, True, 1)

    applied(national_admin, institution(SERANG), [row(7, NAMA_LENGKAP="Siti Hajar")])
    assert counts(q="siti") == (2, True, 1)  # a new person counts at once


def _list_queries(client, **params) -> tuple[int, int]:
    OPTIONS.clear()  # as the first page of a search reads it
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("enrolment:worker_list"), params)
    assert response.status_code == 200
    return response.context["table"].paginator.count, len(queries)


def test_the_filtered_list_needs_the_same_queries_for_3_and_30_workers(
    client, serang_partner_admin, institution
):
    serang = institution(SERANG)
    first = applied(serang_partner_admin, serang, [row(n) for n in range(1, 4)], name="a.csv")
    client.force_login(serang_partner_admin)
    params = {"q": "pekerja", "province": serang.province_id, "status": "pending"}
    params |= {
        "institution": serang.pk,
        "category": WorkerCategory.objects.get(code="GURU_MADIN").pk,
    }

    small = _list_queries(client, **params)
    applied(serang_partner_admin, serang, [row(n) for n in range(4, 31)], name="b.csv")
    large = _list_queries(client, **params)
    by_import = _list_queries(client, roster_import=first.pk)

    # Session, user, the second factor's device, roles, scope; the chosen institution, province
    # and category checked; the count; the four lists of choices; the page, its employments and
    # enrolments: 16, however many workers match (the session is saved once a minute, not here).
    assert small == (3, 16) and large == (30, 16)
    # No choice checked but the import (in the user's scope): 14.
    assert by_import == (3, 14)


def test_the_filter_options_of_a_scope_are_read_once_a_minute(
    client, people, branch_officer, institution
):
    with time_machine.travel(dt.datetime.now(tz=dt.UTC), tick=False) as clock:
        client.force_login(branch_officer)
        _count, first = _list_queries(client)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("enrolment:worker_list")).content.decode()
        assert len(queries) == first - 4  # institutions, provinces, categories, programs

        serang = institution(SERANG)
        Institution.objects.filter(pk=serang.pk).update(name="Kemenag Kota Serang (baru)")
        page = client.get(reverse("enrolment:worker_list")).content.decode()
        assert f">{SERANG}</option>" in page  # within the minute, as read before
        clock.shift(61)
        page = client.get(reverse("enrolment:worker_list")).content.decode()
        assert ">Kemenag Kota Serang (baru)</option>" in page


def test_a_page_holds_at_most_100_people_whatever_per_page_asks(client, people, national_admin):
    client.force_login(national_admin)
    response = client.get(reverse("enrolment:worker_list"), {"per_page": 1_000_000})
    assert response.context["table"].paginator.per_page == 100
    response = client.get(reverse("enrolment:worker_list"), {"per_page": 0})
    assert response.context["table"].paginator.per_page == 25  # nothing asked: the default


# --- the person's page -------------------------------------------------------------------------


def test_officers_and_partner_admins_in_scope_read_the_full_nik_and_each_view_is_logged(
    client, people, branch_officer, serang_partner_admin
):
    siti = worker(1)
    for user in (branch_officer, serang_partner_admin):
        client.force_login(user)
        page = client.get(detail_url(siti), REMOTE_ADDR="10.1.2.3").content.decode()

        assert siti.nik in page
        assert siti.birth_date.strftime("%d-%m-%Y") in page
        log = AccessLog.objects.get(user=user)
        assert (log.action, log.worker, log.rows, log.ip) == ("view", siti, 1, "10.1.2.3")
        assert log.what == f"halaman pekerja #{siti.pk}"
    assert AccessLog.objects.count() == 2


def test_a_manager_reads_the_page_with_the_nik_masked_and_leaves_no_log(client, people, manager):
    siti = worker(1)
    client.force_login(manager)
    page = client.get(detail_url(siti)).content.decode()

    assert siti.nik not in page and mask_nik(siti.nik) in page
    assert siti.birth_date.strftime("%d-%m-%Y") not in page
    assert "Siti Aminah" in page and "MDT Al-Hidayah" in page
    assert "Disembunyikan untuk peran Anda" in page
    assert not AccessLog.objects.exists()
    assert "employment-end" not in page  # managers read


def test_a_worker_outside_the_scope_is_not_found(client, people, serang_partner_admin):
    yohana = worker(4)
    employment = Employment.objects.get(worker=yohana)
    client.force_login(serang_partner_admin)

    assert client.get(detail_url(yohana)).status_code == 404
    end = reverse("enrolment:employment_end", args=[yohana.pk, employment.pk])
    assert client.post(end, {"ended_on": "2025-12-31", "reason": "resigned"}).status_code == 404
    assert not AccessLog.objects.exists()


def test_a_person_at_two_institutions_shows_both_but_names_only_those_in_scope(
    client, national_admin, branch_officer, serang_partner_admin, institution
):
    applied(national_admin, institution(SERANG), [row(1, NAMA_LENGKAP="Siti Aminah")])
    kejari = applied(
        national_admin,
        institution(KEJARI),
        [row(1, NAMA_LENGKAP="Siti Aminah", UNIT_KERJA="Seksi Pidum", UPAH="3.500.000")],
        name="kejari.csv",
    )
    siti = worker(1)

    client.force_login(branch_officer)  # KC Serang serves both institutions
    page = client.get(detail_url(siti)).content.decode()
    assert SERANG in page and KEJARI in page and "Seksi Pidum" in page and "3.500.000" in page
    assert reverse("enrolment:roster_detail", args=[kejari.pk]) in page

    client.force_login(serang_partner_admin)
    response = client.get(detail_url(siti))
    page = response.content.decode()
    employments = response.context["detail"].employments
    assert [e.in_scope for e in employments] == [True, False]
    assert SERANG in page and "lembaga lain" in page
    assert KEJARI not in page and "Seksi Pidum" not in page and "3.500.000" not in page
    assert reverse("enrolment:roster_detail", args=[kejari.pk]) not in page


def test_the_page_shows_enrolments_with_their_history_and_the_imports_behind_each_fact(
    client, national_admin, branch_officer, institution
):
    serang = institution(SERANG)
    first = applied(national_admin, serang, [row(1, NAMA_LENGKAP="Siti Aminah")])
    second = applied(
        national_admin,
        serang,
        [row(1, NAMA_LENGKAP="Siti Aminah Zahra", NO_HP="081234567890")],
        name="perbaikan.csv",
    )
    siti = worker(1)
    services.enrolment_register(
        enrolment=Enrolment.objects.get(worker=siti, program__code="JKK"),
        kpj="12345678901",
        registered_on=dt.date(2025, 1, 6),
        by=branch_officer,
    )
    client.force_login(branch_officer)
    response = client.get(detail_url(siti))
    page = response.content.decode()

    enrolments = response.context["detail"].enrolments
    assert [e.program.code for e in enrolments] == ["JKK", "JKM", "JHT"]
    assert 'data-testid="enrolment-JKK"' in page and "06-01-2025" in page
    assert "Menunggu pendaftaran → Terdaftar" in page and str(branch_officer) in page
    # the employment came from the second import (it updated it), the name change too
    assert reverse("enrolment:roster_detail", args=[second.pk]) in page
    changes = response.context["detail"].changes
    assert len(changes) == 1 and changes[0][0].roster_import == second
    lines = {(line.label, line.before, line.after) for line in changes[0][1]}
    assert ("nama lengkap", "Siti Aminah", "Siti Aminah Zahra") in lines
    assert first.pk != second.pk


def test_the_page_reads_in_a_fixed_number_of_queries(client, people, branch_officer):
    client.force_login(branch_officer)
    with CaptureQueriesContext(connection) as queries:
        client.get(detail_url(worker(1)))
    # session, user, the second factor's device, roles, scope (3), worker, employments,
    # enrolments, history, changes, institutions and imports in scope, restrictions of
    # processing and the access log row (savepoint); the session is saved once a minute, not here.
    assert len(queries) == 16


# --- ending an employment ----------------------------------------------------------------------


def test_a_partner_admin_ends_an_employment_and_the_enrolments_end_with_it(
    client, people, serang_partner_admin
):
    siti = worker(1)
    employment = Employment.objects.get(worker=siti)
    url = reverse("enrolment:employment_end", args=[siti.pk, employment.pk])
    client.force_login(serang_partner_admin)

    assert 'data-testid="employment-end"' in client.get(detail_url(siti)).content.decode()
    response = client.post(url, {"ended_on": "2025-12-31", "reason": "resigned"}, follow=True)

    employment.refresh_from_db()
    assert (employment.ended_on, employment.end_reason) == (dt.date(2025, 12, 31), "resigned")
    assert set(Enrolment.objects.filter(worker=siti).values_list("status", flat=True)) == {"ended"}
    page = response.content.decode()
    assert "31-12-2025 (Mengundurkan diri)" in page
    assert "Menunggu pendaftaran → Berakhir" in page

    again = client.post(url, {"ended_on": "2025-12-31", "reason": "resigned"}, follow=True)
    assert [str(m) for m in again.context["messages"]] == ["Hubungan kerja ini sudah berakhir."]


def test_ending_an_employment_before_it_started_is_refused_with_a_reason(
    client, people, branch_officer
):
    siti = worker(1)
    employment = Employment.objects.get(worker=siti)
    client.force_login(branch_officer)
    url = reverse("enrolment:employment_end", args=[siti.pk, employment.pk])

    response = client.post(url, {"ended_on": "2001-01-01", "reason": "resigned"}, follow=True)
    assert len(list(response.context["messages"])) == 1
    response = client.post(url, {"ended_on": "", "reason": ""}, follow=True)
    assert len(list(response.context["messages"])) == 1
    employment.refresh_from_db()
    assert employment.ended_on is None


def test_a_manager_cannot_end_an_employment(client, people, manager):
    siti = worker(1)
    employment = Employment.objects.get(worker=siti)
    client.force_login(manager)
    url = reverse("enrolment:employment_end", args=[siti.pk, employment.pk])

    assert client.post(url, {"ended_on": "2025-12-31", "reason": "resigned"}).status_code == 403
    employment.refresh_from_db()
    assert employment.ended_on is None


# --- the failed rows download ------------------------------------------------------------------


def test_downloading_the_failed_rows_writes_one_access_log_row_with_the_count(
    client, serang_partner_admin, institution
):
    roster_import = checked(
        serang_partner_admin,
        institution(SERANG),
        [row(1), row(2, NIK="12345"), row(3, NAMA_LENGKAP="")],
    )
    client.force_login(serang_partner_admin)
    response = client.get(reverse("enrolment:roster_failed_rows", args=[roster_import.pk]))

    assert response.status_code == 200
    log = AccessLog.objects.get()
    assert (log.user, log.action, log.rows, log.worker) == (serang_partner_admin, "export", 2, None)
    assert log.what == f"baris gagal impor #{roster_import.pk}"


def test_the_worker_list_exports_full_niks_to_those_who_process_people_and_logs_it(
    client, branch_officer, manager, serang_partner_admin, institution
):
    from accounts.models import AccessLog
    from enrolment import services
    from tests.enrolment.rosters import roster_file, row

    roster_import = services.roster_upload(
        by=serang_partner_admin,
        institution=institution("Kantor Kemenag Kota Serang"),
        upload=roster_file([row(1), row(2, NAMA_LENGKAP="=HYPERLINK(1)")]),
        enqueue=False,
    )
    checked = services.roster_validate(import_id=roster_import.pk)
    services.roster_confirm(by=serang_partner_admin, roster_import=checked, enqueue=False)
    services.roster_apply(import_id=roster_import.pk)
    url = reverse("enrolment:worker_export", args=["csv"])

    client.force_login(branch_officer)
    text = client.get(url).content.decode("utf-8-sig")
    assert row(1)["NIK"] in text and "'=HYPERLINK(1)" in text  # formula-safe
    assert "JKK:Menunggu pendaftaran" in text
    log = AccessLog.objects.get(user=branch_officer)
    assert (log.action, log.rows, log.what) == ("export", 2, "daftar pekerja")

    client.force_login(manager)
    text = client.get(url).content.decode("utf-8-sig")
    assert row(1)["NIK"] not in text and f"{row(1)['NIK'][:4]}********" in text
    assert not AccessLog.objects.filter(user=manager).exists()
