from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from regions.models import Office, OfficeArea, Province, Regency


def province_list() -> QuerySet[Province]:
    """Reference data, the same for every signed-in user, with the Kanwil serving each province."""
    today = timezone.localdate()
    kanwil_areas = (
        OfficeArea.objects.valid_on(today)
        .filter(office__kind=Office.Kind.REGIONAL, province__isnull=False)
        .select_related("office")
    )
    return (
        Province.objects.annotate(
            kabupaten_count=Count("regencies", filter=Q(regencies__kind=Regency.Kind.KABUPATEN)),
            kota_count=Count("regencies", filter=Q(regencies__kind=Regency.Kind.KOTA)),
        )
        .prefetch_related(Prefetch("officearea_set", queryset=kanwil_areas, to_attr="kanwil_areas"))
        .order_by("code")
    )  # Meta.ordering does not apply to aggregate queries


def province_get(*, code: str) -> Province:
    return get_object_or_404(Province, code=code)


def regencies_of(*, province: Province) -> QuerySet[Regency]:
    return province.regencies.annotate(district_count=Count("districts")).order_by("code")
