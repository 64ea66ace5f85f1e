"""The data-subject report as tables, and those tables as the page, an XLSX and a PDF.

`report_sections` turns the report into titled tables of text, once, so the page and both
downloads say the same thing. The XLSX is formula-safe (`ops.spreadsheets.xlsx_cell`); the PDF
is A4 with fpdf2's core fonts (latin-1, as the participant cards), headings repeated on every
page and the page number in the footer.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from enrolment.cards import GREEN, INK, MUTED, latin1
from ops.spreadsheets import xlsx_cell
from privacy.selectors import SubjectReport


@dataclass
class Section:
    key: str
    title: str
    headers: list[str]
    rows: list[list[str]]
    widths: list[int]  # relative widths, used by the PDF (millimetres) and the XLSX (characters)
    empty: str = ""


def _when(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%d-%m-%Y %H:%M:%S") if moment else "—"


def _day(day: dt.date | None, pattern: str = "%d-%m-%Y") -> str:
    return day.strftime(pattern) if day else "—"


def _person(user) -> str:
    return f"{user} ({user.username})" if user is not None else "—"


def report_sections(report: SubjectReport) -> list[Section]:
    employments = [
        [
            e.institution.name,
            e.work_unit,
            e.category.name,
            intcomma(e.wage),
            _day(e.start_date),
            f"{_day(e.ended_on)} ({e.get_end_reason_display()})" if e.ended_on else "—",
            e.nomor_induk or "—",
            _("Import #%(n)s") % {"n": e.source_import_id},
        ]
        for e in report.employments
    ]
    enrolments = [
        [
            e.program.code,
            e.get_status_display(),
            _day(e.registered_on),
            _day(e.paid_through, "%m-%Y"),
            f"{_day(e.ended_on)} ({e.get_end_reason_display()})" if e.ended_on else "—",
            e.agreement.title if e.agreement else "—",
            e.rejected_reason or "",
        ]
        for e in report.enrolments
    ]
    imports = [
        [
            _("Import #%(n)s") % {"n": i.pk},
            i.get_kind_display(),
            i.original_name,
            i.institution.name,
            _when(i.created_at),
            _person(i.uploaded_by),
            _when(i.applied_at),
            _person(i.applied_by),
            i.get_status_display(),
        ]
        for i in report.imports
    ]
    restrictions = [
        [
            _when(r.set_at),
            _person(r.set_by),
            r.reason,
            _when(r.lifted_at),
            _person(r.lifted_by) if r.lifted_by_id else "—",
            r.lift_reason or "—",
        ]
        for r in report.restrictions
    ]
    changes = [
        [
            _when(change.at),
            change.subject,
            change.action,
            line.label,
            line.before,
            line.after,
            change.by,
            change.ip or "—",
        ]
        for change in report.changes
        for line in (change.fields or [None])
        if line is not None
    ]
    accesses = [
        [
            _when(access.at),
            _person(access.user),
            access.action,
            access.what,
            ", ".join(access.fields) or "—",
            access.ip or "—",
            intcomma(access.rows),
        ]
        for access in report.accesses
    ]
    return [
        Section(
            "person",
            _("Personal data"),
            [_("Field"), _("Value")],
            [list(p) for p in report.person],
            [45, 135],
        ),
        Section(
            "employments",
            _("Employments"),
            [
                _("Institution"),
                _("Work unit"),
                _("Category"),
                _("Wage (Rp)"),
                _("Started on"),
                _("Ended"),
                _("NIP / NUPTK"),
                _("From import"),
            ],
            employments,
            [40, 30, 25, 18, 18, 20, 15, 14],
            _("No employments."),
        ),
        Section(
            "enrolments",
            _("Enrolments"),
            [
                _("Program"),
                _("Status"),
                _("Registered on"),
                _("Paid through"),
                _("Ended"),
                _("Agreement"),
                _("Registration refused because"),
            ],
            enrolments,
            [15, 25, 20, 18, 25, 45, 32],
            _("No enrolments yet."),
        ),
        Section(
            "imports",
            _("Files the data came from"),
            [
                _("Import"),
                _("Kind"),
                _("File name"),
                _("Institution"),
                _("Uploaded at"),
                _("Uploaded by"),
                _("Applied at"),
                _("Applied by"),
                _("Status"),
            ],
            imports,
            [14, 18, 26, 26, 19, 22, 19, 22, 14],
            _("No files."),
        ),
        Section(
            "restrictions",
            _("Restrictions of processing"),
            [_("Restricted"), _("By"), _("Reason"), _("Lifted"), _("By"), _("Reason for lifting")],
            restrictions,
            [19, 30, 60, 19, 30, 60],
            _("The processing of this person's data has never been restricted."),
        ),
        Section(
            "changes",
            _("Changes"),
            [
                _("When"),
                _("Data"),
                _("Change"),
                _("Field"),
                _("Before"),
                _("After"),
                _("By"),
                _("IP address"),
            ],
            changes,
            [19, 30, 14, 22, 26, 26, 27, 16],
            _("No changes recorded."),
        ),
        Section(
            "accesses",
            _("Accesses"),
            [
                _("When"),
                _("Who"),
                _("Action"),
                _("Page or file"),
                _("Data shown"),
                _("IP address"),
                _("People"),
            ],
            accesses,
            [19, 30, 12, 36, 56, 16, 10],
            _("No accesses recorded."),
        ),
    ]


def _title(report: SubjectReport) -> str:
    return _("Data subject report: %(name)s") % {"name": report.worker.full_name}


def _made(report: SubjectReport, made_by: str) -> str:
    return _("Made on %(when)s by %(who)s. Its making is recorded in the access log.") % {
        "when": _when(report.made_at),
        "who": made_by,
    }


# --- XLSX ------------------------------------------------------------------------------------


def subject_report_xlsx(report: SubjectReport, *, made_by: str) -> bytes:
    """One sheet per section: the section's title, then a bold, frozen header row."""
    workbook = Workbook(write_only=True)
    for section in report_sections(report):
        sheet = workbook.create_sheet(title=section.title[:31])
        for index, width in enumerate(section.widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = max(12, width * 0.9)
        sheet.freeze_panes = "A4"
        sheet.append([xlsx_cell(sheet, _title(report), bold=True)])
        sheet.append([xlsx_cell(sheet, _made(report, made_by))])
        sheet.append([xlsx_cell(sheet, header, bold=True) for header in section.headers])
        for row in section.rows:
            sheet.append([xlsx_cell(sheet, value) for value in row])
        if not section.rows:
            sheet.append([xlsx_cell(sheet, section.empty)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- PDF -------------------------------------------------------------------------------------

PAGE_WIDTH = 277  # A4 landscape, 10 mm margins: the changes and accesses need the width


class _ReportPDF(FPDF):
    def __init__(self, footer_text: str):
        super().__init__(orientation="landscape", unit="mm", format="A4")
        self.footer_text = footer_text

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font("Helvetica", "", 7)
        self.set_text_color(*MUTED)
        self.cell(0, 5, latin1(self.footer_text), align="L")
        self.set_x(self.l_margin)
        page = _("Page %(n)s of %(total)s") % {"n": self.page_no(), "total": "{nb}"}
        self.cell(0, 5, latin1(page), align="R")
        self.set_text_color(*INK)


def subject_report_pdf(report: SubjectReport, *, made_by: str) -> bytes:
    worker = report.worker
    pdf = _ReportPDF(f"Sinergi · BPJS Ketenagakerjaan · {_when(report.made_at)}")
    pdf.set_margins(10, 10, 10)
    pdf.set_auto_page_break(True, margin=14)
    pdf.set_title(latin1(_title(report)))
    pdf.set_creator("Sinergi")
    pdf.add_page()

    pdf.set_font("Helvetica", "B", 15)
    pdf.set_text_color(*GREEN)
    pdf.multi_cell(0, 8, latin1(_title(report)), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(0, 5, latin1(f"NIK {worker.nik}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(0, 5, latin1(_made(report, made_by)), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)

    headings = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=GREEN)
    for section in report_sections(report):
        if pdf.get_y() > pdf.h - pdf.b_margin - 30:  # no heading alone at the foot of a page
            pdf.add_page()
        pdf.ln(4)
        pdf.set_font("Helvetica", "B", 11)
        pdf.set_text_color(*GREEN)
        pdf.cell(0, 7, latin1(section.title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(*INK)
        pdf.set_font("Helvetica", "", 7.5)
        if not section.rows:
            pdf.set_text_color(*MUTED)
            pdf.cell(0, 5, latin1(section.empty), new_x="LMARGIN", new_y="NEXT")
            pdf.set_text_color(*INK)
            continue
        scale = PAGE_WIDTH / sum(section.widths)
        with pdf.table(
            col_widths=[width * scale for width in section.widths],
            width=PAGE_WIDTH,
            headings_style=headings,
            line_height=4,
            padding=1,
            text_align="LEFT",
            borders_layout="HORIZONTAL_LINES",
        ) as table:
            table.row([latin1(header) for header in section.headers])
            for values in section.rows:
                table.row([latin1(value) for value in values])
    return bytes(pdf.output())
