"""Restricting the processing of a person's data (UU 27/2022), and lifting it, from the
person's page.

National administrators and regional officers who see the worker decide (the BPJS side answers
the data subject's request); partner admins and managers who see the worker get 403, anyone else
404. The rules and the history are enrolment.services.worker_restrict / worker_restriction_lift.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enrolment import selectors, services
from enrolment.forms import RestrictionForm


def _decide(request: HttpRequest, pk: int, *, act, done: str) -> HttpResponse:
    user = request.user
    worker = selectors.worker_get(user=user, pk=pk)
    if not user.can_manage_partners:
        raise PermissionDenied
    form = RestrictionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the reason, then send the form again."))
    else:
        try:
            act(worker=worker, reason=form.cleaned_data["reason"], by=user)
        except services.EnrolmentError as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, done)
    return redirect("enrolment:worker_detail", pk=worker.pk)


@login_required
@require_POST
def worker_restrict(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        act=services.worker_restrict,
        done=_(
            "The processing of this person's data is restricted: imports skip their rows, "
            "exports leave them out and their records cannot be changed until the restriction "
            "is lifted."
        ),
    )


@login_required
@require_POST
def worker_restriction_lift(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        act=services.worker_restriction_lift,
        done=_("The restriction is lifted: the person's data is processed again."),
    )
