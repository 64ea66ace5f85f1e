"""Participant cards: a PDF of ID-1 cards, ten to a page, for workers BPJS has registered."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.models import AccessLog
from enrolment import services
from enrolment.cards import CardRow, cards_pdf, institution_card_rows, latin1, worker_card_row
from enrolment.models import Employment, Enrolment, Worker
from partners.models import Institution
from partners.selectors import institutions_for
from tests.enrolment.rosters import roster_file, row

SERANG = "Kantor Kemenag Kota Serang"


def _apply(by, institution: Institution, serials: list[int]) -> None:
    roster_import = services.roster_upload(
        by=by, institution=institution, upload=roster_file([row(s) for s in serials]), enqueue=False
    )
    checked = services.roster_validate(import_id=roster_import.pk)
    services.roster_confirm(by=by, roster_import=checked, enqueue=False)
    services.roster_apply(import_id=roster_import.pk)


def kpj(serial: int) -> str:
    return f"2604{serial:07d}"


def register(serial: int, by, programs=("JKK", "JKM", "JHT")) -> Worker:
    for enrolment in Enrolment.objects.filter(
        worker__nik=row(serial)["NIK"], program__code__in=programs
    ):
        services.enrolment_register(
            enrolment=enrolment, kpj=kpj(serial), registered_on=dt.date(2026, 11, 2), by=by
        )
    return Worker.objects.get(nik=row(serial)["NIK"])


def worker(serial: int) -> Worker:
    return Worker.objects.get(nik=row(serial)["NIK"])


def pages(content: bytes) -> int:
    """The page objects (the page tree's dictionary is uncompressed even in a compressed PDF)."""
    return len(re.findall(rb"/Type /Page\b(?!s)", content))


@pytest.fixture
def serang(serang_partner_admin, institution) -> Institution:
    """Fourteen workers of Kemenag Kota Serang, enrolled in JKK, JKM and JHT, none registered."""
    serang = institution(SERANG)
    _apply(serang_partner_admin, serang, list(range(1, 15)))
    return serang


def test_a_registered_workers_card_has_name_kpj_masked_nik_programs_and_institution(
    serang, branch_officer
):
    register(1, branch_officer, programs=("JKK", "JKM"))
    card = worker_card_row(worker=worker(1), institutions=institutions_for(branch_officer))
    assert (card.institution, card.programs) == (SERANG, ["JKK", "JKM"])  # JHT still pending

    content = cards_pdf([card], compress=False)

    assert content.startswith(b"%PDF") and pages(content) == 1
    nik = row(1)["NIK"]
    assert b"(Pekerja Uji 1)" in content
    assert f"({kpj(1)})".encode() in content
    assert f"({nik[:4]}********{nik[-4:]})".encode() in content
    assert nik.encode() not in content
    assert "(JKK \u00b7 JKM)".encode("latin-1") in content
    assert f"({SERANG})".encode() in content
    assert b"BPJS Ketenagakerjaan" in content
    assert b"/Subtype /Image" in content  # the QR code of the KPJ


def test_the_card_download_is_a_pdf_and_written_to_the_access_log(
    serang, client, serang_partner_admin, branch_officer
):
    someone = register(1, branch_officer)
    client.force_login(serang_partner_admin)

    response = client.get(reverse("enrolment:worker_card", args=[someone.pk]))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and pages(response.content) == 1
    assert row(1)["NIK"].encode() not in response.content
    log = AccessLog.objects.get(user=serang_partner_admin)
    assert (log.action, log.worker, log.rows) == (AccessLog.Action.EXPORT, someone, 1)
    assert log.what == f"kartu peserta pekerja #{someone.pk}"


def test_the_worker_page_offers_the_card_only_once_there_is_a_kpj(serang, client, branch_officer):
    client.force_login(branch_officer)
    url = reverse("enrolment:worker_detail", args=[worker(1).pk])
    assert b'data-testid="worker-card"' not in client.get(url).content
    register(1, branch_officer)
    assert b'data-testid="worker-card"' in client.get(url).content


def test_a_worker_without_a_kpj_is_sent_back_to_their_page_with_a_message(
    serang, client, branch_officer
):
    client.force_login(branch_officer)
    someone = worker(2)

    response = client.get(reverse("enrolment:worker_card", args=[someone.pk]), follow=True)

    assert response.redirect_chain == [(reverse("enrolment:worker_detail", args=[someone.pk]), 302)]
    assert "Pekerja ini belum memiliki KPJ" in response.content.decode()
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()


def test_twelve_registered_workers_make_two_pages_and_the_others_are_counted(
    serang, client, branch_officer
):
    for serial in range(1, 13):
        register(serial, branch_officer)
    client.force_login(branch_officer)

    response = client.get(reverse("enrolment:institution_cards", args=[serang.pk]))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert pages(response.content) == 2
    told = [str(m) for m in get_messages(response.wsgi_request)]
    assert told == ["2 pekerja belum memiliki KPJ sehingga belum mendapat kartu."]
    log = AccessLog.objects.get(user=branch_officer, action=AccessLog.Action.EXPORT)
    assert (log.worker, log.rows, log.what) == (None, 12, f"kartu peserta lembaga #{serang.pk}")


def test_the_batch_lists_current_employees_with_a_kpj_by_name(serang, branch_officer):
    for serial in (3, 10, 11):
        register(serial, branch_officer)
    services.employment_end(
        employment=Employment.objects.get(worker=worker(11)),
        ended_on=dt.date(2026, 12, 31),
        reason="resigned",
        by=branch_officer,
    )

    rows, skipped = institution_card_rows(institution=serang)

    assert [r.worker.full_name for r in rows] == ["Pekerja Uji 10", "Pekerja Uji 3"]
    assert skipped == 11  # fourteen employed, one ended, two with cards
    content = cards_pdf(rows, compress=False)
    assert pages(content) == 1 and content.count(b"/Subtype /Image") == 2


def test_an_institution_without_registered_workers_is_sent_back_with_a_message(
    serang, client, serang_partner_admin
):
    client.force_login(serang_partner_admin)

    response = client.get(reverse("enrolment:institution_cards", args=[serang.pk]), follow=True)

    assert response.redirect_chain == [
        (reverse("partners:institution_detail", args=[serang.pk]), 302)
    ]
    assert "Belum ada pekerja lembaga ini yang memiliki KPJ" in response.content.decode()
    assert b'data-testid="institution-cards"' in response.content


def test_a_manager_cannot_print_cards(serang, client, manager, branch_officer):
    someone = register(1, branch_officer)
    client.force_login(manager)
    assert client.get(reverse("enrolment:worker_card", args=[someone.pk])).status_code == 403
    assert client.get(reverse("enrolment:institution_cards", args=[serang.pk])).status_code == 403
    assert not AccessLog.objects.filter(user=manager).exists()


def test_a_partner_admin_elsewhere_cannot_print_a_serang_workers_card(
    serang, client, maluku_partner_admin, branch_officer
):
    someone = register(1, branch_officer)
    client.force_login(maluku_partner_admin)
    assert client.get(reverse("enrolment:worker_card", args=[someone.pk])).status_code == 404
    assert client.get(reverse("enrolment:institution_cards", args=[serang.pk])).status_code == 404


def test_names_outside_latin1_are_printed_without_failing(serang, branch_officer):
    someone = register(1, branch_officer)
    Worker.objects.filter(pk=someone.pk).update(full_name="Şahin Nguyễn 李")
    assert latin1("Şahin Nguyễn 李 Müller – “MDT”") == 'Sahin Nguyen ? Müller - "MDT"'

    content = cards_pdf([CardRow(worker(1), SERANG, ["JKK"])], compress=False)

    assert b"(Sahin Nguyen ?)" in content


def test_a_card_needs_a_kpj(serang):
    with pytest.raises(ValueError):
        cards_pdf([CardRow(worker(1), SERANG, ["JKK"])])
