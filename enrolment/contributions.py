"""The monthly contribution bill of an institution: what each worker's programs cost that month.

Figures come from the effective-dated rows (`ContributionRate`, `WageCeiling`) in force on the
first day of the month, so a relief regulation or a new JP ceiling changes the bill of the months
it covers and no other. A program without a rate row that month is listed in `Bill.missing`,
never billed as zero.

A worker has one enrolment per program however many institutions employ them, so each worker's
enrolments are billed at one institution a month: their *primary employer* that month. Among the
worker's employments that run during the month (started by its last day, not ended before its
first), that is the institution of the one that started first, the lowest employment id breaking
a tie. The other institutions' bills leave those workers out and count them in
`Bill.billed_elsewhere`. The wage basis stays the wage at the billed institution (the sum of its
work units), or the agreement's flat wage.

A worker whose processing is restricted (UU 27/2022) stays on the bill with their amounts, since
the contribution is owed by law and leaving it unpaid would end the person's protection; but their
line names no one (no name, NIK or KPJ), so the bill page and file disclose nothing more about them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from enrolment.imports.validation import mask_nik
from enrolment.models import (
    ContributionRate,
    Employment,
    Enrolment,
    Segment,
    WageCeiling,
    restricted,
)
from partners.models import Institution

BILLED = (Enrolment.Status.REGISTERED, Enrolment.Status.ACTIVE, Enrolment.Status.INACTIVE)
PAYERS = tuple(ContributionRate.Payer.values)  # employer, worker, government
DEFAULT_RISK_CLASS = 1
CAPPED_PROGRAMS = ("JP",)  # programs whose wage basis is capped by a `WageCeiling`


def month_end(month: dt.date) -> dt.date:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def rupiah(amount: Decimal) -> int:
    """Whole Rupiah, half up (Rp0,50 → Rp1): applied to each payer's amount of each line."""
    return int(amount.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def line_amount(*, base: Decimal, percent: Decimal | None, flat: Decimal | None) -> int:
    """One payer's contribution on one line: a percentage of the base, or a flat amount."""
    if flat is not None:
        return rupiah(flat)
    return rupiah(base * percent / Decimal(100))


@dataclass(frozen=True)
class BillLine:
    worker_id: int
    name: str
    nik: str  # masked: 3673********0001
    kpj: str
    program: str
    wage_basis: int  # the actual wage, or the agreement's flat wage
    base: int  # the wage basis after the program's ceiling (JP)
    amounts: dict[str, int]  # per payer
    total: int


@dataclass(frozen=True)
class RateUsed:
    program: str
    payer: str
    risk_class: int | None
    percent: Decimal | None
    flat_amount: Decimal | None
    valid_from: dt.date
    valid_to: dt.date | None
    legal_basis: str
    needs_verification: bool

    @property
    def percent_shown(self) -> Decimal | None:
        """0.2400 → 0.24, 10.0000 → 10: without the trailing zeros of the column."""
        return None if self.percent is None else Decimal(format(self.percent.normalize(), "f"))

    @property
    def payer_label(self) -> str:
        return str(ContributionRate.Payer(self.payer).label)


@dataclass
class Bill:
    institution: Institution
    month: dt.date
    lines: list[BillLine] = field(default_factory=list)
    totals: dict[str, dict[str, int]] = field(default_factory=dict)  # program → payer/total
    payer_totals: dict[str, int] = field(default_factory=dict)
    grand_total: int = 0
    rates_used: list[RateUsed] = field(default_factory=list)
    ceilings_used: list[WageCeiling] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # program codes (JKK with its risk class)
    pending_count: int = 0
    workers: int = 0
    billed_elsewhere: int = 0  # workers employed here whose primary employer is another institution

    @property
    def payers(self) -> list[str]:
        """The payers that owe anything this month, in their usual order."""
        return [payer for payer in PAYERS if payer in self.payer_totals]


def _running(start: dt.date, end: dt.date) -> Q:
    """Employments during the month: started by its end, not ended before it."""
    return Q(start_date__lte=end) & (Q(ended_on__isnull=True) | Q(ended_on__gte=start))


def _employments(institution: Institution, start: dt.date, end: dt.date):
    """Employments at the institution during the month, each with the worker's primary employer.

    `primary_institution_id` is the institution of the worker's employment, anywhere, that runs
    during the month and started first (the lowest id breaking a tie): where the worker is billed.
    """
    primary = (
        Employment.objects.filter(_running(start, end), worker_id=OuterRef("worker_id"))
        .order_by("start_date", "pk")
        .values("institution_id")[:1]
    )
    return Employment.objects.filter(_running(start, end), institution=institution).annotate(
        primary_institution_id=Subquery(primary)
    )


def _wages(institution: Institution, start: dt.date, end: dt.date) -> tuple[dict[int, dict], int]:
    """Per worker billed at the institution in the month: name, NIK, KPJ and wage; and the number
    of workers employed there in the month but billed at their primary employer elsewhere.

    A worker in two work units of the same institution has one wage there: their sum.
    """
    employments = (
        _employments(institution, start, end)
        .annotate(is_restricted=restricted("worker_id"))
        .values_list(
            "worker_id",
            "wage",
            "worker__full_name",
            "worker__nik",
            "worker__kpj",
            "primary_institution_id",
            "is_restricted",
        )
    )
    workers: dict[int, dict] = {}
    elsewhere: set[int] = set()
    for worker_id, wage, name, nik, kpj, primary_id, is_restricted in employments:
        if primary_id != institution.pk:
            elsewhere.add(worker_id)
        elif worker_id in workers:
            workers[worker_id]["wage"] += wage
        elif is_restricted:  # billed, named nowhere
            hidden = _("(processing restricted)")
            workers[worker_id] = {"wage": wage, "name": hidden, "nik": "", "kpj": ""}
        else:
            workers[worker_id] = {"wage": wage, "name": name, "nik": nik, "kpj": kpj}
    return workers, len(elsewhere)


def contribution_bill(*, institution: Institution, month: dt.date) -> Bill:
    """The bill of `month` (its first day) in four queries, whatever the number of workers.

    Billed: enrolments registered, active or inactive (arrears) registered by the month's end, of
    workers whose primary employer in the month is the institution: of the worker's employments
    running during the month (started by its end, not ended before its start), the one with the
    earliest start date, then the lowest id. Workers employed here whose primary employer is
    another institution are billed there and only counted here, in `billed_elsewhere`. Pending
    enrolments of the workers billed here are counted, not billed. Each payer's amount of each
    line is rounded to whole Rupiah, half up; totals add the rounded amounts, as the payment slip
    does.
    """
    start = month.replace(day=1)
    end = month_end(start)
    bill = Bill(institution=institution, month=start)
    workers, bill.billed_elsewhere = _wages(institution, start, end)
    employed = (
        _employments(institution, start, end)
        .filter(primary_institution_id=institution.pk)
        .values("worker_id")
    )
    enrolments = list(
        Enrolment.objects.filter(worker_id__in=employed)
        .filter(Q(status__in=BILLED, registered_on__lte=end) | Q(status=Enrolment.Status.PENDING))
        .values_list(
            "worker_id",
            "program__code",
            "status",
            "agreement__flat_wage",
            "agreement__jkk_risk_class",
        )
    )
    rates: dict[tuple[str, int | None], list[ContributionRate]] = defaultdict(list)
    order: dict[str, tuple[int, str]] = {}
    for rate in (
        ContributionRate.objects.valid_on(start)
        .filter(segment=Segment.WAGE_EARNER)
        .select_related("program")
    ):
        rates[(rate.program.code, rate.risk_class)].append(rate)
        order[rate.program.code] = (rate.program.sort_order, rate.program.code)
    ceilings = {
        ceiling.program.code: ceiling
        for ceiling in WageCeiling.objects.valid_on(start).select_related("program")
    }

    used: dict[int, ContributionRate] = {}
    ceilings_used: dict[int, WageCeiling] = {}
    missing: set[str] = set()
    lines = []
    for worker_id, program, status, flat_wage, risk_class in enrolments:
        if status == Enrolment.Status.PENDING:
            bill.pending_count += 1
            continue
        worker = workers.get(worker_id)
        if worker is None:  # employed after the wages were read: next time
            continue
        key_class = (risk_class or DEFAULT_RISK_CLASS) if program == "JKK" else None
        program_rates = rates.get((program, key_class))
        if not program_rates:
            missing.add(f"{program} {key_class}" if key_class else program)
            continue
        wage_basis = Decimal(flat_wage) if flat_wage is not None else Decimal(worker["wage"])
        base = wage_basis
        if program in CAPPED_PROGRAMS:
            ceiling = ceilings.get(program)
            if ceiling is None:
                missing.add(program)
                continue
            base = min(base, ceiling.amount)
            ceilings_used[ceiling.pk] = ceiling
        amounts: dict[str, int] = defaultdict(int)
        for rate in program_rates:
            amounts[rate.payer] += line_amount(
                base=base, percent=rate.percent, flat=rate.flat_amount
            )
            used[rate.pk] = rate
        lines.append(
            BillLine(
                worker_id=worker_id,
                name=worker["name"],
                nik=mask_nik(worker["nik"]),
                kpj=worker["kpj"],
                program=program,
                wage_basis=rupiah(wage_basis),
                base=rupiah(base),
                amounts=dict(amounts),
                total=sum(amounts.values()),
            )
        )

    lines.sort(key=lambda line: (line.name.casefold(), line.worker_id, order[line.program]))
    bill.lines = lines
    bill.workers = len({line.worker_id for line in lines})
    for line in lines:
        program_total = bill.totals.setdefault(line.program, {"total": 0})
        for payer, amount in line.amounts.items():
            program_total[payer] = program_total.get(payer, 0) + amount
            bill.payer_totals[payer] = bill.payer_totals.get(payer, 0) + amount
        program_total["total"] += line.total
    bill.totals = dict(sorted(bill.totals.items(), key=lambda item: order[item[0]]))
    bill.grand_total = sum(line.total for line in lines)
    bill.rates_used = [
        RateUsed(
            program=rate.program.code,
            payer=rate.payer,
            risk_class=rate.risk_class,
            percent=rate.percent,
            flat_amount=rate.flat_amount,
            valid_from=rate.valid_from,
            valid_to=rate.valid_to,
            legal_basis=rate.legal_basis,
            needs_verification=rate.needs_verification,
        )
        for rate in sorted(
            used.values(),
            key=lambda r: (order[r.program.code], r.risk_class or 0, PAYERS.index(r.payer)),
        )
    ]
    bill.ceilings_used = list(ceilings_used.values())
    bill.missing = sorted(missing)
    return bill
