"""Partner institutions. Agreements, parties, targets and follow-ups arrive with the partners issue."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Institution(models.Model):
    class Kind(models.TextChoices):
        KANWIL_KEMENAG = "kanwil_kemenag", _("Kanwil Kemenag")
        KEMENAG_KABKOTA = "kemenag_kabkota", _("Kantor Kemenag Kab/Kota")
        PEMPROV = "pemprov", _("Provincial government (Pemprov)")
        PEMKAB = "pemkab", _("Regency government (Pemkab)")
        PEMKOT = "pemkot", _("City government (Pemkot)")
        OPD = "opd", _("OPD / dinas")
        KEJATI = "kejati", _("Kejati")
        KEJARI = "kejari", _("Kejari")
        APINDO = "apindo", _("Apindo")
        KL = "kl", _("Ministry or agency (K/L)")
        DPMPTSP = "dpmptsp", _("DPMPTSP")
        EDUCATION = "pendidikan", _("Educational institution")
        OTHER = "lainnya", _("Other")

    class Level(models.TextChoices):
        NATIONAL = "nasional", _("National")
        PROVINCE = "provinsi", _("Province")
        REGENCY = "kabkota", _("Regency / city")
        LOCAL = "lokal", _("Local unit")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    province = models.ForeignKey(
        "regions.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("province"),
    )
    regency = models.ForeignKey(
        "regions.Regency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("regency or city"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent institution"),
    )
    office = models.ForeignKey(
        "regions.Office",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="institutions",
        verbose_name=_("responsible BPJS office"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        constraints = [
            models.UniqueConstraint(
                fields=["name", "province"], name="institution_name_unique_in_province"
            ),
            models.CheckConstraint(
                condition=Q(level="nasional") | Q(province__isnull=False),
                name="institution_below_national_has_province",
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="institution_not_own_parent"
            ),
        ]
        indexes = [models.Index(fields=["parent"]), models.Index(fields=["office"])]

    def __str__(self) -> str:
        return self.name
