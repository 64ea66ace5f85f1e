import logging

from config.logging import MaskNikFilter, mask_niks


def test_a_nik_in_a_log_message_is_masked():
    assert (
        mask_niks("row 12: NIK 3601234567890001 duplicate")
        == "row 12: NIK 3601********0001 duplicate"
    )


def test_longer_numbers_and_shorter_ones_are_left_alone():
    assert (
        mask_niks("KPJ 12345678901 and 12345678901234567")
        == "KPJ 12345678901 and 12345678901234567"
    )


def test_the_filter_masks_arguments_too():
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "worker %s", ("3601234567890001",), None
    )
    MaskNikFilter().filter(record)
    assert record.getMessage() == "worker 3601********0001"


def test_the_filter_masks_the_traceback_of_a_logged_exception(caplog):
    logger = logging.getLogger("tests.masked")
    logger.addFilter(MaskNikFilter())
    try:
        raise ValueError('COPY enrolment_stagedrow, line 1: "3601234567890001\tSiti"')
    except ValueError:
        with caplog.at_level(logging.ERROR, logger="tests.masked"):
            logger.exception("roster import %s: the check failed", 12)
    finally:
        logger.filters.clear()

    assert "3601********0001" in caplog.text and "3601234567890001" not in caplog.text
