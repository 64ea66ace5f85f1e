from django.urls import reverse


def test_pages_speak_indonesian_by_default(client):
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="id">' in page
    assert "Masuk ke Sinergi" in page


def test_the_english_switch_changes_the_language_and_back(client, kanwil_officer):
    client.force_login(kanwil_officer)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("home")).content.decode()
    assert "Welcome, Rina Marlina" in page and ">Partners<" in page
    client.post(reverse("set_language"), {"language": "id", "next": "/"})
    assert ">Mitra<" in client.get(reverse("home")).content.decode()


def test_numbers_use_indonesian_grouping(client, national_admin):
    from django.template import Context, Template
    from django.utils import translation

    with translation.override("id"):
        rendered = Template("{% load humanize %}{{ n|intcomma }}").render(Context({"n": 24201}))
    assert rendered == "24.201"


def test_the_home_page_explains_coverage_once_in_indonesian(client, serang_partner_admin):
    client.force_login(serang_partner_admin)
    page = client.get(reverse("home")).content.decode()
    assert page.count("Pekerja terdaftar dan aktif dibandingkan dengan jumlah potensi pekerja") == 1
