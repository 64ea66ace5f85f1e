from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from regions import selectors


@login_required
def province_list(request: HttpRequest) -> HttpResponse:
    provinces = list(selectors.province_list())
    source = provinces[0].source if provinces else ""
    return render(request, "regions/province_list.html", {"provinces": provinces, "source": source})


@login_required
def province_detail(request: HttpRequest, code: str) -> HttpResponse:
    province = selectors.province_get(code=code)
    regencies = selectors.regencies_of(province=province)
    return render(
        request, "regions/province_detail.html", {"province": province, "regencies": regencies}
    )
