from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from enrolment.models import Program
from partners.models import Agreement, Contact, Institution
from partners.services import agreement_change_status, agreement_create, institution_update
from regions.models import Office

LIST = reverse("partners:institution_list")


def names(response) -> list[str]:
    return [row.record.name for row in response.context["table"].page.object_list]


def active_agreement(*, by, institution, title="PKS Perlindungan Pegawai Non-ASN") -> Agreement:
    today = timezone.localdate()
    agreement = agreement_create(
        by=by,
        kind=Agreement.Kind.PKS,
        title=title,
        institution=institution,
        office=institution.office,
        signed_on=today - dt.timedelta(days=30),
        effective_from=today - dt.timedelta(days=30),
        expires_on=today + dt.timedelta(days=700),
        programs=list(Program.objects.filter(code__in=["JKK", "JKM"])),
    )
    for status in ["in_review", "signed", "active"]:
        agreement_change_status(agreement=agreement, to=status, by=by)
    agreement.refresh_from_db()
    return agreement


def madrasahs(count: int) -> None:
    Institution.objects.bulk_create(
        Institution(
            name=f"Madrasah Contoh {i:02d}",
            kind="pendidikan",
            level="lokal",
            province_id="36",
            regency_id="36.73",
            office=Office.objects.get(code="kc-serang"),
            parent=Institution.objects.get(name="Kantor Kemenag Kota Serang"),
        )
        for i in range(count)
    )


# --- the list ----------------------------------------------------------------------------------


# session, user, the second factor's device, roles, count, page rows, the filter's provinces and
# offices, and the idle-timeout
# session save (savepoint, update, release); a regional officer's scope adds its office tree and
# the areas those offices serve.
@pytest.mark.parametrize(
    ("who", "visible", "queries"), [("national_admin", 70, 11), ("branch_officer", 63, 13)]
)
def test_institution_list_costs_the_same_few_queries_however_many_rows(
    who, visible, queries, client, request, institution, django_assert_max_num_queries
):
    madrasahs(60)
    active_agreement(
        by=request.getfixturevalue("kanwil_officer"),
        institution=institution("Kejaksaan Negeri Serang"),
    )
    client.force_login(request.getfixturevalue(who))
    with django_assert_max_num_queries(queries):
        response = client.get(LIST, {"sort": "-has_active_agreement"})
    assert response.status_code == 200
    rows = list(response.context["table"].page.object_list)
    assert len(rows) == 25
    flags = [row.record.has_active_agreement for row in rows]
    assert flags[0] and not flags[-1] and flags == sorted(flags, reverse=True)
    assert f"{visible} lembaga" in response.content.decode()


def test_institution_list_searches_by_name_and_filters_by_kind(client, kanwil_officer):
    client.force_login(kanwil_officer)
    response = client.get(LIST, {"q": "serang", "kind": "kejari"})
    assert names(response) == ["Kejaksaan Negeri Serang"]


def test_institution_list_filters_by_province_office_and_active_agreement(
    client, national_admin, kanwil_officer, institution
):
    active_agreement(by=kanwil_officer, institution=institution("Kantor Kemenag Kota Serang"))
    client.force_login(national_admin)
    maluku = client.get(LIST, {"province": "81"})
    assert names(maluku) == ["Kantor Kemenag Kota Ambon", "Kanwil Kemenag Provinsi Maluku"]
    serang_office = Office.objects.get(code="kc-serang").pk
    by_office = client.get(LIST, {"office": serang_office, "sort": "name"})
    assert names(by_office) == [
        "Kantor Kemenag Kabupaten Serang",
        "Kantor Kemenag Kota Serang",
        "Kejaksaan Negeri Serang",
    ]
    with_active = client.get(LIST, {"has_active_agreement": "true"})
    live = Institution.objects.filter(agreements__status__in=["active", "expiring"])
    assert set(names(with_active)) == set(live.values_list("name", flat=True))
    assert "Kantor Kemenag Kota Serang" in names(with_active)
    assert "Kanwil Kemenag Provinsi Maluku" not in names(with_active)  # a draft only
    without = client.get(LIST, {"has_active_agreement": "false", "province": "36"})
    assert "Kantor Kemenag Kota Serang" not in names(without) and len(names(without)) == 1


def test_institution_list_sorts_by_a_column_and_pages_through_the_rest(client, branch_officer):
    madrasahs(30)
    client.force_login(branch_officer)
    first = client.get(LIST, {"sort": "-name"})
    assert names(first)[0] == "Madrasah Contoh 29"
    second = client.get(LIST, {"sort": "-name", "page": 2})
    assert names(second) == [
        "Madrasah Contoh 04",
        "Madrasah Contoh 03",
        "Madrasah Contoh 02",
        "Madrasah Contoh 01",
        "Madrasah Contoh 00",
        "Kejaksaan Negeri Serang",
        "Kantor Kemenag Kota Serang",
        "Kantor Kemenag Kabupaten Serang",
    ]
    assert "33 lembaga" in second.content.decode()


def test_an_unknown_filter_value_shows_no_rows_rather_than_everything(client, kanwil_officer):
    client.force_login(kanwil_officer)
    response = client.get(LIST, {"province": "99"})
    assert names(response) == []
    assert "Masukkan pilihan yang valid" in response.content.decode()


