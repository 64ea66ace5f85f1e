"""Participant cards for the hand-over ceremonies: ID-1 cards (85,6 × 54 mm), ten to an A4 page.

A card carries the name, the KPJ (large, and as a QR code), the NIK masked (never whole), the
programs the person is registered in and the institution. Only a worker with a KPJ and at least
one registered, active or inactive enrolment gets one; the caller reports the others.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass

import segno
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils.translation import gettext as _
from fpdf import FPDF

from enrolment.imports.validation import mask_nik
from enrolment.models import Employment, Enrolment, Worker, restricted
from partners.models import Institution

CARD_STATUSES = [
    Enrolment.Status.REGISTERED,
    Enrolment.Status.ACTIVE,
    Enrolment.Status.INACTIVE,
]

# ID-1 cards, 2 × 5 on A4 portrait, with a gap to cut between them.
CARD_W, CARD_H = 85.6, 54.0
COLUMNS, ROWS = 2, 5
GAP_X, GAP_Y = 8.0, 3.0
MARGIN_X = (210 - COLUMNS * CARD_W - (COLUMNS - 1) * GAP_X) / 2
MARGIN_Y = (297 - ROWS * CARD_H - (ROWS - 1) * GAP_Y) / 2
PER_PAGE = COLUMNS * ROWS

GREEN = (10, 92, 54)  # #0a5c36
INK = (33, 37, 41)
MUTED = (108, 117, 125)
CUT_LINE = (190, 190, 190)
BAND_H = 9.0
PAD = 3.5
QR_SIZE = 23.0


# Typographic punctuation latin-1 lacks, as people type it in Word and Excel.
PUNCTUATION = str.maketrans(
    {"\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}
)


@dataclass(frozen=True)
class CardRow:
    worker: Worker
    institution: str
    programs: list[str]


def latin1(text: str) -> str:
    """What Helvetica (a core font, latin-1) can print: accents kept where latin-1 has them,
    stripped where it does not (Ş → S), anything else a question mark."""
    out = []
    for char in str(text).translate(PUNCTUATION):
        try:
            char.encode("latin-1")
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode("latin-1")
            base = "".join(c for c in base if not unicodedata.combining(c))
            out.append(base or "?")
        else:
            out.append(char)
    return "".join(out)


def _qr_png(kpj: str) -> io.BytesIO:
    buffer = io.BytesIO()
    segno.make(kpj, error="m").save(buffer, kind="png", scale=8, border=1)
    buffer.seek(0)
    return buffer


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """The text, cut with an ellipsis where it would run past the width."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "...") > width:
        text = text[:-1]
    return text.rstrip() + "..."


def _shrink(pdf: FPDF, text: str, width: float, style: str, size: float, smallest: float) -> str:
    """A long name or institution gets a smaller font, down to `smallest`, then an ellipsis."""
    while size > smallest:
        pdf.set_font("Helvetica", style, size)
        if pdf.get_string_width(text) <= width:
            return text
        size -= 0.5
    pdf.set_font("Helvetica", style, smallest)
    return _fit(pdf, text, width)


def _label(pdf: FPDF, x: float, y: float, text: str) -> None:
    pdf.set_font("Helvetica", "", 5.5)
    pdf.set_text_color(*MUTED)
    pdf.text(x, y, latin1(text).upper())
    pdf.set_text_color(*INK)


