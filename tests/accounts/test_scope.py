from partners.selectors import institutions_for


def names(user) -> set[str]:
    return set(institutions_for(user).values_list("name", flat=True))


def test_national_admin_sees_every_institution(national_admin):
    assert "Kanwil Kemenag Provinsi Maluku" in names(national_admin)
    assert "Kantor Kemenag Kota Serang" in names(national_admin)


def test_kanwil_officer_sees_the_institutions_of_banten_and_none_of_maluku(kanwil_officer):
    assert names(kanwil_officer) == {
        "Kanwil Kemenag Provinsi Banten",
        "Kantor Kemenag Kota Serang",
        "Kantor Kemenag Kabupaten Serang",
        "Pemerintah Provinsi Banten",
        "Kejaksaan Negeri Serang",
    }


def test_branch_officer_sees_the_regencies_its_office_serves(branch_officer):
    assert names(branch_officer) == {
        "Kantor Kemenag Kota Serang",
        "Kantor Kemenag Kabupaten Serang",
        "Kejaksaan Negeri Serang",
    }


def test_partner_admin_sees_its_institution_and_the_ones_below_it(banten_partner_admin):
    assert names(banten_partner_admin) == {
        "Kanwil Kemenag Provinsi Banten",
        "Kantor Kemenag Kota Serang",
        "Kantor Kemenag Kabupaten Serang",
    }


def test_partner_admin_of_a_regency_office_does_not_see_its_parent_or_siblings(
    serang_partner_admin,
):
    assert names(serang_partner_admin) == {"Kantor Kemenag Kota Serang"}


def test_partner_admin_cannot_see_another_provinces_institutions(maluku_partner_admin):
    assert names(maluku_partner_admin) == {
        "Kanwil Kemenag Provinsi Maluku",
        "Kantor Kemenag Kota Ambon",
    }


def test_user_without_a_role_sees_nothing(user_without_role):
    assert names(user_without_role) == set()


def test_an_ended_office_area_no_longer_gives_scope(branch_officer, django_user_model):
    import datetime as dt

    from partners.models import Institution
    from regions.models import OfficeArea

    pemkab = Institution.objects.create(
        name="Pemerintah Kabupaten Serang",
        kind="pemkab",
        level="kabkota",
        province_id="36",
        regency_id="36.04",
    )
    assert pemkab.name in names(branch_officer)

    OfficeArea.objects.filter(office__code="kc-serang", regency_id="36.04").update(
        valid_to=dt.date(2020, 12, 31)
    )
    fresh = django_user_model.objects.get(pk=branch_officer.pk)
    assert pemkab.name not in names(fresh)
    # An institution that names the office as responsible for it stays in scope.
    assert "Kantor Kemenag Kabupaten Serang" in names(fresh)
