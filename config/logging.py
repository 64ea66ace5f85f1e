"""A seatbelt: whatever reaches a log line, a 16-digit number (a NIK) leaves it masked."""

from __future__ import annotations

import logging
import re

_NIK = re.compile(r"(?<!\d)(\d{4})\d{8}(\d{4})(?!\d)")


def mask_niks(text: str) -> str:
    return _NIK.sub(r"\1********\2", text)


class MaskNikFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_niks(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