def test_partner_admin_lists_only_its_institution_and_children(client, banten_partner_admin):
    client.force_login(banten_partner_admin)
    response = client.get(LIST, {"sort": "name"})
    assert names(response) == [
        "Kantor Kemenag Kabupaten Serang",
        "Kantor Kemenag Kota Serang",
        "Kanwil Kemenag Provinsi Banten",
    ]
    assert "Lembaga baru" not in response.content.decode()


def test_manager_reads_every_institution_without_officer_buttons(client, manager):
    client.force_login(manager)
    response = client.get(LIST)
    page = response.content.decode()
    assert response.context["table"].paginator.count == Institution.objects.count()
    assert "Lembaga baru" not in page and "Unduh XLSX" in page


def test_export_buttons_carry_the_current_filters_but_not_the_page(client, kanwil_officer):
    client.force_login(kanwil_officer)
    page = client.get(LIST, {"q": "serang", "kind": "kejari", "page": "1"}).content.decode()
    xlsx = reverse("partners:institution_export", args=["xlsx"])
    csv = reverse("partners:institution_export", args=["csv"])
    assert f'href="{xlsx}?q=serang&amp;kind=kejari"' in page
    assert f'href="{csv}?q=serang&amp;kind=kejari"' in page


def test_the_list_pagination_speaks_indonesian(client, national_admin):
    madrasahs(30)
    client.force_login(national_admin)
    page = client.get(LIST).content.decode()
    assert "berikutnya" in page and "next" not in re.sub(r"<[^>]+>", "", page)


# --- the detail --------------------------------------------------------------------------------


def detail(client, pk: int) -> str:
    return client.get(reverse("partners:institution_detail", args=[pk])).content.decode()


def test_institution_detail_lists_the_children_in_scope(client, banten_partner_admin, institution):
    client.force_login(banten_partner_admin)
    page = detail(client, institution("Kanwil Kemenag Provinsi Banten").pk)
    assert "Kantor Kemenag Kota Serang" in page and "Kantor Kemenag Kabupaten Serang" in page


def test_institution_detail_shows_contacts_agreements_and_the_sections_to_come(
    client, kanwil_officer, serang_partner_admin, institution
):
    kemenag = institution("Kantor Kemenag Kota Serang")
    Contact.objects.create(
        institution=kemenag,
        name="Drs. H. Ahmad Sobari",
        position="Kepala Subbagian Tata Usaha",
        phone="0254-200123",
    )
    agreement = active_agreement(by=kanwil_officer, institution=kemenag)
    client.force_login(serang_partner_admin)
    page = detail(client, kemenag.pk)
    assert "Drs. H. Ahmad Sobari" in page and "Kepala Subbagian Tata Usaha" in page
    link = reverse("partners:agreement_detail", args=[agreement.pk])
    assert f'<a href="{link}">PKS Perlindungan Pegawai Non-ASN</a>' in page
    assert "PKS (Perjanjian Kerja Sama)" in page and ">Aktif</span>" in page
    assert agreement.expires_on.strftime("%d-%m-%Y") in page
    assert "Belum ada daftar pekerja yang diunggah untuk lembaga ini." in page
    assert "Jumlah pekerja terdaftar dan aktif akan muncul di sini" in page


def test_edit_and_record_buttons_are_for_officers_only(
    client, branch_officer, serang_partner_admin, manager, institution
):
    kemenag = institution("Kantor Kemenag Kota Serang")
    record = f"{reverse('partners:agreement_create')}?institution={kemenag.pk}"
    edit = reverse("partners:institution_update", args=[kemenag.pk])
    client.force_login(branch_officer)
    page = detail(client, kemenag.pk)
    assert record in page and edit in page
    for reader in (serang_partner_admin, manager):
        client.force_login(reader)
        page = detail(client, kemenag.pk)
        assert record not in page and edit not in page


def test_history_shows_who_changed_which_field_from_what_to_what(
    client, kanwil_officer, institution
):
    kemenag = institution("Kantor Kemenag Kota Serang")
    institution_update(
        institution=kemenag,
        by=kanwil_officer,
        office=Office.objects.get(code="kanwil-banten"),
        kind=Institution.Kind.OTHER,
        contacts=[{"name": "Siti Rohmah", "position": "", "phone": "", "email": ""}],
    )
    client.force_login(kanwil_officer)
    page = detail(client, kemenag.pk)
    history = page[page.index('data-testid="history"') :]
    assert "Rina Marlina" in history and "Diubah" in history
    assert "Kantor BPJS penanggung jawab: Kantor Cabang Serang → Kantor Wilayah Banten" in history
    assert "Jenis: Kantor Kemenag Kab/Kota → Lainnya" in history
    assert "Narahubung: — → Siti Rohmah" in history
    assert "office_id" not in history


def test_region_list_shows_38_provinces_in_few_queries(
    client, kanwil_officer, django_assert_max_num_queries
):
    client.force_login(kanwil_officer)
    with django_assert_max_num_queries(9):  # 8, and the second factor's device
        response = client.get(reverse("regions:province_list"))
    page = response.content.decode()
    assert page.count('href="/wilayah/') == 38 + 1  # 38 provinces and the navigation link
    codes = [p.code for p in response.context["provinces"]]
    assert codes == sorted(codes) and codes[0] == "11" and codes[-1] == "96"
    assert "Kantor Wilayah Kalimantan" in page
