from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from partners.forms import normalize_npwp
from partners.models import Change, Contact, Institution
from regions.models import Office

CREATE = reverse("partners:institution_create")


def contact_rows(*rows: dict, initial: int = 0, extra: int = 2) -> dict:
    """The contact formset's POST data: the given rows, then empty extra rows."""
    data = {
        "contacts-TOTAL_FORMS": str(len(rows) + extra),
        "contacts-INITIAL_FORMS": str(initial),
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "30",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"contacts-{index}-{key}"] = value
    return data


def kemenag_kabupaten(**changes) -> dict:
    data = {
        "name": "Kantor Kemenag Kabupaten Lebak",
        "kind": "kemenag_kabkota",
        "level": "kabkota",
        "province": "36",
        "regency": "36.02",
        "parent": str(Institution.objects.get(name="Kanwil Kemenag Provinsi Banten").pk),
        "office": str(Office.objects.get(code="kanwil-banten").pk),
        "npwp": "",
        "address": "Jl. Siliwangi No. 5, Rangkasbitung",
        "phone": "0252-201234",
        "email": "",
    }
    data.update(changes)
    return data


def errors(response) -> list[str]:
    form = response.context["form"]
    return [message for messages in form.errors.values() for message in messages]


# --- NPWP --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("01.234.567.8-901.000", "0012345678901000"),
        ("012345678901000", "0012345678901000"),
        ("0012 3456 7890 1000", "0012345678901000"),
        ("1234567890123456", "1234567890123456"),
        ("  ", ""),
    ],
)
def test_an_npwp_is_stored_as_16_digits(typed, stored):
    assert normalize_npwp(typed) == stored


@pytest.mark.parametrize("typed", ["01.234.567.8-901", "12345678901234567", "01.234.567.8-901.00O"])
def test_an_npwp_of_another_length_or_with_letters_is_refused(typed):
    with pytest.raises(ValidationError, match="NPWP terdiri atas 15 digit"):
        normalize_npwp(typed)


# --- creating ----------------------------------------------------------------------------------


def test_officer_records_an_institution_with_its_contacts(client, kanwil_officer):
    client.force_login(kanwil_officer)
    data = kemenag_kabupaten(npwp="01.234.567.8-901.000") | contact_rows(
        {"name": "H. Maman Suparman", "position": "Kepala Kantor", "phone": "0812-1111-2222"},
        {"name": "Nurhayati", "position": "Operator SIMPEG", "email": "nurhayati@kemenag.go.id"},
    )
    response = client.post(CREATE, data)

    created = Institution.objects.get(name="Kantor Kemenag Kabupaten Lebak")
    assert response.status_code == 302
    assert response.url == reverse("partners:institution_detail", args=[created.pk])
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "“Kantor Kemenag Kabupaten Lebak” telah disimpan."
    ]
    assert created.npwp == "0012345678901000"
    assert created.parent.name == "Kanwil Kemenag Provinsi Banten"
    assert list(created.contacts.values_list("name", "position")) == [
        ("H. Maman Suparman", "Kepala Kantor"),
        ("Nurhayati", "Operator SIMPEG"),
    ]
    history = created.history.get()
    assert history.action == Change.Action.CREATED and history.actor == kanwil_officer


def test_a_wrong_npwp_is_explained_next_to_the_field(client, kanwil_officer):
    client.force_login(kanwil_officer)
    response = client.post(CREATE, kemenag_kabupaten(npwp="01.234.567") | contact_rows())
    assert response.status_code == 200
    assert response.context["form"].errors["npwp"] == [
        "NPWP terdiri atas 15 digit (format lama, misalnya 01.234.567.8-901.000) atau 16 digit. "
        "Periksa kembali nomornya; titik, tanda hubung, dan spasi boleh tetap ada."
    ]
    assert not Institution.objects.filter(name="Kantor Kemenag Kabupaten Lebak").exists()


def test_the_regency_must_lie_in_the_chosen_province(client, kanwil_officer):
    client.force_login(kanwil_officer)
    response = client.post(CREATE, kemenag_kabupaten(regency="81.71") | contact_rows())
    assert response.context["form"].errors["regency"] == [
        "Kota Ambon tidak berada di Banten. Pilih salah satu kabupaten/kota di provinsi tersebut."
    ]


def test_a_province_below_national_level_is_required(client, kanwil_officer):
    client.force_login(kanwil_officer)
    response = client.post(CREATE, kemenag_kabupaten(province="", regency="") | contact_rows())
    assert response.context["form"].errors["province"] == [
        "Pilih provinsinya; hanya lembaga tingkat nasional yang tanpa provinsi."
    ]


def test_a_kemenag_kabupaten_sits_under_a_kanwil_kemenag(client, kanwil_officer, institution):
    client.force_login(kanwil_officer)
    pemprov = institution("Pemerintah Provinsi Banten")
    response = client.post(CREATE, kemenag_kabupaten(parent=str(pemprov.pk)) | contact_rows())
    assert response.context["form"].errors["parent"] == [
        "Induk dari “Kantor Kemenag Kab/Kota” harus berupa Kanwil Kemenag."
    ]


def test_an_opd_sits_under_its_own_provinces_pemda(client, national_admin, institution):
    client.force_login(national_admin)
    pemprov = institution("Pemerintah Provinsi Banten")
    opd = kemenag_kabupaten(
        name="Dinas Pendidikan Provinsi Maluku",
        kind="opd",
        level="provinsi",
        province="81",
        regency="",
        parent=str(pemprov.pk),
    )
    response = client.post(CREATE, opd | contact_rows())
    assert response.context["form"].errors["parent"] == [
        "Pemerintah Provinsi Banten berada di provinsi lain. "
        "Pilih lembaga induk yang berada di Maluku."
    ]


