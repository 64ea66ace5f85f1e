from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from partners.selectors import Attention, attention_for, institutions_for, own_institutions

# How far ahead the attention list looks for agreements ending, as the officer picks it (`?hari=`).
WARN_DAY_CHOICES = (30, 60, 90, 180)


def _warn_days(request: HttpRequest) -> tuple[int, list[int]]:
    """The chosen window and the choices offered; anything else falls back to the default."""
    default = settings.AGREEMENT_WARN_DAYS
    choices = sorted({*WARN_DAY_CHOICES, default})
    try:
        days = int(request.GET.get("hari", default))
    except ValueError:
        days = default
    return (days if days in choices else default), choices


def _with_days(attention: Attention) -> Attention:
    """Days left, past or idle for each shown row (the lists are capped, so this stays small)."""
    today = timezone.localdate()
    now = timezone.now()
    for agreement in attention.expiring:
        agreement.days_left = (agreement.expires_on - today).days
    for agreement in attention.expired_still_active:
        agreement.days_past = (today - agreement.expires_on).days
    for follow_up in attention.overdue_follow_ups:
        follow_up.days_overdue = (today - follow_up.due_on).days
    for agreement in attention.stale_drafts:
        agreement.days_idle = (now - agreement.updated_at).days
    return attention


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {}
    if user.can_manage_partners:
        warn_days, choices = _warn_days(request)
        context["institution_count"] = institutions_for(user).count()
        context["attention"] = _with_days(
            attention_for(user=user, today=timezone.localdate(), warn_days=warn_days)
        )
        context["warn_day_choices"] = choices
        context["stale_days"] = settings.AGREEMENT_STALE_DRAFT_DAYS
    elif user.can_upload_rosters:
        context["my_institutions"] = list(own_institutions(user=user)[:20])
    return render(request, "accounts/home.html", context)