def _card(pdf: FPDF, x: float, y: float, row: CardRow) -> None:
    worker = row.worker
    pdf.set_draw_color(*CUT_LINE)
    pdf.set_line_width(0.2)
    pdf.rect(x, y, CARD_W, CARD_H)  # where to cut

    pdf.set_fill_color(*GREEN)
    pdf.rect(x, y, CARD_W, BAND_H, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_font("Helvetica", "B", 10)
    pdf.text(x + PAD, y + 6.2, "BPJS Ketenagakerjaan")
    pdf.set_font("Helvetica", "", 6.5)
    title = latin1(_("Participant card"))
    pdf.text(x + CARD_W - PAD - pdf.get_string_width(title), y + 6, title)

    text_w = CARD_W - 2 * PAD - QR_SIZE - 2
    left = x + PAD
    top = y + BAND_H

    _label(pdf, left, top + 4.5, _("Name"))
    pdf.text(left, top + 8.5, _shrink(pdf, latin1(worker.full_name), text_w, "B", 9, 6.5))

    _label(pdf, left, top + 13, _("KPJ number"))
    pdf.set_font("Courier", "B", 14)
    pdf.set_text_color(*GREEN)
    pdf.text(left, top + 18.5, worker.kpj)

    _label(pdf, left, top + 23, _("NIK"))
    pdf.set_font("Courier", "", 8.5)
    pdf.text(left, top + 26.5, mask_nik(worker.nik))

    _label(pdf, left, top + 31, _("Programs"))
    pdf.set_font("Helvetica", "B", 8)
    pdf.text(left, top + 34.5, _fit(pdf, " \u00b7 ".join(row.programs), text_w))

    _label(pdf, left, top + 39, _("Institution"))
    pdf.text(left, top + 42, _shrink(pdf, latin1(row.institution), CARD_W - 2 * PAD, "", 7, 5.5))

    qr_x = x + CARD_W - PAD - QR_SIZE
    pdf.image(_qr_png(worker.kpj), x=qr_x, y=top + 3, w=QR_SIZE, h=QR_SIZE)
    pdf.set_font("Helvetica", "", 5.5)
    pdf.set_text_color(*MUTED)
    caption = "KPJ " + worker.kpj
    pdf.text(qr_x + (QR_SIZE - pdf.get_string_width(caption)) / 2, top + QR_SIZE + 5.5, caption)


def cards_pdf(rows: list[CardRow], *, compress: bool = True) -> bytes:
    """Ten cards to an A4 page, left to right, top to bottom. Every row must have a KPJ."""
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_compression(compress)
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.set_title(latin1(_("Participant cards")))
    pdf.set_creator("Sinergi")
    for index, row in enumerate(rows):
        if not row.worker.kpj:
            raise ValueError("a card needs a KPJ number")
        place = index % PER_PAGE
        if place == 0:
            pdf.add_page()
        column, line = place % COLUMNS, place // COLUMNS
        _card(
            pdf,
            MARGIN_X + column * (CARD_W + GAP_X),
            MARGIN_Y + line * (CARD_H + GAP_Y),
            row,
        )
    return bytes(pdf.output())


# --- who gets a card ------------------------------------------------------------------------


def _card_enrolments() -> Prefetch:
    return Prefetch(
        "enrolments",
        queryset=Enrolment.objects.filter(status__in=CARD_STATUSES)
        .select_related("program")
        .order_by("program__sort_order", "program__code"),
        to_attr="card_enrolments",
    )


def _programs(worker: Worker) -> list[str]:
    return [e.program.code for e in worker.card_enrolments]


def _row(worker: Worker, institution: str) -> CardRow | None:
    programs = _programs(worker)
    if not worker.kpj or not programs:
        return None
    return CardRow(worker=worker, institution=institution, programs=programs)


def worker_card_row(*, worker: Worker, institutions: QuerySet[Institution]) -> CardRow | None:
    """The worker's card, naming their latest current employment among `institutions` (the
    user's scope; the latest ended one if none goes on); None when there is no card to print."""
    worker = Worker.objects.prefetch_related(_card_enrolments()).get(pk=worker.pk)
    employments = Employment.objects.filter(
        worker=worker, institution__in=institutions
    ).select_related("institution")
    employment = (
        employments.filter(ended_on__isnull=True).order_by("-start_date", "-pk").first()
        or employments.order_by("-ended_on", "-pk").first()
    )
    return _row(worker, employment.institution.name if employment else "")


def institution_card_rows(*, institution: Institution) -> tuple[list[CardRow], int]:
    """Cards for everyone employed (not ended) at the institution, by name; and how many of
    them have none yet (no KPJ or no registered enrolment). Three queries. People whose
    processing is restricted get no card and are not counted."""
    employed = Worker.objects.filter(
        Exists(
            Employment.objects.filter(
                worker=OuterRef("pk"), institution=institution, ended_on__isnull=True
            )
        )
    ).exclude(restricted())
    ready = (
        employed.exclude(kpj="")
        .filter(Exists(Enrolment.objects.filter(worker=OuterRef("pk"), status__in=CARD_STATUSES)))
        .order_by("full_name", "pk")
        .prefetch_related(_card_enrolments())
    )
    rows = [CardRow(worker, institution.name, _programs(worker)) for worker in ready]
    return rows, employed.count() - len(rows)