def test_the_parent_is_chosen_only_among_institutions_in_scope(client, branch_officer, institution):
    client.force_login(branch_officer)
    form = client.get(CREATE).context["form"]
    offered = {i.name for i in form.fields["parent"].queryset}
    assert offered == {
        "Kantor Kemenag Kabupaten Serang",
        "Kantor Kemenag Kota Serang",
        "Kejaksaan Negeri Serang",
    }
    maluku = institution("Kanwil Kemenag Provinsi Maluku")
    response = client.post(CREATE, kemenag_kabupaten(parent=str(maluku.pk)) | contact_rows())
    assert response.context["form"].errors["parent"] == [
        "Masukkan pilihan yang valid. Pilihan tersebut bukan salah satu dari pilihan yang tersedia."
    ]


def test_a_refusal_of_the_service_is_shown_above_the_form(client, branch_officer):
    client.force_login(branch_officer)
    elsewhere = kemenag_kabupaten(
        name="Madrasah Aliyah Negeri 1 Ambon",
        kind="pendidikan",
        level="lokal",
        province="81",
        regency="81.71",
        parent="",
        office=str(Office.objects.get(code="kc-ambon").pk),
    )
    response = client.post(CREATE, elsewhere | contact_rows())
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Wilayah atau kantor BPJS lembaga ini berada di luar wilayah kerja Anda."
    ]
    assert "Wilayah atau kantor BPJS lembaga ini berada di luar wilayah kerja Anda." in (
        response.content.decode()
    )
    assert not Institution.objects.filter(name="Madrasah Aliyah Negeri 1 Ambon").exists()


# --- editing -----------------------------------------------------------------------------------


def edit_form_data(institution: Institution, **changes) -> dict:
    data = {
        "name": institution.name,
        "kind": institution.kind,
        "level": institution.level,
        "province": institution.province_id or "",
        "regency": institution.regency_id or "",
        "parent": institution.parent_id or "",
        "office": institution.office_id or "",
        "npwp": institution.npwp,
        "address": institution.address,
        "phone": institution.phone,
        "email": institution.email,
    }
    data.update(changes)
    return data


def test_officer_edits_an_institution_and_its_contacts(client, kanwil_officer, institution):
    kemenag = institution("Kantor Kemenag Kota Serang")
    Contact.objects.create(institution=kemenag, name="Ahmad Sobari", position="Kasubbag TU")
    Contact.objects.create(institution=kemenag, name="Rudi Hartono", position="Operator")
    url = reverse("partners:institution_update", args=[kemenag.pk])
    client.force_login(kanwil_officer)
    shown = client.get(url).context["contacts"]
    assert [f.initial["name"] for f in shown.initial_forms] == ["Ahmad Sobari", "Rudi Hartono"]

    data = edit_form_data(kemenag, phone="0254-218000") | contact_rows(
        {"name": "Ahmad Sobari", "position": "Kasubbag TU"},
        {"name": "Rudi Hartono", "position": "Operator", "DELETE": "on"},
        {"name": "Lina Marlina", "position": "Operator SIMPEG"},
        initial=2,
        extra=1,
    )
    response = client.post(url, data)

    assert response.status_code == 302
    kemenag.refresh_from_db()
    assert kemenag.phone == "0254-218000"
    assert sorted(kemenag.contacts.values_list("name", flat=True)) == [
        "Ahmad Sobari",
        "Lina Marlina",
    ]
    change = kemenag.history.get(action=Change.Action.UPDATED)
    assert change.actor == kanwil_officer
    assert change.changes["phone"] == ["", "0254-218000"]
    assert change.changes["contacts"] == [
        "Ahmad Sobari, Rudi Hartono",
        "Ahmad Sobari, Lina Marlina",
    ]


def test_an_institution_cannot_be_put_under_its_own_child(client, kanwil_officer, institution):
    kanwil = institution("Kanwil Kemenag Provinsi Banten")
    child = institution("Kantor Kemenag Kota Serang")
    client.force_login(kanwil_officer)
    response = client.post(
        reverse("partners:institution_update", args=[kanwil.pk]),
        edit_form_data(kanwil, parent=str(child.pk)) | contact_rows(),
    )
    assert (
        "Lembaga tidak dapat berada di bawah dirinya sendiri atau di bawah lembaga turunannya."
        in (errors(response))
    )
    kanwil.refresh_from_db()
    assert kanwil.parent_id is None


def test_the_edit_form_never_offers_the_institution_as_its_own_parent(
    client, kanwil_officer, institution
):
    kejari = institution("Kejaksaan Negeri Serang")
    client.force_login(kanwil_officer)
    form = client.get(reverse("partners:institution_update", args=[kejari.pk])).context["form"]
    assert kejari not in form.fields["parent"].queryset
    assert form.initial["name"] == "Kejaksaan Negeri Serang"


def test_partner_admins_and_managers_cannot_open_the_forms(
    client, serang_partner_admin, manager, institution
):
    kemenag = institution("Kantor Kemenag Kota Serang")
    for reader in (serang_partner_admin, manager):
        client.force_login(reader)
        assert client.get(CREATE).status_code == 403
        assert client.post(CREATE, kemenag_kabupaten() | contact_rows()).status_code == 403
        update = reverse("partners:institution_update", args=[kemenag.pk])
        assert client.post(update, edit_form_data(kemenag, name="X")).status_code == 403
    kemenag.refresh_from_db()
    assert kemenag.name == "Kantor Kemenag Kota Serang"
    assert not Institution.objects.filter(name="Kantor Kemenag Kabupaten Lebak").exists()
