"""Agreement pages as an officer, a partner admin and a manager use them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from enrolment.models import Program, WorkerCategory
from partners.models import Agreement, Attachment, FollowUp, Institution, Target
from partners.services import agreement_change_status, agreement_create, follow_up_save
from regions.models import Office

D = dt.date
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def mou(kanwil_officer, institution):
    return agreement_create(
        by=kanwil_officer,
        kind=Agreement.Kind.MOU,
        title="Nota Kesepahaman Uji Kemenag Banten",
        institution=institution("Kanwil Kemenag Provinsi Banten"),
        office=Office.objects.get(code="kanwil-banten"),
        institution_number="B-100/Kw.28/HM.01/01/2026",
        office_number="MOU/01/012026",
        place_signed="Serang",
        signed_on=D(2026, 1, 15),
        effective_from=D(2026, 1, 15),
        expires_on=D(2028, 1, 14),
        scopes=[Agreement.Scope.COVERAGE, Agreement.Scope.DATA_EXCHANGE],
        programs=list(Program.objects.filter(code__in=["JKK", "JKM", "JHT"])),
        funding_source=Agreement.Funding.APBN,
        flat_wage=2_000_000,
    )


def _form_data(**values):
    base = {
        "kind": "pks",
        "title": "PKS Uji",
        "jkk_risk_class": "1",
        "institution_number": "",
        "office_number": "",
    }
    base.update(values)
    return base


def test_an_officer_records_an_mou_with_each_partys_document_number(client, kanwil_officer):
    client.force_login(kanwil_officer)
    banten = Institution.objects.get(name="Kanwil Kemenag Provinsi Banten")
    office = Office.objects.get(code="kanwil-banten")
    response = client.post(
        reverse("partners:agreement_create"),
        _form_data(
            kind="mou",
            title="Nota Kesepahaman Perlindungan Pegawai Non-ASN",
            institution=banten.pk,
            office=office.pk,
            institution_number="B-77/Kw.28/2026",
            office_number="NK/77/2026",
            signed_on="2026-02-01",
            effective_from="2026-02-01",
            expires_on="2028-01-31",
            scopes=["coverage", "socialisation"],
            programs=[p.pk for p in Program.objects.filter(code__in=["JKK", "JKM"])],
            funding_source="apbn",
            flat_wage="2000000",
        ),
    )
    agreement = Agreement.objects.get(title="Nota Kesepahaman Perlindungan Pegawai Non-ASN")
    assert response.status_code == 302 and response.url == agreement.get_absolute_url()
    numbers = dict(
        (str(p), p.document_number)
        for p in agreement.parties.select_related("institution", "office")
    )
    assert numbers == {str(banten): "B-77/Kw.28/2026", str(office): "NK/77/2026"}
    page = client.get(response.url).content.decode()
    assert "Perjanjian telah dicatat." in page
    assert "B-77/Kw.28/2026" in page and "NK/77/2026" in page
    assert "Dibuat" in page  # the history timeline shows the creation


def test_a_document_number_is_refused_when_the_party_already_used_it(client, kanwil_officer, mou):
    client.force_login(kanwil_officer)
    response = client.post(
        reverse("partners:agreement_create"),
        _form_data(
            title="PKS dengan nomor yang sama",
            institution=mou.institution_id,
            office=mou.office_id,
            institution_number="B-100/Kw.28/HM.01/01/2026",
        ),
    )
    assert response.status_code == 200
    assert "Lembaga ini sudah memakai nomor dokumen tersebut." in response.content.decode()
    assert not Agreement.objects.filter(title="PKS dengan nomor yang sama").exists()


def test_the_derive_form_starts_from_the_mous_programs_scope_and_bpjs_side(
    client, kanwil_officer, mou
):
    client.force_login(kanwil_officer)
    page = client.get(reverse("partners:agreement_derive", args=[mou.pk]))
    form = page.context["form"]
    assert form.initial["parent"] == mou and form.initial["office"] == mou.office
    assert {p.code for p in form.initial["programs"]} == {"JKK", "JKM", "JHT"}
    assert form.initial["scopes"] == ["coverage", "data_exchange"]
    choices = {i.name for i in form.fields["institution"].queryset}
    assert "Kantor Kemenag Kota Serang" in choices
    assert "Kanwil Kemenag Provinsi Banten" not in choices  # the MoU's partner itself
    assert "Pemerintah Provinsi Banten" not in choices  # not under the MoU's partner


def test_deriving_a_pks_for_kota_serang_ties_it_to_the_mou(client, kanwil_officer, mou):
    client.force_login(kanwil_officer)
    serang = Institution.objects.get(name="Kantor Kemenag Kota Serang")
    response = client.post(
        reverse("partners:agreement_derive", args=[mou.pk]),
        _form_data(
            title="PKS Turunan Kota Serang",
            institution=serang.pk,
            office=Office.objects.get(code="kc-serang").pk,
            parent=mou.pk,
            signed_on="2026-03-01",
            effective_from="2026-03-01",
            expires_on="2028-06-30",
            scopes=["coverage", "data_exchange"],
            programs=[p.pk for p in mou.programs.all()],
        ),
    )
    pks = Agreement.objects.get(title="PKS Turunan Kota Serang")
    assert pks.parent == mou and pks.kind == "pks"
    assert set(pks.programs.values_list("code", flat=True)) == {"JKK", "JKM", "JHT"}
    page = client.get(response.url).content.decode()
    assert "melewati masa berlaku perjanjian induknya" in page  # outlives the MoU: a warning


def test_a_pks_starting_before_its_mou_is_refused_with_the_mous_date(client, kanwil_officer, mou):
    client.force_login(kanwil_officer)
    response = client.post(
        reverse("partners:agreement_derive", args=[mou.pk]),
        _form_data(
            title="PKS terlalu awal",
            institution=Institution.objects.get(name="Kantor Kemenag Kota Serang").pk,
            office=mou.office_id,
            parent=mou.pk,
            signed_on="2025-12-01",
            effective_from="2025-12-01",
            expires_on="2027-12-01",
        ),
    )
    assert response.status_code == 200
    assert "tidak dapat mulai berlaku sebelum perjanjian induknya (15-01-2026)" in (
        response.content.decode()
    )


def test_an_officer_cannot_choose_an_institution_outside_their_area(client, kanwil_officer):
    client.force_login(kanwil_officer)
    maluku = Institution.objects.get(name="Kanwil Kemenag Provinsi Maluku")
    form = client.get(reverse("partners:agreement_create")).context["form"]
    assert maluku not in form.fields["institution"].queryset
    response = client.post(
        reverse("partners:agreement_create"),
        _form_data(institution=maluku.pk, office=Office.objects.get(code="kanwil-banten").pk),
    )
    assert response.status_code == 200 and not Agreement.objects.filter(title="PKS Uji").exists()
    assert "institution" in response.context["form"].errors


def test_dates_out_of_order_are_explained_next_to_the_field(client, kanwil_officer, mou):
    client.force_login(kanwil_officer)
    response = client.post(
        reverse("partners:agreement_update", args=[mou.pk]),
        _form_data(
            kind="mou",
            title=mou.title,
            institution=mou.institution_id,
            office=mou.office_id,
            signed_on="2026-01-15",
            effective_from="2026-01-15",
            expires_on="2025-01-14",
        ),
    )
    assert response.context["form"].errors["expires_on"] == [
        "Tanggal berakhir harus setelah tanggal mulai berlaku."
    ]


def test_editing_records_the_before_and_after_values(client, kanwil_officer, mou):
    client.force_login(kanwil_officer)
    client.post(
        reverse("partners:agreement_update", args=[mou.pk]),
        _form_data(
            kind="mou",
            title=mou.title,
            institution=mou.institution_id,
            office=mou.office_id,
            place_signed="Kota Serang",
            signed_on="2026-01-15",
            effective_from="2026-01-15",
            expires_on="2028-01-14",
            scopes=["coverage", "data_exchange"],
            programs=[p.pk for p in Program.objects.filter(code__in=["JKK", "JKM", "JHT", "JP"])],
            funding_source="apbn",
            flat_wage="2000000",
        ),
    )
    change = mou.history.filter(action="updated").get()
    assert change.actor == kanwil_officer
    assert change.changes == {
        "place_signed": ["Serang", "Kota Serang"],
        "programs": [["JHT", "JKK", "JKM"], ["JHT", "JKK", "JKM", "JP"]],
    }
    page = client.get(mou.get_absolute_url()).content.decode()
    assert "Tempat penandatanganan" in page and "Kota Serang" in page


def test_a_target_is_added_and_shown_with_indonesian_numbers(client, kanwil_officer, mou):
    client.force_login(kanwil_officer)
    guru = WorkerCategory.objects.get(code="GURU_MADIN")
    response = client.post(
        reverse("partners:target_add", args=[mou.pk]),
        {"category": guru.pk, "potential": 24201, "baseline": 20000, "target": 24201},
    )
    assert response.status_code == 302
    target = Target.objects.get(agreement=mou)
    assert (target.potential, target.baseline, target.remaining) == (24201, 20000, 4201)
    page = client.get(mou.get_absolute_url()).content.decode()
    assert "24.201" in page and "4.201" in page


def test_a_target_above_the_potential_is_refused(client, kanwil_officer, mou):
    client.force_login(kanwil_officer)
    guru = WorkerCategory.objects.get(code="GURU_MADIN")
    response = client.post(
        reverse("partners:target_add", args=[mou.pk]),
        {"category": guru.pk, "potential": 100, "baseline": 0, "target": 150},
    )
    assert response.status_code == 400
    assert "tidak boleh melebihi potensi" in response.content.decode()
    assert not Target.objects.filter(agreement=mou).exists()


def test_an_overdue_follow_up_is_flagged_on_the_agreement(client, kanwil_officer, mou):
    follow_up_save(
        agreement=mou,
        by=kanwil_officer,
        action="Kirim data guru tahap 2",
        person_in_charge="Kasubbag TU",
        due_on=D(2020, 1, 31),
        status=FollowUp.Status.OPEN,
    )
    client.force_login(kanwil_officer)
    page = client.get(mou.get_absolute_url()).content.decode()
    assert "Kirim data guru tahap 2" in page and "Terlambat" in page


def test_a_follow_up_marked_done_gets_todays_date(client, kanwil_officer, mou):
    follow_up = follow_up_save(
        agreement=mou,
        by=kanwil_officer,
        action="Sosialisasi",
        person_in_charge="Kasi Kepesertaan",
        due_on=D(2026, 12, 1),
    )
    client.force_login(kanwil_officer)
    client.post(
        reverse("partners:follow_up_update", args=[mou.pk, follow_up.pk]),
        {
            "action": "Sosialisasi",
            "person_in_charge": "Kasi Kepesertaan",
            "due_on": "2026-12-01",
            "status": "done",
            "evidence": "Notulen rapat 20-11-2026",
        },
    )
    follow_up.refresh_from_db()
    assert follow_up.status == "done" and follow_up.done_on is not None
    assert mou.history.filter(subject="follow-up", action="updated").exists()


def test_the_status_moves_only_along_allowed_steps(client, kanwil_officer, mou):
    client.force_login(kanwil_officer)
    url = reverse("partners:agreement_status", args=[mou.pk])
    page = client.post(url, {"to": "active"}, follow=True).content.decode()
    assert "“Draf” tidak dapat diubah menjadi “Aktif”" in page
    client.post(url, {"to": "in_review"})
    mou.refresh_from_db()
    assert mou.status == "in_review"


def test_a_signed_pdf_is_attached_and_served_only_in_scope(
    client, kanwil_officer, maluku_partner_admin, banten_partner_admin, mou
):
    client.force_login(kanwil_officer)
    upload = SimpleUploadedFile("PKS ditandatangani.pdf", PDF, content_type="application/pdf")
    response = client.post(
        reverse("partners:attachment_add", args=[mou.pk]), {"kind": "signed", "file": upload}
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get(agreement=mou)
    assert attachment.content_type == "application/pdf" and attachment.size == len(PDF)
    url = reverse("partners:attachment_download", args=[attachment.pk])
    client.force_login(banten_partner_admin)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    client.force_login(maluku_partner_admin)
    assert client.get(url).status_code == 404


def test_a_file_disguised_as_a_pdf_is_refused(client, kanwil_officer, mou):
    client.force_login(kanwil_officer)
    upload = SimpleUploadedFile("kontrak.pdf", b"MZ\x90\x00 not a pdf at all", "application/pdf")
    response = client.post(
        reverse("partners:attachment_add", args=[mou.pk]), {"kind": "signed", "file": upload}
    )
    assert response.status_code == 400
    assert "“kontrak.pdf” bukan berkas PDF, JPG, PNG" in response.content.decode()
    assert not Attachment.objects.exists()


@override_settings(ATTACHMENT_MAX_BYTES=1024)
def test_an_oversized_file_is_refused_with_the_limit(client, kanwil_officer, mou):
    client.force_login(kanwil_officer)
    upload = SimpleUploadedFile("besar.pdf", PDF + b"0" * 4096, "application/pdf")
    response = client.post(
        reverse("partners:attachment_add", args=[mou.pk]), {"kind": "signed", "file": upload}
    )
    assert response.status_code == 400
    assert "batasnya 1,0" in response.content.decode()


def test_an_event_with_a_photo_is_recorded(client, kanwil_officer, mou):
    client.force_login(kanwil_officer)
    response = client.post(
        reverse("partners:event_add", args=[mou.pk]),
        {
            "kind": "card_handover",
            "held_on": "2026-03-10",
            "place": "Aula Kanwil Kemenag Banten",
            "participants": "Kakanwil, Kepala Kantor Wilayah BPJS",
            "notes": "Penyerahan 50 kartu secara simbolis",
            "photo": SimpleUploadedFile("foto.png", PNG, "image/png"),
        },
    )
    assert response.status_code == 302
    event = mou.events.get()
    assert event.get_kind_display() == "Penyerahan kartu peserta secara simbolis"
    assert event.attachments.get().kind == Attachment.Kind.PHOTO


def test_a_partner_admin_reads_its_agreement_without_any_edit_button(
    client, banten_partner_admin, mou
):
    client.force_login(banten_partner_admin)
    page = client.get(mou.get_absolute_url()).content.decode()
    assert mou.title in page
    assert reverse("partners:agreement_update", args=[mou.pk]) not in page
    assert reverse("partners:target_add", args=[mou.pk]) not in page
    guru = WorkerCategory.objects.get(code="GURU_MADIN")
    response = client.post(
        reverse("partners:target_add", args=[mou.pk]),
        {"category": guru.pk, "potential": 1, "target": 1, "baseline": 0},
    )
    assert response.status_code == 403 and not Target.objects.filter(agreement=mou).exists()


def test_the_list_searches_by_document_number_and_filters_by_status(client, kanwil_officer, mou):
    client.force_login(kanwil_officer)
    url = reverse("partners:agreement_list")
    found = client.get(url, {"q": "HM.01/01/2026"}).context["table"].data
    assert [a.title for a in found] == [mou.title]
    drafts = client.get(url, {"status": "draft"}).context["table"].data
    assert mou.title in [a.title for a in drafts]
    active = client.get(url, {"status": "active"}).context["table"].data
    assert mou.title not in [a.title for a in active]


def test_the_list_at_ten_thousand_agreements_takes_a_fixed_number_of_queries(
    client, national_admin, django_assert_max_num_queries
):
    institutions = list(Institution.objects.all())
    offices = list(Office.objects.filter(kind="cabang"))
    Agreement.objects.bulk_create(
        Agreement(
            kind="pks",
            title=f"PKS massal {n:05d}",
            institution=institutions[n % len(institutions)],
            office=offices[n % len(offices)],
            status="active",
            signed_on=D(2026, 1, 1),
            effective_from=D(2026, 1, 1),
            expires_on=D(2027, 1, 1) + dt.timedelta(days=n % 700),
        )
        for n in range(10_000)
    )
    client.force_login(national_admin)
    url = reverse("partners:agreement_list")
    # session, user, the second factor's device, roles, count, rows, the two filter menus,
    # session refresh
    with django_assert_max_num_queries(11):
        first = client.get(url)
    with django_assert_max_num_queries(11):
        later = client.get(url, {"page": 200, "sort": "-institution", "q": "massal"})
    assert first.context["table"].paginator.count >= 10_000
    assert len(later.context["table"].page.object_list) == 25
    assert "10.0" in first.content.decode()  # the count, in Indonesian grouping


def test_an_active_agreement_shows_its_status_in_indonesian(kanwil_officer, mou, client):
    for status in ["in_review", "signed", "active"]:
        agreement_change_status(agreement=mou, to=status, by=kanwil_officer)
    client.force_login(kanwil_officer)
    page = client.get(mou.get_absolute_url()).content.decode()
    assert 'data-testid="status">Aktif<' in page


def test_renewing_names_the_successor_and_links_both_ways(client, kanwil_officer, mou):
    for status in ["in_review", "signed", "active"]:
        agreement_change_status(agreement=mou, to=status, by=kanwil_officer)
    renewal = agreement_create(
        by=kanwil_officer,
        kind=Agreement.Kind.MOU,
        title="Nota Kesepahaman Uji Kemenag Banten 2028",
        institution=mou.institution,
        office=mou.office,
    )
    client.force_login(kanwil_officer)
    url = reverse("partners:agreement_status", args=[mou.pk])

    refused = client.post(url, {"to": "renewed"}, follow=True).content.decode()
    assert "Pilih perjanjian yang memperpanjang perjanjian ini." in refused
    client.post(url, {"to": "renewed", "successor": renewal.pk})

    mou.refresh_from_db()
    assert mou.status == "renewed" and mou.successor == renewal
    assert mou.history.first().changes == {
        "status": ["active", "renewed"],
        "successor_id": [None, renewal.pk],
    }
    assert renewal.title in client.get(mou.get_absolute_url()).content.decode()
    assert mou.title in client.get(renewal.get_absolute_url()).content.decode()
