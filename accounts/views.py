from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from partners.selectors import institutions_for, own_institutions


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {}
    if user.can_manage_partners:
        context["institution_count"] = institutions_for(user).count()
    elif user.can_upload_rosters:
        context["my_institutions"] = list(own_institutions(user=user)[:20])
    return render(request, "accounts/home.html", context)
