"""A seatbelt: whatever reaches a log line, a 16-digit number (a NIK) leaves it masked."""

from __future__ import annotations

import logging
import re

_NIK = re.compile(r"(?<!\d)(\d{4})\d{8}(\d{4})(?!\d)")


def mask_niks(text: str) -> str:
    return _NIK.sub(r"\1********\2", text)


class MaskNikFilter(logging.Filter):
    """The message, and the traceback of a logged exception (a database error can quote the row
    it failed on), which handlers would otherwise format after this filter has run."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_niks(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_niks(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_niks(record.stack_info)
        return True


_TRACEBACKS = logging.Formatter()
