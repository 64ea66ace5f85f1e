"""Error reports to operators name the place and the kind of failure, never the person."""

from __future__ import annotations

import logging
import sys

from django.core import mail
from django.test import RequestFactory, override_settings
from django.utils.log import AdminEmailHandler

NIK = "3273014101900001"


def _failing_import_step(row):
    wage = row["UPAH"]  # a local variable the report must not show
    assert wage
    # A message with a NIK in it (a database error's detail may name the key) is masked.
    raise ValueError(f"row {row['NIK']} could not be read")


def _report(request) -> mail.EmailMessage:
    try:
        _failing_import_step(dict(ROW))
    except ValueError:
        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "django.request",
        logging.ERROR,
        __file__,
        1,
        "Internal Server Error: %s",
        (request.path,),
        exc_info,
    )
    record.request = request
    AdminEmailHandler(include_html=True).emit(record)
    return mail.outbox[-1]


@override_settings(ADMINS=[("Operator", "ops@example.go.id")], DEBUG=False)
def test_the_report_e_mailed_to_operators_holds_no_nik_name_or_wage(db):
    request = RequestFactory().post(f"/pekerja/?q={NIK}", FORM)
    message = _report(request)
    texts = [message.body, message.subject, *(body for body, _type in message.alternatives)]
    for text in texts:
        assert NIK not in text
        assert "Siti Aminah" not in text
        assert "2.750.000" not in text and "2750000" not in text
    # What an operator needs is still there: where it failed and what kind of failure.
    assert "_failing_import_step" in message.body and "ValueError" in message.body
    assert "3273********0001" in message.body


# Down here, away from the frames: a report shows the source lines around each of them.
ROW = {"NIK": NIK, "NAMA_LENGKAP": "Siti Aminah", "UPAH": "2.750.000"}
FORM = {"nik": NIK, "nama": "Siti Aminah", "upah": "2750000"}
