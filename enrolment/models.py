"""Programs, worker categories and the regulated figures behind contributions.

Rates and ceilings are effective-dated rows with their legal basis, never constants in code: a
relief regulation or the yearly JP ceiling is a new row, and the database refuses two rows that
would both apply on the same day. Workers, employments and enrolments arrive with the enrolment issue.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.db import models
from django.db.models import Func, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _


class DateRange(Func):
    """daterange(valid_from, valid_to, '[]'): an open end (NULL) runs for ever."""

    function = "DATERANGE"
    output_field = DateRangeField()


class EffectiveQuerySet(models.QuerySet):
    def valid_on(self, day: dt.date):
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day)


class Program(models.Model):
    code = models.CharField(_("code"), max_length=5, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")

    def __str__(self) -> str:
        return self.code


class WorkerCategory(models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("worker category")
        verbose_name_plural = _("worker categories")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z][A-Z_]*$"), name="category_code_upper"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Segment(models.TextChoices):
    WAGE_EARNER = "PU", _("Wage earner (Penerima Upah)")
    INFORMAL = "BPU", _("Informal worker (Bukan Penerima Upah)")


class ContributionRate(models.Model):
    """What one payer owes for one program on a day: a percentage of a base, or a flat amount."""

    class Payer(models.TextChoices):
        EMPLOYER = "employer", _("Employer")
        WORKER = "worker", _("Worker")
        GOVERNMENT = "government", _("Government")

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="rates")
    segment = models.CharField(_("segment"), max_length=3, choices=Segment.choices)
    risk_class = models.PositiveSmallIntegerField(
        _("JKK risk class"), null=True, blank=True, help_text=_("1–5, for JKK of wage earners only")
    )
    payer = models.CharField(_("payer"), max_length=10, choices=Payer.choices)
    percent = models.DecimalField(
        _("percent of wage"), max_digits=7, decimal_places=4, null=True, blank=True
    )
    flat_amount = models.DecimalField(
        _("flat amount (Rp)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=200)
    note = models.CharField(_("note"), max_length=300, blank=True)
    needs_verification = models.BooleanField(
        _("needs verification"),
        default=False,
        help_text=_("Figure found in only one weak source; an administrator should confirm it."),
    )

    objects = EffectiveQuerySet.as_manager()

    class Meta:
        ordering = ["program__sort_order", "segment", "risk_class", "payer", "valid_from"]
        verbose_name = _("contribution rate")
        verbose_name_plural = _("contribution rates")
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__isnull=False, flat_amount__isnull=True)
                | Q(percent__isnull=True, flat_amount__isnull=False),
                name="rate_percent_xor_flat",
            ),
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | Q(percent__gte=0, percent__lte=100),
                name="rate_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(risk_class__isnull=True) | Q(risk_class__gte=1, risk_class__lte=5),
                name="rate_risk_class_range",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="rate_dates_in_order",
            ),
            ExclusionConstraint(
                name="rate_no_overlapping_periods",
                expressions=[
                    ("program", RangeOperators.EQUAL),
                    ("segment", RangeOperators.EQUAL),
                    (Coalesce("risk_class", Value(0)), RangeOperators.EQUAL),
                    ("payer", RangeOperators.EQUAL),
                    (DateRange("valid_from", "valid_to", Value("[]")), RangeOperators.OVERLAPS),
                ],
            ),
        ]

    def __str__(self) -> str:
        amount = f"{self.percent}%" if self.percent is not None else f"Rp{self.flat_amount}"
        return (
            f"{self.program} {self.segment} {self.get_payer_display()} {amount} ({self.valid_from})"
        )


class WageCeiling(models.Model):
    """The most wage a program's contribution is computed on (JP), from a date."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="ceilings")
    amount = models.DecimalField(_("ceiling (Rp)"), max_digits=14, decimal_places=2)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=200)
    needs_verification = models.BooleanField(_("needs verification"), default=False)

    objects = EffectiveQuerySet.as_manager()

    class Meta:
        ordering = ["program__sort_order", "valid_from"]
        verbose_name = _("wage ceiling")
        verbose_name_plural = _("wage ceilings")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ceiling_positive"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="ceiling_dates_in_order",
            ),
            ExclusionConstraint(
                name="ceiling_no_overlapping_periods",
                expressions=[
                    ("program", RangeOperators.EQUAL),
                    (DateRange("valid_from", "valid_to", Value("[]")), RangeOperators.OVERLAPS),
                ],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program} Rp{self.amount} ({self.valid_from})"
