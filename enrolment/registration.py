"""The registration desk's file: workers whose enrolments wait to be registered at BPJS.

The file goes into BPJS's core system and comes back with the KPJ, the registration date or the
reason for refusal (read by the results import), so its layout is a contract: `LAYOUT` lists the
columns in order, the "Keterangan" sheet of every file repeats it, and README.md documents it.
Change it only together with the results import.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from enrolment.models import Employment, Enrolment, restricted
from ops.spreadsheets import xlsx_cell
from partners.models import Agreement, Institution

LAYOUT: list[tuple[str, str]] = [
    ("NIK", gettext_lazy("National identity number, 16 digits, as text.")),
    ("NAMA_LENGKAP", gettext_lazy("Full name, as on the roster.")),
    ("TANGGAL_LAHIR", gettext_lazy("Date of birth, DD-MM-YYYY.")),
    ("JENIS_KELAMIN", gettext_lazy("Sex: L (male) or P (female).")),
    (
        "NPP",
        gettext_lazy(
            "Employer registration number (8 digits, as text), from the institution's record "
            "in Sinergi; empty when the institution has none yet."
        ),
    ),
    ("DIVISI", gettext_lazy("NPP division of the institution, from its record in Sinergi.")),
    (
        "UPAH",
        gettext_lazy(
            "Wage in whole Rupiah: the agreement's flat wage when the enrolment's agreement has "
            "one, otherwise the wage on the roster."
        ),
    ),
    (
        "PROGRAM",
        gettext_lazy(
            "Programs waiting for registration, comma-separated codes, for example JKK,JKM,JHT."
        ),
    ),
    ("KODE_LEMBAGA", gettext_lazy("Short code of the institution in Sinergi.")),
    ("KPJ", gettext_lazy("Filled in by the registration desk: the KPJ number, 11 digits.")),
    (
        "TGL_TERDAFTAR",
        gettext_lazy("Filled in by the registration desk: the registration date, DD-MM-YYYY."),
    ),
    (
        "ALASAN_TOLAK",
        gettext_lazy(
            "Filled in by the registration desk when the registration is refused: the reason."
        ),
    ),
]
HEADERS = [header for header, _description in LAYOUT]
# Identifiers keep their leading zeros and all their digits; the desk's dates stay as typed.
TEXT_COLUMNS = {"NIK", "NPP", "KPJ", "TGL_TERDAFTAR", "ALASAN_TOLAK"}
SHEET = "Pendaftaran"
NOTES_SHEET = "Keterangan"
DATE_FORMAT = "%d-%m-%Y"


@dataclass(frozen=True)
class PendingRegistration:
    worker_id: int  # not in the file: the access log names the people it held
    nik: str
    name: str
    birth_date: dt.date
    sex: str
    npp: str
    division: str
    wage: int
    programs: list[str]
    institution_code: str

    def cells(self) -> list[object]:
        return [
            self.nik,
            self.name,
            self.birth_date.strftime(DATE_FORMAT),
            self.sex,
            self.npp,
            self.division,
            self.wage,
            ",".join(self.programs),
            self.institution_code,
            None,
            None,
            None,
        ]


def institution_and_below(root: Institution) -> set[int]:
    """An institution and those under it: one query per level of the tree."""
    seen = frontier = {root.pk}
    while frontier:
        frontier = (
            set(Institution.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            - seen
        )
        seen = seen | frontier
    return seen


def _whole_rupiah(amount: Decimal | int) -> int:
    return int(Decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def pending_registrations(
    *,
    institution: Institution | None = None,
    agreement: Agreement | None = None,
    today: dt.date | None = None,
) -> list[PendingRegistration]:
    """One row per worker with a pending enrolment and a running employment at the institution,
    or, for an agreement, a pending enrolment of that agreement and a running employment at the
    agreement's institution or one under it (a worker employed at two of them is one row per
    employer: each NPP registers its own). Ordered by name, in one query (plus one per level of
    the institution tree for an agreement)."""
    if (institution is None) == (agreement is None):
        raise ValueError("give either an institution or an agreement")
    today = today or timezone.localdate()
    pending = Enrolment.objects.filter(
        worker=OuterRef("worker_id"), status=Enrolment.Status.PENDING
    ).order_by()
    if agreement is not None:
        pending = pending.filter(agreement=agreement)
        employers = Q(institution_id__in=institution_and_below(agreement.institution))
    else:
        employers = Q(institution=institution)
    programs = (
        pending.values("worker")
        .annotate(
            codes=ArrayAgg("program__code", order_by=("program__sort_order", "program__code"))
        )
        .values("codes")
    )
    flat_wage = pending.values("worker").annotate(flat=Max("agreement__flat_wage")).values("flat")
    found = (
        Employment.objects.filter(employers)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
        .filter(Exists(pending))
        .exclude(restricted("worker_id"))  # a restricted person is not sent to be registered
        .values(
            "worker_id",
            "worker__nik",
            "worker__full_name",
            "worker__birth_date",
            "worker__sex",
            "institution_id",
            "institution__npp",
            "institution__npp_division",
            "institution__code",
        )
        # Two work units at one institution are one person to register: the higher wage counts.
        .annotate(wage=Max("wage"), programs=Subquery(programs), flat_wage=Subquery(flat_wage))
        .order_by("worker__full_name", "worker__nik", "institution_id")
    )
    return [
        PendingRegistration(
            worker_id=row["worker_id"],
            nik=row["worker__nik"],
            name=row["worker__full_name"],
            birth_date=row["worker__birth_date"],
            sex=row["worker__sex"],
            npp=row["institution__npp"],
            division=row["institution__npp_division"],
            wage=_whole_rupiah(row["flat_wage"] if row["flat_wage"] is not None else row["wage"]),
            programs=row["programs"],
            institution_code=row["institution__code"] or "",
        )
        for row in found
    ]


def _return_instructions() -> list[str]:
    return [
        _("How to return this file"),
        _("1. For each registered worker fill in KPJ (11 digits) and TGL_TERDAFTAR (DD-MM-YYYY)."),
        _("2. For a refused registration leave KPJ empty and write the reason in ALASAN_TOLAK."),
        _(
            "3. Do not change NIK or the other columns, and do not add, remove or reorder "
            "columns: rows are matched by NIK."
        ),
        _("4. Keep the NIK, NPP and KPJ columns formatted as Text, then send the file back."),
    ]


def pending_registrations_xlsx(rows: list[PendingRegistration], *, title: str) -> bytes:
    """Sheet "Pendaftaran" in the order of `LAYOUT` (header bold and frozen, identifiers as text)
    and sheet "Keterangan" describing each column and how to return the file."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=SHEET)
    widths = [max(len(header), 12) + 2 for header in HEADERS]
    widths[HEADERS.index("NIK")] = 20
    widths[HEADERS.index("NAMA_LENGKAP")] = max(
        [len(header) for header in HEADERS] + [min(len(row.name), 50) for row in rows[:1000]]
    )
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([xlsx_cell(sheet, header, bold=True) for header in HEADERS])
    for row in rows:
        cells = []
        for header, value in zip(HEADERS, row.cells(), strict=True):
            cell = xlsx_cell(sheet, value)
            if header in TEXT_COLUMNS:
                cell.number_format = "@"
            cells.append(cell)
        sheet.append(cells)

    notes = workbook.create_sheet(title=NOTES_SHEET)
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["B"].width = 100
    notes.append([xlsx_cell(notes, title, bold=True)])
    notes.append([])
    notes.append(
        [xlsx_cell(notes, _("Column"), bold=True), xlsx_cell(notes, _("Meaning"), bold=True)]
    )
    for header, description in LAYOUT:
        notes.append([xlsx_cell(notes, header), xlsx_cell(notes, str(description))])
    notes.append([])
    heading, *steps = _return_instructions()
    notes.append([xlsx_cell(notes, heading, bold=True)])
    for step in steps:
        notes.append([xlsx_cell(notes, step)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
