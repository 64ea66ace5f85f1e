from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from ops import selectors


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For the load balancer: 200 when the database and broker answer, 503 otherwise."""
    health = selectors.service_health()
    return JsonResponse(health, status=200 if all(health.values()) else 503)


@login_required
def status(request: HttpRequest) -> HttpResponse:
    if not request.user.is_national_admin:
        raise PermissionDenied
    queues = selectors.queue_lengths()
    health = {"database": selectors.database_answers(), "broker": queues is not None}
    return render(
        request,
        "ops/status.html",
        {"health": health, "queues": queues or {}, "heartbeats": selectors.heartbeats()},
    )
