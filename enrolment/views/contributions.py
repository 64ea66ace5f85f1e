"""The monthly contribution bill of one institution: on screen and as XLSX."""

from __future__ import annotations

import datetime as dt

import tablib
from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import AccessLog, PersonalField
from accounts.services import access_log_record
from enrolment.contributions import Bill, contribution_bill
from enrolment.models import ContributionRate
from ops.spreadsheets import spreadsheet_response
from partners.models import Institution
from partners.selectors import institution_get
from partners.views.common import require_reader

PER_PAGE = 100
FIRST_MONTH = dt.date(2015, 7, 1)  # the programs' rates start with PP 44/2015


class BillMonthForm(forms.Form):
    bulan = forms.CharField(
        label=gettext_lazy("Month"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "class": "form-control"}),
    )

    def clean_bulan(self) -> dt.date:
        value = self.cleaned_data["bulan"].strip()
        if not value:
            return timezone.localdate().replace(day=1)
        try:
            month = dt.datetime.strptime(value, "%Y-%m").date()
        except ValueError:
            raise forms.ValidationError(
                _("Enter the month as year and month, for example 2026-11."), code="invalid"
            ) from None
        if month < FIRST_MONTH or month.year > timezone.localdate().year + 1:
            raise forms.ValidationError(
                _("Choose a month from July 2015 to next year."), code="out_of_range"
            )
        return month


def _month(request: HttpRequest) -> tuple[BillMonthForm, dt.date | None]:
    # Without a month in the address, this month, shown in the field as well.
    data = request.GET if request.GET.get("bulan") else {"bulan": f"{timezone.localdate():%Y-%m}"}
    form = BillMonthForm(data)
    if not form.is_valid():
        return form, None
    return form, form.cleaned_data["bulan"]


def _institution(request: HttpRequest, institution_pk: int) -> Institution:
    require_reader(request.user)
    return institution_get(user=request.user, pk=institution_pk)


# What a bill line shows in full (the NIK is masked): name, KPJ, wage basis, programs.
BILL_FIELDS = [
    PersonalField.FULL_NAME,
    PersonalField.KPJ,
    PersonalField.WAGE,
    PersonalField.ENROLMENT,
]


def _log(request: HttpRequest, action: str, bill: Bill, lines) -> None:
    """Names and masked NIKs are personal data: each view and export leaves an access row
    naming the people of the lines shown (a page) or written (the file)."""
    access_log_record(
        user=request.user,
        action=action,
        what=f"contribution bill {bill.month:%Y-%m} of institution {bill.institution.pk}",
        fields=BILL_FIELDS,
        workers=[line.worker_id for line in lines],
        request=request,
    )


def _payer_label(payer: str) -> str:
    return str(ContributionRate.Payer(payer).label)


@login_required
def contribution_bill_view(request: HttpRequest, institution_pk: int) -> HttpResponse:
    institution = _institution(request, institution_pk)
    form, month = _month(request)
    context = {"institution": institution, "form": form, "bill": None}
    if month is not None:
        bill = contribution_bill(institution=institution, month=month)
        payers = bill.payers or ["employer", "worker"]
        page = Paginator(bill.lines, PER_PAGE).get_page(request.GET.get("page"))
        _log(request, AccessLog.Action.VIEW, bill, page.object_list)
        context |= {
            "bill": bill,
            "page": page,
            "payers": [_payer_label(payer) for payer in payers],
            "rows": [(line, [line.amounts.get(payer, 0) for payer in payers]) for line in page],
            "program_totals": [
                (program, [totals.get(payer, 0) for payer in payers], totals["total"])
                for program, totals in bill.totals.items()
            ],
            "payer_totals": [bill.payer_totals.get(payer, 0) for payer in payers],
            "bulan": f"{month:%Y-%m}",
        }
    return render(request, "enrolment/contribution_bill.html", context)


def billed_elsewhere_note(bill: Bill) -> str:
    """One sentence for the workers employed here but billed at their primary employer."""
    count = bill.billed_elsewhere
    return ngettext(
        "%(shown)s worker also works at another institution and is billed there.",
        "%(shown)s workers also work at another institution and are billed there.",
        count,
    ) % {"shown": intcomma(count)}


def bill_dataset(bill: Bill) -> tablib.Dataset:
    """The lines, then one total row per program, per payer and the grand total; under them, when
    some workers are billed at another institution, a row that says how many."""
    payers = bill.payers or ["employer", "worker"]
    headers = [
        _("Name"),
        _("NIK"),
        _("KPJ"),
        _("Program"),
        _("Wage basis (Rp)"),
        _("Contribution base (Rp)"),
        *[_payer_label(payer) for payer in payers],
        _("Total (Rp)"),
    ]
    dataset = tablib.Dataset(headers=headers, title=f"{bill.month:%Y-%m}")
    for line in bill.lines:
        dataset.append(
            [
                line.name,
                line.nik,
                line.kpj,
                line.program,
                line.wage_basis,
                line.base,
                *[line.amounts.get(payer, 0) for payer in payers],
                line.total,
            ]
        )
    for program, totals in bill.totals.items():
        label = _("Total %(program)s") % {"program": program}
        dataset.append(
            [
                label,
                "",
                "",
                program,
                None,
                None,
                *[totals.get(p, 0) for p in payers],
                totals["total"],
            ]
        )
    dataset.append(
        [
            _("Grand total"),
            "",
            "",
            "",
            None,
            None,
            *[bill.payer_totals.get(payer, 0) for payer in payers],
            bill.grand_total,
        ]
    )
    if bill.billed_elsewhere:
        note = billed_elsewhere_note(bill)
        dataset.append([note, "", "", "", None, None, *[None for _payer in payers], None])
    return dataset


@login_required
def contribution_bill_export(request: HttpRequest, institution_pk: int) -> HttpResponse:
    institution = _institution(request, institution_pk)
    form, month = _month(request)
    if month is None:
        context = {"institution": institution, "form": form, "bill": None}
        return render(request, "enrolment/contribution_bill.html", context, status=400)
    bill = contribution_bill(institution=institution, month=month)
    _log(request, AccessLog.Action.EXPORT, bill, bill.lines)
    return spreadsheet_response(
        bill_dataset(bill), fmt="xlsx", basename=f"iuran-{institution.pk}-{month:%Y-%m}"
    )
