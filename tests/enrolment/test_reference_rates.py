import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError

from enrolment.models import ContributionRate, Program, WageCeiling, WorkerCategory


def employer_percent(program: str, day: dt.date, risk_class=None) -> Decimal:
    rate = ContributionRate.objects.valid_on(day).get(
        program__code=program, segment="PU", payer="employer", risk_class=risk_class
    )
    return rate.percent


def test_the_five_programs_and_nine_worker_categories_are_loaded(reference_data):
    assert list(Program.objects.values_list("code", flat=True)) == [
        "JKK",
        "JKM",
        "JHT",
        "JP",
        "JKP",
    ]
    assert WorkerCategory.objects.get(code="PENYULUH_AGAMA").name == "Penyuluh Agama non-PNS"
    assert WorkerCategory.objects.count() == 9


def test_kemenag_honorer_on_flat_two_million_with_jkk_class_1_and_jkm_costs_10800(reference_data):
    day = dt.date(2026, 11, 1)
    wage = Decimal("2000000")
    total = wage * (employer_percent("JKK", day, risk_class=1) + employer_percent("JKM", day)) / 100
    assert total == Decimal("10800")


def test_the_2020_relief_cut_jkk_and_jkm_by_99_percent(reference_data):
    day = dt.date(2020, 10, 1)
    assert employer_percent("JKK", day, risk_class=1) == Decimal("0.0024")
    assert employer_percent("JKM", day) == Decimal("0.0030")
    relief = ContributionRate.objects.valid_on(day).get(program__code="JKM", segment="PU")
    assert relief.legal_basis.startswith("PP 49/2020")


def test_the_jp_ceiling_in_force_depends_on_the_day(reference_data):
    jp = WageCeiling.objects.filter(program__code="JP")
    assert jp.valid_on(dt.date(2024, 12, 1)).get().amount == Decimal("10042300")
    assert jp.valid_on(dt.date(2025, 3, 1)).get().amount == Decimal("10547400")
    assert jp.valid_on(dt.date(2025, 3, 1)).get().needs_verification


def test_two_rates_for_the_same_day_are_refused_by_the_database(reference_data):
    jkm = Program.objects.get(code="JKM")
    with pytest.raises(IntegrityError):
        ContributionRate.objects.create(
            program=jkm,
            segment="PU",
            payer="employer",
            percent=Decimal("0.5"),
            valid_from=dt.date(2026, 1, 1),
            legal_basis="test",
        )


def test_a_rate_is_a_percentage_or_a_flat_amount_never_both(reference_data):
    jkm = Program.objects.get(code="JKM")
    with pytest.raises(IntegrityError):
        ContributionRate.objects.create(
            program=jkm,
            segment="BPU",
            payer="employer",
            percent=Decimal("1"),
            flat_amount=Decimal("6800"),
            valid_from=dt.date(2030, 1, 1),
            legal_basis="test",
        )
