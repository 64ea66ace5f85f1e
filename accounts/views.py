from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.scope import scope_for
from accounts.selectors import role_assignments_of
from partners.selectors import institutions_for, own_institutions


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    scope = scope_for(user)
    context = {
        "assignments": role_assignments_of(user=user),
        "scope": scope,
        "institution_count": institutions_for(user).count() if not scope.is_empty else 0,
    }
    if not user.can_manage_partners and user.can_upload_rosters:
        context["my_institutions"] = list(own_institutions(user=user)[:20])
    return render(request, "accounts/home.html", context)
