from django.urls import reverse

from partners.models import Institution


def test_institution_list_costs_the_same_few_queries_however_many_rows(
    client, national_admin, django_assert_max_num_queries
):
    Institution.objects.bulk_create(
        Institution(
            name=f"Madrasah Contoh {i}",
            kind="pendidikan",
            level="lokal",
            province_id="62",
            regency_id="62.71",
        )
        for i in range(60)
    )
    client.force_login(national_admin)
    # session, user, roles, scope, count, page, and the idle-timeout session save
    with django_assert_max_num_queries(10):
        response = client.get(reverse("partners:institution_list"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 25


def test_institution_list_searches_by_name_and_filters_by_kind(client, kanwil_officer):
    client.force_login(kanwil_officer)
    response = client.get(reverse("partners:institution_list"), {"q": "serang", "kind": "kejari"})
    names = [i.name for i in response.context["page"].object_list]
    assert names == ["Kejaksaan Negeri Serang"]


def test_institution_detail_lists_the_children_in_scope(client, banten_partner_admin, institution):
    client.force_login(banten_partner_admin)
    kanwil = institution("Kanwil Kemenag Provinsi Banten")
    page = client.get(reverse("partners:institution_detail", args=[kanwil.pk])).content.decode()
    assert "Kantor Kemenag Kota Serang" in page and "Kantor Kemenag Kabupaten Serang" in page


def test_region_list_shows_38_provinces_in_few_queries(
    client, kanwil_officer, django_assert_max_num_queries
):
    client.force_login(kanwil_officer)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("regions:province_list"))
    page = response.content.decode()
    assert page.count('href="/wilayah/') == 38 + 1  # 38 provinces and the navigation link
    codes = [p.code for p in response.context["provinces"]]
    assert codes == sorted(codes) and codes[0] == "11" and codes[-1] == "96"
    assert "Kantor Wilayah Kalimantan" in page
