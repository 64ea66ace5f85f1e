"""Kemendagri regions and the BPJS Ketenagakerjaan offices that serve them."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Province(models.Model):
    """One of the 38 provinces, keyed by its Kemendagri code ("62")."""

    code = models.CharField(_("code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    source = models.CharField(_("source"), max_length=200)

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{2}$"), name="province_code_2_digits"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Regency(models.Model):
    """A kabupaten or kota, keyed by its dotted Kemendagri code ("62.71")."""

    class Kind(models.TextChoices):
        KABUPATEN = "kabupaten", _("Regency (kabupaten)")
        KOTA = "kota", _("City (kota)")

    code = models.CharField(_("code"), max_length=5, primary_key=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="regencies")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    source = models.CharField(_("source"), max_length=200)

    class Meta:
        ordering = ["code"]
        verbose_name = _("regency or city")
        verbose_name_plural = _("regencies and cities")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{2}\.[0-9]{2}$"), name="regency_code_format"
            )
        ]

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    """A kecamatan (distrik in Papua), keyed by its dotted code ("62.71.01"). NIK digits 5–6."""

    code = models.CharField(_("code"), max_length=8, primary_key=True)
    regency = models.ForeignKey(Regency, on_delete=models.PROTECT, related_name="districts")
    name = models.CharField(_("name"), max_length=100)
    source = models.CharField(_("source"), max_length=200)

    class Meta:
        ordering = ["code"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name


class Office(models.Model):
    """A BPJS Ketenagakerjaan office: Kantor Pusat, a Kantor Wilayah or a Kantor Cabang."""

    class Kind(models.TextChoices):
        HEAD = "pusat", _("Head office")
        REGIONAL = "wilayah", _("Regional office (Kanwil)")
        BRANCH = "cabang", _("Branch office (Kantor Cabang)")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent office"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("BPJS office")
        verbose_name_plural = _("BPJS offices")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="pusat", parent__isnull=True) | Q(parent__isnull=False),
                name="office_has_parent_unless_head",
            )
        ]

    def __str__(self) -> str:
        return self.name


class OfficeAreaQuerySet(models.QuerySet):
    def valid_on(self, day: dt.date) -> OfficeAreaQuerySet:
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day)


class OfficeArea(models.Model):
    """An office serves a province or a regency from one date to another: offices get reorganised."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="areas")
    province = models.ForeignKey(Province, on_delete=models.PROTECT, null=True, blank=True)
    regency = models.ForeignKey(Regency, on_delete=models.PROTECT, null=True, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = OfficeAreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("office area")
        verbose_name_plural = _("office areas")
        constraints = [
            models.CheckConstraint(
                condition=Q(province__isnull=False, regency__isnull=True)
                | Q(province__isnull=True, regency__isnull=False),
                name="office_area_province_xor_regency",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="office_area_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.office} — {self.regency or self.province}"
