"""Users and what they may see: role assignments, each with a scope.

Roles are data, not Django permissions: a user holds one or more assignments (role + scope), and
accounts.scope turns them into the offices and institutions every selector filters by.
"""

from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import BrinIndex, GinIndex
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    NATIONAL_ADMIN = "national_admin", _("National administrator")
    REGIONAL_OFFICER = "regional_officer", _("Regional officer")
    PARTNER_ADMIN = "partner_admin", _("Partner administrator")
    MANAGER = "manager", _("Manager")


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    position = models.CharField(_("position"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @cached_property
    def assignments(self) -> list[RoleAssignment]:
        """This user's roles with their scope; read once per request (user objects are)."""
        return list(
            self.role_assignments.select_related("office", "institution").order_by("role", "id")
        )

    @cached_property
    def roles(self) -> frozenset[str]:
        return frozenset(a.role for a in self.assignments)

    @property
    def is_national_admin(self) -> bool:
        return Role.NATIONAL_ADMIN in self.roles

    @property
    def can_manage_partners(self) -> bool:
        return bool(self.roles & {Role.NATIONAL_ADMIN, Role.REGIONAL_OFFICER})

    @property
    def can_upload_rosters(self) -> bool:
        return bool(self.roles & {Role.NATIONAL_ADMIN, Role.REGIONAL_OFFICER, Role.PARTNER_ADMIN})

    @property
    def sees_personal_data(self) -> bool:
        """Managers read figures; the full NIK is for those who process the people."""
        return bool(self.roles & {Role.NATIONAL_ADMIN, Role.REGIONAL_OFFICER, Role.PARTNER_ADMIN})

    @property
    def can_view_dashboards(self) -> bool:
        return bool(self.roles)

    @property
    def needs_second_factor(self) -> bool:
        """Whoever sees personal data, and whoever can open the Django admin, signs in with a
        code from an authenticator app (or a recovery code) after the password."""
        return self.sees_personal_data or self.is_staff or self.is_superuser

    @property
    def handles_data_requests(self) -> bool:
        """A person asking what BPJS holds about them (UU 27/2022) is answered by BPJS: the
        national administrators and the regional officers of the person's region."""
        return bool(self.roles & {Role.NATIONAL_ADMIN, Role.REGIONAL_OFFICER})


class RoleAssignment(models.Model):
    """One role of one user, with its scope: nowhere (national), a BPJS office, or an institution."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    office = models.ForeignKey(
        "regions.Office",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("BPJS office"),
        help_text=_("Regional officers and regional managers: the office whose regions they see."),
    )
    institution = models.ForeignKey(
        "partners.Institution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("institution"),
        help_text=_("Partner administrators: the institution (and its child institutions)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.CheckConstraint(
                name="role_scope_matches_role",
                condition=(
                    Q(role="national_admin", office__isnull=True, institution__isnull=True)
                    | Q(role="regional_officer", office__isnull=False, institution__isnull=True)
                    | Q(role="partner_admin", office__isnull=True, institution__isnull=False)
                    | Q(role="manager", institution__isnull=True)
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "office", "institution"],
                nulls_distinct=False,
                name="role_assignment_unique",
            ),
        ]

    def __str__(self) -> str:
        where = self.office or self.institution or _("national")
        return f"{self.user} — {self.get_role_display()} ({where})"


class PersonalField(models.TextChoices):
    """What a page or file showed of a person, as the access log names it."""

    NIK = "nik", _("NIK")
    FULL_NAME = "full_name", _("full name")
    BIRTH_DATE = "birth_date", _("date of birth")
    SEX = "sex", _("sex")
    BIRTH_PLACE = "birth_place", _("place of birth")
    PHONE = "phone", _("phone")
    ADDRESS = "address", _("address")
    REGENCY = "regency", _("regency or city")
    KPJ = "kpj", _("KPJ number")
    WAGE = "wage", _("wage")
    EMPLOYMENT = "employment", _("employment")  # institution, work unit, category, dates, NIP
    ENROLMENT = "enrolment", _("enrolment")  # programs and their status


class AccessLog(models.Model):
    """Who saw or exported personal data, when, and of whom (UU 27/2022): one row per act.

    A page or file about one person names them in `worker`; a list or file of many names them
    all in `workers` (an export of 100.000 people is one row with 100.000 ids). `fields` says
    what of them was shown in full. The breach query reads it by user or address and time; the
    data-subject report by person (`worker`, or `workers` through its GIN index).
    """

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        EXPORT = "export", _("Exported")

    # (user, at) below serves lookups by user: the key's own index would only cost each insert.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="accesses", db_index=False
    )
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    worker = models.ForeignKey(
        "enrolment.Worker",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accesses",
    )
    workers = ArrayField(
        models.BigIntegerField(),
        default=list,
        blank=True,
        help_text=_("The people of a list or file (worker ids)."),
    )
    fields = ArrayField(
        models.CharField(max_length=20, choices=PersonalField.choices),
        default=list,
        blank=True,
        help_text=_("What of each person was shown or written."),
    )
    what = models.CharField(
        max_length=200, help_text=_("The page or the file, e.g. “failed rows of import 12”.")
    )
    rows = models.PositiveIntegerField(default=1, help_text=_("People in an export."))
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        indexes = [
            # The breach query: what one user, or one address, touched in a window.
            models.Index(fields=["user", "at"], name="accesslog_user_at"),
            models.Index(fields=["ip", "at"], name="accesslog_ip_at"),
            # Everything in a window: rows arrive in time order, so a block range index will do.
            BrinIndex(fields=["at"], name="accesslog_at"),
            # The data-subject report: the lists and files a person was in.
            GinIndex(fields=["workers"], name="accesslog_workers"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} {self.what}"


class SecondFactorEvent(models.Model):
    """A change to someone's second factor, with who made it: set up, new recovery codes, reset."""

    class Action(models.TextChoices):
        SET_UP = "set_up", _("Authenticator app set up")
        CODES_RENEWED = "codes_renewed", _("New recovery codes made")
        RESET = "reset", _("Second factor reset")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="second_factor_events"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("second factor change")
        verbose_name_plural = _("second factor changes")

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} by {self.by_id}"
